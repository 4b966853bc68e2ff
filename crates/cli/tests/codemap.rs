//! ARCHITECTURE.md's codemap kept true: every source file under `crates/*/src/` is named in its
//! crate's row, and the table is one table (a blank line inside it would leave the rows below as
//! loose text). rust-analyzer keeps its architecture document true the same way.
//!
//! The rule, also stated above the codemap: a file directly in `src/` is named by its file name in
//! backticks (`` `mail.rs` ``) in the row of its crate (the row whose path cell is
//! `` `crates/<crate>` ``); a file in a folder of `src/` by its path from `src/`
//! (`` `mail/compose.rs` ``), since a bare name (`cooke.rs`) may be a sibling's. `lib.rs` is the
//! crate itself, which the row describes.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The workspace root: this file is `crates/cli/tests/codemap.rs`.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` and `.typ` file under `dir`, as paths relative to `dir` with `/` separators.
fn source_files(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries = fs::read_dir(&folder).unwrap_or_else(|e| panic!("reading {}: {e}", folder.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs" || ext == "typ") {
                let relative = path.strip_prefix(dir).expect("under the folder searched");
                let parts: Vec<_> =
                    relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                found.push(parts.join("/"));
            }
        }
    }
    found.sort();
    found
}

/// The source files of each crate, by crate folder name (`store` for `crates/store/src/**`).
fn sources_by_crate(root: &Path) -> BTreeMap<String, Vec<String>> {
    let crates = root.join("crates");
    let mut by_crate = BTreeMap::new();
    for entry in fs::read_dir(&crates).expect("the crates folder") {
        let path = entry.expect("a directory entry").path();
        let src = path.join("src");
        if src.is_dir() {
            let name = path.file_name().expect("a crate folder has a name").to_string_lossy().into_owned();
            by_crate.insert(name, source_files(&src));
        }
    }
    by_crate
}

/// The lines of the codemap table: from its header row (`| path |`) to the next heading, with
/// trailing blank lines dropped. `None` when there is no codemap table.
fn codemap_table(architecture: &str) -> Option<Vec<(usize, &str)>> {
    let lines: Vec<(usize, &str)> = architecture.lines().enumerate().map(|(i, line)| (i + 1, line)).collect();
    let start = lines.iter().position(|(_, line)| line.starts_with("| path |"))?;
    let mut table: Vec<(usize, &str)> =
        lines[start..].iter().copied().take_while(|(_, line)| !line.starts_with('#')).collect();
    while table.last().is_some_and(|(_, line)| line.trim().is_empty()) {
        table.pop();
    }
    Some(table)
}

/// Each line inside the table that is not a row, as "line N: …".
fn broken_table_lines(table: &[(usize, &str)]) -> Vec<String> {
    table
        .iter()
        .filter(|(_, line)| !line.starts_with('|'))
        .map(|(number, line)| format!("line {number}: {line:?} (every line of the table must start with '|')"))
        .collect()
}

/// The codemap row of each crate, by crate folder name, from rows whose path cell is
/// `` `crates/<name>` ``.
fn crate_rows<'a>(table: &[(usize, &'a str)]) -> BTreeMap<String, &'a str> {
    table
        .iter()
        .filter_map(|(_, line)| {
            let name = line.strip_prefix("| `crates/")?.split_once('`')?.0.trim_end_matches('/');
            Some((name.to_owned(), *line))
        })
        .collect()
}

/// The source files the codemap does not name, as `crates/<crate>/src/<file>`.
fn unnamed_files(sources: &BTreeMap<String, Vec<String>>, rows: &BTreeMap<String, &str>) -> Vec<String> {
    let mut missing = Vec::new();
    for (krate, files) in sources {
        let row = rows.get(krate).copied().unwrap_or("");
        for file in files {
            if file == "lib.rs" {
                continue;
            }
            if !row.contains(&format!("`{file}`")) {
                missing.push(format!("crates/{krate}/src/{file}"));
            }
        }
    }
    missing
}

#[test]
fn every_source_file_is_named_in_its_crates_codemap_row() {
    let root = workspace_root();
    let architecture = fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md at the root");
    let table = codemap_table(&architecture).expect("a codemap table with a '| path |' header");
    let sources = sources_by_crate(&root);
    assert!(
        sources.len() >= 8 && sources.values().all(|files| !files.is_empty()),
        "the crates' sources were not found under {}",
        root.display()
    );

    let broken = broken_table_lines(&table);
    assert!(
        broken.is_empty(),
        "ARCHITECTURE.md: the codemap table is broken, the rows below would render as loose text:\n{}",
        broken.join("\n")
    );

    let rows = crate_rows(&table);
    let without_row: Vec<_> = sources.keys().filter(|k| !rows.contains_key(*k)).collect();
    assert!(
        without_row.is_empty(),
        "ARCHITECTURE.md: no codemap row for crates {without_row:?} (a row whose path cell is `crates/<name>`)"
    );

    let missing = unnamed_files(&sources, &rows);
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md: the codemap does not name these source files (a file in src/ by its name in backticks, \
         a file in a folder by its path from src/, in its crate's row):\n{}",
        missing.join("\n")
    );
}

/// A codemap written as a newcomer would drift it: a blank line inside the table, a new module
/// not named, a folder's file named only by its bare name.
const DRIFTED: &str = "\
# Architecture

## Codemap

| path | crate | what it is for |
|---|---|---|
| `crates/store` | delphi-store | `schema.rs`, `rounds.rs`. |

| `crates/report` | delphi-report | `cooke.rs`, `layout/mod.rs`. |

## Invariants

- none
";

#[test]
fn a_blank_line_inside_the_table_is_reported_with_its_line_number() {
    let table = codemap_table(DRIFTED).expect("the table");
    assert_eq!(
        broken_table_lines(&table),
        vec!["line 8: \"\" (every line of the table must start with '|')".to_owned()]
    );
}

#[test]
fn an_unnamed_module_and_a_folder_file_named_by_its_bare_name_are_both_reported() {
    let table = codemap_table(DRIFTED).expect("the table");
    let rows = crate_rows(&table);
    let sources = BTreeMap::from([
        (
            "store".to_owned(),
            vec!["lib.rs".to_owned(), "rounds.rs".to_owned(), "schema.rs".to_owned(), "secret.rs".to_owned()],
        ),
        ("report".to_owned(), vec!["cooke.rs".to_owned(), "layout/cooke.rs".to_owned(), "layout/mod.rs".to_owned()]),
        ("markup".to_owned(), vec!["doc.rs".to_owned()]),
    ]);
    assert_eq!(
        unnamed_files(&sources, &rows),
        vec![
            "crates/markup/src/doc.rs".to_owned(),
            "crates/report/src/layout/cooke.rs".to_owned(),
            "crates/store/src/secret.rs".to_owned(),
        ]
    );
}
