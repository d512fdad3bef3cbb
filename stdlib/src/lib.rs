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

use std::sync::LazyLock;

use infra_provider_core::{Type, Value};

mod builtin;
mod codec;
mod collections;
mod encoding;
mod environment;
mod hashing;
mod modules;
mod network;
mod numeric;
mod strings;

#[cfg(test)]
mod docgen;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod testutil;

use builtin::{Def, Nested};
pub use modules::{bundled_module, bundled_modules};

/// What the outside world offers to functions: the CLI gives the real process environment
/// and the project folder; tests give fixed maps.
pub trait Host {
    fn env_var(&self, name: &str) -> Option<String>;
    /// Reads a file relative to the project folder.
    fn read_file(&self, path: &str) -> Result<String, String>;
    /// Whether an unset variable without a default is an unknown value instead of an error:
    /// `infra validate --env E` checks an environment without its variables (a pull request
    /// job has no production secrets); plan and apply still require them.
    fn unset_is_unknown(&self) -> bool {
        false
    }
    /// Told of each variable read as unknown because it is unset, so that it can be reported.
    fn note_unset(&self, _name: &str) {}
}

/// Why a call failed; the checker turns it into a diagnostic at the call's span.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    #[error("`{function}` takes {expected} argument(s), {found} given")]
    Arity {
        function: String,
        expected: String,
        found: usize,
    },
    #[error("argument {index} of `{function}` must be {expected}, found {found}")]
    ArgType {
        function: String,
        index: usize,
        expected: String,
        found: String,
    },
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

impl Signature {
    /// The fewest arguments a call may give.
    pub fn min_args(&self) -> usize {
        self.params.len().saturating_sub(self.optional)
    }

    /// The most arguments a call may give; `None` when variadic.
    pub fn max_args(&self) -> Option<usize> {
        match self.variadic {
            Some(_) => None,
            None => Some(self.params.len()),
        }
    }

    /// Whether a call with `count` arguments has the right arity.
    pub fn accepts(&self, count: usize) -> bool {
        count >= self.min_args() && self.max_args().is_none_or(|max| count <= max)
    }

    /// The accepted arity in words, as used in [`CallError::Arity`]: "1", "2 or 3",
    /// "1 to 3", "at least 1".
    pub fn arity_text(&self) -> String {
        let min = self.min_args();
        match self.max_args() {
            None => format!("at least {min}"),
            Some(max) if max == min => format!("{min}"),
            Some(max) if max == min + 1 => format!("{min} or {max}"),
            Some(max) => format!("{min} to {max}"),
        }
    }

    /// The type of the argument at `index` (0-based), following optional and variadic params.
    pub fn param_type(&self, index: usize) -> Option<&Type> {
        match self.params.get(index) {
            Some(p) => Some(&p.ty),
            None => self.variadic.as_ref(),
        }
    }

    /// One-line synopsis as shown in the docs: `lookup(map: map<any>, key: string,
    /// default?: any) -> any`, variadic arguments as `...type`.
    pub fn synopsis(&self) -> String {
        let min = self.min_args();
        let mut parts: Vec<String> = self
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let q = if i >= min { "?" } else { "" };
                format!("{}{q}: {}", p.name, p.ty)
            })
            .collect();
        if let Some(t) = &self.variadic {
            parts.push(format!("...{t}"));
        }
        format!("{}({}) -> {}", self.name, parts.join(", "), self.returns)
    }
}

struct Registry {
    defs: Vec<Def>,
    sigs: Vec<Signature>,
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let families: [(&'static str, Vec<Def>); 7] = [
        ("strings", strings::defs()),
        ("collections", collections::defs()),
        ("numeric", numeric::defs()),
        ("encoding", encoding::defs()),
        ("hashing", hashing::defs()),
        ("network", network::defs()),
        ("environment", environment::defs()),
    ];
    let mut defs: Vec<Def> = Vec::new();
    for (family, list) in families {
        for mut def in list {
            def.sig.family = family;
            defs.push(def);
        }
    }
    defs.sort_by(|a, b| a.sig.name.cmp(b.sig.name));
    let sigs = defs.iter().map(|d| d.sig.clone()).collect();
    Registry { defs, sigs }
});

fn index_of(name: &str) -> Option<usize> {
    REGISTRY
        .defs
        .binary_search_by(|d| d.sig.name.cmp(name))
        .ok()
}

fn find(name: &str) -> Option<&'static Def> {
    index_of(name).and_then(|i| REGISTRY.defs.get(i))
}

/// Every built-in function, sorted by name.
pub fn signatures() -> &'static [Signature] {
    &REGISTRY.sigs
}

/// The signature of the built-in function `name`, if there is one.
pub fn signature(name: &str) -> Option<&'static Signature> {
    index_of(name).and_then(|i| REGISTRY.sigs.get(i))
}

/// The names of the families, in the order the docs present them.
pub const FAMILIES: &[&str] = &[
    "strings",
    "collections",
    "numeric",
    "encoding",
    "hashing",
    "network",
    "environment",
];

/// Calls the built-in function `name`.
///
/// Checks the arity, then applies the central rules: a top-level `Unknown` argument makes the
/// result `Unknown` (wrapped as a secret when a secret argument is present too, so the taint
/// survives until the value is known); a top-level `Secret` argument is unwrapped for the call
/// and the result is wrapped with [`Value::secret`]. Functions that read the contents of lists
/// and objects into a new value (`join`, `format`, `json_encode`, `contains`, `sort`, ...) apply
/// the same two rules to nested values too. When a secret is involved, an `Invalid` error keeps
/// no detail, because such messages may quote argument values.
pub fn call(name: &str, args: &[Value], host: &dyn Host) -> Result<Value, CallError> {
    let Some(def) = find(name) else {
        return Err(CallError::Invalid(format!("unknown function `{name}`")));
    };
    let sig = &def.sig;
    if !sig.accepts(args.len()) {
        return Err(CallError::Arity {
            function: sig.name.to_string(),
            expected: sig.arity_text(),
            found: args.len(),
        });
    }
    let reads_nested = def.nested == Nested::Read;
    let tainted = if reads_nested {
        args.iter().any(Value::contains_secret)
    } else {
        args.iter().any(|a| matches!(a, Value::Secret(_)))
    };
    let unknown = if reads_nested {
        args.iter().any(Value::contains_unknown)
    } else {
        args.iter()
            .any(|a| matches!(a.unwrap_secret().0, Value::Unknown))
    };
    if unknown {
        return Ok(if tainted {
            Value::secret(Value::Unknown)
        } else {
            Value::Unknown
        });
    }
    let plain: Vec<Value> = if reads_nested {
        args.iter().map(builtin::strip_secrets).collect()
    } else {
        args.iter().map(|a| a.unwrap_secret().0.clone()).collect()
    };
    let result = (def.run)(&builtin::Args {
        name: sig.name,
        values: &plain,
        host,
    });
    match result {
        Ok(v) if tainted => Ok(Value::secret(v)),
        Ok(v) => Ok(v),
        Err(CallError::Invalid(_)) if tainted => Err(CallError::Invalid(format!(
            "`{}` failed on a secret argument; the details are hidden so that the secret is \
             not revealed",
            sig.name
        ))),
        Err(e) => Err(e),
    }
}
