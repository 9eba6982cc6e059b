//! The public value type: what the caller hands in as `$context` and gets back after a render.

use indexmap::IndexMap;

/// A VTL value as seen from Rust. Maps keep insertion order, because Java's `LinkedHashMap`
/// (and so API Gateway's `keySet()`) does and recorded outputs depend on it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<Value>),
    Map(IndexMap<String, Value>),
}

impl Value {
    /// An empty map, the usual starting point for `$context` sub-maps.
    pub fn empty_map() -> Value {
        Value::Map(IndexMap::new())
    }

    /// A map of strings, e.g. for `requestOverride.header` or stage variables.
    pub fn string_map<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Value {
        Value::Map(
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
                .collect(),
        )
    }

    /// The entries when this is a map.
    pub fn as_map(&self) -> Option<&IndexMap<String, Value>> {
        match self {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The entries when this is a map, for filling in a `$context` skeleton.
    pub fn as_map_mut(&mut self) -> Option<&mut IndexMap<String, Value>> {
        match self {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// Follows map keys, e.g. `["identity", "sourceIp"]`.
    pub fn get_path(&self, keys: &[&str]) -> Option<&Value> {
        keys.iter()
            .try_fold(self, |value, key| value.as_map()?.get(*key))
    }

    /// Sets the value at a path of map keys, keeping the position of an existing key and
    /// appending a new one. Returns false when an intermediate value is not a map.
    pub fn set_path(&mut self, keys: &[&str], value: Value) -> bool {
        let Some((last, parents)) = keys.split_last() else {
            return false;
        };
        let mut current = self;
        for key in parents {
            match current
                .as_map_mut()
                .and_then(|entries| entries.get_mut(*key))
            {
                Some(next) => current = next,
                None => return false,
            }
        }
        match current.as_map_mut() {
            Some(entries) => {
                entries.insert((*last).to_owned(), value);
                true
            }
            None => false,
        }
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::String(text.to_owned())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::String(text)
    }
}

impl From<i64> for Value {
    fn from(number: i64) -> Self {
        Value::Int(number)
    }
}

impl From<bool> for Value {
    fn from(flag: bool) -> Self {
        Value::Bool(flag)
    }
}

impl From<serde_json::Value> for Value {
    /// JSON integers that fit an `i64` become `Int` (Java `Integer`/`Long`), every other number
    /// a `Float` (Java `Double`), as json-smart does for Jayway.
    fn from(json: serde_json::Value) -> Self {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(flag) => Value::Bool(flag),
            serde_json::Value::Number(number) => match number.as_i64() {
                Some(int) => Value::Int(int),
                None => Value::Float(number.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(text) => Value::String(text),
            serde_json::Value::Array(items) => {
                Value::List(items.into_iter().map(Value::from).collect())
            }
            serde_json::Value::Object(entries) => Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, Value::from(v)))
                    .collect(),
            ),
        }
    }
}
