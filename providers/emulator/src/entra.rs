//! A minimal Entra ID, enough for real credential code to run end to end:
//! - `POST /{tenant}/oauth2/v2.0/token`: the client-credentials grant with a client secret
//!   or a federated client assertion, answering as Entra does (token JSON, or AADSTS errors);
//! - `GET /_oidc/github`: a stand-in for GitHub Actions' ID-token endpoint
//!   (ACTIONS_ID_TOKEN_REQUEST_URL);
//! - `POST /_oidc/pipelines`: a stand-in for Azure Pipelines' OIDC endpoint
//!   (SYSTEM_OIDCREQUESTURI).
//!
//! Rules, so that tests can provoke Entra's common refusals: every application whose id is
//! GUID-shaped is registered and trusts any secret and any assertion for the exchange
//! audience; other ids get AADSTS700016. Assertions must be JWT-shaped, unexpired and for
//! `api://AzureADTokenExchange`. Issued tokens are unsigned JWTs whose claims say who was
//! authenticated and how (`appidacr` 1 = secret, 2 = assertion; `sub` from the assertion).
//! Azure SDKs require an `https` authority: serve this behind TLS for them.

use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::app::App;
use crate::util::{base64url, now_rfc3339, now_secs};

const EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";
const LIFETIME_SECS: u64 = 3599;

/// `Some` when the request is for Entra or one of the OIDC issuers.
pub(crate) fn handle(
    app: &App,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Option<Response> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("POST", [tenant, "oauth2", "v2.0", "token"]) => Some(token(app, tenant, body)),
        ("GET", ["_oidc", "github"]) => Some(github_id_token(query, headers)),
        ("POST", ["_oidc", "pipelines"]) => Some(pipelines_id_token(query, headers)),
        _ => None,
    }
}

fn token(app: &App, tenant: &str, body: &[u8]) -> Response {
    let body = String::from_utf8_lossy(body);
    let form = |k: &str| form_value(&body, k).filter(|v| !v.is_empty());
    let fail =
        |status, error, code, message: String| entra_error(app, status, error, code, message);
    if !tenant
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        return fail(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900023,
            format!(
                "Specified tenant identifier '{tenant}' is neither a valid DNS name, nor a valid external domain."
            ),
        );
    }
    if form("grant_type").as_deref() != Some("client_credentials") {
        return fail(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.".into(),
        );
    }
    let Some(client_id) = form("client_id") else {
        return fail(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.".into(),
        );
    };
    let Some(scope) = form("scope").filter(|s| s.ends_with("/.default")) else {
        return fail(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            1002012,
            "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).".into(),
        );
    };
    if !is_guid(&client_id) {
        return fail(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."
            ),
        );
    }
    let (acr, subject) = match (form("client_secret"), form("client_assertion")) {
        (Some(_), _) => ("1", client_id.clone()),
        (None, Some(assertion)) => {
            if form("client_assertion_type").as_deref() != Some(ASSERTION_TYPE) {
                return fail(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    50027,
                    "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.".into(),
                );
            }
            match check_assertion(&assertion) {
                Ok(sub) => ("2", sub),
                Err((code, message)) => {
                    return fail(StatusCode::BAD_REQUEST, "invalid_client", code, message);
                }
            }
        }
        (None, None) => {
            return fail(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.".into(),
            );
        }
    };
    let now = now_secs();
    let claims = json!({
        "aud": scope.trim_end_matches("/.default"),
        "iss": format!("https://sts.windows.net/{tenant}/"),
        "tid": tenant,
        "appid": client_id,
        "appidacr": acr,
        "sub": subject,
        "idtyp": "app",
        "iat": now,
        "nbf": now,
        "exp": now + LIFETIME_SECS,
    });
    axum::Json(json!({
        "token_type": "Bearer",
        "expires_in": LIFETIME_SECS,
        "ext_expires_in": LIFETIME_SECS,
        "access_token": unsigned_jwt(&claims),
    }))
    .into_response()
}

/// The subject of a federated assertion Entra would accept, or its AADSTS refusal.
fn check_assertion(assertion: &str) -> Result<String, (u32, String)> {
    let malformed = || (50027, "JWT token is invalid or is malformed.".to_string());
    let payload = assertion.split('.').nth(1).ok_or_else(malformed)?;
    let claims: Value = base64url_decode(payload)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(malformed)?;
    let aud = match &claims["aud"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    };
    if !aud.iter().any(|a| a == EXCHANGE_AUDIENCE) {
        return Err((
            700212,
            format!(
                "No matching federated identity record found for presented assertion audience '{}'.",
                aud.join(",")
            ),
        ));
    }
    if claims["exp"].as_u64().is_none_or(|exp| exp <= now_secs()) {
        return Err((
            700024,
            "Client assertion is not within its valid time range.".to_string(),
        ));
    }
    claims["sub"].as_str().map(String::from).ok_or((
        70021,
        "No matching federated identity record found for presented assertion.".to_string(),
    ))
}

fn github_id_token(query: &str, headers: &HeaderMap) -> Response {
    if !has_bearer(headers) {
        return (StatusCode::UNAUTHORIZED, "missing bearer token").into_response();
    }
    // Without an audience GitHub uses the repository owner's URL, which Entra refuses.
    let aud = form_value(query, "audience").unwrap_or_else(|| "https://github.com/contoso".into());
    let now = now_secs();
    let claims = json!({
        "iss": GITHUB_ISSUER,
        "aud": aud,
        "sub": "repo:contoso/platform:environment:prod",
        "iat": now,
        "exp": now + 300,
    });
    axum::Json(json!({"count": 1, "value": unsigned_jwt(&claims)})).into_response()
}

fn pipelines_id_token(query: &str, headers: &HeaderMap) -> Response {
    if !has_bearer(headers) {
        return (StatusCode::UNAUTHORIZED, "missing bearer token").into_response();
    }
    let Some(connection) = form_value(query, "serviceConnectionId") else {
        return (StatusCode::BAD_REQUEST, "serviceConnectionId is required").into_response();
    };
    let now = now_secs();
    let claims = json!({
        "iss": "https://vstoken.dev.azure.com/00000000-0000-0000-0000-000000000000",
        "aud": EXCHANGE_AUDIENCE,
        "sub": format!("sc://contoso/platform/{connection}"),
        "iat": now,
        "exp": now + 300,
    });
    axum::Json(json!({"oidcToken": unsigned_jwt(&claims)})).into_response()
}

fn has_bearer(headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "))
}

fn entra_error(app: &App, status: StatusCode, error: &str, code: u32, message: String) -> Response {
    let (trace, correlation) = {
        let mut rng = app.rng.lock().unwrap_or_else(|e| e.into_inner());
        (rng.guid(), rng.guid())
    };
    let timestamp = now_rfc3339();
    let description = format!(
        "AADSTS{code}: {message} Trace ID: {trace} Correlation ID: {correlation} Timestamp: {timestamp}"
    );
    let body = json!({
        "error": error,
        "error_description": description,
        "error_codes": [code],
        "timestamp": timestamp,
        "trace_id": trace,
        "correlation_id": correlation,
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    (status, axum::Json(body)).into_response()
}

fn unsigned_jwt(claims: &Value) -> String {
    let header = base64url(br#"{"alg":"none","typ":"JWT"}"#);
    format!(
        "{header}.{}.{}",
        base64url(claims.to_string().as_bytes()),
        base64url(b"emulator")
    )
}

fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// A value of an `application/x-www-form-urlencoded` body or a query string.
fn form_value(form: &str, name: &str) -> Option<String> {
    form.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(k) == name).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for c in s.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips() {
        for data in [&b""[..], b"a", b"ab", b"abc", b"{\"sub\":\"x\"}"] {
            assert_eq!(base64url_decode(&base64url(data)).unwrap(), data);
        }
    }

    #[test]
    fn form_values_are_percent_decoded_to_the_end() {
        let body = "client_secret=a%2Bb%3D&scope=https%3A%2F%2Fx%2F.default";
        assert_eq!(form_value(body, "client_secret").unwrap(), "a+b=");
        assert_eq!(form_value(body, "scope").unwrap(), "https://x/.default");
    }

    #[test]
    fn assertions_are_checked_like_entra() {
        let jwt = |claims: Value| unsigned_jwt(&claims);
        let later = now_secs() + 60;
        let ok = jwt(json!({"aud": EXCHANGE_AUDIENCE, "sub": "s", "exp": later}));
        assert_eq!(check_assertion(&ok).unwrap(), "s");
        let wrong_aud = jwt(json!({"aud": "https://github.com/x", "sub": "s", "exp": later}));
        assert_eq!(check_assertion(&wrong_aud).unwrap_err().0, 700212);
        let expired = jwt(json!({"aud": EXCHANGE_AUDIENCE, "sub": "s", "exp": 1}));
        assert_eq!(check_assertion(&expired).unwrap_err().0, 700024);
        assert_eq!(check_assertion("not a jwt").unwrap_err().0, 50027);
    }
}
