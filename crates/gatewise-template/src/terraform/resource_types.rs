//! Kinds of Terraform blocks: `resource` or `data`, and which resource types gatewise reads —
//! the others configure AWS around the API (IAM, logs, buckets, permissions) and are listed
//! once as not served.

/// The resource types gatewise serves or reads (everything else is listed once as not
/// served).
pub const READ_TYPES: &[&str] = &[
    "aws_lambda_function",
    "aws_lambda_layer_version",
    "aws_api_gateway_rest_api",
    "aws_api_gateway_resource",
    "aws_api_gateway_method",
    "aws_api_gateway_integration",
    "aws_api_gateway_method_response",
    "aws_api_gateway_integration_response",
    "aws_api_gateway_gateway_response",
    "aws_api_gateway_authorizer",
    "aws_api_gateway_api_key",
    "aws_api_gateway_usage_plan",
    "aws_api_gateway_usage_plan_key",
    "aws_api_gateway_deployment",
    "aws_api_gateway_stage",
    "aws_api_gateway_request_validator",
    "aws_api_gateway_model",
    "aws_apigatewayv2_api",
    "aws_apigatewayv2_route",
    "aws_apigatewayv2_integration",
    "aws_apigatewayv2_authorizer",
    "aws_apigatewayv2_stage",
    // Read to find function code (`s3_key` → the uploaded archive).
    "aws_s3_object",
    "aws_s3_bucket_object",
];

/// Whether gatewise reads resources of type `kind`.
pub fn is_read(kind: &str) -> bool {
    READ_TYPES.contains(&kind)
}

/// Whether resources of type `kind` make up the API itself (its routes, integrations or
/// functions): one that cannot be evaluated stops the load; others are skipped with a warning.
pub fn is_part_of_the_api(kind: &str) -> bool {
    kind.starts_with("aws_api_gateway_")
        || kind.starts_with("aws_apigatewayv2_")
        || matches!(kind, "aws_lambda_function" | "aws_lambda_layer_version")
}

/// Whether a block is a `resource` or a `data` source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Managed,
    Data,
}
