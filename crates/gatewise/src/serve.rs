//! `gatewise serve` and `gatewise routes`: load the template, build the route table, start
//! the function host, the code watcher and the gateway, and stop everything cleanly on Ctrl-C,
//! SIGTERM or SIGHUP (a closed terminal) — also while functions are still warming up. A second
//! signal stops waiting for in-flight requests.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use gatewise_gateway::{Gateway, GatewayOptions, Inspector, RouteTable};
use gatewise_invoke::InvokeApi;
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
    match load_stack(&args).and_then(|stack| group_apis(&stack)) {
        Ok(groups) => {
            print!("{}", groups_text(&groups, &vec![None; groups.len()]));
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
    let groups = group_apis(&stack)?;
    let env_overrides = match &args.env_vars {
        Some(path) => read_env_vars(path).map_err(|e| format!("error: {e}"))?,
        None => Default::default(),
    };
    // Bind before starting functions: a busy port is reported at once, with nothing to clean
    // up. Groups after the first take the next ports (or free ones with --port 0), stepping
    // over the Invoke API's and the inspector's.
    let invoke_port = side_port(args.invoke_port, DEFAULT_INVOKE_PORT, args.port);
    let invoke_listener = bind_side(
        SocketAddr::new(args.host, invoke_port),
        args.invoke_port.is_some(),
        "the Lambda Invoke API",
        "--invoke-port",
    )
    .await?;
    let inspector_port = (!args.no_inspector)
        .then(|| side_port(args.inspector_port, DEFAULT_INSPECTOR_PORT, args.port));
    let inspector_listener = match inspector_port {
        Some(port) => {
            bind_side(
                SocketAddr::new(inspector_host(args.host), port),
                args.inspector_port.is_some(),
                "the inspector",
                "--inspector-port",
            )
            .await?
        }
        None => None,
    };
    let reserved: Vec<usize> = [Some(invoke_port), inspector_port]
        .into_iter()
        .flatten()
        .map(usize::from)
        .collect();
    let mut listeners = Vec::with_capacity(groups.len());
    let mut next_port = usize::from(args.port);
    for index in 0..groups.len() {
        while next_port != 0 && reserved.contains(&next_port) {
            next_port += 1;
        }
        let port = match args.port {
            0 => 0,
            first => u16::try_from(next_port).map_err(|_| {
                format!(
                    "error: --port {first}: {} APIs need {} ports from it; pick a lower port",
                    groups.len(),
                    groups.len()
                )
            })?,
        };
        next_port += 1;
        let address = SocketAddr::new(args.host, port);
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .map_err(|e| listen_error(address, &e))?;
        let local = listener
            .local_addr()
            .map_err(|e| format!("error: cannot read the listening address: {e}"))?;
        if index == 0 && !local.ip().is_loopback() {
            eprintln!("{}", exposure_warning(local));
        }
        listeners.push((listener, local));
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

    let ports: Vec<Option<u16>> = listeners.iter().map(|(_, l)| Some(l.port())).collect();
    let routes = groups_text(&groups, &ports);
    print!("{routes}");
    print_generated_api_keys(&stack);
    if let Some((_, local)) = &invoke_listener {
        println!("Lambda Invoke API on http://{local}");
    }
    if let Some((_, local)) = &inspector_listener {
        println!("Inspector on http://{local}");
    }
    for ((_, local), group) in listeners.iter().zip(&groups) {
        if groups.len() == 1 {
            println!("Listening on http://{local}");
        } else {
            println!("Listening on http://{local} ({})", group.apis.join(", "));
        }
    }
    let _ = std::io::stdout().flush();

    let inspector = inspector_listener.map(|(listener, _)| (Inspector::new(routes), listener));
    let options = GatewayOptions {
        extra_api_keys: args.api_keys,
        inspector: inspector.as_ref().map(|(hub, _)| Arc::clone(hub)),
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut servers = tokio::task::JoinSet::new();
    if let Some((hub, listener)) = inspector {
        servers.spawn(hub.serve(listener, until_stopped(&stopped)));
    }
    if let Some((listener, _)) = invoke_listener {
        let api = Arc::new(InvokeApi::new(&stack, Arc::clone(&functions)));
        servers.spawn(api.serve(listener, until_stopped(&stopped)));
    }
    for ((listener, _), group) in listeners.into_iter().zip(groups) {
        let gateway = Arc::new(Gateway::new(
            group.stack,
            group.routes,
            Arc::clone(&functions),
            options.clone(),
        ));
        servers.spawn(gateway.serve(listener, until_stopped(&stopped)));
    }
    let all_served = async {
        let mut result = Ok(());
        while let Some(joined) = servers.join_next().await {
            match joined {
                Ok(Ok(())) => {}
                Ok(Err(e)) => result = Err(e),
                Err(e) => result = Err(std::io::Error::other(e)),
            }
        }
        result
    };
    let shutdown = async {
        signalled(&signals, 1).await;
        eprintln!(
            "Shutting down: stopping function instances (press Ctrl-C again to stop waiting for in-flight requests)"
        );
        let _ = stop.send(true);
        std::future::pending::<()>().await;
    };
    let served = tokio::select! {
        served = all_served => served,
        () = shutdown => Ok(()),
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

/// The Invoke API's port when `--invoke-port` is not given: SAM CLI's `start-lambda` port.
const DEFAULT_INVOKE_PORT: u16 = 3001;

/// The inspector's port when `--inspector-port` is not given: the one after the Invoke API's.
const DEFAULT_INSPECTOR_PORT: u16 = 3002;

/// The port of a service beside the API: the one asked for, else `default`, else (under
/// `--port 0`, as tests run many servers at once) a free one.
fn side_port(asked: Option<u16>, default: u16, api_port: u16) -> u16 {
    asked.unwrap_or(if api_port == 0 { 0 } else { default })
}

/// Completes once `stopped` says the servers are to stop: the shutdown signal each server
/// is given.
fn until_stopped(
    stopped: &tokio::sync::watch::Receiver<bool>,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    let mut stopped = stopped.clone();
    async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    }
}

/// The inspector listens on loopback only, whatever `--host` says: it shows every request's
/// path, origin and headers, which are for the developer at this machine.
fn inspector_host(host: std::net::IpAddr) -> std::net::IpAddr {
    if host.is_loopback() {
        host
    } else {
        std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
    }
}

/// Binds the port of a service beside the API (`what`, asked for with `flag`). A busy port is
/// an error when the user asked for it (`required`), else a warning and no such service.
async fn bind_side(
    address: SocketAddr,
    required: bool,
    what: &str,
    flag: &str,
) -> Result<Option<(tokio::net::TcpListener, SocketAddr)>, String> {
    match tokio::net::TcpListener::bind(address).await {
        Ok(listener) => {
            let local = listener
                .local_addr()
                .map_err(|e| format!("error: cannot read the listening address: {e}"))?;
            Ok(Some((listener, local)))
        }
        Err(e) if required => Err(listen_error(address, &e).replace("--port", flag)),
        Err(e) => {
            eprintln!(
                "gatewise: warning: {what} is not served: cannot listen on {address}: {e}; pass {flag} 0 for a free port"
            );
            Ok(None)
        }
    }
}

/// APIs served together on one port: their routes do not collide.
pub(crate) struct ApiGroup {
    stack: Arc<Stack>,
    routes: RouteTable,
    /// The logical ids of the group's APIs (REST, then HTTP).
    apis: Vec<String>,
}

/// The stack's APIs in as few groups as possible whose routes do not collide (on AWS every
/// API has its own host; locally, APIs whose routes collide — two HTTP APIs with `$default`,
/// as `cdk synth` emits — get a port each). An API whose own routes cannot be served is an
/// error.
pub(crate) fn group_apis(stack: &Stack) -> Result<Vec<ApiGroup>, String> {
    let error =
        |e: gatewise_gateway::RouteConflict| format!("{}: error: {}", e.location, e.message);
    if let Ok(routes) = RouteTable::build(stack) {
        return Ok(vec![ApiGroup {
            routes,
            apis: api_ids(stack),
            stack: Arc::new(stack.clone()),
        }]);
    }
    #[derive(Clone, Copy)]
    enum Api {
        Rest(usize),
        Http(usize),
    }
    let subset = |apis: &[Api]| Stack {
        rest_apis: apis
            .iter()
            .filter_map(|a| match a {
                Api::Rest(i) => Some(stack.rest_apis[*i].clone()),
                Api::Http(_) => None,
            })
            .collect(),
        http_apis: apis
            .iter()
            .filter_map(|a| match a {
                Api::Http(i) => Some(stack.http_apis[*i].clone()),
                Api::Rest(_) => None,
            })
            .collect(),
        ..stack.clone()
    };
    let all = (0..stack.rest_apis.len())
        .map(Api::Rest)
        .chain((0..stack.http_apis.len()).map(Api::Http));
    let mut groups: Vec<Vec<Api>> = Vec::new();
    for api in all {
        RouteTable::build(&subset(&[api])).map_err(error)?;
        let fits = groups.iter().position(|group| {
            let mut candidate = group.clone();
            candidate.push(api);
            RouteTable::build(&subset(&candidate)).is_ok()
        });
        match fits {
            Some(index) => groups[index].push(api),
            None => groups.push(vec![api]),
        }
    }
    groups
        .iter()
        .map(|group| {
            let stack = subset(group);
            Ok(ApiGroup {
                routes: RouteTable::build(&stack).map_err(error)?,
                apis: api_ids(&stack),
                stack: Arc::new(stack),
            })
        })
        .collect()
}

fn api_ids(stack: &Stack) -> Vec<String> {
    stack
        .rest_apis
        .iter()
        .map(|a| a.logical_id.clone())
        .chain(stack.http_apis.iter().map(|a| a.logical_id.clone()))
        .collect()
}

/// The route tables; with several groups, each under a line naming its port. What `routes`
/// and `serve` print, and what the inspector page shows.
fn groups_text(groups: &[ApiGroup], ports: &[Option<u16>]) -> String {
    if let [only] = groups {
        return only.routes.to_string();
    }
    let mut text = String::new();
    for (index, (group, port)) in groups.iter().zip(ports).enumerate() {
        let port = port.map_or_else(|| format!("port +{index}"), |p| format!("port {p}"));
        text.push_str(&format!(
            "{port}: {} (routes collide with another API's; on AWS each API has its own host)\n{}",
            group.apis.join(", "),
            group.routes
        ));
    }
    text
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
