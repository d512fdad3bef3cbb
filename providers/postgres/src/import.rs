//! Adopting objects that already exist (`import` blocks, `infra import`). An id names the
//! object on the server the resource's own `server` or `connection` reaches:
//! `role/NAME`, `database/NAME`, `schema/NAME`, `extension/NAME` (schemas and extensions in the
//! resource's `database`), or the full id infra records, `postgres://HOST:PORT[/DB]#KIND/NAME`,
//! whose place must then be that server's. Grants are not imported: declaring one converges
//! on the privileges it lists.

use crate::Kind;
use crate::connect::Endpoint;
use infra_provider_core::{ProviderError, ProviderResult};

/// The object's name from an import id, checked against the type and, for a full id, the place.
pub fn name_from_id(kind: Kind, id: &str, endpoint: &Endpoint) -> ProviderResult<String> {
    let word = match kind {
        Kind::Role => "role",
        Kind::Database => "database",
        Kind::Schema => "schema",
        Kind::Extension => "extension",
        Kind::Grant => {
            return Err(ProviderError::Unsupported(
                "a postgres.grant is not imported: declare it and apply; the grant converges on \
                 the privileges it lists (GRANT what is missing, REVOKE the others)"
                    .into(),
            ));
        }
    };
    let local = match id.strip_prefix("postgres://") {
        Some(full) => {
            let (place, local) = full.split_once('#').ok_or_else(|| bad(id, word))?;
            let expected = if kind.in_database() {
                format!("{}:{}/{}", endpoint.host, endpoint.port, endpoint.database)
            } else {
                format!("{}:{}", endpoint.host, endpoint.port)
            };
            if place != expected {
                return Err(ProviderError::Invalid(format!(
                    "import id `{id}` is on `{place}`, but the resource reaches `{expected}`: \
                     import through a resource whose server or connection (and database) is \
                     that one, or write the short id `{word}/NAME`"
                )));
            }
            local
        }
        None => id,
    };
    match local.split_once('/') {
        Some((w, name)) if w == word && !name.is_empty() => {
            crate::quote::check_ident(word, name)?;
            Ok(name.to_string())
        }
        _ => Err(bad(id, word)),
    }
}

fn bad(id: &str, word: &str) -> ProviderError {
    ProviderError::Invalid(format!(
        "import id `{id}` is not `{word}/NAME` (or `postgres://HOST:PORT[/DATABASE]#{word}/NAME`)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::SslMode;

    fn endpoint() -> Endpoint {
        Endpoint {
            host: "pg.example.com".into(),
            port: 5432,
            user: "admin".into(),
            database: "app".into(),
            sslmode: SslMode::Require,
            ca_cert: None,
        }
    }

    #[test]
    fn short_and_full_ids_name_the_object() {
        let e = endpoint();
        assert_eq!(
            name_from_id(Kind::Role, "role/app owner", &e).unwrap(),
            "app owner"
        );
        assert_eq!(
            name_from_id(
                Kind::Extension,
                "postgres://pg.example.com:5432/app#extension/pg_trgm",
                &e
            )
            .unwrap(),
            "pg_trgm"
        );
        assert_eq!(
            name_from_id(
                Kind::Database,
                "postgres://pg.example.com:5432#database/a/b",
                &e
            )
            .unwrap(),
            "a/b"
        );
    }

    #[test]
    fn wrong_kind_wrong_place_and_grants_are_refused_with_the_form() {
        let e = endpoint();
        let err = name_from_id(Kind::Role, "database/app", &e).unwrap_err();
        assert!(err.to_string().contains("`role/NAME`"), "{err}");
        let err = name_from_id(Kind::Schema, "postgres://other:5432/app#schema/s", &e).unwrap_err();
        assert!(err.to_string().contains("pg.example.com:5432/app"), "{err}");
        let err = name_from_id(Kind::Grant, "grant/x", &e).unwrap_err();
        assert!(err.to_string().contains("converges"), "{err}");
        assert!(name_from_id(Kind::Role, "role/", &e).is_err());
    }
}
