//! SAM HTTP APIs (v2) end to end: `CorsConfiguration` against SAM's translator fixtures, events
//! into routes, `Auth`, `DefinitionBody` / `DefinitionUri`, `Ref`s to HTTP APIs, and the
//! acceptance templates that declare HTTP APIs (raw `AWS::ApiGatewayV2::*` ones included).

use std::path::{Path, PathBuf};
use std::time::Duration;

use gatewise_model::{HttpAuthorization, HttpCors, HttpIntegration, PayloadFormat};
use serde_json::Value as Json;

use super::cors as http_cors;
use crate::openapi::http::UNSPECIFIED_PAYLOAD_FORMAT;
use crate::test_support::http_api::{http_api, lambda, load_text, ok, route, route_keys};
use crate::test_support::stubbed;
use crate::{LoadOptions, load};

const FUNCTION: &str = "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.handler\n      InlineCode: x\n";

/// A template with one explicit `MyApi` whose properties are `api` (indented under
/// `Properties:`), and `events` under the function.
fn sam_template(head: &str, api: &str, events: &str) -> String {
    format!(
        "Transform: AWS::Serverless-2016-10-31\n{head}Resources:\n  MyApi:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n{api}{FUNCTION}      Events:\n{events}"
    )
}

const GET_ITEMS: &str = "        Get:\n          Type: HttpApi\n          Properties:\n            ApiId: !Ref MyApi\n            Path: /items\n            Method: get\n";

fn cors(origins: &[&str], methods: &[&str], credentials: bool) -> HttpCors {
    let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect();
    HttpCors {
        allow_origins: owned(origins),
        allow_methods: owned(methods),
        allow_credentials: credentials,
        ..HttpCors::default()
    }
}

#[test]
fn rule_8_2_cors_configuration_forms() {
    let conditions = "Parameters:\n  On:\n    Type: String\n    Default: 'yes'\n  Cors:\n    Type: String\n    Default: true\nConditions:\n  IsOn: !Equals [!Ref On, 'yes']\n  IsOff: !Equals [!Ref On, 'no']\n";
    type Case<'a> = (&'a str, Result<Option<HttpCors>, &'a str>);
    let full = HttpCors {
        allow_origins: vec!["https://a.com".into()],
        allow_methods: vec!["GET".into()],
        allow_headers: vec!["x-h".into()],
        expose_headers: vec!["x-e".into()],
        max_age: Some(600),
        allow_credentials: true,
    };
    let cases: Vec<Case<'_>> = vec![
        ("true", Ok(Some(cors(&["*"], &[], false)))),
        ("false", Ok(None)),
        ("{}", Ok(None)),
        (
            "{AllowOrigins: [https://a.com], AllowMethods: [GET], AllowHeaders: [x-h], ExposeHeaders: [x-e], MaxAge: 600, AllowCredentials: true}",
            Ok(Some(full)),
        ),
        // Only a real boolean true sets allowCredentials (SAM tests `is True`).
        (
            "{AllowOrigins: ['*'], AllowCredentials: 'true'}",
            Ok(Some(cors(&["*"], &[], false))),
        ),
        // Credentials without origins are not SAM's wildcard error (AllowOrigins != ['*']).
        (
            "{AllowCredentials: true, AllowMethods: [GET]}",
            Ok(Some(cors(&[], &["GET"], true))),
        ),
        // Intrinsics are resolved locally first (SAM leaves them to CloudFormation).
        (
            "!If [IsOn, {AllowOrigins: [https://on.com], AllowMethods: [GET]}, !Ref AWS::NoValue]",
            Ok(Some(cors(&["https://on.com"], &["GET"], false))),
        ),
        (
            "!If [IsOff, {AllowOrigins: [https://on.com]}, !Ref AWS::NoValue]",
            Ok(None),
        ),
        ("!Ref Cors", Ok(Some(cors(&["*"], &[], false)))),
        ("\"'*'\"", Err(http_cors::ERR_INVALID_TYPE)),
        ("[a]", Err(http_cors::ERR_INVALID_TYPE)),
        (
            "{AllowOrigin: [https://a.com]}",
            Err("Invalid key 'AllowOrigin' for 'Cors' property."),
        ),
        (
            "{AllowOrigins: ['*'], AllowCredentials: true}",
            Err(http_cors::ERR_CREDENTIALS_WILDCARD),
        ),
    ];
    for (value, want) in cases {
        let text = sam_template(
            conditions,
            &format!("      CorsConfiguration: {value}\n"),
            GET_ITEMS,
        );
        match (load_text(&text, &stubbed()), want) {
            (Ok(stack), Ok(want)) => {
                let api = http_api(&stack, "MyApi");
                assert_eq!(api.cors, want, "{value}");
                assert_eq!(api.cors_location.is_some(), want_some(&api.cors), "{value}");
            }
            (Err(e), Err(message)) => {
                assert!(e.message.contains(message), "{value}: {e}");
                assert!(
                    e.message.contains("Resource with id [MyApi] is invalid."),
                    "{e}"
                );
            }
            (got, want) => panic!("{value}: got {got:?}, want {want:?}"),
        }
    }
}

fn want_some(cors: &Option<HttpCors>) -> bool {
    cors.is_some()
}

#[test]
fn rule_8_2_cors_location_is_the_property_key() {
    let text = sam_template(
        "",
        "      StageName: dev\n      CorsConfiguration: true\n",
        GET_ITEMS,
    );
    let stack = ok(&text);
    let api = http_api(&stack, "MyApi");
    let at = api.cors_location.as_ref().expect("location");
    assert_eq!((at.line, at.column), (7, 7));
    assert_eq!(api.stage, "dev");
}

#[test]
fn rule_2_2_globals_http_api_lists_concatenate_and_the_property_wins_over_the_document() {
    // As SAM's http_api_existing_openapi fixture: G [global] + L [local], then merged into the
    // document's own x-amazon-apigateway-cors per key, the property winning.
    let text = "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  HttpApi:\n    CorsConfiguration:\n      AllowOrigins: [https://global.com]\n      AllowMethods: [GET]\n      MaxAge: 6000\nResources:\n  MyApi:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      CorsConfiguration:\n        AllowOrigins: [https://local.com]\n      DefinitionBody:\n        openapi: 3.0.1\n        x-amazon-apigateway-cors:\n          allowOrigins: [https://www.overriden.com]\n          allowMethods: [POST]\n          allowHeaders: [x-doc]\n          maxAge: 3600\n        paths: {}\n".to_owned()
        + FUNCTION
        + "      Events:\n        Implicit:\n          Type: HttpApi\n          Properties:\n            Path: /i\n            Method: GET\n";
    let stack = ok(&text);
    let explicit = http_api(&stack, "MyApi").cors.clone().expect("cors");
    assert_eq!(
        explicit.allow_origins,
        ["https://global.com", "https://local.com"]
    );
    assert_eq!(explicit.allow_methods, ["GET"]);
    assert_eq!(explicit.allow_headers, ["x-doc"]);
    assert_eq!(explicit.max_age, Some(6000));
    // Globals apply to the implicit API too (spec §2.1).
    let implicit = http_api(&stack, "ServerlessHttpApi");
    assert_eq!(
        implicit.cors.as_ref().map(|c| c.allow_origins.clone()),
        Some(vec!["https://global.com".to_owned()])
    );
    assert_eq!(route_keys(implicit), ["GET /i"]);
    // The implicit API comes last.
    assert_eq!(
        stack.http_apis.last().map(|a| a.logical_id.as_str()),
        Some("ServerlessHttpApi")
    );
}

/// SAM's translator fixtures, kept in `tests/data/external/sam-translator`.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/external/sam-translator")
}

/// The fixture's `x-amazon-apigateway-cors`, with an `Fn::If` on the fixtures' always-true
/// condition taken as its first branch.
fn fixture_cors(body: &Json) -> Option<HttpCors> {
    let mut cors = body.get("x-amazon-apigateway-cors")?.clone();
    if let Some(branches) = cors.get("Fn::If").and_then(Json::as_array) {
        cors = branches.get(1)?.clone();
    }
    let list = |key: &str| -> Vec<String> {
        cors.get(key)
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    Some(HttpCors {
        allow_origins: list("allowOrigins"),
        allow_methods: list("allowMethods"),
        allow_headers: list("allowHeaders"),
        expose_headers: list("exposeHeaders"),
        max_age: cors.get("maxAge").and_then(Json::as_i64),
        allow_credentials: cors.get("allowCredentials").and_then(Json::as_bool) == Some(true),
    })
}

#[test]
fn rule_8_2_sam_fixtures_give_sams_cors_values_and_routes() {
    let root = fixtures();
    type Routes<'a> = &'a [(&'a str, &'a [&'a str])];
    let cases: &[(&str, Routes<'_>)] = &[
        (
            "http_api_with_cors",
            &[
                ("MyApi", &["$default"]),
                ("ServerlessHttpApi", &["$default"]),
            ],
        ),
        ("http_api_explicit_stage", &[("MyApi", &["$default"])]),
        (
            "api_http_with_default_iam_authorizer",
            &[("HttpApi", &["OPTIONS /{proxy+}", "ANY /{proxy+}"])],
        ),
    ];
    for (name, routes) in cases {
        let output: Json = serde_json::from_str(
            &std::fs::read_to_string(root.join(format!("output/{name}.json"))).expect("output"),
        )
        .expect("json");
        let stack = load(&root.join(format!("input/{name}.yaml")), &stubbed())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        for (id, keys) in *routes {
            let api = http_api(&stack, id);
            let body = &output["Resources"][*id]["Properties"]["Body"];
            assert_eq!(api.cors, fixture_cors(body), "{name} {id}");
            let mut got = route_keys(api);
            got.sort_unstable();
            let mut want = keys.to_vec();
            want.sort_unstable();
            assert_eq!(got, want, "{name} {id}");
        }
    }
}

#[test]
fn rule_8_2_sam_fixture_details_stage_payload_and_iam() {
    let root = fixtures();
    let stack = load(&root.join("input/http_api_explicit_stage.yaml"), &stubbed()).expect("load");
    let api = http_api(&stack, "MyApi");
    assert_eq!(api.stage, "Prod");
    assert_eq!(
        api.stage_variables.get("VarName").map(String::as_str),
        Some("VarValue")
    );
    // PayloadFormatVersion: !Ref PayloadFormatVersion (default '1.0'); FailOnWarnings writes
    // the path as /$default.
    match &route(api, "$default").integration {
        HttpIntegration::Lambda {
            payload_format,
            timeout,
            ..
        } => {
            assert_eq!(*payload_format, PayloadFormat::V1);
            assert_eq!(*timeout, HttpIntegration::DEFAULT_TIMEOUT);
        }
        other => panic!("{other:?}"),
    }
    let stack = load(
        &root.join("input/api_http_with_default_iam_authorizer.yaml"),
        &stubbed(),
    )
    .expect("load");
    let api = http_api(&stack, "HttpApi");
    assert_eq!(
        route(api, "ANY /{proxy+}").authorization,
        HttpAuthorization::AwsIam
    );
    // SAM's default authorizer skips `options` operations.
    assert_eq!(
        route(api, "OPTIONS /{proxy+}").authorization,
        HttpAuthorization::None
    );
}

#[test]
fn rule_8_2_sam_error_fixtures_give_sams_message() {
    let root = fixtures();
    for name in [
        "error_http_api_with_cors_def_uri",
        "error_invalid_httpapi_cors_property",
    ] {
        let output: Json = serde_json::from_str(
            &std::fs::read_to_string(root.join(format!("output/{name}.json"))).expect("output"),
        )
        .expect("json");
        let message = output["_autoGeneratedBreakdownErrorMessage"]
            .as_array()
            .and_then(|a| a.last())
            .and_then(Json::as_str)
            .expect("message")
            .trim()
            .to_owned();
        let err = load(&root.join(format!("input/{name}.yaml")), &stubbed()).expect_err(name);
        assert!(
            err.message.contains(&message),
            "{name}: {err}\nwant {message}"
        );
        assert!(err.location.line > 1, "{name}: {err}");
    }
}

#[test]
fn rule_6_10_events_to_routes_payload_and_timeout() {
    type Case<'a> = (&'a str, Result<(&'a str, PayloadFormat, u64), &'a str>);
    let cases: &[Case<'_>] = &[
        (
            "Path: /items\n            Method: get",
            Ok(("GET /items", PayloadFormat::V2, 30_000)),
        ),
        (
            "Path: /{proxy+}\n            Method: any",
            Ok(("ANY /{proxy+}", PayloadFormat::V2, 30_000)),
        ),
        (
            "Path: /a\n            Method: POST\n            PayloadFormatVersion: '1.0'",
            Ok(("POST /a", PayloadFormat::V1, 30_000)),
        ),
        (
            "Path: /a\n            Method: PUT\n            TimeoutInMillis: 10000",
            Ok(("PUT /a", PayloadFormat::V2, 10_000)),
        ),
        (
            "Path: /a\n            Method: get\n            TimeoutInMillis: 30001",
            Err("from 50 to 30000"),
        ),
        (
            "Path: /a\n            Method: get\n            PayloadFormatVersion: '3.0'",
            Err("\"1.0\" or \"2.0\""),
        ),
        ("Path: /a", Err("Property 'Method' is required.")),
        ("Method: get", Err("Property 'Path' is required.")),
        (
            "Path: /a\n            Method: fetch",
            Err("is not an HTTP method"),
        ),
        (
            "ApiId: Nope\n            Path: /a\n            Method: get",
            Err(
                "ApiId must be a valid reference to an 'AWS::Serverless::HttpApi' resource in same template.",
            ),
        ),
    ];
    for (props, want) in cases {
        let text = format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n{FUNCTION}      Events:\n        E:\n          Type: HttpApi\n          Properties:\n            {props}\n"
        );
        match (load_text(&text, &stubbed()), want) {
            (Ok(stack), Ok((key, payload, ms))) => {
                let api = http_api(&stack, "ServerlessHttpApi");
                assert_eq!(route_keys(api), [*key], "{props}");
                assert_eq!(
                    lambda(&api.routes[0]),
                    (*payload, Duration::from_millis(*ms)),
                    "{props}"
                );
                assert_eq!(api.stage, "$default");
            }
            (Err(e), Err(message)) => assert!(e.message.contains(message), "{props}: {e}"),
            (got, want) => panic!("{props}: got {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn rule_6_10_events_without_path_are_the_default_route() {
    // No Properties at all, and an explicit API with FailOnWarnings (SAM's `/$default`).
    let text = sam_template(
        "",
        "      FailOnWarnings: true\n",
        "        Catch:\n          Type: HttpApi\n          Properties:\n            ApiId: !Ref MyApi\n        Implicit:\n          Type: HttpApi\n",
    );
    let stack = ok(&text);
    assert_eq!(route_keys(http_api(&stack, "MyApi")), ["$default"]);
    assert_eq!(
        route_keys(http_api(&stack, "ServerlessHttpApi")),
        ["$default"]
    );
    // Two events on the same route of a SAM-managed document are SAM's error.
    let twice = sam_template(
        "",
        "      StageName: s\n",
        &format!("{GET_ITEMS}{}", GET_ITEMS.replace("Get:", "Again:")),
    );
    let err = load_text(&twice, &stubbed()).expect_err("duplicate");
    assert!(
        err.message
            .contains("API method 'get' defined multiple times for path '/items'."),
        "{err}"
    );
}

const AUTH: &str = "      Auth:\n        EnableIamAuthorizer: true\n        DefaultAuthorizer: Jwt\n        Authorizers:\n          Jwt:\n            IdentitySource: $request.header.X-Token\n            JwtConfiguration:\n              issuer: https://issuer\n              audience: [a]\n          Lam:\n            FunctionArn: !GetAtt Fn.Arn\n            AuthorizerPayloadFormatVersion: '2.0'\n            EnableSimpleResponses: true\n            Identity:\n              Headers: [Authorization]\n              QueryStrings: [token]\n";

fn auth_event(name: &str, path: &str, auth: &str) -> String {
    format!(
        "        {name}:\n          Type: HttpApi\n          Properties:\n            ApiId: !Ref MyApi\n            Path: {path}\n            Method: GET\n{auth}"
    )
}

#[test]
fn sam_auth_becomes_http_authorization() {
    let events = [
        auth_event("Default", "/default", ""),
        auth_event(
            "Off",
            "/off",
            "            Auth:\n              Authorizer: NONE\n",
        ),
        auth_event(
            "Iam",
            "/iam",
            "            Auth:\n              Authorizer: AWS_IAM\n",
        ),
        auth_event(
            "Lambda",
            "/lambda",
            "            Auth:\n              Authorizer: Lam\n",
        ),
    ]
    .concat();
    let stack = ok(&sam_template("", AUTH, &events));
    let api = http_api(&stack, "MyApi");
    match &route(api, "GET /default").authorization {
        HttpAuthorization::Jwt {
            name,
            identity_source,
            ..
        } => {
            assert_eq!(
                (name.as_str(), identity_source.as_str()),
                ("Jwt", "$request.header.X-Token")
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        route(api, "GET /off").authorization,
        HttpAuthorization::None
    );
    assert_eq!(
        route(api, "GET /iam").authorization,
        HttpAuthorization::AwsIam
    );
    match &route(api, "GET /lambda").authorization {
        HttpAuthorization::Lambda {
            name,
            function,
            identity_sources,
            payload_format,
            simple_responses,
            ..
        } => {
            assert_eq!(name, "Lam");
            assert_eq!(*function, Some(0));
            assert_eq!(
                identity_sources,
                &[
                    "$request.header.Authorization",
                    "$request.querystring.token"
                ]
            );
            assert_eq!(*payload_format, PayloadFormat::V2);
            assert!(*simple_responses);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn sam_auth_errors_are_sams() {
    let jwt_without_source = "      Auth:\n        Authorizers:\n          J:\n            JwtConfiguration: {issuer: x}\n";
    let cases: &[(&str, &str, &str)] = &[
        (
            jwt_without_source,
            "",
            "J OAuth2 Authorizer must define 'IdentitySource'.",
        ),
        (
            "      Auth:\n        Authorizers:\n          L:\n            FunctionArn: arn\n",
            "",
            "L Lambda Authorizer must define 'AuthorizerPayloadFormatVersion'.",
        ),
        (
            "      Auth:\n        Authorizers:\n          L:\n            FunctionArn: arn\n            IdentitySource: x\n            AuthorizerPayloadFormatVersion: '1.0'\n",
            "",
            "IdentitySource is only supported for OAuth2 Authorizer.",
        ),
        (
            "      Auth:\n        DefaultAuthorizer: Missing\n",
            "",
            "Unable to set DefaultAuthorizer because 'Missing' was not defined in 'Authorizers'.",
        ),
        (
            "      StageName: s\n",
            "            Auth:\n              Authorizer: NONE\n",
            "because 'NONE' is only a valid value when a DefaultAuthorizer on the API is specified.",
        ),
        (
            "      StageName: s\n",
            "            Auth:\n              Authorizer: X\n",
            "because the related API does not define any Authorizers.",
        ),
    ];
    for (api, event_auth, message) in cases {
        let text = sam_template("", api, &auth_event("E", "/e", event_auth));
        let err = load_text(&text, &stubbed()).expect_err(message);
        assert!(err.message.contains(message), "{err}\nwant {message}");
    }
}

#[test]
fn sam_http_api_definition_body_and_local_definition_uri() {
    let body = "      DefinitionBody:\n        openapi: 3.0.1\n        paths:\n          /pets/{id}:\n            get:\n              x-amazon-apigateway-integration:\n                type: aws_proxy\n                payloadFormatVersion: '2.0'\n                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations\n          /proxy:\n            x-amazon-apigateway-any-method:\n              x-amazon-apigateway-integration:\n                type: http_proxy\n                uri: https://example.com\n          $default:\n            x-amazon-apigateway-any-method:\n              x-amazon-apigateway-integration:\n                type: aws_proxy\n                payloadFormatVersion: '1.0'\n                timeoutInMillis: 5000\n                uri: !GetAtt Fn.Arn\n";
    let stack = ok(&sam_template("", body, GET_ITEMS));
    let api = http_api(&stack, "MyApi");
    assert_eq!(
        route_keys(api),
        ["GET /pets/{id}", "ANY /proxy", "$default", "GET /items"]
    );
    assert_eq!(lambda(route(api, "GET /pets/{id}")).0, PayloadFormat::V2);
    assert_eq!(
        lambda(route(api, "$default")),
        (PayloadFormat::V1, Duration::from_millis(5000))
    );
    assert!(matches!(
        &route(api, "ANY /proxy").integration,
        HttpIntegration::HttpProxy(backend) if backend.uri == "https://example.com"
    ));

    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("api.yaml"),
        "openapi: 3.0.1\npaths:\n  /file:\n    post:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n        uri: arn:aws:lambda:us-east-1:123456789012:function:Fn\n",
    )
    .expect("file");
    let path = dir.path().join("template.yaml");
    std::fs::write(
        &path,
        sam_template("", "      DefinitionUri: ./api.yaml\n", GET_ITEMS),
    )
    .expect("write");
    let stack = load(&path, &stubbed()).expect("load");
    let api = http_api(&stack, "MyApi");
    // SAM adds nothing to a DefinitionUri document: the file's routes only.
    assert_eq!(route_keys(api), ["POST /file"]);
    assert_eq!(lambda(&api.routes[0]).0, UNSPECIFIED_PAYLOAD_FORMAT);
}

/// Every acceptance template that declares an HTTP API loads with stubs into its routes.
#[test]
fn acceptance_http_templates_load_with_stubs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/external");
    type Case<'a> = (&'a str, &'a [(&'a str, &'a [&'a str])]);
    let cases: &[Case<'_>] = &[
        (
            "real-world/serverless-patterns/apigw-http-api-cors-sam/template.yaml",
            &[("HttpApi", &["ANY /test"])],
        ),
        (
            "real-world/serverless-patterns/apigw-http-api-lambda/template.yml",
            &[("HttpApi", &["$default"])],
        ),
        (
            "real-world/serverless-patterns/cognito-httpapi/template.yaml",
            &[("AppApi", &["GET /"])],
        ),
        (
            "real-world/serverless-samples/python-http-sam/template.yaml",
            &[(
                "HttpApi",
                &[
                    "GET /locations",
                    "PUT /locations",
                    "GET /locations/{locationid}",
                    "DELETE /locations/{locationid}",
                    "GET /locations/{locationid}/resources",
                    "PUT /locations/{locationid}/resources",
                    "GET /locations/{locationid}/resources/{resourceid}",
                    "DELETE /locations/{locationid}/resources/{resourceid}",
                    "GET /locations/{locationid}/resources/{resourceid}/bookings",
                    "GET /users/{userid}/bookings",
                    "PUT /users/{userid}/bookings",
                    "GET /users/{userid}/bookings/{bookingid}",
                    "DELETE /users/{userid}/bookings/{bookingid}",
                ],
            )],
        ),
        (
            "real-world/sessions-with-aws-sam/http-api-logging/template.yaml",
            &[("MyHttpApi", &["GET /"])],
        ),
        (
            "real-world/sessions-with-aws-sam/http-api/template.yaml",
            &[
                (
                    "HttpApi",
                    &["GET /", "GET /simple", "GET /admin", "GET /su", "GET /both"],
                ),
                ("ServerlessHttpApi", &["$default"]),
            ],
        ),
        (
            "sam-cli-start-api/cfn-quick-created-http-api-with-default-route.yaml",
            &[("HTTPAPIGateway", &["$default"])],
        ),
        (
            "sam-cli-start-api/template-cors.yaml",
            &[("MyHttpApi", &["POST /test"])],
        ),
    ];
    let options = LoadOptions {
        parameter_overrides: [
            ("UserPoolId".to_owned(), "us-east-1_pool".to_owned()),
            ("Audience".to_owned(), "client".to_owned()),
        ]
        .into(),
        ..stubbed()
    };
    for (file, apis) in cases {
        let stack = load(&root.join(file), &options).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(stack.http_apis.len(), apis.len(), "{file}");
        for (id, keys) in *apis {
            assert_eq!(route_keys(http_api(&stack, id)), *keys, "{file} {id}");
        }
    }
    // SAM CLI's own fixture combines AllowCredentials with AllowOrigins ['*'], which SAM's
    // transform (and so a deploy) refuses; gatewise says so with SAM's message.
    let err = load(
        &root.join("sam-cli-start-api/swagger-template-http-api.yaml"),
        &options,
    )
    .expect_err("credentials with a wildcard origin");
    assert!(
        err.message.contains(http_cors::ERR_CREDENTIALS_WILDCARD),
        "{err}"
    );
}

#[test]
fn refs_to_http_apis_are_their_api_ids() {
    let text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  MyApi:\n    Type: AWS::Serverless::HttpApi\n  Raw:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      ProtocolType: HTTP\n".to_owned()
        + FUNCTION
        + "      Environment:\n        Variables:\n          E: !Ref MyApi\n          I: !Ref ServerlessHttpApi\n          R: !Ref Raw\n      Events:\n        Implicit:\n          Type: HttpApi\n";
    let stack = ok(&text);
    let env = &stack.functions[0].environment;
    for (var, api) in [("E", "MyApi"), ("I", "ServerlessHttpApi"), ("R", "Raw")] {
        assert_eq!(env.get(var), Some(&http_api(&stack, api).api_id), "{var}");
    }
    // An explicit SAM HTTP API without events has no routes but is still an API.
    assert!(http_api(&stack, "MyApi").routes.is_empty());
}
