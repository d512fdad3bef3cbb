//! The standard library of `.infra`: built-in functions, one file per family, and the bundled
//! modules (`std/...`) written in `.infra`.
//!
//! Functions are pure over [`Value`]s. Two rules are applied here once for all of them, so that
//! no function can get them wrong:
//! - if any argument is `Unknown`, the result is `Unknown` (the call happens after apply);
//! - if any argument is a secret, the result is a secret (taint).
//!
//! The only effects (`env`, `env_secret`, `file`) go through the [`Host`] the caller provides,
//! so the language itself stays free of I/O.

use infra_provider_core::{Type, Value};

/// What the outside world offers to functions: the CLI gives the real process environment
/// and the project folder; tests give fixed maps.
pub trait Host {
    fn env_var(&self, name: &str) -> Option<String>;
    /// Reads a file relative to the project folder.
    fn read_file(&self, path: &str) -> Result<String, String>;
}

/// Why a call failed; the checker turns it into a diagnostic at the call's span.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    #[error("`{function}` takes {expected} argument(s), {found} given")]
    Arity { function: String, expected: String, found: usize },
    #[error("argument {index} of `{function}` must be {expected}, found {found}")]
    ArgType { function: String, index: usize, expected: String, found: String },
    /// Anything else, with a precise message (e.g. "prefix /33 is longer than an IPv4 address").
    #[error("{0}")]
    Invalid(String),
}

/// A parameter of a function signature, for the checker and for docs.
#[derive(Debug, Clone)]
pub struct ParamSpec {
    pub name: &'static str,
    pub ty: Type,
}

/// Signature and documentation of a built-in function.
#[derive(Debug, Clone)]
pub struct Signature {
    pub name: &'static str,
    /// The family (= the file it lives in), e.g. "strings", "collections", "network".
    pub family: &'static str,
    pub params: Vec<ParamSpec>,
    /// Trailing optional parameters: the call may stop before them.
    pub optional: usize,
    /// If set, any number of further arguments of this type.
    pub variadic: Option<Type>,
    pub returns: Type,
    pub doc: &'static str,
    /// An example call and its result, checked by a test.
    pub example: (&'static str, &'static str),
}
