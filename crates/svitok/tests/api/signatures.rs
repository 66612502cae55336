//! Electronic signature (SPEC §7) through the HTTP API, judged by stock OpenSSL: the CA,
//! per-user certificates, detached CMS signatures, required signers, revocation and the
//! CRL, and `svitok verify`.

use crate::both_backends;
use crate::cli::run_cli;
use crate::helpers::{spawn_app, Account, Backend, TestApp};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

both_backends!(
    openssl_verifies_a_signature_made_through_the_api,
    signing_needs_a_fresh_factor_the_right_and_read_access,
    every_member_of_a_group_must_sign_before_signed,
    any_member_and_a_user_request,
    blocking_revokes_the_certificate_and_the_crl_lists_it,
    signed_documents_stay_and_new_versions_are_unsigned,
    signing_with_totp_and_with_an_expired_code,
    a_revoked_key_cannot_sign_valid_by_backdating,
    the_signer_is_who_the_certificate_names,
);

/// Bytes of a GET (files, signatures, the CA), with the status.
async fn bytes(app: &TestApp, path: &str, token: Option<&str>) -> (u16, Vec<u8>, reqwest::header::HeaderMap) {
    let mut req = app.http.get(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, res.bytes().await.unwrap().to_vec(), headers)
}

async fn upload(app: &TestApp, token: &str, name: &str, data: &[u8]) -> String {
    let r = app.upload_to("/api/v1/documents", token, name, data.to_vec()).await;
    r.ok(201)["id"].as_str().unwrap().to_string()
}

/// Step-up and sign version `n`; the reply of the signing call.
async fn sign(app: &TestApp, who: &Account, token: &str, doc: &str, n: i64) -> crate::helpers::Reply {
    app.advance(time::Duration::seconds(61)); // one code a minute

    app.advance(time::Duration::seconds(61)); // one code a minute

    let s = app.post_as("/api/v1/auth/step-up", token, json!({})).await;
    let challenge = s.ok(200)["challenge"].as_str().unwrap().to_string();
    let code = app.mail.next_code(&who.email).await;
    app.post_as(
        &format!("/api/v1/documents/{doc}/versions/{n}/signatures"),
        token,
        json!({"challenge": challenge, "code": code}),
    )
    .await
}

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("svitok-sig-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl is installed");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn openssl_verify(dir: &Path, content: &str) -> (bool, String) {
    let p = |f: &str| dir.join(f).to_string_lossy().into_owned();
    openssl(&[
        "cms",
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        &p("doc.p7s"),
        "-content",
        &p(content),
        "-CAfile",
        &p("ca.pem"),
        "-purpose",
        "any",
        "-out",
        "/dev/null",
    ])
}

async fn signatures(app: &TestApp, token: &str, doc: &str, n: i64, verify: bool) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/documents/{doc}/versions/{n}/signatures?verify={verify}"),
            token,
        )
        .await;
    r.ok(200)["items"].as_array().unwrap().clone()
}

async fn openssl_verifies_a_signature_made_through_the_api(b: Backend) {
    let app = spawn_app(b).await;
    let (admin, token) = app.admin().await;
    let content: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let doc = upload(&app, &token, "Приказ №1.pdf", &content).await;

    let r = sign(&app, &admin, &token, &doc, 1).await;
    let sig = r.ok(201).clone();
    assert_eq!(sig["version"], 1);
    assert_eq!(sig["signer"]["name"], "Админова Анна");

    // Everything a stranger to Svitok needs: the file, the .p7s and the published CA.
    let d = dir();
    let sid = sig["id"].as_str().unwrap();
    let (s, p7s, h) = bytes(
        &app,
        &format!("/api/v1/documents/{doc}/versions/1/signatures/{sid}"),
        Some(&token),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(h["content-type"], "application/pkcs7-signature");
    assert!(h["content-disposition"].to_str().unwrap().contains(".p7s"));
    let (s, file, _) = bytes(
        &app,
        &format!("/api/v1/documents/{doc}/versions/1/content"),
        Some(&token),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(file, content);
    let (s, ca, h) = bytes(&app, "/api/v1/pki/ca.pem", None).await;
    assert_eq!(s, 200, "the CA certificate is public");
    assert_eq!(h["content-type"], "application/x-pem-file");
    std::fs::write(d.join("doc.p7s"), &p7s).unwrap();
    std::fs::write(d.join("doc"), &file).unwrap();
    std::fs::write(d.join("ca.pem"), &ca).unwrap();
    let (ok, out) = openssl_verify(&d, "doc");
    assert!(ok, "openssl cms -verify must accept the signature: {out}");
    assert!(out.contains("Verification successful"), "{out}");

    let mut tampered = file.clone();
    tampered[1000] ^= 1;
    std::fs::write(d.join("tampered"), &tampered).unwrap();
    let (ok, out) = openssl_verify(&d, "tampered");
    assert!(!ok, "one changed byte must fail verification: {out}");

    // CAdES-T: an RFC 3161 token from Svitok's own time-stamping authority over the
    // signature value, which OpenSSL's own TSA verifier accepts against the CA.
    let (value, stamp) = svitok_pki::timestamp::value_and_token(&p7s).unwrap();
    std::fs::write(d.join("sig.bin"), &value).unwrap();
    std::fs::write(d.join("token.der"), stamp.expect("the signature carries a time-stamp")).unwrap();
    let ts_verify = |data: &str| {
        openssl(&[
            "ts",
            "-verify",
            "-in",
            &d.join("token.der").to_string_lossy(),
            "-token_in",
            "-data",
            &d.join(data).to_string_lossy(),
            "-CAfile",
            &d.join("ca.pem").to_string_lossy(),
        ])
    };
    let (ok, out) = ts_verify("sig.bin");
    assert!(ok && out.contains("Verification: OK"), "openssl ts -verify: {out}");
    let (ok, out) = ts_verify("doc");
    assert!(!ok, "the token is over the signature, not anything else: {out}");

    // CAdES-BES signed attributes, and the signer's certificate inside.
    let (ok, dump) = openssl(&[
        "cms",
        "-cmsout",
        "-print",
        "-inform",
        "DER",
        "-in",
        &d.join("doc.p7s").to_string_lossy(),
    ]);
    assert!(ok, "{dump}");
    for attr in ["contentType", "messageDigest", "signingTime", "signingCertificateV2"] {
        assert!(
            dump.contains(attr),
            "{attr} missing from the signed attributes:\n{dump}"
        );
    }
    assert!(dump.contains("ecdsa-with-SHA256"), "{dump}");

    // The certificate: the user's own, issued by the CA, with the agreed fields.
    let cert = app.get("/api/v1/me/certificate", &token).await;
    let cert = cert.ok(200);
    assert_eq!(cert["serial"], sig["serial"]);
    std::fs::write(d.join("me.pem"), cert["pem"].as_str().unwrap()).unwrap();
    let (ok, text) = openssl(&[
        "x509",
        "-in",
        &d.join("me.pem").to_string_lossy(),
        "-noout",
        "-text",
        "-nameopt",
        "oneline,-esc_msb",
    ]);
    assert!(ok, "{text}");
    for want in [
        "CN = Админова Анна",
        "emailAddress = admin@example.ru",
        "O = Svitok",
        "Digital Signature",
        "Non Repudiation",
        "E-mail Protection",
        "X509v3 CRL Distribution Points",
        "URI:http://svitok.test/api/v1/pki/crl",
    ] {
        assert!(text.contains(want), "{want} missing from the certificate:\n{text}");
    }
    let (ok, out) = openssl(&[
        "verify",
        "-CAfile",
        &d.join("ca.pem").to_string_lossy(),
        &d.join("me.pem").to_string_lossy(),
    ]);
    assert!(ok, "the user certificate chains to the CA: {out}");

    // Svitok's own check agrees, in the API and offline.
    let list = signatures(&app, &token, &doc, 1, true).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["verification"]["status"], "valid", "{}", list[0]);
    let p = |f: &str| d.join(f).to_string_lossy().into_owned();
    // Without a CRL the check says revocation was not checked, and does not pass.
    let (ok, out) = run_cli(&app, &["verify", &p("doc"), &p("doc.p7s"), "--ca", &p("ca.pem")], None);
    assert!(!ok && out.contains("revocation NOT checked"), "{out}");
    let (_, crl, _) = bytes(&app, "/api/v1/pki/crl", None).await;
    std::fs::write(d.join("ca.crl"), crl).unwrap();
    let (ok, out) = run_cli(
        &app,
        &[
            "verify",
            &p("doc"),
            &p("doc.p7s"),
            "--ca",
            &p("ca.pem"),
            "--crl",
            &p("ca.crl"),
        ],
        None,
    );
    assert!(ok && out.contains("signature: valid"), "{out}");
    let (ok, out) = run_cli(
        &app,
        &["verify", &p("tampered"), &p("doc.p7s"), "--ca", &p("ca.pem")],
        None,
    );
    assert!(
        !ok && out.contains("INVALID"),
        "svitok verify must reject what openssl rejects: {out}"
    );
    // Without --ca it uses the server's own CA, revocations and record of the signature.
    let (ok, out) = run_cli(&app, &["verify", &p("doc"), &p("doc.p7s")], None);
    assert!(
        ok && out.contains("signature: valid") && out.contains("the server's record"),
        "{out}"
    );

    // Once per user and version.
    app.advance(time::Duration::seconds(61)); // one code a minute

    let again = app.post_as("/api/v1/auth/step-up", &token, json!({})).await;
    let challenge = again.ok(200)["challenge"].as_str().unwrap().to_string();
    let code = app.mail.next_code(&admin.email).await;
    app.post_as(
        &format!("/api/v1/documents/{doc}/versions/1/signatures"),
        &token,
        json!({"challenge": challenge, "code": code}),
    )
    .await
    .problem(409);

    let history = app.get(&format!("/api/v1/documents/{doc}/history"), &token).await;
    assert!(history.ok(200).to_string().contains("\"signed\""), "{}", history.body);
    let audit = app.get("/api/v1/audit?action=document.signed", &token).await;
    assert!(audit.ok(200).to_string().contains("document.signed"));
    let audit = app.get("/api/v1/audit?action=certificate.issued", &token).await;
    assert!(audit.ok(200).to_string().contains("certificate.issued"));
}

async fn signing_needs_a_fresh_factor_the_right_and_read_access(b: Backend) {
    let app = spawn_app(b).await;
    let (admin, token) = app.admin().await;
    let doc = upload(&app, &token, "a.txt", b"text").await;
    let path = format!("/api/v1/documents/{doc}/versions/1/signatures");

    // A wrong code, then the right code used twice: the second time it is spent.
    app.advance(time::Duration::seconds(61)); // one code a minute

    app.advance(time::Duration::seconds(61)); // one code a minute

    let s = app.post_as("/api/v1/auth/step-up", &token, json!({})).await;
    let challenge = s.ok(200)["challenge"].as_str().unwrap().to_string();
    let code = app.mail.next_code(&admin.email).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    app.post_as(&path, &token, json!({"challenge": challenge, "code": wrong}))
        .await
        .problem(401);
    // A login challenge is not a step-up.
    let login_challenge = app.start_login(&admin).await;
    let login_code = app.mail.next_code(&admin.email).await;
    app.post_as(&path, &token, json!({"challenge": login_challenge, "code": login_code}))
        .await
        .problem(401);
    assert!(signatures(&app, &token, &doc, 1, false).await.is_empty());

    // Another user's challenge and code do not sign for me.
    let (clerk, _) = app.invite(&token, "clerk", &["sign_documents", "send_documents"]).await;
    let clerk_token = app.login(&clerk).await;
    app.advance(time::Duration::seconds(61)); // one code a minute

    app.advance(time::Duration::seconds(61)); // one code a minute

    let s = app.post_as("/api/v1/auth/step-up", &clerk_token, json!({})).await;
    let clerk_challenge = s.ok(200)["challenge"].as_str().unwrap().to_string();
    let clerk_code = app.mail.next_code(&clerk.email).await;
    app.post_as(&path, &token, json!({"challenge": clerk_challenge, "code": clerk_code}))
        .await
        .problem(401);

    app.post_as(&path, &token, json!({"challenge": challenge, "code": code}))
        .await
        .ok(201);
    app.advance(time::Duration::seconds(61)); // one code a minute

    app.advance(time::Duration::seconds(61)); // one code a minute

    let s = app.post_as("/api/v1/auth/step-up", &token, json!({})).await;
    s.ok(200);
    app.post_as(&path, &token, json!({"challenge": challenge, "code": code}))
        .await
        .problem(409); // already signed: refused before the (spent) code is looked at
    let doc2 = upload(&app, &token, "b.txt", b"other").await;
    app.post_as(
        &format!("/api/v1/documents/{doc2}/versions/1/signatures"),
        &token,
        json!({"challenge": challenge, "code": code}),
    )
    .await
    .problem(401); // a spent code signs nothing else

    // Not a reader: 404, whatever the code. The clerk cannot read doc2.
    app.post_as(
        &format!("/api/v1/documents/{doc2}/versions/1/signatures"),
        &clerk_token,
        json!({"challenge": clerk_challenge, "code": clerk_code}),
    )
    .await
    .problem(404);
    app.get(&format!("/api/v1/documents/{doc2}/versions/1/signatures"), &clerk_token)
        .await
        .problem(404);

    // A reader without sign_documents: 403.
    let (reader, reader_id) = app.invite(&token, "reader", &["send_documents"]).await;
    let reader_token = app.login(&reader).await;
    app.post_as(
        &format!("/api/v1/documents/{doc2}/send"),
        &token,
        json!({"to": [{"kind": "user", "id": reader_id}]}),
    )
    .await
    .ok(200);
    app.advance(time::Duration::seconds(61)); // one code a minute

    app.advance(time::Duration::seconds(61)); // one code a minute

    let s = app.post_as("/api/v1/auth/step-up", &reader_token, json!({})).await;
    let rc = s.ok(200)["challenge"].as_str().unwrap().to_string();
    let rcode = app.mail.next_code(&reader.email).await;
    app.post_as(
        &format!("/api/v1/documents/{doc2}/versions/1/signatures"),
        &reader_token,
        json!({"challenge": rc, "code": rcode}),
    )
    .await
    .problem(403);
    app.post_as("/api/v1/me/certificate", &reader_token, json!({}))
        .await
        .problem(403);
    // A version that does not exist.
    app.advance(time::Duration::seconds(61)); // one code a minute

    app.advance(time::Duration::seconds(61)); // one code a minute

    let s = app.post_as("/api/v1/auth/step-up", &token, json!({})).await;
    let c = s.ok(200)["challenge"].as_str().unwrap().to_string();
    let code = app.mail.next_code(&admin.email).await;
    app.post_as(
        &format!("/api/v1/documents/{doc2}/versions/9/signatures"),
        &token,
        json!({"challenge": c, "code": code}),
    )
    .await
    .problem(404);
}

async fn status(app: &TestApp, token: &str, doc: &str) -> String {
    let r = app.get(&format!("/api/v1/documents/{doc}"), token).await;
    r.ok(200)["status"].as_str().unwrap().to_string()
}

async fn every_member_of_a_group_must_sign_before_signed(b: Backend) {
    let app = spawn_app(b).await;
    let (_, token) = app.admin().await;
    let (anna, anna_id) = app.invite(&token, "anna", &["sign_documents"]).await;
    let (boris, boris_id) = app.invite(&token, "boris", &["sign_documents"]).await;
    let g = app
        .post_as("/api/v1/groups", &token, json!({"name": "Правление"}))
        .await;
    let group = g.ok(201)["id"].as_str().unwrap().to_string();
    for u in [&anna_id, &boris_id] {
        let r = app
            .put(&format!("/api/v1/groups/{group}/members/{u}"), &token, json!({}))
            .await;
        assert_eq!(r.status, 204, "{}", r.body);
    }
    let doc = upload(&app, &token, "Устав.docx", b"charter").await;
    let r = app
        .post_as(
            &format!("/api/v1/documents/{doc}/signature-requests"),
            &token,
            json!({"to": [{"kind": "group", "id": group}], "every_member": true, "comment": "Прошу подписать"}),
        )
        .await;
    assert_eq!(r.ok(200)["items"][0]["satisfied"], false);
    assert_eq!(status(&app, &token, &doc).await, "signing");

    let anna_token = app.login(&anna).await;
    let boris_token = app.login(&boris).await;
    // The request is in each member's inbox, marked as one.
    for t in [&anna_token, &boris_token] {
        let inbox = app.get("/api/v1/inbox", t).await;
        let items = inbox.ok(200)["items"].as_array().unwrap().clone();
        assert!(
            items
                .iter()
                .any(|i| i["document"]["id"] == doc.as_str() && i["signature_requested"] == true),
            "{items:?}"
        );
    }
    sign(&app, &anna, &anna_token, &doc, 1).await.ok(201);
    assert_eq!(
        status(&app, &token, &doc).await,
        "signing",
        "one of two members is not every member"
    );
    sign(&app, &boris, &boris_token, &doc, 1).await.ok(201);
    assert_eq!(status(&app, &token, &doc).await, "signed");
    let r = app
        .get(&format!("/api/v1/documents/{doc}/signature-requests"), &anna_token)
        .await;
    assert_eq!(r.ok(200)["items"][0]["satisfied"], true);
    // `signed` is reached only this way.
    let r = app
        .post_as(
            &format!("/api/v1/documents/{doc}/status"),
            &token,
            json!({"status": "done"}),
        )
        .await;
    r.ok(200);
}

async fn any_member_and_a_user_request(b: Backend) {
    let app = spawn_app(b).await;
    let (admin, token) = app.admin().await;
    let (anna, anna_id) = app.invite(&token, "anna", &["sign_documents"]).await;
    let (_, boris_id) = app.invite(&token, "boris", &["sign_documents"]).await;
    let (_, nobody_id) = app.invite(&token, "nobody", &["send_documents"]).await;
    let g = app.post_as("/api/v1/groups", &token, json!({"name": "Юристы"})).await;
    let group = g.ok(201)["id"].as_str().unwrap().to_string();
    for u in [&anna_id, &boris_id] {
        app.put(&format!("/api/v1/groups/{group}/members/{u}"), &token, json!({}))
            .await;
    }
    let doc = upload(&app, &token, "Договор.pdf", b"contract").await;
    let path = format!("/api/v1/documents/{doc}/signature-requests");
    // Someone who can never sign is refused up front; a card without a file has nothing to sign.
    app.post_as(&path, &token, json!({"to": [{"kind": "user", "id": nobody_id}]}))
        .await
        .problem(422);
    let card = app
        .post_as("/api/v1/documents", &token, json!({"title": "Пустая карточка"}))
        .await;
    let card = card.ok(201)["id"].as_str().unwrap().to_string();
    app.post_as(
        &format!("/api/v1/documents/{card}/signature-requests"),
        &token,
        json!({"to": [{"kind": "user", "id": anna_id}]}),
    )
    .await
    .problem(409);
    // The admin itself and any one lawyer.
    let admin_id = app.user_id(&token).await.to_string();
    app.post_as(
        &path,
        &token,
        json!({"to": [{"kind": "user", "id": admin_id}, {"kind": "group", "id": group}]}),
    )
    .await
    .ok(200);
    let anna_token = app.login(&anna).await;
    sign(&app, &anna, &anna_token, &doc, 1).await.ok(201);
    assert_eq!(
        status(&app, &token, &doc).await,
        "signing",
        "the admin has not signed yet"
    );
    sign(&app, &admin, &token, &doc, 1).await.ok(201);
    assert_eq!(status(&app, &token, &doc).await, "signed");
    // A recipient who is not the owner cannot ask for signatures.
    app.post_as(&path, &anna_token, json!({"to": [{"kind": "user", "id": anna_id}]}))
        .await
        .problem(403);
}

async fn blocking_revokes_the_certificate_and_the_crl_lists_it(b: Backend) {
    let app = spawn_app(b).await;
    let (_, token) = app.admin().await;
    let (anna, anna_id) = app
        .invite(
            &token,
            "anna",
            &["sign_documents", "manage_own_documents", "send_documents"],
        )
        .await;
    let anna_token = app.login(&anna).await;
    let doc = upload(&app, &anna_token, "Заявление.txt", b"please").await;
    let admin_id = app.user_id(&token).await.to_string();
    app.post_as(
        &format!("/api/v1/documents/{doc}/send"),
        &anna_token,
        json!({"to": [{"kind": "user", "id": admin_id}]}),
    )
    .await
    .ok(200);
    let issued = app.post_as("/api/v1/me/certificate", &anna_token, json!({})).await;
    let serial = issued.ok(201)["serial"].as_str().unwrap().to_string();
    app.post_as("/api/v1/me/certificate", &anna_token, json!({}))
        .await
        .ok(200);
    sign(&app, &anna, &anna_token, &doc, 1).await.ok(201);
    app.advance(time::Duration::seconds(5));

    let d = dir();
    let (s, crl, _) = bytes(&app, "/api/v1/pki/crl", None).await;
    assert_eq!(s, 200);
    std::fs::write(d.join("before.crl"), &crl).unwrap();
    let (ok, text) = openssl(&[
        "crl",
        "-inform",
        "DER",
        "-in",
        &d.join("before.crl").to_string_lossy(),
        "-noout",
        "-text",
    ]);
    assert!(ok, "{text}");
    assert!(!text.contains(&serial), "not revoked yet: {text}");

    app.post_as(&format!("/api/v1/users/{anna_id}/block"), &token, json!({}))
        .await;
    let (s, crl, h) = bytes(&app, "/api/v1/pki/crl", None).await;
    assert_eq!(s, 200);
    assert_eq!(h["content-type"], "application/pkix-crl");
    std::fs::write(d.join("crl.der"), &crl).unwrap();
    let (ok, text) = openssl(&[
        "crl",
        "-inform",
        "DER",
        "-in",
        &d.join("crl.der").to_string_lossy(),
        "-noout",
        "-text",
    ]);
    assert!(ok, "{text}");
    assert!(
        text.contains(&serial),
        "the revoked serial {serial} must be listed: {text}"
    );
    let (s, pem, _) = bytes(&app, "/api/v1/pki/crl?format=pem", None).await;
    assert_eq!(s, 200);
    assert!(String::from_utf8(pem).unwrap().starts_with("-----BEGIN X509 CRL-----"));
    app.get("/api/v1/pki/crl?format=xml", &token).await.problem(400);

    // Made before the revocation: valid at signing time, and said so.
    let list = signatures(&app, &token, &doc, 1, true).await;
    assert_eq!(
        list[0]["verification"]["status"], "valid_at_signing_time",
        "{}",
        list[0]
    );
    assert!(list[0]["certificate_revoked_at"].is_string());
    let audit = app.get("/api/v1/audit?action=certificate.revoked", &token).await;
    assert!(audit.ok(200).to_string().contains("certificate.revoked"));

    // Offline, the signer's own signing-time would not be enough with the key revoked
    // (issue 12, finding 15; see the backdating test); the time-stamp is.
    let sid = list[0]["id"].as_str().unwrap();
    let (_, p7s, _) = bytes(
        &app,
        &format!("/api/v1/documents/{doc}/versions/1/signatures/{sid}"),
        Some(&token),
    )
    .await;
    let (_, ca, _) = bytes(&app, "/api/v1/pki/ca.pem", None).await;
    std::fs::write(d.join("doc.p7s"), p7s).unwrap();
    std::fs::write(d.join("doc"), b"please").unwrap();
    std::fs::write(d.join("ca.pem"), ca).unwrap();
    let p = |f: &str| d.join(f).to_string_lossy().into_owned();
    let (ok, out) = run_cli(
        &app,
        &[
            "verify",
            &p("doc"),
            &p("doc.p7s"),
            "--ca",
            &p("ca.pem"),
            "--crl",
            &p("crl.der"),
        ],
        None,
    );
    // Its RFC 3161 time-stamp, not the signer's claim, says it was made before.
    assert!(
        ok && out.contains("valid at signing time") && out.contains("RFC 3161"),
        "{out}"
    );
    // The server knows when it made the signature: the same answer.
    let (ok, out) = run_cli(&app, &["verify", &p("doc"), &p("doc.p7s")], None);
    assert!(ok && out.contains("valid at signing time"), "{out}");
}

/// The review's attack: a copy of a key outlives its certificate's revocation and signs a
/// new file with a signing-time from before the revocation. Crafted by the test kit with
/// the same crates; OpenSSL is the second judge.
async fn a_revoked_key_cannot_sign_valid_by_backdating(b: Backend) {
    use sha2::Digest;
    use std::time::{Duration, SystemTime};
    let app = spawn_app(b).await;
    let now = SystemTime::now();
    let ca = svitok_pki::Authority::create("Svitok", now - Duration::from_secs(86_400)).unwrap();
    let key = svitok_pki::P256Key::generate();
    let holder = svitok_pki::Holder {
        full_name: "Утечкин Ключ",
        email: "leak@example.ru",
        organisation: "Svitok",
    };
    let cert = ca
        .issue(
            &holder,
            &key,
            now - Duration::from_secs(3_600),
            Duration::from_secs(86_400 * 30),
        )
        .unwrap();
    let revoked_at = now - Duration::from_secs(600);
    let crl = ca
        .crl(&[(cert.tbs_certificate.serial_number.clone(), revoked_at)], now)
        .unwrap();
    let content = b"new order, signed after the revocation";
    let digest: [u8; 32] = sha2::Sha256::digest(content).into();
    // Made now, claiming half an hour ago: before the revocation.
    let backdated = now - Duration::from_secs(1_800);
    let sig = svitok_pki::sign_detached(&key, &cert, ca.certificate(), &digest, backdated).unwrap();
    let d = dir();
    std::fs::write(d.join("doc"), content).unwrap();
    std::fs::write(d.join("doc.p7s"), &sig).unwrap();
    std::fs::write(d.join("ca.pem"), ca.certificate_pem().unwrap()).unwrap();
    std::fs::write(d.join("ca.crl"), &crl).unwrap();
    let p = |f: &str| d.join(f).to_string_lossy().into_owned();
    let (ok, out) = run_cli(
        &app,
        &[
            "verify",
            &p("doc"),
            &p("doc.p7s"),
            "--ca",
            &p("ca.pem"),
            "--crl",
            &p("ca.crl"),
        ],
        None,
    );
    assert!(
        !ok && out.contains("INVALID"),
        "a backdated signature by a revoked key passed: {out}"
    );
    // OpenSSL, given the CRL, says the same of the signer's certificate.
    std::fs::write(d.join("ca.crl.pem"), svitok_pki::crl_to_pem(&crl).unwrap()).unwrap();
    std::fs::write(d.join("signer.pem"), svitok_pki::certificate_to_pem(&cert).unwrap()).unwrap();
    let (ok, out) = openssl(&[
        "verify",
        "-crl_check",
        "-CAfile",
        &p("ca.pem"),
        "-CRLfile",
        &p("ca.crl.pem"),
        &p("signer.pem"),
    ]);
    assert!(!ok && out.contains("revoked"), "openssl: {out}");

    // The CRL in PEM, as the server also serves it, is read alike.
    let (ok, out) = run_cli(
        &app,
        &[
            "verify",
            &p("doc"),
            &p("doc.p7s"),
            "--ca",
            &p("ca.pem"),
            "--crl",
            &p("ca.crl.pem"),
        ],
        None,
    );
    assert!(!ok && out.contains("INVALID"), "{out}");
    // A CRL past its next update speaks for nothing (finding 16), even for a good key.
    let good_key = svitok_pki::P256Key::generate();
    let good = ca
        .issue(
            &holder,
            &good_key,
            now - Duration::from_secs(3_600),
            Duration::from_secs(86_400),
        )
        .unwrap();
    let sig = svitok_pki::sign_detached(&good_key, &good, ca.certificate(), &digest, now).unwrap();
    std::fs::write(d.join("good.p7s"), &sig).unwrap();
    let stale = ca.crl(&[], now - Duration::from_secs(8 * 86_400)).unwrap();
    std::fs::write(d.join("stale.crl"), &stale).unwrap();
    let (ok, out) = run_cli(
        &app,
        &[
            "verify",
            &p("doc"),
            &p("good.p7s"),
            "--ca",
            &p("ca.pem"),
            "--crl",
            &p("stale.crl"),
        ],
        None,
    );
    assert!(!ok && out.contains("expired"), "a stale CRL was taken: {out}");
    let (ok, out) = run_cli(
        &app,
        &[
            "verify",
            &p("doc"),
            &p("good.p7s"),
            "--ca",
            &p("ca.pem"),
            "--crl",
            &p("ca.crl"),
        ],
        None,
    );
    assert!(ok && out.contains("signature: valid"), "{out}");

    // The CA's own key and certificate are no document signer (finding 18): the chain
    // holds (the certificate is its own issuer), the usage checks refuse it.
    let as_ca = svitok_pki::sign_detached(ca.key(), ca.certificate(), ca.certificate(), &digest, now).unwrap();
    std::fs::write(d.join("ca.p7s"), &as_ca).unwrap();
    let (ok, out) = run_cli(
        &app,
        &[
            "verify",
            &p("doc"),
            &p("ca.p7s"),
            "--ca",
            &p("ca.pem"),
            "--crl",
            &p("ca.crl"),
        ],
        None,
    );
    assert!(!ok && out.contains("INVALID") && out.contains("CA"), "{out}");

    // Findings 19: signatures the parser once took, bent one way each from a good one.
    use svitok_pki::cms_signature::{bent_signature, Bend};
    let good = std::fs::read(d.join("good.p7s")).unwrap();
    for bend in [
        Bend::SecondMessageDigest,
        Bend::NoSigningCertificate,
        Bend::NoSigningTime,
        Bend::ContentTypeMismatch,
    ] {
        std::fs::write(d.join("bent.p7s"), bent_signature(&good, &good_key, bend).unwrap()).unwrap();
        let (ok, out) = run_cli(
            &app,
            &[
                "verify",
                &p("doc"),
                &p("bent.p7s"),
                "--ca",
                &p("ca.pem"),
                "--crl",
                &p("ca.crl"),
            ],
            None,
        );
        assert!(!ok && out.contains("INVALID"), "{bend:?} passed: {out}");
    }
}

async fn signed_documents_stay_and_new_versions_are_unsigned(b: Backend) {
    let app = spawn_app(b).await;
    let (admin, token) = app.admin().await;
    let doc = upload(&app, &token, "v1.txt", b"first").await;
    sign(&app, &admin, &token, &doc, 1).await.ok(201);
    app.delete(&format!("/api/v1/documents/{doc}"), &token)
        .await
        .problem(409);
    let r = app
        .upload_to(
            &format!("/api/v1/documents/{doc}/versions"),
            &token,
            "v2.txt",
            b"second".to_vec(),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(
        signatures(&app, &token, &doc, 2, true).await.is_empty(),
        "the new version is not signed"
    );
    let card = app.get(&format!("/api/v1/documents/{doc}"), &token).await;
    let versions = card.ok(200)["versions"].as_array().unwrap().clone();
    assert_eq!(
        (versions[0]["signatures"].as_i64(), versions[1]["signatures"].as_i64()),
        (Some(1), Some(0))
    );
    let v1 = signatures(&app, &token, &doc, 1, true).await;
    assert_eq!(v1.len(), 1);
    assert_eq!(v1[0]["version"], 1);
    assert_eq!(
        v1[0]["verification"]["status"], "valid",
        "the old version still verifies"
    );
    // A signature moved onto other content (here: v2's onto v1, in the database) is
    // caught by verification, and the failure is audited.
    sign(&app, &admin, &token, &doc, 2).await.ok(201);
    app.state
        .db
        .execute_raw(&format!(
            "UPDATE signatures SET cms_der = (SELECT cms_der FROM signatures WHERE document_id = '{doc}' AND \
             version_number = 2) WHERE document_id = '{doc}' AND version_number = 1"
        ))
        .await
        .unwrap();
    let v1 = signatures(&app, &token, &doc, 1, true).await;
    assert_eq!(v1[0]["verification"]["status"], "invalid", "{}", v1[0]);
    let audit = app
        .get("/api/v1/audit?action=signature.verification_failed", &token)
        .await;
    assert!(audit.ok(200).to_string().contains("signature.verification_failed"));
    // An unsigned document still goes to the trash.
    let other = upload(&app, &token, "draft.txt", b"x").await;
    let r = app.delete(&format!("/api/v1/documents/{other}"), &token).await;
    assert!(r.status.is_success(), "{}", r.body);
}

async fn signing_with_totp_and_with_an_expired_code(b: Backend) {
    let app = spawn_app(b).await;
    let (admin, token) = app.admin().await;
    let doc = upload(&app, &token, "a.txt", b"text").await;
    let path = format!("/api/v1/documents/{doc}/versions/1/signatures");

    // An emailed step-up code past its ten minutes signs nothing.
    let s = app.post_as("/api/v1/auth/step-up", &token, json!({})).await;
    let challenge = s.ok(200)["challenge"].as_str().unwrap().to_string();
    let code = app.mail.next_code(&admin.email).await;
    app.advance(time::Duration::minutes(11));
    app.post_as(&path, &token, json!({"challenge": challenge, "code": code}))
        .await
        .problem(401);

    // With TOTP enrolled, the step-up asks the authenticator instead of mailing.
    let r = app
        .post_as("/api/v1/me/totp", &token, json!({"password": admin.password}))
        .await;
    let secret = totp_rs::Secret::Encoded(r.ok(200)["secret"].as_str().unwrap().to_string())
        .to_bytes()
        .unwrap();
    let code_now = |app: &TestApp| svitok_core::totp::code_at(&secret, (app.state.now() / 1000) as u64);
    let r = app
        .post_as("/api/v1/me/totp/confirm", &token, json!({"code": code_now(&app)}))
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    app.advance(time::Duration::seconds(31)); // the confirming step is spent
    let s = app.post_as("/api/v1/auth/step-up", &token, json!({})).await;
    let s = s.ok(200).clone();
    assert_eq!(s["method"], "totp");
    app.post_as(
        &path,
        &token,
        json!({"challenge": s["challenge"], "code": code_now(&app)}),
    )
    .await
    .ok(201);
}

/// Issue 12, finding 17: a rename does not relabel past signatures, and a record whose
/// signer disagrees with its certificate is reported, not believed.
async fn the_signer_is_who_the_certificate_names(b: Backend) {
    let app = spawn_app(b).await;
    let (admin, token) = app.admin().await;
    let doc = upload(&app, &token, "order.txt", b"order").await;
    sign(&app, &admin, &token, &doc, 1).await.ok(201);
    let before = app.get("/api/v1/me/certificate", &token).await.ok(200)["serial"].clone();
    app.patch("/api/v1/me", &token, json!({"last_name": "Переименованная"}))
        .await
        .ok(200);
    // A new name is a new certificate (finding 10); the old one is not revoked.
    let now = app.get("/api/v1/me/certificate", &token).await;
    assert_ne!(now.ok(200)["serial"], before);
    assert!(
        now.body["subject"].as_str().unwrap().contains("Переименованная Анна"),
        "{}",
        now.body
    );
    let list = signatures(&app, &token, &doc, 1, true).await;
    assert_eq!(list[0]["signer"]["name"], "Админова Анна", "{}", list[0]);
    assert_eq!(list[0]["verification"]["status"], "valid");
    // Someone edits the record to say another person signed.
    let (_, other) = app.invite(&token, "other", &["sign_documents"]).await;
    crate::helpers::raw_sql(&app, &format!("UPDATE signatures SET signer_id = '{other}'")).await;
    let list = signatures(&app, &token, &doc, 1, true).await;
    assert_eq!(list[0]["verification"]["status"], "invalid", "{}", list[0]);
    assert!(list[0]["verification"]["message"]
        .as_str()
        .unwrap()
        .contains("certificate"));
}
