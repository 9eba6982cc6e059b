//! The environment of a function process.
//!
//! Lambda starts a runtime with a clean environment: the reserved `AWS_*` / `LAMBDA_*` variables,
//! then the function's `Environment.Variables`. Locally we add the little that tools on this
//! machine need to run at all (`PATH`, `HOME`) and the caller's AWS credentials, so an SDK in
//! the handler can reach real AWS services the way the function's role would let it.
//! Nothing else leaks in from the shell: a handler that works here must not depend on it.

use std::path::Path;

use gatewise_model::{Function, pseudo};
use indexmap::IndexMap;

use crate::{EnvOverrides, layers};

/// Variables taken from gatewise's own environment when set there.
pub const PASSED_THROUGH: &[&str] = &[
    "PATH",
    "HOME",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
];

/// Variables the instance cannot work without. They are applied after the template and the
/// overrides: Lambda refuses templates that set them, and letting one through locally would only
/// disconnect the process from its Runtime API or its code.
pub const PINNED: &[&str] = &[
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
    "_HANDLER",
];

/// The part of gatewise's own environment a function sees ([`PASSED_THROUGH`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostEnvironment {
    pub vars: IndexMap<String, String>,
}

impl HostEnvironment {
    /// Captures [`PASSED_THROUGH`] from this process's environment (once, at start-up).
    pub fn from_process() -> Self {
        let vars = PASSED_THROUGH
            .iter()
            .filter_map(|name| Some((name.to_string(), std::env::var(name).ok()?)))
            .collect();
        Self { vars }
    }
}

/// What differs between two instances of the same function.
#[derive(Debug, Clone, Copy)]
pub struct InstanceEnvironment<'a> {
    /// `host:port` of this instance's Runtime API.
    pub runtime_api: &'a str,
    /// `AWS_LAMBDA_LOG_STREAM_NAME`, see [`log_stream_name`].
    pub log_stream_name: &'a str,
    /// The function's code directory (`/var/task` on Lambda).
    pub task_root: &'a Path,
    /// Where the bundled runtime clients live (`/var/runtime` on Lambda).
    pub runtime_dir: &'a Path,
}

/// The complete environment of one function process, in the order it is built: Lambda's
/// variables, pass-through, the search paths of the function's layers ([`layers`]),
/// `Environment.Variables`, the `Parameters` overrides, the overrides
/// keyed by logical id, then those keyed by function name (later wins), and finally [`PINNED`].
///
/// Overrides apply even to variables the template does not declare (SAM CLI ignores those,
/// which surprises people more than it protects them).
pub fn function_environment(
    function: &Function,
    host: &HostEnvironment,
    instance: &InstanceEnvironment<'_>,
    overrides: &EnvOverrides,
) -> IndexMap<String, String> {
    let mut env = IndexMap::new();
    let mut set = |key: &str, value: String| {
        env.insert(key.to_owned(), value);
    };
    let pinned = pinned_values(function, instance);
    set("LANG", "en_US.UTF-8".into());
    set("TZ", ":UTC".into());
    set("AWS_REGION", pseudo::REGION.into());
    set("AWS_DEFAULT_REGION", pseudo::REGION.into());
    set("AWS_LAMBDA_FUNCTION_NAME", function.name.clone());
    set("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into());
    set(
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        function.memory_mb.to_string(),
    );
    set(
        "AWS_LAMBDA_LOG_GROUP_NAME",
        format!("/aws/lambda/{}", function.name),
    );
    set(
        "AWS_LAMBDA_LOG_STREAM_NAME",
        instance.log_stream_name.to_owned(),
    );
    set("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".into());
    set(
        "AWS_EXECUTION_ENV",
        format!("AWS_Lambda_{}", function.runtime.id),
    );
    for (key, value) in &pinned {
        set(key, value.clone());
    }
    for (key, value) in &host.vars {
        set(key, value.clone());
    }
    // Lambda's search paths (with the layers' folders) are defaults: a template's own
    // NODE_PATH or PATH replaces them, as on Lambda.
    for (key, value) in layers::variables(
        function,
        instance.task_root,
        host.vars.get("PATH").map(String::as_str),
    ) {
        set(key, value);
    }
    let sources = [
        Some(&function.environment),
        Some(&overrides.all_functions),
        overrides.per_function.get(&function.logical_id),
        (function.name != function.logical_id)
            .then(|| overrides.per_function.get(&function.name))
            .flatten(),
    ];
    for (key, value) in sources.into_iter().flatten().flatten() {
        set(key, value.clone());
    }
    for (key, value) in pinned {
        set(key, value);
    }
    env
}

fn pinned_values(
    function: &Function,
    instance: &InstanceEnvironment<'_>,
) -> [(&'static str, String); 4] {
    [
        ("AWS_LAMBDA_RUNTIME_API", instance.runtime_api.to_owned()),
        ("LAMBDA_TASK_ROOT", instance.task_root.display().to_string()),
        (
            "LAMBDA_RUNTIME_DIR",
            instance.runtime_dir.display().to_string(),
        ),
        ("_HANDLER", function.handler.clone()),
    ]
}

/// A log stream name shaped like Lambda's: `2024/05/01/[$LATEST]` and 32 hex digits, dated
/// today (UTC).
pub fn log_stream_name() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}/{month:02}/{day:02}/[$LATEST]{}",
        uuid::Uuid::new_v4().simple()
    )
}

/// Gregorian date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;
    use std::time::Duration;

    use gatewise_model::{FunctionCode, SourceLocation};

    use super::*;

    fn map(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn function(name: &str, environment: &[(&str, &str)]) -> Function {
        Function {
            logical_id: "HelloFunction".into(),
            name: name.into(),
            runtime: "nodejs20.x".parse().unwrap(),
            handler: "app.handler".into(),
            code: FunctionCode::Directory(PathBuf::from("/code")),
            timeout: Duration::from_secs(3),
            memory_mb: 256,
            environment: map(environment),
            reserved_concurrency: None,
            layers: Vec::new(),
            location: SourceLocation::new(Arc::from(Path::new("template.yaml")), 3, 3),
        }
    }

    fn environment_of(
        function: &Function,
        host: &[(&str, &str)],
        overrides: &EnvOverrides,
    ) -> IndexMap<String, String> {
        let instance = InstanceEnvironment {
            runtime_api: "127.0.0.1:9001",
            log_stream_name: "2024/01/01/[$LATEST]abc",
            task_root: Path::new("/code"),
            runtime_dir: Path::new("/runtime"),
        };
        let host = HostEnvironment { vars: map(host) };
        function_environment(function, &host, &instance, overrides)
    }

    #[test]
    fn lambda_variables_describe_the_function_and_instance() {
        let env = environment_of(&function("hello", &[]), &[], &EnvOverrides::default());
        let want = [
            ("LANG", "en_US.UTF-8"),
            ("TZ", ":UTC"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_DEFAULT_REGION", "us-east-1"),
            ("AWS_LAMBDA_FUNCTION_NAME", "hello"),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"),
            ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/hello"),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "2024/01/01/[$LATEST]abc"),
            ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"),
            ("AWS_EXECUTION_ENV", "AWS_Lambda_nodejs20.x"),
            ("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"),
            ("LAMBDA_TASK_ROOT", "/code"),
            ("LAMBDA_RUNTIME_DIR", "/runtime"),
            ("_HANDLER", "app.handler"),
            ("NODE_PATH", "/code"),
        ];
        for (key, value) in want {
            assert_eq!(env.get(key).map(String::as_str), Some(value), "{key}");
        }
        assert_eq!(env.len(), want.len(), "nothing else: {env:?}");
    }

    #[test]
    fn later_sources_win() {
        let overrides = EnvOverrides {
            all_functions: map(&[("STAGE", "params"), ("TABLE", "params")]),
            per_function: [
                (
                    "HelloFunction".to_string(),
                    map(&[("TABLE", "by-id"), ("ID", "id")]),
                ),
                ("hello".to_string(), map(&[("ID", "by-name")])),
                ("Other".to_string(), map(&[("STAGE", "other")])),
            ]
            .into_iter()
            .collect(),
        };
        // (template variables, host variables, key, expected value)
        type Pairs = &'static [(&'static str, &'static str)];
        let cases: &[(Pairs, Pairs, &str, Option<&str>)] = &[
            (&[("STAGE", "template")], &[], "STAGE", Some("params")),
            (&[("TABLE", "t")], &[], "TABLE", Some("by-id")),
            (&[], &[], "ID", Some("by-name")),
            (&[("ONLY", "template")], &[], "ONLY", Some("template")),
            (&[], &[("PATH", "/usr/bin")], "PATH", Some("/usr/bin")),
            (
                &[("PATH", "/mine")],
                &[("PATH", "/usr/bin")],
                "PATH",
                Some("/mine"),
            ),
            (&[], &[("AWS_PROFILE", "dev")], "AWS_PROFILE", Some("dev")),
            (
                &[("AWS_REGION", "eu-west-1")],
                &[],
                "AWS_REGION",
                Some("eu-west-1"),
            ),
            (&[("_HANDLER", "x.y")], &[], "_HANDLER", Some("app.handler")),
            (
                &[("AWS_LAMBDA_RUNTIME_API", "nowhere")],
                &[],
                "AWS_LAMBDA_RUNTIME_API",
                Some("127.0.0.1:9001"),
            ),
            (&[], &[], "HOME", None),
        ];
        for (template, host, key, want) in cases {
            let env = environment_of(&function("hello", template), host, &overrides);
            assert_eq!(
                env.get(*key).map(String::as_str),
                *want,
                "{key} {template:?}"
            );
        }
    }

    #[test]
    fn name_overrides_apply_once_when_name_is_the_logical_id() {
        let overrides = EnvOverrides {
            all_functions: IndexMap::new(),
            per_function: [("HelloFunction".to_string(), map(&[("A", "1")]))]
                .into_iter()
                .collect(),
        };
        let env = environment_of(&function("HelloFunction", &[]), &[], &overrides);
        assert_eq!(env.get("A").map(String::as_str), Some("1"));
    }

    #[test]
    fn civil_dates() {
        let cases = [
            (0, (1970, 1, 1)),
            (59, (1970, 3, 1)),
            (11_016, (2000, 2, 29)),
            (19_723, (2024, 1, 1)),
        ];
        for (days, want) in cases {
            assert_eq!(civil_from_days(days), want, "{days}");
        }
        let name = log_stream_name();
        assert!(
            name.contains("/[$LATEST]") && name.len() == 10 + 10 + 32,
            "{name}"
        );
    }
}
