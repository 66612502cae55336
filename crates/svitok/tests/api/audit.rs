//! Authentication events go to the hash-chained audit log. SECURITY 34–38.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend};
use reqwest::Method;
use serde_json::json;

both_backends!(
    authentication_events_are_audited_in_an_intact_chain,
    concurrent_audited_requests_keep_the_chain_valid,
    edited_or_deleted_audit_rows_are_detected_by_the_cli,
    the_audit_log_carries_no_document_content,
    a_chain_rewritten_whole_is_not_signed_over,
);

/// The review's second attack on the chain: rewrite every entry, keyed ones included, as
/// plain SHA-256 (no key needed), then let ordinary traffic grow it past the checkpoint.
/// The next checkpoint must refuse, and verify must fail.
async fn a_chain_rewritten_whole_is_not_signed_over(b: Backend) {
    let app = spawn_app(b).await;
    for i in 0..3 {
        app.post(
            "/api/v1/auth/login",
            json!({"login": format!("ghost{i}"), "password": "неверный пароль тут"}),
        )
        .await
        .problem(401);
    }
    let (ok, text) = cli(&app, &["audit", "checkpoint"]);
    assert!(ok, "{text}");
    let events = app.state.db.audit_page(0, 10).await.unwrap();
    let mut prev = svitok_db::GENESIS.to_string();
    for e in &events {
        let mut forged = e.clone();
        forged.client_addr = Some("10.6.6.6".into());
        forged.prev_hash = prev.clone();
        forged.hash = forged.expected_hash(None);
        raw_sql(
            &app,
            &format!(
                "UPDATE audit_events SET client_addr = '10.6.6.6', prev_hash = '{}', hash = '{}' WHERE seq = {}",
                forged.prev_hash, forged.hash, forged.seq
            ),
        )
        .await;
        prev = forged.hash;
    }
    // A consistent chain by itself — but not the one the checkpoint signed.
    assert!(app.state.db.verify_audit_chain().await.unwrap().is_ok());
    app.post(
        "/api/v1/auth/login",
        json!({"login": "ghost9", "password": "неверный пароль тут"}),
    )
    .await
    .problem(401);
    assert!(svitok_app::audit::checkpoint_if_grown(&app.state).await.is_err());
    let (ok, text) = cli(&app, &["audit", "checkpoint"]);
    assert!(!ok && text.contains("no longer holds"), "{text}");
    let (ok, text) = cli_verify(&app);
    assert!(!ok && text.contains("checkpoint"), "{text}");
}

/// Issue 12, finding 4: administrators read the audit log, and `manage_users` gives no
/// access to content — so titles, file names and comments never enter it.
async fn the_audit_log_carries_no_document_content(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let (_, other) = app.invite(&admin, "other", &[]).await;
    let form = reqwest::multipart::Form::new()
        .text("title", "Секретный приказ о слиянии")
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("слияние-с-конкурентом.pdf"),
        );
    let r = app
        .send(
            app.http
                .post(app.url("/api/v1/documents"))
                .bearer_auth(&admin)
                .multipart(form),
        )
        .await;
    let doc = r.ok(201)["id"].as_str().unwrap().to_string();
    app.patch(
        &format!("/api/v1/documents/{doc}"),
        &admin,
        json!({"title": "Приказ об увольнении директора"}),
    )
    .await
    .ok(200);
    app.upload_to(
        &format!("/api/v1/documents/{doc}/versions"),
        &admin,
        "вторая-редакция.pdf",
        b"y".to_vec(),
    )
    .await
    .ok(201);
    app.post_as(
        &format!("/api/v1/documents/{doc}/send"),
        &admin,
        json!({"to": [{"kind": "user", "id": other}], "comment": "Никому не показывать"}),
    )
    .await
    .ok(200);
    let log = app.get("/api/v1/audit?limit=500", &admin).await;
    let text = log.ok(200).to_string();
    assert!(
        text.contains("document.created") && text.contains("document.sent"),
        "{text}"
    );
    for secret in ["Секретный", "слияние", "увольнении", "вторая-редакция", "Никому"]
    {
        assert!(!text.contains(secret), "{secret} is in the audit log: {text}");
    }
    // The document's own history, for its readers, still says what happened.
    let history = app.get(&format!("/api/v1/documents/{doc}/history"), &admin).await;
    assert!(history.ok(200).to_string().contains("Никому не показывать"));
}

async fn authentication_events_are_audited_in_an_intact_chain(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    app.post(
        "/api/v1/auth/login",
        json!({"login": a.login, "password": "неверный пароль тут"}),
    )
    .await
    .problem(401);
    let token = app.login(&a).await;
    app.call(Method::POST, "/api/v1/auth/logout", Some(&token), None).await;
    let events = app.state.db.audit_page(0, 1000).await.unwrap();
    let seen: Vec<(String, String)> = events.iter().map(|e| (e.action.clone(), e.outcome.clone())).collect();
    for (action, outcome) in [
        ("user.registered", "success"),
        ("code.sent", "success"),
        ("user.confirm", "success"),
        ("login.password", "failure"),
        ("login.password", "success"),
        ("login.code", "success"),
        ("logout", "success"),
    ] {
        assert!(
            seen.contains(&(action.into(), outcome.into())),
            "{action}/{outcome} not audited: {seen:?}"
        );
    }
    for e in &events {
        assert_eq!(e.client_addr.as_deref(), Some("127.0.0.1"), "{e:?}");
        assert!(e.at > 0);
    }
    assert_eq!(
        app.state.db.verify_audit_chain().await.unwrap(),
        Ok(events.len() as i64)
    );
    // Nothing secret in the log.
    let all = format!("{events:?}");
    assert!(!all.contains(&a.password) && !all.contains(&token));
}

async fn concurrent_audited_requests_keep_the_chain_valid(b: Backend) {
    let app = spawn_app(b).await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let http = app.http.clone();
        let url = app.url("/api/v1/auth/login");
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .json(&json!({"login": format!("ghost{i}"), "password": "неверный пароль тут"}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 401);
    }
    let n = app.state.db.verify_audit_chain().await.unwrap().expect("intact chain");
    assert_eq!(n, 50);
}

/// Runs `svitok audit verify` (the real binary) against the test's database.
fn cli_verify(app: &crate::helpers::TestApp) -> (bool, String) {
    cli(app, &["audit", "verify"])
}

fn cli(app: &crate::helpers::TestApp, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_svitok"))
        .args(args)
        .env("SVITOK_DATA_DIR", &app.data_dir)
        .env("SVITOK_DATABASE_URL", &app.database_url)
        .env("SVITOK_LOG", "error")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

use crate::helpers::raw_sql;

async fn edited_or_deleted_audit_rows_are_detected_by_the_cli(b: Backend) {
    let app = spawn_app(b).await;
    for i in 0..5 {
        app.post(
            "/api/v1/auth/login",
            json!({"login": format!("ghost{i}"), "password": "неверный пароль тут"}),
        )
        .await
        .problem(401);
    }
    let (ok, text) = cli_verify(&app);
    assert!(ok && text.contains("intact: 5 entries"), "{text}");

    raw_sql(&app, "UPDATE audit_events SET client_addr = '10.0.0.1' WHERE seq = 3").await;
    let (ok, text) = cli_verify(&app);
    assert!(!ok && text.contains("entry 3"), "{text}");
    assert_eq!(app.state.db.verify_audit_chain().await.unwrap().unwrap_err().0, 3);

    // Re-hash the edited row and every one after it, as the review did: without the
    // master key a forger can only compute plain SHA-256, which a keyed chain refuses.
    let events = app.state.db.audit_page(0, 10).await.unwrap();
    assert!(events.iter().all(|e| e.hash.starts_with("k1:")), "the chain is keyed");
    let mut prev = events[1].hash.clone();
    for e in &events[2..] {
        let mut forged = e.clone();
        if forged.seq == 3 {
            forged.client_addr = Some("10.0.0.1".into());
        }
        forged.prev_hash = prev.clone();
        forged.hash = forged.expected_hash(None);
        raw_sql(
            &app,
            &format!(
                "UPDATE audit_events SET prev_hash = '{}', hash = '{}' WHERE seq = {}",
                forged.prev_hash, forged.hash, forged.seq
            ),
        )
        .await;
        prev = forged.hash;
    }
    let (ok, text) = cli_verify(&app);
    assert!(!ok && text.contains("entry 3"), "a re-hashed chain passed: {text}");
    for e in &events[2..] {
        raw_sql(
            &app,
            &format!(
                "UPDATE audit_events SET prev_hash = '{}', hash = '{}', client_addr = '127.0.0.1' WHERE seq = {}",
                e.prev_hash, e.hash, e.seq
            ),
        )
        .await;
    }
    assert!(app.state.db.verify_audit_chain().await.unwrap().is_ok());

    // The newest entries deleted: still a valid chain, but not the one the signed
    // checkpoint saw (SECURITY 38).
    let (ok, text) = cli(&app, &["audit", "checkpoint"]);
    assert!(ok && text.contains("entry 5"), "{text}");
    raw_sql(&app, "DELETE FROM audit_events WHERE seq >= 4").await;
    assert!(
        app.state.db.verify_audit_chain().await.unwrap().is_ok(),
        "shorter, still chained"
    );
    let (ok, text) = cli_verify(&app);
    assert!(!ok && text.contains("missing") && text.contains("checkpoint"), "{text}");
    // Put them back (the test's own copy), then delete one in the middle.
    for e in &events[3..] {
        raw_sql(
            &app,
            &format!(
                "INSERT INTO audit_events (seq, at, actor, action, target, client_addr, outcome, details, prev_hash, hash) \
                 VALUES ({}, {}, NULL, '{}', NULL, '127.0.0.1', '{}', '{}', '{}', '{}')",
                e.seq, e.at, e.action, e.outcome, e.details.replace('\'', "''"), e.prev_hash, e.hash
            ),
        )
        .await;
    }
    let (ok, text) = cli_verify(&app);
    assert!(ok && text.contains("checkpoint of entry 5 matches"), "{text}");

    // A deleted row is named as missing.
    raw_sql(
        &app,
        &format!(
            "UPDATE audit_events SET hash = '{}', client_addr = '127.0.0.1' WHERE seq = 3",
            events[2].hash
        ),
    )
    .await;
    assert!(app.state.db.verify_audit_chain().await.unwrap().is_ok());
    raw_sql(&app, "DELETE FROM audit_events WHERE seq = 2").await;
    let (ok, text) = cli_verify(&app);
    assert!(!ok && text.contains("entry 2") && text.contains("missing"), "{text}");
}
