//! The profile page: own data, API tokens shown once, TOTP enrolment with the QR code,
//! password change, ending another session.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend};
use crate::ui_kit::{page, post_form, sign_in};

both_backends!(profile_tokens_totp_password_and_sessions);

/// The text between `start` and the next `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let at = html.find(start).unwrap_or_else(|| panic!("no {start} in {html}")) + start.len();
    html[at..].split(end).next().unwrap()
}

async fn profile_tokens_totp_password_and_sessions(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanova").await;
    let (web, csrf) = sign_in(&app, &a).await;
    app.advance(time::Duration::seconds(61)); // one login code a minute per account
    let other = app.login(&a).await; // a second session, from the API
    let (status, html, _) = page(&app, &web, "/profile").await;
    assert_eq!(status, 200);
    assert!(html.contains("этот сеанс") && html.contains("Токенов нет"));

    let (status, _, h) = post_form(
        &app,
        &web,
        "/profile",
        &[
            ("csrf", &csrf),
            ("last_name", "Иванова"),
            ("first_name", "Ирина"),
            ("position", "Архивариус"),
        ],
    )
    .await;
    // Names and position are kept by administrators (issue 12, finding 10): the page
    // shows them read-only, and the form, posted anyway, is refused.
    assert_eq!(status, 403, "{:?}", h.get("location"));
    let (_, html, _) = page(&app, &web, "/profile").await;
    assert!(html.contains("меняет администратор") && !html.contains("value=\"Архивариус\""));

    // A token: its secret once, on the page that made it; it works, then it is revoked.
    let (status, html, _) = post_form(
        &app,
        &web,
        "/profile/tokens",
        &[("csrf", &csrf), ("name", "Интеграция"), ("days", "30")],
    )
    .await;
    assert_eq!(status, 200);
    let secret = between(&html, "<output id=\"new-token\"><code>", "</code>").to_string();
    app.get("/api/v1/me", &secret).await.ok(200);
    let (_, html, _) = page(&app, &web, "/profile").await;
    assert!(html.contains("Интеграция") && !html.contains(&secret), "shown once");
    let token_id = between(
        &html,
        "name=\"kind\" value=\"token\"><input type=\"hidden\" name=\"id\" value=\"",
        "\"",
    )
    .to_string();
    let (status, _, _) = post_form(
        &app,
        &web,
        "/profile/revoke",
        &[("csrf", &csrf), ("kind", "token"), ("id", &token_id)],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(app.get("/api/v1/me", &secret).await.status, 401);

    // TOTP: the password first, then the QR code and a code from the app.
    let (status, html, _) = post_form(&app, &web, "/profile/totp", &[("csrf", &csrf), ("current", "не тот")]).await;
    assert_eq!(status, 422);
    assert!(html.contains("Неверный текущий пароль") && !html.contains("data:image/svg+xml"));
    let (status, html, _) = post_form(
        &app,
        &web,
        "/profile/totp",
        &[("csrf", &csrf), ("current", &a.password)],
    )
    .await;
    assert_eq!(status, 200);
    // (MiniJinja escapes `/` in attributes; browsers read `&#x2f;` as `/`.)
    assert!(
        html.replace("&#x2f;", "/").contains("src=\"data:image/svg+xml;base64,"),
        "the QR code, served inline"
    );
    let key = between(&html, "Ключ: <code>", "</code>").to_string();
    let key = totp_rs::Secret::Encoded(key).to_bytes().unwrap();
    let code = svitok_core::totp::code_at(&key, (app.state.now() / 1000) as u64);
    let (status, _, h) = post_form(&app, &web, "/profile/totp/confirm", &[("csrf", &csrf), ("code", &code)]).await;
    assert_eq!(status, 303);
    assert_eq!(h["location"], "/profile?done=totp");
    let (_, html, _) = page(&app, &web, "/profile").await;
    assert!(html.contains("Включён"));

    // Another session, ended from here.
    app.get("/api/v1/me", &other).await.ok(200);
    let (_, html, _) = page(&app, &web, "/profile").await;
    let ids: Vec<&str> = html
        .split("name=\"kind\" value=\"session\"><input type=\"hidden\" name=\"id\" value=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(ids.len(), 1, "one other session");
    let (status, _, _) = post_form(
        &app,
        &web,
        "/profile/revoke",
        &[("csrf", &csrf), ("kind", "session"), ("id", ids[0])],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(app.get("/api/v1/me", &other).await.status, 401, "ended");

    // A new address: the password, then the code mailed to the new address.
    let (status, html, _) = post_form(
        &app,
        &web,
        "/profile/email",
        &[
            ("csrf", &csrf),
            ("email", "irina.new@example.ru"),
            ("current", "не тот"),
        ],
    )
    .await;
    assert_eq!(status, 422, "{html}");
    let (status, html, _) = post_form(
        &app,
        &web,
        "/profile/email",
        &[
            ("csrf", &csrf),
            ("email", "irina.new@example.ru"),
            ("current", &a.password),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("Мы отправили код на irina.new@example.ru"), "{html}");
    let code = app.mail.next_code("irina.new@example.ru").await;
    let (status, _, h) = post_form(
        &app,
        &web,
        "/profile/email/confirm",
        &[("csrf", &csrf), ("email", "irina.new@example.ru"), ("code", &code)],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(h["location"], "/profile?done=email");
    let (_, html, _) = page(&app, &web, "/profile?done=email").await;
    assert!(html.contains("Адрес почты изменён.") && html.contains("irina.new@example.ru"));

    // Password: the current one is checked; the new one must be good.
    let (status, html, _) = post_form(
        &app,
        &web,
        "/profile/password",
        &[
            ("csrf", &csrf),
            ("current", "не тот"),
            ("new_password", "другой-хороший-пароль"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Неверный текущий пароль"));
    let (status, _, h) = post_form(
        &app,
        &web,
        "/profile/password",
        &[
            ("csrf", &csrf),
            ("current", &a.password),
            ("new_password", "другой-хороший-пароль"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(h["location"], "/profile?done=password");
    let (status, _, _) = page(&app, &web, "/profile").await;
    assert_eq!(status, 200, "this session goes on");
}
