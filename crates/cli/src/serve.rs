//! `delphi serve` and `delphi round links`: the web channel from the command line
//! (`delphi submit`, its client side, is in `submit.rs`).

use std::net::SocketAddr;

use anyhow::{Context, Result, bail};
use chrono::Utc;
use clap::Args;
use delphi_collect::{Service, ServiceConfig, Writer, serve};
use delphi_store::{Refusal, RoundState, Store, StoreError};

use crate::workspace::Workspace;

#[derive(Debug, Args)]
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
}

#[derive(Debug, Args)]
pub(crate) struct LinksArgs {
    /// The server's address as experts reach it.
    #[arg(long, default_value = "http://127.0.0.1:8080", env = "DELPHI_BASE_URL")]
    base_url: String,
    /// Only these experts (ids from the panel); by default everyone asked in the open round.
    #[arg(long = "expert")]
    experts: Vec<String>,
}

/// Serves the open round's forms until Ctrl-C or SIGTERM, then finishes what is in flight.
/// The shortest coordinator token accepted: 128 bits written in hex.
const MIN_COORDINATOR_TOKEN: usize = 32;

pub(crate) fn serve_forms(workspace: &Workspace, args: &ServeArgs) -> Result<()> {
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
    let mut config = ServiceConfig::new(loaded.study.id.as_str());
    config.group_attributes = loaded.study.subgroups.attributes.clone();
    config.coordinator_token = Some(coordinator_token);
    config.requests_per_minute = args.requests_per_minute;
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

async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}

/// Issues a personal link for each expert of the open round (replacing earlier links).
pub(crate) fn links(workspace: &Workspace, args: &LinksArgs) -> Result<()> {
    let (loaded, mut store) = workspace.open()?;
    let id = loaded.study.id.as_str();
    let round = store
        .rounds(id)?
        .into_iter()
        .find(|r| matches!(r.state, RoundState::Open { .. }))
        .map(|r| r.number)
        .ok_or_else(|| StoreError::from(Refusal::RoundNotOpen(0)))
        .context("no round is open; open one with `delphi round open`")?;
    let experts = if args.experts.is_empty() { store.round_experts(id, round)? } else { args.experts.clone() };
    let base = args.base_url.trim_end_matches('/');
    eprintln!("personal links for round {round}; each replaces the expert's earlier link:");
    for expert in experts {
        let token = store.issue_token(id, round, &expert, Utc::now())?;
        println!("{expert}\t{base}/s/{}", token.expose());
    }
    Ok(())
}
