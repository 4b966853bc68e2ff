//! What the terminal shows, measured in display columns (`unicode-width`), over the real
//! binary: a Chinese character takes two columns, so a column after Chinese names starts
//! where it does after Latin ones, and the caret under a study-file problem stands under the
//! character the problem is at. Expected outputs are written out by hand.

use crate::util::{answer, delphi, ok, starter};

#[test]
fn the_caret_stands_under_the_full_width_comma_a_chinese_input_method_typed() {
    let dir = starter();
    let file = dir.path().join("study/study.toml");
    let study = std::fs::read_to_string(&file).unwrap();
    let labels = study.lines().find(|l| l.starts_with("labels.en")).unwrap();
    std::fs::write(&file, study.replace(labels, "labels.en = [\"很低\", \"低\", \"中等\"，\"高\", \"很高\"]")).unwrap();
    let out = delphi(dir.path()).arg("validate").output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let expected = "\
error: study/study.toml:34:29: (syntax): missing comma between array elements, expected `,`
 34 | labels.en = [\"很低\", \"低\", \"中等\"，\"高\", \"很高\"]
    |                                  ^
error: study/study.toml:34:29: (syntax): missing opening quote, expected `\"`
 34 | labels.en = [\"很低\", \"低\", \"中等\"，\"高\", \"很高\"]
    |                                  ^
2 problems in study/study.toml
";
    assert_eq!(String::from_utf8_lossy(&out.stderr), expected);
}

#[test]
fn status_lines_up_the_experts_who_answered_in_part_when_a_name_is_chinese() {
    let dir = starter();
    let root = dir.path();
    let panel = std::fs::read_to_string(root.join("study/panel.csv")).unwrap();
    std::fs::write(root.join("study/panel.csv"), panel.replace("Sam Specimen", "王小明")).unwrap();
    ok(root, &["panel", "import"]);
    ok(root, &["round", "open", "--days", "14"]);
    answer(root, "E02", "[approach-a.benefit] 4\n[approach-a.risk] 1\n[approach-a.rationale] Cheap.\n");
    answer(
        root,
        "E03",
        "[approach-a.benefit] 3\n[approach-a.risk] 2\n[approach-a.rationale] Unproven.\n[approach-b.benefit] 3\n[approach-b.risk] 2\n[approach-b.rationale] Costly.\n",
    );
    let status = ok(root, &["status"]);
    let part =
        status.lines().skip_while(|l| !l.starts_with("  answered in part")).take(3).collect::<Vec<_>>().join("\n");
    // 王小明 takes six columns: padded with six spaces to Robin Sample's twelve, then two.
    let expected = [
        "  answered in part (2):",
        "    E02  王小明        3 of 7 questions",
        "    E03  Robin Sample  6 of 7 questions",
    ]
    .join("\n");
    assert_eq!(part, expected, "{status}");
}
