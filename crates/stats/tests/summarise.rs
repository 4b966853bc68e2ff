//! End-to-end: a small study with every item kind through `summarise`.

mod common;

use delphi_stats::groups::GroupFigures;
use delphi_stats::item::Outcome;
use delphi_stats::summarise::ItemResult;
use delphi_stats::synthesis::Placement;
use delphi_stats::*;

fn summary() -> StudySummary {
    let t = AnswerTable::from_rows(common::items(), common::rows()).unwrap();
    summarise(&t, &common::config()).unwrap()
}

fn ordinal<'a>(s: &'a StudySummary, item: &str, round: u32) -> &'a item::OrdinalSummary {
    let ir = s.items.iter().find(|i| i.item.as_str() == item && i.round == round).unwrap();
    match &ir.result {
        ItemResult::Ordinal(o) => o,
        other => panic!("not ordinal: {other:?}"),
    }
}

#[test]
fn every_item_and_round_is_summarised() {
    let s = summary();
    assert_eq!(s.rounds, vec![1, 2]);
    assert_eq!(s.items.len(), common::items().len() * 2);
    assert_eq!(s.quantile_method_name, "Hyndman–Fan type 7 (R default)");
    let o = ordinal(&s, "verification-information", 1);
    assert_eq!((o.n, o.dont_know), (11, 1));
    assert_eq!(o.response_rate.value(), Some(1.0));
    // Everyone answered 2 (risk low): not agreement in the agree set 5..7, but consensus on the
    // bottom box 1..3 that holds the median.
    assert_eq!(o.agreement_percent.value(), Some(0.0));
    assert_eq!(o.consensus.outcome, Outcome::Met);
    assert!(o.consensus.reason.ends_with("in 1–3 ≥ 70 %"), "{}", o.consensus.reason);
    let o = ordinal(&s, "verification-benefit", 2);
    assert_eq!(o.response_rate.value(), Some(11.0 / 12.0));
    assert_eq!(o.consensus.outcome, Outcome::Met);
}

#[test]
fn stability_pairs_by_pseudonym_and_sees_the_dropout() {
    let s = summary();
    let st = s.stability.iter().find(|x| x.item.as_str() == "verification-benefit").unwrap();
    assert_eq!((st.from_round, st.to_round), (1, 2));
    assert_eq!(st.pairs, 11);
    // experts 0, 4, 8 have e % 4 == 0; of them 0 is e % 3 == 0 → moved from 7 to 6.
    assert_eq!(st.moved, 1);
    assert_eq!(st.attrition.dropouts, 1);
    assert_eq!(st.verdict.outcome, Outcome::Met);
    assert!(st.mcnemar.is_some());
    let num = s.stability.iter().find(|x| x.item.as_str() == "budget").unwrap();
    assert_eq!(num.moved, 11); // every budget answer rose by one
    assert!(num.mcnemar.is_none());
}

#[test]
fn groups_are_compared_and_small_ones_suppressed() {
    let s = summary();
    // round 2: bloc of expert 11 (11 % 3 = 2, "EU") has 3 answers < 4 → suppressed.
    let g = s.groups.iter().find(|g| g.item.as_str() == "verification-benefit" && g.round == 2).unwrap();
    let eu = g.groups.iter().find(|x| x.group == "EU").unwrap();
    assert_eq!(eu.figures, GroupFigures::Suppressed);
    assert_eq!(g.suppressed, 1);
    let g1 = s.groups.iter().find(|g| g.item.as_str() == "verification-benefit" && g.round == 1).unwrap();
    assert_eq!(g1.suppressed, 0);
}

#[test]
fn rankings_reliability_cooke_and_synthesis() {
    let s = summary();
    let k = s.items.iter().find(|i| i.item.as_str() == "priority" && i.round == 1).unwrap();
    let ItemResult::Ranking(k) = &k.result else { panic!() };
    assert_eq!(k.kendall.raters, 12);
    assert_eq!(k.kendall.mean_ranks[0], ("a".to_owned(), Figure::new(1.0)));
    assert_eq!(s.reliability.len(), 2);
    assert!(s.reliability[0].alpha.ordinal.is_defined());
    assert_eq!(s.cooke.len(), 2);
    let c = &s.cooke[0];
    assert_eq!(c.seed_items.len(), 2);
    assert_eq!(c.model.experts.len(), 12);
    let wsum: f64 = c.model.experts.iter().filter_map(|e| e.weight.value()).sum();
    assert!((wsum - 1.0).abs() < 1e-12);
    assert!(c.model.targets[0].performance[1].is_defined());
    let v = s.synthesis.iter().find(|d| d.domain == "verification" && d.round == 1).unwrap();
    assert_eq!(v.placement, Some(Placement::Promising));
    let i = s.synthesis.iter().find(|d| d.domain == "infrastructure" && d.round == 1).unwrap();
    assert_eq!(i.placement, Some(Placement::NeedsSafeguards));
    assert_eq!(i.worst_risk.as_deref(), Some("capabilities"));
}

#[test]
fn output_is_json_without_names_or_nan() {
    let s = summary();
    let j = serde_json::to_string(&s).unwrap();
    assert!(!j.contains('@'));
    assert!(!j.contains("NaN"));
    // Figures are numbers or {"undefined": …}; nothing is a bare null where a number belongs.
    let v: serde_json::Value = serde_json::from_str(&j).unwrap();
    assert!(v["items"][0]["result"]["median"].is_number());
}

#[test]
fn all_missing_and_empty_study() {
    // nobody answered anything, but 10 were invited to round 1
    let t = AnswerTable::from_rows(common::items(), Vec::new()).unwrap();
    let cfg = StatsConfig { invited: [(1, 10)].into_iter().collect(), ..common::config() };
    let s = summarise(&t, &cfg).unwrap();
    assert_eq!(s.items.len(), common::items().len());
    let o = ordinal(&s, "verification-benefit", 1);
    assert_eq!(o.n, 0);
    assert_eq!(o.response_rate.value(), Some(0.0));
    assert_eq!(o.median.reason(), Some(Undefined::NoAnswers));
    assert!(s.stability.is_empty() && s.groups.is_empty() && s.cooke.is_empty());
    assert!(s.synthesis.iter().all(|d| d.placement.is_none()));
    // no rounds at all
    let s = summarise(&t, &StatsConfig::default()).unwrap();
    assert!(s.items.is_empty());
}

#[test]
fn invalid_config_is_rejected() {
    let t = AnswerTable::from_rows(common::items(), Vec::new()).unwrap();
    let mut cfg = common::config();
    cfg.rule.agreement_min_percent = 170.0;
    assert!(summarise(&t, &cfg).is_err());
    let mut cfg = common::config();
    cfg.group_attributes = vec!["bloc".into(), "bloc".into()];
    assert!(summarise(&t, &cfg).is_err());
}

#[test]
fn stability_follows_an_item_across_a_rewording() {
    let scale = OrdinalScale::new(1, 5).unwrap();
    let ordinal = ItemKind::Ordinal { scale, agree: AgreeSet::new(scale, 4, 5).unwrap() };
    let old = ItemId::new("old-wording").unwrap();
    let new = ItemId::new("new-wording").unwrap();
    let items = vec![ItemSpec::new(old.clone(), ordinal), ItemSpec::new(new.clone(), ordinal).continuing(old.clone())];
    let mut builder = AnswerTableBuilder::new(items).unwrap();
    // Round 1 asks the old wording, round 2 the new one; two of four experts move.
    for (e, (before, after)) in [(3, 4), (4, 4), (2, 4), (5, 5)].into_iter().enumerate() {
        let expert = builder.expert(&Pseudonym::new(format!("p-{e}")).unwrap(), &Groups::new()).unwrap();
        let (o, n) = (builder.item(&old).unwrap(), builder.item(&new).unwrap());
        builder.push(1, o, expert, Answer::Ordinal(before)).unwrap();
        builder.push(2, n, expert, Answer::Ordinal(after)).unwrap();
    }
    let s = summarise(&builder.build().unwrap(), &StatsConfig::default()).unwrap();
    let st = s.stability.iter().find(|x| x.item == new).expect("stability across the rewording");
    assert_eq!((st.from_round, st.to_round, st.pairs, st.moved), (1, 2, 4, 2));
    assert_eq!(st.continues.as_ref(), Some(&old));
    assert!(!s.stability.iter().any(|x| x.item == old), "the old wording alone has no second round");
}
