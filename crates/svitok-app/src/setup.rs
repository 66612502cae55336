//! First start: with no users, a one-time link lets the operator create the first
//! administrator, who gets all seven rights.

use crate::state::App;
use crate::Client;
use crate::{accounts, audit};
use serde_json::json;
use svitok_core::rights::Rights;
use svitok_core::user::User;
use svitok_core::{token, CoreError, Result};

/// Makes a setup token when there are no users yet; returns the link to print.
pub async fn link_if_needed(state: &App) -> Result<Option<String>> {
    if state.db.count_users().await? > 0 {
        return Ok(None);
    }
    let secret = token::generate("");
    state
        .db
        .insert_setup_token(&token::digest(&secret), state.now())
        .await?;
    Ok(Some(state.settings.link(&format!("/setup/{secret}"))))
}

fn used_link() -> CoreError {
    CoreError::NotFound("setup link")
}

pub async fn create_admin(
    state: &App,
    secret: &str,
    input: accounts::ProfileInput,
    password: &str,
    client: &Client,
) -> Result<User> {
    let digest = token::digest(secret);
    if state.db.count_users().await? > 0 || !state.db.consume_setup_token(&digest, state.now()).await? {
        return Err(used_link());
    }
    let audited = |user: &User| {
        audit::event(
            Some(&user.id),
            "setup.admin_created",
            Some(user.id.to_string()),
            client,
            true,
            json!({ "login": user.login }),
        )
    };
    match accounts::create_active_user(state, input, password, Rights::all(), audited).await {
        Ok(user) => Ok(user),
        Err(e) => {
            // Bad input must not burn the only link.
            state.db.release_setup_token(&digest).await?;
            Err(e)
        }
    }
}
