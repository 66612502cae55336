//! What Svitok says follows the reader's language (issue 13, item 4): problem details and
//! API answers are said from the Fluent catalogs, and the code names its words by key.

use crate::both_backends;
use crate::helpers::{files_under, spawn_app, Backend};
use reqwest::Method;
use serde_json::json;
use std::collections::BTreeSet;
use svitok_app::messages::{EN, RU};

both_backends!(problem_details_follow_the_request_then_the_saved_language);

async fn problem_details_follow_the_request_then_the_saved_language(b: Backend) {
    let app = spawn_app(b).await;
    let (_, admin) = app.admin().await;
    let detail = |r: &crate::helpers::Reply| r.body["detail"].as_str().unwrap().to_string();
    let me = app.user_id(&admin).await;
    let path = format!("/api/v1/users/{me}/block");
    let ask = |lang: Option<&'static str>| {
        let mut req = app.http.request(Method::POST, app.url(&path)).bearer_auth(&admin);
        if let Some(l) = lang {
            req = req.header("accept-language", l);
        }
        req
    };

    // Nobody asked: Russian.
    let r = app.send(ask(None)).await;
    r.problem(403);
    assert_eq!(detail(&r), "Нельзя заблокировать самого себя");
    // The request asks for English.
    let r = app.send(ask(Some("en-GB,en;q=0.9"))).await;
    r.problem(403);
    assert_eq!(detail(&r), "You cannot block yourself");
    // A language we do not have: Russian.
    assert_eq!(
        detail(&app.send(ask(Some("de"))).await),
        "Нельзя заблокировать самого себя"
    );

    // The person chose English: their token hears English unless the request asks otherwise.
    app.state.db.set_language(me, Some("en"), 0).await.unwrap();
    assert_eq!(detail(&app.send(ask(None)).await), "You cannot block yourself");
    assert_eq!(
        detail(&app.send(ask(Some("ru"))).await),
        "Нельзя заблокировать самого себя"
    );

    // Arguments and errors the edge words itself follow too.
    let r = app
        .send(
            app.http
                .request(Method::POST, app.url("/api/v1/groups"))
                .bearer_auth(&admin)
                .header("accept-language", "en")
                .json(&json!({ "name": "" })),
        )
        .await;
    r.problem(422);
    assert_eq!(detail(&r), "The field “name” cannot be empty");
    let r = app
        .send(
            app.http
                .request(
                    Method::GET,
                    app.url(&format!("/api/v1/documents/{}", uuid::Uuid::new_v4())),
                )
                .bearer_auth(&admin)
                .header("accept-language", "en"),
        )
        .await;
    r.problem(404);
    assert_eq!(detail(&r), "Document not found");
    let r = app
        .send(
            app.http
                .request(Method::GET, app.url("/api/v1/nowhere"))
                .header("accept-language", "en"),
        )
        .await;
    r.problem(404);
    assert_eq!(detail(&r), "No such address");
    let r = app.call(Method::GET, "/api/v1/me", None, None).await;
    r.problem(401);
    assert_eq!(detail(&r), "Требуется вход в систему");
}

fn keys(catalog: &str) -> BTreeSet<String> {
    catalog
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
        .filter_map(|l| l.split(" =").next())
        .map(str::to_string)
        .collect()
}

/// Every `"msg-…"` literal in the sources, with where it is.
fn keys_in_code() -> Vec<(String, String)> {
    let crates = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let mut found = Vec::new();
    for entry in std::fs::read_dir(crates).unwrap().flatten() {
        for file in files_under(&entry.path().join("src")) {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                for part in line.split("\"msg-").skip(1) {
                    let rest: String = part
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                        .collect();
                    if !rest.is_empty() && part[rest.len()..].starts_with('"') {
                        found.push((format!("msg-{rest}"), format!("{}:{}", file.display(), n + 1)));
                    }
                }
            }
        }
    }
    found
}

/// A key the code names is in both catalogs; a key in a catalog is named by the code.
#[test]
fn every_message_key_is_in_both_catalogs_and_used() {
    let (ru, en) = (keys(RU), keys(EN));
    assert_eq!(
        ru.symmetric_difference(&en).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "keys in one messages' catalog only"
    );
    assert!(ru.iter().all(|k| k.starts_with("msg-")), "message keys start with msg-");
    let used = keys_in_code();
    for (key, at) in &used {
        assert!(ru.contains(key), "{at}: {key} is in no catalog");
    }
    let used: BTreeSet<&String> = used.iter().map(|(k, _)| k).collect();
    let unused: Vec<&String> = ru.iter().filter(|k| !used.contains(k)).collect();
    assert!(unused.is_empty(), "keys no code says: {unused:?}");
}

/// The code says no Russian (or any) prose to people itself: it names a message. What
/// is left are words that are data, each with its reason.
#[test]
fn no_prose_in_the_code_outside_the_catalogs() {
    // (file, why its Cyrillic text stays)
    let allowed = [
        ("svitok-app/src/accounts/letters.rs", "mail letters, worded by issue 17"),
        (
            "svitok-app/src/documents/transfers.rs",
            "the mail about a sent document, issue 17",
        ),
        ("svitok-app/src/caller.rs", "the operator's name in the audit log"),
        (
            "svitok-core/src/password.rs",
            "the product's name, refused inside passwords",
        ),
        (
            "svitok-pki/src/test_kit.rs",
            "fixtures for tests: a signer's Cyrillic name",
        ),
        ("svitok-pki/src/authority.rs", "the CA's name inside its certificate"),
        (
            "svitok-pki/src/timestamp.rs",
            "the time-stamping service's name inside its certificate",
        ),
        (
            "svitok-web/src/ui/render.rs",
            "size units and the last-resort error page",
        ),
        (
            "svitok-web/src/api/mod.rs",
            "the product's Russian name (ЭДО) in the API's description",
        ),
        (
            "svitok/src/main.rs",
            "the product's Russian name (ЭДО) in the about line",
        ),
    ];
    let crates = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let mut prose = Vec::new();
    for entry in std::fs::read_dir(crates).unwrap().flatten() {
        for file in files_under(&entry.path().join("src")) {
            let shown = file.display().to_string();
            if file.extension().is_none_or(|e| e != "rs") || allowed.iter().any(|(f, _)| shown.ends_with(f)) {
                continue;
            }
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                if line.trim_start().starts_with("#[cfg(test)]") {
                    break;
                }
                let code = line.split("//").next().unwrap_or_default();
                let in_literal = code
                    .split('"')
                    .skip(1)
                    .step_by(2)
                    .any(|lit| lit.chars().any(|c| matches!(c, 'А'..='я' | 'Ё' | 'ё')));
                if in_literal {
                    prose.push(format!("{shown}:{}", n + 1));
                }
            }
        }
    }
    assert!(
        prose.is_empty(),
        "prose in code; name a message (msg-…) instead: {prose:#?}"
    );
}
