//! Building a round's questionnaire from the study and the previous round's feedback.

mod fixture;

use delphi_survey::{Answer, ItemFeedback, OwnAnswer, PointCount, RoundFeedback, SurveyError, questionnaire};

#[test]
fn feedback_is_attached_to_every_item_asked_before_but_never_to_seeds() {
    let study = fixture::study();
    let mut fb = fixture::feedback(&study);
    // the statistics engine may summarise seeds too; experts must not see them
    let seed = study.seeds[0].id.clone();
    fb.items.insert(seed.clone(), ItemFeedback { n: 12, median: Some(28.0), ..ItemFeedback::default() });
    let q = questionnaire(&study, 2, Some(&fb), study.default_language()).expect("builds");
    assert_eq!(q.feedback_round, Some(1));
    for item in &q.items {
        assert_eq!(item.feedback.is_some(), !item.is_seed && fb.items.contains_key(&item.id), "{}", item.id);
    }
    let json = serde_json::to_string(&q).expect("serialises");
    assert!(!json.contains("28.0") && !json.contains(":28,"), "a seed's group median leaked");
}

#[test]
fn round_1_has_no_feedback() {
    let q = fixture::round1("en");
    assert_eq!(q.feedback_round, None);
    assert!(q.items.iter().all(|i| i.feedback.is_none()));
    assert_eq!(q.format, delphi_survey::QUESTIONNAIRE_FORMAT);
}

#[test]
fn feedback_that_does_not_fit_its_item_is_refused() {
    let study = fixture::study();
    let id = study.questions()[0].id.clone();
    let bad = |fb: ItemFeedback| {
        let feedback = RoundFeedback { round: 1, items: [(id.clone(), fb)].into_iter().collect() };
        questionnaire(&study, 2, Some(&feedback), study.default_language()).unwrap_err()
    };
    let off_scale = ItemFeedback { n: 1, distribution: vec![PointCount { point: 9, count: 1 }], ..Default::default() };
    assert!(matches!(bad(off_scale), SurveyError::BadFeedback { .. }));
    let wrong_own =
        ItemFeedback { own: OwnAnswer::Given { answer: Answer::Numeric { value: 3.0 } }, ..Default::default() };
    assert_eq!(
        bad(wrong_own).to_string(),
        "feedback for item verification.benefit: own answer: expected a point on the scale"
    );
    let miscounted = ItemFeedback {
        n: 5,
        distribution: (1..=7).map(|point| PointCount { point, count: 1 }).collect(),
        ..Default::default()
    };
    assert_eq!(
        bad(miscounted).to_string(),
        "feedback for item verification.benefit: n is 5 but the distribution counts 7"
    );
}

#[test]
fn an_unknown_language_falls_back_to_the_study_default() {
    let study = fixture::study();
    let fr: delphi_core::study::Language = serde_json::from_str("\"fr\"").expect("a language code");
    let q = questionnaire(&study, 1, None, &fr).expect("builds");
    assert_eq!(q.language.as_str(), "en");
}

#[test]
fn a_language_without_ui_texts_gets_the_study_texts_and_english_ui() {
    // the shipped study with its Chinese texts declared as a language the UI table lacks
    let source = fixture::STUDY
        .replace("languages = [\"en\", \"zh\"]", "languages = [\"en\", \"fr\"]")
        .replace(".zh = ", ".fr = ");
    let study = delphi_core::Study::from_toml(&source, "study.toml").expect("valid");
    let fr = fixture::language(&study, "fr");
    let q = questionnaire(&study, 1, None, &fr).expect("builds");
    let form = delphi_survey::text::render(&q);
    assert!(form.contains("How to answer") && form.contains("验证机制"), "{form}");
    let page = delphi_survey::html::render(&q, "/s/x", &Default::default());
    assert!(page.contains("<html lang=\"fr\">") && page.contains("Submit answers"));
}

#[test]
fn the_shared_questionnaire_says_nothing_of_anyone_until_personalised() {
    let mut shared = fixture::round2("en");
    for item in &mut shared.items {
        if let Some(feedback) = &mut item.feedback {
            feedback.own = OwnAnswer::NotPersonalised;
        }
    }
    let text = delphi_survey::text::render(&shared);
    assert!(text.contains("The group in round 1") || text.contains("round 1"), "feedback is shown");
    assert!(!text.contains("You did not answer") && !text.contains("Your answer in round"), "{text}");

    let benefit = delphi_core::study::ItemId::for_domain_criterion(
        &shared.domains[0].id,
        shared.items[0].criterion.as_ref().expect("a criterion item"),
    );
    let previous = std::collections::BTreeMap::from([(benefit.clone(), Answer::Ordinal { point: 6 })]);
    let personal = delphi_survey::personalise(&shared, &previous);
    let own = |id: &delphi_core::study::ItemId| {
        personal.items.iter().find(|i| &i.id == id).and_then(|i| i.feedback.clone()).map(|f| f.own)
    };
    assert_eq!(own(&benefit), Some(OwnAnswer::Given { answer: Answer::Ordinal { point: 6 } }));
    let other =
        personal.items.iter().find(|i| i.feedback.is_some() && i.id != benefit).expect("another item with feedback");
    assert_eq!(other.feedback.as_ref().map(|f| f.own.clone()), Some(OwnAnswer::Missing));
    let text = delphi_survey::text::render(&personal);
    assert!(text.contains("You did not answer this item in round 1."), "{text}");
    assert_eq!(
        shared.items[0].feedback.as_ref().map(|f| f.own.clone()),
        Some(OwnAnswer::NotPersonalised),
        "the shared copy is unchanged"
    );
}
