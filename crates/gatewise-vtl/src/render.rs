//! The interpreter: walks the parsed template and writes the output.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::ast::{BinaryOperator, Block, Expr, Node, Reference, Segment};
use crate::error::{Position, RenderError};
use crate::input::Input;
use crate::runtime_value::{Arena, ListStyle, MapCell, MapStyle, Tool, Val};
use crate::text::{self, MAX_VALUE_DEPTH, TooDeep};
use crate::value::Value;

/// UNCONFIRMED: Velocity 1.7's default (`directive.set.null.allowed = false`): a `#set` whose
/// right-hand side is null leaves the target unchanged, e.g. inside a `#foreach` the variable
/// keeps the previous iteration's value.
pub const SET_NULL_LEAVES_TARGET_UNCHANGED: bool = true;

/// Bounds on one render, so that no template can loop forever or exhaust memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Iterations of one `#foreach`, and the length of one `[a..b]` range.
    pub max_loop_iterations: usize,
    /// Size of the rendered output. Text made along the way (interpolated strings, method
    /// results) may add up to [`PRODUCED_TEXT_FACTOR`] times this.
    pub max_output_bytes: usize,
    /// Nodes rendered, expressions evaluated and loop iterations, all together.
    pub max_steps: usize,
}

/// How much text a render may produce in total, as a multiple of `max_output_bytes`.
pub const PRODUCED_TEXT_FACTOR: usize = 8;

impl Default for Limits {
    /// 100 000 iterations per loop, 10 MiB of output (API Gateway's payload limit), ten
    /// million steps (well under a second in release builds).
    fn default() -> Self {
        Limits {
            max_loop_iterations: 100_000,
            max_output_bytes: 10 * 1024 * 1024,
            max_steps: 10_000_000,
        }
    }
}

/// Whether rendering goes on after a block.
enum Flow {
    Continue,
    Break,
    Stop,
}

/// Remembers which override parameters a render assigned, because AWS refuses a second
/// override of the same parameter ("Overrides are final").
#[derive(Default)]
struct OverrideTracker {
    /// Watched maps, with the name used in messages and, for `responseOverride` itself, the
    /// only key that is an override (`status`).
    watched: Vec<(Rc<MapCell>, &'static str, Option<&'static str>)>,
    assigned: HashSet<(usize, String)>,
}

impl OverrideTracker {
    fn watch(context: &Val) -> Self {
        let mut tracker = OverrideTracker::default();
        let child = |parent: &Val, key: &str| match parent {
            Val::Map(map) => map.entries.borrow().get(key).cloned(),
            _ => None,
        };
        let mut add = |value: Option<Val>, label: &'static str, only: Option<&'static str>| {
            if let Some(Val::Map(map)) = value {
                tracker.watched.push((map, label, only));
            }
        };
        if let Some(request) = child(context, "requestOverride") {
            add(child(&request, "path"), "requestOverride.path", None);
            add(
                child(&request, "querystring"),
                "requestOverride.querystring",
                None,
            );
            add(child(&request, "header"), "requestOverride.header", None);
        }
        if let Some(response) = child(context, "responseOverride") {
            add(child(&response, "header"), "responseOverride.header", None);
            add(Some(response), "responseOverride", Some("status"));
        }
        tracker
    }

    fn record(&mut self, map: &Rc<MapCell>, key: &str) -> Result<(), String> {
        for (index, (watched, label, only)) in self.watched.iter().enumerate() {
            if !Rc::ptr_eq(watched, map) || only.is_some_and(|only| only != key) {
                continue;
            }
            if !self.assigned.insert((index, key.to_owned())) {
                return Err(format!(
                    "$context.{label}.{key} is overridden a second time; API Gateway allows one override per parameter (\"Overrides are final\") and answers 5XX: assign it once"
                ));
            }
        }
        Ok(())
    }
}

pub(crate) struct Renderer<'r> {
    pub input: &'r Input<'r>,
    limits: &'r Limits,
    pub arena: Arena,
    variables: HashMap<String, Val>,
    body_text: Option<Rc<str>>,
    body_document: Option<Rc<serde_json::Value>>,
    overrides: OverrideTracker,
    steps: usize,
    produced_bytes: usize,
    pub regex_cache: HashMap<String, Rc<fancy_regex::Regex>>,
}

/// Renders `block`; on success the (possibly changed) context is written back.
pub(crate) fn render(
    block: &Block,
    input: &Input<'_>,
    context: &mut Value,
    limits: &Limits,
) -> Result<String, RenderError> {
    let mut arena = Arena::default();
    let context_value = convert_context(&mut arena, context);
    let overrides = OverrideTracker::watch(&context_value);
    let mut variables = HashMap::new();
    variables.insert("context".to_owned(), context_value);
    variables.insert(
        "stageVariables".to_owned(),
        input.stage_variable_map(&mut arena),
    );
    variables.insert("input".to_owned(), Val::Tool(Tool::Input));
    variables.insert("util".to_owned(), Val::Tool(Tool::Util));
    let mut renderer = Renderer {
        input,
        limits,
        arena,
        variables,
        body_text: None,
        body_document: None,
        overrides,
        steps: 0,
        produced_bytes: 0,
        regex_cache: HashMap::new(),
    };
    let mut out = String::new();
    let result = renderer.render_block(block, &mut out);
    if let (Ok(_), Some(value)) = (&result, renderer.variables.get("context")) {
        *context = value.to_public(MAX_VALUE_DEPTH);
    }
    renderer.arena.clear();
    result.map(|_| out)
}

/// The caller's context becomes a Java map whose nested maps print as nothing, as AWS's
/// `$context.identity` and friends do.
fn convert_context(arena: &mut Arena, context: &Value) -> Val {
    match context {
        Value::Map(entries) => {
            let entries = entries
                .iter()
                .map(|(key, value)| {
                    (
                        key.clone(),
                        arena.public_value(value, MapStyle::HiddenContextObject),
                    )
                })
                .collect();
            arena.map(entries, MapStyle::Java)
        }
        other => arena.public_value(other, MapStyle::Java),
    }
}

impl Renderer<'_> {
    /// `$input.body`, made once per render.
    pub(crate) fn cached_body_text(&mut self) -> Rc<str> {
        let input = self.input;
        Rc::clone(
            self.body_text
                .get_or_insert_with(|| Rc::from(input.body_text())),
        )
    }

    /// The body parsed for JSONPath, parsed once per render.
    pub(crate) fn cached_body_document(&mut self) -> Rc<serde_json::Value> {
        let input = self.input;
        Rc::clone(
            self.body_document
                .get_or_insert_with(|| Rc::new(input.body_document())),
        )
    }

    fn step(&mut self, position: Position) -> Result<(), RenderError> {
        self.steps += 1;
        if self.steps > self.limits.max_steps {
            return Err(RenderError::at(
                position,
                format!(
                    "the template ran more than {} steps (Limits::max_steps): simplify its loops",
                    self.limits.max_steps
                ),
            ));
        }
        Ok(())
    }

    /// Accounts for text made while rendering (not the output itself).
    pub(crate) fn produced(&mut self, bytes: usize, position: Position) -> Result<(), RenderError> {
        self.produced_bytes = self.produced_bytes.saturating_add(bytes);
        let budget = self
            .limits
            .max_output_bytes
            .saturating_mul(PRODUCED_TEXT_FACTOR);
        if self.produced_bytes > budget {
            return Err(RenderError::at(
                position,
                format!(
                    "the template built more than {budget} bytes of text: it probably grows a string in a loop"
                ),
            ));
        }
        Ok(())
    }

    fn write(&self, out: &mut String, text: &str, position: Position) -> Result<(), RenderError> {
        if out.len() + text.len() > self.limits.max_output_bytes {
            return Err(RenderError::at(
                position,
                format!(
                    "the output (or a string being built) exceeds {} bytes (Limits::max_output_bytes)",
                    self.limits.max_output_bytes
                ),
            ));
        }
        out.push_str(text);
        Ok(())
    }

    fn render_block(&mut self, block: &Block, out: &mut String) -> Result<Flow, RenderError> {
        for node in block {
            match self.render_node(node, out)? {
                Flow::Continue => {}
                flow => return Ok(flow),
            }
        }
        Ok(Flow::Continue)
    }

    fn render_node(&mut self, node: &Node, out: &mut String) -> Result<Flow, RenderError> {
        match node {
            Node::Text(text) => self.write(out, text, Position::default())?,
            Node::Reference(reference) => {
                self.step(reference.position)?;
                let value = self.eval_reference(reference)?;
                let text = self.text_of(&value, reference.position)?;
                self.write(out, &text, reference.position)?;
            }
            Node::Set {
                target,
                value,
                position,
            } => {
                self.step(*position)?;
                let value = self.eval(value)?;
                self.assign(target, value, *position)?;
            }
            Node::If {
                branches,
                otherwise,
            } => {
                for (condition, body) in branches {
                    if self.eval(condition)?.is_truthy() {
                        return self.render_block(body, out);
                    }
                }
                if let Some(body) = otherwise {
                    return self.render_block(body, out);
                }
            }
            Node::Foreach {
                variable,
                iterable,
                body,
                position,
            } => {
                return self.render_foreach(variable, iterable, body, *position, out);
            }
            Node::Define { name, body } => {
                self.variables
                    .insert(name.clone(), Val::Defined(Arc::clone(body)));
            }
            Node::Break => return Ok(Flow::Break),
            Node::Stop => return Ok(Flow::Stop),
        }
        Ok(Flow::Continue)
    }

    /// The text of a value as a reference renders it; `#define`d blocks render their body.
    pub(crate) fn text_of(
        &mut self,
        value: &Val,
        position: Position,
    ) -> Result<Rc<str>, RenderError> {
        match value {
            Val::Str(text) => Ok(Rc::clone(text)),
            Val::Defined(block) => {
                let block = Arc::clone(block);
                let mut out = String::new();
                self.render_block(&block, &mut out)?;
                self.produced(out.len(), position)?;
                Ok(Rc::from(out))
            }
            other => {
                let text = text::render_text(other)
                    .map_err(|TooDeep| RenderError::at(position, TooDeep::message()))?;
                self.produced(text.len(), position)?;
                Ok(Rc::from(text))
            }
        }
    }

    fn render_foreach(
        &mut self,
        variable: &str,
        iterable: &Expr,
        body: &Block,
        position: Position,
        out: &mut String,
    ) -> Result<Flow, RenderError> {
        // Velocity iterates a snapshot-like view: lists by element, maps by value.
        let items: Vec<Val> = match self.eval(iterable)? {
            Val::List(list) => list.items.borrow().clone(),
            Val::Map(map) => map.entries.borrow().values().cloned().collect(),
            _ => return Ok(Flow::Continue),
        };
        if items.len() > self.limits.max_loop_iterations {
            return Err(RenderError::at(
                position,
                format!(
                    "#foreach over {} items exceeds Limits::max_loop_iterations ({})",
                    items.len(),
                    self.limits.max_loop_iterations
                ),
            ));
        }
        let saved: Vec<(&str, Option<Val>)> =
            ["foreach", "velocityCount", "velocityHasNext", variable]
                .into_iter()
                .map(|name| (name, self.variables.get(name).cloned()))
                .collect();
        let parent = self.variables.get("foreach").cloned().unwrap_or(Val::Null);
        let count = items.len();
        let mut flow = Flow::Continue;
        for (index, item) in items.into_iter().enumerate() {
            self.step(position)?;
            let has_next = index + 1 < count;
            let index_value = i64::try_from(index).unwrap_or(i64::MAX);
            let mut state = IndexMap::new();
            state.insert("index".to_owned(), Val::Int(index_value));
            state.insert("count".to_owned(), Val::Int(index_value + 1));
            state.insert("hasNext".to_owned(), Val::Bool(has_next));
            state.insert("first".to_owned(), Val::Bool(index == 0));
            state.insert("last".to_owned(), Val::Bool(!has_next));
            state.insert("parent".to_owned(), parent.clone());
            let state = self.arena.map(state, MapStyle::Java);
            self.variables.insert("foreach".to_owned(), state);
            self.variables
                .insert("velocityCount".to_owned(), Val::Int(index_value + 1));
            self.variables
                .insert("velocityHasNext".to_owned(), Val::Bool(has_next));
            self.variables.insert(variable.to_owned(), item);
            match self.render_block(body, out)? {
                Flow::Continue => {}
                Flow::Break => break,
                Flow::Stop => {
                    flow = Flow::Stop;
                    break;
                }
            }
        }
        for (name, value) in saved {
            match value {
                Some(value) => self.variables.insert(name.to_owned(), value),
                None => self.variables.remove(name),
            };
        }
        Ok(flow)
    }

    fn assign(
        &mut self,
        target: &Reference,
        value: Val,
        position: Position,
    ) -> Result<(), RenderError> {
        if value.is_null() && SET_NULL_LEAVES_TARGET_UNCHANGED {
            return Ok(());
        }
        let Some((last, path)) = target.segments.split_last() else {
            self.variables.insert(target.root.clone(), value);
            return Ok(());
        };
        let container = self.eval_path(&target.root, path)?;
        let key = match last {
            Segment::Property(name) => Val::str(name),
            Segment::Index(index) => self.eval(index)?,
            Segment::Method { .. } => return Ok(()),
        };
        match container {
            Val::Map(map) => {
                let key = self.text_of(&key, position)?;
                self.map_insert(&map, &key, value, position)?;
            }
            Val::List(list) => {
                let Val::Int(index) = key else { return Ok(()) };
                let mut items = list.items.borrow_mut();
                match usize::try_from(index)
                    .ok()
                    .filter(|index| *index < items.len())
                {
                    Some(index) => items[index] = value,
                    None => {
                        return Err(RenderError::at(
                            position,
                            format!(
                                "IndexOutOfBoundsException: index {index} in a list of {}",
                                items.len()
                            ),
                        ));
                    }
                }
            }
            // Velocity logs and ignores assignments into null or non-container values.
            _ => {}
        }
        Ok(())
    }

    /// Inserts into a map, refusing a second assignment of the same override parameter.
    pub(crate) fn map_insert(
        &mut self,
        map: &Rc<MapCell>,
        key: &str,
        value: Val,
        position: Position,
    ) -> Result<Option<Val>, RenderError> {
        self.overrides
            .record(map, key)
            .map_err(|message| RenderError::at(position, message))?;
        Ok(map.entries.borrow_mut().insert(key.to_owned(), value))
    }

    fn eval_reference(&mut self, reference: &Reference) -> Result<Val, RenderError> {
        self.eval_path(&reference.root, &reference.segments)
    }

    fn eval_path(&mut self, root: &str, segments: &[Segment]) -> Result<Val, RenderError> {
        let mut current = self.variables.get(root).cloned().unwrap_or(Val::Null);
        for segment in segments {
            if let Val::Defined(_) = current {
                current = Val::Str(self.text_of(&current, Position::default())?);
            }
            current = match segment {
                Segment::Property(name) => self.property(&current, name),
                Segment::Index(index) => {
                    let index = self.eval(index)?;
                    self.index(&current, &index)
                }
                Segment::Method {
                    name,
                    arguments,
                    position,
                } => {
                    let arguments = arguments
                        .iter()
                        .map(|argument| self.eval(argument))
                        .collect::<Result<Vec<_>, _>>()?;
                    self.step(*position)?;
                    self.call_method(&current, name, &arguments, *position)?
                }
            };
        }
        Ok(current)
    }

    pub(crate) fn eval(&mut self, expr: &Expr) -> Result<Val, RenderError> {
        Ok(match expr {
            Expr::Bool(flag) => Val::Bool(*flag),
            Expr::Int(int) => Val::Int(*int),
            Expr::Float(float) => Val::Float(*float),
            Expr::String(text) => Val::str(text),
            Expr::Interpolated(block) => {
                let mut out = String::new();
                self.render_block(block, &mut out)?;
                self.produced(out.len(), Position::default())?;
                Val::string(out)
            }
            Expr::Reference(reference) => {
                self.step(reference.position)?;
                self.eval_reference(reference)?
            }
            Expr::List(items) => {
                let items = items
                    .iter()
                    .map(|item| self.eval(item))
                    .collect::<Result<Vec<_>, _>>()?;
                self.arena.list(items, ListStyle::Java)
            }
            Expr::Range { from, to, position } => self.eval_range(from, to, *position)?,
            Expr::Map(entries) => {
                let mut map = IndexMap::new();
                for (key, value) in entries {
                    let key = self.eval(key)?;
                    let key = self.text_of(&key, Position::default())?;
                    let value = self.eval(value)?;
                    map.insert(key.to_string(), value);
                }
                self.arena.map(map, MapStyle::Java)
            }
            Expr::Not(inner) => Val::Bool(!self.eval(inner)?.is_truthy()),
            Expr::Negate(inner) => match self.eval(inner)? {
                Val::Int(int) => int
                    .checked_neg()
                    .map_or(Val::Float(-(int as f64)), Val::Int),
                Val::Float(float) => Val::Float(-float),
                _ => Val::Null,
            },
            Expr::Binary {
                operator,
                left,
                right,
                position,
            } => self.eval_binary(*operator, left, right, *position)?,
        })
    }

    fn eval_range(
        &mut self,
        from: &Expr,
        to: &Expr,
        position: Position,
    ) -> Result<Val, RenderError> {
        let bound = |value: Val| match value {
            Val::Int(int) => Some(int),
            Val::Str(text) => text.trim().parse().ok(),
            _ => None,
        };
        let (Some(from), Some(to)) = (bound(self.eval(from)?), bound(self.eval(to)?)) else {
            return Ok(Val::Null);
        };
        let length = from.abs_diff(to).saturating_add(1);
        if length > self.limits.max_loop_iterations as u64 {
            return Err(RenderError::at(
                position,
                format!(
                    "range [{from}..{to}] has more than Limits::max_loop_iterations ({}) elements",
                    self.limits.max_loop_iterations
                ),
            ));
        }
        let items: Vec<Val> = if from <= to {
            (from..=to).map(Val::Int).collect()
        } else {
            (to..=from).rev().map(Val::Int).collect()
        };
        Ok(self.arena.list(items, ListStyle::Java))
    }

    fn eval_binary(
        &mut self,
        operator: BinaryOperator,
        left: &Expr,
        right: &Expr,
        position: Position,
    ) -> Result<Val, RenderError> {
        match operator {
            BinaryOperator::And => {
                return Ok(Val::Bool(
                    self.eval(left)?.is_truthy() && self.eval(right)?.is_truthy(),
                ));
            }
            BinaryOperator::Or => {
                return Ok(Val::Bool(
                    self.eval(left)?.is_truthy() || self.eval(right)?.is_truthy(),
                ));
            }
            _ => {}
        }
        let left = self.eval(left)?;
        let right = self.eval(right)?;
        Ok(match operator {
            BinaryOperator::Equal => Val::Bool(text::values_equal(&left, &right)),
            BinaryOperator::NotEqual => Val::Bool(!text::values_equal(&left, &right)),
            BinaryOperator::Less => {
                Val::Bool(text::compare(&left, &right).is_some_and(|o| o.is_lt()))
            }
            BinaryOperator::LessOrEqual => {
                Val::Bool(text::compare(&left, &right).is_some_and(|o| o.is_le()))
            }
            BinaryOperator::Greater => {
                Val::Bool(text::compare(&left, &right).is_some_and(|o| o.is_gt()))
            }
            BinaryOperator::GreaterOrEqual => {
                Val::Bool(text::compare(&left, &right).is_some_and(|o| o.is_ge()))
            }
            BinaryOperator::Add if matches!(left, Val::Str(_)) || matches!(right, Val::Str(_)) => {
                // Velocity 1.7 concatenates when either side is a string.
                let joined = format!(
                    "{}{}",
                    self.text_of(&left, position)?,
                    self.text_of(&right, position)?
                );
                self.produced(joined.len(), position)?;
                Val::string(joined)
            }
            _ => arithmetic(operator, &left, &right),
        })
    }
}

/// Velocity's integer and floating-point arithmetic: two integers give an integer (division
/// truncates, like Java), an overflow or any double gives a double, division by zero and
/// non-numbers give null (Velocity logs and returns null).
fn arithmetic(operator: BinaryOperator, left: &Val, right: &Val) -> Val {
    match (left, right) {
        (Val::Int(a), Val::Int(b)) => {
            let (a, b) = (*a, *b);
            let exact = match operator {
                BinaryOperator::Add => a.checked_add(b),
                BinaryOperator::Subtract => a.checked_sub(b),
                BinaryOperator::Multiply => a.checked_mul(b),
                BinaryOperator::Divide if b == 0 => return Val::Null,
                BinaryOperator::Divide => a.checked_div(b),
                BinaryOperator::Remainder if b == 0 => return Val::Null,
                BinaryOperator::Remainder => a.checked_rem(b),
                _ => return Val::Null,
            };
            exact.map_or_else(|| float_arithmetic(operator, a as f64, b as f64), Val::Int)
        }
        (Val::Int(_) | Val::Float(_), Val::Int(_) | Val::Float(_)) => {
            let as_float = |value: &Val| match value {
                Val::Int(int) => *int as f64,
                Val::Float(float) => *float,
                _ => f64::NAN,
            };
            float_arithmetic(operator, as_float(left), as_float(right))
        }
        _ => Val::Null,
    }
}

fn float_arithmetic(operator: BinaryOperator, a: f64, b: f64) -> Val {
    match operator {
        BinaryOperator::Add => Val::Float(a + b),
        BinaryOperator::Subtract => Val::Float(a - b),
        BinaryOperator::Multiply => Val::Float(a * b),
        BinaryOperator::Divide if b == 0.0 => Val::Null,
        BinaryOperator::Divide => Val::Float(a / b),
        BinaryOperator::Remainder if b == 0.0 => Val::Null,
        BinaryOperator::Remainder => Val::Float(a % b),
        _ => Val::Null,
    }
}
