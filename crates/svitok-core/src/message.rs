//! Words for a person, named rather than written: a catalog key and its arguments.
//!
//! The domain and the use cases say *what* to tell someone (`msg-login-taken`); the edge
//! says it in the reader's language from the Fluent catalogs (`svitok-app/locales`).
//! Keys are literals starting with `msg-`, so a test can hold the code and the
//! catalogs to each other.

use std::fmt;

/// A catalog key with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    key: &'static str,
    args: Vec<(&'static str, Arg)>,
}

/// An argument's value: text is shown as it is, numbers by the language's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Number(i64),
}

impl Message {
    pub fn new(key: &'static str) -> Self {
        debug_assert!(key.starts_with("msg-"), "message keys start with msg-: {key}");
        Self { key, args: Vec::new() }
    }

    /// The same message with one more argument.
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    pub fn key(&self) -> &'static str {
        self.key
    }

    pub fn args(&self) -> &[(&'static str, Arg)] {
        &self.args
    }
}

/// A bare key: `CoreError::validation("email", "msg-email-invalid")`.
impl From<&'static str> for Message {
    fn from(key: &'static str) -> Self {
        Message::new(key)
    }
}

/// For logs: the key and its arguments, the same in every language.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key)?;
        for (i, (name, value)) in self.args.iter().enumerate() {
            let sep = if i == 0 { " (" } else { ", " };
            match value {
                Arg::Text(t) => write!(f, "{sep}{name}: {t}")?,
                Arg::Number(n) => write!(f, "{sep}{name}: {n}")?,
            }
        }
        if !self.args.is_empty() {
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_string())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Self {
        Arg::Text(s.clone())
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Self {
                Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
number_arg!(i32, i64, u32, u64, usize);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_show_the_key_and_arguments() {
        let m = Message::new("msg-field-too-long")
            .arg("field", "title")
            .arg("max", 500usize);
        assert_eq!(m.to_string(), "msg-field-too-long (field: title, max: 500)");
        assert_eq!(Message::from("msg-login-taken").to_string(), "msg-login-taken");
    }
}
