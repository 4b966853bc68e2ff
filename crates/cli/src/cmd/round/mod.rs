//! `delphi round open | draft | close | summary | extend | show | links | list`: the
//! round lifecycle from the command line. The steps `delphi demo` shares are in
//! `lifecycle.rs`.

mod links;
mod list;
mod overview;
mod show;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use clap::{Args, Subcommand};
use delphi_core::Study;
use delphi_store::{Refusal, RoundState, Store, StoreError};

use crate::lifecycle::{
    close_and_summarise, closed_without_summary, frozen_round, last_closed_round, next_round, open_round,
    open_with_feedback, round_to_close, write_summary,
};
use crate::render::{Refused, when};
use crate::workspace::Workspace;

#[derive(Debug, Args)]
pub(crate) struct DeadlineArgs {
    /// Deadline: `2026-12-15` (end of that day, UTC), `2026-12-15 17:00` (UTC) or RFC 3339.
    #[arg(long, conflicts_with = "days")]
    deadline: Option<String>,
    /// Deadline as a number of days from now.
    #[arg(long, default_value_t = 14)]
    days: u32,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RoundCommand {
    /// Freeze the questionnaire of the next round and open it until a deadline.
    /// Refused while another round is open, out of order, or past the study's max_rounds.
    Open {
        /// The round to open; by default the next one.
        number: Option<u32>,
        #[command(flatten)]
        deadline: DeadlineArgs,
    },
    /// Prepare the next round as a draft (its questionnaire can still change) without opening it.
    Draft {
        /// The round to draft; by default the next one.
        number: Option<u32>,
    },
    /// Close the open round and write its figures to <data-dir>/<study>/round-N/summary.json.
    /// Nothing of a closed round changes afterwards.
    ///
    /// If an earlier close was interrupted (killed, or the disk was full) after the round
    /// closed but before its summary was written, run the same command again: it writes the
    /// missing summary and changes nothing else.
    Close {
        /// The round to close; by default the open one (or, when none is open, the last
        /// closed round if its summary is missing).
        number: Option<u32>,
    },
    /// Write a closed round's summary.json again from the store, as `round close` writes it:
    /// for a summary that was lost, deleted, or never written because a close was interrupted.
    /// A closed round never changes, so with the same study file the bytes are the same.
    Summary {
        /// The round; by default the last closed one.
        number: Option<u32>,
    },
    /// Move the deadline of the open round.
    Extend {
        /// The round; by default the open one.
        number: Option<u32>,
        #[command(flatten)]
        deadline: DeadlineArgs,
    },
    /// Show a round's frozen questionnaire as an expert gets it: the reply-by-email text
    /// form, Markdown (a preview for the coordinator) or the HTML form.
    Show(show::ShowArgs),
    /// Issue each expert's personal link to the open round's web form (`delphi serve`).
    /// A new link replaces the expert's earlier one.
    Links(links::LinksArgs),
    /// List the rounds with their state, dates and response counts.
    List(list::ListArgs),
}

pub(crate) fn run(workspace: &Workspace, command: RoundCommand) -> Result<()> {
    let (loaded, mut store) = workspace.open()?;
    let study = &loaded.study;
    let now = Utc::now();
    match command {
        RoundCommand::Open { number, deadline } => open(study, &mut store, number, &deadline, now),
        RoundCommand::Draft { number } => draft(study, &mut store, number, now),
        RoundCommand::Close { number } => close(workspace, study, &mut store, number, now),
        RoundCommand::Summary { number } => summary(workspace, study, &store, number),
        RoundCommand::Extend { number, deadline } => extend(study, &mut store, number, &deadline, now),
        RoundCommand::Show(args) => show::run(study, &store, args),
        RoundCommand::Links(args) => {
            drop(store);
            links::run(workspace, &args)
        }
        RoundCommand::List(args) => list::run(&store, &study.id, args.format),
    }
}

fn open(
    study: &Study,
    store: &mut Store,
    number: Option<u32>,
    deadline: &DeadlineArgs,
    now: DateTime<Utc>,
) -> Result<()> {
    let id = &study.id;
    let number = number.map_or_else(|| next_round(store, id), Ok)?;
    let deadline = deadline_from(deadline, now)?;
    let round = open_with_feedback(study, store, number, deadline, now)?;
    println!("round {} of `{id}` is open until {} ({} experts asked)", round.number, when(deadline), round.invited);
    println!(
        "questionnaire frozen: {} questions, sha256 {}",
        study.questions_in_round(number).len(),
        &round.questionnaire_sha256[..12]
    );
    Ok(())
}

fn draft(study: &Study, store: &mut Store, number: Option<u32>, now: DateTime<Utc>) -> Result<()> {
    let id = &study.id;
    let number = number.map_or_else(|| next_round(store, id), Ok)?;
    let questionnaire = serde_json::to_string(&frozen_round(study, store, number)?)?;
    store.draft_round(id, number, study.max_rounds, &questionnaire, now)?;
    println!(
        "round {number} of `{id}` is drafted ({} questions); open it with `delphi round open {number}`",
        study.questions_in_round(number).len()
    );
    Ok(())
}

fn close(
    workspace: &Workspace,
    study: &Study,
    store: &mut Store,
    number: Option<u32>,
    now: DateTime<Utc>,
) -> Result<()> {
    let id = &study.id;
    let number = number.map_or_else(|| round_to_close(workspace, study, store), Ok)?;
    let (round, summary, path) = if closed_without_summary(workspace, study, store, number)? {
        let round = store.round(id, number)?.ok_or(Refusal::NoSuchRound(number)).map_err(StoreError::from)?;
        let (summary, path) = write_summary(workspace, study, store, number)?;
        println!("round {number} was closed by a `round close` that did not finish; its summary is now written");
        (round, summary, path)
    } else {
        close_and_summarise(workspace, study, store, number, now)?
    };
    let status = store.status(id, &[])?;
    let responded = status.iter().find(|s| s.round.number == number).map_or(0, |s| s.responded);
    println!("round {} of `{id}` is closed: {responded} of {} experts answered", round.number, round.invited);
    print!("{}", overview::consensus_overview(study, &summary, number));
    println!("all figures: {}", path.display());
    if number < study.max_rounds {
        println!("next: `delphi round open {}` feeds this round's answers back", number + 1);
    }
    Ok(())
}

fn summary(workspace: &Workspace, study: &Study, store: &Store, number: Option<u32>) -> Result<()> {
    let id = &study.id;
    let number = number.map_or_else(|| last_closed_round(store, id), Ok)?;
    match store.round(id, number)?.map(|r| r.state) {
        Some(RoundState::Closed { .. }) => {}
        Some(_) => {
            return Err(Refused(format!(
                "round {number} is not closed; its summary is written when it closes (`delphi round close {number}`)"
            ))
            .into());
        }
        None => return Err(StoreError::from(Refusal::NoSuchRound(number)).into()),
    }
    let (_, path) = write_summary(workspace, study, store, number)?;
    println!("summary of round {number} written: {}", path.display());
    Ok(())
}

fn extend(
    study: &Study,
    store: &mut Store,
    number: Option<u32>,
    deadline: &DeadlineArgs,
    now: DateTime<Utc>,
) -> Result<()> {
    let id = &study.id;
    let number = number.map_or_else(|| open_round(store, id), Ok)?;
    let deadline = deadline_from(deadline, now)?;
    store.set_deadline(id, number, deadline, now)?;
    println!("round {number} of `{id}` now closes at {}", when(deadline));
    Ok(())
}

fn deadline_from(args: &DeadlineArgs, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    match &args.deadline {
        None => Ok(now + Duration::days(i64::from(args.days))),
        Some(text) => parse_deadline(text),
    }
}

fn parse_deadline(text: &str) -> Result<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(t.and_utc());
        }
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day.and_hms_opt(23, 59, 59).context("end of day")?.and_utc());
    }
    bail!("cannot read the deadline `{text}`: write 2026-12-15, `2026-12-15 17:00` (UTC) or 2026-12-15T17:00:00+08:00")
}
