//! `delphi init`: a new study directory (study.toml + panel.csv), from the short starter or
//! a complete shipped example.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use delphi_core::study::is_valid_id;

use crate::{atomic, workspace};

/// The shipped study, for `delphi init --example ai-safety` and `delphi demo`.
pub(crate) const SHIPPED_STUDY: &str = include_str!("../../../../surveys/ai-safety-cooperation.toml");
const SHIPPED_PANEL: &str = include_str!("../../../../surveys/ai-safety-cooperation.panel.csv");
/// The short, commented, single-language study `delphi init` starts a new coordinator with.
const STARTER_STUDY: &str = include_str!("../../../../surveys/starter.toml");
const STARTER_PANEL: &str = include_str!("../../../../surveys/starter.panel.csv");

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

pub(crate) fn run(args: &InitArgs) -> Result<()> {
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
