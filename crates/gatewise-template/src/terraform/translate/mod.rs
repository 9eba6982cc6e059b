//! Evaluated Terraform resources → the CloudFormation resources gatewise already reads.
//!
//! SAM CLI's Terraform hook does the same (a plan translated into a CloudFormation template),
//! but needs `terraform plan`, and drops MOCK integrations, integration responses and gateway
//! responses; here every `aws_api_gateway_*` / `aws_apigatewayv2_*` resource gatewise serves is
//! translated, each property keeping the `.tf` position of the argument it came from, so
//! explanations and `gatewise check` point into the Terraform files. Links between resources
//! (`rest_api_id`, `parent_id`, `integrations/<id>`…) are found by the synthesised id each
//! evaluated to, and become `Ref` / `Fn::GetAtt`.

mod code_cache;
mod http_api;
mod lambda;
mod rest_api;

pub use lambda::NO_LOCAL_CODE;

use std::collections::HashMap;

use gatewise_model::{Diagnostic, SourceLocation};
use hcl::Value;

use super::configuration::{Argument, Configuration, EvaluatedBody, Instance};
use super::resource_types;
use super::resource_types::Mode;
use crate::LoadError;
use crate::document::value::{Map, Node, Value as NodeValue, map_node};

/// Translates `config` into a `{"Resources": …}` document.
pub fn translate(
    config: &Configuration,
    stub_functions: bool,
) -> Result<(Node, Vec<Diagnostic>), LoadError> {
    let mut t = Translator {
        config,
        links: HashMap::new(),
        resources: Map::default(),
        warnings: Vec::new(),
        stub_functions,
    };
    for instance in &config.instances {
        if instance.mode != Mode::Managed {
            continue;
        }
        if let Some(Value::String(id)) = instance.computed.get("id") {
            t.links.insert(
                id.clone(),
                Link::Ref(instance.address.clone(), instance.kind.clone()),
            );
        }
        if let Some(Value::String(root)) = instance.computed.get("root_resource_id") {
            t.links
                .insert(root.clone(), Link::Root(instance.address.clone()));
        }
    }
    for instance in &config.instances {
        if instance.mode != Mode::Managed {
            continue;
        }
        match instance.kind.as_str() {
            "aws_lambda_function" => lambda::function(&mut t, instance)?,
            "aws_lambda_layer_version" => lambda::layer_version(&mut t, instance)?,
            kind if kind.starts_with("aws_api_gateway_") => rest_api::resource(&mut t, instance)?,
            kind if kind.starts_with("aws_apigatewayv2_") => http_api::resource(&mut t, instance)?,
            _ => {}
        }
    }
    let not_served: Vec<&Instance> = config
        .instances
        .iter()
        .filter(|i| i.mode == Mode::Managed && !resource_types::is_read(&i.kind))
        .collect();
    if let Some(first) = not_served.first() {
        const SHOWN: usize = 8;
        let mut names: Vec<&str> = not_served
            .iter()
            .take(SHOWN)
            .map(|i| i.address.as_str())
            .collect();
        let more = format!("and {} more", not_served.len().saturating_sub(SHOWN));
        if not_served.len() > SHOWN {
            names.push(&more);
        }
        t.warnings.push(Diagnostic {
            location: first.location.clone(),
            message: format!(
                "{} resource(s) not served locally (they configure AWS around the API, not the API): {}",
                not_served.len(),
                names.join(", ")
            ),
        });
    }
    let start = config.instances.first().map_or_else(
        || SourceLocation::new(std::sync::Arc::from(config.root_dir.as_path()), 1, 1),
        |i| i.location.clone(),
    );
    let document = map_node(
        &start,
        vec![(
            "Resources",
            Node::new(NodeValue::Map(t.resources), start.clone()),
        )],
    );
    Ok((document, t.warnings))
}

/// What a synthesised id stands for.
#[derive(Debug, Clone)]
enum Link {
    /// The resource at this address (`Ref`), and its type.
    Ref(String, String),
    /// The root resource of the REST API at this address (`Fn::GetAtt X.RootResourceId`).
    Root(String),
}

struct Translator<'c> {
    config: &'c Configuration,
    links: HashMap<String, Link>,
    resources: Map,
    warnings: Vec<Diagnostic>,
    stub_functions: bool,
}

impl Translator<'_> {
    fn warn(&mut self, location: &SourceLocation, message: String) {
        self.warnings.push(Diagnostic {
            location: location.clone(),
            message,
        });
    }

    /// Adds the CloudFormation resource `address` of `resource_type`.
    fn add(
        &mut self,
        instance: &Instance,
        resource_type: &str,
        properties: Map,
        metadata: Option<Map>,
    ) {
        let at = &instance.location;
        let mut entries = vec![
            ("Type", Node::string(resource_type, at.clone())),
            (
                "Properties",
                Node::new(NodeValue::Map(properties), at.clone()),
            ),
        ];
        if let Some(metadata) = metadata {
            entries.push(("Metadata", Node::new(NodeValue::Map(metadata), at.clone())));
        }
        self.resources
            .set(&instance.address, at, map_node(at, entries));
    }

    /// Sets `property` of `props` to the resource (of one of `kinds`) whose id `argument`
    /// holds, as a `Ref` / `Fn::GetAtt`; nothing when the argument is absent.
    fn link(
        &self,
        props: &mut Map,
        instance: &Instance,
        argument: &str,
        property: &str,
        kinds: &[&str],
    ) -> Result<(), LoadError> {
        if let Some(node) = self.link_node(instance, argument, kinds)? {
            let at = node.location.clone();
            props.set(property, &at, node);
        }
        Ok(())
    }

    /// The id an argument holds, as a `Ref` / `GetAtt` to the resource of one of `kinds` it
    /// names.
    fn link_node(
        &self,
        instance: &Instance,
        argument: &str,
        kinds: &[&str],
    ) -> Result<Option<Node>, LoadError> {
        let Some((value, at)) = text_argument(instance, argument)? else {
            return Ok(None);
        };
        match self.links.get(&value) {
            Some(Link::Ref(address, kind)) if kinds.contains(&kind.as_str()) => Ok(Some(map_node(
                &at,
                vec![("Ref", Node::string(address.clone(), at.clone()))],
            ))),
            Some(Link::Root(address)) if kinds.contains(&"root") => Ok(Some(map_node(
                &at,
                vec![(
                    "Fn::GetAtt",
                    Node::new(
                        NodeValue::List(vec![
                            Node::string(address.clone(), at.clone()),
                            Node::string("RootResourceId", at.clone()),
                        ]),
                        at.clone(),
                    ),
                )],
            ))),
            _ => {
                let wanted: Vec<String> = kinds
                    .iter()
                    .map(|k| {
                        if *k == "root" {
                            "aws_api_gateway_rest_api.NAME.root_resource_id".to_owned()
                        } else {
                            format!("{k}.NAME.id")
                        }
                    })
                    .collect();
                Err(LoadError::new(
                    at,
                    format!(
                        "{}: {argument} = \"{value}\" is not the id of a resource in this configuration that gatewise can link; refer to it as {}",
                        instance.address,
                        wanted.join(" or ")
                    ),
                ))
            }
        }
    }
}

/// An argument's value (an error if it could not be evaluated: the resource needs it).
fn argument<'i>(
    instance: &'i Instance,
    name: &str,
) -> Result<Option<(&'i Value, &'i SourceLocation)>, LoadError> {
    body_argument(&instance.body, &instance.address, name)
}

fn body_argument<'b>(
    body: &'b EvaluatedBody,
    owner: &str,
    name: &str,
) -> Result<Option<(&'b Value, &'b SourceLocation)>, LoadError> {
    match body.arguments.get(name) {
        None => Ok(None),
        Some(Argument {
            value: Ok(Value::Null),
            ..
        }) => Ok(None),
        Some(Argument {
            value: Ok(v),
            location,
        }) => Ok(Some((v, location))),
        Some(Argument {
            value: Err(e),
            location,
        }) => Err(LoadError::new(
            location.clone(),
            format!("{owner}: {name}: {e}"),
        )),
    }
}

/// A primitive argument as text (numbers and bools as Terraform prints them).
fn text_argument(
    instance: &Instance,
    name: &str,
) -> Result<Option<(String, SourceLocation)>, LoadError> {
    match argument(instance, name)? {
        None => Ok(None),
        Some((value, at)) => match super::functions::to_string(value) {
            Some(text) => Ok(Some((text, at.clone()))),
            None => Err(LoadError::new(
                at.clone(),
                format!(
                    "{}: {name} must be a string, found {value}",
                    instance.address
                ),
            )),
        },
    }
}

/// `value` as a document node written at `at`.
fn node(value: &Value, at: &SourceLocation) -> Node {
    let v = match value {
        Value::Null => NodeValue::Null,
        Value::Bool(b) => NodeValue::Bool(*b),
        Value::Number(n) => NodeValue::Number(n.to_string()),
        Value::String(s) => NodeValue::String(s.clone()),
        Value::Array(items) => NodeValue::List(items.iter().map(|i| node(i, at)).collect()),
        Value::Object(entries) => {
            let mut map = Map::default();
            for (k, v) in entries {
                map.set(k, at, node(v, at));
            }
            NodeValue::Map(map)
        }
    };
    Node::new(v, at.clone())
}

/// Copies each `(terraform argument, CloudFormation property)` present in `body` into `props`.
fn copy(
    props: &mut Map,
    body: &EvaluatedBody,
    owner: &str,
    pairs: &[(&str, &str)],
) -> Result<(), LoadError> {
    for (from, to) in pairs {
        if let Some((value, at)) = body_argument(body, owner, from)? {
            props.set(to, at, node(value, at));
        }
    }
    Ok(())
}

/// `node` with every node placed at `at` (an OpenAPI `body` string parsed from a Terraform
/// argument has positions inside the string, not in the file).
fn relocated(node: &Node, at: &SourceLocation) -> Node {
    let value = match &node.value {
        NodeValue::List(items) => NodeValue::List(items.iter().map(|i| relocated(i, at)).collect()),
        NodeValue::Map(map) => {
            let mut out = Map::default();
            for entry in map.iter() {
                out.set(&entry.key, at, relocated(&entry.value, at));
            }
            NodeValue::Map(out)
        }
        other => other.clone(),
    };
    Node::new(value, at.clone())
}

/// Parses an OpenAPI `body` string (JSON or YAML) into a node placed at the argument.
fn openapi_body(
    t: &mut Translator<'_>,
    text: &str,
    at: &SourceLocation,
    owner: &str,
) -> Result<Node, LoadError> {
    let mut warnings = Vec::new();
    let parsed =
        crate::document::value::parse_reporting(text, &at.file, &mut warnings).map_err(|e| {
            LoadError::new(
                at.clone(),
                format!(
                    "{owner}: body is not a valid OpenAPI JSON or YAML document: {}",
                    e.message
                ),
            )
        })?;
    // Positions inside the string mean nothing in the .tf file: the argument is named instead.
    for warning in warnings {
        let inside = format!("{}:{}", warning.location.line, warning.location.column);
        t.warn(
            at,
            format!(
                "{owner}: in the document (line {inside} of the string): {}",
                warning
                    .message
                    .split(" (first defined at")
                    .next()
                    .unwrap_or_default()
            ),
        );
    }
    Ok(relocated(&parsed, at))
}
