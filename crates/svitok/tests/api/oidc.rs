//! Signing in through an identity provider (SPEC §11), against a real certified OpenID
//! provider driven like a browser: linking, provisioning, refusals, the second factor,
//! groups from claims, password login off, linked identities.

use crate::both_backends;
use crate::helpers::{rights_json, Backend, TestApp};
use crate::oidc_kit::{app_with_provider, browser, location, start_provider, through_provider};
use serde_json::{json, Value};

both_backends!(
    a_verified_address_links_and_the_second_factor_follows,
    a_pending_account_becomes_active_and_lands_where_it_was_going,
    unverified_unknown_and_blocked_are_refused_and_audited,
    auto_provisioning_creates_an_active_account_with_default_rights,
    forged_state_replayed_code_and_a_provider_that_is_down_are_refused,
    unless_mfa_follows_the_tokens_amr,
    groups_follow_the_claim_at_every_login,
    password_login_off_leaves_only_the_break_glass_accounts,
    the_last_way_in_cannot_be_unlinked,
    an_expired_id_token_is_refused,
    signing_out_ends_the_providers_session_too,
    a_wrong_nonce_and_a_code_for_another_client_are_refused,
    a_second_subject_of_the_same_issuer_does_not_take_a_linked_account,
);

fn account(email: &str, verified: bool) -> Value {
    json!({ "email": email, "email_verified": verified, "family_name": "Иванова", "given_name": "Анна" })
}

/// The audit log's `login.oidc` entries, newest first: (outcome, details).
async fn oidc_entries(app: &TestApp, admin: &str) -> Vec<(String, Value)> {
    let r = app.get("/api/v1/audit?action=login.oidc", admin).await;
    r.ok(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["outcome"].as_str().unwrap().to_string(), e["details"].clone()))
        .collect()
}

async fn audit_count(app: &TestApp, admin: &str, action: &str) -> usize {
    let r = app.get(&format!("/api/v1/audit?action={action}"), admin).await;
    r.ok(200)["items"].as_array().unwrap().len()
}

/// The callback's redirect to the code page → the challenge id.
fn challenge_of(location: &str) -> String {
    assert!(location.starts_with("/login/code?challenge="), "{location}");
    location["/login/code?challenge=".len()..]
        .split('&')
        .next()
        .unwrap()
        .to_string()
}

async fn a_verified_address_links_and_the_second_factor_follows(b: Backend) {
    let Some(op) = start_provider(json!({ "anna": account("anna@example.ru", true) }), 3600).await else {
        return;
    };
    let app = app_with_provider(b, &op.issuer, |_| {}).await;
    let (_, admin) = app.admin().await;
    let (anna, _) = app.invite(&admin, "anna", &["send_documents"]).await;

    let listed = app.call(reqwest::Method::GET, "/api/v1/auth/oidc", None, None).await;
    assert_eq!(listed.ok(200)[0]["label"], "Корпоративный вход");
    let page = app
        .http
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Корпоративный вход") && page.replace("&#x2f;", "/").contains("/api/v1/auth/oidc/corp/start"),
        "{page}"
    );

    let web = browser();
    let callback = through_provider(&app, &web, "anna", false).await;
    let landed = web.get(&callback).send().await.unwrap();
    assert_eq!(landed.status(), 303);
    // SECOND_FACTOR=always: Svitok's own code follows, completed by the usual verify.
    let challenge = challenge_of(&location(&landed));
    let code = app.mail.next_code(&anna.email).await;
    let r = app
        .post(
            "/api/v1/auth/login/verify",
            json!({ "challenge": challenge, "code": code }),
        )
        .await;
    let token = r.ok(200)["token"].as_str().unwrap().to_string();
    let ids = app.get("/api/v1/me/identities", &token).await.ok(200).clone();
    assert_eq!(ids.as_array().unwrap().len(), 1, "{ids}");
    assert_eq!(ids[0]["provider"], "corp");
    assert_eq!(ids[0]["subject"], "anna");
    assert_eq!(ids[0]["issuer"], op.issuer.as_str());
    // The code page itself is reachable for that challenge.
    let page = web.get(app.url(&location(&landed))).send().await.unwrap();
    assert_eq!(page.status(), 200);

    // The second login finds the identity (no second link); a minute later, as a new
    // code cannot be asked for sooner.
    app.advance(time::Duration::seconds(61));
    let web = browser();
    let callback = through_provider(&app, &web, "anna", false).await;
    assert_eq!(web.get(&callback).send().await.unwrap().status(), 303);
    let ids = app.get("/api/v1/me/identities", &token).await.ok(200).clone();
    assert_eq!(ids.as_array().unwrap().len(), 1);
    let entries = oidc_entries(&app, &admin).await;
    assert!(
        entries.len() >= 2 && entries.iter().all(|(o, _)| o == "success"),
        "{entries:?}"
    );
    assert_eq!(audit_count(&app, &admin, "identity.linked").await, 1);
}

async fn a_pending_account_becomes_active_and_lands_where_it_was_going(b: Backend) {
    let Some(op) = start_provider(json!({ "petrov-sub": account("petrov@example.ru", true) }), 3600).await else {
        return;
    };
    let app = app_with_provider(b, &op.issuer, |o| o.second_factor = Some("never".into())).await;
    let (admin_account, admin) = app.admin().await;
    // Created by an administrator, never signed in: pending.
    let created = app
        .post_as(
            "/api/v1/users",
            &admin,
            json!({"login": "petrov", "email": "petrov@example.ru", "last_name": "Петров", "first_name": "Пётр"}),
        )
        .await;
    let id = created.ok(201)["id"].as_str().unwrap().to_string();
    assert_eq!(
        app.get(&format!("/api/v1/users/{id}"), &admin).await.ok(200)["status"],
        "pending"
    );

    let web = browser();
    let callback = through_provider(&app, &web, "petrov-sub", false).await;
    let landed = web.get(&callback).send().await.unwrap();
    assert_eq!(landed.status(), 303);
    assert_eq!(location(&landed), "/documents", "return_to kept");
    let cookies: Vec<String> = landed
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("svitok_session=") && c.contains("SameSite=Strict")),
        "{cookies:?}"
    );
    assert!(
        cookies.iter().any(|c| c.starts_with("svitok_oidc_flow=;")),
        "the flow is used once: {cookies:?}"
    );
    assert_eq!(
        app.get(&format!("/api/v1/users/{id}"), &admin).await.ok(200)["status"],
        "active"
    );
    // The browser is signed in.
    let docs = web.get(app.url("/documents")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    // The administrator sees the identity on the user's page.
    app.advance(time::Duration::seconds(61));
    let (admin_browser, _) = crate::ui_kit::sign_in(&app, &admin_account).await;
    let (status, html, _) = crate::ui_kit::page(&app, &admin_browser, &format!("/users/{id}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("petrov-sub") && html.contains("Вход через службы организации"),
        "{html}"
    );
}

async fn unverified_unknown_and_blocked_are_refused_and_audited(b: Backend) {
    let accounts = json!({
        "unverified": account("clerk@example.ru", false),
        "stranger": account("nobody@example.ru", true),
        "blocked": account("blocked@example.ru", true),
    });
    let Some(op) = start_provider(accounts, 3600).await else {
        return;
    };
    let app = app_with_provider(b, &op.issuer, |_| {}).await;
    let (_, admin) = app.admin().await;
    app.invite(&admin, "clerk", &[]).await;
    let (_, blocked_id) = app.invite(&admin, "blocked", &[]).await;
    app.post_as(&format!("/api/v1/users/{blocked_id}/block"), &admin, json!({}))
        .await
        .ok(204);
    for (sub, key) in [
        ("unverified", "msg-oidc-email-unverified"),
        ("stranger", "msg-oidc-no-account"),
        ("blocked", "msg-oidc-blocked"),
    ] {
        let web = browser();
        let callback = through_provider(&app, &web, sub, false).await;
        let landed = web.get(&callback).send().await.unwrap();
        assert_eq!(landed.status(), 303, "{sub}");
        let to = location(&landed);
        assert_eq!(to, format!("/login?oidc_error={key}"), "{sub}");
        let page = web.get(app.url(&to)).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let text = page.text().await.unwrap();
        assert!(text.contains("role=\"alert\""), "{sub}: the reason is on the page");
    }
    // The English page says it in English.
    let page = app
        .http
        .get(app.url("/login?oidc_error=msg-oidc-blocked"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("The account is blocked"), "{page}");
    // Anything else in the parameter is not shown.
    let page = app
        .http
        .get(app.url("/login?oidc_error=msg-login-taken"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("role=\"alert\""));
    let reasons: Vec<String> = oidc_entries(&app, &admin)
        .await
        .into_iter()
        .map(|(outcome, d)| {
            assert_eq!(outcome, "failure");
            d["reason"].as_str().unwrap().to_string()
        })
        .collect();
    for r in ["email_unverified", "no_account", "blocked"] {
        assert!(reasons.iter().any(|x| x == r), "{r} audited: {reasons:?}");
    }
    assert_eq!(audit_count(&app, &admin, "identity.linked").await, 0, "nothing linked");
}

async fn auto_provisioning_creates_an_active_account_with_default_rights(b: Backend) {
    let Some(op) = start_provider(json!({ "new-sub": account("new.person@example.ru", true) }), 3600).await else {
        return;
    };
    let app = app_with_provider(b, &op.issuer, |o| {
        o.auto_provision = Some("true".into());
        o.second_factor = Some("never".into());
    })
    .await;
    let (_, admin) = app.admin().await;
    let web = browser();
    let callback = through_provider(&app, &web, "new-sub", false).await;
    let landed = web.get(&callback).send().await.unwrap();
    assert_eq!(location(&landed), "/documents");
    let users = app.get("/api/v1/users?q=new.person", &admin).await.ok(200).clone();
    assert_eq!(users["total"], 1, "{users}");
    let user = &users["items"][0];
    assert_eq!(user["status"], "active");
    assert_eq!(user["login"], "new.person");
    assert_eq!(user["last_name"], "Иванова");
    let rights = app
        .get(
            &format!("/api/v1/users/{}/rights", user["id"].as_str().unwrap()),
            &admin,
        )
        .await
        .ok(200)
        .clone();
    assert_eq!(
        rights,
        rights_json(&["manage_own_documents", "send_documents", "create_documents"])
    );
}

async fn forged_state_replayed_code_and_a_provider_that_is_down_are_refused(b: Backend) {
    let Some(mut op) = start_provider(json!({ "anna": account("anna@example.ru", true) }), 3600).await else {
        return;
    };
    let app = app_with_provider(b, &op.issuer, |o| o.second_factor = Some("never".into())).await;
    let (_, admin) = app.admin().await;
    app.invite(&admin, "anna", &[]).await;

    // Forged state: the same callback with another state is refused.
    let web = browser();
    let callback = through_provider(&app, &web, "anna", false).await;
    let forged = callback.replace("state=", "state=forged");
    let landed = web.get(&forged).send().await.unwrap();
    assert_eq!(location(&landed), "/login?oidc_error=msg-oidc-flow-lost");
    // Another browser (no flow cookie) with the real callback: refused too.
    let other = browser();
    let landed = other.get(&callback).send().await.unwrap();
    assert_eq!(location(&landed), "/login?oidc_error=msg-oidc-flow-lost");

    // A used code does not sign in twice.
    let web = browser();
    let callback = through_provider(&app, &web, "anna", false).await;
    let first = web.get(&callback).send().await.unwrap();
    assert_eq!(location(&first), "/documents");
    let flow = browser();
    // The same browser again, with a fresh flow but the old code and state: no flow matches.
    let replay = web.get(&callback).send().await.unwrap();
    assert!(
        location(&replay).starts_with("/login?oidc_error="),
        "replayed: {}",
        location(&replay)
    );
    drop(flow);

    // A provider that goes away between the login and the callback.
    let web = browser();
    let callback = through_provider(&app, &web, "anna", false).await;
    op.stop();
    let landed = web.get(&callback).send().await.unwrap();
    assert_eq!(location(&landed), "/login?oidc_error=msg-oidc-down");
    let reasons: Vec<String> = oidc_entries(&app, &admin)
        .await
        .into_iter()
        .filter(|(o, _)| o == "failure")
        .map(|(_, d)| d["reason"].as_str().unwrap().to_string())
        .collect();
    assert!(
        reasons.iter().filter(|r| *r == "state" || *r == "no_flow").count() >= 2,
        "{reasons:?}"
    );
    assert!(reasons.iter().any(|r| r.starts_with("provider_down")), "{reasons:?}");
}

async fn unless_mfa_follows_the_tokens_amr(b: Backend) {
    let Some(op) = start_provider(json!({ "anna": account("anna@example.ru", true) }), 3600).await else {
        return;
    };
    let app = app_with_provider(b, &op.issuer, |o| o.second_factor = Some("unless_mfa".into())).await;
    let (_, admin) = app.admin().await;
    app.invite(&admin, "anna", &[]).await;
    let web = browser();
    let callback = through_provider(&app, &web, "anna", true).await;
    assert_eq!(location(&web.get(&callback).send().await.unwrap()), "/documents");
    let web = browser();
    let callback = through_provider(&app, &web, "anna", false).await;
    let landed = web.get(&callback).send().await.unwrap();
    challenge_of(&location(&landed));
}

async fn groups_follow_the_claim_at_every_login(b: Backend) {
    let Some(op) = start_provider(
        json!({
            "anna": { "email": "anna@example.ru", "email_verified": true, "groups": ["/hr", "/other"] },
            "anna2": { "email": "anna2@example.ru", "email_verified": true, "groups": ["/finance"] },
        }),
        3600,
    )
    .await
    else {
        return;
    };
    let app = app_with_provider(b, &op.issuer, |o| {
        o.second_factor = Some("never".into());
        o.scopes = Some("openid email profile groups".into());
        o.groups_claim = Some("groups".into());
        // Names as an operator types them, not as the groups are spelt: matched regardless.
        o.group_map = Some("/hr=кадры;/finance=БУХГАЛТЕРИЯ".into());
    })
    .await;
    let (_, admin) = app.admin().await;
    let (_, anna_id) = app.invite(&admin, "anna", &[]).await;
    let mut groups = std::collections::BTreeMap::new();
    for name in ["Кадры", "Бухгалтерия", "Вручную"] {
        let g = app.post_as("/api/v1/groups", &admin, json!({ "name": name })).await;
        groups.insert(name, g.ok(201)["id"].as_str().unwrap().to_string());
    }
    // A membership given by hand, in a group outside the map: untouched.
    app.put(
        &format!("/api/v1/groups/{}/members/{anna_id}", groups["Вручную"]),
        &admin,
        json!({}),
    )
    .await
    .ok(204);
    let members = |name: &'static str| {
        let path = format!("/api/v1/groups/{}", groups[name]);
        let app = &app;
        let admin = admin.clone();
        async move {
            let g = app.get(&path, &admin).await.ok(200).clone();
            g["members"]
                .as_array()
                .map(|m| {
                    m.iter()
                        .map(|u| u["login"].as_str().unwrap_or_default().to_string())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        }
    };
    let web = browser();
    let callback = through_provider(&app, &web, "anna", false).await;
    assert_eq!(location(&web.get(&callback).send().await.unwrap()), "/documents");
    assert_eq!(members("Кадры").await, ["anna"]);
    assert!(members("Бухгалтерия").await.is_empty());
    assert_eq!(members("Вручную").await, ["anna"]);
    // A mapped group the claim does not name loses the membership at the next login.
    app.put(
        &format!("/api/v1/groups/{}/members/{anna_id}", groups["Бухгалтерия"]),
        &admin,
        json!({}),
    )
    .await
    .ok(204);
    let web = browser();
    let callback = through_provider(&app, &web, "anna", false).await;
    assert_eq!(location(&web.get(&callback).send().await.unwrap()), "/documents");
    assert!(members("Бухгалтерия").await.is_empty(), "removed by the claim");
    assert_eq!(members("Кадры").await, ["anna"]);
    assert_eq!(members("Вручную").await, ["anna"], "outside the map: untouched");
    assert_eq!(audit_count(&app, &admin, "groups.synced").await, 2);
    let _ = op;
}

async fn password_login_off_leaves_only_the_break_glass_accounts(b: Backend) {
    let Some(op) = start_provider(json!({ "anna": account("anna@example.ru", true) }), 3600).await else {
        return;
    };
    let issuer = op.issuer.clone();
    let app = crate::helpers::spawn_app_with(b, move |raw| {
        raw.oidc_providers = "corp".into();
        raw.oidc.insert(
            "corp".into(),
            svitok::config::RawOidc {
                issuer: Some(issuer),
                client_id: Some(crate::oidc_kit::CLIENT_ID.into()),
                client_secret: Some(crate::oidc_kit::CLIENT_SECRET.into()),
                second_factor: Some("never".into()),
                ..Default::default()
            },
        );
        raw.password_login = "break_glass:admin".into();
    })
    .await;
    // The break-glass account still signs in with its password.
    let (_, admin) = app.admin().await;
    app.post_as(
        "/api/v1/users",
        &admin,
        json!({"login": "anna", "email": "anna@example.ru", "last_name": "Иванова", "first_name": "Анна"}),
    )
    .await
    .ok(201);
    app.mail.next("anna@example.ru").await;
    // An account with a password that is not break-glass: refused once the password
    // held (so strangers cannot tell the break-glass accounts from the others).
    let (ok, out) = crate::cli::run_cli(
        &app,
        &[
            "user",
            "create",
            "--login",
            "clerk",
            "--email",
            "clerk@example.ru",
            "--last-name",
            "Петрова",
            "--first-name",
            "Ольга",
            "--password-stdin",
        ],
        Some("лиловый дракон спит под мостом"),
    );
    assert!(ok, "{out}");
    let r = app
        .post(
            "/api/v1/auth/login",
            json!({"login": "clerk", "password": "лиловый дракон спит под мостом"}),
        )
        .await;
    r.problem(403);
    assert!(
        r.body["detail"].as_str().unwrap().contains("паролю отключён"),
        "{}",
        r.body
    );
    // A wrong password or an unknown account: the usual answer.
    for login in ["clerk", "anna", "nobody"] {
        let r = app
            .post(
                "/api/v1/auth/login",
                json!({"login": login, "password": "не тот пароль совсем"}),
            )
            .await;
        r.problem(401);
    }
    // No reset code goes to a non-break-glass address.
    app.post("/api/v1/auth/password/reset", json!({"email": "anna@example.ru"}))
        .await
        .ok(202);
    assert_eq!(app.mail.pending("anna@example.ru"), 0, "no reset mail");
    // The login page keeps the password form behind the emergency summary.
    let page = app
        .http
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<details>") && page.contains("Аварийный вход по паролю"),
        "{page}"
    );
    // The provider still signs anna in.
    let web = browser();
    let callback = through_provider(&app, &web, "anna", false).await;
    assert_eq!(location(&web.get(&callback).send().await.unwrap()), "/documents");
    assert_eq!(audit_count(&app, &admin, "login.password_off").await, 1);
}

async fn the_last_way_in_cannot_be_unlinked(b: Backend) {
    let Some(op) = start_provider(json!({ "new-sub": account("new.person@example.ru", true) }), 3600).await else {
        return;
    };
    let app = app_with_provider(b, &op.issuer, |o| {
        o.auto_provision = Some("true".into());
        o.second_factor = Some("never".into());
    })
    .await;
    let web = browser();
    let callback = through_provider(&app, &web, "new-sub", false).await;
    let landed = web.get(&callback).send().await.unwrap();
    let session = landed
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("svitok_session="))
        .unwrap();
    let token = session["svitok_session=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_string();
    crate::helpers::secret(&token);
    // A session cookie is no bearer token: ask through the browser.
    let ids: Value = web
        .get(app.url("/api/v1/me/identities"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = ids[0]["id"].as_str().unwrap().to_string();
    let r = web
        .delete(app.url(&format!("/api/v1/me/identities/{id}")))
        .header("origin", crate::helpers::ORIGIN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "the only way in (no password) stays");
    // The profile lists it, and the page's unlink says why it cannot.
    let (status, html, _) = crate::ui_kit::page(&app, &web, "/profile").await;
    assert_eq!(status, 200);
    assert!(html.contains("Отвязать"), "{html}");
    let csrf = crate::ui_kit::hidden(&html, "csrf");
    let (status, html, _) = crate::ui_kit::post_form(
        &app,
        &web,
        "/profile/identities/unlink",
        &[("csrf", &csrf), ("id", &id)],
    )
    .await;
    assert_eq!(status, 409);
    assert!(html.contains("последний способ входа"), "{html}");
}

/// The provider's ID tokens live a minute here; by Svitok's clock five minutes pass
/// between the login at the provider and the callback (the flow itself lives ten).
async fn an_expired_id_token_is_refused(b: Backend) {
    let Some(op) = start_provider(json!({ "anna": account("anna@example.ru", true) }), 60).await else {
        return;
    };
    let app = app_with_provider(b, &op.issuer, |o| o.second_factor = Some("never".into())).await;
    let (_, admin) = app.admin().await;
    app.invite(&admin, "anna", &[]).await;
    let web = browser();
    let callback = through_provider(&app, &web, "anna", false).await;
    app.advance(time::Duration::minutes(5));
    let landed = web.get(&callback).send().await.unwrap();
    assert_eq!(location(&landed), "/login?oidc_error=msg-oidc-refused");
    let entries = oidc_entries(&app, &admin).await;
    let reason = entries[0].1["reason"].as_str().unwrap().to_string();
    assert!(
        reason.starts_with("token: ID token") && reason.contains("xpired"),
        "{reason}"
    );
}

/// RP-initiated logout: the sign-out goes on to the provider's end-session endpoint with
/// the session's ID token as the hint (also after Svitok's own second factor), and the
/// provider takes the hint.
async fn signing_out_ends_the_providers_session_too(b: Backend) {
    use crate::ui_kit::{hidden, page, post_form};
    let Some(op) = start_provider(json!({ "anna": account("anna@example.ru", true) }), 3600).await else {
        return;
    };
    let app = app_with_provider(b, &op.issuer, |_| {}).await;
    let (_, admin) = app.admin().await;
    let (anna, _) = app.invite(&admin, "anna", &[]).await;
    let web = browser();
    let callback = through_provider(&app, &web, "anna", false).await;
    let landed = web.get(&callback).send().await.unwrap();
    let to = location(&landed);
    let (status, html, _) = page(&app, &web, &to).await;
    assert_eq!(status, 200);
    let csrf = hidden(&html, "csrf");
    let challenge = hidden(&html, "challenge");
    let code = app.mail.next_code(&anna.email).await;
    let (status, _, _) = post_form(
        &app,
        &web,
        "/login/code",
        &[("challenge", &challenge), ("code", &code), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 303);
    let (status, inbox, _) = page(&app, &web, "/inbox").await;
    assert_eq!(status, 200);
    let csrf = hidden(&inbox, "csrf");
    let (status, page_html, _) = post_form(&app, &web, "/logout", &[("csrf", &csrf)]).await;
    // A page that goes on by itself (a form's redirect to another site would be refused
    // by the browser's form-action policy).
    assert_eq!(status, 200);
    let marker = "content=\"0;url=";
    let at = page_html.find(marker).expect("a refresh to the provider") + marker.len();
    let end = page_html[at..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#x2f;", "/")
        .replace("&#x3d;", "=");
    assert!(
        end.starts_with(&format!("{}/session/end?id_token_hint=", op.issuer)),
        "{end}"
    );
    assert!(
        end.contains("post_logout_redirect_uri=http%3A%2F%2Fsvitok.test%2Flogin"),
        "{end}"
    );
    let at_provider = web.get(&end).send().await.unwrap();
    assert_eq!(
        at_provider.status(),
        200,
        "the provider takes the hint: {}",
        at_provider.text().await.unwrap()
    );
    // Signed out of Svitok as well.
    let (status, _, _) = page(&app, &web, "/inbox").await;
    assert_eq!(status, 303);
}

/// The authorization request changed on its way to the provider: with another nonce the
/// ID token's nonce is not the flow's; with another client's id the code is that
/// client's, and Svitok cannot redeem it. Both refused and audited, never a 5xx.
async fn a_wrong_nonce_and_a_code_for_another_client_are_refused(b: Backend) {
    use crate::oidc_kit::{through_provider_with, CLIENT_ID, OTHER_CLIENT_ID};
    let Some(op) = start_provider(json!({ "anna": account("anna@example.ru", true) }), 3600).await else {
        return;
    };
    let app = app_with_provider(b, &op.issuer, |o| o.second_factor = Some("never".into())).await;
    let (_, admin) = app.admin().await;
    app.invite(&admin, "anna", &[]).await;
    let replace_param = |url: String, name: &str, value: &str| {
        let mut u = url::Url::parse(&url).unwrap();
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| (k.to_string(), if k == name { value.to_string() } else { v.to_string() }))
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
        u.to_string()
    };
    let web = browser();
    let callback = through_provider_with(&app, &web, "anna", false, |u| {
        replace_param(u, "nonce", "a-nonce-of-the-attacker")
    })
    .await;
    let landed = web.get(&callback).send().await.unwrap();
    assert_eq!(location(&landed), "/login?oidc_error=msg-oidc-refused");
    let web = browser();
    let callback = through_provider_with(&app, &web, "anna", false, |u| {
        assert!(u.contains(&format!("client_id={CLIENT_ID}")));
        replace_param(u, "client_id", OTHER_CLIENT_ID)
    })
    .await;
    let landed = web.get(&callback).send().await.unwrap();
    assert_eq!(location(&landed), "/login?oidc_error=msg-oidc-refused");
    let reasons: Vec<String> = oidc_entries(&app, &admin)
        .await
        .into_iter()
        .map(|(_, d)| d["reason"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(reasons.iter().any(|r| r.contains("nonce")), "{reasons:?}");
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("code exchange") && r.contains("invalid_grant")),
        "{reasons:?}"
    );
    assert_eq!(audit_count(&app, &admin, "identity.linked").await, 0);
}

/// A provider account recreated (or an address reassigned) with the same address does
/// not inherit the Svitok account the old identity is linked to.
async fn a_second_subject_of_the_same_issuer_does_not_take_a_linked_account(b: Backend) {
    let accounts = json!({
        "anna": account("anna@example.ru", true),
        "anna-recreated": account("anna@example.ru", true),
    });
    let Some(op) = start_provider(accounts, 3600).await else {
        return;
    };
    let app = app_with_provider(b, &op.issuer, |o| o.second_factor = Some("never".into())).await;
    let (_, admin) = app.admin().await;
    app.invite(&admin, "anna", &[]).await;
    let web = browser();
    let callback = through_provider(&app, &web, "anna", false).await;
    assert_eq!(location(&web.get(&callback).send().await.unwrap()), "/documents");
    let web = browser();
    let callback = through_provider(&app, &web, "anna-recreated", false).await;
    assert_eq!(
        location(&web.get(&callback).send().await.unwrap()),
        "/login?oidc_error=msg-oidc-no-account"
    );
    let reasons: Vec<String> = oidc_entries(&app, &admin)
        .await
        .into_iter()
        .map(|(_, d)| d["reason"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(reasons.iter().any(|r| r == "already_linked"), "{reasons:?}");
    assert_eq!(audit_count(&app, &admin, "identity.linked").await, 1);
}
