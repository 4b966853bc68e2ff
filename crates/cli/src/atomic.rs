//! Files written whole or not at all.
//!
//! A command killed while writing (SIGKILL, power loss, a full disk) must not leave half a
//! report or half a summary under the name a reader opens. Each file is written to a
//! temporary name in the same directory, synced, and renamed over the final name (a rename
//! within one file system is atomic); the directory is synced too, so the rename itself
//! survives a crash. A reader sees the old file or the new one, never a mix.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result};

/// Writes `bytes` to `path` atomically (see the module's documentation).
pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = parent_dir(path);
    let temporary = temporary_name(path);
    let written = write_synced(&temporary, bytes)
        .and_then(|()| fs::rename(&temporary, path))
        .with_context(|| format!("cannot write {}", path.display()));
    if written.is_err() {
        // a leftover would only take space; the final name was never touched
        let _ = fs::remove_file(&temporary);
        return written;
    }
    sync_dir(dir).with_context(|| format!("cannot sync the directory {} after writing", dir.display()))
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

/// Windows cannot open a directory as a file (`File::open` refuses it), and NTFS journals
/// the rename itself: there is nothing to sync.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// `.<name>.<pid>-<n>.tmp` beside `path`: hidden, and unique per process and write, so two
/// commands writing the same file never share a temporary one.
fn temporary_name(path: &Path) -> PathBuf {
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let n = WRITES.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!(".{name}.{}-{n}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn a_file_is_replaced_whole_and_no_temporary_file_stays() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.json");
        super::write(&path, b"first version, longer than the second").unwrap();
        super::write(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["summary.json"], "only the final file");
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.md");
        super::write(&path, b"old").unwrap();
        // a directory where the file should go cannot be replaced by a rename
        let blocked = dir.path().join("blocked");
        std::fs::create_dir(&blocked).unwrap();
        std::fs::write(blocked.join("inside"), b"x").unwrap();
        let error = super::write(&blocked, b"new").unwrap_err();
        assert!(format!("{error:#}").contains("cannot write"), "{error:#}");
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        let mut names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        assert_eq!(names, ["blocked", "report.md"]);
    }

    #[test]
    fn temporary_names_are_hidden_beside_the_file_and_never_repeat() {
        let path = Path::new("out/report.pdf");
        let (a, b) = (super::temporary_name(path), super::temporary_name(path));
        assert_ne!(a, b);
        assert_eq!(a.parent(), Some(Path::new("out")));
        assert!(a.file_name().unwrap().to_string_lossy().starts_with(".report.pdf."));
    }
}
