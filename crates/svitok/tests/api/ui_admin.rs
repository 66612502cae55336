//! Administration from the browser: inviting a user, the rights switches (disabled with
//! the reason where the viewer may not flip them), blocking, groups and membership.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::ui_kit::{browser, hidden, page, post_form, sign_in};
use serde_json::json;

both_backends!(invite_grant_block_and_group_through_the_pages);

async fn invite_grant_block_and_group_through_the_pages(b: Backend) {
    let app = spawn_app(b).await;
    let (admin, token) = app.admin().await;
    let (granter, _) = app.invite(&token, "granter", &["grant_rights", "send_documents"]).await;
    app.advance(time::Duration::seconds(61)); // one login code a minute per account
    let (web, csrf) = sign_in(&app, &admin).await;

    // Invite a clerk with two rights ticked.
    let (status, html, _) = page(&app, &web, "/users/new").await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"right\" value=\"grant_rights\""));
    let (status, _, h) = post_form(
        &app,
        &web,
        "/users/new",
        &[
            ("csrf", &csrf),
            ("last_name", "Петрова"),
            ("first_name", "Мария"),
            ("login", "petrova"),
            ("email", "petrova@example.ru"),
            ("right", "send_documents"),
            ("right", "manage_own_documents"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let user_page = h["location"].to_str().unwrap().to_string();
    let id = user_page.rsplit('/').next().unwrap().to_string();
    let rights = app.get(&format!("/api/v1/users/{id}/rights"), &token).await;
    let rights = rights.ok(200);
    assert_eq!(rights["send_documents"], true);
    assert_eq!(rights["manage_own_documents"], true);
    assert_eq!(rights["sign_documents"], false);

    // The invitation leads to a page where the first password is set.
    let code = app.mail.next("petrova@example.ru").await.code();
    let http = browser();
    let (status, html, _) = page(&app, &http, "/password/reset").await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"email\""));
    let invite_csrf = hidden(&html, "csrf");
    let petrova = TestApp::account("petrova");
    let (status, _, h) = post_form(
        &app,
        &http,
        "/reset/confirm",
        &[
            ("csrf", &invite_csrf),
            ("email", "petrova@example.ru"),
            ("code", &code),
            ("password", &petrova.password),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(h["location"], "/login?done=reset");

    // Switches: the administrator's own are disabled with the reason.
    let (_, html, _) = page(&app, &web, "/users").await;
    assert!(html.contains("Петрова Мария") && html.contains("petrova@example.ru"));
    let admin_id = app.user_id(&token).await;
    let (_, html, _) = page(&app, &web, &format!("/users/{admin_id}")).await;
    assert!(html.contains("title=\"Нельзя изменять собственные права\"") && html.contains(" disabled"));
    // Turn signing on, sending off.
    let (status, _, _) = post_form(
        &app,
        &web,
        &format!("/users/{id}/rights"),
        &[
            ("csrf", &csrf),
            ("right", "manage_own_documents"),
            ("right", "sign_documents"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let rights = app.get(&format!("/api/v1/users/{id}/rights"), &token).await;
    let rights = rights.ok(200);
    assert_eq!(rights["sign_documents"], true);
    assert_eq!(rights["send_documents"], false);

    // A granter without manage_users: may flip only what it holds; the rest says why.
    let (gweb, gcsrf) = sign_in(&app, &granter).await;
    let (status, html, _) = page(&app, &gweb, &format!("/users/{id}")).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("title=\"Можно изменять только права, которые есть у вас самих"));
    assert!(!html.contains("Заблокировать"), "no block button without manage_users");
    // A forged post that also turns on a disabled switch changes only what it may.
    let (status, _, _) = post_form(
        &app,
        &gweb,
        &format!("/users/{id}/rights"),
        &[
            ("csrf", &gcsrf),
            ("right", "send_documents"),
            ("right", "view_statistics"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let rights = app.get(&format!("/api/v1/users/{id}/rights"), &token).await;
    let rights = rights.ok(200);
    assert_eq!(rights["send_documents"], true, "the granter's own right");
    assert_eq!(rights["view_statistics"], false, "not the granter's to give");
    assert_eq!(rights["sign_documents"], true, "kept: the granter may not take it away");
    let (status, html, _) = page(&app, &gweb, "/users").await;
    assert_eq!(status, 200, "the granter finds people by name");
    assert!(html.contains("Петрова Мария") && !html.contains("petrova@example.ru") && !html.contains("/users/new"));
    let (status, html, _) = page(&app, &gweb, "/users/new").await;
    assert_eq!(status, 403);
    assert!(html.contains("Доступ запрещён"));

    // Blocking ends the person's sessions; unblocking lets it back.
    let (pweb, _) = sign_in(&app, &petrova).await;
    let (status, _, _) = post_form(&app, &web, &format!("/users/{id}/block"), &[("csrf", &csrf)]).await;
    assert_eq!(status, 303);
    let (_, html, _) = page(&app, &web, &user_page).await;
    assert!(html.contains("заблокирован") && html.contains("Разблокировать"));
    let (status, _, _) = page(&app, &pweb, "/inbox").await;
    assert_eq!(status, 303, "signed out by the block");
    let (status, _, _) = post_form(&app, &web, &format!("/users/{id}/unblock"), &[("csrf", &csrf)]).await;
    assert_eq!(status, 303);
    let (status, html, _) = post_form(&app, &web, &format!("/users/{admin_id}/block"), &[("csrf", &csrf)]).await;
    assert_eq!(status, 403);
    assert!(html.contains("Нельзя заблокировать самого себя"));

    // A group: created, a member found and added, then removed; non-admins see no controls.
    let (status, _, h) = post_form(
        &app,
        &web,
        "/groups",
        &[("csrf", &csrf), ("name", "Отдел кадров"), ("description", "Кадры")],
    )
    .await;
    assert_eq!(status, 303);
    let group = h["location"].to_str().unwrap().to_string();
    let (_, html, _) = page(&app, &web, &format!("{group}?q=%D0%9F%D0%B5%D1%82%D1%80")).await;
    assert!(html.contains(&format!("name=\"user\" value=\"{id}\"")), "{html}");
    let (status, _, _) = post_form(
        &app,
        &web,
        &format!("{group}/members"),
        &[("csrf", &csrf), ("user", &id)],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html, _) = page(&app, &web, &group).await;
    assert!(html.contains("Петрова Мария") && html.contains("Исключить"));
    let (_, html, _) = page(&app, &web, "/groups").await;
    assert!(html.contains("Отдел кадров") && html.contains("1 участник<"), "{html}");
    let (status, _, _) = post_form(
        &app,
        &web,
        &format!("{group}/edit"),
        &[
            ("csrf", &csrf),
            ("name", "Отдел персонала"),
            ("description", "Кадры и обучение"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html, _) = page(&app, &web, &group).await;
    assert!(html.contains("Группа «Отдел персонала»") && html.contains("Кадры и обучение"));
    let (status, _, _) = post_form(
        &app,
        &gweb,
        &format!("{group}/edit"),
        &[("csrf", &gcsrf), ("name", "Захват")],
    )
    .await;
    assert_eq!(status, 403, "renaming needs manage_users");
    let (status, html, _) = page(&app, &gweb, &group).await;
    assert_eq!(status, 200);
    assert!(html.contains("Состав группы видят") && !html.contains("Исключить"));
    let (status, _, _) = post_form(
        &app,
        &gweb,
        &format!("{group}/members"),
        &[("csrf", &gcsrf), ("user", &id)],
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = post_form(
        &app,
        &web,
        &format!("{group}/members"),
        &[("csrf", &csrf), ("user", &id), ("remove", "1")],
    )
    .await;
    assert_eq!(status, 303);
    let members = app
        .get(
            &format!("/api/v1/groups{}", group.trim_start_matches("/groups")),
            &token,
        )
        .await;
    assert_eq!(members.ok(200)["members"], json!([]));
    let (status, _, h) = post_form(&app, &web, &format!("{group}/delete"), &[("csrf", &csrf)]).await;
    assert_eq!(status, 303);
    assert_eq!(h["location"], "/groups");

    // The audit log shows what happened, filtered; refusals stand out.
    let (status, html, _) = page(&app, &web, "/audit?action=user.blocked").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("user.blocked") && html.contains("Админова Анна"),
        "{html}"
    );
    assert!(!html.contains("user.unblocked"), "filtered by action");
    let (_, html, _) = page(&app, &web, "/audit?outcome=failure").await;
    assert!(
        html.contains("class=\"failure\"") && !html.contains("user.blocked<"),
        "{html}"
    );
    let (status, _, _) = page(&app, &gweb, "/audit").await;
    assert_eq!(status, 403, "the log is for manage_users");
}
