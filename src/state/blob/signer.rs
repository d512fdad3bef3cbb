//! Shared Key authorization for Azure Blob Storage: the canonical string a request is reduced
//! to, signed with HMAC-SHA256 under the account key. The key itself never leaves this module's
//! inputs; only the signature goes on the wire.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What of a request the signature covers.
pub struct Signable<'a> {
    pub method: &'a str,
    /// The request's headers (names in any case); `x-ms-*`, `content-*`, `if-*`, `range` count.
    pub headers: &'a [(String, String)],
    pub content_length: usize,
    /// The URI path as sent (already percent-encoded), e.g. `/container/blob`.
    pub path: &'a str,
    /// Query parameters, decoded.
    pub query: &'a [(String, String)],
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> &'h str {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// The string to sign (version 2015-02-21 and later: a zero length is an empty field).
pub fn string_to_sign(account: &str, r: &Signable<'_>) -> String {
    let length = if r.content_length == 0 {
        String::new()
    } else {
        r.content_length.to_string()
    };
    let mut s = String::new();
    for part in [
        r.method,
        header(r.headers, "content-encoding"),
        header(r.headers, "content-language"),
        &length,
        header(r.headers, "content-md5"),
        header(r.headers, "content-type"),
        header(r.headers, "date"),
        header(r.headers, "if-modified-since"),
        header(r.headers, "if-match"),
        header(r.headers, "if-none-match"),
        header(r.headers, "if-unmodified-since"),
        header(r.headers, "range"),
    ] {
        s.push_str(part);
        s.push('\n');
    }
    let mut ms: Vec<(String, &str)> = r
        .headers
        .iter()
        .filter(|(k, _)| k.to_ascii_lowercase().starts_with("x-ms-"))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim()))
        .collect();
    ms.sort();
    for (k, v) in ms {
        s.push_str(&format!("{k}:{v}\n"));
    }
    s.push_str(&format!("/{account}{}", r.path));
    let mut query: Vec<(String, &str)> = r
        .query
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str()))
        .collect();
    query.sort();
    for (k, v) in query {
        s.push_str(&format!("\n{k}:{v}"));
    }
    s
}

/// `SharedKey account:signature` for the `Authorization` header.
pub fn authorization(account: &str, key: &[u8], r: &Signable<'_>) -> String {
    let text = string_to_sign(account, r);
    // HMAC accepts keys of any length, so this cannot fail.
    let signature = match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(text.as_bytes());
            STANDARD.encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    };
    format!("SharedKey {account}:{signature}")
}

/// `Tue, 24 Nov 2026 20:46:01 GMT` (RFC 1123) for `x-ms-date`, without a date crate.
pub fn http_date(secs: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    // Reuses the civil-date arithmetic of the lock timestamps: `YYYY-MM-DDTHH:MM:SSZ`.
    let iso = crate::state::lock::format_utc(secs);
    let (date, time) = iso.split_once('T').unwrap_or((&iso, "00:00:00Z"));
    let mut parts = date.split('-');
    let year = parts.next().unwrap_or("1970");
    let month: usize = parts.next().and_then(|m| m.parse().ok()).unwrap_or(1);
    let day = parts.next().unwrap_or("01");
    let weekday = DAYS[((secs / 86_400) % 7) as usize];
    let month = MONTHS[(month.clamp(1, 12)) - 1];
    format!(
        "{weekday}, {day} {month} {year} {} GMT",
        time.trim_end_matches('Z')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of Microsoft's "Authorize with Shared Key" page (Get Container Metadata,
    /// version 2015-02-21): our canonical string must be exactly the documented one.
    #[test]
    fn canonical_string_matches_the_documented_example() {
        let headers = vec![
            ("x-ms-version".to_string(), "2015-02-21".to_string()),
            (
                "x-ms-date".to_string(),
                "Fri, 26 Jun 2015 23:39:12 GMT".to_string(),
            ),
        ];
        let query = vec![
            ("restype".to_string(), "container".to_string()),
            ("comp".to_string(), "metadata".to_string()),
            ("timeout".to_string(), "20".to_string()),
        ];
        let r = Signable {
            method: "GET",
            headers: &headers,
            content_length: 0,
            path: "/mycontainer",
            query: &query,
        };
        assert_eq!(
            string_to_sign("myaccount", &r),
            "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Fri, 26 Jun 2015 23:39:12 GMT\n\
             x-ms-version:2015-02-21\n/myaccount/mycontainer\ncomp:metadata\n\
             restype:container\ntimeout:20"
        );
    }

    /// Signature of that string under the storage emulator's published development key,
    /// computed independently with `openssl dgst -sha256 -mac HMAC` and base64.
    #[test]
    fn signature_matches_an_independent_hmac() {
        let key = STANDARD
            .decode(super::super::endpoint::DEV_ACCOUNT_KEY)
            .unwrap();
        let headers = vec![
            ("x-ms-version".to_string(), "2015-02-21".to_string()),
            (
                "x-ms-date".to_string(),
                "Fri, 26 Jun 2015 23:39:12 GMT".to_string(),
            ),
        ];
        let query = vec![
            ("restype".to_string(), "container".to_string()),
            ("comp".to_string(), "metadata".to_string()),
            ("timeout".to_string(), "20".to_string()),
        ];
        let r = Signable {
            method: "GET",
            headers: &headers,
            content_length: 0,
            path: "/mycontainer",
            query: &query,
        };
        assert_eq!(
            authorization("myaccount", &key, &r),
            format!("SharedKey myaccount:{}", EXPECTED_SIGNATURE)
        );
    }

    const EXPECTED_SIGNATURE: &str = "1u9lui2jDxj0+fpbHjQ5m5NnastJRSYM+PSmfi8TXx4=";

    #[test]
    fn content_headers_and_length_are_signed_in_place() {
        let headers = vec![
            ("Content-Type".to_string(), "application/json".to_string()),
            ("If-Match".to_string(), "\"0x8D\"".to_string()),
            ("x-ms-blob-type".to_string(), "BlockBlob".to_string()),
        ];
        let r = Signable {
            method: "PUT",
            headers: &headers,
            content_length: 42,
            path: "/acct/state/prod.json",
            query: &[],
        };
        assert_eq!(
            string_to_sign("acct", &r),
            "PUT\n\n\n42\n\napplication/json\n\n\n\"0x8D\"\n\n\n\n\
             x-ms-blob-type:BlockBlob\n/acct/acct/state/prod.json"
        );
    }

    #[test]
    fn http_dates() {
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(1_435_361_952), "Fri, 26 Jun 2015 23:39:12 GMT");
    }
}
