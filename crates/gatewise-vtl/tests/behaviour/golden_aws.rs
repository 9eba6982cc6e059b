//! AWS-recorded template → output pairs. Expected outputs are copied from LocalStack's snapshot
//! files (recorded against real AWS); each test names the snapshot test id.

use gatewise_vtl::{Input, Limits, Template, Value, context_skeleton, overrides};

use crate::{render_body, render_with};

/// The HTTP echo backend of `test_input_path_template_formatting` returns the request JSON under
/// `json`; the response template then reads `$input.path("$.json")`.
fn echo(request_json: &str) -> String {
    format!(r##"{{"json": {request_json}}}"##)
}

const PATH: &str = r##"#set($result = $input.path("$.json"))$result"##;
const NESTED: &str = r##"#set($result = $input.path("$.json"))$result.nested"##;
const LIST: &str = r##"#set($result = $input.path("$.json"))$result[0]"##;
const TO_STRING: &str = r##"#set($result = $input.path("$.json"))$result.toString()"##;
const INVALID_PATH: &str = r##"#set($result = $input.path("$.nonExisting")){"body": $result, "nested": $result.nested, "isNull": #if( $result == $null )"true"#else"false"#end, "isEmptyString": #if( $result == "" )"true"#else"false"#end}"##;
const NESTED_LIST: &str = r##"#set($result = $input.path("$.json.listValue")){"body": $result, "nested": $result.nested, "isNull": #if( $result == $null )"true"#else"false"#end, "isEmptyString": #if( $result == "" )"true"#else"false"#end}"##;

/// test_apigateway_common.snapshot.json,
/// TestApiGatewayCommon::test_input_path_template_formatting (recorded 2025-06-18).
#[test]
fn test_input_path_template_formatting() {
    let cases = [
        (
            "dict-response",
            PATH,
            echo(r##"{"foo": "bar"}"##),
            "{foo=bar}",
        ),
        (
            "json-list",
            PATH,
            echo(r##"[{"foo": "bar"}]"##),
            r##"[{"foo":"bar"}]"##,
        ),
        (
            "nested-dict",
            NESTED,
            echo(r##"{"nested": {"foo": "bar"}}"##),
            "{foo=bar}",
        ),
        (
            "nested-list",
            NESTED,
            echo(r##"{"nested": [{"foo": "bar"}]}"##),
            r##"[{"foo":"bar"}]"##,
        ),
        (
            "dict-in-list",
            LIST,
            echo(r##"[{"foo": "bar"}]"##),
            "{foo=bar}",
        ),
        (
            "list-with-nested-list",
            LIST,
            echo(r##"[[{"foo": "bar"}]]"##),
            r##"[{"foo":"bar"}]"##,
        ),
        (
            "dict-with-nested-list",
            PATH,
            echo(r##"{"foo": [{"nested": "bar"}]}"##),
            r##"{foo=[{"nested":"bar"}]}"##,
        ),
        (
            "bigger-dict",
            PATH,
            echo(r##"{"bigger": "dict", "to": "test", "with": "separators"}"##),
            "{bigger=dict, to=test, with=separators}",
        ),
        (
            "to-string",
            TO_STRING,
            echo(r##"{"foo": "bar"}"##),
            "{foo=bar}",
        ),
        (
            "list-to-string",
            TO_STRING,
            echo(r##"{"list": [{"foo": "bar"}]}"##),
            r##"{list=[{"foo":"bar"}]}"##,
        ),
        (
            "empty-body",
            INVALID_PATH,
            echo("null"),
            r##"{"body": , "nested": , "isNull": "true", "isEmptyString": "true"}"##,
        ),
        (
            "nested-empty-list",
            NESTED_LIST,
            echo(r##"{"listValue": []}"##),
            r##"{"body": [], "nested": , "isNull": "false", "isEmptyString": "false"}"##,
        ),
        (
            "nested-null-list",
            NESTED_LIST,
            echo(r##"{"listValue": null}"##),
            r##"{"body": , "nested": , "isNull": "true", "isEmptyString": "true"}"##,
        ),
    ];
    for (name, template, body, expected) in cases {
        assert_eq!(render_body(template, &body), expected, "{name}");
    }
}

const RAW_BODY: &str = "#set($result = $input.body)$result";
const BODY_IN_STRING: &str = "Action=SendMessage&MessageBody=$input.body";
const BODY_ATTRIBUTE_ACCESS: &str = "#set($result = $input.body.testAccess)$result";
const URL_ENCODE: &str = "EncodedBody=$util.urlEncode($input.body)&EncodedBodyAccess=$util.urlEncode($input.body.testAccess)";

/// test_apigateway_common.snapshot.json, TestApiGatewayCommon::test_input_body_formatting
/// (recorded 2025-03-19): request template, echo Lambda, response template.
#[test]
fn test_input_body_formatting() {
    let bodies = [
        ("empty-body", ""),
        ("json-body", r##"{"some": "value"}"##),
        ("str-body", "some raw data"),
    ];
    let routes = [
        (
            "raw-body",
            RAW_BODY,
            RAW_BODY,
            [r"{}", r##"{"some": "value"}"##, "some raw data"],
        ),
        (
            "str-body-input",
            BODY_IN_STRING,
            RAW_BODY,
            [
                "Action=SendMessage&MessageBody={}",
                r##"Action=SendMessage&MessageBody={"some": "value"}"##,
                "Action=SendMessage&MessageBody=some raw data",
            ],
        ),
        (
            "str-body-output",
            RAW_BODY,
            BODY_IN_STRING,
            [
                "Action=SendMessage&MessageBody={}",
                r##"Action=SendMessage&MessageBody={"some": "value"}"##,
                "Action=SendMessage&MessageBody=some raw data",
            ],
        ),
        (
            "str-body-all",
            BODY_IN_STRING,
            BODY_IN_STRING,
            [
                "Action=SendMessage&MessageBody=Action=SendMessage&MessageBody={}",
                r##"Action=SendMessage&MessageBody=Action=SendMessage&MessageBody={"some": "value"}"##,
                "Action=SendMessage&MessageBody=Action=SendMessage&MessageBody=some raw data",
            ],
        ),
        (
            "body-attr-access",
            BODY_ATTRIBUTE_ACCESS,
            RAW_BODY,
            ["{}", "{}", "{}"],
        ),
        (
            "url-encode",
            URL_ENCODE,
            RAW_BODY,
            [
                "EncodedBody=%7B%7D&EncodedBodyAccess=",
                "EncodedBody=%7B%22some%22%3A+%22value%22%7D&EncodedBodyAccess=",
                "EncodedBody=some+raw+data&EncodedBodyAccess=",
            ],
        ),
    ];
    for (route, request_template, response_template, expected) in routes {
        for ((body_name, body), expected) in bodies.iter().zip(expected) {
            let sent_to_lambda = render_body(request_template, body);
            // The echo Lambda returns exactly the body it got.
            let returned = render_body(response_template, &sent_to_lambda);
            assert_eq!(returned, expected, "response-{route} / {body_name}");
        }
    }
}

/// test_apigateway_integrations.snapshot.json,
/// test_integration_mock_with_vtl_map_assignation (recorded 2025-05-29).
#[test]
fn test_integration_mock_with_vtl_map_assignation() {
    let request_template = r##"
#set($paramName = "foo")
#set($context.requestOverride.querystring[$paramName] = "bar")
#set($paramPutName = "putfoo")
$context.requestOverride.querystring.put($paramPutName, "putBar")
#set($context["requestOverride"].querystring["nestedfoo"] = "nestedFoo")
{
  "statusCode": 200
}
"##;
    let response_template = r##"
#set($value = $context.requestOverride.querystring["foo"])
#set($value2 = $context.requestOverride.querystring["putfoo"])
#set($value3 = $context.requestOverride.querystring["nestedfoo"])
{
    "value": "$value",
    "value2": "$value2",
    "value3": "$value3"
}
"##;
    let mut context = context_skeleton();
    let request = render_with(request_template, &Input::default(), &mut context);
    assert_eq!(
        request, "\n\n{\n  \"statusCode\": 200\n}\n",
        "put() renders nothing"
    );
    let response = render_with(response_template, &Input::default(), &mut context);
    let body: serde_json::Value = serde_json::from_str(&response).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"value": "bar", "value2": "putBar", "value3": "nestedFoo"})
    );
    let overridden = overrides(&context).unwrap();
    let querystring: Vec<(&str, &str)> = overridden
        .request_querystring
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        querystring,
        [
            ("foo", "bar"),
            ("putfoo", "putBar"),
            ("nestedfoo", "nestedFoo")
        ]
    );
}

/// test_apigateway_integrations.snapshot.json,
/// test_integration_mock_with_response_override_in_request_template[True] and [False]
/// (recorded 2025-05-16): status 444 and header foo reach the client; the response template
/// reads them back.
#[test]
fn test_integration_mock_with_response_override_in_request_template() {
    let request_template = r##"
#set($context.responseOverride.status = 444)
#set($context.responseOverride.header.foo = "bar")
#set($context.responseOverride.custom = "is also passed around")
{
  "statusCode": 200
}
"##;
    let response_template = r##"
#set($statusOverride = $context.responseOverride.status)
#set($fooHeader = $context.responseOverride.header.foo)
#set($custom = $context.responseOverride.custom)
{
    "statusOverride": "$statusOverride",
    "fooHeader": "$fooHeader",
    "custom": "$custom"
}
"##;
    let mut context = context_skeleton();
    render_with(request_template, &Input::default(), &mut context);
    let after_request = overrides(&context).unwrap();
    assert_eq!(after_request.response_status, Some(444));
    assert_eq!(
        after_request.response_header.get("foo").map(String::as_str),
        Some("bar")
    );
    let response = render_with(response_template, &Input::default(), &mut context);
    let body: serde_json::Value = serde_json::from_str(&response).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"custom": "is also passed around", "fooHeader": "bar", "statusOverride": "444"})
    );
}

/// test_apigateway_integrations.snapshot.json,
/// test_integration_mock_with_request_overrides_in_response_template (recorded 2024-11-06).
#[test]
fn test_integration_mock_with_request_overrides_in_response_template() {
    let request_template = r##"#set($body = $util.base64Decode($input.params('testPath')))
#set($context.requestOverride.path.body = $body)
{
  "statusCode": 200
}
"##;
    let response_template = r##"
#set($body = $util.parseJson($context.requestOverride.path.body))
#set($inputBody = $body.message)
#if($inputBody == "path1")
{
   "response": "path was path one"
}
#elseif($inputBody == "path2")
{
   "response": "path was path two"
}
#else
{
  "response": "this is the else clause"
}
#end
"##;
    // base64 of {"message": "path1"}, {"message": "path2"}, {"message": "whatever"}
    let cases = [
        ("eyJtZXNzYWdlIjogInBhdGgxIn0=", "path was path one"),
        ("eyJtZXNzYWdlIjogInBhdGgyIn0=", "path was path two"),
        (
            "eyJtZXNzYWdlIjogIndoYXRldmVyIn0=",
            "this is the else clause",
        ),
    ];
    for (segment, expected) in cases {
        let mut context = context_skeleton();
        let path = [("testPath", segment)];
        let input = Input {
            path: &path,
            ..Input::default()
        };
        render_with(request_template, &input, &mut context);
        let response = render_with(response_template, &Input::default(), &mut context);
        let body: serde_json::Value = serde_json::from_str(&response).unwrap();
        assert_eq!(body, serde_json::json!({"response": expected}), "{segment}");
    }
}

/// test_apigateway_integrations.snapshot.json, test_integration_mock_with_path_param
/// (recorded 2024-11-29): a request template that is not JSON is still rendered as is.
#[test]
fn test_integration_mock_with_path_param() {
    assert_eq!(render_body("{statusCode: 200}", ""), "{statusCode: 200}");
}

/// test_apigateway_integrations.snapshot.json, test_apigateway_header_remapping_http[HTTP]
/// (recorded 2024-12-11): the 12 hop-by-hop / control headers are invisible to templates.
#[test]
fn test_apigateway_header_remapping_http_hidden_headers() {
    let headers = [
        ("Connection", "keep-alive"),
        ("Content-Length", "2"),
        ("Content-MD5", "x"),
        ("Expect", "100-continue"),
        ("Max-Forwards", "3"),
        ("Proxy-Authenticate", "x"),
        ("Server", "x"),
        ("TE", "trailers"),
        ("Transfer-Encoding", "chunked"),
        ("Trailer", "x"),
        ("Upgrade", "h2c"),
        ("WWW-Authenticate", "x"),
        ("X-Custom", "visible"),
        ("Authorization", "token"),
    ];
    let template = headers
        .iter()
        .map(|(name, _)| format!("{name}=$input.params('{name}');"))
        .collect::<String>();
    let input = Input {
        header: &headers,
        ..Input::default()
    };
    let output = render_with(&template, &input, &mut context_skeleton());
    let expected = headers
        .iter()
        .map(|(name, value)| {
            let visible = matches!(*name, "X-Custom" | "Authorization");
            format!("{name}={};", if visible { value } else { &"" })
        })
        .collect::<String>();
    assert_eq!(output, expected);
    let all = render_with("$input.params().header", &input, &mut context_skeleton());
    assert_eq!(all, "{X-Custom=visible, Authorization=token}");
}

/// test_apigateway_lambda.snapshot.json, test_lambda_aws_integration_with_request_template
/// (recorded 2023-05-31): `?param1=foobar&Signature=1` → `{"param1": "foobar"}`.
#[test]
fn test_lambda_aws_integration_with_request_template() {
    let query = [("param1", "foobar"), ("Signature", "1")];
    let input = Input {
        querystring: &query,
        ..Input::default()
    };
    let output = render_with(
        r##"{"param1": "$input.params('param1')"}"##,
        &input,
        &mut context_skeleton(),
    );
    assert_eq!(output, r##"{"param1": "foobar"}"##);
}

/// test_apigateway_lambda.snapshot.json,
/// test_lambda_aws_integration_response_with_mapping_templates (recorded 2023-09-17), with
/// LocalStack's tests/aws/files/response-template.vm: the status follows the body.
#[test]
fn test_lambda_aws_integration_response_with_mapping_templates() {
    let template = r##"#set($inputRoot = $input.path('$'))
$input.json("$")
#if($inputRoot.toString().contains("customerror"))
    #set($context.responseOverride.status = 400)
#else
    #set($context.responseOverride.status = 202)
#end
"##;
    for (body, status) in [
        (r##"{"data": "customerror"}"##, 400),
        (r##"{"data": "ok"}"##, 202),
    ] {
        let mut context = context_skeleton();
        let input = Input {
            body: body.as_bytes(),
            ..Input::default()
        };
        let output = render_with(template, &input, &mut context);
        let compact: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(output, format!("{compact}\n"), "{body}");
        assert_eq!(overrides(&context).unwrap().response_status, Some(status));
    }
}

/// test_apigateway_sqs.snapshot.json, test_sqs_amz_json_protocol (recorded 2025-05-20): the
/// `$context` enumeration order, nested context objects rendering empty, and no authorizer.
#[test]
fn test_sqs_amz_json_protocol_context_enumeration() {
    let template = concat!(
        r##"{"context": {#foreach( $key in $context.keySet() )"$key": "$context.get($key)"#if($foreach.hasNext),#end#end},"##,
        r##""identity": {#foreach( $key in $context.identity.keySet() )"$key": "$context.identity.get($key)"#if($foreach.hasNext),#end#end},"##,
        r##""requestOverride": {#foreach( $key in $context.requestOverride.keySet() )"$key": "$context.requestOverride.get($key)"#if($foreach.hasNext),#end#end},"##,
        r##""responseOverride": {#foreach( $key in $context.responseOverride.keySet() )"$key": "$context.responseOverride.get($key)"#if($foreach.hasNext),#end#end},"##,
        r##""authorizer_keys": {#foreach( $key in $context.authorizer.keySet() )"$key": "$util.escapeJavaScript($context.authorizer.get($key))"#if($foreach.hasNext),#end#end}}"##,
    );
    let mut context = context_skeleton();
    for (key, value) in [
        ("resourcePath", "/sqs"),
        ("httpMethod", "POST"),
        ("path", "/testing/sqs"),
        ("accountId", "111111111111"),
        ("protocol", "HTTP/1.1"),
        ("stage", "testing"),
    ] {
        assert!(context.set_path(&[key], Value::from(value)));
    }
    assert!(context.set_path(
        &["identity", "userAgent"],
        Value::from("python/requests/tests")
    ));
    let output = render_with(template, &Input::default(), &mut context);
    let rendered: serde_json::Value = serde_json::from_str(&output).unwrap();
    let keys: Vec<&str> = rendered["context"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "resourceId",
            "resourcePath",
            "httpMethod",
            "extendedRequestId",
            "requestTime",
            "path",
            "accountId",
            "protocol",
            "requestOverride",
            "stage",
            "domainPrefix",
            "requestTimeEpoch",
            "requestId",
            "identity",
            "domainName",
            "deploymentId",
            "responseOverride",
            "apiId",
        ]
    );
    for hidden in ["identity", "requestOverride", "responseOverride"] {
        assert_eq!(rendered["context"][hidden], "", "{hidden} renders empty");
    }
    assert_eq!(rendered["context"]["path"], "/testing/sqs");
    assert_eq!(
        rendered["identity"],
        serde_json::json!({
            "cognitoIdentityPoolId": "", "accountId": "", "cognitoIdentityId": "", "caller": "",
            "sourceIp": "", "principalOrgId": "", "accessKey": "", "cognitoAuthenticationType": "",
            "cognitoAuthenticationProvider": "", "userArn": "", "userAgent": "python/requests/tests", "user": ""
        })
    );
    assert_eq!(
        rendered["requestOverride"],
        serde_json::json!({"path": "", "header": "", "querystring": ""})
    );
    assert_eq!(
        rendered["responseOverride"],
        serde_json::json!({"header": ""})
    );
    assert_eq!(rendered["authorizer_keys"], serde_json::json!({}));
}

/// test_apigateway_kinesis.snapshot.json (recorded 2024-11-20): LocalStack's
/// KINESIS_PUT_RECORDS_INTEGRATION template: `size()`, a range `#foreach`, `base64Encode`,
/// `.length()` and an undefined reference compared with `!= ''` (the else branch is taken).
#[test]
fn test_apigateway_kinesis_put_records_template() {
    let template = r##"{
    "StreamName": "stream",
    "Records": [
        #set( $numRecords = $input.path('$.records').size() )
        #if($numRecords > 0)
            #set( $maxIndex = $numRecords - 1 )
            #foreach( $idx in [0..$maxIndex] )
                #set( $elem = $input.path("$.records[${idx}]") )
                #set( $elemJsonB64 = $util.base64Encode($elem.data) )
                {
                    "Data": "$elemJsonB64",
                    "PartitionKey": #if( $foo.bar.stuff != '')"$elem.partitionKey"#else"$elemJsonB64.length()"#end
                }#if($foreach.hasNext),#end
            #end
        #end
    ]
}"##;
    let body = r##"{"records": [{"data": "Test Data", "partitionKey": "pk"}, {"data": "Another", "partitionKey": "pk"}]}"##;
    let output = render_body(template, body);
    let rendered: serde_json::Value =
        serde_json::from_str(&output).unwrap_or_else(|error| panic!("{error}: {output}"));
    assert_eq!(
        rendered,
        serde_json::json!({
            "StreamName": "stream",
            "Records": [
                {"Data": "VGVzdCBEYXRh", "PartitionKey": "12"},
                {"Data": "QW5vdGhlcg==", "PartitionKey": "12"}
            ]
        })
    );
}

/// tests/data/external/README.md §1 item 9: `{"statusCode": 200, "id": $input.params().path.id}`
/// on `/42`.
#[test]
fn params_path_value_renders_raw() {
    let path = [("id", "42")];
    let input = Input {
        path: &path,
        ..Input::default()
    };
    let output = render_with(
        r##"{"statusCode": 200, "id": $input.params().path.id}"##,
        &input,
        &mut context_skeleton(),
    );
    let body: serde_json::Value = serde_json::from_str(&output).unwrap();
    assert_eq!(body, serde_json::json!({"id": 42, "statusCode": 200}));
}

/// "Overrides are final": a second override of one parameter fails the render (AWS: 5XX).
#[test]
fn second_override_of_the_same_parameter_is_an_error() {
    let cases = [
        "#set($context.requestOverride.header.x = 'a')\n#set($context.requestOverride.header.x = 'b')",
        "#set($context.requestOverride.querystring['q'] = 'a')$context.requestOverride.querystring.put('q', 'b')",
        "#set($q = $context.requestOverride.path)#set($q.p = 1)#set($context.requestOverride.path.p = 2)",
        "#set($context.responseOverride.status = 400)\n#set($context.responseOverride.status = 500)",
        "#set($context.responseOverride.header.h = 'a')#set($context.responseOverride.header.h = 'a')",
    ];
    for template in cases {
        let parsed = Template::parse(template).unwrap();
        let error = parsed
            .render(
                &Input::default(),
                &mut context_skeleton(),
                &Limits::default(),
            )
            .unwrap_err();
        assert!(
            error.message.contains("Overrides are final"),
            "{template}: {error}"
        );
    }
    // Different parameters, and non-override keys, may be set freely.
    let fine = "#set($context.responseOverride.custom = 1)#set($context.responseOverride.custom = 2)#set($context.requestOverride.header.a = 1)#set($context.requestOverride.header.b = 1)";
    render_with(fine, &Input::default(), &mut context_skeleton());
}

#[test]
fn non_numeric_status_override_is_reported() {
    let mut context = context_skeleton();
    render_with(
        "#set($context.responseOverride.status = 'teapot')",
        &Input::default(),
        &mut context,
    );
    assert!(overrides(&context).unwrap_err().contains("teapot"));
    let mut context = context_skeleton();
    render_with(
        "#set($context.responseOverride.status = '201')",
        &Input::default(),
        &mut context,
    );
    assert_eq!(overrides(&context).unwrap().response_status, Some(201));
}
