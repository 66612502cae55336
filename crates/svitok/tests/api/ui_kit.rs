//! A browser without a browser: a cookie-keeping HTTP client that fills in the pages' forms.

use crate::helpers::{Account, TestApp, ORIGIN};

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn page(app: &TestApp, http: &reqwest::Client, path: &str) -> (u16, String, reqwest::header::HeaderMap) {
    let r = http.get(app.url(path)).send().await.unwrap();
    let (status, headers) = (r.status().as_u16(), r.headers().clone());
    (status, r.text().await.unwrap(), headers)
}

pub async fn post_form(
    app: &TestApp,
    http: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, reqwest::header::HeaderMap) {
    let r = http
        .post(app.url(path))
        .header("origin", ORIGIN)
        .form(form)
        .send()
        .await
        .unwrap();
    let (status, headers) = (r.status().as_u16(), r.headers().clone());
    (status, r.text().await.unwrap(), headers)
}

/// The value of a form's hidden field.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name} in {html}"))
        + marker.len();
    html[at..].split('"').next().unwrap().to_string()
}

/// Signs in through the login and code pages; returns the browser and its form token.
pub async fn sign_in(app: &TestApp, a: &Account) -> (reqwest::Client, String) {
    let http = browser();
    let (_, login_page, _) = page(app, &http, "/login").await;
    let csrf = hidden(&login_page, "csrf");
    let (status, html, _) = post_form(
        app,
        &http,
        "/login",
        &[("login", &a.login), ("password", &a.password), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    let challenge = hidden(&html, "challenge");
    let code = app.mail.next_code(&a.email).await;
    let (status, _, _) = post_form(
        app,
        &http,
        "/login/code",
        &[("challenge", &challenge), ("code", &code), ("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 303);
    (http, csrf)
}

/// Posts a `multipart/form-data` form: text fields in order, then the file.
pub async fn post_file(
    app: &TestApp,
    http: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
    file: (&str, Vec<u8>),
) -> (u16, String, reqwest::header::HeaderMap) {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    form = form.part(
        "file",
        reqwest::multipart::Part::bytes(file.1).file_name(file.0.to_string()),
    );
    let r = http
        .post(app.url(path))
        .header("origin", ORIGIN)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, headers) = (r.status().as_u16(), r.headers().clone());
    (status, r.text().await.unwrap(), headers)
}
