//! `delphi answer`: an expert's filled-in reply form recorded from a file or standard input,
//! checked exactly as an emailed reply is.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::Utc;
use clap::Args;
use delphi_store::{Answer, Channel, Refusal, StoreError, Submission};

use crate::render::InvalidAnswers;
use crate::workspace::Workspace;
use crate::{frozen, lifecycle, source};

#[derive(Debug, Args)]
pub(crate) struct AnswerArgs {
    /// The expert's id in the panel (e.g. E07).
    #[arg(long)]
    expert: String,
    /// The filled-in text form; `-` or nothing reads standard input.
    file: Option<PathBuf>,
}

/// The reply form on standard input, as UTF-8 text.
fn read_stdin() -> Result<String> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
        .context("cannot read the reply from standard input")?;
    Ok(source::text_of(bytes, "<standard input>")?)
}

/// Records an expert's reply to the open round, all of it or nothing.
pub(crate) fn run(workspace: &Workspace, args: &AnswerArgs) -> Result<()> {
    let (loaded, mut store) = workspace.open()?;
    let id = &loaded.study.id;
    let text = match args.file.as_deref() {
        None => read_stdin()?,
        Some(path) if path == Path::new("-") => read_stdin()?,
        Some(path) => source::read_text(path, "the reply form")?,
    };
    let round = lifecycle::open_round(&store, id)?;
    let language = store
        .expert_language(id, &args.expert)?
        .ok_or_else(|| StoreError::from(Refusal::UnknownExpert(args.expert.clone())))?;
    let frozen = frozen::load(&store, id, round)?;
    let questionnaire = frozen.in_language(&language);
    // The coordinator reads these messages, so they are in the study's first language, and
    // name items by id and lines by number (the expert's version names the question).
    let coordinator_language = loaded.study.default_language();
    let for_the_coordinator = |e: &delphi_survey::ReplyError| {
        if delphi_survey::ui::is_chinese(coordinator_language) {
            e.message(coordinator_language)
        } else {
            e.to_string()
        }
    };
    let reply = delphi_survey::reply::parse(questionnaire, &text)
        .map_err(|errors| InvalidAnswers(errors.0.iter().map(for_the_coordinator).collect()))?;
    let answers = reply
        .answers
        .iter()
        .map(|(item, answer)| {
            Ok(Answer { item_id: item.to_string(), value: serde_json::to_value(answer)?, rationale: None })
        })
        .collect::<Result<Vec<_>>>()?;
    let submission = Submission {
        study_id: id.to_owned(),
        round,
        expert_id: args.expert.clone(),
        channel: Channel::Cli,
        source_ref: None,
        answers,
    };
    store.record_submission(&submission, Utc::now())?;
    let empty = reply.unanswered.len();
    println!(
        "recorded {} answers of {} in round {round} ({empty} item{} left empty)",
        reply.answers.len(),
        args.expert,
        if empty == 1 { "" } else { "s" }
    );
    Ok(())
}
