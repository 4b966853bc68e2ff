//! Shared fixtures: a small study with every item kind.
#![allow(dead_code)]

use delphi_stats::*;

pub fn scale(min: i32, max: i32, lo: i32, hi: i32) -> ItemKind {
    let s = OrdinalScale::new(min, max).unwrap();
    ItemKind::Ordinal { scale: s, agree: AgreeSet::new(s, lo, hi).unwrap() }
}

pub fn id(s: &str) -> ItemId {
    ItemId::new(s).unwrap()
}

pub fn items() -> Vec<ItemSpec> {
    let mut v = Vec::new();
    for d in ["infrastructure", "verification"] {
        v.push(ItemSpec::new(id(&format!("{d}-benefit")), scale(1, 7, 5, 7)).in_domain(d, "benefit"));
        v.push(ItemSpec::new(id(&format!("{d}-capabilities")), scale(1, 7, 5, 7)).in_domain(d, "capabilities"));
        v.push(ItemSpec::new(id(&format!("{d}-information")), scale(1, 7, 5, 7)).in_domain(d, "information"));
    }
    v.push(ItemSpec::new(id("budget"), ItemKind::Numeric));
    v.push(ItemSpec::new(id("priority"), ItemKind::Ranking));
    v.push(ItemSpec::new(
        id("seed1"),
        ItemKind::Quantile {
            realisation: Some(Finite::new(10.0).unwrap()),
            log: false,
            levels: QuantileLevels::default(),
        },
    ));
    v.push(ItemSpec::new(
        id("seed2"),
        ItemKind::Quantile {
            realisation: Some(Finite::new(50.0).unwrap()),
            log: false,
            levels: QuantileLevels::default(),
        },
    ));
    v.push(ItemSpec::new(
        id("target"),
        ItemKind::Quantile { realisation: None, log: false, levels: QuantileLevels::default() },
    ));
    v
}

pub fn row(round: u32, item: &str, expert: usize, answer: Answer) -> AnswerRow {
    let bloc = ["CN", "US", "EU"][expert % 3];
    AnswerRow {
        round,
        item: id(item),
        expert: Pseudonym::new(format!("P{expert:02}")).unwrap(),
        groups: Groups::new().with("bloc", bloc),
        answer,
    }
}

/// 12 experts, 2 rounds; expert 11 drops out after round 1.
pub fn rows() -> Vec<AnswerRow> {
    let mut out = Vec::new();
    for r in 1..=2u32 {
        for e in 0..12usize {
            if r == 2 && e == 11 {
                continue;
            }
            // verification: high benefit, low risks; infrastructure: high risk
            let move_ = i32::from(r == 2 && e % 4 == 0);
            out.push(row(
                r,
                "verification-benefit",
                e,
                Answer::Ordinal(6 + i32::from(e % 3 == 0) - move_ * i32::from(e % 3 == 0)),
            ));
            out.push(row(r, "verification-capabilities", e, Answer::Ordinal(2 + (e % 2) as i32)));
            out.push(row(r, "verification-information", e, if e == 5 { Answer::DontKnow } else { Answer::Ordinal(2) }));
            out.push(row(r, "infrastructure-benefit", e, Answer::Ordinal(5 + (e % 3) as i32 - 1)));
            out.push(row(r, "infrastructure-capabilities", e, Answer::Ordinal(if e % 2 == 0 { 7 } else { 2 })));
            out.push(row(r, "infrastructure-information", e, Answer::Ordinal(4)));
            out.push(row(r, "budget", e, Answer::Number(Finite::new(100.0 + (e * e) as f64 + f64::from(r)).unwrap())));
            let order: Vec<&str> = if e % 3 == 0 { vec!["a", "b", "c"] } else { vec!["a", "c", "b"] };
            out.push(row(r, "priority", e, Answer::Ranking(Ranking::from_order(order).unwrap())));
            let x = e as f64;
            out.push(row(r, "seed1", e, Answer::Quantiles(Quantiles::new(5.0 + x, 10.0 + x, 15.0 + x).unwrap())));
            out.push(row(r, "seed2", e, Answer::Quantiles(Quantiles::new(30.0, 45.0 + x, 70.0 + x).unwrap())));
            if e % 2 == 0 {
                out.push(row(r, "target", e, Answer::Quantiles(Quantiles::new(1.0, 2.0 + x, 9.0 + x).unwrap())));
            }
        }
    }
    out
}

pub fn config() -> StatsConfig {
    StatsConfig {
        invited: [(1, 12), (2, 12)].into_iter().collect(),
        group_attributes: vec!["bloc".into()],
        min_group_size: 4,
        synthesis: Some(SynthesisSpec {
            benefit: "benefit".into(),
            risks: vec!["capabilities".into(), "information".into()],
        }),
        ..StatsConfig::default()
    }
}
