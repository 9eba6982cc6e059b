//! SAM `GatewayResponses` (spec §3.1–3.2), validated as SAM validates them and written into the
//! API's swagger as `x-amazon-apigateway-gateway-responses`, the shape SAM writes: prefixed
//! parameter keys, `responseTemplates: {}` when none are given (the gateway then falls back to
//! the default template), and no `statusCode` unless one is given.

use gatewise_model::SourceLocation;

use crate::LoadError;
use crate::document::value::{Map, Node, Value, map_node};
use crate::openapi::rest::X_GATEWAY_RESPONSES;

/// Keys of one SAM gateway response.
pub const RESPONSE_KEYS: &[&str] = &["ResponseParameters", "ResponseTemplates", "StatusCode"];
/// `ResponseParameters` groups and the prefix each gets.
pub const PARAMETER_GROUPS: &[(&str, &str)] = &[
    ("Headers", "gatewayresponse.header."),
    ("Paths", "gatewayresponse.path."),
    ("QueryStrings", "gatewayresponse.querystring."),
];

fn sam_error(location: &SourceLocation, api: &str, message: &str) -> LoadError {
    LoadError::new(
        location.clone(),
        format!(
            "Api '{api}': Resource with id [{api}] is invalid. {message} (SAM rejects this template)"
        ),
    )
}

/// Adds the API's `GatewayResponses` to `doc` (SAM `_add_gateway_responses`).
pub fn apply(api: &str, props: &Map, doc: &mut Node) -> Result<(), LoadError> {
    let Some(entry) = props.entry("GatewayResponses") else {
        return Ok(());
    };
    let Some(responses) = entry.value.as_map() else {
        if matches!(entry.value.value, Value::Null) {
            return Ok(());
        }
        return Err(sam_error(
            &entry.value.location,
            api,
            "Property 'GatewayResponses' should be a map.",
        ));
    };
    if entry.value.intrinsic().is_some() {
        return Err(sam_error(
            &entry.value.location,
            api,
            "Unable to set GatewayResponses attribute because intrinsic functions are not supported for this field.",
        ));
    }
    let at = &entry.key_location;
    let mut out = Map::default();
    for response in responses.iter() {
        let kind = response.key.as_str();
        if response.value.intrinsic().is_some() {
            return Err(sam_error(
                &response.value.location,
                api,
                "Unable to set GatewayResponses attribute because intrinsic functions are not supported for this field.",
            ));
        }
        let Some(map) = response.value.as_map() else {
            let type_name = match response.value.value {
                Value::String(_) => "str",
                Value::Number(_) => "int",
                Value::Bool(_) => "bool",
                Value::List(_) => "list",
                _ => "NoneType",
            };
            return Err(sam_error(
                &response.value.location,
                api,
                &format!(
                    "Invalid property type '{type_name}' for GatewayResponses. Expected an object of type 'GatewayResponse'."
                ),
            ));
        };
        for key in map.iter() {
            if !RESPONSE_KEYS.contains(&key.key.as_str()) {
                return Err(sam_error(
                    &key.key_location,
                    api,
                    &format!(
                        "Invalid property '{}' in 'GatewayResponses' property '{kind}'.",
                        key.key
                    ),
                ));
            }
        }
        let mut parameters = Map::default();
        if let Some(node) = map
            .get("ResponseParameters")
            .filter(|n| !matches!(n.value, Value::Null))
        {
            let groups = node.as_map().ok_or_else(|| {
                sam_error(
                    &node.location,
                    api,
                    &format!(
                        "Property 'GatewayResponses.{kind}.ResponseParameters' should be a map."
                    ),
                )
            })?;
            for group in groups.iter() {
                if !PARAMETER_GROUPS.iter().any(|(g, _)| *g == group.key) {
                    return Err(sam_error(
                        &group.key_location,
                        api,
                        &format!("Invalid gateway response parameter '{}'", group.key),
                    ));
                }
            }
            for (group, prefix) in PARAMETER_GROUPS {
                let Some(values) = groups.get(group) else {
                    continue;
                };
                let values = values.as_map().ok_or_else(|| {
                    sam_error(
                        &values.location,
                        api,
                        &format!("Property 'ResponseParameters.{group}' should be a map."),
                    )
                })?;
                for value in values.iter() {
                    parameters.set(
                        &format!("{prefix}{}", value.key),
                        &value.key_location,
                        value.value.clone(),
                    );
                }
            }
        }
        let templates = match map.get("ResponseTemplates") {
            Some(t) if !matches!(t.value, Value::Null) => t.clone(),
            _ => Node::empty_map(response.key_location.clone()),
        };
        let mut fields = vec![
            (
                "responseParameters",
                Node::new(Value::Map(parameters), response.key_location.clone()),
            ),
            ("responseTemplates", templates),
        ];
        if let Some(code) = map
            .get("StatusCode")
            .filter(|n| !matches!(n.value, Value::Null))
        {
            let text = code.scalar_text().unwrap_or_default();
            if !(1..=3).contains(&text.len()) || !text.bytes().all(|b| b.is_ascii_digit()) {
                return Err(sam_error(
                    &code.location,
                    api,
                    "Property 'StatusCode' must be numeric",
                ));
            }
            fields.push(("statusCode", Node::string(text, code.location.clone())));
        }
        let mut node = map_node(&response.key_location, fields);
        node.location = response.key_location.clone();
        out.set(kind, &response.key_location, node);
    }
    if let Some(root) = doc.as_map_mut() {
        root.set(
            X_GATEWAY_RESPONSES,
            at,
            Node::new(Value::Map(out), at.clone()),
        );
    }
    Ok(())
}
