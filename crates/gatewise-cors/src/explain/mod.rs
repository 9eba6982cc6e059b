//! One log line per blocked request: what the browser will refuse, what in the template
//! produced that response (with `file:line:col`), and what to change.
//!
//! The producer is described with plain references into the model rather than gateway types,
//! so `serve`, `probe` and `check` can all describe what they know.

use gatewise_model::SourceLocation;

use crate::fetch::{Blocked, Rule};

mod http_api;

pub use http_api::{HttpApiAnswer, HttpApiCause, HttpApiProducer};

/// What produced the response the browser refuses.
#[derive(Debug, Clone, Copy)]
pub enum Producer<'a> {
    /// A Lambda function's response, passed through by a proxy integration.
    Function {
        /// The function's logical id (or name).
        name: &'a str,
        location: &'a SourceLocation,
        /// A REST API proxy integration, which adds no CORS headers (spec 1.11); `false` for an
        /// HTTP API without `CorsConfiguration`.
        rest_proxy: bool,
    },
    /// A `--stub-functions` stand-in's response: it says nothing about the function's own code.
    StubFunction {
        name: &'a str,
        location: &'a SourceLocation,
    },
    /// A `MOCK` OPTIONS method's integration response.
    MockMethod {
        location: &'a SourceLocation,
        /// Where the SAM `Cors` it was generated from is, when it was.
        generated_from_cors: Option<&'a SourceLocation>,
    },
    /// An error API Gateway itself produced.
    GatewayResponse {
        /// The type the gateway answered with, as API Gateway names it
        /// (`MISSING_AUTHENTICATION_TOKEN`, `DEFAULT_5XX`, …).
        response_type: &'a str,
        status: u16,
        /// The configured gateway response that shaped it (the type itself or its
        /// `DEFAULT_4XX`/`DEFAULT_5XX` fallback), when the template has one.
        configured_at: Option<&'a SourceLocation>,
        api_name: &'a str,
        api_location: &'a SourceLocation,
        cause: GatewayCause<'a>,
    },
    /// Anything an HTTP API (API Gateway v2) answered: with `CorsConfiguration` the gateway
    /// writes the CORS headers of every response itself (spec 8).
    HttpApi(HttpApiProducer<'a>),
}

/// Why the gateway answered with an error instead of calling the integration.
#[derive(Debug, Clone, Copy)]
pub enum GatewayCause<'a> {
    /// No resource/method matched (403 Missing Authentication Token).
    NoRoute,
    /// The method requires an API key and none (or a wrong one) came.
    ApiKey {
        /// Where `ApiKeyRequired` was set for this method.
        required_at: Option<&'a SourceLocation>,
        /// The method is the OPTIONS SAM generated from `Cors` and the key requirement came
        /// from `Auth.ApiKeyRequired` (so `AddApiKeyRequiredToCorsPreflight` applies).
        sam_cors_preflight: bool,
    },
    /// The authorizer's identity source is missing (401).
    MissingIdentity {
        authorizer: &'a str,
        /// Where the authorizer was attached to this method.
        at: Option<&'a SourceLocation>,
        /// The method is the OPTIONS SAM generated from `Cors` and got the API's default
        /// authorizer (so `AddDefaultAuthorizerToCorsPreflight` applies).
        sam_cors_preflight: bool,
    },
    /// The authorizer ran and denied the request.
    AuthorizerDenied,
    /// `AWS_IAM` authorization and an unsigned request.
    AwsIam,
    /// The integration's function failed (crash, timeout, malformed response).
    FunctionFailed {
        name: &'a str,
        location: &'a SourceLocation,
    },
    Other,
}

/// `CORS: the browser will block <route> from <origin>: <why>. Cause: <cause>. Fix: <fix>.`
///
/// `route` is the request the page wanted, e.g. `POST /orders` — for a failed preflight too,
/// since that is the request that never gets sent. Always a single line.
pub fn explain(route: &str, blocked: &Blocked, producer: &Producer<'_>) -> String {
    line(
        &format!(
            "the browser will block {route} from {origin}",
            origin = blocked.origin
        ),
        route,
        blocked,
        producer,
    )
}

/// The line for an exchange Chromium lets through but the Fetch standard — Firefox and
/// Safari — refuses (`standard_block` of a verdict): same cause and fix, other subject.
pub fn explain_for_other_browsers(
    route: &str,
    blocked: &Blocked,
    producer: &Producer<'_>,
) -> String {
    line(
        &format!(
            "Chromium lets {route} from {origin} through, but Firefox and Safari refuse it",
            origin = blocked.origin
        ),
        route,
        blocked,
        producer,
    )
}

/// The browser's reason for a refusal, in plain words (what `probe` prints too).
pub fn reason(blocked: &Blocked) -> String {
    why(blocked)
}

fn line(subject: &str, route: &str, blocked: &Blocked, producer: &Producer<'_>) -> String {
    let (cause, fix) = cause_and_fix(route, blocked, producer);
    let line = format!(
        "CORS: {subject}: {why}. Cause: {cause}. Fix: {fix}.",
        why = why(blocked),
    );
    // Header values come from functions; a stray line break must not split the log entry.
    line.replace(['\r', '\n'], " ")
}

const ACAO: &str = "Access-Control-Allow-Origin";
const ACAC: &str = "Access-Control-Allow-Credentials";
const ACAM: &str = "Access-Control-Allow-Methods";
const ACAH: &str = "Access-Control-Allow-Headers";

/// The browser's reason, in plain words.
fn why(blocked: &Blocked) -> String {
    let got = blocked.got.as_deref().unwrap_or_default();
    let subject = blocked.subject.as_deref().unwrap_or_default();
    let response = if blocked.preflight {
        "the preflight response"
    } else {
        "the response"
    };
    match blocked.rule {
        Rule::MissingAllowOrigin => format!("{response} has no {ACAO} header"),
        Rule::MultipleAllowOrigin => format!(
            "{response} has {ACAO} '{got}', several values where exactly one origin is allowed"
        ),
        Rule::WildcardWithCredentials => format!(
            "{response} has {ACAO} '*', which never admits a request with credentials (cookies)"
        ),
        Rule::OriginMismatch => format!(
            "{response} has {ACAO} '{got}', which is not exactly the page's origin {}",
            blocked.origin
        ),
        Rule::CredentialsNotTrue => match &blocked.got {
            Some(value) => format!(
                "the request sends credentials (cookies) and {response} has {ACAC} '{value}' \
                 instead of 'true'"
            ),
            None => format!(
                "the request sends credentials (cookies) and {response} has no {ACAC}: true"
            ),
        },
        Rule::PreflightStatus => {
            format!("the preflight got status {got}, and a preflight needs a 2xx status")
        }
        Rule::MethodNotAllowed => match &blocked.got {
            Some(list) => format!(
                "the preflight allows methods '{list}', which does not include {subject} \
                 (methods compare case-sensitively)"
            ),
            None => format!(
                "the preflight response has no {ACAM}, so only GET, HEAD and POST are allowed, \
                 not {subject}"
            ),
        },
        Rule::HeaderNotAllowed => match &blocked.got {
            Some(list) => format!(
                "the preflight allows request headers '{list}', which does not include {subject}"
            ),
            None => format!(
                "the preflight response has no {ACAH}, so the request header {subject} is not \
                 allowed"
            ),
        },
        Rule::AuthorizationNotCoveredByWildcard => format!(
            "the preflight allows request headers '{got}', and '*' covers every header except \
             authorization"
        ),
        Rule::InvalidAllowMethods => invalid_list(ACAM, got, subject),
        Rule::InvalidAllowHeaders => invalid_list(ACAH, got, subject),
    }
}

fn invalid_list(header: &str, got: &str, bad: &str) -> String {
    format!(
        "the preflight's {header} '{got}' is not a comma-separated list of names ('{bad}' is not \
         one), which fails the preflight"
    )
}

/// Where the CORS header values of a response are written: what a fix has to edit.
#[derive(Clone, Copy)]
enum Sender<'a> {
    Function {
        name: &'a str,
        location: &'a SourceLocation,
    },
    SamCors(&'a SourceLocation),
    Mock(&'a SourceLocation),
    Gateway {
        configured_at: Option<&'a SourceLocation>,
        status: u16,
        api_name: &'a str,
        api_location: &'a SourceLocation,
    },
}

impl Sender<'_> {
    fn of<'a>(producer: &Producer<'a>) -> Sender<'a> {
        match *producer {
            Producer::Function { name, location, .. }
            | Producer::StubFunction { name, location } => Sender::Function { name, location },
            Producer::MockMethod {
                generated_from_cors: Some(cors),
                ..
            } => Sender::SamCors(cors),
            Producer::MockMethod { location, .. } => Sender::Mock(location),
            Producer::GatewayResponse {
                status,
                configured_at,
                api_name,
                api_location,
                ..
            } => Sender::Gateway {
                configured_at,
                status,
                api_name,
                api_location,
            },
            // HTTP API explanations have their own wording (http_api.rs); this mapping only
            // describes the sender should a shared helper ever ask.
            Producer::HttpApi(HttpApiProducer {
                answer: HttpApiAnswer::Function { name, location },
                ..
            }) => Sender::Function { name, location },
            Producer::HttpApi(HttpApiProducer {
                api_name,
                api_location,
                answer,
                ..
            }) => Sender::Gateway {
                configured_at: None,
                status: match answer {
                    HttpApiAnswer::Gateway { status, .. } => status,
                    _ => 204,
                },
                api_name,
                api_location,
            },
        }
    }

    /// Who sent the header, as the subject of a sentence.
    fn describe(&self) -> String {
        match self {
            Sender::Function { name, location } => format!("function {name} ({location})"),
            Sender::SamCors(cors) => {
                format!("the OPTIONS method SAM generates from `Cors` ({cors})")
            }
            Sender::Mock(location) => format!("the OPTIONS MOCK method ({location})"),
            Sender::Gateway {
                configured_at: Some(at),
                ..
            } => format!("the gateway response configured at {at}"),
            Sender::Gateway { status, .. } => format!("the gateway's {status} response"),
        }
    }

    /// How to make the response carry `header: value`, in this producer's own syntax.
    fn set(&self, header: &str, value: &str) -> String {
        self.set_all(&[(header, value)])
    }

    /// [`Sender::set`] for several headers at once, naming the place once.
    fn set_all(&self, pairs: &[(&str, &str)]) -> String {
        let each = |render: &dyn Fn(&str, &str) -> String| {
            pairs
                .iter()
                .map(|(header, value)| render(header, value))
                .collect::<Vec<_>>()
                .join(" and ")
        };
        match self {
            Sender::Function { name, location } => format!(
                "return {} from function {name} ({location})",
                each(&|header, value| format!("`{header}: {value}`"))
            ),
            Sender::SamCors(cors) => format!(
                "set {} in `Cors` ({cors})",
                each(&|header, value| match sam_cors_property(header) {
                    "AllowCredentials" => "`AllowCredentials: true`".to_owned(),
                    property => format!("`{property}: \"'{value}'\"`"),
                })
            ),
            Sender::Mock(location) => format!(
                "map {} in the integration response of the OPTIONS method ({location})",
                each(&|header, value| format!("`method.response.header.{header}` to `'{value}'`"))
            ),
            Sender::Gateway {
                configured_at: Some(at),
                ..
            } => format!(
                "set {} under `ResponseParameters.Headers` of the gateway response at {at}",
                each(&|header, value| format!("`{header}: \"'{value}'\"`"))
            ),
            Sender::Gateway {
                status,
                api_name,
                api_location,
                ..
            } => format!(
                "add `GatewayResponses: {}` with `ResponseParameters: {{Headers: {{{}}}}}` to API \
                 {api_name} ({api_location})",
                default_response_type(*status),
                pairs
                    .iter()
                    .map(|(header, value)| format!("{header}: \"'{value}'\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// REST answers from MOCK methods and gateway responses are static: they cannot pick the
    /// request's origin out of a list (spec 1.10).
    fn is_static(&self) -> bool {
        !matches!(self, Sender::Function { .. })
    }
}

fn sam_cors_property(header: &str) -> &'static str {
    match header {
        ACAO => "AllowOrigin",
        ACAM => "AllowMethods",
        ACAH => "AllowHeaders",
        _ => "AllowCredentials",
    }
}

fn default_response_type(status: u16) -> &'static str {
    if status >= 500 {
        "DEFAULT_5XX"
    } else {
        "DEFAULT_4XX"
    }
}

fn cause_and_fix(route: &str, blocked: &Blocked, producer: &Producer<'_>) -> (String, String) {
    match *producer {
        Producer::HttpApi(ref http) => http_api::cause_and_fix(route, blocked, http),
        Producer::StubFunction { name, location } => (
            format!(
                "function {name} ({location}) is a --stub-functions stand-in, which answers 200 \
                 `{{}}` with no CORS headers; what the function's own code answers decides the \
                 browser's verdict"
            ),
            format!(
                "make function {name}'s code runnable here (the load warning at {location} says \
                 why it is not) and try again"
            ),
        ),
        Producer::GatewayResponse {
            response_type,
            status,
            api_name,
            api_location,
            cause,
            ..
        } => {
            let answered = format!("{status} {response_type}");
            if blocked.preflight {
                gateway_preflight(&answered, api_name, api_location, cause)
            } else if blocked.rule == Rule::MissingAllowOrigin {
                gateway_error(route, &answered, api_name, api_location, cause, producer)
            } else {
                header_values(blocked, Sender::of(producer))
            }
        }
        Producer::Function {
            name,
            location,
            rest_proxy,
        } => match blocked.rule {
            Rule::MissingAllowOrigin if blocked.preflight => (
                format!(
                    "function {name} ({location}) answered the preflight without {ACAO}"
                ),
                "answer OPTIONS in the function with a 2xx status and Access-Control-Allow-Origin, \
                 -Methods and -Headers, or give the path its own OPTIONS method (SAM `Cors`) so \
                 preflights never reach the function"
                    .to_owned(),
            ),
            Rule::MissingAllowOrigin if rest_proxy => (
                format!(
                    "function {name} ({location}) returned no {ACAO}, and a REST API Lambda proxy \
                     integration adds none (SAM `Cors` only answers the OPTIONS preflight)"
                ),
                format!(
                    "return `{ACAO}` from the function on every response, errors included — \
                     e.g. one shared helper that adds it to every response"
                ),
            ),
            Rule::MissingAllowOrigin => (
                format!("function {name} ({location}) returned no {ACAO}, and the API adds none"),
                format!(
                    "return `{ACAO}` from the function on every response (one shared helper), or \
                     configure `CorsConfiguration` on the HTTP API so the gateway adds it"
                ),
            ),
            Rule::PreflightStatus => (
                format!(
                    "function {name} ({location}) answered the preflight with status {}",
                    blocked.got.as_deref().unwrap_or_default()
                ),
                "return 200 or 204 for OPTIONS, or give the path its own OPTIONS method (SAM \
                 `Cors`) so preflights never reach the function"
                    .to_owned(),
            ),
            _ => header_values(blocked, Sender::of(producer)),
        },
        Producer::MockMethod { .. } => {
            let sender = Sender::of(producer);
            match blocked.rule {
                Rule::MissingAllowOrigin => (
                    format!("{} maps no {ACAO}", sender.describe()),
                    sender.set(ACAO, "*"),
                ),
                Rule::PreflightStatus => (
                    format!(
                        "{} answered status {}",
                        sender.describe(),
                        blocked.got.as_deref().unwrap_or_default()
                    ),
                    "make its integration response select status 200".to_owned(),
                ),
                _ => header_values(blocked, sender),
            }
        }
    }
}

/// The gateway refused the preflight itself: whatever the headers, the fix is to let OPTIONS
/// through, since a preflight needs a 2xx.
fn gateway_preflight(
    answered: &str,
    api_name: &str,
    api_location: &SourceLocation,
    cause: GatewayCause<'_>,
) -> (String, String) {
    let at = |loc: Option<&SourceLocation>| loc.map(|l| format!(" ({l})")).unwrap_or_default();
    let no_authorizer = "remove the authorizer from the OPTIONS method (`Authorizer: NONE` on its \
                         event, or `AuthorizationType: NONE`)";
    match cause {
        GatewayCause::ApiKey {
            required_at,
            sam_cors_preflight: true,
        } => (
            format!(
                "the preflight got {answered}: `Auth.ApiKeyRequired`{} also applies to the OPTIONS \
                 method SAM generates from `Cors`, and a browser never sends `x-api-key` on a \
                 preflight",
                at(required_at)
            ),
            format!(
                "set `Auth.AddApiKeyRequiredToCorsPreflight: false` on API {api_name} \
                 ({api_location}); the other methods keep requiring the key"
            ),
        ),
        GatewayCause::ApiKey { required_at, .. } => (
            format!(
                "the preflight got {answered}: the OPTIONS method requires an API key{}, and a \
                 browser never sends `x-api-key` on a preflight",
                at(required_at)
            ),
            "make the OPTIONS method not require an API key (`ApiKeyRequired: false` on it); CORS \
             headers on the 403 would not help, a preflight needs a 2xx"
                .to_owned(),
        ),
        GatewayCause::MissingIdentity {
            authorizer,
            at: attached,
            sam_cors_preflight: true,
        } => (
            format!(
                "the preflight got {answered}: the default authorizer {authorizer}{} also applies \
                 to the OPTIONS method SAM generates from `Cors`, and a browser sends no \
                 `Authorization` on a preflight",
                at(attached)
            ),
            format!(
                "set `Auth.AddDefaultAuthorizerToCorsPreflight: false` on API {api_name} \
                 ({api_location})"
            ),
        ),
        GatewayCause::MissingIdentity {
            authorizer,
            at: attached,
            ..
        } => (
            format!(
                "the preflight got {answered}: authorizer {authorizer}{} protects the OPTIONS \
                 method, and a browser sends no `Authorization` on a preflight",
                at(attached)
            ),
            no_authorizer.to_owned(),
        ),
        GatewayCause::AuthorizerDenied => (
            format!(
                "the preflight got {answered}: an authorizer protects the OPTIONS method and \
                 denied the credential-less preflight"
            ),
            no_authorizer.to_owned(),
        ),
        GatewayCause::AwsIam => (
            format!(
                "the preflight got {answered}: the OPTIONS method uses `AWS_IAM` authorization, \
                 and a preflight is never signed"
            ),
            "set the OPTIONS method's authorization to `NONE`".to_owned(),
        ),
        GatewayCause::NoRoute => (
            format!(
                "the preflight got {answered}: no OPTIONS method of API {api_name} \
                 ({api_location}) matches this path"
            ),
            "add an OPTIONS method for the path — SAM `Cors` on the API generates one per path; \
             a `{proxy+}` resource does not match `/`"
                .to_owned(),
        ),
        GatewayCause::FunctionFailed { name, location } => (
            format!(
                "the preflight reached function {name} ({location}), which failed, and the \
                 gateway answered {answered}"
            ),
            "fix the function, or answer OPTIONS without it (SAM `Cors`, or an OPTIONS MOCK \
             method)"
                .to_owned(),
        ),
        GatewayCause::Other => (
            format!("the gateway answered the preflight with {answered}"),
            "make the OPTIONS method answer with a 2xx status without any authentication"
                .to_owned(),
        ),
    }
}

/// The gateway answered an actual request with an error the page cannot read: besides the
/// error's own cause, the fix is CORS headers on gateway responses (spec 1.12, 3).
fn gateway_error(
    route: &str,
    answered: &str,
    api_name: &str,
    api_location: &SourceLocation,
    cause: GatewayCause<'_>,
    producer: &Producer<'_>,
) -> (String, String) {
    let sender = Sender::of(producer);
    let bare = match sender {
        Sender::Gateway {
            configured_at: Some(at),
            ..
        } => format!("and the gateway response configured at {at} has no {ACAO}"),
        _ => "which carries no CORS headers".to_owned(),
    };
    let readable = sender.set(ACAO, "*");
    let at = |loc: Option<&SourceLocation>| loc.map(|l| format!(" at {l}")).unwrap_or_default();
    match cause {
        GatewayCause::NoRoute => (
            format!(
                "no method of API {api_name} ({api_location}) matches {route}, so the gateway \
                 answered {answered}, {bare}"
            ),
            format!(
                "check that the route and method exist (and the URL includes the stage); to let \
                 the page read such errors, {readable}"
            ),
        ),
        GatewayCause::ApiKey { required_at, .. } => (
            format!(
                "the API key is missing or not valid (`ApiKeyRequired`{}), so the gateway \
                 answered {answered}, {bare}",
                at(required_at)
            ),
            format!("send a valid `x-api-key`; to let the page read the error, {readable}"),
        ),
        GatewayCause::MissingIdentity {
            authorizer,
            at: attached,
            ..
        } => (
            format!(
                "the request lacks the identity source of authorizer {authorizer}{}, so the \
                 gateway answered {answered}, {bare}",
                at(attached)
            ),
            format!(
                "send the token the authorizer reads; to let the page read the error, {readable}"
            ),
        ),
        GatewayCause::AuthorizerDenied => (
            format!(
                "the authorizer denied the request, so the gateway answered {answered}, {bare}"
            ),
            format!("to let the page read the error, {readable}"),
        ),
        GatewayCause::AwsIam => (
            format!(
                "the request is not signed for `AWS_IAM`, so the gateway answered {answered}, \
                 {bare}"
            ),
            format!("sign the request (SigV4); to let the page read the error, {readable}"),
        ),
        GatewayCause::FunctionFailed { name, location } => (
            format!(
                "function {name} ({location}) failed, so the gateway answered {answered}, {bare}"
            ),
            format!("{readable} so the page can read the error; then fix the function"),
        ),
        GatewayCause::Other => (
            format!("the gateway answered {answered}, {bare}"),
            format!("to let the page read the error, {readable}"),
        ),
    }
}

/// The response carries CORS headers, with the wrong values: name the values and the edit.
fn header_values(blocked: &Blocked, sender: Sender<'_>) -> (String, String) {
    let got = blocked.got.as_deref().unwrap_or_default();
    let subject = blocked.subject.as_deref().unwrap_or_default();
    let page = blocked.origin.as_str();
    let sends = |header: &str| match &blocked.got {
        Some(value) => format!("{} sends {header} '{value}'", sender.describe()),
        None => format!("{} sends no {header}", sender.describe()),
    };
    let star_with_credentials = |list: &str| {
        if list.split(',').any(|item| item.trim() == "*") {
            " — '*' does not count for requests with credentials"
        } else {
            ""
        }
    };
    match blocked.rule {
        Rule::MultipleAllowOrigin if sender.is_static() => (
            format!(
                "{}; a REST API answers with fixed headers and cannot echo the one matching origin",
                sends(ACAO)
            ),
            format!(
                "serve one origin per stage (a stage variable or template parameter per \
                 environment), e.g. {}, or answer from a function that returns the request's \
                 Origin when it is allowed",
                sender.set(ACAO, page)
            ),
        ),
        Rule::MultipleAllowOrigin => (
            sends(ACAO),
            "return exactly one origin: the request's Origin when it is in your allow-list \
             (with `Vary: Origin`)"
                .to_owned(),
        ),
        Rule::WildcardWithCredentials => (
            format!("{} while the page sends credentials (cookies)", sends(ACAO)),
            format!(
                "{} — or have the page send no credentials (`credentials: 'same-origin'`)",
                sender.set_all(&[(ACAO, page), (ACAC, "true")])
            ),
        ),
        Rule::OriginMismatch => {
            // A quoted `'*'` was meant as `*`: keep the intent, drop the quotes.
            let wanted = if got.trim_matches(['\'', '"']) == "*" {
                "*"
            } else {
                page
            };
            (
                sends(ACAO),
                format!("{}{}", sender.set(ACAO, wanted), mismatch_hint(got, page)),
            )
        }
        Rule::CredentialsNotTrue => (
            format!("{} while the page sends credentials (cookies)", sends(ACAC)),
            format!("{} — exactly `true`, lower-case", sender.set(ACAC, "true")),
        ),
        Rule::MethodNotAllowed => {
            let miscased = got
                .split(',')
                .any(|m| m.trim().eq_ignore_ascii_case(subject));
            let (list, hint) = if miscased {
                (
                    recased(got, subject),
                    " — methods compare case-sensitively: write it exactly as the page sends it"
                        .to_owned(),
                )
            } else if matches!(sender, Sender::SamCors(_)) && blocked.got.is_some() {
                (
                    appended(blocked.got.as_deref(), subject),
                    format!(
                        " — without `AllowMethods`, SAM lists the methods declared on the path, \
                         so declaring {subject} there works too"
                    ),
                )
            } else {
                (
                    appended(blocked.got.as_deref(), subject),
                    star_with_credentials(got).to_owned(),
                )
            };
            (sends(ACAM), format!("{}{hint}", sender.set(ACAM, &list)))
        }
        Rule::HeaderNotAllowed => match (&blocked.got, sender) {
            (None, Sender::SamCors(cors)) => (
                format!(
                    "`Cors` ({cors}) sets no AllowHeaders (the string form of `Cors` never \
                     does), so its OPTIONS method sends no {ACAH}"
                ),
                format!(
                    "use the map form of `Cors` with `AllowHeaders: \"'{subject}'\"` (and every \
                     other header the page sends)"
                ),
            ),
            _ => (
                sends(ACAH),
                format!(
                    "{}{}",
                    sender.set(ACAH, &appended(blocked.got.as_deref(), subject)),
                    star_with_credentials(got)
                ),
            ),
        },
        Rule::AuthorizationNotCoveredByWildcard => (
            sends(ACAH),
            format!(
                "{} — Authorization must always be named",
                sender.set(ACAH, &appended(blocked.got.as_deref(), "Authorization"))
            ),
        ),
        Rule::InvalidAllowMethods | Rule::InvalidAllowHeaders => {
            let header = if blocked.rule == Rule::InvalidAllowMethods {
                ACAM
            } else {
                ACAH
            };
            (
                sends(header),
                format!(
                    "{} — names separated by commas, no quotes or spaces inside a name",
                    sender.set(header, &cleaned_list(got))
                ),
            )
        }
        // Reached only for producers whose own explanation covers these (see cause_and_fix).
        Rule::MissingAllowOrigin | Rule::PreflightStatus => (sends(ACAO), sender.set(ACAO, page)),
    }
}

/// Why an Allow-Origin that looks right is not: the usual near misses.
fn mismatch_hint(got: &str, page: &str) -> &'static str {
    let unquoted = got.trim_matches(['\'', '"']);
    if unquoted != got && (unquoted == page || unquoted == "*") {
        " — without the quotes: in a template the single quotes only mark a literal (`\"'…'\"`)"
    } else if got.strip_suffix('/') == Some(page) {
        " — without the trailing slash: an origin is scheme://host[:port]"
    } else if got.eq_ignore_ascii_case(page) {
        " — origins compare byte-for-byte, case included"
    } else if got == "null" {
        " — `null` only matches pages with an opaque origin (sandboxed, file:)"
    } else {
        ""
    }
}

/// `list` with `item` added, keeping the list's own separator style.
fn appended(list: Option<&str>, item: &str) -> String {
    match list {
        Some(list) if !list.trim().is_empty() => {
            let separator = if list.contains(", ") { ", " } else { "," };
            format!("{}{separator}{item}", list.trim_end_matches([',', ' ']))
        }
        _ => item.to_owned(),
    }
}

/// `list` with the item that matches `item` case-insensitively spelled as `item`.
fn recased(list: &str, item: &str) -> String {
    list.split(',')
        .map(|m| {
            if m.trim().eq_ignore_ascii_case(item) {
                m.replace(m.trim(), item)
            } else {
                m.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A malformed Allow list rewritten as names joined by commas (`GET POST` → `GET,POST`).
fn cleaned_list(list: &str) -> String {
    list.split([',', ' ', '\t'])
        .map(|item| item.trim_matches(['\'', '"']))
        .filter(|item| !item.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests;
