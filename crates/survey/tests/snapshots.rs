//! Snapshot tests of every renderer, for round 1 and for round 2 with feedback, in English
//! and Chinese. Expected outputs live in tests/snapshots/, compared whole (expect-test, as the
//! end-to-end tests' checks); run with `UPDATE_EXPECT=1` to rewrite them after an intended
//! change, and review the diff.

mod fixture;

use std::collections::BTreeMap;

use delphi_survey::{Answer, QuantileValues, Questionnaire, html, markdown, text};

/// `actual` against `tests/snapshots/<name>`; a difference fails with the diff.
fn check(name: &str, actual: &str) {
    expect_test::expect_file![format!("snapshots/{name}")].assert_eq(actual);
}

fn current(q: &Questionnaire) -> BTreeMap<delphi_core::study::ItemId, Answer> {
    let mut answers = BTreeMap::new();
    let mut put = |id: &str, a: Answer| {
        answers.insert(q.item(id).expect("item").id.clone(), a);
    };
    put("verification.benefit", Answer::Ordinal { point: 6 });
    put("protocols.benefit", Answer::DontKnow);
    put("verification.rationale", Answer::Text { text: "Saved </textarea><script>x</script>".into() });
    put("years-to-first-agreement", Answer::Quantile(QuantileValues::five_fifty_ninety_five(1.0, 4.5, 20.0)));
    put("p-joint-evaluation-2030", Answer::Probability { value: 0.07 });
    let order = ["evaluations", "verification", "protocols", "infrastructure"];
    let order = order.iter().map(|d| q.domains.iter().find(|v| v.id.as_str() == *d).expect("domain").id.clone());
    put("area-ranking", Answer::Ranking { order: order.collect() });
    answers
}

fn all(name: &str, q: &Questionnaire, prefill: bool) {
    let answers = if prefill { current(q) } else { BTreeMap::new() };
    check(&format!("{name}.txt"), &text::render(q));
    check(&format!("{name}.html"), &html::render(q, "/s/TOKEN", &answers));
    check(&format!("{name}.md"), &markdown::render(q));
    if prefill {
        check(&format!("{name}-filled.txt"), &text::render_filled(q, &answers));
    }
}

#[test]
fn round_1_in_english() {
    all("round1-en", &fixture::round1("en"), false);
}

#[test]
fn round_1_in_chinese() {
    all("round1-zh", &fixture::round1("zh"), false);
}

#[test]
fn round_2_with_feedback_in_english() {
    all("round2-en", &fixture::round2("en"), true);
}

#[test]
fn round_2_with_feedback_in_chinese() {
    all("round2-zh", &fixture::round2("zh"), true);
}

#[test]
fn the_frozen_questionnaire_of_round_2() {
    let json = serde_json::to_string_pretty(&fixture::round2("en")).expect("serialises");
    check("round2-en.json", &format!("{json}\n"));
}
