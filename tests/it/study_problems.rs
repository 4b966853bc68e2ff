//! The mistakes coordinators really make in a study file, each made in the shipped study and
//! shown to `delphi validate` as a coordinator runs it: the WHOLE printed problem (file, line,
//! column, field, the source line with its caret, message, hint, the count) and the exit code,
//! compared with the text expected here. `UPDATE_EXPECT=1 cargo test --test it study_problems`
//! rewrites the expected texts; the diff shows what a coordinator would now read.

use expect_test::{Expect, expect};

use crate::util::run_bare;

const SHIPPED: &str = include_str!("../../surveys/ai-safety-cooperation.toml");

/// `delphi validate study.toml` on the shipped study with `edit` applied: its exit code and
/// everything it printed.
fn check(edit: impl FnOnce(&str) -> String, expected: &Expect) {
    let edited = edit(SHIPPED);
    assert_ne!(edited, SHIPPED, "the edit changed nothing");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("study.toml"), edited).unwrap();
    let out = run_bare(dir.path(), &["validate", "study.toml"]);
    let printed = format!(
        "exit {}\n{}{}",
        out.status.code().map_or_else(|| "by a signal".to_owned(), |code| code.to_string()),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    expected.assert_eq(&printed);
}

/// `text` with its first `from` replaced by `to`.
fn replace(from: &str, to: &str) -> impl FnOnce(&str) -> String {
    move |text: &str| {
        assert!(text.contains(from), "the shipped study has no `{from}`");
        text.replacen(from, to, 1)
    }
}

#[test]
fn a_typo_in_a_key() {
    check(
        replace("scale = \"level7\"", "scael = \"level7\""),
        &expect![[r#"
        exit 3
        error: study.toml:93:1: criteria[0]: unknown field `scael`, expected one of `id`, `kind`, `scale`, `of`, `ties`, `min`, `max`, `unit`, `quantiles`, `prompt`, `first_round`, `continues`, `share_answers`
         93 | scael = "level7"
            | ^
            = hint: did you mean `scale`?
        error: study.toml:213:11: synthesis.benefit: unknown criterion `benefit`
         213 | benefit = "benefit"
             |           ^
             = hint: name one of the `[[criteria]]` ids
        2 problems in study.toml
    "#]],
    );
}

#[test]
fn a_section_name_misspelt() {
    check(
        replace("[synthesis]", "[synthesys]"),
        &expect![[r#"
        exit 3
        error: study.toml:212:2: synthesys: unknown section `synthesys`
         212 | [synthesys]
             |  ^
             = hint: did you mean `synthesis`?
        1 problem in study.toml
    "#]],
    );
}

#[test]
fn a_required_field_left_out() {
    check(
        replace("benefit = \"benefit\"\n", ""),
        &expect![[r#"
        exit 3
        error: study.toml:212:1: synthesis: missing field `benefit`
         212 | [synthesis]
             | ^
        1 problem in study.toml
    "#]],
    );
}

#[test]
fn a_scale_whose_minimum_is_above_its_maximum() {
    check(
        replace("min = 1\nmax = 7", "min = 7\nmax = 1"),
        &expect![[r#"
        exit 3
        error: study.toml:42:7: scales.level7.max: a scale from 7 to 1 has -5 points
         42 | max = 1
            |       ^
            = hint: ordinal scales have 2 to 11 points, with max > min
        error: study.toml:93:9: criteria[0].scale: unknown scale `level7`
         93 | scale = "level7"
            |         ^
            = hint: defined scales: agree5
        error: study.toml:100:9: criteria[1].scale: unknown scale `level7`
         100 | scale = "level7"
             |         ^
             = hint: defined scales: agree5
        error: study.toml:107:9: criteria[2].scale: unknown scale `level7`
         107 | scale = "level7"
             |         ^
             = hint: defined scales: agree5
        error: study.toml:114:9: criteria[3].scale: unknown scale `level7`
         114 | scale = "level7"
             |         ^
             = hint: defined scales: agree5
        5 problems in study.toml
    "#]],
    );
}

#[test]
fn an_item_id_used_twice() {
    check(
        replace("id = \"p-joint-evaluation-2030\"", "id = \"years-to-first-agreement\""),
        &expect![[r#"
        exit 3
        error: study.toml:152:6: items[2].id: duplicate item id `years-to-first-agreement`
         152 | id = "years-to-first-agreement"
             |      ^
             = hint: it is already used on line 142; ids must be unique
        1 problem in study.toml
    "#]],
    );
}

#[test]
fn a_number_written_as_words() {
    check(
        replace("max_rounds = 3", "max_rounds = \"three\""),
        &expect![[r#"
        exit 3
        error: study.toml:22:14: study: invalid type: string "three", expected i64
         22 | max_rounds = "three"
            |              ^
        1 problem in study.toml
    "#]],
    );
}

#[test]
fn a_string_left_open() {
    check(
        replace("id = \"protocols\"", "id = \"protocols"),
        &expect![[r#"
        exit 3
        error: study.toml:67:16: (syntax): invalid basic string, expected `"`
         67 | id = "protocols
            |                ^
        1 problem in study.toml
    "#]],
    );
}

#[test]
fn a_wrong_value_after_chinese_text_on_its_line() {
    check(
        replace(
            "labels.zh = [\"很低\", \"低\", \"较低\", \"中等\", \"较高\", \"高\", \"很高\"]",
            "labels.zh = [\"很低\", \"低\", \"较低\", \"中等\", \"较高\", \"高\", 7]",
        ),
        &expect![[r#"
            exit 3
            error: study.toml:44:48: scales.level7: invalid type: integer `7`, expected a string
             44 | labels.zh = ["很低", "低", "较低", "中等", "较高", "高", 7]
                |                                                          ^
            error: study.toml:93:9: criteria[0].scale: unknown scale `level7`
             93 | scale = "level7"
                |         ^
                = hint: defined scales: agree5
            error: study.toml:100:9: criteria[1].scale: unknown scale `level7`
             100 | scale = "level7"
                 |         ^
                 = hint: defined scales: agree5
            error: study.toml:107:9: criteria[2].scale: unknown scale `level7`
             107 | scale = "level7"
                 |         ^
                 = hint: defined scales: agree5
            error: study.toml:114:9: criteria[3].scale: unknown scale `level7`
             114 | scale = "level7"
                 |         ^
                 = hint: defined scales: agree5
            5 problems in study.toml
        "#]],
    );
}

#[test]
fn a_chinese_title_left_out() {
    check(
        replace("title.zh = \"规程与共享标准\"\n", ""),
        &expect![[r#"
        exit 3
        error: study.toml:68:1: domains[1].title.zh: missing the `zh` translation
         68 | title.en = "Protocols and shared standards"
            | ^
            = hint: add `title.zh = "…"` to this entry
        1 problem in study.toml
    "#]],
    );
}

#[test]
fn an_agreement_point_off_the_scale() {
    check(
        replace("agree = [5, 6, 7]", "agree = [5, 6, 8]"),
        &expect![[r#"
        exit 3
        error: study.toml:45:16: scales.level7.agree: 8 is not a point of this scale
         45 | agree = [5, 6, 8]
            |                ^
            = hint: points run from 1 to 7
        1 problem in study.toml
    "#]],
    );
}
