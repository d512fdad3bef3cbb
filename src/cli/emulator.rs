//! `infra emulator [--listen ADDR] [--data DIR]`: runs the local Azure emulator (ARM and the Key
//! Vault data plane) until Ctrl-C. Latency, ARM's throttling model and fault injection are
//! set by flags here or later through its admin endpoint (`POST /_admin/faults`).

use std::io::Write;
use std::net::SocketAddr;

/// Like `eprintln!`, but a closed stderr (the terminal or a log reader went away) must not
/// bring the emulator down: it keeps serving.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on; port 0 picks a free port. Loopback only, as no credentials are checked.
    #[arg(long, default_value = "127.0.0.1:8480")]
    listen: SocketAddr,
    /// Folder for the emulator's data (kept across restarts); in memory when omitted.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Delay before every write completes, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Retry-After (whole seconds, 0 allowed) on every long-running operation's answers and
    /// polls; by default 1.
    #[arg(long)]
    retry_after: Option<u64>,
    /// Enforce ARM's token buckets (reads 250 + 25/s, writes and deletes 200 + 10/s) with 429s.
    #[arg(long)]
    throttle: bool,
    /// Probability of an injected 429 on any request (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    fault_429: f64,
    /// Probability of an injected 500 on any request (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    fault_500: f64,
    /// Probability of an injected 503 on any request (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    fault_503: f64,
    /// Probability that a long-running operation ends Failed (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    fault_lro: f64,
    #[command(subcommand)]
    kind: Option<Kind>,
}

#[derive(clap::Subcommand)]
pub enum Kind {
    /// The emulated Hyper-V host: a `pwsh` stand-in that answers one infra-hyperv script on
    /// stdin over a JSON state file (`--state FILE`, `--enums ints|strings`; PowerShell's own
    /// flags are accepted and ignored). See docs/hyperv.md.
    Hyperv {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

pub fn run(args: Args) -> u8 {
    if let Some(Kind::Hyperv { args }) = &args.kind {
        let code = infra_provider_hyperv::emulator::main_with(args);
        return u8::try_from(code).unwrap_or(1);
    }
    if !args.listen.ip().is_loopback() {
        eprintln!(
            "error: the emulator accepts any caller without credentials, so it listens on loopback only; got {}",
            args.listen
        );
        return 1;
    }
    for (name, p) in [
        ("--fault-429", args.fault_429),
        ("--fault-500", args.fault_500),
        ("--fault-503", args.fault_503),
        ("--fault-lro", args.fault_lro),
    ] {
        if !(0.0..=1.0).contains(&p) {
            eprintln!("error: {name} must be a probability between 0 and 1, got {p}");
            return 1;
        }
    }
    let mut config = infra_emulator::Config {
        listen: args.listen,
        data_dir: args.data.clone(),
        latency: infra_emulator::Latency::fixed(Duration::from_millis(args.latency_ms)),
        throttle: args.throttle.then(infra_emulator::ThrottleModel::arm),
        postgres_clusters: super::host::emulator_postgres(),
        ..Default::default()
    };
    if let Some(secs) = args.retry_after {
        config.retry_after = Some(Duration::from_secs(secs));
    }
    config.faults.throttle_probability = args.fault_429;
    config.faults.internal_error_probability = args.fault_500;
    config.faults.unavailable_probability = args.fault_503;
    config.faults.lro_failure_probability = args.fault_lro;

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return 1;
        }
    };
    runtime.block_on(async move {
        // Listening for SIGTERM (a service manager, `docker stop`) from before the emulator
        // starts the PostgreSQL clusters it resumes: its shutdown stops them, which would
        // otherwise outlive it.
        #[cfg(unix)]
        let mut term_signal =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        let emulator = match infra_emulator::start(config).await {
            Ok(e) => e,
            Err(e) => {
                say!("error: {e}");
                return 1;
            }
        };
        say!("Azure emulator listening on {}", emulator.base_url());
        say!("  ARM:       {}/subscriptions/...", emulator.base_url());
        say!(
            "  Key Vault: {}/kv/<vault>/secrets/...",
            emulator.base_url()
        );
        say!(
            "  admin:     {}/_admin/stats, /_admin/faults",
            emulator.base_url()
        );
        if let Some(dir) = &args.data {
            say!("  data:      {}", dir.display());
        }
        if super::host::emulator_postgres() {
            say!("  postgres:  flexible servers are real clusters on 127.0.0.1 (fqdn host:port)");
        } else {
            say!(
                "  postgres:  flexible servers are ARM data only: no database to connect to \
                 (install the PostgreSQL server programs, e.g. `apt-get install postgresql`, \
                 unless INFRA_EMULATOR_POSTGRES=off)"
            );
        }
        say!("Press Ctrl-C to stop.");
        #[cfg(unix)]
        let term = async {
            match term_signal.as_mut() {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term => {}
        }
        emulator.shutdown().await;
        say!("emulator stopped; state saved");
        0
    })
}
