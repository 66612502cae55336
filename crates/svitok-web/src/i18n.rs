//! The languages of a request: Russian by default, English on request. The interface's
//! Fluent catalogs (`locales/*.ftl`) are compiled into the binary beside the messages'
//! catalogs of `svitok_app::messages`, in one bundle per language.
//!
//! The language of a request is chosen once, by [`middleware`], around everything the
//! server answers (pages and API alike): the `svitok_lang` cookie (set from the person's
//! saved choice at sign-in and when it changes), else the `Accept-Language` header. When
//! the request names neither, the caller's saved language wins once they are known
//! ([`prefer_saved`]; an API client with a token), else Russian. Pages and problem
//! details then read it with [`current`].

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::cell::Cell;
use std::sync::LazyLock;
use svitok_app::messages;
use svitok_core::{CoreError, Message};

pub use svitok_app::messages::Lang;

pub const COOKIE: &str = "svitok_lang";

pub(crate) const RU: &str = include_str!("../locales/ru.ftl");
pub(crate) const EN: &str = include_str!("../locales/en.ftl");

static BUNDLES: LazyLock<[FluentBundle<FluentResource>; 2]> =
    LazyLock::new(|| [messages::bundle(Lang::Ru, &[RU]), messages::bundle(Lang::En, &[EN])]);

/// A message in `lang`, with its arguments (see [`messages::format`]).
pub fn text_with(lang: Lang, key: &str, args: Option<&FluentArgs>) -> String {
    messages::format(&BUNDLES[lang as usize], key, args)
}

/// A message without arguments in the request's language.
pub fn text(key: &str) -> String {
    text_with(current(), key, None)
}

/// A message with arguments in the request's language.
pub fn text_args<'a>(key: &str, args: impl IntoIterator<Item = (&'a str, FluentValue<'a>)>) -> String {
    let mut fa = FluentArgs::new();
    for (k, v) in args {
        fa.set(k, v);
    }
    text_with(current(), key, Some(&fa))
}

/// What the domain or a use case said, in the request's language.
pub fn say(message: &Message) -> String {
    text_with(current(), message.key(), Some(&messages::fluent_args(message)))
}

/// What a person is told about `e`, in the request's language.
pub fn describe(e: &CoreError) -> String {
    say(&messages::words_for(e))
}

/// The request's language, and whether the request chose it (cookie or header).
#[derive(Clone, Copy)]
struct Chosen {
    lang: Lang,
    by_request: bool,
}

tokio::task_local! {
    static LANG: Cell<Chosen>;
}

/// The language of the request being served (Russian outside one).
pub fn current() -> Lang {
    LANG.try_with(|c| c.get().lang).unwrap_or(Lang::Ru)
}

/// The caller's saved language, for a request that chose none itself.
pub fn prefer_saved(saved: Option<&str>) {
    if let Some(lang) = saved.and_then(Lang::parse) {
        let _ = LANG.try_with(|c| {
            if !c.get().by_request {
                c.set(Chosen {
                    lang,
                    by_request: false,
                });
            }
        });
    }
}

/// The language a request asks for, if it asks: its cookie, else `Accept-Language`.
fn asked(headers: &axum::http::HeaderMap) -> Option<Lang> {
    let jar = CookieJar::from_headers(headers);
    if let Some(lang) = jar.get(COOKIE).and_then(|c| Lang::parse(c.value())) {
        return Some(lang);
    }
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
        .map(Lang::negotiate)
}

/// The language a request asks for: its cookie, else `Accept-Language`, else Russian.
pub fn of_request(headers: &axum::http::HeaderMap) -> Lang {
    asked(headers).unwrap_or(Lang::Ru)
}

/// Serves the request in its language (see the module's comment).
pub async fn middleware(req: Request, next: Next) -> Response {
    let chosen = match asked(req.headers()) {
        Some(lang) => Chosen { lang, by_request: true },
        None => Chosen {
            lang: Lang::Ru,
            by_request: false,
        },
    };
    LANG.scope(Cell::new(chosen), next.run(req)).await
}

/// Serves `f` in `lang` (for pages rendered outside the middleware).
pub async fn scoped<F: std::future::Future>(lang: Lang, f: F) -> F::Output {
    LANG.scope(Cell::new(Chosen { lang, by_request: true }), f).await
}

/// Runs `f` as if serving a request in `lang` (for rendering outside the middleware).
#[cfg(test)]
pub fn with<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    LANG.sync_scope(Cell::new(Chosen { lang, by_request: true }), f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(source: &str) -> BTreeSet<String> {
        source
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
            .filter_map(|l| l.split(" =").next())
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn both_catalogs_hold_the_same_keys() {
        let (ru, en) = (keys(RU), keys(EN));
        assert!(ru.len() > 100);
        assert_eq!(
            ru.symmetric_difference(&en).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "keys in one catalog only"
        );
    }

    #[test]
    fn russian_plurals_and_english_ones() {
        let n = |lang, count: i64| {
            let mut a = FluentArgs::new();
            a.set("count", count);
            text_with(lang, "members-count", Some(&a))
        };
        assert_eq!(n(Lang::Ru, 1), "1 участник");
        assert_eq!(n(Lang::Ru, 3), "3 участника");
        assert_eq!(n(Lang::Ru, 11), "11 участников");
        assert_eq!(n(Lang::Ru, 21), "21 участник");
        assert_eq!(n(Lang::En, 1), "1 member");
        assert_eq!(n(Lang::En, 2), "2 members");
    }

    #[test]
    fn every_key_a_page_uses_exists() {
        let known = keys(RU);
        for (name, source) in crate::ui::render::SOURCES {
            for part in source.split("t(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                // `t("status-" ~ s)`: a family of keys, named by its prefix.
                let found = if key.ends_with('-') {
                    known.iter().any(|k| k.starts_with(key))
                } else {
                    known.contains(key)
                };
                assert!(found, "{name} uses «{key}», which is in no catalog");
            }
        }
    }
}
