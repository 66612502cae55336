//! Upgrades keep data: each migration is applied to a database that holds rows written
//! by the schema before it.

use crate::both_backends;
use crate::helpers::{fresh_database, Backend};
use svitok_db::{Db, UserFilter};

/// A new database migrated up to `version` only (and its directory, removed at the end).
async fn database_at(b: &Backend, version: i64) -> (Db, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("svitok-migr-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = Db::connect(&fresh_database(b, &dir).await).await.unwrap();
    assert_eq!(db.migrate_to(version).await.unwrap(), version as usize);
    (db, dir)
}

/// One active user, as every schema since the first stores it.
const USER_ROW: &str = "INSERT INTO users (id, login, email, email_key, last_name, first_name, status, rights, \
     created_at, updated_at) VALUES ('0190b5a0-0000-7000-8000-000000000001', 'ivanova', 'ivanova@example.ru', \
     'ivanova@example.ru', 'Иванова', 'Мария', 'active', 127, 1, 1);";

both_backends!(
    upgrade_from_accounts_schema_keeps_users_findable,
    upgrade_to_inbox_counters_counts_existing_items,
    upgrade_keeps_full_text_search_in_step_with_edits
);

async fn upgrade_from_accounts_schema_keeps_users_findable(b: Backend) {
    let (db, dir) = database_at(&b, 1).await;
    db.execute_raw(
        "INSERT INTO users (id, login, email, email_key, last_name, first_name, status, rights, created_at, updated_at) \
         VALUES ('0190b5a0-0000-7000-8000-000000000001', 'ivanova', 'Ivanova@Example.ru', 'ivanova@example.ru', \
                 'Иванова', 'Мария', 'active', 127, 1, 1)",
    )
    .await
    .unwrap();
    assert!(db.migrate().await.unwrap() >= 1);
    let filter = UserFilter {
        q: Some("ИВАНОВА".into()),
        ..Default::default()
    };
    let (found, total) = db.list_users(&filter, 10, 0).await.unwrap();
    assert_eq!(total, 1, "the old row got its search key");
    assert_eq!(found[0].login, "ivanova");
    assert_eq!(db.migrate().await.unwrap(), 0, "migrating twice is a no-op");
    db.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

async fn upgrade_to_inbox_counters_counts_existing_items(b: Backend) {
    let (db, dir) = database_at(&b, 7).await;
    let user = "0190b5a0-0000-7000-8000-000000000001";
    let doc = "0190b5a0-0000-7000-8000-0000000000d1";
    db.execute_raw(&format!(
        "{USER_ROW} INSERT INTO documents (id, title, owner_id, status, responsible_user_id, created_at, updated_at) \
         VALUES ('{doc}', 'Письмо', '{user}', 'draft', '{user}', 1, 1);"
    ))
    .await
    .unwrap();
    for (n, unread, deleted) in [(1, 1, 0), (2, 0, 0), (3, 1, 1)] {
        let t = format!("0190b5a0-0000-7000-8000-00000000000{n}");
        db.execute_raw(&format!(
            "INSERT INTO transfers (id, document_id, from_user_id, to_user_id, action, created_at) \
             VALUES ('{t}', '{doc}', '{user}', '{user}', 'send', {n}); \
             INSERT INTO inbox_items (user_id, transfer_id, document_id, unread, deleted, created_at) \
             VALUES ('{user}', '{t}', '{doc}', {unread}, {deleted}, {n});"
        ))
        .await
        .unwrap();
    }
    db.migrate().await.unwrap();
    let user_id = svitok_core::ids::UserId(user.parse().unwrap());
    let (items, total, unread) = db.inbox(user_id, 10, 0).await.unwrap();
    assert_eq!(
        (items.len(), total, unread),
        (2, 2, 1),
        "existing items are counted, the trashed one is not"
    );
    // From here on the triggers keep the counts.
    let mut tx = db.begin().await.unwrap();
    tx.mark_read(svitok_core::ids::DocumentId(doc.parse().unwrap()), user_id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (_, total, unread) = db.inbox(user_id, 10, 0).await.unwrap();
    assert_eq!((total, unread), (2, 0));
    db.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

async fn upgrade_keeps_full_text_search_in_step_with_edits(b: Backend) {
    use svitok_core::documents::Party;
    use svitok_core::ids::{DocumentId, UserId};
    let (db, dir) = database_at(&b, 8).await;
    let user = "0190b5a0-0000-7000-8000-000000000001";
    let doc = "0190b5a0-0000-7000-8000-0000000000d1";
    db.execute_raw(&format!(
        "{USER_ROW} INSERT INTO documents (id, title, owner_id, status, responsible_user_id, created_at, updated_at) \
         VALUES ('{doc}', 'Отпуск сотрудника', '{user}', 'draft', '{user}', 1, 1); \
         INSERT INTO document_readers (principal, document_id, updated_at) VALUES ('u:{user}', '{doc}', 1);"
    ))
    .await
    .unwrap();
    if matches!(b, Backend::Sqlite) {
        // What the repository of schema 8 wrote for a new card.
        db.execute_raw(&format!(
            "INSERT INTO documents_fts (doc_id, body) VALUES ('{doc}', 'Отпуск сотрудника   ')"
        ))
        .await
        .unwrap();
    }
    db.migrate().await.unwrap();
    let principals = vec![Party::User(UserId(user.parse().unwrap())).principal()];
    let search = |q: &str| svitok_db::DocumentFilter {
        q: Some(q.into()),
        ..Default::default()
    };
    let found = db
        .list_documents(&principals, &search("отпуск"), None, 10)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    let id = DocumentId(doc.parse().unwrap());
    let event = svitok_db::Event {
        actor: UserId(user.parse().unwrap()),
        action: "updated",
        details: serde_json::json!({}),
    };
    let mut tx = db.begin().await.unwrap();
    tx.update_card(id, ("Командировка", "", "", None, None), &event, 2)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(
        db.list_documents(&principals, &search("отпуск"), None, 10)
            .await
            .unwrap()
            .is_empty(),
        "the old text is gone"
    );
    assert_eq!(
        db.list_documents(&principals, &search("командировка"), None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    db.close().await;
    let _ = std::fs::remove_dir_all(dir);
}
