//! `[reporting]` (issue 14, point 4): what only the coordinator can write for a report that
//! follows DELPHISTAR and ACCORD, as a coordinator would add it to an existing study file.

use delphi_core::Study;
use delphi_core::study::Language;

const SHIPPED: &str = include_str!("../../../surveys/ai-safety-cooperation.toml");

fn parse(source: &str) -> Result<Study, Vec<(usize, String, String)>> {
    Study::from_toml(source, "study.toml")
        .map_err(|problems| problems.iter().map(|p| (p.location.line, p.field.clone(), p.to_string())).collect())
}

fn text(study: &Study, field: impl Fn(&Study) -> Option<&delphi_core::study::Localised>, lang: &str) -> String {
    let language = Language::parse(lang).unwrap();
    field(study).map(|t| t.get(&language, &study.languages[0]).clone()).unwrap_or_default()
}

#[test]
fn a_study_without_the_section_has_every_note_missing() {
    let study = parse(SHIPPED).unwrap();
    assert_eq!(study.reporting, delphi_core::study::ReportingNotes::default());
}

#[test]
fn notes_written_in_each_language_are_read_and_missing_ones_stay_missing() {
    let source = format!(
        "{SHIPPED}\n[reporting]\nfunding.en = \"Open Philanthropy grant 2025-17; the funder had no role.\"\n\
         funding.zh = \"开放慈善基金资助；资助方未参与研究。\"\n\
         limitations = {{ en = \"Twenty experts; not a representative sample.\", zh = \"二十位专家，并非代表性样本。\" }}\n"
    );
    let study = parse(&source).unwrap();
    assert_eq!(
        text(&study, |s| s.reporting.funding.as_ref(), "en"),
        "Open Philanthropy grant 2025-17; the funder had no role."
    );
    assert_eq!(text(&study, |s| s.reporting.funding.as_ref(), "zh"), "开放慈善基金资助；资助方未参与研究。");
    assert!(text(&study, |s| s.reporting.limitations.as_ref(), "zh").starts_with("二十位专家"));
    assert!(study.reporting.ethics.is_none() && study.reporting.expert_selection.is_none());
    assert!(study.reporting.aim.is_none());
}

#[test]
fn a_note_missing_a_language_is_reported_at_its_line() {
    // The coordinator wrote the English text only.
    let source = format!(
        "{SHIPPED}\n[reporting]\nfunding.en = \"None.\"\nethics.en = \"Approved by the IRB of X (2025-04).\"\n"
    );
    let line_of = |needle: &str| source.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    let problems = parse(&source).unwrap_err();
    assert!(
        problems.iter().any(|(line, field, message)| field.starts_with("reporting.ethics")
            && *line == line_of("ethics.en")
            && message.contains("zh")),
        "{problems:?}"
    );
}

#[test]
fn a_misspelt_note_is_reported_at_its_line_with_the_right_name() {
    let source = format!(
        "{SHIPPED}\n[reporting]\nfunding = {{ en = \"None.\", zh = \"无。\" }}\nconflict_of_interest.en = \"None.\"\n"
    );
    let line_of = |needle: &str| source.lines().position(|l| l.starts_with(needle)).unwrap() + 1;
    let problems = parse(&source).unwrap_err();
    assert!(
        problems.iter().any(|(line, _, message)| *line == line_of("conflict_of_interest")
            && message.contains("did you mean `conflicts_of_interest`")),
        "{problems:?}"
    );
}
