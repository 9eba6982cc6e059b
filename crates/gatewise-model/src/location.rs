use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// A position in a template file, 1-based, printed as `file:line:column` like a compiler.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SourceLocation {
    /// The file as the user named it (shared: thousands of nodes point at one file).
    pub file: Arc<Path>,
    pub line: u32,
    pub column: u32,
}

impl SourceLocation {
    pub fn new(file: Arc<Path>, line: u32, column: u32) -> Self {
        Self { file, line, column }
    }
}

impl fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_a_compiler_diagnostic() {
        let loc = SourceLocation::new(Arc::from(Path::new("template.yaml")), 42, 7);
        assert_eq!(loc.to_string(), "template.yaml:42:7");
    }
}
