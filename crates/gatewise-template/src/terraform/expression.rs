//! One Terraform expression: what it refers to (for evaluation order), and its value.
//!
//! Before hcl-rs evaluates an expression, calls it cannot evaluate are rewritten in place:
//! `try(…)` and `can(…)` (they must see their arguments fail, which a plain function never
//! does) become the value they stand for, and a call to a function gatewise does not know
//! becomes a visible placeholder string, reported once as a warning at the call.

use std::collections::BTreeSet;
use std::ops::Range;

use hcl::Value;
use hcl::edit::Span as _;
use hcl::edit::expr::{Expression as EditExpression, TraversalOperator};
use hcl::edit::visit::{Visit, visit_func_call, visit_traversal};
use hcl::edit::visit_mut::{VisitMut, visit_expr_mut};
use hcl::eval::{Context, Evaluate as _};

use super::functions;

/// A name an expression reads: `local.x`, `data.T.N`, `module.N`, or a resource `T.N`, with the
/// attribute read right after it (`aws_lambda_function.f.invoke_arn` → `invoke_arn`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reference {
    pub key: String,
    pub attribute: Option<String>,
}

/// What an expression (or a whole body) refers to, and the unknown functions it calls with the
/// byte span of each call.
#[derive(Debug, Default)]
pub struct References {
    pub names: BTreeSet<Reference>,
    pub unknown_functions: Vec<(String, Option<Range<usize>>)>,
}

impl Visit for References {
    fn visit_traversal(&mut self, node: &hcl::edit::expr::Traversal) {
        if let EditExpression::Variable(root) = &node.expr {
            let attrs: Vec<Option<&str>> = node
                .operators
                .iter()
                .map(|op| match op.value() {
                    TraversalOperator::GetAttr(ident) => Some(ident.as_str()),
                    _ => None,
                })
                .collect();
            let root = root.as_str();
            // The attribute read after the instance: skip one index (`[0]`, `["k"]`, `[*]`).
            let attribute_after = |at: usize| -> Option<String> {
                match attrs.get(at) {
                    Some(Some(a)) => Some((*a).to_owned()),
                    Some(None) => attrs.get(at + 1).copied().flatten().map(str::to_owned),
                    None => None,
                }
            };
            let reference = match root {
                "local" => attrs.first().copied().flatten().map(|n| Reference {
                    key: format!("local.{n}"),
                    attribute: None,
                }),
                "module" => attrs.first().copied().flatten().map(|n| Reference {
                    key: format!("module.{n}"),
                    attribute: None,
                }),
                "data" => match (
                    attrs.first().copied().flatten(),
                    attrs.get(1).copied().flatten(),
                ) {
                    (Some(t), Some(n)) => Some(Reference {
                        key: format!("data.{t}.{n}"),
                        attribute: attribute_after(2),
                    }),
                    _ => None,
                },
                "var" | "path" | "terraform" | "count" | "each" | "self" => None,
                resource_type => attrs.first().copied().flatten().map(|n| Reference {
                    key: format!("{resource_type}.{n}"),
                    attribute: attribute_after(1),
                }),
            };
            if let Some(reference) = reference {
                self.names.insert(reference);
            }
        }
        visit_traversal(self, node);
    }

    fn visit_func_call(&mut self, node: &hcl::edit::expr::FuncCall) {
        let name = node.name.name.as_str();
        if node.name.is_namespaced() || !(functions::NAMES.contains(&name)) {
            self.unknown_functions
                .push((function_name(node), node.span()));
        }
        visit_func_call(self, node);
    }
}

fn function_name(call: &hcl::edit::expr::FuncCall) -> String {
    let mut name = String::new();
    for part in &call.name.namespace {
        name.push_str(part.as_str());
        name.push_str("::");
    }
    name.push_str(call.name.name.as_str());
    name
}

/// The references and unknown calls of `expr`.
#[cfg(test)]
pub fn references(expr: &EditExpression) -> References {
    let mut refs = References::default();
    hcl::edit::visit::visit_expr(&mut refs, expr);
    refs
}

/// The placeholder a call to an unknown function evaluates to.
pub fn unknown_call_placeholder(name: &str) -> String {
    format!("<unresolved {name}(…)>")
}

/// Evaluates `expr` in `ctx`; the error is hcl-rs's message, made to read as Terraform's.
pub fn evaluate(expr: &EditExpression, ctx: &Context<'_>) -> Result<Value, String> {
    let mut expr = expr.clone();
    Rewrite { ctx }.visit_expr_mut(&mut expr);
    let expr = hcl::Expression::from(expr);
    expr.evaluate(ctx).map_err(|e| describe(&e))
}

fn describe(error: &hcl::eval::Error) -> String {
    let root = match error.expr() {
        Some(hcl::Expression::Traversal(t)) => match &t.expr {
            hcl::Expression::Variable(v) => Some(v.as_str()),
            _ => None,
        },
        _ => None,
    };
    match (error.kind(), root) {
        (hcl::eval::ErrorKind::UndefinedVar(name), _) => format!(
            "'{name}' is not defined here (a variable, local, resource or data source this configuration does not declare)"
        ),
        (hcl::eval::ErrorKind::NoSuchKey(key), Some("var")) => {
            format!("var.{key} is not declared; add `variable \"{key}\" {{}}` to this module")
        }
        (hcl::eval::ErrorKind::NoSuchKey(key), Some("local")) => {
            format!("local.{key} is not declared in a `locals` block of this module")
        }
        _ => {
            // hcl-rs appends the whole expression; a multi-line one buries the reason.
            let text = error.to_string();
            match text.split_once(" in expression `") {
                Some((reason, expr)) if expr.contains('\n') => reason.to_owned(),
                _ => text,
            }
        }
    }
}

/// Rewrites `try`, `can` and unknown calls (see the module comment).
struct Rewrite<'c, 'a> {
    ctx: &'c Context<'a>,
}

impl VisitMut for Rewrite<'_, '_> {
    fn visit_expr_mut(&mut self, node: &mut EditExpression) {
        let replacement = match node {
            EditExpression::FuncCall(call) if !call.name.is_namespaced() => {
                match call.name.name.as_str() {
                    "try" => Some(
                        call.args
                            .iter()
                            .find_map(|arg| evaluate(arg, self.ctx).ok())
                            .unwrap_or(Value::Null),
                    ),
                    "can" => Some(Value::Bool(
                        call.args
                            .iter()
                            .next()
                            .is_some_and(|arg| evaluate(arg, self.ctx).is_ok()),
                    )),
                    name if !functions::NAMES.contains(&name) => {
                        Some(Value::String(unknown_call_placeholder(name)))
                    }
                    _ => None,
                }
            }
            EditExpression::FuncCall(call) => Some(Value::String(unknown_call_placeholder(
                &function_name(call),
            ))),
            _ => None,
        };
        match replacement {
            Some(value) => *node = EditExpression::from(hcl::Expression::from(value)),
            None => visit_expr_mut(self, node),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> EditExpression {
        hcl::edit::parser::parse_expr(text).unwrap()
    }

    fn context() -> Context<'static> {
        let mut ctx = Context::new();
        functions::declare(&mut ctx);
        ctx.declare_var("var", hcl::value!({ name = "api", port = 8080 }));
        ctx
    }

    #[test]
    fn references_name_the_thing_and_the_attribute_read() {
        type Expected = &'static [(&'static str, Option<&'static str>)];
        let cases: &[(&str, Expected)] = &[
            (
                "aws_lambda_function.f.invoke_arn",
                &[("aws_lambda_function.f", Some("invoke_arn"))],
            ),
            (
                "\"integrations/${aws_apigatewayv2_integration.i.id}\"",
                &[("aws_apigatewayv2_integration.i", Some("id"))],
            ),
            (
                "aws_api_gateway_method.options[each.key].http_method",
                &[("aws_api_gateway_method.options", Some("http_method"))],
            ),
            (
                "data.archive_file.zip.output_path",
                &[("data.archive_file.zip", Some("output_path"))],
            ),
            (
                "merge(local.tags, { a = module.backend.url })",
                &[("local.tags", None), ("module.backend", None)],
            ),
            ("var.x", &[]),
            ("[for k, v in var.m : v]", &[]),
        ];
        for (text, expected) in cases {
            let got: Vec<(String, Option<String>)> = references(&parse(text))
                .names
                .into_iter()
                .map(|r| (r.key, r.attribute))
                .collect();
            let want: Vec<(String, Option<String>)> = expected
                .iter()
                .map(|(k, a)| ((*k).to_owned(), a.map(str::to_owned)))
                .collect();
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn expressions_evaluate_with_terraform_functions() {
        let cases: &[(&str, Value)] = &[
            (
                "jsonencode({statusCode = 200})",
                Value::from("{\"statusCode\":200}"),
            ),
            ("\"${var.name}-${var.port}\"", Value::from("api-8080")),
            (
                "join(\", \", [\"GET\", \"POST\"])",
                Value::from("GET, POST"),
            ),
            ("try(var.missing, \"fallback\")", Value::from("fallback")),
            ("can(var.missing)", Value::from(false)),
            ("lookup({a = 1}, \"b\", 2)", Value::from(2)),
            ("format(\"%s:%d\", \"a\", 3)", Value::from("a:3")),
            ("upper(var.name)", Value::from("API")),
            (
                "sha1(\"abc\")",
                Value::from("a9993e364706816aba3e25717850c26c9cd0d89d"),
            ),
            (
                "provider::aws::arn_parse(\"x\")",
                Value::from("<unresolved provider::aws::arn_parse(…)>"),
            ),
            (
                "not_a_function(1)",
                Value::from("<unresolved not_a_function(…)>"),
            ),
        ];
        let ctx = context();
        for (text, want) in cases {
            assert_eq!(&evaluate(&parse(text), &ctx).unwrap(), want, "{text}");
        }
    }

    #[test]
    fn unknown_functions_are_found_before_evaluation() {
        let refs = references(&parse("upper(fancy(1))"));
        assert_eq!(refs.unknown_functions.len(), 1);
        assert_eq!(refs.unknown_functions[0].0, "fancy");
    }
}
