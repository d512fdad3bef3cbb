//! DNS record sets — dnsZones/{A,CNAME,TXT,MX} @2018-05-01. `name = "@"` is the apex.

use super::common::child;
use infra_provider_core::{Field, PropertySchema as P, ResourceSchema, Type};

fn record(type_name: &str, description: &str) -> ResourceSchema {
    child(type_name, description, "zone", "azure.dns_zone")
        .prop(
            "ttl",
            P::input(Type::Int).doc("Seconds; 3600 when omitted."),
        )
        .prop("fqdn", P::output(Type::String).doc("Fully qualified name."))
}

pub fn a_schema() -> ResourceSchema {
    record("azure.dns_a_record", "An A record set.").prop(
        "addresses",
        P::input(Type::list(Type::String))
            .required()
            .doc("IPv4 addresses."),
    )
}

pub fn cname_schema() -> ResourceSchema {
    record("azure.dns_cname_record", "A CNAME record set.").prop(
        "target",
        P::input(Type::String).required().doc("Canonical name."),
    )
}

pub fn txt_schema() -> ResourceSchema {
    record(
        "azure.dns_txt_record",
        "A TXT record set (SPF, DKIM, DMARC, verification).",
    )
    .prop(
        "values",
        P::input(Type::list(Type::String))
            .required()
            .doc("Values (long ones are split in 255-byte chunks)."),
    )
}

pub fn mx_schema() -> ResourceSchema {
    let mx = Type::Object(vec![
        Field::required("preference", Type::Int),
        Field::required("exchange", Type::String),
    ]);
    record("azure.dns_mx_record", "An MX record set.").prop(
        "records",
        P::input(Type::list(mx)).required().doc("Mail exchangers."),
    )
}

use crate::kind::AzureType;
use crate::mapping::{i, jint, parent_of, put, s};
use crate::provider::AzureConfig;
use infra_provider_core::{Props, ProviderError, ProviderResult, Value};
use serde_json::{Value as J, json};

/// One record-set type: its ARM segment and how its records map to the language.
pub struct RecordSet {
    segment: &'static str,
    schema: fn() -> ResourceSchema,
}

pub static A: RecordSet = RecordSet {
    segment: "A",
    schema: a_schema,
};
pub static CNAME: RecordSet = RecordSet {
    segment: "CNAME",
    schema: cname_schema,
};
pub static TXT: RecordSet = RecordSet {
    segment: "TXT",
    schema: txt_schema,
};
pub static MX: RecordSet = RecordSet {
    segment: "MX",
    schema: mx_schema,
};

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::List(l)) => l
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// TXT strings longer than 255 bytes are split the way DNS stores them.
fn chunks(v: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in v.chars() {
        if cur.len() + c.len_utf8() > 255 {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

/// Record sets: key names with fixed capitalisation (`TTL`, `ARecords`, `CNAMERecord`,
/// `MXRecords`, `TXTRecords`). PUT and DELETE are synchronous.
impl AzureType for RecordSet {
    fn adopts_on_create(&self) -> bool {
        true
    }
    fn schema(&self) -> ResourceSchema {
        (self.schema)()
    }
    fn api_version(&self) -> &'static str {
        super::dns_zone::API_VERSION
    }
    fn arm_id(&self, _sub: &str, p: &Props) -> Option<String> {
        Some(format!(
            "{}/{}/{}",
            s(p, "zone")?,
            self.segment,
            s(p, "name")?
        ))
    }
    /// Read-only per the 2018-05-01 spec (FINDINGS §2.10).
    fn read_only(&self) -> &'static [&'static str] {
        &["/properties/fqdn"]
    }
    fn computed(&self) -> &'static [&'static str] {
        &["ttl"]
    }
    fn to_body(&self, p: &Props, _: &AzureConfig) -> ProviderResult<J> {
        let mut props = serde_json::Map::new();
        props.insert("TTL".into(), json!(i(p, "ttl").unwrap_or(3600)));
        let (key, data) = match self.segment {
            "A" => (
                "ARecords",
                json!(
                    strings(p.get("addresses"))
                        .iter()
                        .map(|a| json!({"ipv4Address": a}))
                        .collect::<Vec<_>>()
                ),
            ),
            "CNAME" => ("CNAMERecord", json!({"cname": s(p, "target")})),
            "TXT" => (
                "TXTRecords",
                json!(
                    strings(p.get("values"))
                        .iter()
                        .map(|v| json!({"value": chunks(v)}))
                        .collect::<Vec<_>>()
                ),
            ),
            _ => {
                let Some(Value::List(records)) = p.get("records") else {
                    return Err(ProviderError::Invalid(
                        "azure.dns_mx_record: `records` must be a list".into(),
                    ));
                };
                let mx: Vec<J> = records
                    .iter()
                    .map(|r| match r {
                        Value::Object(m) => json!({
                            "preference": m.get("preference").and_then(|v| if let Value::Int(n) = v { Some(*n) } else { None }),
                            "exchange": m.get("exchange").and_then(Value::as_str),
                        }),
                        _ => J::Null,
                    })
                    .collect();
                ("MXRecords", json!(mx))
            }
        };
        props.insert(key.into(), data);
        Ok(json!({"properties": props}))
    }
    fn read_body(&self, body: &J, _prior: &Props) -> ProviderResult<(Props, Props)> {
        let mut p = Props::new();
        let id = body.get("id").and_then(J::as_str).unwrap_or_default();
        put(&mut p, "zone", parent_of(id).map(Value::String));
        put(
            &mut p,
            "name",
            body.get("name").and_then(J::as_str).map(Value::str),
        );
        put(&mut p, "ttl", jint(body, "/properties/TTL"));
        let list = |k: &str| {
            body.pointer(&format!("/properties/{k}"))
                .and_then(J::as_array)
                .cloned()
                .unwrap_or_default()
        };
        match self.segment {
            "A" => {
                let ips = list("ARecords")
                    .iter()
                    .filter_map(|r| r.get("ipv4Address").and_then(J::as_str))
                    .map(Value::str)
                    .collect();
                p.insert("addresses".into(), Value::List(ips));
            }
            "CNAME" => put(
                &mut p,
                "target",
                body.pointer("/properties/CNAMERecord/cname")
                    .and_then(J::as_str)
                    .map(Value::str),
            ),
            "TXT" => {
                let joined = list("TXTRecords")
                    .iter()
                    .map(|r| {
                        r.get("value")
                            .and_then(J::as_array)
                            .map(|c| c.iter().filter_map(J::as_str).collect::<String>())
                            .unwrap_or_default()
                    })
                    .map(Value::String)
                    .collect();
                p.insert("values".into(), Value::List(joined));
            }
            _ => {
                let mx = list("MXRecords")
                    .iter()
                    .map(|r| {
                        let mut m = infra_provider_core::Map::new();
                        m.insert(
                            "preference".to_string(),
                            r.get("preference")
                                .and_then(J::as_i64)
                                .map(Value::Int)
                                .unwrap_or(Value::Null),
                        );
                        m.insert(
                            "exchange".to_string(),
                            r.get("exchange")
                                .and_then(J::as_str)
                                .map(Value::str)
                                .unwrap_or(Value::Null),
                        );
                        Value::Object(m)
                    })
                    .collect();
                p.insert("records".into(), Value::List(mx));
            }
        }
        let mut out = Props::new();
        put(
            &mut out,
            "fqdn",
            body.pointer("/properties/fqdn")
                .and_then(J::as_str)
                .map(Value::str),
        );
        Ok((p, out))
    }
}
