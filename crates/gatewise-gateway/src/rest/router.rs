//! Phase 1, **match**: which resource and method of which REST API a request reaches.
//!
//! Runs first for every request; a miss short-circuits to the gateway response
//! `MISSING_AUTHENTICATION_TOKEN` (spec 5.1). The table is built once at startup from the
//! [`Stack`] and never changes while serving, so matching needs no locks: a [`PathTrie`] of
//! path segments, walked with backtracking (spec 4.2): at each segment a static child beats a
//! `{param}` child, which beats a greedy `{name+}` child. The most specific *resource* that
//! matches the path wins; then the method is chosen (explicit verb beats `ANY`). When that
//! resource lacks the method, a less specific resource that matches the path and declares it
//! (typically a greedy `{cors+}` / `{proxy+}` with `OPTIONS` or `ANY`) answers instead — see
//! [`METHOD_MISS_FALLS_BACK`], an UNCONFIRMED choice.
//!
//! Every REST API of the template is served at the root (like `sam local start-api`), so
//! their resources share one trie; two APIs declaring the same method on the same path
//! shape are a [`RouteConflict`]. HTTP APIs share the root too: the gateway's dispatch
//! decides between the two kinds of API before this router's verdict is used.

use std::fmt;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use gatewise_model::{Authorization, FunctionIndex, Integration, SourceLocation, Stack};

use crate::integration::http::CompiledBackend;
use crate::integration::lambda_custom::CompiledLambda;
use crate::integration::mock::MockRoute;
use crate::request::path_trie::{self, GreedyNotLast, PathTrie};
use crate::rest::validate::{ApiModels, CompiledValidation};

/// Whether a method missing on the most specific matching resource falls back to a less
/// specific resource that matches the path and declares the method (or `ANY`).
///
/// UNCONFIRMED on AWS (scenario 3 of the project's scenarios: an `OPTIONS` MOCK on a greedy
/// `{cors+}` resource answering preflights for `/items/42`, whose own resource declares only
/// `POST`, is a setup reported to work on AWS). `false` would make such requests a 403
/// `Missing Authentication Token`.
pub const METHOD_MISS_FALLS_BACK: bool = true;

/// The routes of every REST API in a stack, ready for matching.
#[derive(Debug)]
pub(crate) struct RestRoutes {
    /// Resources in segment shape; a node's route indices point into `routes`: the methods
    /// declared on that exact resource.
    trie: PathTrie,
    routes: Vec<Route>,
}

/// Why a stack's routes cannot be served: two APIs (or one API twice) declare the same
/// method on equivalent paths, or a resource path or integration is unusable. HTTP API
/// routes (`http_api::router`) are refused with it too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteConflict {
    /// Where the refused route (or resource) is declared.
    pub location: SourceLocation,
    /// The sentence for the user: both routes and their locations, the path and the method.
    pub message: String,
}

impl fmt::Display for RouteConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

impl std::error::Error for RouteConflict {}

/// One method of one resource of one REST API, with what the pipeline needs to run it.
#[derive(Debug)]
pub(crate) struct Route {
    /// `GET`, `POST`, … or `ANY`.
    pub method: Box<str>,
    /// Index into [`Stack::rest_apis`].
    pub api: usize,
    /// Index into that API's `resources`.
    pub resource: usize,
    /// Parameter names in segment order (`{id}` → `id`, `{proxy+}` → `proxy`); the values
    /// captured by [`RestRoutes::find`] come in the same order. Kept per method because two
    /// APIs may declare different methods on `/a/{x}` and `/a/{y}`.
    pub param_names: Vec<Box<str>>,
    /// Index into that resource's `methods`.
    pub method_index: usize,
    /// What answers once the request is authorized.
    pub target: RouteTarget,
    /// Who must be authenticated first (spec 9.1, 9.6); OPTIONS methods are not exempt.
    pub authorization: Authorization,
    /// `apiKeyRequired` (spec 5.5, 9.2).
    pub api_key_required: bool,
    /// The request validator, compiled (spec V.1); `None` when the method has none or it
    /// validates nothing.
    pub validation: Option<Box<CompiledValidation>>,
    /// Set once the "not verified locally" warning for this method's authorization (a
    /// Cognito authorizer, one without a local function, `AWS_IAM`) has been printed: an
    /// atomic, so requests never wait on each other for it.
    pub unverified_warned: AtomicBool,
    /// Display columns for [`RestRoutes::rows`].
    label: Box<str>,
    api_label: Box<str>,
    /// The resource path, e.g. `/items/{id}`.
    pub path: Box<str>,
    /// Where the method is declared.
    pub location: SourceLocation,
}

/// A route's integration, prepared for serving.
#[derive(Debug)]
pub(crate) enum RouteTarget {
    /// `AWS_PROXY` to a function (checked to exist when the table is built).
    Proxy {
        function: FunctionIndex,
        /// The integration timeout (spec 5.4).
        timeout: Duration,
    },
    /// `MOCK`, with its mapping compiled and its fixed answers computed.
    Mock(Box<MockRoute>),
    /// `AWS` (non-proxy) to a function (checked to exist), with its mapping compiled.
    Lambda(Box<CompiledLambda>),
    /// `HTTP_PROXY` or `HTTP` to a backend URL, with an `HTTP` mapping compiled.
    Backend(Box<CompiledBackend>),
    /// An integration type gatewise does not run yet: a 500 with a log line.
    NotServed { integration_type: Box<str> },
}

/// A request that reached a route: the route and the raw (still percent-encoded, spec 6.4)
/// path parameter values, in the order of [`Route::param_names`].
#[derive(Debug)]
pub(crate) struct RouteMatch<'t, 'p> {
    pub route: &'t Route,
    pub values: Vec<&'p str>,
}

impl RouteMatch<'_, '_> {
    /// `(name, raw value)` pairs for `pathParameters`.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.route
            .param_names
            .iter()
            .map(|n| &**n)
            .zip(self.values.iter().copied())
    }
}

/// Why a request matched no route; only the log tells them apart, the client gets the same
/// 403 either way (spec 5.1).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Miss<'t> {
    /// No resource matches the path.
    Path,
    /// The resource exists but has neither the method nor `ANY`.
    Method {
        /// The API declaring the resource (index into [`Stack::rest_apis`]).
        api: usize,
        resource: &'t str,
        declared: Vec<&'t str>,
    },
}

impl fmt::Display for Miss<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Miss::Path => {
                f.write_str("no resource matches the path (`gatewise routes` lists the routes)")
            }
            Miss::Method {
                resource, declared, ..
            } => write!(
                f,
                "resource {resource} declares {} but not this method; API Gateway answers an \
                 undeclared method like an unknown path",
                declared.join(", ")
            ),
        }
    }
}

/// `GET /items`, as template errors name a method.
fn route_name(resource: &gatewise_model::Resource, method: &gatewise_model::Method) -> String {
    format!("{} {}", method.http_method, resource.path)
}

/// The serving form of a method's integration and its `TARGET` column.
fn route_target(
    stack: &Stack,
    api: &gatewise_model::RestApi,
    resource: &gatewise_model::Resource,
    method: &gatewise_model::Method,
) -> Result<(RouteTarget, String), RouteConflict> {
    Ok(match &method.integration {
        Integration::LambdaProxy { function, timeout } => {
            // Checked here so the request path can index functions without a fallible
            // lookup.
            let Some(target) = stack.functions.get(*function) else {
                return Err(RouteConflict {
                    location: method.location.clone(),
                    message: format!(
                        "{} {} of API {} ({}) integrates function #{function}, which the stack \
                         does not have (a bug in gatewise's template loading)",
                        method.http_method, resource.path, api.logical_id, method.location
                    ),
                });
            };
            (
                RouteTarget::Proxy {
                    function: *function,
                    timeout: *timeout,
                },
                format!("function {} ({})", target.logical_id, target.runs_as()),
            )
        }
        Integration::Mock(mock) => (
            RouteTarget::Mock(Box::new(MockRoute::new(
                mock.clone(),
                &route_name(resource, method),
            ))),
            "MOCK".to_owned(),
        ),
        Integration::Http(backend) => (
            RouteTarget::Backend(Box::new(CompiledBackend::new(
                backend.clone(),
                &route_name(resource, method),
            ))),
            format!(
                "{} {} {}",
                if backend.proxy { "HTTP_PROXY" } else { "HTTP" },
                backend.http_method,
                backend.uri
            ),
        ),
        Integration::NotServed { integration_type } => (
            RouteTarget::NotServed {
                integration_type: integration_type.as_str().into(),
            },
            format!("{integration_type} integration (not served yet)"),
        ),
        Integration::Lambda {
            function,
            timeout,
            mapping,
        } => {
            let Some(target) = stack.functions.get(*function) else {
                return Err(RouteConflict {
                    location: method.location.clone(),
                    message: format!(
                        "{} {} of API {} ({}) integrates function #{function}, which the stack \
                         does not have (a bug in gatewise's template loading)",
                        method.http_method, resource.path, api.logical_id, method.location
                    ),
                });
            };
            (
                RouteTarget::Lambda(Box::new(CompiledLambda::new(
                    *function,
                    *timeout,
                    mapping.clone(),
                    &route_name(resource, method),
                ))),
                format!(
                    "function {} ({}) via AWS integration",
                    target.logical_id,
                    target.runs_as()
                ),
            )
        }
    })
}

impl RestRoutes {
    /// Builds the table from every REST API of `stack`, in declaration order.
    pub(crate) fn build(stack: &Stack) -> Result<RestRoutes, RouteConflict> {
        let mut table = RestRoutes {
            trie: PathTrie::default(),
            routes: Vec::new(),
        };
        for (api_index, api) in stack.rest_apis.iter().enumerate() {
            // Built on the first method that validates requests.
            let mut models: Option<ApiModels<'_>> = None;
            for (resource_index, resource) in api.resources.iter().enumerate() {
                let greedy_not_last = |GreedyNotLast { name }| RouteConflict {
                    location: resource
                        .methods
                        .first()
                        .map_or(&api.location, |m| &m.location)
                        .clone(),
                    message: format!(
                        "resource {} of API {} ({}) has the greedy parameter {{{name}+}} before \
                         its last segment; API Gateway only allows it as the last segment",
                        resource.path,
                        api.logical_id,
                        resource
                            .methods
                            .first()
                            .map_or(&api.location, |m| &m.location),
                    ),
                };
                let node = table.trie.insert(&resource.path).map_err(greedy_not_last)?;
                let param_names = path_trie::param_names(&resource.path);
                for (method_index, method) in resource.methods.iter().enumerate() {
                    if let Some(&other) = table
                        .trie
                        .routes(node)
                        .iter()
                        .find(|&&r| *table.routes[r].method == *method.http_method)
                    {
                        let other = &table.routes[other];
                        return Err(RouteConflict {
                            location: method.location.clone(),
                            message: format!(
                                "route conflict: {} {} of API {} ({}) and {} {} of API {} ({}) \
                                 are the same route (API Gateway refuses equivalent paths in \
                                 one API); give one of them a different path or method",
                                method.http_method,
                                resource.path,
                                api.logical_id,
                                method.location,
                                other.method,
                                other.path,
                                stack.rest_apis[other.api].logical_id,
                                other.location,
                            ),
                        });
                    }
                    let (target, label) = route_target(stack, api, resource, method)?;
                    if let Authorization::Authorizer(authorizer) = &method.authorization
                        && let Some(function) = authorizer.function
                        && stack.functions.get(function).is_none()
                    {
                        return Err(RouteConflict {
                            location: method.location.clone(),
                            message: format!(
                                "authorizer {} of {} {} ({}) runs function #{function}, which \
                                 the stack does not have (a bug in gatewise's template loading)",
                                authorizer.name, method.http_method, resource.path, method.location
                            ),
                        });
                    }
                    let validation = match &method.validation {
                        None => None,
                        Some(validation) => {
                            let unusable = |error: String| RouteConflict {
                                location: method.location.clone(),
                                message: format!(
                                    "the request validation of {} {} of API {} ({}) cannot be \
                                     served: {error}",
                                    method.http_method,
                                    resource.path,
                                    api.logical_id,
                                    method.location
                                ),
                            };
                            let models = match &mut models {
                                Some(models) => models,
                                None => models.insert(ApiModels::new(api).map_err(unusable)?),
                            };
                            CompiledValidation::compile(validation, models)
                                .map_err(unusable)?
                                .map(Box::new)
                        }
                    };
                    table.trie.add_route(node, table.routes.len());
                    table.routes.push(Route {
                        method: method.http_method.as_str().into(),
                        api: api_index,
                        resource: resource_index,
                        param_names: param_names.clone(),
                        method_index,
                        target,
                        authorization: method.authorization.clone(),
                        api_key_required: method.api_key_required,
                        validation,
                        unverified_warned: AtomicBool::new(false),
                        label: label.into(),
                        api_label: format!("{} / {}", api.logical_id, api.stage).into(),
                        path: resource.path.as_str().into(),
                        location: method.location.clone(),
                    });
                }
            }
        }
        Ok(table)
    }

    /// Finds the route for `method` on the raw request `path` (spec 4.2, 4.7, 5.1).
    ///
    /// Leading and trailing slashes are ignored for matching (`/a/` and `//a` reach `/a`,
    /// as recorded on AWS); inner empty segments only match inside a greedy parameter
    /// (`a//b` is kept there). Both kinds of [`Miss`] are `MISSING_AUTHENTICATION_TOKEN`.
    pub(crate) fn find<'t, 'p>(
        &'t self,
        method: &str,
        path: &'p str,
    ) -> Result<RouteMatch<'t, 'p>, Miss<'t>> {
        let trimmed = path.trim_start_matches('/').trim_end_matches('/');
        let mut values = Vec::new();
        let any_method = |node: usize| !self.trie.routes(node).is_empty();
        let node = self
            .trie
            .find(trimmed, &mut values, &any_method)
            .ok_or(Miss::Path)?;
        if let Some(chosen) = self.method_route(node, method) {
            return Ok(RouteMatch {
                route: &self.routes[chosen],
                values,
            });
        }
        if METHOD_MISS_FALLS_BACK {
            let mut fallback_values = Vec::new();
            let declares = |node: usize| self.method_route(node, method).is_some();
            if let Some(other) = self.trie.find(trimmed, &mut fallback_values, &declares)
                && let Some(chosen) = self.method_route(other, method)
            {
                return Ok(RouteMatch {
                    route: &self.routes[chosen],
                    values: fallback_values,
                });
            }
        }
        let methods = self.trie.routes(node);
        Err(Miss::Method {
            api: self.routes[methods[0]].api,
            resource: &self.routes[methods[0]].path,
            declared: methods.iter().map(|&r| &*self.routes[r].method).collect(),
        })
    }

    /// The route of `node` for `method`: the explicit verb, else `ANY` (spec 4.2).
    fn method_route(&self, node: usize, method: &str) -> Option<usize> {
        let methods = self.trie.routes(node);
        methods
            .iter()
            .find(|&&r| *self.routes[r].method == *method)
            .or_else(|| methods.iter().find(|&&r| &*self.routes[r].method == "ANY"))
            .copied()
    }

    /// `METHOD  PATH  TARGET  API` rows for `gatewise routes`, one per method.
    pub(crate) fn rows(&self) -> impl Iterator<Item = [&str; 4]> {
        self.routes
            .iter()
            .map(|r| [&*r.method, &*r.path, &*r.label, &*r.api_label])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::RouteTable;
    use crate::test_support::{api, stack};

    fn table(resources: &[(&str, &[&str])]) -> RouteTable {
        RouteTable::build(&stack(vec![api("Api", "Prod", resources, 0, 10)])).expect("no conflict")
    }

    /// `Some((resource path, method, params))`, or `None` for a 403.
    type Expect<'a> = Option<(&'a str, &'a str, &'a [(&'a str, &'a str)])>;

    fn check(table: &RouteTable, cases: &[(&str, &str, Expect<'_>)]) {
        for (method, path, want) in cases {
            let got = table.find(method, path).ok().map(|m| {
                (
                    m.route.path.to_string(),
                    m.route.method.to_string(),
                    m.params()
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .collect::<Vec<_>>(),
                )
            });
            let want = want.map(|(p, m, params)| {
                (
                    p.to_owned(),
                    m.to_owned(),
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
    fn rule_4_2_static_beats_param_beats_greedy_with_backtracking() {
        let t = table(&[
            ("/", &["GET"]),
            ("/items", &["GET"]),
            ("/items/{id}", &["GET"]),
            ("/items/special", &["GET"]),
            ("/items/{id}/parts/{part}", &["GET"]),
            ("/{proxy+}", &["ANY"]),
            ("/files/{path+}", &["GET"]),
        ]);
        check(
            &t,
            &[
                ("GET", "/", Some(("/", "GET", &[]))),
                ("GET", "/items", Some(("/items", "GET", &[]))),
                (
                    "GET",
                    "/items/special",
                    Some(("/items/special", "GET", &[])),
                ),
                (
                    "GET",
                    "/items/42",
                    Some(("/items/{id}", "GET", &[("id", "42")])),
                ),
                (
                    "GET",
                    "/items/42/parts/7",
                    Some((
                        "/items/{id}/parts/{part}",
                        "GET",
                        &[("id", "42"), ("part", "7")],
                    )),
                ),
                // `/items/special/parts/7`: the static branch has no `parts` child, the
                // parameter branch does.
                (
                    "GET",
                    "/items/special/parts/7",
                    Some((
                        "/items/{id}/parts/{part}",
                        "GET",
                        &[("id", "special"), ("part", "7")],
                    )),
                ),
                // Dead end under /items/{id}: back up to the greedy root resource.
                (
                    "GET",
                    "/items/42/other",
                    Some(("/{proxy+}", "ANY", &[("proxy", "items/42/other")])),
                ),
                (
                    "GET",
                    "/files/a/b/c.txt",
                    Some(("/files/{path+}", "GET", &[("path", "a/b/c.txt")])),
                ),
                // A method missing on the most specific resource falls back to the next
                // matching resource that declares it (METHOD_MISS_FALLS_BACK).
                (
                    "POST",
                    "/files/a",
                    Some(("/{proxy+}", "ANY", &[("proxy", "files/a")])),
                ),
                (
                    "POST",
                    "/items/42",
                    Some(("/{proxy+}", "ANY", &[("proxy", "items/42")])),
                ),
            ],
        );
    }

    #[test]
    fn method_miss_falls_back_to_a_greedy_cors_resource() {
        // Scenario 3: OPTIONS only on `/{cors+}`, POST on `/items/{id}`.
        let t = table(&[("/{cors+}", &["OPTIONS"]), ("/items/{id}", &["POST"])]);
        check(
            &t,
            &[
                (
                    "OPTIONS",
                    "/items/42",
                    Some(("/{cors+}", "OPTIONS", &[("cors", "items/42")])),
                ),
                (
                    "POST",
                    "/items/42",
                    Some(("/items/{id}", "POST", &[("id", "42")])),
                ),
                // Nothing declares GET anywhere: still a 403.
                ("GET", "/items/42", None),
                // `{cors+}` needs a segment: the root has no OPTIONS.
                ("OPTIONS", "/", None),
            ],
        );
        assert!(matches!(
            t.find("GET", "/items/42"),
            Err(Miss::Method { resource, .. }) if resource == "/items/{id}"
        ));
    }

    #[test]
    fn rule_4_2_greedy_needs_one_segment_and_keeps_inner_slashes() {
        let t = table(&[("/{proxy+}", &["ANY"])]);
        check(
            &t,
            &[
                ("GET", "/", None),
                ("GET", "//", None),
                (
                    "GET",
                    "/proxy-value",
                    Some(("/{proxy+}", "ANY", &[("proxy", "proxy-value")])),
                ),
                (
                    "GET",
                    "/proxy-value/",
                    Some(("/{proxy+}", "ANY", &[("proxy", "proxy-value")])),
                ),
                (
                    "GET",
                    "/proxy-value//double-slash",
                    Some((
                        "/{proxy+}",
                        "ANY",
                        &[("proxy", "proxy-value//double-slash")],
                    )),
                ),
                (
                    "GET",
                    "//proxy-value",
                    Some(("/{proxy+}", "ANY", &[("proxy", "proxy-value")])),
                ),
            ],
        );
    }

    #[test]
    fn rule_6_4_path_parameters_stay_percent_encoded() {
        let t = table(&[("/{proxy+}", &["ANY"]), ("/user/{email}", &["GET"])]);
        check(
            &t,
            &[
                (
                    "GET",
                    "/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com",
                    Some((
                        "/{proxy+}",
                        "ANY",
                        &[(
                            "proxy",
                            "proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com",
                        )],
                    )),
                ),
                (
                    "GET",
                    "/user/a%2Fb",
                    Some(("/user/{email}", "GET", &[("email", "a%2Fb")])),
                ),
                // Trailing slashes are ignored, so this is `/user`: only the greedy root matches.
                (
                    "GET",
                    "/user//",
                    Some(("/{proxy+}", "ANY", &[("proxy", "user")])),
                ),
            ],
        );
    }

    #[test]
    fn rule_4_2_explicit_method_beats_any() {
        let t = table(&[("/{proxy+}", &["ANY", "OPTIONS"]), ("/a", &["GET", "ANY"])]);
        check(
            &t,
            &[
                (
                    "OPTIONS",
                    "/x",
                    Some(("/{proxy+}", "OPTIONS", &[("proxy", "x")])),
                ),
                ("GET", "/x", Some(("/{proxy+}", "ANY", &[("proxy", "x")]))),
                ("GET", "/a", Some(("/a", "GET", &[]))),
                ("DELETE", "/a", Some(("/a", "ANY", &[]))),
            ],
        );
    }

    #[test]
    fn rule_5_1_unknown_method_is_missing_authentication_token() {
        let t = table(&[("/existing", &["GET"])]);
        check(
            &t,
            &[
                ("POST", "/existing", None),
                ("OPTIONS", "/existing", None),
                ("get", "/existing", None),
                ("GET", "/random-non-existing", None),
                ("GET", "/", None),
                ("GET", "/existing/more", None),
                ("GET", "/Existing", None),
            ],
        );
    }

    #[test]
    fn rule_4_7_trailing_slash_reaches_the_resource() {
        let t = table(&[("/a", &["GET"]), ("/a/{b}", &["GET"])]);
        check(
            &t,
            &[
                ("GET", "/a/", Some(("/a", "GET", &[]))),
                ("GET", "/a/x/", Some(("/a/{b}", "GET", &[("b", "x")]))),
                ("GET", "/a//", Some(("/a", "GET", &[]))),
            ],
        );
    }

    #[test]
    fn apis_merge_and_equivalent_paths_conflict() {
        let merged = RouteTable::build(&stack(vec![
            api("ApiA", "Prod", &[("/a/{x}", &["GET"])], 0, 10),
            api(
                "ApiB",
                "dev",
                &[("/a/{y}", &["POST"]), ("/b", &["GET"])],
                1,
                30,
            ),
        ]))
        .expect("different methods do not conflict");
        check(
            &merged,
            &[
                ("GET", "/a/1", Some(("/a/{x}", "GET", &[("x", "1")]))),
                ("POST", "/a/1", Some(("/a/{y}", "POST", &[("y", "1")]))),
                ("GET", "/b", Some(("/b", "GET", &[]))),
            ],
        );
        let found = merged.find("POST", "/a/1").expect("route");
        assert_eq!(merged.find("PUT", "/nope/x").err(), Some(Miss::Path));
        assert_eq!(
            merged.find("PUT", "/a/1/").err(),
            Some(Miss::Method {
                api: 0,
                resource: "/a/{x}",
                declared: vec!["GET", "POST"],
            })
        );
        assert_eq!(found.route.api, 1);

        for (a, b) in [
            ("/a/{x}", "/a/{y}"),
            ("/a", "/a"),
            ("/{proxy+}", "/{other+}"),
        ] {
            let err = RouteTable::build(&stack(vec![
                api("ApiA", "Prod", &[(a, &["GET"])], 0, 10),
                api("ApiB", "dev", &[(b, &["GET"])], 1, 30),
            ]))
            .expect_err("same method on the same shape");
            for needle in [
                "ApiA",
                "ApiB",
                "template.yaml:11:5",
                "template.yaml:31:5",
                a,
                b,
                "GET",
            ] {
                assert!(err.message.contains(needle), "{needle} missing in: {err}");
            }
        }
        let err = RouteTable::build(&stack(vec![api(
            "Api",
            "Prod",
            &[("/{p+}/x", &["GET"])],
            0,
            1,
        )]))
        .expect_err("greedy must be last");
        assert!(err.to_string().contains("/{p+}/x"), "{err}");
    }

    #[test]
    fn mock_and_not_served_methods_are_routes_and_bad_authorizer_functions_are_refused() {
        let mut the_stack = stack(vec![api(
            "Api",
            "Prod",
            &[("/a", &["GET", "OPTIONS", "POST"])],
            0,
            10,
        )]);
        let methods = &mut the_stack.rest_apis[0].resources[0].methods;
        methods[1].integration = crate::test_support::sam_cors_mock(&[]);
        methods[2].integration = Integration::NotServed {
            integration_type: "HTTP_PROXY".into(),
        };
        let t = RouteTable::build(&the_stack).expect("MOCK and not-served methods route");
        check(
            &t,
            &[
                ("OPTIONS", "/a", Some(("/a", "OPTIONS", &[]))),
                ("POST", "/a", Some(("/a", "POST", &[]))),
            ],
        );
        let shown = t.to_string();
        assert!(shown.contains("OPTIONS  /a    MOCK"), "{shown}");
        assert!(
            shown.contains("HTTP_PROXY integration (not served yet)"),
            "{shown}"
        );

        the_stack.rest_apis[0].resources[0].methods[0].authorization = Authorization::Authorizer(
            crate::test_support::authorizer(&["method.request.header.Authorization"], Some(7)),
        );
        let err = RouteTable::build(&the_stack).expect_err("function #7 does not exist");
        assert!(err.message.contains("MyAuth"), "{err}");
    }

    #[test]
    fn display_is_an_aligned_table_with_a_header() {
        let t = RouteTable::build(&stack(vec![
            api(
                "ServerlessRestApi",
                "Prod",
                &[("/hello", &["GET"]), ("/{proxy+}", &["ANY"])],
                0,
                10,
            ),
            api("Admin", "v1", &[("/admin/users", &["POST"])], 1, 40),
        ]))
        .expect("routes");
        let want = "\
METHOD  PATH          TARGET                               API
GET     /hello        function HelloFunction (python3.12)  ServerlessRestApi / Prod
ANY     /{proxy+}     function HelloFunction (python3.12)  ServerlessRestApi / Prod
POST    /admin/users  function OtherFunction (python3.12)  Admin / v1
";
        assert_eq!(t.to_string(), want);
    }
}
