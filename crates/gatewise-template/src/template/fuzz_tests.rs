//! Fuzz targets for the template loader, run as property tests in `cargo test`: whatever the
//! bytes — random, or a real template with tokens, lines and indentation mutated — loading
//! never panics, and a refusal is a [`LoadError`] with a position in the file.

use std::path::Path;
use std::sync::Arc;

use proptest::prelude::*;

use crate::{LoadError, LoadOptions, load_str};

/// Templates the mutations start from: SAM REST with `Cors` and `Auth`, an HTTP API, raw
/// CloudFormation with a MOCK, and the document features (anchors, tags, conditions).
const SEEDS: &[&str] = &[
    "Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: Prod}
Conditions:
  IsProd: !Equals [!Ref Stage, Prod]
Globals:
  Function: {Timeout: 5, Runtime: python3.12, MemorySize: 128}
  Api: {Cors: \"'*'\"}
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: !Ref Stage
      Cors: {AllowOrigin: \"'http://a.test'\", AllowHeaders: \"'Content-Type'\", MaxAge: 600}
      Auth: {ApiKeyRequired: true, AddApiKeyRequiredToCorsPreflight: false}
      GatewayResponses:
        DEFAULT_4XX:
          ResponseParameters:
            Headers: {Access-Control-Allow-Origin: \"'*'\"}
  Hello:
    Type: AWS::Serverless::Function
    Condition: IsProd
    Properties:
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return {'statusCode': 200}
      ReservedConcurrentExecutions: 2
      Environment: {Variables: {TABLE: !Sub '${AWS::StackName}-t', N: !Select [0, [a, b]]}}
      Events:
        Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: '/items/{id}', Method: get}}
        Any: {Type: Api, Properties: {Path: '/{proxy+}', Method: any}}
",
    "Transform: AWS::Serverless-2016-10-31
Resources:
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: $default
      CorsConfiguration: {AllowOrigins: ['https://*'], AllowMethods: [GET], MaxAge: 60}
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt: {IdentitySource: $request.header.Authorization, JwtConfiguration: {issuer: x, audience: [y]}}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      InlineCode: \"exports.handler = async () => ({statusCode: 200});\"
      Events:
        Get: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: '/pets/{id}', Method: GET, TimeoutInMillis: 5000}}
        Default: {Type: HttpApi, Properties: {PayloadFormatVersion: '1.0'}}
",
    "{\"Resources\": {
  \"Rest\": {\"Type\": \"AWS::ApiGateway::RestApi\", \"Properties\": {\"Name\": \"r\"}},
  \"Res\": {\"Type\": \"AWS::ApiGateway::Resource\", \"Properties\": {
    \"RestApiId\": {\"Ref\": \"Rest\"}, \"ParentId\": {\"Fn::GetAtt\": [\"Rest\", \"RootResourceId\"]}, \"PathPart\": \"{cors+}\"}},
  \"Mock\": {\"Type\": \"AWS::ApiGateway::Method\", \"Properties\": {
    \"RestApiId\": {\"Ref\": \"Rest\"}, \"ResourceId\": {\"Ref\": \"Res\"}, \"HttpMethod\": \"OPTIONS\", \"AuthorizationType\": \"NONE\",
    \"Integration\": {\"Type\": \"MOCK\", \"RequestTemplates\": {\"application/json\": \"{\\\"statusCode\\\": 200}\"},
      \"IntegrationResponses\": [{\"StatusCode\": \"200\", \"ResponseTemplates\": {\"application/json\": \"#set($x = 1)$x\"}}]},
    \"MethodResponses\": [{\"StatusCode\": \"200\"}]}},
  \"Fn\": {\"Type\": \"AWS::Lambda::Function\", \"Properties\": {\"Runtime\": \"python3.12\", \"Handler\": \"index.h\",
    \"Code\": {\"ZipFile\": \"def h(e, c): return {}\"}}},
  \"Stage\": {\"Type\": \"AWS::ApiGateway::Stage\", \"Properties\": {\"StageName\": \"dev\", \"RestApiId\": {\"Ref\": \"Rest\"}}}
}}
",
    "base: &base {Runtime: python3.12, Handler: a.b, InlineCode: x}
Mappings:
  M: {us-east-1: {Size: 256}}
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      <<: *base
      MemorySize: !FindInMap [M, !Ref 'AWS::Region', Size]
      FunctionName: !Join ['-', [!Ref 'AWS::StackName', !ImportValue shared]]
      Timeout: !If [Never, 1, 2]
",
];

/// Tokens a mutation writes in place of another: intrinsics, YAML structure, values SAM and
/// API Gateway refuse, and characters that end or open things.
const TOKENS: &[&str] = &[
    "!Ref Api",
    "!Ref Nope",
    "!GetAtt Hello.Arn",
    "!Sub '${Nope}'",
    "{Fn::If: [IsProd, a, b]}",
    "{Fn::Split: [',', !Ref Stage]}",
    "!Select [9, []]",
    "{Ref: AWS::NoValue}",
    "[]",
    "{}",
    "~",
    "''",
    "\"'*'\"",
    "&x",
    "*x",
    "*base",
    "!!int x",
    "{",
    "[",
    "'",
    ":",
    "- ",
    "#",
    "|",
    "\t",
    "/{proxy+}",
    "/{a}/{a}",
    "ANY",
    "$default",
    "-1",
    "99999999999999999999999",
    "1e400",
    "AWS::Serverless::Function",
    "AWS::Serverless::Api",
    "AWS::ApiGateway::Method",
    "AWS::ApiGatewayV2::Route",
    "s3://bucket/key",
    "../../../../etc/passwd",
    "\u{feff}",
    "é",
];

/// One edit of a seed template.
#[derive(Debug, Clone)]
enum Mutation {
    /// Replaces the `token`-th whitespace-separated word with a [`TOKENS`] entry.
    Replace { word: usize, token: usize },
    /// Deletes a line.
    DeleteLine(usize),
    /// Repeats a line (duplicate keys, extra items).
    DuplicateLine(usize),
    /// Indents or dedents a line by this many spaces.
    Indent { line: usize, by: i8 },
    /// Cuts the text at this byte fraction (per mille), as a truncated file would be.
    Truncate(u16),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 0..TOKENS.len()).prop_map(|(word, token)| Mutation::Replace { word, token }),
        1 => any::<usize>().prop_map(Mutation::DeleteLine),
        1 => any::<usize>().prop_map(Mutation::DuplicateLine),
        1 => (any::<usize>(), -4i8..=4).prop_map(|(line, by)| Mutation::Indent { line, by }),
        1 => (0u16..1000).prop_map(Mutation::Truncate),
    ]
}

fn apply(text: &str, mutation: &Mutation) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let pick = |n: usize| n % lines.len().max(1);
    match *mutation {
        Mutation::Replace { word, token } => {
            let words: Vec<(usize, &str)> = text
                .split_inclusive(char::is_whitespace)
                .scan(0, |at, w| {
                    let start = *at;
                    *at += w.len();
                    Some((start, w.trim_end()))
                })
                .filter(|(_, w)| !w.is_empty())
                .collect();
            let Some(&(start, w)) = words.get(word % words.len().max(1)) else {
                return text.to_owned();
            };
            format!(
                "{}{}{}",
                &text[..start],
                TOKENS[token],
                &text[start + w.len()..]
            )
        }
        Mutation::DeleteLine(n) if !lines.is_empty() => {
            lines.remove(pick(n));
            lines.join("\n")
        }
        Mutation::DuplicateLine(n) if !lines.is_empty() => {
            let i = pick(n);
            lines.insert(i, lines[i].clone());
            lines.join("\n")
        }
        Mutation::Indent { line, by } if !lines.is_empty() => {
            let i = pick(line);
            lines[i] = if by >= 0 {
                format!("{}{}", " ".repeat(by as usize), lines[i])
            } else {
                let strip = lines[i].len() - lines[i].trim_start_matches(' ').len();
                lines[i][strip.min(by.unsigned_abs() as usize)..].to_owned()
            };
            lines.join("\n")
        }
        Mutation::Truncate(per_mille) => {
            let mut cut = text.len() * usize::from(per_mille) / 1000;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text[..cut].to_owned()
        }
        _ => text.to_owned(),
    }
}

/// Loads `text` as `fuzz/template.yaml` (a folder that does not exist, so no `CodeUri` or
/// `DefinitionUri` finds a file) and checks the refusal, if any, is located.
fn load_checked(text: &str, stub_functions: bool) {
    let file: Arc<Path> = Arc::from(Path::new("fuzz/template.yaml"));
    let options = LoadOptions {
        stub_functions,
        ..LoadOptions::default()
    };
    if let Err(LoadError { location, message }) = load_str(text, &file, &options) {
        assert!(!message.is_empty(), "an empty message for {text:?}");
        assert!(
            location.line >= 1 && location.column >= 1,
            "{location}: {message} has no position; text:\n{text}"
        );
    }
}

proptest! {
    // A thousand cases each keep both targets under a few seconds in a debug build.
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_template_loader_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        load_checked(&String::from_utf8_lossy(&bytes), false);
    }

    #[test]
    fn fuzz_template_loader_mutated_templates(
        seed in 0..SEEDS.len(),
        mutations in proptest::collection::vec(mutation(), 1..6),
        stub_functions in any::<bool>(),
    ) {
        let text = mutations.iter().fold(SEEDS[seed].to_owned(), |t, m| apply(&t, m));
        load_checked(&text, stub_functions);
    }
}

#[test]
fn every_seed_loads() {
    // The mutations start from templates that load, so they probe past the parser.
    for (i, seed) in SEEDS.iter().enumerate() {
        let file: Arc<Path> = Arc::from(Path::new("fuzz/template.yaml"));
        let options = LoadOptions {
            stub_functions: true,
            ..LoadOptions::default()
        };
        if let Err(e) = load_str(seed, &file, &options) {
            panic!("seed {i}: {e}");
        }
    }
}
