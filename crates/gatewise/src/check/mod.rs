//! `gatewise check`: load the template as `serve` does (functions stubbed when their code is
//! not here), run the rules of `gatewise-check`, optionally simulate the `--origin` matrix,
//! and print the result as compiler-style text, JSON or SARIF.

mod json;
mod sarif;
mod text;

use std::path::Path;
use std::process::ExitCode;

use gatewise_check::matrix::{self, MatrixRow};
use gatewise_check::{Counts, Finding, Sources};
use gatewise_template::DEPLOY_ERROR_INVALID_MAPPING_EXPRESSION;

use crate::cli::{CheckArgs, CheckFormat};
use crate::serve::{group_apis, load_options, select_apis, template_path};

/// No errors (warnings and notes may remain).
const EXIT_CLEAN: u8 = 0;
/// At least one error: the API will not work from a browser, or will not deploy.
const EXIT_ERRORS: u8 = 1;
/// The template could not be loaded (or a flag is wrong): nothing was checked.
const EXIT_UNLOADABLE: u8 = 2;

/// Everything one run found, ready to render.
pub struct Outcome<'a> {
    pub template: &'a Path,
    pub findings: Vec<Finding>,
    /// Empty without `--origin`.
    pub matrix: Vec<MatrixRow>,
    pub sources: Sources,
}

pub fn run(args: CheckArgs) -> ExitCode {
    let path = match template_path(&args.template) {
        Ok(path) => path,
        Err(message) => return fail(&message),
    };
    // Check judges the gateway's configuration, not the code: code that is not built yet
    // must not stop it (the handler rule says when it could not look).
    let options = match load_options(&args.template, true) {
        Ok(options) => options,
        Err(message) => return fail(&message),
    };
    let mut stack = match gatewise_template::load(&path, &options) {
        Ok(stack) => stack,
        Err(e) => return fail(&format!("{}: error: {}", e.location, e.message)),
    };
    if let Err(message) = select_apis(&mut stack, &args.apis) {
        return fail(&message);
    }
    // What `serve` refuses, check refuses too: routes API Gateway would not accept.
    if let Err(message) = group_apis(&stack) {
        return fail(&message);
    }
    // Warnings that became findings are not repeated; the rest go to stderr as `serve`
    // prints them, keeping stdout for the report.
    for warning in &stack.warnings {
        if !warning
            .message
            .contains(DEPLOY_ERROR_INVALID_MAPPING_EXPRESSION)
        {
            eprintln!("{}: warning: {}", warning.location, warning.message);
        }
    }
    let sources = Sources::new(&stack);
    let findings = gatewise_check::check(&stack, &sources);
    let matrix = matrix::matrix(&stack, &sources, &args.origins);
    let outcome = Outcome {
        template: &path,
        findings,
        matrix,
        sources,
    };
    match args.format {
        CheckFormat::Text => print!("{}", text::render(&outcome)),
        CheckFormat::Json => println!("{}", json::render(&outcome)),
        CheckFormat::Sarif => println!("{}", sarif::render(&outcome)),
    }
    ExitCode::from(if Counts::of(&outcome.findings).errors > 0 {
        EXIT_ERRORS
    } else {
        EXIT_CLEAN
    })
}

fn fail(message: &str) -> ExitCode {
    eprintln!("{message}");
    ExitCode::from(EXIT_UNLOADABLE)
}
