//! SAM REST APIs end to end: `Cors` against SAM's own translator fixtures, `Auth` on
//! preflights, `GatewayResponses`, OpenAPI bodies (`DefinitionBody`, `DefinitionUri`,
//! `AWS::Include`), `Api` events, and the acceptance templates that declare REST APIs.

use std::path::{Path, PathBuf};

use gatewise_model::{
    ApiKeySource, Authorization, AuthorizerKind, Integration, PassthroughBehavior, RestApi,
};
use serde_json::Value as Json;

use super::cors;
use crate::openapi::rest;
use crate::test_support::rest_api::{HEADER, api, load_text, method, ok};
use crate::test_support::stubbed;
use crate::{
    INTEGER_MAX_AGE, INVALID_MAPPING_EXPRESSION, IntegerMaxAge, InvalidMappingExpression,
    LoadOptions, load,
};

fn options_parameters(api: &RestApi, path: &str) -> Vec<(String, String)> {
    match &method(api, path, "OPTIONS").integration {
        Integration::Mock(mock) => {
            assert_eq!(mock.responses.len(), 1);
            mock.responses[0]
                .response_parameters
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        }
        other => panic!("OPTIONS {path} is {other:?}"),
    }
}

/// SAM's translator fixtures, kept in `tests/data/external/sam-translator`.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/external/sam-translator")
}

/// A fixture value as the header mapping text: strings as is, numbers in decimal, the one
/// intrinsic the fixtures use (`Fn::Join` of literals) joined; `None` for anything else.
fn fixture_value(value: &Json) -> Option<String> {
    match value {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Object(o) => {
            let join = o.get("Fn::Join")?.as_array()?;
            let separator = join.first()?.as_str()?;
            let parts: Option<Vec<&str>> =
                join.get(1)?.as_array()?.iter().map(Json::as_str).collect();
            Some(parts?.join(separator))
        }
        _ => None,
    }
}

/// Spec §1.6–1.9 against SAM itself: every OPTIONS SAM generates in a non-error fixture has the
/// same response parameters (names, order and raw values) as the OPTIONS gatewise builds.
#[test]
fn rule_1_7_sam_fixtures_options_response_parameters() {
    let root = fixtures();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(root.join("input"))
        .expect("input dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| !n.starts_with("error_") && n.ends_with(".yaml"))
        })
        .collect();
    inputs.sort();
    let mut compared = 0;
    for input in inputs {
        let output = root
            .join("output")
            .join(input.with_extension("json").file_name().expect("name"));
        let Ok(text) = std::fs::read_to_string(&output) else {
            continue;
        };
        let json: Json = serde_json::from_str(&text).expect("fixture json");
        let mut expected = Vec::new();
        for (id, resource) in json["Resources"].as_object().into_iter().flatten() {
            if resource["Type"] != "AWS::ApiGateway::RestApi" {
                continue;
            }
            for (path, item) in resource["Properties"]["Body"]["paths"]
                .as_object()
                .into_iter()
                .flatten()
            {
                if item.get("Fn::If").is_some() {
                    println!(
                        "note: {} {path}: path under Fn::If, not compared",
                        input.display()
                    );
                    continue;
                }
                let params = &item["options"]["x-amazon-apigateway-integration"]["responses"]["default"]
                    ["responseParameters"];
                if let Some(params) = params.as_object() {
                    expected.push((id.clone(), path.clone(), params.clone()));
                }
            }
        }
        if expected.is_empty() {
            continue;
        }
        let stack = load(&input, &stubbed()).unwrap_or_else(|e| panic!("{}: {e}", input.display()));
        for (id, path, params) in expected {
            let api = api(&stack, &id);
            let ours = options_parameters(api, &rest::normalise_path(&path));
            let names: Vec<&str> = ours.iter().map(|(k, _)| k.as_str()).collect();
            let want: Vec<&str> = params.keys().map(String::as_str).collect();
            assert_eq!(names, want, "{} {id} {path}", input.display());
            for ((_, value), (name, fixture)) in ours.iter().zip(params.iter()) {
                match fixture_value(fixture) {
                    Some(want) => {
                        assert_eq!(value, &want, "{} {id} {path} {name}", input.display())
                    }
                    None => println!("note: {name} = {fixture} not compared"),
                }
            }
            assert!(api.cors_location.is_some());
            assert_eq!(
                method(api, &rest::normalise_path(&path), "OPTIONS")
                    .provenance
                    .generated_from_cors,
                api.cors_location
            );
            compared += 1;
        }
    }
    assert!(compared >= 20, "only {compared} OPTIONS compared");
}

/// SAM's error messages for REST `Cors` (and invalid paths) come out verbatim. The HTTP API
/// (`error_http_api_with_cors_def_uri`, `error_invalid_httpapi_cors_property`) and
/// FunctionUrlConfig fixtures are deferred: gatewise does not read those resources yet.
#[test]
fn rule_1_1_sam_error_fixtures_give_sams_message() {
    let root = fixtures();
    let rest = [
        "error_api_with_cors_and_empty_allow_origin",
        "error_cors_credentials_true_with_wildcard_origin",
        "error_cors_credentials_true_without_explicit_origin",
        "error_cors_on_external_swagger",
        "error_invalid_cors_dict",
        "error_api_no_cors_invalid_openapi_null_path",
        "error_api_no_cors_invalid_openapi_string_path",
    ];
    for name in rest {
        let output: Json = serde_json::from_str(
            &std::fs::read_to_string(root.join(format!("output/{name}.json"))).expect("output"),
        )
        .expect("json");
        let message = output["_autoGeneratedBreakdownErrorMessage"]
            .as_array()
            .and_then(|a| a.last())
            .and_then(Json::as_str)
            .expect("message")
            .trim();
        let message = if name.contains("empty_allow_origin") {
            format!("Invalid input. {message}")
        } else {
            message.to_owned()
        };
        let err = load(&root.join(format!("input/{name}.yaml")), &stubbed()).expect_err(name);
        assert!(
            err.message.contains(&message),
            "{name}: {err}\nwant {message}"
        );
        assert!(err.location.line > 1, "{name}: {err}");
    }
}

fn cors_api(cors: &str, events: &str) -> String {
    format!(
        "{HEADER}Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
{events}
  MyApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
{cors}"
    )
}

const GET_A: &str =
    "        A: {Type: Api, Properties: {Path: /a, Method: get, RestApiId: !Ref MyApi}}\n";

#[test]
fn rule_1_7_string_cors_sets_only_the_origin_and_rule_1_9_methods() {
    let stack = ok(&cors_api(
        "      Cors: \"'https://a.com'\"\n",
        &format!(
            "{GET_A}        B: {{Type: Api, Properties: {{Path: /a, Method: post, RestApiId: !Ref MyApi}}}}\n        C: {{Type: Api, Properties: {{Path: /any, Method: any, RestApiId: !Ref MyApi}}}}\n"
        ),
    ));
    let api = api(&stack, "MyApi");
    assert_eq!(
        options_parameters(api, "/a"),
        [
            (
                "method.response.header.Access-Control-Allow-Methods".to_owned(),
                "'GET,OPTIONS,POST'".to_owned()
            ),
            (
                "method.response.header.Access-Control-Allow-Origin".to_owned(),
                "'https://a.com'".to_owned()
            ),
        ]
    );
    assert_eq!(
        options_parameters(api, "/any")[0].1,
        format!("'{}'", cors::ALL_METHODS)
    );
    let Integration::Mock(mock) = &method(api, "/a", "OPTIONS").integration else {
        panic!()
    };
    assert_eq!(
        mock.request_templates["application/json"].text,
        cors::REQUEST_TEMPLATE
    );
    assert_eq!(mock.responses[0].status_code, "200");
    assert_eq!(mock.responses[0].selection_pattern, None);
    assert_eq!(
        mock.responses[0].response_templates["application/json"].text,
        "{}\n"
    );
    assert_eq!(api.cors_location.as_ref().map(|l| l.line), Some(18));
    assert!(
        stack
            .warnings
            .iter()
            .all(|w| !w.message.contains("mapping expression"))
    );
}

#[test]
fn rule_1_8_unquoted_cors_values_warn_and_keep_raw_text() {
    assert_eq!(
        INVALID_MAPPING_EXPRESSION,
        InvalidMappingExpression::WarnAndUseRawText
    );
    let stack = ok(&cors_api(
        "      Cors:\n        AllowOrigin: https://a.com\n        AllowHeaders: \"'content-type'\"\n",
        GET_A,
    ));
    let params = options_parameters(api(&stack, "MyApi"), "/a");
    assert!(params.contains(&(
        "method.response.header.Access-Control-Allow-Origin".to_owned(),
        "https://a.com".to_owned()
    )));
    let warning = stack
        .warnings
        .iter()
        .find(|w| w.message.contains("Invalid mapping expression specified"))
        .expect("warning");
    assert_eq!((warning.location.line, warning.location.column), (17, 22));
    assert!(
        warning.message.contains("\"'https://a.com'\""),
        "{}",
        warning.message
    );
    assert_eq!(
        stack
            .warnings
            .iter()
            .filter(|w| w.message.contains("mapping expression"))
            .count(),
        1
    );
}

#[test]
fn rule_1_8_integer_max_age_is_the_decimal_string() {
    assert_eq!(INTEGER_MAX_AGE, IntegerMaxAge::DecimalString);
    let stack = ok(&cors_api(
        "      Cors:\n        MaxAge: 600\n        AllowCredentials: false\n",
        GET_A,
    ));
    let params = options_parameters(api(&stack, "MyApi"), "/a");
    assert_eq!(
        params.last().map(|(k, v)| (k.as_str(), v.as_str())),
        Some(("method.response.header.Access-Control-Max-Age", "600"))
    );
    assert_eq!(params.len(), 3, "{params:?}");
    assert!(
        stack
            .warnings
            .iter()
            .all(|w| !w.message.contains("mapping expression"))
    );
}

#[test]
fn rule_1_5_user_options_wins_and_trailing_slash_twins_get_one() {
    let body = "      DefinitionBody:
        swagger: '2.0'
        paths:
          /mine:
            options:
              x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{\"statusCode\": 204}'}, responses: {default: {statusCode: '204'}}}
          /twin:
            get:
              x-amazon-apigateway-integration: {type: aws_proxy, uri: !Sub 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations'}
          /twin/:
            post:
              x-amazon-apigateway-integration: {type: aws_proxy, uri: !Sub 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations'}
      Cors: \"'*'\"\n";
    let stack = ok(&cors_api(body, GET_A));
    let api = api(&stack, "MyApi");
    let Integration::Mock(mine) = &method(api, "/mine", "OPTIONS").integration else {
        panic!()
    };
    assert_eq!(mine.responses[0].status_code, "204");
    assert_eq!(
        method(api, "/mine", "OPTIONS")
            .provenance
            .generated_from_cors,
        None
    );
    // One OPTIONS for /twin, computed from the first twin only.
    assert_eq!(options_parameters(api, "/twin")[0].1, "'GET,OPTIONS'");
    let twin = api.resources.iter().find(|r| r.path == "/twin").unwrap();
    assert_eq!(
        twin.methods
            .iter()
            .filter(|m| m.http_method == "OPTIONS")
            .count(),
        1
    );
    assert!(matches!(
        method(api, "/twin", "POST").integration,
        Integration::LambdaProxy { function: 0, .. }
    ));
}

#[test]
fn rule_2_2_globals_cors_merges_with_the_api_cors() {
    let text = format!(
        "{HEADER}Globals:\n  Api:\n    Cors: {{AllowOrigin: \"'https://g.com'\", AllowHeaders: \"'x-g'\"}}\n{}",
        cors_api("      Cors: {AllowHeaders: \"'x-local'\"}\n", GET_A).trim_start_matches(HEADER)
    );
    let params = options_parameters(api(&ok(&text), "MyApi"), "/a");
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k.ends_with(name))
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("Allow-Origin"), Some("'https://g.com'"));
    assert_eq!(get("Allow-Headers"), Some("'x-local'"));
    // IgnoreGlobals drops it.
    let text = text.replace(
        "    Type: AWS::Serverless::Api\n",
        "    Type: AWS::Serverless::Api\n    IgnoreGlobals: [Cors]\n",
    );
    let params = options_parameters(api(&ok(&text), "MyApi"), "/a");
    assert_eq!(
        params
            .iter()
            .find(|(k, _)| k.ends_with("Allow-Origin"))
            .unwrap()
            .1,
        "'*'"
    );
}

#[test]
fn rule_1_1_invalid_cors_values_are_sams_errors() {
    let cases = [
        (
            "      Cors: {Foo: x}\n",
            "Invalid key 'Foo' for 'Cors' property.",
            16,
        ),
        ("      Cors: [a]\n", "Invalid value for 'Cors' property", 16),
        (
            "      Cors: {AllowCredentials: true}\n",
            "'AllowCredentials' can not be true",
            16,
        ),
        (
            "      Cors: {AllowOrigin: ''}\n",
            "Invalid input. Value for AllowedOrigins is required",
            16,
        ),
    ];
    for (cors, message, line) in cases {
        let err = load_text(&cors_api(cors, GET_A), &[]).expect_err(cors);
        assert!(err.message.contains(message), "{cors}: {err}");
        assert_eq!(err.location.line, line, "{cors}: {err}");
    }
}

fn auth_api(auth: &str, events: &str) -> String {
    cors_api(&format!("      Cors: \"'*'\"\n      Auth:\n{auth}"), events)
        .replace("Resources:\n", "Resources:\n  AuthFn:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: s3://b/k, Handler: index.handler, Runtime: nodejs20.x}\n")
}

#[test]
fn rule_9_2_api_key_required_and_the_preflight_flag() {
    let events = format!(
        "{GET_A}        B: {{Type: Api, Properties: {{Path: /b, Method: get, RestApiId: !Ref MyApi, Auth: {{ApiKeyRequired: false}}}}}}\n"
    );
    let cases = [
        ("        ApiKeyRequired: true\n", true),
        (
            "        ApiKeyRequired: true\n        AddApiKeyRequiredToCorsPreflight: false\n",
            false,
        ),
    ];
    for (auth, preflight) in cases {
        let stack = ok(&auth_api(auth, &events));
        let api = api(&stack, "MyApi");
        let get = method(api, "/a", "GET");
        assert!(get.api_key_required);
        assert_eq!(
            get.provenance.api_key_required_at.as_ref().map(|l| l.line),
            Some(22),
            "{auth}"
        );
        assert_eq!(
            method(api, "/a", "OPTIONS").api_key_required,
            preflight,
            "{auth}"
        );
        // The event's `ApiKeyRequired: false` opts that method out.
        assert!(!method(api, "/b", "GET").api_key_required);
        assert_eq!(method(api, "/b", "OPTIONS").api_key_required, preflight);
        assert_eq!(api.api_key_source, ApiKeySource::Header);
    }
}

#[test]
fn rule_9_1_default_authorizer_and_the_preflight_flag() {
    let authorizers = "        DefaultAuthorizer: Req
        Authorizers:
          Req:
            FunctionPayloadType: REQUEST
            FunctionArn: !GetAtt AuthFn.Arn
            Identity: {Headers: [Authorization1], QueryStrings: [q]}
          Tok:
            FunctionArn: !GetAtt AuthFn.Arn
          Pool:
            UserPoolArn: arn:aws:cognito-idp:us-east-1:123456789012:userpool/x
";
    let events = format!(
        "{GET_A}        B: {{Type: Api, Properties: {{Path: /b, Method: get, RestApiId: !Ref MyApi, Auth: {{Authorizer: NONE}}}}}}\n        C: {{Type: Api, Properties: {{Path: /c, Method: get, RestApiId: !Ref MyApi, Auth: {{Authorizer: Tok}}}}}}\n        D: {{Type: Api, Properties: {{Path: /d, Method: get, RestApiId: !Ref MyApi, Auth: {{Authorizer: Pool}}}}}}\n        E: {{Type: Api, Properties: {{Path: /e, Method: get, RestApiId: !Ref MyApi, Auth: {{Authorizer: AWS_IAM}}}}}}\n"
    );
    for (extra, preflight) in [
        ("", true),
        (
            "        AddDefaultAuthorizerToCorsPreflight: false\n",
            false,
        ),
    ] {
        let stack = ok(&auth_api(&format!("{authorizers}{extra}"), &events));
        let api = api(&stack, "MyApi");
        let Authorization::Authorizer(req) = &method(api, "/a", "GET").authorization else {
            panic!("{:?}", method(api, "/a", "GET"))
        };
        assert_eq!(req.kind, AuthorizerKind::Request);
        assert_eq!(
            req.identity_sources,
            [
                "method.request.header.Authorization1",
                "method.request.querystring.q"
            ]
        );
        assert_eq!(req.function, Some(0));
        assert_eq!(
            method(api, "/a", "GET")
                .provenance
                .authorization_at
                .as_ref()
                .map(|l| l.line),
            Some(25)
        );
        assert_eq!(
            method(api, "/a", "OPTIONS").authorization != Authorization::None,
            preflight
        );
        assert_eq!(method(api, "/b", "GET").authorization, Authorization::None);
        let Authorization::Authorizer(tok) = &method(api, "/c", "GET").authorization else {
            panic!()
        };
        assert_eq!(
            (tok.kind, tok.identity_sources.as_slice()),
            (
                AuthorizerKind::Token,
                ["method.request.header.Authorization".to_owned()].as_slice()
            )
        );
        let Authorization::Authorizer(pool) = &method(api, "/d", "GET").authorization else {
            panic!()
        };
        assert_eq!(pool.kind, AuthorizerKind::CognitoUserPools);
        assert_eq!(
            method(api, "/e", "GET").authorization,
            Authorization::AwsIam
        );
    }
}

#[test]
fn rule_9_2_sam_fixtures_preflight_flags() {
    let root = fixtures();
    let cases = [
        (
            "api_with_cors_and_apikey",
            "MyApi",
            "/apione",
            true,
            false,
            false,
        ),
        (
            "api_with_cors_and_auth_preflight_auth",
            "ServerlessApi",
            "/",
            false,
            true,
            true,
        ),
        (
            "api_with_cors_and_auth_no_preflight_auth",
            "ServerlessApi",
            "/",
            false,
            true,
            false,
        ),
    ];
    for (name, id, path, get_key, get_auth, options_auth) in cases {
        let stack = load(&root.join(format!("input/{name}.yaml")), &stubbed())
            .unwrap_or_else(|e| panic!("{e}"));
        let api = api(&stack, id);
        assert_eq!(method(api, path, "GET").api_key_required, get_key, "{name}");
        assert!(!method(api, path, "OPTIONS").api_key_required, "{name}");
        assert_eq!(
            method(api, path, "GET").authorization != Authorization::None,
            get_auth,
            "{name}"
        );
        assert_eq!(
            method(api, path, "OPTIONS").authorization != Authorization::None,
            options_auth,
            "{name}"
        );
    }
}

#[test]
fn usage_plans_create_generated_api_keys() {
    let stack = ok(&auth_api(
        "        ApiKeyRequired: true\n        UsagePlan: {CreateUsagePlan: PER_API}\n",
        GET_A,
    ));
    assert_eq!(stack.api_keys.len(), 1);
    let key = &stack.api_keys[0];
    assert_eq!(key.logical_id, "MyApiApiKey");
    assert!(key.generated && key.enabled);
    assert_eq!(key.value.len(), 40);
    let err = load_text(
        &auth_api("        UsagePlan: {CreateUsagePlan: ALL}\n", GET_A),
        &[],
    )
    .expect_err("bad");
    assert!(
        err.message.contains("'CreateUsagePlan' accepts one of"),
        "{err}"
    );
}

#[test]
fn rule_3_2_gateway_responses_shapes_and_errors() {
    let responses = "      GatewayResponses:
        DEFAULT_4XX:
          ResponseParameters:
            Headers: {Access-Control-Allow-Origin: \"'*'\"}
            QueryStrings: {q: \"'1'\"}
        UNAUTHORIZED:
          StatusCode: 401
          ResponseTemplates: {application/json: '{\"m\":$context.error.messageString}'}
";
    let stack = ok(&cors_api(responses, GET_A));
    let api = api(&stack, "MyApi");
    let [four, unauth] = api.gateway_responses.as_slice() else {
        panic!("{:?}", api.gateway_responses)
    };
    assert_eq!(four.response_type, "DEFAULT_4XX");
    assert_eq!(four.status_code, None);
    let keys: Vec<&str> = four
        .response_parameters
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "gatewayresponse.header.Access-Control-Allow-Origin",
            "gatewayresponse.querystring.q"
        ]
    );
    assert!(
        four.response_templates.is_empty(),
        "SAM writes responseTemplates: {{}}"
    );
    assert_eq!(unauth.status_code, Some(401));
    assert_eq!(
        unauth.response_templates["application/json"],
        "{\"m\":$context.error.messageString}"
    );
    let cases = [
        (
            "      GatewayResponses: {DEFAULT_4XX: {StatusCode: '4000'}}\n",
            "Property 'StatusCode' must be numeric",
        ),
        (
            "      GatewayResponses: {DEFAULT_4XX: {Foo: 1}}\n",
            "Invalid property 'Foo' in 'GatewayResponses' property 'DEFAULT_4XX'.",
        ),
        (
            "      GatewayResponses: {DEFAULT_4XX: {ResponseParameters: {Cookies: {}}}}\n",
            "Invalid gateway response parameter 'Cookies'",
        ),
        (
            "      GatewayResponses: {DEFAULT_4XX: !Ref AWS::NoValue}\n",
            "intrinsic functions are not supported",
        ),
        (
            "      GatewayResponses: {DEFAULT_4XX: x}\n",
            "Invalid property type 'str' for GatewayResponses.",
        ),
    ];
    for (text, message) in cases {
        let err = load_text(&cors_api(text, GET_A), &[]).expect_err(text);
        assert!(err.message.contains(message), "{text}: {err}");
    }
}

#[test]
fn openapi_definition_body_mock_proxy_and_extensions() {
    let body = "      ApiKeySourceType: AUTHORIZER
      DefinitionBody:
        openapi: 3.0.1
        x-amazon-apigateway-binary-media-types: ['image~1png']
        x-amazon-apigateway-gateway-responses:
          DEFAULT_5XX: {statusCode: '502', responseParameters: {gatewayresponse.header.X: \"'y'\"}}
        components:
          securitySchemes:
            key: {type: apiKey, name: x-api-key, in: header}
            iam: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}
        paths:
          /m:
            get:
              security: [{key: []}]
              x-amazon-apigateway-integration:
                type: mock
                passthroughBehavior: never
                requestTemplates: {application/json: '{\"statusCode\": 201}'}
                responses:
                  '4\\d{2}': {statusCode: '400'}
                  default:
                    statusCode: '201'
                    responseParameters: {method.response.header.A: \"'b'\"}
                    responseTemplates: {application/json: '{}'}
          /p/{proxy+}:
            x-amazon-apigateway-any-method:
              security: [{iam: []}]
              x-amazon-apigateway-integration:
                type: aws_proxy
                uri: !Join ['', ['arn:aws:apigateway:', !Ref AWS::Region, ':lambda:path/2015-03-31/functions/', !GetAtt Fn.Arn, '/invocations']]
          /h:
            get:
              x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: 'https://example.com'}
";
    let stack = ok(&cors_api(body, ""));
    let api = api(&stack, "MyApi");
    let get = method(api, "/m", "GET");
    assert!(get.api_key_required);
    let Integration::Mock(mock) = &get.integration else {
        panic!()
    };
    assert_eq!(mock.passthrough_behavior, PassthroughBehavior::Never);
    assert_eq!(
        mock.responses[0].selection_pattern.as_deref(),
        Some("4\\d{2}")
    );
    assert_eq!(mock.responses[1].selection_pattern, None);
    assert_eq!(
        mock.responses[1].response_parameters["method.response.header.A"],
        "'b'"
    );
    let any = method(api, "/p/{proxy+}", "ANY");
    assert!(matches!(
        any.integration,
        Integration::LambdaProxy { function: 0, .. }
    ));
    assert_eq!(any.authorization, Authorization::AwsIam);
    assert!(matches!(
        &method(api, "/h", "GET").integration,
        Integration::Http(backend) if backend.proxy && backend.uri == "https://example.com"
    ));
    assert_eq!(api.binary_media_types, ["image/png"]);
    assert_eq!(api.api_key_source, ApiKeySource::Authorizer);
    assert_eq!(api.gateway_responses[0].status_code, Some(502));
    // An unknown Lambda function is a located error.
    let err =
        load_text(&cors_api(&body.replace("Fn.Arn", "Nope.Arn"), ""), &[]).expect_err("unknown");
    assert!(err.message.contains("does not declare"), "{err}");
}

#[test]
fn definition_uri_and_aws_include_read_local_files() {
    let doc = "swagger: '2.0'\npaths:\n  /f:\n    get:\n      x-amazon-apigateway-integration: {type: mock, responses: {default: {statusCode: '200'}}}\n";
    let uri = cors_api("      DefinitionUri: ./api.yaml\n", "");
    let stack = load_text(&uri, &[("api.yaml", doc)]).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        method(api(&stack, "MyApi"), "/f", "GET").integration,
        Integration::Mock(_)
    ));
    let include = cors_api(
        "      DefinitionBody:\n        Fn::Transform: {Name: AWS::Include, Parameters: {Location: ./api.yaml}}\n      Cors: \"'*'\"\n",
        "",
    );
    let stack = load_text(&include, &[("api.yaml", doc)]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        options_parameters(api(&stack, "MyApi"), "/f")[0].1,
        "'GET,OPTIONS'"
    );
    let err =
        load_text(&cors_api("      DefinitionUri: s3://b/api.yaml\n", ""), &[]).expect_err("s3");
    assert!(
        err.message.contains("S3") && err.location.line == 15,
        "{err}"
    );
}

/// Acceptance templates that must load with stubs and serve routes (tests/data/external/README.md §1 and §3).
#[test]
fn acceptance_rest_templates_load_with_stubs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/external");
    let mut must_load: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(root.join("real-world/serverless-patterns"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("apigw-cors-") {
            must_load.push(entry.path().join("template.yaml"));
        }
    }
    must_load.push(root.join("localstack/templates/apigateway_serverless_api_resolving.yml"));
    let options = LoadOptions {
        parameter_overrides: [(
            "AllowedOrigin".to_owned(),
            "http://localhost:5173".to_owned(),
        )]
        .into(),
        ..stubbed()
    };
    for path in &must_load {
        let stack = load(path, &options).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            stack.rest_apis.iter().any(|a| !a.resources.is_empty()),
            "{}: no routes",
            path.display()
        );
    }
    // The Jinja-templated JSON is not valid JSON/YAML until rendered: a located error is fine.
    let jinja = root.join("localstack/templates/apigateway-mock-cors-deployment.json");
    match load(&jinja, &stubbed()) {
        Ok(stack) => println!(
            "note: {} loaded: {} APIs",
            jinja.display(),
            stack.rest_apis.len()
        ),
        Err(e) => {
            println!("note: {e}");
            assert!(e.location.line >= 1, "{e}");
        }
    }
}

/// OpenAPI `type: aws` with a Lambda `uri`: the same, with responses keyed by pattern and
/// the REST default timeout.
#[test]
fn openapi_aws_lambda_integration_keeps_its_mapping() {
    let body = "      DefinitionBody:
        swagger: '2.0'
        paths:
          /c:
            post:
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: !Sub 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations'
                requestTemplates: {application/json: '{\"in\": \"$input.params(''q'')\"}'}
                responses:
                  '.*Bad.*': {statusCode: '400'}
                  default: {statusCode: '200', responseParameters: {method.response.header.X: \"'y'\"}}
          /s:
            post:
              x-amazon-apigateway-integration:
                type: aws
                uri: 'arn:aws:apigateway:us-east-1:dynamodb:action/PutItem'
";
    let stack = ok(&cors_api(body, ""));
    let api = api(&stack, "MyApi");
    let Integration::Lambda {
        function,
        timeout,
        mapping,
    } = &method(api, "/c", "POST").integration
    else {
        panic!()
    };
    assert_eq!(
        (*function, *timeout),
        (0, Integration::REST_DEFAULT_TIMEOUT)
    );
    assert_eq!(
        mapping.passthrough_behavior,
        PassthroughBehavior::WhenNoMatch
    );
    assert_eq!(
        mapping.request_templates["application/json"].text,
        "{\"in\": \"$input.params('q')\"}"
    );
    assert_eq!(
        mapping.responses[0].selection_pattern.as_deref(),
        Some(".*Bad.*")
    );
    assert_eq!(mapping.responses[1].selection_pattern, None);
    assert_eq!(
        mapping.responses[1].response_parameters["method.response.header.X"],
        "'y'"
    );
    assert_eq!(
        method(api, "/s", "POST").integration,
        Integration::NotServed {
            integration_type: "AWS".to_owned()
        }
    );
    // An unknown function is a located error, as for aws_proxy.
    let err =
        load_text(&cors_api(&body.replace("Fn.Arn", "Nope.Arn"), ""), &[]).expect_err("unknown");
    assert!(err.message.contains("does not declare"), "{err}");
}

/// Routes of an API as `METHOD /path` strings, sorted.
fn route_list(api: &RestApi) -> Vec<String> {
    let mut routes: Vec<String> = api
        .resources
        .iter()
        .flat_map(|r| {
            r.methods
                .iter()
                .map(move |m| format!("{} {}", m.http_method, r.path))
        })
        .collect();
    routes.sort();
    routes
}

#[test]
fn events_do_not_add_paths_to_a_user_definition_body() {
    // Application Composer style: the body declares POST /, and the function's event names it
    // again. SAM adds event paths only to a definition it generates, so this deploys.
    let text = "Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody:
        openapi: '3.0'
        info: {}
        paths:
          /:
            post:
              x-amazon-apigateway-integration:
                httpMethod: POST
                type: aws_proxy
                uri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
              responses: {}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: 'def handler(e, c): return {}'
      Events:
        Post: {Type: Api, Properties: {Path: /, Method: POST, RestApiId: !Ref Api}}
        Other: {Type: Api, Properties: {Path: /other, Method: GET, RestApiId: !Ref Api}}
";
    let stack = ok(text);
    assert_eq!(route_list(api(&stack, "Api")), ["POST /"]);
    let warning = stack
        .warnings
        .iter()
        .find(|w| w.message.contains("/other"))
        .expect("the event missing from the body is reported");
    assert!(
        warning.message.contains("MergeDefinitions"),
        "{}",
        warning.message
    );

    // With MergeDefinitions, events are merged into the body.
    let merged = text.replace(
        "      StageName: Prod\n",
        "      StageName: Prod\n      MergeDefinitions: true\n",
    );
    let stack = ok(&merged);
    assert_eq!(route_list(api(&stack, "Api")), ["GET /other", "POST /"]);
}

#[test]
fn events_on_a_raw_rest_api_only_grant_permission() {
    let text = "Transform: AWS::Serverless-2016-10-31
Resources:
  Raw:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: raw}
  Res:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Raw, ParentId: !GetAtt Raw.RootResourceId, PathPart: items}
  Get:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Raw
      ResourceId: !Ref Res
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations
  Stage:
    Type: AWS::ApiGateway::Deployment
    Properties: {RestApiId: !Ref Raw, StageName: dev}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: 'def handler(e, c): return {}'
      Events:
        Get: {Type: Api, Properties: {Path: /items, Method: GET, RestApiId: !Ref Raw}}
";
    let stack = ok(text);
    assert_eq!(stack.rest_apis.len(), 1, "no implicit API is created");
    assert_eq!(route_list(api(&stack, "Raw")), ["GET /items"]);
}
