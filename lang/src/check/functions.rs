//! User-defined functions (`fn name(a: string): string = expr`): declared in their own
//! namespace per module, refused when named like a standard library function (E1001),
//! recursion refused with the cycle named (E1000), bodies checked against their parameters
//! only (E1002) and without the environment's effects (E1003), callees before callers so
//! that a call's result type is known; calls checked for arity and argument types like any
//! call (E0601, E0602).

use super::module::ModuleChecker;
use super::types::Ty;
use crate::diag;
use crate::span::Span;
use crate::syntax::ast::{self, Expr, ExprKind, StrPart};
use infra_provider_core::Type;
use std::collections::HashMap;
use std::sync::Arc;

/// A checked function: what a call needs.
#[derive(Debug, Clone)]
pub(crate) struct FnSig {
    pub item: Arc<ast::Function>,
    pub params: Vec<Type>,
    pub ret: Ty,
}

impl FnSig {
    fn synopsis(&self) -> String {
        let params: Vec<String> = self
            .item
            .params
            .iter()
            .zip(&self.params)
            .map(|(p, t)| format!("{}: {t}", p.name.name))
            .collect();
        format!(
            "{}({}): {}",
            self.item.name.name,
            params.join(", "),
            self.ret.ty
        )
    }
}

impl ModuleChecker<'_> {
    /// Registers a function of the module (its namespace is separate from declarations').
    pub(crate) fn declare_function(&mut self, f: &ast::Function) {
        if infra_stdlib::signature(&f.name.name).is_some() {
            self.diags.push(diag::user_functions::shadows_builtin(
                &f.name.name,
                f.name.span,
            ));
            return;
        }
        if let Some(first) = self.functions.get(&f.name.name) {
            let first = first.item.name.span;
            self.diags.push(diag::user_functions::duplicate_function(
                &f.name.name,
                f.name.span,
                first,
            ));
            return;
        }
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for p in &f.params {
            if let Some(&first) = seen.get(p.name.name.as_str()) {
                self.diags.push(diag::user_functions::duplicate_param(
                    &p.name.name,
                    p.name.span,
                    first,
                ));
            }
            seen.insert(&p.name.name, p.name.span);
        }
        self.functions.insert(
            f.name.name.clone(),
            FnSig {
                item: Arc::new(f.clone()),
                params: Vec::new(),
                ret: Ty::any(),
            },
        );
    }

    /// Checks every function body, callees first; reports each call cycle once.
    pub(crate) fn check_functions(&mut self) {
        let mut names: Vec<String> = self.functions.keys().cloned().collect();
        names.sort_by_key(|n| self.functions.get(n).map(|f| f.item.span.start));
        let index: HashMap<&str, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        let calls: Vec<Vec<(usize, Span)>> = names
            .iter()
            .map(|n| match self.functions.get(n) {
                Some(f) => calls_in(&f.item.body)
                    .into_iter()
                    .filter_map(|(name, span)| index.get(name).map(|&i| (i, span)))
                    .collect(),
                None => Vec::new(),
            })
            .collect();
        let (order, cycles) = callees_first(&calls);
        for (cycle, span) in cycles {
            let path: Vec<&str> = cycle
                .iter()
                .filter_map(|&i| names.get(i).map(String::as_str))
                .collect();
            self.diags
                .push(diag::user_functions::recursion(&path, span));
        }
        for i in order {
            if let Some(name) = names.get(i) {
                self.check_function(name);
            }
        }
    }

    fn check_function(&mut self, name: &str) {
        let Some(item) = self.functions.get(name).map(|f| Arc::clone(&f.item)) else {
            return;
        };
        let params: Vec<Type> = item
            .params
            .iter()
            .map(|p| self.convert_type(&p.ty))
            .collect();
        let ret_declared = item.ret.as_ref().map(|t| self.convert_type(t));
        let outer_locals = std::mem::take(&mut self.locals);
        let outer_fn = self.in_function.replace(Arc::clone(&item));
        for (p, t) in item.params.iter().zip(&params) {
            self.locals
                .push((p.name.name.clone(), Ty::of(t.clone()), false));
        }
        self.secret_origin = None;
        let ret = match &ret_declared {
            Some(t) => {
                let got = self.check_value(&item.body, t);
                Ty {
                    ty: t.clone(),
                    secret: got.secret || Ty::of(t.clone()).secret,
                }
            }
            None => self.infer(&item.body),
        };
        self.locals = outer_locals;
        self.in_function = outer_fn;
        if let Some(f) = self.functions.get_mut(name) {
            f.params = params;
            f.ret = ret;
        }
    }

    /// A reference inside a function body that is not one of its parameters (nor a
    /// comprehension variable): refused, functions see nothing else.
    pub(crate) fn outside_reference(&mut self, id: &ast::Ident) -> bool {
        let Some(f) = &self.in_function else {
            return false;
        };
        let params: Vec<String> = f.params.iter().map(|p| p.name.name.clone()).collect();
        let d = diag::user_functions::outside_name(&f.name.name, &id.name, id.span, &params);
        self.diags.push(d);
        true
    }

    /// The type of a call to a user-defined function, or `None` when `name` is not one.
    pub(crate) fn infer_user_call(
        &mut self,
        name: &ast::Ident,
        args: &[Expr],
        span: Span,
    ) -> Option<Ty> {
        let found = self.functions.get(&name.name);
        self.note_function(&name.name, found.is_some());
        let sig = found?.clone();
        let expected = sig.item.params.len();
        if args.len() != expected {
            self.diags.push(diag::functions::arg_count(
                &name.name,
                &expected.to_string(),
                args.len(),
                span,
                &sig.synopsis(),
            ));
        }
        let mut secret = sig.ret.secret;
        for (i, arg) in args.iter().enumerate() {
            let t = self.infer(arg);
            secret |= t.secret;
            if let Some(want) = sig.params.get(i)
                && !t.ty.assignable_to(want)
            {
                self.diags.push(diag::functions::arg_type(
                    &name.name,
                    i + 1,
                    &want.to_string(),
                    &t.ty.to_string(),
                    arg.span,
                ));
            }
        }
        Some(Ty {
            ty: sig.ret.ty.clone(),
            secret,
        })
    }

    /// Inside a function body, a standard library function with effects is refused.
    pub(crate) fn refuse_impure(&mut self, sig: &infra_stdlib::Signature, span: Span) {
        if let Some(f) = &self.in_function
            && sig.family == "environment"
        {
            let d = diag::user_functions::impure_call(&f.name.name, sig.name, span);
            self.diags.push(d);
        }
    }
}

/// Every call in `e` by name, with the callee's span. An explicit stack: bodies are walked
/// before any depth is checked.
fn calls_in(e: &Expr) -> Vec<(&str, Span)> {
    let mut out = Vec::new();
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match &e.kind {
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Ref(_) => {}
            ExprKind::Str { parts, .. } => stack.extend(parts.iter().filter_map(|p| match p {
                StrPart::Interp(x) => Some(x),
                StrPart::Lit(_) => None,
            })),
            ExprKind::List(items) => stack.extend(items),
            ExprKind::Object(entries) | ExprKind::Tagged { entries, .. } => {
                stack.extend(entries.iter().map(|en| &en.value))
            }
            ExprKind::Member(x, _) | ExprKind::Unary(_, x) | ExprKind::Paren(x) => stack.push(x),
            ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
                stack.push(a);
                stack.push(b);
            }
            ExprKind::Cond(a, b, c) => stack.extend([&**a, &**b, &**c]),
            ExprKind::Call { name, args } => {
                out.push((name.name.as_str(), name.span));
                stack.extend(args);
            }
            ExprKind::ListFor(c) | ExprKind::ObjectFor(c) => {
                stack.push(&c.collection);
                stack.push(&c.body);
                stack.extend(c.key_expr.iter());
                stack.extend(c.cond.iter());
            }
        }
    }
    out.sort_by_key(|(_, s)| s.start);
    out
}

/// A cycle: the functions in call order (first repeated last) and the call closing it.
type Cycle = (Vec<usize>, Span);

/// Functions ordered callees first (iterative depth-first search), and every cycle found
/// through a call back into a function still being visited.
fn callees_first(calls: &[Vec<(usize, Span)>]) -> (Vec<usize>, Vec<Cycle>) {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let n = calls.len();
    let mut mark = vec![Mark::New; n];
    let mut order = Vec::with_capacity(n);
    let mut cycles = Vec::new();
    for root in 0..n {
        if mark.get(root) != Some(&Mark::New) {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        mark[root] = Mark::Active;
        while let Some((f, next)) = stack.last_mut() {
            let f = *f;
            let Some(&(callee, span)) = calls.get(f).and_then(|c| c.get(*next)) else {
                mark[f] = Mark::Done;
                order.push(f);
                stack.pop();
                continue;
            };
            *next += 1;
            match mark.get(callee) {
                Some(Mark::New) => {
                    mark[callee] = Mark::Active;
                    stack.push((callee, 0));
                }
                Some(Mark::Active) => {
                    let from = stack.iter().position(|(g, _)| *g == callee).unwrap_or(0);
                    let mut path: Vec<usize> = stack[from..].iter().map(|(g, _)| *g).collect();
                    path.push(callee);
                    cycles.push((path, span));
                }
                _ => {}
            }
        }
    }
    (order, cycles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callees_come_first_and_cycles_are_named_in_call_order() {
        let s = Span::default();
        // 0 calls 1, 1 calls 2, 2 calls 1; 3 calls itself.
        let calls = vec![vec![(1, s)], vec![(2, s)], vec![(1, s)], vec![(3, s)]];
        let (order, cycles) = callees_first(&calls);
        assert_eq!(order, vec![2, 1, 0, 3]);
        let paths: Vec<Vec<usize>> = cycles.into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, vec![vec![1, 2, 1], vec![3, 3]]);
    }
}
