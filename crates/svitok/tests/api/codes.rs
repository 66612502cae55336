//! One-time code rules: SPEC §5, SECURITY 8–13.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend};
use serde_json::json;

both_backends!(
    five_wrong_codes_void_the_challenge,
    expired_code_is_refused,
    code_works_once,
    resend_is_throttled_and_newer_code_voids_older,
    code_of_one_challenge_fails_for_another_user,
    codes_are_stored_only_as_keyed_hashes,
    at_most_ten_codes_an_hour,
);

fn wrong(code: &str) -> String {
    format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000)
}

async fn five_wrong_codes_void_the_challenge(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let ch = app.start_login(&a).await;
    let code = app.mail.next(&a.email).await.code();
    for _ in 0..5 {
        app.post(
            "/api/v1/auth/login/verify",
            json!({"challenge": ch, "code": wrong(&code)}),
        )
        .await
        .problem(401);
    }
    // The right code no longer works: the challenge is void.
    app.post("/api/v1/auth/login/verify", json!({"challenge": ch, "code": code}))
        .await
        .problem(401);
    // ...and the voided challenge counts as a failure against the account.
    let (u, _) = app.state.db.user_by_login_or_email(&a.login).await.unwrap().unwrap();
    let t = app
        .state
        .db
        .throttle(&format!("acct:{}", u.id))
        .await
        .unwrap()
        .expect("a failure is counted");
    assert_eq!(t.failures, 1);
}

async fn expired_code_is_refused(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let ch = app.start_login(&a).await;
    let code = app.mail.next(&a.email).await.code();
    app.advance(time::Duration::minutes(10) + time::Duration::seconds(1));
    app.post("/api/v1/auth/login/verify", json!({"challenge": ch, "code": code}))
        .await
        .problem(401);
}

async fn code_works_once(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let ch = app.start_login(&a).await;
    let code = app.mail.next(&a.email).await.code();
    app.post("/api/v1/auth/login/verify", json!({"challenge": ch, "code": code}))
        .await
        .ok(200);
    app.post("/api/v1/auth/login/verify", json!({"challenge": ch, "code": code}))
        .await
        .problem(401);
}

async fn resend_is_throttled_and_newer_code_voids_older(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let first = app.start_login(&a).await;
    let old_code = app.mail.next(&a.email).await.code();
    // Within 60 s: 429 with Retry-After, and no mail.
    let r = app.post("/api/v1/auth/login/resend", json!({"challenge": first})).await;
    r.problem(429);
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert_eq!(app.mail.pending(&a.email), 0, "a throttled resend sends no mail");
    // After 60 s a new code comes and the old one is void.
    app.advance(time::Duration::seconds(61));
    let r = app.post("/api/v1/auth/login/resend", json!({"challenge": first})).await;
    let second = r.ok(200)["challenge"].as_str().unwrap().to_string();
    let new_code = app.mail.next(&a.email).await.code();
    app.post(
        "/api/v1/auth/login/verify",
        json!({"challenge": first, "code": old_code}),
    )
    .await
    .problem(401);
    app.post(
        "/api/v1/auth/login/verify",
        json!({"challenge": second, "code": new_code}),
    )
    .await
    .ok(200);
}

async fn code_of_one_challenge_fails_for_another_user(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let p = app.register("petrov").await;
    let ch_a = app.start_login(&a).await;
    let code_a = app.mail.next(&a.email).await.code();
    let ch_p = app.start_login(&p).await;
    let code_p = app.mail.next(&p.email).await.code();
    if code_a != code_p {
        app.post("/api/v1/auth/login/verify", json!({"challenge": ch_p, "code": code_a}))
            .await
            .problem(401);
    }
    app.post("/api/v1/auth/login/verify", json!({"challenge": ch_a, "code": code_a}))
        .await
        .ok(200);
}

async fn codes_are_stored_only_as_keyed_hashes(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let ch = app.start_login(&a).await;
    let code = app.mail.next(&a.email).await.code();
    let stored = app.state.db.challenge(ch.parse().unwrap()).await.unwrap().unwrap();
    let hash = stored.code_hash.expect("a code hash is stored");
    assert_eq!(hash.len(), 32, "HMAC-SHA256");
    assert!(!hex_contains(&hash, &code));
    // A plain hash of the code is not what is stored: the key matters.
    use sha2_check::digest;
    assert_ne!(hash, digest(code.as_bytes()));
}

fn hex_contains(bytes: &[u8], needle: &str) -> bool {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        .contains(needle)
}

mod sha2_check {
    pub fn digest(b: &[u8]) -> Vec<u8> {
        use sha2::Digest;
        sha2::Sha256::digest(b).to_vec()
    }
}

async fn at_most_ten_codes_an_hour(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    // The registration already used one code this hour.
    for _ in 0..9 {
        app.advance(time::Duration::seconds(61));
        app.start_login(&a).await;
        app.mail.next(&a.email).await;
    }
    app.advance(time::Duration::seconds(61));
    let r = app
        .post("/api/v1/auth/login", json!({"login": a.login, "password": a.password}))
        .await;
    r.problem(429);
    assert_eq!(app.mail.pending(&a.email), 0);
}
