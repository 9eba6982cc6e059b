//! The pure parts of the HTTP integrations, table-driven: URI rendering and query merging
//! (H.2, H.3), HTTP API parameter values (H.13), response header passing and remapping (H.5,
//! H.8). The network half is tested end to end (`crates/gatewise/tests/e2e_http_integrations.rs`).

use indexmap::IndexMap;

use super::*;
use crate::test_support::header_map;

fn stage() -> IndexMap<String, String> {
    IndexMap::from([
        ("host".to_owned(), "127.0.0.1:8080".to_owned()),
        ("base".to_owned(), "http://127.0.0.1:9000/v1".to_owned()),
    ])
}

#[test]
fn rule_h_2_uri_placeholders_stage_variables_and_queries() {
    let params = [("proxy", "a/b%20c"), ("id", "42")];
    let path_value = |name: &str| -> Option<Cow<'_, str>> {
        params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| Cow::Borrowed(*v))
    };
    let mapped = [("testVar", Cow::Borrowed("foo%20bar"))];
    // (URI template, mapped query, client query, URL)
    type Case<'a> = (
        &'a str,
        &'a [(&'a str, Cow<'a, str>)],
        Option<&'a str>,
        &'a str,
    );
    let cases: &[Case<'_>] = &[
        (
            "http://h/petstore/{proxy}",
            &[],
            None,
            "http://h/petstore/a/b%20c",
        ),
        (
            "http://h/items/{id}",
            &[],
            Some("x=1&y"),
            "http://h/items/42?x=1&y",
        ),
        ("http://h/{proxy+}", &[], None, "http://h/a/b%20c"),
        (
            "http://${stageVariables.host}/p/{id}",
            &[],
            None,
            "http://127.0.0.1:8080/p/42",
        ),
        (
            "${stageVariables.base}/x",
            &[],
            None,
            "http://127.0.0.1:9000/v1/x",
        ),
        // Mapped values first, then the client's query (H.3: `foobar,bar`).
        (
            "http://h/q",
            &mapped,
            Some("testVar=bar"),
            "http://h/q?testVar=foo%20bar&testVar=bar",
        ),
        (
            "http://h/q?fixed=1",
            &mapped,
            None,
            "http://h/q?fixed=1&testVar=foo%20bar",
        ),
        // An unknown placeholder renders empty; an unclosed brace stays.
        ("http://h/{missing}/x", &[], None, "http://h//x"),
        ("http://h/{open", &[], None, "http://h/{open"),
    ];
    for (template, query, client, want) in cases {
        assert_eq!(
            render_uri(template, &path_value, &stage(), query, *client),
            *want,
            "{template}"
        );
    }
}

#[test]
fn rule_h_4_any_sends_the_client_method() {
    assert_eq!(outgoing_method("ANY", &Method::PATCH), Method::PATCH);
    assert_eq!(outgoing_method("POST", &Method::GET), Method::POST);
}

#[test]
fn rule_h_13_path_overwrite() {
    let cases = [
        ("http://h:1/a/b?x=1", "/new", "http://h:1/new?x=1"),
        ("http://h:1", "new", "http://h:1/new"),
        ("http://h:1/a", "/n/m", "http://h:1/n/m"),
    ];
    for (url, path, want) in cases {
        assert_eq!(replace_path(url, path), want);
    }
}

#[test]
fn rule_h_13_http_api_values_substitute_request_and_context() {
    let mut headers = HeaderMap::new();
    headers.insert("x-user", HeaderValue::from_static("ann"));
    let params = [("id", "7"), ("proxy+", "a/b")];
    let view = RequestView {
        headers: &headers,
        query: Some("q=a+b"),
        path_params: &params,
    };
    let body = Bytes::from_static(br#"{"order":{"id":99,"name":"book"}}"#);
    let stage_variables = stage();
    let context = |name: &str| (name == "requestId").then(|| "req-1".to_owned());
    let call = BackendCall {
        method: &Method::GET,
        path: "/orders/7",
        headers: &headers,
        query: Some("q=a+b"),
        body: &body,
        stage_variables: &stage_variables,
        api_id: "abc",
        trace_id: "Root=1",
        context: &context,
    };
    let cases = [
        ("static", "static"),
        ("$request.header.x-user", "ann"),
        ("user-$request.header.x-user!", "user-ann!"),
        ("${request.querystring.q}", "a b"),
        ("$request.path", "/orders/7"),
        ("$request.path.id", "7"),
        ("$request.path.proxy", "a/b"),
        ("$request.body.order.name", "book"),
        ("$request.body.order.id", "99"),
        ("$context.requestId", "req-1"),
        ("$stageVariables.host", "127.0.0.1:8080"),
        ("$request.header.missing", ""),
        ("cost $", "cost $"),
    ];
    for (template, want) in cases {
        assert_eq!(http_api_value(template, &view, &call), want, "{template}");
    }
}

fn names(map: &HeaderMap) -> Vec<String> {
    map.iter()
        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("?")))
        .collect()
}

#[test]
fn rule_h_5_hop_by_hop_response_headers_are_dropped() {
    let backend = header_map(&[
        ("content-type", "text/plain"),
        ("connection", "keep-alive"),
        ("content-length", "5"),
        ("date", "Mon"),
        ("server", "tiny"),
        ("x-amzn-requestid", "abc"),
        ("transfer-encoding", "chunked"),
        ("access-control-allow-origin", "*"),
        ("set-cookie", "a=1"),
        ("set-cookie", "b=2"),
    ]);
    let mut rest = HeaderMap::new();
    pass_response_headers(&backend, &mut rest, true);
    assert_eq!(
        names(&rest),
        [
            "content-type: text/plain",
            "x-amzn-remapped-connection: keep-alive",
            "x-amzn-remapped-content-length: 5",
            "x-amzn-remapped-date: Mon",
            "x-amzn-remapped-server: tiny",
            "x-amzn-remapped-x-amzn-requestid: abc",
            "access-control-allow-origin: *",
            "set-cookie: a=1",
            "set-cookie: b=2",
        ]
    );
    let mut http_api = HeaderMap::new();
    pass_response_headers(&backend, &mut http_api, false);
    assert_eq!(
        names(&http_api),
        [
            "content-type: text/plain",
            "date: Mon",
            "server: tiny",
            "x-amzn-requestid: abc",
            "access-control-allow-origin: *",
            "set-cookie: a=1",
            "set-cookie: b=2",
        ]
    );
}

#[test]
fn rule_h_8_reserved_response_parameters_are_remapped() {
    let selected = crate::test_support::integration_response(
        None,
        "200",
        &[
            ("method.response.header.Server", "'mine'"),
            ("method.response.header.X-Custom", "'kept'"),
        ],
    );
    let mut headers = header_map(&[("server", "mine"), ("x-custom", "kept")]);
    remap_mapped_headers(&selected, &mut headers);
    assert_eq!(
        names(&headers),
        ["x-custom: kept", "x-amzn-remapped-server: mine"]
    );
}

#[test]
fn rule_h_8_integration_response_values_read_the_backend() {
    let fetched = Fetched {
        status: StatusCode::OK,
        headers: header_map(&[("x-backend", "v1")]),
        body: Bytes::from_static(br#"{"who":{"name":"ann"},"n":[1,2]}"#),
    };
    let cases = [
        ("header.X-Backend", Some("v1")),
        ("header.missing", None),
        ("body.who.name", Some("ann")),
        ("body.n", Some("[1,2]")),
        ("body.none", None),
    ];
    for (source, want) in cases {
        let got = backend_value(source, &fetched);
        assert_eq!(
            got.as_ref().map(|v| v.to_str().expect("ascii")),
            want,
            "{source}"
        );
    }
}
