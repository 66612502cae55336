//! Nothing lost, nothing left over: interrupted uploads, orphan blobs, trash purge.

use crate::both_backends;
use crate::helpers::{files_under, spawn_app, Backend, TestApp};
use serde_json::json;
use std::time::{Duration, SystemTime};
use svitok_app::maintenance;
use tokio::io::AsyncWriteExt;

both_backends!(
    an_interrupted_upload_leaves_no_document_and_no_blob,
    orphan_blobs_are_swept_and_used_ones_kept,
    the_trash_is_purged_after_its_retention,
    one_replica_at_a_time_holds_the_maintenance_lease,
);

async fn wait_for_no_blobs(app: &TestApp) {
    for _ in 0..250 {
        if files_under(&app.data_dir.join("blobs")).is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("blobs left: {:?}", files_under(&app.data_dir.join("blobs")));
}

async fn an_interrupted_upload_leaves_no_document_and_no_blob(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let boundary = "svitokboundary";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    );
    let announced = head.len() + 5 * 1024 * 1024 + 64;
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let request = format!(
        "POST /api/v1/documents HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {announced}\r\n\r\n{head}"
    );
    s.write_all(request.as_bytes()).await.unwrap();
    // Well past one 64 KiB chunk, so encrypted data has reached the store.
    s.write_all(&vec![7u8; 1024 * 1024]).await.unwrap();
    s.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(s);
    wait_for_no_blobs(&app).await;
    let list = app.get("/api/v1/documents", &token).await;
    assert_eq!(list.ok(200)["items"], json!([]), "no half document");
    // The server is fine afterwards.
    let r = app
        .upload_to("/api/v1/documents", &token, "ok.bin", vec![1u8; 1000])
        .await;
    r.ok(201);
}

async fn orphan_blobs_are_swept_and_used_ones_kept(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    let r = app
        .upload_to("/api/v1/documents", &token, "kept.txt", b"kept".to_vec())
        .await;
    let id = r.ok(201)["id"].as_str().unwrap().to_string();
    // An orphan: stored, but its row never committed (as after a crash between the two).
    let mut w = app.state.blobs.writer(1 << 20).await.unwrap();
    w.write(b"orphan").await.unwrap();
    let orphan = w.finish().await.unwrap();
    assert_eq!(files_under(&app.data_dir.join("blobs")).len(), 2);
    // Young blobs are left alone: they may be an upload about to commit.
    let young = SystemTime::now() - Duration::from_secs(3600);
    assert_eq!(maintenance::sweep_orphans(&app.state, young).await.unwrap(), 0);
    let swept = maintenance::sweep_orphans(&app.state, SystemTime::now() + Duration::from_secs(1))
        .await
        .unwrap();
    assert_eq!(swept, 1);
    assert!(app.state.blobs.raw(&orphan.key).await.is_err(), "the orphan is gone");
    let r = app
        .http
        .get(app.url(&format!("/api/v1/documents/{id}/versions/1/content")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.bytes().await.unwrap().as_ref(), b"kept");
}

async fn the_trash_is_purged_after_its_retention(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let session = app.login(&a).await;
    // Weeks pass in this test: an API token outlives them, a session would not.
    let t = app
        .post_as(
            "/api/v1/me/tokens",
            &session,
            json!({"name": "long", "expires_in_days": 366}),
        )
        .await;
    let token = t.ok(201)["token"].as_str().unwrap().to_string();
    let mut ids = Vec::new();
    for name in ["old.txt", "recent.txt"] {
        let r = app
            .upload_to("/api/v1/documents", &token, name, name.as_bytes().to_vec())
            .await;
        ids.push(r.ok(201)["id"].as_str().unwrap().to_string());
    }
    assert_eq!(
        app.delete(&format!("/api/v1/documents/{}", ids[0]), &token)
            .await
            .status,
        204
    );
    app.advance(time::Duration::days(29));
    assert_eq!(
        app.delete(&format!("/api/v1/documents/{}", ids[1]), &token)
            .await
            .status,
        204
    );
    assert_eq!(
        maintenance::purge_trash(&app.state).await.unwrap(),
        0,
        "nothing is 30 days old yet"
    );
    app.advance(time::Duration::days(2));
    assert_eq!(maintenance::purge_trash(&app.state).await.unwrap(), 1);
    let trash = app.get("/api/v1/documents?deleted=true", &token).await;
    let left: Vec<String> = trash.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(left, vec![ids[1].clone()]);
    assert_eq!(
        files_under(&app.data_dir.join("blobs")).len(),
        1,
        "the purged document's file is gone"
    );
    app.get(&format!("/api/v1/documents/{}", ids[0]), &token)
        .await
        .problem(404);
}

/// Background work runs on one replica at a time (SPEC §13): the lease is one holder's
/// until it expires; a holder that stops renewing (killed) loses it to the next.
async fn one_replica_at_a_time_holds_the_maintenance_lease(b: Backend) {
    let app = spawn_app(b).await;
    let db = &app.state.db;
    let now = app.state.now();
    assert!(db.take_lease("job", "replica-a", now, 60_000).await.unwrap());
    assert!(
        !db.take_lease("job", "replica-b", now + 1, 60_000).await.unwrap(),
        "a's, still"
    );
    assert!(
        db.take_lease("job", "replica-a", now + 30_000, 60_000).await.unwrap(),
        "renewed"
    );
    assert!(
        !db.take_lease("job", "replica-b", now + 60_000, 60_000).await.unwrap(),
        "renewal counts"
    );
    // a dies (stops renewing): past the expiry, b takes over, and a cannot take it back.
    assert!(db.take_lease("job", "replica-b", now + 90_001, 60_000).await.unwrap());
    assert!(!db.take_lease("job", "replica-a", now + 90_002, 60_000).await.unwrap());
    // A clean stop gives it up at once.
    db.release_lease("job", "replica-b").await.unwrap();
    assert!(db.take_lease("job", "replica-a", now + 90_003, 60_000).await.unwrap());

    // Rounds: of two replicas asking at the same moment, exactly one runs (past the
    // lease this test app's own upkeep took at its start).
    app.advance(time::Duration::minutes(21));
    let every = Duration::from_secs(600);
    let (x, y) = tokio::join!(
        maintenance::round(&app.state, "replica-x", every),
        maintenance::round(&app.state, "replica-y", every),
    );
    assert_eq!(u8::from(x.unwrap()) + u8::from(y.unwrap()), 1, "exactly one ran");
    // Many at once on the database: one winner.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let state = app.state.clone();
        tasks.push(tokio::spawn(async move {
            state.db.take_lease("race", &format!("r{i}"), 0, 60_000).await.unwrap()
        }));
    }
    let mut winners = 0;
    for t in tasks {
        winners += u8::from(t.await.unwrap());
    }
    assert_eq!(winners, 1);
}
