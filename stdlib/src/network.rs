//! CIDR arithmetic with Terraform's semantics (`cidrsubnet`, `cidrhost`, `cidrnetmask`), for
//! IPv4 and IPv6. Addresses are held as u128 with the width of their family, so both families
//! share one code path.

use std::net::{Ipv4Addr, Ipv6Addr};

use infra_provider_core::{Type, Value};

use crate::CallError;
use crate::builtin::{Args, Def, invalid};

pub(crate) fn defs() -> Vec<Def> {
    vec![
        Def::new(
            "cidr_subnet",
            vec![("prefix", Type::String), ("newbits", Type::Int), ("netnum", Type::Int)],
            Type::String,
            cidr_subnet,
        )
        .doc(
            "The subnet number `netnum` of `prefix` extended by `newbits` bits, as Terraform's \
             `cidrsubnet`: `cidr_subnet(\"10.0.0.0/16\", 8, 2)` is the third /24. IPv4 and IPv6. \
             A prefix whose address has host bits set (`10.0.0.1/16`) is accepted and taken as \
             its network, as Terraform does.",
        )
        .example(r#"cidr_subnet("10.0.0.0/16", 8, 2)"#, r#""10.0.2.0/24""#)
        .error("a prefix length beyond the address", r#"cidr_subnet("10.0.0.0/33", 8, 2)"#, r#"invalid CIDR prefix "10.0.0.0/33": prefix length 33 is longer than an IPv4 address (32 bits)"#)
        .error("a new prefix longer than the address", r#"cidr_subnet("10.0.0.0/16", 20, 0)"#, "cannot extend prefix /16 by 20 bits: /36 is longer than an IPv4 address (32 bits)")
        .error("`netnum` too large for `newbits`", r#"cidr_subnet("10.0.0.0/16", 8, 256)"#, "netnum 256 does not fit in 8 new bits (max 255)")
        .error("a negative `newbits`", r#"cidr_subnet("10.0.0.0/16", -1, 0)"#, "newbits must not be negative, found -1")
        .error("a negative `netnum`", r#"cidr_subnet("10.0.0.0/16", 8, -1)"#, "netnum must not be negative, found -1"),
        Def::new("cidr_host", vec![("prefix", Type::String), ("hostnum", Type::Int)], Type::String, cidr_host)
            .doc(
                "The address of host number `hostnum` in `prefix`, as Terraform's `cidrhost`. A \
                 negative `hostnum` counts from the end of the range: -1 is the last address.",
            )
            .example(r#"cidr_host("10.12.112.0/20", 16)"#, r#""10.12.112.16""#)
            .error("no prefix length", r#"cidr_host("10.0.0.0", 1)"#, r#"invalid CIDR prefix "10.0.0.0": expected an address, a slash and a prefix length, like "10.0.0.0/16""#)
            .error("`hostnum` outside the range", r#"cidr_host("10.12.112.0/20", 4096)"#, r#"hostnum 4096 does not fit in the 12 host bits of "10.12.112.0/20" (-4096 to 4095)"#),
        Def::new("cidr_netmask", vec![("prefix", Type::String)], Type::String, cidr_netmask)
            .doc("The netmask of an IPv4 prefix in dotted form, as Terraform's `cidrnetmask`.")
            .example(r#"cidr_netmask("172.16.0.0/12")"#, r#""255.240.0.0""#)
            .error("an address that is neither IPv4 nor IPv6", r#"cidr_netmask("10.0.0.256/8")"#, r#"invalid CIDR prefix "10.0.0.256/8": "10.0.0.256" is not an IPv4 or IPv6 address"#)
            .error("an IPv6 prefix", r#"cidr_netmask("fd00::/8")"#, "cidr_netmask needs an IPv4 prefix; IPv6 has no dotted netmask"),
    ]
}

#[derive(Debug, Clone, Copy)]
struct Cidr {
    /// The network address (host bits cleared).
    network: u128,
    len: u32,
    /// 32 or 128.
    width: u32,
}

impl Cidr {
    fn family(&self) -> &'static str {
        if self.width == 32 {
            "an IPv4 address (32 bits)"
        } else {
            "an IPv6 address (128 bits)"
        }
    }

    fn show(&self, addr: u128) -> String {
        if self.width == 32 {
            Ipv4Addr::from(u32::try_from(addr).unwrap_or(u32::MAX)).to_string()
        } else {
            Ipv6Addr::from(addr).to_string()
        }
    }
}

/// The mask of the first `len` bits of a `width`-bit address.
fn mask(len: u32, width: u32) -> u128 {
    let all = if width >= 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    let host = 1u128.checked_shl(width - len).map_or(u128::MAX, |b| b - 1);
    all & !host
}

fn parse_cidr(text: &str) -> Result<Cidr, String> {
    let bad = |why: String| format!("invalid CIDR prefix {text:?}: {why}");
    let Some((addr, len)) = text.split_once('/') else {
        return Err(bad(
            "expected an address, a slash and a prefix length, like \"10.0.0.0/16\"".into(),
        ));
    };
    let (value, width) = if let Some(v4) = parse_ipv4(addr) {
        (u128::from(v4), 32)
    } else if let Ok(v6) = addr.parse::<Ipv6Addr>() {
        (u128::from(v6), 128)
    } else {
        return Err(bad(format!("{addr:?} is not an IPv4 or IPv6 address")));
    };
    if len.is_empty() || !len.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(format!("prefix length {len:?} is not a number")));
    }
    let family = if width == 32 {
        "an IPv4 address (32 bits)"
    } else {
        "an IPv6 address (128 bits)"
    };
    let len = match len.parse::<u32>() {
        Ok(n) if n <= width => n,
        _ => return Err(bad(format!("prefix length {len} is longer than {family}"))),
    };
    Ok(Cidr {
        network: value & mask(len, width),
        len,
        width,
    })
}

/// Dotted IPv4 where, as in Terraform (a historical accident of Go's old parser it keeps for
/// compatibility), octets with leading zeros are read as decimal: "010.0.0.0" is 10.0.0.0.
fn parse_ipv4(text: &str) -> Option<u32> {
    let mut value = 0u32;
    let mut count = 0;
    for part in text.split('.') {
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let octet: u8 = part.parse().ok()?;
        value = (value << 8) | u32::from(octet);
        count += 1;
        if count > 4 {
            return None;
        }
    }
    (count == 4).then_some(value)
}

fn prefix(a: &Args, i: usize) -> Result<Cidr, CallError> {
    parse_cidr(a.string(i)?).map_err(invalid)
}

fn cidr_subnet(a: &Args) -> Result<Value, CallError> {
    let cidr = prefix(a, 0)?;
    let (newbits, netnum) = (a.int(1)?, a.int(2)?);
    if newbits < 0 {
        return Err(invalid(format!(
            "newbits must not be negative, found {newbits}"
        )));
    }
    if netnum < 0 {
        return Err(invalid(format!(
            "netnum must not be negative, found {netnum}"
        )));
    }
    let new_len = i128::from(cidr.len) + i128::from(newbits);
    if new_len > i128::from(cidr.width) {
        return Err(invalid(format!(
            "cannot extend prefix /{} by {newbits} bits: /{new_len} is longer than {}",
            cidr.len,
            cidr.family()
        )));
    }
    // Both bounded by the width (at most 128) after the check above.
    let (bits, new_len) = (newbits as u32, new_len as u32);
    let max = 1u128.checked_shl(bits).map_or(u128::MAX, |b| b - 1);
    let num = netnum as u128;
    if num > max {
        return Err(invalid(format!(
            "netnum {netnum} does not fit in {newbits} new bits (max {max})"
        )));
    }
    let offset = num.checked_shl(cidr.width - new_len).unwrap_or(0);
    Ok(Value::String(format!(
        "{}/{new_len}",
        cidr.show(cidr.network | offset)
    )))
}

fn cidr_host(a: &Args) -> Result<Value, CallError> {
    let text = a.string(0)?;
    let cidr = prefix(a, 0)?;
    let hostnum = a.int(1)?;
    let bits = cidr.width - cidr.len;
    // The number of addresses, when it fits in a u128 (it does not only for ::/0).
    let size = 1u128.checked_shl(bits);
    let offset = if hostnum >= 0 {
        let n = hostnum as u128;
        size.is_none_or(|size| n < size).then_some(n)
    } else {
        let back = u128::from(hostnum.unsigned_abs());
        match size {
            Some(size) => size.checked_sub(back),
            None => Some(0u128.wrapping_sub(back)),
        }
    };
    match offset {
        Some(offset) => Ok(Value::String(cidr.show(cidr.network | offset))),
        None => {
            let size = size.unwrap_or(u128::MAX);
            Err(invalid(format!(
                "hostnum {hostnum} does not fit in the {bits} host bits of {text:?} (-{size} to {})",
                size - 1
            )))
        }
    }
}

fn cidr_netmask(a: &Args) -> Result<Value, CallError> {
    let cidr = prefix(a, 0)?;
    if cidr.width != 32 {
        return Err(invalid(
            "cidr_netmask needs an IPv4 prefix; IPv6 has no dotted netmask",
        ));
    }
    Ok(Value::String(cidr.show(mask(cidr.len, 32))))
}

#[cfg(test)]
mod tests {
    use crate::testutil::{check, err};

    #[test]
    fn subnets_as_terraform() {
        check(r#"cidr_subnet("10.0.0.0/16", 8, 2)"#, r#""10.0.2.0/24""#);
        check(
            r#"cidr_subnet("172.16.0.0/12", 4, 2)"#,
            r#""172.18.0.0/16""#,
        );
        check(r#"cidr_subnet("10.1.2.0/24", 4, 15)"#, r#""10.1.2.240/28""#);
        check(r#"cidr_subnet("10.0.0.0/16", 0, 0)"#, r#""10.0.0.0/16""#);
        check(r#"cidr_subnet("10.0.7.9/16", 8, 1)"#, r#""10.0.1.0/24""#);
        check(r#"cidr_subnet("010.000.0.0/16", 8, 1)"#, r#""10.0.1.0/24""#);
        check(
            r#"cidr_subnet("0.0.0.0/0", 32, 4294967295)"#,
            r#""255.255.255.255/32""#,
        );
        check(
            r#"cidr_subnet("fd00:fd12:3456:7890::/56", 16, 162)"#,
            r#""fd00:fd12:3456:7800:a200::/72""#,
        );
        check(r#"cidr_subnet("fd00::/8", 56, 1)"#, r#""fd00:0:0:1::/64""#);
        check(r#"cidr_subnet("::/0", 128, 5)"#, r#""::5/128""#);
        check(r#"cidr_subnet("::/0", 0, 0)"#, r#""::/0""#);
        check(
            r#"cidr_subnet("2001:db8::/32", 96, 9223372036854775807)"#,
            r#""2001:db8::7fff:ffff:ffff:ffff/128""#,
        );
    }

    #[test]
    fn subnet_errors_are_precise() {
        assert_eq!(
            err(r#"cidr_subnet("10.0.0.0/33", 8, 2)"#),
            r#"invalid CIDR prefix "10.0.0.0/33": prefix length 33 is longer than an IPv4 address (32 bits)"#
        );
        assert_eq!(
            err(r#"cidr_subnet("::/129", 8, 2)"#),
            r#"invalid CIDR prefix "::/129": prefix length 129 is longer than an IPv6 address (128 bits)"#
        );
        assert_eq!(
            err(r#"cidr_subnet("10.0.0.0/99999999999", 8, 2)"#),
            r#"invalid CIDR prefix "10.0.0.0/99999999999": prefix length 99999999999 is longer than an IPv4 address (32 bits)"#
        );
        assert_eq!(
            err(r#"cidr_subnet("10.0.0.0", 8, 2)"#),
            r#"invalid CIDR prefix "10.0.0.0": expected an address, a slash and a prefix length, like "10.0.0.0/16""#
        );
        assert_eq!(
            err(r#"cidr_subnet("10.0.0.256/16", 8, 2)"#),
            r#"invalid CIDR prefix "10.0.0.256/16": "10.0.0.256" is not an IPv4 or IPv6 address"#
        );
        for bad in [
            "1.2.3/8",
            "1.2.3.4.5/8",
            "1..2.3/8",
            "0001.2.3.4/8",
            "1.2.3.-4/8",
        ] {
            let e = err(&format!("cidr_subnet({bad:?}, 8, 2)"));
            assert!(e.ends_with("is not an IPv4 or IPv6 address"), "{e}");
        }
        assert_eq!(
            err(r#"cidr_subnet("10.0.0.0/+8", 8, 2)"#),
            r#"invalid CIDR prefix "10.0.0.0/+8": prefix length "+8" is not a number"#
        );
        assert_eq!(
            err(r#"cidr_subnet("10.0.0.0/16", 8, 256)"#),
            "netnum 256 does not fit in 8 new bits (max 255)"
        );
        assert_eq!(
            err(r#"cidr_subnet("10.0.0.0/16", 20, 0)"#),
            "cannot extend prefix /16 by 20 bits: /36 is longer than an IPv4 address (32 bits)"
        );
        assert_eq!(
            err(r#"cidr_subnet("fd00::/8", 9223372036854775807, 0)"#),
            "cannot extend prefix /8 by 9223372036854775807 bits: /9223372036854775815 is longer than an IPv6 address (128 bits)"
        );
        assert_eq!(
            err(r#"cidr_subnet("10.0.0.0/16", -1, 0)"#),
            "newbits must not be negative, found -1"
        );
        assert_eq!(
            err(r#"cidr_subnet("10.0.0.0/16", 8, -1)"#),
            "netnum must not be negative, found -1"
        );
        assert_eq!(
            err(r#"cidr_subnet("10.0.0.0/16", "8", 1)"#),
            "argument 2 of `cidr_subnet` must be int, found string"
        );
    }

    #[test]
    fn hosts_as_terraform() {
        check(r#"cidr_host("10.12.112.0/20", 16)"#, r#""10.12.112.16""#);
        check(r#"cidr_host("10.12.112.0/20", 268)"#, r#""10.12.113.12""#);
        check(r#"cidr_host("10.12.112.0/20", -2)"#, r#""10.12.127.254""#);
        check(r#"cidr_host("10.12.112.9/20", 0)"#, r#""10.12.112.0""#);
        check(r#"cidr_host("10.0.0.0/32", 0)"#, r#""10.0.0.0""#);
        check(
            r#"cidr_host("fd00:fd12:3456:7890:00a2::/72", 34)"#,
            r#""fd00:fd12:3456:7890::22""#,
        );
        check(
            r#"cidr_host("::/0", -1)"#,
            r#""ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff""#,
        );
        check(
            r#"cidr_host("::/0", 9223372036854775807)"#,
            r#""::7fff:ffff:ffff:ffff""#,
        );
        check(
            r#"cidr_host("::/64", -9223372036854775808)"#,
            r#""::8000:0:0:0""#,
        );
        assert_eq!(
            err(r#"cidr_host("10.12.112.0/20", 4096)"#),
            r#"hostnum 4096 does not fit in the 12 host bits of "10.12.112.0/20" (-4096 to 4095)"#
        );
        assert_eq!(
            err(r#"cidr_host("10.12.112.0/20", -4097)"#),
            r#"hostnum -4097 does not fit in the 12 host bits of "10.12.112.0/20" (-4096 to 4095)"#
        );
        assert_eq!(
            err(r#"cidr_host("10.0.0.0/32", 1)"#),
            r#"hostnum 1 does not fit in the 0 host bits of "10.0.0.0/32" (-1 to 0)"#
        );
    }

    #[test]
    fn netmasks() {
        check(r#"cidr_netmask("10.0.0.0/8")"#, r#""255.0.0.0""#);
        check(r#"cidr_netmask("0.0.0.0/0")"#, r#""0.0.0.0""#);
        check(r#"cidr_netmask("1.2.3.4/32")"#, r#""255.255.255.255""#);
        assert_eq!(
            err(r#"cidr_netmask("fd00::/8")"#),
            "cidr_netmask needs an IPv4 prefix; IPv6 has no dotted netmask"
        );
    }
}
