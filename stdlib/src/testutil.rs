//! Test support: a fixed `Host` and a tiny parser of call expressions, so that tests (and the
//! documented examples) are written in `.infra` syntax: `join(",", ["a", secret("b")])`.
//! `secret(v)` and `unknown` build marked values; `(secret)` in an expected result matches
//! any secret.

use std::collections::BTreeMap;

use infra_provider_core::{Map, Value};

use crate::{CallError, Host, call};

pub struct FakeHost {
    pub vars: BTreeMap<String, String>,
    pub files: BTreeMap<String, String>,
}

impl Host for FakeHost {
    fn env_var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }

    fn read_file(&self, path: &str) -> Result<String, String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| "no such file or directory".to_string())
    }
}

/// The host of all tests and examples: the variables and files the docs mention.
pub fn host() -> FakeHost {
    let mut vars = BTreeMap::new();
    vars.insert("DEPLOY_REGION".to_string(), "northeurope".to_string());
    vars.insert("PG_PASSWORD".to_string(), "hunter2-from-env".to_string());
    vars.insert("EMPTY".to_string(), String::new());
    let mut files = BTreeMap::new();
    files.insert("files/greeting.txt".to_string(), "hello\n".to_string());
    FakeHost { vars, files }
}

/// Evaluates a source expression with [`host`]; parse errors panic (they are test bugs).
pub fn eval(src: &str) -> Result<Value, CallError> {
    let host = host();
    let mut p = Parser {
        chars: src.chars().collect(),
        pos: 0,
        host: &host,
    };
    let v = p.expr()?;
    p.ws();
    assert!(
        p.pos == p.chars.len(),
        "trailing input in {src:?} at {}",
        p.pos
    );
    Ok(v)
}

/// The value of `src`, which must evaluate without error.
pub fn ok(src: &str) -> Value {
    match eval(src) {
        Ok(v) => v,
        Err(e) => panic!("{src} failed: {e}"),
    }
}

/// The error message of `src`, which must fail.
pub fn err(src: &str) -> String {
    match eval(src) {
        Ok(v) => panic!("{src} should fail, gave {v:?}"),
        Err(e) => e.to_string(),
    }
}

/// Asserts that `src` evaluates to what `expected` (a source expression) denotes.
#[track_caller]
pub fn check(src: &str, expected: &str) {
    let want = ok(expected);
    let got = ok(src);
    assert!(
        matches(&want, &got),
        "{src}\n  expected {want:?}\n  got      {got:?}"
    );
}

/// Like equality, but a `(secret)` placeholder in `expected` matches any secret.
pub fn matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Secret(e), Value::Secret(_)) if is_placeholder(e) => true,
        (Value::Secret(e), Value::Secret(a)) => matches(e, a),
        (Value::List(e), Value::List(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(e, a)| matches(e, a))
        }
        (Value::Object(e), Value::Object(a)) => {
            e.len() == a.len()
                && e.iter()
                    .zip(a)
                    .all(|((ke, ve), (ka, va))| ke == ka && matches(ve, va))
        }
        _ => expected == actual,
    }
}

const PLACEHOLDER: &str = "\u{0}(secret)";

fn is_placeholder(v: &Value) -> bool {
    v.as_str() == Some(PLACEHOLDER)
}

struct Parser<'h> {
    chars: Vec<char>,
    pos: usize,
    host: &'h FakeHost,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) {
        assert!(
            self.eat(c),
            "expected {c:?} at {} in {:?}",
            self.pos,
            self.text()
        );
    }

    fn text(&self) -> String {
        self.chars.iter().collect()
    }

    fn rest_starts_with(&self, s: &str) -> bool {
        self.text()
            .get(self.byte_pos()..)
            .is_some_and(|r| r.starts_with(s))
    }

    fn byte_pos(&self) -> usize {
        self.chars.iter().take(self.pos).map(|c| c.len_utf8()).sum()
    }

    fn expr(&mut self) -> Result<Value, CallError> {
        self.ws();
        match self.peek() {
            Some('"') => Ok(Value::String(self.string())),
            Some('[') => {
                self.pos += 1;
                let items = self.seq(']')?;
                Ok(Value::List(items))
            }
            Some('{') => self.object(),
            Some('(') if self.rest_starts_with("(secret)") => {
                self.pos += "(secret)".len();
                Ok(Value::secret(Value::str(PLACEHOLDER)))
            }
            Some(c) if c == '-' || c.is_ascii_digit() => Ok(self.number()),
            Some(c) if c.is_alphabetic() || c == '_' => self.word(),
            other => panic!("unexpected {other:?} at {} in {:?}", self.pos, self.text()),
        }
    }

    fn seq(&mut self, close: char) -> Result<Vec<Value>, CallError> {
        let mut items = Vec::new();
        if self.eat(close) {
            return Ok(items);
        }
        loop {
            items.push(self.expr()?);
            if self.eat(close) {
                return Ok(items);
            }
            self.expect(',');
        }
    }

    fn object(&mut self) -> Result<Value, CallError> {
        self.expect('{');
        let mut map = Map::new();
        if self.eat('}') {
            return Ok(Value::Object(map));
        }
        loop {
            self.ws();
            let key = if self.peek() == Some('"') {
                self.string()
            } else {
                self.ident()
            };
            self.expect('=');
            let v = self.expr()?;
            map.insert(key, v);
            if self.eat('}') {
                return Ok(Value::Object(map));
            }
            self.expect(',');
        }
    }

    fn ident(&mut self) -> String {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    fn word(&mut self) -> Result<Value, CallError> {
        let name = self.ident();
        match name.as_str() {
            "true" => return Ok(Value::Bool(true)),
            "false" => return Ok(Value::Bool(false)),
            "null" => return Ok(Value::Null),
            "unknown" => return Ok(Value::Unknown),
            _ => {}
        }
        self.expect('(');
        let args = self.seq(')')?;
        if name == "secret" {
            assert!(args.len() == 1, "secret() takes one value");
            return Ok(Value::secret(
                args.into_iter().next().unwrap_or(Value::Null),
            ));
        }
        call(&name, &args, self.host)
    }

    fn number(&mut self) -> Value {
        let start = self.pos;
        self.pos += 1;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '+' || c == '-')
        {
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        if let Ok(i) = text.parse::<i64>() {
            return Value::Int(i);
        }
        match text.parse::<f64>() {
            Ok(f) => Value::Float(f),
            Err(_) => panic!("bad number {text:?}"),
        }
    }

    fn string(&mut self) -> String {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let c = self
                .peek()
                .unwrap_or_else(|| panic!("unterminated string in {:?}", self.text()));
            self.pos += 1;
            match c {
                '"' => return out,
                '\\' => {
                    let e = self.peek().unwrap_or('\\');
                    self.pos += 1;
                    out.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        other => other,
                    });
                }
                c => out.push(c),
            }
        }
    }
}

/// Splits a call expression into its function name and evaluated arguments, without
/// calling the function.
pub fn parse_call(src: &str) -> (String, Vec<Value>) {
    let host = host();
    let mut p = Parser {
        chars: src.chars().collect(),
        pos: 0,
        host: &host,
    };
    p.ws();
    let name = p.ident();
    p.expect('(');
    let args = match p.seq(')') {
        Ok(args) => args,
        Err(e) => panic!("arguments of {src} failed: {e}"),
    };
    p.ws();
    assert!(p.pos == p.chars.len(), "trailing input in {src:?}");
    (name, args)
}
