//! The gateway, above both pipelines: the [`Gateway`] a server hands requests to, the
//! [`RouteTable`] of every REST and HTTP API of a stack, and the one dispatcher that sends
//! each request down the REST pipeline (`rest`) or the HTTP API pipeline (`http_api`) —
//! gatewise serves both kinds of API side by side at the root.
//!
//! The dispatch decides before Phase 1 of either pipeline runs on its own: when a REST route
//! and an HTTP API route both match, the more specific path wins (the rule of both routers,
//! see `request::path_trie`); on the same shape an explicit method beats `ANY`, and
//! `$default` loses to any REST route.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use gatewise_lambda::FunctionHost;
use gatewise_model::Stack;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Body;

use crate::http_api::pipeline::HttpPipeline;
use crate::http_api::router::{HttpDispatch, HttpRouteEntry, HttpRoutes};
use crate::inspector::Inspector;
use crate::integration::http::BackendClient;
use crate::integration::invoke::{Invoke, LoggedInvoke};
use crate::request::ConnectionInfo;
use crate::request::head_tap::RawHeaderNames;
use crate::request::ids::{RequestIds, deployment_id};
use crate::request::path_trie::specificity;
use crate::rest::pipeline::RestPipeline;
use crate::rest::router::{Miss, RestRoutes, Route, RouteConflict, RouteMatch};

/// In a template with both REST and HTTP APIs, a request that matches no route and whose path
/// belongs to no HTTP API is answered by the REST side (403 `Missing Authentication Token`)
/// rather than an HTTP API's 404 `Not Found`. On AWS the two APIs have different hosts, so a
/// local server at one root has to pick: REST APIs came first in gatewise, and their 403 keeps
/// the configured `DEFAULT_4XX` gateway responses in play. A path that matches some HTTP API
/// route (with another method) still gets that API's 404.
pub const MIXED_TEMPLATE_UNMATCHED_IS_REST_403: bool = true;

/// What the command line adds to the template.
#[derive(Debug, Clone, Default)]
pub struct GatewayOptions {
    /// API keys (`--api-key`) accepted by every method with `apiKeyRequired`, on top of
    /// the enabled keys the template declares (spec 9.5).
    pub extra_api_keys: Vec<String>,
    /// The inspector every finished request is reported to (`--no-inspector`: none).
    pub inspector: Option<Arc<Inspector>>,
}

/// The routes of every REST API and every HTTP API in a stack, ready for matching.
#[derive(Debug)]
pub struct RouteTable {
    /// The REST APIs' resources and methods (Phase 1 of the REST pipeline).
    rest: RestRoutes,
    /// The routes of the stack's HTTP APIs, served at the same root (Phase 1 of theirs).
    http: HttpRoutes,
}

impl RouteTable {
    /// Builds the table from every REST API of `stack`, in declaration order, then the
    /// routes of its HTTP APIs (which must not claim a REST route).
    pub fn build(stack: &Stack) -> Result<RouteTable, RouteConflict> {
        Ok(RouteTable {
            rest: RestRoutes::build(stack)?,
            http: HttpRoutes::build(stack)?,
        })
    }

    /// The REST route for `method` on the raw request `path` (see [`RestRoutes::find`]).
    pub(crate) fn find<'t, 'p>(
        &'t self,
        method: &str,
        path: &'p str,
    ) -> Result<RouteMatch<'t, 'p>, Miss<'t>> {
        self.rest.find(method, path)
    }

    /// Decides whether a request goes to an HTTP API, and how; `None` sends it down the REST
    /// pipeline (always so for a stack without HTTP APIs, at the cost of one check).
    ///
    /// When a REST route and an HTTP API route both match, the more specific path wins; on
    /// the same shape an explicit method beats `ANY`, and `$default` loses to any REST route.
    fn http_dispatch<'t, 'p>(
        &'t self,
        method: &str,
        path: &'p str,
    ) -> Option<HttpDispatch<'t, 'p>> {
        let http = &self.http;
        // One entry per HTTP API: none means a REST-only stack.
        if http.cors.is_empty() {
            return None;
        }
        let rest = self.find(method, path).ok();
        match (http.find(method, path), rest) {
            (Some(found), Some(rest)) => {
                http_beats_rest(found.entry, rest.route).then_some(HttpDispatch::Route(found))
            }
            (Some(found), None) => Some(HttpDispatch::Route(found)),
            (None, Some(_)) => None,
            (None, None) => {
                let owner = http.owner(path);
                let fallback = || {
                    (!http.has_rest)
                        .then(|| (0..http.cors.len()).find(|&api| http.cors(api).is_some()))
                        .flatten()
                };
                if method == "OPTIONS"
                    && let Some(api) = owner.or_else(fallback)
                    && http.cors(api).is_some()
                {
                    return Some(HttpDispatch::Cors { api });
                }
                if owner.is_none() && http.has_rest && MIXED_TEMPLATE_UNMATCHED_IS_REST_403 {
                    return None;
                }
                Some(HttpDispatch::NotFound {
                    api: owner.or(Some(0)),
                })
            }
        }
    }
}

fn http_beats_rest(http: &HttpRouteEntry, rest: &Route) -> bool {
    if http.is_default() {
        return false;
    }
    match specificity(&http.path, &rest.path) {
        Ordering::Less => true,
        Ordering::Greater => false,
        Ordering::Equal => &*rest.method == "ANY" && &*http.method != "ANY",
    }
}

impl fmt::Display for RouteTable {
    /// One row per method (REST) or route (HTTP API): `METHOD  PATH  TARGET  API`, columns
    /// aligned, with a header row.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEADER: [&str; 4] = ["METHOD", "PATH", "TARGET", "API"];
        let rows: Vec<[&str; 4]> = self.rest.rows().chain(self.http.rows()).collect();
        let mut widths = HEADER.map(|h| h.chars().count());
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        for row in std::iter::once(&HEADER).chain(&rows) {
            let mut line = String::new();
            for (cell, width) in row.iter().zip(widths).take(3) {
                line.push_str(cell);
                pad(&mut line, cell, width + 2);
            }
            line.push_str(row[3]);
            writeln!(f, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

/// Pads `line`, which ends with `cell`, with spaces until `cell` takes `width` characters.
/// Written out rather than `{:<width$}` because `format!` widths are limited to 65,535 and
/// panic above it, and a template can declare a path longer than that.
fn pad(line: &mut String, cell: &str, width: usize) {
    let used = cell.chars().count();
    line.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
}

/// The local API Gateway: every REST and HTTP API of one stack, served at the root.
pub struct Gateway {
    stack: Arc<Stack>,
    routes: RouteTable,
    functions: Arc<dyn Invoke>,
    options: GatewayOptions,
    /// `requestContext.deploymentId` per REST API, computed once.
    deployment_ids: Vec<String>,
    /// The pooled client every HTTP integration shares (rules H.1–H.13).
    backends: BackendClient,
}

impl Gateway {
    /// A gateway for `stack` whose routes are `routes` and whose functions run on
    /// `functions`. `routes` must have been built from this `stack`: routes refer to its
    /// APIs and functions by index.
    pub fn new(
        stack: Arc<Stack>,
        routes: RouteTable,
        functions: Arc<FunctionHost>,
        options: GatewayOptions,
    ) -> Gateway {
        Self::with_invoker(stack, routes, functions, options)
    }

    pub(crate) fn with_invoker(
        stack: Arc<Stack>,
        routes: RouteTable,
        functions: Arc<dyn Invoke>,
        options: GatewayOptions,
    ) -> Gateway {
        let deployment_ids = stack
            .rest_apis
            .iter()
            .map(|api| deployment_id(&api.api_id))
            .collect();
        Gateway {
            backends: BackendClient::new(),
            stack,
            routes,
            functions,
            options,
            deployment_ids,
        }
    }

    /// Runs one request through the pipeline of the API it reaches. Never fails: every
    /// problem becomes a gateway response. Requests for HTTP APIs take their own pipeline;
    /// all others the REST one, which adds `x-amzn-RequestId` and `x-amz-apigw-id` to every
    /// response (spec 5.8).
    pub(crate) async fn handle<B>(
        &self,
        request: Request<B>,
        connection: ConnectionInfo,
        raw_names: Option<RawHeaderNames>,
    ) -> Response<Full<Bytes>>
    where
        B: Body<Data = Bytes> + Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let started = Instant::now();
        let ids = RequestIds::new();
        let (parts, body) = request.into_parts();
        let method = parts.method.as_str();
        let path = parts.uri.path();
        let raw_names = raw_names.as_ref();
        let inspector = self.options.inspector.as_deref();
        // While an inspector page listens, the functions the request runs log for it too.
        let function_log = inspector.and_then(Inspector::function_log);
        let logged;
        let functions: &dyn Invoke = match &function_log {
            Some(log) => {
                logged = LoggedInvoke {
                    functions: &*self.functions,
                    log,
                };
                &logged
            }
            None => &*self.functions,
        };
        let function_log = function_log.as_ref();
        // HTTP APIs share the root; their requests take their own pipeline (http_api).
        if let Some(dispatch) = self.routes.http_dispatch(method, path) {
            let http = HttpPipeline {
                stack: &self.stack,
                routes: &self.routes.http,
                functions,
                backends: &self.backends,
                inspector,
                function_log,
            };
            return http
                .handle(dispatch, &parts, body, connection, raw_names, &ids, started)
                .await;
        }
        let rest = RestPipeline {
            stack: &self.stack,
            functions,
            extra_api_keys: &self.options.extra_api_keys,
            deployment_ids: &self.deployment_ids,
            backends: &self.backends,
            inspector,
            function_log,
        };
        let found = self.routes.find(method, path);
        rest.handle(found, &parts, body, connection, raw_names, &ids, started)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{api, http_api, http_stack};

    #[test]
    fn rest_and_http_share_the_root_most_specific_wins() {
        let stack = http_stack(
            vec![http_api(
                "HttpApi",
                &["GET /items", "ANY /a", "$default"],
                None,
            )],
            vec![api(
                "RestApi",
                "Prod",
                &[("/{proxy+}", &["ANY"]), ("/a", &["GET"])],
                0,
                40,
            )],
        );
        let table = RouteTable::build(&stack).expect("routes");
        let http = |method: &str, path: &str| {
            matches!(
                table.http_dispatch(method, path),
                Some(HttpDispatch::Route(_))
            )
        };
        assert!(http("GET", "/items"), "static HTTP beats greedy REST");
        assert!(!http("GET", "/a"), "explicit REST GET beats HTTP ANY");
        assert!(http("POST", "/a"), "HTTP ANY beats greedy REST ANY");
        assert!(!http("GET", "/x/y"), "REST beats $default");
        // Nothing matches `/` on either side: the REST side answers (MIXED_TEMPLATE_…).
        let stack = http_stack(
            vec![http_api("HttpApi", &["GET /items"], None)],
            vec![api("RestApi", "Prod", &[("/rest", &["GET"])], 0, 40)],
        );
        let table = RouteTable::build(&stack).expect("routes");
        const { assert!(MIXED_TEMPLATE_UNMATCHED_IS_REST_403) };
        assert!(table.http_dispatch("GET", "/nope").is_none());
        assert!(matches!(
            table.http_dispatch("POST", "/items"),
            Some(HttpDispatch::NotFound { api: Some(0) })
        ));
        // REST-only stacks never dispatch to HTTP.
        let rest_only = RouteTable::build(&http_stack(
            vec![],
            vec![api("RestApi", "Prod", &[("/rest", &["GET"])], 0, 40)],
        ))
        .expect("routes");
        assert!(rest_only.http_dispatch("GET", "/nope").is_none());
    }

    #[test]
    fn rule_8_4_unrouted_options_go_to_the_owning_api_cors() {
        let cors = Some(gatewise_model::HttpCors {
            allow_origins: vec!["*".into()],
            ..Default::default()
        });
        let stack = http_stack(
            vec![
                http_api("Plain", &["GET /plain"], None),
                http_api("WithCors", &["GET /cors"], cors),
            ],
            vec![],
        );
        let table = RouteTable::build(&stack).expect("routes");
        let dispatch = |path| table.http_dispatch("OPTIONS", path);
        assert!(matches!(
            dispatch("/cors"),
            Some(HttpDispatch::Cors { api: 1 })
        ));
        assert!(matches!(
            dispatch("/plain"),
            Some(HttpDispatch::NotFound { api: Some(0) })
        ));
        // A path no route has: the first API with CORS (no REST APIs to defer to).
        assert!(matches!(
            dispatch("/elsewhere"),
            Some(HttpDispatch::Cors { api: 1 })
        ));
    }

    #[test]
    fn display_lists_http_routes_after_rest_ones() {
        let stack = http_stack(
            vec![http_api("HttpApi", &["GET /pets/{id}", "$default"], None)],
            vec![api("RestApi", "Prod", &[("/rest", &["GET"])], 0, 40)],
        );
        let shown = RouteTable::build(&stack).expect("routes").to_string();
        let want = "\
METHOD  PATH        TARGET                               API
GET     /rest       function HelloFunction (python3.12)  RestApi / Prod
GET     /pets/{id}  function HelloFunction (python3.12)  HttpApi / $default (HTTP API)
ANY     $default    function HelloFunction (python3.12)  HttpApi / $default (HTTP API)
";
        assert_eq!(shown, want);
    }
}
