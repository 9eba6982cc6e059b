//! Lambda proxy handlers must set Access-Control-Allow-Origin themselves: a REST API adds no
//! CORS header to proxy responses, whatever `Cors` says (spec 1.11, 4.1). Whether the code
//! does is read from its source — a heuristic: a mention anywhere is taken as "it does".

use std::collections::BTreeMap;

use gatewise_model::{FunctionIndex, Integration, RestApi, RuntimeFamily, Stack};

use super::{has_cors, path_list};
use crate::rules::{REST_PROXY_HANDLER_NO_CORS, Severity};
use crate::source::HandlerSource;
use crate::{Finding, Sources};

/// `rest-proxy-handler-no-cors` for every function behind a proxy method of an API that is
/// meant for browsers; one finding per function, at its first route.
pub fn check(api: &RestApi, stack: &Stack, sources: &Sources, findings: &mut Vec<Finding>) {
    if !has_cors(api) {
        return;
    }
    let mut routes: BTreeMap<FunctionIndex, Vec<(String, &gatewise_model::Method)>> =
        BTreeMap::new();
    for resource in &api.resources {
        for method in &resource.methods {
            if let Integration::LambdaProxy { function, .. } = method.integration {
                routes
                    .entry(function)
                    .or_default()
                    .push((format!("{} {}", method.http_method, resource.path), method));
            }
        }
    }
    for (index, routes) in routes {
        let function = stack.function(index);
        let first = routes[0].1;
        let names = path_list(routes.iter().map(|(r, _)| r.as_str()));
        match sources.handler_source(function) {
            HandlerSource::MentionsAllowOrigin => {}
            HandlerSource::NeverMentions(code) => {
                findings.push(Finding::new(
                    &REST_PROXY_HANDLER_NO_CORS,
                    first.location.clone(),
                    format!(
                        "{} ({names}) is a Lambda proxy integration, so API Gateway adds no CORS headers to its responses (Cors only answers the OPTIONS preflight), and {code} never sets Access-Control-Allow-Origin: browsers will block every response",
                        function.logical_id
                    ),
                    handler_fix(function.runtime.family),
                ));
            }
            HandlerSource::Unavailable => {
                let mut finding = Finding::new(
                    &REST_PROXY_HANDLER_NO_CORS,
                    first.location.clone(),
                    format!(
                        "the code of {} ({names}) is not available here (stubbed), so whether it sets Access-Control-Allow-Origin was not checked; as a Lambda proxy integration it must, or browsers block its responses",
                        function.logical_id
                    ),
                    handler_fix(RuntimeFamily::Node),
                );
                finding.severity = Severity::Info;
                findings.push(finding);
            }
        }
    }
}

/// One shared helper that every response goes through, in the handler's language.
fn handler_fix(family: RuntimeFamily) -> String {
    match family {
        RuntimeFamily::Python => "# in the handler: every response, errors included\nCORS = {\"Access-Control-Allow-Origin\": \"*\"}  # or the page's exact origin\nreturn {\"statusCode\": 200, \"headers\": CORS, \"body\": json.dumps(body)}".to_owned(),
        RuntimeFamily::Node => "// in the handler: every response, errors included\nconst CORS = { \"Access-Control-Allow-Origin\": \"*\" }; // or the page's exact origin\nreturn { statusCode: 200, headers: CORS, body: JSON.stringify(body) };".to_owned(),
        RuntimeFamily::Provided => "# every response of the function, errors included, needs the header:\nheaders: {\"Access-Control-Allow-Origin\": \"*\"}  # or the page's exact origin".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::Severity;
    use crate::test_support::{findings_of, findings_with_code, ids};

    fn template(code: &str) -> String {
        format!(
            "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      Cors: {{AllowOrigin: \"'*'\", AllowHeaders: \"'Content-Type'\"}}\n      GatewayResponses:\n        DEFAULT_4XX: {{ResponseParameters: {{Headers: {{Access-Control-Allow-Origin: \"'*'\"}}}}}}\n        DEFAULT_5XX: {{ResponseParameters: {{Headers: {{Access-Control-Allow-Origin: \"'*'\"}}}}}}\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n{code}      Events:\n        Get: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: /a, Method: get}}}}\n"
        )
    }

    #[test]
    fn inline_code_without_the_header() {
        let f = findings_of(&template(
            "      InlineCode: \"def handler(e, c):\\n  return {'statusCode': 200}\"\n",
        ));
        assert_eq!(ids(&f), ["rest-proxy-handler-no-cors"]);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].fix.contains("CORS = {"), "{}", f[0].fix);
    }

    #[test]
    fn inline_code_with_the_header_in_any_case() {
        let f = findings_of(&template(
            "      InlineCode: \"def handler(e, c):\\n  return {'headers': {'access-control-allow-origin': '*'}}\"\n",
        ));
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn code_folder_is_searched_and_missing_code_is_a_note() {
        let f = findings_of(&template("      CodeUri: does-not-exist/\n"));
        assert_eq!(ids(&f), ["rest-proxy-handler-no-cors"]);
        assert_eq!(f[0].severity, Severity::Info);
        assert!(f[0].message.contains("not available"));
    }

    /// Two functions share one CodeUri folder; only one handler (through a helper it
    /// imports) sets the header, so the other is still named.
    #[test]
    fn each_function_is_judged_by_its_own_handler_module_and_imports() {
        let function = |name: &str, handler: &str, path: &str| {
            format!(
                "  {name}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: {handler}\n      CodeUri: src/\n      Events:\n        Get: {{Type: Api, Properties: {{RestApiId: !Ref Api, Path: {path}, Method: get}}}}\n"
            )
        };
        let text = format!(
            "{}{}{}",
            template("      CodeUri: src/\n")
                .split("  Fn:")
                .next()
                .unwrap(),
            function("Orders", "orders.handler", "/orders"),
            function("Users", "users.handler", "/users"),
        );
        let files = [
            (
                "src/orders.py",
                "from common.http import respond\ndef handler(e, c):\n  return respond(200)\n",
            ),
            ("src/common/__init__.py", ""),
            (
                "src/common/http.py",
                "def respond(s):\n  return {'statusCode': s, 'headers': {'Access-Control-Allow-Origin': '*'}}\n",
            ),
            (
                "src/users.py",
                "def handler(e, c):\n  return {'statusCode': 200}\n",
            ),
        ];
        let f = findings_with_code(&text, &files);
        assert_eq!(ids(&f), ["rest-proxy-handler-no-cors"], "{f:?}");
        assert!(
            f[0].message.starts_with("Users (GET /users)"),
            "{}",
            f[0].message
        );
        assert!(
            f[0].message
                .contains("its handler module users.py never sets"),
            "{}",
            f[0].message
        );
    }
}
