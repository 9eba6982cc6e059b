//! The parsed form of a template. It holds no runtime state, so a `Template` is `Send + Sync`
//! and can be shared by every request.

use std::sync::Arc;

use crate::error::Position;

/// A sequence of nodes rendered one after the other.
pub(crate) type Block = Vec<Node>;

#[derive(Debug)]
pub(crate) enum Node {
    /// Literal text, already stripped of comments, escapes and gobbled whitespace.
    Text(String),
    /// `$ref`, `$!ref`, `${ref}`: rendered as text, null as the empty string.
    Reference(Reference),
    /// `#set($target = value)`.
    Set {
        target: Reference,
        value: Expr,
        position: Position,
    },
    /// `#if/#elseif/#else/#end`: the first branch whose condition holds is rendered.
    If {
        branches: Vec<(Expr, Block)>,
        otherwise: Option<Block>,
    },
    /// `#foreach($variable in $iterable) body #end`.
    Foreach {
        variable: String,
        iterable: Expr,
        body: Block,
        position: Position,
    },
    /// `#define($name) body #end`: `$name` renders the body when referenced.
    Define { name: String, body: Arc<Block> },
    /// `#break`: leaves the innermost `#foreach` (or the template when outside loops).
    Break,
    /// `#stop`: ends rendering, keeping what was output so far.
    Stop,
}

/// A reference such as `$context.requestOverride.querystring[$name]`.
#[derive(Debug)]
pub(crate) struct Reference {
    pub root: String,
    pub segments: Vec<Segment>,
    pub position: Position,
}

#[derive(Debug)]
pub(crate) enum Segment {
    /// `.name`: a map key, or a Java bean getter on other values.
    Property(String),
    /// `.name(arguments)`.
    Method {
        name: String,
        arguments: Vec<Expr>,
        position: Position,
    },
    /// `[expression]`: a list index or a map key.
    Index(Expr),
}

#[derive(Debug)]
pub(crate) enum Expr {
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A single-quoted string, or a double-quoted one without `$` or `#`.
    String(String),
    /// A double-quoted string with references or directives, rendered like a small template.
    Interpolated(Block),
    Reference(Reference),
    List(Vec<Expr>),
    /// `[from..to]`, inclusive at both ends, counting down when `from > to`.
    Range {
        from: Box<Expr>,
        to: Box<Expr>,
        position: Position,
    },
    Map(Vec<(Expr, Expr)>),
    Not(Box<Expr>),
    Negate(Box<Expr>),
    Binary {
        operator: BinaryOperator,
        left: Box<Expr>,
        right: Box<Expr>,
        position: Position,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinaryOperator {
    Or,
    And,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
}
