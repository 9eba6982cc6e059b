//! The values a template works on while it renders.
//!
//! Java objects are shared by reference: `#set($q = $context.requestOverride.querystring)`
//! followed by `$q.put(...)` changes the context. Maps and lists are therefore reference
//! counted cells. Cells are registered in an [`Arena`] that empties them after the render, so
//! a template that builds a cycle (`$m.put("self", $m)`) cannot leak memory.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::ast::Block;
use crate::value::Value;

#[derive(Debug, Clone)]
pub(crate) enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    List(Rc<ListCell>),
    Map(Rc<MapCell>),
    /// A `#define`d block; rendered to text whenever it is used.
    Defined(Arc<Block>),
    /// `$input` or `$util`.
    Tool(Tool),
}

/// Objects whose methods are API Gateway's, not Java's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tool {
    Input,
    Util,
}

/// How a list prints. API Gateway's JSON lists (from `$input.path`, `$util.parseJson`) print as
/// compact JSON; lists Velocity itself makes (`[1, "a"]`, `keySet()`, `split`) are Java
/// `ArrayList`s printing `[1, a]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListStyle {
    Json,
    Java,
}

/// How a map prints. Ordinary maps print like Java's `AbstractMap.toString` (`{k=v}`); the
/// objects nested inside `$context` (`identity`, `requestOverride`, ...) printed as the empty
/// string on AWS (recorded `test_sqs_amz_json_protocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MapStyle {
    Java,
    HiddenContextObject,
}

#[derive(Debug)]
pub(crate) struct ListCell {
    pub items: RefCell<Vec<Val>>,
    pub style: ListStyle,
}

#[derive(Debug)]
pub(crate) struct MapCell {
    pub entries: RefCell<IndexMap<String, Val>>,
    pub style: MapStyle,
}

/// Keeps every list and map made during one render so that they can be emptied at the end.
#[derive(Default)]
pub(crate) struct Arena {
    lists: Vec<Rc<ListCell>>,
    maps: Vec<Rc<MapCell>>,
}

impl Arena {
    pub fn list(&mut self, items: Vec<Val>, style: ListStyle) -> Val {
        let cell = Rc::new(ListCell {
            items: RefCell::new(items),
            style,
        });
        self.lists.push(Rc::clone(&cell));
        Val::List(cell)
    }

    pub fn map(&mut self, entries: IndexMap<String, Val>, style: MapStyle) -> Val {
        let cell = Rc::new(MapCell {
            entries: RefCell::new(entries),
            style,
        });
        self.maps.push(Rc::clone(&cell));
        Val::Map(cell)
    }

    /// Builds a runtime value from JSON: objects are Java maps, arrays JSON lists.
    pub fn json_value(&mut self, json: &serde_json::Value) -> Val {
        match json {
            serde_json::Value::Null => Val::Null,
            serde_json::Value::Bool(flag) => Val::Bool(*flag),
            serde_json::Value::Number(number) => match number.as_i64() {
                Some(int) => Val::Int(int),
                None => Val::Float(number.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(text) => Val::Str(Rc::from(text.as_str())),
            serde_json::Value::Array(items) => {
                let items = items.iter().map(|item| self.json_value(item)).collect();
                self.list(items, ListStyle::Json)
            }
            serde_json::Value::Object(entries) => {
                let entries = entries
                    .iter()
                    .map(|(k, v)| (k.clone(), self.json_value(v)))
                    .collect();
                self.map(entries, MapStyle::Java)
            }
        }
    }

    /// Builds a runtime value from a caller's value; maps get `map_style`, all lists print
    /// as JSON (callers hand in JSON-shaped data).
    pub fn public_value(&mut self, value: &Value, map_style: MapStyle) -> Val {
        match value {
            Value::Null => Val::Null,
            Value::Bool(flag) => Val::Bool(*flag),
            Value::Int(int) => Val::Int(*int),
            Value::Float(float) => Val::Float(*float),
            Value::String(text) => Val::Str(Rc::from(text.as_str())),
            Value::List(items) => {
                let items = items
                    .iter()
                    .map(|item| self.public_value(item, map_style))
                    .collect();
                self.list(items, ListStyle::Json)
            }
            Value::Map(entries) => {
                let entries = entries
                    .iter()
                    .map(|(k, v)| (k.clone(), self.public_value(v, map_style)))
                    .collect();
                self.map(entries, map_style)
            }
        }
    }

    /// Empties every cell, which breaks any reference cycle a template built.
    pub fn clear(&mut self) {
        for list in self.lists.drain(..) {
            list.items.borrow_mut().clear();
        }
        for map in self.maps.drain(..) {
            map.entries.borrow_mut().clear();
        }
    }
}

impl Val {
    pub fn str(text: &str) -> Val {
        Val::Str(Rc::from(text))
    }

    pub fn string(text: String) -> Val {
        Val::Str(Rc::from(text))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Val::Null)
    }

    /// Velocity 1.7 truthiness: only null and `false` are false (an empty string is true).
    pub fn is_truthy(&self) -> bool {
        !matches!(self, Val::Null | Val::Bool(false))
    }

    /// Converts back to a caller's value. `depth_left` stops at self-referencing structures,
    /// which become `Null` there.
    pub fn to_public(&self, depth_left: usize) -> Value {
        if depth_left == 0 {
            return Value::Null;
        }
        match self {
            Val::Null | Val::Defined(_) | Val::Tool(_) => Value::Null,
            Val::Bool(flag) => Value::Bool(*flag),
            Val::Int(int) => Value::Int(*int),
            Val::Float(float) => Value::Float(*float),
            Val::Str(text) => Value::String(text.to_string()),
            Val::List(list) => Value::List(
                list.items
                    .borrow()
                    .iter()
                    .map(|item| item.to_public(depth_left - 1))
                    .collect(),
            ),
            Val::Map(map) => Value::Map(
                map.entries
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_public(depth_left - 1)))
                    .collect(),
            ),
        }
    }
}
