//! Administration pages: users (list, invitation, profile, blocking, the seven rights as
//! switches) and groups (list, card with members and documents, membership).

use super::csrf::{CsrfBody, CsrfForm, FormToken};
use super::forms::{optional, PersonForm};
use super::page::{action_failed, done, error_status, error_text, or_error, outcome, show, Page};
use super::render::{date_text, error_page};
use crate::extract::Actor;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;
use serde::Deserialize;
use svitok_app::access::allows;
use svitok_app::App;
use svitok_app::{documents as docs, groups, users};
use svitok_core::ids::{GroupId, UserId};
use svitok_core::policy::Operation;
use svitok_core::rights::{Right, Rights};
use svitok_core::user::{User, UserStatus};
use svitok_core::CoreError;

fn person(u: &User) -> minijinja::Value {
    context! {
        id => u.id.to_string(), name => u.full_name(), login => u.login, email => u.email,
        position => u.position, status => u.status.as_str(),
        last_name => u.last_name, first_name => u.first_name, middle_name => u.middle_name,
        birth_date => u.birth_date, last_login => u.last_login_at.map(date_text),
        rights => u.rights.iter().map(Right::name).collect::<Vec<_>>(),
    }
}

fn user_id(raw: &str) -> Result<UserId, CoreError> {
    raw.parse().map(UserId).map_err(|_| CoreError::NotFound("user"))
}

fn group_id(raw: &str) -> Result<GroupId, CoreError> {
    raw.parse().map(GroupId).map_err(|_| CoreError::NotFound("group"))
}

#[derive(Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
}

pub async fn users_page(
    State(state): State<App>,
    Page(actor): Page,
    token: FormToken,
    Query(q): Query<SearchQuery>,
) -> Response {
    let result = async {
        let filter = svitok_db::UserFilter {
            q: Some(q.q.trim().to_string()).filter(|q| !q.is_empty()),
            status: UserStatus::parse(&q.status),
            group: None,
        };
        let (items, total): (Vec<_>, i64) = if !allows(&actor, &Operation::ListUsers) && allows(&actor, &Operation::GrantRights) {
            // Whoever grants rights finds people by name in the address book.
            let people = users::directory(&state, &actor, &q.q, 200).await?;
            let n = people.len() as i64;
            (
                people
                    .into_iter()
                    .map(|p| context! { id => p.id.to_string(), name => p.name, position => p.position, limited => true })
                    .collect(),
                n,
            )
        } else {
            let (found, _) = users::list(&state, &actor, &filter, 200, 0).await?;
            (found.items.iter().map(person).collect(), found.total)
        };
        Ok(show(
            &state,
            &actor,
            &token,
            StatusCode::OK,
            "users.html",
            context! { section => "users", items, total, q => q.q, status => q.status, may_create => allows(&actor, &Operation::CreateUser { rights: None }) },
        )
        .await)
    }
    .await;
    or_error(&actor, result)
}

/// The form's rights: every `right` field names one that is on.
fn rights_of(body: &[u8]) -> (Option<String>, Rights, bool) {
    let mut csrf = None;
    let mut rights = Rights::NONE;
    let mut any = false;
    for (k, v) in url::form_urlencoded::parse(body) {
        match k.as_ref() {
            "csrf" => csrf = Some(v.into_owned()),
            "right" => {
                any = true;
                if let Some(r) = Right::parse(&v) {
                    rights = rights.with(r);
                }
            }
            _ => {}
        }
    }
    (csrf, rights, any)
}

fn new_user_ctx(actor: &Actor, f: &PersonForm, error: Option<String>) -> minijinja::Value {
    let rights: Vec<_> = Right::ALL
        .into_iter()
        .map(|r| {
            let on = Rights::self_registered_default().has(r);
            let grantable = allows(
                actor,
                &Operation::CreateUser {
                    rights: Some(Rights::NONE.with(r)),
                },
            );
            context! { name => r.name(), on, disabled => !grantable }
        })
        .collect();
    context! {
        section => "users", error, rights, can_grant => allows(actor, &Operation::GrantRights),
        ..f.context()
    }
}

pub async fn new_user(State(state): State<App>, Page(actor): Page, token: FormToken) -> Response {
    if !allows(&actor, &Operation::CreateUser { rights: None }) {
        return error_page(StatusCode::FORBIDDEN, Some(&actor.user.full_name()));
    }
    let ctx = new_user_ctx(&actor, &PersonForm::default(), None);
    show(&state, &actor, &token, StatusCode::OK, "new_user.html", ctx).await
}

/// Creates a user and mails the invitation.
pub async fn create_user(State(state): State<App>, Page(actor): Page, CsrfBody(token, body): CsrfBody) -> Response {
    let f = PersonForm::from_body(&body);
    let (_, rights, _) = rights_of(&body);
    let req = users::NewUserRequest {
        profile: f.profile(),
        rights: allows(&actor, &Operation::GrantRights).then_some(rights),
        groups: Vec::new(),
    };
    match users::create(&state, &actor, req).await {
        Ok(u) => done(&format!("/users/{}", u.id)),
        Err(e) => {
            let ctx = new_user_ctx(&actor, &f, Some(error_text(&e)));
            show(&state, &actor, &token, error_status(&e), "new_user.html", ctx).await
        }
    }
}

pub async fn user_page(
    State(state): State<App>,
    Page(actor): Page,
    token: FormToken,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id = user_id(&id)?;
        let switches = users::right_switches(&state, &actor, id).await?;
        // A holder of grant_rights alone sees the name and the switches, not the profile.
        // (Asked first, so that opening the page writes no refusal to the audit log.)
        let mut identities = Vec::new();
        let (user, group_ids) = if allows(&actor, &Operation::ViewUser { target: id }) {
            let (u, g) = users::get(&state, &actor, id).await?;
            for i in svitok_app::accounts::oidc::identities_of(&state, &actor, id).await? {
                identities.push(context! { provider => i.provider, subject => i.subject, email => i.email,
                    linked => super::render::date_text(i.linked_at), used => super::render::date_text(i.last_used_at) });
            }
            (person(&u), g)
        } else {
            let names = docs::names(&state, &[id]).await?;
            let name = names.get(&id).cloned().ok_or(CoreError::NotFound("user"))?;
            (context! { id => id.to_string(), name, limited => true }, Vec::new())
        };
        let mut member_of = Vec::new();
        for g in group_ids {
            if let Some(g) = state.db.group(g).await? {
                member_of.push(context! { id => g.id.to_string(), name => g.name });
            }
        }
        let rights: Vec<_> = switches
            .iter()
            .map(|s| context! { name => s.right.name(), on => s.on, disabled => s.refusal.is_some(), why => s.refusal.as_ref().map(super::i18n::describe) })
            .collect();
        let may_edit = allows(&actor, &Operation::EditUser { target: id });
        let ctx = context! {
            section => "users", user, rights, member_of, may_edit, identities,
            may_grant => switches.iter().any(|s| s.refusal.is_none()),
            own => id == actor.user.id,
        };
        Ok(show(&state, &actor, &token, StatusCode::OK, "user.html", ctx).await)
    }
    .await;
    or_error(&actor, result)
}

/// The administrator's edit of a profile.
pub async fn update_user(
    State(state): State<App>,
    Page(actor): Page,
    Path(id): Path<String>,
    CsrfForm(_token, f): CsrfForm<PersonForm>,
) -> Response {
    let me = actor.user.full_name();
    let Ok(id) = user_id(&id) else {
        return error_page(StatusCode::NOT_FOUND, Some(&me));
    };
    let patch = users::ProfilePatch {
        email: Some(f.email.clone()).filter(|e| !e.trim().is_empty()),
        last_name: Some(f.last_name.clone()),
        first_name: Some(f.first_name.clone()),
        middle_name: Some(f.middle_name.clone()),
        birth_date: Some(f.birth_date.clone()),
        position: Some(f.position.clone()),
    };
    let result = users::update(&state, &actor, id, patch).await;
    outcome(
        &me,
        result,
        &format!("/users/{id}"),
        "failed-profile",
        &format!("/users/{id}"),
    )
}

#[derive(Deserialize)]
pub struct TokenForm {}

pub async fn block(
    State(state): State<App>,
    Page(actor): Page,
    Path(id): Path<String>,
    CsrfForm(_, _): CsrfForm<TokenForm>,
) -> Response {
    set_blocked(&state, &actor, &id, true).await
}

pub async fn unblock(
    State(state): State<App>,
    Page(actor): Page,
    Path(id): Path<String>,
    CsrfForm(_, _): CsrfForm<TokenForm>,
) -> Response {
    set_blocked(&state, &actor, &id, false).await
}

async fn set_blocked(state: &App, actor: &Actor, id: &str, blocked: bool) -> Response {
    let me = actor.user.full_name();
    let Ok(id) = user_id(id) else {
        return error_page(StatusCode::NOT_FOUND, Some(&me));
    };
    let result = if blocked {
        users::block(state, actor, id).await
    } else {
        users::unblock(state, actor, id).await
    };
    match result {
        Ok(()) => done(&format!("/users/{id}")),
        Err(e) => action_failed(&me, "failed-user-status", &format!("/users/{id}"), &e),
    }
}

/// The rights switches: the form carries the rights that are on.
pub async fn set_rights(
    State(state): State<App>,
    Page(actor): Page,
    Path(id): Path<String>,
    CsrfBody(_, body): CsrfBody,
) -> Response {
    let (_, mut after, _) = rights_of(&body);
    let me = actor.user.full_name();
    let Ok(id) = user_id(&id) else {
        return error_page(StatusCode::NOT_FOUND, Some(&me));
    };
    let result = async {
        // Switches the viewer may not flip are disabled and never posted: keep them as they are.
        for s in users::right_switches(&state, &actor, id).await? {
            if s.refusal.is_some() {
                after = if s.on {
                    after.with(s.right)
                } else {
                    Rights::from_mask(after.mask() & !Rights::NONE.with(s.right).mask())
                };
            }
        }
        users::set_rights(&state, &actor, id, after).await
    }
    .await;
    match result {
        Ok(_) => done(&format!("/users/{id}")),
        Err(e) => action_failed(&me, "failed-rights", &format!("/users/{id}"), &e),
    }
}

pub async fn groups_page(
    State(state): State<App>,
    Page(actor): Page,
    token: FormToken,
    Query(q): Query<SearchQuery>,
) -> Response {
    let result = async {
        let (found, total) = groups::list(&state, &actor, Some(q.q.trim()).filter(|q| !q.is_empty()), 200, 0).await?;
        let items: Vec<_> = found
            .iter()
            .map(|g| context! { id => g.group.id.to_string(), name => g.group.name, description => g.group.description, members => g.members })
            .collect();
        let ctx = context! { section => "groups", items, total, q => q.q, may_manage => allows(&actor, &Operation::ManageGroups) };
        Ok(show(&state, &actor, &token, StatusCode::OK, "groups.html", ctx).await)
    }
    .await;
    or_error(&actor, result)
}

#[derive(Deserialize)]
pub struct GroupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

pub async fn create_group(
    State(state): State<App>,
    Page(actor): Page,
    CsrfForm(_token, f): CsrfForm<GroupForm>,
) -> Response {
    let me = actor.user.full_name();
    match groups::create(&state, &actor, &f.name, optional(&f.description).as_deref()).await {
        Ok(g) => done(&format!("/groups/{}", g.id)),
        Err(e) => action_failed(&me, "failed-group-create", "/groups", &e),
    }
}

pub async fn group_page(
    State(state): State<App>,
    Page(actor): Page,
    token: FormToken,
    Path(id): Path<String>,
    Query(q): Query<SearchQuery>,
) -> Response {
    let result = async {
        let id = group_id(&id)?;
        let (group, members) = groups::get(&state, &actor, id).await?;
        let is_member = members
            .as_ref()
            .is_some_and(|m| m.iter().any(|u| u.id == actor.user.id));
        let documents = if is_member {
            docs::group_documents(&state, &actor, id, None, 100)
                .await?
                .into_iter()
                .map(|d| context! { id => d.id.to_string(), title => d.title, status => d.status.as_str() })
                .collect()
        } else {
            Vec::new()
        };
        let may_manage = allows(&actor, &Operation::ManageGroups);
        let candidates: Vec<_> = if may_manage && !q.q.trim().is_empty() {
            users::directory(&state, &actor, &q.q, 30)
                .await?
                .into_iter()
                .filter(|p| !members.as_ref().is_some_and(|m| m.iter().any(|u| u.id == p.id)))
                .map(|p| context! { id => p.id.to_string(), name => p.name, position => p.position })
                .collect()
        } else {
            Vec::new()
        };
        let ctx = context! {
            section => "groups", may_manage, is_member, documents, candidates, q => q.q,
            group => context! { id => group.id.to_string(), name => group.name, description => group.description },
            members => members.map(|m| m.iter().map(person).collect::<Vec<_>>()),
        };
        Ok(show(&state, &actor, &token, StatusCode::OK, "group.html", ctx).await)
    }
    .await;
    or_error(&actor, result)
}

#[derive(Deserialize)]
pub struct MemberForm {
    user: String,
    #[serde(default)]
    remove: Option<String>,
}

pub async fn membership(
    State(state): State<App>,
    Page(actor): Page,
    Path(id): Path<String>,
    CsrfForm(_token, f): CsrfForm<MemberForm>,
) -> Response {
    let me = actor.user.full_name();
    let (Ok(group), Ok(user)) = (group_id(&id), user_id(&f.user)) else {
        return error_page(StatusCode::NOT_FOUND, Some(&me));
    };
    let result = if f.remove.is_some() {
        groups::remove_member(&state, &actor, group, user).await
    } else {
        groups::add_member(&state, &actor, group, user).await
    };
    match result {
        Ok(()) => done(&format!("/groups/{group}")),
        Err(e) => action_failed(&me, "failed-members", &format!("/groups/{group}"), &e),
    }
}

/// Renames a group or changes its description (`manage_users`).
pub async fn edit_group(
    State(state): State<App>,
    Page(actor): Page,
    Path(id): Path<String>,
    CsrfForm(_token, f): CsrfForm<GroupForm>,
) -> Response {
    let me = actor.user.full_name();
    let Ok(group) = group_id(&id) else {
        return error_page(StatusCode::NOT_FOUND, Some(&me));
    };
    let result = groups::update(&state, &actor, group, Some(&f.name), Some(&f.description)).await;
    outcome(
        &me,
        result,
        &format!("/groups/{group}"),
        "failed-group-edit",
        &format!("/groups/{group}"),
    )
}

pub async fn delete_group(
    State(state): State<App>,
    Page(actor): Page,
    Path(id): Path<String>,
    CsrfForm(_token, _f): CsrfForm<TokenForm>,
) -> Response {
    let me = actor.user.full_name();
    let Ok(group) = group_id(&id) else {
        return error_page(StatusCode::NOT_FOUND, Some(&me));
    };
    let result = groups::delete(&state, &actor, group).await;
    outcome(
        &me,
        result,
        "/groups",
        "failed-group-delete",
        &format!("/groups/{group}"),
    )
}
