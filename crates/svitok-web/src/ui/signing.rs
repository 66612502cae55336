//! Signing a version from the card: a fresh second factor, then the signature.

use super::csrf::CsrfForm;
use super::page::{action_failed, done, error_status, error_text, show, Page};
use super::render::error_page;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;
use svitok_app::App;
use svitok_app::{accounts::login, documents as docs};
use svitok_core::ids::{ChallengeId, DocumentId};
use svitok_core::CoreError;

#[derive(Deserialize)]
pub struct SignStartForm {
    version: i64,
}

/// The sign button: a fresh second factor, then the code page.
pub async fn sign_start(
    State(state): State<App>,
    Page(actor): Page,
    Path(id): Path<String>,
    CsrfForm(token, f): CsrfForm<SignStartForm>,
) -> Response {
    let me = actor.user.full_name();
    let Ok(doc) = id.parse().map(DocumentId) else {
        return error_page(StatusCode::NOT_FOUND, Some(&me));
    };
    let result = async {
        // Readable and signable first, so a stranger learns nothing and gets no code.
        let o = docs::open(&state, &actor, doc, svitok_core::documents::DocOp::Sign).await?;
        let started = login::step_up(&state, &actor).await?;
        Ok::<_, CoreError>((o.doc.title, started))
    }
    .await;
    match result {
        Ok((title, started)) => {
            let ctx = context! {
                id => doc.to_string(), title, version => f.version,
                challenge => started.challenge.to_string(), method => started.method,
            };
            show(&state, &actor, &token, StatusCode::OK, "sign.html", ctx).await
        }
        Err(e) => action_failed(&me, "failed-sign", &format!("/documents/{doc}"), &e),
    }
}

#[derive(Deserialize)]
pub struct SignConfirmForm {
    challenge: String,
    version: i64,
    code: String,
}

pub async fn sign_confirm(
    State(state): State<App>,
    Page(actor): Page,
    Path(id): Path<String>,
    CsrfForm(token, f): CsrfForm<SignConfirmForm>,
) -> Response {
    let me = actor.user.full_name();
    let (Ok(doc), Ok(challenge)) = (id.parse().map(DocumentId), f.challenge.parse().map(ChallengeId)) else {
        return error_page(StatusCode::NOT_FOUND, Some(&me));
    };
    match svitok_app::signatures::sign(&state, &actor, doc, f.version, challenge, f.code.trim()).await {
        Ok(_) => done(&format!("/documents/{doc}")),
        Err(e @ CoreError::Unauthenticated(_)) => {
            let ctx = context! {
                id => doc.to_string(), title => "", version => f.version,
                challenge => f.challenge, error => error_text(&e),
            };
            show(&state, &actor, &token, error_status(&e), "sign.html", ctx).await
        }
        Err(e) => action_failed(&me, "failed-sign", &format!("/documents/{doc}"), &e),
    }
}
