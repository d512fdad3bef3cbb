//! From pest pairs to the syntax tree: statements, blocks and types. Expressions are in
//! `build_expr.rs`, strings and heredocs in `strings.rs`.
//!
//! Pest guarantees the shape of every pair, but the builder still never indexes or unwraps:
//! a grammar change that breaks an assumption yields an E0100 diagnostic, not a panic.

use super::ast::*;
use super::grammar::Rule;
use super::parser::MAX_DEPTH;
use crate::diag::{self, Diagnostic, codes};
use crate::span::{FileId, Span};
use pest::iterators::Pair;

pub(crate) type P<'i> = Pair<'i, Rule>;

/// The statement was dropped; its diagnostic is already in `Builder::diags`.
#[derive(Debug)]
pub(crate) struct Stop;

pub(crate) type Res<T> = Result<T, Stop>;

pub(crate) struct Builder {
    pub file: FileId,
    /// Offset of the statement's text in the file: pest spans are relative to it.
    pub base: usize,
    pub diags: Vec<Diagnostic>,
    /// A block of this statement lacks its `}`: the driver then does not also complain
    /// about what follows the statement on the same line.
    pub block_unclosed: bool,
    /// A heredoc ran to the end of the file: an unclosed block at EOF is its consequence.
    heredoc_unterminated: bool,
    /// Current recursion depth of the builder.
    depth: usize,
    /// The statement holds no `#` or `/`, so no comment: the only trivia a pair can end in
    /// is blanks, which [`Builder::span`] then sees in the pair's last byte.
    pub no_comments: bool,
}

impl Builder {
    pub fn new(file: FileId, base: usize) -> Builder {
        Builder {
            file,
            base,
            diags: Vec::new(),
            block_unclosed: false,
            heredoc_unterminated: false,
            depth: 0,
            no_comments: false,
        }
    }

    /// The span of a pair without the whitespace and comments pest may have skipped after
    /// its last element (a rule ending in `x*` or `x?` keeps the gap it skipped before
    /// trying `x`): for such rules the end is that of the last non-empty pair down the
    /// right edge. Other rules end on a token and their span is exact.
    pub fn span(&self, p: &P) -> Span {
        let whole = p.as_span();
        let start = whole.start();
        // Every rule of `may_end_in_trivia` ends in a child pair: when the pair's text ends
        // in a token, not trivia, that token ends the child the walk below would find.
        if self.no_comments
            && !matches!(
                whole.as_str().as_bytes().last(),
                None | Some(b' ' | b'\t' | b'\r' | b'\n')
            )
        {
            let span = Span::new(self.file, self.base + start, self.base + whole.end());
            debug_assert_eq!(span, self.walked_span(p), "{:?}", p.as_rule());
            return span;
        }
        self.walked_span(p)
    }

    /// [`Builder::span`] the long way: down the right edge to the last non-empty pair.
    fn walked_span(&self, p: &P) -> Span {
        let start = p.as_span().start();
        let mut cur = p.clone();
        while may_end_in_trivia(cur.as_rule()) {
            let Some(last) = cur
                .clone()
                .into_inner()
                .rev()
                .find(|c| c.as_span().start() < c.as_span().end())
            else {
                break;
            };
            cur = last;
        }
        let end = cur.as_span().end().max(start);
        Span::new(self.file, self.base + start, self.base + end)
    }

    pub fn children<'i>(&self, p: P<'i>) -> pest::iterators::Pairs<'i, Rule> {
        p.into_inner()
    }

    pub fn ident(&self, p: &P) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            span: self.span(p),
        }
    }

    /// A pair the grammar should have produced was missing: a bug, reported, not a panic.
    pub fn malformed(&mut self, span: Span, what: &str) -> Stop {
        self.diags.push(Diagnostic::error(
            codes::SYNTAX,
            format!("malformed {what}"),
            span,
        ));
        Stop
    }

    pub fn too_deep(&mut self, span: Span) -> Stop {
        self.diags
            .push(diag::syntax::too_deep(span, Some(MAX_DEPTH)));
        Stop
    }

    /// Called on entry to each recursive builder step. Nesting deeper than [`MAX_DEPTH`] is
    /// refused on the way down: every nested expression adds at least one level to the
    /// tree's height, which would be refused anyway. The stack this needs is bounded by the
    /// scan in `depth.rs`, which picks the thread the statement is built on.
    pub fn enter(&mut self, span: Span) -> Res<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.too_deep(span));
        }
        Ok(())
    }

    pub fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    pub fn note_unterminated_heredoc(&mut self) {
        self.heredoc_unterminated = true;
    }

    pub fn statement(&mut self, p: P) -> Res<Item> {
        let span = self.span(&p);
        let Some(inner) = self.children(p).next() else {
            return Err(self.malformed(span, "statement"));
        };
        if inner.as_rule() == Rule::fn_stmt {
            return self.function(inner).map(Item::Function);
        }
        let span = self.span(&inner);
        let rule = inner.as_rule();
        let mut name = None;
        let mut ty = None;
        let mut type_name = None;
        let mut value = None;
        let mut for_each = None;
        let mut body = None;
        let mut source = None;
        let mut type_ref = false;
        for c in self.children(inner) {
            match c.as_rule() {
                Rule::ident | Rule::env_name if name.is_none() => name = Some(self.ident(&c)),
                Rule::kw_import => name = Some(self.ident(&c)),
                Rule::type_expr => ty = Some(self.type_expr(c, 0)?),
                Rule::type_named => type_name = Some(self.ident(&c)),
                Rule::expr => value = Some(self.expr(c)?.0),
                Rule::for_each => for_each = Some(self.for_each(c)?),
                Rule::body => body = Some(self.body(c)?),
                Rule::string if rule == Rule::module_stmt => {
                    source = Some(self.plain_string(c, "a module source")?)
                }
                Rule::string => {
                    let (text, span) = self.plain_string(c, "a resource type reference")?;
                    type_name = Some(Ident { name: text, span });
                    type_ref = true;
                }
                _ => {}
            }
        }
        let Some(name) = name else {
            return Err(self.malformed(span, "statement name"));
        };
        let item = match rule {
            Rule::param_stmt => {
                let Some(ty) = ty else {
                    return Err(self.malformed(span, "param"));
                };
                Item::Param(Param {
                    name,
                    ty,
                    default: value,
                    span,
                })
            }
            Rule::let_stmt => {
                let Some(value) = value else {
                    return Err(self.malformed(span, "let"));
                };
                Item::Let(Let { name, value, span })
            }
            Rule::resource_stmt | Rule::existing_stmt => {
                let (Some(type_name), Some(body)) = (type_name, body) else {
                    return Err(self.malformed(span, "resource"));
                };
                let existing = rule == Rule::existing_stmt;
                Item::Resource(Resource {
                    existing,
                    name,
                    type_name,
                    type_ref,
                    for_each,
                    body,
                    span,
                })
            }
            Rule::module_stmt => {
                let (Some((source, source_span)), Some(body)) = (source, body) else {
                    return Err(self.malformed(span, "module"));
                };
                Item::Module(Module {
                    name,
                    source,
                    source_span,
                    body,
                    span,
                })
            }
            Rule::output_stmt => {
                let Some(value) = value else {
                    return Err(self.malformed(span, "output"));
                };
                Item::Output(Output {
                    name,
                    ty,
                    value,
                    span,
                })
            }
            Rule::env_stmt => {
                let Some(body) = body else {
                    return Err(self.malformed(span, "environment"));
                };
                Item::Environment(Environment { name, body, span })
            }
            Rule::import_stmt => {
                let Some(body) = body else {
                    return Err(self.malformed(span, "import"));
                };
                Item::Import(Import {
                    keyword: name,
                    body,
                    span,
                })
            }
            _ => return Err(self.malformed(span, "statement")),
        };
        if self.heredoc_unterminated {
            // The missing `}` at EOF is a consequence of the heredoc swallowing the file.
            self.diags.retain(|d| {
                !(d.code == codes::SYNTAX && d.message.starts_with("expected `}` to close"))
            });
        }
        Ok(item)
    }

    /// `fn name(a: T, ...)[: T] = body`
    fn function(&mut self, p: P) -> Res<Function> {
        let span = self.span(&p);
        let mut name = None;
        let mut params = Vec::new();
        let mut ret = None;
        let mut body = None;
        for c in self.children(p) {
            match c.as_rule() {
                Rule::ident => name = Some(self.ident(&c)),
                Rule::fn_param => {
                    let pspan = self.span(&c);
                    let mut pname = None;
                    let mut ty = None;
                    for x in self.children(c) {
                        match x.as_rule() {
                            Rule::ident => pname = Some(self.ident(&x)),
                            Rule::type_expr => ty = Some(self.type_expr(x, 0)?),
                            _ => {}
                        }
                    }
                    let (Some(name), Some(ty)) = (pname, ty) else {
                        return Err(self.malformed(pspan, "function parameter"));
                    };
                    params.push(FnParam { name, ty });
                }
                Rule::type_expr => ret = Some(self.type_expr(c, 0)?),
                Rule::expr => body = Some(self.expr(c)?.0),
                _ => {}
            }
        }
        let (Some(name), Some(body)) = (name, body) else {
            return Err(self.malformed(span, "function"));
        };
        Ok(Function {
            name,
            params,
            ret,
            body,
            span,
        })
    }

    fn for_each(&mut self, p: P) -> Res<ForEach> {
        let span = self.span(&p);
        let mut names = Vec::new();
        let mut collection = None;
        for c in self.children(p) {
            match c.as_rule() {
                Rule::ident => names.push(self.ident(&c)),
                Rule::for_coll => collection = Some(self.expr(c)?.0),
                _ => {}
            }
        }
        let (Some(value), Some(collection)) = (names.pop(), collection) else {
            return Err(self.malformed(span, "for"));
        };
        Ok(ForEach {
            key: names.pop(),
            value,
            collection,
            span,
        })
    }

    /// `{ attr* }` of a resource, module or environment. A block cut short by the next
    /// statement or the end of the file is reported at its `{`, and its attributes kept.
    fn body(&mut self, p: P) -> Res<Vec<Attribute>> {
        let mut attrs = Vec::new();
        let mut open = None;
        let mut content_end = None;
        for c in self.children(p) {
            match c.as_rule() {
                Rule::lbrace => {
                    let s = self.span(&c);
                    open = Some(s);
                    content_end = Some(s.end);
                }
                Rule::attr => {
                    let a = self.attr(c)?;
                    content_end = Some(a.span.end);
                    attrs.push(a);
                }
                Rule::comma => content_end = Some(self.span(&c).end),
                Rule::missing_close => {
                    if let (Some(open), Some(end)) = (open, content_end) {
                        let at = Span {
                            start: end,
                            end,
                            ..open
                        };
                        self.diags
                            .push(diag::syntax::unclosed(at, open, '{', '}', "block"));
                        self.block_unclosed = true;
                    }
                }
                _ => {}
            }
        }
        attrs.shrink_to_fit();
        Ok(attrs)
    }

    fn attr(&mut self, p: P) -> Res<Attribute> {
        let span = self.span(&p);
        let mut name = None;
        let mut value = None;
        for c in self.children(p) {
            match c.as_rule() {
                Rule::word => name = Some(self.ident(&c)),
                Rule::expr => value = Some(self.expr(c)?.0),
                _ => {}
            }
        }
        let (Some(name), Some(value)) = (name, value) else {
            return Err(self.malformed(span, "attribute"));
        };
        Ok(Attribute { name, value, span })
    }

    pub fn type_expr(&mut self, p: P, depth: usize) -> Res<TypeExpr> {
        let span = self.span(&p);
        if depth > MAX_DEPTH {
            return Err(self.too_deep(span));
        }
        self.enter(span)?;
        let r = self.type_expr_inner(p, span, depth);
        self.leave();
        r
    }

    fn type_expr_inner(&mut self, p: P, span: Span, depth: usize) -> Res<TypeExpr> {
        let Some(inner) = self.children(p).next() else {
            return Err(self.malformed(span, "type"));
        };
        let kind = match inner.as_rule() {
            Rule::type_named => TypeExprKind::Named(inner.as_str().to_string()),
            Rule::type_generic => {
                let text: String = inner.as_str().split_whitespace().collect();
                TypeExprKind::Named(text)
            }
            Rule::type_enum => {
                let mut values = Vec::new();
                for c in self.children(inner) {
                    if c.as_rule() == Rule::string {
                        values.push(self.plain_string(c, "an enum value")?.0);
                    }
                }
                TypeExprKind::Enum(values)
            }
            Rule::type_list | Rule::type_map => {
                let is_list = inner.as_rule() == Rule::type_list;
                let Some(elem) = self
                    .children(inner)
                    .find(|c| c.as_rule() == Rule::type_expr)
                else {
                    return Err(self.malformed(span, "type"));
                };
                let elem = Box::new(self.type_expr(elem, depth + 1)?);
                if is_list {
                    TypeExprKind::List(elem)
                } else {
                    TypeExprKind::Map(elem)
                }
            }
            Rule::type_object => {
                let mut fields = Vec::new();
                for f in self
                    .children(inner)
                    .filter(|c| c.as_rule() == Rule::type_field)
                {
                    fields.push(self.type_field(f, depth)?);
                }
                TypeExprKind::Object(fields)
            }
            _ => return Err(self.malformed(span, "type")),
        };
        Ok(TypeExpr { kind, span })
    }

    fn type_field(&mut self, p: P, depth: usize) -> Res<TypeField> {
        let span = self.span(&p);
        let mut name = None;
        let mut optional = false;
        let mut ty = None;
        for c in self.children(p) {
            match c.as_rule() {
                Rule::word => name = Some(self.ident(&c)),
                Rule::optional => optional = true,
                Rule::type_expr => ty = Some(self.type_expr(c, depth + 1)?),
                _ => {}
            }
        }
        let (Some(name), Some(ty)) = (name, ty) else {
            return Err(self.malformed(span, "field"));
        };
        Ok(TypeField { name, optional, ty })
    }
}

/// Whether pest's stack guard still sees enough room (it refuses below 64 KiB).
/// Rules whose last element is optional or repeated, or is such a rule.
fn may_end_in_trivia(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::statement
            | Rule::param_stmt
            | Rule::let_stmt
            | Rule::output_stmt
            | Rule::fn_stmt
            | Rule::fn_param
            | Rule::for_each
            | Rule::for_coll
            | Rule::for_vars
            | Rule::for_if
            | Rule::attr
            | Rule::entry
            | Rule::expr
            | Rule::operand
            | Rule::operand_nt
            | Rule::ternary
            | Rule::named
            | Rule::named_nt
            | Rule::type_expr
            | Rule::type_enum
            | Rule::type_field
    )
}
