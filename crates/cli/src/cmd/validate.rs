//! `delphi validate`: check a study file (and its panel), listing every problem.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use crate::workspace::{self, LoadedStudy};

#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// The study file to check (overrides --study).
    file: Option<PathBuf>,
    /// The panel CSV to check with it; by default `<study>.panel.csv` or `panel.csv` beside the study, if present.
    #[arg(long)]
    panel: Option<PathBuf>,
}

pub(crate) fn run(default_study: &Path, args: &ValidateArgs) -> Result<()> {
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
        let panel = super::panel::read_panel(&path, &study)?;
        let blocs: std::collections::BTreeSet<&str> = panel.members().iter().map(|m| m.bloc.as_str()).collect();
        println!("ok: {}: {} experts in {} blocs", path.display(), panel.members().len(), blocs.len());
    }
    Ok(())
}
