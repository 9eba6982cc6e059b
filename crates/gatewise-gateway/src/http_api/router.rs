//! Phase 1 for HTTP APIs (API Gateway v2), **match**: route keys (`GET /pets/{id}`,
//! `ANY /{proxy+}`, `$default`) in a [`PathTrie`] of their own, and where the gateway's
//! dispatch sends a request that concerns HTTP APIs ([`HttpDispatch`]; gatewise serves REST
//! and HTTP APIs side by side at the root, and the gateway decides between them).
//!
//! AWS picks the most specific route whose method accepts the request (spec 5.9,
//! DG http-api-develop-routes): at each segment a static segment beats `{param}`, which beats
//! greedy `{proxy+}`; on one path an explicit method beats `ANY`; `$default` takes what no
//! route does. Unlike REST (`rest::router`), the method takes part in the search: `POST /pets/1`
//! with only `GET /pets/{id}` and `ANY /{proxy+}` reaches the latter.

use std::sync::atomic::AtomicBool;

use gatewise_cors::http_api::HttpApiCors;
use gatewise_model::{HttpAuthorization, HttpIntegration, SourceLocation, Stack};

use crate::request::path_trie::{self, PathTrie, Segment, segments};
use crate::rest::router::RouteConflict;

/// The route key of the catch-all route.
pub(crate) const DEFAULT_ROUTE: &str = "$default";

/// Every HTTP API route of a stack, ready for matching, plus each API's prepared CORS.
#[derive(Debug, Default)]
pub(crate) struct HttpRoutes {
    /// Path templates in segment shape; a node's route indices point into `routes`.
    trie: PathTrie,
    routes: Vec<HttpRouteEntry>,
    /// The `$default` route, if an API has one (two are a conflict).
    default_route: Option<usize>,
    /// `CorsConfiguration` per API, index = [`Stack::http_apis`].
    pub cors: Vec<Option<HttpApiCors>>,
    /// Whether the stack has REST APIs too (see the gateway's
    /// `MIXED_TEMPLATE_UNMATCHED_IS_REST_403`).
    pub has_rest: bool,
}

/// One route of one HTTP API.
#[derive(Debug)]
pub(crate) struct HttpRouteEntry {
    /// Index into [`Stack::http_apis`].
    pub api: usize,
    /// Index into that API's `routes`.
    pub route: usize,
    /// `GET`, …, `ANY`, or `$default`.
    pub method: Box<str>,
    /// The path template, e.g. `/pets/{id}`; empty for `$default`.
    pub path: Box<str>,
    /// Parameter names in segment order; the values of [`HttpMatch::params`] follow it.
    param_names: Vec<Box<str>>,
    /// Set once the "not verified locally" warning of this route's authorizer was printed.
    pub unverified_warned: AtomicBool,
    label: Box<str>,
    api_label: Box<str>,
}

impl HttpRouteEntry {
    pub fn is_default(&self) -> bool {
        self.path.is_empty()
    }
}

/// A request that reached an HTTP API route, with the raw path parameter values.
#[derive(Debug)]
pub(crate) struct HttpMatch<'t, 'p> {
    pub entry: &'t HttpRouteEntry,
    values: Vec<&'p str>,
}

impl HttpMatch<'_, '_> {
    /// `(name, raw value)` pairs for `pathParameters`.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entry
            .param_names
            .iter()
            .map(|n| &**n)
            .zip(self.values.iter().copied())
    }
}

/// Where the gateway sends a request that concerns HTTP APIs.
#[derive(Debug)]
pub(crate) enum HttpDispatch<'t, 'p> {
    /// An HTTP API route takes it (an OPTIONS preflight included, spec 8.5).
    Route(HttpMatch<'t, 'p>),
    /// An OPTIONS request no route takes, on a path of an API with `CorsConfiguration`:
    /// the gateway answers it (spec 8.4).
    Cors { api: usize },
    /// No route: 404 `Not Found` (spec 5.9), from `api` when the path belongs to one.
    NotFound { api: Option<usize> },
}

/// The path in segment shape (parameter names dropped), for conflict detection.
fn shape(path: &str) -> String {
    let mut shape = String::with_capacity(path.len());
    for segment in segments(path) {
        shape.push('/');
        match segment {
            Segment::Static(s) => shape.push_str(s),
            Segment::Param(_) => shape.push_str("{}"),
            Segment::Greedy(_) => shape.push_str("{+}"),
        }
    }
    shape
}

/// `(METHOD, path)` of a route key; `None` for `$default`.
fn split_route_key(key: &str) -> Result<Option<(&str, &str)>, ()> {
    if key == DEFAULT_ROUTE {
        return Ok(None);
    }
    match key.split_once(' ') {
        Some((method, path)) if !method.is_empty() && path.starts_with('/') => {
            Ok(Some((method, path)))
        }
        _ => Err(()),
    }
}

fn conflict(location: &SourceLocation, message: String) -> RouteConflict {
    RouteConflict {
        location: location.clone(),
        message,
    }
}

impl HttpRoutes {
    /// Builds the HTTP API routes of `stack`, refusing keys that are malformed or that
    /// another HTTP API or a REST API already serves with the same method and path shape.
    pub(crate) fn build(stack: &Stack) -> Result<HttpRoutes, RouteConflict> {
        let mut table = HttpRoutes {
            has_rest: !stack.rest_apis.is_empty(),
            cors: stack
                .http_apis
                .iter()
                .map(|api| api.cors.as_ref().map(HttpApiCors::new))
                .collect(),
            ..HttpRoutes::default()
        };
        // (shape, method) → who declared it, for the conflict message.
        let mut claimed: Vec<(String, String, String)> = Vec::new();
        for api in &stack.rest_apis {
            for resource in &api.resources {
                for method in &resource.methods {
                    claimed.push((
                        shape(&resource.path),
                        method.http_method.clone(),
                        format!(
                            "{} {} of REST API {} ({})",
                            method.http_method, resource.path, api.logical_id, method.location
                        ),
                    ));
                }
            }
        }
        for (api_index, api) in stack.http_apis.iter().enumerate() {
            for (route_index, route) in api.routes.iter().enumerate() {
                let this = format!(
                    "route `{}` of HTTP API {} ({})",
                    route.route_key, api.logical_id, route.location
                );
                let key = split_route_key(&route.route_key).map_err(|()| {
                    conflict(
                        &route.location,
                        format!(
                            "{this} is not a route key: API Gateway expects `METHOD /path` or \
                         `$default`"
                        ),
                    )
                })?;
                let (method, path) = key.unwrap_or((DEFAULT_ROUTE, ""));
                let route_shape = if key.is_some() {
                    shape(path)
                } else {
                    DEFAULT_ROUTE.to_owned()
                };
                if let Some((.., other)) = claimed
                    .iter()
                    .find(|(s, m, _)| *s == route_shape && m == method)
                {
                    return Err(conflict(
                        &route.location,
                        format!(
                            "route conflict: {this} and {other} are the same route (API Gateway \
                         refuses a route key twice in one API); give one of them a different path \
                         or method"
                        ),
                    ));
                }
                claimed.push((route_shape, method.to_owned(), this.clone()));
                let label = target_label(stack, &route.integration, &this, &route.location)?;
                check_authorizer_function(stack, &route.authorization, &this, &route.location)?;
                let index = table.routes.len();
                table.routes.push(HttpRouteEntry {
                    api: api_index,
                    route: route_index,
                    method: method.into(),
                    path: path.into(),
                    param_names: path_trie::param_names(path),
                    unverified_warned: AtomicBool::new(false),
                    label: label.into(),
                    api_label: format!("{} / {} (HTTP API)", api.logical_id, api.stage).into(),
                });
                if key.is_none() {
                    table.default_route = Some(index);
                } else {
                    let node = table.trie.insert(path).map_err(|_| {
                        conflict(&route.location, format!(
                            "{this} has a greedy parameter before its last segment; API Gateway \
                             only allows it as the last segment"
                        ))
                    })?;
                    table.trie.add_route(node, index);
                }
            }
        }
        Ok(table)
    }

    /// The route of `node` for `method`: the explicit method, else `ANY`.
    fn method_route(&self, node: usize, method: &str) -> Option<usize> {
        let routes = self.trie.routes(node);
        routes
            .iter()
            .find(|&&r| *self.routes[r].method == *method)
            .or_else(|| routes.iter().find(|&&r| &*self.routes[r].method == "ANY"))
            .copied()
    }

    /// The most specific route for `method` on the raw request `path`, `$default` last.
    /// Leading and trailing slashes are ignored, as for REST (`rest::router`).
    pub(crate) fn find<'t, 'p>(&'t self, method: &str, path: &'p str) -> Option<HttpMatch<'t, 'p>> {
        let trimmed = path.trim_start_matches('/').trim_end_matches('/');
        let mut values = Vec::new();
        let accepts = |node: usize| self.method_route(node, method).is_some();
        let found = self.trie.find(trimmed, &mut values, &accepts);
        match found.and_then(|node| self.method_route(node, method)) {
            Some(route) => Some(HttpMatch {
                entry: &self.routes[route],
                values,
            }),
            None => self.default_route.map(|route| HttpMatch {
                entry: &self.routes[route],
                values: Vec::new(),
            }),
        }
    }

    /// The API one of whose routes (any method) matches `path`, if any.
    pub(crate) fn owner(&self, path: &str) -> Option<usize> {
        let trimmed = path.trim_start_matches('/').trim_end_matches('/');
        let any = |node: usize| !self.trie.routes(node).is_empty();
        let node = self.trie.find(trimmed, &mut Vec::new(), &any)?;
        Some(self.routes[self.trie.routes(node)[0]].api)
    }

    /// The prepared `CorsConfiguration` of API `api`.
    pub(crate) fn cors(&self, api: usize) -> Option<&HttpApiCors> {
        self.cors.get(api).and_then(Option::as_ref)
    }

    /// `METHOD  PATH  TARGET  API` rows for `gatewise routes`.
    pub(crate) fn rows(&self) -> impl Iterator<Item = [&str; 4]> {
        self.routes.iter().map(|r| {
            let (method, path) = if r.is_default() {
                ("ANY", DEFAULT_ROUTE)
            } else {
                (&*r.method, &*r.path)
            };
            [method, path, &*r.label, &*r.api_label]
        })
    }
}

/// The `TARGET` column of a route, checking that its function exists.
fn target_label(
    stack: &Stack,
    integration: &HttpIntegration,
    this: &str,
    at: &SourceLocation,
) -> Result<String, RouteConflict> {
    Ok(match integration {
        HttpIntegration::Lambda { function, .. } => {
            let Some(target) = stack.functions.get(*function) else {
                return Err(conflict(
                    at,
                    format!(
                        "{this} integrates function #{function}, which the stack does not have (a bug \
                     in gatewise's template loading)"
                    ),
                ));
            };
            format!("function {} ({})", target.logical_id, target.runs_as())
        }
        HttpIntegration::HttpProxy(backend) => {
            format!("HTTP_PROXY {} {}", backend.http_method, backend.uri)
        }
        HttpIntegration::NotServed { integration_type } => {
            format!("{integration_type} integration (not served yet)")
        }
    })
}

fn check_authorizer_function(
    stack: &Stack,
    authorization: &HttpAuthorization,
    this: &str,
    at: &SourceLocation,
) -> Result<(), RouteConflict> {
    if let HttpAuthorization::Lambda {
        name,
        function: Some(function),
        ..
    } = authorization
        && stack.functions.get(*function).is_none()
    {
        return Err(conflict(
            at,
            format!(
                "authorizer {name} of {this} runs function #{function}, which the stack does not have \
             (a bug in gatewise's template loading)"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{api, http_api, http_stack};

    /// `Some((route key, params))`, `None` for no route at all.
    type Expect<'a> = Option<(&'a str, &'a [(&'a str, &'a str)])>;

    fn check(stack: &Stack, cases: &[(&str, &str, Expect<'_>)]) {
        let table = HttpRoutes::build(stack).expect("routes");
        for (method, path, want) in cases {
            let got = table.find(method, path).map(|m| {
                let key = &stack.http_apis[m.entry.api].routes[m.entry.route].route_key;
                let params: Vec<(String, String)> = m
                    .params()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect();
                (key.clone(), params)
            });
            let want = want.map(|(key, params)| {
                (
                    key.to_owned(),
                    params
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect::<Vec<_>>(),
                )
            });
            assert_eq!(got, want, "{method} {path}");
        }
    }

    #[test]
    fn rule_5_9_most_specific_route_wins_and_default_is_last() {
        let stack = http_stack(
            vec![http_api(
                "HttpApi",
                &[
                    "GET /pets/dog/1",
                    "GET /pets/dog/{id}",
                    "GET /pets/{proxy+}",
                    "ANY /{proxy+}",
                    "$default",
                    "GET /",
                ],
                None,
            )],
            vec![],
        );
        check(
            &stack,
            &[
                ("GET", "/pets/dog/1", Some(("GET /pets/dog/1", &[]))),
                (
                    "GET",
                    "/pets/dog/2",
                    Some(("GET /pets/dog/{id}", &[("id", "2")])),
                ),
                (
                    "GET",
                    "/pets/cat/1",
                    Some(("GET /pets/{proxy+}", &[("proxy", "cat/1")])),
                ),
                // The method takes part in the search: POST skips the GET routes.
                (
                    "POST",
                    "/pets/dog/1",
                    Some(("ANY /{proxy+}", &[("proxy", "pets/dog/1")])),
                ),
                ("GET", "/", Some(("GET /", &[]))),
                ("POST", "/", Some(("$default", &[]))),
                (
                    "get",
                    "/pets/dog/1",
                    Some(("ANY /{proxy+}", &[("proxy", "pets/dog/1")])),
                ),
            ],
        );
    }

    #[test]
    fn rule_5_9_without_default_unmatched_is_none() {
        let stack = http_stack(
            vec![http_api(
                "HttpApi",
                &["GET /items/{id}", "POST /items"],
                None,
            )],
            vec![],
        );
        check(
            &stack,
            &[
                ("GET", "/items/1", Some(("GET /items/{id}", &[("id", "1")]))),
                (
                    "GET",
                    "/items/1/",
                    Some(("GET /items/{id}", &[("id", "1")])),
                ),
                ("GET", "/items", None),
                ("DELETE", "/items/1", None),
                ("GET", "/other", None),
            ],
        );
    }

    #[test]
    fn conflicts_name_both_sides() {
        let cases = [
            http_stack(
                vec![
                    http_api("ApiA", &["GET /a/{x}"], None),
                    http_api("ApiB", &["GET /a/{y}"], None),
                ],
                vec![],
            ),
            http_stack(
                vec![http_api("ApiA", &["GET /a/{x}"], None)],
                vec![api("ApiB", "Prod", &[("/a/{y}", &["GET"])], 0, 40)],
            ),
            http_stack(
                vec![
                    http_api("ApiA", &["$default"], None),
                    http_api("ApiB", &["$default"], None),
                ],
                vec![],
            ),
        ];
        for stack in cases {
            let err = HttpRoutes::build(&stack).expect_err("conflict");
            for needle in ["ApiA", "ApiB", "template.yaml:"] {
                assert!(err.message.contains(needle), "{needle} missing in {err}");
            }
        }
        for bad in ["GET", "GET pets", "/pets", "GET /{p+}/x"] {
            let stack = http_stack(vec![http_api("Api", &[bad], None)], vec![]);
            let err = HttpRoutes::build(&stack).expect_err("malformed");
            assert!(err.message.contains(bad), "{err}");
        }
        // Different methods on one shape, or REST ANY next to an HTTP GET, are fine.
        let fine = http_stack(
            vec![http_api("ApiA", &["GET /a/{x}", "POST /a/{z}"], None)],
            vec![api("ApiB", "Prod", &[("/a/{y}", &["ANY"])], 0, 40)],
        );
        assert!(HttpRoutes::build(&fine).is_ok());
    }
}
