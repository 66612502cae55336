//! Signing in and out, registration, password reset: the pages before a session exists.

use super::csrf::{CsrfBody, CsrfForm, FormToken};
use super::forms::PersonForm;
use super::i18n::Lang;
use super::page::{error_status, error_text, Page, SignedIn};
use super::render::render_form;
use crate::extract::ClientOf;
use crate::http::cookies::{append_cookie, language_cookie, session_cookie};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;
use svitok_app::App;
use svitok_app::{
    accounts,
    accounts::{login, sessions},
};
use svitok_core::ids::ChallengeId;

/// Why the login page is shown again after another page: a fixed set of notices (the
/// query string never carries anything but their names).
#[derive(Deserialize)]
pub struct LoginQuery {
    done: Option<String>,
    /// Why a provider's login did not end in a session (a `msg-oidc-…` name).
    oidc_error: Option<String>,
}

/// The login page's own words for a provider's refusal: only names of that family.
fn oidc_error(key: Option<&str>) -> Option<String> {
    const KNOWN: [&str; 6] = [
        "msg-oidc-down",
        "msg-oidc-flow-lost",
        "msg-oidc-refused",
        "msg-oidc-blocked",
        "msg-oidc-no-account",
        "msg-oidc-email-unverified",
    ];
    let key = KNOWN.into_iter().find(|k| Some(*k) == key)?;
    Some(super::i18n::say(&key.into()))
}

/// What the login page offers: the providers' buttons, and the password form unless
/// only providers sign in.
fn login_context(state: &App) -> minijinja::Value {
    let providers: Vec<minijinja::Value> = accounts::oidc::providers(state)
        .into_iter()
        .map(|p| context! { label => p.label, url => format!("/api/v1/auth/oidc/{}/start", p.name) })
        .collect();
    let password = match &state.settings.password_login {
        svitok_app::settings::PasswordLogin::On => "on",
        svitok_app::settings::PasswordLogin::Off => "off",
        svitok_app::settings::PasswordLogin::BreakGlass(_) => "break_glass",
    };
    context! { providers, password, registration => !matches!(state.settings.registration, svitok_app::settings::Registration::Closed) }
}

fn notice(done: Option<&str>) -> Option<String> {
    let key = match done? {
        "registered" => "notice-registered",
        "reset" => "notice-reset",
        _ => return None,
    };
    Some(super::i18n::text(key))
}

pub async fn login_page(State(state): State<App>, token: FormToken, Query(q): Query<LoginQuery>) -> Response {
    render_form(
        &state,
        &token,
        StatusCode::OK,
        "login.html",
        context! { login => "", notice => notice(q.done.as_deref()), error => oidc_error(q.oidc_error.as_deref()), ..login_context(&state) },
    )
}

#[derive(Deserialize)]
pub struct CodeQuery {
    challenge: String,
    method: Option<String>,
}

/// The code page for a login that began elsewhere (at an identity provider).
pub async fn code_page_for(State(state): State<App>, token: FormToken, Query(q): Query<CodeQuery>) -> Response {
    let Ok(challenge) = q.challenge.parse().map(ChallengeId) else {
        return super::render::error_page(StatusCode::NOT_FOUND, None);
    };
    let method = if q.method.as_deref() == Some("totp") {
        "totp"
    } else {
        "email"
    };
    code_page(
        &state,
        &token,
        StatusCode::OK,
        &login::Started { challenge, method },
        None,
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
}

pub async fn login_submit(
    State(state): State<App>,
    ClientOf(client): ClientOf,
    CsrfForm(token, f): CsrfForm<LoginForm>,
) -> Response {
    match login::start(&state, &f.login, &f.password, &client).await {
        Ok(started) => code_page(&state, &token, StatusCode::OK, &started, None),
        Err(e) => render_form(
            &state,
            &token,
            error_status(&e),
            "login.html",
            context! { login => f.login, error => error_text(&e), ..login_context(&state) },
        ),
    }
}

fn code_page(
    state: &App,
    token: &FormToken,
    status: StatusCode,
    started: &login::Started,
    error: Option<String>,
) -> Response {
    render_form(
        state,
        token,
        status,
        "code.html",
        context! {
            challenge => started.challenge.to_string(), method => started.method, error,
            resend_after => svitok_core::otp::RESEND_AFTER_MS / 1000,
        },
    )
}

#[derive(Deserialize)]
pub struct CodeForm {
    challenge: String,
    #[serde(default)]
    code: String,
    /// The "send a new code" button.
    resend: Option<String>,
}

pub async fn code_submit(
    State(state): State<App>,
    ClientOf(client): ClientOf,
    CsrfForm(token, f): CsrfForm<CodeForm>,
) -> Response {
    let Ok(challenge) = f.challenge.parse().map(ChallengeId) else {
        return super::render::error_page(StatusCode::NOT_FOUND, None);
    };
    let mailed = login::Started {
        challenge,
        method: "email",
    };
    if f.resend.is_some() {
        return match login::resend(&state, challenge, &client).await {
            Ok(started) => code_page(&state, &token, StatusCode::OK, &started, None),
            Err(e) => code_page(&state, &token, error_status(&e), &mailed, Some(error_text(&e))),
        };
    }
    match login::verify(&state, challenge, f.code.trim(), &client).await {
        Ok(issued) => {
            let cookie = session_cookie(&state, &issued.token, issued.expires_at);
            let mut res = (
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, "/inbox".to_string()),
                    (header::SET_COOKIE, cookie.to_string()),
                ],
            )
                .into_response();
            // The person's saved language follows them to this browser.
            if let Some(lang) = issued.language.as_deref().and_then(Lang::parse) {
                append_cookie(&mut res, &language_cookie(&state, lang));
            }
            res
        }
        Err(e) => code_page(&state, &token, error_status(&e), &mailed, Some(error_text(&e))),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {}

pub async fn logout(
    State(state): State<App>,
    Page(actor): Page,
    CsrfForm(_token, _f): CsrfForm<TokenForm>,
) -> Response {
    let at_provider = sessions::logout(&state, &actor).await.ok().flatten();
    let gone = session_cookie(&state, "", state.now());
    match at_provider {
        // Opened by an identity provider: on to end its session too (then back to
        // /login). A page, not a redirect: a form's redirect to another site is refused
        // by the browsers that honour `form-action 'self'` on redirects.
        Some(url) => {
            let mut res = super::page::onward(&url);
            append_cookie(&mut res, &gone.to_string());
            res
        }
        None => (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, "/login".to_string()),
                (header::SET_COOKIE, gone.to_string()),
            ],
        )
            .into_response(),
    }
}

fn register_form(
    state: &App,
    token: &FormToken,
    status: StatusCode,
    f: &PersonForm,
    error: Option<String>,
) -> Response {
    render_form(state, token, status, "register.html", context! { error, ..f.context() })
}

pub async fn register_page(State(state): State<App>, token: FormToken) -> Response {
    register_form(&state, &token, StatusCode::OK, &PersonForm::default(), None)
}

pub async fn register_submit(
    State(state): State<App>,
    ClientOf(client): ClientOf,
    CsrfForm(token, f): CsrfForm<PersonForm>,
) -> Response {
    match accounts::register(&state, f.profile(), &f.password, &client).await {
        // A known address gets the same page: its owner was told by mail instead.
        Ok(_) => confirm_page(&state, &token, StatusCode::OK, f.email.trim(), None),
        Err(e) => register_form(&state, &token, error_status(&e), &f, Some(error_text(&e))),
    }
}

fn confirm_page(state: &App, token: &FormToken, status: StatusCode, email: &str, error: Option<String>) -> Response {
    render_form(
        state,
        token,
        status,
        "confirm.html",
        context! { email, error, resend_after => svitok_core::otp::RESEND_AFTER_MS / 1000 },
    )
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    email: String,
    #[serde(default)]
    code: String,
    resend: Option<String>,
}

pub async fn confirm_submit(
    State(state): State<App>,
    ClientOf(client): ClientOf,
    CsrfForm(token, f): CsrfForm<ConfirmForm>,
) -> Response {
    let result = if f.resend.is_some() {
        accounts::resend_registration(&state, &f.email, &client)
            .await
            .map(|_| None)
    } else {
        accounts::confirm_registration(&state, &f.email, f.code.trim(), &client)
            .await
            .map(|_| Some(Redirect::to("/login?done=registered").into_response()))
    };
    match result {
        Ok(Some(next)) => next,
        Ok(None) => confirm_page(&state, &token, StatusCode::OK, &f.email, None),
        Err(e) => confirm_page(&state, &token, error_status(&e), &f.email, Some(error_text(&e))),
    }
}

pub async fn reset_page(State(state): State<App>, token: FormToken) -> Response {
    render_form(&state, &token, StatusCode::OK, "reset.html", context! { email => "" })
}

#[derive(Deserialize)]
pub struct ResetForm {
    email: String,
}

/// Asks for a reset code. Unknown addresses get the same next page (and no mail).
pub async fn reset_submit(
    State(state): State<App>,
    ClientOf(client): ClientOf,
    CsrfForm(token, f): CsrfForm<ResetForm>,
) -> Response {
    match accounts::request_reset(&state, &f.email, &client).await {
        Ok(()) => reset_code_page(&state, &token, StatusCode::OK, f.email.trim(), None),
        Err(e) => render_form(
            &state,
            &token,
            error_status(&e),
            "reset.html",
            context! { email => f.email, error => error_text(&e) },
        ),
    }
}

fn reset_code_page(state: &App, token: &FormToken, status: StatusCode, email: &str, error: Option<String>) -> Response {
    render_form(state, token, status, "reset_code.html", context! { email, error })
}

#[derive(Deserialize)]
pub struct NewPasswordForm {
    email: String,
    code: String,
    password: String,
}

/// Sets the new password with the mailed code (also how an invited user sets its first).
pub async fn reset_confirm(
    State(state): State<App>,
    ClientOf(client): ClientOf,
    CsrfForm(token, f): CsrfForm<NewPasswordForm>,
) -> Response {
    match accounts::confirm_reset(&state, &f.email, f.code.trim(), &f.password, &client).await {
        Ok(()) => Redirect::to("/login?done=reset").into_response(),
        Err(e) => reset_code_page(&state, &token, error_status(&e), &f.email, Some(error_text(&e))),
    }
}

/// Where the invitation letter points: the code and a first password, address typed in.
pub async fn invitation_page(State(state): State<App>, token: FormToken) -> Response {
    reset_code_page(&state, &token, StatusCode::OK, "", None)
}

/// The language switch (login pages, profile): a cookie for this browser, and the
/// person's saved choice when signed in.
pub async fn set_language(
    State(state): State<App>,
    SignedIn(signed_in): SignedIn,
    CsrfBody(_, body): CsrfBody,
) -> Response {
    let form: std::collections::HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let Some(lang) = form.get("lang").and_then(|l| Lang::parse(l)) else {
        return super::render::error_page(StatusCode::UNPROCESSABLE_ENTITY, None);
    };
    let next = match &signed_in {
        Some(actor) => match svitok_app::users::set_language(&state, actor, lang.code()).await {
            Ok(()) => "/profile?done=language",
            Err(e) => {
                return super::page::action_failed(&actor.user.full_name(), "failed-language", "/profile", &e);
            }
        },
        None => "/login",
    };
    let mut res = Redirect::to(next).into_response();
    append_cookie(&mut res, &language_cookie(&state, lang));
    res
}
