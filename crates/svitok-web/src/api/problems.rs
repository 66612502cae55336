//! The error responses operations share, for their `responses(...)`: each one a
//! `application/problem+json` body of [`Problem`](crate::error::Problem) under its status,
//! written once here instead of as a tuple in every annotation.
//!
//! `responses((status = 200, body = Thing), problems::Unauthorized, problems::NotFound)`.

use std::collections::BTreeMap;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::IntoResponses;

fn problem() -> RefOr<Response> {
    ResponseBuilder::new()
        .description("")
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
        .into()
}

macro_rules! problems {
    ($($(#[$doc:meta])* $name:ident = $status:literal;)*) => {$(
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                BTreeMap::from([($status.to_string(), problem())])
            }
        }
    )*};
}

problems! {
    /// Malformed input: a path, query or JSON body that does not parse.
    BadRequest = 400;
    /// No valid credentials.
    Unauthorized = 401;
    /// Known caller, refused.
    Forbidden = 403;
    /// Missing, or not the caller's to know of.
    NotFound = 404;
    /// Clashes with the state of things.
    Conflict = 409;
    /// Larger than allowed.
    TooLarge = 413;
    /// Not a media type the operation takes.
    UnsupportedMediaType = 415;
    /// A byte range outside the file.
    RangeNotSatisfiable = 416;
    /// Parses, but breaks a rule.
    Unprocessable = 422;
    /// Too many attempts; see `Retry-After`.
    TooManyRequests = 429;
    /// A service the system needs is down (with `Retry-After`).
    Unavailable = 503;
    /// No room left to store the file; nothing of it was kept.
    InsufficientStorage = 507;
}
