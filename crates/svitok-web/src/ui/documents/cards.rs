//! A document's card and what is done on it: creating, uploading, a new version, editing,
//! status, taking, the trash.

use super::*;

pub(super) fn new_document_page(actor: &Actor, error: Option<String>, f: &NewDocumentForm) -> minijinja::Value {
    context! {
        section => "new", error, title => f.title, kind => f.kind, description => f.description,
        can_upload => access::allows(actor, &Operation::CreateDocument { with_file: true }),
        can_create => access::allows(actor, &Operation::CreateDocument { with_file: false }),
    }
}

pub async fn new_document(State(state): State<App>, Page(actor): Page, token: FormToken) -> Response {
    let ctx = new_document_page(&actor, None, &NewDocumentForm::default());
    show(&state, &actor, &token, StatusCode::OK, "new_document.html", ctx).await
}

#[derive(Deserialize, Default)]
pub struct NewDocumentForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    description: String,
}

/// Creates a card without a file (`create_documents`) and opens it.
pub async fn create_card(
    State(state): State<App>,
    Page(actor): Page,
    CsrfForm(token, f): CsrfForm<NewDocumentForm>,
) -> Response {
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
                crate::ui::page::error_status(&e),
                "new_document.html",
                ctx,
            )
            .await
        }
    }
}

/// Reads a page's upload form (token first, then the file streamed into the store).
pub(super) async fn upload_form(
    state: &App,
    token: &FormToken,
    req: Request,
) -> Result<(Option<docs::Upload>, docs::CardInput), CoreError> {
    if !crate::http::multipart::is_multipart(&req) {
        return Err(CoreError::validation("file", "msg-choose-file"));
    }
    let form = Multipart::from_request(req, state)
        .await
        .map_err(|e| crate::http::multipart::bad_form(e).0)?;
    let guard = |given: &str| token.matches(given);
    crate::http::multipart::read_form(state, form, Some(&guard))
        .await
        .map_err(|e| e.0)
}

/// Creates a document from an uploaded file (`manage_own_documents`) and opens it.
pub async fn upload(State(state): State<App>, Page(actor): Page, token: FormToken, req: Request) -> Response {
    let me = actor.user.full_name();
    let result = async {
        docs::may_create(&state, &actor, true).await?;
        let (upload, card) = upload_form(&state, &token, req).await?;
        let upload = upload.ok_or_else(|| CoreError::validation("file", "msg-choose-file"))?;
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
    State(state): State<App>,
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
        let upload = upload.ok_or_else(|| CoreError::validation("file", "msg-choose-file"))?;
        docs::add_version(&state, &actor, doc, upload).await
    }
    .await;
    match result {
        Ok(_) => done(&format!("/documents/{doc}")),
        Err(e) => action_failed(&me, "failed-version", &format!("/documents/{doc}"), &e),
    }
}

/// The catalog key naming a step of the history.
pub(super) fn history_key(action: &str) -> &'static str {
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

#[derive(Deserialize)]
pub struct CardQuery {
    /// Check every signature (streams each signed version once).
    verify: Option<String>,
}

pub async fn card(
    State(state): State<App>,
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
        let may = |op| access::allows_document(&actor, o.rel, deleted, op);
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
                can_restore => may(DocOp::Restore),
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
    State(state): State<App>,
    Page(actor): Page,
    Path(id): Path<String>,
    CsrfForm(_token, f): CsrfForm<EditForm>,
) -> Response {
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
    status: String,
}

/// One of the card's status buttons.
pub async fn change_status(
    State(state): State<App>,
    Page(actor): Page,
    Path(id): Path<String>,
    CsrfForm(_token, f): CsrfForm<StatusForm>,
) -> Response {
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

/// The card's one-click actions: take, to the trash, back from it.
pub async fn take(state: State<App>, page: Page, id: Path<String>, f: CsrfForm<TokenForm>) -> Response {
    one_click(state, page, id, f, DocOp::Take).await
}

pub async fn delete(state: State<App>, page: Page, id: Path<String>, f: CsrfForm<TokenForm>) -> Response {
    one_click(state, page, id, f, DocOp::Delete).await
}

pub async fn restore(state: State<App>, page: Page, id: Path<String>, f: CsrfForm<TokenForm>) -> Response {
    one_click(state, page, id, f, DocOp::Restore).await
}

pub(super) async fn one_click(
    State(state): State<App>,
    Page(actor): Page,
    Path(id): Path<String>,
    CsrfForm(_, _): CsrfForm<TokenForm>,
    op: DocOp,
) -> Response {
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
