//! A real, certified OpenID provider for the identity-provider tests: panva's
//! `oidc-provider` (pinned in tools/oidc-provider), started on loopback with a test
//! client and accounts; and a browser that walks its pages over HTTP.

use crate::helpers::{free_port, peer_binary, spawn_app_with, Backend, Peer, TestApp, ORIGIN};
use serde_json::{json, Value};
use std::path::PathBuf;
use svitok::config::RawOidc;

pub const CLIENT_ID: &str = "svitok";
pub const CLIENT_SECRET: &str = "the-test-client-secret-4f1c";
pub const OTHER_CLIENT_ID: &str = "another-relying-party";

fn tools() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tools/oidc-provider"))
}

/// The provider, stopped when dropped.
pub struct Provider {
    pub issuer: String,
    peer: Option<Peer>,
    _config: tempfile_path::TempPath,
}

impl Provider {
    /// Stops the provider (to test a provider that is down).
    pub fn stop(&mut self) {
        self.peer.take();
    }
}

mod tempfile_path {
    /// A file removed when dropped.
    pub struct TempPath(pub std::path::PathBuf);
    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

/// Starts the provider with `accounts` (`{"sub": {claims}}`), or `None` (a loud skip;
/// a failure in CI) when Node or the package is missing.
pub async fn start_provider(accounts: Value, id_token_ttl: u64) -> Option<Provider> {
    start_provider_for(ORIGIN, accounts, id_token_ttl).await
}

/// [`start_provider`] for a Svitok whose public origin is `origin`.
pub async fn start_provider_for(origin: &str, accounts: Value, id_token_ttl: u64) -> Option<Provider> {
    let node = which("node");
    let installed = tools().join("node_modules/oidc-provider").exists();
    let found = node.filter(|_| installed);
    let node = peer_binary(
        found,
        "the identity-provider test",
        "install Node 20+ and run `npm ci` in tools/oidc-provider",
    )?;
    let port = free_port();
    let issuer = format!("http://localhost:{port}");
    let callback = format!("{origin}/api/v1/auth/oidc/corp/callback");
    let config = json!({
        "port": port,
        "issuer": issuer,
        "id_token_ttl": id_token_ttl,
        "clients": [{
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [callback],
            "post_logout_redirect_uris": [format!("{origin}/login")],
        }, {
            // Another relying party of the same provider, with the same redirect address.
            "client_id": OTHER_CLIENT_ID,
            "client_secret": "the-other-client-secret-9d0e",
            "redirect_uris": [callback],
        }],
        "accounts": accounts,
    });
    let path = std::env::temp_dir().join(format!("svitok-op-{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&path, config.to_string()).unwrap();
    let script = tools().join("provider.mjs");
    let peer =
        crate::helpers::start_peer(&node, &[script.display().to_string(), path.display().to_string()], port).await;
    Some(Provider {
        issuer,
        peer: Some(peer),
        _config: tempfile_path::TempPath(path),
    })
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| PathBuf::from(d).join(program))
        .find(|p| p.is_file())
}

/// An app with provider `corp` at `issuer`; `tweak` sets the provider's other keys.
pub async fn app_with_provider(b: Backend, issuer: &str, tweak: impl FnOnce(&mut RawOidc)) -> TestApp {
    let mut oidc = RawOidc {
        issuer: Some(issuer.to_string()),
        client_id: Some(CLIENT_ID.into()),
        client_secret: Some(CLIENT_SECRET.into()),
        label: Some("Корпоративный вход".into()),
        ..Default::default()
    };
    tweak(&mut oidc);
    spawn_app_with(b, move |raw| {
        raw.oidc_providers = "corp".into();
        raw.oidc.insert("corp".into(), oidc);
    })
    .await
}

/// A browser: its own cookies, redirects walked by hand.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .unwrap_or_else(|| panic!("a redirect, got {}", r.status()))
        .to_str()
        .unwrap()
        .to_string()
}

/// The public origin the provider redirects to, as the test reaches the server.
pub fn on_app(app: &TestApp, url: &str) -> String {
    url.replacen(ORIGIN, &app.base, 1)
}

/// Clicks the provider's button and signs in at the provider as `sub` (`mfa`: with its
/// second factor); returns the callback address the provider sends the browser back to
/// (not yet followed).
pub async fn through_provider(app: &TestApp, b: &reqwest::Client, sub: &str, mfa: bool) -> String {
    through_provider_with(app, b, sub, mfa, |u| u).await
}

/// [`through_provider`] with the authorization request changed on its way to the
/// provider by `rewrite` (an attacker's or a broken proxy's hand).
pub async fn through_provider_with(
    app: &TestApp,
    b: &reqwest::Client,
    sub: &str,
    mfa: bool,
    rewrite: impl FnOnce(String) -> String,
) -> String {
    let start = b
        .get(app.url("/api/v1/auth/oidc/corp/start?return_to=/documents"))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 302, "start: {}", start.text().await.unwrap());
    let to_provider = rewrite(location(&start));
    let at = |loc: String| url::Url::parse(&to_provider).unwrap().join(&loc).unwrap().to_string();
    let auth = b.get(&to_provider).send().await.unwrap();
    let interaction = at(location(&auth));
    let page = b.get(&interaction).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("name=\"login\""), "the provider's login form: {page}");
    let mut form = vec![("login", sub.to_string()), ("password", "anything".to_string())];
    if mfa {
        form.push(("mfa", "1".into()));
    }
    let done = b.post(format!("{interaction}/login")).form(&form).send().await.unwrap();
    assert_eq!(done.status(), 303, "provider login");
    let resume = b.get(at(location(&done))).send().await.unwrap();
    let back = at(location(&resume));
    assert!(back.starts_with(ORIGIN), "back to Svitok: {back}");
    on_app(app, &back)
}
