//! Documents through the API (issue: documents): files encrypted and streamed, statuses,
//! responsibility, sending, inboxes, history, trash, and the reading rule.

use crate::both_backends;
use crate::helpers::{files_under, spawn_app, spawn_app_with, Backend, TestApp};
use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use svitok_core::documents::Status;

both_backends!(
    files_round_trip_encrypted_with_their_names,
    a_tampered_or_truncated_blob_is_never_served_as_good,
    uploads_over_the_limit_are_413_and_leave_nothing,
    a_stranger_gets_404_on_every_route_and_never_sees_it_listed,
    every_allowed_status_move_works_and_every_other_is_409,
    sending_to_a_group_reaches_its_members_inboxes,
    responsibility_changes_and_taking_from_the_group,
    a_group_with_documents_cannot_be_deleted,
    the_trash_and_the_history,
    cards_lists_and_filters,
);

async fn upload(app: &TestApp, token: &str, name: &str, data: Vec<u8>, title: Option<&str>) -> Value {
    let mut form = Form::new().part(
        "file",
        Part::bytes(data)
            .file_name(name.to_string())
            .mime_str("application/pdf")
            .unwrap(),
    );
    if let Some(t) = title {
        form = form.text("title", t.to_string()).text("kind", "Приказ");
    }
    let r = app
        .send(
            app.http
                .post(app.url("/api/v1/documents"))
                .bearer_auth(token)
                .multipart(form),
        )
        .await;
    r.ok(201).clone()
}

async fn download(app: &TestApp, token: &str, id: &str, n: i64) -> reqwest::Response {
    app.http
        .get(app.url(&format!("/api/v1/documents/{id}/versions/{n}/content")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn files_round_trip_encrypted_with_their_names(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    let ten_mib: Vec<u8> = (0..10 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    let marker = b"SVITOK-PLAINTEXT-MARKER ".repeat(100);
    for (name, data) in [
        ("empty.txt", Vec::new()),
        ("one.bin", vec![42u8]),
        ("big.bin", ten_mib),
        ("Приказ №5 о премии «за качество».pdf", marker.clone()),
    ] {
        let doc = upload(&app, &token, name, data.clone(), None).await;
        assert_eq!(doc["title"], name, "the title defaults to the file name");
        assert_eq!(doc["status"], "draft");
        assert_eq!(doc["responsible"], json!({"kind": "user", "id": doc["owner"]}));
        let v = &doc["versions"][0];
        assert_eq!(v["number"], 1);
        assert_eq!(v["size"], data.len());
        assert_eq!(v["sha256"], hex::encode(Sha256::digest(&data)));
        let r = download(&app, &token, doc["id"].as_str().unwrap(), 1).await;
        assert_eq!(r.status(), 200);
        let cd = r.headers()["content-disposition"].to_str().unwrap().to_string();
        assert!(cd.starts_with("attachment;"), "{cd}");
        let encoded: String = percent(name);
        assert!(cd.contains(&format!("filename*=UTF-8''{encoded}")), "{cd}");
        assert_eq!(r.headers()["content-length"].to_str().unwrap(), data.len().to_string());
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert_eq!(r.bytes().await.unwrap().as_ref(), data.as_slice());
    }
    // Nothing on disk is the plaintext.
    for entry in files_under(&app.data_dir.join("blobs")) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !bytes.windows(23).any(|w| w == &marker[..23]),
            "plaintext in {}",
            entry.display()
        );
    }
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn a_tampered_or_truncated_blob_is_never_served_as_good(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    let data: Vec<u8> = (0..300_000).map(|i| (i % 256) as u8).collect();
    let doc = upload(&app, &token, "report.bin", data.clone(), Some("Отчёт")).await;
    let id = doc["id"].as_str().unwrap();
    let blobs = files_under(&app.data_dir.join("blobs"));
    assert_eq!(blobs.len(), 1);
    let original = std::fs::read(&blobs[0]).unwrap();
    let mut flipped = original.clone();
    let at = original.len() - 1000;
    flipped[at] ^= 0x01;
    let truncated = original[..original.len() - 70_000].to_vec();
    // A response cut short closes its connection: use a fresh one for each try.
    let fresh = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let url = app.url(&format!("/api/v1/documents/{id}/versions/1/content"));
    for (name, bad) in [("flipped", flipped), ("truncated", truncated)] {
        std::fs::write(&blobs[0], &bad).unwrap();
        let r = fresh.get(&url).bearer_auth(&token).send().await;
        // Headers go out before the end is checked: the body must then fail, never end
        // cleanly with wrong bytes.
        if let Ok(r) = r {
            if let Ok(body) = r.bytes().await {
                panic!(
                    "{name}: served {} bytes as if good (equal: {})",
                    body.len(),
                    body.as_ref() == data.as_slice()
                );
            }
        }
    }
    std::fs::write(&blobs[0], &original).unwrap();
    assert_eq!(
        download(&app, &token, id, 1).await.bytes().await.unwrap().as_ref(),
        data.as_slice()
    );
}

async fn uploads_over_the_limit_are_413_and_leave_nothing(b: Backend) {
    let app = spawn_app_with(b, |c| c.max_upload = "100KiB".into()).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    let r = app
        .upload_to("/api/v1/documents", &token, "big.bin", vec![0u8; 200 * 1024])
        .await;
    r.problem(413);
    let list = app.get("/api/v1/documents", &token).await;
    assert_eq!(list.ok(200)["items"].as_array().unwrap().len(), 0, "no half document");
    assert!(
        files_under(&app.data_dir.join("blobs")).is_empty(),
        "no blob left behind"
    );
    // Within the limit it works.
    upload(&app, &token, "small.bin", vec![1u8; 50 * 1024], None).await;
}

async fn a_stranger_gets_404_on_every_route_and_never_sees_it_listed(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let owner = app.login(&a).await;
    let s = app.register("stranger").await;
    let stranger = app.login(&s).await;
    let doc = upload(&app, &owner, "secret.pdf", b"secret".to_vec(), Some("Секретный приказ")).await;
    let id = doc["id"].as_str().unwrap();
    let someone = json!([{"kind": "user", "id": doc["owner"]}]);
    let routes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/api/v1/documents/{id}"), None),
        (
            Method::PATCH,
            format!("/api/v1/documents/{id}"),
            Some(json!({"title": "x"})),
        ),
        (Method::DELETE, format!("/api/v1/documents/{id}"), None),
        (Method::POST, format!("/api/v1/documents/{id}/restore"), None),
        (Method::GET, format!("/api/v1/documents/{id}/versions"), None),
        (
            Method::POST,
            format!("/api/v1/documents/{id}/versions"),
            Some(json!({})),
        ),
        (Method::GET, format!("/api/v1/documents/{id}/versions/1/content"), None),
        (Method::GET, format!("/api/v1/documents/{id}/history"), None),
        (
            Method::POST,
            format!("/api/v1/documents/{id}/status"),
            Some(json!({"status": "in_review"})),
        ),
        (
            Method::POST,
            format!("/api/v1/documents/{id}/responsible"),
            Some(json!({"kind": "user", "id": doc["owner"]})),
        ),
        (
            Method::POST,
            format!("/api/v1/documents/{id}/send"),
            Some(json!({"to": someone})),
        ),
        (
            Method::POST,
            format!("/api/v1/documents/{id}/forward"),
            Some(json!({"to": someone})),
        ),
    ];
    for (m, path, body) in routes {
        let r = app.call(m.clone(), &path, Some(&stranger), body).await;
        assert_eq!(r.status, 404, "{m} {path}: {}", r.body);
        r.problem(404);
    }
    // The same answer as for a document that does not exist at all.
    let ghost = app
        .get(&format!("/api/v1/documents/{}", uuid::Uuid::new_v4()), &stranger)
        .await;
    let seen = app.get(&format!("/api/v1/documents/{id}"), &stranger).await;
    assert_eq!(ghost.body, seen.body);
    assert_eq!(
        app.get("/api/v1/documents", &stranger).await.ok(200)["items"],
        json!([])
    );
    assert_eq!(app.get("/api/v1/inbox", &stranger).await.ok(200)["total"], 0);
    // An administrator holding every right gets no document access either.
    let k = app.register("kadry").await;
    let kadry = app.login(&k).await;
    let kid = app.user_id(&kadry).await;
    let all = svitok_core::rights::Rights::all();
    app.state
        .db
        .set_rights_guarded(kid, all, svitok_core::rights::Rights::NONE, 0)
        .await
        .unwrap();
    assert_eq!(
        app.get("/api/v1/me", &kadry).await.ok(200)["rights"]["manage_users"],
        true
    );
    app.get(&format!("/api/v1/documents/{id}"), &kadry).await.problem(404);
    app.get(&format!("/api/v1/documents/{id}/versions/1/content"), &kadry)
        .await
        .problem(404);
    // Refusals are audited.
    let denied = app.state.db.audit_page(0, 10_000).await.unwrap();
    let on_documents = denied
        .iter()
        .filter(|e| e.action == "access.denied" && e.details.contains("\"operation\":\"document."))
        .count();
    assert!(on_documents >= 12, "{on_documents} document refusals audited");
}

async fn every_allowed_status_move_works_and_every_other_is_409(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    let me = app.user_id(&token).await;
    for from in Status::ALL {
        for to in Status::ALL {
            let r = app
                .post_as(
                    "/api/v1/documents",
                    &token,
                    json!({"title": format!("{from:?} → {to:?}")}),
                )
                .await;
            let id: svitok_core::ids::DocumentId = r.ok(201)["id"].as_str().unwrap().parse().unwrap();
            if from != Status::Draft {
                // Put the document where the case starts (signed is reachable only by signing).
                let e = svitok_db::Event {
                    actor: me,
                    action: "test",
                    details: json!({}),
                };
                let mut tx = app.state.db.begin().await.unwrap();
                assert!(tx
                    .set_document_status(id, Status::Draft, from, &e, app.state.now())
                    .await
                    .unwrap());
                tx.commit().await.unwrap();
            }
            let r = app
                .post_as(
                    &format!("/api/v1/documents/{id}/status"),
                    &token,
                    json!({"status": to.as_str()}),
                )
                .await;
            if from.next().contains(&to) {
                assert_eq!(r.ok(200)["status"], to.as_str(), "{from:?} → {to:?}");
            } else {
                r.problem(409);
                let allowed: Vec<&str> = from.next().iter().map(|s| s.as_str()).collect();
                assert_eq!(r.body["allowed"], json!(allowed), "{from:?} → {to:?}");
            }
        }
    }
    app.post_as(
        &format!("/api/v1/documents/{}/status", uuid::Uuid::new_v4()),
        &token,
        json!({"status": "nope"}),
    )
    .await
    .problem(422);
}

async fn sending_to_a_group_reaches_its_members_inboxes(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let (o, _) = app
        .invite(
            &admin,
            "owner",
            &["manage_own_documents", "send_documents", "create_documents"],
        )
        .await;
    let owner = app.login(&o).await;
    let (m1, m1_id) = app.invite(&admin, "member1", &["send_documents"]).await;
    let (m2, m2_id) = app.invite(&admin, "member2", &[]).await;
    let (x, x_id) = app.invite(&admin, "outsider", &[]).await;
    let g = app
        .post_as("/api/v1/groups", &admin, json!({"name": "Бухгалтерия"}))
        .await;
    let gid = g.ok(201)["id"].as_str().unwrap().to_string();
    for u in [&m1_id, &m2_id] {
        app.put(&format!("/api/v1/groups/{gid}/members/{u}"), &admin, json!({}))
            .await;
    }
    let doc = upload(&app, &owner, "invoice.pdf", b"invoice".to_vec(), Some("Счёт №17")).await;
    let id = doc["id"].as_str().unwrap().to_string();
    let r = app
        .post_as(
            &format!("/api/v1/documents/{id}/send"),
            &owner,
            json!({"to": [{"kind": "group", "id": gid}], "comment": "Оплатить до пятницы"}),
        )
        .await;
    assert_eq!(r.ok(200)["sent"], 1);
    // Each member is told by mail, in the background.
    app.mail.next(&m1.email).await;
    app.mail.next(&m2.email).await;
    let t1 = app.login(&m1).await;
    let t2 = app.login(&m2).await;
    let tx = app.login(&x).await;
    for t in [&t1, &t2] {
        let inbox = app.get("/api/v1/inbox", t).await;
        let inbox = inbox.ok(200);
        assert_eq!(inbox["total"], 1);
        assert_eq!(inbox["items"][0]["document"]["id"], id.as_str());
        assert_eq!(inbox["items"][0]["comment"], "Оплатить до пятницы");
        assert_eq!(inbox["items"][0]["read"], false);
    }
    app.get(&format!("/api/v1/documents/{id}"), &t1).await.ok(200);
    assert_eq!(
        app.get("/api/v1/inbox", &t1).await.ok(200)["items"][0]["read"],
        true,
        "opening marks it read"
    );
    assert_eq!(
        app.get("/api/v1/inbox", &t2).await.ok(200)["items"][0]["read"],
        false,
        "per user"
    );
    app.get(&format!("/api/v1/documents/{id}"), &tx).await.problem(404);
    // A member without send_documents cannot forward; one with it can.
    let fwd = json!({"to": [{"kind": "user", "id": x_id}], "comment": "Посмотрите"});
    app.post_as(&format!("/api/v1/documents/{id}/forward"), &t2, fwd.clone())
        .await
        .problem(403);
    app.post_as(&format!("/api/v1/documents/{id}/forward"), &t1, fwd)
        .await
        .ok(200);
    app.get(&format!("/api/v1/documents/{id}"), &tx).await.ok(200);
    // The owner is no recipient: it sends, it does not forward.
    app.post_as(
        &format!("/api/v1/documents/{id}/forward"),
        &owner,
        json!({"to": [{"kind": "user", "id": x_id}]}),
    )
    .await
    .problem(403);
    // Members see it among the group's documents; outsiders may not list them.
    let gd = app.get(&format!("/api/v1/groups/{gid}/documents"), &t2).await;
    assert_eq!(gd.ok(200)["items"][0]["id"], id.as_str());
    app.get(&format!("/api/v1/groups/{gid}/documents"), &tx)
        .await
        .problem(403);
    // Removing a member removes its access at once.
    app.delete(&format!("/api/v1/groups/{gid}/members/{m2_id}"), &admin)
        .await;
    app.get(&format!("/api/v1/documents/{id}"), &t2).await.problem(404);
    let history = app.get(&format!("/api/v1/documents/{id}/history"), &owner).await;
    let actions: Vec<&str> = history
        .ok(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"sent") && actions.contains(&"forwarded"),
        "{actions:?}"
    );
}

async fn responsibility_changes_and_taking_from_the_group(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let (o, _) = app
        .invite(&admin, "owner", &["create_documents", "send_documents"])
        .await;
    let owner = app.login(&o).await;
    let (m, m_id) = app.invite(&admin, "member", &[]).await;
    let member = app.login(&m).await;
    let (_, other_id) = app.invite(&admin, "other", &[]).await;
    let g = app.post_as("/api/v1/groups", &admin, json!({"name": "Юристы"})).await;
    let gid = g.ok(201)["id"].as_str().unwrap().to_string();
    app.put(&format!("/api/v1/groups/{gid}/members/{m_id}"), &admin, json!({}))
        .await;
    let r = app
        .post_as(
            "/api/v1/documents",
            &owner,
            json!({"title": "Договор", "responsible": {"kind": "group", "id": gid}}),
        )
        .await;
    let id = r.ok(201)["id"].as_str().unwrap().to_string();
    assert_eq!(r.body["responsible"], json!({"kind": "group", "id": gid}));
    // A member of the responsible group reads it and takes it.
    app.get(&format!("/api/v1/documents/{id}"), &member).await.ok(200);
    // It may not give it to someone else: it is not (yet) the responsible party itself…
    // …but as a member of the responsible group it is; taking is the case tested here.
    let r = app
        .post_as(
            &format!("/api/v1/documents/{id}/responsible"),
            &member,
            json!({"kind": "user", "id": m_id}),
        )
        .await;
    assert_eq!(r.ok(200)["responsible"], json!({"kind": "user", "id": m_id}));
    // The owner hands it on; the member, no longer responsible nor recipient, loses it.
    let r = app
        .post_as(
            &format!("/api/v1/documents/{id}/responsible"),
            &owner,
            json!({"kind": "user", "id": other_id}),
        )
        .await;
    r.ok(200);
    app.get(&format!("/api/v1/documents/{id}"), &member).await.problem(404);
    // Unknown parties are refused.
    app.post_as(
        &format!("/api/v1/documents/{id}/responsible"),
        &owner,
        json!({"kind": "group", "id": uuid::Uuid::new_v4()}),
    )
    .await
    .problem(422);
    // Sending with hand-over makes the recipient responsible.
    let r = app
        .post_as(
            &format!("/api/v1/documents/{id}/send"),
            &owner,
            json!({"to": [{"kind": "user", "id": m_id}], "hand_over": true}),
        )
        .await;
    r.ok(200);
    let card = app.get(&format!("/api/v1/documents/{id}"), &member).await;
    assert_eq!(card.ok(200)["responsible"], json!({"kind": "user", "id": m_id}));
    app.post_as(
        &format!("/api/v1/documents/{id}/send"),
        &owner,
        json!({"to": [{"kind": "user", "id": m_id}, {"kind": "group", "id": gid}], "hand_over": true}),
    )
    .await
    .problem(422);
}

async fn a_group_with_documents_cannot_be_deleted(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let g = app.post_as("/api/v1/groups", &admin, json!({"name": "Архив"})).await;
    let gid = g.ok(201)["id"].as_str().unwrap().to_string();
    let r = app
        .post_as(
            "/api/v1/documents",
            &admin,
            json!({"title": "Опись", "responsible": {"kind": "group", "id": gid}}),
        )
        .await;
    let id = r.ok(201)["id"].as_str().unwrap().to_string();
    let r = app.delete(&format!("/api/v1/groups/{gid}"), &admin).await;
    r.problem(409);
    assert!(r.body["detail"].as_str().unwrap().contains("документы"));
    let me = app.user_id(&admin).await;
    app.post_as(
        &format!("/api/v1/documents/{id}/responsible"),
        &admin,
        json!({"kind": "user", "id": me}),
    )
    .await
    .ok(200);
    assert_eq!(app.delete(&format!("/api/v1/groups/{gid}"), &admin).await.status, 204);
}

async fn the_trash_and_the_history(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    let doc = upload(&app, &token, "v1.txt", b"first".to_vec(), Some("Положение")).await;
    let id = doc["id"].as_str().unwrap().to_string();
    let r = app
        .upload_to(
            &format!("/api/v1/documents/{id}/versions"),
            &token,
            "v2.txt",
            b"second".to_vec(),
        )
        .await;
    assert_eq!(r.ok(201)["number"], 2);
    assert_eq!(
        download(&app, &token, &id, 2).await.bytes().await.unwrap().as_ref(),
        b"second"
    );
    assert_eq!(
        download(&app, &token, &id, 1).await.bytes().await.unwrap().as_ref(),
        b"first"
    );
    app.get(&format!("/api/v1/documents/{id}/versions/3/content"), &token)
        .await
        .problem(404);
    app.post_as(
        &format!("/api/v1/documents/{id}/status"),
        &token,
        json!({"status": "in_progress"}),
    )
    .await
    .ok(200);
    assert_eq!(app.delete(&format!("/api/v1/documents/{id}"), &token).await.status, 204);
    assert_eq!(app.get("/api/v1/documents", &token).await.ok(200)["items"], json!([]));
    let trash = app.get("/api/v1/documents?deleted=true", &token).await;
    assert_eq!(trash.ok(200)["items"][0]["id"], id.as_str());
    assert_eq!(
        app.post_as(&format!("/api/v1/documents/{id}/restore"), &token, json!({}))
            .await
            .status,
        204
    );
    assert_eq!(
        app.get("/api/v1/documents", &token).await.ok(200)["items"][0]["id"],
        id.as_str()
    );
    let history = app.get(&format!("/api/v1/documents/{id}/history"), &token).await;
    let actions: Vec<String> = history
        .ok(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        actions,
        [
            "created",
            "version_added",
            "downloaded",
            "downloaded",
            "status_changed",
            "deleted",
            "restored"
        ],
    );
}

async fn cards_lists_and_filters(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    for (title, kind) in [
        ("Приказ о премии", "Приказ"),
        ("Заявление на отпуск", "Заявление"),
        ("Приказ об отпуске", "Приказ"),
    ] {
        app.post_as(
            "/api/v1/documents",
            &token,
            json!({"title": title, "kind": kind, "due_date": "2026-12-31"}),
        )
        .await
        .ok(201);
        app.advance(time::Duration::seconds(1));
    }
    let r = app
        .get("/api/v1/documents?kind=%D0%9F%D1%80%D0%B8%D0%BA%D0%B0%D0%B7", &token)
        .await; // Приказ
    assert_eq!(r.ok(200)["items"].as_array().unwrap().len(), 2);
    let r = app
        .get("/api/v1/documents?q=%D0%9E%D0%A2%D0%9F%D0%A3%D0%A1%D0%9A", &token)
        .await; // ОТПУСК
    assert_eq!(
        r.ok(200)["items"].as_array().unwrap().len(),
        2,
        "full-text, any case, any form of the word"
    );
    // премии приказ: every word must match.
    let r = app
        .get(
            "/api/v1/documents?q=%D0%BF%D1%80%D0%B5%D0%BC%D0%B8%D0%B8%20%D0%BF%D1%80%D0%B8%D0%BA%D0%B0%D0%B7",
            &token,
        )
        .await;
    assert_eq!(r.ok(200)["items"].as_array().unwrap().len(), 1, "all words must match");
    // Search syntax in the input is only text.
    app.get("/api/v1/documents?q=%22%20OR%20*", &token).await.ok(200);
    // Keyset pages, newest change first, each document once.
    let p1 = app.get("/api/v1/documents?limit=2", &token).await.ok(200).clone();
    assert_eq!(p1["items"][0]["title"], "Приказ об отпуске");
    let cursor = p1["next_cursor"].as_str().unwrap();
    let p2 = app
        .get(&format!("/api/v1/documents?limit=2&cursor={cursor}"), &token)
        .await
        .ok(200)
        .clone();
    assert_eq!(p2["items"].as_array().unwrap().len(), 1);
    assert_eq!(p2["items"][0]["title"], "Приказ о премии");
    assert!(p2["next_cursor"].is_null());
    let r = app
        .get("/api/v1/documents?due_before=2027-01-01&status=draft", &token)
        .await;
    assert_eq!(r.ok(200)["items"].as_array().unwrap().len(), 3);
    // Editing the card.
    let id = p2["items"][0]["id"].as_str().unwrap();
    let r = app
        .patch(
            &format!("/api/v1/documents/{id}"),
            &token,
            json!({"reg_number": "17-к", "due_date": "", "description": "Согласовать с бухгалтерией"}),
        )
        .await;
    assert_eq!(r.ok(200)["reg_number"], "17-к");
    assert!(r.body["due_date"].is_null());
    // The edited card is found by its new words (бухгалтерией); another user finds nothing (отпуск).
    let r = app
        .get(
            "/api/v1/documents?q=%D0%B1%D1%83%D1%85%D0%B3%D0%B0%D0%BB%D1%82%D0%B5%D1%80%D0%B8%D0%B5%D0%B9",
            &token,
        )
        .await;
    assert_eq!(r.ok(200)["items"][0]["id"], id);
    let other = app.register("sidorov").await;
    let other = app.login(&other).await;
    let r = app
        .get("/api/v1/documents?q=%D0%BE%D1%82%D0%BF%D1%83%D1%81%D0%BA", &other)
        .await;
    assert_eq!(r.ok(200)["items"], json!([]));
    // Bad input.
    for bad in [
        "/api/v1/documents?cursor=zzz",
        "/api/v1/documents?limit=0",
        "/api/v1/documents?due_before=soon",
        "/api/v1/documents?created_from=yesterday",
        "/api/v1/documents?responsible_kind=user",
    ] {
        app.get(bad, &token).await.problem(422);
    }
    app.get("/api/v1/documents?status=lost", &token).await.problem(400);
    for body in [
        json!({"title": ""}),
        json!({"title": "x".repeat(501)}),
        json!({"title": "x", "due_date": "31.12.2026"}),
        json!({"title": "x", "responsible": {"kind": "user", "id": uuid::Uuid::new_v4()}}),
    ] {
        app.post_as("/api/v1/documents", &token, body).await.problem(422);
    }
    // A user without create_documents may not create cards.
    let b2 = app.register("petrov").await;
    let t2 = app.login(&b2).await;
    let id2 = app.user_id(&t2).await;
    app.state
        .db
        .set_rights_guarded(
            id2,
            svitok_core::rights::Rights::NONE,
            svitok_core::rights::Rights::NONE,
            0,
        )
        .await
        .unwrap();
    app.post_as("/api/v1/documents", &t2, json!({"title": "x"}))
        .await
        .problem(403);
    let r = app.upload_to("/api/v1/documents", &t2, "a.bin", vec![1u8]).await;
    r.problem(403);
}

both_backends!(ranges_are_served_as_206_and_bad_ones_as_416);

async fn ranges_are_served_as_206_and_bad_ones_as_416(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    let data: Vec<u8> = (0..200_000).map(|i| (i % 253) as u8).collect();
    let doc = upload(&app, &token, "scan.pdf", data.clone(), Some("Скан")).await;
    let url = app.url(&format!(
        "/api/v1/documents/{}/versions/1/content",
        doc["id"].as_str().unwrap()
    ));
    for (spec, from, to) in [
        ("bytes=0-99", 0, 99),
        ("bytes=65530-65545", 65530, 65545),
        ("bytes=199990-", 199_990, 199_999),
        ("bytes=-10", 199_990, 199_999),
        ("bytes=100-999999", 100, 199_999),
    ] {
        let r = app
            .http
            .get(&url)
            .bearer_auth(&token)
            .header("range", spec)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 206, "{spec}");
        assert_eq!(
            r.headers()["content-range"],
            format!("bytes {from}-{to}/200000").as_str(),
            "{spec}"
        );
        assert_eq!(r.bytes().await.unwrap().as_ref(), &data[from..=to], "{spec}");
    }
    let r = app
        .http
        .get(&url)
        .bearer_auth(&token)
        .header("range", "bytes=200000-")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 416);
    assert_eq!(r.headers()["content-range"], "bytes */200000");
    // Several ranges or other units: the whole file.
    let r = app
        .http
        .get(&url)
        .bearer_auth(&token)
        .header("range", "bytes=0-1,5-6")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["accept-ranges"], "bytes");
    assert_eq!(r.bytes().await.unwrap().len(), 200_000);
}

both_backends!(the_inbox_follows_membership_and_counts_unread);

async fn the_inbox_follows_membership_and_counts_unread(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let (j, j_id) = app.invite(&admin, "joiner", &[]).await;
    let joiner = app.login(&j).await;
    let g = app
        .post_as("/api/v1/groups", &admin, json!({"name": "Канцелярия"}))
        .await;
    let gid = g.ok(201)["id"].as_str().unwrap().to_string();
    let mut ids = Vec::new();
    for title in ["Письмо 1", "Письмо 2", "Письмо 3"] {
        let d = app.post_as("/api/v1/documents", &admin, json!({"title": title})).await;
        let id = d.ok(201)["id"].as_str().unwrap().to_string();
        app.post_as(
            &format!("/api/v1/documents/{id}/send"),
            &admin,
            json!({"to": [{"kind": "group", "id": gid}]}),
        )
        .await
        .ok(200);
        app.advance(time::Duration::seconds(1));
        ids.push(id);
    }
    assert_eq!(app.get("/api/v1/inbox", &joiner).await.ok(200)["total"], 0);
    // Joining the group brings what was sent to it, unread.
    app.put(&format!("/api/v1/groups/{gid}/members/{j_id}"), &admin, json!({}))
        .await;
    let inbox = app.get("/api/v1/inbox", &joiner).await.ok(200).clone();
    assert_eq!((inbox["total"].as_i64(), inbox["unread"].as_i64()), (Some(3), Some(3)));
    assert_eq!(inbox["items"][0]["document"]["title"], "Письмо 3", "newest first");
    // Reading one moves it after the unread ones.
    app.get(&format!("/api/v1/documents/{}", ids[2]), &joiner).await.ok(200);
    let inbox = app.get("/api/v1/inbox", &joiner).await.ok(200).clone();
    assert_eq!(inbox["unread"], 2);
    let order: Vec<(&str, bool)> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["document"]["title"].as_str().unwrap(), i["read"].as_bool().unwrap()))
        .collect();
    assert_eq!(order, [("Письмо 2", false), ("Письмо 1", false), ("Письмо 3", true)]);
    // A document in the trash leaves the inbox, and comes back with it.
    assert_eq!(
        app.delete(&format!("/api/v1/documents/{}", ids[0]), &admin)
            .await
            .status,
        204
    );
    assert_eq!(app.get("/api/v1/inbox", &joiner).await.ok(200)["total"], 2);
    app.post_as(&format!("/api/v1/documents/{}/restore", ids[0]), &admin, json!({}))
        .await;
    assert_eq!(app.get("/api/v1/inbox", &joiner).await.ok(200)["total"], 3);
    // Leaving the group takes its items away.
    app.delete(&format!("/api/v1/groups/{gid}/members/{j_id}"), &admin)
        .await;
    assert_eq!(app.get("/api/v1/inbox", &joiner).await.ok(200)["total"], 0);
}

both_backends!(lists_sort_by_any_field_with_pages_and_total);

async fn lists_sort_by_any_field_with_pages_and_total(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let (other, _) = app.invite(&admin, "other", &["create_documents"]).await;
    let other = app.login(&other).await;
    app.post_as("/api/v1/documents", &other, json!({"title": "Аааа чужой"}))
        .await
        .ok(201);
    for (title, due) in [
        ("Альфа", Some("2026-12-10")),
        ("Бета", None),
        ("Вега", Some("2026-12-01")),
    ] {
        app.advance(time::Duration::seconds(1));
        let mut body = json!({"title": title});
        if let Some(d) = due {
            body["due_date"] = json!(d);
        }
        app.post_as("/api/v1/documents", &admin, body).await.ok(201);
    }
    let titles = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["title"].as_str().unwrap().to_string())
            .collect()
    };
    for (sort, want) in [
        ("title", ["Альфа", "Бета", "Вега"]),
        ("-title", ["Вега", "Бета", "Альфа"]),
        ("created_at", ["Альфа", "Бета", "Вега"]),
        ("-created_at", ["Вега", "Бета", "Альфа"]),
        ("-updated_at", ["Вега", "Бета", "Альфа"]),
        ("updated_at", ["Альфа", "Бета", "Вега"]),
        ("due_date", ["Вега", "Альфа", "Бета"]),
        ("-due_date", ["Альфа", "Вега", "Бета"]),
    ] {
        let r = app.get(&format!("/api/v1/documents?sort={sort}"), &admin).await;
        let body = r.ok(200);
        assert_eq!(titles(body), want, "{sort}");
        assert!(body.get("total").is_none(), "no count unless asked");
    }
    // Pages of two in title order, with the total.
    let r = app.get("/api/v1/documents?sort=title&limit=2&total=true", &admin).await;
    let first = r.ok(200).clone();
    assert_eq!(titles(&first), ["Альфа", "Бета"]);
    assert_eq!(first["total"], 3, "only what the caller may read is counted");
    let cursor = first["next_cursor"].as_str().unwrap();
    let r = app
        .get(&format!("/api/v1/documents?sort=title&limit=2&cursor={cursor}"), &admin)
        .await;
    let second = r.ok(200);
    assert_eq!(titles(second), ["Вега"]);
    assert!(second["next_cursor"].is_null());
    let r = app
        .get("/api/v1/documents?q=%D0%B1%D0%B5%D1%82%D0%B0&total=true", &admin)
        .await;
    assert_eq!(r.ok(200)["total"], 1, "the total follows the filter");
    assert_eq!(app.get("/api/v1/documents?sort=size", &admin).await.status, 422);
    assert_eq!(
        app.get("/api/v1/documents?sort=title&cursor=bm9wZQ", &admin)
            .await
            .status,
        422,
        "a cursor of another order"
    );
}

both_backends!(a_members_list_merges_its_own_and_its_groups_documents_once);

/// A user in no group has its list walked directly; a group member's merges one walk per
/// principal. Both give each readable document once, newest change first, page by page.
async fn a_members_list_merges_its_own_and_its_groups_documents_once(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let (m, m_id) = app.invite(&admin, "member", &[]).await;
    let member = app.login(&m).await;
    let g = app
        .post_as("/api/v1/groups", &admin, json!({"name": "Бухгалтерия"}))
        .await;
    let gid = g.ok(201)["id"].as_str().unwrap().to_string();
    app.put(&format!("/api/v1/groups/{gid}/members/{m_id}"), &admin, json!({}))
        .await;
    let user = json!({"kind": "user", "id": m_id});
    let group = json!({"kind": "group", "id": gid});
    let sends = [
        ("Лично", vec![user.clone()]),
        ("Группе", vec![group.clone()]),
        ("Обоим", vec![user, group]),
    ];
    for (title, to) in sends {
        let d = app.post_as("/api/v1/documents", &admin, json!({"title": title})).await;
        let id = d.ok(201)["id"].as_str().unwrap().to_string();
        app.post_as(&format!("/api/v1/documents/{id}/send"), &admin, json!({"to": to}))
            .await
            .ok(200);
        app.advance(time::Duration::seconds(1));
    }
    // Not addressed to the member at all.
    app.post_as("/api/v1/documents", &admin, json!({"title": "Чужое"}))
        .await
        .ok(201);
    let titles = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["title"].as_str().unwrap().to_string())
            .collect()
    };
    let p1 = app.get("/api/v1/documents?limit=2", &member).await.ok(200).clone();
    assert_eq!(titles(&p1), ["Обоим", "Группе"]);
    let cursor = p1["next_cursor"].as_str().unwrap();
    let p2 = app
        .get(&format!("/api/v1/documents?limit=2&cursor={cursor}"), &member)
        .await
        .ok(200)
        .clone();
    assert_eq!(titles(&p2), ["Лично"]);
    assert!(p2["next_cursor"].is_null());
    // The administrator (in no group) walks its own documents directly: all four, in order.
    let all = app.get("/api/v1/documents?limit=10", &admin).await.ok(200).clone();
    assert_eq!(titles(&all), ["Чужое", "Обоим", "Группе", "Лично"]);
}

both_backends!(uploaded_html_and_scripts_are_served_inert);

/// Issue 12, finding 13: a reader's file must not run as our origin in another reader's
/// browser, nor hide its real extension behind U+202E.
async fn uploaded_html_and_scripts_are_served_inert(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    for (mime, name, served) in [
        ("text/html", "отчёт.html", "application/octet-stream"),
        ("text/javascript", "run.js", "application/octet-stream"),
        ("image/svg+xml", "logo.svg", "application/octet-stream"),
        ("application/pdf", "счёт\u{202E}fdp.exe", "application/pdf"),
    ] {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(b"<script>alert(1)</script>".to_vec())
                .file_name(name.to_string())
                .mime_str(mime)
                .unwrap(),
        );
        let r = app
            .send(
                app.http
                    .post(app.url("/api/v1/documents"))
                    .bearer_auth(&token)
                    .multipart(form),
            )
            .await;
        let id = r.ok(201)["id"].as_str().unwrap().to_string();
        let file_name = r.body["versions"][0]["file_name"].as_str().unwrap().to_string();
        assert!(!file_name.contains('\u{202E}'), "{file_name:?}");
        let res = download(&app, &token, &id, 1).await;
        assert_eq!(res.headers()["content-type"], served, "{mime}");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert_eq!(res.headers()["content-security-policy"], "sandbox");
        let cd = res.headers()["content-disposition"].to_str().unwrap().to_string();
        assert!(!cd.contains("%E2%80%AE"), "{cd}");
    }
}

both_backends!(an_error_inside_an_access_check_denies);

/// SECURITY 32: when the facts an access check needs cannot be read, the answer is a
/// refusal (a 5xx problem), never the document.
async fn an_error_inside_an_access_check_denies(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let (r, rid) = app.invite(&admin, "reader", &["manage_own_documents"]).await;
    let reader = app.login(&r).await;
    let doc = upload(&app, &admin, "приказ.txt", b"secret".to_vec(), None).await;
    let id = doc["id"].as_str().unwrap();
    app.post_as(
        &format!("/api/v1/documents/{id}/send"),
        &admin,
        json!({"to": [{"kind": "user", "id": rid}]}),
    )
    .await
    .ok(200);
    app.get(&format!("/api/v1/documents/{id}"), &reader).await.ok(200);
    // The reader reads as a recipient, which the check looks up in transfers: break it.
    crate::helpers::raw_sql(&app, "ALTER TABLE transfers RENAME TO transfers_gone").await;
    for path in [
        format!("/api/v1/documents/{id}"),
        format!("/api/v1/documents/{id}/versions/1/content"),
    ] {
        let r = app.get(&path, &reader).await;
        assert!(r.status.is_server_error(), "{path}: {} {}", r.status, r.body);
        assert!(!r.body.to_string().contains("secret"), "{path} leaked the content");
    }
}
