//! What the API and the web pages share of HTTP: multipart forms with a file, pages of
//! lists and their cursors, the session cookie, the headers files are served with.
//! (Extractors and the problem+json adapter are `crate::extract` and `crate::error`.)

pub mod cookies;
pub mod formats;
pub mod multipart;
pub mod pages;
