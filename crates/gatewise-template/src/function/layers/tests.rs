//! Layers read end to end: SAM and CloudFormation layer resources, `Layers` on functions and in
//! `Globals`, and every located error and warning — templates written next to layer folders.

use gatewise_model::Stack;

use crate::{LoadError, LoadOptions, load};

const HEADER: &str = "Transform: AWS::Serverless-2016-10-31\n";

/// Layer folders every case has: `layers/a`, `layers/b`, `layers/g`.
const FOLDERS: &[&str] = &["layers/a", "layers/b", "layers/g"];

fn load_text(text: &str, stub: bool) -> Result<Stack, LoadError> {
    let dir = tempfile::tempdir().expect("tempdir");
    for folder in FOLDERS {
        std::fs::create_dir_all(dir.path().join(folder)).expect("folder");
    }
    let path = dir.path().join("template.yaml");
    std::fs::write(&path, text).expect("write");
    let options = LoadOptions {
        stub_functions: stub,
        ..LoadOptions::default()
    };
    load(&path, &options)
}

/// The layer resources of the SAM cases: A and B local, G for Globals, S3 in a bucket, Py
/// compatible with Python only, Named with a `LayerName`.
fn sam_layers() -> &'static str {
    "  A:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: layers/a}
  B:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: layers/b/}
  G:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: layers/g}
  S3:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: {Bucket: bucket, Key: layer.zip}}
  Py:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: layers/a, CompatibleRuntimes: [python3.12, python3.13]}
  Named:
    Type: AWS::Serverless::LayerVersion
    Properties: {ContentUri: layers/b, LayerName: shared-utils}
"
}

/// A SAM template: `globals` under `Globals.Function`, one function `F` (nodejs20.x) with
/// `layers` as its `Layers` value, declared before the layers.
fn sam(globals: &str, layers: &str) -> String {
    let globals = if globals.is_empty() {
        String::new()
    } else {
        format!("Globals:\n  Function:\n    Layers: {globals}\n")
    };
    format!(
        "{HEADER}{globals}Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: exports.handler = async () => ({{}});
      Handler: index.handler
      Runtime: nodejs20.x
      Layers: {layers}
{}",
        sam_layers()
    )
}

/// The layers of function `F` as (logical id, folder relative to the template).
fn layers_of(stack: &Stack) -> Vec<(String, String)> {
    let root = stack.template_path.parent().expect("template folder");
    stack.functions[0]
        .layers
        .iter()
        .map(|l| {
            let relative = l.dir.strip_prefix(root).unwrap_or(&l.dir);
            (
                l.logical_id.clone(),
                relative.to_string_lossy().trim_end_matches('/').to_owned(),
            )
        })
        .collect()
}

#[test]
fn layers_become_local_folders_in_the_function_s_order() {
    // (Globals.Function.Layers, the function's Layers, expected (layer, folder) list)
    type Case = (
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
    );
    let cases: &[Case] = &[
        ("", "[!Ref A]", &[("A", "layers/a")]),
        // Order kept, even when the later layer is declared after the function.
        (
            "",
            "[!Ref B, !Ref A]",
            &[("B", "layers/b"), ("A", "layers/a")],
        ),
        // SAM merges Globals lists by appending the function's to the global ones.
        (
            "[!Ref G]",
            "[!Ref A, !Ref B]",
            &[("G", "layers/g"), ("A", "layers/a"), ("B", "layers/b")],
        ),
        // A layer named by the ARN its Ref gives (LayerName, version 1) is the same layer.
        (
            "",
            "['arn:aws:lambda:us-east-1:123456789012:layer:shared-utils:1', !Sub 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:layer:A:1']",
            &[("Named", "layers/b"), ("A", "layers/a")],
        ),
        // AWS::NoValue drops an entry.
        ("", "[!Ref A, !Ref AWS::NoValue]", &[("A", "layers/a")]),
    ];
    for (globals, layers, want) in cases {
        let stack = load_text(&sam(globals, layers), false)
            .unwrap_or_else(|e| panic!("{globals} {layers}: {e}"));
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(id, dir)| (id.to_string(), dir.to_string()))
            .collect();
        assert_eq!(layers_of(&stack), want, "{globals} {layers}");
        assert!(stack.warnings.is_empty(), "{layers}: {:?}", stack.warnings);
    }
}

#[test]
fn layer_problems_are_located_with_a_next_step() {
    // (Layers value, --stub-functions, expected error (line, text) or warnings (line, text),
    // expected layers of F)
    type Case = (
        &'static str,
        bool,
        Result<&'static [(u32, &'static str)], (u32, &'static str)>,
        &'static [&'static str],
    );
    let cases: &[Case] = &[
        // A layer from another account: a warning at the entry, the function runs without it.
        (
            "['arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV2:68']",
            false,
            Ok(&[(
                9,
                "is not declared in this template, so it is not available locally",
            )]),
            &[],
        ),
        // Six layers: Lambda's limit is five.
        (
            "[!Ref A, !Ref B, !Ref G, !Ref A, !Ref B, !Ref G]",
            false,
            Err((9, "has 6 layers; Lambda allows at most 5")),
            &[],
        ),
        // Content in S3: an error naming --stub-functions; with it, a warning and no layer.
        (
            "[!Ref S3]",
            false,
            Err((21, "its content is in S3 (s3://bucket/layer.zip)")),
            &[],
        ),
        (
            "[!Ref S3, !Ref A]",
            true,
            Ok(&[(21, "Left out (--stub-functions)")]),
            &["A"],
        ),
        // A layer built for other runtimes: a warning at the entry.
        (
            "[!Ref Py]",
            false,
            Ok(&[(
                9,
                "CompatibleRuntimes (python3.12, python3.13) do not include nodejs20.x",
            )]),
            &["Py"],
        ),
        (
            "!Ref A",
            false,
            Err((9, "Layers must be a list of layer ARNs")),
            &[],
        ),
        (
            "[{Name: A}]",
            false,
            Err((
                9,
                "each entry of Layers is a layer version ARN, found a map; write `!Ref`",
            )),
            &[],
        ),
    ];
    for (layers, stub, want, want_layers) in cases {
        let result = load_text(&sam("", layers), *stub);
        match (want, result) {
            (Ok(warnings), Ok(stack)) => {
                let got: Vec<(u32, &str)> = stack
                    .warnings
                    .iter()
                    .map(|w| (w.location.line, w.message.as_str()))
                    .collect();
                assert_eq!(got.len(), warnings.len(), "{layers}: {got:?}");
                for ((line, text), (got_line, got_text)) in warnings.iter().zip(&got) {
                    assert_eq!(line, got_line, "{layers}: {got_text}");
                    assert!(got_text.contains(text), "{layers}: {got_text}");
                }
                let ids: Vec<&str> = stack.functions[0]
                    .layers
                    .iter()
                    .map(|l| l.logical_id.as_str())
                    .collect();
                assert_eq!(&ids, want_layers, "{layers}");
            }
            (Err((line, text)), Err(e)) => {
                assert_eq!(e.location.line, *line, "{layers}: {e}");
                assert!(e.message.contains(text), "{layers}: {e}");
                if text.contains("S3") {
                    assert!(e.message.contains("--stub-functions"), "{e}");
                }
            }
            (want, got) => panic!("{layers}: wanted {want:?}, got {got:?}"),
        }
    }
}

#[test]
fn cloudformation_layers_come_from_cdk_assets() {
    let text = "Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Code: {ZipFile: 'exports.handler = async () => ({})'}
      Handler: index.handler
      Runtime: nodejs20.x
      Layers: [!Ref Shared]
  Shared:
    Type: AWS::Lambda::LayerVersion
    Properties:
      Content: {S3Bucket: cdk-assets, S3Key: abc.zip}
      CompatibleRuntimes: [nodejs20.x]
    Metadata: {aws:asset:path: layers/a}
";
    let stack = load_text(text, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        layers_of(&stack),
        vec![("Shared".to_owned(), "layers/a".to_owned())]
    );
    assert!(stack.warnings.is_empty(), "{:?}", stack.warnings);

    // Without the asset folder the content is only in S3.
    let s3 = text.replace("    Metadata: {aws:asset:path: layers/a}\n", "");
    let e = load_text(&s3, false).expect_err("S3 layer");
    assert_eq!(e.location.line, 12, "{e}");
    assert!(
        e.message.contains("s3://cdk-assets/abc.zip") && e.message.contains("--stub-functions"),
        "{e}"
    );
    // A missing folder says where it looked.
    let missing = text.replace("layers/a}", "layers/nope}");
    let e = load_text(&missing, false).expect_err("missing folder");
    assert_eq!(e.location.line, 14, "{e}");
    assert!(e.message.contains("does not exist (looked in"), "{e}");
}

#[test]
fn a_layer_ref_is_its_arn() {
    let text = format!(
        "{HEADER}Resources:
  L:
    Type: AWS::Serverless::LayerVersion
    Properties: {{ContentUri: layers/a, LayerName: !Sub '${{AWS::StackName}}-deps'}}
  F:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: x
      Handler: index.handler
      Runtime: python3.12
      Layers: [!Ref L]
      Environment:
        Variables:
          LAYER: !Ref L
"
    );
    let stack = load_text(&text, false).unwrap_or_else(|e| panic!("{e}"));
    let function = &stack.functions[0];
    assert_eq!(
        function.environment["LAYER"],
        "arn:aws:lambda:us-east-1:123456789012:layer:gatewise-local-deps:1"
    );
    assert_eq!(function.layers.len(), 1);
    assert!(function.layers[0].dir.ends_with("layers/a"));
}

#[test]
fn a_layer_sam_build_builds_is_read_as_it_is_with_a_warning() {
    let text = format!(
        "{HEADER}Resources:
  Deps:
    Type: AWS::Serverless::LayerVersion
    Properties: {{ContentUri: layers/a}}
    Metadata:
      BuildMethod: nodejs20.x
"
    );
    let stack = load_text(&text, false).unwrap_or_else(|e| panic!("{e}"));
    let [warning] = stack.warnings.as_slice() else {
        panic!("{:?}", stack.warnings)
    };
    assert_eq!(warning.location.line, 7, "{warning}");
    assert!(
        warning.message.contains("BuildMethod nodejs20.x") && warning.message.contains("sam build"),
        "{warning}"
    );
}
