//! Personal API tokens (SPEC §5).

use crate::both_backends;
use crate::helpers::{spawn_app, Backend};
use reqwest::Method;
use serde_json::json;
use svitok_core::user::UserStatus;

both_backends!(
    api_token_is_shown_once_and_works_as_bearer,
    api_token_rights_are_a_subset_of_the_owner,
    api_token_cannot_mint_tokens,
    api_token_expires_and_can_be_revoked,
    blocking_the_owner_stops_its_tokens,
    bad_token_requests_are_refused,
);

async fn api_token_is_shown_once_and_works_as_bearer(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let session = app.login(&a).await;
    let r = app
        .call(
            Method::POST,
            "/api/v1/me/tokens",
            Some(&session),
            Some(json!({"name": "Интеграция 1С", "expires_in_days": 30})),
        )
        .await;
    let created = r.ok(201).clone();
    let token = created["token"].as_str().unwrap();
    assert!(token.starts_with("svt_"));
    assert_eq!(app.get("/api/v1/me", token).await.ok(200)["login"], "ivanov");
    let list = app.get("/api/v1/me/tokens", &session).await;
    let list = list.ok(200).as_array().unwrap().clone();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["name"], "Интеграция 1С");
    assert!(list[0].get("token").is_none(), "the secret is never listed");
}

async fn api_token_rights_are_a_subset_of_the_owner(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let session = app.login(&a).await;
    let r = app
        .call(
            Method::POST,
            "/api/v1/me/tokens",
            Some(&session),
            Some(json!({"name": "read", "rights": {"send_documents": true}})),
        )
        .await;
    let token = r.ok(201)["token"].as_str().unwrap().to_string();
    let rights = app.get("/api/v1/me", &token).await.ok(200)["rights"].clone();
    assert_eq!(rights["send_documents"], true);
    assert_eq!(rights["manage_own_documents"], false);
    // A right the owner lacks cannot be put on a token.
    app.call(
        Method::POST,
        "/api/v1/me/tokens",
        Some(&session),
        Some(json!({"name": "x", "rights": {"manage_users": true}})),
    )
    .await
    .problem(403);
    // Unknown right names are refused.
    app.call(
        Method::POST,
        "/api/v1/me/tokens",
        Some(&session),
        Some(json!({"name": "x", "rights": {"root": true}})),
    )
    .await
    .problem(422);
}

async fn api_token_cannot_mint_tokens(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let session = app.login(&a).await;
    let r = app
        .call(
            Method::POST,
            "/api/v1/me/tokens",
            Some(&session),
            Some(json!({"name": "t"})),
        )
        .await;
    let token = r.ok(201)["token"].as_str().unwrap().to_string();
    app.call(
        Method::POST,
        "/api/v1/me/tokens",
        Some(&token),
        Some(json!({"name": "t2"})),
    )
    .await
    .problem(403);
}

async fn api_token_expires_and_can_be_revoked(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let session = app.login(&a).await;
    let short = app
        .call(
            Method::POST,
            "/api/v1/me/tokens",
            Some(&session),
            Some(json!({"name": "day", "expires_in_days": 1})),
        )
        .await;
    let short = short.ok(201)["token"].as_str().unwrap().to_string();
    let long = app
        .call(
            Method::POST,
            "/api/v1/me/tokens",
            Some(&session),
            Some(json!({"name": "long"})),
        )
        .await;
    let long_body = long.ok(201).clone();
    let long = long_body["token"].as_str().unwrap();
    // Tokens are not subject to the 30-minute idle timeout.
    app.advance(time::Duration::hours(25));
    app.get("/api/v1/me", &short).await.problem(401);
    app.get("/api/v1/me", long).await.ok(200);
    let id = long_body["id"].as_str().unwrap();
    let r = app
        .call(Method::DELETE, &format!("/api/v1/me/tokens/{id}"), Some(long), None)
        .await;
    assert_eq!(r.status, 204);
    app.get("/api/v1/me", long).await.problem(401);
}

async fn blocking_the_owner_stops_its_tokens(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let session = app.login(&a).await;
    let r = app
        .call(
            Method::POST,
            "/api/v1/me/tokens",
            Some(&session),
            Some(json!({"name": "t"})),
        )
        .await;
    let token = r.ok(201)["token"].as_str().unwrap().to_string();
    let id = app.user_id(&session).await;
    app.state
        .db
        .set_status(id, UserStatus::Blocked, app.state.now())
        .await
        .unwrap();
    app.get("/api/v1/me", &token).await.problem(401);
}

async fn bad_token_requests_are_refused(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let session = app.login(&a).await;
    for body in [
        json!({"name": ""}),
        json!({"name": "x", "expires_in_days": 0}),
        json!({"name": "x", "expires_in_days": 10000}),
        json!({"name": "я".repeat(101)}),
    ] {
        app.call(Method::POST, "/api/v1/me/tokens", Some(&session), Some(body))
            .await
            .problem(422);
    }
    app.call(Method::DELETE, "/api/v1/me/tokens/not-a-uuid", Some(&session), None)
        .await
        .problem(400);
    app.call(
        Method::DELETE,
        &format!("/api/v1/me/tokens/{}", uuid::Uuid::new_v4()),
        Some(&session),
        None,
    )
    .await
    .problem(404);
    app.get("/api/v1/me", "svt_forged").await.problem(401);
}
