//! `delphi serve`: the open round's web forms and JSON API (the links are issued by
//! `delphi round links`; `delphi submit`, the API's client side, is in `submit.rs`).

use std::net::SocketAddr;

use anyhow::{Context, Result, bail};
use clap::Args;
use delphi_collect::{Cidr, ConnectionLimits, Service, ServiceConfig, TrustedProxies, Writer, serve};
use delphi_store::Store;

use crate::config::{Given, ServeSettings};
use crate::workspace::Workspace;

#[derive(Debug, Args)]
#[command(after_help = settings_help!())]
pub(crate) struct ServeArgs {
    /// Address to listen on. The default serves this machine only; put a TLS-terminating
    /// reverse proxy in front to serve experts elsewhere.
    #[arg(long, default_value = "127.0.0.1:8080", env = "DELPHI_BIND")]
    bind: SocketAddr,
    /// Requests allowed per minute per client address and per personal link.
    #[arg(long, default_value_t = 120)]
    requests_per_minute: u32,
    /// Bearer token of the coordinator's status endpoint (/api/v1/status); a random one
    /// is made and printed when unset.
    #[arg(long, env = "DELPHI_COORDINATOR_TOKEN", hide_env_values = true)]
    coordinator_token: Option<String>,
    /// A reverse proxy (address or block, e.g. 127.0.0.1 or 10.0.0.0/8 or fd00::/8) whose
    /// X-Forwarded-For header (or, without one, Forwarded: for=) names the client; repeat it
    /// for several. Limits then count per expert instead of per proxy. The proxy must append
    /// to X-Forwarded-For (or set it); headers from any other peer are ignored.
    #[arg(long = "trusted-proxy", value_name = "CIDR", env = "DELPHI_TRUSTED_PROXY", value_delimiter = ',')]
    trusted_proxies: Vec<Cidr>,
    /// Seconds a client has to send a request's head, on a new connection and between the
    /// requests of a kept-alive one (then the connection is closed).
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    header_timeout: u64,
    /// Seconds a client has to send a request's body (a larger form on a slow line needs more).
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    body_timeout: u64,
    /// Connections open at once; more are refused (the open-file limit may lower it).
    #[arg(long, default_value_t = 4096)]
    max_connections: usize,
    /// Connections open at once from one client address (an IPv6 client by its /64);
    /// trusted proxies are not capped.
    #[arg(long, default_value_t = 128)]
    max_connections_per_client: usize,
}

impl ServeArgs {
    /// The settings file's `[serve]` where the command line and environment gave nothing.
    pub(crate) fn settle(&mut self, file: &ServeSettings, given: Given<'_>) {
        given.overlay(&["bind"], &mut self.bind, file.bind);
        given.overlay(&["trusted_proxies"], &mut self.trusted_proxies, file.trusted_proxies.clone());
    }
}

/// The shortest coordinator token accepted: 128 bits written in hex.
const MIN_COORDINATOR_TOKEN: usize = 32;

/// Serves the open round's forms until Ctrl-C or SIGTERM, then finishes what is in flight.
pub(crate) fn run(workspace: &Workspace, args: &ServeArgs) -> Result<()> {
    if [args.header_timeout, args.body_timeout].contains(&0)
        || [args.max_connections, args.max_connections_per_client].contains(&0)
    {
        bail!("--header-timeout, --body-timeout, --max-connections and --max-connections-per-client must be above 0");
    }
    // The request log and every refusal, on stderr; plain text for journald and files.
    let _ = tracing_subscriber::fmt().with_writer(std::io::stderr).with_ansi(false).with_target(false).try_init();
    let (loaded, _) = workspace.open()?;
    let path = workspace.store_path(&loaded.study);
    let readers = (0..4)
        .map(|_| Store::open(&path))
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("cannot open {}", path.display()))?;
    let (writer, writer_thread) = Writer::spawn(Store::open(&path)?);
    let coordinator_token = match &args.coordinator_token {
        // An empty or short token would open the status endpoint (who answered, per
        // institution) to anyone, or to guessing.
        Some(token) if token.trim().chars().count() < MIN_COORDINATOR_TOKEN => bail!(
            "the coordinator token (--coordinator-token or DELPHI_COORDINATOR_TOKEN) must have at least {MIN_COORDINATOR_TOKEN} characters (128 bits as hex); leave it out and a random one is made and printed"
        ),
        Some(token) => token.trim().to_owned(),
        None => {
            let mut bytes = [0_u8; 20];
            getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
            let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            println!("coordinator token (for /api/v1/status): {token}");
            token
        }
    };
    let mut config = ServiceConfig::new(loaded.study.id.clone());
    config.group_attributes = loaded.study.subgroups.attributes.clone();
    config.languages = loaded.study.languages.clone();
    config.contact = loaded.study.contact.clone();
    config.withdrawal = loaded.study.withdrawal;
    config.privacy = loaded.study.privacy.clone();
    config.coordinator_token = Some(coordinator_token);
    config.requests_per_minute = args.requests_per_minute;
    config.trusted_proxies = TrustedProxies::new(args.trusted_proxies.clone());
    config.connections = ConnectionLimits {
        header_timeout: std::time::Duration::from_secs(args.header_timeout),
        body_timeout: std::time::Duration::from_secs(args.body_timeout),
        max_connections: args.max_connections,
        max_connections_per_client: args.max_connections_per_client,
        ..ConnectionLimits::default()
    };
    // Connections are capped by the flags, not by the kernel's default of 1,024 files (the
    // service says so in its log if the hard limit is lower still).
    delphi_collect::raise_open_file_limit();
    let service = Service::new(config, readers, writer);

    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.bind)
            .await
            .with_context(|| format!("cannot listen on {} (is another server running?)", args.bind))?;
        let address = listener.local_addr()?;
        println!("serving study `{}` on http://{address} (Ctrl-C or SIGTERM stops it)", loaded.study.id);
        serve(listener, service, shutdown_signal()).await.context("the server failed")
    })?;
    // Every handle of the writer is gone with the service: the thread drains and ends.
    writer_thread.join().map_err(|_| anyhow::anyhow!("the writer thread failed"))?;
    println!("stopped; every acknowledged answer is stored");
    Ok(())
}

/// Ctrl-C, or on Unix also SIGTERM (what `systemctl stop` and `docker stop` send).
async fn shutdown_signal() {
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    // Windows has no SIGTERM: Ctrl-C alone stops the server there.
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}
