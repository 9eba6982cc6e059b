//! Local resolution of CloudFormation intrinsic functions and conditions.
//!
//! Resolution is lazy: the loader resolves only the properties it reads, so an `Fn::GetAtt`
//! on a DynamoDB table in an unrelated policy never produces noise. What only AWS can know
//! (`Fn::ImportValue`, `{{resolve:...}}`, most `Fn::GetAtt`) becomes a visible placeholder such
//! as `<unresolved Fn::ImportValue Shared>` plus a warning with the position, never a silent
//! empty string.

use std::collections::HashMap;

use gatewise_model::{Diagnostic, SourceLocation, pseudo};
use indexmap::IndexMap;

use crate::LoadError;
use crate::document::parameters::Parameter;
use crate::document::value::{Entry, Map, Node, Value};
use crate::ids;

/// Intrinsics nested (or referring to each other) deeper than this are refused, so a cycle
/// such as a function whose `FunctionName` refers to itself cannot overflow the stack.
const MAX_DEPTH: usize = 100;

/// Resolves intrinsics against one template and one set of parameter values.
pub struct Resolver<'t> {
    parameters: IndexMap<String, Parameter>,
    mappings: Option<&'t Map>,
    conditions: Option<&'t Map>,
    resources: Option<&'t Map>,
    stack_name: String,
    condition_values: HashMap<String, bool>,
    /// Conditions being evaluated, to report a cycle instead of looping.
    evaluating: Vec<String>,
    depth: usize,
    warnings: Vec<Diagnostic>,
}

impl<'t> Resolver<'t> {
    pub fn new(
        template: &'t Map,
        parameters: IndexMap<String, Parameter>,
        stack_name: String,
        warnings: Vec<Diagnostic>,
    ) -> Self {
        Self {
            parameters,
            mappings: template.get("Mappings").and_then(Node::as_map),
            conditions: template.get("Conditions").and_then(Node::as_map),
            resources: template.get("Resources").and_then(Node::as_map),
            stack_name,
            condition_values: HashMap::new(),
            evaluating: Vec::new(),
            depth: 0,
            warnings,
        }
    }

    /// Warnings gathered so far, in the order they arose.
    pub fn into_warnings(self) -> Vec<Diagnostic> {
        self.warnings
    }

    /// Adds a warning (once per position and text: a property may be resolved twice).
    pub fn warn(&mut self, location: &SourceLocation, message: String) {
        let diagnostic = Diagnostic {
            location: location.clone(),
            message,
        };
        if !self.warnings.contains(&diagnostic) {
            self.warnings.push(diagnostic);
        }
    }

    /// `map[key]`, resolved; `None` when absent or `AWS::NoValue`.
    pub fn property(&mut self, map: &Map, key: &str) -> Result<Option<Node>, LoadError> {
        match map.get(key) {
            Some(node) => self.resolve(node),
            None => Ok(None),
        }
    }

    /// Resolves every intrinsic in `node`; `None` means `AWS::NoValue` (the key or list item
    /// disappears).
    pub fn resolve(&mut self, node: &Node) -> Result<Option<Node>, LoadError> {
        if self.depth >= MAX_DEPTH {
            return Err(LoadError::new(
                node.location.clone(),
                "intrinsic functions nest too deeply or refer to each other in a cycle; simplify this value".to_owned(),
            ));
        }
        self.depth += 1;
        let result = self.resolve_at_depth(node);
        self.depth -= 1;
        result
    }

    fn resolve_at_depth(&mut self, node: &Node) -> Result<Option<Node>, LoadError> {
        if let Some((name, argument)) = node.intrinsic() {
            return self.call(name, argument, &node.location);
        }
        let value = match &node.value {
            Value::Map(map) => {
                let mut out = Map::default();
                for entry in map.iter() {
                    if let Some(value) = self.resolve(&entry.value)? {
                        out.insert(Entry {
                            key: entry.key.clone(),
                            key_location: entry.key_location.clone(),
                            value,
                        });
                    }
                }
                Value::Map(out)
            }
            Value::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.extend(self.resolve(item)?);
                }
                Value::List(out)
            }
            Value::String(s) if s.contains("{{resolve:") => {
                Value::String(self.dynamic_references(s, &node.location))
            }
            // A scalar resolves to itself, where it is written.
            _ => return Ok(Some(node.clone())),
        };
        Ok(Some(Node::new(value, node.location.clone())))
    }

    /// Resolves `node` only when it is itself an intrinsic call; a plain map or list is returned
    /// as is, so its other members stay unresolved (and make no noise) until read.
    pub fn resolve_shallow(&mut self, node: &Node) -> Result<Option<Node>, LoadError> {
        if node.intrinsic().is_some() {
            self.resolve(node)
        } else {
            Ok(Some(node.clone()))
        }
    }

    /// Resolves `node` to text (numbers and booleans stringified), for intrinsic arguments.
    pub fn text(&mut self, node: &Node, what: &str) -> Result<String, LoadError> {
        let resolved = self.resolve(node)?.ok_or_else(|| {
            LoadError::new(
                node.location.clone(),
                format!("{what} cannot be AWS::NoValue here"),
            )
        })?;
        resolved.scalar_text().ok_or_else(|| {
            LoadError::new(
                node.location.clone(),
                format!("{what} must be a string, found {}", resolved.kind()),
            )
        })
    }

    fn call(
        &mut self,
        name: &str,
        argument: &Node,
        at: &SourceLocation,
    ) -> Result<Option<Node>, LoadError> {
        let string = |text: String| Ok(Some(Node::string(text, at.clone())));
        match name {
            "Ref" => {
                let target = argument.as_str().ok_or_else(|| {
                    LoadError::new(
                        argument.location.clone(),
                        format!(
                            "Ref needs the name of a parameter or resource, found {}",
                            argument.kind()
                        ),
                    )
                })?;
                self.reference(target, at)
            }
            "Fn::Sub" => string(self.sub(argument, at)?),
            "Fn::GetAtt" => {
                let (resource, attribute) = self.get_att_target(argument)?;
                string(self.get_att(&resource, &attribute, at))
            }
            "Fn::Join" => {
                let [delimiter, values] =
                    arguments::<2>(name, argument, "[delimiter, [values...]]")?;
                let delimiter = self.text(delimiter, "Fn::Join delimiter")?;
                let items = self.list(values, "Fn::Join values")?;
                let mut texts = Vec::with_capacity(items.len());
                for item in &items {
                    texts.push(item.scalar_text().ok_or_else(|| {
                        LoadError::new(
                            item.location.clone(),
                            format!("Fn::Join values must be strings, found {}", item.kind()),
                        )
                    })?);
                }
                string(texts.join(&delimiter))
            }
            "Fn::Select" => {
                let [index, values] = arguments::<2>(name, argument, "[index, [values...]]")?;
                let index_text = self.text(index, "Fn::Select index")?;
                let items = self.list(values, "Fn::Select values")?;
                let chosen = index_text
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| items.into_iter().nth(i));
                match chosen {
                    Some(item) => Ok(Some(item)),
                    None => Err(LoadError::new(
                        index.location.clone(),
                        format!(
                            "Fn::Select index '{index_text}' is not a position in the list; use 0 up to its length - 1"
                        ),
                    )),
                }
            }
            "Fn::Split" => {
                let [delimiter, source] = arguments::<2>(name, argument, "[delimiter, string]")?;
                let delimiter = self.text(delimiter, "Fn::Split delimiter")?;
                let source = self.text(source, "Fn::Split source")?;
                if delimiter.is_empty() {
                    return Err(LoadError::new(
                        at.clone(),
                        "Fn::Split delimiter must not be empty".to_owned(),
                    ));
                }
                let items = source
                    .split(delimiter.as_str())
                    .map(|s| Node::string(s, at.clone()))
                    .collect();
                Ok(Some(Node::new(Value::List(items), at.clone())))
            }
            "Fn::FindInMap" => self.find_in_map(argument, at).map(Some),
            "Fn::If" => {
                let [condition, if_true, if_false] = arguments::<3>(
                    name,
                    argument,
                    "[condition name, value if true, value if false]",
                )?;
                let condition_name = condition.as_str().ok_or_else(|| {
                    LoadError::new(
                        condition.location.clone(),
                        "Fn::If needs a condition name first".to_owned(),
                    )
                })?;
                if self.condition(condition_name, &condition.location)? {
                    self.resolve(if_true)
                } else {
                    self.resolve(if_false)
                }
            }
            "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or" => {
                let call = Node::new(
                    Value::Map({
                        let mut m = Map::default();
                        m.insert(Entry {
                            key: name.to_owned(),
                            key_location: at.clone(),
                            value: argument.clone(),
                        });
                        m
                    }),
                    at.clone(),
                );
                let value = self.evaluate_condition(&call)?;
                Ok(Some(Node::new(Value::Bool(value), at.clone())))
            }
            "Fn::ImportValue" => {
                let export = self.text(argument, "Fn::ImportValue")?;
                self.warn(
                    at,
                    format!("Fn::ImportValue '{export}' reads another stack's output, which gatewise cannot see; using a placeholder (pass the real value through a parameter if it matters)"),
                );
                string(format!("<unresolved Fn::ImportValue {export}>"))
            }
            "Fn::Base64" => {
                let text = self.text(argument, "Fn::Base64")?;
                string(base64(text.as_bytes()))
            }
            "Fn::GetAZs" => {
                let zones = ["a", "b", "c"]
                    .iter()
                    .map(|z| Node::string(format!("{}{z}", pseudo::REGION), at.clone()))
                    .collect();
                Ok(Some(Node::new(Value::List(zones), at.clone())))
            }
            "Fn::Length" => {
                let items = self.list(argument, "Fn::Length")?;
                Ok(Some(Node::new(
                    Value::Number(items.len().to_string()),
                    at.clone(),
                )))
            }
            "Fn::ToJsonString" => {
                let value = self
                    .resolve(argument)?
                    .map_or(serde_json::Value::Null, |n| n.to_json());
                string(value.to_string())
            }
            other => {
                self.warn(
                    at,
                    format!("{other} is not resolved locally; using a placeholder"),
                );
                string(format!("<unresolved {other}>"))
            }
        }
    }

    /// Resolves `node` and requires a list.
    fn list(&mut self, node: &Node, what: &str) -> Result<Vec<Node>, LoadError> {
        match self.resolve(node)?.map(|n| n.value) {
            Some(Value::List(items)) => Ok(items),
            other => Err(LoadError::new(
                node.location.clone(),
                format!(
                    "{what} must be a list, found {}",
                    other.map_or("AWS::NoValue", |v| Node::new(v, node.location.clone())
                        .kind())
                ),
            )),
        }
    }

    /// `Ref`: pseudo parameters, parameters, then resources.
    pub fn reference(
        &mut self,
        name: &str,
        at: &SourceLocation,
    ) -> Result<Option<Node>, LoadError> {
        let string = |text: String| Ok(Some(Node::string(text, at.clone())));
        match name {
            "AWS::NoValue" => return Ok(None),
            "AWS::Region" => return string(pseudo::REGION.to_owned()),
            "AWS::AccountId" => return string(pseudo::ACCOUNT_ID.to_owned()),
            "AWS::Partition" => return string(pseudo::PARTITION.to_owned()),
            "AWS::URLSuffix" => return string(pseudo::URL_SUFFIX.to_owned()),
            "AWS::StackName" => return string(self.stack_name.clone()),
            "AWS::StackId" => {
                return string(format!(
                    "arn:{}:cloudformation:{}:{}:stack/{}/00000000-0000-0000-0000-000000000000",
                    pseudo::PARTITION,
                    pseudo::REGION,
                    pseudo::ACCOUNT_ID,
                    self.stack_name
                ));
            }
            "AWS::NotificationARNs" => {
                return Ok(Some(Node::new(Value::List(Vec::new()), at.clone())));
            }
            _ => {}
        }
        if let Some(parameter) = self.parameters.get(name) {
            if parameter.from_ssm {
                let ssm_name = parameter.value.scalar_text().unwrap_or_default();
                self.warn(
                    at,
                    format!("parameter '{name}' is read from SSM ('{ssm_name}') at deploy time; using a placeholder; pass --parameter-overrides {name}=<value> to use a real value"),
                );
                return string(format!("<unresolved SSM parameter {ssm_name}>"));
            }
            let mut value = parameter.value.clone();
            value.location = at.clone();
            return Ok(Some(value));
        }
        match self.resource_type(name) {
            Some("AWS::Serverless::Function" | "AWS::Lambda::Function") => {
                string(self.function_name(name)?)
            }
            Some(
                "AWS::Serverless::Api"
                | "AWS::ApiGateway::RestApi"
                | "AWS::Serverless::HttpApi"
                | "AWS::ApiGatewayV2::Api",
            ) => string(ids::api_id(name)),
            Some("AWS::Serverless::LayerVersion" | "AWS::Lambda::LayerVersion") => {
                string(self.layer_arn(name)?)
            }
            Some(_) => string(name.to_owned()),
            None if name == "ServerlessRestApi" || name == "ServerlessHttpApi" => {
                string(ids::api_id(name))
            }
            None => {
                self.warn(
                    at,
                    format!("Ref '{name}' names no parameter or resource in this template (it may be one SAM generates); using a placeholder"),
                );
                string(format!("<unresolved Ref {name}>"))
            }
        }
    }

    pub fn resource_type(&self, logical_id: &str) -> Option<&'t str> {
        self.resources?
            .get(logical_id)?
            .as_map()?
            .get("Type")?
            .as_str()
    }

    /// Property `name` of resource `logical_id`, unresolved.
    fn resource_property(&self, logical_id: &str, name: &str) -> Option<&'t Node> {
        self.resources?
            .get(logical_id)?
            .as_map()?
            .get("Properties")?
            .as_map()?
            .get(name)
    }

    /// The ARN a layer's `Ref` gives: version 1 of its `LayerName`, else of its logical id.
    pub fn layer_arn(&mut self, logical_id: &str) -> Result<String, LoadError> {
        let name = match self.resource_property(logical_id, "LayerName") {
            Some(node) => self.text(node, &format!("Layer '{logical_id}': LayerName"))?,
            None => logical_id.to_owned(),
        };
        Ok(ids::layer_version_arn(&name))
    }

    /// The deployed name of a function: `FunctionName` when set, else its logical id.
    pub fn function_name(&mut self, logical_id: &str) -> Result<String, LoadError> {
        match self.resource_property(logical_id, "FunctionName") {
            Some(node) => match self.resolve(node)? {
                Some(resolved) => resolved.scalar_text().ok_or_else(|| {
                    LoadError::new(
                        node.location.clone(),
                        format!(
                            "Function '{logical_id}': FunctionName must be a string, found {}",
                            resolved.kind()
                        ),
                    )
                }),
                None => Ok(logical_id.to_owned()),
            },
            None => Ok(logical_id.to_owned()),
        }
    }

    fn get_att_target(&mut self, argument: &Node) -> Result<(String, String), LoadError> {
        let invalid = || {
            LoadError::new(
                argument.location.clone(),
                "Fn::GetAtt expects [resource, attribute] or 'Resource.Attribute'".to_owned(),
            )
        };
        match &argument.value {
            Value::String(s) => s
                .split_once('.')
                .map(|(r, a)| (r.to_owned(), a.to_owned()))
                .ok_or_else(invalid),
            Value::List(items) => match items.as_slice() {
                [resource, attribute] => {
                    let resource = resource.as_str().ok_or_else(invalid)?.to_owned();
                    let attribute = self.text(attribute, "Fn::GetAtt attribute")?;
                    Ok((resource, attribute))
                }
                _ => Err(invalid()),
            },
            _ => Err(invalid()),
        }
    }

    /// `Fn::GetAtt`: a function's `Arn` is known; anything else is a placeholder and a warning.
    fn get_att(&mut self, resource: &str, attribute: &str, at: &SourceLocation) -> String {
        let is_function = matches!(
            self.resource_type(resource),
            Some("AWS::Serverless::Function" | "AWS::Lambda::Function")
        );
        if is_function
            && attribute == "Arn"
            && let Ok(name) = self.function_name(resource)
        {
            return format!(
                "arn:{}:lambda:{}:{}:function:{name}",
                pseudo::PARTITION,
                pseudo::REGION,
                pseudo::ACCOUNT_ID
            );
        }
        let why = if self.resource_type(resource).is_some() {
            "is only known after deployment"
        } else {
            "names no resource in this template"
        };
        self.warn(
            at,
            format!("Fn::GetAtt {resource}.{attribute} {why}; using a placeholder"),
        );
        format!("<unresolved Fn::GetAtt {resource}.{attribute}>")
    }

    /// `Fn::Sub` in both forms: `"text ${Name} ${Res.Attr} ${!Literal}"` and `[text, {vars}]`.
    fn sub(&mut self, argument: &Node, at: &SourceLocation) -> Result<String, LoadError> {
        let (template, variables) = match &argument.value {
            Value::String(s) => (s.as_str(), None),
            Value::List(items) => match items.as_slice() {
                [template, variables] => match (&template.value, variables.as_map()) {
                    (Value::String(s), Some(vars)) => (s.as_str(), Some(vars)),
                    _ => {
                        return Err(LoadError::new(
                            argument.location.clone(),
                            "Fn::Sub expects a string or [string, {variables}]".to_owned(),
                        ));
                    }
                },
                _ => {
                    return Err(LoadError::new(
                        argument.location.clone(),
                        "Fn::Sub expects a string or [string, {variables}]".to_owned(),
                    ));
                }
            },
            _ => {
                return Err(LoadError::new(
                    argument.location.clone(),
                    format!(
                        "Fn::Sub expects a string or [string, {{variables}}], found {}",
                        argument.kind()
                    ),
                ));
            }
        };
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            if let Some(literal) = after.strip_prefix('!') {
                out.push_str("${");
                rest = literal;
                continue;
            }
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = after[..end].trim();
            let value = if let Some(node) = variables.and_then(|v| v.get(name)) {
                self.text(node, &format!("Fn::Sub variable '{name}'"))?
            } else if let Some((resource, attribute)) = name.split_once('.') {
                self.get_att(resource, attribute, at)
            } else {
                match self.reference(name, at)? {
                    Some(node) => node.scalar_text().ok_or_else(|| {
                        LoadError::new(
                            at.clone(),
                            format!("Fn::Sub: ${{{name}}} is {}, not a string; use Fn::Join to combine a list", node.kind()),
                        )
                    })?,
                    None => {
                        return Err(LoadError::new(
                            at.clone(),
                            format!("Fn::Sub: ${{{name}}} cannot be AWS::NoValue"),
                        ));
                    }
                }
            };
            out.push_str(&value);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        if out.contains("{{resolve:") {
            out = self.dynamic_references(&out, at);
        }
        Ok(out)
    }

    fn find_in_map(&mut self, argument: &Node, at: &SourceLocation) -> Result<Node, LoadError> {
        let items = argument.as_list().unwrap_or_default();
        let [map_name, top_key, second_key] = match items {
            [a, b, c] | [a, b, c, _] => [a, b, c],
            _ => {
                return Err(LoadError::new(
                    argument.location.clone(),
                    "Fn::FindInMap expects [MapName, TopLevelKey, SecondLevelKey]".to_owned(),
                ));
            }
        };
        let map_name = self.text(map_name, "Fn::FindInMap map name")?;
        let top_key = self.text(top_key, "Fn::FindInMap top-level key")?;
        let second_key = self.text(second_key, "Fn::FindInMap second-level key")?;
        let found = self
            .mappings
            .and_then(|m| m.get(&map_name))
            .and_then(Node::as_map)
            .and_then(|m| m.get(&top_key))
            .and_then(Node::as_map)
            .and_then(|m| m.get(&second_key));
        match found {
            Some(node) => self.resolve(node)?.ok_or_else(|| {
                LoadError::new(
                    node.location.clone(),
                    "a mapping value cannot be AWS::NoValue".to_owned(),
                )
            }),
            None => Err(LoadError::new(
                at.clone(),
                format!(
                    "Fn::FindInMap: Mappings has no {map_name} → {top_key} → {second_key}; add it under Mappings or fix the keys"
                ),
            )),
        }
    }

    /// Replaces each `{{resolve:ssm:...}}` / `{{resolve:secretsmanager:...}}` with a visible
    /// placeholder and warns.
    fn dynamic_references(&mut self, text: &str, at: &SourceLocation) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("{{resolve:") {
            out.push_str(&rest[..start]);
            let Some(end) = rest[start..].find("}}") else {
                break;
            };
            let reference = &rest[start + 2..start + end];
            self.warn(
                at,
                format!("dynamic reference {{{{{reference}}}}} is read from AWS at deploy time; using a placeholder (pass the value through a parameter to test a real one)"),
            );
            out.push_str(&format!("<unresolved {reference}>"));
            rest = &rest[start + end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// The value of a named condition from `Conditions`.
    pub fn condition(&mut self, name: &str, at: &SourceLocation) -> Result<bool, LoadError> {
        if let Some(value) = self.condition_values.get(name) {
            return Ok(*value);
        }
        if self.evaluating.iter().any(|n| n == name) {
            return Err(LoadError::new(
                at.clone(),
                format!("condition '{name}' depends on itself; break the cycle in Conditions"),
            ));
        }
        let Some(definition) = self.conditions.and_then(|c| c.get(name)) else {
            return Err(LoadError::new(
                at.clone(),
                format!(
                    "condition '{name}' is not defined; add it under Conditions or fix the name"
                ),
            ));
        };
        self.evaluating.push(name.to_owned());
        let value = self.evaluate_condition(definition);
        self.evaluating.pop();
        let value = value?;
        self.condition_values.insert(name.to_owned(), value);
        Ok(value)
    }

    fn evaluate_condition(&mut self, node: &Node) -> Result<bool, LoadError> {
        let not_a_condition = || {
            LoadError::new(
                node.location.clone(),
                "a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition".to_owned(),
            )
        };
        if let Value::Bool(b) = node.value {
            return Ok(b);
        }
        let Some(map) = node.as_map() else {
            return Err(not_a_condition());
        };
        let mut entries = map.iter();
        let (Some(entry), None) = (entries.next(), entries.next()) else {
            return Err(not_a_condition());
        };
        let argument = &entry.value;
        match entry.key.as_str() {
            "Fn::Equals" => {
                let [a, b] = arguments::<2>("Fn::Equals", argument, "[value, value]")?;
                let a = self.resolve(a)?;
                let b = self.resolve(b)?;
                Ok(match (&a, &b) {
                    (Some(a), Some(b)) => match (a.scalar_text(), b.scalar_text()) {
                        (Some(x), Some(y)) => x == y,
                        _ => a.to_json() == b.to_json(),
                    },
                    (None, None) => true,
                    _ => false,
                })
            }
            "Fn::Not" => {
                let [inner] = arguments::<1>("Fn::Not", argument, "[condition]")?;
                Ok(!self.evaluate_condition(inner)?)
            }
            key @ ("Fn::And" | "Fn::Or") => {
                let items = argument.as_list().ok_or_else(|| {
                    LoadError::new(
                        argument.location.clone(),
                        format!("{key} expects a list of conditions"),
                    )
                })?;
                let mut result = key == "Fn::And";
                for item in items {
                    let value = self.evaluate_condition(item)?;
                    result = if key == "Fn::And" {
                        result && value
                    } else {
                        result || value
                    };
                }
                Ok(result)
            }
            "Condition" => {
                let name = argument.as_str().ok_or_else(not_a_condition)?;
                self.condition(name, &argument.location)
            }
            _ => Err(not_a_condition()),
        }
    }
}

/// Splits an intrinsic's list argument into exactly `N` nodes.
fn arguments<'a, const N: usize>(
    name: &str,
    argument: &'a Node,
    shape: &str,
) -> Result<&'a [Node; N], LoadError> {
    argument
        .as_list()
        .and_then(|items| <&[Node; N]>::try_from(items).ok())
        .ok_or_else(|| {
            LoadError::new(
                argument.location.clone(),
                format!("{name} expects {shape}, found {}", argument.kind()),
            )
        })
}

/// Standard base64 with padding (`Fn::Base64`).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
