//! The interface's languages: Russian by default, English on request. Fluent catalogs
//! (`locales/*.ftl`) are compiled into the binary; Fluent gives each language its plural
//! rules (Russian one/few/many).
//!
//! The language of a request is chosen once, by [`middleware`]: the `svitok_lang` cookie
//! (set from the person's saved choice at sign-in and when it changes), else the
//! browser's `Accept-Language`, else Russian. Pages then read it with [`current`].

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::LazyLock;
use unic_langid::LanguageIdentifier;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ru,
    En,
}

pub const COOKIE: &str = "svitok_lang";

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The best of ours for an `Accept-Language` header; Russian when none fits.
    pub fn negotiate(header: &str) -> Lang {
        let requested = fluent_langneg::accepted_languages::parse(header);
        let available: Vec<LanguageIdentifier> = vec![langid("ru"), langid("en")];
        let default = langid("ru");
        let chosen = fluent_langneg::negotiate_languages(
            &requested,
            &available,
            Some(&default),
            fluent_langneg::NegotiationStrategy::Lookup,
        );
        chosen
            .first()
            .and_then(|l| Lang::parse(l.language.as_str()))
            .unwrap_or(Lang::Ru)
    }
}

fn langid(code: &str) -> LanguageIdentifier {
    code.parse().expect("a valid language tag")
}

fn bundle(code: &str, source: &'static str) -> FluentBundle<FluentResource> {
    let resource = FluentResource::try_new(source.to_string()).expect("the built-in catalogs parse");
    let mut bundle = FluentBundle::new_concurrent(vec![langid(code)]);
    // No Unicode isolation marks around arguments: they would show up in plain text.
    bundle.set_use_isolating(false);
    bundle.add_resource(resource).expect("no duplicate keys in a catalog");
    bundle
}

pub(super) const RU: &str = include_str!("../../locales/ru.ftl");
pub(super) const EN: &str = include_str!("../../locales/en.ftl");

static BUNDLES: LazyLock<[FluentBundle<FluentResource>; 2]> = LazyLock::new(|| [bundle("ru", RU), bundle("en", EN)]);

/// A message in `lang`, with its arguments. A missing key is a bug, logged and shown as
/// the key itself rather than failing the page.
pub fn text_with(lang: Lang, key: &str, args: Option<&FluentArgs>) -> String {
    let bundle = &BUNDLES[lang as usize];
    match bundle.get_message(key).and_then(|m| m.value()) {
        Some(pattern) => {
            let mut errors = Vec::new();
            let out = bundle.format_pattern(pattern, args, &mut errors).into_owned();
            if !errors.is_empty() {
                tracing::error!(key, ?errors, "a message failed to format");
            }
            out
        }
        None => {
            tracing::error!(key, "no such message in the catalog");
            key.to_string()
        }
    }
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

tokio::task_local! {
    static LANG: Lang;
}

/// The language of the request being served (Russian outside one).
pub fn current() -> Lang {
    LANG.try_with(|l| *l).unwrap_or(Lang::Ru)
}

/// The language a request asks for: its cookie, else `Accept-Language`, else Russian.
pub fn of_request(headers: &axum::http::HeaderMap) -> Lang {
    let jar = CookieJar::from_headers(headers);
    if let Some(lang) = jar.get(COOKIE).and_then(|c| Lang::parse(c.value())) {
        return lang;
    }
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::negotiate)
        .unwrap_or(Lang::Ru)
}

/// Serves the request in its language (see the module's comment).
pub async fn middleware(req: Request, next: Next) -> Response {
    let lang = of_request(req.headers());
    LANG.scope(lang, next.run(req)).await
}

/// Serves `f` in `lang` (for pages rendered outside the middleware).
pub async fn scoped<F: std::future::Future>(lang: Lang, f: F) -> F::Output {
    LANG.scope(lang, f).await
}

/// Runs `f` as if serving a request in `lang` (for rendering outside the middleware).
#[cfg(test)]
pub fn with<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    LANG.sync_scope(lang, f)
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
    fn accept_language_picks_ours_or_russian() {
        assert_eq!(Lang::negotiate("en-US,en;q=0.9"), Lang::En);
        assert_eq!(Lang::negotiate("ru-RU,ru;q=0.9,en;q=0.8"), Lang::Ru);
        assert_eq!(Lang::negotiate("de-DE,de;q=0.9"), Lang::Ru);
        assert_eq!(Lang::negotiate("de;q=1.0, en;q=0.5"), Lang::En);
        assert_eq!(Lang::negotiate(""), Lang::Ru);
        assert_eq!(Lang::negotiate("garbage;;q=x"), Lang::Ru);
    }

    #[test]
    fn every_key_a_page_uses_exists() {
        let known = keys(RU);
        for (name, source) in super::super::render::SOURCES {
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
