//! The plain-data model of a serverless stack, as every later stage sees it.
//!
//! `gatewise-template` turns a SAM / CloudFormation template into a [`Stack`]; the gateway,
//! the function host, `check` and `routes` read it. Nothing here knows YAML or HTTP: a stage
//! that needs to say *where* something was declared uses the [`SourceLocation`] kept on each
//! item, so errors and explanations can point at `template.yaml:42:7`.

mod location;
mod runtime;

use std::path::PathBuf;
use std::time::Duration;

use indexmap::IndexMap;

pub use location::SourceLocation;
pub use runtime::{Runtime, RuntimeFamily, UnsupportedRuntime};

/// Pseudo parameter values gatewise uses when resolving intrinsics locally.
pub mod pseudo {
    /// `AWS::Region`.
    pub const REGION: &str = "us-east-1";
    /// `AWS::AccountId`; also the `accountId` of request contexts.
    pub const ACCOUNT_ID: &str = "123456789012";
    /// `AWS::Partition`.
    pub const PARTITION: &str = "aws";
    /// `AWS::URLSuffix`.
    pub const URL_SUFFIX: &str = "amazonaws.com";
    /// `AWS::StackName` when the command line does not name one.
    pub const DEFAULT_STACK_NAME: &str = "gatewise-local";
}

/// Index of a [`Function`] in [`Stack::functions`].
pub type FunctionIndex = usize;

/// Everything `serve` needs from one template.
#[derive(Debug, Clone, Default)]
pub struct Stack {
    /// The template file the stack was loaded from (as given on the command line).
    pub template_path: PathBuf,
    /// Every Lambda function, in template order.
    pub functions: Vec<Function>,
    /// Every REST API (API Gateway v1), in template order; the implicit `ServerlessRestApi`
    /// comes where SAM would put it, after the explicit ones.
    pub rest_apis: Vec<RestApi>,
    /// Things that loaded but deserve the user's attention (unresolvable intrinsics, ignored
    /// properties), each with its location.
    pub warnings: Vec<Diagnostic>,
}

impl Stack {
    /// The function a proxy integration points at.
    pub fn function(&self, index: FunctionIndex) -> &Function {
        &self.functions[index]
    }
}

/// A message about the template, tied to where it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub location: SourceLocation,
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// A Lambda function (`AWS::Serverless::Function` or `AWS::Lambda::Function`).
#[derive(Debug, Clone)]
pub struct Function {
    /// The template's logical id, e.g. `HelloFunction`.
    pub logical_id: String,
    /// `FunctionName` when given (resolved), else the logical id; used in logs and
    /// `AWS_LAMBDA_FUNCTION_NAME`.
    pub name: String,
    pub runtime: Runtime,
    /// `Handler`, e.g. `app.handler`; empty for `provided` runtimes that ignore it.
    pub handler: String,
    pub code: FunctionCode,
    /// `Timeout` (SAM default 3 s).
    pub timeout: Duration,
    /// `MemorySize` in MB (default 128).
    pub memory_mb: u32,
    /// `Environment.Variables`, resolved to strings, after Globals merge.
    pub environment: IndexMap<String, String>,
    /// `ReservedConcurrentExecutions`, the ceiling of the local instance pool when set.
    pub reserved_concurrency: Option<u32>,
    /// Where the function resource is declared.
    pub location: SourceLocation,
}

impl Function {
    /// Default `Timeout` of a SAM function, in seconds.
    pub const DEFAULT_TIMEOUT_SECS: u64 = 3;
    /// Default `MemorySize` of a Lambda function, in MB.
    pub const DEFAULT_MEMORY_MB: u32 = 128;
}

/// Where a function's code lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FunctionCode {
    /// A directory (`CodeUri`, `Code` with an asset path), absolute or relative to the
    /// template's directory — already joined, so it can be used as is.
    Directory(PathBuf),
    /// `InlineCode` / `Code.ZipFile`: the source text of a single file.
    Inline(String),
}

/// An API Gateway REST API (v1), with one deployed stage.
#[derive(Debug, Clone)]
pub struct RestApi {
    /// Logical id (`ServerlessRestApi` for SAM's implicit API).
    pub logical_id: String,
    /// A stable, plausible API id (10 lower-case alphanumerics), used as `apiId` and in
    /// `domainName`.
    pub api_id: String,
    /// The stage name (`Prod` for SAM's implicit API), as it appears in `requestContext.stage`.
    pub stage: String,
    /// Stage variables (`Variables` of `AWS::Serverless::Api`).
    pub stage_variables: IndexMap<String, String>,
    /// `BinaryMediaTypes`, with SAM's `~1` escapes already turned back into `/`.
    pub binary_media_types: Vec<String>,
    /// Resources with at least one method, in declaration order.
    pub resources: Vec<Resource>,
    /// Where the API is declared (for the implicit API: the first event that created it).
    pub location: SourceLocation,
}

/// One resource path of a REST API and the methods declared on it.
#[derive(Debug, Clone)]
pub struct Resource {
    /// The resource template as API Gateway shows it in `resource`/`resourcePath`,
    /// e.g. `/items/{id}` or `/{proxy+}`; the root is `/`.
    pub path: String,
    /// A stable, plausible resource id (6 lower-case alphanumerics) for `resourceId`.
    pub resource_id: String,
    pub methods: Vec<Method>,
}

/// An HTTP method of a REST resource.
#[derive(Debug, Clone)]
pub struct Method {
    /// Upper-case verb (`GET`, `POST`, `OPTIONS`, …) or `ANY`.
    pub http_method: String,
    pub integration: Integration,
    /// Where the method was declared (the function's `Events` entry, or the OpenAPI operation).
    pub location: SourceLocation,
}

/// What API Gateway calls when a method matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Integration {
    /// `AWS_PROXY` to a Lambda function, payload format 1.0.
    LambdaProxy {
        function: FunctionIndex,
        /// Integration timeout (REST default and maximum 29 s).
        timeout: Duration,
    },
}

impl Integration {
    /// REST API integration timeout when none is configured (spec 5.4).
    pub const REST_DEFAULT_TIMEOUT: Duration = Duration::from_secs(29);
}
