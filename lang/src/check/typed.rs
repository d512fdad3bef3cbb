//! Resources declared by an ARM type reference (`"Microsoft.Web/sites@2025-03-01"`): the
//! reference itself, placement, and the body against the rich type, at every depth of literal
//! objects and lists. Non-literal values are checked by their inferred type only.

use super::module::ModuleChecker;
use super::properties::META;
use super::types::Ty;
use crate::diag::{self, typed as d};
use crate::span::Span;
use crate::syntax::ast::{self, Expr, ExprKind, Ident, StrPart, UnaryOp};
use infra_provider_core::Type;
use infra_provider_core::typed::{
    Placement, Resolution, TypeDef, TypeIdx, TypeProp, TypedSchema, flags,
};
use std::sync::Arc;

/// The attributes that place a typed resource; never part of the body.
pub(crate) const PLACEMENT: [&str; 3] = ["resource_group", "parent", "scope"];

/// The object being checked: how messages name it, whether required properties are due, and
/// whether secrets may flow into it.
#[derive(Clone, Copy)]
struct Obj<'a> {
    owner: &'a str,
    path: &'a str,
    span: Span,
    require: bool,
    accepts_secret: bool,
}

/// One `key = value` of a literal object or of the resource body.
struct Entry<'e> {
    key: &'e Ident,
    value: &'e Expr,
}

impl ModuleChecker<'_> {
    /// Diagnostics of the reference itself; the rich type when it resolved.
    pub(crate) fn resolve_type_ref(&mut self, r: &ast::Resource) -> Option<Arc<TypedSchema>> {
        let resolution = self.schemas.resolution(&r.type_name.name)?;
        let span = r.type_name.span;
        match &*resolution {
            Resolution::Found(t) => Some(t.clone()),
            Resolution::NearestVersion {
                requested,
                used,
                schema,
            } => {
                self.diags
                    .push(d::nearest_version(&schema.type_name, requested, used, span));
                Some(schema.clone())
            }
            Resolution::UnknownType { suggestions } => {
                self.diags
                    .push(d::unknown_type(&r.type_name.name, suggestions, span));
                None
            }
            Resolution::Malformed(reason) => {
                self.diags
                    .push(d::malformed_type(&r.type_name.name, reason, span));
                None
            }
        }
    }

    /// Checks the body attributes of a typed resource (placement and meta attributes are the
    /// generic checker's) and what is missing.
    pub(crate) fn check_typed_body(&mut self, t: &TypedSchema, r: &ast::Resource) {
        let entries: Vec<Entry> = r
            .body
            .iter()
            .filter(|a| !META.contains(&a.name.name.as_str()))
            .filter(|a| !PLACEMENT.contains(&a.name.name.as_str()))
            .map(|a| Entry {
                key: &a.name,
                value: &a.value,
            })
            .collect();
        let owner = format!("`{}`", t.type_name);
        let body = Obj {
            owner: &owner,
            path: "",
            span: r.name.span,
            require: !r.existing,
            accepts_secret: false,
        };
        self.typed_object(t, t.body, &entries, &body);
        self.check_placement(t, r);
    }

    fn check_placement(&mut self, t: &TypedSchema, r: &ast::Resource) {
        let has = |n: &str| r.body.iter().any(|a| a.name.name == n);
        let wanted = match &t.placement {
            Placement::Group => Some("resource_group"),
            Placement::Child { .. } => Some("parent"),
            Placement::Extension => Some("scope"),
            Placement::Subscription | Placement::Tenant => None,
        };
        for a in &r.body {
            let n = a.name.name.as_str();
            if PLACEMENT.contains(&n) && Some(n) != wanted {
                let help = match wanted {
                    Some(w) => format!("this type is placed with `{w}`"),
                    None => "this type lives directly in the environment's subscription".into(),
                };
                self.diags.push(d::placement(
                    format!("`{}` does not take `{n}`", t.type_name),
                    a.name.span,
                    &help,
                ));
            }
        }
        let Some(w) = wanted else {
            if t.placement == Placement::Tenant {
                self.diags.push(d::placement(
                    format!("`{}` is a tenant or management-group type", t.type_name),
                    r.type_name.span,
                    "infra places resources in a subscription; declare it with `azure.resource` and `parent_id`",
                ));
            }
            return;
        };
        if !has(w) {
            let (what, help) = match &t.placement {
                Placement::Child { parent_type } => (
                    format!("`{}` is a child type and needs `parent`", t.type_name),
                    format!("add `parent = <a {parent_type} resource>`"),
                ),
                Placement::Extension => (
                    format!("`{}` is an extension type and needs `scope`", t.type_name),
                    "add `scope = <the resource or group it applies to>`".to_string(),
                ),
                _ => (
                    format!(
                        "`{}` lives in a resource group and needs `resource_group`",
                        t.type_name
                    ),
                    "add `resource_group = <group>`".to_string(),
                ),
            };
            self.diags.push(d::placement(what, r.name.span, &help));
        }
    }

    /// Entries of an object (or of the body) against an object or discriminated type.
    fn typed_object(&mut self, t: &TypedSchema, idx: TypeIdx, entries: &[Entry], o: &Obj) -> bool {
        let Obj {
            owner,
            path,
            span,
            require,
            accepts_secret,
        } = *o;
        let (props, additional): (Vec<&TypeProp>, Option<TypeIdx>) = match t.get(idx) {
            TypeDef::Object {
                props, additional, ..
            } => (props.iter().collect(), *additional),
            TypeDef::Discriminated {
                discriminator,
                base,
                elements,
                ..
            } => {
                let mut props: Vec<&TypeProp> = base.iter().collect();
                let tag = entries.iter().find(|e| e.key.name == *discriminator);
                let chosen = tag.and_then(|e| literal_text(e.value).map(|v| (v, e.value.span)));
                match chosen {
                    Some((v, vspan)) => match elements.iter().find(|(k, _)| *k == v) {
                        Some((_, el)) => {
                            if let TypeDef::Object { props: more, .. } = t.get(*el) {
                                props.extend(more.iter());
                            }
                        }
                        None => {
                            let allowed: Vec<String> =
                                elements.iter().map(|(k, _)| k.clone()).collect();
                            let at = join(path, discriminator);
                            self.diags
                                .push(d::unknown_variant(&at, &v, &allowed, vspan));
                            return self.infer_all(entries);
                        }
                    },
                    None if tag.is_none() && require => {
                        let where_ = place(owner, path);
                        self.diags
                            .push(d::missing(&where_, &[discriminator.as_str()], span));
                        return self.infer_all(entries);
                    }
                    // The variant is computed: the entries cannot be told apart here.
                    None => return self.infer_all(entries),
                }
                (props, None)
            }
            _ => return self.infer_all(entries),
        };
        let mut secret = false;
        for e in entries {
            let at = join(path, &e.key.name);
            match props.iter().find(|p| p.name == e.key.name) {
                Some(p) if p.has(flags::READ_ONLY) => {
                    self.diags.push(d::read_only(&at, e.key.span));
                    secret |= self.infer(e.value).secret;
                }
                Some(p) => {
                    // Inside a write-only or sensitive object (`siteConfig`), secrets may go
                    // anywhere; a plain value is worth a warning only where it is a string.
                    let own = p.has(flags::WRITE_ONLY) || is_sensitive(t.get(p.ty));
                    let accepts = accepts_secret || own;
                    let got = self.typed_value(t, p.ty, e.value, &at, accepts);
                    if own && !got && is_stringish(t, t.get(p.ty)) {
                        self.diags.push(d::write_only_not_secret(&at, e.value.span));
                    }
                    secret |= got;
                }
                None => match additional {
                    Some(a) => secret |= self.typed_value(t, a, e.value, &at, accepts_secret),
                    None => {
                        let names = props
                            .iter()
                            .filter(|p| !p.has(flags::READ_ONLY))
                            .map(|p| p.name.as_str());
                        let suggestion = diag::did_you_mean(&e.key.name, names);
                        let where_ = place(owner, path);
                        self.diags.push(d::unknown_property(
                            &where_,
                            &e.key.name,
                            e.key.span,
                            suggestion,
                        ));
                        secret |= self.infer(e.value).secret;
                    }
                },
            }
        }
        if require {
            let missing: Vec<&str> = props
                .iter()
                .filter(|p| p.has(flags::REQUIRED) && !p.has(flags::READ_ONLY))
                .filter(|p| !entries.iter().any(|e| e.key.name == p.name))
                .map(|p| p.name.as_str())
                .collect();
            if !missing.is_empty() {
                let where_ = place(owner, path);
                self.diags.push(d::missing(&where_, &missing, span));
            }
        }
        secret
    }

    fn infer_all(&mut self, entries: &[Entry]) -> bool {
        let mut secret = false;
        for e in entries {
            secret |= self.infer(e.value).secret;
        }
        secret
    }

    /// One value against a rich type; returns whether it carries a secret. A secret reaching
    /// a property that is neither write-only nor sensitive is E0501, as for curated types.
    fn typed_value(
        &mut self,
        t: &TypedSchema,
        idx: TypeIdx,
        e: &Expr,
        at: &str,
        sensitive: bool,
    ) -> bool {
        let def = t.get(idx);
        match (&e.kind, def) {
            (ExprKind::Paren(inner), _) => return self.typed_value(t, idx, inner, at, sensitive),
            (_, TypeDef::Any) => return self.leaf(t, e, None, at, sensitive),
            (ExprKind::Object(entries), TypeDef::Object { .. } | TypeDef::Discriminated { .. }) => {
                let entries: Vec<Entry> = entries
                    .iter()
                    .map(|x| Entry {
                        key: &x.key,
                        value: &x.value,
                    })
                    .collect();
                let obj = Obj {
                    owner: "",
                    path: at,
                    span: e.span,
                    require: true,
                    accepts_secret: sensitive,
                };
                return self.typed_object(t, idx, &entries, &obj);
            }
            (
                ExprKind::List(items),
                TypeDef::Array {
                    item,
                    min_len,
                    max_len,
                },
            ) => {
                let len = items.len() as u64;
                if min_len.is_some_and(|m| len < m) || max_len.is_some_and(|m| len > m) {
                    self.diags
                        .push(d::length(at, len, *min_len, *max_len, e.span));
                }
                let mut secret = false;
                for (i, x) in items.iter().enumerate() {
                    secret |= self.typed_value(t, *item, x, &format!("{at}[{i}]"), sensitive);
                }
                return secret;
            }
            (_, TypeDef::Union(members)) => return self.typed_union(t, members, e, at, sensitive),
            _ => {}
        }
        if let Some(found) = literal_kind(e) {
            let ok = match def {
                TypeDef::Bool => found == "a bool",
                TypeDef::Int { .. } => found == "an integer",
                TypeDef::String { .. } | TypeDef::Literal(_) => found == "a string",
                TypeDef::Array { .. } => found == "a list",
                TypeDef::Object { .. } | TypeDef::Discriminated { .. } => found == "an object",
                TypeDef::Any | TypeDef::Union(_) => true,
            };
            if found == "null" {
                return false;
            }
            if !ok {
                self.diags
                    .push(d::wrong_type(at, &describe(t, idx), found, e.span));
                return false;
            }
            self.literal_constraints(t, def, e, at);
            return false;
        }
        self.leaf(t, e, Some(coarse(def)), at, sensitive)
    }

    /// A computed value: its inferred type against the coarse expected one.
    fn leaf(
        &mut self,
        t: &TypedSchema,
        e: &Expr,
        expected: Option<Type>,
        at: &str,
        sensitive: bool,
    ) -> bool {
        self.secret_origin = None;
        let got: Ty = self.infer(e);
        if let Some(exp) = expected
            && !got.ty.assignable_to(&exp)
        {
            self.diags.push(d::wrong_type(
                at,
                &exp.to_string(),
                &got.ty.to_string(),
                e.span,
            ));
        }
        if got.secret && !sensitive {
            let origin = self.secret_origin.take();
            self.diags.push(diag::secrets::secret_to_property(
                &t.type_name,
                at,
                e.span,
                origin,
            ));
        }
        got.secret
    }

    fn literal_constraints(&mut self, t: &TypedSchema, def: &TypeDef, e: &Expr, at: &str) {
        match def {
            TypeDef::Int { min, max } => {
                if let Some(v) = literal_int(e)
                    && (min.is_some_and(|m| v < m) || max.is_some_and(|m| v > m))
                {
                    self.diags.push(d::range(at, v, *min, *max, e.span));
                }
            }
            TypeDef::String {
                min_len,
                max_len,
                pattern,
                ..
            } => {
                let Some(v) = literal_text(e) else { return };
                let len = v.chars().count() as u64;
                if min_len.is_some_and(|m| len < m) || max_len.is_some_and(|m| len > m) {
                    self.diags
                        .push(d::length(at, len, *min_len, *max_len, e.span));
                }
                if let Some(p) = pattern
                    && (t.matcher.0)(p, &v) == Some(false)
                {
                    self.diags.push(d::pattern(at, &v, p, e.span));
                }
            }
            TypeDef::Literal(want) => {
                if let Some(v) = literal_text(e)
                    && v != *want
                {
                    self.diags.push(d::not_allowed(
                        at,
                        &v,
                        std::slice::from_ref(want),
                        false,
                        e.span,
                    ));
                }
            }
            _ => {}
        }
    }

    /// Enums (unions of literals, open when a plain string is a member) and other unions.
    fn typed_union(
        &mut self,
        t: &TypedSchema,
        members: &[TypeIdx],
        e: &Expr,
        at: &str,
        sensitive: bool,
    ) -> bool {
        let literals: Vec<String> = members
            .iter()
            .filter_map(|m| match t.get(*m) {
                TypeDef::Literal(v) => Some(v.clone()),
                _ => None,
            })
            .collect();
        let open = members
            .iter()
            .any(|m| matches!(t.get(*m), TypeDef::String { .. } | TypeDef::Any));
        if let Some(v) = literal_text(e) {
            if !literals.is_empty() && !literals.contains(&v) {
                // ARM compares enum values case-insensitively: a case slip is not an error.
                let case_only = literals.iter().any(|l| l.eq_ignore_ascii_case(&v));
                if !case_only {
                    self.diags
                        .push(d::not_allowed(at, &v, &literals, open, e.span));
                }
            } else if literals.is_empty() && !open && !members.is_empty() {
                self.diags.push(d::wrong_type(
                    at,
                    &describe_union(t, members),
                    "a string",
                    e.span,
                ));
            }
            return false;
        }
        let Some(found) = literal_kind(e) else {
            return self.leaf(t, e, None, at, sensitive);
        };
        let fits = |def: &TypeDef| match def {
            TypeDef::Bool => found == "a bool",
            TypeDef::Int { .. } => found == "an integer",
            TypeDef::Array { .. } => found == "a list",
            TypeDef::Object { .. } | TypeDef::Discriminated { .. } => found == "an object",
            TypeDef::Any => true,
            _ => false,
        };
        match members.iter().find(|m| fits(t.get(**m))) {
            Some(m) => self.typed_value(t, *m, e, at, sensitive),
            None if found == "null" => false,
            None => {
                self.diags.push(d::wrong_type(
                    at,
                    &describe_union(t, members),
                    found,
                    e.span,
                ));
                false
            }
        }
    }
}

/// How a message names the object at `path`: the resource's type at the top, else the path.
fn place(owner: &str, path: &str) -> String {
    if path.is_empty() {
        owner.to_string()
    } else {
        format!("`{path}`")
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn is_stringish(t: &TypedSchema, def: &TypeDef) -> bool {
    match def {
        TypeDef::String { .. } | TypeDef::Literal(_) => true,
        TypeDef::Union(m) => m.iter().all(|x| is_stringish(t, t.get(*x))),
        _ => false,
    }
}

fn is_sensitive(def: &TypeDef) -> bool {
    matches!(
        def,
        TypeDef::String {
            sensitive: true,
            ..
        } | TypeDef::Object {
            sensitive: true,
            ..
        }
    )
}

/// The text of a string literal without interpolation.
fn literal_text(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Str { parts, .. } => {
            let mut out = String::new();
            for p in parts {
                match p {
                    StrPart::Lit(s) => out.push_str(s),
                    StrPart::Interp(_) => return None,
                }
            }
            Some(out)
        }
        ExprKind::Paren(inner) => literal_text(inner),
        _ => None,
    }
}

fn literal_int(e: &Expr) -> Option<i64> {
    match &e.kind {
        ExprKind::Int(v) => Some(*v),
        ExprKind::Unary(UnaryOp::Neg, inner) => literal_int(inner).and_then(i64::checked_neg),
        ExprKind::Paren(inner) => literal_int(inner),
        _ => None,
    }
}

/// What a literal is, for messages; `None` for a computed value.
fn literal_kind(e: &Expr) -> Option<&'static str> {
    Some(match &e.kind {
        ExprKind::Null => "null",
        ExprKind::Bool(_) => "a bool",
        ExprKind::Int(_) => "an integer",
        ExprKind::Unary(UnaryOp::Neg, inner) if matches!(inner.kind, ExprKind::Int(_)) => {
            "an integer"
        }
        ExprKind::Float(_) => "a number",
        ExprKind::Str { .. } if literal_text(e).is_some() => "a string",
        ExprKind::List(_) => "a list",
        ExprKind::Object(_) => "an object",
        ExprKind::Paren(inner) => return literal_kind(inner),
        _ => return None,
    })
}

fn coarse(def: &TypeDef) -> Type {
    match def {
        TypeDef::Bool => Type::Bool,
        TypeDef::Int { .. } => Type::Int,
        TypeDef::String { .. } | TypeDef::Literal(_) => Type::String,
        TypeDef::Array { .. } => Type::list(Type::Any),
        _ => Type::Any,
    }
}

fn describe(t: &TypedSchema, idx: TypeIdx) -> String {
    match t.get(idx) {
        TypeDef::Any => "any value".into(),
        TypeDef::Bool => "a bool".into(),
        TypeDef::Int { .. } => "an integer".into(),
        TypeDef::String { .. } => "a string".into(),
        TypeDef::Literal(v) => format!("\"{v}\""),
        TypeDef::Union(m) => describe_union(t, m),
        TypeDef::Array { .. } => "a list".into(),
        TypeDef::Object { .. } | TypeDef::Discriminated { .. } => "an object".into(),
    }
}

fn describe_union(t: &TypedSchema, members: &[TypeIdx]) -> String {
    let mut parts: Vec<String> = members.iter().map(|m| describe(t, *m)).collect();
    parts.dedup();
    parts.join(" or ")
}
