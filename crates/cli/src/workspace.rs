//! Where things are: the study file, and the store under the data directory.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::Utc;
use delphi_core::Study;
use delphi_store::Store;

/// A study file that passed validation, with its source text.
#[derive(Debug)]
pub(crate) struct LoadedStudy {
    pub study: Study,
    pub source: String,
}

#[derive(Debug)]
pub(crate) struct Workspace {
    study_path: PathBuf,
    data_dir: PathBuf,
}

impl Workspace {
    pub fn new(study_path: PathBuf, data_dir: PathBuf) -> Self {
        Self { study_path, data_dir }
    }

    pub fn study_path(&self) -> &Path {
        &self.study_path
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn load_study(&self) -> Result<LoadedStudy> {
        load_study(&self.study_path)
    }

    /// The study's store file: `<data-dir>/<study-id>/delphi.sqlite`.
    pub fn store_path(&self, study: &Study) -> PathBuf {
        self.data_dir.join(study.id.as_str()).join("delphi.sqlite")
    }

    /// The study's folder under the data directory: `<data-dir>/<study-id>/`.
    pub fn study_dir(&self, study: &Study) -> PathBuf {
        self.data_dir.join(study.id.as_str())
    }

    /// Where a round's outputs go: `<data-dir>/<study-id>/round-<n>/`.
    pub fn round_dir(&self, study: &Study, round: u32) -> PathBuf {
        self.data_dir.join(study.id.as_str()).join(format!("round-{round}"))
    }

    /// Loads the study, opens (or creates) its store and records the study file's
    /// current version in it.
    pub fn open(&self) -> Result<(LoadedStudy, Store)> {
        let loaded = self.load_study()?;
        let path = self.store_path(&loaded.study);
        let dir = path.parent().unwrap_or(&self.data_dir);
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create the data directory {}", dir.display()))?;
        let mut store =
            Store::open(&path).with_context(|| format!("cannot open the study store {}", path.display()))?;
        store.register_study(&loaded.study.id, &loaded.source, Utc::now())?;
        Ok((loaded, store))
    }
}

/// Reads and validates a study file; problems come back as a [`delphi_core::Problems`] error.
pub(crate) fn load_study(path: &Path) -> Result<LoadedStudy> {
    let bytes = std::fs::read(path).with_context(|| {
        format!("cannot read the study file {} (set it with --study or DELPHI_STUDY)", path.display())
    })?;
    let source = crate::source::text_of(bytes, &path.display().to_string())?;
    let study = Study::from_toml(&source, &path.display().to_string())?;
    Ok(LoadedStudy { study, source })
}

/// The panel file that goes with a study file: `x.panel.csv` beside `x.toml`, or
/// `panel.csv` in the same directory.
pub(crate) fn default_panel_path(study_path: &Path) -> Option<PathBuf> {
    let beside = study_path.with_extension("panel.csv");
    let in_dir = study_path.with_file_name("panel.csv");
    [beside, in_dir].into_iter().find(|p| p.is_file())
}
