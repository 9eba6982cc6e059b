//! The positioned value tree every later step reads, and its YAML / JSON parser.
//!
//! A template is parsed once into [`Node`]s that remember where they were written, so an error
//! about `CodeUri` or a duplicate route can say `template.yaml:42:7`. YAML and JSON end up in the
//! same tree (JSON is read by the YAML parser, which gives it positions too); short-form tags are
//! already turned into their long form (`!Ref X` → `{"Ref": "X"}`), so the intrinsic resolver
//! only knows one spelling.

use std::collections::HashMap;
use std::sync::Arc;

use gatewise_model::SourceLocation;

use crate::LoadError;

/// One value of the template and where it was written.
#[derive(Debug, Clone)]
pub struct Node {
    pub value: Value,
    pub location: SourceLocation,
    /// Where the first character of a string is, when the string is written verbatim: a
    /// literal block scalar (`|`, each line of the string on the following file lines, from the
    /// same column), or a one-line scalar without escapes. Positions inside the string (a
    /// mapping template's parse error) then become file positions. `None` for strings that
    /// quotes, escapes, folding or an intrinsic put elsewhere, and for other values.
    pub verbatim_at: Option<SourceLocation>,
}

/// The data of a [`Node`].
#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    /// A number exactly as written (`10`, `0123`, `1.5`): properties coerce it themselves, and a
    /// number used as a string (an environment variable) keeps the user's spelling.
    Number(String),
    String(String),
    List(Vec<Node>),
    Map(Map),
}

/// A mapping in key order, keeping each key's position (resource and event keys are what
/// diagnostics point at).
#[derive(Debug, Clone, Default)]
pub struct Map {
    entries: Vec<Entry>,
    /// Where each key is in `entries`, once the map holds more than [`INDEX_FROM_ENTRIES`]:
    /// a template's `Resources` can hold tens of thousands of keys, and a scan per lookup and
    /// per insert made loading such a template quadratic (40,000 functions took half a minute).
    index: Option<HashMap<String, usize>>,
}

/// Maps up to this many entries are scanned (most maps of a template hold a handful of keys,
/// where a scan beats hashing); larger ones get a key index.
const INDEX_FROM_ENTRIES: usize = 16;

/// One `key: value` pair of a [`Map`].
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub key_location: SourceLocation,
    pub value: Node,
}

impl Map {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.position(key).map(|i| &self.entries[i])
    }

    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// Adds or replaces `entry.key` (replacing keeps the original position in the order, like a
    /// JSON object merge).
    pub fn insert(&mut self, entry: Entry) {
        match self.position(&entry.key) {
            Some(i) => self.entries[i] = entry,
            None => self.push(entry),
        }
    }

    pub fn remove(&mut self, key: &str) {
        if self.position(key).is_some() {
            self.entries.retain(|e| e.key != key);
            self.reindex();
        }
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.position(key).map(|i| &mut self.entries[i].value)
    }

    /// Each key with its value, mutable; keys stay as they are (the index depends on them).
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut Node)> {
        self.entries
            .iter_mut()
            .map(|e| (e.key.as_str(), &mut e.value))
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds `key: value` with the key written at `key_location`.
    pub fn set(&mut self, key: &str, key_location: &SourceLocation, value: Node) {
        self.insert(Entry {
            key: key.to_owned(),
            key_location: key_location.clone(),
            value,
        });
    }

    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.entries.iter().position(|e| e.key == key),
        }
    }

    /// Appends an entry whose key is not in the map yet.
    fn push(&mut self, entry: Entry) {
        if let Some(index) = &mut self.index {
            index.insert(entry.key.clone(), self.entries.len());
        }
        self.entries.push(entry);
        if self.index.is_none() && self.entries.len() > INDEX_FROM_ENTRIES {
            self.reindex();
        }
    }

    fn reindex(&mut self) {
        self.index = (self.entries.len() > INDEX_FROM_ENTRIES).then(|| {
            self.entries
                .iter()
                .enumerate()
                .map(|(i, e)| (e.key.clone(), i))
                .collect()
        });
    }
}

impl Node {
    pub fn new(value: Value, location: SourceLocation) -> Self {
        Self {
            value,
            location,
            verbatim_at: None,
        }
    }

    pub fn string(text: impl Into<String>, location: SourceLocation) -> Self {
        Self::new(Value::String(text.into()), location)
    }

    /// An empty map written at `location` (for documents gatewise builds, such as SAM's swagger).
    pub fn empty_map(location: SourceLocation) -> Self {
        Self::new(Value::Map(Map::default()), location)
    }

    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match &mut self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Node]> {
        match &self.value {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The text of a string, number or boolean, as CloudFormation would stringify it.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::String(s) | Value::Number(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null | Value::List(_) | Value::Map(_) => None,
        }
    }

    /// A literal string (not a number): used where CloudFormation wants a name, e.g. `Ref`.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// `Some((name, argument))` when this node is an intrinsic function call: a map with
    /// exactly one key that is `Ref` or starts with `Fn::`. (`Condition` is an intrinsic only
    /// inside conditions; see `intrinsics`.)
    pub fn intrinsic(&self) -> Option<(&str, &Node)> {
        let map = self.as_map()?;
        match map.entries.as_slice() {
            [only] if only.key == "Ref" || only.key.starts_with("Fn::") => {
                Some((only.key.as_str(), &only.value))
            }
            _ => None,
        }
    }

    /// A short name of the kind of value, for "expected a string, found a list" messages.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::List(_) => "a list",
            Value::Map(_) => "a map",
        }
    }

    /// The value as JSON, for comparisons (`Fn::Equals` on lists) and tests.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::from_str::<serde_json::Number>(n)
                .map(serde_json::Value::Number)
                .unwrap_or_else(|_| serde_json::Value::String(n.clone())),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::List(items) => items.iter().map(Node::to_json).collect(),
            Value::Map(map) => map
                .iter()
                .map(|e| (e.key.clone(), e.value.to_json()))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }
}

/// A map node whose keys are all written at `at`.
pub fn map_node(at: &SourceLocation, entries: Vec<(&str, Node)>) -> Node {
    let mut map = Map::default();
    for (key, value) in entries {
        map.set(key, at, value);
    }
    Node::new(Value::Map(map), at.clone())
}

/// Nesting deeper than this is refused: no template needs it, and the recursive steps after
/// parsing must not overflow the stack on hostile input.
const MAX_DEPTH: usize = 200;
/// Total nodes that alias expansion (`*anchor`) may copy, against "billion laughs" input.
const ALIAS_BUDGET: usize = 100_000;

/// [`parse_reporting`] for tests, where warnings do not matter.
#[cfg(test)]
pub fn parse(text: &str, file: &Arc<std::path::Path>) -> Result<Node, LoadError> {
    parse_reporting(text, file, &mut Vec::new())
}

/// How many lines the lenient re-indentation below may touch in one document before giving
/// up and reporting the parser's error.
const MAX_REINDENTED_LINES: usize = 2000;

/// Parses `text` (YAML or JSON) written in `file`; what loads but deserves a word (a duplicate
/// key) is added to `warnings`.
///
/// YAML as CloudFormation and SAM CLI read it: their parsers accept a flow collection whose
/// closing `]` or `}` — or a multi-line quoted string whose continuation lines — sit at (or left
/// of) the parent key's indentation, which the YAML spec (and saphyr) refuse. Indentation means
/// nothing inside flow collections and is folded away in quoted strings, so such a line is
/// re-indented and the document parsed again; positions on it are reported as written.
pub fn parse_reporting(
    text: &str,
    file: &Arc<std::path::Path>,
    warnings: &mut Vec<gatewise_model::Diagnostic>,
) -> Result<Node, LoadError> {
    // A JSON file may indent with tabs, which YAML forbids; outside strings (where JSON itself
    // forbids raw tabs) a tab is only whitespace, so a space keeps meaning and columns.
    let looks_like_json = text.trim_start().starts_with('{');
    let text: std::borrow::Cow<'_, str> = if looks_like_json && text.contains('\t') {
        text.replace('\t', " ").into()
    } else {
        text.into()
    };
    let mut text: std::borrow::Cow<'_, str> = match text {
        std::borrow::Cow::Borrowed(t) => t.strip_prefix('\u{feff}').unwrap_or(t).into(),
        std::borrow::Cow::Owned(t) => t.strip_prefix('\u{feff}').unwrap_or(&t).to_owned().into(),
    };
    // Spaces added at the start of each re-indented line (1-based line → count).
    let mut added: HashMap<usize, usize> = HashMap::new();
    loop {
        match parse_once(&text, file) {
            Ok((mut node, mut found)) => {
                if !added.is_empty() {
                    unshift(&mut node, &added);
                    for w in &mut found {
                        unshift_location(&mut w.location, &added);
                    }
                }
                warnings.append(&mut found);
                return Ok(node);
            }
            Err(Failure::Indentation { line, error }) if added.len() < MAX_REINDENTED_LINES => {
                let Some(fixed) = reindented(&text, line) else {
                    return Err(error);
                };
                *added.entry(line).or_default() += REINDENT;
                if added[&line] > 16 * REINDENT {
                    return Err(error);
                }
                text = fixed.into();
            }
            Err(Failure::Indentation { error, .. } | Failure::Other(error)) => {
                let mut error = error;
                unshift_location(&mut error.location, &added);
                return Err(error);
            }
        }
    }
}

/// Spaces added to a line per attempt.
const REINDENT: usize = 2;

/// Why one parse failed: an indentation error on a line that may be a flow or quoted
/// continuation (retried re-indented), or anything else.
enum Failure {
    Indentation { line: usize, error: LoadError },
    Other(LoadError),
}

/// `text` with line `line` (1-based) indented [`REINDENT`] spaces more; `None` when the line
/// is not one a lenient reader would accept re-indented (only lines inside a flow collection or
/// a quoted string qualify, which the parser's own message says).
fn reindented(text: &str, line: usize) -> Option<String> {
    let mut out = String::with_capacity(text.len() + REINDENT);
    let mut found = false;
    for (index, l) in text.split_inclusive('\n').enumerate() {
        if index + 1 == line {
            found = true;
            out.extend(std::iter::repeat_n(' ', REINDENT));
        }
        out.push_str(l);
    }
    found.then_some(out)
}

/// The first non-blank line after `line` (1-based) indented no deeper than `line` itself.
fn first_unindented_after(text: &str, line: usize) -> usize {
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.get(line.saturating_sub(1)) else {
        return line;
    };
    let base = indent(start);
    lines
        .iter()
        .enumerate()
        .skip(line)
        .find(|(_, l)| !l.trim().is_empty() && indent(l) <= base)
        .map_or(line + 1, |(index, _)| index + 1)
}

fn unshift_location(location: &mut SourceLocation, added: &HashMap<usize, usize>) {
    if let Some(n) = added.get(&(location.line as usize)) {
        let n = u32::try_from(*n).unwrap_or(u32::MAX);
        location.column = location.column.saturating_sub(n).max(1);
    }
}

/// Moves positions on re-indented lines back to where they are written.
fn unshift(node: &mut Node, added: &HashMap<usize, usize>) {
    unshift_location(&mut node.location, added);
    if let Some(at) = &mut node.verbatim_at {
        unshift_location(at, added);
    }
    match &mut node.value {
        Value::List(items) => items.iter_mut().for_each(|i| unshift(i, added)),
        Value::Map(map) => map.entries.iter_mut().for_each(|e| {
            unshift_location(&mut e.key_location, added);
            unshift(&mut e.value, added);
        }),
        _ => {}
    }
}

fn parse_once(
    text: &str,
    file: &Arc<std::path::Path>,
) -> Result<(Node, Vec<gatewise_model::Diagnostic>), Failure> {
    let mut builder = Builder {
        file: file.clone(),
        text,
        line_starts: Vec::new(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_budget: ALIAS_BUDGET,
        root: None,
        error: None,
        warnings: Vec::new(),
    };
    let mut parser = saphyr_parser::Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut builder, true) {
        let at = builder.location(*e.marker());
        let error = LoadError::new(
            at,
            format!("invalid YAML: {}; fix the syntax here", e.info()),
        );
        let info = e.info();
        // In a quoted scalar the parser reports the line where the string starts; the line to
        // re-indent is the first after it that is not indented more than that line.
        let line = if info.contains("quoted scalar") {
            first_unindented_after(text, e.marker().line())
        } else {
            e.marker().line()
        };
        return Err(
            if info.contains("invalid indentation") || info.contains("did not find expected ',' or")
            {
                Failure::Indentation { line, error }
            } else {
                Failure::Other(error)
            },
        );
    }
    if let Some(e) = builder.error {
        return Err(Failure::Other(e));
    }
    let root = builder.root.ok_or_else(|| {
        Failure::Other(LoadError::new(
            SourceLocation::new(file.clone(), 1, 1),
            "the template is empty; a template needs at least a `Resources` section".to_owned(),
        ))
    })?;
    Ok((root, builder.warnings))
}

/// An open collection while events stream in.
enum Frame {
    List {
        items: Vec<Node>,
        location: SourceLocation,
        anchor: usize,
        tag: Option<saphyr_parser::Tag>,
    },
    Map {
        map: Map,
        /// The key read, waiting for its value.
        key: Option<(String, SourceLocation)>,
        location: SourceLocation,
        anchor: usize,
        tag: Option<saphyr_parser::Tag>,
    },
}

/// Builds [`Node`]s from parser events (the parser pushes; the first error wins).
struct Builder<'t> {
    file: Arc<std::path::Path>,
    /// The text being parsed, to find where verbatim strings are written.
    text: &'t str,
    /// Byte offset of each line of `text`, computed on first use.
    line_starts: Vec<usize>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    alias_budget: usize,
    root: Option<Node>,
    error: Option<LoadError>,
    /// Duplicate keys (loaded, last one wins).
    warnings: Vec<gatewise_model::Diagnostic>,
}

impl saphyr_parser::SpannedEventReceiver<'_> for Builder<'_> {
    fn on_event(&mut self, event: saphyr_parser::Event<'_>, span: saphyr_parser::Span) {
        if self.error.is_some() {
            return;
        }
        if let Err(e) = self.handle(event, span) {
            self.error = Some(e);
        }
    }
}

impl Builder<'_> {
    fn location(&self, marker: saphyr_parser::Marker) -> SourceLocation {
        SourceLocation::new(
            self.file.clone(),
            u32::try_from(marker.line()).unwrap_or(u32::MAX),
            u32::try_from(marker.col() + 1).unwrap_or(u32::MAX),
        )
    }

    /// [`Node::verbatim_at`] of a string scalar. The parser's span of a literal block starts at
    /// its first non-blank line, at the block's indentation; leading blank lines of the string
    /// come before it. A plain or quoted scalar is verbatim when the source after its opening
    /// quote is exactly its text, followed by the closing quote.
    fn verbatim_at(
        &mut self,
        text: &str,
        style: saphyr_parser::ScalarStyle,
        span: saphyr_parser::Span,
    ) -> Option<SourceLocation> {
        use saphyr_parser::ScalarStyle;
        let start = span.start;
        let (line, column) = match style {
            ScalarStyle::Literal => {
                let blank_lines = text.len() - text.trim_start_matches('\n').len();
                (start.line().checked_sub(blank_lines)?, start.col() + 1)
            }
            ScalarStyle::Plain => {
                (span.end.line() == start.line()).then_some((start.line(), start.col() + 1))?
            }
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                let quote = if style == ScalarStyle::SingleQuoted {
                    '\''
                } else {
                    '"'
                };
                if text.contains('\n') {
                    return None;
                }
                let mut written = self.line(start.line()).chars().skip(start.col() + 1);
                let verbatim = text.chars().all(|c| written.next() == Some(c))
                    && written.next() == Some(quote);
                verbatim.then_some((start.line(), start.col() + 2))?
            }
            ScalarStyle::Folded => return None,
        };
        Some(SourceLocation::new(
            self.file.clone(),
            u32::try_from(line).ok()?,
            u32::try_from(column).ok()?,
        ))
    }

    /// The text of 1-based `line`, without its line break (empty past the end); the line
    /// index is built on first use.
    fn line(&mut self, line: usize) -> &str {
        if self.line_starts.is_empty() {
            self.line_starts = std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(at, _)| at + 1))
                .collect();
        }
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let rest = &self.text[start..];
        let line = rest.split('\n').next().unwrap_or(rest);
        line.strip_suffix('\r').unwrap_or(line)
    }

    fn handle(
        &mut self,
        event: saphyr_parser::Event<'_>,
        span: saphyr_parser::Span,
    ) -> Result<(), LoadError> {
        use saphyr_parser::Event;
        let location = self.location(span.start);
        match event {
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd => Ok(()),
            Event::Scalar(text, style, anchor, tag) => {
                if let Some(Frame::Map {
                    key: key @ None, ..
                }) = self.stack.last_mut()
                {
                    if tag.as_deref().is_some_and(|t| !t.is_yaml_core_schema()) {
                        return Err(LoadError::new(
                            location,
                            "a mapping key cannot be a tagged value (an intrinsic function); use a plain name".to_owned(),
                        ));
                    }
                    *key = Some((text.into_owned(), location));
                    return Ok(());
                }
                let mut node = scalar(&text, style, tag.as_deref(), location.clone())?;
                if matches!(node.value, Value::String(_)) {
                    node.verbatim_at = self.verbatim_at(&text, style, span);
                }
                let node = match tag {
                    Some(tag) if !tag.is_yaml_core_schema() => long_form(&tag, node, location)?,
                    _ => node,
                };
                self.complete(node, anchor)
            }
            Event::SequenceStart(anchor, tag) => self.open(Frame::List {
                items: Vec::new(),
                location,
                anchor,
                tag: tag.map(|t| t.into_owned()),
            }),
            Event::MappingStart(anchor, tag) => self.open(Frame::Map {
                map: Map::default(),
                key: None,
                location,
                anchor,
                tag: tag.map(|t| t.into_owned()),
            }),
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Err(LoadError::new(
                        location,
                        "invalid YAML: unbalanced collection end".to_owned(),
                    ));
                };
                let (node, anchor, tag) = match frame {
                    Frame::List {
                        items,
                        location,
                        anchor,
                        tag,
                    } => (Node::new(Value::List(items), location), anchor, tag),
                    Frame::Map {
                        map,
                        location,
                        anchor,
                        tag,
                        ..
                    } => (Node::new(Value::Map(map), location), anchor, tag),
                };
                let node = match tag {
                    Some(tag) if !tag.is_yaml_core_schema() => {
                        let at = node.location.clone();
                        long_form(&tag, node, at)?
                    }
                    _ => node,
                };
                self.complete(node, anchor)
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id) else {
                    return Err(LoadError::new(
                        location,
                        "alias refers to an unknown anchor".to_owned(),
                    ));
                };
                let size = count_nodes(target);
                if self.stack.len() + depth(target) > MAX_DEPTH {
                    return Err(LoadError::new(
                        location,
                        format!(
                            "this alias nests values more than {MAX_DEPTH} levels deep; write the value out"
                        ),
                    ));
                }
                if size > self.alias_budget {
                    return Err(LoadError::new(
                        location,
                        "aliases expand to too many values (possible billion-laughs input); remove the anchors".to_owned(),
                    ));
                }
                self.alias_budget -= size;
                let node = target.clone();
                if let Some(Frame::Map { key: None, .. }) = self.stack.last() {
                    return Err(LoadError::new(
                        location,
                        "an alias cannot be used as a mapping key; write the key out".to_owned(),
                    ));
                }
                self.complete(node, 0)
            }
        }
    }

    fn open(&mut self, frame: Frame) -> Result<(), LoadError> {
        if let Some(Frame::Map { key: None, .. }) = self.stack.last() {
            let at = match &frame {
                Frame::List { location, .. } | Frame::Map { location, .. } => location.clone(),
            };
            return Err(LoadError::new(
                at,
                "a mapping key must be a plain name, not a list or map".to_owned(),
            ));
        }
        if self.stack.len() >= MAX_DEPTH {
            let at = match &frame {
                Frame::List { location, .. } | Frame::Map { location, .. } => location.clone(),
            };
            return Err(LoadError::new(
                at,
                format!(
                    "values are nested more than {MAX_DEPTH} levels deep; this is not a usable template"
                ),
            ));
        }
        self.stack.push(frame);
        Ok(())
    }

    /// Hands a finished node to its parent (or makes it the document).
    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), LoadError> {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_some() {
                    return Err(LoadError::new(
                        node.location,
                        "the file holds more than one YAML document (`---`); a template is exactly one".to_owned(),
                    ));
                }
                self.root = Some(node);
            }
            Some(Frame::List { items, .. }) => items.push(node),
            Some(Frame::Map { map, key, .. }) => {
                let Some((key, key_location)) = key.take() else {
                    return Err(LoadError::new(
                        node.location,
                        "a mapping key must be a plain name".to_owned(),
                    ));
                };
                if let Some(first) = map.entry(&key) {
                    // CloudFormation and SAM CLI keep the last value (in the first one's place).
                    self.warnings.push(gatewise_model::Diagnostic {
                        location: key_location.clone(),
                        message: format!(
                            "duplicate key '{key}' (first defined at {}): CloudFormation and SAM CLI use this last one, and so does gatewise; remove the other",
                            first.key_location
                        ),
                    });
                    map.insert(Entry {
                        key,
                        key_location,
                        value: node,
                    });
                } else {
                    map.push(Entry {
                        key,
                        key_location,
                        value: node,
                    });
                }
            }
        }
        Ok(())
    }
}

fn depth(node: &Node) -> usize {
    1 + match &node.value {
        Value::List(items) => items.iter().map(depth).max().unwrap_or(0),
        Value::Map(map) => map.iter().map(|e| depth(&e.value)).max().unwrap_or(0),
        _ => 0,
    }
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.value {
        Value::List(items) => items.iter().map(count_nodes).sum(),
        Value::Map(map) => map.iter().map(|e| count_nodes(&e.value)).sum(),
        _ => 0,
    }
}

/// Types a scalar by the YAML 1.2 core schema, keeping the text: quoted and block scalars are
/// always strings; plain ones may be null, a boolean or a number. A `!!str` tag forces a string.
fn scalar(
    text: &str,
    style: saphyr_parser::ScalarStyle,
    tag: Option<&saphyr_parser::Tag>,
    location: SourceLocation,
) -> Result<Node, LoadError> {
    let core_tag = tag
        .filter(|t| t.is_yaml_core_schema())
        .map(|t| t.suffix.as_str());
    let invalid = |kind: &str| {
        LoadError::new(
            location.clone(),
            format!("'{text}' is not a valid !!{kind}; remove the tag or fix the value"),
        )
    };
    let value = match core_tag {
        Some("str") => Value::String(text.to_owned()),
        Some("null") => Value::Null,
        Some("bool") => Value::Bool(parse_bool(text).ok_or_else(|| invalid("bool"))?),
        Some(kind @ ("int" | "float")) if !is_number(text) => return Err(invalid(kind)),
        Some("int" | "float") => Value::Number(text.to_owned()),
        _ if style != saphyr_parser::ScalarStyle::Plain => Value::String(text.to_owned()),
        _ => match text {
            "" | "~" | "null" | "Null" | "NULL" => Value::Null,
            _ => match parse_bool(text) {
                Some(b) => Value::Bool(b),
                None if is_number(text) => Value::Number(text.to_owned()),
                None => Value::String(text.to_owned()),
            },
        },
    };
    Ok(Node::new(value, location))
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// YAML 1.2 core-schema integers and floats (decimal, `0o`, `0x`, exponents); `.inf`/`.nan`
/// stay strings since no template property wants them.
fn is_number(text: &str) -> bool {
    if let Some(hex) = text.strip_prefix("0x") {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return !oct.is_empty() && oct.chars().all(|c| ('0'..='7').contains(&c));
    }
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = digits(int)
        && frac.is_none_or(digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

/// The CloudFormation short-form tags and the long-form key each one stands for.
const SHORT_FORMS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("Sub", "Fn::Sub"),
    ("GetAtt", "Fn::GetAtt"),
    ("Join", "Fn::Join"),
    ("Select", "Fn::Select"),
    ("Split", "Fn::Split"),
    ("FindInMap", "Fn::FindInMap"),
    ("If", "Fn::If"),
    ("Equals", "Fn::Equals"),
    ("Not", "Fn::Not"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("ImportValue", "Fn::ImportValue"),
    ("Base64", "Fn::Base64"),
    ("GetAZs", "Fn::GetAZs"),
    ("Cidr", "Fn::Cidr"),
    ("Transform", "Fn::Transform"),
    ("Length", "Fn::Length"),
    ("ToJsonString", "Fn::ToJsonString"),
];

/// Rewrites `!Tag value` as `{"Fn::Tag": value}`; `!GetAtt A.B` becomes `["A", "B"]` (split at
/// the first dot, so `Db.Endpoint.Address` keeps its dotted attribute).
fn long_form(
    tag: &saphyr_parser::Tag,
    node: Node,
    location: SourceLocation,
) -> Result<Node, LoadError> {
    let key = if tag.handle == "!" {
        SHORT_FORMS
            .iter()
            .find(|(short, _)| *short == tag.suffix)
            .map(|(_, long)| *long)
    } else {
        None
    };
    let Some(key) = key else {
        let known: Vec<String> = SHORT_FORMS.iter().map(|(s, _)| format!("!{s}")).collect();
        return Err(LoadError::new(
            location,
            format!(
                "unknown tag '{tag}'; CloudFormation understands {}",
                known.join(", ")
            ),
        ));
    };
    let argument = match (&node.value, key) {
        (Value::String(s), "Fn::GetAtt") => match s.split_once('.') {
            Some((resource, attribute)) => Node::new(
                Value::List(vec![
                    Node::string(resource, node.location.clone()),
                    Node::string(attribute, node.location.clone()),
                ]),
                node.location.clone(),
            ),
            None => node,
        },
        _ => node,
    };
    let mut map = Map::default();
    map.entries.push(Entry {
        key: key.to_owned(),
        key_location: location.clone(),
        value: argument,
    });
    Ok(Node::new(Value::Map(map), location))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn file() -> Arc<std::path::Path> {
        Arc::from(std::path::Path::new("t.yaml"))
    }

    fn json_of(text: &str) -> serde_json::Value {
        parse(text, &file())
            .unwrap_or_else(|e| panic!("{text:?}: {e}"))
            .to_json()
    }

    #[test]
    fn short_forms_become_long_forms() {
        let cases: &[(&str, serde_json::Value)] = &[
            ("a: !Ref X", json!({"a": {"Ref": "X"}})),
            ("a: !Sub '${X}-y'", json!({"a": {"Fn::Sub": "${X}-y"}})),
            (
                "a: !GetAtt F.Arn",
                json!({"a": {"Fn::GetAtt": ["F", "Arn"]}}),
            ),
            (
                "a: !GetAtt Db.Endpoint.Address",
                json!({"a": {"Fn::GetAtt": ["Db", "Endpoint.Address"]}}),
            ),
            (
                "a: !GetAtt [F, Arn]",
                json!({"a": {"Fn::GetAtt": ["F", "Arn"]}}),
            ),
            (
                "a: !Join ['-', [x, !Ref Y]]",
                json!({"a": {"Fn::Join": ["-", ["x", {"Ref": "Y"}]]}}),
            ),
            (
                "a: !Select [0, [x]]",
                json!({"a": {"Fn::Select": [0, ["x"]]}}),
            ),
            (
                "a: !Split [',', 'a,b']",
                json!({"a": {"Fn::Split": [",", "a,b"]}}),
            ),
            (
                "a: !FindInMap [M, K, V]",
                json!({"a": {"Fn::FindInMap": ["M", "K", "V"]}}),
            ),
            (
                "a: !If [C, x, !Ref AWS::NoValue]",
                json!({"a": {"Fn::If": ["C", "x", {"Ref": "AWS::NoValue"}]}}),
            ),
            (
                "a: !Equals [!Ref E, prod]",
                json!({"a": {"Fn::Equals": [{"Ref": "E"}, "prod"]}}),
            ),
            (
                "a: !Not [!Condition C]",
                json!({"a": {"Fn::Not": [{"Condition": "C"}]}}),
            ),
            (
                "a: !And [!Condition C, !Condition D]",
                json!({"a": {"Fn::And": [{"Condition": "C"}, {"Condition": "D"}]}}),
            ),
            (
                "a: !Or [!Condition C]",
                json!({"a": {"Fn::Or": [{"Condition": "C"}]}}),
            ),
            ("a: !ImportValue T", json!({"a": {"Fn::ImportValue": "T"}})),
            ("a: !Base64 hi", json!({"a": {"Fn::Base64": "hi"}})),
            ("a: !GetAZs ''", json!({"a": {"Fn::GetAZs": ""}})),
            (
                "a: !Sub\n  - '${A}'\n  - A: !Ref B",
                json!({"a": {"Fn::Sub": ["${A}", {"A": {"Ref": "B"}}]}}),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(&json_of(text), want, "{text}");
        }
    }

    #[test]
    fn scalars_keep_strings_strings() {
        let v = json_of(
            "a: '0123'\nb: 0123\nc: 10\nd: true\ne: yes\nf: ~\ng: \"10\"\nh: 1.5\ni: !!str 7",
        );
        assert_eq!(
            v,
            json!({"a": "0123", "b": "0123", "c": 10, "d": true, "e": "yes", "f": null, "g": "10", "h": 1.5, "i": "7"})
        );
        let node = parse("b: 0123", &file()).unwrap();
        let b = node.as_map().unwrap().get("b").unwrap();
        assert_eq!(
            b.scalar_text().as_deref(),
            Some("0123"),
            "numbers keep their spelling"
        );
    }

    #[test]
    fn json_is_read_with_positions() {
        let node = parse(
            "{\n\t\"a\": {\"Ref\": \"X\"},\n\t\"b\": [1, \"2\"]\n}",
            &file(),
        )
        .unwrap();
        assert_eq!(node.to_json(), json!({"a": {"Ref": "X"}, "b": [1, "2"]}));
        let entry = node.as_map().unwrap().entry("b").unwrap();
        assert_eq!((entry.key_location.line, entry.key_location.column), (3, 2));
    }

    #[test]
    fn compact_json_and_escapes() {
        assert_eq!(
            json_of(r#"{"a":{"b":[1,2.5,true,null]},"c":"d\/e\u00e9","e":"0123"}"#),
            json!({"a": {"b": [1, 2.5, true, null]}, "c": "d/e\u{e9}", "e": "0123"})
        );
    }

    #[test]
    fn aliases_cannot_nest_past_the_depth_limit() {
        let mut text = String::from("a: &a ");
        text.push_str(&"[".repeat(150));
        text.push_str(&"]".repeat(150));
        text.push_str("\nb: ");
        text.push_str(&"[".repeat(100));
        text.push_str("*a");
        text.push_str(&"]".repeat(100));
        let err = parse(&text, &file()).expect_err("too deep");
        assert!(err.message.contains("levels deep"), "{err}");
    }

    #[test]
    fn keys_and_values_keep_line_and_column() {
        let node = parse("Resources:\n  Hello:\n    Type: X\n", &file()).unwrap();
        let resources = node.as_map().unwrap().get("Resources").unwrap();
        let hello = resources.as_map().unwrap().entry("Hello").unwrap();
        assert_eq!((hello.key_location.line, hello.key_location.column), (2, 3));
        let ty = hello.value.as_map().unwrap().get("Type").unwrap();
        assert_eq!((ty.location.line, ty.location.column), (3, 11));
    }

    #[test]
    fn anchors_and_aliases_expand() {
        assert_eq!(
            json_of("a: &x [1, 2]\nb: *x"),
            json!({"a": [1, 2], "b": [1, 2]})
        );
    }

    #[test]
    fn large_maps_keep_order_positions_and_duplicate_detection() {
        // Past INDEX_FROM_ENTRIES the map looks keys up in its index: the behaviour must not
        // change — template order, key positions, the first key named in a duplicate error.
        let keys = INDEX_FROM_ENTRIES * 3;
        let mut text: String = (0..keys).map(|i| format!("k{i}: {i}\n")).collect();
        let node = parse(&text, &file()).expect("parses");
        let map = node.as_map().expect("map");
        let order: Vec<&str> = map.iter().map(|e| e.key.as_str()).collect();
        let want: Vec<String> = (0..keys).map(|i| format!("k{i}")).collect();
        assert_eq!(order, want);
        let last = map.entry(&format!("k{}", keys - 1)).expect("last key");
        assert_eq!(last.key_location.line as usize, keys);
        assert_eq!(
            map.get("k7").and_then(Node::scalar_text).as_deref(),
            Some("7")
        );

        text.push_str("k3: again\n");
        let mut warnings = Vec::new();
        let again = parse_reporting(&text, &file(), &mut warnings).expect("duplicate");
        assert!(
            warnings[0]
                .message
                .contains("duplicate key 'k3' (first defined at t.yaml:4:1)"),
            "{warnings:?}"
        );
        assert_eq!(
            again
                .as_map()
                .unwrap()
                .get("k3")
                .and_then(Node::scalar_text)
                .as_deref(),
            Some("again")
        );

        let mut map = map.clone();
        let at = last.key_location.clone();
        map.set("k5", &at, Node::string("five", at.clone()));
        assert_eq!(map.iter().nth(5).map(|e| e.key.as_str()), Some("k5"));
        map.remove("k0");
        assert!(!map.contains_key("k0"));
        assert_eq!(map.get("k5").and_then(Node::as_str), Some("five"));
        assert_eq!(map.iter().next().map(|e| e.key.as_str()), Some("k1"));
        map.set("new", &at, Node::string("n", at.clone()));
        assert_eq!(map.iter().last().map(|e| e.key.as_str()), Some("new"));
        assert!(map.contains_key("new"));
    }

    #[test]
    fn parse_errors_carry_positions() {
        let cases: &[(&str, &str, u32)] = &[
            ("a: 1\nb: [1, 2\n", "invalid YAML", 0),
            ("a: !Bogus x", "unknown tag '!Bogus'", 1),
            ("? [a]\n: b", "mapping key", 1),
            ("", "empty", 1),
            ("a: 1\n---\nb: 2\n", "more than one YAML document", 3),
        ];
        for (text, want, line) in cases {
            let err = parse(text, &file()).expect_err(text);
            assert!(err.message.contains(want), "{text:?}: {err}");
            if *line > 0 {
                assert_eq!(err.location.line, *line, "{text:?}: {err}");
            }
        }
    }

    #[test]
    fn deep_nesting_and_alias_bombs_are_refused() {
        let deep = "[".repeat(10_000);
        assert!(parse(&deep, &file()).is_err());
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..8 {
            let prev = if i == 0 {
                "a".to_owned()
            } else {
                format!("b{}", i - 1)
            };
            bomb.push_str(&format!("b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let err = parse(&bomb, &file()).expect_err("bomb");
        assert!(err.message.contains("too many"), "{err}");
    }

    #[test]
    fn number_syntax() {
        for yes in [
            "0", "10", "-3", "+3", "1.5", ".5", "1e3", "1.0E-2", "0x1F", "0o17", "0123",
        ] {
            assert!(is_number(yes), "{yes}");
        }
        for no in [
            "", "-", ".", "1.2.3", "e3", "1e", "0x", "abc", "1_000", "12a",
        ] {
            assert!(!is_number(no), "{no}");
        }
    }

    /// Where a string's first character is written, when positions inside it are file
    /// positions: `(yaml, line, column)`, or `None`.
    #[test]
    fn verbatim_strings_know_where_their_text_starts() {
        let cases: &[(&str, Option<(u32, u32)>)] = &[
            ("a: plain text", Some((1, 4))),
            ("a: 'single'", Some((1, 5))),
            ("a: \"double\"", Some((1, 5))),
            ("a:   \"spaced\"  # comment", Some((1, 7))),
            ("x: 1\nb:\n  a: |\n    line one\n      two\n", Some((4, 5))),
            ("a: |-\n\n  after a blank line\n", Some((2, 3))),
            ("a: |2\n    explicit indent\n", Some((2, 3))),
            ("a: >\n  folded\n", None),
            ("a: '  it''s spaced  '", None),
            ("a: \"esc\\\"aped\"", None),
            ("a: 'it''s'", None),
            ("a: \"two\n  lines\"", None),
            ("{\"a\": \"json\"}", Some((1, 8))),
            ("a: 'caf\u{e9} \u{1F600}'", Some((1, 5))),
        ];
        for (yaml, want) in cases {
            let root = parse(yaml, &file()).unwrap_or_else(|e| panic!("{yaml:?}: {e}"));
            let node = root.as_map().and_then(|m| m.get("a")).or_else(|| {
                root.as_map()
                    .and_then(|m| m.get("b"))
                    .and_then(Node::as_map)
                    .and_then(|m| m.get("a"))
            });
            let got = node
                .and_then(|n| n.verbatim_at.as_ref())
                .map(|l| (l.line, l.column));
            assert_eq!(got, *want, "{yaml:?}");
        }
        // Numbers and other values have none.
        let root = parse("a: 12", &file()).unwrap();
        assert!(
            root.as_map()
                .unwrap()
                .get("a")
                .unwrap()
                .verbatim_at
                .is_none()
        );
    }
}
