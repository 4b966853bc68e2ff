//! The reply-by-email form and its parser: examples of what experts' mail clients do,
//! and property tests (any valid answers, written the way an expert would, read back the
//! same; malformed replies give errors and never answers).

mod fixture;

use std::collections::BTreeMap;

use delphi_core::study::ItemId;
use delphi_survey::answer::{QuantileValues, format_value};
use delphi_survey::reply::{ReplyError, Signer, parse, parse_signed, read_signed};
use delphi_survey::{Answer, AnswerSpec, Questionnaire, RankOrder, Tier, text};
use proptest::prelude::*;

/// The form with `answers` written after their markers, as a plain list of lines; with
/// `next_line`, single-line answers go on the line after their marker.
fn fill(q: &Questionnaire, answers: &BTreeMap<ItemId, Answer>, next_line: bool) -> Vec<String> {
    let mut out = Vec::new();
    for line in text::render_filled(q, answers).lines() {
        let marker = line.strip_prefix('[').and_then(|l| l.split_once(']'));
        match marker {
            Some((id, value)) if next_line && q.item(id).is_some_and(|i| i.answer != AnswerSpec::Text) => {
                out.push(format!("[{id}]"));
                out.push(value.trim().to_owned());
            }
            _ => out.push(line.to_owned()),
        }
    }
    out
}

fn answers(pairs: &[(&str, Answer)]) -> BTreeMap<ItemId, Answer> {
    let q = fixture::round1("en");
    pairs.iter().map(|(id, a)| (q.item(id).expect("item").id.clone(), a.clone())).collect()
}

fn quote(lines: &[String], prefix: &str) -> Vec<String> {
    lines.iter().map(|l| format!("{prefix}{l}")).collect()
}

#[test]
fn a_filled_form_reads_back() {
    let q = fixture::round1("en");
    let given = answers(&[
        ("verification.benefit", Answer::Ordinal { point: 5 }),
        ("verification.risk-harm", Answer::DontKnow),
        ("verification.rationale", Answer::Text { text: "Verification is\nhard.".replace('\n', " ") }),
        ("years-to-first-agreement", Answer::Quantile(QuantileValues::five_fifty_ninety_five(1.0, 4.5, 20.0))),
        ("p-joint-evaluation-2030", Answer::Probability { value: 0.07 }),
    ]);
    let mail = fill(&q, &given, false).join("\n");
    let reply = parse(&q, &mail).expect("parses");
    assert_eq!(reply.answers, given);
    assert_eq!(reply.unanswered.len(), q.items.len() - given.len());
}

#[test]
fn gmail_style_inline_answers_below_a_wrapped_attribution_with_crlf() {
    let q = fixture::round1("en");
    let mut lines = vec![
        "Dear coordinator,".to_owned(),
        String::new(),
        "my answers are below.".to_owned(),
        String::new(),
        "On Mon, 30 Nov 2026 at 09:00, Delphi study <delphi@example.org>".to_owned(),
        "wrote:".to_owned(),
    ];
    let form = text::render(&q);
    for line in form.lines() {
        match line {
            "[verification.benefit]" => lines.push("> [verification.benefit] 6".to_owned()),
            "[protocols.benefit]" => {
                lines.push("> [protocols.benefit]".to_owned());
                lines.push("5 (Somewhat high)".to_owned());
            }
            "[verification.rationale]" => {
                lines.push(">> [verification.rationale] Checks on compute are feasible".to_owned());
                lines.push(">> and cheap.".to_owned());
                lines.push(">>".to_owned());
                lines.push(">> Second paragraph with <b>html</b>.".to_owned());
            }
            l => lines.push(format!("> {l}")),
        }
    }
    lines.extend(["-- ".to_owned(), "Ada Example".to_owned(), "Example University".to_owned()]);
    let reply = parse(&q, &lines.join("\r\n")).expect("parses");
    let expected = answers(&[
        ("verification.benefit", Answer::Ordinal { point: 6 }),
        ("protocols.benefit", Answer::Ordinal { point: 5 }),
        (
            "verification.rationale",
            Answer::Text {
                // the line break the expert typed is kept
                text: "Checks on compute are feasible\nand cheap.\n\nSecond paragraph with <b>html</b>.".to_owned(),
            },
        ),
    ]);
    assert_eq!(reply.answers, expected);
}

#[test]
fn outlook_style_top_post_wins_over_the_blank_form_below() {
    let q = fixture::round2("zh");
    let given = answers(&[("evaluations.benefit", Answer::Ordinal { point: 7 })]);
    let mut lines = fill(&q, &given, false);
    lines.extend(["".into(), "________________________________".into(), "From: Delphi <d@example.org>".into()]);
    lines.extend(["Sent: Monday, 30 November 2026 09:00".into(), "To: Ada".into(), "Subject: Round 2".into()]);
    lines.push(String::new());
    lines.extend(text::render(&q).lines().map(str::to_owned));
    assert_eq!(parse(&q, &lines.join("\n")).expect("parses").answers, given);
}

#[test]
fn chinese_clients_full_width_brackets_and_digits() {
    let q = fixture::round1("zh");
    let mut lines = vec!["见下。".to_owned(), "------------------ 原始邮件 ------------------".to_owned()];
    lines.extend(["发件人: Delphi".to_owned(), "发送时间: 2026年11月30日".to_owned(), String::new()]);
    lines.push("【verification.benefit】 ６".to_owned());
    lines.push("［protocols.benefit］：不知道".to_owned());
    lines.push("[years-to-first-agreement] 5%：２；50%：５．５；95%：２０".to_owned());
    lines.push("[p-joint-evaluation-2030] ３０％".to_owned());
    lines.push("[area-ranking] 2、1、4、3".to_owned());
    let reply = parse(&q, &lines.join("\n")).expect("parses");
    let ranking = ["protocols", "verification", "evaluations", "infrastructure"];
    let order = ranking.iter().map(|d| q.domains.iter().find(|v| v.id.as_str() == *d).expect("d").id.clone());
    let expected = answers(&[
        ("verification.benefit", Answer::Ordinal { point: 6 }),
        ("protocols.benefit", Answer::DontKnow),
        ("years-to-first-agreement", Answer::Quantile(QuantileValues::five_fifty_ninety_five(2.0, 5.5, 20.0))),
        ("p-joint-evaluation-2030", Answer::Probability { value: 0.3 }),
        ("area-ranking", Answer::Ranking { order: order.collect() }),
    ]);
    assert_eq!(reply.answers, expected);
}

#[test]
fn every_problem_is_reported_and_no_answer_is_returned() {
    let q = fixture::round1("en");
    let mail = [
        "[verification.benefit] 9",
        "[protocols.benefit] 4",
        "[verification.benfit] 3",
        "[years-to-first-agreement] 30 10 20",
        "[p-joint-evaluation-2030] 0.3",
        "[area-ranking] protocols, protocols, evaluations",
        "[infrastructure.benefit] 4",
        "[infrastructure.benefit] 5",
        "[seed-bletchley-countries] 5%: 10 50%: 20",
    ]
    .join("\n");
    let errors = parse(&q, &mail).expect_err("malformed").0;
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let expected = [
        "[verification.benfit] is not an item of this form; check its spelling (line 3)",
        "item verification.benefit: 9 is outside 1–7 (line 1)",
        "item years-to-first-agreement: each value must be larger than the one before, found 5 %: 30, 50 %: 10, 95 %: 20 (line 4)",
        "item p-joint-evaluation-2030: write the probability as a percentage from 0 to 100: 30 for 30 % (or 0.3% if you mean 0.3 %), found “0.3” (line 5)",
        "item area-ranking: protocols is listed more than once; verification, infrastructure is missing; list every option exactly once, in your order (line 6)",
        "item infrastructure.benefit is answered twice, differently (lines 7 and 8); keep one answer",
        "item seed-bletchley-countries: give three numbers, the 5 %, 50 % and 95 % quantiles (for example 5%: 2  50%: 5  95%: 15), found 2 (line 9)",
    ];
    assert_eq!(messages, expected);
}

#[test]
fn a_reply_without_the_form_or_without_answers_is_refused() {
    let q = fixture::round1("en");
    assert_eq!(parse(&q, "Thanks, I'll answer next week.\n-- \nAda").unwrap_err().0, [ReplyError::NoForm]);
    let blank = format!("Hi\n\nOn Mon, Delphi wrote:\n{}", quote(&fill(&q, &BTreeMap::new(), false), "> ").join("\n"));
    assert_eq!(parse(&q, &blank).unwrap_err().0, [ReplyError::NoAnswers]);
}

#[test]
fn other_experts_rationales_in_the_form_are_never_read_as_answers() {
    let q = fixture::round2("en");
    let given = answers(&[("evaluations.benefit", Answer::Ordinal { point: 2 })]);
    let mail = fill(&q, &given, false).join("\n");
    assert!(mail.contains("[verification.benefit] 1"), "the hostile rationale is in the form");
    assert_eq!(parse(&q, &mail).expect("parses").answers, given);
}

// ------------------------------------------------------------------ properties

const WORDS: [&str; 16] = [
    "alpha",
    "beta",
    "gamma",
    "合作",
    "互信。",
    "<script>alert(1)</script>",
    "#set",
    "*bold*",
    "[link](x)",
    "=cmd|'",
    "/C",
    "calc'!A0",
    "&amp;",
    "x>y",
    "50%",
    "-1",
];

fn text_strategy() -> BoxedStrategy<String> {
    let paragraph = prop::collection::vec(prop::sample::select(WORDS.to_vec()), 1..14).prop_map(|w| w.join(" "));
    prop::collection::vec(paragraph, 1..4).prop_map(|p| p.join("\n\n")).boxed()
}

fn bounded(min: Option<f64>, max: Option<f64>) -> BoxedStrategy<f64> {
    let (lo, hi) = (min.unwrap_or(-1e6), max.unwrap_or(1e6));
    prop_oneof![(lo..=hi), (0i64..=100).prop_map(move |k| lo + (hi - lo) * (k as f64) / 100.0)]
        .prop_map(move |v: f64| v.clamp(lo, hi))
        .boxed()
}

fn answer_strategy(spec: &AnswerSpec) -> BoxedStrategy<Option<Answer>> {
    let answer: BoxedStrategy<Answer> = match spec.clone() {
        AnswerSpec::Ordinal { min, max, dont_know, .. } => {
            let point = (min..=max).prop_map(|point| Answer::Ordinal { point });
            if dont_know { prop_oneof![4 => point, 1 => Just(Answer::DontKnow)].boxed() } else { point.boxed() }
        }
        AnswerSpec::Numeric { min, max, .. } => bounded(min, max).prop_map(|value| Answer::Numeric { value }).boxed(),
        AnswerSpec::Quantile { min, max, levels, .. } => proptest::collection::vec(bounded(min, max), levels.len())
            .prop_filter_map("each value larger than the one before", move |mut v| {
                v.sort_by(f64::total_cmp);
                v.dedup();
                QuantileValues::new(levels, v).map(Answer::Quantile)
            })
            .boxed(),
        AnswerSpec::Probability => prop_oneof![(0.0..=1.0f64), (0u32..=100).prop_map(|p| f64::from(p) / 100.0)]
            .prop_map(|value| Answer::Probability { value })
            .boxed(),
        AnswerSpec::Ranking { options, ties: false } => Just(options.into_iter().map(|o| o.id).collect::<Vec<_>>())
            .prop_shuffle()
            .prop_map(|order| Answer::Ranking { order: order.into_iter().collect() })
            .boxed(),
        // Where ties are allowed, any order cut into places of one or more options.
        AnswerSpec::Ranking { options, ties: true } => {
            let n = options.len();
            (
                Just(options.into_iter().map(|o| o.id).collect::<Vec<_>>()).prop_shuffle(),
                prop::collection::vec(any::<bool>(), n),
            )
                .prop_map(|(order, shares)| {
                    let mut tiers: Vec<Vec<_>> = Vec::new();
                    for (option, shares_the_place_before) in order.into_iter().zip(shares) {
                        match tiers.last_mut() {
                            Some(place) if shares_the_place_before => place.push(option),
                            _ => tiers.push(vec![option]),
                        }
                    }
                    Answer::Ranking { order: RankOrder::new(tiers.into_iter().filter_map(Tier::new).collect()) }
                })
                .boxed()
        }
        AnswerSpec::Text => text_strategy().prop_map(|text| Answer::Text { text }).boxed(),
    };
    prop::option::weighted(0.7, answer).boxed()
}

fn answers_strategy(q: &Questionnaire) -> BoxedStrategy<BTreeMap<ItemId, Answer>> {
    let items: Vec<(ItemId, BoxedStrategy<Option<Answer>>)> =
        q.items.iter().map(|i| (i.id.clone(), answer_strategy(&i.answer))).collect();
    let ids: Vec<ItemId> = items.iter().map(|(id, _)| id.clone()).collect();
    items
        .into_iter()
        .map(|(_, s)| s)
        .collect::<Vec<_>>()
        .prop_map(move |values| {
            ids.iter().zip(values).filter_map(|(id, v)| v.map(|v| (id.clone(), v))).collect::<BTreeMap<_, _>>()
        })
        .prop_filter("at least one answer", |a| !a.is_empty())
        .boxed()
}

/// How an expert's mail client treats the filled-in form.
#[derive(Debug, Clone)]
struct Style {
    top_posted: bool,
    quote: &'static str,
    depth: usize,
    crlf: bool,
    wrap: usize,
    requote_wrapped: bool,
    next_line: bool,
    strip_comments: bool,
    header: usize,
}

fn style() -> impl Strategy<Value = Style> {
    (
        any::<bool>(),
        prop::sample::select(vec!["> ", ">", "> > "]),
        0usize..=3,
        any::<bool>(),
        12usize..=76,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        0usize..6,
    )
        .prop_map(|(top_posted, quote, depth, crlf, wrap, requote_wrapped, next_line, strip_comments, header)| {
            Style { top_posted, quote, depth, crlf, wrap, requote_wrapped, next_line, strip_comments, header }
        })
}

/// Greedy wrapping at spaces, as a mail client does to long lines.
fn wrap_line(line: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for word in line.split(' ') {
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut current));
        } else if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    out.push(current);
    out
}

const HEADERS: [&str; 6] = [
    "",
    "Delphi study wrote on 30/11/2026 09:00:",
    "On Mon, 30 Nov 2026 at 09:00, Delphi study <delphi@example.org> wrote:",
    "-----Original Message-----\nFrom: Delphi study <delphi@example.org>\nSent: Monday, 30 November 2026 09:00\nTo: Ada Example <ada@example.org>\nSubject: Round 2\n",
    "---------- Forwarded message ---------\nFrom: Delphi study <delphi@example.org>\nDate: Mon, 30 Nov 2026 at 09:00\nSubject: Round 2\nTo: <ada@example.org>\n",
    "在 2026年11月30日 09:00，Delphi study <delphi@example.org> 写道：",
];

/// The mail an expert sends back with `answers` filled in, in `style`.
fn mail(q: &Questionnaire, answers: &BTreeMap<ItemId, Answer>, style: &Style) -> String {
    let prefix = style.quote.repeat(style.depth);
    let mut filled = Vec::new();
    for line in fill(q, answers, style.next_line) {
        if style.strip_comments && line.starts_with("::") {
            continue;
        }
        if line.starts_with("::") {
            filled.push(format!("{prefix}{line}"));
            continue;
        }
        for (i, part) in wrap_line(&line, style.wrap).into_iter().enumerate() {
            let p = if i == 0 || style.requote_wrapped { prefix.as_str() } else { "" };
            filled.push(format!("{p}{part}"));
        }
    }
    let blank_form: Vec<String> = quote(&text::render(q).lines().map(str::to_owned).collect::<Vec<_>>(), "> ");
    let header: Vec<String> = HEADERS[style.header].lines().map(str::to_owned).collect();
    let signature = ["-- ".to_owned(), "Ada Example".to_owned(), "Example University, +1 555 0100".to_owned()];
    let mut lines = Vec::new();
    if style.top_posted {
        lines.extend(filled);
        lines.push(String::new());
        lines.extend(signature);
        lines.push(String::new());
        lines.extend(header);
        lines.extend(blank_form);
    } else {
        lines.extend(["Hello,".to_owned(), String::new(), "my answers are in the form below.".to_owned()]);
        lines.push(String::new());
        lines.extend(header.clone());
        lines.push(String::new());
        lines.extend(filled);
        lines.push(String::new());
        lines.extend(signature);
        lines.extend(header);
        lines.extend(quote(&blank_form, "> "));
    }
    lines.join(if style.crlf { "\r\n" } else { "\n" })
}

fn questionnaires() -> Vec<Questionnaire> {
    vec![fixture::round1("en"), fixture::round2("en"), fixture::round2("zh"), fixture::round2_with_ties("en")]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_valid_answers_written_by_an_expert_read_back_the_same(
        (which, answers, style) in (0usize..4).prop_flat_map(|w| {
            let q = &questionnaires()[w];
            (Just(w), answers_strategy(q), style())
        })
    ) {
        let q = &questionnaires()[which];
        let mail = mail(q, &answers, &style);
        // A client that wraps a text answer's long line breaks it where a person would
        // have pressed Enter, so a text answer reads back with the same words; its line
        // breaks may be the client's.
        let words = |answers: &BTreeMap<ItemId, Answer>| -> BTreeMap<ItemId, Answer> {
            answers
                .iter()
                .map(|(id, a)| match a {
                    Answer::Text { text } => {
                        (id.clone(), Answer::Text { text: text.split_whitespace().collect::<Vec<_>>().join(" ") })
                    }
                    other => (id.clone(), other.clone()),
                })
                .collect()
        };
        match parse(q, &mail) {
            Ok(reply) => prop_assert_eq!(words(&reply.answers), words(&answers), "{}", mail),
            Err(e) => prop_assert!(false, "{e}\n---\n{mail}"),
        }
    }

    #[test]
    fn a_malformed_answer_gives_errors_and_never_answers(
        (answers, style, bad, victim) in (answers_strategy(&fixture::round1("en")), style(),
            prop::sample::select(vec!["0", "8", "abc", "5 6", "3,5", "-", "1e999"]), 0usize..5)
    ) {
        let q = fixture::round1("en");
        let ordinals: Vec<&ItemId> = q.items.iter()
            .filter(|i| matches!(i.answer, AnswerSpec::Ordinal { .. })).map(|i| &i.id).collect();
        let target = ordinals[victim % ordinals.len()].clone();
        let mut mail = mail(&q, &answers, &style);
        // the expert writes a bad value for one item (in place of any answer it had)
        let bad_line = format!("[{target}] {bad}");
        let mut lines: Vec<String> = mail.lines().map(str::to_owned).collect();
        let at = lines.iter().position(|l| l.trim_start_matches(['>', ' ']).starts_with(&format!("[{target}]")))
            .expect("marker present");
        let end = (at + 1..lines.len())
            .find(|&i| { let t = lines[i].trim_start_matches(['>', ' ']); t.starts_with('[') || t.starts_with("::") || t.is_empty() })
            .unwrap_or(lines.len());
        lines.splice(at..end, [bad_line]);
        mail = lines.join("\n");
        match parse(&q, &mail) {
            Ok(reply) => prop_assert!(false, "accepted {:?}\n---\n{}", reply.answers.get(&target), mail),
            Err(errors) => prop_assert!(
                errors.0.iter().any(|e| e.to_string().contains(target.as_str())),
                "{errors}"
            ),
        }
    }
}

/// The fields a browser posts for `answers` from the HTML form.
fn form_fields(q: &Questionnaire, answers: &BTreeMap<ItemId, Answer>) -> Vec<(String, String)> {
    // Exactly the fields the page has: it carries the token in its action, not in a field.
    let mut fields = Vec::new();
    for item in &q.items {
        let id = item.id.to_string();
        match answers.get(&item.id) {
            None => {}
            Some(Answer::Ordinal { point }) => fields.push((id, point.to_string())),
            Some(Answer::DontKnow) => fields.push((id, "dk".to_owned())),
            Some(Answer::Quantile(q)) => {
                for (p, v) in q.pairs() {
                    fields.push((format!("{id}:p{p}"), delphi_survey::answer::num(v)));
                }
            }
            Some(Answer::Ranking { order }) => {
                for (place, domain) in order.places() {
                    fields.push((format!("{id}:{domain}"), place.first.to_string()));
                }
            }
            Some(Answer::Text { text }) => fields.push((id, text.replace('\n', "\r\n"))),
            Some(other) => fields.push((id, format_value(other).trim_end_matches('%').to_owned())),
        }
    }
    fields
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn any_valid_answers_posted_from_the_web_form_read_back_the_same(answers in answers_strategy(&fixture::round2("en"))) {
        let q = fixture::round2("en");
        let reply = delphi_survey::reply::parse_form(&q, &form_fields(&q, &answers));
        prop_assert_eq!(reply.map(|r| r.answers), Ok(answers));
    }

    #[test]
    fn any_tied_ranking_posted_from_the_web_form_reads_back_the_same(
        answers in answers_strategy(&fixture::round2_with_ties("en"))
    ) {
        let q = fixture::round2_with_ties("en");
        let reply = delphi_survey::reply::parse_form(&q, &form_fields(&q, &answers));
        prop_assert_eq!(reply.map(|r| r.answers), Ok(answers));
    }
}

#[test]
fn web_form_errors_name_the_item() {
    let q = fixture::round1("en");
    let fields: Vec<(String, String)> = [
        ("verification.benefit", "8"),
        ("area-ranking:verification", "1"),
        ("area-ranking:protocols", "1"),
        ("years-to-first-agreement:p5", "3"),
        ("protocols.benefit", "4"),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect();
    let errors: Vec<String> =
        delphi_survey::reply::parse_form(&q, &fields).unwrap_err().0.iter().map(ToString::to_string).collect();
    assert_eq!(
        errors,
        [
            "item verification.benefit: 8 is outside 1–7",
            "item area-ranking: Verification mechanisms and Protocols and shared standards both have rank 1; Infrastructure, Evaluations have no rank yet; give each option a different rank",
            "item years-to-first-agreement: fill in all three quantiles, 5 %, 50 % and 95 % (filled in: 1 of 3)",
        ]
    );
}

/// A refused web form keeps what was valid (for the draft), and what the expert reads names
/// ranking options by the titles they chose ranks beside, in their language: no option ids,
/// nothing about commas, nothing about "promising" (the study's own word, not the tool's).
#[test]
fn a_refused_web_form_keeps_its_valid_answers_and_speaks_of_what_the_page_shows() {
    for language in ["en", "zh"] {
        let q = fixture::round1(language);
        let fields: Vec<(String, String)> = [
            ("verification.benefit", "6"),
            ("area-ranking:verification", "1"),
            ("area-ranking:protocols", "1"),
            ("area-ranking:infrastructure", "3"),
            ("area-ranking:evaluations", "4"),
            ("verification.rationale", "Kept, although the ranking is wrong."),
        ]
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
        let (answers, errors) = delphi_survey::reply::read_form(&q, &fields);
        let kept: Vec<&str> = answers.keys().map(|id| id.as_str()).collect();
        assert_eq!(kept, ["verification.benefit", "verification.rationale"], "{language}");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].item(), Some("area-ranking"));
        let titles: Vec<&str> = q.domains[..2].iter().map(|d| d.title.as_str()).collect();
        let prompt = &q.item("area-ranking").expect("asked").prompt;
        let summary = errors[0].message(&q.language);
        assert!(summary.contains(prompt.as_str()), "the list above the form names the question: {summary}");
        // The tool's own words, without the question's (which are the study's to choose).
        let own_words = summary.replace(prompt.as_str(), "");
        for message in [own_words, errors[0].message_beside(&q.language)] {
            assert!(titles.iter().all(|t| message.contains(t)), "{language}: {message}");
            for internal in ["protocols", "verification", "area-ranking", "comma", "逗号", "promising", "前景"] {
                assert!(!message.contains(internal), "{language}: {message} says {internal}");
            }
        }
        assert!(delphi_survey::reply::parse_form(&q, &fields).is_err(), "a form with a problem stores nothing");
    }
}

fn assert_valid(q: &Questionnaire, reply: &delphi_survey::Reply) {
    assert!(!reply.answers.is_empty());
    for (id, answer) in &reply.answers {
        let item = q.items.iter().find(|i| &i.id == id).expect("an item of the form");
        delphi_survey::answer::validate(&item.answer, answer).expect("accepted answers are valid");
    }
}

const SHARDS: [&str; 16] = [
    "[",
    "]",
    "> ",
    "\r",
    "\n",
    "-- \n",
    "::",
    " wrote:\n",
    "[end]",
    "5%:",
    "?",
    "【",
    "］",
    "９",
    "\u{a0}",
    "\n[area-ranking] ",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(mail in any::<String>()) {
        let q = fixture::round2("en");
        if let Ok(reply) = parse(&q, &mail) {
            assert_valid(&q, &reply);
        }
    }

    #[test]
    fn mangled_replies_never_panic_and_never_yield_invalid_answers(
        answers in answers_strategy(&fixture::round1("en")),
        style in style(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..40, prop::sample::select(SHARDS.to_vec())), 1..12)
    ) {
        let q = fixture::round1("en");
        let mut chars: Vec<char> = mail(&q, &answers, &style).chars().collect();
        for (at, cut, shard) in edits {
            let start = at.index(chars.len().max(1)).min(chars.len());
            let end = (start + cut).min(chars.len());
            chars.splice(start..end, shard.chars());
        }
        let mangled: String = chars.into_iter().collect();
        if let Ok(reply) = parse(&q, &mangled) {
            assert_valid(&q, &reply);
        }
    }
}

#[test]
fn errors_speak_the_experts_language() {
    let q = fixture::round1("zh");
    let errors = parse(&q, "[verification.benefit] 9\n[p-joint-evaluation-2030] 0.3").unwrap_err();
    let benefit = short_prompt(&q, "verification.benefit");
    let joint = short_prompt(&q, "p-joint-evaluation-2030");
    assert_eq!(
        errors.message(&q.language),
        format!(
            "“{benefit}”：9 超出了 1–7 的范围\n\
             “{joint}”：请用 0 到 100 的百分数表示概率：30 表示 30%（如指 0.3%，请写 0.3%），收到的是“0.3”"
        )
    );
    // The expert is told which question, in its words; never an item id or a line of their mail.
    let en = fixture::round1("en");
    let errors = parse(&en, "[verification.benefit] 9").unwrap_err();
    let message = errors.message(&en.language);
    assert!(message.starts_with("“How much would US–China cooperation in the area"), "{message}");
    assert!(!message.contains("verification.benefit") && !message.contains("line"), "{message}");
    // The coordinator's version names the item and the line.
    assert_eq!(errors.to_string(), "item verification.benefit: 9 is outside 1–7 (line 1)");
}

#[test]
fn a_top_posted_text_answer_does_not_swallow_the_quoted_original() {
    let q = fixture::round1("en");
    let mail = "[proposals] Joint incident database.\n\n> Dear expert, please answer below.\n> :: Round 1\n> [verification.benefit]\n";
    let reply = parse(&q, mail).expect("parses");
    assert_eq!(reply.answers, answers(&[("proposals", Answer::Text { text: "Joint incident database.".into() })]));
}

#[test]
fn rankings_by_id_number_or_title() {
    let q = fixture::round1("en");
    let zh = fixture::round1("zh");
    let expected = |q: &Questionnaire| {
        let ids = ["protocols", "verification", "evaluations", "infrastructure"];
        let order = ids.iter().map(|d| q.domains.iter().find(|v| v.id.as_str() == *d).expect("domain").id.clone());
        answers(&[("area-ranking", Answer::Ranking { order: order.collect() })])
    };
    for value in [
        "protocols, verification, evaluations, infrastructure",
        "2 1 4 3",
        "Protocols and shared standards > Verification mechanisms > Evaluations > Infrastructure",
        "1. protocols; 2) verification; evaluations / Infrastructure",
    ] {
        let reply = parse(&q, &format!("[area-ranking] {value}")).expect(value);
        assert_eq!(reply.answers, expected(&q), "{value}");
    }
    let reply = parse(&zh, "[area-ranking] 规程与共享标准、验证机制、评测、基础设施").expect("titles in Chinese");
    assert_eq!(reply.answers, expected(&zh));
    let message =
        parse(&q, "[area-ranking] protocols, verification, evaluation, infrastructure").unwrap_err().to_string();
    assert_eq!(
        message,
        "item area-ranking: “evaluation” is not one of the options; evaluations is missing; \
         list every option exactly once, in your order (line 1)"
    );
}

#[test]
fn an_empty_web_form_is_refused() {
    let q = fixture::round1("en");
    let fields = vec![("verification.benefit".to_owned(), String::new()), ("proposals".to_owned(), " ".to_owned())];
    assert_eq!(delphi_survey::reply::parse_form(&q, &fields).unwrap_err().0, [ReplyError::EmptyForm]);
}

#[test]
fn a_web_form_with_a_field_it_does_not_have_or_a_field_twice_is_refused_in_the_experts_words() {
    let q = fixture::round1("en");
    let form = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    };
    // A stale page or a hand-made request: the unknown field is named, nothing is taken.
    let unknown = form(&[("verification.benefit", "5"), ("verification.benfit", "6"), ("token", "x")]);
    let errors = delphi_survey::reply::parse_form(&q, &unknown).unwrap_err().0;
    assert_eq!(
        errors,
        [
            ReplyError::UnknownField { name: "verification.benfit".into() },
            ReplyError::UnknownField { name: "token".into() }
        ]
    );
    let english = delphi_core::study::Language::parse("en").unwrap();
    assert!(errors[0].message(&english).contains("open your personal link again"), "{}", errors[0].message(&english));
    // The same field twice: the last one used to win silently.
    let twice = form(&[("verification.benefit", "2"), ("protocols.benefit", "4"), ("verification.benefit", "7")]);
    let errors = delphi_survey::reply::parse_form(&q, &twice).unwrap_err().0;
    assert!(
        matches!(&errors[..], [ReplyError::RepeatedField { name, item, .. }] if name == "verification.benefit" && item == "verification.benefit"),
        "{errors:?}"
    );
    let chinese = delphi_core::study::Language::parse("zh").unwrap();
    assert!(errors[0].message(&chinese).contains("两次"), "{}", errors[0].message(&chinese));
    // A quantile's parts and a ranking's places are fields of their own, each once.
    let parts = form(&[
        ("years-to-first-agreement:p5", "1"),
        ("years-to-first-agreement:p50", "3"),
        ("years-to-first-agreement:p95", "9"),
    ]);
    assert!(delphi_survey::reply::parse_form(&q, &parts).is_ok());
}

#[test]
fn markers_may_be_followed_by_a_colon_or_equals_sign() {
    let q = fixture::round1("en");
    let mail = "[verification.benefit]: 5\n[protocols.benefit]=4\n[evaluations.benefit] = 3\n[proposals] =SUM(A1)";
    let reply = parse(&q, mail).expect("parses");
    let expected = answers(&[
        ("verification.benefit", Answer::Ordinal { point: 5 }),
        ("protocols.benefit", Answer::Ordinal { point: 4 }),
        ("evaluations.benefit", Answer::Ordinal { point: 3 }),
        ("proposals", Answer::Text { text: "=SUM(A1)".into() }),
    ]);
    assert_eq!(reply.answers, expected);
}

#[test]
fn a_sign_off_a_phone_signature_and_cut_quotes_are_not_answers() {
    let q = fixture::round1("en");
    let sign_off = "[verification.risk-capabilities] 3\n[evaluations.risk-information] 5\n\nThanks,\nLi Yangben\n";
    let reply = parse(&q, sign_off).expect("the sign-off is not part of the last answer");
    assert_eq!(reply.answers[&q.item("evaluations.risk-information").unwrap().id], Answer::Ordinal { point: 5 });

    let phone = "[protocols.risk-harm] 2\n[proposals] Cooperation on watermarking standards.\n\nSent from my iPhone\n";
    let reply = parse(&q, phone).expect("a phone's signature ends the answers");
    let text = Answer::Text { text: "Cooperation on watermarking standards.".into() };
    assert_eq!(reply.answers[&q.item("proposals").unwrap().id], text);

    let cut = "On Mon, Delphi study wrote:\n> [...]\n>\n> [verification.recommendation] 4\n>\n> […]\n> [protocols.risk-capabilities] 1\n> [snip]\n";
    let reply = parse(&q, cut).expect("quote elisions are neither markers nor answers");
    assert_eq!(reply.answers.len(), 2);
    assert_eq!(reply.answers[&q.item("protocols.risk-capabilities").unwrap().id], Answer::Ordinal { point: 1 });

    // A wrapped number still continues on the next line, as long as no blank line comes first.
    let wrapped = "[years-to-first-agreement] 2 6\n20\n";
    let reply = parse(&q, wrapped).expect("a wrapped quantile answer");
    assert_eq!(
        reply.answers[&q.item("years-to-first-agreement").unwrap().id],
        Answer::Quantile(QuantileValues::five_fifty_ninety_five(2.0, 6.0, 20.0))
    );
}

/// A question's wording as the messages quote it: one line, cut near 160 characters.
fn short_prompt(q: &Questionnaire, id: &str) -> String {
    let prompt =
        q.items.iter().find(|i| i.id.as_str() == id).unwrap().prompt.split_whitespace().collect::<Vec<_>>().join(" ");
    if prompt.chars().count() <= 160 {
        return prompt;
    }
    let mut cut: String = prompt.chars().take(160).collect();
    if let Some(space) = cut.rfind(' ').filter(|&at| at > 80) {
        cut.truncate(space);
    }
    cut + "…"
}

// ---- How people write replies (issue 12): each test names the habit it stands for.

fn ordinal(point: i32) -> Answer {
    Answer::Ordinal { point }
}

fn text_answer(text: &str) -> Answer {
    Answer::Text { text: text.to_owned() }
}

#[test]
fn full_width_markers_need_no_space_and_a_full_width_comma_separates() {
    let q = fixture::round1("zh");
    let reply =
        parse(&q, "［protocols.benefit］４\n【verification.benefit】５\n[years-to-first-agreement]２０，２８，３５")
            .unwrap();
    assert_eq!(reply.answers[&ItemId::parse("protocols.benefit").unwrap()], ordinal(4));
    assert_eq!(reply.answers[&ItemId::parse("verification.benefit").unwrap()], ordinal(5));
    assert_eq!(
        reply.answers[&ItemId::parse("years-to-first-agreement").unwrap()],
        Answer::Quantile(QuantileValues::five_fifty_ninety_five(20.0, 28.0, 35.0))
    );
    // An unknown bracketed word stays text: `[1]` or `[sic]` in a rationale is no marker.
    let reply = parse(&q, "[verification.rationale] as in [1] and [sic]\n[protocols.benefit] 3").unwrap();
    assert_eq!(reply.answers[&ItemId::parse("verification.rationale").unwrap()], text_answer("as in [1] and [sic]"));
}

#[test]
fn values_typed_above_their_markers_are_asked_about_not_moved() {
    let q = fixture::round1("en");
    let form = text::render(&q);
    // Under each question's text the expert types the rating, above the (empty) marker.
    let mut typed = String::new();
    let mut pending = ["6", "2", "5"].into_iter();
    for line in form.lines() {
        if line.starts_with("[verification.")
            && !line.contains("rationale")
            && let Some(value) = pending.next()
        {
            typed.push_str(value);
            typed.push('\n');
        }
        typed.push_str(line);
        typed.push('\n');
    }
    let reading = read_signed(&q, &typed, &Signer::default());
    assert!(reading.answers.is_empty(), "nothing is guessed: {:?}", reading.answers);
    let unplaced: Vec<&ReplyError> =
        reading.errors.iter().filter(|e| matches!(e, ReplyError::Unplaced { .. })).collect();
    assert_eq!(unplaced.len(), 3, "{:?}", reading.errors);
    let message = unplaced[0].message(&q.language);
    assert!(message.contains("“6”") && message.contains("How much would US–China cooperation"), "{message}");
    assert!(!message.contains("verification.benefit"), "no internal id: {message}");
    // The same values after their markers are plain answers.
    let after = typed.replace("6\n[verification.benefit]", "[verification.benefit]\n6");
    let reading = read_signed(&q, &after, &Signer::default());
    assert_eq!(reading.answers.get(&ItemId::parse("verification.benefit").unwrap()), Some(&ordinal(6)));
}

#[test]
fn a_sign_off_a_name_or_a_phone_number_is_not_part_of_the_last_answer() {
    let q = fixture::round1("en");
    let signer = Signer::new("Wei Zhang", "wei.zhang@example.cn");
    let rationale = ItemId::parse("verification.rationale").unwrap();
    for ending in [
        "Best regards,\nWei Zhang\nProfessor, Example University\n+86 10 6278 0000",
        "Thanks,\nJ.",
        "Cheers, Sam",
        "Wei",
        "此致\n敬礼\n张伟",
        "Tel: +1 (617) 555-0100",
    ] {
        let mail = format!("[verification.benefit] 5\n[verification.rationale] Chips first.\nThen audits.\n{ending}\n");
        let reply = parse_signed(&q, &mail, &signer).unwrap();
        assert_eq!(reply.answers[&rationale], text_answer("Chips first.\nThen audits."), "{ending}");
    }
    // A line that merely starts like a closing is the expert's text.
    let reply =
        parse_signed(&q, "[verification.rationale] Thanks to audits, trust grows.\nBest practice is open.", &signer)
            .unwrap();
    assert_eq!(reply.answers[&rationale], text_answer("Thanks to audits, trust grows.\nBest practice is open."));
}

#[test]
fn pieces_of_the_form_rewrapped_by_a_phone_stay_out_of_a_text_answer() {
    let q = fixture::round1("en");
    let form = text::render(&q);
    let mut quoted = String::from("On Mon, Delphi <d@x> wrote:\n");
    for line in form.lines() {
        if line == "[verification.rationale]" {
            quoted.push_str("> [verification.rationale] Audits are cheap.\n");
            continue;
        }
        // iOS re-wraps the quote at 40 columns: the tail of a long `::` line loses its `::`.
        if line.starts_with("::") && line.chars().count() > 40 {
            let cut = line.char_indices().map(|(i, _)| i).rfind(|&i| i <= 40 && line[i..].starts_with(' ')).unwrap();
            quoted.push_str(&format!("> {}\n> {}\n", &line[..cut], &line[cut + 1..]));
        } else {
            quoted.push_str(&format!("> {line}\n"));
        }
    }
    let reply = parse(&q, &quoted).unwrap();
    assert_eq!(reply.answers[&ItemId::parse("verification.rationale").unwrap()], text_answer("Audits are cheap."));
    assert_eq!(reply.answers.len(), 1, "{:?}", reply.answers);
}

#[test]
fn a_quote_of_the_experts_own_earlier_message_holds_no_new_answers() {
    let q = fixture::round1("en");
    let signer = Signer::new("Wei Zhang", "wei.zhang@example.cn");
    let mail = "Sorry, one more thought - I will write it on the web form.\n\n\
                On Tue, 1 Dec 2026, Wei Zhang <wei.zhang@example.cn> wrote:\n\
                > [verification.benefit] 3\n\
                > On Mon, Delphi <d@x> wrote:\n> > [verification.benefit]\n";
    assert_eq!(parse_signed(&q, mail, &signer).unwrap_err().0, [ReplyError::NoAnswers]);
    // Without knowing the signer, the quoted answer is read (and flagged as quoted).
    let reply = parse(&q, mail).unwrap();
    assert!(reply.quoted.contains(&ItemId::parse("verification.benefit").unwrap()));
}
