//! Quoting of SQL identifiers and literals. Utility statements (`CREATE ROLE`, `GRANT`...) take
//! no bind parameters, so every name and string a user controls is quoted here, and only here.

use infra_provider_core::ProviderError;

/// PostgreSQL keeps NAMEDATALEN - 1 bytes of a name and silently truncates the rest, which
/// would make the object read back under another name and drift forever: longer names are
/// refused instead.
pub const MAX_IDENT_BYTES: usize = 63;

/// Checks a name before it reaches the server.
pub fn check_ident(what: &str, name: &str) -> Result<(), ProviderError> {
    if name.is_empty() {
        return Err(ProviderError::Invalid(format!("{what} must not be empty")));
    }
    if name.contains('\0') {
        return Err(ProviderError::Invalid(format!(
            "{what} `{}` contains a NUL character, which PostgreSQL names cannot hold",
            name.escape_debug()
        )));
    }
    if name.len() > MAX_IDENT_BYTES {
        return Err(ProviderError::Invalid(format!(
            "{what} `{name}` is {} bytes long; PostgreSQL names hold at most {MAX_IDENT_BYTES} \
             bytes (it would be truncated)",
            name.len()
        )));
    }
    Ok(())
}

/// `"name"` with embedded double quotes doubled: any character is then part of the name.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A string literal. `E'...'` with backslashes and quotes escaped reads the same whatever
/// `standard_conforming_strings` says.
pub fn literal(value: &str) -> String {
    format!("E'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_cannot_break_out() {
        assert_eq!(ident(r#"a"; DROP ROLE x; --"#), r#""a""; DROP ROLE x; --""#);
        assert_eq!(ident("plain"), "\"plain\"");
    }

    #[test]
    fn literals_cannot_break_out() {
        assert_eq!(literal(r"it's \ fine"), r"E'it''s \\ fine'");
    }

    #[test]
    fn long_or_nul_names_are_refused() {
        assert!(check_ident("role name", &"a".repeat(63)).is_ok());
        // 32 two-byte characters: 64 bytes although only 32 characters.
        let err = check_ident("role name", &"é".repeat(32)).unwrap_err();
        assert!(err.to_string().contains("64 bytes"), "{err}");
        assert!(check_ident("role name", "a\0b").is_err());
        assert!(check_ident("role name", "").is_err());
    }
}
