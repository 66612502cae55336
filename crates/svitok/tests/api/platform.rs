//! Health, metrics, OpenAPI and the security headers every answer carries.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend};

both_backends!(
    health_readiness_and_metrics,
    security_headers_and_request_id,
    openapi_is_served
);

async fn health_readiness_and_metrics(b: Backend) {
    let app = spawn_app(b).await;
    let r = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(text.contains("http_requests_total"), "{text}");
    assert!(text.contains("route=\"/readyz\""), "{text}");
    // Readiness follows the database.
    app.state.db.close().await;
    let r = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), 503);
}

async fn security_headers_and_request_id(b: Backend) {
    let app = spawn_app(b).await;
    let r = app.http.get(app.url("/api/v1/me")).send().await.unwrap();
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(uuid::Uuid::parse_str(h["x-request-id"].to_str().unwrap()).is_ok());
}

async fn openapi_is_served(b: Backend) {
    let app = spawn_app(b).await;
    let r = app.http.get(app.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let doc: serde_json::Value = r.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/login/verify",
        "/api/v1/me",
        "/api/v1/me/sessions/{id}",
        "/api/v1/me/tokens",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from OpenAPI");
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    assert!(schemas.contains_key("RegisterRequest") && schemas.contains_key("Problem"));
}

/// The committed `docs/openapi.json` is what the code generates: a changed route must
/// come with its changed document. `SVITOK_UPDATE_OPENAPI=1` rewrites the file.
#[test]
fn committed_openapi_document_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
    let generated = serde_json::to_string_pretty(&svitok_web::api::openapi()).unwrap() + "\n";
    if std::env::var("SVITOK_UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/openapi.json is out of date: run `SVITOK_UPDATE_OPENAPI=1 cargo nextest run committed_openapi` and commit it"
    );
}

/// Every `$ref` in the OpenAPI document names a component that exists (an enum used only
/// in a query parameter is easy to leave out; clients and the fuzzer then fail on it).
#[test]
fn every_schema_reference_resolves() {
    fn walk(v: &serde_json::Value, refs: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::String(r)) = m.get("$ref") {
                    refs.push(r.clone());
                }
                m.values().for_each(|x| walk(x, refs));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, refs)),
            _ => {}
        }
    }
    let doc = serde_json::to_value(svitok_web::api::openapi()).unwrap();
    let mut refs = Vec::new();
    walk(&doc, &mut refs);
    assert!(!refs.is_empty());
    for r in refs {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected reference {r}"));
        assert!(doc["components"]["schemas"][name].is_object(), "{r} does not resolve");
    }
}

/// What validators and client generators reject: a path parameter its path does not name
/// (a filter struct derived without `parameter_in = Query` declares every field `in: path`),
/// a `{name}` in a path with no parameter for it, and two operations with one id.
#[test]
fn parameters_sit_where_they_are_declared_and_operation_ids_are_unique() {
    let doc = serde_json::to_value(svitok_web::api::openapi()).unwrap();
    let mut ids = std::collections::HashSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_default();
            assert!(ids.insert(id.to_owned()), "{method} {path}: operationId {id} is taken");
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let declared: Vec<&str> = params
                .iter()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            for name in &declared {
                assert!(
                    path.contains(&format!("{{{name}}}")),
                    "{method} {path}: `{name}` is not in the path"
                );
            }
            for seg in path.split('/').filter(|s| s.starts_with('{')) {
                let name = seg.trim_matches(|c| c == '{' || c == '}');
                assert!(declared.contains(&name), "{method} {path}: no parameter for {seg}");
            }
        }
    }
}

/// The pool skips sqlx's ping before lending a connection (a round trip per query on a busy
/// server) but still checks a PostgreSQL connection that sat idle: when the database drops
/// them all (a restart, a failover), the next requests get fresh ones instead of a 500.
/// Only PostgreSQL has a server that can drop a connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_dropped_while_idle_are_replaced() {
    use sqlx::Connection;
    let Some(b) = Backend::postgres() else { return };
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    app.get("/api/v1/me", &admin).await.ok(200);
    let mut conn = sqlx::PgConnection::connect(&app.database_url).await.unwrap();
    let dropped: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()) t",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert!(dropped > 0, "the pool held no connection to drop");
    // Idle for longer than the check's threshold.
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    // The idle queue lends its connections in turn: every dropped one is met.
    for _ in 0..20 {
        app.get("/api/v1/me", &admin).await.ok(200);
    }
}

both_backends!(data_files_are_ours_alone);

/// Issue 12, finding 14: the database, its WAL, the blobs and the outbox (codes in plain
/// text) are readable by the server's user alone, whatever the umask.
async fn data_files_are_ours_alone(b: Backend) {
    use std::os::unix::fs::PermissionsExt;
    let sqlite = matches!(b, Backend::Sqlite);
    let app = crate::helpers::spawn_app_with(b, |c| c.smtp_url = None).await;
    app.post(
        "/api/v1/auth/register",
        serde_json::json!({"login": "ivanov", "email": "ivanov@example.ru", "password": crate::helpers::PASSWORD,
                           "last_name": "Иванов", "first_name": "Иван"}),
    )
    .await
    .ok(202);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    // A stored file (and an audit checkpoint beside them), whatever the umask.
    let mut w = app.state.blobs.writer(1024).await.unwrap();
    w.write(b"secret").await.unwrap();
    w.finish().await.unwrap();
    svitok_app::audit::checkpoint(&app.state).await.unwrap();
    let stored = crate::helpers::files_under(&app.data_dir.join("blobs"));
    assert!(stored.len() >= 2, "{stored:?}");
    for f in &stored {
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }
    let dir = &app.data_dir;
    assert_eq!(mode(dir), 0o700, "{}", dir.display());
    assert_eq!(mode(&dir.join("blobs")), 0o700);
    let outbox = dir.join("outbox");
    assert_eq!(mode(&outbox), 0o700);
    let mails: Vec<_> = std::fs::read_dir(&outbox).unwrap().flatten().collect();
    assert!(!mails.is_empty(), "the code went to the outbox");
    for m in mails {
        assert_eq!(mode(&m.path()), 0o600, "{}", m.path().display());
    }
    if sqlite {
        for f in ["svitok.db", "svitok.db-wal", "svitok.db-shm"] {
            let p = dir.join(f);
            if p.exists() {
                assert_eq!(mode(&p), 0o600, "{}", p.display());
            }
        }
        assert!(dir.join("svitok.db").exists());
    }
}

both_backends!(behind_a_trusted_proxy_the_client_is_the_forwarded_address);

/// Issue 12, finding 12: the audit log (and the per-address lock, which reads the same
/// address) names the client behind a trusted load balancer, and believes the header
/// from nobody else.
async fn failed_login_from(app: &crate::helpers::TestApp, forwarded: &str) {
    let req = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", forwarded)
        .json(&serde_json::json!({"login": "nobody", "password": "wrong password 123"}));
    app.send(req).await.problem(401);
}

async fn last_failed_login_client(app: &crate::helpers::TestApp, admin: &str) -> String {
    let r = app
        .get("/api/v1/audit?action=login.password&outcome=failure&limit=1", admin)
        .await;
    r.ok(200)["items"][0]["client_addr"].as_str().unwrap().to_string()
}

async fn behind_a_trusted_proxy_the_client_is_the_forwarded_address(b: Backend) {
    let trusting = crate::helpers::spawn_app_with(b.clone(), |c| c.trusted_proxies = "127.0.0.0/8".into()).await;
    let (_, admin) = trusting.admin().await;
    failed_login_from(&trusting, "203.0.113.7").await;
    assert_eq!(last_failed_login_client(&trusting, &admin).await, "203.0.113.7");
    // What the client wrote itself (left of the proxy's entry) is not believed.
    failed_login_from(&trusting, "198.51.100.1, 203.0.113.8").await;
    assert_eq!(last_failed_login_client(&trusting, &admin).await, "203.0.113.8");

    let direct = spawn_app(b).await;
    let (_, admin) = direct.admin().await;
    failed_login_from(&direct, "203.0.113.7").await;
    assert_eq!(last_failed_login_client(&direct, &admin).await, "127.0.0.1");
}

/// The crates keep their direction (README, Architecture): the use cases know no HTTP,
/// the web crate holds no use cases, and the binary reaches them without the web crate.
#[test]
fn use_cases_know_no_http_and_the_binary_reaches_them_directly() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let manifest = std::fs::read_to_string(format!("{root}/crates/svitok-app/Cargo.toml")).unwrap();
    for http in ["axum", "hyper", "tower", "utoipa", "minijinja", "reqwest", "svitok-web"] {
        assert!(
            !manifest.lines().any(|l| l.starts_with(http)),
            "svitok-app depends on {http}"
        );
    }
    assert!(
        !std::path::Path::new(&format!("{root}/crates/svitok-web/src/service")).exists(),
        "use cases belong in svitok-app"
    );
    for file in crate::helpers::files_under(std::path::Path::new(&format!("{root}/crates/svitok/src"))) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if let Some(at) = line.find("svitok_web::") {
                let path = &line[at..];
                assert!(
                    path.starts_with("svitok_web::router") || path.starts_with("svitok_web::api::openapi"),
                    "{}:{}: the binary reaches {path} through the web crate",
                    file.display(),
                    n + 1
                );
            }
        }
    }
}

/// Files hold one feature each (STYLE: a file over ~600 lines is usually two files).
#[test]
fn no_source_file_holds_several_modules() {
    let crates = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    for entry in std::fs::read_dir(crates).unwrap().flatten() {
        for file in crate::helpers::files_under(&entry.path().join("src")) {
            if file.extension().is_some_and(|e| e == "rs") {
                let lines = std::fs::read_to_string(&file).unwrap().lines().count();
                assert!(
                    lines <= 620,
                    "{} has {lines} lines: split it by feature",
                    file.display()
                );
            }
        }
    }
}

/// One gate (svitok_app::access): no handler or page tests a right or asks a decision
/// table itself, and no use case reads the caller's rights or the tables around the gate.
#[test]
fn rights_are_tested_only_at_the_gate() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let around = ["policy::decide", "rules::decide", "decide_on(", ".require("];
    let mut checks: Vec<(std::path::PathBuf, Vec<&str>)> = Vec::new();
    for dir in ["svitok-web/src", "svitok/src"] {
        let mut forbidden = around.to_vec();
        forbidden.push(".rights.has(");
        checks.extend(
            crate::helpers::files_under(&root.join(dir))
                .into_iter()
                .map(|f| (f, forbidden.clone())),
        );
    }
    for file in crate::helpers::files_under(&root.join("svitok-app/src")) {
        if !file.ends_with("access.rs") {
            let mut forbidden = around.to_vec();
            forbidden.extend(["actor.rights", "caller.rights"]);
            checks.push((file, forbidden));
        }
    }
    for (file, forbidden) in checks {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for f in &forbidden {
                assert!(
                    !code.contains(f),
                    "{}:{}: `{f}` outside svitok_app::access: ask the gate (authorize, allows)",
                    file.display(),
                    n + 1
                );
            }
        }
    }
}

/// No page handler checks the form token by hand: `CsrfForm` / `CsrfBody` (and, for
/// multipart uploads, the form guard the reader is given) do it before the handler runs.
#[test]
fn form_tokens_are_checked_by_the_extractor() {
    let ui = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../svitok-web/src/ui"));
    for file in crate::helpers::files_under(ui) {
        if file.ends_with("csrf.rs") || file.ends_with("page.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            assert!(
                !line.contains("foreign_form()") && !line.contains("!token.matches("),
                "{}:{}: the form token is checked by CsrfForm/CsrfBody",
                file.display(),
                n + 1
            );
        }
    }
}
