//! `gatewise`: runs an AWS serverless API on this machine as API Gateway and Lambda would.
//!
//! The binary only parses the command line and wires the stages together; each stage lives in
//! its own crate (template → model → gateway + lambda).

mod check;
mod cli;
mod env_vars;
mod probe;
mod serve;
mod watch;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Serve(args) => serve::run(args),
        cli::Command::Routes(args) => serve::print_routes(args),
        cli::Command::Probe(args) => probe::run(args),
        cli::Command::Check(args) => check::run(args),
    }
}
