//! Intrinsic functions, conditions and pseudo parameters resolved on small templates.

use std::sync::Arc;

use indexmap::IndexMap;
use serde_json::json;

use super::*;
use crate::LoadOptions;
use crate::document::value::parse;

const TEMPLATE: &str = r#"
Parameters:
  Env: {Type: String, Default: dev}
  Names: {Type: CommaDelimitedList, Default: "a,b,c"}
  Ssm: {Type: "AWS::SSM::Parameter::Value<String>", Default: /my/param}
Mappings:
  Regions:
    us-east-1: {Ami: ami-1, Size: 3}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [dev, !Ref Env]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsDev, !Condition NotProd]
  Either: !Or [!Condition IsProd, !Condition IsDev]
  Neither: {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "IsDev"}]}
  Loop: !Not [!Condition Loop]
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties: {FunctionName: !Sub "${AWS::StackName}-hello"}
  Plain:
    Type: AWS::Lambda::Function
  Table:
    Type: AWS::DynamoDB::Table
  MyApi:
    Type: AWS::Serverless::Api
  SelfNamed:
    Type: AWS::Lambda::Function
    Properties: {FunctionName: !Ref SelfNamed}
"#;

/// Resolves `value: <expr>` against [`TEMPLATE`]; returns the JSON and the warnings.
fn resolve(expr: &str) -> Result<(serde_json::Value, Vec<String>), LoadError> {
    let file: Arc<std::path::Path> = Arc::from(std::path::Path::new("t.yaml"));
    let template = parse(TEMPLATE, &file)?;
    let top = template.as_map().expect("template map");
    let start = SourceLocation::new(file.clone(), 1, 1);
    let mut warnings = Vec::new();
    let parameters = crate::document::parameters::read(
        top.get("Parameters"),
        &LoadOptions::default(),
        &start,
        &mut warnings,
    )?;
    let mut resolver = Resolver::new(
        top,
        parameters,
        pseudo::DEFAULT_STACK_NAME.to_owned(),
        warnings,
    );
    let value = parse(&format!("value: {expr}"), &file)?;
    let node = value.as_map().and_then(|m| m.get("value")).expect("value");
    let resolved = resolver
        .resolve(node)?
        .map_or(serde_json::Value::String("<NoValue>".into()), |n| {
            n.to_json()
        });
    let warnings = resolver
        .into_warnings()
        .into_iter()
        .map(|d| d.to_string())
        .collect();
    Ok((resolved, warnings))
}

#[test]
fn resolves_every_intrinsic() {
    let arn = "arn:aws:lambda:us-east-1:123456789012:function:gatewise-local-hello";
    // (expression, expected value, expected warning text or "" for none)
    let cases: Vec<(&str, serde_json::Value, &str)> = vec![
        ("!Ref Env", json!("dev"), ""),
        ("!Ref AWS::Region", json!("us-east-1"), ""),
        ("!Ref AWS::AccountId", json!("123456789012"), ""),
        ("!Ref AWS::Partition", json!("aws"), ""),
        ("!Ref AWS::URLSuffix", json!("amazonaws.com"), ""),
        ("!Ref AWS::StackName", json!("gatewise-local"), ""),
        ("!Ref AWS::NotificationARNs", json!([]), ""),
        ("!Ref AWS::NoValue", json!("<NoValue>"), ""),
        ("!Ref Names", json!(["a", "b", "c"]), ""),
        ("!Ref Hello", json!("gatewise-local-hello"), ""),
        ("!Ref Plain", json!("Plain"), ""),
        ("!Ref Table", json!("Table"), ""),
        ("!Ref MyApi", json!(ids::api_id("MyApi")), ""),
        (
            "!Ref ServerlessRestApi",
            json!(ids::api_id("ServerlessRestApi")),
            "",
        ),
        (
            "!Ref Nope",
            json!("<unresolved Ref Nope>"),
            "Ref 'Nope' names no parameter",
        ),
        (
            "!Ref Ssm",
            json!("<unresolved SSM parameter /my/param>"),
            "read from SSM",
        ),
        ("{Ref: Env}", json!("dev"), ""),
        ("!Sub '${Env}-${AWS::Region}'", json!("dev-us-east-1"), ""),
        ("!Sub '${!Literal}-${ Env }'", json!("${Literal}-dev"), ""),
        ("!Sub 'no vars'", json!("no vars"), ""),
        ("!Sub 'open ${Env'", json!("open ${Env"), ""),
        (
            "!Sub ['${A}-${Env}', {A: !Ref AWS::AccountId}]",
            json!("123456789012-dev"),
            "",
        ),
        ("!Sub '${Hello.Arn}'", json!(arn), ""),
        (
            "!Sub '${Table.Arn}'",
            json!("<unresolved Fn::GetAtt Table.Arn>"),
            "Fn::GetAtt Table.Arn is only known after deployment",
        ),
        ("!GetAtt Hello.Arn", json!(arn), ""),
        ("!GetAtt [Hello, Arn]", json!(arn), ""),
        ("{'Fn::GetAtt': [Hello, Arn]}", json!(arn), ""),
        (
            "!GetAtt Plain.Arn",
            json!("arn:aws:lambda:us-east-1:123456789012:function:Plain"),
            "",
        ),
        (
            "!GetAtt Table.StreamArn",
            json!("<unresolved Fn::GetAtt Table.StreamArn>"),
            "only known after deployment",
        ),
        (
            "!GetAtt Ghost.Arn",
            json!("<unresolved Fn::GetAtt Ghost.Arn>"),
            "names no resource",
        ),
        (
            "!Join ['-', [a, !Ref Env, !Sub 'x${Env}']]",
            json!("a-dev-xdev"),
            "",
        ),
        ("!Join [',', !Ref Names]", json!("a,b,c"), ""),
        (
            "!Join ['', [a, !If [IsProd, p, !Ref AWS::NoValue]]]",
            json!("a"),
            "",
        ),
        ("!Join ['', [n, 1, true]]", json!("n1true"), ""),
        ("!Select [1, !Ref Names]", json!("b"), ""),
        ("!Select ['0', [x, y]]", json!("x"), ""),
        ("!Split [',', 'a,b']", json!(["a", "b"]), ""),
        ("!Select [2, !Split [',', 'a,b,c']]", json!("c"), ""),
        (
            "!FindInMap [Regions, !Ref AWS::Region, Ami]",
            json!("ami-1"),
            "",
        ),
        ("!FindInMap [Regions, us-east-1, Size]", json!(3), ""),
        ("!If [IsDev, yes-dev, no]", json!("yes-dev"), ""),
        ("!If [IsProd, a, b]", json!("b"), ""),
        ("!If [NotProd, t, f]", json!("t"), ""),
        ("!If [Both, t, f]", json!("t"), ""),
        ("!If [Either, t, f]", json!("t"), ""),
        ("!If [Neither, t, f]", json!("f"), ""),
        ("!If [IsProd, a, !Ref AWS::NoValue]", json!("<NoValue>"), ""),
        ("[a, !Ref AWS::NoValue, b]", json!(["a", "b"]), ""),
        ("{k: !Ref AWS::NoValue, j: 1}", json!({"j": 1}), ""),
        ("{k: {n: !Ref Env}}", json!({"k": {"n": "dev"}}), ""),
        (
            "!ImportValue Shared",
            json!("<unresolved Fn::ImportValue Shared>"),
            "Fn::ImportValue 'Shared'",
        ),
        (
            "!ImportValue {'Fn::Sub': '${Env}-table'}",
            json!("<unresolved Fn::ImportValue dev-table>"),
            "Fn::ImportValue 'dev-table'",
        ),
        (
            "'{{resolve:ssm:/x}}'",
            json!("<unresolved resolve:ssm:/x>"),
            "dynamic reference {{resolve:ssm:/x}}",
        ),
        (
            "!Sub 'pw={{resolve:secretsmanager:db:SecretString:pw}}'",
            json!("pw=<unresolved resolve:secretsmanager:db:SecretString:pw>"),
            "dynamic reference",
        ),
        ("!Base64 hello", json!("aGVsbG8="), ""),
        ("!Base64 hi", json!("aGk="), ""),
        ("!Base64 abc", json!("YWJj"), ""),
        (
            "!GetAZs ''",
            json!(["us-east-1a", "us-east-1b", "us-east-1c"]),
            "",
        ),
        ("!Equals [a, a]", json!(true), ""),
        ("!Not [!Equals [a, a]]", json!(false), ""),
        ("{'Fn::Length': [a, b]}", json!(2), ""),
        ("{'Fn::ToJsonString': {a: 1}}", json!("{\"a\":1}"), ""),
        (
            "!Cidr [10.0.0.0/16, 2, 8]",
            json!("<unresolved Fn::Cidr>"),
            "Fn::Cidr is not resolved locally",
        ),
    ];
    for (expr, want, warning) in cases {
        let (got, warnings) = resolve(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
        assert_eq!(got, want, "{expr}");
        if warning.is_empty() {
            assert!(
                warnings.is_empty(),
                "{expr}: unexpected warnings {warnings:?}"
            );
        } else {
            assert!(
                warnings
                    .iter()
                    .any(|w| w.contains(warning) && w.starts_with("t.yaml:1:")),
                "{expr}: want warning {warning:?} with a position, got {warnings:?}"
            );
        }
    }
}

#[test]
fn intrinsic_errors_say_what_is_wrong() {
    let cases: &[(&str, &str)] = &[
        ("!Ref [x]", "Ref needs the name"),
        ("!Join [a]", "Fn::Join expects [delimiter, [values...]]"),
        ("!Join ['-', notalist]", "Fn::Join values must be a list"),
        ("!Join ['-', [[nested]]]", "Fn::Join values must be strings"),
        ("!Select [5, [a]]", "not a position"),
        ("!Select [x, [a]]", "not a position"),
        (
            "!FindInMap [Regions, eu-west-1, Ami]",
            "Mappings has no Regions → eu-west-1 → Ami",
        ),
        ("!FindInMap [Regions]", "Fn::FindInMap expects"),
        ("!If [Missing, a, b]", "condition 'Missing' is not defined"),
        ("!If [Loop, a, b]", "condition 'Loop' depends on itself"),
        ("!If [IsProd, a]", "Fn::If expects"),
        ("!Sub '${Names}'", "is a list, not a string"),
        ("!Sub 3", "Fn::Sub expects"),
        ("!GetAtt nodot", "Fn::GetAtt expects"),
        ("!Split ['', abc]", "delimiter must not be empty"),
        ("!Ref SelfNamed", "cycle"),
        ("!Equals [a]", "Fn::Equals expects"),
    ];
    for (expr, want) in cases {
        let err = resolve(expr).expect_err(expr);
        assert!(err.message.contains(want), "{expr}: {err}");
        assert!(err.to_string().starts_with("t.yaml:"), "{expr}: {err}");
    }
}

#[test]
fn stack_name_and_overrides_feed_pseudo_parameters_and_refs() {
    let file: Arc<std::path::Path> = Arc::from(std::path::Path::new("t.yaml"));
    let template = parse(TEMPLATE, &file).unwrap();
    let top = template.as_map().unwrap();
    let options = LoadOptions {
        parameter_overrides: IndexMap::from([("Env".to_owned(), "prod".to_owned())]),
        stack_name: Some("mine".to_owned()),
        ..LoadOptions::default()
    };
    let start = SourceLocation::new(file.clone(), 1, 1);
    let mut warnings = Vec::new();
    let parameters =
        crate::document::parameters::read(top.get("Parameters"), &options, &start, &mut warnings)
            .unwrap();
    let mut resolver = Resolver::new(top, parameters, "mine".to_owned(), warnings);
    let node = parse("v: !Sub '${AWS::StackName}/${Env}/${Hello}'", &file).unwrap();
    let v = node.as_map().unwrap().get("v").unwrap();
    let got = resolver.resolve(v).unwrap().unwrap().to_json();
    assert_eq!(got, json!("mine/prod/mine-hello"));
    assert!(resolver.condition("IsProd", &start).unwrap());
}

#[test]
fn base64_matches_rfc_4648_vectors() {
    let cases = [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ];
    for (input, want) in cases {
        assert_eq!(base64(input.as_bytes()), want, "{input}");
    }
}
