//! The two error types: one for templates API Gateway would refuse when they are saved or
//! parsed, one for failures while a template runs. Both carry a 1-based position inside the
//! template text so that the gateway can log "template X, line L, column C".

use std::fmt;

/// A 1-based line and column inside the template source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Position {
    pub line: u32,
    pub column: u32,
}

/// The template could not be parsed, or uses a construct API Gateway refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub line: u32,
    pub column: u32,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl TemplateError {
    pub(crate) fn at(position: Position, message: impl Into<String>) -> Self {
        TemplateError {
            line: position.line,
            column: position.column,
            message: message.into(),
        }
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for TemplateError {}

/// The template failed while rendering (a Java method would have thrown, a limit was hit, an
/// override was assigned twice, ...). API Gateway answers such failures with a 5XX.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError {
    pub line: u32,
    pub column: u32,
    /// What went wrong and, where possible, how to fix it.
    pub message: String,
}

impl RenderError {
    pub(crate) fn at(position: Position, message: impl Into<String>) -> Self {
        RenderError {
            line: position.line,
            column: position.column,
            message: message.into(),
        }
    }
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for RenderError {}
