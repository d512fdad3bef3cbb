//! Byte codecs written here rather than pulled in as dependencies: base64 (RFC 4648,
//! standard alphabet) and lowercase hex.

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let sextets = [(n >> 18) & 63, (n >> 12) & 63, (n >> 6) & 63, n & 63];
        for (i, s) in sextets.iter().enumerate() {
            // A chunk of k bytes gives k + 1 significant characters; the rest is padding.
            if i <= chunk.len() {
                out.push(char::from(BASE64[*s as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn sextet(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes standard base64. Padding is optional, but when present it must be correct; any
/// other character is an error naming its position (1-based, in characters).
pub(crate) fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    let body = text.trim_end_matches('=');
    let padding = text.len() - body.len();
    if padding > 0 && (padding > 2 || !text.len().is_multiple_of(4)) {
        return Err(format!(
            "invalid base64: wrong padding (the text with its `=` must be a multiple of 4 \
             characters long, with at most two `=`; it is {} long with {padding})",
            text.chars().count()
        ));
    }
    let mut sextets = Vec::with_capacity(body.len());
    for (i, c) in body.chars().enumerate() {
        let s = u8::try_from(c).ok().and_then(sextet).ok_or_else(|| {
            if c == '=' {
                format!(
                    "invalid base64: `=` at character {} is padding in the middle of the text",
                    i + 1
                )
            } else {
                format!(
                    "invalid base64: {c:?} at character {} is not in the base64 alphabet",
                    i + 1
                )
            }
        })?;
        sextets.push(s);
    }
    if sextets.len() % 4 == 1 {
        return Err(format!(
            "invalid base64: {} characters cannot end a base64 text (a group of 4 is cut after 1)",
            text.chars().count()
        ));
    }
    let mut out = Vec::with_capacity(sextets.len() * 3 / 4);
    for group in sextets.chunks(4) {
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, s)| n | (s << (18 - 6 * i)));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        // k characters carry k - 1 whole bytes.
        out.extend_from_slice(bytes.get(..group.len() - 1).unwrap_or(&bytes));
    }
    Ok(out)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64_encode(plain.as_bytes()), encoded);
            assert_eq!(base64_decode(encoded).as_deref(), Ok(plain.as_bytes()));
            let unpadded = encoded.trim_end_matches('=');
            assert_eq!(base64_decode(unpadded).as_deref(), Ok(plain.as_bytes()));
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(base64_decode(&base64_encode(&all)), Ok(all));
    }

    #[test]
    fn decode_errors_are_precise() {
        assert_eq!(
            base64_decode("Zm9v!"),
            Err("invalid base64: '!' at character 5 is not in the base64 alphabet".into())
        );
        assert_eq!(
            base64_decode("Zm=v"),
            Err("invalid base64: `=` at character 3 is padding in the middle of the text".into())
        );
        assert_eq!(
            base64_decode("Zm9=="),
            Err(
                "invalid base64: wrong padding (the text with its `=` must be a multiple of 4 \
                 characters long, with at most two `=`; it is 5 long with 2)"
                    .into()
            )
        );
        assert_eq!(
            base64_decode("Zm9vY"),
            Err("invalid base64: 5 characters cannot end a base64 text (a group of 4 is cut after 1)".into())
        );
        assert!(base64_decode("Zg===").is_err());
        assert!(base64_decode("é").is_err());
    }

    #[test]
    fn hex_digits() {
        assert_eq!(hex(&[0, 15, 16, 255]), "000f10ff");
    }
}
