//! A study asking 10/50/90 % quantiles: the web form, the emailed form and the reply parser
//! ask for and read exactly those, in English and Chinese, and feed the pool back at them.

mod fixture;

use std::collections::BTreeMap;

use delphi_core::study::{ItemId, QuantileLevels};
use delphi_survey::feedback::Pooled;
use delphi_survey::html::render;
use delphi_survey::{Answer, QuantileValues, Questionnaire, questionnaire, reply, text};

/// The shipped study asking 10/50/90 % on its seeds and its quantity item.
fn study() -> delphi_core::Study {
    let q = "quantiles = [10, 50, 90]";
    let source = fixture::STUDY
        .replacen("realisation = 28.0", &format!("realisation = 28.0\n{q}"), 1)
        .replacen("realisation = 26.0", &format!("realisation = 26.0\n{q}"), 1)
        .replacen("kind = \"quantile\"", &format!("kind = \"quantile\"\n{q}"), 1);
    delphi_core::Study::from_toml(&source, "study.toml").expect("valid")
}

fn round1(language: &str) -> Questionnaire {
    let study = study();
    questionnaire(&study, 1, None, &fixture::language(&study, language)).expect("round 1")
}

fn ten_fifty_ninety(a: f64, b: f64, c: f64) -> Answer {
    Answer::Quantile(QuantileValues::new(QuantileLevels::new(&[10, 50, 90]).unwrap(), vec![a, b, c]).unwrap())
}

fn id(q: &Questionnaire, item: &str) -> ItemId {
    q.item(item).unwrap_or_else(|| panic!("{item} is asked")).id.clone()
}

#[test]
fn the_web_form_has_a_labelled_field_per_quantile_asked_in_the_experts_language() {
    let en = render(&round1("en"), "/s/t", &BTreeMap::new());
    for (field, label) in [
        ("years-to-first-agreement:p10", "10 % quantile (low)"),
        ("years-to-first-agreement:p50", "50 % quantile (best estimate)"),
        ("years-to-first-agreement:p90", "90 % quantile (high)"),
    ] {
        assert!(en.contains(&format!("name=\"{field}\"")), "{field}");
        assert!(en.contains(label), "{label}");
    }
    assert!(!en.contains(":p95") && !en.contains(":p5\""), "no field of 5/50/95 is left");
    assert!(en.contains("Write three numbers, each larger than the one before: your 10 %, 50 % and 90 % quantiles"));
    assert!(en.contains("a low value you are 90 % sure the truth exceeds"));
    let zh = render(&round1("zh"), "/s/t", &BTreeMap::new());
    assert!(zh.contains("10% 分位数（低值）") && zh.contains("90% 分位数（高值）"));
    assert!(zh.contains("请写三个数字，每个都大于前一个：您的 10%、50% 和 90% 分位数"));
}

#[test]
fn the_web_form_reads_10_50_90_and_explains_what_is_wrong() {
    let q = round1("en");
    let fields = |values: [&str; 3]| -> Vec<(String, String)> {
        ["p10", "p50", "p90"]
            .iter()
            .zip(values)
            .map(|(p, v)| (format!("years-to-first-agreement:{p}"), v.to_owned()))
            .collect()
    };
    let read = reply::parse_form(&q, &fields(["2", "5", "12.5"])).expect("valid");
    assert_eq!(read.answers[&id(&q, "years-to-first-agreement")], ten_fifty_ninety(2.0, 5.0, 12.5));

    let problems = |values| {
        reply::parse_form(&q, &fields(values)).unwrap_err().0.iter().map(ToString::to_string).collect::<Vec<_>>()
    };
    assert_eq!(
        problems(["2", "", "12"]),
        ["item years-to-first-agreement: fill in all three quantiles, 10 %, 50 % and 90 % (filled in: 2 of 3)"]
    );
    assert_eq!(
        problems(["2", "12", "5"]),
        [
            "item years-to-first-agreement: each value must be larger than the one before, found 10 %: 2, 50 %: 12, 90 %: 5"
        ]
    );
    // A field of 5/50/95 is not this page's: nothing is guessed from it.
    let mut stray = fields(["2", "5", "12"]);
    stray.push(("years-to-first-agreement:p95".into(), "20".into()));
    assert!(reply::parse_form(&q, &stray).is_err());
}

#[test]
fn the_emailed_form_asks_for_10_50_90_and_the_reply_is_read_labelled_or_in_order() {
    let q = round1("en");
    let form = text::render(&q);
    assert!(form.contains("[years-to-first-agreement] 10%:  50%:  90%:"), "{form}");
    assert!(form.contains("[seed-bletchley-countries] 10%:  50%:  90%:"), "{form}");
    let reply = "[years-to-first-agreement] 10%: 2  50%: 5  90%: 12\n[seed-bletchley-countries] 20 27 35 countries\n";
    let read = reply::parse(&q, reply).expect("valid");
    assert_eq!(read.answers[&id(&q, "years-to-first-agreement")], ten_fifty_ninety(2.0, 5.0, 12.0));
    assert_eq!(read.answers[&id(&q, "seed-bletchley-countries")], ten_fifty_ninety(20.0, 27.0, 35.0));
    // An expert who writes the 5/50/95 habit is told what this form asks.
    let wrong = reply::parse(&q, "[years-to-first-agreement] 5%: 2  50%: 5  95%: 12\n").unwrap_err();
    let message = wrong.0[0].to_string();
    assert!(message.contains("give three numbers, the 10 %, 50 % and 90 % quantiles"), "{message}");
    // In Chinese too.
    let zh = round1("zh");
    let wrong = reply::parse(&zh, "[years-to-first-agreement] 10%: 9  50%: 5  90%: 12\n").unwrap_err();
    let message = wrong.0[0].message(&zh.language);
    assert!(message.contains("每个数值都必须大于前一个"), "{message}");
}

#[test]
fn the_pool_is_fed_back_at_the_items_own_quantiles() {
    let study = study();
    let mut feedback = fixture::feedback(&study);
    let levels = QuantileLevels::new(&[10, 50, 90]).unwrap();
    for fb in feedback.items.values_mut() {
        if fb.pooled.is_some() {
            fb.pooled = Some(Pooled(QuantileValues::new(levels, vec![1.5, 7.0, 30.0]).unwrap()));
            fb.own = delphi_survey::OwnAnswer::NotPersonalised;
        }
    }
    let round2 = questionnaire(&study, 2, Some(&feedback), &fixture::language(&study, "en")).expect("round 2");
    let form = text::render(&round2);
    assert!(form.contains("all experts pooled: 10 % 1.5, 50 % 7, 90 % 30"), "{form}");
    assert!(form.contains("the pooled 10 %–90 % range"), "{form}");
    let page = render(&round2, "/s/t", &BTreeMap::new());
    assert!(page.contains("pooled 10 %–90 % range"), "{page}");
    // Feedback at other levels than the item asks is refused when the round is built.
    for fb in feedback.items.values_mut() {
        if fb.pooled.is_some() {
            fb.pooled = Some(Pooled(QuantileValues::five_fifty_ninety_five(1.5, 7.0, 30.0)));
        }
    }
    assert!(questionnaire(&study, 2, Some(&feedback), &fixture::language(&study, "en")).is_err());
}
