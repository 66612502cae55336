//! No control of a stronger account (SPEC §4, issue 12 findings 1–3): what an
//! administrator, or a token, cannot do to gain rights it does not hold.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp, ORIGIN};
use reqwest::Method;
use serde_json::json;

both_backends!(
    manage_users_alone_cannot_take_over_a_stronger_account,
    an_email_change_by_an_administrator_waits_for_the_new_address,
    nobody_changes_their_own_group_memberships,
    an_api_token_in_the_cookie_is_no_credential,
);

/// A fresh step-up challenge of the caller and its mailed code.
async fn step_up(app: &TestApp, token: &str, email: &str) -> (String, String) {
    app.advance(time::Duration::seconds(61)); // one code a minute
    let s = app.post_as("/api/v1/auth/step-up", token, json!({})).await;
    let challenge = s.ok(200)["challenge"].as_str().unwrap().to_string();
    (challenge, app.mail.next_code(email).await)
}

async fn manage_users_alone_cannot_take_over_a_stronger_account(b: Backend) {
    let app = spawn_app(b).await;
    let (admin_account, admin) = app.admin().await;
    let admin_id = app.user_id(&admin).await;
    let (hr_account, _) = app.invite(&admin, "kadry", &["manage_users"]).await;
    let hr = app.login(&hr_account).await;

    // The attack of the review: move the administrator's address, then reset its password.
    app.patch(
        &format!("/api/v1/users/{admin_id}"),
        &hr,
        json!({"email": "attacker@example.ru"}),
    )
    .await
    .problem(422);
    let (challenge, code) = step_up(&app, &hr, &hr_account.email).await;
    let r = app
        .post_as(
            &format!("/api/v1/users/{admin_id}/email"),
            &hr,
            json!({"email": "attacker@example.ru", "challenge": challenge, "code": code}),
        )
        .await;
    r.problem(403);
    assert_eq!(
        app.mail.pending("attacker@example.ru"),
        0,
        "nothing mailed to the new address"
    );
    let me = app.get("/api/v1/me", &admin).await;
    assert_eq!(me.ok(200)["email"], admin_account.email);

    // Nor block or unblock it (the other way to take over: block, then unblock later).
    app.post_as(&format!("/api/v1/users/{admin_id}/block"), &hr, json!({}))
        .await
        .problem(403);
    app.post_as(&format!("/api/v1/users/{admin_id}/unblock"), &hr, json!({}))
        .await
        .problem(403);
    app.get("/api/v1/me", &admin).await.ok(200);

    // Each refusal is in the audit log under the operation's name.
    let r = app.get("/api/v1/audit?action=access.denied", &admin).await;
    let ops: Vec<String> = r.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["details"]["operation"].as_str().unwrap_or("").to_string())
        .collect();
    for op in ["users.email", "users.block", "users.unblock"] {
        assert!(ops.iter().any(|o| o == op), "{op} refusal not audited: {ops:?}");
    }

    // A user no stronger than the administrator is within reach.
    let (_, clerk_id) = app.invite(&admin, "clerk", &[]).await;
    app.post_as(&format!("/api/v1/users/{clerk_id}/block"), &hr, json!({}))
        .await
        .ok(204);
    app.post_as(&format!("/api/v1/users/{clerk_id}/unblock"), &hr, json!({}))
        .await
        .ok(204);
}

async fn an_email_change_by_an_administrator_waits_for_the_new_address(b: Backend) {
    let app = spawn_app(b).await;
    let (admin_account, admin) = app.admin().await;
    let (clerk_account, clerk_id) = app.invite(&admin, "clerk", &["send_documents"]).await;
    let path = format!("/api/v1/users/{clerk_id}/email");

    // Without the administrator's own fresh second factor: refused, nothing mailed.
    app.post_as(
        &path,
        &admin,
        json!({"email": "clerk.new@example.ru", "challenge": uuid::Uuid::now_v7(), "code": "000000"}),
    )
    .await
    .problem(422);
    assert_eq!(app.mail.pending("clerk.new@example.ru"), 0);

    let (challenge, code) = step_up(&app, &admin, &admin_account.email).await;
    let r = app
        .post_as(
            &path,
            &admin,
            json!({"email": "clerk.new@example.ru", "challenge": challenge, "code": code}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    // The second factor is spent.
    app.post_as(
        &path,
        &admin,
        json!({"email": "clerk.other@example.ru", "challenge": challenge, "code": code}),
    )
    .await
    .problem(422);
    // Nothing changes before the new address answers.
    let u = app.get(&format!("/api/v1/users/{clerk_id}"), &admin).await;
    assert_eq!(u.ok(200)["email"], clerk_account.email);
    let mailed = app.mail.next_code("clerk.new@example.ru").await;
    let confirm = format!("/api/v1/users/{clerk_id}/email/confirm");
    let wrong = if mailed == "000000" { "111111" } else { "000000" };
    app.post_as(&confirm, &admin, json!({"code": wrong})).await.problem(422);
    let u = app.post_as(&confirm, &admin, json!({"code": mailed})).await;
    assert_eq!(u.ok(200)["email"], "clerk.new@example.ru");
    // The old address is told.
    let notice = app.mail.next(&clerk_account.email).await;
    assert!(
        notice.subject.contains("clerk.new@example.ru") || notice.body.contains("clerk.new@example.ru"),
        "{notice:?}"
    );
    // The person signs in with the new address.
    let moved = crate::helpers::Account {
        login: "clerk.new@example.ru".into(),
        email: "clerk.new@example.ru".into(),
        password: clerk_account.password.clone(),
    };
    app.login(&moved).await;
}

async fn nobody_changes_their_own_group_memberships(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let (hr_account, hr_id) = app.invite(&admin, "kadry", &["manage_users"]).await;
    let hr = app.login(&hr_account).await;
    let g = app
        .post_as("/api/v1/groups", &admin, json!({"name": "Бухгалтерия"}))
        .await;
    let group = g.ok(201)["id"].as_str().unwrap().to_string();
    let d = app
        .post_as("/api/v1/documents", &admin, json!({"title": "Ведомость зарплаты"}))
        .await;
    let doc = d.ok(201)["id"].as_str().unwrap().to_string();
    app.post_as(
        &format!("/api/v1/documents/{doc}/send"),
        &admin,
        json!({"to": [{"kind": "group", "id": group}]}),
    )
    .await
    .ok(200);

    // The review's way in: join the group that received the document.
    app.put(&format!("/api/v1/groups/{group}/members/{hr_id}"), &hr, json!({}))
        .await
        .problem(403);
    app.get(&format!("/api/v1/documents/{doc}"), &hr).await.problem(404);
    let r = app.get("/api/v1/audit?action=access.denied", &admin).await;
    assert!(
        r.ok(200)["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["details"]["operation"] == "groups.membership" && e["actor"] == hr_id),
        "{}",
        r.body
    );
    // Another administrator adds it; it cannot then remove itself either.
    app.put(&format!("/api/v1/groups/{group}/members/{hr_id}"), &admin, json!({}))
        .await
        .ok(204);
    app.get(&format!("/api/v1/documents/{doc}"), &hr).await.ok(200);
    app.delete(&format!("/api/v1/groups/{group}/members/{hr_id}"), &hr)
        .await
        .problem(403);
}

async fn an_api_token_in_the_cookie_is_no_credential(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    // A token with every right off, as in the review.
    let t = app
        .post_as(
            "/api/v1/me/tokens",
            &admin,
            json!({"name": "нет прав", "rights": crate::helpers::rights_json(&[])}),
        )
        .await;
    let token = t.ok(201)["token"].as_str().unwrap().to_string();
    let as_cookie = |method: Method, path: &str| {
        app.http
            .request(method, app.url(path))
            .header("cookie", format!("svitok_session={token}"))
            .header("origin", ORIGIN)
    };
    let r = app
        .send(as_cookie(Method::POST, "/api/v1/me/tokens").json(&json!({"name": "всё"})))
        .await;
    r.problem(401);
    app.send(as_cookie(Method::GET, "/api/v1/me")).await.problem(401);
    // The interface does not take it for a signed-in person either.
    let page = app.send(as_cookie(Method::GET, "/inbox")).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert!(page.headers["location"].to_str().unwrap().starts_with("/login"));

    // Nor as a Bearer: pages are for a person at a browser.
    let page = app.send(app.http.get(app.url("/inbox")).bearer_auth(&token)).await;
    assert_eq!(page.status, 303, "{}", page.body);
    // As a Bearer it is what it is: a token, with its (empty) rights, that mints nothing.
    app.post_as("/api/v1/me/tokens", &token, json!({"name": "ещё"}))
        .await
        .problem(403);
    app.get("/api/v1/users", &token).await.problem(403);

    // A session's new token holds no right the session's caller lacks: a restricted
    // token's rights are the ceiling for nothing it could mint, and a session's ceiling
    // is its person's rights.
    let (clerk, _) = app.invite(&admin, "clerk", &["send_documents"]).await;
    let clerk = app.login(&clerk).await;
    app.post_as(
        "/api/v1/me/tokens",
        &clerk,
        json!({"name": "x", "rights": crate::helpers::rights_json(&["send_documents", "manage_users"])}),
    )
    .await
    .problem(403);
}
