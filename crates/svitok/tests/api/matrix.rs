//! The authorisation matrix (SECURITY 29): every route, its rule, and the status each
//! caller gets — without a session, and as a user holding each of the seven rights alone
//! or none. A route missing from the table fails `every_route_is_in_the_matrix`.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp, ALL_RIGHTS};
use reqwest::Method;
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy)]
enum Rule {
    /// No session needed (login, registration, health…).
    Public,
    /// Any signed-in user; the status it then gets.
    Signed(u16),
    /// Needs one of these rights; the status when allowed (403 otherwise).
    Needs(&'static [&'static str], u16),
}

const MANAGE: &[&str] = &["manage_users"];
const GRANT: &[&str] = &["grant_rights"];

/// (method, OpenAPI path, rule). Keep in step with the router: the completeness test says
/// which entry is missing or stale.
const ROUTES: &[(&str, &str, Rule)] = &[
    ("POST", "/api/v1/auth/register", Rule::Public),
    ("POST", "/api/v1/auth/register/confirm", Rule::Public),
    ("POST", "/api/v1/auth/register/resend", Rule::Public),
    ("POST", "/api/v1/auth/login", Rule::Public),
    ("POST", "/api/v1/auth/login/verify", Rule::Public),
    ("POST", "/api/v1/auth/login/resend", Rule::Public),
    ("POST", "/api/v1/auth/password/reset", Rule::Public),
    ("POST", "/api/v1/auth/password/reset/confirm", Rule::Public),
    ("POST", "/api/v1/setup", Rule::Public),
    ("GET", "/api/v1/auth/oidc", Rule::Public),
    ("GET", "/api/v1/auth/oidc/{name}/start", Rule::Public),
    ("GET", "/api/v1/auth/oidc/{name}/callback", Rule::Public),
    ("GET", "/healthz", Rule::Public),
    ("GET", "/readyz", Rule::Public),
    ("GET", "/metrics", Rule::Public),
    ("POST", "/api/v1/auth/step-up", Rule::Signed(200)),
    ("GET", "/api/v1/me", Rule::Signed(200)),
    // Its body changes the position: identity, kept by administrators.
    ("PATCH", "/api/v1/me", Rule::Needs(MANAGE, 200)),
    ("POST", "/api/v1/me/password", Rule::Signed(422)),
    ("POST", "/api/v1/me/email", Rule::Signed(422)),
    ("POST", "/api/v1/me/email/confirm", Rule::Signed(422)),
    ("GET", "/api/v1/me/sessions", Rule::Signed(200)),
    ("DELETE", "/api/v1/me/sessions/{id}", Rule::Signed(404)),
    ("GET", "/api/v1/me/tokens", Rule::Signed(200)),
    ("POST", "/api/v1/me/tokens", Rule::Signed(201)),
    ("DELETE", "/api/v1/me/tokens/{id}", Rule::Signed(404)),
    ("GET", "/api/v1/me/identities", Rule::Signed(200)),
    ("DELETE", "/api/v1/me/identities/{id}", Rule::Signed(404)),
    ("POST", "/api/v1/me/totp", Rule::Signed(422)),
    ("DELETE", "/api/v1/me/totp", Rule::Signed(422)),
    ("POST", "/api/v1/me/totp/confirm", Rule::Signed(409)),
    ("GET", "/api/v1/users", Rule::Needs(MANAGE, 200)),
    ("POST", "/api/v1/users", Rule::Needs(MANAGE, 201)),
    ("GET", "/api/v1/users/{id}", Rule::Needs(MANAGE, 200)),
    ("PATCH", "/api/v1/users/{id}", Rule::Needs(MANAGE, 200)),
    ("POST", "/api/v1/users/{id}/block", Rule::Needs(MANAGE, 204)),
    ("POST", "/api/v1/users/{id}/unblock", Rule::Needs(MANAGE, 204)),
    // Past the gate, the staged second factor is wrong: bad input.
    ("POST", "/api/v1/users/{id}/email", Rule::Needs(MANAGE, 422)),
    ("POST", "/api/v1/users/{id}/email/confirm", Rule::Needs(MANAGE, 422)),
    ("DELETE", "/api/v1/users/{id}/sessions", Rule::Needs(MANAGE, 204)),
    (
        "GET",
        "/api/v1/users/{id}/rights",
        Rule::Needs(&["manage_users", "grant_rights"], 200),
    ),
    ("PUT", "/api/v1/users/{id}/rights", Rule::Needs(GRANT, 200)),
    ("GET", "/api/v1/groups", Rule::Signed(200)),
    ("POST", "/api/v1/groups", Rule::Needs(MANAGE, 201)),
    ("GET", "/api/v1/groups/{id}", Rule::Signed(200)),
    ("PATCH", "/api/v1/groups/{id}", Rule::Needs(MANAGE, 200)),
    ("DELETE", "/api/v1/groups/{id}", Rule::Needs(MANAGE, 204)),
    ("PUT", "/api/v1/groups/{id}/members/{user_id}", Rule::Needs(MANAGE, 204)),
    (
        "DELETE",
        "/api/v1/groups/{id}/members/{user_id}",
        Rule::Needs(MANAGE, 204),
    ),
    ("GET", "/api/v1/audit", Rule::Needs(MANAGE, 200)),
    ("GET", "/api/v1/stats", Rule::Needs(&["view_statistics"], 200)),
    ("GET", "/api/v1/documents", Rule::Signed(200)),
    ("POST", "/api/v1/documents", Rule::Needs(&["create_documents"], 201)),
    ("GET", "/api/v1/inbox", Rule::Signed(200)),
    // The callers are not members of the group: its documents are not theirs to list.
    ("GET", "/api/v1/groups/{id}/documents", Rule::Signed(403)),
    // Someone else's document: whatever the caller's rights, it does not exist for them.
    ("GET", "/api/v1/documents/{id}", Rule::Signed(404)),
    ("PATCH", "/api/v1/documents/{id}", Rule::Signed(404)),
    ("DELETE", "/api/v1/documents/{id}", Rule::Signed(404)),
    ("POST", "/api/v1/documents/{id}/restore", Rule::Signed(404)),
    ("GET", "/api/v1/documents/{id}/versions", Rule::Signed(404)),
    ("POST", "/api/v1/documents/{id}/versions", Rule::Signed(404)),
    ("GET", "/api/v1/documents/{id}/versions/{n}/content", Rule::Signed(404)),
    ("POST", "/api/v1/documents/{id}/status", Rule::Signed(404)),
    ("POST", "/api/v1/documents/{id}/responsible", Rule::Signed(404)),
    ("POST", "/api/v1/documents/{id}/send", Rule::Signed(404)),
    ("POST", "/api/v1/documents/{id}/forward", Rule::Signed(404)),
    ("GET", "/api/v1/documents/{id}/history", Rule::Signed(404)),
    (
        "POST",
        "/api/v1/documents/{id}/versions/{n}/signatures",
        Rule::Signed(404),
    ),
    (
        "GET",
        "/api/v1/documents/{id}/versions/{n}/signatures",
        Rule::Signed(404),
    ),
    (
        "GET",
        "/api/v1/documents/{id}/versions/{n}/signatures/{sid}",
        Rule::Signed(404),
    ),
    ("POST", "/api/v1/documents/{id}/signature-requests", Rule::Signed(404)),
    ("GET", "/api/v1/documents/{id}/signature-requests", Rule::Signed(404)),
    ("GET", "/api/v1/pki/ca.pem", Rule::Public),
    ("GET", "/api/v1/pki/crl", Rule::Public),
    // Nobody in the matrix has signed yet: no certificate.
    ("GET", "/api/v1/me/certificate", Rule::Signed(404)),
    ("POST", "/api/v1/me/certificate", Rule::Needs(&["sign_documents"], 201)),
    // Last for each caller: it ends the caller's own sessions.
    ("DELETE", "/api/v1/me/sessions", Rule::Signed(204)),
    ("POST", "/api/v1/auth/logout", Rule::Signed(204)),
];

#[test]
fn every_route_is_in_the_matrix() {
    let doc = serde_json::to_value(svitok_web::api::openapi()).unwrap();
    let mut documented = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    for (m, p) in &documented {
        assert!(
            ROUTES.iter().any(|(rm, rp, _)| rm == m && rp == p),
            "{m} {p} is not in the authorisation matrix: add it with its rule"
        );
    }
    for (m, p, _) in ROUTES {
        assert!(
            documented.iter().any(|(dm, dp)| dm == m && dp == p),
            "{m} {p} is in the matrix but not served"
        );
    }
}

both_backends!(
    every_protected_route_answers_401_without_a_session,
    authorization_matrix
);

fn fill(path: &str, id: &str, user_id: &str) -> String {
    path.replace("{id}", id)
        .replace("{user_id}", user_id)
        .replace("{n}", "1")
        .replace("{sid}", "00000000-0000-7000-8000-000000000000")
}

async fn every_protected_route_answers_401_without_a_session(b: Backend) {
    let app = spawn_app(b).await;
    let some = uuid::Uuid::new_v4().to_string();
    for (method, path, rule) in ROUTES {
        if matches!(rule, Rule::Public) {
            continue;
        }
        let url = app.url(&fill(path, &some, &some));
        let r = app
            .send(app.http.request(method.parse().unwrap(), url).json(&json!({})))
            .await;
        assert_eq!(r.status, 401, "{method} {path}: {}", r.body);
        r.problem(401);
    }
}

struct Ctx {
    admin: String,
    victim: String,
    group: String,
    /// A document of the administrator's that no caller can read.
    document: String,
    n: usize,
}

/// Sets the stage with the administrator's token and returns the request to make.
async fn stage(app: &TestApp, ctx: &mut Ctx, method: &str, path: &str) -> (String, Option<Value>) {
    ctx.n += 1;
    let n = ctx.n;
    let (victim, group, admin) = (ctx.victim.clone(), ctx.group.clone(), ctx.admin.clone());
    let random = uuid::Uuid::new_v4().to_string();
    let p = |id: &str, uid: &str| fill(path, id, uid);
    match (method, path) {
        ("POST", "/api/v1/users") => (
            p("", ""),
            Some(
                json!({"login": format!("made{n}"), "email": format!("made{n}@example.ru"), "last_name": "Н", "first_name": "Н"}),
            ),
        ),
        ("POST", "/api/v1/users/{id}/unblock") => {
            let r = app
                .post_as(&format!("/api/v1/users/{victim}/block"), &admin, json!({}))
                .await;
            assert_eq!(r.status, 204, "staging: {}", r.body);
            (p(&victim, ""), None)
        }
        ("POST", "/api/v1/users/{id}/block") => {
            // Make sure the victim is active, whatever ran before.
            app.post_as(&format!("/api/v1/users/{victim}/unblock"), &admin, json!({}))
                .await;
            (p(&victim, ""), None)
        }
        ("PUT", "/api/v1/users/{id}/rights") => {
            let current = app
                .get(&format!("/api/v1/users/{victim}/rights"), &admin)
                .await
                .ok(200)
                .clone();
            (p(&victim, ""), Some(current))
        }
        ("PATCH", "/api/v1/users/{id}") => (p(&victim, ""), Some(json!({"position": format!("Должность {n}")}))),
        ("POST", "/api/v1/users/{id}/email") => (
            p(&victim, ""),
            Some(
                json!({"email": format!("moved{n}@example.ru"), "challenge": "00000000-0000-7000-8000-000000000000", "code": "000000"}),
            ),
        ),
        ("POST", "/api/v1/users/{id}/email/confirm") => (p(&victim, ""), Some(json!({"code": "000000"}))),
        ("POST", "/api/v1/groups") => (p("", ""), Some(json!({"name": format!("Группа {n}")}))),
        ("DELETE", "/api/v1/groups/{id}") => {
            let r = app
                .post_as("/api/v1/groups", &admin, json!({"name": format!("Удаляемая {n}")}))
                .await;
            (p(r.ok(201)["id"].as_str().unwrap(), ""), None)
        }
        ("DELETE", "/api/v1/groups/{id}/members/{user_id}") => {
            app.put(&format!("/api/v1/groups/{group}/members/{victim}"), &admin, json!({}))
                .await;
            (p(&group, &victim), None)
        }
        ("PATCH", "/api/v1/groups/{id}") => (p(&group, ""), Some(json!({"description": format!("Описание {n}")}))),
        ("PATCH", "/api/v1/me") => (p("", ""), Some(json!({"position": "Специалист"}))),
        ("POST", "/api/v1/me/password") => (
            p("", ""),
            Some(json!({"current_password": "не тот пароль 123", "new_password": "x"})),
        ),
        ("POST", "/api/v1/me/email") => (
            p("", ""),
            Some(json!({"email": format!("new{n}@example.ru"), "password": "не тот пароль 123"})),
        ),
        ("POST", "/api/v1/me/email/confirm") | ("POST", "/api/v1/me/totp/confirm") => {
            (p("", ""), Some(json!({"code": "000000"})))
        }
        ("POST", "/api/v1/me/totp") | ("DELETE", "/api/v1/me/totp") => {
            (p("", ""), Some(json!({"password": "не тот пароль 123"})))
        }
        ("POST", "/api/v1/me/tokens") => (p("", ""), Some(json!({"name": format!("token {n}")}))),
        ("POST", "/api/v1/documents") => (p("", ""), Some(json!({"title": format!("Документ {n}")}))),
        ("POST", "/api/v1/documents/{id}/status") => (p(&ctx.document, ""), Some(json!({"status": "in_review"}))),
        ("POST", "/api/v1/documents/{id}/responsible") => {
            (p(&ctx.document, ""), Some(json!({"kind": "user", "id": victim})))
        }
        ("POST", "/api/v1/documents/{id}/send") | ("POST", "/api/v1/documents/{id}/forward") => (
            p(&ctx.document, ""),
            Some(json!({"to": [{"kind": "user", "id": victim}]})),
        ),
        ("PATCH", "/api/v1/documents/{id}") => (p(&ctx.document, ""), Some(json!({"title": "Чужой"}))),
        ("POST", "/api/v1/documents/{id}/versions/{n}/signatures") => (
            p(&ctx.document, ""),
            Some(json!({"challenge": "00000000-0000-7000-8000-000000000000", "code": "000000"})),
        ),
        ("POST", "/api/v1/documents/{id}/signature-requests") => (
            p(&ctx.document, ""),
            Some(json!({"to": [{"kind": "user", "id": victim}]})),
        ),
        _ if path.starts_with("/api/v1/documents/{id}") => (p(&ctx.document, ""), None),
        _ if path.contains("/users/{id}") => (p(&victim, ""), None),
        _ if path.contains("/groups/{id}") => (p(&group, &victim), None),
        _ => (p(&random, &random), Some(json!({}))),
    }
}

async fn authorization_matrix(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    // No rights: every administrator is at least as strong, so the subset rule passes.
    let (_, victim) = app.invite(&admin, "victim", &[]).await;
    let g = app
        .post_as("/api/v1/groups", &admin, json!({"name": "Канцелярия"}))
        .await;
    let group = g.ok(201)["id"].as_str().unwrap().to_string();
    let d = app
        .post_as("/api/v1/documents", &admin, json!({"title": "Приказ администратора"}))
        .await;
    let document = d.ok(201)["id"].as_str().unwrap().to_string();
    let mut ctx = Ctx {
        admin: admin.clone(),
        victim,
        group,
        document,
        n: 0,
    };
    let mut callers: Vec<Option<&str>> = vec![None];
    callers.extend(ALL_RIGHTS.iter().map(|r| Some(*r)));
    for right in callers {
        // Each caller twice, with the same rights: its session as the browser's cookie
        // (with our Origin), and as a Bearer header. Both credential paths get the same
        // answers. The last two routes end the session, so they run on the Bearer pass.
        for via in [Via::Cookie, Via::Bearer] {
            let login = format!("caller-{}-{}", right.unwrap_or("none"), via.name());
            let (account, _) = app.invite(&admin, &login, &right.into_iter().collect::<Vec<_>>()).await;
            let token = app.login(&account).await;
            // Logging out revokes the token used: give it a token of its own.
            let spare = app
                .post_as("/api/v1/me/tokens", &token, json!({"name": "for logout"}))
                .await;
            let spare = spare.ok(201)["token"].as_str().unwrap().to_string();
            for (method, path, rule) in ROUTES {
                let expected = match rule {
                    Rule::Public => continue,
                    Rule::Signed(s) => *s,
                    Rule::Needs(any, s) => {
                        if right.is_some_and(|r| any.contains(&r)) {
                            *s
                        } else {
                            403
                        }
                    }
                };
                let ends_session =
                    *path == "/api/v1/auth/logout" || *method == "DELETE" && *path == "/api/v1/me/sessions";
                if via == Via::Cookie && ends_session {
                    continue;
                }
                let (url, body) = stage(&app, &mut ctx, method, path).await;
                let method: Method = method.parse().unwrap();
                let r = match via {
                    Via::Bearer => {
                        let bearer = if *path == "/api/v1/auth/logout" { &spare } else { &token };
                        app.call(method.clone(), &url, Some(bearer), body.clone()).await
                    }
                    Via::Cookie => {
                        app.send(with_cookie(&app, method.clone(), &url, &token, body.clone()))
                            .await
                    }
                };
                assert_eq!(
                    r.status.as_u16(),
                    expected,
                    "{method} {path} as a holder of {} by {via:?}: {}",
                    right.unwrap_or("no right"),
                    r.body
                );
                if expected >= 400 {
                    r.problem(expected);
                }
                // An API token is only a Bearer: in the cookie it is no credential at all.
                if via == Via::Cookie {
                    let r = app.send(with_cookie(&app, method, &url, &spare, body)).await;
                    assert_eq!(r.status.as_u16(), 401, "{path}: an API token in the cookie: {}", r.body);
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    Cookie,
    Bearer,
}

impl Via {
    fn name(self) -> &'static str {
        match self {
            Via::Cookie => "cookie",
            Via::Bearer => "bearer",
        }
    }
}

/// A request as our own page's script makes it: the credential in the session cookie,
/// our Origin.
fn with_cookie(app: &TestApp, method: Method, url: &str, secret: &str, body: Option<Value>) -> reqwest::RequestBuilder {
    let mut req = app
        .http
        .request(method, app.url(url))
        .header("cookie", format!("svitok_session={secret}"))
        .header("origin", crate::helpers::ORIGIN);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req
}
