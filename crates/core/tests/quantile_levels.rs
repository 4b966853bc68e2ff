//! `quantiles = [..]` on quantity questions (items of kind `quantile` and seeds), as a
//! coordinator bringing an EXCALIBUR habit would write it: 10/50/90, five quantiles, or the
//! default 5/50/95; and each mistake reported at its file, line and field.

use delphi_core::Study;
use delphi_core::study::{QuantileLevels, ResponseKind};

const SHIPPED: &str = include_str!("../../../surveys/ai-safety-cooperation.toml");

/// Each problem as `(field, "file:line:column: message")`.
fn parse(source: &str) -> Result<Study, Vec<(String, String)>> {
    Study::from_toml(source, "study.toml")
        .map_err(|problems| problems.iter().map(|p| (p.field.clone(), p.to_string())).collect())
}

/// The shipped study with `line` after the first line `after`, in every place `after` names.
fn with(source: &str, after: &str, line: &str) -> String {
    assert!(source.contains(after), "{after}");
    source.replacen(after, &format!("{after}\n{line}"), 1)
}

/// The shipped study asking `quantiles` on both seeds and the quantity item.
fn asking(quantiles: &str) -> String {
    let source = with(SHIPPED, "realisation = 28.0", quantiles);
    let source = with(&source, "realisation = 26.0", quantiles);
    with(&source, "kind = \"quantile\"", quantiles)
}

/// The 1-based line of the first occurrence of `text` after `anchor`.
fn line_of(source: &str, anchor: &str, text: &str) -> usize {
    let start = source.find(anchor).unwrap();
    let at = start + source[start..].find(text).unwrap();
    source[..at].lines().count() + 1
}

fn levels(percents: &[i64]) -> QuantileLevels {
    QuantileLevels::new(percents).unwrap()
}

#[test]
fn quantities_ask_5_50_95_unless_the_study_says_otherwise() {
    let study = parse(SHIPPED).unwrap();
    assert!(study.seeds.iter().all(|s| s.quantiles == QuantileLevels::default()));
    assert_eq!(QuantileLevels::default().percents().collect::<Vec<_>>(), [5, 50, 95]);

    let study = parse(&asking("quantiles = [10, 50, 90]")).unwrap();
    assert!(study.seeds.iter().all(|s| s.quantiles == levels(&[10, 50, 90])));
    let item = study.items.iter().find(|i| i.id.as_str() == "years-to-first-agreement").unwrap();
    assert!(matches!(item.response, ResponseKind::Quantile { quantiles, .. } if quantiles == levels(&[10, 50, 90])));
    // The questions experts are asked carry them, seeds too.
    for q in study.questions().iter().filter(|q| matches!(q.response, ResponseKind::Quantile { .. })) {
        assert!(matches!(q.response, ResponseKind::Quantile { quantiles, .. } if quantiles == levels(&[10, 50, 90])));
    }

    let study = parse(&asking("quantiles = [5, 25, 50, 75, 95]")).unwrap();
    assert_eq!(study.seeds[0].quantiles.percents().collect::<Vec<_>>(), [5, 25, 50, 75, 95]);
}

#[test]
fn a_questionnaire_frozen_before_there_was_a_choice_reads_as_5_50_95() {
    let frozen = r#"{"kind": "quantile", "min": 0.0, "max": 50.0, "unit": null}"#;
    let read: ResponseKind = serde_json::from_str(frozen).unwrap();
    assert!(matches!(read, ResponseKind::Quantile { quantiles, .. } if quantiles == QuantileLevels::default()));
    let ten: ResponseKind = serde_json::from_str(
        r#"{"kind": "quantile", "min": null, "max": null, "unit": null, "quantiles": [10, 50, 90]}"#,
    )
    .unwrap();
    assert!(matches!(ten, ResponseKind::Quantile { quantiles, .. } if quantiles == levels(&[10, 50, 90])));
    let written = serde_json::to_value(&ten).unwrap();
    assert_eq!(written["quantiles"], serde_json::json!([10, 50, 90]));
    let unsorted = r#"{"kind": "quantile", "min": null, "max": null, "unit": null, "quantiles": [90, 50, 10]}"#;
    assert!(serde_json::from_str::<ResponseKind>(unsorted).is_err());
}

#[test]
fn each_mistake_in_the_quantiles_is_reported_at_its_line_with_what_to_write() {
    for (quantiles, says) in [
        ("quantiles = [10, 90, 50]", "50 % does not come after 90 %"),
        ("quantiles = [0, 50, 90]", "0 is not a whole percent between 1 and 99"),
        ("quantiles = [10, 50, 100]", "100 is not a whole percent between 1 and 99"),
        ("quantiles = [10, 90]", "ask at least three quantiles"),
        ("quantiles = [10, 25, 75, 90]", "the median (50 %) must be among the quantiles"),
        ("quantiles = [10, 50, 50, 90]", "50 % does not come after 50 %"),
    ] {
        let source = with(SHIPPED, "kind = \"quantile\"", quantiles);
        let problems = parse(&source).unwrap_err();
        let line = line_of(&source, "kind = \"quantile\"", "quantiles =");
        let (field, message) = problems
            .iter()
            .find(|(field, _)| field.ends_with(".quantiles"))
            .unwrap_or_else(|| panic!("{quantiles}: {problems:?}"));
        assert!(field.starts_with("items["), "{field}");
        assert!(message.contains(says), "{quantiles}: {message}");
        assert!(message.contains(&format!("study.toml:{line}:")), "{quantiles}: line {line}: {message}");
        assert!(message.contains("[10, 50, 90]"), "the hint shows what to write: {message}");
    }
    // A whole percent: 2.5 % is not a level the forms can label.
    let source = with(SHIPPED, "kind = \"quantile\"", "quantiles = [2.5, 50, 97.5]");
    let problems = parse(&source).unwrap_err();
    let line = line_of(&source, "kind = \"quantile\"", "quantiles =");
    assert!(
        problems.iter().any(|(_, m)| m.starts_with(&format!("study.toml:{line}:")) && m.contains("2.5")),
        "{problems:?}"
    );
}

#[test]
fn quantiles_belong_to_quantity_questions_only() {
    let problems = parse(&with(SHIPPED, "id = \"p-joint-evaluation-2030\"", "quantiles = [10, 50, 90]")).unwrap_err();
    assert!(
        problems.iter().any(|(f, m)| f.ends_with(".quantiles") && m.contains("`quantiles` only applies to quantile")),
        "{problems:?}"
    );
}

#[test]
fn a_study_with_seeds_asks_the_same_quantiles_of_every_quantity() {
    // The item asks 10/50/90, the seeds the default 5/50/95: Cooke's weights would not apply.
    let source = with(SHIPPED, "kind = \"quantile\"", "quantiles = [10, 50, 90]");
    let problems = parse(&source).unwrap_err();
    let line = line_of(&source, "kind = \"quantile\"", "quantiles =");
    let (field, message) = problems.iter().find(|(f, _)| f.ends_with(".quantiles")).expect("reported");
    assert!(field.starts_with("items["), "{field}");
    assert!(message.contains("asks the 10/50/90 % quantiles, but the first seed asks 5/50/95 %"), "{message}");
    assert!(message.contains(&format!("study.toml:{line}:")), "{message}");
    // One seed differing from the first.
    let source = with(SHIPPED, "realisation = 26.0", "quantiles = [10, 50, 90]");
    let problems = parse(&source).unwrap_err();
    assert!(
        problems.iter().any(|(f, m)| f == "seeds[1].quantiles" && m.contains("first seed asks 5/50/95 %")),
        "{problems:?}"
    );
    // A study without seeds may ask different quantiles per item.
    let no_seeds = SHIPPED.split("[[seeds]]").next().unwrap().to_owned()
        + &SHIPPED
            [SHIPPED.find("# ---------------------------------------------------------------- analysis").unwrap()..];
    let source = with(&no_seeds, "kind = \"quantile\"", "quantiles = [10, 50, 90]");
    assert!(parse(&source).is_ok(), "{:?}", parse(&source).err());
}
