//! The attributes only AWS knows after `terraform apply` (ids, ARNs, URLs), synthesised from
//! each resource's address so that references link by identity (as SAM's Terraform linker
//! does) and Lambda ARNs have their real shape (gatewise finds a function by the name inside
//! an invocation ARN).

use std::collections::HashMap;

use gatewise_model::pseudo::{ACCOUNT_ID, PARTITION, REGION, URL_SUFFIX};
use hcl::Value;

use super::resource_types::Mode;
use crate::ids;
use crate::openapi::lambda_invocation_uri;

/// What the synthesised ids stand for, so later steps can turn an id back into a resource and
/// REST resource ids into paths.
#[derive(Debug, Default)]
pub struct Ids {
    /// REST API resource ids (the root's too) → (API id, path).
    pub resource_paths: HashMap<String, (String, String)>,
    /// REST API name → id (for `data "aws_api_gateway_rest_api"`).
    pub rest_api_by_name: HashMap<String, String>,
}

fn text(value: &hcl::Map<String, Value>, key: &str) -> Option<String> {
    value.get(key).and_then(super::functions::to_string)
}

/// A short stable id for an address (what AWS would make up).
fn short_id(address: &str) -> String {
    ids::resource_id(address, "")
}

/// The synthesised attributes of `address` (of type `kind`), given its evaluated arguments.
pub fn attributes(
    mode: Mode,
    kind: &str,
    address: &str,
    args: &hcl::Map<String, Value>,
    known: &mut Ids,
) -> hcl::Map<String, Value> {
    let mut out = hcl::Map::new();
    let mut set = |k: &str, v: String| {
        out.insert(k.to_owned(), Value::String(v));
    };
    match (mode, kind) {
        (Mode::Managed, "aws_api_gateway_rest_api") => {
            let id = ids::api_id(address);
            let root = ids::resource_id(address, "/");
            known
                .resource_paths
                .insert(root.clone(), (id.clone(), "/".to_owned()));
            if let Some(name) = text(args, "name") {
                known.rest_api_by_name.insert(name, id.clone());
            }
            set("root_resource_id", root);
            set(
                "execution_arn",
                format!("arn:{PARTITION}:execute-api:{REGION}:{ACCOUNT_ID}:{id}"),
            );
            set(
                "arn",
                format!("arn:{PARTITION}:apigateway:{REGION}::/restapis/{id}"),
            );
            set("id", id);
        }
        (Mode::Managed, "aws_api_gateway_resource") => {
            let id = short_id(address);
            let parent = text(args, "parent_id").unwrap_or_default();
            let part = text(args, "path_part").unwrap_or_default();
            if let Some((api, parent_path)) = known.resource_paths.get(&parent).cloned() {
                let path = if parent_path == "/" {
                    format!("/{part}")
                } else {
                    format!("{parent_path}/{part}")
                };
                known.resource_paths.insert(id.clone(), (api, path.clone()));
                set("path", path);
            }
            set("id", id);
        }
        (Mode::Managed, "aws_lambda_function") => {
            let name = text(args, "function_name").unwrap_or_else(|| address.to_owned());
            let arn = format!("arn:{PARTITION}:lambda:{REGION}:{ACCOUNT_ID}:function:{name}");
            set("invoke_arn", lambda_invocation_uri(&name));
            set("qualified_arn", format!("{arn}:$LATEST"));
            set(
                "qualified_invoke_arn",
                lambda_invocation_uri(&format!("{name}:$LATEST")),
            );
            set("version", "$LATEST".to_owned());
            set("arn", arn);
            set("id", name);
        }
        (Mode::Managed, "aws_lambda_alias") => {
            let function = text(args, "function_name").unwrap_or_default();
            let function = function
                .rsplit(":function:")
                .next()
                .unwrap_or(&function)
                .to_owned();
            let alias = text(args, "name").unwrap_or_default();
            let arn =
                format!("arn:{PARTITION}:lambda:{REGION}:{ACCOUNT_ID}:function:{function}:{alias}");
            set(
                "invoke_arn",
                lambda_invocation_uri(&format!("{function}:{alias}")),
            );
            set("id", arn.clone());
            set("arn", arn);
        }
        (Mode::Managed, "aws_lambda_layer_version") => {
            let name = text(args, "layer_name").unwrap_or_else(|| address.to_owned());
            set(
                "layer_arn",
                format!("arn:{PARTITION}:lambda:{REGION}:{ACCOUNT_ID}:layer:{name}"),
            );
            set("arn", ids::layer_version_arn(&name));
            set("version", "1".to_owned());
            set("id", short_id(address));
        }
        (Mode::Managed, "aws_apigatewayv2_api") => {
            let id = ids::api_id(address);
            set(
                "api_endpoint",
                format!("https://{id}.execute-api.{REGION}.{URL_SUFFIX}"),
            );
            set(
                "execution_arn",
                format!("arn:{PARTITION}:execute-api:{REGION}:{ACCOUNT_ID}:{id}"),
            );
            set(
                "arn",
                format!("arn:{PARTITION}:apigateway:{REGION}::/apis/{id}"),
            );
            set("id", id);
        }
        (Mode::Managed, "aws_api_gateway_stage" | "aws_api_gateway_deployment") => {
            let api = text(args, "rest_api_id").unwrap_or_default();
            let stage = text(args, "stage_name").unwrap_or_default();
            set(
                "invoke_url",
                format!("https://{api}.execute-api.{REGION}.{URL_SUFFIX}/{stage}"),
            );
            set(
                "execution_arn",
                format!("arn:{PARTITION}:execute-api:{REGION}:{ACCOUNT_ID}:{api}/{stage}"),
            );
            set("id", short_id(address));
        }
        (Mode::Managed, "aws_apigatewayv2_stage") => {
            let api = text(args, "api_id").unwrap_or_default();
            let stage = text(args, "name").unwrap_or_default();
            let suffix = if stage == "$default" {
                String::new()
            } else {
                stage.clone()
            };
            set(
                "invoke_url",
                format!("https://{api}.execute-api.{REGION}.{URL_SUFFIX}/{suffix}"),
            );
            set(
                "execution_arn",
                format!("arn:{PARTITION}:execute-api:{REGION}:{ACCOUNT_ID}:{api}/{stage}"),
            );
            set("id", stage);
        }
        (Mode::Managed, "aws_api_gateway_api_key") => {
            if text(args, "value").is_none() {
                set("value", ids::api_key_value(address));
            }
            set("id", short_id(address));
        }
        (Mode::Data, "aws_region") => {
            set("name", REGION.to_owned());
            set("region", REGION.to_owned());
            set("id", REGION.to_owned());
        }
        (Mode::Data, "aws_caller_identity") => {
            set("account_id", ACCOUNT_ID.to_owned());
            set("arn", format!("arn:{PARTITION}:iam::{ACCOUNT_ID}:root"));
            set("id", ACCOUNT_ID.to_owned());
        }
        (Mode::Data, "aws_partition") => {
            set("partition", PARTITION.to_owned());
            set("dns_suffix", URL_SUFFIX.to_owned());
            set("id", PARTITION.to_owned());
        }
        (Mode::Data, "aws_api_gateway_rest_api") => {
            if let Some(id) =
                text(args, "name").and_then(|n| known.rest_api_by_name.get(&n).cloned())
            {
                let root = known
                    .resource_paths
                    .iter()
                    .find(|(_, (api, path))| *api == id && path == "/")
                    .map(|(r, _)| r.clone());
                if let Some(root) = root {
                    set("root_resource_id", root);
                }
                set("id", id);
            }
        }
        (Mode::Data, "aws_api_gateway_resource") => {
            let api = text(args, "rest_api_id").unwrap_or_default();
            let path = text(args, "path").unwrap_or_default();
            let id = known
                .resource_paths
                .iter()
                .find(|(_, (a, p))| *a == api && *p == path)
                .map(|(id, _)| id.clone());
            if let Some(id) = id {
                set("id", id);
            }
        }
        (Mode::Data, "archive_file") => {
            set(
                "output_base64sha256",
                format!("<known after apply: {address}.output_base64sha256>"),
            );
            set("id", short_id(address));
        }
        _ => {
            set(
                "id",
                format!("{}-{}", kind.replace('_', "-"), short_id(address)),
            );
            if mode == Mode::Managed {
                set(
                    "arn",
                    format!("arn:{PARTITION}:<{kind}>:{REGION}:{ACCOUNT_ID}:{address}"),
                );
            }
        }
    }
    if !out.contains_key("id") {
        out.insert("id".to_owned(), Value::String(short_id(address)));
    }
    out
}
