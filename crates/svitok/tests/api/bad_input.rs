//! Bad input gets a 4xx problem+json with a clear message, never a 5xx.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, PASSWORD};
use serde_json::json;

both_backends!(bad_input_table);

fn register(over: serde_json::Value) -> String {
    let mut base = json!({"login": "ivanov", "email": "ivanov@example.ru", "password": PASSWORD,
                          "last_name": "Иванов", "first_name": "Иван"});
    for (k, v) in over.as_object().unwrap() {
        if v.is_null() {
            base.as_object_mut().unwrap().remove(k);
        } else {
            base[k] = v.clone();
        }
    }
    base.to_string()
}

async fn bad_input_table(b: Backend) {
    let app = spawn_app(b).await;
    let huge = format!("{{\"login\": \"{}\"}}", "a".repeat(200_000));
    let cases: Vec<(&str, &str, Option<&str>, String, u16)> = vec![
        (
            "malformed JSON",
            "/api/v1/auth/register",
            Some("application/json"),
            "{\"login\": ".into(),
            400,
        ),
        (
            "not an object",
            "/api/v1/auth/register",
            Some("application/json"),
            "[1,2]".into(),
            422,
        ),
        (
            "wrong content type",
            "/api/v1/auth/register",
            Some("text/plain"),
            register(json!({})),
            415,
        ),
        ("no content type", "/api/v1/auth/login", None, "{}".into(), 415),
        (
            "huge body",
            "/api/v1/auth/register",
            Some("application/json"),
            huge,
            413,
        ),
        (
            "missing field",
            "/api/v1/auth/register",
            Some("application/json"),
            register(json!({"email": null})),
            422,
        ),
        (
            "unknown field",
            "/api/v1/auth/register",
            Some("application/json"),
            register(json!({"is_admin": true})),
            422,
        ),
        (
            "wrong type",
            "/api/v1/auth/register",
            Some("application/json"),
            register(json!({"login": 5})),
            422,
        ),
        (
            "invalid email",
            "/api/v1/auth/register",
            Some("application/json"),
            register(json!({"email": "not-an-email"})),
            422,
        ),
        (
            "invalid login",
            "/api/v1/auth/register",
            Some("application/json"),
            register(json!({"login": "Иван Иванов"})),
            422,
        ),
        (
            "too-long login",
            "/api/v1/auth/register",
            Some("application/json"),
            register(json!({"login": "a".repeat(65)})),
            422,
        ),
        (
            "too-long name",
            "/api/v1/auth/register",
            Some("application/json"),
            register(json!({"last_name": "Я".repeat(101)})),
            422,
        ),
        (
            "empty name",
            "/api/v1/auth/register",
            Some("application/json"),
            register(json!({"first_name": "  "})),
            422,
        ),
        (
            "bad birth date",
            "/api/v1/auth/register",
            Some("application/json"),
            register(json!({"birth_date": "1990-02-30"})),
            422,
        ),
        (
            "future birth date",
            "/api/v1/auth/register",
            Some("application/json"),
            register(json!({"birth_date": "2999-01-01"})),
            422,
        ),
        (
            "CR/LF in name",
            "/api/v1/auth/register",
            Some("application/json"),
            register(json!({"last_name": "Иванов\r\nINFO forged"})),
            422,
        ),
        (
            "challenge not a UUID",
            "/api/v1/auth/login/verify",
            Some("application/json"),
            json!({"challenge": "x", "code": "1"}).to_string(),
            422,
        ),
        (
            "unknown challenge",
            "/api/v1/auth/login/verify",
            Some("application/json"),
            json!({"challenge": uuid::Uuid::new_v4(), "code": "123456"}).to_string(),
            401,
        ),
        (
            "confirm unknown email",
            "/api/v1/auth/register/confirm",
            Some("application/json"),
            json!({"email": "x@y.ru", "code": "123456"}).to_string(),
            401,
        ),
        (
            "reset with a bad email",
            "/api/v1/auth/password/reset",
            Some("application/json"),
            json!({"email": 12}).to_string(),
            422,
        ),
    ];
    for (name, path, ct, body, status) in cases {
        let mut req = app.http.post(app.url(path)).body(body);
        if let Some(ct) = ct {
            req = req.header("content-type", ct);
        }
        let r = app.send(req).await;
        assert_eq!(r.status.as_u16(), status, "{name}: {}", r.body);
        r.problem(status);
    }
    // Unknown paths and methods are problems too.
    app.send(app.http.get(app.url("/api/v1/nothing-here")))
        .await
        .problem(404);
    app.send(app.http.put(app.url("/api/v1/auth/login"))).await.problem(405);
}
