//! TOTP enrolment and login. SECURITY 15–18.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend};
use reqwest::Method;
use serde_json::json;

both_backends!(
    totp_enrolment_then_login_with_a_computed_code,
    totp_code_replay_is_refused,
    totp_enrolment_needs_the_password,
    totp_secret_is_stored_encrypted,
    totp_removal_needs_the_password_and_notifies,
);

fn secret_bytes(base32: &str) -> Vec<u8> {
    totp_rs::Secret::Encoded(base32.to_string()).to_bytes().unwrap()
}

fn code_now(app: &crate::helpers::TestApp, secret: &[u8], offset_steps: i64) -> String {
    let now = app.state.now() / 1000 + offset_steps * 30;
    svitok_core::totp::code_at(secret, now as u64)
}

/// Enrols TOTP for a fresh user; returns (account, token, secret).
async fn enrolled(app: &crate::helpers::TestApp) -> (crate::helpers::Account, String, Vec<u8>) {
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    let r = app
        .call(
            Method::POST,
            "/api/v1/me/totp",
            Some(&token),
            Some(json!({"password": a.password})),
        )
        .await;
    let body = r.ok(200).clone();
    assert!(body["qr_svg"].as_str().unwrap().contains("<svg"));
    assert!(body["otpauth_url"].as_str().unwrap().starts_with("otpauth://totp/"));
    let secret = secret_bytes(body["secret"].as_str().unwrap());
    assert!(secret.len() * 8 >= 160);
    let r = app
        .call(
            Method::POST,
            "/api/v1/me/totp/confirm",
            Some(&token),
            Some(json!({"code": code_now(app, &secret, 0)})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let notice = app.mail.next(&a.email).await;
    assert!(notice.body.contains("TOTP"), "the user is told by mail");
    (a, token, secret)
}

async fn totp_enrolment_then_login_with_a_computed_code(b: Backend) {
    let app = spawn_app(b).await;
    let (a, _, secret) = enrolled(&app).await;
    app.advance(time::Duration::seconds(61));
    let r = app
        .post("/api/v1/auth/login", json!({"login": a.login, "password": a.password}))
        .await;
    let body = r.ok(200).clone();
    assert_eq!(body["method"], "totp");
    assert_eq!(app.mail.pending(&a.email), 0, "no code is mailed with TOTP");
    // A code two steps old is refused; the current one works.
    app.post(
        "/api/v1/auth/login/verify",
        json!({"challenge": body["challenge"], "code": code_now(&app, &secret, -2)}),
    )
    .await
    .problem(401);
    let r = app
        .post(
            "/api/v1/auth/login/verify",
            json!({"challenge": body["challenge"], "code": code_now(&app, &secret, 0)}),
        )
        .await;
    let token = r.ok(200)["token"].as_str().unwrap().to_string();
    assert_eq!(app.get("/api/v1/me", &token).await.ok(200)["totp_enabled"], true);
}

async fn totp_code_replay_is_refused(b: Backend) {
    let app = spawn_app(b).await;
    let (a, _, secret) = enrolled(&app).await;
    app.advance(time::Duration::seconds(90));
    let code = code_now(&app, &secret, 0);
    let ch1 = app.start_login(&a).await;
    app.post("/api/v1/auth/login/verify", json!({"challenge": ch1, "code": code}))
        .await
        .ok(200);
    let ch2 = app.start_login(&a).await;
    app.post("/api/v1/auth/login/verify", json!({"challenge": ch2, "code": code}))
        .await
        .problem(401);
    // And logged where administrators look (SECURITY 17).
    let events = app.state.db.audit_page(0, 1000).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.action == "totp.replayed" && e.outcome == "failure"),
        "no totp.replayed in the audit log"
    );
}

async fn totp_enrolment_needs_the_password(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    let r = app
        .call(
            Method::POST,
            "/api/v1/me/totp",
            Some(&token),
            Some(json!({"password": "не мой пароль совсем"})),
        )
        .await;
    r.problem(422);
    let r = app
        .call(
            Method::POST,
            "/api/v1/me/totp/confirm",
            Some(&token),
            Some(json!({"code": "123456"})),
        )
        .await;
    r.problem(409);
}

async fn totp_secret_is_stored_encrypted(b: Backend) {
    let app = spawn_app(b).await;
    let (_, token, secret) = enrolled(&app).await;
    let id = app.user_id(&token).await;
    let stored = app.state.db.user_secrets(id).await.unwrap().totp_secret.unwrap();
    let b32 = svitok_core::totp::base32(&secret);
    assert!(!stored.contains(&b32));
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD.decode(&stored).unwrap();
    assert!(
        !raw.windows(secret.len()).any(|w| w == secret.as_slice()),
        "secret in clear"
    );
}

async fn totp_removal_needs_the_password_and_notifies(b: Backend) {
    let app = spawn_app(b).await;
    let (a, token, _) = enrolled(&app).await;
    app.call(
        Method::DELETE,
        "/api/v1/me/totp",
        Some(&token),
        Some(json!({"password": "чужой пароль 12345"})),
    )
    .await
    .problem(422);
    let r = app
        .call(
            Method::DELETE,
            "/api/v1/me/totp",
            Some(&token),
            Some(json!({"password": a.password})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(app.mail.next(&a.email).await.body.contains("отключена"));
    app.advance(time::Duration::seconds(61));
    let r = app
        .post("/api/v1/auth/login", json!({"login": a.login, "password": a.password}))
        .await;
    assert_eq!(r.ok(200)["method"], "email", "back to emailed codes");
}
