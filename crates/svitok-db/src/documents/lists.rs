//! Lists of what a caller may read: filters, orders, keyset and offset pages, counts.

use super::*;

/// Narrows a document list. Every field is optional.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    pub status: Option<Status>,
    pub responsible: Option<Party>,
    pub owner: Option<UserId>,
    /// Responsible group or recipient group.
    pub group: Option<GroupId>,
    pub kind: Option<String>,
    pub q: Option<String>,
    pub created_from: Option<i64>,
    pub created_to: Option<i64>,
    pub updated_from: Option<i64>,
    pub updated_to: Option<i64>,
    pub due_before: Option<String>,
    pub deleted: bool,
}

/// The orders a list of documents can come in; the newest change first is the default
/// (and the fast one: keyset pages on the readers' index).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DocumentSort {
    #[default]
    UpdatedDesc,
    UpdatedAsc,
    CreatedDesc,
    CreatedAsc,
    TitleAsc,
    TitleDesc,
    /// Soonest due first; documents without a due date last.
    DueAsc,
    DueDesc,
}

/// An argument of a list query's filter.
pub(super) enum Arg {
    Text(String),
    Int(i64),
}

/// A list query's conditions and their arguments, numbered from `first`.
pub(super) struct Where {
    conds: Vec<String>,
    args: Vec<Arg>,
    first: usize,
}

/// "One of `principals` may read d", the principals' placeholders numbered from `first`.
pub(super) fn readable_by(first: usize, n: usize) -> String {
    let list: Vec<String> = (first..first + n).map(|i| format!("${i}")).collect();
    format!(
        "d.id IN (SELECT r.document_id FROM document_readers r WHERE r.principal IN ({}))",
        list.join(", ")
    )
}

/// `$from, $from+1, …` placeholders for a list of principals.
pub(super) fn marks(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

impl DocumentSort {
    pub const ALL: [DocumentSort; 8] = [
        DocumentSort::UpdatedDesc,
        DocumentSort::UpdatedAsc,
        DocumentSort::CreatedDesc,
        DocumentSort::CreatedAsc,
        DocumentSort::TitleAsc,
        DocumentSort::TitleDesc,
        DocumentSort::DueAsc,
        DocumentSort::DueDesc,
    ];

    /// The API's names: a field, `-` in front for descending.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentSort::UpdatedDesc => "-updated_at",
            DocumentSort::UpdatedAsc => "updated_at",
            DocumentSort::CreatedDesc => "-created_at",
            DocumentSort::CreatedAsc => "created_at",
            DocumentSort::TitleAsc => "title",
            DocumentSort::TitleDesc => "-title",
            DocumentSort::DueAsc => "due_date",
            DocumentSort::DueDesc => "-due_date",
        }
    }

    pub fn parse(s: &str) -> Option<DocumentSort> {
        DocumentSort::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The SQL order; the id breaks ties, so pages never overlap. Missing due dates go
    /// last either way (the two databases place NULLs differently by themselves).
    pub(super) fn order_by(self) -> &'static str {
        match self {
            DocumentSort::UpdatedDesc => "d.updated_at DESC, d.id DESC",
            DocumentSort::UpdatedAsc => "d.updated_at ASC, d.id ASC",
            DocumentSort::CreatedDesc => "d.created_at DESC, d.id DESC",
            DocumentSort::CreatedAsc => "d.created_at ASC, d.id ASC",
            DocumentSort::TitleAsc => "d.title ASC, d.id ASC",
            DocumentSort::TitleDesc => "d.title DESC, d.id DESC",
            DocumentSort::DueAsc => "(d.due_date IS NULL) ASC, d.due_date ASC, d.id ASC",
            DocumentSort::DueDesc => "(d.due_date IS NULL) ASC, d.due_date DESC, d.id DESC",
        }
    }
}

impl Where {
    /// Adds an argument; returns its placeholder number.
    pub(super) fn arg(&mut self, a: Arg) -> usize {
        self.args.push(a);
        self.first + self.args.len() - 1
    }

    /// The placeholder number after the last argument.
    pub(super) fn next(&self) -> usize {
        self.first + self.args.len()
    }

    /// Binds the arguments, then the principals, in placeholder order.
    pub(super) fn bind<'q>(
        &'q self,
        mut q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
        principals: &'q [String],
    ) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
        for a in &self.args {
            q = match a {
                Arg::Text(t) => q.bind(t.as_str()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        for p in principals {
            q = q.bind(p.as_str());
        }
        q
    }
}

impl Db {
    /// The filter's conditions on `d` (documents), with their arguments numbered from
    /// `first`. Every list query shares them.
    pub(super) fn document_where(&self, f: &DocumentFilter, first: usize) -> Where {
        let mut w = Where {
            conds: Vec::new(),
            args: Vec::new(),
            first,
        };
        w.conds.push(if f.deleted {
            "d.deleted_at IS NOT NULL".into()
        } else {
            "d.deleted_at IS NULL".into()
        });
        if let Some(s) = f.status {
            let i = w.arg(Arg::Text(s.as_str().into()));
            w.conds.push(format!("d.status = ${i}"));
        }
        match f.responsible {
            Some(Party::User(u)) => {
                let i = w.arg(Arg::Text(u.to_string()));
                w.conds.push(format!("d.responsible_user_id = ${i}"));
            }
            Some(Party::Group(g)) => {
                let i = w.arg(Arg::Text(g.to_string()));
                w.conds.push(format!("d.responsible_group_id = ${i}"));
            }
            None => {}
        }
        if let Some(o) = f.owner {
            let i = w.arg(Arg::Text(o.to_string()));
            w.conds.push(format!("d.owner_id = ${i}"));
        }
        if let Some(g) = f.group {
            let i = w.arg(Arg::Text(g.to_string()));
            w.conds.push(format!(
                "(d.responsible_group_id = ${i} OR EXISTS (SELECT 1 FROM transfers t WHERE t.document_id = d.id AND t.to_group_id = ${i}))"
            ));
        }
        if let Some(k) = &f.kind {
            let i = w.arg(Arg::Text(k.clone()));
            w.conds.push(format!("d.kind = ${i}"));
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            // The database's own full-text search; one interface, two engines.
            match self.backend.text_match(q, w.next()) {
                Some((cond, arg)) => {
                    w.arg(Arg::Text(arg));
                    w.conds.push(cond);
                }
                None => w.conds.push("1 = 0".into()),
            }
        }
        if let Some(d) = &f.due_before {
            let i = w.arg(Arg::Text(d.clone()));
            w.conds.push(format!("d.due_date IS NOT NULL AND d.due_date < ${i}"));
        }
        for (col, op, v) in [
            ("d.created_at", ">=", f.created_from),
            ("d.created_at", "<", f.created_to),
            ("d.updated_at", ">=", f.updated_from),
            ("d.updated_at", "<", f.updated_to),
        ] {
            if let Some(v) = v {
                let i = w.arg(Arg::Int(v));
                w.conds.push(format!("{col} {op} ${i}"));
            }
        }
        w
    }

    /// Documents `principals` may read, newest change first, after the keyset cursor
    /// `(updated_at, id)`. Each principal's readable documents are walked in time order
    /// on the `(principal, updated_at, document_id)` index, at most one page from each,
    /// and those few rows merged: a page costs the same with a thousand documents or a
    /// million, and however deep the cursor is.
    pub async fn list_documents(
        &self,
        principals: &[String],
        f: &DocumentFilter,
        after: Option<(i64, String)>,
        limit: i64,
    ) -> Result<Vec<DocumentRow>> {
        if principals.is_empty() {
            return Ok(Vec::new());
        }
        // Placeholders: the filter's and the cursor's, then one per principal; every arm
        // of the union shares the same filter placeholders.
        // The page size is written into the SQL (a checked integer, a handful of distinct
        // texts): a plan that knows it walks the index instead of sorting.
        let limit = limit.clamp(1, 1000);
        let mut w = self.document_where(f, 1);
        if let Some((at, id)) = after {
            // Written so the index range starts at the cursor instead of being filtered.
            let a = w.arg(Arg::Int(at));
            let b = w.arg(Arg::Text(id));
            w.conds.push(format!(
                "r.updated_at <= ${a} AND (r.updated_at < ${a} OR r.document_id < ${b})"
            ));
        }
        let filter = w.conds.join(" AND ");
        let next = w.next();
        let walk = |k: usize, cols: &str| {
            format!(
                "SELECT {cols} FROM document_readers r JOIN documents d ON d.id = r.document_id \
                 WHERE r.principal = ${p} AND {filter} ORDER BY r.updated_at DESC, r.document_id DESC LIMIT {limit}",
                p = next + k
            )
        };
        let select = if principals.len() == 1 {
            // One principal (a user in no group): its walk is the page itself. Fetching
            // the documents again by id, as a merge must, costs a third more (SQLite,
            // a page of 50: 68 -> 46 us; PostgreSQL 0.27 -> 0.20 ms).
            walk(0, DOC_COLUMNS)
        } else {
            // Several (a user and its groups): merge the walks' keys, keep the newest page
            // of distinct documents, and only then fetch those (SQLite, two walks of 50:
            // 132 -> 99 us against fetching every candidate first). A reader row's time is
            // its document's (`sync_reader_times`), as the cursor above also assumes.
            let arms: Vec<String> = (0..principals.len())
                .map(|k| {
                    format!(
                        "SELECT x{k}.document_id, x{k}.updated_at FROM ({}) x{k}",
                        walk(k, "r.document_id, r.updated_at")
                    )
                })
                .collect();
            format!(
                "SELECT {DOC_COLUMNS} FROM (SELECT m.document_id, MAX(m.updated_at) AS changed_at FROM ({}) m \
                 GROUP BY m.document_id ORDER BY changed_at DESC, m.document_id DESC LIMIT {limit}) k \
                 JOIN documents d ON d.id = k.document_id",
                arms.join(" UNION ALL ")
            )
        };
        let sql = format!("SELECT {}", self.json_rows(DOC_COLUMNS, None, &select, "d"));
        let mut docs = fetch_documents(&self.pool, w.bind(sqlx::query(&sql), principals)).await?;
        // The SQL's own order: newest change first, the id breaking ties (the uuid's bytes
        // order as its hex text does).
        docs.sort_unstable_by_key(|d| Reverse((d.updated_at, d.id.0)));
        Ok(docs)
    }

    /// Documents `principals` may read in another order than the newest change first:
    /// a page at `offset` (these orders have no keyset on the readers' index).
    pub async fn list_documents_sorted(
        &self,
        principals: &[String],
        f: &DocumentFilter,
        sort: DocumentSort,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<DocumentRow>> {
        if principals.is_empty() {
            return Ok(Vec::new());
        }
        let w = self.document_where(f, 3);
        let readable = readable_by(w.next(), principals.len());
        let order = sort.order_by();
        let sql = format!(
            "SELECT {}",
            self.json_rows(
                DOC_COLUMNS,
                Some(order),
                &format!(
                    "SELECT {DOC_COLUMNS} FROM documents d WHERE {readable} AND {} ORDER BY {order} LIMIT $1 OFFSET $2",
                    w.conds.join(" AND ")
                ),
                "d",
            )
        );
        fetch_documents(
            &self.pool,
            w.bind(sqlx::query(&sql).bind(limit).bind(offset), principals),
        )
        .await
    }

    /// How many documents `principals` may read that match the filter.
    pub async fn count_documents(&self, principals: &[String], f: &DocumentFilter) -> Result<i64> {
        if principals.is_empty() {
            return Ok(0);
        }
        let w = self.document_where(f, 1);
        let readable = readable_by(w.next(), principals.len());
        let sql = format!(
            "SELECT COUNT(*) AS n FROM documents d WHERE {readable} AND {}",
            w.conds.join(" AND ")
        );
        let q = w.bind(sqlx::query(&sql), principals);
        q.fetch_one(&self.pool)
            .await
            .map_err(map_err)?
            .try_get("n")
            .map_err(err)
    }

    /// A scalar subquery that gives the rows of `select` (aliased `alias`) as one JSON
    /// array of arrays of `cols`: a page is one value to move and decode instead of a row
    /// per item (the per-row hand-off between the database driver and the caller was most
    /// of a list request's cost). NULL when there are no rows.
    ///
    /// With `order` the array comes sorted. Without it the order is unspecified and the
    /// caller sorts the decoded page itself, as the hot pages do whose sort keys are in
    /// their rows: an ordered aggregate copies every row through a temporary B-tree
    /// (SQLite, a page of 50: inbox 107 → 89 µs, list 82 → 68 µs).
    pub(super) fn json_rows(&self, cols: &str, order: Option<&str>, select: &str, alias: &str) -> String {
        let order = order.map(|o| format!(" ORDER BY {o}")).unwrap_or_default();
        self.backend.json_rows(cols, &order, select, alias)
    }

    /// Documents for which the group is responsible or to which they were addressed.
    pub async fn group_document_count(&self, group: GroupId) -> Result<i64> {
        sqlx::query(
            "SELECT (SELECT COUNT(*) FROM documents WHERE responsible_group_id = $1) \
                  + (SELECT COUNT(*) FROM transfers WHERE to_group_id = $1) AS n",
        )
        .bind(group.to_string())
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?
        .try_get("n")
        .map_err(err)
    }
}
