//! SAM `Globals`: the merge SAM applies before translating a resource.
//!
//! Merging happens on the raw (unresolved) tree, as SAM does it: an intrinsic map is a single
//! opaque value there, so `{"Ref": ..}` never merges key by key with a real map (spec §2.2).

use crate::LoadError;
use crate::document::value::{Entry, Map, Node, Value};

/// Merges a global value `global` with a resource's own value `local` (spec §2.2): maps merge
/// per key recursively (local wins per key), lists concatenate global then local (no de-dup),
/// and anything else — scalars, different kinds, intrinsic maps — takes the local value.
pub fn merge(global: &Node, local: &Node) -> Node {
    match (&global.value, &local.value) {
        (Value::Map(g), Value::Map(l))
            if global.intrinsic().is_none() && local.intrinsic().is_none() =>
        {
            Node::new(Value::Map(merge_maps(g, l)), local.location.clone())
        }
        (Value::List(g), Value::List(l)) => Node::new(
            Value::List(g.iter().chain(l).cloned().collect()),
            local.location.clone(),
        ),
        _ => local.clone(),
    }
}

/// [`merge`] for two maps of properties.
pub fn merge_maps(global: &Map, local: &Map) -> Map {
    let mut out = global.clone();
    for entry in local.iter() {
        let value = match global.get(&entry.key) {
            Some(g) => merge(g, &entry.value),
            None => entry.value.clone(),
        };
        out.insert(Entry {
            key: entry.key.clone(),
            key_location: entry.key_location.clone(),
            value,
        });
    }
    out
}

/// A resource's properties after `Globals.<section>` and its `IgnoreGlobals` (spec §2.3):
/// `IgnoreGlobals: "*"` drops every global, a list drops the named properties.
pub fn apply(globals: Option<&Map>, resource: &Map, properties: &Map) -> Result<Map, LoadError> {
    let Some(globals) = globals else {
        return Ok(properties.clone());
    };
    let mut globals = globals.clone();
    if let Some(ignore) = resource.get("IgnoreGlobals") {
        match &ignore.value {
            Value::String(s) if s == "*" => return Ok(properties.clone()),
            Value::String(s) => globals.remove(s),
            Value::List(names) => {
                for name in names {
                    let name = name.as_str().ok_or_else(|| {
                        LoadError::new(
                            name.location.clone(),
                            format!("IgnoreGlobals lists property names, found {}", name.kind()),
                        )
                    })?;
                    globals.remove(name);
                }
            }
            _ => {
                return Err(LoadError::new(
                    ignore.location.clone(),
                    format!(
                        "IgnoreGlobals must be \"*\" or a list of property names, found {}",
                        ignore.kind()
                    ),
                ));
            }
        }
    }
    Ok(merge_maps(&globals, properties))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::document::value::parse;

    fn node(text: &str) -> Node {
        parse(text, &Arc::from(std::path::Path::new("t.yaml"))).expect(text)
    }

    #[test]
    fn rule_2_2_merge_table() {
        let cases: &[(&str, &str, serde_json::Value)] = &[
            // maps merge per key
            (
                "Cors: {AllowOrigin: \"'a'\"}",
                "Cors: {AllowHeaders: \"'h'\"}",
                json!({"Cors": {"AllowOrigin": "'a'", "AllowHeaders": "'h'"}}),
            ),
            // scalar global + map local: local wins wholesale
            (
                "Cors: \"'*'\"",
                "Cors: {AllowHeaders: \"'h'\"}",
                json!({"Cors": {"AllowHeaders": "'h'"}}),
            ),
            // lists concatenate, global first
            (
                "AllowOrigins: [a]",
                "AllowOrigins: [b]",
                json!({"AllowOrigins": ["a", "b"]}),
            ),
            // scalars: local wins; untouched keys stay
            (
                "Timeout: 3\nRuntime: python3.12",
                "Timeout: 10",
                json!({"Timeout": 10, "Runtime": "python3.12"}),
            ),
            // recursive maps
            (
                "Environment: {Variables: {A: g, B: g}}",
                "Environment: {Variables: {B: l, C: l}}",
                json!({"Environment": {"Variables": {"A": "g", "B": "l", "C": "l"}}}),
            ),
            // intrinsic maps count as scalars
            (
                "CodeUri: {Ref: Code}",
                "CodeUri: {Bucket: b}",
                json!({"CodeUri": {"Bucket": "b"}}),
            ),
            (
                "Environment: {Variables: {A: g}}",
                "Environment: !If [C, {Variables: {B: l}}, !Ref AWS::NoValue]",
                json!({"Environment": {"Fn::If": ["C", {"Variables": {"B": "l"}}, {"Ref": "AWS::NoValue"}]}}),
            ),
        ];
        for (global, local, want) in cases {
            let g = node(global);
            let l = node(local);
            let merged = merge_maps(g.as_map().unwrap(), l.as_map().unwrap());
            assert_eq!(
                &Node::new(Value::Map(merged), l.location.clone()).to_json(),
                want,
                "{global} + {local}"
            );
        }
    }

    #[test]
    fn rule_2_3_ignore_globals() {
        let globals = node("Timeout: 30\nMemorySize: 512");
        let props = node("Handler: a.b");
        let cases: &[(&str, serde_json::Value)] = &[
            (
                "Type: X",
                json!({"Timeout": 30, "MemorySize": 512, "Handler": "a.b"}),
            ),
            ("IgnoreGlobals: '*'", json!({"Handler": "a.b"})),
            (
                "IgnoreGlobals: [Timeout]",
                json!({"MemorySize": 512, "Handler": "a.b"}),
            ),
            (
                "IgnoreGlobals: MemorySize",
                json!({"Timeout": 30, "Handler": "a.b"}),
            ),
        ];
        for (resource, want) in cases {
            let resource = node(resource);
            let merged = apply(
                globals.as_map(),
                resource.as_map().unwrap(),
                props.as_map().unwrap(),
            )
            .unwrap();
            assert_eq!(
                &Node::new(Value::Map(merged), props.location.clone()).to_json(),
                want
            );
        }
        let bad = node("IgnoreGlobals: 3");
        assert!(
            apply(
                globals.as_map(),
                bad.as_map().unwrap(),
                props.as_map().unwrap()
            )
            .is_err()
        );
    }
}
