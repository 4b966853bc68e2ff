//! `delphi validate` and `delphi init` through the real binary.

use expect_test::expect;

use crate::util::{delphi, run, run_bare};
use std::path::Path;

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_shipped_study_and_panel_validate() {
    let out = run_bare(repo(), &["validate", "surveys/ai-safety-cooperation.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("study `ai-safety-cooperation`, 4 domains × 6 criteria"), "{stdout}");
    assert!(stdout.contains("20 experts in 4 blocs"), "{stdout}");
}

#[test]
fn five_planted_mistakes_are_all_reported_with_their_lines_and_exit_code_3() {
    let out = run_bare(repo(), &["validate", "tests/data/five-mistakes.toml"]);
    assert_eq!(out.status.code(), Some(3));
    // The whole of what the coordinator reads: each mistake at its line (16, 26, 27, 34, 47)
    // with its source line, caret and hint, and the count.
    expect![[r#"
        error: tests/data/five-mistakes.toml:16:16: scales.level7.agree: 8 is not a point of this scale
         16 | agree = [5, 6, 8]                  # mistake 1 (line 16): 8 is not on the scale
            |                ^
            = hint: points run from 1 to 7
        error: tests/data/five-mistakes.toml:26:6: domains[1].id: duplicate domain id `verification`
         26 | id = "verification"                # mistake 2 (line 26): duplicate domain id
            |      ^
            = hint: it is already used on line 19; ids must be unique
        error: tests/data/five-mistakes.toml:27:1: domains[1].title.zh: missing the `zh` translation
         27 | title.en = "Protocols"             # mistake 3 (line 27): the zh title is missing
            | ^
            = hint: add `title.zh = "…"` to this entry
        error: tests/data/five-mistakes.toml:34:9: criteria[0].scale: unknown scale `level-7`
         34 | scale = "level-7"                  # mistake 4 (line 34): unknown scale
            |         ^
            = hint: did you mean `level7`?
        error: tests/data/five-mistakes.toml:47:10: synthesis.risks: unknown criterion `risks`
         47 | risks = ["risks"]                  # mistake 5 (line 47): no criterion `risks`
            |          ^
            = hint: did you mean `risk`?
        5 problems in tests/data/five-mistakes.toml
    "#]]
    .assert_eq(&text(&out.stderr));
}

#[test]
fn a_bad_panel_is_reported_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let panel = dir.path().join("panel.csv");
    std::fs::write(&panel, "id,name,email,institution,country,bloc,language,expertise\nE1,A,a@example,I,US,US,en,x\nE1,B,b@example.org,I,US,US,xx,x\n").unwrap();
    let study = repo().join("surveys/ai-safety-cooperation.toml");
    let out = run_bare(dir.path(), &["validate", study.to_str().unwrap(), "--panel", panel.to_str().unwrap()]);
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
    let out = run_bare(dir.path(), &["validate", study.to_str().unwrap(), "--panel", panel.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("panel.csv:2:8: name: `name` contains a line break"), "{stderr}");
}

#[test]
fn a_semicolon_separated_panel_gets_one_clear_problem_that_says_how_to_save_it_with_commas() {
    // What Excel writes as "CSV" where the comma is the decimal separator: `;`, CRLF.
    let dir = tempfile::tempdir().unwrap();
    let panel = dir.path().join("panel.csv");
    std::fs::write(
        &panel,
        "id;name;email;institution;country;bloc;language;expertise\r\nE1;Ada;ada@example.org;I;DE;EU;en;x\r\n",
    )
    .unwrap();
    let study = repo().join("surveys/ai-safety-cooperation.toml");
    let out = run_bare(dir.path(), &["validate", study.to_str().unwrap(), "--panel", panel.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("panel.csv:1:1: (header): the file is separated by semicolons"), "{stderr}");
    assert!(stderr.contains("CSV UTF-8 (Comma delimited)"), "how to fix it: {stderr}");
    assert!(!stderr.contains("missing column"), "one problem, not nine: {stderr}");
    assert!(stderr.contains("1 problem in"), "{stderr}");

    // A comma file with a semicolon inside a field is read as usual.
    std::fs::write(
        &panel,
        "id,name,email,institution,country,bloc,language,expertise\nE1,Ada; Countess,ada@example.org,I,DE,EU,en,x\n",
    )
    .unwrap();
    let out = run_bare(dir.path(), &["validate", study.to_str().unwrap(), "--panel", panel.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn a_missing_file_is_a_failure_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_bare(dir.path(), &["validate", "nowhere.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot read the study file nowhere.toml"), "{}", text(&out.stderr));
}

#[test]
fn init_creates_a_valid_study_and_does_not_overwrite_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_bare(dir.path(), &["init", "My Study"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let study = std::fs::read_to_string(dir.path().join("My Study/study.toml")).unwrap();
    assert!(study.contains("id = \"my-study\""));
    let out = run_bare(dir.path(), &["validate", "My Study/study.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("study `my-study`"));

    let again = run_bare(dir.path(), &["init", "My Study"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("already exists; pass --force"), "{}", text(&again.stderr));
    let bad_id = run_bare(dir.path(), &["init", "x", "--id", "Bad Id"]);
    assert!(text(&bad_id.stderr).contains("not a valid study id"), "{}", text(&bad_id.stderr));
}

#[test]
fn help_teaches_the_workflow_and_the_exit_codes() {
    let out = run_bare(repo(), &["--help"]);
    let help = text(&out.stdout);
    for needle in ["delphi init", "round open", "Exit codes", "refused by the round lifecycle"] {
        assert!(help.contains(needle), "{needle} missing from --help:\n{help}");
    }
    let usage = run_bare(repo(), &["round", "open", "--days", "x"]);
    assert_eq!(usage.status.code(), Some(2));
}

/// A study made by `delphi init` in a fresh directory: `study/study.toml` and `study/panel.csv`.
fn initialised() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = run_bare(dir.path(), &["init", "study", "--id", "bytes", "--example", "ai-safety"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    dir
}

/// `file:line:column` of byte `offset` of `bytes` (valid UTF-8 before it), as an editor counts.
fn position(file: &str, bytes: &[u8], offset: usize) -> String {
    let before = std::str::from_utf8(&bytes[..offset]).unwrap();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    format!("{file}:{}:{}", before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

#[test]
fn a_stray_byte_in_the_study_file_is_exit_3_with_its_line_column_and_offset() {
    let dir = initialised();
    let path = dir.path().join("study/study.toml");
    let mut bytes = std::fs::read(&path).unwrap();
    // after the first two characters of the Chinese title: columns count characters, not bytes
    let offset = bytes.windows(12).position(|w| w == b"title.zh = \"").unwrap() + 12 + "中美".len();
    bytes.insert(offset, 0xFF);
    std::fs::write(&path, &bytes).unwrap();

    let out = run_bare(dir.path(), &["validate", "study/study.toml"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    let expected = format!(
        "{}: (encoding): the byte 0xFF at byte offset {offset} is not UTF-8",
        position("study/study.toml", &bytes, offset)
    );
    assert!(stderr.contains(&expected), "expected `{expected}` in:\n{stderr}");
    // The whole of it: that one problem, its line with the caret under the byte (after Chinese
    // text), and no other complaint.
    expect![[r#"
        error: study/study.toml:24:15: (encoding): the byte 0xFF at byte offset 1184 is not UTF-8
         24 | title.zh = "中美�技术性人工智能安全合作领域"
            |                 ^
            = hint: save the file as UTF-8 (in a Latin-1 or Windows-1252 file an accented letter is one such byte; `iconv -f WINDOWS-1252 -t UTF-8 FILE` converts it)
        1 problem in study/study.toml
    "#]].assert_eq(&stderr);
    // every command that loads the study says the same
    let status = run_bare(dir.path(), &["--study", "study/study.toml", "--data-dir", "data", "status"]);
    assert_eq!(status.status.code(), Some(3));
    assert!(text(&status.stderr).contains(&expected), "{}", text(&status.stderr));
}

#[test]
fn a_latin1_name_in_the_panel_is_exit_3_for_validate_and_import() {
    let dir = initialised();
    let path = dir.path().join("study/panel.csv");
    let csv = std::fs::read_to_string(&path).unwrap().replacen("Avery Placeholder", "Ren\u{e9}e Placeholder", 1);
    // as a Windows spreadsheet saves it: é as the single byte 0xE9
    let bytes: Vec<u8> = csv.chars().map(|c| u8::try_from(u32::from(c)).unwrap()).collect();
    std::fs::write(&path, &bytes).unwrap();
    let offset = bytes.iter().position(|&b| b == 0xE9).unwrap();
    let expected = format!(
        "{}: (encoding): the byte 0xE9 at byte offset {offset} is not UTF-8",
        position("study/panel.csv", &bytes, offset)
    );
    assert!(expected.starts_with("study/panel.csv:2:8:"), "{expected}");

    for args in [&["validate"][..], &["panel", "import"][..]] {
        let out = run(dir.path(), args);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", text(&out.stderr));
        let stderr = text(&out.stderr);
        assert!(stderr.contains(&expected), "{args:?}: expected `{expected}` in:\n{stderr}");
        assert!(stderr.contains("hint: save the file as UTF-8"), "{stderr}");
    }
}

#[test]
fn a_latin1_reply_form_given_to_answer_is_exit_3_with_its_position_and_records_nothing() {
    let dir = initialised();
    let run = |args: &[&str], stdin: Option<&[u8]>| {
        let mut command = delphi(dir.path());
        command
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = command.spawn().unwrap();
        let mut input = child.stdin.take().unwrap();
        std::io::Write::write_all(&mut input, stdin.unwrap_or_default()).unwrap();
        drop(input);
        child.wait_with_output().unwrap()
    };
    for args in [&["panel", "import"][..], &["round", "open"][..]] {
        let out = run(args, None);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let form = b"[verification.benefit] 5\n[verification.rationale] caf\xe9 au lait helps nobody\n";
    std::fs::write(dir.path().join("reply.txt"), form).unwrap();
    let offset = form.iter().position(|&b| b == 0xE9).unwrap();

    for (args, file, stdin) in [
        (&["answer", "--expert", "E01", "reply.txt"][..], "reply.txt", None),
        (&["answer", "--expert", "E01", "-"][..], "<standard input>", Some(&form[..])),
    ] {
        let out = run(args, stdin);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", text(&out.stderr));
        let expected =
            format!("{}: (encoding): the byte 0xE9 at byte offset {offset} is not UTF-8", position(file, form, offset));
        assert!(expected.contains(":2:29:"), "{expected}");
        assert!(text(&out.stderr).contains(&expected), "{args:?}: expected `{expected}` in:\n{}", text(&out.stderr));
    }
    let status = run(&["status", "--format", "json"], None);
    let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(status["rounds"][0]["submissions"], 0, "nothing recorded: {status}");
}
