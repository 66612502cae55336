//! The rights rules of SPEC §4, and every escalation attempt refused.

use crate::both_backends;
use crate::helpers::{rights_json, spawn_app, Backend};
use serde_json::json;

both_backends!(
    granting_a_right_one_lacks_is_refused,
    changing_ones_own_rights_is_refused,
    the_last_holders_of_grant_rights_and_manage_users_stay,
    blocking_oneself_or_the_last_administrator_is_refused,
    unknown_or_missing_right_names_are_refused,
    a_manager_without_grant_rights_creates_users_with_default_rights_only,
    taking_a_right_away_applies_to_the_very_next_request,
    rights_changes_are_audited_with_before_and_after,
    two_administrators_racing_cannot_remove_each_other,
);

async fn granting_a_right_one_lacks_is_refused(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let (g, _) = app.invite(&admin, "granter", &["grant_rights", "send_documents"]).await;
    let granter = app.login(&g).await;
    let (_, victim) = app.invite(&admin, "victim", &[]).await;
    let path = format!("/api/v1/users/{victim}/rights");
    app.put(&path, &granter, rights_json(&["send_documents"])).await.ok(200);
    let r = app
        .put(&path, &granter, rights_json(&["send_documents", "manage_users"]))
        .await;
    r.problem(403);
    assert!(r.body["detail"].as_str().unwrap().contains("manage_users"));
    assert_eq!(
        app.get(&path, &admin).await.ok(200).clone(),
        rights_json(&["send_documents"])
    );
    // A right it lacks cannot be revoked either.
    app.put(&path, &admin, rights_json(&["send_documents", "view_statistics"]))
        .await
        .ok(200);
    app.put(&path, &granter, rights_json(&["send_documents"]))
        .await
        .problem(403);
}

async fn changing_ones_own_rights_is_refused(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let me = app.get("/api/v1/me", &admin).await.ok(200)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/v1/users/{me}/rights");
    let all = app.get(&path, &admin).await.ok(200).clone();
    app.put(&path, &admin, all).await.problem(403);
    app.put(&path, &admin, rights_json(&["manage_users"]))
        .await
        .problem(403);
}

async fn the_last_holders_of_grant_rights_and_manage_users_stay(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let admin_id = app.get("/api/v1/me", &admin).await.ok(200)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (g, _) = app.invite(&admin, "granter", &["grant_rights"]).await;
    let granter = app.login(&g).await;
    // Two holders of grant_rights: one may take it from the other (only that right: the
    // granter may not touch rights it lacks, so the others stay as they are).
    let mut admin_rights = app
        .get(&format!("/api/v1/users/{admin_id}/rights"), &admin)
        .await
        .ok(200)
        .clone();
    admin_rights["grant_rights"] = json!(false);
    app.put(&format!("/api/v1/users/{admin_id}/rights"), &granter, admin_rights)
        .await
        .ok(200);
    // Through the API nobody can now remove the granter's: whoever could would hold the
    // right too. The operator's CLI is the remaining path, and it refuses as well.
    let out = crate::cli::run_cli(
        &app,
        &["user", "set-rights", "granter", "--revoke", "grant_rights"],
        None,
    );
    assert!(!out.0, "the CLI removed the last grant_rights: {}", out.1);
    assert!(out.1.contains("grant_rights"), "{}", out.1);
    let out = crate::cli::run_cli(&app, &["user", "set-rights", "admin", "--revoke", "manage_users"], None);
    assert!(!out.0, "the CLI removed the last manage_users: {}", out.1);
    // With a second holder it goes through.
    let out = crate::cli::run_cli(&app, &["user", "set-rights", "admin", "--grant", "grant_rights"], None);
    assert!(out.0, "{}", out.1);
    let out = crate::cli::run_cli(
        &app,
        &["user", "set-rights", "granter", "--revoke", "grant_rights"],
        None,
    );
    assert!(out.0, "{}", out.1);
    assert_eq!(
        app.get(&format!("/api/v1/users/{admin_id}/rights"), &admin)
            .await
            .ok(200)["grant_rights"],
        true
    );
}

async fn blocking_oneself_or_the_last_administrator_is_refused(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let admin_id = app.get("/api/v1/me", &admin).await.ok(200)["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.post_as(&format!("/api/v1/users/{admin_id}/block"), &admin, json!({}))
        .await
        .problem(403);
    let (m, _) = app.invite(&admin, "manager", &["manage_users"]).await;
    let manager = app.login(&m).await;
    // The admin holds rights the manager lacks: no control of a stronger account. (Whoever
    // is strong enough holds grant_rights and manage_users itself, so the last-holder rule
    // behind it is checked in the policy's own tests and by the guarded update.)
    let r = app
        .post_as(&format!("/api/v1/users/{admin_id}/block"), &manager, json!({}))
        .await;
    r.problem(403);
    app.get("/api/v1/me", &admin).await.ok(200);
}

async fn unknown_or_missing_right_names_are_refused(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let (_, id) = app.invite(&admin, "victim", &[]).await;
    let path = format!("/api/v1/users/{id}/rights");
    let mut unknown = rights_json(&[]);
    unknown["superuser"] = json!(true);
    app.put(&path, &admin, unknown).await.problem(422);
    app.put(&path, &admin, json!({"send_documents": true}))
        .await
        .problem(422);
    app.put(&path, &admin, json!({"send_documents": "yes"}))
        .await
        .problem(422);
}

async fn a_manager_without_grant_rights_creates_users_with_default_rights_only(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let (m, _) = app.invite(&admin, "kadry", &["manage_users"]).await;
    let hr = app.login(&m).await;
    let body = json!({"login": "newbie", "email": "newbie@example.ru", "last_name": "Н", "first_name": "Н",
                      "rights": rights_json(&["manage_users"])});
    app.post_as("/api/v1/users", &hr, body).await.problem(403);
    let r = app
        .post_as(
            "/api/v1/users",
            &hr,
            json!({"login": "newbie", "email": "newbie@example.ru", "last_name": "Н", "first_name": "Н"}),
        )
        .await;
    assert_eq!(
        r.ok(201)["rights"],
        rights_json(&["manage_own_documents", "send_documents", "create_documents"])
    );
    // An administrator with grant_rights may set rights, but only its own.
    let (g, _) = app
        .invite(&admin, "boss", &["manage_users", "grant_rights", "sign_documents"])
        .await;
    let boss = app.login(&g).await;
    let r = app
        .post_as(
            "/api/v1/users",
            &boss,
            json!({"login": "signer", "email": "signer@example.ru", "last_name": "П", "first_name": "П",
                                                "rights": rights_json(&["sign_documents"])}),
        )
        .await;
    assert_eq!(r.ok(201)["rights"], rights_json(&["sign_documents"]));
    app.post_as(
        "/api/v1/users",
        &boss,
        json!({"login": "stat", "email": "stat@example.ru", "last_name": "П", "first_name": "П",
                                               "rights": rights_json(&["view_statistics"])}),
    )
    .await
    .problem(403);
}

async fn taking_a_right_away_applies_to_the_very_next_request(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let (m, id) = app.invite(&admin, "kadry", &["manage_users"]).await;
    let hr = app.login(&m).await;
    app.get("/api/v1/users", &hr).await.ok(200);
    app.put(&format!("/api/v1/users/{id}/rights"), &admin, rights_json(&[]))
        .await
        .ok(200);
    app.get("/api/v1/users", &hr).await.problem(403);
    // And group membership: a removed member no longer sees the member list.
    let g = app
        .post_as("/api/v1/groups", &admin, json!({"name": "Отдел кадров"}))
        .await;
    let gid = g.ok(201)["id"].as_str().unwrap().to_string();
    app.put(&format!("/api/v1/groups/{gid}/members/{id}"), &admin, json!({}))
        .await;
    assert!(app.get(&format!("/api/v1/groups/{gid}"), &hr).await.ok(200)["members"].is_array());
    app.delete(&format!("/api/v1/groups/{gid}/members/{id}"), &admin).await;
    assert!(app.get(&format!("/api/v1/groups/{gid}"), &hr).await.ok(200)["members"].is_null());
}

async fn rights_changes_are_audited_with_before_and_after(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let (_, id) = app.invite(&admin, "ivanov", &["send_documents"]).await;
    app.put(
        &format!("/api/v1/users/{id}/rights"),
        &admin,
        rights_json(&["sign_documents"]),
    )
    .await
    .ok(200);
    let r = app
        .get(&format!("/api/v1/audit?action=rights&target={id}"), &admin)
        .await;
    let items = r.ok(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["action"], "rights.changed");
    assert_eq!(items[0]["details"]["before"], json!(["send_documents"]));
    assert_eq!(items[0]["details"]["after"], json!(["sign_documents"]));
    // Refusals are audited too.
    let (v, _) = app.invite(&admin, "plain", &[]).await;
    let plain = app.login(&v).await;
    app.put(&format!("/api/v1/users/{id}/rights"), &plain, rights_json(&[]))
        .await
        .problem(403);
    let r = app.get("/api/v1/audit?action=access.denied", &admin).await;
    let denied = r.ok(200)["items"].as_array().unwrap().clone();
    assert_eq!(denied[0]["details"]["operation"], "rights.set");
    assert_eq!(denied[0]["outcome"], "failure");
}

async fn two_administrators_racing_cannot_remove_each_other(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let admin_id = app.get("/api/v1/me", &admin).await.ok(200)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, sid) = app.invite(&admin, "second", &["grant_rights"]).await;
    let second = app.login(&s).await;
    // Only these two hold grant_rights. Each removes the other's at the same moment.
    let keep_manage = rights_json(&[
        "manage_own_documents",
        "send_documents",
        "create_documents",
        "sign_documents",
        "view_statistics",
        "manage_users",
    ]);
    let p1 = format!("/api/v1/users/{sid}/rights");
    let p2 = format!("/api/v1/users/{admin_id}/rights");
    let (r1, r2) = tokio::join!(
        app.put(&p1, &admin, rights_json(&[])),
        app.put(&p2, &second, keep_manage)
    );
    let ok = [r1.status.as_u16(), r2.status.as_u16()]
        .iter()
        .filter(|s| **s == 200)
        .count();
    assert_eq!(
        ok, 1,
        "exactly one wins: {} {} / {} {}",
        r1.status, r1.body, r2.status, r2.body
    );
    let holders = app.get("/api/v1/users?limit=200", &admin).await;
    let n = holders.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["rights"]["grant_rights"] == true)
        .count();
    assert_eq!(n, 1, "someone still holds grant_rights");
}
