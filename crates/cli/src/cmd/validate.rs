//! `delphi validate`: check a study file (and its panel), listing every problem; with
//! `--format json`, what was checked and every problem as one JSON document.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;
use delphi_core::{Problem, Problems, Study};
use serde::Serialize;

use super::Format;
use crate::render::{ProblemsListed, print_json};
use crate::workspace::{self, LoadedStudy};

#[derive(Debug, Args)]
#[command(after_help = VALIDATE_AFTER_HELP)]
pub(crate) struct ValidateArgs {
    /// The study file to check (overrides --study).
    file: Option<PathBuf>,
    /// The panel CSV to check with it; by default `<study>.panel.csv` or `panel.csv` beside the study, if present.
    #[arg(long)]
    panel: Option<PathBuf>,
    /// Text for a person, or one JSON document for a script.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

const VALIDATE_AFTER_HELP: &str = "\
--format json prints {\"ok\", \"study\", \"panel\", \"problems\"}: `study` and `panel` say what
was checked (null when not read), each problem has file, line, column, field, message,
hint and source_line. A file with problems still exits 3. See docs/scripting.md.";

/// What `validate --format json` prints.
#[derive(Debug, Serialize)]
struct Validation {
    /// No problem in the study file, nor in the panel if one was checked.
    ok: bool,
    /// The study file, when it could be read without problems.
    study: Option<StudyChecked>,
    /// The panel file, when one was checked without problems.
    panel: Option<PanelChecked>,
    problems: Vec<ProblemJson>,
}

#[derive(Debug, Serialize)]
struct StudyChecked {
    file: String,
    id: String,
    domains: usize,
    criteria: usize,
    extra_items: usize,
    seed_items: usize,
    languages: Vec<String>,
    max_rounds: u32,
}

#[derive(Debug, Serialize)]
struct PanelChecked {
    file: String,
    experts: usize,
    blocs: usize,
}

/// One problem of a file, where it is and what to do: what the text output shows.
#[derive(Debug, Serialize)]
pub(crate) struct ProblemJson {
    file: String,
    line: usize,
    /// In characters from 1, as the text output's `file:line:column`.
    column: usize,
    field: String,
    message: String,
    hint: Option<String>,
    /// The line of the file the problem is on (empty when it is about the whole file).
    source_line: String,
}

impl From<&Problem> for ProblemJson {
    fn from(problem: &Problem) -> Self {
        Self {
            file: problem.location.file.clone(),
            line: problem.location.line,
            column: problem.location.column,
            field: problem.field.clone(),
            message: problem.message.clone(),
            hint: problem.hint.clone(),
            source_line: problem.source_line.clone(),
        }
    }
}

pub(crate) fn run(default_study: &Path, args: &ValidateArgs) -> Result<()> {
    let study_path = args.file.as_deref().unwrap_or(default_study);
    let mut validation = Validation { ok: false, study: None, panel: None, problems: Vec::new() };
    let study = match workspace::load_study(study_path) {
        Ok(LoadedStudy { study, .. }) => study,
        Err(error) => return listed_if_json(args.format, validation, error),
    };
    let checked = study_checked(study_path, &study);
    if args.format == Format::Text {
        println!(
            "ok: {}: study `{}`, {} domains × {} criteria, {} extra items, {} seed items, languages {}, at most {} rounds",
            checked.file,
            checked.id,
            checked.domains,
            checked.criteria,
            checked.extra_items,
            checked.seed_items,
            checked.languages.join(", "),
            checked.max_rounds
        );
    }
    validation.study = Some(checked);
    let panel_path = args.panel.clone().or_else(|| workspace::default_panel_path(study_path));
    if let Some(path) = panel_path {
        let panel = match super::panel::read_panel(&path, &study) {
            Ok(panel) => panel,
            Err(error) => return listed_if_json(args.format, validation, error),
        };
        let blocs: BTreeSet<&str> = panel.members().iter().map(|m| m.bloc.as_str()).collect();
        let checked =
            PanelChecked { file: path.display().to_string(), experts: panel.members().len(), blocs: blocs.len() };
        if args.format == Format::Text {
            println!("ok: {}: {} experts in {} blocs", checked.file, checked.experts, checked.blocs);
        }
        validation.panel = Some(checked);
    }
    if args.format == Format::Json {
        validation.ok = true;
        print_json(&validation)?;
    }
    Ok(())
}

fn study_checked(path: &Path, study: &Study) -> StudyChecked {
    StudyChecked {
        file: path.display().to_string(),
        id: study.id.as_str().to_owned(),
        domains: study.domains.len(),
        criteria: study.criteria.len(),
        extra_items: study.items.len(),
        seed_items: study.seeds.len(),
        languages: study.languages.iter().map(|l| l.as_str().to_owned()).collect(),
        max_rounds: study.max_rounds,
    }
}

/// A file that could not be checked: in JSON, its problems printed as the document (and the
/// error that exits 3 says only how many); any other error, and text, as any command's.
fn listed_if_json(format: Format, mut validation: Validation, error: anyhow::Error) -> Result<()> {
    if format == Format::Text {
        return Err(error);
    }
    match error.downcast::<Problems>() {
        Ok(problems) => {
            validation.problems = problems.iter().map(ProblemJson::from).collect();
            print_json(&validation)?;
            Err(ProblemsListed(problems).into())
        }
        Err(error) => Err(error),
    }
}
