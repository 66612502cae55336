//! The person's own page: profile, password, TOTP enrolment, sessions and API tokens.

use super::csrf::{CsrfForm, FormToken};
use super::page::{action_failed, done, error_status, error_text, or_error, show, Page};
use super::render::date_text;
use crate::extract::Actor;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use minijinja::context;
use serde::Deserialize;
use svitok_app::App;
use svitok_app::{
    accounts,
    accounts::{sessions, totp},
    users,
};
use svitok_core::ids::SessionId;
use svitok_db::SessionKind;

/// What the profile page says after an action (a fixed set, named in the query string).
#[derive(Deserialize)]
pub struct ProfileQuery {
    done: Option<String>,
}

fn notice(done: Option<&str>) -> Option<String> {
    let key = match done? {
        "saved" => "notice-saved",
        "password" => "notice-password",
        "totp" => "notice-totp",
        "totp_off" => "notice-totp-off",
        "revoked" => "notice-revoked",
        "unlinked" => "notice-unlinked",
        "language" => "notice-language",
        "email" => "notice-email",
        _ => return None,
    };
    Some(super::i18n::text(key))
}

async fn profile_ctx(state: &App, actor: &Actor) -> Result<minijinja::Value, svitok_core::CoreError> {
    let u = &actor.user;
    let listed = |kind| sessions::list(state, actor, kind);
    let session_rows = listed(SessionKind::Session).await?;
    let token_rows = listed(SessionKind::ApiToken).await?;
    let sessions: Vec<_> = session_rows
        .iter()
        .map(|s| {
            context! {
                id => s.id.to_string(), current => s.id == actor.session.id, agent => s.user_agent, addr => s.client_addr,
                created => date_text(s.created_at), seen => date_text(s.last_seen_at),
            }
        })
        .collect();
    let identities: Vec<_> = svitok_app::accounts::oidc::identities(state, actor)
        .await?
        .into_iter()
        .map(|i| {
            let label = svitok_app::accounts::oidc::providers(state)
                .into_iter()
                .find(|p| p.name == i.provider)
                .map(|p| p.label.clone())
                .unwrap_or(i.provider);
            context! { id => i.id.to_string(), provider => label, email => i.email, linked => date_text(i.linked_at), used => date_text(i.last_used_at) }
        })
        .collect();
    let tokens: Vec<_> = token_rows
        .iter()
        .map(|t| context! { id => t.id.to_string(), name => t.name, created => date_text(t.created_at), expires => date_text(t.expires_at) })
        .collect();
    Ok(context! {
        section => "profile",
        user => context! {
            name => u.full_name(), login => u.login, email => u.email, last_name => u.last_name,
            first_name => u.first_name, middle_name => u.middle_name, position => u.position,
            birth_date => u.birth_date, totp => u.totp_enabled,
            rights => actor.rights.iter().map(|r| super::i18n::text(&format!("right-{}", r.name()))).collect::<Vec<_>>(),
        },
        // Names and position go into signing certificates: administrators keep them.
        may_edit_identity => svitok_app::access::allows(actor, &svitok_core::policy::Operation::EditUser { target: u.id }),
        sessions, tokens, identities,
    })
}

pub async fn profile(
    State(state): State<App>,
    Page(actor): Page,
    token: FormToken,
    Query(q): Query<ProfileQuery>,
) -> Response {
    let result = async {
        let ctx = profile_ctx(&state, &actor).await?;
        let ctx = context! { notice => notice(q.done.as_deref()), ..ctx };
        Ok(show(&state, &actor, &token, StatusCode::OK, "profile.html", ctx).await)
    }
    .await;
    or_error(&actor, result)
}

/// The profile again, with what went wrong or what to show once.
async fn again(state: &App, actor: &Actor, token: &FormToken, status: StatusCode, extra: minijinja::Value) -> Response {
    let result = async {
        let ctx = profile_ctx(state, actor).await?;
        Ok(show(state, actor, token, status, "profile.html", context! { ..extra, ..ctx }).await)
    }
    .await;
    or_error(actor, result)
}

/// The profile again, saying why the form's action did not happen.
async fn refused(state: &App, actor: &Actor, token: &FormToken, e: &svitok_core::CoreError) -> Response {
    again(
        state,
        actor,
        token,
        error_status(e),
        context! { error => error_text(e) },
    )
    .await
}

/// After a profile form: on to the page with its notice, or the page again with what
/// went wrong.
async fn settle<T>(
    state: &App,
    actor: &Actor,
    token: &FormToken,
    result: Result<T, svitok_core::CoreError>,
    done_to: &str,
) -> Response {
    match result {
        Ok(_) => done(done_to),
        Err(e) => refused(state, actor, token, &e).await,
    }
}

#[derive(Deserialize)]
pub struct OwnProfileForm {
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    middle_name: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    birth_date: String,
}

pub async fn save(
    State(state): State<App>,
    Page(actor): Page,
    CsrfForm(token, f): CsrfForm<OwnProfileForm>,
) -> Response {
    let patch = users::ProfilePatch {
        email: None,
        last_name: Some(f.last_name),
        first_name: Some(f.first_name),
        middle_name: Some(f.middle_name),
        birth_date: Some(f.birth_date),
        position: Some(f.position),
    };
    let result = users::update(&state, &actor, actor.user.id, patch).await;
    settle(&state, &actor, &token, result, "/profile?done=saved").await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new_password: String,
}

pub async fn password(
    State(state): State<App>,
    Page(actor): Page,
    CsrfForm(token, f): CsrfForm<PasswordForm>,
) -> Response {
    let result = accounts::change_password(&state, &actor, &f.current, &f.new_password).await;
    settle(&state, &actor, &token, result, "/profile?done=password").await
}

#[derive(Deserialize)]
pub struct TotpForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    code: String,
}

/// Starts enrolment: the QR code and the secret, shown on this page only.
pub async fn totp_begin(
    State(state): State<App>,
    Page(actor): Page,
    CsrfForm(token, f): CsrfForm<TotpForm>,
) -> Response {
    match totp::begin(&state, &actor, &f.current).await {
        Ok(e) => {
            let qr = format!(
                "data:image/svg+xml;base64,{}",
                base64::engine::general_purpose::STANDARD.encode(e.qr_svg.as_bytes())
            );
            again(
                &state,
                &actor,
                &token,
                StatusCode::OK,
                context! { enrol => context! { qr, secret => e.secret_base32 } },
            )
            .await
        }
        Err(e) => refused(&state, &actor, &token, &e).await,
    }
}

pub async fn totp_confirm(
    State(state): State<App>,
    Page(actor): Page,
    CsrfForm(token, f): CsrfForm<TotpForm>,
) -> Response {
    let result = totp::confirm(&state, &actor, f.code.trim()).await;
    settle(&state, &actor, &token, result, "/profile?done=totp").await
}

pub async fn totp_disable(
    State(state): State<App>,
    Page(actor): Page,
    crate::extract::ClientOf(client): crate::extract::ClientOf,
    CsrfForm(token, f): CsrfForm<TotpForm>,
) -> Response {
    let result = totp::disable(&state, &actor, &f.current, &client).await;
    settle(&state, &actor, &token, result, "/profile?done=totp_off").await
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    code: String,
}

/// A new address: the password, then a code mailed to the new address.
pub async fn email_begin(
    State(state): State<App>,
    Page(actor): Page,
    CsrfForm(token, f): CsrfForm<EmailForm>,
) -> Response {
    match users::begin_email_change(&state, &actor, &f.email, &f.current).await {
        Ok(()) => {
            again(
                &state,
                &actor,
                &token,
                StatusCode::OK,
                context! { email_sent => f.email.trim() },
            )
            .await
        }
        Err(e) => refused(&state, &actor, &token, &e).await,
    }
}

pub async fn email_confirm(
    State(state): State<App>,
    Page(actor): Page,
    CsrfForm(token, f): CsrfForm<EmailForm>,
) -> Response {
    match users::confirm_email_change(&state, &actor, f.code.trim()).await {
        Ok(_) => done("/profile?done=email"),
        Err(e) => {
            again(
                &state,
                &actor,
                &token,
                error_status(&e),
                context! { error => error_text(&e), email_sent => f.email },
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct RevokeForm {
    id: String,
    kind: String,
}

/// Ends one of one's sessions, or revokes an API token.
#[derive(Deserialize)]
pub struct UnlinkForm {
    id: String,
}

/// Unlinks one of the person's identities at a provider (not the last way in).
pub async fn unlink(State(state): State<App>, Page(actor): Page, CsrfForm(token, f): CsrfForm<UnlinkForm>) -> Response {
    let result = match f.id.parse() {
        Ok(id) => svitok_app::accounts::oidc::unlink(&state, &actor, id).await,
        Err(_) => Err(svitok_core::CoreError::NotFound("identity")),
    };
    match result {
        Ok(()) => done("/profile?done=unlinked"),
        Err(e) => refused(&state, &actor, &token, &e).await,
    }
}

pub async fn revoke(
    State(state): State<App>,
    Page(actor): Page,
    CsrfForm(_token, f): CsrfForm<RevokeForm>,
) -> Response {
    let me = actor.user.full_name();
    let kind = if f.kind == "token" {
        SessionKind::ApiToken
    } else {
        SessionKind::Session
    };
    let result = match f.id.parse().map(SessionId) {
        Ok(id) => sessions::revoke(&state, &actor, id, kind).await,
        Err(_) => Err(svitok_core::CoreError::NotFound("session")),
    };
    match result {
        Ok(()) => done("/profile?done=revoked"),
        Err(e) => action_failed(&me, "failed-revoke", "/profile", &e),
    }
}

#[derive(Deserialize)]
pub struct NewTokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    days: String,
}

/// A personal API token: its secret is on this one page and never again.
pub async fn create_token(
    State(state): State<App>,
    Page(actor): Page,
    CsrfForm(token, f): CsrfForm<NewTokenForm>,
) -> Response {
    let req = sessions::NewToken {
        name: f.name,
        days: f.days.trim().parse().unwrap_or(0),
        rights: None,
    };
    match sessions::create_token(&state, &actor, req).await {
        Ok((issued, _)) => {
            again(
                &state,
                &actor,
                &token,
                StatusCode::OK,
                context! { new_token => issued.token },
            )
            .await
        }
        Err(e) => refused(&state, &actor, &token, &e).await,
    }
}
