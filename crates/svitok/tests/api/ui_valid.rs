//! Every page of the interface is valid HTML: the server's own output, as a browser gets
//! it, checked by html-validate (npm, pinned in `tools/html-validate`).

use crate::helpers::{spawn_app, Backend};
use crate::ui_kit::{page, post_form, sign_in};
use serde_json::json;
use std::path::PathBuf;

fn validator() -> Option<PathBuf> {
    let tool = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/html-validate");
    let bin = tool.join("node_modules/.bin/html-validate");
    crate::helpers::peer_binary(
        bin.exists().then_some(bin),
        "the HTML validity check",
        "cd tools/html-validate && npm ci",
    )
}

#[tokio::test]
async fn every_page_is_valid_html() {
    let Some(bin) = validator() else {
        return;
    };
    let app = spawn_app(Backend::Sqlite).await;
    let link = app.setup_link.clone().expect("a fresh app has a setup link");
    let setup = format!("/setup/{}", link.rsplit('/').next().unwrap());
    let (status, setup_page, _) = page(&app, &crate::ui_kit::browser(), &setup).await;
    assert_eq!(status, 200);
    let (admin, token) = app.admin().await;
    let (_, clerk) = app.invite(&token, "clerk", &["send_documents"]).await;
    let g = app
        .post_as("/api/v1/groups", &token, json!({"name": "Канцелярия"}))
        .await;
    let gid = g.ok(201)["id"].as_str().unwrap().to_string();
    app.put(&format!("/api/v1/groups/{gid}/members/{clerk}"), &token, json!({}))
        .await
        .ok(204);
    let d = app
        .upload_to("/api/v1/documents", &token, "Положение.txt", b"text".to_vec())
        .await;
    let doc = d.ok(201)["id"].as_str().unwrap().to_string();
    app.post_as(
        &format!("/api/v1/documents/{doc}/send"),
        &token,
        json!({"to": [{"kind": "group", "id": gid}], "comment": "Ознакомиться"}),
    )
    .await
    .ok(200);
    let anon = crate::ui_kit::browser();
    let mut pages: Vec<(String, String)> = vec![("/setup/{token}".into(), setup_page)];
    for path in [
        "/login",
        "/register",
        "/reset",
        "/password/reset",
        "/login?done=registered",
    ] {
        let (status, html, _) = page(&app, &anon, path).await;
        assert_eq!(status, 200, "{path}");
        pages.push((path.into(), html));
    }
    // The pages that follow a form: the registration's code page, the login's code page.
    let csrf = crate::ui_kit::hidden(&pages[1].1, "csrf");
    let (status, confirm, _) = post_form(
        &app,
        &anon,
        "/register",
        &[
            ("csrf", &csrf),
            ("last_name", "Орлова"),
            ("first_name", "Дарья"),
            ("login", "orlova"),
            ("email", "orlova@example.ru"),
            ("password", "длинный пароль орловой"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{confirm}");
    pages.push(("register → confirm".into(), confirm));
    app.advance(time::Duration::seconds(61)); // one login code a minute per account
    let (status, code, _) = post_form(
        &app,
        &anon,
        "/login",
        &[("csrf", &csrf), ("login", &admin.login), ("password", &admin.password)],
    )
    .await;
    assert_eq!(status, 200, "{code}");
    pages.push(("login → code".into(), code));
    app.mail.next_code(&admin.email).await; // that code is not used
    app.advance(time::Duration::seconds(61)); // one login code a minute per account
    let (web, csrf) = sign_in(&app, &admin).await;
    let card = format!("/documents/{doc}");
    for path in [
        "/inbox",
        "/documents",
        "/documents/mine",
        "/trash",
        "/documents/new",
        card.as_str(),
        &format!("{card}/send"),
        &format!("{card}/responsible"),
        &format!("{card}/signers"),
        "/users",
        "/users/new",
        &format!("/users/{clerk}"),
        "/groups",
        &format!("/groups/{gid}"),
        "/profile",
        "/stats",
        "/audit",
        "/documents/0190b5a0-0000-7000-8000-000000000001",
    ] {
        let (status, html, _) = page(&app, &web, path).await;
        assert!(status == 200 || path.ends_with("0001"), "{path}: {status}");
        pages.push((path.to_string(), html));
    }
    let (status, html, _) = post_form(
        &app,
        &web,
        &format!("{card}/sign"),
        &[("csrf", &csrf), ("version", "1")],
    )
    .await;
    assert_eq!(status, 200);
    pages.push(("sign".into(), html));
    let (_, html, _) = post_form(
        &app,
        &web,
        "/profile/totp",
        &[("csrf", &csrf), ("current", &admin.password)],
    )
    .await;
    pages.push(("totp enrolment".into(), html));
    let (_, html, _) = post_form(
        &app,
        &web,
        "/profile/tokens",
        &[("csrf", &csrf), ("name", "Т"), ("days", "3")],
    )
    .await;
    pages.push(("new token".into(), html));

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pages");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for (i, (path, html)) in pages.iter().enumerate() {
        let f = dir.join(format!("{i:02}.html"));
        std::fs::write(&f, html).unwrap();
        files.push((f, path));
    }
    // The validator itself must catch a broken page, or this test proves nothing.
    let bad = dir.join("bad.html");
    std::fs::write(&bad, "<!doctype html><html lang=\"ru\"><head><title>x</title></head><body><p><div>x</div></p><input id=\"a\"><input id=\"a\"></body></html>").unwrap();
    let control = std::process::Command::new(&bin)
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/html-validate"))
        .args(["--config", ".htmlvalidate.json"])
        .arg(&bad)
        .output()
        .expect("html-validate runs");
    assert!(!control.status.success(), "a broken page passed the validator");
    let out = std::process::Command::new(&bin)
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/html-validate"))
        .arg("--config")
        .arg(".htmlvalidate.json")
        .arg("--formatter")
        .arg("text")
        .args(files.iter().map(|(f, _)| f))
        .output()
        .expect("html-validate runs");
    let report = String::from_utf8_lossy(&out.stdout);
    let named = files.iter().fold(report.to_string(), |r, (f, path)| {
        r.replace(&f.display().to_string(), &format!("{path} ({})", f.display()))
    });
    assert!(
        out.status.success(),
        "invalid HTML:\n{named}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
