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
