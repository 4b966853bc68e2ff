//! `delphi round links`: each expert's personal link to the open round's web form
//! (`delphi serve` serves them).

use anyhow::{Context, Result};
use chrono::Utc;
use clap::Args;
use delphi_store::{Refusal, RoundState, StoreError};

use crate::workspace::Workspace;

#[derive(Debug, Args)]
pub(crate) struct LinksArgs {
    /// The server's address as experts reach it.
    #[arg(long, default_value = "http://127.0.0.1:8080", env = "DELPHI_BASE_URL")]
    base_url: String,
    /// Only these experts (ids from the panel); by default everyone asked in the open round.
    #[arg(long = "expert")]
    experts: Vec<String>,
}

/// Issues a personal link for each expert of the open round (replacing earlier links).
pub(super) fn run(workspace: &Workspace, args: &LinksArgs) -> Result<()> {
    let (loaded, mut store) = workspace.open()?;
    let id = &loaded.study.id;
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
