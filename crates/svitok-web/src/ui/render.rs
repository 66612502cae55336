//! Templates (MiniJinja, HTML auto-escaping on), the stylesheet, dates for people.

use super::i18n::{self, Lang};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use minijinja::Environment;
use std::sync::LazyLock;

/// Every template, compiled into the binary.
macro_rules! templates {
    ($($name:literal),* $(,)?) => { [$(($name, include_str!(concat!("../../templates/", $name)))),*] };
}

/// Every template's source, compiled into the binary.
pub(crate) const SOURCES: [(&str, &str); 23] = templates!(
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
    "setup.html",
);

/// `t("key", name=value…)`: a message of the page's language (the `lang` variable).
fn translate(
    state: &minijinja::State,
    key: &str,
    kwargs: minijinja::value::Kwargs,
) -> Result<String, minijinja::Error> {
    let lang = state
        .lookup("lang")
        .and_then(|v| v.as_str().and_then(Lang::parse))
        .unwrap_or_else(i18n::current);
    let mut args = fluent_bundle::FluentArgs::new();
    for name in kwargs.args() {
        let v: minijinja::Value = kwargs.get(name)?;
        if let Some(n) = v.as_i64() {
            args.set(name, n);
        } else {
            args.set(name, v.to_string());
        }
    }
    Ok(i18n::text_with(lang, key, Some(&args)))
}

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in SOURCES {
        env.add_template(name, source).expect("the built-in templates parse");
    }
    env.add_function("t", translate);
    env
});

/// A file size as people read it: `812 Б`, `14,2 КБ` in Russian; `14.2 KB` in English.
pub fn size_text(bytes: i64) -> String {
    let (units, byte, comma) = match i18n::current() {
        Lang::Ru => (["КБ", "МБ", "ГБ", "ТБ"], "Б", true),
        Lang::En => (["KB", "MB", "GB", "TB"], "B", false),
    };
    if bytes < 1024 {
        return format!("{bytes} {byte}");
    }
    let mut v = bytes as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < units.len() {
        v /= 1024.0;
        unit += 1;
    }
    let n = format!("{v:.1}");
    format!("{} {}", if comma { n.replace('.', ",") } else { n }, units[unit])
}

/// Renders a page with the form token (and sets its cookie when the browser has none).
pub fn render_form(
    state: &svitok_app::App,
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
    let lang = i18n::current();
    let ctx = minijinja::context! { lang => lang.code(), other_lang => i18n::text("other-language-code"), ..ctx };
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
        StatusCode::NOT_FOUND => ("error-404-heading", "error-404-text"),
        StatusCode::FORBIDDEN => ("error-403-heading", "error-403-text"),
        StatusCode::TOO_MANY_REQUESTS => ("error-429-heading", "error-429-text"),
        _ => ("error-heading", "error-text"),
    };
    render(
        status,
        "error.html",
        minijinja::context! { heading => i18n::text(heading), message => i18n::text(message), me },
    )
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

/// A time as readers of the interface's language write it: `26.11.2026 16:06 UTC` in
/// Russian, `2026-11-26 16:06 UTC` in English.
pub fn date_text(ms: i64) -> String {
    use fluent_bundle::FluentValue;
    let t = svitok_core::clock::from_ms(ms);
    let two = |n: u8| FluentValue::from(format!("{n:02}"));
    i18n::text_args(
        "date-time",
        [
            ("day", two(t.day())),
            ("month", two(u8::from(t.month()))),
            ("year", FluentValue::from(t.year().to_string())),
            ("hour", two(t.hour())),
            ("minute", two(t.minute())),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_for_people() {
        assert_eq!(size_text(0), "0 Б");
        assert_eq!(size_text(1023), "1023 Б");
        assert_eq!(size_text(1536), "1,5 КБ");
        assert_eq!(size_text(10 * 1024 * 1024), "10,0 МБ");
        assert_eq!(i18n::with(Lang::En, || size_text(1536)), "1.5 KB");
    }

    #[test]
    fn dates_in_each_language() {
        let ms = 1_795_694_760_000; // 2026-11-26 12:06 UTC
        assert_eq!(date_text(ms), "26.11.2026 12:06 UTC");
        assert_eq!(i18n::with(Lang::En, || date_text(ms)), "2026-11-26 12:06 UTC");
    }
}
