//! Choosing users and groups: recipients, the responsible party, signers.

use super::*;

#[derive(Deserialize)]
pub struct PickQuery {
    #[serde(default)]
    q: String,
}

/// People and groups matching a search, for the pickers (send, responsible, signers).
pub(super) async fn candidates(state: &App, actor: &Actor, q: &str) -> Result<Vec<minijinja::Value>, CoreError> {
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

pub(super) fn parse_party(raw: &str) -> Option<Party> {
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
    state: State<App>,
    page: Page,
    token: FormToken,
    id: Path<String>,
    q: Query<PickQuery>,
) -> Response {
    pick_page(state, page, token, id, q, Pick::Send).await
}

pub async fn responsible_page(
    state: State<App>,
    page: Page,
    token: FormToken,
    id: Path<String>,
    q: Query<PickQuery>,
) -> Response {
    pick_page(state, page, token, id, q, Pick::Responsible).await
}

pub async fn signers_page(
    state: State<App>,
    page: Page,
    token: FormToken,
    id: Path<String>,
    q: Query<PickQuery>,
) -> Response {
    pick_page(state, page, token, id, q, Pick::Signers).await
}

pub(super) async fn pick_page(
    State(state): State<App>,
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
pub(super) async fn picker(
    state: &App,
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
pub(super) async fn choices(
    state: &App,
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
pub(super) struct PickForm {
    csrf: String,
    /// The "find" button: search again, keeping what is chosen.
    find: bool,
    q: String,
    to: Vec<String>,
    comment: String,
    hand_over: bool,
    every_member: bool,
}

pub async fn send_submit(state: State<App>, page: Page, id: Path<String>, body: CsrfBody) -> Response {
    pick_submit(state, page, id, body, Pick::Send).await
}

pub async fn responsible_submit(state: State<App>, page: Page, id: Path<String>, body: CsrfBody) -> Response {
    pick_submit(state, page, id, body, Pick::Responsible).await
}

pub async fn signers_submit(state: State<App>, page: Page, id: Path<String>, body: CsrfBody) -> Response {
    pick_submit(state, page, id, body, Pick::Signers).await
}

pub(super) async fn pick_submit(
    State(state): State<App>,
    Page(actor): Page,
    Path(id): Path<String>,
    CsrfBody(token, body): CsrfBody,
    pick: Pick,
) -> Response {
    let f = PickForm::parse(&body);
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
            return Err(CoreError::validation("to", "msg-pick-nobody"));
        }
        match pick {
            Pick::Send => {
                let o = docs::open(&state, &actor, doc, DocOp::Read).await?;
                let forward = !(o.rel.owner || o.rel.responsible());
                docs::transfer(&state, &actor, doc, to.clone(), comment, f.hand_over, forward).await?;
            }
            Pick::Responsible => {
                let [one] = to[..] else {
                    return Err(CoreError::validation("to", "msg-pick-one-responsible"));
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

impl PickForm {
    pub(super) fn parse(body: &[u8]) -> PickForm {
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
