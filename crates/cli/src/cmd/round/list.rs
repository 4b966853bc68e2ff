//! `delphi round list`: the rounds with their state, dates and response counts.

use anyhow::Result;
use clap::Args;
use delphi_core::study::StudyId;
use delphi_store::Store;

use crate::cmd::Format;
use crate::render::{round_dates, table};

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    #[arg(long, value_enum, default_value_t)]
    pub(super) format: Format,
}

pub(super) fn run(store: &Store, study_id: &StudyId, format: Format) -> Result<()> {
    let status = store.status(study_id, &[])?;
    match format {
        Format::Json => {
            let rounds: Vec<serde_json::Value> = status
                .iter()
                .map(|s| {
                    let (opened, deadline, closed) = round_dates(&s.round);
                    serde_json::json!({
                        "round": s.round.number, "state": s.round.state.name(), "opened": opened, "deadline": deadline,
                        "closed": closed, "invited": s.invited, "responded": s.responded,
                        "questionnaire_sha256": s.round.questionnaire_sha256,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&rounds)?);
        }
        Format::Text if status.is_empty() => println!("no rounds yet; open the first with `delphi round open`"),
        Format::Text => {
            let rows: Vec<Vec<String>> = status
                .iter()
                .map(|s| {
                    let (opened, deadline, closed) = round_dates(&s.round);
                    vec![
                        s.round.number.to_string(),
                        s.round.state.name().into(),
                        opened,
                        deadline,
                        closed,
                        format!("{}/{}", s.responded, s.invited),
                    ]
                })
                .collect();
            print!("{}", table(&["round", "state", "opened", "deadline", "closed", "answered"], &rows));
        }
    }
    Ok(())
}
