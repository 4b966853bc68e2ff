//! `delphi status`: response counts per round, overall and per group, the open round's
//! progress expert by expert (for the coordinator only), and mail set aside.

use anyhow::Result;
use clap::Args;
use delphi_core::Study;
use delphi_core::study::StudyId;
use delphi_store::{RoundState, RoundStatus, Store};

use super::Format;
use crate::frozen;
use crate::lifecycle::summary_path;
use crate::render::{round_dates, table};
use crate::workspace::Workspace;

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub(crate) fn run(workspace: &Workspace, args: &StatusArgs) -> Result<()> {
    let (loaded, store) = workspace.open()?;
    let study = &loaded.study;
    let status = store.status(&study.id, &study.subgroups.attributes)?;
    match args.format {
        Format::Json => print_json(&store, study, &status),
        Format::Text => print_text(workspace, &store, study, &status),
    }
}

fn print_json(store: &Store, study: &Study, status: &[RoundStatus]) -> Result<()> {
    let id = &study.id;
    let rounds: Vec<serde_json::Value> = status.iter().map(RoundStatus::to_json).collect();
    let waiting: Vec<serde_json::Value> = store
        .inbound_waiting(id)?
        .iter()
        .map(|r| {
            serde_json::json!({
                "message": r.message_key,
                "outcome": r.outcome.as_str(),
                "expert": r.expert_id,
                "reason": r.detail.get("reason"),
                "at": r.processed_at.to_rfc3339(),
            })
        })
        .collect();
    let experts = match open_round_progress(store, id)? {
        Some(progress) => progress.to_json(),
        None => serde_json::Value::Null,
    };
    let json = serde_json::json!({
        "study": id,
        "active_experts": store.active_panel_size(id)?,
        "rounds": rounds,
        "open_round_experts": experts,
        "mail_waiting_for_the_coordinator": waiting,
    });
    println!("{}", crate::render::json_for_terminal(&json)?);
    Ok(())
}

fn print_text(workspace: &Workspace, store: &Store, study: &Study, status: &[RoundStatus]) -> Result<()> {
    let id = &study.id;
    println!(
        "study `{id}`: {} active experts, {} of at most {} rounds",
        store.active_panel_size(id)?,
        status.len(),
        study.max_rounds
    );
    for s in status {
        print_round(workspace, store, study, s)?;
    }
    if status.is_empty() {
        println!("no rounds yet; open the first with `delphi round open`");
    }
    if let Some(progress) = open_round_progress(store, id)? {
        print!("{}", progress.to_text());
    }
    let waiting = store.inbound_waiting(id)?;
    if !waiting.is_empty() {
        println!();
        println!(
            "{} email message(s) set aside for you to look at (answers that could not be tied to an expert, or could not be read):",
            waiting.len()
        );
        for record in &waiting {
            let reason = record.detail.get("reason").and_then(|r| r.as_str()).unwrap_or_default();
            let line = format!("{} ({}): {reason}", record.message_key, record.outcome.as_str());
            println!("  {} {}", record.processed_at.format("%Y-%m-%d %H:%M"), crate::render::line_for_terminal(&line));
        }
    }
    Ok(())
}

/// One round's paragraph: answers, a missing summary, email sent, and answers per group.
fn print_round(workspace: &Workspace, store: &Store, study: &Study, s: &RoundStatus) -> Result<()> {
    let (_, deadline, _) = round_dates(&s.round);
    let rate = if s.invited == 0 { 0.0 } else { 100.0 * f64::from(s.responded) / f64::from(s.invited) };
    println!();
    let withdrawn = match s.withdrawn {
        0 => String::new(),
        n => format!(", {n} withdrawn since (answers counted as study.withdrawal says)"),
    };
    println!(
        "round {} ({}{}): {} of {} answered ({rate:.0} %), {} submissions{withdrawn}",
        s.round.number,
        s.round.state.name(),
        if deadline == "-" { String::new() } else { format!(", deadline {deadline}") },
        s.responded,
        s.invited,
        s.submissions
    );
    if matches!(s.round.state, RoundState::Closed { .. }) && !summary_path(workspace, study, s.round.number).exists() {
        println!(
            "  its summary.json is missing (a close that did not finish?): `delphi round summary {}` writes it",
            s.round.number
        );
    }
    let mail = store.mail_counts(&study.id, s.round.number)?;
    if !mail.is_empty() {
        let said: Vec<String> = mail
            .iter()
            .map(|(kind, sent, unsent)| {
                let pending =
                    if *unsent > 0 { format!(" ({unsent} not sent yet: re-run to retry)") } else { String::new() };
                format!("{sent} {kind}(s){pending}")
            })
            .collect();
        println!("  email: {} sent", said.join(", "));
    }
    let rows: Vec<Vec<String>> = s
        .groups
        .iter()
        .map(|g| vec![g.attribute.name().into(), g.value.clone(), format!("{}/{}", g.responded, g.invited)])
        .collect();
    if !rows.is_empty() {
        for line in table(&["by", "group", "answered"], &rows).lines() {
            println!("  {}", crate::render::for_terminal(line));
        }
    }
    Ok(())
}

/// Who has answered how much of the open round: for the coordinator's own terminal, where
/// naming experts is fine (never in a report or an export).
struct RoundProgress {
    round: u32,
    questions: Vec<String>,
    complete: Vec<delphi_store::ExpertProgress>,
    partly: Vec<delphi_store::ExpertProgress>,
    not_answered: Vec<delphi_store::ExpertProgress>,
}

/// The open round's progress per expert, or `None` when no round is open.
fn open_round_progress(store: &Store, study_id: &StudyId) -> Result<Option<RoundProgress>> {
    let Some(round) = store.rounds(study_id)?.into_iter().find(|r| matches!(r.state, RoundState::Open { .. })) else {
        return Ok(None);
    };
    let frozen = frozen::load(store, study_id, round.number)?;
    // The same items in every language: any one lists them.
    let questions: Vec<String> = frozen
        .questionnaires
        .values()
        .next()
        .map_or_else(Vec::new, |q| q.items.iter().map(|item| item.id.to_string()).collect());
    let mut progress = RoundProgress {
        round: round.number,
        questions,
        complete: Vec::new(),
        partly: Vec::new(),
        not_answered: Vec::new(),
    };
    for expert in store.expert_progress(study_id, round.number)? {
        let answered = progress.answered(&expert);
        if answered == 0 {
            progress.not_answered.push(expert);
        } else if answered < progress.questions.len() {
            progress.partly.push(expert);
        } else {
            progress.complete.push(expert);
        }
    }
    Ok(Some(progress))
}

impl RoundProgress {
    /// How many of the round's questions `expert` has answered.
    fn answered(&self, expert: &delphi_store::ExpertProgress) -> usize {
        self.questions.iter().filter(|q| expert.answered.contains(q.as_str())).count()
    }

    fn missing(&self, expert: &delphi_store::ExpertProgress) -> Vec<String> {
        self.questions.iter().filter(|q| !expert.answered.contains(q.as_str())).cloned().collect()
    }

    fn to_text(&self) -> String {
        // Names are the panel's text: escaped before the table measures them.
        let name = |e: &delphi_store::ExpertProgress| crate::render::for_terminal(&e.name).into_owned();
        let mut out = format!(
            "\nround {}, expert by expert (for you only; reports never name anyone):\n  answered every question: {}\n",
            self.round,
            self.complete.len()
        );
        let indented = |table: String| table.lines().map(|l| format!("    {l}\n")).collect::<String>();
        if !self.partly.is_empty() {
            out.push_str(&format!("  answered in part ({}):\n", self.partly.len()));
            let rows: Vec<Vec<String>> = self
                .partly
                .iter()
                .map(|e| {
                    let of = format!("{} of {} questions", self.answered(e), self.questions.len());
                    vec![crate::render::for_terminal(&e.expert_id).into_owned(), name(e), of]
                })
                .collect();
            out.push_str(&indented(table_body(&rows)));
        }
        if !self.not_answered.is_empty() {
            out.push_str(&format!("  not answered yet ({}):\n", self.not_answered.len()));
            let rows: Vec<Vec<String>> = self
                .not_answered
                .iter()
                .map(|e| vec![crate::render::for_terminal(&e.expert_id).into_owned(), name(e)])
                .collect();
            out.push_str(&indented(table_body(&rows)));
        }
        out
    }

    fn to_json(&self) -> serde_json::Value {
        let who = |e: &delphi_store::ExpertProgress| serde_json::json!({ "expert": e.expert_id, "name": e.name });
        let partly: Vec<serde_json::Value> = self
            .partly
            .iter()
            .map(|e| {
                serde_json::json!({
                    "expert": e.expert_id, "name": e.name, "answered": self.answered(e),
                    "questions": self.questions.len(), "missing": self.missing(e),
                })
            })
            .collect();
        serde_json::json!({
            "round": self.round,
            "questions": self.questions.len(),
            "complete": self.complete.iter().map(who).collect::<Vec<_>>(),
            "partly_answered": partly,
            "not_answered": self.not_answered.iter().map(who).collect::<Vec<_>>(),
        })
    }
}

/// The rows of a table without its header line, columns aligned.
fn table_body(rows: &[Vec<String>]) -> String {
    let columns = rows.first().map_or(0, Vec::len);
    let header = vec![""; columns];
    table(&header, rows).lines().skip(1).map(|l| format!("{}\n", l.trim_end())).collect()
}
