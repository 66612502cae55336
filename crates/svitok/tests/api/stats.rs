//! `GET /api/v1/stats`: the figures counted from real documents, and who may see them.

use crate::both_backends;
use crate::helpers::{spawn_app, Backend};
use serde_json::json;

both_backends!(statistics_count_what_happened);

async fn statistics_count_what_happened(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let (clerk, _) = app.invite(&admin, "clerk", &["create_documents"]).await;
    let clerk = app.login(&clerk).await;
    let g = app
        .post_as("/api/v1/groups", &admin, json!({"name": "Бухгалтерия"}))
        .await;
    let gid = g.ok(201)["id"].as_str().unwrap().to_string();
    let new_doc = |title: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let d = app.post_as("/api/v1/documents", &admin, json!({"title": title})).await;
            d.ok(201)["id"].as_str().unwrap().to_string()
        }
    };
    let status = |id: String, to: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.post_as(&format!("/api/v1/documents/{id}/status"), &admin, json!({"status": to}))
                .await
                .ok(200);
        }
    };
    // Done 24 minutes (0.4 h) after its creation (within the session's idle time).
    let finished = new_doc("Исполненный").await;
    app.advance(time::Duration::minutes(24));
    status(finished.clone(), "in_progress").await;
    status(finished.clone(), "done").await;
    // Overdue: due yesterday, still a draft.
    let late = new_doc("Просроченный").await;
    let yesterday = app.state.clock.now().date().previous_day().unwrap().to_string();
    app.call(
        reqwest::Method::PATCH,
        &format!("/api/v1/documents/{late}"),
        Some(&admin),
        Some(json!({"due_date": yesterday})),
    )
    .await
    .ok(200);
    // Handed to a group.
    let handed = new_doc("Для бухгалтерии").await;
    app.post_as(
        &format!("/api/v1/documents/{handed}/send"),
        &admin,
        json!({"to": [{"kind": "group", "id": gid}], "hand_over": true}),
    )
    .await
    .ok(200);
    // In the trash: not counted.
    let gone = new_doc("Удалённый").await;
    app.call(
        reqwest::Method::DELETE,
        &format!("/api/v1/documents/{gone}"),
        Some(&admin),
        None,
    )
    .await;

    let r = app.get("/api/v1/stats", &admin).await;
    let s = r.ok(200);
    assert_eq!(s["total"], 3, "{s}");
    let by_status = |st: &str| {
        s["by_status"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["status"] == st)
            .unwrap()["count"]
            .as_i64()
            .unwrap()
    };
    assert_eq!((by_status("done"), by_status("draft"), by_status("signed")), (1, 2, 0));
    assert_eq!(
        s["by_status"].as_array().unwrap().len(),
        8,
        "every status, zeros included"
    );
    assert_eq!(
        s["by_responsible_group"],
        json!([{"group_id": gid, "name": "Бухгалтерия", "count": 1}])
    );
    assert_eq!(s["overdue"], 1);
    assert_eq!(s["mean_hours_to_done"], 0.4);
    assert_eq!(s["mean_hours_to_signed"], serde_json::Value::Null);
    assert_eq!(s["top_senders"][0]["sent"], 1);
    assert_eq!(s["top_senders"][0]["name"], "Админова Анна");
    let weeks = s["per_week"].as_array().unwrap();
    assert_eq!(weeks.len(), 12);
    let sum = |k: &str| weeks.iter().map(|w| w[k].as_i64().unwrap()).sum::<i64>();
    assert_eq!((sum("created"), sum("completed")), (3, 1));
    assert!(
        weeks.windows(2).all(|w| w[0]["week"].as_str() < w[1]["week"].as_str()),
        "oldest first"
    );
    for w in weeks {
        let day = time::Date::parse(
            w["week"].as_str().unwrap(),
            &time::format_description::well_known::Iso8601::DATE,
        )
        .unwrap();
        assert_eq!(day.weekday(), time::Weekday::Monday, "{w}");
    }

    let r = app.get("/api/v1/stats?weeks=3", &admin).await;
    assert_eq!(r.ok(200)["per_week"].as_array().unwrap().len(), 3);
    assert_eq!(app.get("/api/v1/stats?weeks=0", &admin).await.status, 422);
    assert_eq!(
        app.get("/api/v1/stats", &clerk).await.status,
        403,
        "needs view_statistics"
    );
}

both_backends!(statistics_page_draws_charts_with_the_numbers);

async fn statistics_page_draws_charts_with_the_numbers(b: Backend) {
    let app = spawn_app(b).await;
    let (admin, token) = app.admin().await;
    let (clerk, _) = app.invite(&token, "clerk", &["create_documents"]).await;
    for title in ["Первый", "Второй"] {
        app.post_as("/api/v1/documents", &token, json!({"title": title}))
            .await
            .ok(201);
    }
    app.advance(time::Duration::seconds(61)); // one login code a minute per account
    let (web, _) = crate::ui_kit::sign_in(&app, &admin).await;
    let (status, html, _) = crate::ui_kit::page(&app, &web, "/stats").await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("<svg") && html.contains("class=\"bar\""),
        "charts drawn on the server"
    );
    assert!(
        html.contains("<td>Черновик</td><td>2</td>"),
        "the numbers beside the chart: {html}"
    );
    assert!(html.contains("href=\"/stats\""), "in the navigation");
    let (cweb, _) = crate::ui_kit::sign_in(&app, &clerk).await;
    let (status, html, _) = crate::ui_kit::page(&app, &cweb, "/stats").await;
    assert_eq!(status, 403);
    assert!(html.contains("Доступ запрещён"));
    let (_, html, _) = crate::ui_kit::page(&app, &cweb, "/inbox").await;
    assert!(!html.contains("href=\"/stats\""), "not offered without the right");
}
