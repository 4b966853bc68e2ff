//! The round lifecycle's steps that `delphi round` and `delphi demo` share: a round opened
//! with the previous round's feedback frozen into it, a round closed with its summary
//! written, and which round a command means when it names none.

use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use delphi_core::Study;
use delphi_core::study::StudyId;
use delphi_store::{Refusal, RoundState, Store, StoreError};
use delphi_survey::FrozenRound;

use crate::workspace::Workspace;
use crate::{analysis, atomic, frozen};

/// Opens round `number`: its questionnaire frozen in every language, with the previous
/// round's group feedback (`delphi round open`).
pub(crate) fn open_with_feedback(
    study: &Study,
    store: &mut Store,
    number: u32,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<delphi_store::Round> {
    let questionnaire = serde_json::to_string(&frozen_round(study, store, number)?)?;
    let rules = serde_json::to_string(&study.consensus)?;
    Ok(store.open_round_under(&study.id, number, study.max_rounds, &questionnaire, Some(&rules), deadline, now)?)
}

/// Closes round `number` and writes the summary of rounds 1..number to
/// `<data-dir>/<study>/round-N/summary.json` (`delphi round close`).
pub(crate) fn close_and_summarise(
    workspace: &Workspace,
    study: &Study,
    store: &mut Store,
    number: u32,
    now: DateTime<Utc>,
) -> Result<(delphi_store::Round, delphi_stats::StudySummary, PathBuf)> {
    let round = store.close_round(&study.id, number, now)?;
    let (summary, path) = write_summary(workspace, study, store, number)?;
    Ok((round, summary, path))
}

/// Writes the summary of rounds 1..number to `<data-dir>/<study>/round-N/summary.json`,
/// atomically. It depends on the store alone, so writing it again gives the same bytes.
pub(crate) fn write_summary(
    workspace: &Workspace,
    study: &Study,
    store: &Store,
    number: u32,
) -> Result<(delphi_stats::StudySummary, PathBuf)> {
    let summary = analysis::summarise(study, store, number)?;
    let path = summary_path(workspace, study, number);
    let dir = workspace.round_dir(study, number);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    atomic::write(&path, serde_json::to_string_pretty(&summary)?.as_bytes())?;
    Ok((summary, path))
}

/// Where round `number`'s summary goes: `<data-dir>/<study>/round-N/summary.json`.
pub(crate) fn summary_path(workspace: &Workspace, study: &Study, number: u32) -> PathBuf {
    workspace.round_dir(study, number).join("summary.json")
}

/// Whether round `number` is closed but has no summary: a close that was interrupted.
pub(crate) fn closed_without_summary(workspace: &Workspace, study: &Study, store: &Store, number: u32) -> Result<bool> {
    let closed = store.round(&study.id, number)?.is_some_and(|r| matches!(r.state, RoundState::Closed { .. }));
    Ok(closed && !summary_path(workspace, study, number).exists())
}

/// What `delphi round close` closes without a number: the open round; when none is open,
/// the last closed round if an interrupted close left it without its summary.
pub(crate) fn round_to_close(workspace: &Workspace, study: &Study, store: &Store) -> Result<u32> {
    let id = &study.id;
    open_round(store, id).or_else(|refusal| match last_closed_round(store, id) {
        Ok(last) if closed_without_summary(workspace, study, store, last)? => Ok(last),
        _ => Err(refusal),
    })
}

/// The last closed round, or an error saying none is closed yet.
pub(crate) fn last_closed_round(store: &Store, study_id: &StudyId) -> Result<u32> {
    let rounds = store.rounds(study_id)?;
    rounds
        .iter()
        .rev()
        .find(|r| matches!(r.state, RoundState::Closed { .. }))
        .map(|r| r.number)
        .context("no round is closed yet; close one with `delphi round close`")
}

/// The round after the last one opened.
pub(crate) fn next_round(store: &Store, study_id: &StudyId) -> Result<u32> {
    let rounds = store.rounds(study_id)?;
    Ok(rounds.iter().filter(|r| r.state != RoundState::Draft).map(|r| r.number).max().unwrap_or(0) + 1)
}

/// The open round, or a refusal naming the last round (closed) or the first (not opened).
pub(crate) fn open_round(store: &Store, study_id: &StudyId) -> Result<u32> {
    let rounds = store.rounds(study_id)?;
    match rounds.iter().find(|r| matches!(r.state, RoundState::Open { .. })) {
        Some(round) => Ok(round.number),
        None => {
            let last = rounds.iter().rev().find(|r| r.state != RoundState::Draft).map(|r| r.number);
            Err(StoreError::from(match last {
                Some(number) => Refusal::RoundClosed(number),
                None => Refusal::NoSuchRound(1),
            }))
            .context("no round is open")
        }
    }
}

/// Round `number`'s questionnaires; from round 2 on, with the feedback of the round before
/// (which must be closed: an open one is refused when the round opens).
pub(crate) fn frozen_round(study: &Study, store: &Store, number: u32) -> Result<FrozenRound> {
    let id = &study.id;
    let previous = number.checked_sub(1).filter(|&n| n > 0);
    let closed_previous = previous
        .filter(|&n| store.round(id, n).ok().flatten().is_some_and(|r| matches!(r.state, RoundState::Closed { .. })));
    let feedback = match closed_previous {
        Some(previous) => {
            let summary = analysis::summarise(study, store, previous)?;
            let context = frozen::RationaleContext::load(store, id, previous)?;
            Some(frozen::group_feedback(study, &summary, &store.current_answers(id, previous)?, previous, &context))
        }
        None => None,
    };
    Ok(FrozenRound::build(study, number, feedback.as_ref())?)
}
