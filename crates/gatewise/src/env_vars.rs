//! The `--env-vars` file and `--parameter-overrides` values, in the formats SAM CLI users
//! already have, so an existing `env.json` works unchanged.

use std::path::Path;

use gatewise_lambda::EnvOverrides;
use gatewise_template::{MAX_ENV_VARS_FILE_BYTES, read_capped};
use indexmap::IndexMap;
use serde_json::Value;

/// Reads a SAM CLI `--env-vars` file: `{"Parameters": {..}, "<Function>": {..}}`.
///
/// Errors are `FILE:LINE:COL: what is wrong` (or `FILE: …` where JSON gives no position).
pub fn read_env_vars(path: &Path) -> Result<EnvOverrides, String> {
    let what = format!("the --env-vars file '{}'", path.display());
    let bytes = read_capped(path, MAX_ENV_VARS_FILE_BYTES, &what).map_err(|e| e.message)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{what} is not UTF-8 text; save it as UTF-8 JSON"))?;
    parse_env_vars(&text).map_err(|e| format!("{}:{e}", path.display()))
}

fn parse_env_vars(text: &str) -> Result<EnvOverrides, String> {
    let root: IndexMap<String, Value> = serde_json::from_str(text).map_err(|e| {
        format!(
            "{}:{}: invalid --env-vars JSON: {e}; expected {{\"Parameters\": {{\"KEY\": \"value\"}}, \"FunctionLogicalId\": {{\"KEY\": \"value\"}}}}",
            e.line(),
            e.column()
        )
    })?;
    let mut overrides = EnvOverrides::default();
    for (scope, vars) in root {
        let Value::Object(vars) = vars else {
            return Err(format!(
                " \"{scope}\" must map variable names to values, e.g. {{\"{scope}\": {{\"TABLE\": \"local\"}}}}"
            ));
        };
        let mut values = IndexMap::new();
        for (name, value) in vars {
            let text = match value {
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                other => {
                    return Err(format!(
                        " \"{scope}\".\"{name}\" must be a string, number or boolean, not {other}"
                    ));
                }
            };
            values.insert(name, text);
        }
        if scope == "Parameters" {
            overrides.all_functions = values;
        } else {
            overrides.per_function.insert(scope, values);
        }
    }
    Ok(overrides)
}

/// Parses `--parameter-overrides` values: `Key=Value` or SAM's
/// `ParameterKey=Key,ParameterValue=Value`.
pub fn parse_parameter_overrides(values: &[String]) -> Result<IndexMap<String, String>, String> {
    let mut out = IndexMap::new();
    for raw in values {
        let (key, value) = if let Some(rest) = raw.strip_prefix("ParameterKey=") {
            rest.split_once(",ParameterValue=").ok_or_else(|| {
                format!(
                    "--parameter-overrides '{raw}': expected ParameterKey=Name,ParameterValue=Value"
                )
            })?
        } else {
            raw.split_once('=')
                .ok_or_else(|| format!("--parameter-overrides '{raw}': expected Name=Value"))?
        };
        if key.is_empty() {
            return Err(format!(
                "--parameter-overrides '{raw}': the parameter name is empty"
            ));
        }
        out.insert(key.to_owned(), value.to_owned());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Command-line values, and the pairs they give or a piece of the error.
    type OverrideCase<'a> = (&'a [&'a str], Result<&'a [(&'a str, &'a str)], &'a str>);

    #[test]
    fn parameter_overrides_accept_both_spellings() {
        let cases: &[OverrideCase] = &[
            (&["Stage=dev"], Ok(&[("Stage", "dev")])),
            (&["A=1", "B=x=y"], Ok(&[("A", "1"), ("B", "x=y")])),
            (
                &["ParameterKey=Origin,ParameterValue=http://localhost:5173"],
                Ok(&[("Origin", "http://localhost:5173")]),
            ),
            (&["Empty="], Ok(&[("Empty", "")])),
            (&["novalue"], Err("expected Name=Value")),
            (&["=x"], Err("name is empty")),
            (&["ParameterKey=A"], Err("ParameterValue")),
        ];
        for (input, want) in cases {
            let input: Vec<String> = input.iter().map(|s| s.to_string()).collect();
            match (parse_parameter_overrides(&input), want) {
                (Ok(got), Ok(want)) => {
                    let got: Vec<(&str, &str)> =
                        got.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    assert_eq!(&got, want, "{input:?}");
                }
                (Err(got), Err(want)) => assert!(got.contains(want), "{input:?}: {got}"),
                (got, want) => panic!("{input:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn env_vars_file_in_sam_format() {
        let parsed = parse_env_vars(
            r#"{"Parameters": {"STAGE": "local", "DEBUG": true},
                "HelloFunction": {"TABLE": "t1", "RETRIES": 3}}"#,
        )
        .unwrap();
        assert_eq!(parsed.all_functions["STAGE"], "local");
        assert_eq!(parsed.all_functions["DEBUG"], "true");
        assert_eq!(parsed.per_function["HelloFunction"]["TABLE"], "t1");
        assert_eq!(parsed.per_function["HelloFunction"]["RETRIES"], "3");
    }

    #[test]
    fn env_vars_errors_say_where_and_what() {
        let cases = [
            ("{\"Parameters\": {\"A\": 1,}}", "1:"),
            ("{\"Parameters\": [1]}", "must map variable names"),
            ("{\"Fn\": {\"A\": [1]}}", "\"Fn\".\"A\" must be a string"),
            ("[]", "invalid --env-vars JSON"),
        ];
        for (text, want) in cases {
            let err = parse_env_vars(text).unwrap_err();
            assert!(err.contains(want), "{text}: {err}");
        }
    }
}
