//! Reading typed properties from resolved nodes.
//!
//! YAML typing is not CloudFormation typing: `Timeout: "10"` and `Timeout: 10` are both fine,
//! and an environment variable `PORT: 8080` is the string `"8080"`. So each property coerces
//! its own value here instead of trusting the parser's types.

use indexmap::IndexMap;

use crate::LoadError;
use crate::document::value::{Map, Node, Value};

/// A string, number or boolean as text.
pub fn text(node: &Node, what: &str) -> Result<String, LoadError> {
    node.scalar_text().ok_or_else(|| {
        LoadError::new(
            node.location.clone(),
            format!("{what} must be a string, found {}", node.kind()),
        )
    })
}

/// A whole number within `range`, written as a number or a numeric string.
pub fn whole_number(
    node: &Node,
    what: &str,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, LoadError> {
    let parsed = match &node.value {
        Value::Number(n) | Value::String(n) => n.trim().parse::<u32>().ok(),
        _ => None,
    };
    match parsed {
        Some(n) if range.contains(&n) => Ok(n),
        _ => Err(LoadError::new(
            node.location.clone(),
            format!(
                "{what} must be a whole number from {} to {}, found {}",
                range.start(),
                range.end(),
                node.scalar_text()
                    .map_or_else(|| node.kind().to_owned(), |t| format!("'{t}'"))
            ),
        )),
    }
}

/// A map of names to strings (numbers and booleans stringified; null is the empty string).
pub fn string_map(node: &Node, what: &str) -> Result<IndexMap<String, String>, LoadError> {
    let map = node.as_map().ok_or_else(|| {
        LoadError::new(
            node.location.clone(),
            format!("{what} must be a map, found {}", node.kind()),
        )
    })?;
    map.iter()
        .map(|e| {
            let value = match e.value.value {
                Value::Null => String::new(),
                _ => text(&e.value, &format!("{what}.{}", e.key))?,
            };
            Ok((e.key.clone(), value))
        })
        .collect()
}

/// A list of strings.
pub fn string_list(node: &Node, what: &str) -> Result<Vec<String>, LoadError> {
    let items = node.as_list().ok_or_else(|| {
        LoadError::new(
            node.location.clone(),
            format!("{what} must be a list, found {}", node.kind()),
        )
    })?;
    items.iter().map(|item| text(item, what)).collect()
}

/// The `Properties` map of a resource (absent means empty).
pub fn properties_of(resource: &Map, logical_id: &str) -> Result<Map, LoadError> {
    match resource.get("Properties") {
        None => Ok(Map::default()),
        Some(node) => match &node.value {
            Value::Map(map) => Ok(map.clone()),
            Value::Null => Ok(Map::default()),
            _ => Err(LoadError::new(
                node.location.clone(),
                format!(
                    "Resource '{logical_id}': Properties must be a map, found {}",
                    node.kind()
                ),
            )),
        },
    }
}
