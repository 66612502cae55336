//! Mail through Gmail / Google Workspace without an app password (SPEC §11): the mailer
//! gets XOAUTH2 access tokens for a refresh token from the token endpoint, presents the
//! current one, and after the relay refuses an expired token refreshes once and delivers.

use crate::both_backends;
use crate::helpers::{secret, spawn_app_with_mail, Backend, MailSink};
use axum::extract::State;
use axum::routing::post;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

both_backends!(the_relay_sees_the_current_access_token_and_an_expired_one_is_renewed_once);

const REFRESH: &str = "1//the-refresh-token-of-the-test-3f9a";
const CLIENT_SECRET: &str = "the-mail-client-secret-77c2";

/// The provider's token endpoint: each refresh issues `at-N`, which the relay then takes.
#[derive(Clone)]
struct Endpoint {
    issued: Arc<AtomicUsize>,
    valid: Arc<Mutex<String>>,
}

async fn token(State(e): State<Endpoint>, body: String) -> axum::Json<serde_json::Value> {
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    assert_eq!(form.get("grant_type").map(String::as_str), Some("refresh_token"));
    assert_eq!(form.get("refresh_token").map(String::as_str), Some(REFRESH));
    let n = e.issued.fetch_add(1, Ordering::SeqCst) + 1;
    let token = format!("ya29.access-token-{n}-of-the-test");
    *e.valid.lock().unwrap() = token.clone();
    axum::Json(json!({ "access_token": token, "token_type": "Bearer", "expires_in": 3599 }))
}

async fn the_relay_sees_the_current_access_token_and_an_expired_one_is_renewed_once(b: Backend) {
    for s in [
        REFRESH,
        CLIENT_SECRET,
        "ya29.access-token-1-of-the-test",
        "ya29.access-token-2-of-the-test",
    ] {
        secret(s);
    }
    let valid = Arc::new(Mutex::new(String::new()));
    let endpoint = Endpoint {
        issued: Arc::new(AtomicUsize::new(0)),
        valid: valid.clone(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let token_url = format!("http://{}/token", listener.local_addr().unwrap());
    let router = axum::Router::new()
        .route("/token", post(token))
        .with_state(endpoint.clone());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let sink = MailSink::start_xoauth2(valid.clone()).await;
    let port = sink.port;
    let app = spawn_app_with_mail(b, sink, move |raw| {
        raw.smtp_url = Some(format!("smtp://robot%40corp.example@127.0.0.1:{port}?auth=xoauth2"));
        raw.smtp_oauth_token_url = Some(token_url);
        raw.smtp_oauth_client_id = Some("svitok-mail.apps.example".into());
        raw.smtp_oauth_client_secret = Some(CLIENT_SECRET.into());
        raw.smtp_oauth_refresh_token = Some(REFRESH.into());
    })
    .await;
    // Each registration mails a code: one letter each.
    let letter = |login: &'static str| {
        let app = &app;
        async move {
            let a = crate::helpers::TestApp::account(login);
            app.post(
                "/api/v1/auth/register",
                json!({"login": a.login, "email": a.email, "password": a.password,
                       "last_name": "Иванов", "first_name": "Иван"}),
            )
            .await
            .ok(202);
            app.mail.next(&a.email).await
        }
    };
    // A first letter: a token is fetched and presented.
    let first = letter("ivanov").await;
    assert_eq!(first.auth_token.as_deref(), Some("ya29.access-token-1-of-the-test"));
    assert_eq!(endpoint.issued.load(Ordering::SeqCst), 1);
    // The relay now takes only a newer token (the one in hand has expired for it).
    *valid.lock().unwrap() = "ya29.a-token-the-mailer-has-not-seen".into();
    let second = letter("petrov").await;
    assert_eq!(
        second.auth_token.as_deref(),
        Some("ya29.access-token-2-of-the-test"),
        "delivered with the renewed token"
    );
    assert_eq!(second.auth_user.as_deref(), Some("robot@corp.example"));
    assert_eq!(endpoint.issued.load(Ordering::SeqCst), 2, "renewed exactly once");
    // While it holds, the token is reused: no call to the endpoint per letter.
    letter("sidorov").await;
    assert_eq!(endpoint.issued.load(Ordering::SeqCst), 2);
}
