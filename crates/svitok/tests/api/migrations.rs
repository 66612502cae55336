//! Upgrades keep data: each migration is applied to a database that holds rows written
//! by the schema before it.

use crate::both_backends;
use crate::helpers::{fresh_database, Backend};
use svitok_db::{Db, UserFilter};

both_backends!(upgrade_from_accounts_schema_keeps_users_findable);

async fn upgrade_from_accounts_schema_keeps_users_findable(b: Backend) {
    let dir = std::env::temp_dir().join(format!("svitok-migr-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = fresh_database(&b, &dir).await;
    let db = Db::connect(&url).await.unwrap();
    assert_eq!(db.migrate_to(1).await.unwrap(), 1);
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
