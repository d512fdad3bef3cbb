//! Whether a stored SCRAM-SHA-256 verifier (`pg_authid.rolpassword`) was made from a password:
//! the verifier holds its salt and iteration count, so the keys can be derived again and
//! compared, without the server ever seeing the password (RFC 5802/7677, as PostgreSQL stores
//! it: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, base64).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// Iteration counts above this are not derived (a hostile catalog could ask for billions).
const MAX_ITERATIONS: u32 = 1_000_000;

/// What a stored verifier says about a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Matches,
    Differs,
    /// No password, an MD5 hash, or a verifier that cannot be read: nothing is concluded.
    Unknown,
}

fn hmac(key: &[u8], data: &[u8]) -> Option<[u8; 32]> {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(key).ok()?;
    m.update(data);
    Some(m.finalize().into_bytes().into())
}

/// PostgreSQL normalises with SASLprep when it can, else uses the bytes as they are.
fn normalize(password: &str) -> Vec<u8> {
    match stringprep::saslprep(password) {
        Ok(p) => p.into_owned().into_bytes(),
        Err(_) => password.as_bytes().to_vec(),
    }
}

/// PBKDF2-HMAC-SHA256 with one block: SCRAM's `Hi`.
fn salted(password: &[u8], salt: &[u8], iterations: u32) -> Option<[u8; 32]> {
    let mut block = salt.to_vec();
    block.extend_from_slice(&[0, 0, 0, 1]);
    let mut prev = hmac(password, &block)?;
    let mut out = prev;
    for _ in 1..iterations {
        prev = hmac(password, &prev)?;
        for (o, p) in out.iter_mut().zip(prev.iter()) {
            *o ^= p;
        }
    }
    Some(out)
}

pub fn check(verifier: &str, password: &str) -> Verdict {
    check_inner(verifier, password).unwrap_or(Verdict::Unknown)
}

fn check_inner(verifier: &str, password: &str) -> Option<Verdict> {
    let rest = verifier.strip_prefix("SCRAM-SHA-256$")?;
    let (params, keys) = rest.split_once('$')?;
    let (iterations, salt) = params.split_once(':')?;
    let (stored_key, server_key) = keys.split_once(':')?;
    let iterations: u32 = iterations
        .parse()
        .ok()
        .filter(|i| (1..=MAX_ITERATIONS).contains(i))?;
    let salt = STANDARD.decode(salt).ok()?;
    let stored_key = STANDARD.decode(stored_key).ok()?;
    let server_key = STANDARD.decode(server_key).ok()?;
    let salted = salted(&normalize(password), &salt, iterations)?;
    let client_key = hmac(&salted, b"Client Key")?;
    let stored: [u8; 32] = Sha256::digest(client_key).into();
    let server = hmac(&salted, b"Server Key")?;
    Some(
        if stored[..] == stored_key[..] && server[..] == server_key[..] {
            Verdict::Matches
        } else {
            Verdict::Differs
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verifier_made_from_the_password_matches_and_another_does_not() {
        let v = postgres_protocol::password::scram_sha_256(b"s3cret \xc3\xa9");
        assert_eq!(check(&v, "s3cret é"), Verdict::Matches);
        assert_eq!(check(&v, "s3cret e"), Verdict::Differs);
        let other = postgres_protocol::password::scram_sha_256(b"s3cret \xc3\xa9");
        assert_ne!(v, other, "fresh salt each time");
        assert_eq!(check(&other, "s3cret é"), Verdict::Matches);
    }

    #[test]
    fn md5_hashes_garbage_and_absurd_iteration_counts_conclude_nothing() {
        assert_eq!(check("md5abcdef", "x"), Verdict::Unknown);
        assert_eq!(check("SCRAM-SHA-256$x:y$z", "x"), Verdict::Unknown);
        assert_eq!(
            check("SCRAM-SHA-256$4000000000:AAAA$AAAA:AAAA", "x"),
            Verdict::Unknown
        );
        assert_eq!(check("", "x"), Verdict::Unknown);
    }
}
