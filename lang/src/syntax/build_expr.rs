//! Expressions. The grammar hands over flat operator chains (`a + b * c` is three operands
//! and two operators); they are folded here by precedence without recursion, and every
//! builder returns the height of the tree it built so that a chain of ten thousand `+`
//! is refused (E0100) before it becomes a tree too deep to walk or even to drop.

use super::ast::*;
use super::build::{Builder, P, Res};
use super::grammar::Rule;
use super::parser::MAX_DEPTH;
use crate::diag;
use crate::span::Span;

/// An expression and the height of its tree.
pub(crate) type Built = (Expr, usize);

impl Builder {
    /// `expr`, `for_coll`: operands joined by infix operators, then `? :` arms.
    pub fn expr(&mut self, p: P) -> Res<Built> {
        let span = self.span(&p);
        self.enter(span)?;
        let r = self.expr_inner(p, span);
        self.leave();
        r
    }

    /// `c0 ? t1 : c1 ? t2 : e` arrives as the chain `c0` and the arms `(t1, c1)`, `(t2, e)`;
    /// the arms are folded from the right (`? :` is right-associative) in a loop, so an
    /// else-if chain of any length costs no recursion, here or in pest.
    fn expr_inner(&mut self, p: P, span: Span) -> Res<Built> {
        let mut head = Vec::new();
        let mut arms = Vec::new();
        for c in self.children(p) {
            if c.as_rule() == Rule::ternary {
                arms.push(c);
            } else {
                head.push(c);
            }
        }
        let mut conds = vec![self.chain(head, span)?];
        let mut thens = Vec::new();
        for arm in arms {
            let (then, els) = self.arm(arm)?;
            thens.push(then);
            conds.push(els);
        }
        let Some(mut acc) = conds.pop() else {
            return Err(self.malformed(span, "expression"));
        };
        while let (Some((then, ht)), Some((cond, hc))) = (thens.pop(), conds.pop()) {
            let (els, he) = acc;
            let span = cond.span.to(els.span);
            let h = self.height(hc.max(ht).max(he), span)?;
            acc = (
                Expr {
                    kind: ExprKind::Cond(Box::new(cond), Box::new(then), Box::new(els)),
                    span,
                },
                h,
            );
        }
        Ok(acc)
    }

    /// Operands joined by infix operators, folded by precedence (shunting-yard).
    fn chain(&mut self, pairs: Vec<P>, span: Span) -> Res<Built> {
        let mut operands: Vec<Built> = Vec::new();
        let mut ops: Vec<BinaryOp> = Vec::new();
        for c in pairs {
            match c.as_rule() {
                Rule::operand | Rule::operand_nt => {
                    let rhs = self.operand(c)?;
                    operands.push(rhs);
                }
                Rule::infix => {
                    let op = binary_op(c.as_str());
                    // Reduce while the stacked operator binds at least as tightly (left
                    // associativity).
                    while ops
                        .last()
                        .is_some_and(|top| top.precedence() >= op.precedence())
                    {
                        self.reduce(&mut operands, &mut ops)?;
                    }
                    ops.push(op);
                }
                _ => {}
            }
        }
        while !ops.is_empty() {
            self.reduce(&mut operands, &mut ops)?;
        }
        match (operands.pop(), operands.is_empty()) {
            (Some(b), true) => Ok(b),
            _ => Err(self.malformed(span, "expression")),
        }
    }

    /// One `? then : else` arm: the then-branch (a whole expression, which nests) and the
    /// else operator chain.
    #[inline(never)]
    fn arm(&mut self, t: P) -> Res<(Built, Built)> {
        let span = self.span(&t);
        let mut then = None;
        let mut rest = Vec::new();
        for c in self.children(t) {
            match c.as_rule() {
                Rule::expr if then.is_none() => then = Some(self.expr(c)?),
                Rule::operand | Rule::infix => rest.push(c),
                _ => {}
            }
        }
        let Some(then) = then else {
            return Err(self.malformed(span, "conditional"));
        };
        Ok((then, self.chain(rest, span)?))
    }

    fn reduce(&mut self, operands: &mut Vec<Built>, ops: &mut Vec<BinaryOp>) -> Res<()> {
        let (Some(op), Some((rhs, hr)), Some((lhs, hl))) =
            (ops.pop(), operands.pop(), operands.pop())
        else {
            let span = Span {
                file: self.file,
                start: self.base as u32,
                end: self.base as u32,
            };
            return Err(self.malformed(span, "operator chain"));
        };
        let span = lhs.span.to(rhs.span);
        let h = self.height(hl.max(hr), span)?;
        operands.push((
            Expr {
                kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                span,
            },
            h,
        ));
        Ok(())
    }

    /// Height of a new node over children of height `child`, refused past [`MAX_DEPTH`].
    fn height(&mut self, child: usize, span: Span) -> Res<usize> {
        if child >= MAX_DEPTH {
            Err(self.too_deep(span))
        } else {
            Ok(child + 1)
        }
    }

    /// Prefix operators, a primary, then member and index postfixes.
    fn operand(&mut self, p: P) -> Res<Built> {
        let span = self.span(&p);
        let mut prefixes = Vec::new();
        let mut cur: Option<Built> = None;
        for c in self.children(p) {
            cur = Some(match (c.as_rule(), cur.take()) {
                (Rule::prefix_op, None) => {
                    let op = if c.as_str() == "!" {
                        UnaryOp::Not
                    } else {
                        UnaryOp::Neg
                    };
                    prefixes.push((op, self.span(&c)));
                    continue;
                }
                (Rule::member | Rule::index, Some(base)) => self.postfix(base, c)?,
                (_, None) => self.primary(c)?,
                (_, Some(_)) => return Err(self.malformed(span, "expression")),
            });
        }
        match cur {
            Some(e) => self.unary(prefixes, e),
            None => Err(self.malformed(span, "expression")),
        }
    }

    #[inline(never)]
    fn unary(&mut self, prefixes: Vec<(UnaryOp, Span)>, (mut e, mut h): Built) -> Res<Built> {
        for (op, op_span) in prefixes.into_iter().rev() {
            let s = op_span.to(e.span);
            h = self.height(h, s)?;
            e = Expr {
                kind: ExprKind::Unary(op, Box::new(e)),
                span: s,
            };
        }
        Ok((e, h))
    }

    /// `.name` or `[index]` applied to `base`.
    #[inline(never)]
    fn postfix(&mut self, (e, h): Built, c: P) -> Res<Built> {
        let outer = self.span(&c);
        let is_member = c.as_rule() == Rule::member;
        let Some(inner) = self
            .children(c)
            .find(|n| matches!(n.as_rule(), Rule::word | Rule::expr))
        else {
            return Err(self.malformed(outer, "postfix"));
        };
        if is_member {
            let name = self.ident(&inner);
            let s = e.span.to(name.span);
            let h = self.height(h, s)?;
            return Ok((
                Expr {
                    kind: ExprKind::Member(Box::new(e), name),
                    span: s,
                },
                h,
            ));
        }
        let (ix, hi) = self.expr(inner)?;
        let s = e.span.to(outer);
        let h = self.height(h.max(hi), s)?;
        Ok((
            Expr {
                kind: ExprKind::Index(Box::new(e), Box::new(ix)),
                span: s,
            },
            h,
        ))
    }

    /// Dispatches to one small function per kind: in debug builds a single large match
    /// would give every recursion level the stack frame of all its arms.
    fn primary(&mut self, p: P) -> Res<Built> {
        match p.as_rule() {
            Rule::null_lit | Rule::bool_lit | Rule::number => Ok(self.literal(p)),
            Rule::string | Rule::heredoc => self.string(p),
            Rule::named | Rule::named_nt => self.named(p),
            Rule::paren => self.paren(p),
            Rule::list => self.list(p),
            Rule::object => self.object(p),
            Rule::list_for | Rule::object_for => self.comprehension(p),
            _ => {
                let span = self.span(&p);
                Err(self.malformed(span, "expression"))
            }
        }
    }

    fn literal(&mut self, p: P) -> Built {
        let span = self.span(&p);
        let text = p.as_str();
        let kind = match p.as_rule() {
            Rule::null_lit => ExprKind::Null,
            Rule::bool_lit => ExprKind::Bool(text == "true"),
            _ if text.contains(['.', 'e', 'E']) => match text.parse::<f64>() {
                Ok(v) if v.is_finite() => ExprKind::Float(v),
                _ => {
                    self.diags.push(diag::syntax::bad_number(span, text, true));
                    ExprKind::Float(0.0)
                }
            },
            _ => match text.parse::<i64>() {
                Ok(v) => ExprKind::Int(v),
                Err(_) => {
                    self.diags.push(diag::syntax::bad_number(span, text, false));
                    ExprKind::Int(0)
                }
            },
        };
        (Expr { kind, span }, 1)
    }

    fn paren(&mut self, p: P) -> Res<Built> {
        let span = self.span(&p);
        let Some(inner) = self.children(p).find(|c| c.as_rule() == Rule::expr) else {
            return Err(self.malformed(span, "parentheses"));
        };
        let (e, h) = self.expr(inner)?;
        let h = self.height(h, span)?;
        Ok((
            Expr {
                kind: ExprKind::Paren(Box::new(e)),
                span,
            },
            h,
        ))
    }

    fn list(&mut self, p: P) -> Res<Built> {
        let span = self.span(&p);
        let mut items = Vec::new();
        let mut h = 0;
        for c in self.children(p).filter(|c| c.as_rule() == Rule::expr) {
            let (e, he) = self.expr(c)?;
            h = h.max(he);
            items.push(e);
        }
        // Trees live as long as the project: no growth slack (a Vec of 1 to 3 holds 4).
        items.shrink_to_fit();
        let h = self.height(h, span)?;
        Ok((
            Expr {
                kind: ExprKind::List(items),
                span,
            },
            h,
        ))
    }

    fn object(&mut self, p: P) -> Res<Built> {
        let span = self.span(&p);
        let (entries, h) = self.entries(p)?;
        let h = self.height(h, span)?;
        Ok((
            Expr {
                kind: ExprKind::Object(entries),
                span,
            },
            h,
        ))
    }

    /// A name alone (reference), with call arguments, or with a tagged object's body.
    fn named(&mut self, p: P) -> Res<Built> {
        let span = self.span(&p);
        let mut children = self.children(p);
        let (Some(name), rest) = (children.next(), children.next()) else {
            return Err(self.malformed(span, "name"));
        };
        let name = self.ident(&name);
        let Some(rest) = rest else {
            return Ok((
                Expr {
                    kind: ExprKind::Ref(name),
                    span,
                },
                1,
            ));
        };
        let (kind, h) = if rest.as_rule() == Rule::tag_body {
            let (entries, h) = self.entries(rest)?;
            (ExprKind::Tagged { tag: name, entries }, h)
        } else {
            let mut args = Vec::new();
            let mut h = 0;
            for c in self.children(rest).filter(|c| c.as_rule() == Rule::expr) {
                let (e, he) = self.expr(c)?;
                h = h.max(he);
                args.push(e);
            }
            args.shrink_to_fit();
            (ExprKind::Call { name, args }, h)
        };
        let h = self.height(h, span)?;
        Ok((Expr { kind, span }, h))
    }

    fn entries(&mut self, p: P) -> Res<(Vec<ObjectEntry>, usize)> {
        let mut entries = Vec::new();
        let mut h = 0;
        for c in self.children(p).filter(|c| c.as_rule() == Rule::entry) {
            let (e, he) = self.entry(c)?;
            h = h.max(he);
            entries.push(e);
        }
        entries.shrink_to_fit();
        Ok((entries, h))
    }

    fn entry(&mut self, p: P) -> Res<(ObjectEntry, usize)> {
        let span = self.span(&p);
        let mut key = None;
        let mut quoted = false;
        let mut value = None;
        for c in self.children(p) {
            match c.as_rule() {
                Rule::word => key = Some(self.ident(&c)),
                Rule::string => {
                    let (name, span) = self.plain_string(c, "a quoted key")?;
                    key = Some(Ident { name, span });
                    quoted = true;
                }
                Rule::expr => value = Some(self.expr(c)?),
                _ => {}
            }
        }
        let (Some(key), Some((value, h))) = (key, value) else {
            return Err(self.malformed(span, "entry"));
        };
        Ok((
            ObjectEntry {
                key,
                quoted,
                value,
                span,
            },
            h,
        ))
    }

    /// `[for k, v in coll: body if cond]` and `{for k, v in coll: key => value if cond}`.
    fn comprehension(&mut self, p: P) -> Res<Built> {
        let span = self.span(&p);
        let is_list = p.as_rule() == Rule::list_for;
        let mut vars = Vec::new();
        let mut exprs = Vec::new();
        let mut cond = None;
        let mut h = 0;
        for c in self.children(p) {
            match c.as_rule() {
                Rule::for_vars => {
                    vars = self
                        .children(c)
                        .filter(|v| v.as_rule() == Rule::ident)
                        .map(|v| self.ident(&v))
                        .collect();
                }
                Rule::expr => {
                    let (e, he) = self.expr(c)?;
                    h = h.max(he);
                    exprs.push(e);
                }
                Rule::for_if => {
                    let Some(e) = self.children(c).find(|x| x.as_rule() == Rule::expr) else {
                        return Err(self.malformed(span, "comprehension condition"));
                    };
                    let (e, he) = self.expr(e)?;
                    h = h.max(he);
                    cond = Some(e);
                }
                _ => {}
            }
        }
        let h = self.height(h, span)?;
        let value = vars.pop();
        let key = vars.pop();
        let mut exprs = exprs.into_iter();
        let (Some(value), Some(collection)) = (value, exprs.next()) else {
            return Err(self.malformed(span, "comprehension"));
        };
        let (key_expr, body) = match (is_list, exprs.next(), exprs.next()) {
            (true, Some(body), None) => (None, body),
            (false, Some(k), Some(v)) => (Some(k), v),
            _ => return Err(self.malformed(span, "comprehension")),
        };
        let comp = Box::new(Comprehension {
            key,
            value,
            collection,
            key_expr,
            body,
            cond,
        });
        let kind = if is_list {
            ExprKind::ListFor(comp)
        } else {
            ExprKind::ObjectFor(comp)
        };
        Ok((Expr { kind, span }, h))
    }
}

fn binary_op(s: &str) -> BinaryOp {
    match s {
        "||" => BinaryOp::Or,
        "&&" => BinaryOp::And,
        "==" => BinaryOp::Eq,
        "!=" => BinaryOp::Ne,
        "<" => BinaryOp::Lt,
        "<=" => BinaryOp::Le,
        ">" => BinaryOp::Gt,
        ">=" => BinaryOp::Ge,
        "+" => BinaryOp::Add,
        "-" => BinaryOp::Sub,
        "*" => BinaryOp::Mul,
        "/" => BinaryOp::Div,
        _ => BinaryOp::Rem,
    }
}
