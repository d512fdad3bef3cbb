//! The functions with effects, all through the [`Host`](crate::Host): environment variables
//! and project files. Nothing here touches the process directly, so evaluation stays testable
//! and the CLI decides what the outside world is.

use infra_provider_core::{Type, Value};

use crate::CallError;
use crate::builtin::{Args, Def, invalid};

pub(crate) fn defs() -> Vec<Def> {
    vec![
        Def::new("env", vec![("name", Type::String), ("default", Type::String)], Type::String, env)
            .optional(1)
            .doc(
                "The value of the environment variable `name`, or `default` when it is not set. \
                 A variable set to the empty string counts as set. For passwords and keys use \
                 `env_secret`, which keeps the value out of plans and logs.",
            )
            .example(r#"env("LOCATION", "westeurope")"#, r#""westeurope""#)
            .error("unset without a default", r#"env("X")"#, r#"environment variable `X` is not set; set it or give a default: env("X", "...")"#)
            .error("an empty name", r#"env("")"#, "the name of an environment variable must not be empty"),
        Def::new("env_secret", vec![("name", Type::String), ("default", Type::String)], Type::Secret, env_secret)
            .optional(1)
            .doc(
                "Like `env`, but the result is a secret: it can flow into resource properties, \
                 never into a plan, a log or the state in clear. The default, if any, is a \
                 secret too, and no error message ever shows it.",
            )
            .example(r#"env_secret("PG_PASSWORD", "local-only")"#, "(secret)")
            .error("unset without a default", r#"env_secret("X")"#, r#"environment variable `X` is not set; set it or give a default: env_secret("X", "...")"#),
        Def::new("file", vec![("path", Type::String)], Type::String, file)
            .doc("The text of the file at `path`, relative to the project folder.")
            .example(r#"file("files/greeting.txt")"#, r#""hello\n""#)
            .error("a file that cannot be read (the reason comes from the system)", r#"file("files/missing.txt")"#, r#"cannot read file "files/missing.txt": no such file or directory"#),
    ]
}

/// The variable's value, its default, or `None` when the host takes it as unknown.
fn read_var(a: &Args) -> Result<Option<String>, CallError> {
    let name = a.string(0)?;
    if name.is_empty() {
        return Err(invalid(
            "the name of an environment variable must not be empty",
        ));
    }
    if let Some(v) = a.host.env_var(name) {
        return Ok(Some(v));
    }
    if a.len() > 1 {
        return Ok(Some(a.string(1)?.to_string()));
    }
    if a.host.unset_is_unknown() {
        a.host.note_unset(name);
        return Ok(None);
    }
    Err(invalid(format!(
        "environment variable `{name}` is not set; set it or give a default: {}({name:?}, \"...\")",
        a.name
    )))
}

fn env(a: &Args) -> Result<Value, CallError> {
    Ok(read_var(a)?.map_or(Value::Unknown, Value::String))
}

fn env_secret(a: &Args) -> Result<Value, CallError> {
    Ok(Value::secret(
        read_var(a)?.map_or(Value::Unknown, Value::String),
    ))
}

fn file(a: &Args) -> Result<Value, CallError> {
    let path = a.string(0)?;
    a.host
        .read_file(path)
        .map(Value::String)
        .map_err(|e| invalid(format!("cannot read file {path:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use crate::testutil::{check, err};

    #[test]
    fn env_reads_the_host() {
        check(r#"env("DEPLOY_REGION")"#, r#""northeurope""#);
        check(r#"env("DEPLOY_REGION", "x")"#, r#""northeurope""#);
        check(r#"env("EMPTY", "x")"#, r#""""#);
        check(r#"env("UNSET", "x")"#, r#""x""#);
        check(r#"env("UNSET", secret("x"))"#, r#"secret("x")"#);
        assert_eq!(
            err(r#"env("X")"#),
            r#"environment variable `X` is not set; set it or give a default: env("X", "...")"#
        );
        assert_eq!(
            err(r#"env("")"#),
            "the name of an environment variable must not be empty"
        );
        assert_eq!(
            err(r#"env("X", 1)"#),
            "argument 2 of `env` must be string, found int"
        );
    }

    #[test]
    fn env_secret_is_secret_and_never_shows_the_default() {
        check(
            r#"env_secret("PG_PASSWORD")"#,
            r#"secret("hunter2-from-env")"#,
        );
        check(
            r#"env_secret("UNSET", "local-only")"#,
            r#"secret("local-only")"#,
        );
        assert_eq!(
            err(r#"env_secret("X")"#),
            r#"environment variable `X` is not set; set it or give a default: env_secret("X", "...")"#
        );
        for src in [
            r#"env_secret("", "local-only")"#,
            r#"env_secret(1, "local-only")"#,
            r#"env_secret("", secret("local-only"))"#,
        ] {
            let e = err(src);
            assert!(!e.contains("local-only"), "{e}");
        }
    }

    #[test]
    fn file_reads_through_the_host() {
        check(r#"file("files/greeting.txt")"#, r#""hello\n""#);
        assert_eq!(
            err(r#"file("files/missing.txt")"#),
            r#"cannot read file "files/missing.txt": no such file or directory"#
        );
    }
}
