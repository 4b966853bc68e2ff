//! The commands: parse arguments, call the library crates, print what happened.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use clap::{Args, Subcommand, ValueEnum};
use delphi_core::panel::Panel;
use delphi_core::study::Withdrawal;
use delphi_core::study::is_valid_id;
use delphi_store::{
    Answer, Channel, Refusal, Round, RoundState, Store, StoreError, Submission, WithdrawalOutcome, WithdrawnBy,
};

use crate::render::{InvalidAnswers, Refused, table};
use crate::workspace::{self, LoadedStudy, Workspace};
use crate::{analysis, atomic, frozen, source};
use delphi_survey::FrozenRound;

/// The shipped study, for `delphi init --example ai-safety` and `delphi demo`.
pub(crate) const SHIPPED_STUDY: &str = include_str!("../../../surveys/ai-safety-cooperation.toml");
const SHIPPED_PANEL: &str = include_str!("../../../surveys/ai-safety-cooperation.panel.csv");
/// The short, commented, single-language study `delphi init` starts a new coordinator with.
const STARTER_STUDY: &str = include_str!("../../../surveys/starter.toml");
const STARTER_PANEL: &str = include_str!("../../../surveys/starter.panel.csv");

/// The complete studies `delphi init --example` can write instead of the starter.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum Example {
    /// The shipped two-language study of US–China cooperation on AI safety (the demo's).
    AiSafety,
}

impl Example {
    fn files(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::AiSafety => (SHIPPED_STUDY, SHIPPED_PANEL, "ai-safety-cooperation"),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub(crate) enum Format {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ShowFormat {
    Text,
    Markdown,
    Html,
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// The directory to create; it gets study.toml and panel.csv.
    dir: PathBuf,
    /// The new study's id (names its store); defaults to the directory's name.
    #[arg(long)]
    id: Option<String>,
    /// Overwrite study.toml and panel.csv if they exist.
    #[arg(long)]
    force: bool,
    /// Write a complete example study instead of the short starter.
    #[arg(long, value_enum)]
    example: Option<Example>,
}

#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// The study file to check (overrides --study).
    file: Option<PathBuf>,
    /// The panel CSV to check with it; by default `<study>.panel.csv` or `panel.csv` beside the study, if present.
    #[arg(long)]
    panel: Option<PathBuf>,
}

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
    Show {
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
    },
    /// Issue each expert's personal link to the open round's web form (`delphi serve`).
    /// A new link replaces the expert's earlier one.
    Links(crate::serve::LinksArgs),
    /// List the rounds with their state, dates and response counts.
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub(crate) fn init(args: &InitArgs) -> Result<()> {
    let id = match &args.id {
        Some(id) => id.clone(),
        None => args
            .dir
            .file_name()
            .and_then(|n| n.to_str())
            .map(|n| n.to_ascii_lowercase().replace(' ', "-"))
            .context("cannot derive a study id from the directory name; pass --id")?,
    };
    if !is_valid_id(&id) {
        bail!("`{id}` is not a valid study id: use 1–48 characters of a-z, 0-9, '-' or '_' (pass --id)");
    }
    let study_file = args.dir.join("study.toml");
    let panel_file = args.dir.join("panel.csv");
    for file in [&study_file, &panel_file] {
        if file.exists() && !args.force {
            bail!("{} already exists; pass --force to overwrite it", file.display());
        }
    }
    std::fs::create_dir_all(&args.dir).with_context(|| format!("cannot create {}", args.dir.display()))?;
    let (template, panel, template_id) = args.example.map_or((STARTER_STUDY, STARTER_PANEL, "starter"), Example::files);
    let study = template.replacen(&format!("id = \"{template_id}\""), &format!("id = \"{id}\""), 1);
    atomic::write(&study_file, study.as_bytes())?;
    atomic::write(&panel_file, panel.as_bytes())?;
    let loaded = workspace::load_study(&study_file)?;
    println!("created study `{}` in {}", loaded.study.id, args.dir.display());
    println!(
        "  {}  the study: its comments say what to edit (all options: docs/study-format.md)",
        study_file.display()
    );
    println!("  {}  the panel: one expert per row (the example experts are fictional)", panel_file.display());
    println!("next:");
    println!("  delphi validate --study {}", study_file.display());
    println!("  delphi panel import --study {}", study_file.display());
    println!("  delphi round open --study {} --days 14", study_file.display());
    Ok(())
}

pub(crate) fn validate(default_study: &Path, args: &ValidateArgs) -> Result<()> {
    let study_path = args.file.as_deref().unwrap_or(default_study);
    let LoadedStudy { study, .. } = workspace::load_study(study_path)?;
    let languages: Vec<&str> = study.languages.iter().map(|l| l.as_str()).collect();
    println!(
        "ok: {}: study `{}`, {} domains × {} criteria, {} extra items, {} seed items, languages {}, at most {} rounds",
        study_path.display(),
        study.id,
        study.domains.len(),
        study.criteria.len(),
        study.items.len(),
        study.seeds.len(),
        languages.join(", "),
        study.max_rounds
    );
    let panel_path = args.panel.clone().or_else(|| workspace::default_panel_path(study_path));
    if let Some(path) = panel_path {
        let panel = read_panel(&path, &study)?;
        let blocs: std::collections::BTreeSet<&str> = panel.members().iter().map(|m| m.bloc.as_str()).collect();
        println!("ok: {}: {} experts in {} blocs", path.display(), panel.members().len(), blocs.len());
    }
    Ok(())
}

fn read_panel(path: &Path, study: &delphi_core::Study) -> Result<Panel> {
    let source = source::read_text(path, "the panel file")?;
    Ok(Panel::from_csv(&source, &path.display().to_string(), study)?)
}

pub(crate) fn panel(workspace: &Workspace, command: PanelCommand) -> Result<()> {
    let file = match command {
        PanelCommand::Import { file } => file,
        PanelCommand::Withdraw { id } => return withdraw(workspace, &id),
    };
    let (loaded, mut store) = workspace.open()?;
    let path = file
        .or_else(|| workspace::default_panel_path(workspace.study_path()))
        .context("no panel file given and none beside the study file; pass the CSV's path")?;
    let panel = read_panel(&path, &loaded.study)?;
    let outcome = store.import_panel(loaded.study.id.as_str(), &panel, Utc::now())?;
    println!(
        "imported {}: {} added, {} updated, {} unchanged, {} deactivated ({} active experts)",
        path.display(),
        outcome.added,
        outcome.updated,
        outcome.unchanged,
        outcome.deactivated,
        store.active_panel_size(loaded.study.id.as_str())?
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
    let outcome = store.withdraw(study.id.as_str(), id, rule, WithdrawnBy::Coordinator, Utc::now())?;
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

pub(crate) fn round(workspace: &Workspace, command: RoundCommand) -> Result<()> {
    let (loaded, mut store) = workspace.open()?;
    let study = &loaded.study;
    let id = study.id.as_str();
    let now = Utc::now();
    match command {
        RoundCommand::Open { number, deadline } => {
            let number = number.map_or_else(|| next_round(&store, id), Ok)?;
            let deadline = deadline_from(&deadline, now)?;
            let round = open_with_feedback(study, &mut store, number, deadline, now)?;
            println!(
                "round {} of `{id}` is open until {} ({} experts asked)",
                round.number,
                when(deadline),
                round.invited
            );
            println!(
                "questionnaire frozen: {} questions, sha256 {}",
                study.questions_in_round(number).len(),
                &round.questionnaire_sha256[..12]
            );
        }
        RoundCommand::Draft { number } => {
            let number = number.map_or_else(|| next_round(&store, id), Ok)?;
            let questionnaire = serde_json::to_string(&frozen_round(study, &store, number)?)?;
            store.draft_round(id, number, study.max_rounds, &questionnaire, now)?;
            println!(
                "round {number} of `{id}` is drafted ({} questions); open it with `delphi round open {number}`",
                study.questions_in_round(number).len()
            );
        }
        RoundCommand::Close { number } => {
            let number = number.map_or_else(|| round_to_close(workspace, study, &store), Ok)?;
            let (round, summary, path) = if closed_without_summary(workspace, study, &store, number)? {
                let round = store.round(id, number)?.ok_or(Refusal::NoSuchRound(number)).map_err(StoreError::from)?;
                let (summary, path) = write_summary(workspace, study, &store, number)?;
                println!(
                    "round {number} was closed by a `round close` that did not finish; its summary is now written"
                );
                (round, summary, path)
            } else {
                close_and_summarise(workspace, study, &mut store, number, now)?
            };
            let status = store.status(id, &[])?;
            let responded = status.iter().find(|s| s.round.number == number).map_or(0, |s| s.responded);
            println!("round {} of `{id}` is closed: {responded} of {} experts answered", round.number, round.invited);
            print!("{}", consensus_overview(study, &summary, number));
            println!("all figures: {}", path.display());
            if number < study.max_rounds {
                println!("next: `delphi round open {}` feeds this round's answers back", number + 1);
            }
        }
        RoundCommand::Summary { number } => {
            let number = number.map_or_else(|| last_closed_round(&store, id), Ok)?;
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
            let (_, path) = write_summary(workspace, study, &store, number)?;
            println!("summary of round {number} written: {}", path.display());
        }
        RoundCommand::Extend { number, deadline } => {
            let number = number.map_or_else(|| open_round(&store, id), Ok)?;
            let deadline = deadline_from(&deadline, now)?;
            store.set_deadline(id, number, deadline, now)?;
            println!("round {number} of `{id}` now closes at {}", when(deadline));
        }
        RoundCommand::Show { number, format, language, expert } => {
            let number = number.map_or_else(|| open_round(&store, id), Ok)?;
            let frozen = frozen::load(&store, id, number)?;
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
                    personal = delphi_collect::personal_questionnaire(&store, id, &frozen, expert, &language)?;
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
        }
        RoundCommand::Links(args) => {
            drop(store);
            crate::serve::links(workspace, &args)?;
        }
        RoundCommand::List { format } => list_rounds(&store, id, format)?,
    }
    Ok(())
}

/// Opens round `number`: its questionnaire frozen in every language, with the previous
/// round's group feedback (`delphi round open`).
pub(crate) fn open_with_feedback(
    study: &delphi_core::Study,
    store: &mut Store,
    number: u32,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<delphi_store::Round> {
    let questionnaire = serde_json::to_string(&frozen_round(study, store, number)?)?;
    let rules = serde_json::to_string(&study.consensus)?;
    Ok(store.open_round_under(
        study.id.as_str(),
        number,
        study.max_rounds,
        &questionnaire,
        Some(&rules),
        deadline,
        now,
    )?)
}

/// Closes round `number` and writes the summary of rounds 1..number to
/// `<data-dir>/<study>/round-N/summary.json` (`delphi round close`).
pub(crate) fn close_and_summarise(
    workspace: &Workspace,
    study: &delphi_core::Study,
    store: &mut Store,
    number: u32,
    now: DateTime<Utc>,
) -> Result<(delphi_store::Round, delphi_stats::StudySummary, PathBuf)> {
    let round = store.close_round(study.id.as_str(), number, now)?;
    let (summary, path) = write_summary(workspace, study, store, number)?;
    Ok((round, summary, path))
}

/// Writes the summary of rounds 1..number to `<data-dir>/<study>/round-N/summary.json`,
/// atomically. It depends on the store alone, so writing it again gives the same bytes.
fn write_summary(
    workspace: &Workspace,
    study: &delphi_core::Study,
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

fn summary_path(workspace: &Workspace, study: &delphi_core::Study, number: u32) -> PathBuf {
    workspace.round_dir(study, number).join("summary.json")
}

/// Whether round `number` is closed but has no summary: a close that was interrupted.
fn closed_without_summary(
    workspace: &Workspace,
    study: &delphi_core::Study,
    store: &Store,
    number: u32,
) -> Result<bool> {
    let closed = store.round(study.id.as_str(), number)?.is_some_and(|r| matches!(r.state, RoundState::Closed { .. }));
    Ok(closed && !summary_path(workspace, study, number).exists())
}

/// What `delphi round close` closes without a number: the open round; when none is open,
/// the last closed round if an interrupted close left it without its summary.
fn round_to_close(workspace: &Workspace, study: &delphi_core::Study, store: &Store) -> Result<u32> {
    let id = study.id.as_str();
    open_round(store, id).or_else(|refusal| match last_closed_round(store, id) {
        Ok(last) if closed_without_summary(workspace, study, store, last)? => Ok(last),
        _ => Err(refusal),
    })
}

fn last_closed_round(store: &Store, study_id: &str) -> Result<u32> {
    let rounds = store.rounds(study_id)?;
    rounds
        .iter()
        .rev()
        .find(|r| matches!(r.state, RoundState::Closed { .. }))
        .map(|r| r.number)
        .context("no round is closed yet; close one with `delphi round close`")
}

/// The round after the last one opened.
fn next_round(store: &Store, study_id: &str) -> Result<u32> {
    let rounds = store.rounds(study_id)?;
    Ok(rounds.iter().filter(|r| r.state != RoundState::Draft).map(|r| r.number).max().unwrap_or(0) + 1)
}

fn open_round(store: &Store, study_id: &str) -> Result<u32> {
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

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn round_dates(round: &Round) -> (String, String, String) {
    match round.state {
        RoundState::Draft => ("-".into(), "-".into(), "-".into()),
        RoundState::Open { opened_at, deadline } => (when(opened_at), when(deadline), "-".into()),
        RoundState::Closed { opened_at, deadline, closed_at } => (when(opened_at), when(deadline), when(closed_at)),
    }
}

fn list_rounds(store: &Store, study_id: &str, format: Format) -> Result<()> {
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

pub(crate) fn status(workspace: &Workspace, args: &StatusArgs) -> Result<()> {
    let (loaded, store) = workspace.open()?;
    let study = &loaded.study;
    let id = study.id.as_str();
    let status = store.status(id, &study.subgroups.attributes)?;
    if let Format::Json = args.format {
        let rounds: Vec<serde_json::Value> = status.iter().map(delphi_store::RoundStatus::to_json).collect();
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
        let experts = match open_round_progress(&store, id)? {
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
        return Ok(());
    }
    println!(
        "study `{id}`: {} active experts, {} of at most {} rounds",
        store.active_panel_size(id)?,
        status.len(),
        study.max_rounds
    );
    for s in &status {
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
        if matches!(s.round.state, RoundState::Closed { .. })
            && !summary_path(workspace, study, s.round.number).exists()
        {
            println!(
                "  its summary.json is missing (a close that did not finish?): `delphi round summary {}` writes it",
                s.round.number
            );
        }
        let mail = store.mail_counts(id, s.round.number)?;
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
    }
    if status.is_empty() {
        println!("no rounds yet; open the first with `delphi round open`");
    }
    if let Some(progress) = open_round_progress(&store, id)? {
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
fn open_round_progress(store: &Store, study_id: &str) -> Result<Option<RoundProgress>> {
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

pub(crate) fn audit(workspace: &Workspace, args: &AuditArgs) -> Result<()> {
    let (loaded, store) = workspace.open()?;
    let entries = store.audit_log(loaded.study.id.as_str())?;
    match args.format {
        Format::Json => {
            let json: Vec<serde_json::Value> = entries
                .iter()
                .map(|e| serde_json::json!({ "seq": e.seq, "at": e.at.to_rfc3339(), "actor": e.actor, "action": e.action, "detail": e.detail }))
                .collect();
            println!("{}", crate::render::json_for_terminal(&serde_json::Value::Array(json))?);
        }
        Format::Text => {
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| vec![e.seq.to_string(), when(e.at), e.actor.clone(), e.action.clone(), e.detail.to_string()])
                .collect();
            print!("{}", crate::render::for_terminal(&table(&["seq", "at", "actor", "action", "detail"], &rows)));
        }
    }
    Ok(())
}

/// Round `number`'s questionnaires; from round 2 on, with the feedback of the round before
/// (which must be closed: an open one is refused when the round opens).
fn frozen_round(study: &delphi_core::Study, store: &Store, number: u32) -> Result<FrozenRound> {
    let id = study.id.as_str();
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

/// Per domain and criterion: n, median, IQR, the share of answers the verdict was decided on
/// (with the part of the scale it counts) and the verdict; then the benefit–risk placement
/// of each domain.
fn consensus_overview(study: &delphi_core::Study, summary: &delphi_stats::StudySummary, round: u32) -> String {
    let figure =
        |f: delphi_stats::Figure, digits: usize| f.value().map_or_else(|| "–".to_owned(), |v| format!("{v:.digits$}"));
    let by_median_box = study.consensus.position == delphi_core::consensus::ConsensusPosition::MedianBox;
    let mut rows = Vec::new();
    for item in summary.items.iter().filter(|i| i.round == round) {
        if let delphi_stats::summarise::ItemResult::Ordinal(o) = &item.result {
            let verdict = match o.consensus.outcome {
                delphi_stats::item::Outcome::Met => "consensus",
                delphi_stats::item::Outcome::NotMet => "no consensus",
                delphi_stats::item::Outcome::TooFewAnswers => "too few answers",
                delphi_stats::item::Outcome::Undefined => "undefined",
            };
            let mut row = vec![
                item.item.as_str().to_owned(),
                o.n.to_string(),
                figure(o.median, 1),
                figure(o.iqr, 2),
                deciding_share(o.consensus_box_percent, o.consensus_box, study.consensus.agreement_min_percent),
            ];
            if by_median_box {
                row.push(format!("{} %", figure(o.agreement_percent, 0)));
            }
            row.push(verdict.to_owned());
            rows.push(row);
        }
    }
    let rule = &study.consensus;
    let position = if by_median_box {
        "in the box holding the median (the agree set, its mirror at the other end of the scale, or the points between)"
    } else {
        "in the scale's agree set (top box)"
    };
    let mut out = format!(
        "\nconsensus in round {round}: IQR ≤ {} and at least {} % of answers {position}; quartiles by {}\n",
        rule.iqr_max,
        rule.agreement_min_percent,
        rule.quantile_method.describe()
    );
    let header: &[&str] = if by_median_box {
        &["item", "n", "median", "IQR", "deciding share", "top box", "verdict"]
    } else {
        &["item", "n", "median", "IQR", "deciding share", "verdict"]
    };
    out.push_str(&table(header, &rows));
    let placements: Vec<Vec<String>> = study
        .domains
        .iter()
        .filter_map(|domain| summary.synthesis.iter().find(|d| d.round == round && d.domain == domain.id.as_str()))
        .map(|d| {
            let placement = match d.placement {
                Some(delphi_stats::synthesis::Placement::Promising) => "promising",
                Some(delphi_stats::synthesis::Placement::NeedsSafeguards) => "needs safeguards",
                Some(delphi_stats::synthesis::Placement::Avoid) => "avoid",
                None => "undetermined",
            };
            let certainty = match d.certainty {
                delphi_stats::synthesis::Certainty::High => "high",
                delphi_stats::synthesis::Certainty::Moderate => "moderate",
                delphi_stats::synthesis::Certainty::Low => "low",
                delphi_stats::synthesis::Certainty::Undefined => "–",
            };
            vec![d.domain.clone(), placement.to_owned(), certainty.to_owned(), d.reason.clone()]
        })
        .collect();
    if !placements.is_empty() {
        out.push_str("\nbenefit against risk:\n");
        out.push_str(&table(&["domain", "placement", "certainty", "why"], &placements));
    }
    out
}

/// The share of answers a consensus verdict was decided on, with the part of the scale it
/// counts: `100 % in 1–2`, `60 % at 3`; without a box (the median between two), the dash.
fn deciding_share(percent: delphi_stats::Figure, judged: Option<delphi_stats::AgreeSet>, threshold: f64) -> String {
    match (percent.value(), judged) {
        (Some(p), Some(b)) if b.lo() == b.hi() => format!("{} % at {}", share_against(p, threshold), b.lo()),
        (Some(p), Some(b)) => format!("{} % in {}–{}", share_against(p, threshold), b.lo(), b.hi()),
        _ => "– (median between boxes)".to_owned(),
    }
}

/// `percent` with the fewest decimals that keep it on the same side of `threshold`, so
/// 69.6 % against 70 % never prints as 70 %.
fn share_against(percent: f64, threshold: f64) -> String {
    let reaches = percent >= threshold;
    (0..=3)
        .map(|digits| format!("{percent:.digits$}"))
        .find(|shown| shown.parse::<f64>().is_ok_and(|v| (v >= threshold) == reaches))
        .unwrap_or_else(|| percent.to_string())
}

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
pub(crate) fn answer(workspace: &Workspace, args: &AnswerArgs) -> Result<()> {
    let (loaded, mut store) = workspace.open()?;
    let id = loaded.study.id.as_str();
    let text = match args.file.as_deref() {
        None => read_stdin()?,
        Some(path) if path == Path::new("-") => read_stdin()?,
        Some(path) => source::read_text(path, "the reply form")?,
    };
    let round = open_round(&store, id)?;
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

#[cfg(test)]
mod tests {
    use super::share_against;

    #[test]
    fn a_share_just_under_the_threshold_never_prints_as_reaching_it() {
        assert_eq!(share_against(69.6, 70.0), "69.6");
        assert_eq!(share_against(69.96, 70.0), "69.96");
        assert_eq!(share_against(70.0, 70.0), "70");
        assert_eq!(share_against(100.0, 70.0), "100");
        assert_eq!(share_against(66.666_666, 70.0), "67");
    }
}
