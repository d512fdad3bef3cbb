//! The syntax tree. Every node carries the span it was parsed from; `fmt` and the checker
//! both work from this tree. Comments are kept on the side (`File::comments`) so that the
//! formatter can put them back.

use crate::span::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub items: Vec<Item>,
    pub comments: Vec<Comment>,
}

/// A `//`, `#` or `/* */` comment, text including its markers.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Param(Param),
    Let(Let),
    /// `resource` and `existing` (the latter with `existing = true`).
    Resource(Resource),
    Module(Module),
    Output(Output),
    Environment(Environment),
    /// `import { to = ADDRESS, id = "ID" }`
    Import(Import),
    /// `fn NAME(PARAMS)[: TYPE] = EXPR`
    Function(Function),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Param(x) => x.span,
            Item::Let(x) => x.span,
            Item::Resource(x) => x.span,
            Item::Module(x) => x.span,
            Item::Output(x) => x.span,
            Item::Environment(x) => x.span,
            Item::Import(x) => x.span,
            Item::Function(x) => x.span,
        }
    }
    /// The name the item declares in its module's namespace.
    pub fn name(&self) -> &Ident {
        match self {
            Item::Param(x) => &x.name,
            Item::Let(x) => &x.name,
            Item::Resource(x) => &x.name,
            Item::Module(x) => &x.name,
            Item::Output(x) => &x.name,
            Item::Environment(x) => &x.name,
            Item::Import(x) => &x.keyword,
            Item::Function(x) => &x.name,
        }
    }
}

/// `import { to = rg, id = "/subscriptions/..." }`: the object with cloud id `id` is adopted
/// as the resource (instance) `to` by the next apply. Declares no name: [`Item::name`] gives
/// the keyword.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub keyword: Ident,
    pub body: Vec<Attribute>,
    pub span: Span,
}

/// `fn NAME(A: TYPE, ...)[: TYPE] = EXPR`: a pure function of its parameters, callable
/// within its module. Functions have their own namespace (calls are told apart from
/// references by their parentheses).
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub name: Ident,
    pub params: Vec<FnParam>,
    /// The declared result type; inferred from the body when absent.
    pub ret: Option<TypeExpr>,
    pub body: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FnParam {
    pub name: Ident,
    pub ty: TypeExpr,
}

/// `param NAME: TYPE [= DEFAULT]`
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: TypeExpr,
    pub default: Option<Expr>,
    pub span: Span,
}

/// `let NAME = EXPR`
#[derive(Debug, Clone, PartialEq)]
pub struct Let {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `resource NAME: TYPE [for K[, V] in EXPR] { ATTRS }` or `existing NAME: TYPE { ATTRS }`
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub existing: bool,
    pub name: Ident,
    /// Dotted type name, e.g. `azure.key_vault`, or the text of a type reference
    /// (`Microsoft.Web/sites@2025-03-01`, without quotes), with its span.
    pub type_name: Ident,
    /// The type was written as a quoted ARM type reference.
    pub type_ref: bool,
    pub for_each: Option<ForEach>,
    pub body: Vec<Attribute>,
    pub span: Span,
}

/// `for key, value in collection` (or `for value in collection`).
#[derive(Debug, Clone, PartialEq)]
pub struct ForEach {
    /// With two variables: the key (map key). With one variable: absent.
    pub key: Option<Ident>,
    pub value: Ident,
    pub collection: Expr,
    pub span: Span,
}

/// `name = value` inside a block.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `module NAME = "SOURCE" { ATTRS }`
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    pub name: Ident,
    pub source: String,
    pub source_span: Span,
    pub body: Vec<Attribute>,
    pub span: Span,
}

/// `output NAME [: TYPE] = EXPR`
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub value: Expr,
    pub span: Span,
}

/// `environment NAME { target = ..., state = ..., params = {...}, protect = ... }`
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    pub name: Ident,
    pub body: Vec<Attribute>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeExprKind {
    /// `string`, `int`, `float`, `bool`, `any`, `secret`, or a dotted resource type name.
    Named(String),
    List(Box<TypeExpr>),
    Map(Box<TypeExpr>),
    Object(Vec<TypeField>),
    /// `"a" | "b"`
    Enum(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypeField {
    pub name: Ident,
    pub optional: bool,
    pub ty: TypeExpr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A quoted or heredoc string; literal parts already unescaped.
    Str {
        parts: Vec<StrPart>,
        style: StrStyle,
    },
    List(Vec<Expr>),
    Object(Vec<ObjectEntry>),
    /// A bare name: param, let, resource, module, loop variable.
    Ref(Ident),
    /// `expr.name`
    Member(Box<Expr>, Ident),
    /// `expr[index]`
    Index(Box<Expr>, Box<Expr>),
    Call {
        name: Ident,
        args: Vec<Expr>,
    },
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `cond ? then : else`
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `[for k, v in coll: body if cond]`
    ListFor(Box<Comprehension>),
    /// `{for k, v in coll: key => value if cond}`
    ObjectFor(Box<Comprehension>),
    /// `tag { k = v }`: a tagged object, e.g. `azure { subscription = ... }` in an environment.
    Tagged {
        tag: Ident,
        entries: Vec<ObjectEntry>,
    },
    /// `( expr )`, kept so that formatting preserves the author's grouping.
    Paren(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum StrStyle {
    Quoted,
    /// `<<MARKER` or, with `strip_indent`, `<<-MARKER`.
    Heredoc {
        marker: String,
        strip_indent: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum StrPart {
    Lit(String),
    Interp(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ObjectEntry {
    pub key: Ident,
    /// The key was written as a quoted string (`"my-key" = 1`).
    pub quoted: bool,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comprehension {
    pub key: Option<Ident>,
    pub value: Ident,
    pub collection: Expr,
    /// For `ObjectFor`, the key expression (before `=>`); absent for `ListFor`.
    pub key_expr: Option<Expr>,
    pub body: Expr,
    pub cond: Option<Expr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "||",
            BinaryOp::And => "&&",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
        }
    }
    /// Binding strength, higher binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq | BinaryOp::Ne => 3,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => 4,
            BinaryOp::Add | BinaryOp::Sub => 5,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => 6,
        }
    }
}
