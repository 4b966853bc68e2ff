//! Across rounds: paired change, stability verdict and attrition of one item.
//!
//! Experts are paired by pseudonym. A *pair* is an expert with a valid answer (not "don't
//! know") in both rounds. A *drop-out* is an expert with a valid answer in the earlier round
//! and no answer at all to the item in the later one; their earlier answers are compared
//! with the earlier answers of the paired experts (Mann–Whitney U).

use delphi_core::consensus::ConsensusRule;
use serde::Serialize;

use crate::input::ItemId;
use crate::item::{Outcome, PERCENT_DECIMALS, Verdict, fmt_cmp};
use crate::ranktests::{MannWhitney, McNemar, Wilcoxon, mann_whitney, mcnemar, wilcoxon};
use crate::{Figure, Undefined};

/// Did the experts who dropped out answer differently?
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Attrition {
    /// Experts with a valid earlier answer and no later answer.
    pub dropouts: u64,
    /// Experts paired across the two rounds.
    pub stayers: u64,
    /// Mann–Whitney U of the drop-outs' vs the stayers' earlier answers.
    pub test: MannWhitney,
}

/// Change of one item between two rounds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stability {
    /// The item.
    pub item: ItemId,
    /// When the earlier round's answers are to the item this one continues (a rewording or
    /// a split), that item.
    pub continues: Option<ItemId>,
    /// Earlier round.
    pub from_round: u32,
    /// Later round.
    pub to_round: u32,
    /// Experts with a valid answer in both rounds.
    pub pairs: u64,
    /// Pairs whose answer changed.
    pub moved: u64,
    /// 100 · moved / pairs.
    pub moved_percent: Figure,
    /// Wilcoxon signed-rank test of later − earlier.
    pub wilcoxon: Wilcoxon,
    /// McNemar's test of agree / not agree (ordinal items only).
    pub mcnemar: Option<McNemar>,
    /// CV(later) − CV(earlier), over all valid answers of each round.
    pub cv_change: Figure,
    /// IQR(later) − IQR(earlier).
    pub iqr_change: Figure,
    /// Stable when at most the rule's percentage of paired answers changed.
    pub verdict: Verdict,
    /// Attrition between the rounds.
    pub attrition: Attrition,
}

/// The stability verdict: `moved / pairs · 100 ≤ stability_max_change_percent`.
pub fn stability_verdict(moved: u64, pairs: u64, rule: &ConsensusRule) -> (Figure, Verdict) {
    if pairs == 0 {
        return (Figure::undefined(Undefined::NoPairs), Verdict::undefined("no expert answered in both rounds"));
    }
    let pct = 100.0 * moved as f64 / pairs as f64;
    let max = rule.stability_max_change_percent;
    let ok = pct <= max;
    let shown = fmt_cmp(pct, max, PERCENT_DECIMALS, |a, b| a <= b);
    let answers = if pairs == 1 { "answer" } else { "answers" };
    let reason = format!("{shown} % of {pairs} paired {answers} changed {} {max} %", if ok { "≤" } else { ">" });
    (Figure::new(pct), Verdict::new(if ok { Outcome::Met } else { Outcome::NotMet }, reason))
}

/// Paired values of one item in two rounds.
#[derive(Debug, Clone, Default)]
pub(crate) struct Paired {
    pub earlier: Vec<f64>,
    pub later: Vec<f64>,
    pub dropouts: Vec<f64>,
}

/// Computes the stability of one item from its paired values.
#[allow(clippy::too_many_arguments)]
pub(crate) fn stability(
    item: ItemId,
    from_round: u32,
    to_round: u32,
    p: &Paired,
    agree: Option<&dyn Fn(f64) -> bool>,
    cv: (Figure, Figure),
    iqr: (Figure, Figure),
    rule: &ConsensusRule,
) -> Stability {
    let diffs: Vec<f64> = p.earlier.iter().zip(&p.later).map(|(a, b)| b - a).collect();
    let pairs = diffs.len() as u64;
    let moved = diffs.iter().filter(|&&d| d != 0.0).count() as u64;
    let (moved_percent, verdict) = stability_verdict(moved, pairs, rule);
    let mcnemar = agree.map(|is_agree| {
        let (mut b, mut c) = (0, 0);
        for (&x, &y) in p.earlier.iter().zip(&p.later) {
            match (is_agree(x), is_agree(y)) {
                (true, false) => b += 1,
                (false, true) => c += 1,
                _ => {}
            }
        }
        mcnemar(b, c)
    });
    Stability {
        item,
        continues: None,
        from_round,
        to_round,
        pairs,
        moved,
        moved_percent,
        wilcoxon: wilcoxon(&diffs),
        mcnemar,
        cv_change: cv.1.zip(cv.0, |b, a| Figure::new(b - a)),
        iqr_change: iqr.1.zip(iqr.0, |b, a| Figure::new(b - a)),
        verdict,
        attrition: Attrition {
            dropouts: p.dropouts.len() as u64,
            stayers: pairs,
            test: mann_whitney(&p.dropouts, &p.earlier),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// reference/statistics.md lines 74–75: a common rule, ≤ 15 % of answers change.
    #[test]
    fn stability_rule_lines_74_75() {
        let rule = ConsensusRule::default();
        let (p, v) = stability_verdict(6, 40, &rule);
        assert_eq!(p.value(), Some(15.0));
        assert_eq!(v.outcome, Outcome::Met);
        assert_eq!(v.reason, "15.0 % of 40 paired answers changed ≤ 15 %");
        let (_, v) = stability_verdict(7, 40, &rule);
        assert_eq!(v.reason, "17.5 % of 40 paired answers changed > 15 %");
        // A single pair: one answer, worded as one.
        let (_, v) = stability_verdict(0, 1, &rule);
        assert_eq!(v.reason, "0.0 % of 1 paired answer changed ≤ 15 %");
        let (p, v) = stability_verdict(0, 0, &rule);
        assert_eq!(p.reason(), Some(Undefined::NoPairs));
        assert_eq!(v.outcome, Outcome::Undefined);
    }

    #[test]
    fn paired_item_hand_worked() {
        let rule = ConsensusRule::default();
        let p = Paired { earlier: vec![3.0, 4.0, 5.0, 2.0], later: vec![4.0, 4.0, 5.0, 4.0], dropouts: vec![1.0] };
        let agree = |x: f64| x >= 4.0;
        let s = stability(
            ItemId::new("q").unwrap(),
            1,
            2,
            &p,
            Some(&agree),
            (Figure::new(0.5), Figure::new(0.25)),
            (Figure::new(2.0), Figure::new(1.0)),
            &rule,
        );
        assert_eq!((s.pairs, s.moved), (4, 2));
        assert_eq!(s.moved_percent.value(), Some(50.0));
        assert_eq!(s.verdict.outcome, Outcome::NotMet);
        let m = s.mcnemar.unwrap();
        assert_eq!((m.b, m.c), (0, 2));
        assert_eq!(s.cv_change.value(), Some(-0.25));
        assert_eq!(s.iqr_change.value(), Some(-1.0));
        assert_eq!(s.wilcoxon.zeros, 2);
        assert_eq!(s.attrition.dropouts, 1);
        // n = 0: nothing paired, nothing dropped
        let s = stability(
            ItemId::new("q").unwrap(),
            1,
            2,
            &Paired::default(),
            None,
            (Figure::undefined(Undefined::NoAnswers), Figure::new(0.1)),
            (Figure::new(1.0), Figure::new(1.0)),
            &rule,
        );
        assert_eq!(s.wilcoxon.p_value.reason(), Some(Undefined::NoPairs));
        assert_eq!(s.cv_change.reason(), Some(Undefined::NoAnswers));
        assert!(s.attrition.test.p_value.reason().is_some());
    }

    /// The drop-out test at U1 = n1·n2/2: drop-outs answered {3, 5} before leaving, the stayers
    /// {4, 4}; their answers are centred on each other, so p = 1 (the reproduction).
    #[test]
    fn dropouts_centred_on_the_stayers_give_p_one() {
        let p = Paired { earlier: vec![4.0, 4.0], later: vec![4.0, 5.0], dropouts: vec![3.0, 5.0] };
        let s = stability(
            ItemId::new("q").unwrap(),
            1,
            2,
            &p,
            None,
            (Figure::new(0.1), Figure::new(0.1)),
            (Figure::new(1.0), Figure::new(1.0)),
            &ConsensusRule::default(),
        );
        assert_eq!((s.attrition.dropouts, s.attrition.stayers), (2, 2));
        assert_eq!(s.attrition.test.p_value.value(), Some(1.0));
        assert_eq!(s.attrition.test.method, crate::ranktests::TestMethod::Exact);
    }
}
