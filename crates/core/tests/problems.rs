//! Bad study and panel files: every problem is reported at once, with its line, column and a hint.

use delphi_core::panel::Panel;
use delphi_core::{Problems, Study};

const PLANTED: &str = include_str!("../../../tests/data/five-mistakes.toml");
const SHIPPED: &str = include_str!("../../../surveys/ai-safety-cooperation.toml");

fn problems_of(source: &str) -> Problems {
    match Study::from_toml(source, "study.toml") {
        Ok(_) => panic!("the study should have been refused"),
        Err(problems) => problems,
    }
}

/// (line, field) of every problem.
fn lines_and_fields(problems: &Problems) -> Vec<(usize, String)> {
    problems.iter().map(|p| (p.location.line, p.field.clone())).collect()
}

#[test]
fn all_five_planted_mistakes_are_reported_with_their_lines() {
    let problems = problems_of(PLANTED);
    let found = lines_and_fields(&problems);
    let expected = [
        (16, "scales.level7.agree"),
        (26, "domains[1].id"),
        (27, "domains[1].title.zh"),
        (34, "criteria[0].scale"),
        (47, "synthesis.risks"),
    ];
    for (line, field) in expected {
        assert!(found.iter().any(|(l, f)| *l == line && f == field), "missing ({line}, {field}) in {found:?}");
    }
    // The planted mistakes explain everything: no knock-on noise.
    assert_eq!(found.len(), expected.len(), "{found:?}");
    let unknown_scale = problems.iter().find(|p| p.field == "criteria[0].scale").expect("reported");
    assert_eq!(unknown_scale.location.column, 9);
    assert_eq!(unknown_scale.hint.as_deref(), Some("did you mean `level7`?"));
    let duplicate = problems.iter().find(|p| p.field == "domains[1].id").expect("reported");
    assert!(duplicate.hint.as_deref().is_some_and(|h| h.contains("line 19")), "{duplicate:?}");
}

#[test]
fn syntax_errors_are_all_reported_with_lines() {
    let source = "[study]\nid = \"x\nlanguages = [\"en\"\n";
    let problems = problems_of(source);
    assert!(problems.iter().all(|p| p.field == "(syntax)"));
    assert_eq!(problems.problems[0].location.line, 2, "{problems:?}");
}

#[test]
fn unknown_keys_in_several_entries_are_each_reported_with_a_suggestion() {
    let source = SHIPPED
        .replacen("scale = \"level7\"", "scael = \"level7\"", 1)
        .replacen("[consensus]\n", "[consensus]\niqr_maximum = 2\n", 1)
        .replacen("[synthesis]", "[synthesys]", 1);
    let problems = problems_of(&source);
    let messages: Vec<String> = problems.iter().map(|p| format!("{} {:?}", p.message, p.hint)).collect();
    assert!(
        messages.iter().any(|m| m.contains("unknown field `scael`") && m.contains("did you mean `scale`?")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("unknown field `iqr_maximum`") && m.contains("`iqr_max`")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("unknown section `synthesys`") && m.contains("`synthesis`")),
        "{messages:?}"
    );
}

#[test]
fn wrong_types_and_ranges_are_named_by_field() {
    let source = SHIPPED
        .replacen("max_rounds = 3", "max_rounds = 0", 1)
        .replacen("min_group_size = 3", "min_group_size = 1", 1)
        .replacen("quantile_method = \"type7\"", "quantile_method = \"type8\"", 1);
    let problems = problems_of(&source);
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert!(fields.contains(&"study.max_rounds"), "{fields:?}");
    assert!(fields.contains(&"subgroups.min_group_size"), "{fields:?}");
    assert!(problems.iter().any(|p| p.message.contains("type8")), "{problems:?}");
}

/// A coordinator who asks for consensus on one answer is told why not; one who sets a
/// minimum below the panel's group size gets the group size, so no verdict stands on
/// fewer answers than a group figure may show.
#[test]
fn the_minimum_of_answers_for_a_consensus_is_checked_and_never_below_the_group_size() {
    let problems = problems_of(&SHIPPED.replacen("[consensus]\n", "[consensus]\nmin_answers = 1\n", 1));
    let problem = problems.iter().find(|p| p.field == "consensus.min_answers").expect("reported");
    assert!(problem.message.contains("1 answers cannot show a consensus"), "{problem:?}");
    let line = SHIPPED.lines().position(|l| l == "[consensus]").unwrap() + 2;
    assert_eq!(problem.location.line, line);
    assert_eq!(study().consensus.min_answers, 5, "the default");
    let raised = SHIPPED.replacen("[consensus]\n", "[consensus]\nmin_answers = 2\n", 1).replacen(
        "min_group_size = 3",
        "min_group_size = 4",
        1,
    );
    assert_eq!(Study::from_toml(&raised, "study.toml").unwrap().consensus.min_answers, 4);
    let kept = SHIPPED.replacen("[consensus]\n", "[consensus]\nmin_answers = 8\n", 1);
    assert_eq!(Study::from_toml(&kept, "study.toml").unwrap().consensus.min_answers, 8);
}

#[test]
fn a_text_in_an_undeclared_language_and_an_empty_text_are_refused() {
    let source: String = SHIPPED
        .replacen("title.zh = ", "title.fr = \"Domaines\"\ntitle.zh = ", 1)
        .lines()
        .map(|line| if line.starts_with("description.en = \"This Delphi") { "description.en = \"  \"" } else { line })
        .collect::<Vec<_>>()
        .join("\n");
    let problems = problems_of(&source);
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("`fr` is not one of the study's languages")), "{messages:?}");
    assert!(problems.iter().any(|p| p.field == "study.description.en" && p.message == "is empty"), "{messages:?}");
}

fn study() -> Study {
    Study::from_toml(SHIPPED, "study.toml").expect("shipped study is valid")
}

#[test]
fn panel_problems_are_all_reported_with_line_and_column() {
    let csv = "id,name,email,institution,country,bloc,language,expertise\n\
               E01,Ada,ada@example.org,Inst A,US,US,en,x\n\
               E02,Bo,not-an-email,Inst B,CN,China,zh,x\n\
               E01,Cy,cy@example.org,Inst C,DE,Europe,en,x\n\
               E04,Di,di@example.org,Inst D,FR,Europe,fr,x\n\
               E05,Ed,ADA@example.org,,FR,Europe,en,x\n";
    let problems = Panel::from_csv(csv, "panel.csv", &study()).expect_err("refused");
    let found: Vec<(usize, usize, &str)> =
        problems.iter().map(|p| (p.location.line, p.location.column, p.field.as_str())).collect();
    assert_eq!(
        found,
        [(3, 8, "email"), (4, 1, "id"), (5, 40, "language"), (6, 8, "email"), (6, 24, "institution")],
        "{problems:?}"
    );
}

#[test]
fn a_line_break_or_control_character_in_a_panel_field_is_refused_where_it_is() {
    // A spreadsheet cell with Alt+Enter in it: the CSV quotes the name over two lines.
    let csv = "id,name,email,institution,country,bloc,language,expertise\r\n\
               E01,\"Ada\r\nLovelace\",ada@example.org,Inst A,US,US,en,x\r\n\
               E02,Bo,bo@example.org,Inst\u{1b}[2J B,CN,China,zh,x\r\n";
    let problems = Panel::from_csv(csv, "panel.csv", &study()).expect_err("refused");
    let found: Vec<(usize, usize, &str)> =
        problems.iter().map(|p| (p.location.line, p.location.column, p.field.as_str())).collect();
    assert_eq!(found, [(2, 9, "name"), (4, 27, "institution")], "{problems:?}");
    assert!(problems.problems[0].message.contains("line break"), "{problems:?}");
}

#[test]
fn an_empty_panel_and_a_bad_header_are_refused() {
    let header_only = "id,name,email,institution,country,bloc,language,expertise\n";
    let problems = Panel::from_csv(header_only, "panel.csv", &study()).expect_err("empty panel");
    assert_eq!(problems.problems[0].message, "the panel has no experts");

    let bad_header = "id,name,e-mail,institution,country,bloc,language,expertise\nE1,A,a@example.org,I,US,US,en,x\n";
    let problems = Panel::from_csv(bad_header, "panel.csv", &study()).expect_err("bad header");
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages, ["missing column `email`", "unknown column `e-mail`"]);
}

#[test]
fn an_empty_field_that_is_also_a_grouping_attribute_is_reported_once() {
    let source = SHIPPED.replacen(
        "attributes = [\"bloc\", \"institution\", \"country\"]",
        "attributes = [\"language\", \"bloc\"]",
        1,
    );
    let study = Study::from_toml(&source, "study.toml").expect("valid");
    let csv = "id,name,email,institution,country,bloc,language,expertise\nE01,Ada,ada@example.org,I,US,US,,x\n";
    let problems = Panel::from_csv(csv, "panel.csv", &study).expect_err("refused");
    let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["language"]);
}

#[test]
fn an_agree_set_with_a_gap_is_refused() {
    let source = SHIPPED.replacen("agree = [5, 6, 7]", "agree = [5, 7]", 1);
    let problems = problems_of(&source);
    let found: Vec<(&str, &str)> = problems.iter().map(|p| (p.field.as_str(), p.message.as_str())).collect();
    assert_eq!(found, [("scales.level7.agree", "the agree points 5, 7 are not consecutive")]);
}

#[test]
fn revisions_and_continuations_are_checked() {
    let source = format!(
        "{SHIPPED}\n[[items]]\nid = \"p-v2\"\nkind = \"probability\"\nfirst_round = 2\ncontinues = \"p-joint-evaluation-2030\"\nprompt.en = \"Reworded\"\nprompt.zh = \"改写\"\n\n\
         [[items]]\nid = \"bad-continuation\"\nkind = \"numeric\"\nfirst_round = 2\ncontinues = \"p-joint-evaluation-2030\"\nprompt.en = \"x\"\nprompt.zh = \"x\"\n\n\
         [[items]]\nid = \"too-early\"\nkind = \"probability\"\ncontinues = \"p-joint-evaluation-2030\"\nprompt.en = \"x\"\nprompt.zh = \"x\"\n\n\
         [[revisions]]\nround = 2\ndrop = [\"verification.recommendation\", \"p-joint-evaluation-2030\", \"no-such-item\"]\n\n\
         [[revisions]]\nround = 1\ndrop = []\n"
    );
    let problems = problems_of(&source);
    let found: Vec<(&str, &str)> = problems.iter().map(|p| (p.field.as_str(), p.message.as_str())).collect();
    assert_eq!(
        found,
        [
            ("items[5].continues", "`p-joint-evaluation-2030` is answered differently"),
            ("items[6].continues", "`p-joint-evaluation-2030` is first asked in round 1, not before round 1"),
            ("revisions[0].drop", "`no-such-item` is not an item of this study"),
            ("revisions[1].round", "round 1 cannot be revised"),
        ]
    );
}

#[test]
fn a_round_asks_what_is_added_and_not_what_is_dropped() {
    let source = format!(
        "{SHIPPED}\n[[items]]\nid = \"p-v2\"\nkind = \"probability\"\nfirst_round = 2\ncontinues = \"p-joint-evaluation-2030\"\nprompt.en = \"Reworded\"\nprompt.zh = \"改写\"\n\n\
         [[revisions]]\nround = 2\ndrop = [\"verification.recommendation\", \"p-joint-evaluation-2030\"]\n"
    );
    let study = Study::from_toml(&source, "study.toml").expect("valid");
    let ids = |round| study.questions_in_round(round).into_iter().map(|q| q.id.to_string()).collect::<Vec<_>>();
    let (one, two, three) = (ids(1), ids(2), ids(3));
    assert!(one.contains(&"verification.recommendation".into()) && !one.contains(&"p-v2".into()));
    assert!(!two.contains(&"verification.recommendation".into()) && !two.contains(&"p-joint-evaluation-2030".into()));
    assert!(two.contains(&"p-v2".into()) && three.contains(&"p-v2".into()));
    assert_eq!(one.len() - 2 + 1, two.len());
    let v2 = study.questions_in_round(2).into_iter().find(|q| q.id.as_str() == "p-v2").expect("asked");
    assert_eq!(v2.continues.as_ref().map(|c| c.as_str()), Some("p-joint-evaluation-2030"));
}

#[test]
fn a_contact_on_two_lines_or_empty_is_reported_at_its_line() {
    let shipped_header = "max_rounds = 3\n";
    assert!(SHIPPED.contains(shipped_header));
    for (contact, says) in [("\"\"", "the contact is empty"), ("\"Ana\\nLima <a@b.org>\"", "line break")] {
        let source = SHIPPED.replacen(shipped_header, &format!("{shipped_header}contact = {contact}\n"), 1);
        let problems = problems_of(&source);
        let problem = problems.iter().find(|p| p.field == "study.contact").expect("reported");
        let line = SHIPPED.lines().position(|l| l == "max_rounds = 3").unwrap() + 2;
        assert_eq!(problem.location.line, line, "{problem}");
        assert!(problem.to_string().contains(says), "{problem}");
        assert_eq!(problems.iter().count(), 1, "only the contact: {problems:?}");
    }
}

#[test]
fn the_carry_over_rule_is_read_and_an_unknown_one_is_refused_where_it_is() {
    let shipped = Study::from_toml(SHIPPED, "study.toml").expect("valid");
    assert_eq!(shipped.carry_over, delphi_core::study::CarryOver::Confirm, "confirm is the default");
    let reconfirm = SHIPPED.replacen("max_rounds = 3\n", "max_rounds = 3\ncarry_over = \"reconfirm\"\n", 1);
    let study = Study::from_toml(&reconfirm, "study.toml").expect("valid");
    assert_eq!(study.carry_over, delphi_core::study::CarryOver::Reconfirm);

    let typo = SHIPPED.replacen("max_rounds = 3\n", "max_rounds = 3\ncarry_over = \"keep\"\n", 1);
    let line = typo.lines().position(|l| l.starts_with("carry_over")).expect("planted") + 1;
    let problems = problems_of(&typo);
    assert_eq!(lines_and_fields(&problems), [(line, "study.carry_over".to_owned())]);
    let problem = problems.iter().next().expect("one problem");
    assert!(problem.message.contains("keep"), "{}", problem.message);
    assert!(problem.hint.as_deref().is_some_and(|h| h.contains("\"confirm\"") && h.contains("\"reconfirm\"")));
}

#[test]
fn sharing_answers_is_refused_outside_extra_text_items_and_read_on_them() {
    let shipped = Study::from_toml(SHIPPED, "study.toml").expect("the shipped study is valid");
    let proposals = shipped.items.iter().find(|i| i.id.as_str() == "proposals").expect("the proposals item");
    assert!(proposals.share_answers, "the shipped study feeds its proposals back");
    assert!(shipped.items.iter().filter(|i| i.id.as_str() != "proposals").all(|i| !i.share_answers), "off by default");

    let source = SHIPPED.replacen("kind = \"probability\"\n", "kind = \"probability\"\nshare_answers = true\n", 1);
    let problems = problems_of(&source);
    let problem = problems.iter().find(|p| p.field.ends_with(".share_answers")).expect("reported");
    assert_eq!(problem.message, "`share_answers` only applies to extra text questions", "{problem:?}");
    assert_eq!(problems.problems.len(), 1, "{problems:?}");
}
