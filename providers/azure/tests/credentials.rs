//! The credential chain against a real token endpoint over HTTPS: the emulator's Entra,
//! behind a TLS front with a test certificate (azure_identity refuses a plain-http
//! authority, as it should). Nothing of our own code is mocked.

use std::sync::Arc;
use std::time::Duration;

use infra_emulator::{Config, Emulator};
use infra_provider_azure::arm::auth::{Credential, TokenSource, TokenSourceOptions};
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Self-signed for 127.0.0.1 and localhost, valid until 2126; trusted only by these tests.
const TEST_CERT: &str = "-----BEGIN CERTIFICATE-----
MIIB2jCCAX+gAwIBAgIUZQ/2dlgDZCrqnaqmQ0OzkoOA/dgwCgYIKoZIzj0EAwIw
ITEfMB0GA1UEAwwWaW5mcmEgY3JlZGVudGlhbHMgdGVzdDAgFw0yNjExMjQyMDQ4
MjBaGA8yMTI2MTAzMTIwNDgyMFowITEfMB0GA1UEAwwWaW5mcmEgY3JlZGVudGlh
bHMgdGVzdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNFAUfjcweEo3Mx8oeBg
LCdOZYrwC9zEzkeLdSaJtIjqOu46hJeBs9ISVFdv9OAFTREao27czBFfTPF8QqOE
kCGjgZIwgY8wHQYDVR0OBBYEFAIWMr6C+YugZQ2dK693520tcZ0qMB8GA1UdIwQY
MBaAFAIWMr6C+YugZQ2dK693520tcZ0qMBoGA1UdEQQTMBGHBH8AAAGCCWxvY2Fs
aG9zdDAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIHgDATBgNVHSUEDDAKBggr
BgEFBQcDATAKBggqhkjOPQQDAgNJADBGAiEA9V/Ohl0jZo2xpc0WSHMQEKCtQ9nl
UL/TjvKR5v3sTl4CIQD0GqM9qyisI4coPS9UlBH0dG3jPz963P+kVPKoGElDVg==
-----END CERTIFICATE-----
";
const TEST_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg/cieCUrAaB8zBzre
fLLLHZLl/hRnSRN3QHmwpO8AFuqhRANCAATRQFH43MHhKNzMfKHgYCwnTmWK8Avc
xM5Hi3UmibSI6jruOoSXgbPSElRXb/TgBU0RGqNu3MwRX0zxfEKjhJAh
-----END PRIVATE KEY-----
";

const TENANT: &str = "11111111-1111-1111-1111-111111111111";
const APP: &str = "22222222-2222-2222-2222-222222222222";
const ARM: &str = "https://management.azure.com/.default";
const STORAGE: &str = "https://storage.azure.com/.default";
const SECRET: &str = "Qx8~client-secret-that-must-never-leak";
const REQUEST_TOKEN: &str = "gh-request-token-that-must-never-leak";

struct Entra {
    emulator: Emulator,
    https: String,
}

/// The emulator plus a TLS front forwarding bytes to it.
async fn entra() -> Entra {
    let emulator = infra_emulator::start(Config::default()).await.unwrap();
    let certs = vec![CertificateDer::from_pem_slice(TEST_CERT.as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(TEST_KEY.as_bytes()).unwrap();
    let tls = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(tls));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let https = format!("https://{}", listener.local_addr().unwrap());
    let backend = emulator.addr();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let (Ok(mut front), Ok(mut back)) = (
                    acceptor.accept(stream).await,
                    TcpStream::connect(backend).await,
                ) else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut front, &mut back).await;
            });
        }
    });
    Entra { emulator, https }
}

fn trusting_client() -> reqwest::Client {
    let cert = reqwest::Certificate::from_pem(TEST_CERT.as_bytes()).unwrap();
    infra_provider_azure::arm::install_crypto_provider();
    reqwest::Client::builder()
        .tls_certs_only([cert])
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

fn source(authority: &str, chain: Vec<Credential>) -> TokenSource {
    let options = TokenSourceOptions {
        authority_host: Some(authority.to_string()),
        http_client: Some(trusting_client()),
    };
    TokenSource::with_options(chain, options).unwrap()
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT-shaped token");
    let bytes = base64url_decode(payload);
    serde_json::from_slice(&bytes).unwrap()
}

fn base64url_encode(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn base64url_decode(s: &str) -> Vec<u8> {
    let (mut bits, mut n, mut out) = (0u32, 0, Vec::new());
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            _ => 63,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

fn token_posts(entra: &Entra) -> u64 {
    entra
        .emulator
        .stats()
        .requests_by_method
        .get("POST")
        .copied()
        .unwrap_or(0)
}

/// A port nothing listens on: bound, then released.
async fn refused_authority() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("https://{addr}")
}

#[tokio::test]
async fn a_client_secret_gets_a_token_per_scope_and_reuses_it() {
    let entra = entra().await;
    let tokens = source(
        &entra.https,
        vec![Credential::ClientSecret {
            tenant: TENANT.into(),
            client_id: APP.into(),
            secret: SECRET.into(),
        }],
    );
    let arm = tokens.token(ARM).await.unwrap();
    let c = claims(&arm);
    assert_eq!(c["aud"], "https://management.azure.com");
    assert_eq!(c["appid"], APP);
    assert_eq!(c["tid"], TENANT);
    assert_eq!(c["appidacr"], "1", "authenticated by secret");

    let posts = token_posts(&entra);
    assert_eq!(tokens.token(ARM).await.unwrap(), arm, "cached token reused");
    assert_eq!(token_posts(&entra), posts, "no second token request");

    let storage = tokens.token(STORAGE).await.unwrap();
    assert_eq!(claims(&storage)["aud"], "https://storage.azure.com");
    assert_eq!(token_posts(&entra), posts + 1);
}

#[tokio::test]
async fn workload_identity_sends_the_projected_token_as_assertion() {
    let entra = entra().await;
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 600;
    let assertion_claims = serde_json::json!({
        "iss": "https://oidc.prod-aks.azure.com/contoso/",
        "aud": ["api://AzureADTokenExchange"],
        "sub": "system:serviceaccount:infra:deployer",
        "exp": exp,
    });
    let assertion = format!(
        "{}.{}.c2ln",
        base64url_encode(br#"{"alg":"RS256"}"#),
        base64url_encode(assertion_claims.to_string().as_bytes())
    );
    let file = std::env::temp_dir().join(format!("infra-wi-token-{}", std::process::id()));
    std::fs::write(&file, format!("{assertion}\n")).unwrap();

    let tokens = source(
        &entra.https,
        vec![Credential::WorkloadIdentity {
            tenant: TENANT.into(),
            client_id: APP.into(),
            token_file: file.clone(),
        }],
    );
    let result = tokens.token(ARM).await;
    let _ = std::fs::remove_file(&file);
    let c = claims(&result.unwrap());
    assert_eq!(c["appidacr"], "2", "authenticated by assertion");
    assert_eq!(c["sub"], "system:serviceaccount:infra:deployer");
}

#[tokio::test]
async fn github_actions_fetches_the_job_token_for_the_exchange_audience() {
    let entra = entra().await;
    let request_url = format!("{}/_oidc/github?api-version=2.0", entra.emulator.base_url());
    let tokens = source(
        &entra.https,
        vec![Credential::GitHubActions {
            tenant: TENANT.into(),
            client_id: APP.into(),
            request_url,
            request_token: REQUEST_TOKEN.into(),
        }],
    );
    // Entra (emulated) refuses any assertion whose audience is not api://AzureADTokenExchange,
    // so a token with GitHub's subject proves both the fetch and the audience.
    let c = claims(&tokens.token(ARM).await.unwrap());
    assert_eq!(c["appidacr"], "2");
    assert_eq!(c["sub"], "repo:contoso/platform:environment:prod");
}

#[tokio::test]
async fn the_chain_moves_past_unavailable_links_and_keeps_the_one_that_worked() {
    let entra = entra().await;
    let tokens = source(
        &entra.https,
        vec![
            Credential::Unavailable {
                name: "workload_identity",
                reason: "AZURE_FEDERATED_TOKEN_FILE not set".into(),
            },
            Credential::ClientSecret {
                tenant: TENANT.into(),
                client_id: APP.into(),
                secret: SECRET.into(),
            },
        ],
    );
    let c = claims(&tokens.token(ARM).await.unwrap());
    assert_eq!(c["appid"], APP);
    let posts = token_posts(&entra);
    tokens.token(STORAGE).await.unwrap();
    assert_eq!(
        token_posts(&entra),
        posts + 1,
        "a new scope goes straight to the link that worked"
    );
}

#[tokio::test]
async fn a_refused_token_endpoint_fails_fast_with_the_next_step() {
    let authority = refused_authority().await;
    let tokens = source(
        &authority,
        vec![Credential::ClientSecret {
            tenant: TENANT.into(),
            client_id: APP.into(),
            secret: SECRET.into(),
        }],
    );
    // azure_core's default retry took 82 s here; the short policy takes about a second.
    // The bound is far above that so a loaded machine cannot make this fail.
    let err = tokio::time::timeout(Duration::from_secs(40), tokens.token(ARM))
        .await
        .expect("a refused endpoint must not be retried for minutes")
        .unwrap_err()
        .to_string();
    assert!(err.contains("client_secret: failed"), "{err}");
    assert!(err.contains("run `az login`"), "{err}");
    assert!(!err.contains(SECRET), "{err}");
}

#[tokio::test]
async fn every_failure_is_listed_and_no_secret_appears() {
    let entra = entra().await;
    let refused = refused_authority().await;
    let tokens = source(
        &entra.https,
        vec![
            Credential::GitHubActions {
                tenant: TENANT.into(),
                client_id: APP.into(),
                request_url: format!(
                    "{}/_oidc/github?t={REQUEST_TOKEN}",
                    refused.replace("https", "http")
                ),
                request_token: REQUEST_TOKEN.into(),
            },
            Credential::ClientSecret {
                tenant: TENANT.into(),
                client_id: "not-a-registered-app".into(),
                secret: SECRET.into(),
            },
        ],
    );
    let err = tokens.token(ARM).await.unwrap_err().to_string();
    assert!(err.contains("github_actions: failed"), "{err}");
    assert!(err.contains("unreachable"), "{err}");
    assert!(
        err.contains("not trying the credentials after github_actions")
            && !err.contains("client_secret: failed"),
        "{err}"
    );
    assert!(!err.contains(SECRET), "{err}");
    assert!(!err.contains(REQUEST_TOKEN), "{err}");
    assert!(err.ends_with("see docs/credentials.md"), "{err}");
}

/// azure_identity reads SYSTEM_OIDCREQUESTURI from the process environment only, so this test
/// sets it, on a single-threaded runtime. No other test here reads that variable.
#[test]
fn azure_pipelines_exchanges_the_service_connection_token() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let entra = entra().await;
        let oidc = format!("{}/_oidc/pipelines", entra.emulator.base_url());
        // SAFETY: this runtime has one thread and nothing else in this test runs; the
        // variable is read by no other test.
        unsafe { std::env::set_var("SYSTEM_OIDCREQUESTURI", &oidc) };
        let tokens = source(
            &entra.https,
            vec![Credential::AzurePipelines {
                tenant: TENANT.into(),
                client_id: APP.into(),
                service_connection_id: "33333333-3333-3333-3333-333333333333".into(),
                system_access_token: REQUEST_TOKEN.into(),
            }],
        );
        let c = claims(&tokens.token(ARM).await.unwrap());
        assert_eq!(c["appidacr"], "2");
        assert_eq!(
            c["sub"],
            "sc://contoso/platform/33333333-3333-3333-3333-333333333333"
        );
    });
}

/// A configured credential that fails stops the chain: the next one would be another identity.
#[tokio::test]
async fn a_configured_credential_that_fails_is_not_replaced_by_the_next_one() {
    let entra = entra().await;
    let tokens = source(
        &entra.https,
        vec![
            Credential::ClientSecret {
                tenant: TENANT.into(),
                client_id: "not-a-registered-app".into(),
                secret: SECRET.into(),
            },
            Credential::ClientSecret {
                tenant: TENANT.into(),
                client_id: APP.into(),
                secret: SECRET.into(),
            },
        ],
    );
    let posts = token_posts(&entra);
    let err = tokens.token(ARM).await.unwrap_err().to_string();
    assert!(err.contains("AADSTS700016"), "{err}");
    assert!(
        err.contains("not trying the credentials after client_secret"),
        "{err}"
    );
    assert!(err.ends_with("see docs/credentials.md"), "{err}");
    assert!(!err.contains(SECRET), "{err}");
    assert_eq!(
        token_posts(&entra),
        posts + 1,
        "the second link was not asked"
    );
}
