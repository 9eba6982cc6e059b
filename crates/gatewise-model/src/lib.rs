//! The plain-data model of a serverless stack, as every later stage sees it.
//!
//! `gatewise-template` turns a SAM / CloudFormation template into a [`Stack`]; the gateway,
//! the function host, `check` and `routes` read it. Nothing here knows YAML or HTTP: a stage
//! that needs to say *where* something was declared uses the [`SourceLocation`] kept on each
//! item, so errors and explanations can point at `template.yaml:42:7`.

mod location;
mod runtime;
mod validation;

use std::path::PathBuf;
use std::time::Duration;

use indexmap::IndexMap;

pub use location::SourceLocation;
pub use runtime::{Runtime, RuntimeFamily, UnsupportedRuntime};
pub use validation::{
    BodyModel, Model, ParameterSource, RequestValidation, RequestValidator, RequiredParameter,
};

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
    /// Every HTTP API (API Gateway v2), in template order; the implicit `ServerlessHttpApi`
    /// comes after the explicit ones.
    pub http_apis: Vec<HttpApi>,
    /// API keys declared in the template (`AWS::ApiGateway::ApiKey`, and the ones SAM creates
    /// for `Auth.UsagePlan`). Any enabled key is accepted by every API (spec 9.5, simplified).
    pub api_keys: Vec<ApiKey>,
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
    /// `Layers` that are on this machine, in the function's order (Lambda extracts them into
    /// `/opt` in this order, a later layer overwriting an earlier one's files).
    pub layers: Vec<Layer>,
    /// Where the function resource is declared.
    pub location: SourceLocation,
}

/// A Lambda layer a function uses, as a local folder: its content as it would be extracted into
/// `/opt` (`nodejs/node_modules/…`, `python/…`, `bin/…`, `lib/…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// The layer resource's logical id (a Terraform address for Terraform), for messages.
    pub logical_id: String,
    /// The layer's content folder, absolute or relative to the current directory, as given.
    pub dir: PathBuf,
    /// Where the function names the layer (its `Layers` entry).
    pub location: SourceLocation,
}

impl Function {
    /// Whether this is a `--stub-functions` stand-in rather than the template's own code, so
    /// that route tables, explanations and `check` never judge the stub as the user's code.
    pub fn is_stub(&self) -> bool {
        matches!(&self.code, FunctionCode::Inline(source) if source == STUB_SOURCE)
    }

    /// What the route table says runs the function: its runtime, or `stub` for a stand-in.
    pub fn runs_as(&self) -> String {
        if self.is_stub() {
            "stub".to_owned()
        } else {
            self.runtime.to_string()
        }
    }

    /// Default `Timeout` of a SAM function, in seconds.
    pub const DEFAULT_TIMEOUT_SECS: u64 = 3;
    /// Default `MemorySize` of a Lambda function, in MB.
    pub const DEFAULT_MEMORY_MB: u32 = 128;
}

/// The code of every `--stub-functions` stand-in (a Node.js handler): 200, JSON content type,
/// body `{}`.
pub const STUB_SOURCE: &str = "exports.handler = async () => ({\n  statusCode: 200,\n  headers: { \"Content-Type\": \"application/json\" },\n  body: \"{}\",\n});\n";

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
    /// Gateway responses the template configures (SAM `GatewayResponses`,
    /// `AWS::ApiGateway::GatewayResponse`, `x-amazon-apigateway-gateway-responses`).
    pub gateway_responses: Vec<GatewayResponseConfig>,
    /// Where a request's API key is read from (spec 9.5).
    pub api_key_source: ApiKeySource,
    /// Where SAM `Cors` (or `Globals.Api.Cors`) is declared for this API, when it is: the
    /// explanations point there.
    pub cors_location: Option<SourceLocation>,
    /// The API's models, which request validation checks bodies against (spec V.6).
    pub models: Vec<Model>,
}

/// `ApiKeySourceType` / `x-amazon-apigateway-api-key-source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApiKeySource {
    /// The `x-api-key` request header (the default).
    #[default]
    Header,
    /// The `usageIdentifierKey` a Lambda authorizer returns.
    Authorizer,
}

/// One configured gateway response of a REST API (spec section 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayResponseConfig {
    /// The response type as API Gateway names it, e.g. `DEFAULT_4XX`,
    /// `MISSING_AUTHENTICATION_TOKEN`.
    pub response_type: String,
    /// `StatusCode` override, when given.
    pub status_code: Option<u16>,
    /// Mapping keys exactly as API Gateway stores them (`gatewayresponse.header.<Name>`,
    /// `gatewayresponse.path.<n>`, `gatewayresponse.querystring.<n>`) to values (a quoted
    /// literal `'…'` or `method.request.header|path|querystring.<name>`).
    pub response_parameters: IndexMap<String, String>,
    /// Content type → template (plain `$` substitution, not VTL; spec 3.4).
    pub response_templates: IndexMap<String, String>,
    pub location: SourceLocation,
}

/// An API key a client may send in `x-api-key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub logical_id: String,
    /// The key (`Value`), or one gatewise generated because the template gives none; the
    /// generated ones are printed at startup.
    pub value: String,
    pub generated: bool,
    /// `Enabled` (default true): a disabled key is rejected like an unknown one.
    pub enabled: bool,
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
    /// `apiKeyRequired`: requests without a valid key get 403 `Forbidden` (spec 5.5, 9.2).
    pub api_key_required: bool,
    /// Who must be authenticated before the integration runs (spec 9.1, 9.6).
    pub authorization: Authorization,
    /// Why the method exists and why it is protected, for explanations and `check`.
    pub provenance: MethodProvenance,
    /// The request validator the method uses, with what it checks (spec V.1); `None` when
    /// the method has none.
    pub validation: Option<RequestValidation>,
}

/// How a method authenticates callers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Authorization {
    #[default]
    None,
    /// `AWS_IAM`: unsigned requests are refused (spec 9.6).
    AwsIam,
    /// A Lambda (`TOKEN` / `REQUEST`) or Cognito user-pool authorizer.
    Authorizer(Authorizer),
}

/// An authorizer attached to a method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorizer {
    /// The authorizer's name in the template (`MyLambdaTokenAuth`).
    pub name: String,
    pub kind: AuthorizerKind,
    /// Identity sources as API Gateway writes them, e.g. `method.request.header.Authorization`;
    /// a request missing any of them is refused with 401 before the authorizer runs (spec 5.6).
    pub identity_sources: Vec<String>,
    /// The authorizer function, for Lambda authorizers whose function is in the template.
    pub function: Option<FunctionIndex>,
    pub location: SourceLocation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorizerKind {
    Token,
    Request,
    CognitoUserPools,
}

/// Where a method and its protections come from in the template.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MethodProvenance {
    /// Set when SAM generated this OPTIONS method from `Cors`: where that `Cors` is.
    pub generated_from_cors: Option<SourceLocation>,
    /// Where `ApiKeyRequired` was set for this method (an event, `Auth.ApiKeyRequired` of the
    /// API, an OpenAPI `security` entry, a `AWS::ApiGateway::Method`).
    pub api_key_required_at: Option<SourceLocation>,
    /// Where the authorizer was attached (an event's `Auth.Authorizer`, the API's
    /// `Auth.DefaultAuthorizer`, …).
    pub authorization_at: Option<SourceLocation>,
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
    /// `MOCK`: API Gateway answers from templates, without a backend (spec 4.3–4.6).
    Mock(IntegrationMapping),
    /// `AWS` (non-proxy) to a Lambda function: the request template (or the passthrough body)
    /// is the event; the function's result goes through the integration responses.
    Lambda {
        function: FunctionIndex,
        timeout: Duration,
        mapping: IntegrationMapping,
    },
    /// `HTTP_PROXY` or `HTTP` (custom) to an HTTP backend (rules H.1–H.12).
    Http(HttpBackend),
    /// An integration gatewise does not run yet (AWS service integrations, a method without
    /// an integration): the route exists, and a request to it gets a 500
    /// `API_CONFIGURATION_ERROR` with a log line that says so.
    NotServed {
        /// The integration type as the template writes it, e.g. `AWS`, `HTTP_PROXY`.
        integration_type: String,
    },
}

/// A REST `HTTP_PROXY` or `HTTP` integration: where API Gateway sends the request, and how it
/// shapes both ends (rules H.1–H.12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpBackend {
    /// `HTTP_PROXY` (`true`): the client's request and the backend's response pass through;
    /// `HTTP` (`false`): templates and integration responses shape both (H.7, H.8).
    pub proxy: bool,
    /// `httpMethod` / `IntegrationHttpMethod`, upper case; `ANY` sends the client's method
    /// (H.4).
    pub http_method: String,
    /// `uri` as written (intrinsics resolved): `{name}` placeholders are filled from
    /// `integration.request.path.<name>` and `${stageVariables.x}` from the stage (H.2).
    pub uri: String,
    /// `requestParameters`: `integration.request.{path|querystring|header}.<name>` → a
    /// mapping expression (`method.request.*`, `'literal'`, `stageVariables.x`).
    pub request_parameters: IndexMap<String, String>,
    /// `timeoutInMillis` (50 ms – 29 s, default 29 s; H.10).
    pub timeout: Duration,
    /// Request templates and integration responses (`HTTP` only; empty for `HTTP_PROXY`).
    pub mapping: IntegrationMapping,
    /// Where the `uri` is written, for log lines and explanations.
    pub location: SourceLocation,
}

/// The templates and integration responses of a non-proxy integration. For `MOCK`, the
/// rendered request template yields a `statusCode`, which selects an integration response;
/// for `AWS` Lambda, the function's error message (or success) selects it. The selected
/// response maps headers and renders the body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IntegrationMapping {
    /// Content type → request template (`requestTemplates`).
    pub request_templates: IndexMap<String, MappingTemplate>,
    pub passthrough_behavior: PassthroughBehavior,
    /// `IntegrationResponses` / `responses`, in declaration order.
    pub responses: Vec<IntegrationResponse>,
}

/// `passthroughBehavior` of an integration (spec 4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PassthroughBehavior {
    #[default]
    WhenNoMatch,
    WhenNoTemplates,
    Never,
}

/// A Velocity (VTL) mapping template of a non-proxy integration, and where it is written, so
/// that a template error can name the file position of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingTemplate {
    pub text: String,
    /// Where the template's string is written.
    pub location: SourceLocation,
    /// Where the template's line 1, column 1 is, when each line of the template is written on
    /// the following lines of the file from that column (a YAML literal block `|`, or a
    /// one-line string without escapes); `None` when quotes, escapes or folding move the
    /// template's characters elsewhere.
    pub text_at: Option<SourceLocation>,
}

impl MappingTemplate {
    /// Where `line` and `column` (1-based, inside the template) are written: exactly, when
    /// the template is written verbatim ([`MappingTemplate::text_at`]); else where the
    /// template is, and the caller names the position inside the template as well.
    pub fn file_location(&self, line: u32, column: u32) -> SourceLocation {
        match &self.text_at {
            Some(at) => SourceLocation::new(
                at.file.clone(),
                at.line.saturating_add(line.saturating_sub(1)),
                at.column.saturating_add(column.saturating_sub(1)),
            ),
            None => self.location.clone(),
        }
    }
}

/// One integration response of a non-proxy integration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationResponse {
    /// `SelectionPattern` (a regular expression over the status code for MOCK); `None` for
    /// the default response.
    pub selection_pattern: Option<String>,
    /// The method response status this maps to, e.g. `"200"`.
    pub status_code: String,
    /// `method.response.header.<Name>` → source (`'literal'`, `method.request.header.<n>`, …),
    /// in declaration order.
    pub response_parameters: IndexMap<String, String>,
    /// Content type → response template.
    pub response_templates: IndexMap<String, MappingTemplate>,
    /// Where the integration response is declared, for explanations and `check`.
    pub location: SourceLocation,
}

impl Integration {
    /// REST API integration timeout when none is configured (spec 5.4).
    pub const REST_DEFAULT_TIMEOUT: Duration = Duration::from_secs(29);
}

/// An API Gateway HTTP API (v2) with its one served stage.
#[derive(Debug, Clone)]
pub struct HttpApi {
    /// Logical id (`ServerlessHttpApi` for SAM's implicit HTTP API).
    pub logical_id: String,
    /// A stable, plausible API id (10 lower-case alphanumerics).
    pub api_id: String,
    /// `$default` unless the template names a stage (`StageName`).
    pub stage: String,
    pub stage_variables: IndexMap<String, String>,
    pub routes: Vec<HttpRoute>,
    /// `CorsConfiguration` / `x-amazon-apigateway-cors` (spec 8.1, 8.2); `None` = no CORS.
    pub cors: Option<HttpCors>,
    /// Where the CORS configuration is declared, for explanations.
    pub cors_location: Option<SourceLocation>,
    pub location: SourceLocation,
}

/// One route of an HTTP API.
#[derive(Debug, Clone)]
pub struct HttpRoute {
    /// The route key as API Gateway shows it: `GET /pets/{id}`, `ANY /{proxy+}`, `$default`.
    pub route_key: String,
    pub integration: HttpIntegration,
    pub authorization: HttpAuthorization,
    /// Where the route is declared (event, OpenAPI operation, `AWS::ApiGatewayV2::Route`).
    pub location: SourceLocation,
}

/// What an HTTP API route calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpIntegration {
    /// A Lambda integration (always proxy on HTTP APIs).
    Lambda {
        function: FunctionIndex,
        payload_format: PayloadFormat,
        /// `TimeoutInMillis` (default and maximum 30 s, spec 5.11).
        timeout: Duration,
    },
    /// `HTTP_PROXY` to an HTTP backend (rule H.13).
    HttpProxy(HttpApiBackend),
    /// An integration gatewise does not run yet (AWS service integrations).
    NotServed { integration_type: String },
}

/// An HTTP API `HTTP_PROXY` integration (rule H.13).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpApiBackend {
    /// `IntegrationMethod`, upper case; `ANY` sends the client's method.
    pub http_method: String,
    /// `IntegrationUri`: `{name}` / `{proxy}` are filled from the route's path parameters,
    /// `${stageVariables.x}` from the stage.
    pub uri: String,
    /// `RequestParameters`: `append|overwrite|remove:header.<n>`, `…:querystring.<n>`,
    /// `overwrite:path` → a value (`$request.header.x`, `$context.requestId`, a literal, …);
    /// checked against the reserved headers when loading.
    pub request_parameters: IndexMap<String, String>,
    /// `TimeoutInMillis` (50 ms – 30 s, default 30 s).
    pub timeout: Duration,
    /// Where the `IntegrationUri` is written.
    pub location: SourceLocation,
}

impl HttpIntegration {
    /// HTTP API integration timeout when none is configured (spec 5.11).
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
}

/// `PayloadFormatVersion` of an HTTP API Lambda integration (spec 6.7–6.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadFormat {
    V1,
    V2,
}

/// Who must be authenticated before an HTTP API route's integration runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum HttpAuthorization {
    #[default]
    None,
    /// A JWT authorizer: requests without a token in the identity source get 401.
    Jwt {
        name: String,
        /// e.g. `$request.header.Authorization`.
        identity_source: String,
        location: SourceLocation,
    },
    /// A Lambda authorizer (payload 1.0 or 2.0).
    Lambda {
        name: String,
        function: Option<FunctionIndex>,
        identity_sources: Vec<String>,
        payload_format: PayloadFormat,
        /// `EnableSimpleResponses`: the function answers `{"isAuthorized": bool}`.
        simple_responses: bool,
        location: SourceLocation,
    },
    /// `AWS_IAM`: unsigned requests are refused.
    AwsIam,
}

/// An HTTP API's CORS configuration (spec 8.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpCors {
    pub allow_origins: Vec<String>,
    pub allow_methods: Vec<String>,
    pub allow_headers: Vec<String>,
    pub expose_headers: Vec<String>,
    /// Seconds.
    pub max_age: Option<i64>,
    pub allow_credentials: bool,
}
