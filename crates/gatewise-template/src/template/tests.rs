//! End-to-end tests of [`load`] through the whole template — sections, conditions, parameters,
//! functions, API order, errors and warnings: SAM and CloudFormation templates written to a
//! temporary directory (so `CodeUri` folders exist or not, as each case needs).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use gatewise_model::{FunctionCode, Integration, RuntimeFamily, Stack};
use indexmap::IndexMap;

use crate::{LoadError, LoadOptions, ids, load};

/// A template file in a temporary directory, with the given code folders created next to it.
struct Fixture {
    dir: tempfile::TempDir,
    path: PathBuf,
}

fn fixture(name: &str, text: &str, code_dirs: &[&str]) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    for d in code_dirs {
        std::fs::create_dir_all(dir.path().join(d)).expect("code dir");
    }
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write template");
    Fixture { dir, path }
}

fn load_with(text: &str, code_dirs: &[&str], options: &LoadOptions) -> Result<Stack, LoadError> {
    let f = fixture("template.yaml", text, code_dirs);
    load(&f.path, options)
}

fn load_ok(text: &str, code_dirs: &[&str]) -> Stack {
    load_with(text, code_dirs, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

const HEADER: &str =
    "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n";

#[test]
fn sam_function_properties_map_onto_the_model() {
    let text = format!(
        "{HEADER}Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/hello
      Handler: app.handler
      Runtime: nodejs20.x
      Timeout: '10'
      MemorySize: 256
      ReservedConcurrentExecutions: 2
      FunctionName: !Sub '${{AWS::StackName}}-hello'
      Environment:
        Variables:
          PORT: 8080
          DEBUG: true
          NAME: '0123'
          TABLE: !Ref AWS::Region
          GONE: !Ref AWS::NoValue
  Bare:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: exports.handler = async () => ({{}});
      Handler: index.handler
      Runtime: python3.12
"
    );
    let f = fixture("template.yaml", &text, &["src/hello"]);
    let stack = load(&f.path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stack.template_path, f.path);
    assert!(stack.warnings.is_empty(), "{:?}", stack.warnings);
    let hello = &stack.functions[0];
    assert_eq!(hello.logical_id, "HelloFunction");
    assert_eq!(hello.name, "gatewise-local-hello");
    assert_eq!(hello.runtime.family, RuntimeFamily::Node);
    assert_eq!(hello.handler, "app.handler");
    assert_eq!(
        hello.code,
        FunctionCode::Directory(f.dir.path().join("src/hello"))
    );
    assert_eq!(hello.timeout, Duration::from_secs(10));
    assert_eq!(hello.memory_mb, 256);
    assert_eq!(hello.reserved_concurrency, Some(2));
    let env: Vec<(&str, &str)> = hello
        .environment
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        env,
        [
            ("PORT", "8080"),
            ("DEBUG", "true"),
            ("NAME", "0123"),
            ("TABLE", "us-east-1")
        ]
    );
    assert_eq!((hello.location.line, hello.location.column), (4, 3));

    let bare = &stack.functions[1];
    assert_eq!(bare.name, "Bare");
    assert_eq!(
        bare.timeout,
        Duration::from_secs(Function::DEFAULT_TIMEOUT_SECS)
    );
    assert_eq!(bare.memory_mb, Function::DEFAULT_MEMORY_MB);
    assert_eq!(
        bare.code,
        FunctionCode::Inline("exports.handler = async () => ({});".to_owned())
    );
    assert!(stack.rest_apis.is_empty());
}

use gatewise_model::Function;

#[test]
fn rule_2_2_globals_function_merge_and_rule_2_3_ignore_globals() {
    let text = format!(
        "{HEADER}Globals:
  Function:
    Runtime: python3.12
    Handler: app.handler
    CodeUri: code
    Timeout: 30
    Environment:
      Variables:
        SHARED: g
        OVERRIDE: g
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          OVERRIDE: l
          OWN: l
  B:
    Type: AWS::Serverless::Function
    IgnoreGlobals: [Timeout, Environment]
    Properties: {{}}
"
    );
    let stack = load_ok(&text, &["code"]);
    let a = &stack.functions[0];
    assert_eq!(a.timeout, Duration::from_secs(30));
    assert_eq!(a.runtime.id, "python3.12");
    let env: Vec<(&str, &str)> = a
        .environment
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(env, [("SHARED", "g"), ("OVERRIDE", "l"), ("OWN", "l")]);
    let b = &stack.functions[1];
    assert_eq!(b.timeout, Duration::from_secs(3));
    assert!(b.environment.is_empty());
    assert_eq!(b.handler, "app.handler");
}

#[test]
fn api_events_build_the_implicit_api() {
    let text = format!(
        "{HEADER}Resources:
  ItemsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: nodejs20.x
      Events:
        List:
          Type: Api
          Properties: {{Path: /items, Method: get}}
        Create:
          Type: Api
          Properties: {{Path: /items/, Method: POST}}
        Queue:
          Type: SQS
          Properties: {{Queue: arn}}
  ProxyFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: nodejs20.x
      Events:
        Proxy:
          Type: Api
          Properties: {{Path: '{{proxy+}}', Method: any}}
        Root:
          Type: Api
          Properties: {{Path: /, Method: GET}}
        One:
          Type: Api
          Properties: {{Path: '/items/{{id}}', Method: GET}}
"
    );
    let stack = load_ok(&text, &[]);
    assert_eq!(stack.rest_apis.len(), 1);
    let api = &stack.rest_apis[0];
    assert_eq!(api.logical_id, "ServerlessRestApi");
    assert_eq!(api.stage, "Prod");
    assert_eq!(api.api_id, ids::api_id("ServerlessRestApi"));
    assert_eq!(
        (api.location.line, api.location.column),
        (11, 9),
        "first Api event"
    );
    let routes: Vec<(String, String, usize)> = api
        .resources
        .iter()
        .flat_map(|r| {
            r.methods.iter().map(move |m| match &m.integration {
                Integration::LambdaProxy { function, timeout } => {
                    assert_eq!(*timeout, Integration::REST_DEFAULT_TIMEOUT);
                    (r.path.clone(), m.http_method.clone(), *function)
                }
                other => panic!("Api events make proxy integrations, not {other:?}"),
            })
        })
        .collect();
    let want = [
        ("/items", "GET", 0),
        ("/items", "POST", 0),
        ("/{proxy+}", "ANY", 1),
        ("/", "GET", 1),
        ("/items/{id}", "GET", 1),
    ];
    let want: Vec<(String, String, usize)> = want
        .iter()
        .map(|(p, m, f)| ((*p).to_owned(), (*m).to_owned(), *f))
        .collect();
    assert_eq!(routes, want);
    assert_eq!(
        api.resources[0].methods[1].location.line, 14,
        "Method.location = event key"
    );
    assert_eq!(api.resources[0].resource_id.len(), 6);
    assert_ne!(api.resources[0].resource_id, api.resources[1].resource_id);
}

#[test]
fn explicit_apis_come_before_the_implicit_one() {
    let text = format!(
        "{HEADER}Parameters:
  Stage: {{Type: String, Default: dev}}
Globals:
  Api:
    BinaryMediaTypes: ['image~1png']
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: nodejs20.x
      Events:
        Implicit:
          Type: Api
          Properties: {{Path: /a, Method: GET}}
        Explicit:
          Type: Api
          Properties: {{Path: /b, Method: GET, RestApiId: !Ref MyApi}}
        Same:
          Type: Api
          Properties: {{Path: /a, Method: GET, RestApiId: MyApi}}
        Http:
          Type: HttpApi
          Properties: {{Path: /h, Method: GET}}
  MyApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: !Ref Stage
      Variables: {{Mode: fast, Level: 3}}
      BinaryMediaTypes: ['application~1octet-stream']
"
    );
    let stack = load_ok(&text, &[]);
    let names: Vec<&str> = stack
        .rest_apis
        .iter()
        .map(|a| a.logical_id.as_str())
        .collect();
    assert_eq!(names, ["MyApi", "ServerlessRestApi"]);
    let my = &stack.rest_apis[0];
    assert_eq!(my.stage, "dev");
    assert_eq!(my.location.line, 28);
    let vars: Vec<(&str, &str)> = my
        .stage_variables
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(vars, [("Mode", "fast"), ("Level", "3")]);
    assert_eq!(
        my.binary_media_types,
        ["image/png", "application/octet-stream"]
    );
    let my_paths: Vec<&str> = my.resources.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(my_paths, ["/b", "/a"]);
    let implicit = &stack.rest_apis[1];
    assert_eq!(implicit.binary_media_types, ["image/png"]);
    assert_eq!(implicit.resources.len(), 1);
    let warnings: Vec<String> = stack.warnings.iter().map(|w| w.to_string()).collect();
    // The HttpApi event builds SAM's implicit HTTP API, not a REST route.
    let http: Vec<(&str, Vec<&str>)> = stack
        .http_apis
        .iter()
        .map(|a| {
            (
                a.logical_id.as_str(),
                a.routes.iter().map(|r| r.route_key.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(http, [("ServerlessHttpApi", vec!["GET /h"])]);
    // DefinitionBody is read now: events add their paths to it (SAM behaviour), no warning.
    assert!(
        !warnings.iter().any(|w| w.contains("DefinitionBody")),
        "{warnings:?}"
    );
}

#[test]
fn false_resource_condition_drops_the_resource() {
    let text = format!(
        "{HEADER}Parameters:
  Env: {{Type: String, Default: dev, AllowedValues: [dev, prod]}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  ProdOnly:
    Type: AWS::Serverless::Function
    Condition: IsProd
    Properties:
      CodeUri: does-not-exist
      Handler: app.handler
      Runtime: nodejs20.x
      Events:
        Get: {{Type: Api, Properties: {{Path: /, Method: GET}}}}
  Always:
    Type: AWS::Serverless::Function
    Properties: {{CodeUri: ., Handler: app.handler, Runtime: nodejs20.x}}
"
    );
    let stack = load_ok(&text, &[]);
    assert_eq!(stack.functions.len(), 1);
    assert_eq!(stack.functions[0].logical_id, "Always");
    assert!(stack.rest_apis.is_empty());

    let prod = LoadOptions {
        parameter_overrides: IndexMap::from([("Env".to_owned(), "prod".to_owned())]),
        stack_name: None,
        ..LoadOptions::default()
    };
    let err = load_with(&text, &[], &prod).expect_err("prod keeps the function");
    assert!(
        err.message
            .contains("CodeUri 'does-not-exist' does not exist"),
        "{err}"
    );
}

#[test]
fn cloudformation_lambda_functions() {
    let text = "Resources:
  Inline:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Code:
        ZipFile: |
          def handler(event, context):
              return {}
  Cdk:
    Type: AWS::Lambda::Function
    Metadata:
      aws:asset:path: asset.abc123
    Properties:
      Runtime: provided.al2023
      Code: {S3Bucket: b, S3Key: k.zip}
      Timeout: 20
";
    let f = fixture("template.json.yaml", text, &["asset.abc123"]);
    let stack = load(&f.path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        stack.functions[0].code,
        FunctionCode::Inline("def handler(event, context):\n    return {}\n".to_owned())
    );
    assert_eq!(stack.functions[0].timeout, Duration::from_secs(3));
    assert_eq!(
        stack.functions[1].code,
        FunctionCode::Directory(f.dir.path().join("asset.abc123"))
    );
    assert_eq!(stack.functions[1].handler, "");
    assert_eq!(stack.functions[1].timeout, Duration::from_secs(20));
}

#[test]
fn json_templates_load_with_positions() {
    let text = r#"{
	"Transform": "AWS::Serverless-2016-10-31",
	"Resources": {
		"Hello": {
			"Type": "AWS::Serverless::Function",
			"Properties": {"CodeUri": ".", "Handler": "a.b", "Runtime": "java21"}
		}
	}
}"#;
    let f = fixture("template.json", text, &[]);
    let err = load(&f.path, &LoadOptions::default()).expect_err("java21");
    assert_eq!((err.location.line, err.location.column), (6, 64));
    assert!(
        err.message
            .contains("Function 'Hello': unsupported Runtime 'java21'"),
        "{err}"
    );
}

/// Every error path: (template body after the header, expected message part, expected line).
#[test]
fn errors_name_the_problem_the_place_and_the_fix() {
    let function = |props: &str| {
        format!(
            "Resources:\n  Hello:\n    Type: AWS::Serverless::Function\n    Properties:\n{props}"
        )
    };
    let cases: Vec<(String, &str, u32)> = vec![
        ("Resources: [\n".to_owned(), "invalid YAML", 0),
        ("Resources: 3\n".to_owned(), "Resources must be a map", 3),
        ("Globals:\n  Function: 3\nResources: {}\n".to_owned(), "Function must be a map", 4),
        ("Outputs: {}\n".to_owned(), "no Resources section", 1),
        ("Resources:\n  X: {Properties: {}}\n".to_owned(), "Resource 'X' has no Type", 4),
        (
            function("      CodeUri: .\n      Handler: a.b\n      Runtime: java21\n"),
            "Function 'Hello': unsupported Runtime 'java21'; gatewise runs nodejs16.x",
            9,
        ),
        (
            function("      CodeUri: .\n      Handler: a.b\n"),
            "Function 'Hello' has no Runtime; add one such as `Runtime: nodejs20.x`",
            4,
        ),
        (
            function("      CodeUri: .\n      Runtime: nodejs20.x\n"),
            "Function 'Hello' has no Handler",
            4,
        ),
        (
            function("      CodeUri: src/missing\n      Handler: a.b\n      Runtime: nodejs20.x\n"),
            "Function 'Hello': CodeUri 'src/missing' does not exist (looked in /",
            7,
        ),
        (
            function("      CodeUri: s3://bucket/key.zip\n      Handler: a.b\n      Runtime: nodejs20.x\n"),
            "code is in S3 (s3://bucket/key.zip); gatewise needs the code on this machine",
            7,
        ),
        (
            function("      CodeUri: {Bucket: b, Key: k}\n      Handler: a.b\n      Runtime: nodejs20.x\n"),
            "code is in S3 (s3://b/k)",
            7,
        ),
        (
            function("      CodeUri: build/fn.zip\n      Handler: a.b\n      Runtime: nodejs20.x\n"),
            "is an archive; gatewise runs code from a folder — unzip it",
            7,
        ),
        (
            function("      PackageType: Image\n      ImageUri: repo:tag\n"),
            "PackageType Image (container image functions) is not supported",
            7,
        ),
        (
            function("      CodeUri: .\n      Handler: a.b\n      Runtime: nodejs20.x\n      Timeout: soon\n"),
            "Function 'Hello': Timeout must be a whole number from 1 to 900, found 'soon'",
            10,
        ),
        (
            format!(
                "Parameters:\n  Table: {{Type: String}}\n{}",
                function("      CodeUri: .\n      Handler: a.b\n      Runtime: nodejs20.x\n")
            ),
            "Parameter 'Table' has no Default and no value was given; pass --parameter-overrides Table=<value>",
            4,
        ),
        (
            format!(
                "Parameters:\n  Env: {{Type: String, Default: qa, AllowedValues: [dev, prod]}}\n{}",
                function("      CodeUri: .\n      Handler: a.b\n      Runtime: nodejs20.x\n")
            ),
            "not one of its AllowedValues (dev, prod)",
            4,
        ),
        (
            function("      CodeUri: .\n      Handler: a.b\n      Runtime: nodejs20.x\n      Events:\n        A: {Type: Api, Properties: {Path: /x, Method: GET}}\n        B: {Type: Api, Properties: {Path: /x/, Method: get}}\n"),
            "Function 'Hello' event 'B': GET /x is already declared on API 'ServerlessRestApi' at ",
            12,
        ),
        (
            function("      CodeUri: .\n      Handler: a.b\n      Runtime: nodejs20.x\n      Events:\n        A: {Type: Api, Properties: {Path: /x, Method: GET, RestApiId: !Ref Other}}\n"),
            "RestApiId must be a !Ref to an AWS::Serverless::Api in this template ('Other' is not one)",
            11,
        ),
        (
            function("      CodeUri: .\n      Handler: a.b\n      Runtime: nodejs20.x\n      Events:\n        A: {Type: Api, Properties: {Path: /x, Method: FETCH}}\n"),
            "Method 'FETCH' is not an HTTP method",
            11,
        ),
        (
            function("      CodeUri: .\n      Handler: a.b\n      Runtime: nodejs20.x\n      Events:\n        A: {Type: Api, Properties: {Method: GET}}\n"),
            "an Api event needs Path",
            11,
        ),
        (
            "Resources:\n  MyApi:\n    Type: AWS::Serverless::Api\n    Properties: {}\n".to_owned(),
            "Api 'MyApi' has no StageName; SAM requires one",
            4,
        ),
        (
            "Resources:\n  L:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: a.b\n      Code: {S3Bucket: b, S3Key: k}\n".to_owned(),
            "Function 'L': Code is not on this machine",
            9,
        ),
        (
            "Resources:\n  X:\n    Type: AWS::Lambda::Function\n    Condition: Nope\n".to_owned(),
            "condition 'Nope' is not defined",
            6,
        ),
    ];
    for (body, want, line) in cases {
        let text = format!("{HEADER}{body}");
        let f = fixture("template.yaml", &text, &[]);
        let err = load(&f.path, &LoadOptions::default()).expect_err(&body);
        assert!(err.message.contains(want), "{body}\n→ {err}");
        if line > 0 {
            assert_eq!(err.location.line, line, "{body}\n→ {err}");
        }
        let shown = err.to_string();
        assert!(
            shown.starts_with(&format!("{}:{}:", f.path.display(), err.location.line)),
            "FILE:LINE:COL: {shown}"
        );
    }
}

#[test]
fn the_template_must_be_a_map() {
    let err = load_with("- a\n", &[], &LoadOptions::default()).expect_err("list");
    assert!(err.message.contains("a template must be a map"), "{err}");
    assert_eq!(err.location.line, 1);
}

#[test]
fn unreadable_files_are_errors_at_line_one() {
    let err = load(
        Path::new("/nonexistent/template.yaml"),
        &LoadOptions::default(),
    )
    .expect_err("missing file");
    assert_eq!(
        err.to_string(),
        "/nonexistent/template.yaml:1:1: cannot read template: No such file or directory; check the path or run from the project directory"
    );
    let f = fixture("bin.yaml", "", &[]);
    std::fs::write(&f.path, [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let err = load(&f.path, &LoadOptions::default()).expect_err("binary");
    assert!(err.message.contains("not UTF-8"), "{err}");
}

#[test]
fn missing_transform_and_unknown_overrides_warn() {
    let text = "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {InlineCode: x, Handler: a.b, Runtime: nodejs20.x}\n";
    let options = LoadOptions {
        parameter_overrides: IndexMap::from([("Typo".to_owned(), "1".to_owned())]),
        stack_name: None,
        ..LoadOptions::default()
    };
    let stack = load_with(text, &[], &options).unwrap_or_else(|e| panic!("{e}"));
    let warnings: Vec<String> = stack.warnings.iter().map(|w| w.message.clone()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("'Typo', which is not a parameter")),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("no `Transform: AWS::Serverless-2016-10-31`")),
        "{warnings:?}"
    );
}

/// Garbage, wrong types and every truncation of a real template: errors, never panics.
#[test]
fn garbage_input_never_panics() {
    let valid = format!(
        "{HEADER}Parameters:\n  P: {{Type: String, Default: x}}\nConditions:\n  C: !Equals [!Ref P, x]\nGlobals:\n  Function: {{Timeout: 5}}\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Condition: C\n    Properties:\n      InlineCode: !Sub '${{P}}'\n      Handler: a.b\n      Runtime: nodejs20.x\n      Environment: {{Variables: {{A: !Join ['-', [a, !Ref P]]}}}}\n      Events:\n        E: {{Type: Api, Properties: {{Path: /x, Method: GET}}}}\n"
    );
    let mut inputs: Vec<String> = vec![
        "\0\0\0".into(),
        "{".into(),
        "}}}}".into(),
        "[[[[[[".into(),
        "&a [*a]".into(),
        "*nope".into(),
        "!Ref".into(),
        "Resources: !Ref X".into(),
        "Resources:\n  F: !Sub x".into(),
        "Resources:\n  F:\n    Type: [a]".into(),
        "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: [1]".into(),
        "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: {a: b}\n      Handler: [1]\n      Events: 3".into(),
        "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      InlineCode: x\n      Runtime: nodejs20.x\n      Handler: a\n      Events: {E: 1, F: {Type: Api, Properties: 2}}".into(),
        "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      InlineCode: x\n      Runtime: nodejs20.x\n      Handler: a\n      Environment: {Variables: [1]}\n      MemorySize: -1".into(),
        "Parameters: [1]\nResources: {}".into(),
        "Parameters: {P: 3}\nResources: {}".into(),
        "Globals: {Function: 3}\nResources: {}".into(),
        "Conditions: {C: !Equals [!Condition C, 1]}\nResources: {X: {Type: T, Condition: C}}".into(),
        "Resources: {X: {Type: T, Condition: [1]}}".into(),
        "Resources: {F: {Type: AWS::Serverless::Function, IgnoreGlobals: {a: 1}}}".into(),
        "Resources: {A: {Type: AWS::Serverless::Api, Properties: {StageName: [x], Variables: 3}}}".into(),
        "\u{feff}Resources: {}".into(),
        "'unterminated".into(),
        "a: |\n  b\n c".into(),
        "%YAML 1.2\n%YAML 1.2\n---\na".into(),
        "? a\n? b\n".into(),
    ];
    let mut cut = 0;
    while cut < valid.len() {
        if valid.is_char_boundary(cut) {
            inputs.push(valid[..cut].to_owned());
        }
        cut += 1;
    }
    let f = fixture("template.yaml", "", &[]);
    for input in &inputs {
        std::fs::write(&f.path, input).unwrap();
        if let Err(e) = load(&f.path, &LoadOptions::default()) {
            assert!(e.location.line >= 1, "{input:?}: {e}");
            assert!(!e.message.is_empty());
        }
    }
    std::fs::write(&f.path, &valid).unwrap();
    let stack = load(&f.path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stack.functions[0].environment["A"], "a-x");
}

/// Every external template the acceptance suite collected loads or fails with a located
/// error; none panics.
#[test]
fn acceptance_templates_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/external");
    let mut templates = Vec::new();
    collect(
        &root.join("sam-translator/input"),
        &mut templates,
        &|p| p.extension().is_some_and(|e| e == "yaml"),
        false,
    );
    collect(
        &root.join("real-world"),
        &mut templates,
        &|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n == "template.yaml" || n == "template.yml")
        },
        true,
    );
    collect(
        &root.join("sam-cli-start-api"),
        &mut templates,
        &|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"),
        false,
    );
    assert!(
        !templates.is_empty(),
        "no templates under {}",
        root.display()
    );
    let (mut loaded, mut failed) = (0, 0);
    for template in &templates {
        match load(template, &LoadOptions::default()) {
            Ok(stack) => {
                loaded += 1;
                for w in &stack.warnings {
                    println!("warning: {w}");
                }
            }
            Err(e) => {
                failed += 1;
                assert!(e.location.line >= 1, "{}: {e}", template.display());
                assert!(
                    e.to_string()
                        .starts_with(&format!("{}:", template.display())),
                    "{e}"
                );
                println!("{e}");
            }
        }
    }
    println!(
        "{loaded} loaded, {failed} failed with a located error, of {}",
        templates.len()
    );
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>, keep: &dyn Fn(&Path) -> bool, recurse: bool) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            if recurse {
                collect(&path, out, keep, recurse);
            }
        } else if keep(&path) {
            out.push(path);
        }
    }
}

#[test]
fn ssm_parameters_are_placeholders_unless_given_on_the_command_line() {
    let text = "Parameters:
  Table:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /app/table-name
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Code: {ZipFile: 'def handler(e, c): return {}'}
      Environment: {Variables: {TABLE: !Ref Table}}
";
    let stack = load_ok(text, &[]);
    assert_eq!(
        stack.functions[0].environment["TABLE"],
        "<unresolved SSM parameter /app/table-name>"
    );
    assert!(
        stack
            .warnings
            .iter()
            .any(|w| w.message.contains("--parameter-overrides Table="))
    );

    let given = LoadOptions {
        parameter_overrides: IndexMap::from([("Table".to_owned(), "orders".to_owned())]),
        ..LoadOptions::default()
    };
    let stack = load_with(text, &[], &given).unwrap();
    assert_eq!(stack.functions[0].environment["TABLE"], "orders");
    assert!(stack.warnings.is_empty(), "{:?}", stack.warnings);
}

/// A FIFO at `path` (no writer ever comes: reading it the plain way would block forever).
fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
}

#[test]
fn files_that_never_end_or_are_too_large_are_located_errors() {
    let api = |definition: &str| {
        format!(
            "{HEADER}Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
{definition}"
        )
    };
    let uri = api("      DefinitionUri: /dev/zero\n");
    let err = load_with(&uri, &[], &LoadOptions::default()).expect_err("/dev/zero");
    assert!(
        err.to_string().ends_with(
            "template.yaml:8:22: Api 'Api': DefinitionUri '/dev/zero' is not a regular file (a character device); point it at a file"
        ),
        "{err}"
    );

    let f = fixture("template.yaml", "", &[]);
    mkfifo(&f.dir.path().join("api.yaml"));
    std::fs::write(
        &f.path,
        api("      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters: {Location: ./api.yaml}
"),
    )
    .unwrap();
    let err = load(&f.path, &LoadOptions::default()).expect_err("FIFO");
    assert!(
        err.to_string().ends_with(
            "template.yaml:11:34: Api 'Api': AWS::Include Location './api.yaml' is not a regular file (a FIFO); point it at a file"
        ),
        "{err}"
    );

    // Sparse: larger than the cap without using the disk.
    let big = File::create(f.dir.path().join("big.yaml")).unwrap();
    big.set_len(crate::MAX_TEMPLATE_FILE_BYTES + 1).unwrap();
    std::fs::write(&f.path, api("      DefinitionUri: big.yaml\n")).unwrap();
    let err = load(&f.path, &LoadOptions::default()).expect_err("too large");
    assert!(
        err.to_string().ends_with(
            "template.yaml:8:22: Api 'Api': DefinitionUri 'big.yaml' is larger than 50 MiB, the most gatewise reads for such a file; check that it is the file you meant"
        ),
        "{err}"
    );
    // The template itself.
    for (path, why) in [
        (
            Path::new("/dev/zero"),
            "is not a regular file (a character device)",
        ),
        (
            &f.dir.path().join("api.yaml"),
            "is not a regular file (a FIFO)",
        ),
        (&f.dir.path().join("big.yaml"), "is larger than 50 MiB"),
    ] {
        let err = load(path, &LoadOptions::default()).expect_err("refused");
        assert!(
            err.to_string()
                .starts_with(&format!("{}:1:1: the template {why}", path.display())),
            "{err}"
        );
    }
}

/// YAML as CloudFormation and SAM CLI read it (issue "real-world templates"): a duplicate key is
/// a located warning and the last value wins; a flow collection closed, or a quoted string
/// continued, at the parent key's indentation loads (with the string's value unchanged); a
/// Condition on a resource gatewise does not read is not evaluated.
#[test]
fn yaml_loads_as_cloudformation_reads_it() {
    let text = format!(
        "{HEADER}Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.first\n      Handler: index.handler\n      Code:\n        ZipFile: x\n      Environment:\n        Variables: {{\n          A: \"one \\\n        two\"\n      }}\n      Architectures: [\n        x86_64\n    ]\n  Meta:\n    Type: AWS::CDK::Metadata\n    Condition: CDKMetadataAvailable\n"
    );
    let f = fixture("template.yaml", &text, &[]);
    let stack = load(&f.path, &LoadOptions::default()).unwrap();
    let function = &stack.functions[0];
    assert_eq!(function.handler, "index.handler", "the last duplicate wins");
    assert_eq!(function.environment["A"], "one two");
    let warning = stack
        .warnings
        .iter()
        .find(|w| w.message.contains("duplicate key 'Handler'"))
        .expect("a duplicate-key warning");
    assert_eq!(
        (warning.location.line, warning.location.column),
        (u32::try_from(HEADER.lines().count()).unwrap() + 7, 7)
    );
}
