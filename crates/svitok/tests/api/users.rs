//! User administration through the API (issue: users, rights and groups).

use crate::both_backends;
use crate::helpers::{rights_json, spawn_app, Backend, TestApp, PASSWORD};
use serde_json::json;

both_backends!(
    invited_user_sets_its_password_and_logs_in,
    duplicate_login_or_email_differing_in_case_is_409,
    users_are_searched_filtered_and_paged,
    blocking_ends_sessions_and_tokens_at_once,
    an_administrator_ends_a_users_sessions,
    a_user_edits_its_own_profile_but_nothing_else,
    email_change_needs_a_code_sent_to_the_new_address,
    bad_user_input_gets_4xx,
);

async fn invited_user_sets_its_password_and_logs_in(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let r = app
        .post_as(
            "/api/v1/users",
            &admin,
            json!({"login": "petrova", "email": "petrova@example.ru", "last_name": "Петрова", "first_name": "Ольга",
                   "middle_name": "Сергеевна", "position": "Специалист отдела кадров", "birth_date": "1990-05-17"}),
        )
        .await;
    let created = r.ok(201).clone();
    assert_eq!(created["status"], "pending");
    assert_eq!(created["position"], "Специалист отдела кадров");
    let invitation = app.mail.next("petrova@example.ru").await;
    assert!(invitation.body.contains("petrova"), "the invitation names the login");
    assert!(invitation.body.contains("http://svitok.test/password/reset"));
    // Pending: cannot log in before setting a password.
    app.post("/api/v1/auth/login", json!({"login": "petrova", "password": PASSWORD}))
        .await
        .problem(401);
    // The invitation code is still good hours later (an invitation is not read at once).
    app.advance(time::Duration::hours(20));
    let r = app
        .post(
            "/api/v1/auth/password/reset/confirm",
            json!({"email": "petrova@example.ru", "code": invitation.code(), "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let token = app.login(&TestApp::account("petrova")).await;
    let me = app.get("/api/v1/me", &token).await;
    assert_eq!(me.ok(200)["status"], "active");
    assert_eq!(me.body["email_verified"], true);
    // Created without rights in the request: the default rights.
    assert_eq!(
        me.body["rights"],
        rights_json(&["manage_own_documents", "send_documents", "create_documents"])
    );
}

async fn duplicate_login_or_email_differing_in_case_is_409(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let body = |login: &str, email: &str| json!({"login": login, "email": email, "last_name": "И", "first_name": "И"});
    app.post_as("/api/v1/users", &admin, body("ivanov", "ivanov@example.ru"))
        .await
        .ok(201);
    let r = app
        .post_as("/api/v1/users", &admin, body("IVANOV", "other@example.ru"))
        .await;
    r.problem(409);
    assert_eq!(r.body["field"], "login");
    let r = app
        .post_as("/api/v1/users", &admin, body("other", "Ivanov@EXAMPLE.ru"))
        .await;
    r.problem(409);
    assert_eq!(r.body["field"], "email");
}

async fn users_are_searched_filtered_and_paged(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    for (login, last, position) in [
        ("sidorov", "Сидоров", "Бухгалтер"),
        ("smirnova", "Смирнова", "Главный бухгалтер"),
        ("kuznetsov", "Кузнецов", "Юрист"),
        ("popov", "Попов", "Водитель"),
    ] {
        app.post_as(
            "/api/v1/users",
            &admin,
            json!({"login": login, "email": format!("{login}@example.ru"), "last_name": last, "first_name": "Иван",
                   "position": position}),
        )
        .await
        .ok(201);
    }
    let r = app
        .get(
            "/api/v1/users?q=%D0%91%D0%A3%D0%A5%D0%93%D0%90%D0%9B%D0%A2%D0%95%D0%A0",
            &admin,
        )
        .await; // "БУХГАЛТЕР"
    let page = r.ok(200);
    assert_eq!(page["total"], 2, "Cyrillic search is case-insensitive: {page}");
    let names: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["last_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Сидоров", "Смирнова"], "ordered by name");
    let r = app.get("/api/v1/users?status=pending&limit=2&offset=0", &admin).await;
    assert_eq!(r.ok(200)["total"], 4);
    assert_eq!(r.body["items"].as_array().unwrap().len(), 2);
    let r = app.get("/api/v1/users?status=pending&limit=2&offset=2", &admin).await;
    assert_eq!(r.ok(200)["items"].as_array().unwrap().len(), 2);
    let r = app.get("/api/v1/users?q=100%25", &admin).await;
    assert_eq!(r.ok(200)["total"], 0, "% is matched literally");
    // By group.
    let g = app
        .post_as("/api/v1/groups", &admin, json!({"name": "Бухгалтерия"}))
        .await;
    let gid = g.ok(201)["id"].as_str().unwrap().to_string();
    let sid = page["items"][0]["id"].as_str().unwrap();
    let r = app
        .put(&format!("/api/v1/groups/{gid}/members/{sid}"), &admin, json!({}))
        .await;
    assert_eq!(r.status, 204);
    let r = app.get(&format!("/api/v1/users?group={gid}"), &admin).await;
    assert_eq!(r.ok(200)["total"], 1);
    assert_eq!(r.body["items"][0]["groups"], json!([gid]));
}

async fn blocking_ends_sessions_and_tokens_at_once(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let (a, id) = app.invite(&admin, "ivanov", &["send_documents"]).await;
    let session = app.login(&a).await;
    let api = app.post_as("/api/v1/me/tokens", &session, json!({"name": "t"})).await;
    let api = api.ok(201)["token"].as_str().unwrap().to_string();
    let r = app
        .post_as(&format!("/api/v1/users/{id}/block"), &admin, json!({}))
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    app.get("/api/v1/me", &session).await.problem(401);
    app.get("/api/v1/me", &api).await.problem(401);
    app.post("/api/v1/auth/login", json!({"login": a.login, "password": a.password}))
        .await
        .problem(401);
    let u = app.get(&format!("/api/v1/users/{id}"), &admin).await;
    assert_eq!(u.ok(200)["status"], "blocked");
    // Unblocked, it logs in again; the old session and token stay dead.
    let r = app
        .post_as(&format!("/api/v1/users/{id}/unblock"), &admin, json!({}))
        .await;
    assert_eq!(r.status, 204);
    app.get("/api/v1/me", &api).await.problem(401);
    app.advance(time::Duration::seconds(61));
    app.login(&a).await;
}

async fn a_user_edits_its_own_profile_but_nothing_else(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let (a, id) = app.invite(&admin, "ivanov", &["send_documents"]).await;
    let token = app.login(&a).await;
    // Names, position and birth date are identity (issue 12, finding 10): they go into
    // signing certificates, so the administrators keep them — not the person.
    for body in [
        json!({"position": "Генеральный директор"}),
        json!({"first_name": "Пётр"}),
        json!({"birth_date": "1985-03-01"}),
    ] {
        app.patch("/api/v1/me", &token, body.clone()).await.problem(403);
        app.patch(&format!("/api/v1/users/{id}"), &token, body)
            .await
            .problem(403);
    }
    let r = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &admin,
            json!({"position": "Ведущий специалист", "middle_name": "", "birth_date": "1985-03-01"}),
        )
        .await;
    let me = r.ok(200);
    assert_eq!(me["position"], "Ведущий специалист");
    assert_eq!(me["middle_name"], serde_json::Value::Null);
    assert_eq!(me["birth_date"], "1985-03-01");
    // Not its rights, login or status (unknown fields), nor its address without a code.
    for body in [
        json!({"rights": rights_json(&["manage_users"])}),
        json!({"login": "root"}),
        json!({"status": "active"}),
    ] {
        app.patch(&format!("/api/v1/users/{id}"), &token, body.clone())
            .await
            .problem(422);
        app.patch("/api/v1/me", &token, body).await.problem(422);
    }
    app.patch(
        &format!("/api/v1/users/{id}"),
        &token,
        json!({"email": "new@example.ru"}),
    )
    .await
    .problem(403);
    // Nor anyone else's profile.
    let other = app.get("/api/v1/me", &admin).await.ok(200)["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.patch(&format!("/api/v1/users/{other}"), &token, json!({"first_name": "X"}))
        .await
        .problem(403);
    assert_eq!(
        app.get("/api/v1/me", &token).await.ok(200)["rights"],
        rights_json(&["send_documents"])
    );
}

async fn email_change_needs_a_code_sent_to_the_new_address(b: Backend) {
    let app = spawn_app(b).await;
    let a = app.register("ivanov").await;
    let token = app.login(&a).await;
    app.post_as(
        "/api/v1/me/email",
        &token,
        json!({"email": "new@example.ru", "password": "не мой пароль вовсе"}),
    )
    .await
    .problem(422);
    let r = app
        .post_as(
            "/api/v1/me/email",
            &token,
            json!({"email": "New@Example.ru", "password": a.password}),
        )
        .await;
    r.ok(202);
    let code = app.mail.next("New@Example.ru").await.code();
    app.post_as("/api/v1/me/email/confirm", &token, json!({"code": "000000"}))
        .await
        .problem(422);
    let r = app
        .post_as("/api/v1/me/email/confirm", &token, json!({"code": code}))
        .await;
    assert_eq!(r.ok(200)["email"], "New@Example.ru");
    let notice = app.mail.next(&a.email).await;
    assert!(notice.body.contains("New@Example.ru"), "the old address is told");
    // Taken addresses are refused.
    app.register("petrov").await;
    app.post_as(
        "/api/v1/me/email",
        &token,
        json!({"email": "petrov@example.ru", "password": a.password}),
    )
    .await
    .problem(409);
}

async fn bad_user_input_gets_4xx(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let unknown = uuid::Uuid::new_v4();
    app.get("/api/v1/users/not-a-uuid", &admin).await.problem(400);
    app.get(&format!("/api/v1/users/{unknown}"), &admin).await.problem(404);
    app.post_as(&format!("/api/v1/users/{unknown}/block"), &admin, json!({}))
        .await
        .problem(404);
    app.put(&format!("/api/v1/users/{unknown}/rights"), &admin, rights_json(&[]))
        .await
        .problem(404);
    app.get("/api/v1/users?limit=0", &admin).await.problem(422);
    app.get("/api/v1/users?limit=abc", &admin).await.problem(400);
    app.get("/api/v1/users?status=sleeping", &admin).await.problem(400);
    app.get("/api/v1/users?group=nope", &admin).await.problem(400);
    let base = json!({"login": "ivanov", "email": "ivanov@example.ru", "last_name": "И", "first_name": "И"});
    for (field, value) in [
        ("last_name", json!("Я".repeat(101))),
        ("birth_date", json!("1990-13-01")),
        ("email", json!("nope")),
        ("login", json!("иван")),
        ("groups", json!([unknown])),
        ("groups", json!(["x"])),
    ] {
        let mut body = base.clone();
        body[field] = value;
        let r = app.post_as("/api/v1/users", &admin, body).await;
        assert_eq!(r.status.as_u16(), 422, "{field}: {}", r.body);
        r.problem(422);
    }
    app.post_as("/api/v1/groups", &admin, json!({"name": "  "}))
        .await
        .problem(422);
    app.post_as("/api/v1/groups", &admin, json!({"name": "Я".repeat(201)}))
        .await
        .problem(422);
    app.get(&format!("/api/v1/groups/{unknown}"), &admin).await.problem(404);
    // (Someone else: one's own membership is refused before the group is looked up.)
    let someone = uuid::Uuid::now_v7();
    app.put(
        &format!("/api/v1/groups/{unknown}/members/{someone}"),
        &admin,
        json!({}),
    )
    .await
    .problem(404);
    app.get("/api/v1/audit?from=yesterday", &admin).await.problem(422);
}

/// SECURITY 24: an administrator ends a user's sessions and tokens (a lost laptop), only
/// on a user no stronger than itself.
async fn an_administrator_ends_a_users_sessions(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let (a, id) = app.invite(&admin, "ivanov", &["send_documents"]).await;
    let session = app.login(&a).await;
    let t = app.post_as("/api/v1/me/tokens", &session, json!({"name": "1С"})).await;
    let token = t.ok(201)["token"].as_str().unwrap().to_string();
    let (h, _) = app.invite(&admin, "kadry", &["manage_users"]).await;
    let hr = app.login(&h).await;
    // manage_users alone cannot: ivanov holds send_documents, which it lacks.
    app.delete(&format!("/api/v1/users/{id}/sessions"), &hr)
        .await
        .problem(403);
    app.get("/api/v1/me", &session).await.ok(200);
    app.delete(&format!("/api/v1/users/{id}/sessions"), &admin).await;
    app.get("/api/v1/me", &session).await.problem(401);
    app.get("/api/v1/me", &token).await.problem(401);
    let r = app
        .get(&format!("/api/v1/audit?action=user.sessions_ended&target={id}"), &admin)
        .await;
    assert_eq!(r.ok(200)["items"][0]["details"]["count"], 2);
    // The person signs in again as usual.
    app.advance(time::Duration::seconds(61));
    app.login(&a).await;
}
