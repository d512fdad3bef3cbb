//! References: bare names, attribute access (`pg.fqdn`, `api.identity.principal_id`,
//! `m.output`) and indexing (`record["www"]`, `names[0]`). A reference first resolves to a
//! place (a resource, a `for` resource's instances, a module, or a plain value); the place
//! decides what `.x` and `[k]` mean.

use super::DeclKind;
use super::module::ModuleChecker;
use super::types::{Ty, is_stringish};
use crate::diag;
use crate::syntax::ast::{self, Expr, ExprKind, StrPart};
use infra_provider_core::{Field, Type};

pub(crate) enum Place {
    /// One resource (or one instance of a `for` resource) of this type.
    Res(String),
    /// All instances of a `for` resource, by key.
    ResMap(String),
    /// A module block: the index of the module it uses (if it was found) and its name.
    Module(Option<usize>, String),
    Val(Ty),
}

/// The literal text of a string expression without interpolation.
pub(crate) fn literal_str(e: &Expr) -> Option<String> {
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
        ExprKind::Paren(x) => literal_str(x),
        _ => None,
    }
}

impl ModuleChecker<'_> {
    pub(crate) fn infer_place(&mut self, e: &Expr) -> Place {
        match &e.kind {
            ExprKind::Ref(id) => self.resolve(id),
            ExprKind::Member(base, name) => {
                let place = self.infer_place(base);
                self.member(place, name)
            }
            ExprKind::Index(base, index) => {
                let place = self.infer_place(base);
                self.index(place, index)
            }
            ExprKind::Paren(x) => self.infer_place(x),
            _ => Place::Val(self.infer(e)),
        }
    }

    /// The resource type of a literal collection whose elements all stand for resources of
    /// that type (`{ api = api, admin = admin }`): iterating over it binds references, so that
    /// `app.identity.principal_id` reads an attribute instead of failing on an id.
    pub(crate) fn reference_collection(&self, e: &Expr) -> Option<String> {
        let elements: Vec<&Expr> = match &e.kind {
            ExprKind::Paren(x) => return self.reference_collection(x),
            ExprKind::Object(entries) => entries.iter().map(|en| &en.value).collect(),
            ExprKind::List(items) => items.iter().collect(),
            _ => return None,
        };
        let mut found: Option<String> = None;
        for el in elements {
            let t = self.reference_type(el)?;
            if found.as_ref().is_some_and(|f| *f != t) {
                return None;
            }
            found = Some(t);
        }
        found
    }

    /// The type of a resource reference written as `name`, `name[key]` or a reference variable.
    pub(crate) fn reference_type(&self, e: &Expr) -> Option<String> {
        let (id, indexed) = match &e.kind {
            ExprKind::Paren(x) => return self.reference_type(x),
            ExprKind::Ref(id) => (id, false),
            ExprKind::Index(base, _) => match &base.kind {
                ExprKind::Ref(id) => (id, true),
                _ => return None,
            },
            _ => return None,
        };
        if let Some((_, t, is_ref)) = self.locals.iter().rev().find(|(n, _, _)| *n == id.name) {
            return match (&t.ty, is_ref, indexed) {
                (Type::Resource(type_name), true, false) => Some(type_name.clone()),
                _ => None,
            };
        }
        if self.in_function.is_some() {
            return None;
        }
        self.note_read(&id.name);
        let decl = self.decls.get(*self.by_name.get(&id.name)?)?;
        let r = decl.resource()?;
        (r.for_each.is_some() == indexed).then(|| r.type_name.name.clone())
    }

    pub(crate) fn place_type(&mut self, place: Place) -> Ty {
        match place {
            Place::Res(t) => Ty::plain(Type::Resource(t)),
            Place::ResMap(t) => Ty::plain(Type::map(Type::Resource(t))),
            Place::Module(Some(m), _) => match self.note_summary(m) {
                Some(s) => Ty {
                    ty: Type::Object(
                        s.outputs
                            .iter()
                            .map(|(k, t)| Field::required(k, t.ty.clone()))
                            .collect(),
                    ),
                    secret: s.outputs.values().any(|t| t.secret),
                },
                None => Ty::any(),
            },
            Place::Module(None, _) => Ty::any(),
            Place::Val(t) => t,
        }
    }

    fn resolve(&mut self, id: &ast::Ident) -> Place {
        if let Some((_, t, is_ref)) = self.locals.iter().rev().find(|(n, _, _)| *n == id.name) {
            return match (&t.ty, is_ref) {
                (Type::Resource(type_name), true) => Place::Res(type_name.clone()),
                _ => Place::Val(t.clone()),
            };
        }
        if self.in_environment {
            self.diags
                .push(diag::names::name_in_environment(&id.name, id.span));
            return Place::Val(Ty::any());
        }
        if self.outside_reference(id) {
            return Place::Val(Ty::any());
        }
        // Unknown names were reported while collecting references.
        self.note_read(&id.name);
        let Some(decl) = self.by_name.get(&id.name).and_then(|&d| self.decls.get(d)) else {
            return Place::Val(Ty::any());
        };
        match decl.kind {
            DeclKind::Resource | DeclKind::Existing => match decl.resource() {
                Some(r) if r.for_each.is_some() => Place::ResMap(r.type_name.name.clone()),
                Some(r) => Place::Res(r.type_name.name.clone()),
                None => Place::Val(Ty::any()),
            },
            DeclKind::Module => Place::Module(decl.child, decl.name.clone()),
            DeclKind::Param | DeclKind::Let | DeclKind::Output => {
                let t = decl.ty.clone();
                if t.secret && self.secret_origin.is_none() {
                    self.secret_origin = Some((id.span, format!("`{}`", id.name)));
                }
                Place::Val(t)
            }
        }
    }

    fn member(&mut self, place: Place, name: &ast::Ident) -> Place {
        match place {
            Place::Res(t) => Place::Val(self.resource_attribute(&t, name)),
            // `record.www` reads like `record["www"]`.
            Place::ResMap(t) => Place::Res(t),
            Place::Module(Some(m), module_name) => {
                let Some(summary) = self.note_summary(m) else {
                    return Place::Val(Ty::any());
                };
                match summary.outputs.get(&name.name) {
                    Some(t) => {
                        let t = t.clone();
                        if t.secret && self.secret_origin.is_none() {
                            self.secret_origin =
                                Some((name.span, format!("`{module_name}.{}`", name.name)));
                        }
                        Place::Val(t)
                    }
                    None => {
                        let suggestion = diag::did_you_mean(
                            &name.name,
                            summary.outputs.keys().map(String::as_str),
                        );
                        self.diags.push(diag::names::unknown_attribute(
                            &format!("module {module_name}"),
                            &name.name,
                            name.span,
                            suggestion,
                        ));
                        Place::Val(Ty::any())
                    }
                }
            }
            Place::Module(None, _) => Place::Val(Ty::any()),
            Place::Val(t) => Place::Val(self.value_member(t, name)),
        }
    }

    fn resource_attribute(&mut self, type_name: &str, attr: &ast::Ident) -> Ty {
        // An unknown type was reported at its declaration.
        let Some(schema) = self.schemas.get(type_name) else {
            return Ty::any();
        };
        if let Some(p) = schema.properties.get(&attr.name) {
            let t = Ty {
                ty: p.read_type().clone(),
                secret: p.secret,
            };
            if t.secret && self.secret_origin.is_none() {
                self.secret_origin =
                    Some((attr.span, format!("the secret attribute `{}`", attr.name)));
            }
            return t;
        }
        if attr.name == "id" {
            return Ty::plain(Type::String);
        }
        let candidates = schema
            .properties
            .keys()
            .map(String::as_str)
            .chain(std::iter::once("id"));
        let suggestion = diag::did_you_mean(&attr.name, candidates);
        self.diags.push(diag::names::unknown_attribute(
            type_name, &attr.name, attr.span, suggestion,
        ));
        Ty::any()
    }

    fn value_member(&mut self, t: Ty, name: &ast::Ident) -> Ty {
        let secret = t.secret;
        match &t.ty {
            Type::Any => Ty {
                ty: Type::Any,
                secret,
            },
            Type::Map(v) => Ty {
                ty: (**v).clone(),
                secret,
            },
            Type::Object(fields) => match fields.iter().find(|f| f.name == name.name) {
                Some(f) => Ty {
                    ty: f.ty.clone(),
                    secret,
                },
                None => {
                    let suggestion =
                        diag::did_you_mean(&name.name, fields.iter().map(|f| f.name.as_str()));
                    self.diags.push(diag::names::unknown_attribute(
                        &t.ty.to_string(),
                        &name.name,
                        name.span,
                        suggestion,
                    ));
                    Ty {
                        ty: Type::Any,
                        secret,
                    }
                }
            },
            Type::Resource(type_name) => {
                self.diags.push(diag::names::attribute_of_id(
                    type_name, &name.name, name.span,
                ));
                Ty {
                    ty: Type::Any,
                    secret,
                }
            }
            other => {
                self.diags.push(diag::names::unknown_attribute(
                    &other.to_string(),
                    &name.name,
                    name.span,
                    None,
                ));
                Ty {
                    ty: Type::Any,
                    secret,
                }
            }
        }
    }

    fn index(&mut self, place: Place, index: &Expr) -> Place {
        match place {
            Place::ResMap(t) => {
                let k = self.infer(index);
                if !is_stringish(&k.ty) && k.ty != Type::Any {
                    self.diags
                        .push(diag::types::type_mismatch(&Type::String, &k.ty, index.span));
                }
                Place::Res(t)
            }
            Place::Res(t) => {
                self.infer(index);
                self.diags.push(diag::types::type_error(
                    format!("`{t}` is a single resource; only `for` resources are indexed by key"),
                    index.span,
                    "cannot index a resource",
                ));
                Place::Val(Ty::any())
            }
            Place::Module(..) => {
                self.infer(index);
                self.diags.push(diag::types::type_error(
                    "a module is not indexed; read its outputs as `module.output`",
                    index.span,
                    "cannot index a module",
                ));
                Place::Val(Ty::any())
            }
            Place::Val(t) => Place::Val(self.value_index(t, index)),
        }
    }

    fn value_index(&mut self, t: Ty, index: &Expr) -> Ty {
        let k = self.infer(index);
        let secret = t.secret || k.secret;
        let expect = |want: &Type, this: &mut Self| {
            if !k.ty.assignable_to(want) || k.ty == Type::Null {
                this.diags
                    .push(diag::types::type_mismatch(want, &k.ty, index.span));
            }
        };
        match &t.ty {
            Type::Any => Ty {
                ty: Type::Any,
                secret,
            },
            Type::List(x) => {
                expect(&Type::Int, self);
                Ty {
                    ty: (**x).clone(),
                    secret,
                }
            }
            Type::Map(x) => {
                expect(&Type::String, self);
                Ty {
                    ty: (**x).clone(),
                    secret,
                }
            }
            Type::Object(fields) => {
                expect(&Type::String, self);
                match literal_str(index) {
                    Some(key) => match fields.iter().find(|f| f.name == key) {
                        Some(f) => Ty {
                            ty: f.ty.clone(),
                            secret,
                        },
                        None => {
                            let suggestion =
                                diag::did_you_mean(&key, fields.iter().map(|f| f.name.as_str()));
                            self.diags.push(diag::names::unknown_attribute(
                                &t.ty.to_string(),
                                &key,
                                index.span,
                                suggestion,
                            ));
                            Ty {
                                ty: Type::Any,
                                secret,
                            }
                        }
                    },
                    None => Ty {
                        ty: Type::Any,
                        secret,
                    },
                }
            }
            other => {
                self.diags.push(diag::types::type_error(
                    format!("cannot index into {other}"),
                    index.span,
                    "only lists, maps and objects are indexed",
                ));
                Ty {
                    ty: Type::Any,
                    secret,
                }
            }
        }
    }
}
