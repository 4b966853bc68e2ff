//! `delphi panel import | withdraw`: the panel of experts in the store.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::Utc;
use clap::Subcommand;
use delphi_core::panel::Panel;
use delphi_core::study::Withdrawal;
use delphi_store::{WithdrawalOutcome, WithdrawnBy};

use crate::source;
use crate::workspace::{self, Workspace};

#[derive(Debug, Subcommand)]
pub(crate) enum PanelCommand {
    /// Import the panel CSV: add new experts, update changed ones, deactivate those no
    /// longer listed (their past answers are kept). Experts added while a round is open join it.
    Import {
        /// The panel CSV (id,name,email,institution,country,bloc,language,expertise, and
        /// optionally time_zone); by default the one beside the study file.
        file: Option<PathBuf>,
    },
    /// Withdraw an expert (e.g. on their request by letter): no more invitations, reminders
    /// or working links, and their answers kept or removed as `study.withdrawal` says.
    /// Final: a later import does not bring them back.
    Withdraw {
        /// The expert's id in the panel CSV.
        id: String,
    },
}

/// Reads and checks a panel CSV against the study.
pub(crate) fn read_panel(path: &Path, study: &delphi_core::Study) -> Result<Panel> {
    let source = source::read_text(path, "the panel file")?;
    Ok(Panel::from_csv(&source, &path.display().to_string(), study)?)
}

pub(crate) fn run(workspace: &Workspace, command: PanelCommand) -> Result<()> {
    let file = match command {
        PanelCommand::Import { file } => file,
        PanelCommand::Withdraw { id } => return withdraw(workspace, &id),
    };
    let (loaded, mut store) = workspace.open()?;
    let path = file
        .or_else(|| workspace::default_panel_path(workspace.study_path()))
        .context("no panel file given and none beside the study file; pass the CSV's path")?;
    let panel = read_panel(&path, &loaded.study)?;
    let outcome = store.import_panel(&loaded.study.id, &panel, Utc::now())?;
    println!(
        "imported {}: {} added, {} updated, {} unchanged, {} deactivated ({} active experts)",
        path.display(),
        outcome.added,
        outcome.updated,
        outcome.unchanged,
        outcome.deactivated,
        store.active_panel_size(&loaded.study.id)?
    );
    if outcome.joined_open_round > 0 {
        println!("{} new expert(s) joined the open round", outcome.joined_open_round);
    }
    if outcome.withdrawn > 0 {
        println!("{} listed expert(s) have withdrawn and stay out of the study", outcome.withdrawn);
    }
    Ok(())
}

fn withdraw(workspace: &Workspace, id: &str) -> Result<()> {
    let (loaded, mut store) = workspace.open()?;
    let study = &loaded.study;
    let rule = study.withdrawal;
    let outcome = store.withdraw(&study.id, id, rule, WithdrawnBy::Coordinator, Utc::now())?;
    let withdrawn = match outcome {
        WithdrawalOutcome::Already(earlier) => {
            println!("{id} had withdrawn already, on {}; nothing changed", earlier.at.format("%Y-%m-%d %H:%M UTC"));
            return Ok(());
        }
        WithdrawalOutcome::Withdrawn(withdrawn) => withdrawn,
    };
    println!("{id} is withdrawn: no more invitations or reminders, and their links no longer work");
    match withdrawn.rule {
        Withdrawal::KeepAnswers => println!("their answers so far keep counting (study.withdrawal = \"keep-answers\")"),
        Withdrawal::RemoveAnswers if withdrawn.closed_through == 0 => {
            println!("their answers no longer count (study.withdrawal = \"remove-answers\")");
        }
        Withdrawal::RemoveAnswers => println!(
            "their answers after round {} no longer count; closed rounds stay as they were (study.withdrawal = \"remove-answers\")",
            withdrawn.closed_through
        ),
    }
    Ok(())
}
