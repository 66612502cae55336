//! Use cases without HTTP: an App on a temporary SQLite file, the outbox mailer and a
//! temporary blob store, for the rules HTTP tests reach awkwardly — the gate's table
//! (every operation refused without its right, audited once under one name; `allows`
//! recording nothing), the unit of work (a dropped or failed unit leaves nothing), and
//! the operator (the CLI's caller: every right, the system's invariant still holding).
//! The HTTP tests in crates/svitok run the same rules on both databases.

use std::sync::Arc;
use svitok_app::accounts::{self, ProfileInput};
use svitok_app::{access, users, App, Caller, Client, Settings};
use svitok_core::clock::{Clock, SystemClock};
use svitok_core::ids::UserId;
use svitok_core::policy::Operation;
use svitok_core::rights::{Right, Rights};
use svitok_core::user::{User, UserStatus};
use svitok_core::CoreError;

struct Kit {
    state: App,
    dir: std::path::PathBuf,
}

impl Drop for Kit {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn kit() -> Kit {
    let dir = std::env::temp_dir().join(format!("svitok-app-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let master = svitok_core::secrets::MasterKey::generate();
    let db = svitok_db::Db::connect(&format!("sqlite://{}", dir.join("svitok.db").display()))
        .await
        .unwrap();
    db.migrate().await.unwrap();
    let db = db.with_audit_key(master.derive(svitok_app::audit::CHAIN_KEY_PURPOSE));
    let mailer = svitok_mail::Mailer::outbox(dir.join("outbox"), "svitok@example.ru").unwrap();
    let blobs = svitok_storage::BlobStore::local(&dir.join("blobs"), master.derive("svitok blob keys v1")).unwrap();
    let authority = svitok_app::pki::load_or_create_authority(&db, &master, "Организация", SystemClock.now_ms())
        .await
        .unwrap();
    let settings = Settings::for_url("http://127.0.0.1:8080".parse().unwrap());
    let state = App::new(db, mailer, blobs, Arc::new(SystemClock), settings, &master, authority);
    Kit { state, dir }
}

async fn person(k: &Kit, login: &str, rights: &[Right]) -> User {
    let input = ProfileInput {
        login: login.into(),
        email: format!("{login}@example.ru"),
        last_name: "Иванова".into(),
        first_name: "Анна".into(),
        ..Default::default()
    };
    accounts::create_active_user(
        &k.state,
        input,
        "зелёный трамвай едет в 7 утра",
        rights.iter().copied().collect(),
        |u| {
            svitok_app::audit::event(
                None,
                "user.created_by_cli",
                Some(u.id.to_string()),
                &Default::default(),
                true,
                serde_json::json!({}),
            )
        },
    )
    .await
    .unwrap()
}

/// The caller a request of `user` would be.
fn caller(user: &User) -> Caller {
    let mut c = Caller::operator();
    c.session.user_id = user.id;
    c.user = user.clone();
    c.rights = user.rights;
    c.client = Client {
        addr: Some("192.0.2.7".into()),
        user_agent: None,
    };
    c
}

async fn denials(k: &Kit) -> Vec<svitok_db::AuditRecord> {
    let all = k.state.db.audit_page(0, 10_000).await.unwrap();
    all.into_iter().filter(|e| e.action == access::DENIED).collect()
}

#[tokio::test]
async fn the_gate_refuses_each_operation_without_its_right_and_audits_it_once() {
    let k = kit().await;
    let nobody = caller(&person(&k, "nobody", &[]).await);
    let other = UserId::new();
    let table = [
        Operation::ListUsers,
        Operation::ViewUser { target: other },
        Operation::CreateUser { rights: None },
        Operation::EditUser { target: other },
        Operation::ManageGroups,
        Operation::ChangeMembership { member: other },
        Operation::ReadAudit,
        Operation::ViewStatistics,
        Operation::CreateDocument { with_file: false },
        Operation::CreateDocument { with_file: true },
        Operation::IssueCertificate,
        Operation::GrantRights,
        Operation::CreateToken {
            rights: Some(Rights::NONE.with(Right::SendDocuments)),
            by_token: false,
        },
    ];
    for op in &table {
        let name = op.name();
        assert!(!access::allows(&nobody, op), "{name} allowed without rights");
        let before = denials(&k).await.len();
        let refused = access::authorize(&k.state, &nobody, op.clone(), None).await;
        assert!(matches!(refused, Err(CoreError::Forbidden(_))), "{name}: {refused:?}");
        let after = denials(&k).await;
        assert_eq!(after.len(), before + 1, "{name}: one entry per refusal");
        let entry = after.last().unwrap();
        assert!(
            entry.details.contains(&format!("\"operation\":\"{name}\"")),
            "{entry:?}"
        );
        assert_eq!(entry.actor.as_deref(), Some(nobody.user.id.to_string().as_str()));
        assert_eq!(entry.client_addr.as_deref(), Some("192.0.2.7"));
        assert_eq!(entry.outcome, "failure");
    }
    // What everyone may do passes for the caller without rights too.
    for op in [Operation::ListGroups, Operation::FindPeople, Operation::EditOwnProfile] {
        assert!(access::allows(&nobody, &op), "{}", op.name());
    }
    // Asking what a page may offer records nothing.
    let n = denials(&k).await.len();
    for op in &table {
        access::allows(&nobody, op);
    }
    assert_eq!(denials(&k).await.len(), n);
    // With every right, every one of them passes.
    let all = caller(&person(&k, "chief", &Right::ALL).await);
    for op in table {
        let name = op.name();
        access::authorize(&k.state, &all, op, None)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    assert_eq!(denials(&k).await.len(), n);
}

#[tokio::test]
async fn a_unit_of_work_dropped_or_failed_leaves_nothing() {
    let k = kit().await;
    let head = k.state.db.audit_head().await.unwrap();
    let event = |action: &str| svitok_db::AuditEvent {
        actor: None,
        action: action.into(),
        target: None,
        client_addr: None,
        outcome: "success",
        details: serde_json::json!({}),
    };
    let someone = |login: &str| svitok_db::NewUser {
        id: UserId::new(),
        login: login.into(),
        email: format!("{login}@example.ru"),
        email_key: format!("{login}@example.ru"),
        email_verified: false,
        password_hash: None,
        last_name: "Петров".into(),
        first_name: "Пётр".into(),
        middle_name: None,
        birth_date: None,
        position: None,
        status: UserStatus::Pending,
        rights: Rights::NONE,
    };
    // Dropped before commit: neither the change nor its queued entry lands.
    let mut tx = k.state.db.begin().await.unwrap();
    let dropped = tx.insert_user(someone("dropped"), 1).await.unwrap();
    tx.audit(event("test.dropped"), 1);
    drop(tx);
    assert_eq!(k.state.db.audit_head().await.unwrap(), head);
    assert!(k.state.db.user(dropped.id).await.unwrap().is_none());
    // An entry the database refuses: sealing fails, and the unit may no longer commit.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&format!("sqlite://{}", k.dir.join("svitok.db").display()))
        .await
        .unwrap();
    sqlx::query(
        "CREATE TRIGGER refuse BEFORE INSERT ON audit_events WHEN NEW.action = 'test.refused' \
         BEGIN SELECT RAISE(ABORT, 'refused'); END",
    )
    .execute(&pool)
    .await
    .unwrap();
    let mut tx = k.state.db.begin().await.unwrap();
    let refused = tx.insert_user(someone("refused"), 1).await.unwrap();
    tx.audit(event("test.refused"), 1);
    assert!(tx.seal().await.is_err());
    assert!(tx.commit().await.is_err(), "a unit whose entry failed must not commit");
    assert_eq!(k.state.db.audit_head().await.unwrap(), head);
    assert!(
        k.state.db.user(refused.id).await.unwrap().is_none(),
        "the change went with its entry"
    );
    pool.close().await;
    // A unit that commits lands whole, on an intact chain.
    let mut tx = k.state.db.begin().await.unwrap();
    tx.audit(event("test.one"), 1);
    tx.audit(event("test.two"), 2);
    tx.commit().await.unwrap();
    let after = k.state.db.audit_head().await.unwrap().unwrap();
    assert_eq!(after.0, head.map(|h| h.0).unwrap_or(0) + 2);
    assert!(k.state.db.verify_audit_chain().await.unwrap().is_ok());
}

#[tokio::test]
async fn the_operator_acts_through_the_use_cases_and_keeps_the_last_administrator() {
    let k = kit().await;
    let admin = person(&k, "admin", &Right::ALL).await;
    let clerk = person(&k, "clerk", &[Right::SendDocuments]).await;
    let op = Caller::operator();
    users::block(&k.state, &op, clerk.id).await.unwrap();
    assert_eq!(
        k.state.db.user(clerk.id).await.unwrap().unwrap().status,
        UserStatus::Blocked
    );
    let blocked = k.state.db.audit_page(0, 10_000).await.unwrap();
    let entry = blocked.iter().rev().find(|e| e.action == "user.blocked").unwrap();
    assert_eq!(entry.actor, None, "the operator is no user");
    assert!(entry.details.contains("\"via\":\"cli\""), "{entry:?}");
    users::unblock(&k.state, &op, clerk.id).await.unwrap();
    // The only holder of grant_rights and manage_users stays, whoever asks.
    let refused = users::block(&k.state, &op, admin.id).await;
    assert!(matches!(refused, Err(CoreError::Conflict { .. })), "{refused:?}");
    let refused = users::set_rights(&k.state, &op, admin.id, Rights::NONE).await;
    assert!(matches!(refused, Err(CoreError::Conflict { .. })), "{refused:?}");
    assert_eq!(
        k.state.db.user(admin.id).await.unwrap().unwrap().status,
        UserStatus::Active
    );
    // And what it may do, it does as any caller would: rights change and are audited.
    let after = users::set_rights(&k.state, &op, clerk.id, Rights::NONE.with(Right::SignDocuments))
        .await
        .unwrap();
    assert!(after.has(Right::SignDocuments) && !after.has(Right::SendDocuments));
    assert!(k.state.db.verify_audit_chain().await.unwrap().is_ok());
}
