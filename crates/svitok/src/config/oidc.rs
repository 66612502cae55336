//! The identity providers' settings (SPEC §11): `SVITOK_OIDC_PROVIDERS`, then per provider
//! `[oidc.NAME]` in the file with `SVITOK_OIDC_<NAME>_<KEY>` over it, each key checked and
//! each bad one named on a line of its own.

use super::{ConfigError, RawConfig};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use svitok_app::identity::{GroupMap, Policy, SecondFactor};

/// One identity provider as written in `[oidc.NAME]` (or its variables).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RawOidc {
    pub issuer: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub label: Option<String>,
    pub scopes: Option<String>,
    pub groups_claim: Option<String>,
    pub group_map: Option<String>,
    pub auto_provision: Option<String>,
    pub second_factor: Option<String>,
    pub ca_file: Option<PathBuf>,
}

/// The keys of one provider, as they follow `SVITOK_OIDC_<NAME>_`.
const OIDC_KEYS: &[&str] = &[
    "issuer",
    "client_id",
    "client_secret",
    "label",
    "scopes",
    "groups_claim",
    "group_map",
    "auto_provision",
    "second_factor",
    "ca_file",
];

/// One checked identity provider: what Svitok does with its people, and how it is reached.
#[derive(Debug, Clone)]
pub struct OidcProvider {
    pub policy: Policy,
    pub client: svitok_oidc::ClientConfig,
}

impl RawConfig {
    /// Lays `SVITOK_OIDC_<NAME>_<KEY>` over the `[oidc.NAME]` tables, for the providers
    /// `SVITOK_OIDC_PROVIDERS` names; a variable of such a provider with a key we do not
    /// know is an error (a typo would otherwise be silently ignored).
    pub fn oidc_from_env(&mut self, vars: impl Iterator<Item = (String, String)>) -> Result<(), ConfigError> {
        let names = split_names(&self.oidc_providers);
        for (var, value) in vars {
            let Some(rest) = var.strip_prefix("SVITOK_OIDC_") else {
                continue;
            };
            if rest == "PROVIDERS" {
                continue;
            }
            let Some(name) = names
                .iter()
                .filter(|n| rest.starts_with(&format!("{}_", n.to_uppercase())))
                .max_by_key(|n| n.len())
            else {
                continue;
            };
            let key = rest[name.len() + 1..].to_lowercase();
            let entry = self.oidc.entry(name.clone()).or_default();
            let slot = match key.as_str() {
                "issuer" => &mut entry.issuer,
                "client_id" => &mut entry.client_id,
                "client_secret" => &mut entry.client_secret,
                "label" => &mut entry.label,
                "scopes" => &mut entry.scopes,
                "groups_claim" => &mut entry.groups_claim,
                "group_map" => &mut entry.group_map,
                "auto_provision" => &mut entry.auto_provision,
                "second_factor" => &mut entry.second_factor,
                "ca_file" => {
                    entry.ca_file = Some(PathBuf::from(value));
                    continue;
                }
                _ => {
                    return Err(ConfigError(format!(
                        "{var}: unknown setting of provider «{name}»; one of {}",
                        OIDC_KEYS
                            .iter()
                            .map(|k| k.to_uppercase())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )))
                }
            };
            *slot = Some(value);
        }
        Ok(())
    }
}

fn split_names(list: &str) -> Vec<String> {
    list.split(',')
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

/// The providers `SVITOK_OIDC_PROVIDERS` names, each checked.
pub(super) fn oidc_providers(raw: &RawConfig) -> Result<Vec<OidcProvider>, ConfigError> {
    let names = split_names(&raw.oidc_providers);
    for name in raw.oidc.keys() {
        if !names.contains(name) {
            return Err(ConfigError(format!(
                "[oidc.{name}]: provider «{name}» is not in SVITOK_OIDC_PROVIDERS (oidc_providers)"
            )));
        }
    }
    let mut out = Vec::new();
    for name in &names {
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            || name.len() > 32
        {
            return Err(ConfigError(format!(
                "SVITOK_OIDC_PROVIDERS (oidc_providers): «{name}» must be 1–32 of a-z, 0-9 and _"
            )));
        }
        if names.iter().filter(|n| *n == name).count() > 1 {
            return Err(ConfigError(format!(
                "SVITOK_OIDC_PROVIDERS (oidc_providers): «{name}» twice"
            )));
        }
        out.push(provider(name, raw.oidc.get(name).cloned().unwrap_or_default())?);
    }
    Ok(out)
}

fn provider(name: &str, o: RawOidc) -> Result<OidcProvider, ConfigError> {
    let bad = |key: &str, why: &str| {
        ConfigError(format!(
            "SVITOK_OIDC_{}_{} (oidc.{name}.{key}): {why}",
            name.to_uppercase(),
            key.to_uppercase()
        ))
    };
    let issuer = o
        .issuer
        .filter(|i| !i.trim().is_empty())
        .ok_or_else(|| bad("issuer", "missing"))?;
    match url::Url::parse(issuer.trim()) {
        Ok(u) if matches!(u.scheme(), "https" | "http") && u.host().is_some() => {}
        _ => return Err(bad("issuer", "must be an https:// (or http://) URL")),
    }
    let client_id = o
        .client_id
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| bad("client_id", "missing"))?;
    let auto_provision = match o.auto_provision.as_deref().map(str::trim) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(bad("auto_provision", "must be true or false")),
    };
    let second_factor = match o.second_factor.as_deref() {
        None => SecondFactor::Always,
        Some(s) => SecondFactor::parse(s).ok_or_else(|| bad("second_factor", "must be always, unless_mfa or never"))?,
    };
    let groups = match (o.groups_claim.filter(|c| !c.trim().is_empty()), o.group_map) {
        (None, None) => None,
        (Some(_), None) => return Err(bad("group_map", "needed with GROUPS_CLAIM: value=Group;… or *")),
        (None, Some(_)) => {
            return Err(bad(
                "groups_claim",
                "needed with GROUP_MAP: the claim that holds the groups",
            ))
        }
        (Some(claim), Some(map)) => Some((
            claim.trim().to_string(),
            GroupMap::parse(&map).ok_or_else(|| bad("group_map", "must be value=Group;value=Group or *"))?,
        )),
    };
    let ca_pem = match &o.ca_file {
        Some(path) => Some(std::fs::read(path).map_err(|e| bad("ca_file", &format!("{}: {e}", path.display())))?),
        None => None,
    };
    let scopes: Vec<String> = o
        .scopes
        .as_deref()
        .unwrap_or("openid email profile")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    if !scopes.iter().any(|s| s == "openid") {
        return Err(bad("scopes", "must include openid"));
    }
    Ok(OidcProvider {
        policy: Policy {
            name: name.to_string(),
            label: o
                .label
                .filter(|l| !l.trim().is_empty())
                .unwrap_or_else(|| name.to_string()),
            auto_provision,
            second_factor,
            groups,
        },
        client: svitok_oidc::ClientConfig {
            issuer: issuer.trim().to_string(),
            client_id: client_id.trim().to_string(),
            client_secret: o.client_secret.filter(|s| !s.is_empty()),
            scopes,
            ca_pem,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(providers: &str, vars: &[(&str, &str)]) -> Result<Vec<OidcProvider>, ConfigError> {
        let mut r = RawConfig {
            oidc_providers: providers.into(),
            ..RawConfig::default()
        };
        r.oidc_from_env(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))?;
        oidc_providers(&r)
    }

    #[test]
    fn providers_come_in_order_with_their_defaults() {
        let p = raw(
            "corp,yandex",
            &[
                ("SVITOK_OIDC_CORP_ISSUER", "https://sso.corp.ru/realms/edo"),
                ("SVITOK_OIDC_CORP_CLIENT_ID", "svitok"),
                ("SVITOK_OIDC_CORP_GROUPS_CLAIM", "groups"),
                ("SVITOK_OIDC_CORP_GROUP_MAP", "/hr=Кадры;/fin=Бухгалтерия"),
                ("SVITOK_OIDC_YANDEX_ISSUER", "https://oauth.yandex.ru"),
                ("SVITOK_OIDC_YANDEX_CLIENT_ID", "abc"),
                ("SVITOK_OIDC_YANDEX_SECOND_FACTOR", "never"),
                ("SVITOK_OTHER", "ignored"),
            ],
        )
        .unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].policy.name, "corp");
        assert_eq!(p[0].policy.label, "corp");
        assert_eq!(p[0].policy.second_factor, SecondFactor::Always);
        assert_eq!(p[0].client.scopes, ["openid", "email", "profile"]);
        assert!(p[0].client.client_secret.is_none(), "a public client");
        assert!(matches!(&p[0].policy.groups, Some((c, GroupMap::Named(m))) if c == "groups" && m["/hr"] == "Кадры"));
        assert_eq!(p[1].policy.second_factor, SecondFactor::Never);
    }

    #[test]
    fn each_bad_key_is_named() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[], "SVITOK_OIDC_CORP_ISSUER"),
            (&[("SVITOK_OIDC_CORP_ISSUER", "not a url")], "SVITOK_OIDC_CORP_ISSUER"),
            (
                &[("SVITOK_OIDC_CORP_ISSUER", "https://sso")],
                "SVITOK_OIDC_CORP_CLIENT_ID",
            ),
            (&[("SVITOK_OIDC_CORP_ISSUR", "https://sso")], "SVITOK_OIDC_CORP_ISSUR"),
        ];
        for (vars, named) in cases {
            let err = raw("corp", vars).map(|_| ()).unwrap_err().0;
            assert!(err.contains(named), "{named} in {err}");
            assert_eq!(err.lines().count(), 1);
        }
        let base = [
            ("SVITOK_OIDC_CORP_ISSUER", "https://sso"),
            ("SVITOK_OIDC_CORP_CLIENT_ID", "x"),
        ];
        for (key, value) in [
            ("SVITOK_OIDC_CORP_SECOND_FACTOR", "sometimes"),
            ("SVITOK_OIDC_CORP_AUTO_PROVISION", "yes"),
            ("SVITOK_OIDC_CORP_GROUP_MAP", "*"),
            ("SVITOK_OIDC_CORP_SCOPES", "email"),
            ("SVITOK_OIDC_CORP_CA_FILE", "/no/such/file.pem"),
        ] {
            let mut vars = base.to_vec();
            vars.push((key, value));
            let err = raw("corp", &vars).map(|_| ()).unwrap_err().0;
            let named = if key.ends_with("GROUP_MAP") {
                "SVITOK_OIDC_CORP_GROUPS_CLAIM"
            } else {
                key
            };
            assert!(err.contains(named), "{named} in {err}");
        }
        assert!(raw("Corp!", &[]).unwrap_err().0.contains("SVITOK_OIDC_PROVIDERS"));
    }
}
