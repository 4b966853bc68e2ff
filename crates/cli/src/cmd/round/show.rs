//! `delphi round show`: a round's frozen questionnaire as an expert gets it.

use anyhow::Result;
use clap::{Args, ValueEnum};
use delphi_core::Study;
use delphi_store::{Refusal, Store, StoreError};

use crate::{frozen, lifecycle};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ShowFormat {
    Text,
    Markdown,
    Html,
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// The round; by default the open one.
    number: Option<u32>,
    #[arg(long, value_enum, default_value_t = ShowFormat::Markdown)]
    format: ShowFormat,
    /// The language; by default the study's first (or the expert's, with --expert).
    #[arg(long)]
    language: Option<String>,
    /// Show the copy made out to this expert: with their own answers of the previous round.
    #[arg(long)]
    expert: Option<String>,
}

pub(super) fn run(study: &Study, store: &Store, args: ShowArgs) -> Result<()> {
    let ShowArgs { number, format, language, expert } = args;
    let id = &study.id;
    let number = number.map_or_else(|| lifecycle::open_round(store, id), Ok)?;
    let frozen = frozen::load(store, id, number)?;
    let expert_language = match &expert {
        Some(expert) => Some(
            store
                .expert_language(id, expert)?
                .ok_or_else(|| StoreError::from(Refusal::UnknownExpert(expert.clone())))?,
        ),
        None => None,
    };
    let language = language.or(expert_language).unwrap_or_else(|| study.default_language().to_string());
    let shared = frozen.in_language(&language);
    let personal;
    let questionnaire = match &expert {
        Some(expert) => {
            personal = delphi_collect::personal_questionnaire(store, id, &frozen, expert, &language)?;
            &personal
        }
        None => shared,
    };
    let shown = match format {
        ShowFormat::Text => delphi_survey::text::render(questionnaire),
        ShowFormat::Markdown => delphi_survey::markdown::render(questionnaire),
        ShowFormat::Html => delphi_survey::html::render(questionnaire, "#", &Default::default()),
    };
    print!("{}", crate::render::for_terminal(&shown));
    Ok(())
}
