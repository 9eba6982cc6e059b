//! `gatewise serve` and `gatewise routes`: load the template, build the route table, start
//! the function host, the code watcher and the gateway, and stop everything cleanly on Ctrl-C,
//! SIGTERM or SIGHUP (a closed terminal) — also while functions are still warming up. A second
//! signal stops waiting for in-flight requests.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use gatewise_gateway::{Gateway, GatewayOptions, RouteTable};
use gatewise_lambda::{FunctionHost, HostOptions, WarmPolicy};
use gatewise_model::Stack;
use gatewise_template::{LoadOptions, TerraformVariable};

use crate::cli::{ServeArgs, StackArgs, TemplateArgs, Warm};
use crate::env_vars::{parse_parameter_overrides, read_env_vars};
use crate::watch::CodeWatcher;

/// Exit status for anything the user has to fix before gatewise can run (bad template,
/// bad flag value, port in use), matching clap's usage errors.
const EXIT_USAGE: u8 = 2;

/// The templates tried, in order, when none is named (SAM CLI's defaults).
const DEFAULT_TEMPLATES: [&str; 3] = ["template.yaml", "template.yml", "template.json"];

pub fn print_routes(args: StackArgs) -> ExitCode {
    match load_stack(&args).and_then(|stack| build_routes(&stack)) {
        Ok(routes) => {
            print!("{routes}");
            ExitCode::SUCCESS
        }
        Err(message) => fail(&message),
    }
}

pub fn run(args: ServeArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("error: cannot start the async runtime: {e}")),
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    // Listening from the very start: a signal during warm-up must still end every process
    // and remove the runtime directory, which only an orderly return does.
    let signals = watch_signals()?;
    let stack = Arc::new(load_stack(&args.stack)?);
    let routes = build_routes(&stack)?;
    let env_overrides = match &args.env_vars {
        Some(path) => read_env_vars(path).map_err(|e| format!("error: {e}"))?,
        None => Default::default(),
    };
    let address = SocketAddr::new(args.host, args.port);
    // Bind before starting functions: a busy port is reported at once, with nothing to clean up.
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .map_err(|e| listen_error(address, &e))?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("error: cannot read the listening address: {e}"))?;
    if !local.ip().is_loopback() {
        eprintln!("{}", exposure_warning(local));
    }

    let options = HostOptions {
        warm: match args.warm {
            Warm::Eager => WarmPolicy::Eager,
            Warm::Lazy => WarmPolicy::Lazy,
        },
        env_overrides,
    };
    let starting = FunctionHost::start(&stack.functions, options);
    let functions = tokio::select! {
        started = starting => Arc::new(started.map_err(|e| format!("error: {e}"))?),
        () = signalled(&signals, 1) => {
            // Dropping the half-started host kills what it started.
            eprintln!("Shutting down during start-up: stopping function instances");
            return Ok(());
        }
    };

    // Watching starts before `Listening on`: an edit made once requests are accepted is seen.
    let watcher = if args.no_watch {
        None
    } else {
        CodeWatcher::start(&stack, Arc::clone(&functions))
    };

    print!("{routes}");
    print_generated_api_keys(&stack);
    println!("Listening on http://{local}");
    let _ = std::io::stdout().flush();

    let options = GatewayOptions {
        extra_api_keys: args.api_keys,
    };
    let gateway = Arc::new(Gateway::new(stack, routes, Arc::clone(&functions), options));
    let shutdown = async {
        signalled(&signals, 1).await;
        eprintln!(
            "Shutting down: stopping function instances (press Ctrl-C again to stop waiting for in-flight requests)"
        );
    };
    let served = tokio::select! {
        served = gateway.serve(listener, shutdown) => served,
        () = signalled(&signals, 2) => {
            eprintln!("Second signal: not waiting for in-flight requests");
            Ok(())
        }
    };
    if let Some(watcher) = watcher {
        watcher.stop();
    }
    functions.shutdown().await;
    // The last lines (the functions' END / REPORT) before the process ends.
    gatewise_lambda::flush_stderr(std::time::Duration::from_secs(1));
    served.map_err(|e| format!("error: the server stopped: {e}"))
}

fn load_stack(args: &StackArgs) -> Result<Stack, String> {
    let path = template_path(&args.template)?;
    let options = load_options(&args.template, args.stub_functions)?;
    let mut stack = gatewise_template::load(&path, &options)
        .map_err(|e| format!("{}: error: {}", e.location, e.message))?;
    for warning in &stack.warnings {
        eprintln!("{}: warning: {}", warning.location, warning.message);
    }
    select_apis(&mut stack, &args.apis)?;
    Ok(stack)
}

/// What the command line adds to the template: parameter overrides, the stack name, Terraform
/// variables (`--var-file`s first, then `--var`s, so a `--var` wins).
pub(crate) fn load_options(
    args: &TemplateArgs,
    stub_functions: bool,
) -> Result<LoadOptions, String> {
    let mut terraform_variables: Vec<TerraformVariable> = args
        .var_files
        .iter()
        .map(|f| TerraformVariable::File(f.clone()))
        .collect();
    for var in &args.vars {
        let Some((name, value)) = var.split_once('=') else {
            return Err(format!(
                "error: --var {var}: expected NAME=VALUE, e.g. --var stage=dev"
            ));
        };
        terraform_variables.push(TerraformVariable::Value {
            name: name.trim().to_owned(),
            value: value.to_owned(),
        });
    }
    Ok(LoadOptions {
        parameter_overrides: parse_parameter_overrides(&args.parameter_overrides)
            .map_err(|e| format!("error: {e}"))?,
        stack_name: args.stack_name.clone(),
        stub_functions,
        terraform_variables,
    })
}

/// Keeps only the APIs (REST or HTTP) named with `--api`; all of them when none is named.
pub(crate) fn select_apis(stack: &mut Stack, wanted: &[String]) -> Result<(), String> {
    if wanted.is_empty() {
        return Ok(());
    }
    let known: Vec<&str> = stack
        .rest_apis
        .iter()
        .map(|api| api.logical_id.as_str())
        .chain(stack.http_apis.iter().map(|api| api.logical_id.as_str()))
        .collect();
    if let Some(unknown) = wanted.iter().find(|id| !known.contains(&id.as_str())) {
        return Err(format!(
            "error: --api {unknown}: the template has no such API; its APIs are: {}",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ));
    }
    stack
        .rest_apis
        .retain(|api| wanted.contains(&api.logical_id));
    stack
        .http_apis
        .retain(|api| wanted.contains(&api.logical_id));
    Ok(())
}

/// API keys the template declares without a `Value` get one from gatewise; clients need to
/// know it.
fn print_generated_api_keys(stack: &Stack) {
    for key in stack.api_keys.iter().filter(|key| key.generated) {
        println!(
            "API key {} (generated, no Value in the template): {}",
            key.logical_id, key.value
        );
    }
}

fn build_routes(stack: &Stack) -> Result<RouteTable, String> {
    RouteTable::build(stack).map_err(|e| {
        format!(
            "error: {}\nhint: when two APIs collide, serve them one at a time with --api LOGICAL_ID",
            e.message
        )
    })
}

/// The template named on the command line, or the first default that exists.
pub(crate) fn template_path(args: &TemplateArgs) -> Result<PathBuf, String> {
    if let Some(path) = args.template.as_ref().or(args.template_flag.as_ref()) {
        return Ok(path.clone());
    }
    if let Some(found) = DEFAULT_TEMPLATES
        .iter()
        .map(Path::new)
        .find(|p| p.is_file())
    {
        return Ok(found.to_path_buf());
    }
    let has_terraform = std::fs::read_dir(".").is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "tf"))
    });
    if has_terraform {
        return Ok(PathBuf::from("."));
    }
    Err(format!(
        "error: no template given, none of {} and no .tf files in the current directory; \
         pass one, e.g. `gatewise serve path/to/template.yaml` or `gatewise serve infra/`",
        DEFAULT_TEMPLATES.join(", ")
    ))
}

fn listen_error(address: SocketAddr, e: &std::io::Error) -> String {
    let hint = match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            "; another server uses it: stop it, or pick another with --port (0 picks a free one)"
        }
        std::io::ErrorKind::AddrNotAvailable => "; is --host an address of this machine?",
        std::io::ErrorKind::PermissionDenied => {
            "; ports below 1024 need privileges: use --port 3000"
        }
        _ => "",
    };
    format!("error: cannot listen on {address}: {e}{hint}")
}

/// Said when `--host` is not a loopback address: the functions run with this user's AWS
/// credentials and files, and anyone who can reach the port can call them.
fn exposure_warning(local: SocketAddr) -> String {
    format!(
        "warning: listening on {local}, reachable from other machines; every function runs as you, with your AWS credentials and files, for anyone who can reach this port. Use --host 127.0.0.1 unless others must reach it"
    )
}

/// Counts Ctrl-C, SIGTERM and SIGHUP (a closed terminal ends gatewise like SIGTERM).
fn watch_signals() -> Result<tokio::sync::watch::Receiver<u32>, String> {
    use tokio::signal::unix::{SignalKind, signal};
    let listen = |kind: SignalKind| {
        signal(kind).map_err(|e| format!("error: cannot listen for signals: {e}"))
    };
    let mut interrupt = listen(SignalKind::interrupt())?;
    let mut terminate = listen(SignalKind::terminate())?;
    let mut hangup = listen(SignalKind::hangup())?;
    let (count, counted) = tokio::sync::watch::channel(0);
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
                _ = hangup.recv() => {}
            }
            count.send_modify(|n| *n += 1);
        }
    });
    Ok(counted)
}

/// Resolves once `times` signals have arrived.
async fn signalled(signals: &tokio::sync::watch::Receiver<u32>, times: u32) {
    let mut signals = signals.clone();
    if signals.wait_for(|n| *n >= times).await.is_err() {
        // The counting task is gone (the runtime is stopping): nothing more will arrive.
        std::future::pending::<()>().await;
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("{message}");
    ExitCode::from(EXIT_USAGE)
}
