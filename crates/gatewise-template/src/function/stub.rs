//! `--stub-functions`: a function whose code cannot run here (S3 code, a missing folder, an
//! unsupported runtime, a container image) becomes a tiny Node.js handler, so the API around it
//! can still be served — what matters when checking CORS preflights, gateway responses and
//! authorizer wiring of someone else's template.

use gatewise_model::{Function, FunctionCode, SourceLocation};

use crate::LoadError;
use crate::document::intrinsics::Resolver;
use crate::document::value::{Map, Node};
use crate::function::lambda_function;

/// Runtime every stub runs on.
pub const STUB_RUNTIME: &str = "nodejs20.x";
/// Handler of every stub (the inline code is written as `index.js`).
pub const STUB_HANDLER: &str = "index.handler";
/// The stub's code: 200, JSON content type, body `{}`.
pub use gatewise_model::STUB_SOURCE;

/// The stub standing in for `logical_id`; keeps its name, timeout, memory and environment
/// when those are valid, and warns once with why it was stubbed.
pub fn function(
    resolver: &mut Resolver<'_>,
    logical_id: &str,
    location: &SourceLocation,
    props: &Map,
    why: &LoadError,
) -> Result<Function, LoadError> {
    resolver.warn(
        location,
        format!(
            "Function '{logical_id}' is stubbed (--stub-functions): {}; it answers every request with 200 {{}}",
            why.message
        ),
    );
    let mut props = props.clone();
    props.remove("PackageType");
    props.set(
        "Runtime",
        location,
        Node::string(STUB_RUNTIME, location.clone()),
    );
    props.set(
        "Handler",
        location,
        Node::string(STUB_HANDLER, location.clone()),
    );
    let code = FunctionCode::Inline(STUB_SOURCE.to_owned());
    match lambda_function(resolver, &props, logical_id, location, code.clone()) {
        Ok(function) => Ok(function),
        // A property the stub would keep is itself invalid: fall back to the bare stub.
        Err(_) => {
            let mut bare = Map::default();
            for key in ["Runtime", "Handler", "FunctionName"] {
                if let Some(entry) = props.entry(key) {
                    bare.insert(entry.clone());
                }
            }
            lambda_function(resolver, &bare, logical_id, location, code)
        }
    }
}

/// `error` (why a function cannot run here) with the hint that `--stub-functions` gets past
/// it: [`function`] stands in for any function whose own properties fail to load.
pub fn hinted(mut error: LoadError) -> LoadError {
    if !error.message.contains("--stub-functions") {
        error.message.push_str(
            "; or start gatewise with --stub-functions to serve the API with this function stubbed",
        );
    }
    error
}

#[cfg(test)]
mod tests;
