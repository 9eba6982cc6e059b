use std::fmt;
use std::str::FromStr;

/// A Lambda runtime identifier that gatewise can run locally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runtime {
    /// The identifier as written in the template, e.g. `nodejs20.x`.
    pub id: String,
    pub family: RuntimeFamily,
    /// Lambda no longer creates functions with this runtime ([`Runtime::DEPRECATED`]); it
    /// still runs here, and loading the template warns.
    pub deprecated: bool,
}

/// How a runtime is started on this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuntimeFamily {
    /// `nodejs*`: the bundled Node runtime client under the local `node`.
    Node,
    /// `python3.*`: the bundled Python runtime client under the local `python3`.
    Python,
    /// `provided`, `provided.al2`, `provided.al2023`: the function's own `bootstrap`.
    Provided,
}

/// A `Runtime` value gatewise cannot run; the message lists what it can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedRuntime(pub String);

impl fmt::Display for UnsupportedRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unsupported Runtime '{}'; gatewise runs {}",
            self.0,
            Runtime::SUPPORTED.join(", ")
        )
    }
}

impl std::error::Error for UnsupportedRuntime {}

impl Runtime {
    /// Every runtime identifier accepted. Node 16/24 and Python 3.14 appear in real templates;
    /// they run under whatever `node` / `python3` is installed, like the others.
    pub const SUPPORTED: &'static [&'static str] = &[
        "nodejs16.x",
        "nodejs18.x",
        "nodejs20.x",
        "nodejs22.x",
        "nodejs24.x",
        "python3.9",
        "python3.10",
        "python3.11",
        "python3.12",
        "python3.13",
        "python3.14",
        "provided",
        "provided.al2",
        "provided.al2023",
    ];

    /// Runtimes Lambda has deprecated that real templates still name: stacks deployed with
    /// them keep running on AWS, so gatewise runs them too, under the local `node` /
    /// `python3`, with a warning.
    pub const DEPRECATED: &'static [&'static str] = &[
        "nodejs10.x",
        "nodejs12.x",
        "nodejs14.x",
        "python3.6",
        "python3.7",
        "python3.8",
    ];
}

impl FromStr for Runtime {
    type Err = UnsupportedRuntime;

    fn from_str(id: &str) -> Result<Self, Self::Err> {
        let deprecated = Self::DEPRECATED.contains(&id);
        if !deprecated && !Self::SUPPORTED.contains(&id) {
            return Err(UnsupportedRuntime(id.to_owned()));
        }
        let family = if id.starts_with("nodejs") {
            RuntimeFamily::Node
        } else if id.starts_with("python") {
            RuntimeFamily::Python
        } else {
            RuntimeFamily::Provided
        };
        Ok(Runtime {
            id: id.to_owned(),
            family,
            deprecated,
        })
    }
}

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_family_and_rejects_the_rest() {
        let cases: &[(&str, Option<RuntimeFamily>)] = &[
            ("nodejs18.x", Some(RuntimeFamily::Node)),
            ("nodejs22.x", Some(RuntimeFamily::Node)),
            ("python3.9", Some(RuntimeFamily::Python)),
            ("python3.13", Some(RuntimeFamily::Python)),
            ("provided.al2", Some(RuntimeFamily::Provided)),
            ("provided.al2023", Some(RuntimeFamily::Provided)),
            ("nodejs14.x", Some(RuntimeFamily::Node)),
            ("python3.8", Some(RuntimeFamily::Python)),
            ("java21", None),
            ("nodejs8.10", None),
            ("python2.7", None),
            ("dotnet8", None),
            ("", None),
        ];
        for (id, want) in cases {
            let got = id.parse::<Runtime>().ok().map(|r| r.family);
            assert_eq!(got, *want, "runtime {id:?}");
        }
    }

    #[test]
    fn deprecated_runtimes_are_marked() {
        for (id, deprecated) in [
            ("nodejs14.x", true),
            ("python3.8", true),
            ("nodejs20.x", false),
        ] {
            assert_eq!(
                id.parse::<Runtime>().unwrap().deprecated,
                deprecated,
                "{id}"
            );
        }
    }

    #[test]
    fn unsupported_message_names_the_value_and_the_alternatives() {
        let err = "java21".parse::<Runtime>().unwrap_err().to_string();
        assert!(
            err.contains("'java21'") && err.contains("nodejs20.x"),
            "{err}"
        );
    }
}
