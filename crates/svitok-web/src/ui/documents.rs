//! Document pages: inbox, lists (all, mine, trash), new documents from a file or as a
//! card, the card with its actions, new versions, responsibility, sending, deletion.

use super::csrf::FormToken;
use super::forms::{day, midnight_ms};
use super::i18n;
use super::page::{action_failed, done, error_text, foreign_form, or_error, outcome, show, Page};
use super::render::{date_text, error_page, size_text};
use crate::extract::Actor;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use minijinja::context;
use serde::{Deserialize, Serialize};
use svitok_app::AppState;
use svitok_app::{documents as docs, groups, users};
use svitok_core::documents::{self as rules, DocOp, Party, Status};
use svitok_core::ids::{DocumentId, GroupId, UserId};
use svitok_core::CoreError;

fn rfc3339(ms: i64) -> String {
    crate::api::views::rfc3339(ms)
}

fn doc_id(raw: &str) -> Result<DocumentId, CoreError> {
    raw.parse().map(DocumentId).map_err(|_| CoreError::NotFound("document"))
}

#[derive(Serialize)]
struct InboxLine {
    id: String,
    title: String,
    status: &'static str,
    from: String,
    comment: String,
    signature_requested: bool,
    read: bool,
    sent_at: String,
    sent_at_text: String,
}

pub async fn inbox(State(state): State<AppState>, Page(actor): Page, token: FormToken) -> Response {
    let result = async {
        let (rows, total, unread) = docs::inbox(&state, &actor, 100, 0).await?;
        let senders: Vec<_> = rows.iter().map(|r| r.transfer.from).collect();
        let names = docs::names(&state, &senders).await?;
        let items: Vec<InboxLine> = rows
            .into_iter()
            .map(|r| InboxLine {
                id: r.document.id.to_string(),
                status: r.document.status.as_str(),
                title: r.document.title,
                from: names.get(&r.transfer.from).cloned().unwrap_or_default(),
                comment: r.transfer.comment,
                signature_requested: r.transfer.signature_request,
                read: r.read,
                sent_at: rfc3339(r.transfer.created_at),
                sent_at_text: date_text(r.transfer.created_at),
            })
            .collect();
        Ok(show(
            &state,
            &actor,
            &token,
            StatusCode::OK,
            "inbox.html",
            context! { section => "inbox", unread, total, items },
        )
        .await)
    }
    .await;
    or_error(&actor, result)
}

/// Status values; the pages name them in their language (`status-…` keys).
fn status_values(list: &[Status]) -> Vec<&'static str> {
    list.iter().map(|s| s.as_str()).collect()
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    kind: String,
    /// A responsible or recipient group.
    #[serde(default)]
    group: String,
    /// Created on or after this day (`YYYY-MM-DD`).
    #[serde(default)]
    from: String,
    /// Created on or before this day.
    #[serde(default)]
    to: String,
    /// Due before this day.
    #[serde(default)]
    due_before: String,
    cursor: Option<String>,
}

impl ListQuery {
    /// The filter the form describes; the list's own scope is added by the caller.
    fn filter(&self) -> Result<svitok_db::DocumentFilter, CoreError> {
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let group = match text(&self.group) {
            Some(g) => Some(
                g.parse()
                    .map(GroupId)
                    .map_err(|_| CoreError::validation("group", i18n::text("bad-group")))?,
            ),
            None => None,
        };
        Ok(svitok_db::DocumentFilter {
            q: text(&self.q),
            status: Status::parse(&self.status),
            kind: text(&self.kind),
            group,
            created_from: day("from", &self.from)?.map(midnight_ms),
            created_to: day("to", &self.to)?.map(|d| midnight_ms(d) + 24 * 3600 * 1000),
            due_before: day("due_before", &self.due_before)?.map(|d| d.to_string()),
            ..Default::default()
        })
    }

    /// The query string of this form with another cursor.
    fn with_cursor(&self, sort: &str, cursor: &str) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &self.q)
            .append_pair("status", &self.status)
            .append_pair("sort", sort)
            .append_pair("kind", &self.kind)
            .append_pair("group", &self.group)
            .append_pair("from", &self.from)
            .append_pair("to", &self.to)
            .append_pair("due_before", &self.due_before)
            .append_pair("cursor", cursor)
            .finish()
    }
}

/// Which list: everything readable, one's own documents, or one's trash.
#[derive(Clone, Copy)]
pub enum Scope {
    All,
    Mine,
    Trash,
}

impl Scope {
    fn path(self) -> &'static str {
        match self {
            Scope::All => "/documents",
            Scope::Mine => "/documents/mine",
            Scope::Trash => "/trash",
        }
    }
}

pub async fn all(state: State<AppState>, page: Page, token: FormToken, q: Query<ListQuery>) -> Response {
    list(state, page, token, q, Scope::All).await
}

pub async fn mine(state: State<AppState>, page: Page, token: FormToken, q: Query<ListQuery>) -> Response {
    list(state, page, token, q, Scope::Mine).await
}

pub async fn trash(state: State<AppState>, page: Page, token: FormToken, q: Query<ListQuery>) -> Response {
    list(state, page, token, q, Scope::Trash).await
}

/// A list of documents, newest change first, with search and a status filter.
async fn list(
    State(state): State<AppState>,
    Page(actor): Page,
    token: FormToken,
    Query(q): Query<ListQuery>,
    scope: Scope,
) -> Response {
    let result = async {
        let filter = svitok_db::DocumentFilter {
            owner: matches!(scope, Scope::Mine).then_some(actor.user.id),
            deleted: matches!(scope, Scope::Trash),
            ..q.filter()?
        };
        let sort = crate::api::documents::parse_sort(Some(&q.sort))?;
        const LIMIT: i64 = 50;
        let total = docs::count(&state, &actor, filter.clone()).await?;
        let cursor = q.cursor.as_deref().filter(|c| !c.is_empty());
        let (rows, next) = crate::api::documents::fetch_page(&state, &actor, filter, sort, cursor, LIMIT).await?;
        let next = next.map(|c| q.with_cursor(sort.as_str(), &c));
        let (groups, _) = groups::list(&state, &actor, None, 200, 0).await?;
        let groups: Vec<_> = groups
            .iter()
            .map(|g| context! { id => g.group.id.to_string(), name => g.group.name })
            .collect();
        let items: Vec<_> = rows
            .into_iter()
            .map(|d| {
                context! {
                    id => d.id.to_string(), title => d.title, kind => d.kind, status => d.status.as_str(),
                    updated_at => rfc3339(d.updated_at),
                    updated_at_text => date_text(d.updated_at),
                }
            })
            .collect();
        let (section, heading) = match scope {
            Scope::All => ("documents", "heading-all"),
            Scope::Mine => ("mine", "heading-mine"),
            Scope::Trash => ("trash", "heading-trash"),
        };
        Ok(show(
            &state,
            &actor,
            &token,
            StatusCode::OK,
            "documents.html",
            context! {
                section, heading, path => scope.path(), trash => matches!(scope, Scope::Trash), items, next,
                q => q.q, status => q.status, statuses => status_values(&Status::ALL), groups,
                kind => q.kind, group => q.group, from => q.from, to => q.to, due_before => q.due_before,
                more => !(q.kind.is_empty() && q.group.is_empty() && q.from.is_empty() && q.to.is_empty() && q.due_before.is_empty()),
                total, sort => sort.as_str(),
                sorts => svitok_db::DocumentSort::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            },
        )
        .await)
    }
    .await;
    or_error(&actor, result)
}

fn new_document_page(actor: &Actor, error: Option<String>, f: &NewDocumentForm) -> minijinja::Value {
    context! {
        section => "new", error, title => f.title, kind => f.kind, description => f.description,
        can_upload => docs::may_create(actor, true).is_ok(),
        can_create => docs::may_create(actor, false).is_ok(),
    }
}

pub async fn new_document(State(state): State<AppState>, Page(actor): Page, token: FormToken) -> Response {
    let ctx = new_document_page(&actor, None, &NewDocumentForm::default());
    show(&state, &actor, &token, StatusCode::OK, "new_document.html", ctx).await
}

#[derive(Deserialize, Default)]
pub struct NewDocumentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    description: String,
}

/// Creates a card without a file (`create_documents`) and opens it.
pub async fn create_card(
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
        Ok(id) => done(&format!("/documents/{id}")),
        Err(e) => {
            let ctx = new_document_page(&actor, Some(error_text(&e)), &f);
            show(
                &state,
                &actor,
                &token,
                super::page::error_status(&e),
                "new_document.html",
                ctx,
            )
            .await
        }
    }
}

/// Reads a page's upload form (token first, then the file streamed into the store).
async fn upload_form(
    state: &AppState,
    token: &FormToken,
    req: Request,
) -> Result<(Option<docs::Upload>, docs::CardInput), CoreError> {
    if !crate::api::documents::is_multipart(&req) {
        return Err(CoreError::validation("file", i18n::text("choose-file")));
    }
    let form = Multipart::from_request(req, state)
        .await
        .map_err(|e| crate::api::documents::bad_form(e).0)?;
    let guard = |given: &str| token.matches(given);
    crate::api::documents::read_form(state, form, Some(&guard))
        .await
        .map_err(|e| e.0)
}

/// Creates a document from an uploaded file (`manage_own_documents`) and opens it.
pub async fn upload(State(state): State<AppState>, Page(actor): Page, token: FormToken, req: Request) -> Response {
    let me = actor.user.full_name();
    let result = async {
        docs::may_create(&actor, true)?;
        let (upload, card) = upload_form(&state, &token, req).await?;
        let upload = upload.ok_or_else(|| CoreError::validation("file", i18n::text("choose-file")))?;
        docs::create(&state, &actor, card, None, Some(upload)).await
    }
    .await;
    match result {
        Ok(id) => done(&format!("/documents/{id}")),
        Err(e) => action_failed(&me, "failed-upload", "/documents/new", &e),
    }
}

/// A new version of a document (owner or responsible party, `manage_own_documents`).
pub async fn add_version(
    State(state): State<AppState>,
    Page(actor): Page,
    token: FormToken,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let me = actor.user.full_name();
    let Ok(doc) = doc_id(&id) else {
        return error_page(StatusCode::NOT_FOUND, Some(&me));
    };
    let result = async {
        // Refused before the file is read, like the API.
        docs::open(&state, &actor, doc, DocOp::AddVersion).await?;
        let (upload, _) = upload_form(&state, &token, req).await?;
        let upload = upload.ok_or_else(|| CoreError::validation("file", i18n::text("choose-file")))?;
        docs::add_version(&state, &actor, doc, upload).await
    }
    .await;
    match result {
        Ok(_) => done(&format!("/documents/{doc}")),
        Err(e) => action_failed(&me, "failed-version", &format!("/documents/{doc}"), &e),
    }
}

/// The catalog key naming a step of the history.
fn history_key(action: &str) -> &'static str {
    match action {
        "created" => "history-created",
        "version_added" => "history-version_added",
        "updated" => "history-updated",
        "status_changed" => "history-status_changed",
        "responsible_changed" => "history-responsible_changed",
        "sent" => "history-sent",
        "forwarded" => "history-forwarded",
        "downloaded" => "history-downloaded",
        "deleted" => "history-deleted",
        "restored" => "history-restored",
        "signed" => "history-signed",
        "signatures_requested" => "history-signatures_requested",
        _ => "history-other",
    }
}

/// A party as people read it.
async fn party_text(
    state: &AppState,
    p: Party,
    names: &std::collections::HashMap<UserId, String>,
) -> Result<String, CoreError> {
    Ok(match p {
        Party::User(u) => names.get(&u).cloned().unwrap_or_default(),
        Party::Group(g) => state
            .db
            .group(g)
            .await?
            .map(|g| i18n::text_args("responsible-group", [("name", g.name.into())]))
            .unwrap_or_default(),
    })
}

#[derive(Deserialize)]
pub struct CardQuery {
    /// Check every signature (streams each signed version once).
    verify: Option<String>,
}

pub async fn card(
    State(state): State<AppState>,
    Page(actor): Page,
    token: FormToken,
    Path(id): Path<String>,
    Query(cq): Query<CardQuery>,
) -> Response {
    let result = async {
        let id = doc_id(&id)?;
        let (o, versions) = docs::read(&state, &actor, id).await?;
        let history = docs::history_of(&state, &o).await?;
        let verify = cq.verify.is_some();
        let latest = versions.iter().map(|v| v.number).max();
        let mut checked = Vec::new();
        for v in &versions {
            if v.signatures > 0 {
                checked.extend(svitok_app::signatures::of_version(&state, &actor, &o, v, verify).await?);
            }
        }
        let requests = svitok_app::signatures::progress(&state, id).await?;
        let mut people: Vec<_> = history.iter().filter_map(|e| e.actor).collect();
        people.push(o.doc.owner);
        for p in std::iter::once(o.doc.responsible).chain(requests.iter().map(|r| r.request.party)) {
            if let Party::User(u) = p {
                people.push(u);
            }
        }
        let names = docs::names(&state, &people).await?;
        let name = |u| names.get(&u).cloned().unwrap_or_default();
        let responsible = party_text(&state, o.doc.responsible, &names).await?;
        let mut waiting = Vec::new();
        for r in &requests {
            waiting.push(context! {
                who => party_text(&state, r.request.party, &names).await?,
                every => r.request.every_member, satisfied => r.satisfied,
            });
        }
        let d = &o.doc;
        let deleted = d.deleted_at.is_some();
        let doc = context! {
            id => d.id.to_string(), title => d.title, kind => d.kind, reg_number => d.reg_number,
            description => d.description, status => d.status.as_str(),
            owner => name(d.owner), responsible, due_date => d.due_date, deleted,
            updated_at => rfc3339(d.updated_at), updated_at_text => date_text(d.updated_at),
        };
        let versions: Vec<_> = versions
            .iter()
            .map(|v| {
                context! {
                    number => v.number, file_name => v.file_name, size => size_text(v.size), signatures => v.signatures,
                    created_at => rfc3339(v.created_at), created_at_text => date_text(v.created_at),
                }
            })
            .collect();
        let history: Vec<_> = history
            .iter()
            .map(|e| {
                context! {
                    at => rfc3339(e.created_at), at_text => date_text(e.created_at),
                    actor => e.actor.map(name).unwrap_or_else(|| i18n::text("system")), what => history_key(&e.action),
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
                    Some(svitok_pki::Verdict::Valid) => (Some(i18n::text("check-valid")), "valid"),
                    Some(svitok_pki::Verdict::ValidAtSigningTime { .. }) => {
                        (Some(i18n::text("check-revoked")), "valid")
                    }
                    Some(svitok_pki::Verdict::Invalid(why)) => (
                        Some(i18n::text_args("check-invalid", [("why", why.to_string().into())])),
                        "invalid",
                    ),
                };
                context! {
                    id => c.row.id, version => c.row.version, signer => c.signer_name.clone(),
                    at => rfc3339(c.row.signed_at), at_text => date_text(c.row.signed_at),
                    check, check_status,
                }
            })
            .collect();
        // What the buttons offer is what the rules allow: the same decision the action takes.
        let may = |op| rules::decide(actor.rights, o.rel, op).is_ok() && !deleted;
        Ok(show(
            &state,
            &actor,
            &token,
            StatusCode::OK,
            "document.html",
            context! {
                doc, versions, history, signatures, latest, waiting,
                can_download => may(DocOp::Download),
                can_change_status => may(DocOp::ChangeStatus),
                can_edit => may(DocOp::EditCard),
                can_add_version => may(DocOp::AddVersion),
                can_change_responsible => may(DocOp::ChangeResponsible),
                can_take => may(DocOp::Take) && !o.rel.responsible_user,
                can_send => may(DocOp::Send),
                can_request => may(DocOp::RequestSignatures) && latest.is_some(),
                can_delete => may(DocOp::Delete),
                can_restore => deleted && rules::decide(actor.rights, o.rel, DocOp::Restore).is_ok(),
                can_sign => latest.is_some() && may(DocOp::Sign) && !signed_latest,
                next_statuses => status_values(o.doc.status.next()),
            },
        )
        .await)
    }
    .await;
    or_error(&actor, result)
}

#[derive(Deserialize)]
pub struct EditForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    reg_number: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    description: String,
}

/// The card's fields (owner or responsible party); an empty number or date clears it.
pub async fn edit(
    State(state): State<AppState>,
    Page(actor): Page,
    token: FormToken,
    Path(id): Path<String>,
    Form(f): Form<EditForm>,
) -> Response {
    if !token.matches(&f.csrf) {
        return foreign_form();
    }
    let me = actor.user.full_name();
    let Ok(doc) = doc_id(&id) else {
        return error_page(StatusCode::NOT_FOUND, Some(&me));
    };
    let card = docs::CardInput {
        title: Some(f.title),
        kind: Some(f.kind),
        reg_number: Some(f.reg_number),
        due_date: Some(f.due_date),
        description: Some(f.description),
    };
    let result = docs::update_card(&state, &actor, doc, card).await;
    outcome(
        &me,
        result,
        &format!("/documents/{doc}"),
        "failed-edit",
        &format!("/documents/{doc}"),
    )
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
    let (Ok(doc), Some(to)) = (doc_id(&id), Status::parse(&f.status)) else {
        return error_page(StatusCode::NOT_FOUND, Some(&me));
    };
    let result = docs::change_status(&state, &actor, doc, to).await;
    outcome(
        &me,
        result,
        &format!("/documents/{doc}"),
        "failed-status",
        &format!("/documents/{doc}"),
    )
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
}

/// The card's one-click actions: take, to the trash, back from it.
pub async fn take(
    state: State<AppState>,
    page: Page,
    token: FormToken,
    id: Path<String>,
    f: Form<TokenForm>,
) -> Response {
    one_click(state, page, token, id, f, DocOp::Take).await
}

pub async fn delete(
    state: State<AppState>,
    page: Page,
    token: FormToken,
    id: Path<String>,
    f: Form<TokenForm>,
) -> Response {
    one_click(state, page, token, id, f, DocOp::Delete).await
}

pub async fn restore(
    state: State<AppState>,
    page: Page,
    token: FormToken,
    id: Path<String>,
    f: Form<TokenForm>,
) -> Response {
    one_click(state, page, token, id, f, DocOp::Restore).await
}

async fn one_click(
    State(state): State<AppState>,
    Page(actor): Page,
    token: FormToken,
    Path(id): Path<String>,
    Form(f): Form<TokenForm>,
    op: DocOp,
) -> Response {
    if !token.matches(&f.csrf) {
        return foreign_form();
    }
    let me = actor.user.full_name();
    let Ok(doc) = doc_id(&id) else {
        return error_page(StatusCode::NOT_FOUND, Some(&me));
    };
    let card = format!("/documents/{doc}");
    let (result, heading, next) = match op {
        DocOp::Take => (
            docs::change_responsible(&state, &actor, doc, Party::User(actor.user.id)).await,
            "failed-take",
            card.as_str(),
        ),
        DocOp::Delete => (docs::delete(&state, &actor, doc).await, "failed-delete", "/trash"),
        _ => (
            docs::restore(&state, &actor, doc).await,
            "failed-restore",
            card.as_str(),
        ),
    };
    match result {
        Ok(()) => done(next),
        Err(e) => action_failed(&me, heading, &card, &e),
    }
}

#[derive(Deserialize)]
pub struct PickQuery {
    #[serde(default)]
    q: String,
}

/// People and groups matching a search, for the pickers (send, responsible, signers).
async fn candidates(state: &AppState, actor: &Actor, q: &str) -> Result<Vec<minijinja::Value>, CoreError> {
    let q = q.trim();
    let people = users::directory(state, actor, q, 30).await?;
    let (found, _) = groups::list(state, actor, Some(q).filter(|q| !q.is_empty()), 30, 0).await?;
    let mut out: Vec<_> = found
        .into_iter()
        .map(|g| context! { value => format!("group:{}", g.group.id), label => g.group.name, group => true, members => g.members })
        .collect();
    out.extend(people.into_iter().map(|p| {
        context! { value => format!("user:{}", p.id), label => p.name, hint => p.position.unwrap_or_default() }
    }));
    Ok(out)
}

fn parse_party(raw: &str) -> Option<Party> {
    let (kind, id) = raw.split_once(':')?;
    let id: uuid::Uuid = id.parse().ok()?;
    match kind {
        "user" => Some(Party::User(UserId(id))),
        "group" => Some(Party::Group(GroupId(id))),
        _ => None,
    }
}

/// Which picker: sending (several recipients), responsibility (one), signers (several).
#[derive(Clone, Copy, PartialEq)]
pub enum Pick {
    Send,
    Responsible,
    Signers,
}

pub async fn send_page(
    state: State<AppState>,
    page: Page,
    token: FormToken,
    id: Path<String>,
    q: Query<PickQuery>,
) -> Response {
    pick_page(state, page, token, id, q, Pick::Send).await
}

pub async fn responsible_page(
    state: State<AppState>,
    page: Page,
    token: FormToken,
    id: Path<String>,
    q: Query<PickQuery>,
) -> Response {
    pick_page(state, page, token, id, q, Pick::Responsible).await
}

pub async fn signers_page(
    state: State<AppState>,
    page: Page,
    token: FormToken,
    id: Path<String>,
    q: Query<PickQuery>,
) -> Response {
    pick_page(state, page, token, id, q, Pick::Signers).await
}

async fn pick_page(
    State(state): State<AppState>,
    Page(actor): Page,
    token: FormToken,
    Path(id): Path<String>,
    Query(q): Query<PickQuery>,
    pick: Pick,
) -> Response {
    let result = async {
        let doc = doc_id(&id)?;
        let op = match pick {
            Pick::Send => DocOp::Read,
            Pick::Responsible => DocOp::ChangeResponsible,
            Pick::Signers => DocOp::RequestSignatures,
        };
        let o = docs::open(&state, &actor, doc, op).await?;
        let found = candidates(&state, &actor, &q.q).await?;
        Ok(picker(
            &state,
            &actor,
            &token,
            StatusCode::OK,
            pick,
            &o.doc,
            context! { q => q.q, found },
        )
        .await)
    }
    .await;
    or_error(&actor, result)
}

/// The picker page; `extra` carries the search, the choices shown and what was typed.
async fn picker(
    state: &AppState,
    actor: &Actor,
    token: &FormToken,
    status: StatusCode,
    pick: Pick,
    doc: &svitok_db::DocumentRow,
    extra: minijinja::Value,
) -> Response {
    let (heading, action, button) = match pick {
        Pick::Send => ("pick-send-heading", "send", "pick-send-button"),
        Pick::Responsible => ("pick-responsible-heading", "responsible", "pick-responsible-button"),
        Pick::Signers => ("pick-signers-heading", "signers", "pick-signers-button"),
    };
    show(
        state,
        actor,
        token,
        status,
        "pick.html",
        context! {
            id => doc.id.to_string(), title => doc.title, heading, action, button,
            single => pick == Pick::Responsible, send => pick == Pick::Send, signers => pick == Pick::Signers,
            ..extra
        },
    )
    .await
}

/// What is already chosen, shown first and ticked, then what the search found.
async fn choices(
    state: &AppState,
    actor: &Actor,
    q: &str,
    chosen: &[Party],
) -> Result<Vec<minijinja::Value>, CoreError> {
    let users: Vec<UserId> = chosen
        .iter()
        .filter_map(|p| match p {
            Party::User(u) => Some(*u),
            Party::Group(_) => None,
        })
        .collect();
    let names = docs::names(state, &users).await?;
    let mut out = Vec::new();
    let mut values = Vec::new();
    for p in chosen {
        let item = match p {
            Party::User(u) => names
                .get(u)
                .map(|n| context! { value => format!("user:{u}"), label => n, checked => true }),
            Party::Group(g) => state.db.group(*g).await?.map(|grp| {
                context! { value => format!("group:{g}"), label => grp.name, group => true, checked => true }
            }),
        };
        if let Some(item) = item {
            values.push(item.get_attr("value").map(|v| v.to_string()).unwrap_or_default());
            out.push(item);
        }
    }
    for c in candidates(state, actor, q).await? {
        let v = c.get_attr("value").map(|v| v.to_string()).unwrap_or_default();
        if !values.contains(&v) {
            out.push(c);
        }
    }
    Ok(out)
}

/// The picker's form; `to` repeats (`to=user:…&to=group:…`), so it is read by hand.
struct PickForm {
    csrf: String,
    /// The "find" button: search again, keeping what is chosen.
    find: bool,
    q: String,
    to: Vec<String>,
    comment: String,
    hand_over: bool,
    every_member: bool,
}

impl PickForm {
    fn parse(body: &[u8]) -> PickForm {
        let mut f = PickForm {
            csrf: String::new(),
            find: false,
            q: String::new(),
            to: Vec::new(),
            comment: String::new(),
            hand_over: false,
            every_member: false,
        };
        for (k, v) in url::form_urlencoded::parse(body) {
            match k.as_ref() {
                "csrf" => f.csrf = v.into_owned(),
                "find" => f.find = true,
                "q" => f.q = v.into_owned(),
                "to" => f.to.push(v.into_owned()),
                "comment" => f.comment = v.into_owned(),
                "hand_over" => f.hand_over = true,
                "every_member" => f.every_member = true,
                _ => {}
            }
        }
        f
    }
}

pub async fn send_submit(
    state: State<AppState>,
    page: Page,
    token: FormToken,
    id: Path<String>,
    body: axum::body::Bytes,
) -> Response {
    pick_submit(state, page, token, id, body, Pick::Send).await
}

pub async fn responsible_submit(
    state: State<AppState>,
    page: Page,
    token: FormToken,
    id: Path<String>,
    body: axum::body::Bytes,
) -> Response {
    pick_submit(state, page, token, id, body, Pick::Responsible).await
}

pub async fn signers_submit(
    state: State<AppState>,
    page: Page,
    token: FormToken,
    id: Path<String>,
    body: axum::body::Bytes,
) -> Response {
    pick_submit(state, page, token, id, body, Pick::Signers).await
}

async fn pick_submit(
    State(state): State<AppState>,
    Page(actor): Page,
    token: FormToken,
    Path(id): Path<String>,
    body: axum::body::Bytes,
    pick: Pick,
) -> Response {
    let f = PickForm::parse(&body);
    if !token.matches(&f.csrf) {
        return foreign_form();
    }
    let me = actor.user.full_name();
    let Ok(doc) = doc_id(&id) else {
        return error_page(StatusCode::NOT_FOUND, Some(&me));
    };
    let to: Vec<Party> = f.to.iter().filter_map(|t| parse_party(t)).collect();
    let comment = Some(f.comment.trim().to_string()).filter(|c| !c.is_empty());
    // The picker again, with the search, the choices and what was typed kept.
    let again = |status: StatusCode, error: Option<String>| {
        let (state, actor, token, to, f) = (&state, &actor, &token, &to, &f);
        async move {
            let result = async {
                let o = docs::open(state, actor, doc, DocOp::Read).await?;
                let found = choices(state, actor, &f.q, to).await?;
                let extra = context! {
                    q => f.q, found, error, comment => f.comment, hand_over => f.hand_over,
                    every_member => f.every_member,
                };
                Ok(picker(state, actor, token, status, pick, &o.doc, extra).await)
            }
            .await;
            or_error(actor, result)
        }
    };
    if f.find {
        return again(StatusCode::OK, None).await;
    }
    let result = async {
        if to.is_empty() {
            return Err(CoreError::validation("to", i18n::text("pick-nobody")));
        }
        match pick {
            Pick::Send => {
                let o = docs::open(&state, &actor, doc, DocOp::Read).await?;
                let forward = !(o.rel.owner || o.rel.responsible());
                docs::transfer(&state, &actor, doc, to.clone(), comment, f.hand_over, forward).await?;
            }
            Pick::Responsible => {
                let [one] = to[..] else {
                    return Err(CoreError::validation("to", i18n::text("pick-one-responsible")));
                };
                docs::change_responsible(&state, &actor, doc, one).await?;
            }
            Pick::Signers => {
                svitok_app::signatures::request(&state, &actor, doc, to.clone(), f.every_member, comment).await?;
            }
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => done(&format!("/documents/{doc}")),
        // Shown on the picker itself, so the choice can be corrected.
        Err(e @ CoreError::Validation { .. }) => again(StatusCode::UNPROCESSABLE_ENTITY, Some(error_text(&e))).await,
        Err(e) => action_failed(&me, "failed-action", &format!("/documents/{doc}"), &e),
    }
}
