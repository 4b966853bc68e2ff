//! `delphi demo` with a fixed seed, against snapshots of what it printed and wrote before
//! issue 17's refactors (the CLI split, the simulator's own crate, typed verdicts): the
//! screen, every report (PDF as `pdftotext -layout` reads it, HTML, Markdown, the JSON and
//! typst sources the PDF is compiled from), the exports (CSV, Parquet byte for byte,
//! `figures.md`, `summary.json`) and the rounds' summaries and panel file in the store's
//! folder. A refactor that changes one byte of them fails here, with the first lines that
//! differ.
//!
//! The demo's pseudonyms come from its seed, so the same seed gives the same reports. What
//! still differs between two runs is the clock (dates and times of opening, deadline and
//! closing), the web collector's port and the run's duration: those are masked.
//! `UPDATE_SNAPSHOTS=1` rewrites the snapshots, for a change of output that is meant.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::bare;

const SNAPSHOTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/snapshots/demo");
const STUDY: &str = "ai-safety-cooperation";

#[test]
fn the_demo_prints_and_writes_byte_for_byte_what_it_did_before_the_refactors() {
    let dir = tempfile::tempdir().unwrap();
    let out = bare(dir.path())
        .args(["--data-dir", "data", "demo", "--out", "reports/demo"])
        .args(["--experts", "12", "--rounds", "2", "--seed", "11"])
        .output()
        .expect("delphi runs");
    assert!(out.status.success(), "delphi demo: {}", String::from_utf8_lossy(&out.stderr));

    let produced = produced(dir.path(), &out.stdout);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        write_snapshots(&produced);
        return;
    }
    let expected = read_tree(Path::new(SNAPSHOTS));
    let mut problems = Vec::new();
    for name in expected.keys().filter(|name| !produced.contains_key(*name)) {
        problems.push(format!("{name}: no longer written"));
    }
    for (name, bytes) in &produced {
        match expected.get(name) {
            None => problems.push(format!("{name}: written now, not in the snapshots")),
            Some(snapshot) if snapshot != bytes => problems.push(first_difference(name, snapshot, bytes)),
            Some(_) => {}
        }
    }
    assert!(problems.is_empty(), "the demo's output changed:\n\n{}", problems.join("\n\n"));
    assert!(produced.len() > 30, "the demo wrote its reports and exports: {:?}", produced.keys());
}

/// What the demo printed and wrote, by name under the snapshot folder, masked.
fn produced(root: &Path, stdout: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    files.insert("stdout.txt".to_owned(), mask(&String::from_utf8_lossy(stdout)).into_bytes());
    for (name, path) in walk(&root.join("reports/demo")) {
        let content = match path.extension().and_then(|e| e.to_str()) {
            Some("parquet") => std::fs::read(&path).unwrap(),
            Some("pdf") => mask(&pdftotext(&path)).into_bytes(),
            _ => mask(&std::fs::read_to_string(&path).unwrap()).into_bytes(),
        };
        let name = if name.ends_with(".pdf") { format!("{name}.txt") } else { name };
        files.insert(format!("reports/{name}"), content);
    }
    let store = root.join("data/demo").join(STUDY);
    for (name, path) in walk(&store).into_iter().filter(|(name, _)| name.ends_with("summary.json")) {
        files.insert(format!("store/{name}"), mask(&std::fs::read_to_string(path).unwrap()).into_bytes());
    }
    files.insert("store/panel.csv".to_owned(), std::fs::read(root.join("data/demo/panel.csv")).unwrap());
    files
}

/// Every file below `dir`, by its path from `dir` with `/` between parts.
fn walk(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap_or_else(|e| panic!("{}: {e}", folder.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().components();
                let name: Vec<String> = name.map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                files.push((name.join("/"), path));
            }
        }
    }
    files.sort();
    files
}

fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walk(dir).into_iter().map(|(name, path)| (name, std::fs::read(path).unwrap())).collect()
}

fn write_snapshots(files: &BTreeMap<String, Vec<u8>>) {
    let root = Path::new(SNAPSHOTS);
    if root.exists() {
        std::fs::remove_dir_all(root).unwrap();
    }
    for (name, bytes) in files {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext").arg("-layout").arg(pdf).arg("-").output().expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext {}: {}", pdf.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("pdftotext writes UTF-8")
}

/// The text with what the clock and the machine decide masked: every date `YYYY-MM-DD` (and
/// a time `HH:MM` after it), the loopback port and the run's duration.
fn mask(text: &str) -> String {
    let masked: Vec<String> = text.lines().map(mask_line).collect();
    let mut out = masked.join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn mask_line(line: &str) -> String {
    if line.starts_with("done in ") && line.ends_with(" s") {
        return "done in … s".to_owned();
    }
    let chars: Vec<char> = line.chars().collect();
    let fits = |at: usize, shape: &str| {
        shape
            .chars()
            .enumerate()
            .all(|(i, s)| chars.get(at + i).is_some_and(|&c| if s == '9' { c.is_ascii_digit() } else { c == s }))
    };
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    while at < chars.len() {
        if fits(at, "9999-99-99 99:99") {
            out.push_str("YYYY-MM-DD HH:MM");
            at += 16;
        } else if fits(at, "9999-99-99") {
            out.push_str("YYYY-MM-DD");
            at += 10;
        } else if fits(at, "127.0.0.1:") {
            out.push_str("127.0.0.1:PORT");
            at += 10;
            while chars.get(at).is_some_and(char::is_ascii_digit) {
                at += 1;
            }
        } else {
            out.push(chars[at]);
            at += 1;
        }
    }
    out
}

/// Where `name` first differs from its snapshot, with a few lines of each side.
fn first_difference(name: &str, snapshot: &[u8], now: &[u8]) -> String {
    let (Ok(snapshot), Ok(now)) = (std::str::from_utf8(snapshot), std::str::from_utf8(now)) else {
        return format!("{name}: the bytes differ ({} in the snapshot, {} now)", snapshot.len(), now.len());
    };
    let (old, new): (Vec<&str>, Vec<&str>) = (snapshot.lines().collect(), now.lines().collect());
    let line = old.iter().zip(&new).position(|(a, b)| a != b).unwrap_or(old.len().min(new.len()));
    let show =
        |lines: &[&str]| lines.iter().skip(line).take(4).map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n");
    format!(
        "{name}: first difference at line {} ({} lines in the snapshot, {} now)\n  snapshot:\n{}\n  now:\n{}",
        line + 1,
        old.len(),
        new.len(),
        show(&old),
        show(&new)
    )
}

#[test]
fn masking_hides_the_clock_and_the_port_and_nothing_else() {
    assert_eq!(
        mask_line("round 1 is open until 2026-12-16 18:05 UTC, on http://127.0.0.1:40729 (loopback)"),
        "round 1 is open until YYYY-MM-DD HH:MM UTC, on http://127.0.0.1:PORT (loopback)"
    );
    assert_eq!(mask_line("截止 2026-12-16。共 12 位"), "截止 YYYY-MM-DD。共 12 位");
    assert_eq!(mask_line("done in 1.6 s"), "done in … s");
    for kept in ["by 31 December 2030", "W = 0.858 (p = 0.016)", "2026-12", "127.0.0.2:80", "done in 3 rounds"] {
        assert_eq!(mask_line(kept), kept);
    }
}
