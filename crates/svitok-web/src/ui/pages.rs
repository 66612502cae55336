//! The pages: login (password, then the code), inbox, document card, logout.

use super::csrf::FormToken;
use super::render::{date_text, error_page, render_form};
use crate::api::auth::session_cookie;
use crate::extract::{authenticate, Actor, Client};
use crate::service::{documents as docs, login, sessions};
use crate::state::AppState;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use minijinja::context;
use serde::{Deserialize, Serialize};
use svitok_core::documents::{Party, Status};
use svitok_core::ids::{ChallengeId, DocumentId};
use svitok_core::rights::Right;
use svitok_core::CoreError;

/// A signed-in person on a page: without a session the browser goes to the login page.
pub struct Page(Actor);

impl FromRequestParts<AppState> for Page {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // Forms carry their own token (checked by each POST handler).
        match authenticate(parts, state, false).await {
            Ok(a) => Ok(Page(a)),
            Err(r) if r.status() == StatusCode::UNAUTHORIZED => Err(Redirect::to("/login").into_response()),
            Err(r) => Err(error_page(r.status(), None)),
        }
    }
}

fn error_status(e: &CoreError) -> StatusCode {
    crate::error::status_of(e)
}

/// What a person is told: the error's own words for their mistakes, nothing internal.
fn error_text(e: &CoreError) -> String {
    if error_status(e).is_server_error() && !matches!(e, CoreError::Unavailable(_)) {
        tracing::error!(error = %e, "a page action failed");
        "Внутренняя ошибка. Повторите попытку или обратитесь к администратору.".into()
    } else {
        e.to_string()
    }
}

pub async fn home() -> Redirect {
    Redirect::to("/inbox")
}

pub async fn login_page(State(state): State<AppState>, token: FormToken) -> Response {
    render_form(&state, &token, StatusCode::OK, "login.html", context! { login => "" })
}

/// A form that did not carry the browser's own token: refused.
fn foreign_form() -> Response {
    error_page(StatusCode::FORBIDDEN, None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    token: FormToken,
    client: Client,
    Form(f): Form<LoginForm>,
) -> Response {
    if !token.matches(&f.csrf) {
        return foreign_form();
    }
    match login::start(&state, &f.login, &f.password, &client).await {
        Ok(started) => render_form(
            &state,
            &token,
            StatusCode::OK,
            "code.html",
            context! { challenge => started.challenge.to_string(), method => started.method },
        ),
        Err(e) => render_form(
            &state,
            &token,
            error_status(&e),
            "login.html",
            context! { login => f.login, error => error_text(&e) },
        ),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    challenge: String,
    code: String,
    #[serde(default)]
    csrf: String,
}

pub async fn code_submit(
    State(state): State<AppState>,
    token: FormToken,
    client: Client,
    Form(f): Form<CodeForm>,
) -> Response {
    if !token.matches(&f.csrf) {
        return foreign_form();
    }
    let result = match f.challenge.parse() {
        Ok(id) => login::verify(&state, ChallengeId(id), f.code.trim(), &client).await,
        Err(_) => Err(crate::service::codes::invalid_code()),
    };
    match result {
        Ok(issued) => {
            let cookie = session_cookie(&state, &issued.token, issued.expires_at);
            (
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, "/inbox".to_string()),
                    (header::SET_COOKIE, cookie.to_string()),
                ],
            )
                .into_response()
        }
        Err(e) => render_form(
            &state,
            &token,
            error_status(&e),
            "code.html",
            context! { challenge => f.challenge, error => error_text(&e) },
        ),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    Page(actor): Page,
    token: FormToken,
    Form(f): Form<TokenForm>,
) -> Response {
    if !token.matches(&f.csrf) {
        return foreign_form();
    }
    let _ = sessions::logout(&state, &actor).await;
    let gone = session_cookie(&state, "", state.now());
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, "/login".to_string()),
            (header::SET_COOKIE, gone.to_string()),
        ],
    )
        .into_response()
}

#[derive(Serialize)]
struct InboxLine {
    id: String,
    title: String,
    status: &'static str,
    status_label: &'static str,
    from: String,
    comment: String,
    signature_requested: bool,
    read: bool,
    sent_at: String,
    sent_at_text: String,
}

pub async fn inbox(State(state): State<AppState>, Page(actor): Page, token: FormToken) -> Response {
    let me = actor.user.full_name();
    let result = async {
        let (rows, total, unread) = docs::inbox(&state, &actor, 100, 0).await?;
        let senders: Vec<_> = rows.iter().map(|r| r.transfer.from).collect();
        let names = docs::names(&state, &senders).await?;
        let items: Vec<InboxLine> = rows
            .into_iter()
            .map(|r| InboxLine {
                id: r.document.id.to_string(),
                status: r.document.status.as_str(),
                status_label: r.document.status.label(),
                title: r.document.title,
                from: names.get(&r.transfer.from).cloned().unwrap_or_default(),
                comment: r.transfer.comment,
                signature_requested: r.transfer.signature_request,
                read: r.read,
                sent_at: crate::api::views::rfc3339(r.transfer.created_at),
                sent_at_text: date_text(r.transfer.created_at),
            })
            .collect();
        Ok::<_, CoreError>(render_form(
            &state,
            &token,
            StatusCode::OK,
            "inbox.html",
            context! { me, section => "inbox", unread, total, items },
        ))
    }
    .await;
    result.unwrap_or_else(|e| error_page(error_status(&e), Some(&actor.user.full_name())))
}

/// How the history names each step.
fn history_text(action: &str) -> &'static str {
    match action {
        "created" => "создан документ",
        "version_added" => "добавлена версия",
        "updated" => "изменена карточка",
        "status_changed" => "изменён статус",
        "responsible_changed" => "сменился ответственный",
        "sent" => "документ отправлен",
        "forwarded" => "документ переслан",
        "downloaded" => "файл скачан",
        "deleted" => "документ в корзине",
        "restored" => "документ восстановлен",
        "signed" => "версия подписана",
        "signatures_requested" => "запрошены подписи",
        _ => "действие",
    }
}

#[derive(Deserialize)]
pub struct CardQuery {
    /// Check every signature (streams each signed version once).
    verify: Option<String>,
}

pub async fn document(
    State(state): State<AppState>,
    Page(actor): Page,
    token: FormToken,
    Path(id): Path<String>,
    Query(cq): Query<CardQuery>,
) -> Response {
    let me = actor.user.full_name();
    let Ok(id) = id.parse().map(DocumentId) else {
        return error_page(StatusCode::NOT_FOUND, Some(&me));
    };
    let result = async {
        let (o, versions) = docs::read(&state, &actor, id).await?;
        let history = docs::history(&state, &actor, id).await?;
        let verify = cq.verify.is_some();
        let latest = versions.iter().map(|v| v.number).max();
        let mut checked = Vec::new();
        for v in &versions {
            if v.signatures > 0 {
                checked.extend(crate::service::signatures::list(&state, &actor, id, v.number, verify).await?);
            }
        }
        let mut people: Vec<_> = history.iter().filter_map(|e| e.actor).collect();
        people.extend(checked.iter().map(|c| c.row.signer));
        people.push(o.doc.owner);
        if let Party::User(u) = o.doc.responsible {
            people.push(u);
        }
        let names = docs::names(&state, &people).await?;
        let name = |u| names.get(&u).cloned().unwrap_or_default();
        let responsible = match o.doc.responsible {
            Party::User(u) => name(u),
            Party::Group(g) => state
                .db
                .group(g)
                .await?
                .map(|g| format!("группа «{}»", g.name))
                .unwrap_or_default(),
        };
        let d = &o.doc;
        let doc = context! {
            id => d.id.to_string(), title => d.title, kind => d.kind, reg_number => d.reg_number,
            description => d.description, status => d.status.as_str(), status_label => d.status.label(),
            owner => name(d.owner), responsible, due_date => d.due_date,
            updated_at => crate::api::views::rfc3339(d.updated_at), updated_at_text => date_text(d.updated_at),
        };
        let versions: Vec<_> = versions
            .iter()
            .map(|v| {
                context! {
                    number => v.number, file_name => v.file_name, size => v.size, signatures => v.signatures,
                    created_at => crate::api::views::rfc3339(v.created_at), created_at_text => date_text(v.created_at),
                }
            })
            .collect();
        let history: Vec<_> = history
            .iter()
            .map(|e| {
                context! {
                    at => crate::api::views::rfc3339(e.created_at), at_text => date_text(e.created_at),
                    actor => e.actor.map(name).unwrap_or_else(|| "система".into()), what => history_text(&e.action),
                }
            })
            .collect();
        // A version is signed once per person: no button once the caller has.
        let signed_latest = checked
            .iter()
            .any(|c| c.row.signer == actor.user.id && Some(c.row.version) == latest);
        let signatures: Vec<_> = checked
            .iter()
            .map(|c| {
                let (check, check_status) = match &c.verdict {
                    None => (None, ""),
                    Some(svitok_pki::Verdict::Valid) => (Some("верна".to_string()), "valid"),
                    Some(svitok_pki::Verdict::ValidAtSigningTime { .. }) => (
                        Some("верна на момент подписания; сертификат отозван".to_string()),
                        "valid",
                    ),
                    Some(svitok_pki::Verdict::Invalid(why)) => (Some(format!("недействительна: {why}")), "invalid"),
                };
                context! {
                    id => c.row.id, version => c.row.version, signer => name(c.row.signer),
                    at => crate::api::views::rfc3339(c.row.signed_at), at_text => date_text(c.row.signed_at),
                    check, check_status,
                }
            })
            .collect();
        let (_, _, unread) = docs::inbox(&state, &actor, 1, 0).await?;
        Ok::<_, CoreError>(render_form(
            &state,
            &token,
            StatusCode::OK,
            "document.html",
            context! {
                me, unread, doc, versions, history,
                can_download => actor.rights.has(Right::ManageOwnDocuments),
                can_change_status => o.rel.owner || o.rel.responsible(),
                signatures, latest,
                can_sign => latest.is_some() && actor.rights.has(Right::SignDocuments) && !signed_latest,
                next_statuses => status_options(o.doc.status.next()),
            },
        ))
    }
    .await;
    result.unwrap_or_else(|e| error_page(error_status(&e), Some(&actor.user.full_name())))
}

fn status_options(list: &[Status]) -> Vec<minijinja::Value> {
    list.iter()
        .map(|s| context! { value => s.as_str(), label => s.label() })
        .collect()
}

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    cursor: Option<String>,
}

/// Everything the caller may read, newest change first, with search and a status filter.
pub async fn documents(
    State(state): State<AppState>,
    Page(actor): Page,
    token: FormToken,
    Query(q): Query<ListQuery>,
) -> Response {
    let me = actor.user.full_name();
    let result = async {
        let status = q.status.as_deref().filter(|s| !s.is_empty());
        let filter = svitok_db::DocumentFilter {
            q: q.q.clone().filter(|s| !s.trim().is_empty()),
            status: status.and_then(Status::parse),
            ..Default::default()
        };
        let after = crate::api::documents::decode_cursor(q.cursor.as_deref().filter(|c| !c.is_empty()))?;
        const LIMIT: i64 = 50;
        let rows = docs::list(&state, &actor, filter, after, LIMIT).await?;
        let next = crate::api::documents::next_cursor(&rows, LIMIT).map(|c| {
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("q", q.q.as_deref().unwrap_or(""))
                .append_pair("status", status.unwrap_or(""))
                .append_pair("cursor", &c)
                .finish()
        });
        let items: Vec<_> = rows
            .into_iter()
            .map(|d| {
                context! {
                    id => d.id.to_string(), title => d.title, kind => d.kind, status => d.status.as_str(),
                    status_label => d.status.label(), updated_at => crate::api::views::rfc3339(d.updated_at),
                    updated_at_text => date_text(d.updated_at),
                }
            })
            .collect();
        let (_, _, unread) = docs::inbox(&state, &actor, 1, 0).await?;
        Ok::<_, CoreError>(render_form(
            &state,
            &token,
            StatusCode::OK,
            "documents.html",
            context! {
                me, unread, section => "documents", items, next, q => q.q.unwrap_or_default(),
                status => status.unwrap_or(""), statuses => status_options(&Status::ALL),
            },
        ))
    }
    .await;
    result.unwrap_or_else(|e| error_page(error_status(&e), Some(&actor.user.full_name())))
}

pub async fn new_document(State(state): State<AppState>, Page(actor): Page, token: FormToken) -> Response {
    render_form(
        &state,
        &token,
        StatusCode::OK,
        "new_document.html",
        context! { me => actor.user.full_name(), section => "documents", title => "", kind => "", description => "" },
    )
}

#[derive(Deserialize)]
pub struct NewDocumentForm {
    #[serde(default)]
    csrf: String,
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    description: String,
}

/// Creates a card (`create_documents`) and opens it.
pub async fn create_document(
    State(state): State<AppState>,
    Page(actor): Page,
    token: FormToken,
    Form(f): Form<NewDocumentForm>,
) -> Response {
    if !token.matches(&f.csrf) {
        return foreign_form();
    }
    let card = docs::CardInput {
        title: Some(f.title.clone()),
        kind: Some(f.kind.clone()),
        description: Some(f.description.clone()),
        ..Default::default()
    };
    match docs::create(&state, &actor, card, None, None).await {
        Ok(id) => Redirect::to(&format!("/documents/{id}")).into_response(),
        Err(e) => render_form(
            &state,
            &token,
            error_status(&e),
            "new_document.html",
            context! {
                me => actor.user.full_name(), section => "documents", error => error_text(&e),
                title => f.title, kind => f.kind, description => f.description,
            },
        ),
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    status: String,
}

/// One of the card's status buttons.
pub async fn change_status(
    State(state): State<AppState>,
    Page(actor): Page,
    token: FormToken,
    Path(id): Path<String>,
    Form(f): Form<StatusForm>,
) -> Response {
    if !token.matches(&f.csrf) {
        return foreign_form();
    }
    let me = actor.user.full_name();
    let (Ok(doc), Some(to)) = (id.parse().map(DocumentId), Status::parse(&f.status)) else {
        return error_page(StatusCode::NOT_FOUND, Some(&me));
    };
    match docs::change_status(&state, &actor, doc, to).await {
        Ok(()) => Redirect::to(&format!("/documents/{doc}")).into_response(),
        Err(e) => action_failed(&me, "Статус не изменён", doc, &e),
    }
}

#[derive(Deserialize)]
pub struct SignStartForm {
    #[serde(default)]
    csrf: String,
    version: i64,
}

/// The sign button: a fresh second factor, then the code page.
pub async fn sign_start(
    State(state): State<AppState>,
    Page(actor): Page,
    token: FormToken,
    Path(id): Path<String>,
    Form(f): Form<SignStartForm>,
) -> Response {
    if !token.matches(&f.csrf) {
        return foreign_form();
    }
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
        Ok((title, started)) => render_form(
            &state,
            &token,
            StatusCode::OK,
            "sign.html",
            context! {
                me, id => doc.to_string(), title, version => f.version,
                challenge => started.challenge.to_string(), method => started.method,
            },
        ),
        Err(e) => action_failed(&me, "Документ не подписан", doc, &e),
    }
}

/// An action on a document that did not happen: the 404 page for strangers, otherwise
/// what went wrong and a way back to the card.
fn action_failed(me: &str, heading: &str, doc: DocumentId, e: &CoreError) -> Response {
    if matches!(e, CoreError::NotFound(_)) {
        return error_page(StatusCode::NOT_FOUND, Some(me));
    }
    super::render::render(
        error_status(e),
        "error.html",
        context! { me, heading, message => error_text(e), back => format!("/documents/{doc}") },
    )
}

#[derive(Deserialize)]
pub struct SignConfirmForm {
    #[serde(default)]
    csrf: String,
    challenge: String,
    version: i64,
    code: String,
}

pub async fn sign_confirm(
    State(state): State<AppState>,
    Page(actor): Page,
    token: FormToken,
    Path(id): Path<String>,
    Form(f): Form<SignConfirmForm>,
) -> Response {
    if !token.matches(&f.csrf) {
        return foreign_form();
    }
    let me = actor.user.full_name();
    let (Ok(doc), Ok(challenge)) = (id.parse().map(DocumentId), f.challenge.parse().map(ChallengeId)) else {
        return error_page(StatusCode::NOT_FOUND, Some(&me));
    };
    match crate::service::signatures::sign(&state, &actor, doc, f.version, challenge, f.code.trim()).await {
        Ok(_) => Redirect::to(&format!("/documents/{doc}")).into_response(),
        Err(e @ CoreError::Unauthenticated(_)) => render_form(
            &state,
            &token,
            error_status(&e),
            "sign.html",
            context! {
                me, id => doc.to_string(), title => "", version => f.version,
                challenge => f.challenge, error => error_text(&e),
            },
        ),
        Err(e) => action_failed(&me, "Документ не подписан", doc, &e),
    }
}
