//! Header formats files are served with.

use axum::http::HeaderValue;
use svitok_app::documents as svc;

/// `attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266, 8187).
pub(crate) fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// `bytes=a-b`, `bytes=a-`, `bytes=-n`; anything else (several ranges, other units) is
/// ignored and the whole file served, as RFC 9110 allows.
pub(crate) fn parse_range(h: Option<&HeaderValue>) -> Option<svc::ByteRange> {
    let spec = h?.to_str().ok()?.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        return b.parse().ok().filter(|n| *n > 0).map(svc::ByteRange::Suffix);
    }
    let a: u64 = a.parse().ok()?;
    let b = if b.is_empty() { None } else { Some(b.parse().ok()?) };
    Some(svc::ByteRange::From(a, b))
}
