//! Sessions: expiry, logout, revocation, cookie flags and CSRF. SECURITY 19–25, 40.

use crate::both_backends;
use crate::helpers::{spawn_app, spawn_app_with, Backend, ORIGIN};
use reqwest::Method;
use serde_json::json;

both_backends!(
    idle_session_expires_after_30_minutes,
    activity_keeps_a_session_alive_until_the_absolute_limit,
    logout_revokes_the_token,
    sessions_are_listed_and_revoked,
    sign_out_everywhere_ends_every_session,
    login_sets_a_strict_http_only_cookie,
    https_cookie_is_secure_and_host_prefixed,
    cookie_requests_from_a_foreign_origin_are_refused,
    session_tokens_are_stored_hashed,
);

async fn idle_session_expires_after_30_minutes(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    app.advance(time::Duration::minutes(29));
    app.get("/api/v1/me", &token).await.ok(200);
    app.advance(time::Duration::minutes(31));
    app.get("/api/v1/me", &token).await.problem(401);
}

async fn activity_keeps_a_session_alive_until_the_absolute_limit(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    for _ in 0..(11 * 3) {
        app.advance(time::Duration::minutes(20));
        app.get("/api/v1/me", &token).await.ok(200);
    }
    // 11 h in; at 12 h the session ends however active it is (each gap < 30 min idle).
    app.advance(time::Duration::minutes(20));
    app.get("/api/v1/me", &token).await.ok(200);
    app.advance(time::Duration::minutes(20));
    app.get("/api/v1/me", &token).await.ok(200);
    app.advance(time::Duration::minutes(21));
    app.get("/api/v1/me", &token).await.problem(401);
}

async fn logout_revokes_the_token(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    let r = app.call(Method::POST, "/api/v1/auth/logout", Some(&token), None).await;
    assert_eq!(r.status, 204);
    let cleared = r.headers["set-cookie"].to_str().unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    app.get("/api/v1/me", &token).await.problem(401);
}

async fn sessions_are_listed_and_revoked(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let first = app.login(&a).await;
    app.advance(time::Duration::seconds(61));
    let second = app.login(&a).await;
    let list = app.get("/api/v1/me/sessions", &second).await;
    let list = list.ok(200).as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
    let other = list.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/me/sessions/{other}"),
            Some(&second),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    app.get("/api/v1/me", &first).await.problem(401);
    app.get("/api/v1/me", &second).await.ok(200);
    // Another user's session id is simply not found.
    app.call(
        Method::DELETE,
        &format!("/api/v1/me/sessions/{other}"),
        Some(&second),
        None,
    )
    .await
    .problem(404);
}

async fn sign_out_everywhere_ends_every_session(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let first = app.login(&a).await;
    app.advance(time::Duration::seconds(61));
    let second = app.login(&a).await;
    let r = app
        .call(Method::DELETE, "/api/v1/me/sessions", Some(&second), None)
        .await;
    assert_eq!(r.status, 204);
    app.get("/api/v1/me", &first).await.problem(401);
    app.get("/api/v1/me", &second).await.problem(401);
}

async fn login_sets_a_strict_http_only_cookie(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let ch = app.start_login(&a).await;
    let code = app.mail.next(&a.email).await.code();
    let r = app
        .post("/api/v1/auth/login/verify", json!({"challenge": ch, "code": code}))
        .await;
    let cookie = r.headers["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("svitok_session="), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} missing in {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
    // Plain HTTP here: no Secure flag (browsers would drop the cookie); HTTPS is tested below.
    assert!(!cookie.contains("Secure"), "{cookie}");
}

async fn cookie_requests_from_a_foreign_origin_are_refused(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    let cookie = format!("svitok_session={token}");
    // A safe request with the cookie works.
    let r = app
        .send(app.http.get(app.url("/api/v1/me")).header("cookie", &cookie))
        .await;
    r.ok(200);
    let create = json!({"name": "ci"});
    // Unsafe, foreign Origin: refused.
    let r = app
        .send(
            app.http
                .post(app.url("/api/v1/me/tokens"))
                .header("cookie", &cookie)
                .header("origin", "http://evil.test")
                .json(&create),
        )
        .await;
    r.problem(403);
    assert_eq!(r.body["code"], "csrf");
    // Unsafe, no Origin nor Referer: refused.
    app.send(
        app.http
            .post(app.url("/api/v1/me/tokens"))
            .header("cookie", &cookie)
            .json(&create),
    )
    .await
    .problem(403);
    // Unsafe, our Origin: accepted.
    app.send(
        app.http
            .post(app.url("/api/v1/me/tokens"))
            .header("cookie", &cookie)
            .header("origin", ORIGIN)
            .json(&create),
    )
    .await
    .ok(201);
    // Bearer requests carry no ambient credentials and need no Origin.
    app.call(
        Method::POST,
        "/api/v1/me/tokens",
        Some(&token),
        Some(json!({"name": "ci2"})),
    )
    .await
    .ok(201);
}

async fn session_tokens_are_stored_hashed(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    assert!(token.len() >= 43, "at least 256 bits");
    assert!(app.state.db.session_by_token_hash(&token).await.unwrap().is_none());
    assert!(app
        .state
        .db
        .session_by_token_hash(&svitok_core::token::digest(&token))
        .await
        .unwrap()
        .is_some());
}

async fn https_cookie_is_secure_and_host_prefixed(b: Backend) {
    let app = spawn_app_with(b, |c| c.public_url = Some("https://edo.example.ru".into())).await;
    let a = app.register("ivanov").await;
    let ch = app.start_login(&a).await;
    let code = app.mail.next(&a.email).await.code();
    let r = app
        .post("/api/v1/auth/login/verify", json!({"challenge": ch, "code": code}))
        .await;
    let cookie = r.headers["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("__Host-svitok_session="), "{cookie}");
    for flag in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} missing in {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
}
