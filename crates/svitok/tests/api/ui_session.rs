//! The pages before a session: registration with its code, password reset, the notices.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::ui_kit::{browser, hidden, page, post_form, sign_in};

both_backends!(register_confirm_sign_in_and_reset_through_the_pages);

async fn register_confirm_sign_in_and_reset_through_the_pages(b: Backend) {
    let app = spawn_app(b).await;
    let http = browser();
    let (status, html, _) = page(&app, &http, "/login").await;
    assert_eq!(status, 200);
    assert!(html.contains("href=\"/register\"") && html.contains("href=\"/reset\""));
    let (status, html, _) = page(&app, &http, "/register").await;
    assert_eq!(status, 200);
    let csrf = hidden(&html, "csrf");
    let a = TestApp::account("orlova");
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("last_name", "Орлова"),
        ("first_name", "Дарья"),
        ("middle_name", ""),
        ("login", "orlova"),
        ("email", a.email.as_str()),
        ("password", "коротко"),
        ("position", "Делопроизводитель"),
        ("birth_date", ""),
    ];
    // A weak password: the form comes back filled in, with the reason.
    let (status, html, _) = post_form(&app, &http, "/register", &form).await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("не менее 10 символов") && html.contains("value=\"Орлова\""),
        "{html}"
    );
    form[6] = ("password", a.password.as_str());
    let (status, html, _) = post_form(&app, &http, "/register", &form).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Подтверждение почты") && html.contains(&a.email));
    assert!(html.contains("data-countdown=\"60\""), "the resend button counts down");
    let code = app.mail.next(&a.email).await.code();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let confirm = |code: &str, resend: bool| {
        let mut f = vec![
            ("csrf".to_string(), csrf.clone()),
            ("email".to_string(), a.email.clone()),
            ("code".to_string(), code.to_string()),
        ];
        if resend {
            f.push(("resend".into(), "1".into()));
        }
        f
    };
    let post = |fields: Vec<(String, String)>| {
        let http = http.clone();
        let app = &app;
        async move {
            let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            post_form(app, &http, "/register/confirm", &refs).await
        }
    };
    let (status, html, _) = post(confirm(wrong, false)).await;
    assert_eq!(status, 401);
    assert!(html.contains("Неверный или просроченный код"));
    // A new code is refused within the minute, with the reason on the page.
    let (status, html, _) = post(confirm("", true)).await;
    assert_eq!(status, 429, "{html}");
    assert!(
        html.contains("Можно повторить через 60 с."),
        "the wait, in words: {html}"
    );
    let (status, _, h) = post(confirm(&code, false)).await;
    assert_eq!(status, 303);
    assert_eq!(h["location"], "/login?done=registered");
    let (_, html, _) = page(&app, &http, "/login?done=registered").await;
    assert!(html.contains("Адрес подтверждён"));
    let (_, html, _) = page(&app, &http, "/login?done=%3Cscript%3E").await;
    assert!(!html.contains("class=\"notice\""), "only the known notices");

    // Signed in, the person sees their name; the pages know them.
    let (web, _) = sign_in(&app, &a).await;
    let (status, html, _) = page(&app, &web, "/inbox").await;
    assert_eq!(status, 200);
    assert!(html.contains("Орлова Дарья"));

    // Password reset: an unknown address gets the same page and no mail.
    let (_, html, _) = page(&app, &http, "/reset").await;
    let csrf = hidden(&html, "csrf");
    let (status, html, _) = post_form(
        &app,
        &http,
        "/reset",
        &[("csrf", &csrf), ("email", "nobody@example.ru")],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("Новый пароль"));
    let (status, html, _) = post_form(&app, &http, "/reset", &[("csrf", &csrf), ("email", &a.email)]).await;
    assert_eq!(status, 200);
    assert!(html.contains("Новый пароль"));
    let code = app.mail.next(&a.email).await.code();
    assert_eq!(
        app.mail.pending("nobody@example.ru"),
        0,
        "no mail to an unknown address"
    );
    let new_password = "новый-пароль-для-орловой";
    let (status, _, h) = post_form(
        &app,
        &http,
        "/reset/confirm",
        &[
            ("csrf", &csrf),
            ("email", &a.email),
            ("code", &code),
            ("password", new_password),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(h["location"], "/login?done=reset");
    // The reset ended the session opened before it.
    let (status, _, _) = page(&app, &web, "/inbox").await;
    assert_eq!(status, 303);
    app.advance(time::Duration::seconds(61)); // one login code a minute per account
    let r = app
        .post(
            "/api/v1/auth/login",
            serde_json::json!({"login": "orlova", "password": new_password}),
        )
        .await;
    r.ok(200);
}

both_backends!(english_on_request_and_remembered_for_the_person);

async fn english_on_request_and_remembered_for_the_person(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("smith").await;
    let http = browser();
    let ask = |lang: &'static str| {
        let http = http.clone();
        let url = app.url("/login");
        async move {
            let r = http.get(url).header("accept-language", lang).send().await.unwrap();
            r.text().await.unwrap()
        }
    };
    let html = ask("en-GB,en;q=0.9").await;
    assert!(
        html.contains("<html lang=\"en\">") && html.contains("Login or email"),
        "{html}"
    );
    let html = ask("ru-RU,ru;q=0.9,en;q=0.8").await;
    assert!(html.contains("<html lang=\"ru\">") && html.contains("Логин или почта"));
    let html = ask("de-DE").await;
    assert!(html.contains("<html lang=\"ru\">"), "Russian unless asked otherwise");

    // The switch on the login page: a cookie for this browser.
    let csrf = hidden(&html, "csrf");
    let (status, _, h) = post_form(&app, &http, "/language", &[("csrf", &csrf), ("lang", "en")]).await;
    assert_eq!(status, 303);
    assert!(h["set-cookie"].to_str().unwrap().starts_with("svitok_lang=en"));
    let (_, html, _) = page(&app, &http, "/login").await;
    assert!(html.contains("Sign in") && html.contains("value=\"ru\""), "{html}");
    let (status, html, _) = post_form(
        &app,
        &http,
        "/login",
        &[("csrf", &csrf), ("login", "smith"), ("password", "not the password")],
    )
    .await;
    assert_eq!(status, 401);
    assert!(
        html.contains("Wrong login or password"),
        "the kind of failure in English: {html}"
    );
    let (status, _, _) = post_form(&app, &http, "/language", &[("csrf", &csrf), ("lang", "de")]).await;
    assert_eq!(status, 422);
    let (status, _, _) = post_form(&app, &http, "/language", &[("lang", "en")]).await;
    assert_eq!(status, 403, "the switch needs the form token too");

    // Signed in, the choice is saved with the person and follows them to a new browser.
    let (web, web_csrf) = sign_in(&app, &a).await;
    let (status, _, h) = post_form(&app, &web, "/language", &[("csrf", &web_csrf), ("lang", "en")]).await;
    assert_eq!(status, 303);
    assert_eq!(h["location"], "/profile?done=language");
    let (_, html, _) = page(&app, &web, "/profile?done=language").await;
    assert!(html.contains("The interface language has been changed.") && html.contains("Personal data"));
    let (status, html, _) = page(&app, &web, "/documents/0190b5a0-0000-7000-8000-000000000001").await;
    assert_eq!(status, 404);
    assert!(html.contains("Not found"), "error pages in the person's language");
    app.advance(time::Duration::seconds(61)); // one login code a minute per account
    let (fresh, _) = sign_in(&app, &a).await;
    let (_, html, _) = page(&app, &fresh, "/inbox").await;
    assert!(
        html.contains("<html lang=\"en\">") && html.contains("Your inbox is empty."),
        "{html}"
    );
}
