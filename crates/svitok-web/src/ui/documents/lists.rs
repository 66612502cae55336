//! The lists: all documents, the caller's, the trash, the inbox.

use super::*;

#[derive(Serialize)]
pub(super) struct InboxLine {
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

pub async fn inbox(State(state): State<App>, Page(actor): Page, token: FormToken) -> Response {
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
pub(super) fn status_values(list: &[Status]) -> Vec<&'static str> {
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

/// Which list: everything readable, one's own documents, or one's trash.
#[derive(Clone, Copy)]
pub enum Scope {
    All,
    Mine,
    Trash,
}

pub async fn all(state: State<App>, page: Page, token: FormToken, q: Query<ListQuery>) -> Response {
    list(state, page, token, q, Scope::All).await
}

pub async fn mine(state: State<App>, page: Page, token: FormToken, q: Query<ListQuery>) -> Response {
    list(state, page, token, q, Scope::Mine).await
}

pub async fn trash(state: State<App>, page: Page, token: FormToken, q: Query<ListQuery>) -> Response {
    list(state, page, token, q, Scope::Trash).await
}

/// A list of documents, newest change first, with search and a status filter.
pub(super) async fn list(
    State(state): State<App>,
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
        let sort = crate::http::pages::parse_sort(Some(&q.sort))?;
        const LIMIT: i64 = 50;
        let total = docs::count(&state, &actor, filter.clone()).await?;
        let cursor = q.cursor.as_deref().filter(|c| !c.is_empty());
        let (rows, next) = crate::http::pages::fetch_page(&state, &actor, filter, sort, cursor, LIMIT).await?;
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

impl ListQuery {
    /// The filter the form describes; the list's own scope is added by the caller.
    pub(super) fn filter(&self) -> Result<svitok_db::DocumentFilter, CoreError> {
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let group = match text(&self.group) {
            Some(g) => Some(
                g.parse()
                    .map(GroupId)
                    .map_err(|_| CoreError::validation("group", "msg-no-such-group"))?,
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
    pub(super) fn with_cursor(&self, sort: &str, cursor: &str) -> String {
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

impl Scope {
    pub(super) fn path(self) -> &'static str {
        match self {
            Scope::All => "/documents",
            Scope::Mine => "/documents/mine",
            Scope::Trash => "/trash",
        }
    }
}
