//! Templates (MiniJinja, HTML auto-escaping on), the stylesheet, dates for people.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use minijinja::Environment;
use std::sync::LazyLock;

/// Every template, compiled into the binary.
macro_rules! templates {
    ($($name:literal),* $(,)?) => { [$(($name, include_str!(concat!("../../templates/", $name)))),*] };
}

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in templates!(
        "base.html",
        "login.html",
        "code.html",
        "register.html",
        "confirm.html",
        "reset.html",
        "reset_code.html",
        "inbox.html",
        "document.html",
        "error.html",
        "documents.html",
        "new_document.html",
        "pick.html",
        "sign.html",
        "users.html",
        "new_user.html",
        "user.html",
        "groups.html",
        "group.html",
        "profile.html",
        "stats.html",
        "audit.html",
    ) {
        env.add_template(name, source).expect("the built-in templates parse");
    }
    env.add_filter("plural", |n: i64, one: String, few: String, many: String| {
        format!("{n} {}", plural(n, [&one, &few, &many]))
    });
    env
});

/// The Russian plural form for `n`: one (1, 21…), few (2–4, 22–24…), many (5–20, 25…).
pub fn plural(n: i64, [one, few, many]: [&str; 3]) -> &str {
    let n = n.unsigned_abs();
    match (n % 10, n % 100) {
        (1, r) if r != 11 => one,
        (2..=4, r) if !(12..=14).contains(&r) => few,
        _ => many,
    }
}

/// A file size as people read it: `812 Б`, `14,2 КБ`, `3,1 МБ`.
pub fn size_text(bytes: i64) -> String {
    const UNITS: [&str; 4] = ["КБ", "МБ", "ГБ", "ТБ"];
    if bytes < 1024 {
        return format!("{bytes} Б");
    }
    let mut v = bytes as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit]).replace('.', ",")
}

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
const SCRIPT: &str = include_str!("../../static/app.js");

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

/// The one script: upload progress, dropping files, the resend countdown. Pages work
/// without it.
pub async fn script() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        SCRIPT,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_plural_forms() {
        let forms = ["документ", "документа", "документов"];
        for (n, want) in [
            (0, "документов"),
            (1, "документ"),
            (2, "документа"),
            (4, "документа"),
            (5, "документов"),
            (11, "документов"),
            (12, "документов"),
            (14, "документов"),
            (21, "документ"),
            (22, "документа"),
            (111, "документов"),
            (101, "документ"),
        ] {
            assert_eq!(plural(n, forms), want, "{n}");
        }
    }

    #[test]
    fn sizes_for_people() {
        assert_eq!(size_text(0), "0 Б");
        assert_eq!(size_text(1023), "1023 Б");
        assert_eq!(size_text(1536), "1,5 КБ");
        assert_eq!(size_text(10 * 1024 * 1024), "10,0 МБ");
    }
}
