//! A change, its history entry and its audit entry commit together or not at all; a
//! stored file goes only when the version that would name it did not commit; concurrent
//! writers extend one valid audit chain.

use crate::both_backends;
use crate::helpers::{files_under, raw_sql, spawn_app, Backend, TestApp};
use serde_json::{json, Value};

both_backends!(
    a_refused_audit_entry_undoes_the_change_and_keeps_committed_files,
    a_refused_audit_entry_undoes_blocking_and_a_rights_change,
    a_refused_audit_entry_undoes_account_changes,
    concurrent_creations_and_status_changes_keep_the_chain_valid,
);

const REFUSED: &str = "'document.created', 'document.version_added', 'document.status_changed', 'document.sent'";

/// A trigger that refuses the audit entries of some document changes, as a full disk or a
/// lost connection would at the moment the entry is written.
async fn refuse_audit_entries(app: &TestApp) {
    refuse(app, REFUSED).await
}

async fn refuse(app: &TestApp, refused: &str) {
    if app.database_url.starts_with("sqlite:") {
        raw_sql(
            app,
            &format!(
                "CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_events \
                 WHEN NEW.action IN ({refused}) BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); END"
            ),
        )
        .await;
    } else {
        raw_sql(
            app,
            "CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'audit refused by the test'; END $$",
        )
        .await;
        raw_sql(
            app,
            &format!(
                "CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW \
                 WHEN (NEW.action IN ({refused})) EXECUTE FUNCTION test_refuse_audit()"
            ),
        )
        .await;
    }
}

async fn allow_audit_entries(app: &TestApp) {
    if app.database_url.starts_with("sqlite:") {
        raw_sql(app, "DROP TRIGGER test_refuse_audit").await;
    } else {
        raw_sql(app, "DROP TRIGGER test_refuse_audit ON audit_events").await;
    }
}

async fn history_actions(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    let r = app.get(&format!("/api/v1/documents/{id}/history"), token).await;
    r.ok(200)
        .as_array()
        .expect("history entries")
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

async fn a_refused_audit_entry_undoes_the_change_and_keeps_committed_files(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    let first = b"the first version, committed and audited".to_vec();
    let doc = app
        .upload_to("/api/v1/documents", &token, "order.txt", first.clone())
        .await
        .ok(201)
        .clone();
    let id = doc["id"].as_str().unwrap().to_string();
    let reader = app.register("petrov").await;
    let reader_token = app.login(&reader).await;
    let reader_id = app.user_id(&reader_token).await;
    assert_eq!(files_under(&app.data_dir.join("blobs")).len(), 1);
    let audit_before = app.state.db.audit_head().await.unwrap();
    let history_before = history_actions(&app, &token, &id).await;

    refuse_audit_entries(&app).await;

    // A second version: its row does not commit, its file goes, the first one's stays.
    app.upload_to(
        &format!("/api/v1/documents/{id}/versions"),
        &token,
        "order-v2.txt",
        b"a second version whose audit entry is refused".to_vec(),
    )
    .await
    .problem(500);
    let versions = app.get(&format!("/api/v1/documents/{id}/versions"), &token).await;
    let numbers: Vec<&Value> = versions
        .ok(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["number"])
        .collect();
    assert_eq!(numbers, [&json!(1)], "no version 2 without its audit entry");
    let blobs = files_under(&app.data_dir.join("blobs"));
    assert_eq!(
        blobs.len(),
        1,
        "the refused version's file is gone, the first one's is not"
    );
    let r = app
        .http
        .get(app.url(&format!("/api/v1/documents/{id}/versions/1/content")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.bytes().await.unwrap().as_ref(),
        first.as_slice(),
        "version 1 still downloads"
    );

    // A new document with a file: neither the card nor the file remain.
    app.upload_to("/api/v1/documents", &token, "memo.txt", b"refused".to_vec())
        .await
        .problem(500);
    let list = app.get("/api/v1/documents", &token).await;
    let ids: Vec<&str> = list.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str()], "no document without its audit entry");
    assert_eq!(files_under(&app.data_dir.join("blobs")), blobs);

    // A status change and a transfer: the card, its history and the recipient's inbox
    // stay as they were.
    app.post_as(
        &format!("/api/v1/documents/{id}/status"),
        &token,
        json!({"status": "in_review"}),
    )
    .await
    .problem(500);
    app.post_as(
        &format!("/api/v1/documents/{id}/send"),
        &token,
        json!({"to": [{"kind": "user", "id": reader_id}]}),
    )
    .await
    .problem(500);
    assert_eq!(
        app.get(&format!("/api/v1/documents/{id}"), &token).await.ok(200)["status"],
        "draft"
    );
    let mut history = history_actions(&app, &token, &id).await;
    let mut expected = history_before.clone();
    expected.push("downloaded".into());
    history.sort();
    expected.sort();
    assert_eq!(history, expected, "only the download left a trace in the history");
    assert_eq!(
        app.get("/api/v1/inbox", &reader_token).await.ok(200)["items"],
        json!([]),
        "nothing reached the recipient"
    );
    let head = app.state.db.audit_head().await.unwrap();
    assert!(head > audit_before, "the reads were audited");
    let refused = app
        .state
        .db
        .audit_page(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| REFUSED.contains(&format!("'{}'", e.action)) && e.seq > audit_before.as_ref().unwrap().0)
        .count();
    assert_eq!(refused, 0);

    // Once entries are written again, the same changes go through and the chain holds.
    allow_audit_entries(&app).await;
    app.upload_to(
        &format!("/api/v1/documents/{id}/versions"),
        &token,
        "order-v2.txt",
        b"now audited".to_vec(),
    )
    .await
    .ok(201);
    assert_eq!(files_under(&app.data_dir.join("blobs")).len(), 2);
    assert!(app.state.db.verify_audit_chain().await.unwrap().is_ok());
}

/// An administrator's change and its audit entry are one unit too: when the entry cannot
/// be written, no group appears, the user is not blocked (still signed in) and keeps its
/// rights.
async fn a_refused_audit_entry_undoes_blocking_and_a_rights_change(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let (clerk, _) = app.invite(&admin, "clerk", &["send_documents"]).await;
    let clerk_token = app.login(&clerk).await;
    let clerk_id = app.user_id(&clerk_token).await;
    refuse(&app, "'user.blocked', 'rights.changed', 'group.created'").await;
    app.post_as("/api/v1/groups", &admin, json!({"name": "Канцелярия"}))
        .await
        .problem(500);
    assert_eq!(
        app.get("/api/v1/groups", &admin).await.ok(200)["total"],
        0,
        "no group without its entry"
    );
    app.post_as(&format!("/api/v1/users/{clerk_id}/block"), &admin, json!({}))
        .await
        .problem(500);
    app.get("/api/v1/me", &clerk_token).await.ok(200);
    app.put(
        &format!("/api/v1/users/{clerk_id}/rights"),
        &admin,
        crate::helpers::rights_json(&["sign_documents"]),
    )
    .await
    .problem(500);
    let me = app.get("/api/v1/me", &clerk_token).await.ok(200).clone();
    assert_eq!(me["status"], "active");
    assert_eq!(me["rights"], crate::helpers::rights_json(&["send_documents"]));
    allow_audit_entries(&app).await;
    let r = app
        .post_as(&format!("/api/v1/users/{clerk_id}/block"), &admin, json!({}))
        .await;
    assert_eq!(r.status.as_u16(), 204, "{}", r.body);
    app.get("/api/v1/me", &clerk_token).await.problem(401);
    assert!(app.state.db.verify_audit_chain().await.unwrap().is_ok());
}

/// The account's own changes (a user created, a password changed, a token made or
/// revoked, a login) stand or fall with their entries too.
async fn a_refused_audit_entry_undoes_account_changes(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    let made = app
        .post_as("/api/v1/me/tokens", &token, json!({"name": "ci"}))
        .await
        .ok(201)
        .clone();
    refuse(
        &app,
        "'user.created', 'password.changed', 'token.created', 'token.revoked', 'login.code'",
    )
    .await;
    app.post_as(
        "/api/v1/users",
        &admin,
        json!({"login": "petrov", "email": "petrov@example.ru", "last_name": "Петров", "first_name": "Пётр"}),
    )
    .await
    .problem(500);
    let users = app.get("/api/v1/users?q=petrov", &admin).await.ok(200).clone();
    assert_eq!(users["total"], 0, "no user without its entry: {users}");
    let r = app
        .post_as(
            "/api/v1/me/password",
            &token,
            json!({"current_password": a.password, "new_password": "лиловый дракон спит под мостом"}),
        )
        .await;
    r.problem(500);
    app.post_as("/api/v1/me/tokens", &token, json!({"name": "second"}))
        .await
        .problem(500);
    let tokens = app.get("/api/v1/me/tokens", &token).await.ok(200).clone();
    assert_eq!(
        tokens.as_array().map(Vec::len),
        Some(1),
        "only the first token: {tokens}"
    );
    let r = app
        .delete(&format!("/api/v1/me/tokens/{}", made["id"].as_str().unwrap()), &token)
        .await;
    assert_eq!(r.status.as_u16(), 500, "{}", r.body);
    // The token still works, the old password still opens the first step, and a login
    // whose entry is refused opens no session.
    app.get("/api/v1/me", made["token"].as_str().unwrap()).await.ok(200);
    app.advance(time::Duration::seconds(61));
    let challenge = app.start_login(&a).await;
    let code = app.mail.next_code(&a.email).await;
    app.post(
        "/api/v1/auth/login/verify",
        json!({"challenge": challenge, "code": code}),
    )
    .await
    .problem(500);
    allow_audit_entries(&app).await;
    let sessions = app.get("/api/v1/me/sessions", &token).await.ok(200).clone();
    assert_eq!(
        sessions.as_array().map(Vec::len),
        Some(1),
        "the refused login left no session: {sessions}"
    );
    assert!(app.state.db.verify_audit_chain().await.unwrap().is_ok());
}

/// 50 writers at once, each creating a document and moving its status, against one
/// chain: every entry is there and `svitok audit verify` finds it intact.
async fn concurrent_creations_and_status_changes_keep_the_chain_valid(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    let before = app
        .state
        .db
        .audit_head()
        .await
        .unwrap()
        .map(|(seq, _)| seq)
        .unwrap_or(0);
    let mut tasks = Vec::new();
    for i in 0..50 {
        let (http, base, token) = (app.http.clone(), app.base.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(format!("{base}/api/v1/documents"))
                .bearer_auth(&token)
                .json(&json!({"title": format!("Приказ № {i}")}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
            let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
            let r = http
                .post(format!("{base}/api/v1/documents/{id}/status"))
                .bearer_auth(&token)
                .json(&json!({"status": "in_progress"}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let events = app.state.db.audit_page(before, 1000).await.unwrap();
    let count = |action: &str| events.iter().filter(|e| e.action == action).count();
    assert_eq!(count("document.created"), 50);
    assert_eq!(count("document.status_changed"), 50);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_svitok"))
        .args(["audit", "verify"])
        .env("SVITOK_DATA_DIR", &app.data_dir)
        .env("SVITOK_DATABASE_URL", &app.database_url)
        .env("SVITOK_LOG", "error")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && text.contains("intact"), "{text}");
}
