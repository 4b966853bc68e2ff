//! Round 2 starts from the expert's own answers (the study's carry-over rule), and a refused
//! web submission comes back with everything the expert typed.

mod fixture;

use std::collections::BTreeMap;

use delphi_core::study::ItemId;
use delphi_survey::html::{Problem, answer_fields, render, render_refused};
use delphi_survey::{Answer, QuantileValues, Questionnaire, personalise, questionnaire, reply, text};

fn id(q: &Questionnaire, item: &str) -> ItemId {
    q.item(item).unwrap_or_else(|| panic!("{item} is asked")).id.clone()
}

/// An expert's round-1 answers of every kind the web form and the email form ask.
fn round1_answers(q: &Questionnaire) -> BTreeMap<ItemId, Answer> {
    let order = ["protocols", "verification", "evaluations", "infrastructure"];
    let order = order.iter().map(|d| q.domains.iter().find(|v| v.id.as_str() == *d).expect("domain").id.clone());
    BTreeMap::from([
        (id(q, "verification.benefit"), Answer::Ordinal { point: 5 }),
        (id(q, "protocols.benefit"), Answer::DontKnow),
        (id(q, "verification.rationale"), Answer::Text { text: "Trust, but verify.\nTwice.".into() }),
        (id(q, "years-to-first-agreement"), Answer::Quantile(QuantileValues::five_fifty_ninety_five(2.0, 4.5, 12.0))),
        (id(q, "p-joint-evaluation-2030"), Answer::Probability { value: 0.35 }),
        (id(q, "area-ranking"), Answer::Ranking { order: order.collect() }),
    ])
}

fn personal_round2(carry_over: &str, language: &str) -> (Questionnaire, BTreeMap<ItemId, Answer>) {
    let source =
        fixture::STUDY.replacen("max_rounds = 3\n", &format!("max_rounds = 3\ncarry_over = \"{carry_over}\"\n"), 1);
    let study = delphi_core::Study::from_toml(&source, "study.toml").expect("valid");
    let feedback = fixture::feedback(&study);
    let shared = questionnaire(&study, 2, Some(&feedback), &fixture::language(&study, language)).expect("round 2");
    let previous = round1_answers(&shared);
    (personalise(&shared, &previous), previous)
}

#[test]
fn round_2_comes_filled_in_and_sent_unchanged_gives_back_every_earlier_answer() {
    for language in ["en", "zh"] {
        let (q, previous) = personal_round2("confirm", language);
        // The email form, replied to unchanged.
        let form = text::render(&q);
        let reply = reply::parse(&q, &form).unwrap_or_else(|e| panic!("{language}: {e}\n{form}"));
        assert_eq!(reply.answers, previous, "{language}: the email form");
        // The web form, submitted unchanged: its fields are what the page shows.
        let fields: Vec<(String, String)> = answer_fields(&q, &BTreeMap::new()).into_iter().collect();
        let reply = reply::parse_form(&q, &fields).unwrap_or_else(|e| panic!("{language}: {e}"));
        assert_eq!(reply.answers, previous, "{language}: the web form");
        // Both say that the answers shown are the expert's own and can be changed.
        let note = delphi_survey::ui::ui(&q.language).carried_over;
        let page = render(&q, "/s/T", &BTreeMap::new());
        assert!(form.contains(&note[..12]) && page.contains(note), "{language}: the note is missing");
        assert!(page.contains("name=\"verification.benefit\" value=\"5\" checked"), "{language}");
        assert!(page.contains("Trust, but verify.\nTwice.</textarea>"), "{language}");
    }
}

#[test]
fn an_answer_saved_in_this_round_wins_over_the_carried_over_one() {
    let (q, _) = personal_round2("confirm", "en");
    let saved = BTreeMap::from([(id(&q, "verification.benefit"), Answer::Ordinal { point: 2 })]);
    let reply = reply::parse(&q, &text::render_filled(&q, &saved)).expect("reads");
    assert_eq!(reply.answers[&id(&q, "verification.benefit")], Answer::Ordinal { point: 2 });
    assert_eq!(reply.answers[&id(&q, "protocols.benefit")], Answer::DontKnow, "the rest stays carried over");
}

#[test]
fn under_reconfirm_nothing_is_filled_in_and_the_form_asks_to_answer_again() {
    let (q, _) = personal_round2("reconfirm", "en");
    assert!(!q.has_prefill());
    let form = text::render(&q);
    assert!(reply::parse(&q, &form).is_err(), "an unchanged reply gives no answer");
    assert!(form.contains("Your answer in round 1: 5 (Somewhat high)"), "the earlier answer is shown");
    let page = render(&q, "/s/T", &BTreeMap::new());
    assert!(page.contains(delphi_survey::ui::EN.reconfirm) && !page.contains(" checked"), "{page}");
}

#[test]
fn a_refused_page_shows_every_typed_value_and_each_problem_beside_its_question() {
    let q = fixture::round1("en");
    let typed: Vec<(String, String)> = [
        ("verification.benefit", "6"),
        ("protocols.benefit", "dk"),
        ("verification.rationale", "My <reasons>, kept."),
        ("years-to-first-agreement:p5", "9"),
        ("years-to-first-agreement:p50", "3"),
        ("years-to-first-agreement:p95", "20"),
        ("p-joint-evaluation-2030", "35"),
        ("area-ranking:verification", "1"),
        ("area-ranking:protocols", "1"),
        ("area-ranking:infrastructure", "2"),
        ("area-ranking:evaluations", "3"),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect();
    let errors = reply::parse_form(&q, &typed).expect_err("two ranks of 1, quantiles out of order").0;
    let page = render_refused(&q, "/s/T", &typed, &Problem::all(&q, &errors));
    for kept in [
        "name=\"verification.benefit\" value=\"6\" checked",
        "name=\"protocols.benefit\" value=\"dk\" checked",
        "My &lt;reasons&gt;, kept.</textarea>",
    ] {
        assert!(page.contains(kept), "lost: {kept}");
    }
    for (name, value) in [
        ("years-to-first-agreement:p5", "9"),
        ("years-to-first-agreement:p50", "3"),
        ("years-to-first-agreement:p95", "20"),
        ("p-joint-evaluation-2030", "35"),
    ] {
        let tag = input(&page, name);
        assert!(tag.contains(&format!("value=\"{value}\"")), "{tag}");
    }
    let ranking = fieldset(&page, "area-ranking");
    for (option, rank) in [("verification", 1), ("protocols", 1), ("infrastructure", 2), ("evaluations", 3)] {
        let select = ranking.split(&format!("name=\"area-ranking:{option}\"")).nth(1).expect("the select");
        let select = &select[..select.find("</select>").expect("closed")];
        assert!(select.contains(&format!("<option value=\"{rank}\" selected>")), "{option}: {select}");
    }
    // Each problem sits in its question's fieldset, in words the page shows.
    assert!(ranking.contains("class=\"problem\"") && ranking.contains("Verification mechanisms and Protocols"));
    assert!(fieldset(&page, "years-to-first-agreement").contains("each value must be larger than the one before"));
    assert!(!fieldset(&page, "verification.benefit").contains("class=\"problem\""));
    assert!(!page.contains("separated by commas") && !page.contains("promising first"), "email-form wording");
    assert!(page.contains("<a href=\"#item-area-ranking\">"), "the list above links to the question");
}

/// The HTML of one item's fieldset.
fn fieldset<'a>(page: &'a str, item: &str) -> &'a str {
    let start = page.find(&format!("<fieldset id=\"item-{item}\"")).unwrap_or_else(|| panic!("{item}"));
    let end = start + page[start..].find("</fieldset>").expect("closed");
    &page[start..end]
}

/// The `<input>` tag of a field.
fn input<'a>(page: &'a str, name: &str) -> &'a str {
    let at = page.find(&format!("name=\"{name}\"")).unwrap_or_else(|| panic!("{name}"));
    let start = page[..at].rfind("<input").expect("an input");
    let end = at + page[at..].find('>').expect("closed");
    &page[start..=end]
}
