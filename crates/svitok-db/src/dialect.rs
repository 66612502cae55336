//! Where SQLite and PostgreSQL differ, in one place. Every query elsewhere is the same
//! text on both; what it cannot be comes from here. (The migrations keep their own
//! per-backend scripts: DDL differs wholesale.)

use crate::Backend;
use sqlx::any::AnyPoolOptions;
use sqlx::{Connection, Executor};
use std::time::Duration;

/// Advisory locks (PostgreSQL) that order writers; SQLite's one write lock does it there.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Lock {
    /// Appends to the audit chain.
    AuditChain,
    /// Administrative changes to users.
    UserAdministration,
    /// Migrations, across the replicas that start at once.
    Migrations,
}

impl Lock {
    fn key(self) -> i64 {
        match self {
            Lock::AuditChain => 0x5356_4954_4f4b_4155,    // "SVITOKAU"
            Lock::UserAdministration => 0x5356_4954_4144, // "SVITAD"
            Lock::Migrations => 0x5356_4954_4f4b,
        }
    }
}

impl Backend {
    /// The connection pool, tuned and set up for the backend.
    pub(crate) fn pool_options(self) -> AnyPoolOptions {
        let mut pool = AnyPoolOptions::new()
            .acquire_timeout(Duration::from_secs(10))
            .max_connections(if self == Backend::Sqlite { 8 } else { 16 })
            // sqlx pings every connection before lending it out and again when it comes
            // back: on a busy server two extra round trips per query (to SQLite's worker
            // thread, or to PostgreSQL). The ping on return stays; before lending, only a
            // PostgreSQL connection that sat idle is checked (the server may have dropped
            // it meanwhile). A SQLite connection is an open file that cannot go stale.
            .test_before_acquire(false);
        if self == Backend::Postgres {
            pool = pool.before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > Duration::from_secs(1) {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            });
        }
        if self == Backend::Sqlite {
            // WAL lets readers run beside the one writer; the busy timeout makes writers queue
            // instead of failing at once. Reading the file through a memory map spares a
            // pread per page (A/B at 100,000 documents: inbox 3,662 -> 4,007 req/s).
            pool = pool.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                         PRAGMA mmap_size = 268435456;",
                    )
                    .await?;

                    Ok(())
                })
            });
        }
        pool
    }

    /// How a unit of work begins. SQLite's write lock is taken at `BEGIN IMMEDIATE`, not at
    /// the first write: a transaction that read first finds, when it comes to write, that
    /// another writer moved on meanwhile (SQLITE_BUSY_SNAPSHOT), which waiting does not cure.
    pub(crate) fn begin(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            // Explicitly: the chain's head is read after its lock, which needs each
            // statement to see what committed before it (a cluster may default to more).
            Backend::Postgres => "BEGIN ISOLATION LEVEL READ COMMITTED",
        }
    }

    /// The statement that takes `lock` until the transaction ends, if the backend needs one.
    pub(crate) fn lock(self, lock: Lock) -> Option<(&'static str, i64)> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some(("SELECT pg_advisory_xact_lock($1)", lock.key())),
        }
    }

    /// The statements that take and release `lock` for the connection's session (held
    /// across its transactions), if the backend needs them.
    pub(crate) fn session_lock(self, lock: Lock) -> Option<(&'static str, &'static str, i64)> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some((
                "SELECT pg_advisory_lock($1)",
                "SELECT pg_advisory_unlock($1)",
                lock.key(),
            )),
        }
    }

    /// `expr` of the rows aggregated into one comma-separated text.
    pub(crate) fn comma_list(self, expr: &str) -> String {
        match self {
            Backend::Sqlite => format!("group_concat({expr}, ',')"),
            Backend::Postgres => format!("string_agg({expr}, ',')"),
        }
    }

    /// The function that builds a JSON array from its arguments.
    pub(crate) fn json_array(self) -> &'static str {
        match self {
            Backend::Sqlite => "json_array",
            Backend::Postgres => "json_build_array",
        }
    }

    /// One text value: a JSON array of `json_array(cols)` for each row of `select`.
    pub(crate) fn json_rows(self, cols: &str, order: &str, select: &str, alias: &str) -> String {
        match self {
            Backend::Sqlite => format!("(SELECT json_group_array(json_array({cols}){order}) FROM ({select}) {alias})"),
            Backend::Postgres => {
                format!("(SELECT CAST(json_agg(json_build_array({cols}){order}) AS TEXT) FROM ({select}) {alias})")
            }
        }
    }

    /// Whether cards' text lives in a separate full-text table the writes keep in step
    /// (SQLite's FTS5); PostgreSQL's is a generated column.
    pub(crate) fn has_text_index_table(self) -> bool {
        self == Backend::Sqlite
    }

    /// The condition "the card's text matches the words of `q`" with its one argument at
    /// `$i`, and that argument; None when `q` has no word to look for.
    pub(crate) fn text_match(self, q: &str, i: usize) -> Option<(String, String)> {
        match self {
            Backend::Sqlite => fts5_query(q).map(|m| {
                (
                    format!("d.id IN (SELECT doc_id FROM documents_fts WHERE documents_fts MATCH ${i})"),
                    m,
                )
            }),
            Backend::Postgres => Some((
                format!("d.search_vector @@ plainto_tsquery('russian', ${i})"),
                q.to_string(),
            )),
        }
    }
}

/// The words of a search as an FTS5 query: each word quoted (so nothing in it is FTS
/// syntax) and matched as a prefix; all must match.
fn fts5_query(q: &str) -> Option<String> {
    let words: Vec<String> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(16)
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    #[test]
    fn fts5_queries_quote_every_word() {
        assert_eq!(
            super::fts5_query("отпуск Иванова").as_deref(),
            Some("\"отпуск\"* \"Иванова\"*")
        );
        assert_eq!(
            super::fts5_query("a\" OR x:y*").as_deref(),
            Some("\"a\"* \"OR\"* \"x\"* \"y\"*")
        );
        assert_eq!(super::fts5_query("-- ** \""), None);
    }
}
