//! The web interface: pages over HTTP on both databases, and an end-to-end run in real
//! headless Chromium (Debian `chromium` + `chromium-driver`).

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::ui_kit::{browser, hidden, page, post_form};
use serde_json::json;

both_backends!(
    pages_send_strangers_to_login_with_strict_headers,
    login_through_the_forms_then_inbox_and_card
);

/// The form-token cookie a fresh browser gets with the login page.
async fn h_cookie(app: &TestApp, _http: &reqwest::Client) -> String {
    let r = browser().get(app.url("/login")).send().await.unwrap();
    r.headers()["set-cookie"].to_str().unwrap().to_string()
}

async fn pages_send_strangers_to_login_with_strict_headers(b: Backend) {
    let app = spawn_app(b).await;
    let http = browser();
    for path in ["/", "/inbox", "/documents/0190b5a0-0000-7000-8000-000000000001"] {
        let (status, _, h) = page(&app, &http, path).await;
        assert_eq!(status, 303, "{path}");
        let to = h["location"].to_str().unwrap();
        assert!(to == "/login" || to == "/inbox", "{path} → {to}");
    }
    let (status, html, h) = page(&app, &http, "/login").await;
    assert_eq!(status, 200);
    assert!(html.starts_with("<!doctype html>") && html.contains("<html lang=\"ru\">"));
    assert!(html.contains("<label for=\"login\">") && html.contains("Вход в систему"));
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(
        !csp.contains("unsafe-inline") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    for script in html.split("<script").skip(1) {
        assert!(
            script.starts_with(" src=\"/static/") && script.contains("></script>"),
            "no inline script anywhere: {script}"
        );
    }
    let (status, js, h) = page(&app, &http, "/static/app.js").await;
    assert_eq!(status, 200);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert!(!js.contains("http://") && !js.contains("https://"), "no call home");
    assert_eq!(h["x-frame-options"], "DENY");
    // An address nobody serves: a page for browsers, problem+json under /api.
    let (status, html, h) = page(&app, &http, "/no/such/page").await;
    assert_eq!(status, 404);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html") && html.contains("Не найдено"));
    let r = http
        .get(app.url("/no/such/page"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("Not found"));
    let (status, _, h) = page(&app, &http, "/api/v1/no-such-thing").await;
    assert_eq!(status, 404);
    assert_eq!(h["content-type"], "application/problem+json");
    let (status, css, h) = page(&app, &http, "/static/app.css").await;
    assert_eq!(status, 200);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/css"));
    assert!(
        !css.contains("http://") && !css.contains("https://"),
        "no external asset"
    );
    // The login form carries a token that matches an HttpOnly, SameSite=Strict cookie; a
    // form posted without it (from another site, say) is refused.
    assert!(h_cookie(&app, &http).await.contains("SameSite=Strict"));
    let r = http
        .post(app.url("/login"))
        .header("origin", "https://evil.example")
        .form(&[("login", "admin"), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("Доступ запрещён"));
    let r = browser()
        .post(app.url("/login"))
        .form(&[("login", "admin"), ("password", "x"), ("csrf", "A".repeat(43).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a token without its cookie is no token");
}

async fn login_through_the_forms_then_inbox_and_card(b: Backend) {
    let app = spawn_app(b).await;
    let (admin, token) = app.admin().await;
    let (_, clerk_id) = app
        .invite(&token, "clerk", &["send_documents", "create_documents"])
        .await;
    let admin_id = app.user_id(&token).await.to_string();
    // A clerk sends the administrator a document whose title is not HTML.
    let (clerk, _) = (crate::helpers::TestApp::account("clerk"), clerk_id);
    let clerk_token = app.login(&clerk).await;
    let d = app
        .post_as(
            "/api/v1/documents",
            &clerk_token,
            json!({"title": "Приказ <b>№1</b> & план"}),
        )
        .await;
    let doc = d.ok(201)["id"].as_str().unwrap().to_string();
    app.post_as(
        &format!("/api/v1/documents/{doc}/send"),
        &clerk_token,
        json!({"to": [{"kind": "user", "id": admin_id}], "comment": "Прошу ознакомиться"}),
    )
    .await
    .ok(200);
    let private = app
        .post_as("/api/v1/documents", &clerk_token, json!({"title": "Личное"}))
        .await;
    let private = private.ok(201)["id"].as_str().unwrap().to_string();

    app.advance(time::Duration::seconds(61)); // one login code a minute per account
    let http = browser();
    let (_, login_page, _) = page(&app, &http, "/login").await;
    let csrf = hidden(&login_page, "csrf");
    let (status, html, _) = post_form(
        &app,
        &http,
        "/login",
        &[("login", "admin"), ("password", "не тот пароль"), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 401);
    assert!(html.contains("Неверный логин или пароль"), "the error is on the page");
    let (status, html, _) = post_form(
        &app,
        &http,
        "/login",
        &[("login", &admin.login), ("password", &admin.password), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    let challenge = hidden(&html, "challenge");
    let code = app.mail.next_code(&admin.email).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (status, html, _) = post_form(
        &app,
        &http,
        "/login/code",
        &[("challenge", &challenge), ("code", wrong), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 401);
    assert!(html.contains("Неверный или просроченный код"));
    let (status, _, h) = post_form(
        &app,
        &http,
        "/login/code",
        &[("challenge", &challenge), ("code", &code), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(h["location"], "/inbox");
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );

    let (status, html, _) = page(&app, &http, "/inbox").await;
    assert_eq!(status, 200);
    assert!(html.contains("Входящие") && html.contains("Прошу ознакомиться"));
    assert!(
        html.contains("Приказ &lt;b&gt;№1&lt;") && html.contains("&amp; план") && !html.contains("<b>№1"),
        "titles are escaped, never markup: {html}"
    );
    assert!(html.contains("class=\"unread\""), "unread first and marked");
    let (status, html, _) = page(&app, &http, &format!("/documents/{doc}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Черновик") && html.contains("создан документ") && html.contains("документ отправлен"));
    // Opening it read it.
    let (_, html, _) = page(&app, &http, "/inbox").await;
    assert!(!html.contains("class=\"unread\""));
    // Someone else's document: the same 404 page as a missing one.
    let (status, html, _) = page(&app, &http, &format!("/documents/{private}")).await;
    assert_eq!(status, 404);
    assert!(html.contains("Не найдено"));

    // All I can read, with search; a new card; a status move by button.
    let (status, html, _) = page(&app, &http, "/documents?q=%D0%BF%D0%BB%D0%B0%D0%BD").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Приказ &lt;b&gt;") && !html.contains("Личное"),
        "search, and only what I may read"
    );
    let (status, _, h) = post_form(
        &app,
        &http,
        "/documents/new",
        &[
            ("title", "Заявка на пропуск"),
            ("kind", "Заявка"),
            ("description", ""),
            ("csrf", &csrf),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let card = h["location"].to_str().unwrap().to_string();
    assert!(card.starts_with("/documents/"));
    let (_, html, _) = page(&app, &http, &card).await;
    assert!(html.contains("Заявка на пропуск") && html.contains("value=\"in_review\""));
    let (status, _, _) = post_form(&app, &http, &format!("{card}/status"), &[("status", "in_review")]).await;
    assert_eq!(status, 403, "status buttons need the form token");
    let (status, _, h) = post_form(
        &app,
        &http,
        &format!("{card}/status"),
        &[("status", "in_review"), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(h["location"].to_str().unwrap(), card);
    let (_, html, _) = page(&app, &http, &card).await;
    assert!(html.contains("На согласовании"));
    let (status, html, _) = post_form(
        &app,
        &http,
        &format!("{card}/status"),
        &[("status", "archived"), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 409, "a move the machine forbids");
    assert!(html.contains("Статус не изменён"));

    // Signing from the card: a file of mine, the step-up code, the signature listed.
    let up = app
        .upload_to("/api/v1/documents", &token, "Устав.txt", b"charter".to_vec())
        .await;
    let signed = up.ok(201)["id"].as_str().unwrap().to_string();
    let (_, html, _) = page(&app, &http, &format!("/documents/{signed}")).await;
    assert!(html.contains("Подписать версию 1") && html.contains("Подписей нет"));
    let (status, html, _) = post_form(
        &app,
        &http,
        &format!("/documents/{signed}/sign"),
        &[("version", "1"), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    let challenge = hidden(&html, "challenge");
    let code = app.mail.next_code(&admin.email).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let confirm = format!("/documents/{signed}/sign/confirm");
    let (status, html, _) = post_form(
        &app,
        &http,
        &confirm,
        &[
            ("challenge", &challenge),
            ("version", "1"),
            ("code", wrong),
            ("csrf", &csrf),
        ],
    )
    .await;
    assert_eq!(status, 401);
    assert!(html.contains("Неверный или просроченный код"));
    let (status, _, h) = post_form(
        &app,
        &http,
        &confirm,
        &[
            ("challenge", &challenge),
            ("version", "1"),
            ("code", &code),
            ("csrf", &csrf),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(h["location"].to_str().unwrap(), format!("/documents/{signed}"));
    let (_, html, _) = page(&app, &http, &format!("/documents/{signed}?verify=1")).await;
    assert!(
        html.contains(".p7s") && html.contains("Админова Анна") && html.contains("check-valid"),
        "{html}"
    );
    assert!(!html.contains("Подписать версию 1"), "signed once: no second button");
    assert!(
        html.contains("href=\"/api/v1/pki/ca.pem\""),
        "the CA certificate to check it without Svitok"
    );
    let (status, pem, _) = page(&app, &http, "/api/v1/pki/ca.pem").await;
    assert!(status == 200 && pem.starts_with("-----BEGIN CERTIFICATE-----"));
    // Someone else's document cannot even start a signature (and gets no code).
    let (status, _, _) = post_form(
        &app,
        &http,
        &format!("/documents/{private}/sign"),
        &[("version", "1"), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 404);

    let (status, _, _) = post_form(&app, &http, "/logout", &[]).await;
    assert_eq!(status, 403, "logging out needs the form token too");
    let (status, _, h) = post_form(&app, &http, "/logout", &[("csrf", &csrf)]).await;
    assert_eq!(status, 303);
    assert_eq!(h["location"], "/login");
    let (status, _, _) = page(&app, &http, "/inbox").await;
    assert_eq!(status, 303, "signed out");
}

/// The end-to-end run in Chromium. Without `chromedriver` it is skipped loudly; in CI it
/// must run.
#[tokio::test]
async fn chromium_login_inbox_and_card() {
    let Some(driver) = chromedriver().await else {
        return;
    };
    // The browser's Origin must be the server's public URL: serve on a known port.
    let port = crate::helpers::free_port();
    let app = crate::helpers::spawn_app_with(Backend::Sqlite, |c| {
        c.listen = format!("127.0.0.1:{port}");
        c.public_url = Some(format!("http://127.0.0.1:{port}"));
    })
    .await;
    let (admin, token) = app.admin().await;
    let admin_id = app.user_id(&token).await.to_string();
    let d = app
        .upload_to(
            "/api/v1/documents",
            &token,
            "Положение об отпусках",
            b"%PDF-1.4 test".to_vec(),
        )
        .await;
    let doc = d.ok(201)["id"].as_str().unwrap().to_string();
    app.post_as(
        &format!("/api/v1/documents/{doc}/send"),
        &token,
        json!({"to": [{"kind": "user", "id": admin_id}], "comment": "На подпись"}),
    )
    .await
    .ok(200);

    app.advance(time::Duration::seconds(61)); // one login code a minute per account
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--no-first-run", "--window-size=1200,900", "--lang=ru-RU"],
               "prefs": {"intl.accept_languages": "ru-RU,ru"}}),
    );
    let c = fantoccini::ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("chromedriver answers");
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let run = async {
        use fantoccini::Locator;
        c.goto(&app.url("/login")).await?;
        std::fs::write(shots.join("login.png"), c.screenshot().await?).unwrap();
        c.find(Locator::Id("login")).await?.send_keys(&admin.login).await?;
        c.find(Locator::Id("password"))
            .await?
            .send_keys(&admin.password)
            .await?;
        c.find(Locator::Css("main button[type=submit]")).await?.click().await?;
        let code_field = c.wait().for_element(Locator::Id("code")).await?;
        let code = app.mail.next_code(&admin.email).await;
        code_field.send_keys(&code).await?;
        c.find(Locator::Css("main button[type=submit]")).await?.click().await?;
        c.wait().for_element(Locator::Css("table.list")).await?;
        assert!(c.current_url().await?.as_str().ends_with("/inbox"));
        let text = c.find(Locator::Css("main")).await?.text().await?;
        assert!(
            text.contains("Положение об отпусках") && text.contains("На подпись"),
            "{text}"
        );
        std::fs::write(shots.join("inbox.png"), c.screenshot().await?).unwrap();
        c.find(Locator::LinkText("Положение об отпусках"))
            .await?
            .click()
            .await?;
        c.wait().for_element(Locator::Css("dl.facts")).await?; // on the card only
        let h1 = c.find(Locator::Css("main h1")).await?;
        assert_eq!(h1.text().await?, "Положение об отпусках");
        std::fs::write(shots.join("document.png"), c.screenshot().await?).unwrap();
        c.find(Locator::Css("button[value=in_review]")).await?.click().await?;
        // Only the new page offers going back to a draft (the old one had `signing` too).
        c.wait().for_element(Locator::Css("button[value=draft]")).await?;
        let badge = c.find(Locator::Css("main .status")).await?.text().await?;
        assert_eq!(badge, "На согласовании");
        // Sign the version with the emailed step-up code.
        c.find(Locator::Css("form[action$='/sign'] button"))
            .await?
            .click()
            .await?;
        let code_field = c.wait().for_element(Locator::Id("code")).await?;
        code_field.send_keys(&app.mail.next_code(&admin.email).await).await?;
        c.find(Locator::Css("main button[type=submit]")).await?.click().await?;
        c.wait().for_element(Locator::LinkText(".p7s")).await?;
        let main = c.find(Locator::Css("main")).await?.text().await?;
        assert!(main.contains("Админова Анна") && main.contains("Подписи"), "{main}");
        c.find(Locator::LinkText("проверить")).await?.click().await?;
        let check = c.wait().for_element(Locator::Css(".check-valid")).await?;
        assert_eq!(check.text().await?, "верна");
        std::fs::write(shots.join("signed.png"), c.screenshot().await?).unwrap();
        c.find(Locator::LinkText("Все документы")).await?.click().await?;
        c.wait().for_element(Locator::Id("q")).await?;
        std::fs::write(shots.join("documents.png"), c.screenshot().await?).unwrap();
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    if run.is_err() {
        // What the browser showed when it failed, beside the other screenshots.
        if let Ok(png) = c.screenshot().await {
            std::fs::write(shots.join("failure.png"), png).unwrap();
        }
        if let Ok(html) = c.source().await {
            eprintln!(
                "page at failure ({}):\n{html}",
                c.current_url().await.map(|u| u.to_string()).unwrap_or_default()
            );
        }
    }
    let _ = c.close().await;
    run.expect("the browser run");
}

/// chromedriver on a free port.
pub async fn chromedriver() -> Option<crate::helpers::Peer> {
    let found = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.exists());
    let bin = crate::helpers::peer_binary(found, "the Chromium test", "apt-get install chromium chromium-driver")?;
    let port = crate::helpers::free_port();
    Some(crate::helpers::start_peer(&bin, &[format!("--port={port}")], port).await)
}
