//! External identity providers (SPEC §11) as the use cases see them: what Svitok may do
//! with a person a provider vouches for, and the one seam through which the protocol is
//! reached. The protocol itself (discovery, the authorization-code flow, ID-token
//! verification over HTTP) lives in the `svitok-oidc` crate, which implements
//! [`IdentityProvider`]; this crate never speaks HTTP.

use futures_util::future::BoxFuture;
use std::collections::BTreeMap;

/// When Svitok's own second factor follows a provider's login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    Always,
    /// Skipped when the ID token's `amr` shows the provider asked for a second factor.
    UnlessMfa,
    Never,
}

impl SecondFactor {
    pub fn parse(s: &str) -> Option<SecondFactor> {
        match s.trim() {
            "always" => Some(SecondFactor::Always),
            "unless_mfa" => Some(SecondFactor::UnlessMfa),
            "never" => Some(SecondFactor::Never),
            _ => None,
        }
    }
}

/// How the provider's group claim maps to Svitok groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupMap {
    /// `claim value → Svitok group name`; groups not named here are left alone.
    Named(BTreeMap<String, String>),
    /// `*`: every claim value names the Svitok group of that name.
    SameName,
}

impl GroupMap {
    /// `value=Group;value=Group` or `*`; `None` when malformed.
    pub fn parse(s: &str) -> Option<GroupMap> {
        let s = s.trim();
        if s == "*" {
            return Some(GroupMap::SameName);
        }
        let mut map = BTreeMap::new();
        for pair in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (from, to) = pair.split_once('=')?;
            let (from, to) = (from.trim(), to.trim());
            if from.is_empty() || to.is_empty() {
                return None;
            }
            map.insert(from.to_string(), to.to_string());
        }
        (!map.is_empty()).then_some(GroupMap::Named(map))
    }
}

/// What Svitok does with the people one provider vouches for.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The provider's name in configuration and routes (`a-z0-9_`).
    pub name: String,
    /// The button's text.
    pub label: String,
    pub auto_provision: bool,
    pub second_factor: SecondFactor,
    /// The claim holding group names, and how they map (both or neither).
    pub groups: Option<(String, GroupMap)>,
}

/// The start of a login at a provider: where to send the browser, and the secrets the
/// browser's own flow cookie must bring back.
pub struct Authorization {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// A person as a provider vouched for them in a verified ID token.
#[derive(Debug, Clone)]
pub struct Vouched {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub family_name: Option<String>,
    pub given_name: Option<String>,
    /// Authentication methods (`amr`), as the provider names them.
    pub amr: Vec<String>,
    /// The values of the configured group claim; `None` when the token has no such claim.
    pub groups: Option<Vec<String>>,
    /// The ID token itself, for the `id_token_hint` of a later sign-out.
    pub id_token: String,
}

/// Why a provider did not vouch for anyone. `reason` is for the audit log and the
/// server's log, never for the person.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub down: bool,
    pub reason: String,
}

impl Refusal {
    pub fn down(reason: impl Into<String>) -> Refusal {
        Refusal {
            down: true,
            reason: reason.into(),
        }
    }

    pub fn refused(reason: impl Into<String>) -> Refusal {
        Refusal {
            down: false,
            reason: reason.into(),
        }
    }
}

/// One configured provider, as the protocol crate implements it.
pub trait IdentityProvider: Send + Sync {
    fn policy(&self) -> &Policy;

    /// Where to send the browser so that the provider sends it back to `redirect_uri`.
    fn authorize<'a>(&'a self, redirect_uri: &'a str) -> BoxFuture<'a, Result<Authorization, Refusal>>;

    /// Exchanges `code` and verifies the ID token against the flow's `nonce` and
    /// `pkce_verifier`, at `now_ms` by Svitok's clock.
    fn redeem<'a>(
        &'a self,
        redirect_uri: &'a str,
        code: &'a str,
        nonce: &'a str,
        pkce_verifier: &'a str,
        now_ms: i64,
    ) -> BoxFuture<'a, Result<Vouched, Refusal>>;

    /// Where to send the browser to end its session at the provider (RP-initiated
    /// logout), when the provider offers that; then back to `after`.
    fn end_session_url<'a>(&'a self, id_token: &'a str, after: &'a str) -> BoxFuture<'a, Option<String>>;
}
