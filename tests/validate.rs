//! `delphi validate` and `delphi init` through the real binary.

use std::path::Path;
use std::process::{Command, Output};

fn delphi(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_delphi")).args(args).current_dir(dir).output().expect("delphi runs")
}

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_shipped_study_and_panel_validate() {
    let out = delphi(&["validate", "surveys/ai-safety-cooperation.toml"], repo());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("study `ai-safety-cooperation`, 4 domains × 6 criteria"), "{stdout}");
    assert!(stdout.contains("20 experts in 4 blocs"), "{stdout}");
}

#[test]
fn five_planted_mistakes_are_all_reported_with_their_lines_and_exit_code_3() {
    let out = delphi(&["validate", "tests/data/five-mistakes.toml"], repo());
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    for (line, what) in [
        (16, "not a point of this scale"),
        (26, "duplicate domain id"),
        (27, "missing the `zh` translation"),
        (34, "unknown scale `level-7`"),
        (47, "unknown criterion `risks`"),
    ] {
        let located = format!("tests/data/five-mistakes.toml:{line}:");
        assert!(
            stderr.lines().any(|l| l.contains(&located) && l.contains(what)),
            "line {line} ({what}) missing from:\n{stderr}"
        );
    }
    assert!(stderr.contains("5 problems in tests/data/five-mistakes.toml"), "{stderr}");
    assert!(stderr.contains("hint: did you mean `level7`?"), "{stderr}");
}

#[test]
fn a_bad_panel_is_reported_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let panel = dir.path().join("panel.csv");
    std::fs::write(&panel, "id,name,email,institution,country,bloc,language,expertise\nE1,A,a@example,I,US,US,en,x\nE1,B,b@example.org,I,US,US,xx,x\n").unwrap();
    let study = repo().join("surveys/ai-safety-cooperation.toml");
    let out = delphi(&["validate", study.to_str().unwrap(), "--panel", panel.to_str().unwrap()], dir.path());
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("panel.csv:2:6: email: `a@example` is not an email address"), "{stderr}");
    assert!(stderr.contains("panel.csv:3:1: id: duplicate expert id `E1`"), "{stderr}");
    assert!(stderr.contains("panel.csv:3:28: language: `xx` is not one of the study's languages"), "{stderr}");
    assert!(stderr.contains("hint: the study's languages are: en, zh"), "{stderr}");
}

#[test]
fn a_line_break_in_a_panel_name_is_refused_before_it_can_break_an_invitation() {
    // Saved by a spreadsheet (CRLF) with Alt+Enter inside a name cell.
    let dir = tempfile::tempdir().unwrap();
    let panel = dir.path().join("panel.csv");
    std::fs::write(
        &panel,
        "id,name,email,institution,country,bloc,language,expertise\r\nE1,\"Ada\r\nLovelace\",ada@example.org,I,US,US,en,x\r\nE2,Bo,bo@example.org,I,CN,China,zh,x\r\n",
    )
    .unwrap();
    let study = repo().join("surveys/ai-safety-cooperation.toml");
    let out = delphi(&["validate", study.to_str().unwrap(), "--panel", panel.to_str().unwrap()], dir.path());
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("panel.csv:2:8: name: `name` contains a line break"), "{stderr}");
}

#[test]
fn a_missing_file_is_a_failure_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = delphi(&["validate", "nowhere.toml"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot read the study file nowhere.toml"), "{}", text(&out.stderr));
}

#[test]
fn init_creates_a_valid_study_and_does_not_overwrite_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = delphi(&["init", "My Study"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let study = std::fs::read_to_string(dir.path().join("My Study/study.toml")).unwrap();
    assert!(study.contains("id = \"my-study\""));
    let out = delphi(&["validate", "My Study/study.toml"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("study `my-study`"));

    let again = delphi(&["init", "My Study"], dir.path());
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("already exists; pass --force"), "{}", text(&again.stderr));
    let bad_id = delphi(&["init", "x", "--id", "Bad Id"], dir.path());
    assert!(text(&bad_id.stderr).contains("not a valid study id"), "{}", text(&bad_id.stderr));
}

#[test]
fn help_teaches_the_workflow_and_the_exit_codes() {
    let out = delphi(&["--help"], repo());
    let help = text(&out.stdout);
    for needle in ["delphi init", "round open", "Exit codes", "refused by the round lifecycle"] {
        assert!(help.contains(needle), "{needle} missing from --help:\n{help}");
    }
    let usage = delphi(&["round", "open", "--days", "x"], repo());
    assert_eq!(usage.status.code(), Some(2));
}
