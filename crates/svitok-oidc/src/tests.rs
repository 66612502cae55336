//! The ID token's checks that a compliant provider never lets a test reach end to end:
//! a token for another audience, a wrong nonce, another issuer, a stranger's signature,
//! an `azp` naming another client — each refused by [`verify`]. Tokens are signed here
//! with a test key (testdata/test-signing-key.pem, made for these tests only).

use super::*;
use openidconnect::core::{CoreJsonWebKeySet, CoreRsaPrivateSigningKey, CoreSubjectIdentifierType};
use openidconnect::{
    Audience, AuthUrl, EmptyAdditionalProviderMetadata, IdTokenClaims, JsonWebKeyId, JsonWebKeySetUrl,
    LogoutProviderMetadata, PrivateSigningKey, ResponseTypes, StandardClaims,
};

const ISSUER: &str = "https://sso.test";
const CLIENT: &str = "svitok";
const KEY: &str = include_str!("testdata/test-signing-key.pem");
const NOW_MS: i64 = 1_796_000_000_000;

fn key(kid: &str) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(KEY, Some(JsonWebKeyId::new(kid.into()))).unwrap()
}

fn client() -> OidcClient {
    let md = Metadata::new(
        IssuerUrl::new(ISSUER.into()).unwrap(),
        AuthUrl::new(format!("{ISSUER}/auth")).unwrap(),
        JsonWebKeySetUrl::new(format!("{ISSUER}/jwks")).unwrap(),
        vec![ResponseTypes::new(vec![CoreResponseType::Code])],
        vec![CoreSubjectIdentifierType::Public],
        vec![CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256],
        LogoutProviderMetadata {
            end_session_endpoint: None,
            additional_metadata: EmptyAdditionalProviderMetadata {},
        },
    )
    .set_jwks(CoreJsonWebKeySet::new(vec![key("k1").as_verification_key()]));
    OidcClient::from_provider_metadata(md, ClientId::new(CLIENT.into()), Some(ClientSecret::new("s".into())))
        .set_redirect_uri(RedirectUrl::new("https://edo.test/cb".into()).unwrap())
}

struct Token {
    issuer: &'static str,
    audiences: Vec<&'static str>,
    azp: Option<&'static str>,
    nonce: &'static str,
    kid: &'static str,
    expires_in_s: i64,
}

impl Default for Token {
    fn default() -> Self {
        Token {
            issuer: ISSUER,
            audiences: vec![CLIENT],
            azp: None,
            nonce: "the-nonce",
            kid: "k1",
            expires_in_s: 300,
        }
    }
}

fn signed(t: Token) -> OidcIdToken {
    let now = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(NOW_MS).unwrap();
    let claims = IdTokenClaims::new(
        IssuerUrl::new(t.issuer.into()).unwrap(),
        t.audiences.iter().map(|a| Audience::new(a.to_string())).collect(),
        now + chrono::Duration::seconds(t.expires_in_s),
        now,
        StandardClaims::new(SubjectIdentifier::new("anna".into())),
        Extra { rest: HashMap::new() },
    )
    .set_nonce(Some(Nonce::new(t.nonce.into())))
    .set_authorized_party(t.azp.map(|a| ClientId::new(a.into())));
    OidcIdToken::new(
        claims,
        &key(t.kid),
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        None,
        None,
    )
    .unwrap()
}

fn check(t: Token) -> Result<Vouched, ClaimsVerificationError> {
    verify(&client(), &signed(t), &Nonce::new("the-nonce".into()), NOW_MS, None)
}

#[test]
fn a_good_token_is_vouched_for() {
    let v = check(Token::default()).unwrap();
    assert_eq!((v.issuer.as_str(), v.subject.as_str()), (ISSUER, "anna"));
}

#[test]
fn another_audience_a_wrong_nonce_and_another_issuer_are_refused() {
    let refused = |t: Token, what: &str| {
        let e = check(t).map(|_| ()).expect_err(what);
        assert!(format!("{e:?}").contains(what), "{what}: {e:?}");
    };
    refused(
        Token {
            audiences: vec!["another-client"],
            ..Token::default()
        },
        "InvalidAudience",
    );
    refused(
        Token {
            nonce: "someone-elses-nonce",
            ..Token::default()
        },
        "InvalidNonce",
    );
    refused(
        Token {
            issuer: "https://evil.test",
            ..Token::default()
        },
        "InvalidIssuer",
    );
    refused(
        Token {
            expires_in_s: -60,
            ..Token::default()
        },
        "Expired",
    );
    // Several audiences: refused whatever azp says — Svitok trusts no audience but itself,
    // so a token meant also for another client is not one for us.
    refused(
        Token {
            audiences: vec![CLIENT, "another-client"],
            ..Token::default()
        },
        "InvalidAudience",
    );
    refused(
        Token {
            audiences: vec![CLIENT, "another-client"],
            azp: Some(CLIENT),
            ..Token::default()
        },
        "InvalidAudience",
    );
    // One audience, us, but authorised for another party: refused.
    refused(
        Token {
            azp: Some("another-client"),
            ..Token::default()
        },
        "InvalidAudience",
    );
}

#[test]
fn a_key_the_provider_does_not_publish_is_no_key_at_all() {
    // Same key material under another kid: the verifier finds no such key (the provider
    // would then be asked for its keys again, once).
    let e = check(Token {
        kid: "rotated",
        ..Token::default()
    })
    .map(|_| ())
    .unwrap_err();
    assert!(
        matches!(
            e,
            ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)
        ),
        "{e:?}"
    );
}

#[test]
fn a_token_whose_signature_does_not_hold_is_refused() {
    use std::str::FromStr;
    let good = signed(Token::default()).to_string();
    // The same header and claims, another signature.
    let (head, sig) = good.rsplit_once('.').unwrap();
    let flipped: String = sig
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i == 10 {
                if c == 'A' {
                    'B'
                } else {
                    'A'
                }
            } else {
                c
            }
        })
        .collect();
    let forged = OidcIdToken::from_str(&format!("{head}.{flipped}")).unwrap();
    let e = verify(&client(), &forged, &Nonce::new("the-nonce".into()), NOW_MS, None)
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(e, ClaimsVerificationError::SignatureVerification(_)), "{e:?}");
}
