//! Feedback that scales with the panel: a round-2 invitation to a panel of 1,000 experts,
//! each of whom wrote a rationale for every area in round 1, is composed as the mailer
//! sends it. The email stays under 100 KB, carries at most a few rationales per item
//! (identical ones grouped with their count) and says how many more are on the expert's
//! web page; the web form holds every one of them.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use delphi_collect::mail::{Addressee, Letter, Sender, StudyNotice, Threading, compose};
use delphi_core::Study;
use delphi_core::study::ResponseKind;
use delphi_survey::answer::Answer;
use delphi_survey::feedback::Grouped;
use delphi_survey::text::{EMAIL_PROPOSALS_PER_ITEM, EMAIL_RATIONALES_PER_ITEM};
use delphi_survey::{FrozenRound, ItemFeedback, PointCount, Rationales, RoundFeedback};

const STUDY: &str = include_str!("../../../surveys/ai-safety-cooperation.toml");
const PANEL_SIZE: usize = 1_000;
const BOUND: usize = 100 * 1024;

/// What expert `e` wrote about `domain`: distinct texts of a realistic length, except that
/// every tenth expert wrote the same short sentence (it must be grouped, not repeated).
fn rationale(e: usize, domain: &str) -> String {
    if e.is_multiple_of(10) {
        "Too early to tell.".to_owned()
    } else {
        format!(
            "Expert {e} on {domain}: the benefits depend on verification that both sides can run \
             without exposing sensitive model details, and on a track record of small joint projects."
        )
    }
}

/// Round 1's feedback as the coordinator freezes it: per area, the recommendation's
/// distribution and every expert's rationale by where their rating lay.
fn round_1_feedback(study: &Study) -> RoundFeedback {
    let mut items = BTreeMap::new();
    for domain in &study.domains {
        let d = domain.id.as_str();
        let mut rationales = Rationales::default();
        for e in 0..PANEL_SIZE {
            let side = match e % 3 {
                _ if e.is_multiple_of(10) => &mut rationales.at,
                0 => &mut rationales.below,
                1 => &mut rationales.at,
                _ => &mut rationales.above,
            };
            side.push(rationale(e, d).into());
        }
        let n = u32::try_from(PANEL_SIZE).unwrap();
        let anchor = study.questions().into_iter().find(|q| q.id.as_str() == format!("{d}.recommendation")).unwrap();
        let distribution = (1..=5).map(|point| PointCount { point, count: if point == 3 { n } else { 0 } }).collect();
        items.insert(
            anchor.id,
            ItemFeedback {
                n,
                median: Some(3.0),
                q1: Some(3.0),
                q3: Some(3.0),
                distribution,
                rationales,
                ..Default::default()
            },
        );
    }
    // Every other rating question has its figures too, as a round freezes them: a spread
    // over the whole scale, so each chart draws a bar at every point.
    for question in study.questions_in_round(2) {
        let ResponseKind::Ordinal { scale } = &question.response else { continue };
        let scale = study.scale(scale).unwrap();
        let distribution: Vec<PointCount> = (scale.min..=scale.max)
            .map(|point| PointCount {
                point,
                count: u32::try_from(PANEL_SIZE).unwrap() / 10 + u32::try_from(point).unwrap(),
            })
            .collect();
        let n = distribution.iter().map(|p| p.count).sum();
        let middle = f64::from(scale.min + scale.max) / 2.0;
        items.entry(question.id).or_insert_with(|| ItemFeedback {
            n,
            median: Some(middle),
            q1: Some(middle - 1.0),
            q3: Some(middle + 1.0),
            distribution,
            ..Default::default()
        });
    }
    // And every expert proposed an idea of their own.
    let proposals = (0..PANEL_SIZE)
        .map(|e| Grouped { text: format!("Proposal {e:04}: a joint project on evaluating model autonomy"), count: 1 })
        .collect();
    let proposals_item = study.questions().into_iter().find(|q| q.id.as_str() == "proposals").unwrap().id;
    let n = u32::try_from(PANEL_SIZE).unwrap();
    items.insert(proposals_item, ItemFeedback { n, proposals, ..Default::default() });
    RoundFeedback { round: 1, items }
}

#[test]
fn a_round_2_invitation_to_1000_experts_stays_under_100_kb_and_points_to_the_rest_on_the_web() {
    let study = Study::from_toml(STUDY, "study.toml").unwrap();
    let frozen = FrozenRound::build(&study, 2, Some(&round_1_feedback(&study))).unwrap();
    let previous = BTreeMap::from([(
        study.questions().into_iter().find(|q| q.id.as_str() == "verification.recommendation").unwrap().id,
        Answer::Ordinal { point: 4 },
    )]);
    let personal = delphi_survey::personalise(frozen.in_language("en"), &previous);

    let sender = Sender {
        from: "Delphi <delphi@example.org>".parse().unwrap(),
        reply_to: "delphi@example.org".parse().unwrap(),
        base_url: "https://delphi.example.org".into(),
        // the letter as sent: who asks, why, the privacy statement
        notice: StudyNotice::of(&study),
    };
    let to = Addressee {
        name: "Expert One".into(),
        email: "one@example.org".into(),
        time_zone: Some("Asia/Shanghai".into()),
    };
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let threading = Threading { message_id: "<r2.e01@example.org>".into(), in_reply_to: None, date: at };
    let deadline = at + chrono::Duration::days(14);
    let letter = Letter::Invitation { questionnaire: &personal, deadline };
    let message = compose(&letter, &sender, &to, Some("tok3n"), &threading).unwrap().formatted();
    assert!(message.len() <= BOUND, "the invitation is {} bytes, over {BOUND}", message.len());
    // In Chinese too, whose text travels base64-encoded (a third larger than it is).
    let chinese = delphi_survey::personalise(frozen.in_language("zh"), &previous);
    let letter = Letter::Invitation { questionnaire: &chinese, deadline };
    let zh = compose(&letter, &sender, &to, Some("tok3n"), &threading).unwrap().formatted();
    eprintln!(
        "round-2 invitation at {PANEL_SIZE} experts: {} bytes in English, {} in Chinese",
        message.len(),
        zh.len()
    );
    assert!(zh.len() <= BOUND, "the Chinese invitation is {} bytes, over {BOUND}", zh.len());

    // The form in the email: at most the cap per item, the rest counted and pointed to.
    let form = delphi_survey::text::render(&personal);
    let distinct = PANEL_SIZE - PANEL_SIZE.div_ceil(10) + 1;
    let more = format!("Not shown here: {} more, all on your personal web page", distinct - EMAIL_RATIONALES_PER_ITEM);
    // Read as a person reads it: the form's wrapped lines joined again.
    let flat: String = form.lines().map(|l| l.trim_start_matches("::").trim()).collect::<Vec<_>>().join(" ");
    assert_eq!(flat.matches(&more).count(), study.domains.len(), "each area says how many more:\n{form}");
    let shown = form.lines().filter(|l| l.contains(": the benefits depend on")).count();
    assert!(
        shown <= study.domains.len() * EMAIL_RATIONALES_PER_ITEM,
        "{shown} rationales in the email; at most {EMAIL_RATIONALES_PER_ITEM} per item"
    );
    // Each side of the median is heard, and the shared sentence once with its count.
    for heading in ["Answers below the median", "Answers at the median", "Answers above the median"] {
        assert_eq!(form.matches(heading).count(), study.domains.len(), "{heading}");
    }
    let shared = format!("- Too early to tell. (×{})", PANEL_SIZE / 10);
    assert_eq!(form.matches(&shared).count(), study.domains.len(), "{shared}");

    assert_eq!(flat.matches("a joint project on evaluating model autonomy").count(), EMAIL_PROPOSALS_PER_ITEM);
    let more_proposals = format!("Not shown here: {} more", PANEL_SIZE - EMAIL_PROPOSALS_PER_ITEM);
    assert_eq!(flat.matches(&more_proposals).count(), 1, "{form}");

    // The web form: every rationale and proposal, the shared rationale once with its count.
    let page = delphi_survey::html::render(&personal, "/s/tok3n", &BTreeMap::new());
    for domain in &study.domains {
        for e in (1..PANEL_SIZE).filter(|e| !e.is_multiple_of(10)) {
            let text = rationale(e, domain.id.as_str());
            assert!(page.contains(&text), "the web page lacks “{text}”");
        }
    }
    assert_eq!(page.matches("Too early to tell.").count(), study.domains.len());
    assert_eq!(page.matches("a joint project on evaluating model autonomy").count(), PANEL_SIZE);
    assert!(page.contains(&format!("Too early to tell. <span class=\"count\">(×{})</span>", PANEL_SIZE / 10)));
}
