//! What the cursor is on, found in the syntax tree of the document: a resource type, a
//! property name, a function call, a name used or declared. Hover and go to definition
//! both start here.

use infra_lang::syntax::ast::{self, Expr, ExprKind, Item, StrPart};

#[derive(Debug, PartialEq)]
pub enum Hit<'a> {
    /// The type of a `resource` / `existing` block (`azure.key_vault`).
    ResourceType(&'a str),
    /// A property name in a resource body; nested object keys give a longer path.
    Property {
        resource_type: &'a str,
        path: Vec<&'a str>,
    },
    /// The name of a function call.
    Call(&'a str),
    /// A name used in an expression.
    Ref(&'a str),
    /// `base.name`, where `base` is a name.
    Member { base: &'a str, name: &'a str },
    /// The name an item declares.
    Decl(&'a Item),
    /// The source string of a `module` block.
    ModuleSource(&'a str),
}

fn within(span: infra_lang::Span, offset: usize) -> bool {
    span.start as usize <= offset && offset <= span.end as usize
}

/// The innermost thing at `offset` (a byte offset; the position just after a word counts).
pub fn hit_at(file: &ast::File, offset: usize) -> Option<Hit<'_>> {
    let item = file.items.iter().find(|i| within(i.span(), offset))?;
    if within(item.name().span, offset) {
        return Some(Hit::Decl(item));
    }
    match item {
        Item::Param(p) => p.default.as_ref().and_then(|e| expr_hit(e, offset, None)),
        Item::Let(l) => expr_hit(&l.value, offset, None),
        Item::Output(o) => expr_hit(&o.value, offset, None),
        Item::Resource(r) => {
            if within(r.type_name.span, offset) {
                return Some(Hit::ResourceType(&r.type_name.name));
            }
            if let Some(f) = &r.for_each
                && let Some(hit) = expr_hit(&f.collection, offset, None)
            {
                return Some(hit);
            }
            attributes_hit(&r.body, offset, Some((&r.type_name.name, Vec::new())))
        }
        Item::Module(m) => {
            if within(m.source_span, offset) {
                return Some(Hit::ModuleSource(&m.source));
            }
            attributes_hit(&m.body, offset, None)
        }
        Item::Environment(e) => attributes_hit(&e.body, offset, None),
        Item::Import(i) => attributes_hit(&i.body, offset, None),
        // A parameter is not the module's item of that name.
        Item::Function(f) => expr_hit(&f.body, offset, None)
            .filter(|h| !matches!(h, Hit::Ref(n) if f.params.iter().any(|p| p.name.name == *n))),
    }
}

type Owner<'a> = Option<(&'a str, Vec<&'a str>)>;

fn attributes_hit<'a>(
    attrs: &'a [ast::Attribute],
    offset: usize,
    owner: Owner<'a>,
) -> Option<Hit<'a>> {
    let a = attrs.iter().find(|a| within(a.span, offset))?;
    let owner = owner.map(|(t, mut path)| {
        path.push(a.name.name.as_str());
        (t, path)
    });
    if within(a.name.span, offset) {
        return owner.map(|(resource_type, path)| Hit::Property {
            resource_type,
            path,
        });
    }
    expr_hit(&a.value, offset, owner)
}

/// `owner` is the property an object value is assigned to, so that its keys are properties
/// too; any other expression in between ends it.
fn expr_hit<'a>(e: &'a Expr, offset: usize, owner: Owner<'a>) -> Option<Hit<'a>> {
    if !within(e.span, offset) {
        return None;
    }
    let any = |list: &'a [Expr]| list.iter().find_map(|x| expr_hit(x, offset, None));
    match &e.kind {
        ExprKind::Ref(id) => within(id.span, offset).then_some(Hit::Ref(&id.name)),
        ExprKind::Member(base, name) => {
            if within(name.span, offset) {
                match &base.kind {
                    ExprKind::Ref(b) => Some(Hit::Member {
                        base: &b.name,
                        name: &name.name,
                    }),
                    _ => None,
                }
            } else {
                expr_hit(base, offset, None)
            }
        }
        ExprKind::Index(a, b) => expr_hit(a, offset, None).or_else(|| expr_hit(b, offset, None)),
        ExprKind::Call { name, args } => {
            if within(name.span, offset) {
                Some(Hit::Call(&name.name))
            } else {
                any(args)
            }
        }
        ExprKind::Str { parts, .. } => parts.iter().find_map(|p| match p {
            StrPart::Interp(x) => expr_hit(x, offset, None),
            StrPart::Lit(_) => None,
        }),
        // A list of objects (`access_policies = [{...}]`): its elements' keys are fields.
        ExprKind::List(items) => items
            .iter()
            .find_map(|x| expr_hit(x, offset, owner.clone())),
        ExprKind::Object(entries) | ExprKind::Tagged { entries, .. } => {
            let entry = entries.iter().find(|en| within(en.span, offset))?;
            let owner = owner.map(|(t, mut path)| {
                path.push(entry.key.name.as_str());
                (t, path)
            });
            if within(entry.key.span, offset) {
                return owner.map(|(resource_type, path)| Hit::Property {
                    resource_type,
                    path,
                });
            }
            expr_hit(&entry.value, offset, owner)
        }
        ExprKind::Unary(_, x) | ExprKind::Paren(x) => expr_hit(x, offset, owner),
        ExprKind::Binary(_, a, b) => {
            expr_hit(a, offset, None).or_else(|| expr_hit(b, offset, None))
        }
        ExprKind::Cond(c, a, b) => expr_hit(c, offset, None)
            .or_else(|| expr_hit(a, offset, owner.clone()))
            .or_else(|| expr_hit(b, offset, owner)),
        ExprKind::ListFor(c) | ExprKind::ObjectFor(c) => {
            let parts = [
                Some(&c.collection),
                c.key_expr.as_ref(),
                Some(&c.body),
                c.cond.as_ref(),
            ];
            parts
                .into_iter()
                .flatten()
                .find_map(|x| expr_hit(x, offset, None))
        }
        ExprKind::Null | ExprKind::Bool(_) | ExprKind::Int(_) | ExprKind::Float(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use infra_lang::FileId;
    use infra_lang::syntax::parse;

    const SRC: &str = "param loc: string = \"westeurope\"\n\
        let prefix = lower(\"App\")\n\
        resource kv: azure.key_vault {\n  name = \"${prefix}-kv\"\n  location = loc\n  \
        access_policies = [{ object_id = kv.uri }]\n}\n";

    fn at(needle: &str, nth: usize) -> usize {
        SRC.match_indices(needle).nth(nth).unwrap().0 + 1
    }

    #[test]
    fn finds_types_properties_calls_and_names() {
        let (file, diags) = parse(FileId(0), SRC);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(
            hit_at(&file, at("azure.key_vault", 0)),
            Some(Hit::ResourceType("azure.key_vault"))
        );
        assert_eq!(
            hit_at(&file, at("location", 0)),
            Some(Hit::Property {
                resource_type: "azure.key_vault",
                path: vec!["location"]
            })
        );
        assert_eq!(
            hit_at(&file, at("object_id", 0)),
            Some(Hit::Property {
                resource_type: "azure.key_vault",
                path: vec!["access_policies", "object_id"]
            })
        );
        assert_eq!(hit_at(&file, at("lower", 0)), Some(Hit::Call("lower")));
        assert_eq!(hit_at(&file, at("prefix", 1)), Some(Hit::Ref("prefix")));
        assert_eq!(hit_at(&file, at("loc\n", 0)), Some(Hit::Ref("loc")));
        assert_eq!(
            hit_at(&file, at("uri", 0)),
            Some(Hit::Member {
                base: "kv",
                name: "uri"
            })
        );
        assert!(matches!(
            hit_at(&file, at("prefix", 0)),
            Some(Hit::Decl(Item::Let(_)))
        ));
        assert_eq!(
            hit_at(&file, at("westeurope", 0)),
            None,
            "inside a plain string"
        );
    }
}
