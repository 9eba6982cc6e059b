//! The command line: subcommands and their flags, each documented where `--help` shows it.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "gatewise",
    version,
    about = "Run an AWS SAM / CloudFormation API locally exactly as API Gateway and Lambda would"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve every route of the template on localhost, with the functions running as local
    /// processes.
    Serve(ServeArgs),
    /// Print the route table `serve` would serve and exit.
    Routes(StackArgs),
    /// Do what a browser does for a cross-origin `fetch()` of URL and explain the verdict.
    ///
    /// Sends the preflight when the call needs one, then the request, exactly as Chromium does,
    /// and says whether the page may read the answer and why. Exit status: 0 allowed,
    /// 1 blocked, 2 usage or network error.
    Probe(ProbeArgs),
    /// Find what in the template will make browsers refuse the API's responses once deployed.
    ///
    /// A static CORS doctor: each finding names a rule, the file:line:column of the key to
    /// change, what goes wrong in the browser (or at deploy) and the YAML that fixes it.
    /// Functions whose code is not here are stubbed. Exit status: 0 no errors, 1 errors
    /// found, 2 the template could not be loaded.
    Check(CheckArgs),
}

/// Which template to read and how to resolve its parameters.
#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// The SAM / CloudFormation template (YAML or JSON), or a Terraform configuration: its
    /// folder of .tf files (or one .tf file in it). Default: ./template.yaml, then
    /// ./template.yml, then ./template.json, then the current folder when it has .tf files.
    #[arg(value_name = "TEMPLATE")]
    pub template: Option<PathBuf>,

    /// The template, as a flag (same as the positional argument; SAM CLI spelling).
    #[arg(
        short = 't',
        long = "template",
        value_name = "TEMPLATE",
        conflicts_with = "template"
    )]
    pub template_flag: Option<PathBuf>,

    /// Template parameter values: `Key=Value` pairs, or SAM's
    /// `ParameterKey=Key,ParameterValue=Value`. They override parameter defaults.
    #[arg(long, value_name = "KEY=VALUE", num_args = 1..)]
    pub parameter_overrides: Vec<String>,

    /// The value of `AWS::StackName`.
    #[arg(long, value_name = "NAME")]
    pub stack_name: Option<String>,

    /// Terraform: a variable's value, `NAME=VALUE` (a list or map in HCL syntax, e.g.
    /// `ids=["a","b"]`); repeat for several. Wins over --var-file, `*.auto.tfvars`,
    /// `terraform.tfvars` and `TF_VAR_NAME`.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,

    /// Terraform: a `.tfvars` file of variable values; repeat for several (later files win).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
}

/// What `serve` and `routes` load: the template, the APIs to serve, and whether functions
/// without runnable code are stubbed. `routes` prints exactly what `serve` would serve.
#[derive(Debug, Args)]
pub struct StackArgs {
    #[command(flatten)]
    pub template: TemplateArgs,

    /// Serve only this API (logical id, e.g. `ServerlessRestApi`); repeat for several. Use it
    /// when two APIs of one template declare the same route.
    #[arg(long = "api", value_name = "LOGICAL_ID")]
    pub apis: Vec<String>,

    /// Replace every function whose code cannot run here (code in S3, a missing CodeUri
    /// folder, an unsupported runtime) with a stub answering 200 `{}`, so the API's gateway
    /// behaviour (CORS preflights, API keys, gateway responses) can be tried without the code.
    #[arg(long)]
    pub stub_functions: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub stack: StackArgs,

    /// Port to listen on; 0 picks a free port (the `Listening on` line shows it).
    #[arg(short, long, default_value_t = 3000)]
    pub port: u16,

    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,

    /// Port of the Lambda Invoke API (`aws lambda invoke --endpoint-url`, the SDKs' `Invoke`),
    /// served on the same warm instances. Default: 3001 (SAM CLI's `start-lambda` port), or a
    /// free port when --port is 0; 0 picks a free one. When the default port is busy, serving
    /// goes on without it (with a warning).
    #[arg(long, value_name = "PORT")]
    pub invoke_port: Option<u16>,

    /// Port of the inspector, a page that shows every request live and why a browser would
    /// refuse its response (always on loopback). Default: 3002, or a free port when --port is
    /// 0; 0 picks a free one. When the default port is busy, serving goes on without it (with
    /// a warning).
    #[arg(long, value_name = "PORT", conflicts_with = "no_inspector")]
    pub inspector_port: Option<u16>,

    /// Do not serve the inspector page.
    #[arg(long)]
    pub no_inspector: bool,

    /// Environment variable overrides for the functions, in the SAM CLI format:
    /// `{"Parameters": {"KEY": "v"}, "FunctionLogicalId": {"KEY": "v"}}`.
    #[arg(long, value_name = "FILE")]
    pub env_vars: Option<PathBuf>,

    /// When function instances start: `eager` starts one per function before `Listening on`
    /// (first request is warm); `lazy` starts them on first use (a cold start, as on AWS).
    #[arg(long, value_enum, default_value_t = Warm::Eager)]
    pub warm: Warm,

    /// An API key clients may send in `x-api-key`, in addition to the `AWS::ApiGateway::ApiKey`
    /// values of the template; repeat for several.
    #[arg(long = "api-key", value_name = "KEY")]
    pub api_keys: Vec<String>,

    /// Do not watch the functions' code folders. By default a change to a file in a function's
    /// `CodeUri` folder restarts that function's instances (a busy one finishes its request
    /// first), so the next request runs the new code.
    #[arg(long)]
    pub no_watch: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Warm {
    Eager,
    Lazy,
}

/// `gatewise probe`: the `fetch()` call a page on `--origin` makes, spelled like curl.
#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// The URL the page fetches: a local `gatewise serve` or a deployed API (http or https).
    #[arg(value_name = "URL")]
    pub url: String,

    /// The page's origin, serialized as a browser sends it: `scheme://host[:port]`, no path,
    /// no trailing slash, default port left out (e.g. `http://localhost:5173`), or `null`.
    #[arg(long, value_name = "ORIGIN")]
    pub origin: String,

    /// The method passed to `fetch()`. Default: GET, or POST when -d is given (as curl).
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    pub method: Option<String>,

    /// A request header the page sets, `'Name: value'`; repeat for several. Headers a page
    /// may not set (Cookie, Host, Origin, Sec-*, …) are refused, as `fetch()` drops them.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,

    /// Credentials mode `include` (`fetch(url, {credentials: 'include'})`): the answer must
    /// name the origin and send Access-Control-Allow-Credentials: true. Only the mode changes:
    /// probe has no cookie jar and sends no cookies.
    #[arg(long)]
    pub credentials: bool,

    /// The request body, sent as a string like `fetch(url, {body})`: without a Content-Type
    /// header it gets `text/plain;charset=UTF-8`, as `fetch()` does.
    #[arg(short = 'd', long = "data", value_name = "BODY")]
    pub data: Option<String>,

    /// `text` reads as a report, one section per step; `json` is a stable shape for scripts.
    #[arg(long, value_enum, default_value_t = ProbeFormat::Text)]
    pub format: ProbeFormat,

    /// How long each step (preflight, request) may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = parse_seconds)]
    pub timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProbeFormat {
    Text,
    Json,
}

/// `gatewise check`: which template, how to print the findings, and which page origins to
/// simulate.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub template: TemplateArgs,

    /// Check only this API (logical id, e.g. `ServerlessRestApi`); repeat for several.
    #[arg(long = "api", value_name = "LOGICAL_ID")]
    pub apis: Vec<String>,

    /// `text` reads like compiler diagnostics; `json` is a stable shape for scripts; `sarif`
    /// is SARIF 2.1.0 for code-scanning tools.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,

    /// Also print a matrix: will a page on ORIGIN (e.g. `http://localhost:5173`) succeed with
    /// a simple call, a JSON call and a credentialed call to each route? Repeat for several.
    #[arg(long = "origin", value_name = "ORIGIN")]
    pub origins: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
    Sarif,
}

/// A positive number of seconds, fractions allowed (`0.5`).
fn parse_seconds(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .filter(|secs| secs.is_finite() && *secs > 0.0)
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .ok_or_else(|| format!("`{text}` is not a positive number of seconds"))
}
