//! The simulated experts as the demo uses them: a panel drawn from a seed, then rounds of the
//! shipped study where each expert answers the questionnaire they are shown, with the group's
//! medians of the round before, or drops out; those who answer by email write a reply that the
//! survey's own reply parser reads back as the answers they meant.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use delphi_core::Study;
use delphi_core::study::ItemId;
use delphi_sim::{Blocs, Channel, Invitation, SimulatedExpert, Turn, bloc_counts, email_reply, synthetic_panel};
use delphi_survey::answer::{Answer, validate};
use delphi_survey::reply::{Signer, parse_signed};
use delphi_survey::{AnswerSpec, FrozenRound, ItemFeedback, Questionnaire, RoundFeedback};

fn shipped() -> Study {
    Study::from_toml(include_str!("../../../surveys/ai-safety-cooperation.toml"), "ai-safety-cooperation.toml")
        .expect("the shipped study is valid")
}

fn panel(experts: u32, blocs: u32, seed: u64, study: &Study) -> Vec<SimulatedExpert> {
    synthetic_panel(experts, Blocs::first(blocs).expect("1 to 4 blocs"), seed, study)
}

/// Round `round`'s English questionnaire, showing the medians of `before`'s ratings.
fn questionnaire(study: &Study, round: u32, before: Option<&[Turn]>) -> Questionnaire {
    let feedback = before.map(|turns| RoundFeedback {
        round: round - 1,
        items: medians(turns)
            .into_iter()
            .map(|(item, median)| {
                let id = ItemId::parse(&item).expect("an item id");
                (id, ItemFeedback { median: Some(median), ..ItemFeedback::default() })
            })
            .collect(),
    });
    FrozenRound::build(study, round, feedback.as_ref()).expect("the round builds").in_language("en").clone()
}

/// Each rated item's median over the experts who answered.
fn medians(turns: &[Turn]) -> BTreeMap<String, f64> {
    let mut points: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for answers in turns.iter().filter_map(answers) {
        for (item, answer) in answers {
            if let Answer::Ordinal { point } = answer {
                points.entry(item.clone()).or_default().push(f64::from(*point));
            }
        }
    }
    points
        .into_iter()
        .map(|(item, mut values)| {
            values.sort_by(f64::total_cmp);
            let n = values.len();
            let median = if n % 2 == 1 { values[n / 2] } else { f64::midpoint(values[n / 2 - 1], values[n / 2]) };
            (item, median)
        })
        .collect()
}

fn answers(turn: &Turn) -> Option<&BTreeMap<String, Answer>> {
    match turn {
        Turn::Answers(answers) => Some(answers),
        Turn::Gone | Turn::DropsOut => None,
    }
}

/// Every expert's turn in `rounds` rounds, each round shown the medians of the round before.
fn run(study: &Study, panel: &mut [SimulatedExpert], rounds: u32, dropout: f64) -> Vec<Vec<Turn>> {
    let mut all: Vec<Vec<Turn>> = Vec::new();
    for round in 1..=rounds {
        let shown = questionnaire(study, round, all.last().map(Vec::as_slice));
        all.push(panel.iter_mut().map(|expert| expert.take_turn(&shown, round, dropout)).collect());
    }
    all
}

fn rating(answers: &BTreeMap<String, Answer>, item: &str) -> Option<i32> {
    match answers.get(item) {
        Some(Answer::Ordinal { point }) => Some(*point),
        _ => None,
    }
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

#[test]
fn the_same_seed_gives_the_same_panel_and_the_same_answers_round_after_round() {
    let study = shipped();
    let (mut first, mut second) = (panel(40, 4, 2504, &study), panel(40, 4, 2504, &study));
    let who = |panel: &[SimulatedExpert]| -> Vec<(String, String, Channel, bool)> {
        panel.iter().map(|e| (e.name.clone(), e.email.clone(), e.channel, e.holds_out())).collect()
    };
    assert_eq!(who(&first), who(&second));
    assert_eq!(run(&study, &mut first, 3, 0.1), run(&study, &mut second, 3, 0.1));
}

#[test]
fn another_seed_gives_other_experts_and_other_answers() {
    let study = shipped();
    let (mut first, mut second) = (panel(40, 4, 2504, &study), panel(40, 4, 2505, &study));
    let names = |panel: &[SimulatedExpert]| panel.iter().map(|e| e.name.clone()).collect::<Vec<_>>();
    assert_ne!(names(&first), names(&second));
    let (a, b) = (run(&study, &mut first, 1, 0.0), run(&study, &mut second, 1, 0.0));
    let differing = a[0].iter().zip(&b[0]).filter(|(x, y)| x != y).count();
    assert!(differing > 30, "only {differing} of 40 experts answered differently");
}

#[test]
fn the_blocs_take_turns_a_quarter_answer_by_email_and_names_say_they_are_made_up() {
    let study = shipped();
    let forty = panel(40, 4, 7, &study);
    assert_eq!(bloc_counts(&forty), "US 10, China 10, Europe 10, Other 10");
    assert_eq!(forty.iter().filter(|e| e.channel == Channel::Email).count(), 10);
    let ids: Vec<&str> = forty.iter().map(|e| e.id.as_str()).collect();
    assert_eq!((ids[0], ids[39]), ("E01", "E40"));
    assert!(forty.iter().all(|e| e.email.ends_with("@panel.example.org")));
    let seven = panel(7, 2, 7, &study);
    assert_eq!(bloc_counts(&seven), "US 4, China 3");
    assert_eq!(seven.iter().filter(|e| e.channel == Channel::Email).count(), 2, "a quarter, rounded up");
    let holdouts = panel(1000, 4, 7, &study).iter().filter(|e| e.holds_out()).count();
    assert!(holdouts.abs_diff(150) < 40, "about 15 % hold out: {holdouts} of 1000");
    assert!(Blocs::first(0).is_none() && Blocs::first(5).is_none());
}

#[test]
fn drop_out_comes_about_as_often_as_asked_and_is_for_good() {
    let study = shipped();
    let mut experts = panel(1000, 4, 3, &study);
    let turns = run(&study, &mut experts, 2, 0.2);
    let dropped = |round: usize| turns[round].iter().filter(|t| **t == Turn::DropsOut).count();
    // a binomial(1000, 0.2) count: its standard deviation is about 13
    assert!(dropped(0).abs_diff(200) < 45, "round 1: {} of 1000 dropped out", dropped(0));
    let still = 1000 - dropped(0);
    assert!(dropped(1).abs_diff(still / 5) < 45, "round 2: {} of {still} dropped out", dropped(1));
    for (first, second) in turns[0].iter().zip(&turns[1]) {
        if *first == Turn::DropsOut {
            assert_eq!(*second, Turn::Gone, "an expert who dropped out answered again");
        }
    }
    assert_eq!(experts.iter().filter(|e| e.has_dropped_out()).count(), dropped(0) + dropped(1));
    let mut none_drop = panel(200, 4, 3, &study);
    assert!(run(&study, &mut none_drop, 2, 0.0).iter().flatten().all(|t| answers(t).is_some()));
}

#[test]
fn every_answer_is_valid_for_its_question_in_every_round() {
    let study = shipped();
    let mut experts = panel(60, 4, 2504, &study);
    let turns = run(&study, &mut experts, 3, 0.1);
    let shown = questionnaire(&study, 1, None);
    for (round, turns) in turns.iter().enumerate() {
        for answers in turns.iter().filter_map(answers) {
            for item in &shown.items {
                if let Some(answer) = answers.get(item.id.as_str()) {
                    assert_eq!(validate(&item.answer, answer), Ok(()), "round {}: {}", round + 1, item.id.as_str());
                }
            }
            for item in &shown.items {
                let asked = matches!(item.answer, AnswerSpec::Ordinal { .. } | AnswerSpec::Ranking { .. });
                assert!(!asked || answers.contains_key(item.id.as_str()), "{} left out", item.id.as_str());
            }
        }
    }
}

#[test]
fn most_move_toward_the_median_they_were_shown_and_holdouts_keep_their_ratings_and_say_why() {
    let study = shipped();
    let mut experts = panel(200, 4, 2504, &study);
    let turns = run(&study, &mut experts, 2, 0.0);
    let shown = medians(&turns[0]);
    let (mut before, mut after, mut moved) = (0.0, 0.0, 0);
    let mut explained = 0;
    for (expert, (first, second)) in experts.iter().zip(turns[0].iter().zip(&turns[1])) {
        let (first, second) = (answers(first).unwrap(), answers(second).unwrap());
        for (item, median) in &shown {
            let (Some(was), Some(now)) = (rating(first, item), rating(second, item)) else { continue };
            let (was_off, now_off) = ((f64::from(was) - median).abs(), (f64::from(now) - median).abs());
            assert!(now_off <= was_off, "{} moved away from the median on {item}: {was} → {now}", expert.id);
            if expert.holds_out() {
                assert_eq!(was, now, "holdout {} changed {item}", expert.id);
            }
            before += was_off;
            after += now_off;
            moved += usize::from(was != now);
        }
        let keeps =
            second.values().any(|a| matches!(a, Answer::Text { text } if text.starts_with("I keep my ratings")));
        let keeps_zh = second
            .values()
            .any(|a| matches!(a, Answer::Text { text } if text.starts_with("看过小组反馈后我维持原评分")));
        if keeps || keeps_zh {
            assert!(expert.holds_out(), "{} is no holdout but says they keep their ratings", expert.id);
            explained += 1;
        }
    }
    assert!(after < 0.6 * before, "the spread around the medians went from {before} to {after} only");
    assert!(moved > 200, "only {moved} ratings moved");
    assert!(explained > 0, "no holdout explained why they keep their ratings");
}

#[test]
fn the_chinese_bloc_answers_in_chinese_where_the_study_asks_in_chinese() {
    let study = shipped();
    let mut experts = panel(80, 4, 2504, &study);
    let turns = run(&study, &mut experts, 2, 0.0);
    let mut texts = (0, 0);
    for (expert, turn) in turns.iter().flat_map(|round| experts.iter().zip(round)) {
        assert_eq!(expert.language, if expert.bloc == "China" { "zh" } else { "en" }, "{}", expert.id);
        for answer in answers(turn).unwrap().values() {
            let Answer::Text { text } = answer else { continue };
            if expert.bloc == "China" {
                assert!(text.chars().any(is_cjk) && !text.chars().any(|c| c.is_ascii_alphabetic()), "{text}");
                texts.0 += 1;
            } else {
                assert!(text.is_ascii(), "{}: {text}", expert.id);
                texts.1 += 1;
            }
        }
    }
    assert!(texts.0 > 10 && texts.1 > 10, "texts written (Chinese, English): {texts:?}");

    let english_only = Study::from_toml(include_str!("../../../surveys/starter.toml"), "starter.toml").unwrap();
    for expert in panel(8, 4, 2504, &english_only) {
        assert_eq!(expert.language, "en", "{} of {} in a study asked in English", expert.id, expert.bloc);
    }
}

#[test]
fn an_emailed_reply_is_read_back_as_the_answers_the_expert_meant() {
    let study = shipped();
    let mut experts = panel(8, 4, 11, &study);
    let frozen = FrozenRound::build(&study, 1, None).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 3, 2, 9, 30, 0).unwrap();
    for expert in &mut experts {
        let shown = frozen.in_language(expert.language);
        let Turn::Answers(answers) = expert.take_turn(shown, 1, 0.0) else { panic!("no drop-out asked") };
        let invitation = Invitation {
            link_token: "tok".into(),
            reply_to: "delphi+tok@demo.example.org".into(),
            subject: "Round 1".into(),
            message_id: "invite-1@demo.example.org".into(),
            from: "delphi@demo.example.org".into(),
            text: delphi_survey::text::render(shown),
        };
        let raw = String::from_utf8(email_reply(expert, &invitation, &answers, 1, 11, now)).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("From: {} <{}>", expert.name, expert.email)), "{head}");
        assert!(head.contains("In-Reply-To: <invite-1@demo.example.org>"), "{head}");
        let greeting = if expert.language == "zh" { "您好" } else { "Hello" };
        assert!(body.starts_with(greeting), "{}: {body}", expert.id);
        let signer = Signer::new(&expert.name, &expert.email);
        let read = parse_signed(shown, body, &signer).unwrap_or_else(|e| panic!("{}: {e:?}\n{body}", expert.id));
        let read: BTreeMap<String, Answer> =
            read.answers.into_iter().map(|(item, answer)| (item.as_str().to_owned(), answer)).collect();
        assert_eq!(read, answers, "{}'s reply", expert.id);
    }
}
