//! The Terraform language as real configurations use it, one small configuration per feature,
//! loaded into the model: variables and their sources, `locals`, `count`, `for_each` (over a map
//! and over another resource), local modules, data sources, located errors.

use std::path::Path;

use gatewise_model::{Integration, Stack};

use crate::{LoadOptions, TerraformVariable, load};

/// A Lambda function whose code is `src/` (a file is written there), named `name`.
fn function(name: &str) -> String {
    format!(
        "data \"archive_file\" \"{name}\" {{\n  type = \"zip\"\n  source_dir = \"${{path.module}}/src\"\n  output_path = \"${{path.module}}/build/{name}.zip\"\n}}\nresource \"aws_lambda_function\" \"{name}\" {{\n  function_name = \"{name}\"\n  runtime = \"nodejs20.x\"\n  handler = \"index.handler\"\n  filename = data.archive_file.{name}.output_path\n}}\n"
    )
}

const REST_API: &str = "resource \"aws_api_gateway_rest_api\" \"api\" {\n  name = \"api\"\n}\n";

/// A REST method with a MOCK integration on `resource` (an expression for its id).
fn mock_method(name: &str, resource: &str, verb: &str) -> String {
    format!(
        "resource \"aws_api_gateway_method\" \"{name}\" {{\n  rest_api_id = aws_api_gateway_rest_api.api.id\n  resource_id = {resource}\n  http_method = \"{verb}\"\n  authorization = \"NONE\"\n}}\nresource \"aws_api_gateway_integration\" \"{name}\" {{\n  rest_api_id = aws_api_gateway_rest_api.api.id\n  resource_id = {resource}\n  http_method = aws_api_gateway_method.{name}.http_method\n  type = \"MOCK\"\n}}\n"
    )
}

fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("src/index.js"),
        "exports.handler = async () => ({});\n",
    )
    .unwrap();
}

fn load_files(files: &[(&str, &str)], options: &LoadOptions) -> Result<Stack, crate::LoadError> {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path(), files);
    load(dir.path(), options)
}

/// `METHOD path` of every REST route.
fn rest_routes(stack: &Stack) -> Vec<String> {
    let mut out: Vec<String> = stack
        .rest_apis
        .iter()
        .flat_map(|api| &api.resources)
        .flat_map(|r| {
            r.methods
                .iter()
                .map(move |m| format!("{} {}", m.http_method, r.path))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn variables_take_the_highest_source() {
    let declared = "variable \"greeting\" {\n  default = \"default\"\n}\n";
    let uses = |files: &mut Vec<(&'static str, String)>| {
        files.push(("main.tf", format!("{}\nlocals {{\n  g = var.greeting\n}}\n", function("f").replace("runtime = \"nodejs20.x\"", "runtime = \"nodejs20.x\"\n  environment {\n    variables = { GREETING = local.g }\n  }"))));
    };
    let var = |name: &str, value: &str| TerraformVariable::Value {
        name: name.into(),
        value: value.into(),
    };
    type Files = &'static [(&'static str, &'static str)];
    let cases: Vec<(Files, Vec<TerraformVariable>, &str)> = vec![
        (&[], vec![], "default"),
        (
            &[("terraform.tfvars", "greeting = \"tfvars\"\n")],
            vec![],
            "tfvars",
        ),
        (
            &[
                ("terraform.tfvars", "greeting = \"tfvars\"\n"),
                ("b.auto.tfvars", "greeting = \"b.auto\"\n"),
                ("a.auto.tfvars", "greeting = \"a.auto\"\n"),
            ],
            vec![],
            "b.auto",
        ),
        (
            &[("b.auto.tfvars", "greeting = \"auto\"\n")],
            vec![TerraformVariable::File("x.tfvars".into())],
            "var-file",
        ),
        (
            &[("b.auto.tfvars", "greeting = \"auto\"\n")],
            vec![
                TerraformVariable::File("x.tfvars".into()),
                var("greeting", "flag"),
            ],
            "flag",
        ),
    ];
    for (extra, variables, want) in cases {
        let dir = tempfile::tempdir().unwrap();
        let mut files: Vec<(&str, String)> = vec![
            ("variables.tf", declared.to_owned()),
            ("x.tfvars", "greeting = \"var-file\"\n".to_owned()),
        ];
        uses(&mut files);
        files.extend(extra.iter().map(|(n, t)| (*n, (*t).to_owned())));
        let borrowed: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
        write_files(dir.path(), &borrowed);
        let variables = variables
            .into_iter()
            .map(|v| match v {
                TerraformVariable::File(f) => TerraformVariable::File(dir.path().join(f)),
                other => other,
            })
            .collect();
        let options = LoadOptions {
            terraform_variables: variables,
            ..LoadOptions::default()
        };
        let stack = load(dir.path(), &options).unwrap();
        assert_eq!(
            stack.functions[0].environment["GREETING"], want,
            "{extra:?}"
        );
    }
}

#[test]
fn a_variable_without_a_value_is_located_at_its_block() {
    let error = load_files(
        &[("vars.tf", "\n\nvariable \"stage\" {\n  type = string\n}\n")],
        &LoadOptions::default(),
    )
    .unwrap_err();
    assert!(error.to_string().ends_with("variable \"stage\" has no value and no default; give it with `--var stage=VALUE`, in terraform.tfvars or a --var-file, or as the environment variable TF_VAR_stage"), "{error}");
    assert!(
        error.location.to_string().ends_with("vars.tf:3:1"),
        "{error}"
    );
    let unknown = LoadOptions {
        terraform_variables: vec![TerraformVariable::Value {
            name: "nope".into(),
            value: "x".into(),
        }],
        ..LoadOptions::default()
    };
    let error = load_files(
        &[("vars.tf", "variable \"stage\" {\n  default = \"a\"\n}\n")],
        &unknown,
    )
    .unwrap_err();
    assert!(
        error.message.contains("declares no variable \"nope\"") && error.message.contains("stage"),
        "{error}"
    );
}

#[test]
fn locals_count_and_for_each_make_routes() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "locals in any order",
            "locals {\n  path = \"${local.base}s\"\n}\nlocals {\n  base = \"item\"\n}\nresource \"aws_api_gateway_resource\" \"r\" {\n  rest_api_id = aws_api_gateway_rest_api.api.id\n  parent_id = aws_api_gateway_rest_api.api.root_resource_id\n  path_part = local.path\n}\n",
            &["GET /items"],
        ),
        (
            "count",
            "variable \"paths\" {\n  default = [\"a\", \"b\", \"c\"]\n}\nresource \"aws_api_gateway_resource\" \"r\" {\n  count = length(var.paths)\n  rest_api_id = aws_api_gateway_rest_api.api.id\n  parent_id = aws_api_gateway_rest_api.api.root_resource_id\n  path_part = var.paths[count.index]\n}\n",
            &["GET /a", "GET /b", "GET /c"],
        ),
        (
            "count = 0 (a condition)",
            "resource \"aws_api_gateway_resource\" \"r\" {\n  count = false ? 1 : 0\n  rest_api_id = aws_api_gateway_rest_api.api.id\n  parent_id = aws_api_gateway_rest_api.api.root_resource_id\n  path_part = \"never\"\n}\n",
            &[],
        ),
        (
            "for_each over a set, then over that resource",
            "resource \"aws_api_gateway_resource\" \"r\" {\n  for_each = toset([\"users\", \"orders\"])\n  rest_api_id = aws_api_gateway_rest_api.api.id\n  parent_id = aws_api_gateway_rest_api.api.root_resource_id\n  path_part = each.key\n}\nresource \"aws_api_gateway_resource\" \"child\" {\n  for_each = aws_api_gateway_resource.r\n  rest_api_id = aws_api_gateway_rest_api.api.id\n  parent_id = each.value.id\n  path_part = \"{id}\"\n}\n",
            &[
                "GET /orders",
                "GET /orders/{id}",
                "GET /users",
                "GET /users/{id}",
            ],
        ),
    ];
    for (what, config, want) in cases {
        // One MOCK GET on each resource instance the case makes.
        let methods = "resource \"aws_api_gateway_method\" \"get\" {\n  for_each = { for k, v in local.all : k => v }\n  rest_api_id = aws_api_gateway_rest_api.api.id\n  resource_id = each.value\n  http_method = \"GET\"\n  authorization = \"NONE\"\n}\nresource \"aws_api_gateway_integration\" \"get\" {\n  for_each = aws_api_gateway_method.get\n  rest_api_id = aws_api_gateway_rest_api.api.id\n  resource_id = each.value.resource_id\n  http_method = each.value.http_method\n  type = \"MOCK\"\n}\n";
        let ids = if config.contains("\"child\"") {
            "locals {\n  all = merge({ for k, r in aws_api_gateway_resource.r : k => r.id }, { for k, r in aws_api_gateway_resource.child : \"${k}-child\" => r.id })\n}\n"
        } else if config.contains("count =") {
            "locals {\n  all = { for i, r in aws_api_gateway_resource.r : tostring(i) => r.id }\n}\n"
        } else {
            "locals {\n  all = { one = aws_api_gateway_resource.r.id }\n}\n"
        };
        let stack = load_files(
            &[
                ("api.tf", REST_API),
                ("routes.tf", config),
                ("methods.tf", methods),
                ("ids.tf", ids),
            ],
            &LoadOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(rest_routes(&stack), *want, "{what}");
    }
}

#[test]
fn a_local_module_gets_its_inputs_and_gives_its_outputs() {
    let module = format!(
        "variable \"api_id\" {{}}\nvariable \"parent_id\" {{}}\nvariable \"path\" {{\n  default = \"things\"\n}}\nresource \"aws_api_gateway_resource\" \"r\" {{\n  rest_api_id = var.api_id\n  parent_id = var.parent_id\n  path_part = var.path\n}}\noutput \"resource_id\" {{\n  value = aws_api_gateway_resource.r.id\n}}\n{}",
        mock_method("m", "aws_api_gateway_resource.r.id", "PUT")
            .replace("aws_api_gateway_rest_api.api.id", "var.api_id")
    );
    let root = format!(
        "{REST_API}module \"things\" {{\n  source = \"./modules/things\"\n  api_id = aws_api_gateway_rest_api.api.id\n  parent_id = aws_api_gateway_rest_api.api.root_resource_id\n}}\nresource \"aws_api_gateway_resource\" \"detail\" {{\n  rest_api_id = aws_api_gateway_rest_api.api.id\n  parent_id = module.things.resource_id\n  path_part = \"detail\"\n}}\n{}",
        mock_method("detail", "aws_api_gateway_resource.detail.id", "GET")
    );
    let stack = load_files(
        &[("main.tf", &root), ("modules/things/main.tf", &module)],
        &LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(rest_routes(&stack), ["GET /things/detail", "PUT /things"]);
    let method = &stack.rest_apis[0]
        .resources
        .iter()
        .find(|r| r.path == "/things")
        .unwrap()
        .methods[0];
    assert!(matches!(method.integration, Integration::Mock(_)));
    assert!(
        method
            .location
            .to_string()
            .contains("modules/things/main.tf:"),
        "{}",
        method.location
    );
    // A module missing a required input is an error at the module block.
    let error = load_files(
        &[
            (
                "main.tf",
                &root.replace(
                    "  parent_id = aws_api_gateway_rest_api.api.root_resource_id\n",
                    "",
                ),
            ),
            ("modules/things/main.tf", &module),
        ],
        &LoadOptions::default(),
    )
    .unwrap_err();
    assert!(
        error
            .message
            .contains("module \"things\" needs a value for its variable \"parent_id\""),
        "{error}"
    );
}

#[test]
fn lambda_code_is_traced_back_to_its_source_folder() {
    let stack = load_files(&[("main.tf", &function("f"))], &LoadOptions::default()).unwrap();
    match &stack.functions[0].code {
        gatewise_model::FunctionCode::Directory(dir) => {
            assert!(dir.ends_with("src"), "{}", dir.display())
        }
        other => panic!("{other:?}"),
    }
    let zip_only = "resource \"aws_lambda_function\" \"f\" {\n  function_name = \"f\"\n  runtime = \"nodejs20.x\"\n  handler = \"index.handler\"\n  filename = \"dist/f.zip\"\n}\n";
    let error = load_files(&[("main.tf", zip_only)], &LoadOptions::default()).unwrap_err();
    assert!(
        error
            .message
            .contains("filename 'dist/f.zip' does not exist")
            && error.message.contains("--stub-functions"),
        "{error}"
    );
    let stubbed = load_files(
        &[("main.tf", zip_only)],
        &LoadOptions {
            stub_functions: true,
            ..LoadOptions::default()
        },
    )
    .unwrap();
    assert!(stubbed.functions[0].is_stub());
    assert!(
        stubbed
            .warnings
            .iter()
            .any(|w| w.message.contains("dist/f.zip")),
        "{:?}",
        stubbed.warnings
    );
}

#[test]
fn references_to_unknown_things_and_cycles_are_located_errors() {
    let cases: &[(&str, &str)] = &[
        (
            "locals {\n  a = local.b\n  b = local.a\n}\n",
            "cycle: local.a → local.b → local.a",
        ),
        (
            "resource \"aws_api_gateway_resource\" \"r\" {\n  rest_api_id = \"abc123\"\n  parent_id = \"x\"\n  path_part = \"p\"\n}\n",
            "rest_api_id = \"abc123\" is not the id of a resource",
        ),
        (
            "variable \"x\" {\n  default = \"a\"\n}\nvariable \"x\" {\n  default = \"b\"\n}\n",
            "variable \"x\" is declared twice",
        ),
        (
            "locals {\n  a = var.missing\n}\n",
            "var.missing is not declared; add `variable \"missing\" {}`",
        ),
    ];
    for (config, want) in cases {
        let error = load_files(&[("main.tf", config)], &LoadOptions::default()).unwrap_err();
        assert!(error.message.contains(want), "{config}: {error}");
        assert!(error.location.to_string().contains("main.tf:"), "{error}");
    }
}

#[test]
fn dynamic_blocks_and_modules_from_terraform_init() {
    // The HTTP API comes from a "registry" module that `terraform init` put in .terraform/modules;
    // its CORS configuration is a `dynamic` block, as terraform-aws-modules writes it.
    let module = "variable \"cors\" {\n  default = null\n}\nresource \"aws_apigatewayv2_api\" \"this\" {\n  name = \"m\"\n  protocol_type = \"HTTP\"\n  dynamic \"cors_configuration\" {\n    for_each = var.cors == null ? [] : [var.cors]\n    content {\n      allow_origins = cors_configuration.value.origins\n      allow_methods = [\"GET\"]\n    }\n  }\n}\n";
    let root = "module \"api\" {\n  source = \"example/apigateway-v2/aws\"\n  version = \"~> 5.0\"\n  cors = { origins = [\"https://a.example\"] }\n}\n";
    let manifest = r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"api","Source":"registry.terraform.io/example/apigateway-v2/aws","Version":"5.0.0","Dir":".terraform/modules/api"}]}"#;
    let stack = load_files(
        &[
            ("main.tf", root),
            (".terraform/modules/modules.json", manifest),
            (".terraform/modules/api/main.tf", module),
        ],
        &LoadOptions::default(),
    )
    .unwrap();
    let cors = stack.http_apis[0]
        .cors
        .as_ref()
        .expect("CORS from the dynamic block");
    assert_eq!(cors.allow_origins, ["https://a.example"]);
    let without = load_files(&[("main.tf", root)], &LoadOptions::default()).unwrap_err();
    assert!(
        without.message.contains("run `terraform init`"),
        "{without}"
    );
    assert!(
        without.location.to_string().contains("main.tf:2:"),
        "{without}"
    );
}

#[test]
fn a_prebuilt_zip_and_inline_sources_run_from_the_code_cache() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("dist/f.zip");
    std::fs::create_dir_all(zip_path.parent().unwrap()).unwrap();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let options = zip::write::SimpleFileOptions::default().unix_permissions(0o755);
    zip.start_file("index.js", options).unwrap();
    zip.write_all(b"exports.handler = async () => ({});\n")
        .unwrap();
    zip.finish().unwrap();
    let config = "resource \"aws_lambda_function\" \"f\" {\n  function_name = \"f\"\n  runtime = \"nodejs20.x\"\n  handler = \"index.handler\"\n  filename = \"dist/f.zip\"\n}\ndata \"archive_file\" \"inline\" {\n  type = \"zip\"\n  output_path = \"inline.zip\"\n  source {\n    filename = \"app.py\"\n    content = <<-PY\n      def handler(event, context):\n          return {}\n    PY\n  }\n}\nresource \"aws_lambda_function\" \"g\" {\n  function_name = \"g\"\n  runtime = \"python3.12\"\n  handler = \"app.handler\"\n  filename = data.archive_file.inline.output_path\n}\n";
    std::fs::write(dir.path().join("main.tf"), config).unwrap();
    let stack = load(dir.path(), &LoadOptions::default()).unwrap();
    let code_dir = |i: usize| match &stack.functions[i].code {
        gatewise_model::FunctionCode::Directory(d) => d.clone(),
        other => panic!("{other:?}"),
    };
    assert!(code_dir(0).join("index.js").is_file());
    assert_eq!(
        std::fs::read_to_string(code_dir(1).join("app.py")).unwrap(),
        "def handler(event, context):\n    return {}\n"
    );
    // An entry that climbs out of the archive is refused.
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    zip.start_file("../evil.js", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"x").unwrap();
    zip.finish().unwrap();
    let error = load(dir.path(), &LoadOptions::default()).unwrap_err();
    assert!(
        error.message.contains("points outside the archive"),
        "{error}"
    );
}

#[test]
fn layers_are_traced_to_their_source_folders_in_the_function_s_order() {
    let layer = |name: &str| {
        format!(
            "data \"archive_file\" \"{name}\" {{\n  type = \"zip\"\n  source_dir = \"${{path.module}}/layers/{name}\"\n  output_path = \"${{path.module}}/build/{name}.zip\"\n}}\nresource \"aws_lambda_layer_version\" \"{name}\" {{\n  layer_name = \"{name}-layer\"\n  filename = data.archive_file.{name}.output_path\n  compatible_runtimes = [\"nodejs20.x\"]\n}}\n"
        )
    };
    let main = format!(
        "{}{}{}resource \"aws_lambda_function\" \"f\" {{\n  function_name = \"f\"\n  runtime = \"nodejs20.x\"\n  handler = \"index.handler\"\n  filename = data.archive_file.f.output_path\n  layers = [aws_lambda_layer_version.base.arn, aws_lambda_layer_version.extra.arn, \"arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:38\"]\n}}\n",
        layer("base"),
        layer("extra"),
        function("f").split("resource").next().unwrap_or_default()
    );
    let dir = tempfile::tempdir().unwrap();
    write_files(
        dir.path(),
        &[
            ("main.tf", &main),
            ("layers/base/nodejs/node_modules/shared/index.js", "1"),
            ("layers/extra/nodejs/node_modules/shared/index.js", "2"),
        ],
    );
    let stack = load(dir.path(), &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let layers: Vec<(&str, bool)> = stack.functions[0]
        .layers
        .iter()
        .map(|l| {
            (
                l.logical_id.as_str(),
                l.dir
                    .ends_with(l.logical_id.rsplit('.').next().unwrap_or_default()),
            )
        })
        .collect();
    assert_eq!(
        layers,
        vec![
            ("aws_lambda_layer_version.base", true),
            ("aws_lambda_layer_version.extra", true)
        ]
    );
    // The layer from another account is named, at the `layers` argument, as not available.
    let warning = stack
        .warnings
        .iter()
        .find(|w| w.message.contains("LambdaInsightsExtension"))
        .unwrap_or_else(|| panic!("{:?}", stack.warnings));
    assert!(
        warning.location.file.ends_with("main.tf")
            && warning.message.contains("not available locally"),
        "{warning}"
    );
    assert!(
        !stack
            .warnings
            .iter()
            .any(|w| w.message.contains("not mounted")),
        "{:?}",
        stack.warnings
    );

    // A layer whose zip cannot be traced is a located error at its `filename`, in Terraform's
    // words, with --stub-functions as a way out.
    let untraced = main.replace(
        "filename = data.archive_file.base.output_path",
        "filename = \"dist/base.zip\"",
    );
    let e = load_files(&[("main.tf", &untraced)], &LoadOptions::default()).unwrap_err();
    assert!(
        e.location.file.ends_with("main.tf")
            && e.message.contains("aws_lambda_layer_version.base")
            && e.message.contains("dist/base.zip")
            && e.message.contains("--stub-functions"),
        "{e}"
    );
}
