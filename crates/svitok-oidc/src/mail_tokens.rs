//! Access tokens for the mail relay's XOAUTH2 (Gmail / Google Workspace without app
//! passwords, SPEC §11): exchanged for the configured refresh token at the provider's
//! token endpoint (RFC 6749 §6), kept until a minute before they expire, renewed early
//! when the relay refuses one. Tokens never go to a log.

use oauth2::basic::BasicClient;
use oauth2::{ClientId, ClientSecret, RefreshToken, TokenResponse, TokenUrl};
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// How a refresh token is turned into access tokens.
#[derive(Clone)]
pub struct RefreshConfig {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
}

impl std::fmt::Debug for RefreshConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshConfig")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

pub struct RefreshingTokens {
    config: RefreshConfig,
    token_url: TokenUrl,
    http: reqwest::Client,
    held: Mutex<Option<(String, Instant)>>,
}

/// Renew this long before the token's own end.
const EARLY: Duration = Duration::from_secs(60);

impl RefreshingTokens {
    pub fn new(config: RefreshConfig) -> Result<RefreshingTokens, String> {
        let token_url = TokenUrl::new(config.token_url.clone()).map_err(|e| format!("the token URL: {e}"))?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .user_agent("svitok")
            .build()
            .map_err(|e| format!("no HTTP client: {e}"))?;
        Ok(RefreshingTokens {
            config,
            token_url,
            http,
            held: Mutex::new(None),
        })
    }

    async fn get(&self, renew: bool) -> Result<String, String> {
        let mut held = self.held.lock().await;
        if let Some((token, until)) = held.as_ref() {
            if !renew && Instant::now() + EARLY < *until {
                return Ok(token.clone());
            }
        }
        let client = BasicClient::new(ClientId::new(self.config.client_id.clone()))
            .set_client_secret(ClientSecret::new(self.config.client_secret.clone()))
            .set_token_uri(self.token_url.clone());
        let answer = client
            .exchange_refresh_token(&RefreshToken::new(self.config.refresh_token.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| format!("the token endpoint refused or failed: {e}"))?;
        let lifetime = answer.expires_in().unwrap_or(Duration::from_secs(3600));
        let token = answer.access_token().secret().clone();
        *held = Some((token.clone(), Instant::now() + lifetime));
        tracing::info!(valid_for_s = lifetime.as_secs(), "new access token for the mail relay");
        Ok(token)
    }
}

impl svitok_mail::AccessTokens for RefreshingTokens {
    fn access_token(&self, renew: bool) -> Pin<Box<dyn Future<Output = Result<String, String>> + Send + '_>> {
        Box::pin(self.get(renew))
    }
}
