//! Hashes: `sha256` for checksums and `unique_string` for short, stable, globally unique
//! name suffixes (the role of Bicep's `uniqueString`).

use infra_provider_core::{Type, Value};
use sha2::{Digest, Sha256};

use crate::CallError;
use crate::builtin::{Args, Def};
use crate::codec;

/// RFC 4648 base32 in lower case: every character is valid in any Azure resource name.
const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
/// 13 characters of 5 bits: 65 bits of the digest, as long as Bicep's `uniqueString`.
const UNIQUE_LEN: usize = 13;

pub(crate) fn defs() -> Vec<Def> {
    vec![
        Def::new("sha256", vec![("s", Type::String)], Type::String, sha256)
            .doc("The SHA-256 digest of the UTF-8 bytes of `s`, as 64 lowercase hex digits.")
            .example(
                r#"sha256("abc")"#,
                r#""ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad""#,
            ),
        Def::new(
            "unique_string",
            vec![("first", Type::String)],
            Type::String,
            unique_string,
        )
        .variadic(Type::String)
        .doc(
            "A stable 13-character string of lowercase letters and digits 2-7, derived from \
                 a SHA-256 of the arguments (each prefixed with its length, so that `(\"ab\", \
                 \"c\")` and `(\"a\", \"bc\")` differ). The same arguments always give the same \
                 string, so it suits globally unique names: \
                 `\"st${unique_string(project, environment)}\"`.",
        )
        .example(r#"unique_string("shop", "prod")"#, r#""26amdtvmutvf2""#),
    ]
}

fn sha256(a: &Args) -> Result<Value, CallError> {
    Ok(Value::String(codec::hex(&Sha256::digest(
        a.string(0)?.as_bytes(),
    ))))
}

fn unique_string(a: &Args) -> Result<Value, CallError> {
    let mut hasher = Sha256::new();
    for i in 0..a.len() {
        let s = a.string(i)?;
        hasher.update((s.len() as u64).to_be_bytes());
        hasher.update(s.as_bytes());
    }
    let digest = hasher.finalize();
    let mut head = [0u8; 16];
    for (slot, byte) in head.iter_mut().zip(digest.iter()) {
        *slot = *byte;
    }
    let bits = u128::from_be_bytes(head);
    let out: String = (0..UNIQUE_LEN)
        .map(|i| {
            let index = (bits >> (123 - 5 * i)) & 31;
            char::from(BASE32[index as usize])
        })
        .collect();
    Ok(Value::String(out))
}

#[cfg(test)]
mod tests {
    use crate::testutil::{check, err, ok};

    #[test]
    fn sha256_known_vectors() {
        check(
            r#"sha256("")"#,
            r#""e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855""#,
        );
        check(
            r#"sha256(secret(""))"#,
            r#"secret("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")"#,
        );
        assert_eq!(
            err("sha256(1)"),
            "argument 1 of `sha256` must be string, found int"
        );
    }

    #[test]
    fn unique_string_is_stable_short_and_unambiguous() {
        let a = ok(r#"unique_string("shop", "prod")"#);
        assert_eq!(a, ok(r#"unique_string("shop", "prod")"#));
        let text = a.as_str().unwrap_or_default().to_string();
        assert_eq!(text.len(), 13);
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
        );
        assert_ne!(
            ok(r#"unique_string("ab", "c")"#),
            ok(r#"unique_string("a", "bc")"#)
        );
        assert_ne!(ok(r#"unique_string("shop", "dev")"#), a);
        assert_ne!(
            ok(r#"unique_string("shop")"#),
            ok(r#"unique_string("shop", "")"#)
        );
        assert_eq!(
            err(r#"unique_string("a", 1)"#),
            "argument 2 of `unique_string` must be string, found int"
        );
        assert_eq!(
            err("unique_string()"),
            "`unique_string` takes at least 1 argument(s), 0 given"
        );
    }
}
