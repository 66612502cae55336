//! Password rules, reset and change. SECURITY 1–7, 24.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use reqwest::Method;
use serde_json::json;

both_backends!(
    password_reset_by_code,
    reset_for_unknown_address_looks_the_same_and_sends_nothing,
    weak_passwords_are_refused_with_a_reason,
    password_change_needs_the_current_one_and_ends_other_sessions,
    stored_hash_is_argon2id_with_the_required_parameters,
    outdated_hash_is_upgraded_at_login,
);

async fn password_reset_by_code(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let old_session = app.login(&a).await;
    app.advance(time::Duration::seconds(61));
    app.post("/api/v1/auth/password/reset", json!({"email": a.email}))
        .await
        .ok(202);
    let code = app.mail.next(&a.email).await.code();
    let new_password = "серебряный самовар поёт на кухне";
    let r = app
        .post(
            "/api/v1/auth/password/reset/confirm",
            json!({"email": a.email, "code": code, "password": new_password}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(app.mail.next(&a.email).await.subject.contains("пароль изменён"));
    // Old sessions end; the old password fails; the new one works.
    app.get("/api/v1/me", &old_session).await.problem(401);
    app.post("/api/v1/auth/login", json!({"login": a.login, "password": a.password}))
        .await
        .problem(401);
    let mut a2 = TestApp::account("ivanov");
    a2.password = new_password.into();
    app.advance(time::Duration::seconds(61));
    app.login(&a2).await;
}

async fn reset_for_unknown_address_looks_the_same_and_sends_nothing(b: Backend) {
    let app = spawn_app(b).await;
    let known = app.register("ivanov").await;
    app.advance(time::Duration::seconds(61));
    let r1 = app
        .post("/api/v1/auth/password/reset", json!({"email": known.email}))
        .await;
    let r2 = app
        .post("/api/v1/auth/password/reset", json!({"email": "ghost@example.ru"}))
        .await;
    assert_eq!(r1.ok(202), r2.ok(202));
    app.mail.next(&known.email).await;
    assert_eq!(app.mail.pending("ghost@example.ru"), 0);
}

async fn weak_passwords_are_refused_with_a_reason(b: Backend) {
    let app = spawn_app(b).await;
    for (pw, why) in [
        ("short1", "short"),
        ("password123", "common"),
        ("ivanov-password-2024", "contains the login"),
        ("my svitok river 2024", "contains the product name"),
    ] {
        let r = app
            .post(
                "/api/v1/auth/register",
                json!({"login": "ivanov", "email": "ivanov@example.ru", "password": pw, "last_name": "И", "first_name": "И"}),
            )
            .await;
        r.problem(422);
        assert_eq!(r.body["field"], "password", "{why}");
        assert!(
            r.body["detail"].as_str().unwrap().contains("Пароль"),
            "{why}: {}",
            r.body
        );
    }
    let long = "я".repeat(257);
    let r = app
        .post(
            "/api/v1/auth/register",
            json!({"login": "ivanov", "email": "ivanov@example.ru", "password": long, "last_name": "И", "first_name": "И"}),
        )
        .await;
    r.problem(422);
}

async fn password_change_needs_the_current_one_and_ends_other_sessions(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let other = app.login(&a).await;
    app.advance(time::Duration::seconds(61));
    let mine = app.login(&a).await;
    let t = app.post_as("/api/v1/me/tokens", &mine, json!({"name": "1С"})).await;
    let api_token = t.ok(201)["token"].as_str().unwrap().to_string();
    let r = app
        .call(
            Method::POST,
            "/api/v1/me/password",
            Some(&mine),
            Some(json!({"current_password": "неправильный текущий", "new_password": "лиловый дракон спит под мостом"})),
        )
        .await;
    r.problem(422);
    let r = app
        .call(
            Method::POST,
            "/api/v1/me/password",
            Some(&mine),
            Some(json!({"current_password": a.password, "new_password": "лиловый дракон спит под мостом"})),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    app.get("/api/v1/me", &other).await.problem(401);
    // API tokens end with the password too (issue 12, finding 9), and the notice says so.
    app.get("/api/v1/me", &api_token).await.problem(401);
    app.get("/api/v1/me", &mine).await.ok(200);
    let notice = app.mail.next(&a.email).await;
    assert!(notice.subject.contains("пароль изменён"), "{}", notice.subject);
    assert!(notice.body.contains("API-токены"), "{}", notice.body);
}

async fn stored_hash_is_argon2id_with_the_required_parameters(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let c = app.register("petrov").await;
    let (_, sa) = app.state.db.user_by_login_or_email(&a.login).await.unwrap().unwrap();
    let (_, sc) = app.state.db.user_by_login_or_email(&c.login).await.unwrap().unwrap();
    let ha = sa.password_hash.unwrap();
    let hc = sc.password_hash.unwrap();
    assert!(ha.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{ha}");
    assert_ne!(ha, hc, "same password, different salts");
}

async fn outdated_hash_is_upgraded_at_login(b: Backend) {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let (u, _) = app.state.db.user_by_login_or_email(&a.login).await.unwrap().unwrap();
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(8192, 1, 1, None).unwrap(),
    );
    let old = weak
        .hash_password(a.password.as_bytes(), &SaltString::generate(&mut OsRng))
        .unwrap()
        .to_string();
    let mut tx = app.state.db.begin().await.unwrap();
    tx.set_password_hash(u.id, &old, app.state.now()).await.unwrap();
    tx.commit().await.unwrap();
    app.start_login(&a).await;
    let fresh = app.state.db.user_secrets(u.id).await.unwrap().password_hash.unwrap();
    assert!(fresh.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{fresh}");
}
