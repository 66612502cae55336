//! The provider on another site, in real headless Chromium: a person clicks the button on
//! Svitok's login page (`http://127.0.0.1:…`), signs in at the provider
//! (`http://localhost:…`, another site), and lands in the inbox signed in — although the
//! strict session cookie stays behind on a navigation the provider's site began.

use crate::helpers::Backend;
use crate::oidc_kit::{start_provider_for, CLIENT_ID, CLIENT_SECRET};
use fantoccini::{ClientBuilder, Locator};
use serde_json::json;

#[tokio::test]
async fn chromium_signs_in_through_a_provider_on_another_site() {
    let Some(driver) = super::ui::chromedriver().await else {
        return;
    };
    let port = crate::helpers::free_port();
    let origin = format!("http://127.0.0.1:{port}");
    let accounts = json!({ "anna": { "email": "anna@example.ru", "email_verified": true,
                                     "family_name": "Иванова", "given_name": "Анна" } });
    let Some(op) = start_provider_for(&origin, accounts, 3600).await else {
        return;
    };
    let issuer = op.issuer.clone();
    let public = origin.clone();
    let app = crate::helpers::spawn_app_with(Backend::Sqlite, move |c| {
        c.listen = format!("127.0.0.1:{port}");
        c.public_url = Some(public);
        c.oidc_providers = "corp".into();
        c.oidc.insert(
            "corp".into(),
            svitok::config::RawOidc {
                issuer: Some(issuer),
                client_id: Some(CLIENT_ID.into()),
                client_secret: Some(CLIENT_SECRET.into()),
                label: Some("Войти через корпоративный вход".into()),
                second_factor: Some("never".into()),
                auto_provision: Some("true".into()),
                ..Default::default()
            },
        );
    })
    .await;
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--no-first-run", "--window-size=1200,900", "--lang=ru-RU"]}),
    );
    let c = ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("chromedriver answers");
    let run = async {
        c.goto(&app.url("/login")).await?;
        c.find(Locator::LinkText("Войти через корпоративный вход"))
            .await?
            .click()
            .await?;
        c.wait().for_element(Locator::Css("input[name=login]")).await?;
        assert!(
            c.current_url().await?.as_str().starts_with(&op.issuer),
            "at the provider"
        );
        c.find(Locator::Css("input[name=login]"))
            .await?
            .send_keys("anna")
            .await?;
        c.find(Locator::Css("input[name=password]"))
            .await?
            .send_keys("any password")
            .await?;
        c.find(Locator::Css("button[type=submit]")).await?.click().await?;
        // Back at Svitok, signed in, in the inbox.
        for _ in 0..100 {
            let url = c.current_url().await?;
            if url.as_str().starts_with(&app.base) && url.path() == "/inbox" && c.source().await?.contains("Иванова")
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let url = c.current_url().await?;
        let html = c.source().await?;
        assert_eq!(url.path(), "/inbox", "landed at {url}: {html}");
        assert!(
            html.contains("Иванова Анна") || html.contains("Иванова"),
            "signed in: {html}"
        );
        Ok::<(), fantoccini::error::CmdError>(())
    };
    let outcome = run.await;
    let _ = c.close().await;
    outcome.expect("the browser's steps");
}
