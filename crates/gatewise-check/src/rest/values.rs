//! The header values a REST preflight answers with: quoted at all (spec 1.8), one origin
//! (1.10), credentials with `*`, Allow-Headers present (1.7), `*` with Authorization,
//! Max-Age within what browsers keep, and Allow-Methods covering the resource's methods.

use gatewise_cors::fetch::{CHROMIUM_MAX_AGE_CAP, is_cors_safelisted_method};
use gatewise_model::{Method, Stack};
use gatewise_template::DEPLOY_ERROR_INVALID_MAPPING_EXPRESSION;

use super::{
    PreflightMock, RESPONSE_HEADER, is_sam_api, locate_header, mapped_header, preflight_mocks,
    sends_authorization,
};
use crate::rules::{
    CORS_MAX_AGE_CAPPED, CORS_WILDCARD_ALLOW_HEADERS, REST_CORS_CREDENTIALS_WILDCARD,
    REST_CORS_MULTIPLE_ORIGINS, REST_CORS_NO_ALLOW_HEADERS, REST_CORS_UNQUOTED_VALUE,
    REST_PREFLIGHT_METHODS_INCOMPLETE,
};
use crate::{Finding, Sources};

/// Firefox's ceiling on Access-Control-Max-Age (24 hours); Chromium's is
/// [`CHROMIUM_MAX_AGE_CAP`].
pub const FIREFOX_MAX_AGE_CAP_SECS: u64 = 86_400;

/// Headers a JSON API's preflight typically asks for, used in fixes.
const TYPICAL_ALLOW_HEADERS: &str = "Content-Type,Authorization";

/// `rest-cors-unquoted-value`: the template loader already warns at every value that is not a
/// mapping expression (spec 1.8); each such warning becomes an error here, with the quoted
/// value as the fix.
pub fn unquoted(stack: &Stack, sources: &Sources, findings: &mut Vec<Finding>) {
    for warning in &stack.warnings {
        if !warning
            .message
            .contains(DEPLOY_ERROR_INVALID_MAPPING_EXPRESSION)
        {
            continue;
        }
        let key = sources
            .key_before(&warning.location)
            .unwrap_or_else(|| "AllowOrigin".to_owned());
        let value = sources.scalar_at(&warning.location).unwrap_or_default();
        findings.push(Finding::new(
            &REST_CORS_UNQUOTED_VALUE,
            warning.location.clone(),
            format!(
                "`{key}: {value}` is not an API Gateway mapping expression, so CloudFormation fails the deployment with \"{DEPLOY_ERROR_INVALID_MAPPING_EXPRESSION}\"; a literal header value needs single quotes inside the YAML string"
            ),
            format!("{key}: \"'{value}'\""),
        ));
    }
}

/// The value rules over every OPTIONS MOCK of `api`.
pub fn check(api: &gatewise_model::RestApi, sources: &Sources, findings: &mut Vec<Finding>) {
    let sam = is_sam_api(api, sources);
    let authorization = sends_authorization(api);
    for mock in preflight_mocks(api) {
        let header =
            |name: &str| mapped_header(&mock.response.response_parameters, RESPONSE_HEADER, name);
        let origin = header("Access-Control-Allow-Origin");
        let credentials = header("Access-Control-Allow-Credentials")
            .is_some_and(|c| c.is_static && c.text == "true");
        if let Some(origin) = origin.as_ref().filter(|o| o.is_static) {
            multiple_origins(&mock, sources, &origin.text, findings);
            if credentials && origin.text.trim() == "*" {
                findings.push(Finding::new(
                    &REST_CORS_CREDENTIALS_WILDCARD,
                    locate_header(sources, mock.method, "Access-Control-Allow-Credentials"),
                    format!(
                        "the OPTIONS method of {} answers Access-Control-Allow-Credentials 'true' with Access-Control-Allow-Origin '*'; browsers refuse '*' for credentialed requests, so every fetch with credentials: 'include' fails",
                        mock.resource.path
                    ),
                    format!(
                        "{RESPONSE_HEADER}Access-Control-Allow-Origin: \"'https://app.example.com'\"  # the page's exact origin"
                    ),
                ));
            }
        }
        let status_ok = mock.response.status_code.starts_with('2');
        match header("Access-Control-Allow-Headers") {
            None if status_ok => no_allow_headers(&mock, sources, sam, findings),
            Some(h) if h.is_static => {
                let items: Vec<&str> = h.text.split(',').map(str::trim).collect();
                let explicit = items
                    .iter()
                    .any(|i| i.eq_ignore_ascii_case("authorization"));
                if items.contains(&"*") && !explicit && (authorization || credentials) {
                    findings.push(Finding::new(
                        &CORS_WILDCARD_ALLOW_HEADERS,
                        locate_header(sources, mock.method, "Access-Control-Allow-Headers"),
                        format!(
                            "Access-Control-Allow-Headers '*' on {} does not cover Authorization in Firefox and Safari (Chromium lets it), which this API's callers send (and means nothing for credentialed requests), so their preflights fail there",
                            mock.resource.path
                        ),
                        header_fix(mock.method, sam, "AllowHeaders", "Access-Control-Allow-Headers", TYPICAL_ALLOW_HEADERS),
                    ));
                }
            }
            _ => {}
        }
        if let Some(age) = header("Access-Control-Max-Age")
            .and_then(|a| a.text.trim().parse::<u64>().ok())
            .filter(|secs| *secs > CHROMIUM_MAX_AGE_CAP.as_secs())
        {
            findings.push(max_age(
                locate_header(sources, mock.method, "Access-Control-Max-Age"),
                age,
                header_fix(mock.method, sam, "MaxAge", "Access-Control-Max-Age", "7200"),
            ));
        }
        if let Some(methods) = header("Access-Control-Allow-Methods").filter(|m| m.is_static) {
            methods_incomplete(&mock, sources, &methods.text, findings);
        }
    }
}

/// `cors-max-age-capped`, shared with HTTP APIs.
pub fn max_age(location: gatewise_model::SourceLocation, secs: u64, fix: String) -> Finding {
    let firefox = if secs > FIREFOX_MAX_AGE_CAP_SECS {
        format!(", Firefox at {FIREFOX_MAX_AGE_CAP_SECS} s")
    } else {
        String::new()
    };
    Finding::new(
        &CORS_MAX_AGE_CAPPED,
        location,
        format!(
            "Access-Control-Max-Age {secs} is more than browsers keep a preflight: Chromium caps it at {} s{firefox}, so preflights repeat sooner than the template suggests",
            CHROMIUM_MAX_AGE_CAP.as_secs()
        ),
        fix,
    )
}

fn multiple_origins(
    mock: &PreflightMock<'_>,
    sources: &Sources,
    origin: &str,
    findings: &mut Vec<Finding>,
) {
    let origin = origin.trim();
    if !origin.contains(',') && !origin.contains(char::is_whitespace) {
        return;
    }
    let first = origin
        .split([',', ' ', '\t'])
        .find(|o| !o.is_empty())
        .unwrap_or("https://app.example.com");
    let sam = mock.method.provenance.generated_from_cors.is_some();
    let key = if sam {
        "AllowOrigin".to_owned()
    } else {
        format!("{RESPONSE_HEADER}Access-Control-Allow-Origin")
    };
    findings.push(Finding::new(
        &REST_CORS_MULTIPLE_ORIGINS,
        locate_header(sources, mock.method, "Access-Control-Allow-Origin"),
        format!(
            "Access-Control-Allow-Origin '{origin}' lists several origins, but a REST API sends the literal as one header value and browsers accept exactly one origin (or '*'), so every origin is refused"
        ),
        format!(
            "{key}: \"'{first}'\"  # one origin; for several, return the caller's Origin from the function\n# or use an HTTP API: CorsConfiguration: {{AllowOrigins: [{}]}}",
            origin
                .split([',', ' ', '\t'])
                .filter(|o| !o.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ));
}

fn no_allow_headers(
    mock: &PreflightMock<'_>,
    sources: &Sources,
    sam: bool,
    findings: &mut Vec<Finding>,
) {
    let string_form = mock
        .method
        .provenance
        .generated_from_cors
        .as_ref()
        .and_then(|cors| sources.locate_key(cors, "Cors").filter(|v| v != cors))
        .and_then(|value| sources.scalar_at(&value))
        .filter(|v| !v.starts_with('{'));
    let (location, why, fix) = match (&mock.method.provenance.generated_from_cors, &string_form) {
        (Some(cors), Some(origin)) => (
            cors.clone(),
            "`Cors` in string form sets only AllowOrigin".to_owned(),
            format!(
                "Cors:\n  AllowOrigin: \"{origin}\"\n  AllowHeaders: \"'{TYPICAL_ALLOW_HEADERS}'\""
            ),
        ),
        (Some(cors), None) => (
            cors.clone(),
            "`Cors` has no AllowHeaders".to_owned(),
            format!("AllowHeaders: \"'{TYPICAL_ALLOW_HEADERS}'\"  # under Cors"),
        ),
        (None, _) => (
            mock.method.location.clone(),
            format!(
                "the OPTIONS method of {} maps no Access-Control-Allow-Headers",
                mock.resource.path
            ),
            header_fix(
                mock.method,
                sam,
                "AllowHeaders",
                "Access-Control-Allow-Headers",
                TYPICAL_ALLOW_HEADERS,
            ),
        ),
    };
    findings.push(Finding::new(
        &REST_CORS_NO_ALLOW_HEADERS,
        location,
        format!(
            "{why}, so the preflight answers without Access-Control-Allow-Headers and the browser refuses any request that sends a header such as Content-Type: application/json or Authorization"
        ),
        fix,
    ));
}

fn methods_incomplete(
    mock: &PreflightMock<'_>,
    sources: &Sources,
    allowed: &str,
    findings: &mut Vec<Finding>,
) {
    let listed: Vec<&str> = allowed.split(',').map(str::trim).collect();
    if listed.contains(&"*") {
        return;
    }
    let missing: Vec<&str> = mock
        .resource
        .methods
        .iter()
        .map(|m| m.http_method.as_str())
        .filter(|m| *m != "OPTIONS" && *m != "ANY" && !is_cors_safelisted_method(m))
        .filter(|m| !listed.contains(m))
        .collect();
    if missing.is_empty() {
        return;
    }
    let mut all = listed.clone();
    all.extend(&missing);
    let sam = mock.method.provenance.generated_from_cors.is_some();
    findings.push(Finding::new(
        &REST_PREFLIGHT_METHODS_INCOMPLETE,
        locate_header(sources, mock.method, "Access-Control-Allow-Methods"),
        format!(
            "{} declares {} but its preflight allows only '{allowed}', so browsers refuse {} from other origins",
            mock.resource.path,
            missing.join(", "),
            if missing.len() == 1 { "that method" } else { "those methods" }
        ),
        header_fix(mock.method, sam, "AllowMethods", "Access-Control-Allow-Methods", &all.join(",")),
    ));
}

/// `AllowHeaders: "'…'"` for a SAM-generated OPTIONS, the `method.response.header.*`
/// mapping otherwise.
fn header_fix(method: &Method, sam: bool, sam_key: &str, header: &str, value: &str) -> String {
    if sam && method.provenance.generated_from_cors.is_some() {
        format!("{sam_key}: \"'{value}'\"")
    } else {
        format!("{RESPONSE_HEADER}{header}: \"'{value}'\"")
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{findings_of, ids};

    const SAM_API: &str = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n";
    const FUNCTION: &str = "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      InlineCode: |\n        def handler(e, c):\n          return {'statusCode': 200, 'headers': {'Access-Control-Allow-Origin': '*'}}\n      Events:\n        Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /a, Method: get}}\n        Put: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /a, Method: put}}\n";
    const RESPONSES: &str = "      GatewayResponses:\n        DEFAULT_4XX: {ResponseParameters: {Headers: {Access-Control-Allow-Origin: \"'*'\"}}}\n        DEFAULT_5XX: {ResponseParameters: {Headers: {Access-Control-Allow-Origin: \"'*'\"}}}\n";

    fn sam(cors: &str) -> String {
        format!("{SAM_API}{cors}{RESPONSES}{FUNCTION}")
    }

    const GOOD: &str = "      Cors:\n        AllowOrigin: \"'https://a.com'\"\n        AllowHeaders: \"'Content-Type'\"\n";

    #[test]
    fn a_complete_cors_triggers_nothing() {
        assert_eq!(ids(&findings_of(&sam(GOOD))), Vec::<&str>::new());
    }

    #[test]
    fn unquoted_value_is_an_error_with_the_quoted_fix() {
        let f = findings_of(&sam(
            "      Cors:\n        AllowOrigin: \"'*'\"\n        AllowHeaders: \"*\"\n",
        ));
        let unquoted: Vec<_> = f
            .iter()
            .filter(|f| f.rule.id == "rest-cors-unquoted-value")
            .collect();
        assert_eq!(unquoted.len(), 1, "{f:?}");
        assert_eq!(
            (unquoted[0].location.line, unquoted[0].location.column),
            (9, 23)
        );
        assert_eq!(unquoted[0].fix, "AllowHeaders: \"'*'\"");
    }

    #[test]
    fn several_origins_in_one_literal() {
        for origin in [
            "'https://a.com,https://b.com'",
            "'https://a.com https://b.com'",
        ] {
            let f = findings_of(&sam(&format!(
                "      Cors:\n        AllowOrigin: \"{origin}\"\n        AllowHeaders: \"'Content-Type'\"\n"
            )));
            assert_eq!(ids(&f), ["rest-cors-multiple-origins"], "{origin}");
            assert_eq!(f[0].location.line, 8);
        }
    }

    #[test]
    fn string_form_has_no_allow_headers() {
        let f = findings_of(&sam("      Cors: \"'https://a.com'\"\n"));
        assert_eq!(ids(&f), ["rest-cors-no-allow-headers"]);
        assert!(f[0].message.contains("string form"), "{}", f[0].message);
        assert!(
            f[0].fix.contains("AllowOrigin: \"'https://a.com'\""),
            "{}",
            f[0].fix
        );
    }

    #[test]
    fn wildcard_allow_headers_only_matters_when_callers_send_authorization() {
        let cors = "      Cors:\n        AllowOrigin: \"'*'\"\n        AllowHeaders: \"'*'\"\n";
        assert_eq!(ids(&findings_of(&sam(cors))), Vec::<&str>::new());
        let iam = format!(
            "{cors}      Auth:\n        DefaultAuthorizer: AWS_IAM\n        AddDefaultAuthorizerToCorsPreflight: false\n"
        );
        assert_eq!(
            ids(&findings_of(&sam(&iam))),
            ["cors-wildcard-allow-headers"]
        );
    }

    #[test]
    fn max_age_above_chromium_cap_is_a_note() {
        let cors = format!("{GOOD}        MaxAge: \"'86400'\"\n");
        let f = findings_of(&sam(&cors));
        assert_eq!(ids(&f), ["cors-max-age-capped"]);
        assert!(!f[0].message.contains("Firefox"));
        let f = findings_of(&sam(&format!("{GOOD}        MaxAge: \"'7200'\"\n")));
        assert!(f.is_empty());
    }

    #[test]
    fn allow_methods_missing_a_declared_method() {
        let cors = format!("{GOOD}        AllowMethods: \"'GET,OPTIONS'\"\n");
        let f = findings_of(&sam(&cors));
        assert_eq!(ids(&f), ["rest-preflight-methods-incomplete"]);
        assert_eq!(f[0].fix, "AllowMethods: \"'GET,OPTIONS,PUT'\"");
        let cors = format!("{GOOD}        AllowMethods: \"'GET,PUT,OPTIONS'\"\n");
        assert!(findings_of(&sam(&cors)).is_empty());
    }

    const CFN_MOCK: &str = "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties: {Name: x}\n  Options:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !Ref Api\n      ResourceId: !GetAtt Api.RootResourceId\n      HttpMethod: OPTIONS\n      AuthorizationType: NONE\n      Integration:\n        Type: MOCK\n        RequestTemplates: {application/json: '{\"statusCode\": 200}'}\n        IntegrationResponses:\n          - StatusCode: \"200\"\n            ResponseParameters:\n              method.response.header.Access-Control-Allow-Origin: \"'*'\"\n              method.response.header.Access-Control-Allow-Headers: \"'Content-Type'\"\n";
    const CFN_RESPONSES: &str = "  R4:\n    Type: AWS::ApiGateway::GatewayResponse\n    Properties: {RestApiId: !Ref Api, ResponseType: DEFAULT_4XX, ResponseParameters: {gatewayresponse.header.Access-Control-Allow-Origin: \"'*'\"}}\n  R5:\n    Type: AWS::ApiGateway::GatewayResponse\n    Properties: {RestApiId: !Ref Api, ResponseType: DEFAULT_5XX, ResponseParameters: {gatewayresponse.header.Access-Control-Allow-Origin: \"'*'\"}}\n  Stage:\n    Type: AWS::ApiGateway::Stage\n    Properties: {RestApiId: !Ref Api, StageName: prod}\n";

    #[test]
    fn raw_mock_credentials_with_wildcard_origin() {
        let good = format!("{CFN_MOCK}{CFN_RESPONSES}");
        assert!(findings_of(&good).is_empty(), "{:?}", findings_of(&good));
        let bad = CFN_MOCK.replace(
            "              method.response.header.Access-Control-Allow-Headers",
            "              method.response.header.Access-Control-Allow-Credentials: \"'true'\"\n              method.response.header.Access-Control-Allow-Headers",
        );
        let f = findings_of(&format!("{bad}{CFN_RESPONSES}"));
        assert_eq!(ids(&f), ["rest-cors-credentials-wildcard"]);
        assert_eq!((f[0].location.line, f[0].location.column), (19, 72));
    }

    #[test]
    fn raw_mock_without_allow_headers() {
        let bad = CFN_MOCK.replace(
            "              method.response.header.Access-Control-Allow-Headers: \"'Content-Type'\"\n",
            "",
        );
        let f = findings_of(&format!("{bad}{CFN_RESPONSES}"));
        assert_eq!(ids(&f), ["rest-cors-no-allow-headers"]);
        assert!(
            f[0].fix
                .starts_with("method.response.header.Access-Control-Allow-Headers")
        );
    }
}
