//! Login rules: no account enumeration, throttling and lockout. SECURITY 26–27.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend};
use serde_json::json;
use svitok_core::user::UserStatus;

both_backends!(
    unknown_login_wrong_password_and_blocked_account_answer_identically,
    login_by_email_in_any_case_works,
    repeated_wrong_passwords_end_in_429_with_retry_after,
    unknown_logins_are_locked_like_real_ones,
    lockout_expires,
    blocked_user_session_is_rejected_at_once,
    a_locked_account_takes_no_guesses_on_any_path,
    fifty_failures_from_one_address_lock_that_address,
    a_lock_is_the_accounts_however_it_is_named,
);

/// Issue 12, finding 8: a lock belongs to the account, whether the failures came by its
/// login or its address, and holds for both.
async fn a_lock_is_the_accounts_however_it_is_named(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    for ident in [&a.login, &a.email, &a.login, &a.email, &a.email.to_uppercase()] {
        app.post(
            "/api/v1/auth/login",
            json!({"login": ident, "password": "совсем не тот пароль"}),
        )
        .await
        .problem(401);
    }
    for ident in [&a.login, &a.email] {
        app.post("/api/v1/auth/login", json!({"login": ident, "password": a.password}))
            .await
            .problem(429);
    }
}

/// SECURITY 26: beyond the per-account lock, a ceiling per client address — whoever
/// sprays passwords over many logins from one address is stopped.
async fn fifty_failures_from_one_address_lock_that_address(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    for i in 0..50 {
        let r = app
            .post(
                "/api/v1/auth/login",
                json!({"login": format!("spray{i}"), "password": "неверный пароль тут"}),
            )
            .await;
        assert_eq!(r.status, 401, "attempt {i}: {}", r.body);
    }
    // Another, real account with the right password, from the same address: refused.
    let r = app
        .post("/api/v1/auth/login", json!({"login": a.login, "password": a.password}))
        .await;
    r.problem(429);
    app.advance(time::Duration::minutes(16));
    app.login(&a).await;
}

/// Issue 12, finding 7: the lock a login earned holds for password reset, the current
/// password of a signed-in change, and mailed codes, not just for the login form.
async fn a_locked_account_takes_no_guesses_on_any_path(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let session = app.login(&a).await;
    let bad = json!({"login": a.login, "password": "совсем не тот пароль"});
    for _ in 0..5 {
        app.post("/api/v1/auth/login", bad.clone()).await.problem(401);
    }
    // Password reset: even the right code waits for the lock.
    app.advance(time::Duration::seconds(1));
    app.post("/api/v1/auth/password/reset", json!({"email": a.email}))
        .await
        .ok(202);
    let code = app.mail.next_code(&a.email).await;
    let new_password = "серебряный самовар поёт на кухне";
    let r = app
        .post(
            "/api/v1/auth/password/reset/confirm",
            json!({"email": a.email, "code": code, "password": new_password}),
        )
        .await;
    r.problem(429);
    assert!(r.headers.get("retry-after").is_some());
    // A signed-in change that asks for the current password.
    let r = app
        .post_as(
            "/api/v1/me/email",
            &session,
            json!({"email": "new@example.ru", "password": a.password}),
        )
        .await;
    r.problem(429);
    // Once the lock has passed, the same code works.
    app.advance(time::Duration::seconds(31));
    let r = app
        .post(
            "/api/v1/auth/password/reset/confirm",
            json!({"email": a.email, "code": code, "password": new_password}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
}

async fn unknown_login_wrong_password_and_blocked_account_answer_identically(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let blocked = app.register("petrov").await;
    let token = app.login(&blocked).await;
    let id = app.user_id(&token).await;
    app.state
        .db
        .set_status(id, UserStatus::Blocked, app.state.now())
        .await
        .unwrap();

    let unknown = app
        .post("/api/v1/auth/login", json!({"login": "nobody", "password": a.password}))
        .await;
    let wrong = app
        .post(
            "/api/v1/auth/login",
            json!({"login": a.login, "password": "не тот пароль вовсе"}),
        )
        .await;
    let blocked = app
        .post(
            "/api/v1/auth/login",
            json!({"login": blocked.login, "password": blocked.password}),
        )
        .await;
    for r in [&unknown, &wrong, &blocked] {
        r.problem(401);
    }
    assert_eq!(unknown.body, wrong.body);
    assert_eq!(wrong.body, blocked.body);
}

async fn login_by_email_in_any_case_works(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let r = app
        .post(
            "/api/v1/auth/login",
            json!({"login": "IVANOV@Example.ru", "password": a.password}),
        )
        .await;
    assert_eq!(r.ok(200)["method"], "email");
}

async fn repeated_wrong_passwords_end_in_429_with_retry_after(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let bad = json!({"login": a.login, "password": "совсем не тот пароль"});
    for _ in 0..5 {
        app.post("/api/v1/auth/login", bad.clone()).await.problem(401);
    }
    // Now locked: even the right password gets 429 until the lock ends.
    let r = app
        .post("/api/v1/auth/login", json!({"login": a.login, "password": a.password}))
        .await;
    r.problem(429);
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry), "Retry-After {retry}");
}

async fn unknown_logins_are_locked_like_real_ones(b: Backend) {
    let app = spawn_app(b).await;
    let bad = json!({"login": "nobody", "password": "совсем не тот пароль"});
    for _ in 0..5 {
        app.post("/api/v1/auth/login", bad.clone()).await.problem(401);
    }
    app.post("/api/v1/auth/login", bad).await.problem(429);
}

async fn lockout_expires(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    for _ in 0..5 {
        app.post(
            "/api/v1/auth/login",
            json!({"login": a.login, "password": "совсем не тот пароль"}),
        )
        .await
        .problem(401);
    }
    app.post("/api/v1/auth/login", json!({"login": a.login, "password": a.password}))
        .await
        .problem(429);
    app.advance(time::Duration::seconds(31));
    app.post("/api/v1/auth/login", json!({"login": a.login, "password": a.password}))
        .await
        .ok(200);
}

async fn blocked_user_session_is_rejected_at_once(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    let id = app.user_id(&token).await;
    app.state
        .db
        .set_status(id, UserStatus::Blocked, app.state.now())
        .await
        .unwrap();
    app.get("/api/v1/me", &token).await.problem(401);
}
