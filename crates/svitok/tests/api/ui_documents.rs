//! Documents from the browser: upload with the form token, new versions, sending to a
//! group through the picker, taking, responsibility, signature requests, the trash.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend};
use crate::ui_kit::{browser, page, post_file, post_form, sign_in};
use serde_json::json;

both_backends!(upload_send_take_request_and_trash_through_the_pages);

async fn upload_send_take_request_and_trash_through_the_pages(b: Backend) {
    let app = spawn_app(b).await;
    let (admin, token) = app.admin().await;
    let (clerk, clerk_id) = app
        .invite(
            &token,
            "clerk",
            &["send_documents", "manage_own_documents", "sign_documents"],
        )
        .await;
    let (outsider, _) = app.invite(&token, "outsider", &["manage_own_documents"]).await;
    let g = app
        .post_as("/api/v1/groups", &token, json!({"name": "Канцелярия"}))
        .await;
    let gid = g.ok(201)["id"].as_str().unwrap().to_string();
    app.put(&format!("/api/v1/groups/{gid}/members/{clerk_id}"), &token, json!({}))
        .await
        .ok(204);
    app.advance(time::Duration::seconds(61)); // one login code a minute per account
    let (web, csrf) = sign_in(&app, &admin).await;

    // The upload form needs its token first; without it nothing is stored.
    let (status, _, _) = post_file(
        &app,
        &web,
        "/documents/upload",
        &[("title", "Чужое")],
        ("x.txt", b"x".to_vec()),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = post_file(
        &app,
        &browser(),
        "/documents/upload",
        &[("csrf", &csrf)],
        ("x.txt", b"x".to_vec()),
    )
    .await;
    assert_eq!(status, 303, "a browser without a session goes to the login page");
    let none = app.get("/api/v1/documents", &token).await;
    assert_eq!(
        none.ok(200)["items"].as_array().unwrap().len(),
        0,
        "nothing was created"
    );
    let (status, html, _) = page(&app, &web, "/documents/new").await;
    assert_eq!(status, 200);
    assert!(html.contains("enctype=\"multipart/form-data\"") && html.contains("<progress"));
    let (status, _, h) = post_file(
        &app,
        &web,
        "/documents/upload",
        &[("csrf", &csrf), ("title", "Приказ об отпуске"), ("kind", "Приказ")],
        ("Приказ.txt", b"first".to_vec()),
    )
    .await;
    assert_eq!(status, 303);
    let card = h["location"].to_str().unwrap().to_string();
    let (status, _, h) = post_file(
        &app,
        &web,
        &format!("{card}/versions"),
        &[("csrf", &csrf)],
        ("Приказ-2.txt", b"second version".to_vec()),
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(h["location"].to_str().unwrap(), card);
    let (_, html, _) = page(&app, &web, &card).await;
    assert!(html.contains("Приказ-2.txt") && html.contains("14 Б"), "{html}");
    assert!(html.contains("Отправить") && html.contains("В корзину"));

    // Send to the group with a hand-over, chosen in the picker.
    let (status, html, _) = page(&app, &web, &format!("{card}/send?q=%D0%9A%D0%B0%D0%BD%D1%86")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("value=\"group:{gid}\"")), "{html}");
    assert!(!html.contains("value=\"user:"), "the search narrowed the choice");
    // The address book finds people by name and position, never by address or login
    // (issue 12, finding 8): everyone's address is at example.ru.
    let (status, html, _) = page(&app, &web, &format!("{card}/send?q=example.ru")).await;
    assert_eq!(status, 200);
    assert!(!html.contains("value=\"user:"), "found by address: {html}");
    let (status, html, _) = post_form(
        &app,
        &web,
        &format!("{card}/send"),
        &[("csrf", &csrf), ("comment", "x")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Выберите хотя бы одного адресата"));
    // Searching again keeps what is ticked (and what is typed).
    let ticked = format!("group:{gid}");
    let (status, html, _) = post_form(
        &app,
        &web,
        &format!("{card}/send"),
        &[
            ("csrf", &csrf),
            ("to", &ticked),
            ("q", "clerk"),
            ("find", "1"),
            ("comment", "Срочно"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("value=\"group:{gid}\" checked")), "{html}");
    assert!(
        html.contains(&format!("value=\"user:{clerk_id}\"")) && html.contains(">Срочно</textarea>"),
        "{html}"
    );
    let to = format!("group:{gid}");
    let (status, _, _) = post_form(
        &app,
        &web,
        &format!("{card}/send"),
        &[
            ("csrf", &csrf),
            ("to", &to),
            ("comment", "Исполнить"),
            ("hand_over", "1"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html, _) = page(&app, &web, &card).await;
    assert!(html.contains("группа «Канцелярия»") && html.contains("документ отправлен"));

    // A member of the group finds it in the inbox and takes it.
    let (clerk_web, clerk_csrf) = sign_in(&app, &clerk).await;
    let (_, html, _) = page(&app, &clerk_web, "/inbox").await;
    assert!(html.contains("Приказ об отпуске") && html.contains("Исполнить"));
    let (_, html, _) = page(&app, &clerk_web, &card).await;
    assert!(html.contains("Взять в работу"), "{html}");
    let (status, _, _) = post_form(&app, &clerk_web, &format!("{card}/take"), &[("csrf", &clerk_csrf)]).await;
    assert_eq!(status, 303);
    let (_, html, _) = page(&app, &clerk_web, &card).await;
    assert!(html.contains("Сотрудник clerk") && !html.contains("Взять в работу"));
    assert!(html.contains("сменился ответственный"));

    // Someone who may not read it: the same 404 for every action.
    let (out_web, out_csrf) = sign_in(&app, &outsider).await;
    for action in ["take", "delete", "send", "responsible", "signers", "status"] {
        let (status, _, _) = post_form(
            &app,
            &out_web,
            &format!("{card}/{action}"),
            &[("csrf", &out_csrf), ("to", &to), ("status", "in_review")],
        )
        .await;
        assert_eq!(status, 404, "{action}");
    }
    for action in ["send", "responsible", "signers"] {
        let (status, _, _) = page(&app, &out_web, &format!("{card}/{action}")).await;
        assert_eq!(status, 404, "{action}");
    }
    let (status, _, _) = post_file(
        &app,
        &out_web,
        &format!("{card}/versions"),
        &[("csrf", &out_csrf)],
        ("x.txt", b"x".to_vec()),
    )
    .await;
    assert_eq!(status, 404);

    // The owner hands responsibility back to itself, then asks the clerk to sign.
    let admin_id = app.user_id(&token).await.to_string();
    let me = format!("user:{admin_id}");
    let (_, html, _) = page(
        &app,
        &web,
        &format!("{card}/responsible?q=%D0%90%D0%B4%D0%BC%D0%B8%D0%BD"),
    )
    .await;
    assert!(html.contains("type=\"radio\"") && html.contains(&me), "{html}");
    let (status, _, _) = post_form(
        &app,
        &web,
        &format!("{card}/responsible"),
        &[("csrf", &csrf), ("to", &me)],
    )
    .await;
    assert_eq!(status, 303);
    let clerk_party = format!("user:{clerk_id}");
    let (status, _, _) = post_form(
        &app,
        &web,
        &format!("{card}/signers"),
        &[("csrf", &csrf), ("to", &clerk_party), ("comment", "Подпишите")],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html, _) = page(&app, &web, &card).await;
    assert!(
        html.contains("На подписании") && html.contains("ожидается подпись"),
        "{html}"
    );
    let (_, html, _) = page(&app, &clerk_web, "/inbox").await;
    assert!(html.contains("на подпись"));

    // The card's fields, edited on the card (by its owner; not by the clerk).
    let (status, _, _) = post_form(
        &app,
        &web,
        &format!("{card}/edit"),
        &[
            ("csrf", &csrf),
            ("title", "Приказ об отпуске (ред.)"),
            ("kind", "Приказ"),
            ("reg_number", "17-к"),
            ("due_date", "2026-12-31"),
            ("description", "Подписать до конца года"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, html, _) = page(&app, &web, &card).await;
    assert!(html.contains("Приказ об отпуске (ред.)") && html.contains("№ 17-к") && html.contains("2026-12-31"));
    let (status, html, _) = post_form(&app, &web, &format!("{card}/edit"), &[("csrf", &csrf), ("title", "")]).await;
    assert_eq!(status, 422, "{html}");
    let (status, _, _) = post_form(
        &app,
        &clerk_web,
        &format!("{card}/edit"),
        &[("csrf", &clerk_csrf), ("title", "x")],
    )
    .await;
    assert_eq!(status, 403, "the clerk is no longer responsible");
    let (_, html, _) = page(&app, &clerk_web, &card).await;
    assert!(!html.contains("/edit\""), "no edit form for a reader");

    // A card to the trash and back.
    let (status, _, h) = post_form(
        &app,
        &web,
        "/documents/new",
        &[("csrf", &csrf), ("title", "Черновик записки")],
    )
    .await;
    assert_eq!(status, 303);
    let draft = h["location"].to_str().unwrap().to_string();
    let (status, _, h) = post_form(&app, &web, &format!("{draft}/delete"), &[("csrf", &csrf)]).await;
    assert_eq!(status, 303);
    assert_eq!(h["location"], "/trash");
    let (_, html, _) = page(&app, &web, "/trash").await;
    assert!(html.contains("Черновик записки") && !html.contains("Приказ об отпуске"));
    let (_, html, _) = page(&app, &web, "/documents/mine").await;
    assert!(!html.contains("Черновик записки") && html.contains("Приказ об отпуске"));
    let (_, html, _) = page(&app, &web, &draft).await;
    assert!(html.contains("в корзине") && html.contains("Восстановить"));
    let (status, _, _) = post_form(&app, &web, &format!("{draft}/restore"), &[("csrf", &csrf)]).await;
    assert_eq!(status, 303);
    let (_, html, _) = page(&app, &web, "/documents/mine").await;
    assert!(html.contains("Черновик записки"));
    let (_, html, _) = page(&app, &web, "/documents?sort=title").await;
    assert!(
        html.contains("<option value=\"title\" selected>") && html.contains("Найдено: 2 документа."),
        "{html}"
    );
    let at = |t: &str| html.find(t).unwrap();
    assert!(at("Приказ об отпуске") < at("Черновик записки"), "in title order");
    // More conditions: kind, group, due date, creation days.
    for (query, order, draft) in [
        ("kind=%D0%9F%D1%80%D0%B8%D0%BA%D0%B0%D0%B7", true, false),
        (&format!("group={gid}") as &str, true, false),
        ("due_before=2027-01-01", true, false),
        ("due_before=2026-12-01", false, false),
        ("from=2000-01-01&to=2100-01-01", true, true),
        ("to=2000-01-01", false, false),
    ] {
        let (status, html, _) = page(&app, &web, &format!("/documents?{query}")).await;
        assert_eq!(status, 200, "{query}");
        assert_eq!(html.contains("Приказ об отпуске"), order, "{query}");
        assert_eq!(html.contains("Черновик записки"), draft, "{query}");
        assert!(
            html.contains("<details class=\"more\" open>"),
            "the conditions stay visible"
        );
    }
    let (status, html, _) = page(&app, &web, "/documents?from=26.11.2026").await;
    assert_eq!(status, 422);
    assert!(html.contains("Ожидается дата"));
}
