//! `--stub-functions` end to end: SAM and plain CloudFormation functions whose code cannot run
//! here become stubs, with a warning each; without the option they are errors.

use gatewise_model::FunctionCode;

use crate::function::stub;
use crate::test_support::rest_api::{HEADER, ok};
use crate::{LoadOptions, load};

#[test]
fn stub_functions_replace_code_that_cannot_run() {
    let text = format!(
        "{HEADER}Resources:
  S3:
    Type: AWS::Serverless::Function
    Properties: {{CodeUri: s3://b/k, Handler: app.h, Runtime: nodejs20.x, Timeout: 9, FunctionName: named}}
  Old:
    Type: AWS::Serverless::Function
    Properties: {{CodeUri: src, Handler: app.h, Runtime: nodejs8.10}}
  Missing:
    Type: AWS::Serverless::Function
    Properties: {{CodeUri: nope, Handler: app.h, Runtime: python3.12}}
  Image:
    Type: AWS::Serverless::Function
    Properties: {{PackageType: Image, ImageUri: x}}
  Cfn:
    Type: AWS::Lambda::Function
    Properties: {{Code: {{S3Bucket: b, S3Key: k}}, Handler: a.b, Runtime: nodejs20.x}}
  Fine:
    Type: AWS::Serverless::Function
    Properties: {{CodeUri: src, Handler: app.h, Runtime: python3.12}}
"
    );
    let stack = ok(&text);
    assert_eq!(stack.functions.len(), 6);
    for f in &stack.functions[..5] {
        assert_eq!(
            f.runtime.to_string(),
            stub::STUB_RUNTIME,
            "{}",
            f.logical_id
        );
        assert_eq!(f.handler, stub::STUB_HANDLER);
        assert_eq!(f.code, FunctionCode::Inline(stub::STUB_SOURCE.to_owned()));
    }
    assert_eq!(stack.functions[0].name, "named");
    assert_eq!(stack.functions[0].timeout.as_secs(), 9);
    assert!(matches!(
        stack.functions[5].code,
        FunctionCode::Directory(_)
    ));
    assert_eq!(
        stack
            .warnings
            .iter()
            .filter(|w| w.message.contains("is stubbed"))
            .count(),
        5
    );
    // Without the option, the first of them is an error.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.yaml");
    std::fs::write(&path, &text).unwrap();
    assert!(load(&path, &LoadOptions::default()).is_err());
}
