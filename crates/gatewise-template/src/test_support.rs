//! What the end-to-end tests share: templates written to a temporary directory and loaded with
//! `--stub-functions`, and lookups into the loaded [`gatewise_model::Stack`] — for REST API tests
//! ([`rest_api`]) and HTTP API tests ([`http_api`]).

use crate::LoadOptions;

/// Options with `--stub-functions`, so code that cannot run here becomes a stub.
pub fn stubbed() -> LoadOptions {
    LoadOptions {
        stub_functions: true,
        ..LoadOptions::default()
    }
}

/// REST API tests: a template loaded next to a `src` folder and the given files.
pub mod rest_api {
    use gatewise_model::{Method, RestApi, Stack};

    use super::stubbed;
    use crate::{LoadError, load};

    /// The line that makes a template SAM.
    pub const HEADER: &str = "Transform: AWS::Serverless-2016-10-31\n";

    /// Loads `text` (stubbed) from a temporary directory holding a `src` folder and `files`.
    pub fn load_text(text: &str, files: &[(&str, &str)]) -> Result<Stack, LoadError> {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("src")).expect("src");
        for (name, content) in files {
            std::fs::write(dir.path().join(name), content).expect("file");
        }
        let path = dir.path().join("template.yaml");
        std::fs::write(&path, text).expect("write");
        load(&path, &stubbed())
    }

    /// [`load_text`] without files; panics on an error.
    pub fn ok(text: &str) -> Stack {
        load_text(text, &[]).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The REST API `id`.
    pub fn api<'s>(stack: &'s Stack, id: &str) -> &'s RestApi {
        stack
            .rest_apis
            .iter()
            .find(|a| a.logical_id == id)
            .unwrap_or_else(|| panic!("no API {id}"))
    }

    /// The `verb` method of the resource at `path`.
    pub fn method<'a>(api: &'a RestApi, path: &str, verb: &str) -> &'a Method {
        api.resources
            .iter()
            .find(|r| r.path == path)
            .and_then(|r| r.methods.iter().find(|m| m.http_method == verb))
            .unwrap_or_else(|| panic!("no {verb} {path} in {:?}", api.resources))
    }
}

/// HTTP API tests: a template loaded alone, and its routes.
pub mod http_api {
    use std::time::Duration;

    use gatewise_model::{HttpApi, HttpIntegration, PayloadFormat, Stack};

    use super::stubbed;
    use crate::{LoadError, LoadOptions, load};

    /// Loads `text` with `options`, alone in a temporary directory.
    pub fn load_text(text: &str, options: &LoadOptions) -> Result<Stack, LoadError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("template.yaml");
        std::fs::write(&path, text).expect("write");
        load(&path, options)
    }

    /// [`load_text`] with stubs; panics with the error and the template.
    pub fn ok(text: &str) -> Stack {
        load_text(text, &stubbed()).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    /// The HTTP API `id`.
    pub fn http_api<'s>(stack: &'s Stack, id: &str) -> &'s HttpApi {
        stack
            .http_apis
            .iter()
            .find(|a| a.logical_id == id)
            .unwrap_or_else(|| panic!("no HTTP API {id} in {:?}", stack.http_apis))
    }

    /// The route keys of `api`, in order.
    pub fn route_keys(api: &HttpApi) -> Vec<&str> {
        api.routes.iter().map(|r| r.route_key.as_str()).collect()
    }

    /// The route of `api` with this key.
    pub fn route<'a>(api: &'a HttpApi, key: &str) -> &'a gatewise_model::HttpRoute {
        api.routes
            .iter()
            .find(|r| r.route_key == key)
            .unwrap_or_else(|| panic!("no route {key} in {:?}", route_keys(api)))
    }

    /// The payload format and timeout of a route's Lambda integration.
    pub fn lambda(route: &gatewise_model::HttpRoute) -> (PayloadFormat, Duration) {
        match &route.integration {
            HttpIntegration::Lambda {
                payload_format,
                timeout,
                ..
            } => (*payload_format, *timeout),
            other => panic!("{}: {other:?}", route.route_key),
        }
    }
}
