//! SAM `Auth` on an `AWS::Serverless::HttpApi`: `Authorizers` (JWT and Lambda), the built-in
//! `AWS_IAM` (`EnableIamAuthorizer`), `DefaultAuthorizer`, and an event's `Auth.Authorizer`
//! (`NONE` included) — validated with SAM's messages and written into the document as SAM's
//! `OpenApiEditor` writes them, so [`crate::openapi::http`] reads SAM's and hand-written
//! documents alike.

use gatewise_model::SourceLocation;

use super::{event_error, sam_error};
use crate::LoadError;
use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node, Value, map_node};
use crate::functions::Functions;
use crate::openapi::{self, X_AUTHORIZER, X_AUTHTYPE, X_GATEWISE_FUNCTION, X_INTEGRATION};
use crate::sam::function_of_arn;

/// Keys SAM accepts in an HTTP API's `Auth`.
pub const AUTH_KEYS: &[&str] = &["Authorizers", "DefaultAuthorizer", "EnableIamAuthorizer"];
/// The built-in IAM authorizer's name.
pub const AWS_IAM: &str = "AWS_IAM";
/// An event's way to opt out of the default authorizer.
pub const NONE: &str = "NONE";

/// Properties of an authorizer and the kind that may use each: (property, allowed for JWT,
/// SAM's "is only supported for" text).
const AUTHORIZER_PROPERTIES: &[(&str, bool, &str)] = &[
    ("AuthorizationScopes", true, "OAuth2 Authorizer"),
    ("JwtConfiguration", true, "OAuth2 Authorizer"),
    (
        "IdentitySource",
        true,
        "OAuth2 Authorizer. For Lambda Authorizer, use the 'Identity' property instead",
    ),
    ("FunctionArn", false, "Lambda Authorizer"),
    ("FunctionInvokeRole", false, "Lambda Authorizer"),
    ("Identity", false, "Lambda Authorizer"),
    ("AuthorizerPayloadFormatVersion", false, "Lambda Authorizer"),
    ("EnableSimpleResponses", false, "Lambda Authorizer"),
    (
        "EnableFunctionDefaultPermissions",
        false,
        "Lambda Authorizer",
    ),
];

/// `Identity` keys and the prefix API Gateway gives their entries.
const IDENTITY_PREFIXES: &[(&str, &str)] = &[
    ("Headers", "$request.header."),
    ("QueryStrings", "$request.querystring."),
    ("StageVariables", "$stageVariables."),
    ("Context", "$context."),
];

/// The API's `Auth` map when present and not empty.
fn auth_map(api_props: &Map) -> Option<&Map> {
    api_props
        .get("Auth")
        .and_then(Node::as_map)
        .filter(|m| !m.is_empty())
}

/// Adds `Authorizers` (and `AWS_IAM`) to the document's security schemes, then
/// `DefaultAuthorizer` to every operation with an integration and no `security` yet, except
/// `options` (SAM's `set_path_default_authorizer`). `doc` is `None` with `DefinitionUri`.
pub fn apply(
    resolver: &mut Resolver<'_>,
    api: &str,
    props: &Map,
    doc: Option<&mut Node>,
    functions: &Functions<'_>,
) -> Result<(), LoadError> {
    let Some(entry) = props.entry("Auth") else {
        return Ok(());
    };
    let at = entry.key_location.clone();
    let Some(auth) = auth_map(props) else {
        return Ok(());
    };
    let Some(doc) = doc else {
        return Err(sam_error(
            &at,
            api,
            "Auth works only with inline OpenApi specified in the 'DefinitionBody' property.",
        ));
    };
    if let Some(bad) = auth.iter().find(|e| !AUTH_KEYS.contains(&e.key.as_str())) {
        return Err(sam_error(
            &bad.key_location,
            api,
            "Invalid value for 'Auth' property",
        ));
    }
    let mut schemes: Vec<(String, SourceLocation, Node)> = Vec::new();
    if iam_enabled(resolver, auth)? {
        let iam_at = auth
            .entry("EnableIamAuthorizer")
            .map_or(at.clone(), |e| e.key_location.clone());
        schemes.push((AWS_IAM.to_owned(), iam_at.clone(), iam_scheme(&iam_at)));
    }
    if let Some(authorizers) = auth.get("Authorizers") {
        let Some(authorizers) = authorizers.as_map() else {
            return Err(sam_error(
                &authorizers.location,
                api,
                "Property 'Auth.Authorizers' should be a map.",
            ));
        };
        for e in authorizers.iter() {
            let scheme =
                authorizer_scheme(resolver, api, &e.key, &e.value, &e.key_location, functions)?;
            schemes.push((e.key.clone(), e.key_location.clone(), scheme));
        }
    }
    let Some(root) = doc.as_map_mut() else {
        return Ok(());
    };
    write_schemes(
        root,
        &at,
        schemes.iter().map(|(n, l, s)| (n.as_str(), l, s.clone())),
    );
    let Some(default) = resolver.property(auth, "DefaultAuthorizer")? else {
        return Ok(());
    };
    let default_at = default.location.clone();
    let Some(default) = default.as_str().map(str::to_owned) else {
        return Err(sam_error(
            &default_at,
            api,
            "Property 'Auth.DefaultAuthorizer' should be a string.",
        ));
    };
    if !schemes.iter().any(|(n, ..)| *n == default) {
        return Err(sam_error(
            &default_at,
            api,
            &format!(
                "Unable to set DefaultAuthorizer because '{default}' was not defined in 'Authorizers'."
            ),
        ));
    }
    if let Some(paths) = openapi::paths_mut(doc) {
        for (_, path) in paths.iter_mut() {
            let Some(item) = path.as_map_mut() else {
                continue;
            };
            for (key, op) in item.iter_mut() {
                if key == "parameters" || key.eq_ignore_ascii_case("options") {
                    continue;
                }
                let Some(op) = op.as_map_mut() else {
                    continue;
                };
                let has_security = op
                    .get("security")
                    .is_some_and(|s| !matches!(&s.value, Value::List(l) if l.is_empty()));
                if op.contains_key(X_INTEGRATION) && !has_security {
                    add_requirement(op, &default, &default_at);
                }
            }
        }
    }
    Ok(())
}

fn iam_enabled(resolver: &mut Resolver<'_>, auth: &Map) -> Result<bool, LoadError> {
    Ok(matches!(
        resolver
            .property(auth, "EnableIamAuthorizer")?
            .map(|n| n.value),
        Some(Value::Bool(true))
    ))
}

/// `components.securitySchemes.<name>` for each scheme (existing ones with the same name are
/// replaced, as SAM does).
fn write_schemes<'s>(
    root: &mut Map,
    at: &SourceLocation,
    schemes: impl Iterator<Item = (&'s str, &'s SourceLocation, Node)>,
) {
    if root.get("components").is_none_or(|c| c.as_map().is_none()) {
        root.set("components", at, Node::empty_map(at.clone()));
    }
    let Some(components) = root.get_mut("components").and_then(Node::as_map_mut) else {
        return;
    };
    if components
        .get("securitySchemes")
        .is_none_or(|c| c.as_map().is_none())
    {
        components.set("securitySchemes", at, Node::empty_map(at.clone()));
    }
    let Some(target) = components
        .get_mut("securitySchemes")
        .and_then(Node::as_map_mut)
    else {
        return;
    };
    for (name, location, scheme) in schemes {
        target.set(name, location, scheme);
    }
}

fn iam_scheme(at: &SourceLocation) -> Node {
    map_node(
        at,
        vec![
            ("type", Node::string("apiKey", at.clone())),
            ("name", Node::string("Authorization", at.clone())),
            ("in", Node::string("header", at.clone())),
            (X_AUTHTYPE, Node::string("awsSigv4", at.clone())),
        ],
    )
}

/// One entry of `Auth.Authorizers` as SAM's `ApiGatewayV2Authorizer.generate_openapi` writes it.
fn authorizer_scheme(
    resolver: &mut Resolver<'_>,
    api: &str,
    name: &str,
    node: &Node,
    at: &SourceLocation,
    functions: &Functions<'_>,
) -> Result<Node, LoadError> {
    let Some(def) = node.as_map() else {
        return Err(sam_error(
            &node.location,
            api,
            &format!("Property 'Auth.Authorizers.{name}' should be a map."),
        ));
    };
    if def.contains_key("OpenIdConnectUrl") {
        return Err(sam_error(
            at,
            api,
            &format!(
                "'OpenIdConnectUrl' is no longer a supported property for authorizer '{name}'. Please refer to the AWS SAM documentation."
            ),
        ));
    }
    let jwt = def
        .get("JwtConfiguration")
        .is_some_and(|n| !matches!(n.value, Value::Null));
    for (property, for_jwt, allowed_for) in AUTHORIZER_PROPERTIES {
        if def.contains_key(property) && *for_jwt != jwt {
            return Err(sam_error(
                at,
                api,
                &format!("{property} is only supported for {allowed_for}."),
            ));
        }
    }
    let required = |key: &str, kind: &str| -> Result<(), LoadError> {
        match def.get(key) {
            Some(n) if !matches!(n.value, Value::Null) => Ok(()),
            _ => Err(sam_error(
                at,
                api,
                &format!("{name} {kind} must define '{key}'."),
            )),
        }
    };
    let mut authorizer = Map::default();
    if jwt {
        required("IdentitySource", "OAuth2 Authorizer")?;
        for (from, to) in [
            ("JwtConfiguration", "jwtConfiguration"),
            ("IdentitySource", "identitySource"),
        ] {
            if let Some(e) = def.entry(from) {
                authorizer.set(to, &e.key_location, e.value.clone());
            }
        }
        authorizer.set("type", at, Node::string("jwt", at.clone()));
        return Ok(map_node(
            at,
            vec![
                ("type", Node::string("oauth2", at.clone())),
                (X_AUTHORIZER, Node::new(Value::Map(authorizer), at.clone())),
            ],
        ));
    }
    required("FunctionArn", "Lambda Authorizer")?;
    required("AuthorizerPayloadFormatVersion", "Lambda Authorizer")?;
    authorizer.set("type", at, Node::string("request", at.clone()));
    if let Some(arn) = def.get("FunctionArn") {
        if let Some(id) = function_of_arn(resolver, arn, functions)? {
            authorizer.set(
                X_GATEWISE_FUNCTION,
                at,
                Node::string(id, arn.location.clone()),
            );
        }
        authorizer.set("authorizerUri", at, arn.clone());
    }
    if let Some(identity) = def.get("Identity").and_then(Node::as_map) {
        let mut sources = Vec::new();
        for (key, prefix) in IDENTITY_PREFIXES {
            let Some(values) = resolver.property(identity, key)? else {
                continue;
            };
            for value in values.as_list().unwrap_or_default() {
                let text = crate::properties::text(
                    value,
                    &format!("HttpApi '{api}': Auth.Authorizers.{name}.Identity.{key}"),
                )?;
                sources.push(Node::string(
                    format!("{prefix}{text}"),
                    value.location.clone(),
                ));
            }
        }
        authorizer.set(
            "identitySource",
            at,
            Node::new(Value::List(sources), at.clone()),
        );
    }
    for (from, to) in [
        (
            "AuthorizerPayloadFormatVersion",
            "authorizerPayloadFormatVersion",
        ),
        ("EnableSimpleResponses", "enableSimpleResponses"),
    ] {
        if let Some(e) = def.entry(from) {
            authorizer.set(to, &e.key_location, e.value.clone());
        }
    }
    Ok(map_node(
        at,
        vec![
            ("type", Node::string("apiKey", at.clone())),
            ("name", Node::string("Unused", at.clone())),
            ("in", Node::string("header", at.clone())),
            (X_AUTHORIZER, Node::new(Value::Map(authorizer), at.clone())),
        ],
    ))
}

/// Appends `{name: []}` to an operation's `security`.
pub fn add_requirement(op: &mut Map, name: &str, at: &SourceLocation) {
    let mut items = op
        .get("security")
        .and_then(Node::as_list)
        .map(<[Node]>::to_vec)
        .unwrap_or_default();
    items.push(map_node(
        at,
        vec![(name, Node::new(Value::List(Vec::new()), at.clone()))],
    ));
    op.set("security", at, Node::new(Value::List(items), at.clone()));
}

/// Where an event's `Auth` is checked against its API, with SAM's messages.
pub struct EventAuth<'a> {
    pub function: &'a str,
    pub event: &'a str,
    pub method: &'a str,
    pub path: &'a str,
}

/// The authorizer an event's `Auth` names (`Authorizer`, or the API's `DefaultAuthorizer` when
/// the event gives none); `None` when the event has no (or an empty) `Auth`.
pub fn event_authorizer(
    resolver: &mut Resolver<'_>,
    event_auth: Option<&Node>,
    api_props: &Map,
    ctx: &EventAuth<'_>,
) -> Result<Option<(String, SourceLocation)>, LoadError> {
    let Some(node) = event_auth else {
        return Ok(None);
    };
    let Some(auth) = node.as_map().filter(|m| !m.is_empty()) else {
        return Ok(None);
    };
    let at = node.location.clone();
    let api_auth = auth_map(api_props);
    let default = match api_auth {
        Some(a) => resolver
            .property(a, "DefaultAuthorizer")?
            .and_then(|n| n.as_str().map(str::to_owned)),
        None => None,
    };
    if let Some(raw) = auth.get("Authorizer") {
        crate::sam::rest_api::auth::refuse_intrinsic_authorizer(
            raw,
            &format!("Function '{}' event '{}'", ctx.function, ctx.event),
        )?;
    }
    let (name, name_at) = match resolver.property(auth, "Authorizer")? {
        Some(node) => (
            crate::properties::text(
                &node,
                &format!(
                    "Function '{}' event '{}': Auth.Authorizer",
                    ctx.function, ctx.event
                ),
            )?,
            node.location.clone(),
        ),
        None => match &default {
            Some(d) => (d.clone(), at.clone()),
            None => {
                return Err(event_error(
                    &at,
                    ctx.function,
                    ctx.event,
                    "'Auth' section requires either an explicit 'Authorizer' set or a 'DefaultAuthorizer' configured on the HttpApi.",
                ));
            }
        },
    };
    let (method, path) = (ctx.method, ctx.path);
    if name == NONE {
        if default.is_none() {
            return Err(event_error(
                &name_at,
                ctx.function,
                ctx.event,
                &format!(
                    "Unable to set Authorizer on API method [{method}] for path [{path}] because 'NONE' is only a valid value when a DefaultAuthorizer on the API is specified."
                ),
            ));
        }
        return Ok(Some((name, name_at)));
    }
    let iam = match api_auth {
        Some(a) => iam_enabled(resolver, a)?,
        None => false,
    };
    if name == AWS_IAM && iam {
        return Ok(Some((name, name_at)));
    }
    let authorizers = api_auth
        .and_then(|a| a.get("Authorizers"))
        .and_then(Node::as_map)
        .filter(|m| !m.is_empty());
    let Some(authorizers) = authorizers else {
        return Err(event_error(
            &name_at,
            ctx.function,
            ctx.event,
            &format!(
                "Unable to set Authorizer [{name}] on API method [{method}] for path [{path}] because the related API does not define any Authorizers."
            ),
        ));
    };
    if !authorizers.contains_key(&name) {
        return Err(event_error(
            &name_at,
            ctx.function,
            ctx.event,
            &format!(
                "Unable to set Authorizer [{name}] on API method [{method}] for path [{path}] because it wasn't defined in the API's Authorizers."
            ),
        ));
    }
    Ok(Some((name, name_at)))
}
