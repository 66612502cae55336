//! Svitok's OpenID Connect relying party (SPEC §11), over the `openidconnect` crate: the
//! provider's discovery document (fetched on first use and again when its keys lack the
//! token's `kid`), the authorization-code flow with PKCE S256, `state` and `nonce`, the
//! code exchange with the client secret (or none, for a public client), and the ID
//! token's verification — signature against the provider's keys, `iss`, `aud`, `azp`,
//! `exp`, `iat` and `nonce` — by Svitok's clock.
//!
//! The HTTP client follows no redirects (a provider cannot bounce Svitok's requests to an
//! internal address), gives up after timeouts, and trusts an extra CA for an internal
//! provider. What is vouched for goes to the use cases as [`Vouched`]; they decide.

pub mod mail_tokens;

use futures_util::future::BoxFuture;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreResponseType, CoreRevocableToken,
    CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthenticationFlow, AuthorizationCode, ClaimsVerificationError, Client, ClientId, ClientSecret,
    CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, ProviderMetadataWithLogout, RedirectUrl,
    RequestTokenError, Scope, SignatureVerificationError, StandardErrorResponse, StandardTokenResponse,
    SubjectIdentifier, TokenResponse as _,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use svitok_app::identity::{Authorization, IdentityProvider, Policy, Refusal, Vouched};
use tokio::sync::RwLock;

/// How a provider is reached.
#[derive(Clone)]
pub struct ClientConfig {
    pub issuer: String,
    pub client_id: String,
    /// `None`: a public client (PKCE only).
    pub client_secret: Option<String>,
    pub scopes: Vec<String>,
    /// An extra CA (PEM) for an internal provider's TLS certificate.
    pub ca_pem: Option<Vec<u8>>,
}

/// The secret never goes to a log, even through a debug print of the configuration.
impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "…"))
            .field("scopes", &self.scopes)
            .field("ca_pem", &self.ca_pem.as_ref().map(|p| p.len()))
            .finish()
    }
}

/// Claims beyond the standard ones (the group claim is named by configuration).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Extra {
    #[serde(flatten)]
    rest: HashMap<String, serde_json::Value>,
}

impl AdditionalClaims for Extra {}

type Metadata = ProviderMetadataWithLogout;
type Fields = openidconnect::IdTokenFields<
    Extra,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<Fields, CoreTokenType>;
type OidcIdToken = IdToken<Extra, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;
type OidcClient = Client<
    Extra,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// How far in the future an `iat` may lie (clocks differ a little).
const IAT_LEEWAY_S: i64 = 300;

/// One configured provider.
pub struct Provider {
    policy: Policy,
    config: ClientConfig,
    groups_claim: Option<String>,
    http: reqwest::Client,
    metadata: RwLock<Option<Arc<Metadata>>>,
}

impl Provider {
    /// A provider as configured; nothing is fetched until it is first used.
    pub fn new(policy: Policy, config: ClientConfig) -> Result<Provider, String> {
        IssuerUrl::new(config.issuer.clone()).map_err(|e| format!("the issuer is not a URL: {e}"))?;
        let mut http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .user_agent("svitok");
        if let Some(pem) = &config.ca_pem {
            let ca = reqwest::Certificate::from_pem(pem)
                .map_err(|e| format!("the CA file is not a PEM certificate: {e}"))?;
            http = http.add_root_certificate(ca);
        }
        let http = http.build().map_err(|e| format!("no HTTP client: {e}"))?;
        Ok(Provider {
            groups_claim: policy.groups.as_ref().map(|(claim, _)| claim.clone()),
            policy,
            config,
            http,
            metadata: RwLock::new(None),
        })
    }

    /// Fetches the discovery document (and with it the keys) now.
    pub async fn discover(&self) -> Result<(), Refusal> {
        self.refresh().await.map(|_| ())
    }

    async fn refresh(&self) -> Result<Arc<Metadata>, Refusal> {
        let issuer = IssuerUrl::new(self.config.issuer.clone()).map_err(|e| Refusal::down(e.to_string()))?;
        let md = Metadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| Refusal::down(format!("discovery: {}", chain(&e))))?;
        let md = Arc::new(md);
        *self.metadata.write().await = Some(md.clone());
        Ok(md)
    }

    async fn metadata(&self) -> Result<Arc<Metadata>, Refusal> {
        if let Some(md) = self.metadata.read().await.clone() {
            return Ok(md);
        }
        self.refresh().await
    }

    fn client(&self, md: &Metadata, redirect_uri: &str) -> Result<OidcClient, Refusal> {
        let redirect = RedirectUrl::new(redirect_uri.to_string()).map_err(|e| Refusal::refused(e.to_string()))?;
        Ok(OidcClient::from_provider_metadata(
            md.clone(),
            ClientId::new(self.config.client_id.clone()),
            self.config.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    async fn start(&self, redirect_uri: &str) -> Result<Authorization, Refusal> {
        let md = self.metadata().await?;
        let client = self.client(&md, redirect_uri)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in self.config.scopes.iter().filter(|s| s.as_str() != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok(Authorization {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    async fn finish(
        &self,
        redirect_uri: &str,
        code: &str,
        nonce: &str,
        verifier: &str,
        now_ms: i64,
    ) -> Result<Vouched, Refusal> {
        let md = self.metadata().await?;
        let client = self.client(&md, redirect_uri)?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| Refusal::refused(format!("no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_string()))
            .request_async(&self.http)
            .await
            .map_err(|e| match &e {
                RequestTokenError::Request(_) => Refusal::down(format!("token endpoint: {}", chain(&e))),
                _ => Refusal::refused(format!("code exchange: {}", chain(&e))),
            })?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| Refusal::refused("the token response holds no ID token"))?;
        let nonce = Nonce::new(nonce.to_string());
        let mut vouched = match verify(&client, id_token, &nonce, now_ms, self.groups_claim.as_deref()) {
            // The provider rotated its keys: fetch them again, once.
            Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)) => {
                let md = self.refresh().await?;
                let client = self.client(&md, redirect_uri)?;
                verify(&client, id_token, &nonce, now_ms, self.groups_claim.as_deref())
            }
            other => other,
        }
        .map_err(|e| Refusal::refused(format!("ID token: {}", chain(&e))))?;
        if vouched.email.is_none() {
            self.add_user_info(&client, &tokens, &mut vouched).await;
        }
        Ok(vouched)
    }

    /// Some providers put the address only in the userinfo answer; ask it (for the same
    /// subject) when the ID token has none.
    async fn add_user_info(&self, client: &OidcClient, tokens: &Tokens, v: &mut Vouched) {
        let Ok(request) = client.user_info(
            tokens.access_token().clone(),
            Some(SubjectIdentifier::new(v.subject.clone())),
        ) else {
            return;
        };
        let info: Result<openidconnect::UserInfoClaims<Extra, CoreGenderClaim>, _> =
            request.request_async(&self.http).await;
        match info {
            Ok(info) => {
                v.email = info.email().map(|e| e.to_string());
                v.email_verified = info.email_verified().unwrap_or(false);
                if v.groups.is_none() {
                    v.groups = self
                        .groups_claim
                        .as_deref()
                        .and_then(|c| info.additional_claims().rest.get(c))
                        .map(values);
                }
            }
            Err(e) => tracing::warn!(error = %chain(&e), "the provider's userinfo failed"),
        }
    }
}

fn verify(
    client: &OidcClient,
    id_token: &OidcIdToken,
    nonce: &Nonce,
    now_ms: i64,
    groups_claim: Option<&str>,
) -> Result<Vouched, ClaimsVerificationError> {
    let now = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(now_ms).unwrap_or_default();
    let verifier = client
        .id_token_verifier()
        .set_time_fn(move || now)
        .set_issue_time_verifier_fn(move |iat| {
            if iat.timestamp() > now.timestamp() + IAT_LEEWAY_S {
                Err(format!("issued in the future ({iat})"))
            } else {
                Ok(())
            }
        });
    let claims = id_token.claims(&verifier, nonce)?;
    // OIDC Core 3.1.3.7 step 5: an azp, when present, names this client. (openidconnect
    // leaves this step out; extra audiences it already refuses.)
    if let Some(azp) = claims.authorized_party() {
        if azp.as_str() != client.client_id().as_str() {
            return Err(ClaimsVerificationError::InvalidAudience(format!(
                "authorized party {} is not this client",
                azp.as_str()
            )));
        }
    }
    let name = |n: Option<&openidconnect::LocalizedClaim<openidconnect::EndUserFamilyName>>| {
        n.and_then(|n| n.get(None)).map(|n| n.to_string())
    };
    Ok(Vouched {
        issuer: claims.issuer().to_string(),
        subject: claims.subject().to_string(),
        email: claims.email().map(|e| e.to_string()),
        email_verified: claims.email_verified().unwrap_or(false),
        family_name: name(claims.family_name()),
        given_name: claims.given_name().and_then(|n| n.get(None)).map(|n| n.to_string()),
        amr: claims
            .auth_method_refs()
            .map(|v| v.iter().map(|m| m.to_string()).collect())
            .unwrap_or_default(),
        groups: groups_claim
            .and_then(|c| claims.additional_claims().rest.get(c))
            .map(values),
        id_token: id_token.to_string(),
    })
}

/// A group claim's values: a list of strings, or one string.
fn values(v: &serde_json::Value) -> Vec<String> {
    match v {
        serde_json::Value::Array(items) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        serde_json::Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// An error and its causes on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

impl Provider {
    async fn logout_url(&self, id_token: &str, after: &str) -> Option<String> {
        let md = self.metadata().await.ok()?;
        let end = md.additional_metadata().end_session_endpoint.as_ref()?;
        let mut url = end.url().clone();
        url.query_pairs_mut()
            .append_pair("id_token_hint", id_token)
            .append_pair("post_logout_redirect_uri", after)
            .append_pair("client_id", &self.config.client_id);
        Some(url.to_string())
    }
}

impl IdentityProvider for Provider {
    fn policy(&self) -> &Policy {
        &self.policy
    }

    fn authorize<'a>(&'a self, redirect_uri: &'a str) -> BoxFuture<'a, Result<Authorization, Refusal>> {
        Box::pin(self.start(redirect_uri))
    }

    fn redeem<'a>(
        &'a self,
        redirect_uri: &'a str,
        code: &'a str,
        nonce: &'a str,
        pkce_verifier: &'a str,
        now_ms: i64,
    ) -> BoxFuture<'a, Result<Vouched, Refusal>> {
        Box::pin(self.finish(redirect_uri, code, nonce, pkce_verifier, now_ms))
    }

    fn end_session_url<'a>(&'a self, id_token: &'a str, after: &'a str) -> BoxFuture<'a, Option<String>> {
        Box::pin(self.logout_url(id_token, after))
    }
}

#[cfg(test)]
mod tests;
