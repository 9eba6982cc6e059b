//! A hand-written scanner and recursive-descent parser for VTL.
//!
//! VTL switches between text mode (everything is output except `$references`, `#directives`,
//! comments and escapes) and expression mode (inside a directive's parentheses, a method's
//! arguments or an index). A single cursor over the source with one function per construct
//! follows those switches directly. Every construct consumes at least one byte and nesting is
//! bounded by [`MAX_NESTING_DEPTH`], so parsing is linear in the template size and can neither
//! loop nor overflow the stack.

use std::sync::Arc;

use crate::ast::{BinaryOperator, Block, Expr, Node, Reference, Segment};
use crate::error::{Position, TemplateError};

/// How deeply directives, expressions and string literals may nest. Real templates stay far
/// below; the bound keeps hostile input from exhausting the stack.
pub const MAX_NESTING_DEPTH: usize = 100;

/// Directives that end the block being parsed; the caller decides whether they are expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Terminator {
    EndOfInput,
    End,
    Else,
    ElseIf,
}

type ParseResult<T> = Result<T, TemplateError>;

pub(crate) fn parse_template(source: &str) -> ParseResult<Block> {
    let mut parser = Parser::new(source);
    let (block, terminator, position) = parser.parse_block()?;
    match terminator {
        Terminator::EndOfInput => Ok(block),
        Terminator::End => Err(TemplateError::at(
            position,
            "#end without an open #if, #foreach or #define: remove it or add the opening directive",
        )),
        Terminator::Else | Terminator::ElseIf => Err(TemplateError::at(
            position,
            "#else/#elseif outside an #if block: move it inside #if ... #end",
        )),
    }
}

struct Parser<'s> {
    source: &'s str,
    bytes: &'s [u8],
    cursor: usize,
    /// Parsing stops here; lowered while a double-quoted string's content is parsed as text.
    end: usize,
    depth: usize,
    line_starts: Vec<usize>,
}

fn is_identifier_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_'
}

fn is_identifier_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

impl<'s> Parser<'s> {
    fn new(source: &'s str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(
                source
                    .bytes()
                    .enumerate()
                    .filter(|(_, b)| *b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        Parser {
            source,
            bytes: source.as_bytes(),
            cursor: 0,
            end: source.len(),
            depth: 0,
            line_starts,
        }
    }

    fn position_of(&self, offset: usize) -> Position {
        let line_index = self.line_starts.partition_point(|start| *start <= offset) - 1;
        let line_start = self.line_starts[line_index];
        let column = self.source[line_start..offset.min(self.source.len())]
            .chars()
            .count()
            + 1;
        Position {
            line: u32::try_from(line_index + 1).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }

    fn position(&self) -> Position {
        self.position_of(self.cursor)
    }

    fn error<T>(&self, message: impl Into<String>) -> ParseResult<T> {
        Err(TemplateError::at(self.position(), message))
    }

    fn peek(&self) -> Option<u8> {
        self.peek_at(0)
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        let index = self.cursor + ahead;
        if index < self.end {
            Some(self.bytes[index])
        } else {
            None
        }
    }

    fn starts_with(&self, text: &str) -> bool {
        self.cursor + text.len() <= self.end
            && self.bytes[self.cursor..].starts_with(text.as_bytes())
    }

    fn enter(&mut self) -> ParseResult<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING_DEPTH {
            return self.error(format!(
                "nesting deeper than {MAX_NESTING_DEPTH} levels: split the template or flatten the expression"
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    // ----- text mode -------------------------------------------------------------------

    /// Parses nodes until the end of input or a block-ending directive, which is consumed and
    /// returned with its position.
    fn parse_block(&mut self) -> ParseResult<(Block, Terminator, Position)> {
        self.enter()?;
        let mut nodes = Vec::new();
        let mut text = String::new();
        let result = loop {
            let Some(byte) = self.peek() else {
                break (Terminator::EndOfInput, self.position());
            };
            match byte {
                b'\\' => self.parse_backslashes(&mut text),
                b'$' => match self.try_parse_reference(false)? {
                    Some(reference) => {
                        flush_text(&mut text, &mut nodes);
                        nodes.push(Node::Reference(reference));
                    }
                    None => {
                        text.push('$');
                        self.cursor += 1;
                    }
                },
                b'#' => {
                    if let Some(terminator) = self.parse_hash(&mut text, &mut nodes)? {
                        break terminator;
                    }
                }
                _ => {
                    let start = self.cursor;
                    while let Some(b) = self.peek() {
                        if matches!(b, b'\\' | b'$' | b'#') {
                            break;
                        }
                        self.cursor += 1;
                    }
                    text.push_str(&self.source[start..self.cursor]);
                }
            }
        };
        flush_text(&mut text, &mut nodes);
        self.leave();
        Ok((nodes, result.0, result.1))
    }

    /// A run of backslashes escapes a following reference or directive when it is odd; pairs
    /// of backslashes before one render as one backslash each (Velocity's rule).
    fn parse_backslashes(&mut self, text: &mut String) {
        let start = self.cursor;
        while self.peek() == Some(b'\\') {
            self.cursor += 1;
        }
        let count = self.cursor - start;
        let escapes_something = match self.peek() {
            Some(b'$') => self.reference_starts_at(self.cursor),
            Some(b'#') => {
                matches!(self.peek_at(1), Some(b) if b.is_ascii_alphabetic() || b == b'{')
            }
            _ => false,
        };
        if !escapes_something {
            text.push_str(&self.source[start..self.cursor]);
            return;
        }
        text.extend(std::iter::repeat_n('\\', count / 2));
        if count % 2 == 1 {
            // The escaped `$` or `#` is output literally; what follows is plain text.
            text.push(char::from(self.bytes[self.cursor]));
            self.cursor += 1;
        }
    }

    fn reference_starts_at(&self, offset: usize) -> bool {
        let mut index = offset + 1;
        if index < self.end && self.bytes[index] == b'!' {
            index += 1;
        }
        if index < self.end && self.bytes[index] == b'{' {
            index += 1;
        }
        index < self.end && is_identifier_start(self.bytes[index])
    }

    /// Handles everything that starts with `#` in text mode. Returns a terminator when a
    /// block-ending directive was read.
    fn parse_hash(
        &mut self,
        text: &mut String,
        nodes: &mut Vec<Node>,
    ) -> ParseResult<Option<(Terminator, Position)>> {
        let hash_offset = self.cursor;
        let position = self.position();
        if self.starts_with("##") {
            while let Some(b) = self.peek() {
                self.cursor += 1;
                if b == b'\n' {
                    break;
                }
            }
            return Ok(None);
        }
        if self.starts_with("#*") {
            return match self.source[self.cursor + 2..self.end].find("*#") {
                Some(relative) => {
                    self.cursor += 2 + relative + 2;
                    Ok(None)
                }
                None => self.error("block comment #* is never closed: add *#"),
            };
        }
        if self.starts_with("#[[") {
            return match self.source[self.cursor + 3..self.end].find("]]#") {
                Some(relative) => {
                    text.push_str(&self.source[self.cursor + 3..self.cursor + 3 + relative]);
                    self.cursor += 3 + relative + 3;
                    Ok(None)
                }
                None => self.error("unparsed block #[[ is never closed: add ]]#"),
            };
        }
        let Some((name, after_name)) = self.directive_name() else {
            text.push('#');
            self.cursor += 1;
            return Ok(None);
        };
        match name {
            "set" | "if" | "elseif" | "foreach" | "define" | "else" | "end" | "break" | "stop" => {}
            "include" | "parse" | "evaluate" | "macro" => {
                let reason = if name == "macro" {
                    "#macro is not known to work in API Gateway mapping templates (UNCONFIRMED), so gatewise refuses it: inline the macro body or use #define"
                } else {
                    "API Gateway mapping templates cannot load or evaluate other templates: inline the content instead"
                };
                return Err(TemplateError::at(
                    position,
                    format!("#{name} is not supported: {reason}"),
                ));
            }
            _ => {
                // Unknown `#word` is plain text in Velocity (e.g. CSS colours, anchors).
                text.push('#');
                self.cursor += 1;
                return Ok(None);
            }
        }
        self.cursor = after_name;
        match name {
            "else" | "end" => {
                flush_text(text, nodes);
                self.gobble_line_end();
                let terminator = if name == "end" {
                    Terminator::End
                } else {
                    Terminator::Else
                };
                return Ok(Some((terminator, position)));
            }
            "elseif" => {
                // The condition is parsed by the #if that owns this branch.
                flush_text(text, nodes);
                return Ok(Some((Terminator::ElseIf, position)));
            }
            "break" | "stop" => {
                flush_text(text, nodes);
                self.skip_optional_arguments()?;
                self.gobble_line_end();
                nodes.push(if name == "break" {
                    Node::Break
                } else {
                    Node::Stop
                });
            }
            "set" => {
                self.gobble_set_indentation(hash_offset, text);
                flush_text(text, nodes);
                let node = self.parse_set(position)?;
                nodes.push(node);
            }
            "if" => {
                flush_text(text, nodes);
                let node = self.parse_if()?;
                nodes.push(node);
            }
            "foreach" => {
                flush_text(text, nodes);
                let node = self.parse_foreach(position)?;
                nodes.push(node);
            }
            _ => {
                flush_text(text, nodes);
                let node = self.parse_define(position)?;
                nodes.push(node);
            }
        }
        Ok(None)
    }

    /// Reads `#name` or `#{name}` at the cursor without consuming it.
    fn directive_name(&self) -> Option<(&'s str, usize)> {
        let formal = self.peek_at(1) == Some(b'{');
        let start = self.cursor + if formal { 2 } else { 1 };
        let mut index = start;
        while index < self.end && self.bytes[index].is_ascii_alphabetic() {
            index += 1;
        }
        if index == start {
            return None;
        }
        let name = &self.source[start..index];
        if formal {
            if index < self.end && self.bytes[index] == b'}' {
                return Some((name, index + 1));
            }
            return None;
        }
        // `#elseif` must not be read as `#else` followed by `if`, and `#endif` is not `#end`.
        Some((name, index))
    }

    /// Velocity 1.x eats the newline (and trailing blanks) right after a directive.
    fn gobble_line_end(&mut self) {
        let mut index = self.cursor;
        while index < self.end && matches!(self.bytes[index], b' ' | b'\t') {
            index += 1;
        }
        if index < self.end && self.bytes[index] == b'\n' {
            self.cursor = index + 1;
        } else if index < self.end && self.bytes[index] == b'\r' {
            self.cursor = index + 1;
            if self.peek() == Some(b'\n') {
                self.cursor += 1;
            }
        }
    }

    /// Velocity 1.x also eats the indentation before a `#set` that starts its line.
    fn gobble_set_indentation(&self, hash_offset: usize, text: &mut String) {
        let mut index = hash_offset;
        while index > 0 && matches!(self.bytes[index - 1], b' ' | b'\t') {
            index -= 1;
        }
        let at_line_start = index == 0 || self.bytes[index - 1] == b'\n';
        let blanks = hash_offset - index;
        if at_line_start && blanks > 0 && text.len() >= blanks {
            let keep = text.len() - blanks;
            if text[keep..].bytes().all(|b| matches!(b, b' ' | b'\t')) {
                text.truncate(keep);
            }
        }
    }

    fn skip_blanks_inline(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.cursor += 1;
        }
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.cursor += 1;
        }
    }

    fn expect(&mut self, byte: u8, what: &str) -> ParseResult<()> {
        self.skip_whitespace();
        if self.peek() == Some(byte) {
            self.cursor += 1;
            Ok(())
        } else {
            self.error(format!("expected {what}"))
        }
    }

    fn expect_directive_open(&mut self, directive: &str) -> ParseResult<()> {
        self.skip_blanks_inline();
        if self.peek() == Some(b'(') {
            self.cursor += 1;
            Ok(())
        } else {
            self.error(format!("expected `(` after #{directive}"))
        }
    }

    /// `#break` and `#stop` may carry a scope argument in Velocity; it changes nothing here.
    fn skip_optional_arguments(&mut self) -> ParseResult<()> {
        let save = self.cursor;
        self.skip_blanks_inline();
        if self.peek() == Some(b'(') {
            self.cursor += 1;
            self.skip_whitespace();
            if self.peek() != Some(b')') {
                self.parse_expression()?;
            }
            self.expect(b')', "`)` to close the directive")?;
        } else {
            self.cursor = save;
        }
        Ok(())
    }

    fn parse_set(&mut self, position: Position) -> ParseResult<Node> {
        self.expect_directive_open("set")?;
        self.skip_whitespace();
        if self.peek() != Some(b'$') {
            return self.error("#set needs a reference to assign to, e.g. #set($name = value)");
        }
        let Some(target) = self.try_parse_reference(true)? else {
            return self.error("#set needs a reference to assign to, e.g. #set($name = value)");
        };
        if matches!(target.segments.last(), Some(Segment::Method { .. })) {
            return Err(TemplateError::at(
                target.position,
                "#set cannot assign to a method call: assign to $name, $name.key or $name[key]",
            ));
        }
        self.expect(b'=', "`=` in #set($name = value)")?;
        let value = self.parse_expression()?;
        self.expect(b')', "`)` to close #set")?;
        self.gobble_line_end();
        Ok(Node::Set {
            target,
            value,
            position,
        })
    }

    fn parse_condition(&mut self, directive: &str) -> ParseResult<Expr> {
        self.expect_directive_open(directive)?;
        let condition = self.parse_expression()?;
        self.expect(b')', &format!("`)` to close #{directive}"))?;
        self.gobble_line_end();
        Ok(condition)
    }

    fn parse_if(&mut self) -> ParseResult<Node> {
        let mut branches = Vec::new();
        let mut condition = self.parse_condition("if")?;
        loop {
            let (body, terminator, position) = self.parse_block()?;
            branches.push((condition, body));
            match terminator {
                Terminator::End => {
                    return Ok(Node::If {
                        branches,
                        otherwise: None,
                    });
                }
                Terminator::ElseIf => condition = self.parse_condition("elseif")?,
                Terminator::Else => {
                    let (otherwise, terminator, position) = self.parse_block()?;
                    return match terminator {
                        Terminator::End => Ok(Node::If {
                            branches,
                            otherwise: Some(otherwise),
                        }),
                        Terminator::EndOfInput => Err(TemplateError::at(
                            position,
                            "#if is never closed: add #end after the #else branch",
                        )),
                        Terminator::Else | Terminator::ElseIf => Err(TemplateError::at(
                            position,
                            "#else/#elseif after #else: an #if has at most one #else, and it comes last",
                        )),
                    };
                }
                Terminator::EndOfInput => {
                    return Err(TemplateError::at(position, "#if is never closed: add #end"));
                }
            }
        }
    }

    fn parse_foreach(&mut self, position: Position) -> ParseResult<Node> {
        self.expect_directive_open("foreach")?;
        self.skip_whitespace();
        let variable = match self.try_parse_reference(true)? {
            Some(reference) if reference.segments.is_empty() => reference.root,
            _ => {
                return self
                    .error("#foreach needs a plain loop variable: #foreach($item in $list)");
            }
        };
        self.skip_whitespace();
        if !self.starts_with("in") || self.peek_at(2).is_some_and(is_identifier_char) {
            return self.error("expected `in` in #foreach($item in $list)");
        }
        self.cursor += 2;
        let iterable = self.parse_expression()?;
        self.expect(b')', "`)` to close #foreach")?;
        self.gobble_line_end();
        let (body, terminator, end_position) = self.parse_block()?;
        match terminator {
            Terminator::End => Ok(Node::Foreach {
                variable,
                iterable,
                body,
                position,
            }),
            Terminator::EndOfInput => Err(TemplateError::at(
                end_position,
                "#foreach is never closed: add #end",
            )),
            Terminator::Else | Terminator::ElseIf => Err(TemplateError::at(
                end_position,
                "#else inside #foreach (a Velocity 2 feature) is not supported: wrap the loop in #if",
            )),
        }
    }

    fn parse_define(&mut self, position: Position) -> ParseResult<Node> {
        self.expect_directive_open("define")?;
        self.skip_whitespace();
        let name = match self.try_parse_reference(true)? {
            Some(reference) if reference.segments.is_empty() => reference.root,
            _ => return self.error("#define needs a plain name: #define($name) ... #end"),
        };
        self.expect(b')', "`)` to close #define")?;
        self.gobble_line_end();
        let (body, terminator, _) = self.parse_block()?;
        match terminator {
            Terminator::End => Ok(Node::Define {
                name,
                body: Arc::new(body),
            }),
            _ => Err(TemplateError::at(
                position,
                "#define is never closed: add #end",
            )),
        }
    }

    // ----- references ------------------------------------------------------------------

    /// Parses `$name...`, `$!name...` or `${name...}` at the cursor. In text mode (`in_expression`
    /// false) anything that does not form a reference is left for the caller to output as text.
    fn try_parse_reference(&mut self, in_expression: bool) -> ParseResult<Option<Reference>> {
        let start = self.cursor;
        if !self.reference_starts_at(start) {
            return Ok(None);
        }
        let position = self.position();
        self.cursor += 1;
        if self.peek() == Some(b'!') {
            self.cursor += 1;
        }
        let formal = self.peek() == Some(b'{');
        if formal {
            self.cursor += 1;
        }
        let root = self.identifier();
        let mut reference = Reference {
            root,
            segments: Vec::new(),
            position,
        };
        self.parse_segments(&mut reference, in_expression)?;
        if formal {
            if self.peek() == Some(b'}') {
                self.cursor += 1;
            } else if in_expression {
                return self.error("expected `}` to close ${...}");
            } else {
                self.cursor = start;
                return Ok(None);
            }
        }
        Ok(Some(reference))
    }

    /// An identifier; Velocity 1.7 allows `-` inside one (`$foo-bar`), which we accept when a
    /// letter, digit or `_` follows so that `$a-` stays a reference followed by text.
    fn identifier(&mut self) -> String {
        let start = self.cursor;
        while let Some(b) = self.peek() {
            let hyphen_inside = b == b'-' && self.peek_at(1).is_some_and(is_identifier_char);
            if is_identifier_char(b) || hyphen_inside {
                self.cursor += 1;
            } else {
                break;
            }
        }
        self.source[start..self.cursor].to_owned()
    }

    fn parse_segments(
        &mut self,
        reference: &mut Reference,
        in_expression: bool,
    ) -> ParseResult<()> {
        loop {
            let save = self.cursor;
            match self.peek() {
                Some(b'.') if self.peek_at(1).is_some_and(is_identifier_start) => {
                    self.cursor += 1;
                    let position = self.position();
                    let name = self.identifier();
                    if self.peek() == Some(b'(') {
                        self.cursor += 1;
                        match self.parse_arguments() {
                            Ok(arguments) => reference.segments.push(Segment::Method {
                                name,
                                arguments,
                                position,
                            }),
                            Err(error) if in_expression => return Err(error),
                            Err(_) => {
                                // Text such as "see $a.b(c" stays text after the property.
                                self.cursor = save;
                                return Ok(());
                            }
                        }
                    } else {
                        reference.segments.push(Segment::Property(name));
                    }
                }
                Some(b'[') => {
                    self.cursor += 1;
                    let index = self.parse_expression().and_then(|index| {
                        self.expect(b']', "`]` to close the index")?;
                        Ok(index)
                    });
                    match index {
                        Ok(index) => reference.segments.push(Segment::Index(index)),
                        Err(error) if in_expression => return Err(error),
                        Err(_) => {
                            self.cursor = save;
                            return Ok(());
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn parse_arguments(&mut self) -> ParseResult<Vec<Expr>> {
        let mut arguments = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b')') {
            self.cursor += 1;
            return Ok(arguments);
        }
        loop {
            arguments.push(self.parse_expression()?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.cursor += 1,
                Some(b')') => {
                    self.cursor += 1;
                    return Ok(arguments);
                }
                _ => return self.error("expected `,` or `)` in the method arguments"),
            }
        }
    }

    // ----- expressions -----------------------------------------------------------------

    fn parse_expression(&mut self) -> ParseResult<Expr> {
        self.enter()?;
        let result = self.parse_or();
        self.leave();
        result
    }

    /// Matches a symbolic or word operator; word operators need a non-identifier after them.
    fn operator(&mut self, symbols: &[&str], words: &[&str]) -> bool {
        self.skip_whitespace();
        for symbol in symbols {
            if self.starts_with(symbol) {
                self.cursor += symbol.len();
                return true;
            }
        }
        for word in words {
            if self.starts_with(word) && !self.peek_at(word.len()).is_some_and(is_identifier_char) {
                self.cursor += word.len();
                return true;
            }
        }
        false
    }

    fn binary_level(
        &mut self,
        operators: &[(&[&str], &[&str], BinaryOperator)],
        next: fn(&mut Self) -> ParseResult<Expr>,
    ) -> ParseResult<Expr> {
        let mut left = next(self)?;
        'outer: loop {
            for (symbols, words, operator) in operators {
                let position = self.position();
                if self.operator(symbols, words) {
                    let right = next(self)?;
                    left = Expr::Binary {
                        operator: *operator,
                        left: Box::new(left),
                        right: Box::new(right),
                        position,
                    };
                    continue 'outer;
                }
            }
            return Ok(left);
        }
    }

    fn parse_or(&mut self) -> ParseResult<Expr> {
        self.binary_level(&[(&["||"], &["or"], BinaryOperator::Or)], Self::parse_and)
    }

    fn parse_and(&mut self) -> ParseResult<Expr> {
        self.binary_level(
            &[(&["&&"], &["and"], BinaryOperator::And)],
            Self::parse_equality,
        )
    }

    fn parse_equality(&mut self) -> ParseResult<Expr> {
        self.binary_level(
            &[
                (&["=="], &["eq"], BinaryOperator::Equal),
                (&["!="], &["ne"], BinaryOperator::NotEqual),
            ],
            Self::parse_relational,
        )
    }

    fn parse_relational(&mut self) -> ParseResult<Expr> {
        self.binary_level(
            &[
                (&["<="], &["le"], BinaryOperator::LessOrEqual),
                (&[">="], &["ge"], BinaryOperator::GreaterOrEqual),
                (&["<"], &["lt"], BinaryOperator::Less),
                (&[">"], &["gt"], BinaryOperator::Greater),
            ],
            Self::parse_additive,
        )
    }

    fn parse_additive(&mut self) -> ParseResult<Expr> {
        self.binary_level(
            &[
                (&["+"], &[], BinaryOperator::Add),
                (&["-"], &[], BinaryOperator::Subtract),
            ],
            Self::parse_multiplicative,
        )
    }

    fn parse_multiplicative(&mut self) -> ParseResult<Expr> {
        self.binary_level(
            &[
                (&["*"], &[], BinaryOperator::Multiply),
                (&["/"], &[], BinaryOperator::Divide),
                (&["%"], &[], BinaryOperator::Remainder),
            ],
            Self::parse_unary,
        )
    }

    fn parse_unary(&mut self) -> ParseResult<Expr> {
        self.skip_whitespace();
        if self.peek() == Some(b'!') && self.peek_at(1) != Some(b'=') {
            self.cursor += 1;
            return self.nested(|parser| Ok(Expr::Not(Box::new(parser.parse_unary()?))));
        }
        if self.operator(&[], &["not"]) {
            return self.nested(|parser| Ok(Expr::Not(Box::new(parser.parse_unary()?))));
        }
        if self.peek() == Some(b'-') && !self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            self.cursor += 1;
            return self.nested(|parser| Ok(Expr::Negate(Box::new(parser.parse_unary()?))));
        }
        self.parse_primary()
    }

    fn nested(&mut self, parse: impl FnOnce(&mut Self) -> ParseResult<Expr>) -> ParseResult<Expr> {
        self.enter()?;
        let result = parse(self);
        self.leave();
        result
    }

    fn parse_primary(&mut self) -> ParseResult<Expr> {
        self.skip_whitespace();
        let position = self.position();
        match self.peek() {
            None => self.error("unexpected end of template inside an expression"),
            Some(b'$') => match self.try_parse_reference(true)? {
                Some(reference) => Ok(Expr::Reference(reference)),
                None => self.error("expected a reference name after `$`"),
            },
            Some(b'\'') => self.parse_single_quoted(),
            Some(b'"') => self.parse_double_quoted(),
            Some(b'(') => {
                self.cursor += 1;
                let inner = self.parse_expression()?;
                self.expect(b')', "`)` to close the parenthesis")?;
                Ok(inner)
            }
            Some(b'[') => {
                self.cursor += 1;
                self.parse_list_or_range(position)
            }
            Some(b'{') => {
                self.cursor += 1;
                self.parse_map()
            }
            Some(b) if b.is_ascii_digit() || b == b'-' => self.parse_number(),
            Some(_) => {
                if self.operator(&[], &["true"]) {
                    Ok(Expr::Bool(true))
                } else if self.operator(&[], &["false"]) {
                    Ok(Expr::Bool(false))
                } else {
                    self.error(
                        "expected a value: a $reference, a 'string', a number, true/false, [list] or {map}",
                    )
                }
            }
        }
    }

    fn parse_number(&mut self) -> ParseResult<Expr> {
        let start = self.cursor;
        if self.peek() == Some(b'-') {
            self.cursor += 1;
        }
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.cursor += 1;
        }
        let is_float =
            self.peek() == Some(b'.') && self.peek_at(1).is_some_and(|b| b.is_ascii_digit());
        if is_float {
            self.cursor += 1;
            while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.cursor += 1;
            }
        }
        let literal = &self.source[start..self.cursor];
        if is_float {
            match literal.parse::<f64>() {
                Ok(number) => Ok(Expr::Float(number)),
                Err(_) => self.error(format!("invalid number {literal}")),
            }
        } else {
            match literal.parse::<i64>() {
                Ok(number) => Ok(Expr::Int(number)),
                Err(_) => {
                    self.cursor = start;
                    self.error(format!("invalid or too large integer {literal}"))
                }
            }
        }
    }

    /// Single-quoted strings are taken literally: no interpolation, no escapes.
    fn parse_single_quoted(&mut self) -> ParseResult<Expr> {
        self.cursor += 1;
        let start = self.cursor;
        match self.source[start..self.end].find('\'') {
            Some(relative) => {
                self.cursor = start + relative + 1;
                Ok(Expr::String(
                    self.source[start..start + relative].to_owned(),
                ))
            }
            None => self.error("string literal is never closed: add the closing '"),
        }
    }

    /// Double-quoted strings are rendered like a small template when they contain `$` or `#`.
    /// As in Velocity 1.7, a backslash only keeps the next character from closing the string;
    /// it stays in the value (so `"\\'"` is the regex `\\'` of AWS's documented idiom).
    fn parse_double_quoted(&mut self) -> ParseResult<Expr> {
        let open = self.cursor;
        self.cursor += 1;
        let start = self.cursor;
        loop {
            match self.peek() {
                None => {
                    self.cursor = open;
                    return self.error("string literal is never closed: add the closing \"");
                }
                Some(b'\\') => self.cursor = (self.cursor + 2).min(self.end),
                Some(b'"') => break,
                Some(_) => self.cursor += 1,
            }
        }
        let close = self.cursor;
        self.cursor += 1;
        let content = &self.source[start..close];
        if !content.contains(['$', '#']) {
            return Ok(Expr::String(content.to_owned()));
        }
        let (saved_cursor, saved_end) = (self.cursor, self.end);
        self.cursor = start;
        self.end = close;
        let parsed = self.parse_block();
        self.cursor = saved_cursor;
        self.end = saved_end;
        let (block, terminator, position) = parsed?;
        match terminator {
            Terminator::EndOfInput => Ok(Expr::Interpolated(block)),
            _ => Err(TemplateError::at(
                position,
                "unbalanced #end/#else inside a string literal: close every directive inside the same string",
            )),
        }
    }

    fn parse_list_or_range(&mut self, position: Position) -> ParseResult<Expr> {
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.cursor += 1;
            return Ok(Expr::List(Vec::new()));
        }
        let first = self.parse_expression()?;
        self.skip_whitespace();
        if self.starts_with("..") {
            self.cursor += 2;
            let last = self.parse_expression()?;
            self.expect(b']', "`]` to close the range [from..to]")?;
            return Ok(Expr::Range {
                from: Box::new(first),
                to: Box::new(last),
                position,
            });
        }
        let mut items = vec![first];
        loop {
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.cursor += 1;
                    items.push(self.parse_expression()?);
                }
                Some(b']') => {
                    self.cursor += 1;
                    return Ok(Expr::List(items));
                }
                _ => return self.error("expected `,` or `]` in the list"),
            }
        }
    }

    fn parse_map(&mut self) -> ParseResult<Expr> {
        let mut entries = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.cursor += 1;
            return Ok(Expr::Map(entries));
        }
        loop {
            let key = self.parse_expression()?;
            self.expect(b':', "`:` between a map key and its value")?;
            let value = self.parse_expression()?;
            entries.push((key, value));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.cursor += 1,
                Some(b'}') => {
                    self.cursor += 1;
                    return Ok(Expr::Map(entries));
                }
                _ => return self.error("expected `,` or `}` in the map"),
            }
        }
    }
}

fn flush_text(text: &mut String, nodes: &mut Vec<Node>) {
    if !text.is_empty() {
        nodes.push(Node::Text(std::mem::take(text)));
    }
}
