//! Reusing a declaration's check across runs ([`CheckCache`]): the language server checks
//! the whole project after every edit, and most declarations are then exactly what they
//! were. A declaration's type and diagnostics are kept with what its check read: its own
//! text, the other declarations it named (kind, resource type, type) and the user functions
//! it looked for. When all of these are unchanged the kept result is used, its spans moved
//! to where the declaration now starts; otherwise it is checked again.
//!
//! A check that reads something not tracked here (a module's outputs, a user function) or
//! reports a span outside its own declaration is simply not kept. Entry state matters too:
//! a declaration is reused only when checked with no secret origin pending, as when it was
//! kept.

use super::module::ModuleChecker;
use super::types::Ty;
use super::{Decl, DeclKind, ModuleSummary};
use crate::diag::Diagnostic;
use crate::span::{FileId, Span};
use infra_provider_core::Type;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A multiply-rotate hash for the slots' names (FxHash's scheme, with a final mix: the
/// table takes its bucket from the low bits, which the multiplications alone leave poor for
/// names like `r1`, `r2`...). SipHash was a tenth of a check that reuses everything; the
/// names are the user's own declarations.
#[derive(Default)]
pub(crate) struct NameHasher(u64);

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// A module's declarations by name. Every reference resolves through it, and the kept
/// checks look their reads up in it: SipHash was a tenth of a check after a rename.
pub(crate) type Names = HashMap<String, usize, NameBuild>;

/// Builds [`NameHasher`]s.
pub(crate) type NameBuild = BuildHasherDefault<NameHasher>;

/// Kept check results, per module index and declaration name. Use one cache with one
/// schema set: the schemas are not part of what is compared.
#[derive(Debug, Default)]
pub struct CheckCache {
    pub(crate) modules: HashMap<usize, ModuleMemo>,
    /// Declarations whose kept check the last run used.
    pub(crate) reused: usize,
}

impl CheckCache {
    /// How many declarations the last check took from the cache rather than checking them.
    pub fn reused(&self) -> usize {
        self.reused
    }
}

/// The kept state of one module: a slot per declaration name, apart for outputs (their own
/// namespace). Slots stay in place across runs; one no run touched is dropped.
#[derive(Debug, Default)]
pub(crate) struct ModuleMemo {
    /// Per name, the slot of the declaration and of the output (`NONE` for none).
    names: HashMap<String, [u32; 2], BuildHasherDefault<NameHasher>>,
    slots: Vec<Option<Slot>>,
    /// Slots free for reuse.
    free: Vec<u32>,
    /// This run: the slot of each declaration, by its index.
    live: Vec<u32>,
    /// Counts runs, to drop the slots of declarations that are gone.
    run: u64,
    pub reused: usize,
    /// The last dependency order found without a cycle, with what it was computed from.
    order: Option<Order>,
}

/// A module's evaluation order and its inputs: the declarations' names and edge targets,
/// each kept flat (one buffer, not one allocation per declaration: a module can have
/// thousands, and the order is kept again after every edit that changes an edge).
#[derive(Debug)]
struct Order {
    /// The names one after the other, and where each ends.
    names: String,
    name_ends: Vec<usize>,
    /// The edge targets one after the other, and where each declaration's end.
    targets: Vec<usize>,
    target_ends: Vec<usize>,
    order: Vec<usize>,
}

impl Order {
    fn new(decls: &[Decl], edges: &[Vec<(usize, Span)>], order: &[usize]) -> Order {
        let mut o = Order {
            names: String::with_capacity(decls.iter().map(|d| d.name.len()).sum()),
            name_ends: Vec::with_capacity(decls.len()),
            targets: Vec::with_capacity(edges.iter().map(Vec::len).sum()),
            target_ends: Vec::with_capacity(edges.len()),
            order: order.to_vec(),
        };
        for d in decls {
            o.names.push_str(&d.name);
            o.name_ends.push(o.names.len());
        }
        for e in edges {
            o.targets.extend(e.iter().map(|(t, _)| *t));
            o.target_ends.push(o.targets.len());
        }
        o
    }

    /// Whether the order was computed from these declarations and edges.
    fn fits(&self, decls: &[Decl], edges: &[Vec<(usize, Span)>]) -> bool {
        if self.name_ends.len() != decls.len() || self.target_ends.len() != edges.len() {
            return false;
        }
        let mut start = 0;
        for (d, &end) in decls.iter().zip(&self.name_ends) {
            if self.names.get(start..end) != Some(d.name.as_str()) {
                return false;
            }
            start = end;
        }
        let mut start = 0;
        for (e, &end) in edges.iter().zip(&self.target_ends) {
            let Some(kept) = self.targets.get(start..end) else {
                return false;
            };
            if kept.len() != e.len() || kept.iter().zip(e).any(|(a, (b, _))| a != b) {
                return false;
            }
            start = end;
        }
        true
    }
}

impl ModuleMemo {
    /// The dependency order kept for these declarations and edges, when they are the same.
    pub fn order(&self, decls: &[Decl], edges: &[Vec<(usize, Span)>]) -> Option<Vec<usize>> {
        let o = self.order.as_ref()?;
        o.fits(decls, edges).then(|| o.order.clone())
    }

    /// Keeps an order found without a cycle.
    pub fn keep_order(&mut self, decls: &[Decl], edges: &[Vec<(usize, Span)>], order: &[usize]) {
        self.order = Some(Order::new(decls, edges, order));
    }
}

impl ModuleMemo {
    /// Starts a run over the module.
    pub fn begin(&mut self) {
        self.run += 1;
        self.reused = 0;
        self.live.clear();
    }

    /// Ends a run: forgets the declarations it did not meet.
    pub fn end(&mut self) {
        let run = self.run;
        for (i, s) in self.slots.iter_mut().enumerate() {
            if s.as_ref().is_some_and(|x| x.seen != run) {
                *s = None;
                self.free.push(i as u32);
            }
        }
        let slots = &self.slots;
        self.names.retain(|_, pair| {
            for p in pair.iter_mut() {
                if slots.get(*p as usize).is_none_or(Option::is_none) {
                    *p = NONE;
                }
            }
            pair.iter().any(|p| *p != NONE)
        });
    }

    /// The slot of declaration `d` by its name (the first lookup of a run); later lookups
    /// go by `d`.
    fn find(&mut self, d: usize, decl: &Decl) -> Option<&mut Slot> {
        let i = usize::from(decl.kind == DeclKind::Output);
        let at = *self.names.get(&decl.name)?.get(i)?;
        self.set_live(d, at);
        self.slots.get_mut(at as usize)?.as_mut()
    }

    fn set_live(&mut self, d: usize, at: u32) {
        if self.live.len() <= d {
            self.live.resize(d + 1, NONE);
        }
        if let Some(x) = self.live.get_mut(d) {
            *x = at;
        }
    }

    /// The slot this run found for declaration `d`.
    fn slot(&mut self, d: usize) -> Option<&mut Slot> {
        let at = *self.live.get(d)?;
        self.slots.get_mut(at as usize)?.as_mut()
    }

    /// The slot of a declaration whose text this run found unchanged (or just wrote).
    fn current(&mut self, d: usize) -> Option<&mut Slot> {
        let run = self.run;
        self.slot(d).filter(|s| s.seen == run && s.same)
    }

    fn put(&mut self, d: usize, decl: &Decl, slot: Slot) {
        let i = usize::from(decl.kind == DeclKind::Output);
        let pair = self.names.entry(decl.name.clone()).or_insert([NONE; 2]);
        let at = match pair.get(i) {
            Some(&at) if at != NONE => at,
            _ => {
                let at = match self.free.pop() {
                    Some(at) => at,
                    None => {
                        self.slots.push(None);
                        (self.slots.len() - 1) as u32
                    }
                };
                if let Some(p) = pair.get_mut(i) {
                    *p = at;
                }
                at
            }
        };
        if let Some(s) = self.slots.get_mut(at as usize) {
            *s = Some(slot);
        }
        self.set_live(d, at);
    }
}

/// No slot.
const NONE: u32 = u32::MAX;

/// What is kept of one declaration.
#[derive(Debug)]
struct Slot {
    kind: DeclKind,
    file: FileId,
    /// The declaration's source text, from the start of its item to its end.
    text: Box<str>,
    /// The run that last met the declaration.
    seen: u64,
    /// Whether this run found the text unchanged.
    same: bool,
    /// The names its text reads, in the order the walk meets them.
    refs: Vec<Ref>,
    check: Option<Entry>,
    /// The check before the last one, for the same text: after a `let` is renamed and
    /// renamed back (or an edit is undone), the declarations that read it are as before.
    alt: Option<Entry>,
}

/// A name a declaration reads, where no loop variable hides it.
#[derive(Debug)]
pub(crate) struct Ref {
    pub name: String,
    /// Relative to the start of the item once kept.
    pub span: Span,
    /// The loop variables in scope, when there are any (a suggestion may name them).
    pub locals: Option<Box<[String]>>,
    /// In a `depends_on` list.
    pub explicit: bool,
    /// The declaration it named in the last run, a hint ([`ModuleChecker::named`]).
    pub hint: u32,
}

/// One declaration's kept check.
#[derive(Debug)]
struct Entry {
    /// Each declaration read: its name, its index then (a hint) and what was read of it.
    reads: Vec<(String, u32, Read)>,
    /// User functions looked for and not found.
    absent_functions: Vec<String>,
    ty: Ty,
    /// Spans relative to the start of the item.
    diags: Vec<Diagnostic>,
    secret_origin: Option<(Span, String)>,
    types: Vec<String>,
}

/// What a check read of a name.
#[derive(Debug, Clone, PartialEq)]
enum Read {
    /// The declaration it names, or that there is none.
    Sig(Option<Sig>),
    /// Only that it is no collection, and whether it is secret: every read was a whole
    /// `${name}` in a string, whose check asks no more. An unknown name reads as a plain
    /// scalar there (its error comes from resolving references, which is never kept), so
    /// a `let` that every resource interpolates can be renamed, or change from a string to
    /// a number, without checking its thousands of readers again.
    Scalar { secret: bool },
    /// Only whether it is secret: every read was a whole value whose type nothing asks
    /// (checked against `any`, alone or in literal objects and lists), as in the body of
    /// a generic resource or a `core.data` input. An unknown name is a value of any type
    /// there, not secret.
    Secret(bool),
}

/// The class a `${name}` reads of what `name` now names: `Some(secret)` for a value that
/// is no collection, or no declaration; `None` when the whole signature counts.
fn scalar(now: Option<&Decl>) -> Option<bool> {
    match now {
        None => Some(false),
        Some(d) => value_type(d)
            .filter(|t| !matches!(t.ty, Type::List(_) | Type::Map(_) | Type::Object(_)))
            .map(|t| t.secret),
    }
}

/// The class a whole value whose type nothing asks reads of what its name now names:
/// `Some(secret)` for a value, or no declaration; `None` when the whole signature counts.
fn secrecy(now: Option<&Decl>) -> Option<bool> {
    match now {
        None => Some(false),
        Some(d) => value_type(d).map(|t| t.secret),
    }
}

impl Read {
    fn of(now: Option<&Decl>, used: Use) -> Read {
        let class = match used {
            Use::Interpolated => scalar(now).map(|secret| Read::Scalar { secret }),
            Use::Discarded => secrecy(now).map(Read::Secret),
            Use::Whole => None,
        };
        class.unwrap_or_else(|| Read::Sig(now.map(Sig::of)))
    }

    fn holds(&self, now: Option<&Decl>) -> bool {
        match (self, now) {
            (Read::Scalar { secret }, now) => scalar(now) == Some(*secret),
            (Read::Secret(secret), now) => secrecy(now) == Some(*secret),
            (Read::Sig(None), None) => true,
            (Read::Sig(Some(s)), Some(n)) => s.matches(n),
            (Read::Sig(_), _) => false,
        }
    }
}

/// What a check reads of a declaration it names: the type only of a value (a param, a
/// `let`, an output); of a resource its type name and whether it has `for`; of a module
/// block the module (whose outputs are not tracked).
#[derive(Debug, Clone, PartialEq)]
struct Sig {
    kind: DeclKind,
    child: Option<usize>,
    resource: Option<(String, bool)>,
    ty: Option<Ty>,
}

fn value_kind(k: DeclKind) -> bool {
    matches!(k, DeclKind::Param | DeclKind::Let | DeclKind::Output)
}

fn value_type(d: &Decl) -> Option<&Ty> {
    value_kind(d.kind).then_some(&d.ty)
}

impl Sig {
    fn of(d: &Decl) -> Sig {
        Sig {
            kind: d.kind,
            child: d.child,
            resource: d
                .resource()
                .map(|r| (r.type_name.name.clone(), r.for_each.is_some())),
            ty: value_type(d).cloned(),
        }
    }

    fn matches(&self, d: &Decl) -> bool {
        self.kind == d.kind
            && self.child == d.child
            && self.ty.as_ref() == value_type(d)
            && match (&self.resource, d.resource()) {
                (None, None) => true,
                (Some((t, each)), Some(r)) => {
                    *t == r.type_name.name && *each == r.for_each.is_some()
                }
                _ => false,
            }
    }
}

/// How every read of a name in one check used it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Use {
    /// As a whole `${name}` in a string.
    Interpolated,
    /// As a whole value whose type nothing asks.
    Discarded,
    /// Otherwise, or in more than one way.
    Whole,
}

/// What the declaration being checked has read so far.
#[derive(Debug, Default)]
pub(crate) struct Reads {
    /// Each name read, and how.
    names: Vec<(String, Use)>,
    absent_functions: Vec<String>,
    types: Vec<String>,
    /// Read something not tracked: the result is not kept.
    untracked: bool,
}

impl<'a> ModuleChecker<'a> {
    /// Notes that the declaration being checked reads the declaration named `name`.
    pub(crate) fn note_read(&self, name: &str) {
        let used = if self.interpolated.get() {
            Use::Interpolated
        } else if self.discarded.get() {
            Use::Discarded
        } else {
            Use::Whole
        };
        if let Some(r) = self.reads.borrow_mut().as_mut() {
            match r.names.iter_mut().find(|(n, _)| n == name) {
                Some((_, u)) if *u != used => *u = Use::Whole,
                Some(_) => {}
                None => r.names.push((name.to_string(), used)),
            }
        }
    }

    /// Notes a read this cache does not track (module outputs, user functions).
    pub(crate) fn note_untracked(&self) {
        if let Some(r) = self.reads.borrow_mut().as_mut() {
            r.untracked = true;
        }
    }

    /// The summary of module `m`, whose reads are not tracked.
    pub(crate) fn note_summary(&self, m: usize) -> Option<&'a ModuleSummary> {
        self.note_untracked();
        self.summaries.get(m).and_then(Option::as_ref)
    }

    /// Notes a lookup of a user function: found, it is untracked; absent, it must stay so.
    pub(crate) fn note_function(&self, name: &str, found: bool) {
        if let Some(r) = self.reads.borrow_mut().as_mut() {
            if found {
                r.untracked = true;
            } else if !r.absent_functions.iter().any(|n| n == name) {
                r.absent_functions.push(name.to_string());
            }
        }
    }

    /// Marks a resource type as used by the program.
    pub(crate) fn use_type(&mut self, name: &str) {
        if !self.types_used.contains(name) {
            self.types_used.insert(name.to_string());
        }
        if let Some(r) = self.reads.get_mut().as_mut()
            && !r.types.iter().any(|n| n == name)
        {
            r.types.push(name.to_string());
        }
    }

    /// The declaration's file, item span and source text.
    fn decl_text(&self, d: usize) -> Option<(FileId, Span, &'a str)> {
        let span = self.decls.get(d)?.item.span();
        let file = self.project.sources.try_get(span.file)?;
        let text = file.text.get(span.start as usize..span.end as usize)?;
        Some((span.file, span, text))
    }

    /// The references of declaration `d` kept from the last run when its text is the same
    /// (taken out of the cache; give them back with [`Self::keep_references`]), with the
    /// span of its item. Either way the declaration counts as met by this run.
    pub(crate) fn kept_references(&mut self, d: usize) -> Option<(Vec<Ref>, Span)> {
        let (file, span, text) = self.decl_text(d)?;
        let decl = self.decls.get(d)?;
        let memo = self.memo.as_mut()?;
        let run = memo.run;
        let slot = memo.find(d, decl)?;
        slot.seen = run;
        slot.same = slot.kind == decl.kind && slot.file == file && *slot.text == *text;
        if !slot.same {
            return None;
        }
        Some((std::mem::take(&mut slot.refs), span))
    }

    /// Gives back references taken by [`Self::kept_references`].
    pub(crate) fn keep_references(&mut self, d: usize, refs: Vec<Ref>) {
        if let Some(slot) = self.memo.as_mut().and_then(|m| m.slot(d)) {
            slot.refs = refs;
        }
    }

    /// Keeps references just logged by a walk of declaration `d` (spans in the file), in a
    /// new slot: the declaration's text changed or is new.
    pub(crate) fn keep_logged_references(&mut self, d: usize, mut refs: Vec<Ref>) {
        let Some((file, span, text)) = self.decl_text(d) else {
            return;
        };
        let Some(decl) = self.decls.get(d) else {
            return;
        };
        let Some(memo) = self.memo.as_mut() else {
            return;
        };
        for r in &mut refs {
            if r.span.file != file || r.span.start < span.start || r.span.end > span.end {
                return;
            }
            r.span = Span {
                file,
                start: r.span.start - span.start,
                end: r.span.end - span.start,
            };
        }
        let slot = Slot {
            kind: decl.kind,
            file,
            text: text.into(),
            seen: memo.run,
            same: true,
            refs,
            check: None,
            alt: None,
        };
        memo.put(d, decl, slot);
    }

    /// Whether a declaration is checked where a kept result may apply: at the top level,
    /// with no secret origin pending.
    fn reusable_state(&self) -> bool {
        self.memo.is_some()
            && self.locals.is_empty()
            && !self.in_environment
            && self.in_function.is_none()
            && self.secret_origin.is_none()
            && self.depth == 0
    }

    /// Applies the kept check of declaration `d` when it still holds; `true` if it did.
    pub(crate) fn reuse(&mut self, d: usize) -> bool {
        if !self.reusable_state() {
            return false;
        }
        let Some(at) = self.decls.get(d).map(|x| x.item.span()) else {
            return false;
        };
        let Some(slot) = self.memo.as_mut().and_then(|m| m.current(d)) else {
            return false;
        };
        let (check, alt) = (slot.check.take(), slot.alt.take());
        let (old, other) = match (check, alt) {
            (Some(c), alt) if self.holds(&c) => (c, alt),
            (c, Some(a)) if self.holds(&a) => (a, c),
            (c, a) => match c.as_ref().and_then(|c| self.with_values_missing(d, c)) {
                // The last check stays the alternative: the name may well come back.
                Some(p) => (p, c),
                // Neither holds: the last check becomes the alternative to the fresh one.
                None => {
                    if let Some(slot) = self.memo.as_mut().and_then(|m| m.slot(d)) {
                        slot.alt = c.or(a);
                    }
                    return false;
                }
            },
        };
        self.diags
            .extend(old.diags.iter().map(|x| moved(x, at.file, at.start)));
        self.secret_origin = old
            .secret_origin
            .as_ref()
            .map(|(s, m)| (shift(*s, at.file, at.start), m.clone()));
        for t in &old.types {
            if !self.types_used.contains(t) {
                self.types_used.insert(t.clone());
            }
        }
        if let Some(x) = self.decls.get_mut(d) {
            x.ty = old.ty.clone();
        }
        let Some(memo) = self.memo.as_mut() else {
            return true;
        };
        memo.reused += 1;
        if let Some(slot) = memo.slot(d) {
            slot.check = Some(old);
            slot.alt = other;
        }
        true
    }

    /// The check of resource `d` when the values (params, lets) some of its reads named are
    /// gone and all else it read is as kept, for a kept check that found nothing to say:
    /// a name that names nothing reads as a value of any type, which no rule rejects (its
    /// error comes from resolving references, never kept), so the check finds nothing
    /// again, and a resource's type does not depend on its body. A `let` or `param` that
    /// thousands of resources read is gone while its name is retyped or its line broken.
    fn with_values_missing(&self, d: usize, c: &Entry) -> Option<Entry> {
        let resource = self
            .decls
            .get(d)
            .is_some_and(|x| matches!(&*x.item, crate::syntax::ast::Item::Resource(_)));
        if !resource
            || !c.diags.is_empty()
            || c.secret_origin.is_some()
            || c.absent_functions
                .iter()
                .any(|f| self.functions.contains_key(f))
        {
            return None;
        }
        // Whether a read names a value now gone (`Some(true)`), holds (`Some(false)`), or
        // changed otherwise; decided before anything is copied, as this runs for every kept
        // check that fails.
        let gone = |(name, hint, read): &(String, u32, Read)| {
            let now = self.named(name, *hint).and_then(|i| self.decls.get(i));
            match (read, now) {
                (read, now) if read.holds(now) => Some(false),
                (Read::Sig(Some(s)), None) if value_kind(s.kind) => Some(true),
                _ => None,
            }
        };
        let mut any = false;
        for r in &c.reads {
            any |= gone(r)?;
        }
        if !any {
            return None;
        }
        let reads = c
            .reads
            .iter()
            .map(|r| {
                let read = match gone(r) {
                    Some(true) => Read::Sig(None),
                    _ => r.2.clone(),
                };
                (r.0.clone(), r.1, read)
            })
            .collect();
        Some(Entry {
            reads,
            absent_functions: c.absent_functions.clone(),
            ty: c.ty.clone(),
            diags: Vec::new(),
            secret_origin: None,
            types: c.types.clone(),
        })
    }

    /// The declaration `name` stands for: `hint` when that one has the name (a declaration
    /// other than an output is the only one of its name in `by_name`), else by lookup.
    pub(crate) fn named(&self, name: &str, hint: u32) -> Option<usize> {
        match self.decls.get(hint as usize) {
            Some(d) if d.kind != DeclKind::Output && d.name == name => Some(hint as usize),
            _ => self.by_name.get(name).copied(),
        }
    }

    /// Whether what a kept check read is still what the declarations give.
    fn holds(&self, e: &Entry) -> bool {
        e.absent_functions
            .iter()
            .all(|f| !self.functions.contains_key(f))
            && e.reads.iter().all(|(name, hint, read)| {
                read.holds(self.named(name, *hint).and_then(|i| self.decls.get(i)))
            })
    }

    /// Starts recording the reads of a declaration's check, when its result may be kept;
    /// returns where its diagnostics start.
    pub(crate) fn begin_record(&mut self) -> Option<usize> {
        if !self.reusable_state() {
            return None;
        }
        *self.reads.get_mut() = Some(Reads::default());
        Some(self.diags.len())
    }

    /// Keeps the result of declaration `d`'s check (just made, before its type is stored)
    /// when everything it read is tracked and its spans are its own.
    pub(crate) fn end_record(&mut self, d: usize, diags_from: usize, ty: &Ty) {
        let Some(reads) = self.reads.get_mut().take() else {
            return;
        };
        if reads.untracked {
            return;
        }
        let Some(span) = self.decls.get(d).map(|x| x.item.span()) else {
            return;
        };
        let file = span.file;
        let inside = |s: Span| s.file == file && s.start >= span.start && s.end <= span.end;
        let new = self.diags.get(diags_from..).unwrap_or_default();
        if !new
            .iter()
            .all(|x| inside(x.span) && x.labels.iter().all(|l| inside(l.span)))
        {
            return;
        }
        if self
            .secret_origin
            .as_ref()
            .is_some_and(|(s, _)| !inside(*s))
        {
            return;
        }
        let back = |s: Span| Span {
            file: s.file,
            start: s.start - span.start,
            end: s.end - span.start,
        };
        let entry = Entry {
            reads: reads
                .names
                .into_iter()
                .map(|(n, used)| {
                    let i = self.by_name.get(&n).copied();
                    let read = Read::of(i.and_then(|i| self.decls.get(i)), used);
                    let hint = i.and_then(|i| u32::try_from(i).ok()).unwrap_or(NONE);
                    (n, hint, read)
                })
                .collect(),
            absent_functions: reads.absent_functions,
            ty: ty.clone(),
            diags: new
                .iter()
                .map(|x| {
                    let mut x = x.clone();
                    x.span = back(x.span);
                    for l in &mut x.labels {
                        l.span = back(l.span);
                    }
                    x
                })
                .collect(),
            secret_origin: self
                .secret_origin
                .as_ref()
                .map(|(s, m)| (back(*s), m.clone())),
            types: reads.types,
        };
        // Only a slot whose text this run found the same (or wrote) may hold the check.
        if let Some(slot) = self.memo.as_mut().and_then(|m| m.current(d)) {
            slot.check = Some(entry);
        }
    }
}

pub(crate) fn shift(s: Span, file: FileId, at: u32) -> Span {
    Span {
        file,
        start: s.start + at,
        end: s.end + at,
    }
}

fn moved(d: &Diagnostic, file: FileId, at: u32) -> Diagnostic {
    let mut d = d.clone();
    d.span = shift(d.span, file, at);
    for l in &mut d.labels {
        l.span = shift(l.span, file, at);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn numbered_names_spread_over_the_buckets() {
        let build = BuildHasherDefault::<NameHasher>::default();
        // The bucket is the hash's low bits: 4,096 buckets for 4,096 names.
        let buckets: std::collections::HashSet<u64> = (0..4096)
            .map(|i| build.hash_one(format!("r{i}")) & 4095)
            .collect();
        assert!(buckets.len() > 2400, "{} buckets used", buckets.len());
    }
}
