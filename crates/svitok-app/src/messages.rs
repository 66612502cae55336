//! What Svitok says to people, in their language: Russian by default, English on
//! request. The domain and the use cases name their words as [`Message`]s; this module
//! holds the catalogs those names point into (`locales/*.ftl`, compiled in) and says a
//! message, or a whole [`CoreError`], in a [`Lang`]. Fluent gives each language its own
//! plural rules (Russian one/few/many).
//!
//! The web crate adds its interface catalogs to the same bundles; the CLI says errors in
//! English, as it says everything else.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::LazyLock;
use svitok_core::{Arg, CoreError, Message};
use unic_langid::LanguageIdentifier;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ru,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ru, Lang::En];

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

    /// The catalog of messages in this language.
    pub fn catalog(self) -> &'static str {
        match self {
            Lang::Ru => RU,
            Lang::En => EN,
        }
    }
}

pub const RU: &str = include_str!("../locales/ru.ftl");
pub const EN: &str = include_str!("../locales/en.ftl");

fn langid(code: &str) -> LanguageIdentifier {
    code.parse().expect("a valid language tag")
}

/// A bundle of `lang` holding the messages' catalog and `more` (an interface's own).
pub fn bundle(lang: Lang, more: &[&'static str]) -> FluentBundle<FluentResource> {
    let mut bundle = FluentBundle::new_concurrent(vec![langid(lang.code())]);
    // No Unicode isolation marks around arguments: they would show up in plain text.
    bundle.set_use_isolating(false);
    for source in std::iter::once(&lang.catalog()).chain(more) {
        let resource = FluentResource::try_new(source.to_string()).expect("the built-in catalogs parse");
        bundle.add_resource(resource).expect("no key in two catalogs");
    }
    bundle
}

/// `key` from `bundle` with `args`. A missing key is a bug, logged and shown as the key
/// itself rather than failing whoever asked.
pub fn format(bundle: &FluentBundle<FluentResource>, key: &str, args: Option<&FluentArgs>) -> String {
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

/// A message's arguments as Fluent takes them.
pub fn fluent_args(message: &Message) -> FluentArgs<'_> {
    let mut args = FluentArgs::new();
    for (name, value) in message.args() {
        match value {
            Arg::Text(t) => args.set(*name, FluentValue::from(t.as_str())),
            Arg::Number(n) => args.set(*name, FluentValue::from(*n)),
        }
    }
    args
}

static BUNDLES: LazyLock<[FluentBundle<FluentResource>; 2]> =
    LazyLock::new(|| [bundle(Lang::Ru, &[]), bundle(Lang::En, &[])]);

/// `message` in `lang`.
pub fn say(lang: Lang, message: &Message) -> String {
    format(&BUNDLES[lang as usize], message.key(), Some(&fluent_args(message)))
}

/// What a person is told about `e` in `lang`: its own words, or the words for its kind.
/// An internal error's text is for the log, never for the person.
pub fn describe(lang: Lang, e: &CoreError) -> String {
    say(lang, &words_for(e))
}

/// The message that says `e`.
pub fn words_for(e: &CoreError) -> Message {
    match e {
        CoreError::NotFound(what) => Message::new(not_found_key(what)),
        CoreError::InvalidTransition { from, to, allowed } => {
            let m = if allowed.is_empty() {
                Message::new("msg-transition-none")
            } else {
                Message::new("msg-transition-allowed").arg("allowed", allowed.join(", "))
            };
            m.arg("from", *from).arg("to", *to)
        }
        CoreError::Internal(_) => Message::new("msg-internal"),
        other => other.message().cloned().unwrap_or_else(|| Message::new("msg-internal")),
    }
}

/// Each kind of thing that can be missing has its own sentence (Russian words agree in
/// gender with the noun).
fn not_found_key(what: &str) -> &'static str {
    match what {
        "document" => "msg-not-found-document",
        "version" => "msg-not-found-version",
        "user" => "msg-not-found-user",
        "group" => "msg-not-found-group",
        "member" => "msg-not-found-member",
        "session" => "msg-not-found-session",
        "signature" => "msg-not-found-signature",
        "certificate" => "msg-not-found-certificate",
        "setup link" => "msg-not-found-setup-link",
        "provider" => "msg-not-found-provider",
        "identity" => "msg-not-found-identity",
        _ => "msg-not-found",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_follow_the_language_and_its_plurals() {
        let m = Message::new("msg-group-has-documents").arg("count", 3);
        assert!(say(Lang::Ru, &m).starts_with("Группу нельзя удалить"));
        assert!(say(Lang::En, &m).starts_with("The group cannot be deleted"));
        let e = CoreError::validation("login", "msg-login-taken");
        assert_eq!(describe(Lang::Ru, &e), "Этот логин уже занят");
        assert_eq!(describe(Lang::En, &e), "This login is already taken");
        assert_eq!(
            describe(Lang::En, &CoreError::NotFound("document")),
            "Document not found"
        );
        assert_eq!(describe(Lang::Ru, &CoreError::NotFound("group")), "Группа не найдена");
    }

    #[test]
    fn internal_errors_say_nothing_of_their_cause() {
        let e = CoreError::Internal("password=hunter2 in /var/lib".into());
        for lang in Lang::ALL {
            let said = describe(lang, &e);
            assert!(!said.contains("hunter2") && !said.contains("/var/lib"), "{said}");
        }
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
}
