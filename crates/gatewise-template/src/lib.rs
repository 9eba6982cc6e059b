//! Loads a SAM / CloudFormation template (YAML or JSON) into the gatewise model.
//!
//! The modules, lowest first; each uses only those listed before it:
//! - [`ids`]: stable, plausible API Gateway ids (what a `Ref` to an API gives, too);
//! - [`document`]: the template as CloudFormation reads it — a tree that keeps every node's
//!   `file:line:column`, with short-form tags (`!Ref`) already in long form (`{"Ref": ..}`)
//!   ([`document::value`]); each parameter's value, command-line overrides first, then `Default`
//!   ([`document::parameters`]); `Ref`, `Fn::*` and conditions resolved locally and lazily —
//!   only for the properties gatewise reads — with visible placeholders and warnings for what
//!   only AWS knows ([`document::intrinsics`]);
//! - [`properties`]: typed property values, coerced the way CloudFormation coerces them;
//! - [`function`]: what SAM and plain CloudFormation functions share (Lambda settings, local
//!   code, `--stub-functions` stubs); [`openapi`]: an API's OpenAPI / swagger document (SAM's, or
//!   the template's own, inline or from a local file) into the model, in one place per API kind —
//!   REST resources and methods ([`openapi::rest`]), HTTP API routes, CORS and authorizers
//!   ([`openapi::http`]);
//! - the resource readers: [`sam`] (`AWS::Serverless::*` after SAM's `Globals` merge, spec §2.2,
//!   §2.3; its REST APIs in [`sam::rest_api`], its HTTP APIs in [`sam::http_api`]) and [`cfn`]
//!   (raw `AWS::Lambda::Function`, `AWS::ApiGateway::*`, `AWS::ApiGatewayV2::*`);
//! - [`template`]: the whole template — its sections, resource conditions, and the order in
//!   which the readers fill the [`gatewise_model::Stack`].

mod cfn;
mod document;
mod function;
mod functions;
mod ids;
mod openapi;
mod properties;
mod sam;
mod source_file;
mod template;
mod terraform;
#[cfg(test)]
mod test_support;

use std::path::Path;
use std::sync::Arc;

pub use source_file::{MAX_ENV_VARS_FILE_BYTES, MAX_TEMPLATE_FILE_BYTES, read_capped};

use gatewise_model::{SourceLocation, Stack};
use indexmap::IndexMap;

/// What the command line adds to a template.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--parameter-overrides Name=Value`: these win over each parameter's `Default`.
    pub parameter_overrides: IndexMap<String, String>,
    /// `AWS::StackName`; [`gatewise_model::pseudo::DEFAULT_STACK_NAME`] when `None`.
    pub stack_name: Option<String>,
    /// `--stub-functions`: a function whose code cannot run here (S3 or missing `CodeUri`,
    /// unsupported runtime, container image) becomes a stub answering 200 `{}` instead of an
    /// error, with a warning.
    pub stub_functions: bool,
    /// Terraform variable values from the command line (`--var-file F`, `--var NAME=VALUE`), in
    /// command-line order; later ones win, and all win over `terraform.tfvars`,
    /// `*.auto.tfvars` and `TF_VAR_*`.
    pub terraform_variables: Vec<TerraformVariable>,
}

/// One Terraform variable source given on the command line.
#[derive(Debug, Clone)]
pub enum TerraformVariable {
    /// `--var-file F`: a `.tfvars` file.
    File(std::path::PathBuf),
    /// `--var NAME=VALUE`.
    Value { name: String, value: String },
}

/// Whether `path` is read as Terraform (a folder of `.tf` files, or one `.tf` file in it)
/// rather than as a SAM / CloudFormation template.
pub fn is_terraform(path: &Path) -> bool {
    terraform::is_terraform(path)
}

/// What to do with an integration-response value that is not a valid API Gateway mapping
/// expression (spec §1.8: a SAM `Cors` value without its inner single quotes, e.g.
/// `AllowOrigin: "https://a.com"`; AWS fails the deployment with "Invalid mapping expression
/// specified").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidMappingExpression {
    /// Refuse to load the template.
    Error,
    /// Load it, warn at the value (saying deploy will fail and how to quote it), and let the
    /// gateway send the raw text as the header value.
    WarnAndUseRawText,
}

/// The choice gatewise makes for §1.8 — warn rather than refuse, so a template that is wrong
/// only in this respect can still be explored locally; the warning says deploy will fail.
/// Tested by `rule_1_8_unquoted_cors_values_warn_and_keep_raw_text`.
pub const INVALID_MAPPING_EXPRESSION: InvalidMappingExpression =
    InvalidMappingExpression::WarnAndUseRawText;

/// The error AWS gives at deployment for a value that is not a mapping expression (spec §1.8).
/// The §1.8 warning in [`Stack::warnings`] always contains it, so `gatewise check` can turn
/// that warning into its finding instead of re-validating the values.
pub const DEPLOY_ERROR_INVALID_MAPPING_EXPRESSION: &str = "Invalid mapping expression specified";

/// What an integer `Cors.MaxAge` (which SAM writes unquoted, e.g. `600`) means (spec §1.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegerMaxAge {
    /// The header value is the decimal string (`Access-Control-Max-Age: 600`).
    DecimalString,
    /// Treated like any other unquoted value ([`INVALID_MAPPING_EXPRESSION`]).
    InvalidMappingExpression,
}

/// UNCONFIRMED (spec §1.8): how AWS treats an unquoted integer MaxAge is not recorded; gatewise
/// sends the decimal string and does not warn. Tested by `rule_1_8_integer_max_age_is_the_decimal_string`.
pub const INTEGER_MAX_AGE: IntegerMaxAge = IntegerMaxAge::DecimalString;

/// Why a template could not be loaded, and where.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{location}: {message}")]
pub struct LoadError {
    pub location: SourceLocation,
    pub message: String,
}

impl LoadError {
    pub(crate) fn new(location: SourceLocation, message: String) -> Self {
        Self { location, message }
    }
}

/// Reads the template at `path` and builds the [`Stack`] `serve` runs.
///
/// Errors say what is wrong, where, and what to do next; things that load but only AWS could
/// resolve become [`Stack::warnings`].
pub fn load(path: &Path, options: &LoadOptions) -> Result<Stack, LoadError> {
    // A project folder with a template in it means that template.
    if path.is_dir()
        && let Some(template) = ["template.yaml", "template.yml", "template.json"]
            .iter()
            .map(|name| path.join(name))
            .find(|t| t.is_file())
        && !terraform::has_tf_files(path)
    {
        return load(&template, options);
    }
    if terraform::is_terraform(path) {
        let (document, warnings) = terraform::load(path, options)?;
        let folder: Arc<Path> = Arc::from(terraform::module_dir(path).as_path());
        let mut stack = template::build_stack(&document, &folder, options)?;
        stack.warnings.splice(0..0, warnings);
        return Ok(stack);
    }
    let file: Arc<Path> = Arc::from(path);
    let start = SourceLocation::new(file.clone(), 1, 1);
    let bytes = read_capped(path, MAX_TEMPLATE_FILE_BYTES, "the template").map_err(|e| {
        let message = match e.io_kind {
            Some(std::io::ErrorKind::NotFound) => "cannot read template: No such file or directory; check the path or run from the project directory".to_owned(),
            _ => e.message,
        };
        LoadError::new(start.clone(), message)
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        LoadError::new(
            start.clone(),
            format!(
                "cannot read template: it is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    load_str(&text, &file, options)
}

/// [`load`] on text already read; `file` names it in locations and anchors relative `CodeUri`s.
fn load_str(text: &str, file: &Arc<Path>, options: &LoadOptions) -> Result<Stack, LoadError> {
    let mut warnings = Vec::new();
    let root = document::value::parse_reporting(text, file, &mut warnings)?;
    let mut stack = template::build_stack(&root, file, options)?;
    stack.warnings.splice(0..0, warnings);
    Ok(stack)
}
