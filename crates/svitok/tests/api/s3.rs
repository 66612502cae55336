//! Files in S3: the same encrypted, streamed storage against a real S3-API server (moto).

use crate::both_backends;
use crate::helpers::{free_port, peer_binary, spawn_app_with, start_peer, Backend, Peer};

both_backends!(files_round_trip_through_s3);

fn moto_binary() -> Option<std::path::PathBuf> {
    if let Ok(p) = std::env::var("SVITOK_TEST_MOTO") {
        return Some(p.into());
    }
    let venv = std::env::var("SVITOK_VENV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/svitok-venv")
        });
    let p = venv.join("bin/moto_server");
    p.exists().then_some(p)
}

/// A moto S3 server on a free port, stopped when dropped.
async fn start_moto() -> Option<Peer> {
    let bin = peer_binary(
        moto_binary(),
        "the S3 test",
        "install moto[server] (pip) or set SVITOK_TEST_MOTO",
    )?;
    let port = free_port();
    Some(
        start_peer(
            &bin,
            &["-H".into(), "127.0.0.1".into(), "-p".into(), port.to_string()],
            port,
        )
        .await,
    )
}

async fn files_round_trip_through_s3(b: Backend) {
    let Some(moto) = start_moto().await else { return };
    let endpoint = format!("http://127.0.0.1:{}", moto.port);
    let r = reqwest::Client::new()
        .put(format!("{endpoint}/svitok-test"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "create bucket: {}", r.status());
    // The standard AWS variables; nextest runs each test in its own process.
    for (k, v) in [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_ALLOW_HTTP", "true"),
    ] {
        std::env::set_var(k, v);
    }
    let app = spawn_app_with(b, |c| c.blob_url = Some("s3://svitok-test/documents".into())).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    // Over one multipart part (8 MiB), with a marker to look for in the bucket.
    let mut data = b"S3-PLAINTEXT-MARKER ".repeat(10);
    data.extend((0..10 * 1024 * 1024).map(|i| (i % 249) as u8));
    let r = app
        .upload_to("/api/v1/documents", &token, "Отчёт.bin", data.clone())
        .await;
    let id = r.ok(201)["id"].as_str().unwrap().to_string();
    let url = app.url(&format!("/api/v1/documents/{id}/versions/1/content"));
    let body = app
        .http
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(body.len(), data.len());
    assert!(
        body.as_ref() == data.as_slice(),
        "the file comes back from S3 unchanged"
    );
    let r = app
        .http
        .get(&url)
        .bearer_auth(&token)
        .header("range", "bytes=8388600-8388700")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(r.bytes().await.unwrap().as_ref(), &data[8_388_600..=8_388_700]);
    // What sits in the bucket is not the plaintext, and tampering with it is detected.
    let key = app.state.db.versions(id.parse().unwrap()).await.unwrap()[0]
        .blob_key
        .clone();
    let raw = app.state.blobs.raw(&key).await.unwrap();
    assert!(!raw.windows(20).any(|w| w == b"S3-PLAINTEXT-MARKER "));
    let mut bad = raw.to_vec();
    let at = bad.len() / 2;
    bad[at] ^= 1;
    app.state.blobs.put_raw(&key, bad.into()).await.unwrap();
    let fresh = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    if let Ok(r) = fresh.get(&url).bearer_auth(&token).send().await {
        assert!(r.bytes().await.is_err(), "a tampered S3 object is never served as good");
    }
    // The object store goes away: an upload is a 503 with Retry-After, nothing half-kept;
    // what needs only the database still answers.
    drop(moto);
    let before = app.get("/api/v1/documents", &token).await.ok(200)["items"]
        .as_array()
        .unwrap()
        .len();
    let r = app
        .upload_to(
            "/api/v1/documents",
            &token,
            "Позже.txt",
            b"when the store is back".to_vec(),
        )
        .await;
    r.problem(503);
    assert!(r.headers.contains_key("retry-after"), "{:?}", r.headers);
    assert!(
        r.body["detail"].as_str().unwrap().contains("Хранилище файлов"),
        "{}",
        r.body
    );
    let after = app.get("/api/v1/documents", &token).await.ok(200)["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(after, before, "no document without its file");
}
