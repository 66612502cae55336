//! First start: no default accounts; the one-time setup link. SECURITY 28.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, PASSWORD};
use serde_json::json;

both_backends!(
    there_are_no_default_accounts,
    setup_link_creates_the_first_administrator_once,
    setup_form_in_the_browser_works_once,
    bad_setup_input_does_not_burn_the_link,
);

fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_string()
}

async fn there_are_no_default_accounts(b: Backend) {
    let app = spawn_app(b).await;
    assert_eq!(app.state.db.count_users().await.unwrap(), 0);
    for login in ["admin", "root", "svitok", "administrator"] {
        // Sent past the kit's secrets registry: these guesses are words, not secrets, and
        // "administrator" stands in PostgreSQL's own log messages.
        let req = app
            .http
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"login": login, "password": login}));
        app.send(req).await.problem(401);
    }
}

async fn setup_link_creates_the_first_administrator_once(b: Backend) {
    let app = spawn_app(b).await;
    let link = app.setup_link.clone().expect("a setup link on first start");
    assert!(link.starts_with("http://svitok.test/setup/"));
    let body = json!({"token": token_of(&link), "login": "admin.ivanova", "email": "ivanova@example.ru",
                      "password": PASSWORD, "last_name": "Иванова", "first_name": "Мария"});
    let r = app.post("/api/v1/setup", body.clone()).await;
    let user = r.ok(201);
    assert_eq!(user["status"], "active");
    assert!(
        user["rights"].as_object().unwrap().values().all(|v| v == true),
        "all seven rights"
    );
    let again = json!({"token": token_of(&link), "login": "second", "email": "second@example.ru",
                       "password": PASSWORD, "last_name": "В", "first_name": "В"});
    app.post("/api/v1/setup", again).await.problem(404);
    // The administrator logs in like anyone else.
    let a = crate::helpers::Account {
        login: "admin.ivanova".into(),
        email: "ivanova@example.ru".into(),
        password: PASSWORD.into(),
    };
    app.login(&a).await;
}

async fn setup_form_in_the_browser_works_once(b: Backend) {
    let app = spawn_app(b).await;
    let link = app.setup_link.clone().unwrap();
    let path = format!("/setup/{}", token_of(&link));
    let browser = crate::ui_kit::browser();
    let page = browser.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<form"));
    let csrf = crate::ui_kit::hidden(&html, "csrf");
    let form = [
        ("csrf", csrf.as_str()),
        ("login", "admin"),
        ("email", "admin@example.ru"),
        ("password", PASSWORD),
        ("last_name", "Петрова"),
        ("first_name", "Анна"),
        ("middle_name", ""),
    ];
    let forged = app.http.post(app.url(&path)).form(&form[1..]).send().await.unwrap();
    assert_eq!(forged.status(), 403, "a form without the browser's token");
    let r = browser.post(app.url(&path)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Администратор создан"));
    let r = browser.post(app.url(&path)).form(&form).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let page = browser.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 404);
}

async fn bad_setup_input_does_not_burn_the_link(b: Backend) {
    let app = spawn_app(b).await;
    let token = token_of(app.setup_link.as_ref().unwrap());
    let weak = json!({"token": token, "login": "admin", "email": "a@example.ru", "password": "12345",
                      "last_name": "А", "first_name": "А"});
    app.post("/api/v1/setup", weak).await.problem(422);
    let wrong_token = json!({"token": "nope", "login": "admin", "email": "a@example.ru", "password": PASSWORD,
                             "last_name": "А", "first_name": "А"});
    app.post("/api/v1/setup", wrong_token).await.problem(404);
    let good = json!({"token": token, "login": "admin", "email": "a@example.ru", "password": PASSWORD,
                      "last_name": "А", "first_name": "А"});
    app.post("/api/v1/setup", good).await.ok(201);
}
