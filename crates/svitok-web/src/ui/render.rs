//! Templates (MiniJinja, HTML auto-escaping on), the stylesheet, dates for people.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use minijinja::Environment;
use std::sync::LazyLock;

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in [
        ("base.html", include_str!("../../templates/base.html")),
        ("login.html", include_str!("../../templates/login.html")),
        ("code.html", include_str!("../../templates/code.html")),
        ("inbox.html", include_str!("../../templates/inbox.html")),
        ("document.html", include_str!("../../templates/document.html")),
        ("error.html", include_str!("../../templates/error.html")),
        ("documents.html", include_str!("../../templates/documents.html")),
        ("new_document.html", include_str!("../../templates/new_document.html")),
        ("sign.html", include_str!("../../templates/sign.html")),
    ] {
        env.add_template(name, source).expect("the built-in templates parse");
    }
    env
});

/// Renders a page with the form token (and sets its cookie when the browser has none).
pub fn render_form(
    state: &crate::state::AppState,
    token: &super::csrf::FormToken,
    status: StatusCode,
    name: &str,
    ctx: minijinja::Value,
) -> Response {
    let mut res = render(status, name, minijinja::context! { csrf => token.value, ..ctx });
    if let Some(cookie) = token.set_cookie(state) {
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// Renders a page; a template error is a bug, answered as a plain 500 page.
pub fn render(status: StatusCode, name: &str, ctx: minijinja::Value) -> Response {
    match TEMPLATES.get_template(name).and_then(|t| t.render(ctx)) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, template = name, "a page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<!doctype html><html lang=\"ru\"><title>Ошибка</title><h1>Внутренняя ошибка</h1></html>"),
            )
                .into_response()
        }
    }
}

/// An error page in the interface's language.
pub fn error_page(status: StatusCode, me: Option<&str>) -> Response {
    let (heading, message) = match status {
        StatusCode::NOT_FOUND => (
            "Не найдено",
            "Такой страницы или документа нет, или у вас нет к нему доступа.",
        ),
        StatusCode::FORBIDDEN => ("Доступ запрещён", "У вас нет права на это действие."),
        StatusCode::TOO_MANY_REQUESTS => ("Слишком много попыток", "Подождите немного и повторите."),
        _ => (
            "Ошибка",
            "Что-то пошло не так. Повторите попытку или обратитесь к администратору.",
        ),
    };
    render(status, "error.html", minijinja::context! { heading, message, me })
}

const CSS: &str = include_str!("../../static/app.css");

pub async fn stylesheet() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        CSS,
    )
        .into_response()
}

/// A time as Russian readers write it: `26.11.2026 16:06` (UTC).
pub fn date_text(ms: i64) -> String {
    let t = svitok_core::clock::from_ms(ms);
    t.format(time::macros::format_description!(
        "[day].[month].[year] [hour]:[minute]"
    ))
    .map(|s| format!("{s} UTC"))
    .unwrap_or_default()
}
