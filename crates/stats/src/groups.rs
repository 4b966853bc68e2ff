//! Across groups: per-group figures, a rank test between groups, and cross-group consensus.
//!
//! A group with fewer valid answers than the study's minimum is *suppressed*: it is listed
//! by name with no figure at all, and it takes part in no test (anonymity). Experts without
//! the attribute are left out of that attribute's comparison (they still count overall).

use delphi_core::consensus::ConsensusRule;
use serde::Serialize;

use crate::input::{AgreeSet, ItemId, OrdinalScale};
use crate::item::{AcrossGroups, Basis, GroupFailure, Outcome, Verdict, agreement, positional_verdict};
use crate::quantile::quantile_counts;
use crate::ranktests::{KruskalWallis, MannWhitney, kruskal_wallis_counts, mann_whitney_counts};
use crate::{Figure, Undefined};

/// A group's figures, or the mark that it was suppressed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum GroupFigures {
    /// Fewer valid answers than the minimum group size: no figures.
    Suppressed,
    /// Figures of a large enough group.
    Shown {
        /// Valid answers.
        n: u64,
        /// Median.
        median: Figure,
        /// First quartile.
        q1: Figure,
        /// Third quartile.
        q3: Figure,
        /// IQR.
        iqr: Figure,
        /// Agreement percentage.
        agreement_percent: Figure,
        /// Consensus inside the group.
        consensus: Verdict,
    },
}

/// One group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupResult {
    /// The group's value of the attribute (e.g. "US").
    pub group: String,
    /// Figures or suppression.
    pub figures: GroupFigures,
}

/// The test between the shown groups.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "test")]
pub enum GroupTest {
    /// Two groups: Mann–Whitney U (first vs second group in name order).
    MannWhitney(MannWhitney),
    /// Three or more: Kruskal–Wallis H.
    KruskalWallis(KruskalWallis),
    /// No test.
    NotTested {
        /// Why not.
        reason: Undefined,
    },
}

/// One attribute, item and round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupComparison {
    /// The attribute (e.g. "bloc").
    pub attribute: String,
    /// The item.
    pub item: ItemId,
    /// The round.
    pub round: u32,
    /// The minimum group size in force.
    pub min_group_size: u64,
    /// The groups, by name.
    pub groups: Vec<GroupResult>,
    /// How many groups were suppressed.
    pub suppressed: usize,
    /// The rank test between the shown groups.
    pub test: GroupTest,
    /// Consensus overall *and* inside every shown group.
    pub cross_group: Verdict,
}

/// What [`compare_groups`] compares: one ordinal item's answers in one round, split into the
/// groups of one attribute.
#[derive(Debug, Clone, Copy)]
pub struct GroupedAnswers<'a> {
    /// The attribute (e.g. "bloc").
    pub attribute: &'a str,
    /// The item.
    pub item: &'a ItemId,
    /// The round.
    pub round: u32,
    /// The item's scale.
    pub scale: OrdinalScale,
    /// The item's agree set.
    pub agree: AgreeSet,
    /// The groups, by name.
    pub groups: &'a [GroupAnswers<'a>],
}

/// One group's answers to the item: its counts and its "don't know"s travel together, so
/// they cannot belong to different groups.
#[derive(Debug, Clone, Copy)]
pub struct GroupAnswers<'a> {
    /// The group's value of the attribute (e.g. "US").
    pub name: &'a str,
    /// Valid answers per scale point.
    pub counts: &'a [u64],
    /// "Don't know" answers.
    pub dont_know: u64,
}

/// What the groups are judged by.
#[derive(Debug, Clone, Copy)]
pub struct GroupRule<'a> {
    /// The consensus rule, applied inside each group as to the whole panel.
    pub consensus: &'a ConsensusRule,
    /// Groups with fewer valid answers are suppressed.
    pub min_group_size: u64,
    /// The whole panel's verdict on the item: no cross-group consensus without it.
    pub overall: &'a Verdict,
    /// Where the whole panel agreed: a group's consensus counts only at the same place.
    pub overall_box: Option<AgreeSet>,
}

/// Compares the groups of one ordinal item in one round.
pub fn compare_groups(answers: &GroupedAnswers<'_>, judged_by: &GroupRule<'_>) -> GroupComparison {
    let GroupedAnswers { attribute, item, round, scale, agree, groups: of_groups } = *answers;
    let GroupRule { consensus: rule, min_group_size, overall, overall_box } = *judged_by;
    let m = rule.quantile_method;
    let mut groups = Vec::with_capacity(of_groups.len());
    let mut shown: Vec<&[u64]> = Vec::new();
    let mut failing: Vec<(String, (String, GroupFailure))> = Vec::new();
    let mut undefined = 0usize;
    for &GroupAnswers { name, counts: c, dont_know: dk } in of_groups {
        let n: u64 = c.iter().sum();
        if n < min_group_size.max(1) {
            groups.push(GroupResult { group: name.to_owned(), figures: GroupFigures::Suppressed });
            continue;
        }
        shown.push(c);
        let q1 = quantile_counts(c, scale.min(), 0.25, m);
        let q3 = quantile_counts(c, scale.min(), 0.75, m);
        let iqr = q1.zip(q3, |a, b| Figure::new(b - a));
        let (agreement_percent, _) = agreement(c, dk, scale, agree, rule.dont_know);
        let median = quantile_counts(c, scale.min(), 0.5, m);
        let (consensus, group_box, _) = positional_verdict(c, dk, scale, agree, rule, median, iqr);
        match consensus.outcome {
            // Consensus in a group counts only on the panel's own position.
            Outcome::Met if group_box != overall_box => failing.push((
                format!("{name} (consensus {}, the panel's {})", box_text(group_box), box_text(overall_box)),
                (name.to_owned(), GroupFailure::OtherBox { group: bounds(group_box), panel: bounds(overall_box) }),
            )),
            Outcome::Met => {}
            Outcome::NotMet => failing.push((
                format!("{name} ({})", consensus.reason),
                (name.to_owned(), GroupFailure::NotMet { basis: consensus.basis.clone() }),
            )),
            Outcome::TooFewAnswers | Outcome::Undefined => undefined += 1,
        }
        groups.push(GroupResult {
            group: name.to_owned(),
            figures: GroupFigures::Shown { n, median, q1, q3, iqr, agreement_percent, consensus },
        });
    }
    let suppressed = of_groups.len() - shown.len();
    let test = match shown.len() {
        0 | 1 => GroupTest::NotTested { reason: Undefined::TooFewGroups },
        2 => GroupTest::MannWhitney(mann_whitney_counts(shown[0], shown[1])),
        _ => GroupTest::KruskalWallis(kruskal_wallis_counts(&shown)),
    };
    let note = if suppressed > 0 {
        format!(" ({suppressed} suppressed, fewer than {min_group_size} answers)")
    } else {
        String::new()
    };
    let (outcome, reason, finding) = if shown.is_empty() {
        (Outcome::Undefined, format!("no group large enough to show{note}"), AcrossGroups::NoGroupShown)
    } else if overall.outcome == Outcome::Undefined || undefined > 0 {
        (Outcome::Undefined, format!("consensus undefined overall or in a group{note}"), AcrossGroups::Undefined)
    } else if overall.outcome == Outcome::NotMet {
        (
            Outcome::NotMet,
            format!("no consensus overall ({}){note}", overall.reason),
            AcrossGroups::NotOverall { overall: overall.basis.clone() },
        )
    } else if failing.is_empty() {
        (
            Outcome::Met,
            format!("consensus overall and in all {} shown groups{note}", shown.len()),
            AcrossGroups::All { shown: shown.len() },
        )
    } else {
        let (texts, groups): (Vec<String>, Vec<_>) = failing.into_iter().unzip();
        (Outcome::NotMet, format!("no consensus in {}{note}", texts.join(", ")), AcrossGroups::Failing { groups })
    };
    let cross_group =
        Verdict { outcome, reason, basis: Some(Box::new(Basis::AcrossGroups { finding, suppressed, min_group_size })) };
    GroupComparison {
        attribute: attribute.to_owned(),
        item: item.clone(),
        round,
        min_group_size,
        groups,
        suppressed,
        test,
        cross_group,
    }
}

fn bounds(points: Option<AgreeSet>) -> Option<(i32, i32)> {
    points.map(|b| (b.lo(), b.hi()))
}

fn box_text(points: Option<AgreeSet>) -> String {
    match points {
        Some(b) if b.lo() == b.hi() => format!("at {}", b.lo()),
        Some(b) => format!("in {}–{}", b.lo(), b.hi()),
        None => "undetermined".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::consensus_verdict;
    use delphi_core::consensus::ConsensusPosition;

    fn setup() -> (OrdinalScale, AgreeSet, ConsensusRule, ItemId) {
        let s = OrdinalScale::new(1, 5).unwrap();
        (s, AgreeSet::new(s, 4, 5).unwrap(), ConsensusRule::default(), ItemId::new("q").unwrap())
    }

    /// Blocs without "don't know" answers on item `q` in round 1, judged against a panel that
    /// agreed in the agree set.
    fn compare(
        groups: &[(&str, &[u64])],
        rule: &ConsensusRule,
        min_group_size: u64,
        overall: &Verdict,
    ) -> GroupComparison {
        let (scale, agree, _, item) = setup();
        let groups: Vec<GroupAnswers<'_>> =
            groups.iter().map(|&(name, counts)| GroupAnswers { name, counts, dont_know: 0 }).collect();
        compare_groups(
            &GroupedAnswers { attribute: "bloc", item: &item, round: 1, scale, agree, groups: &groups },
            &GroupRule { consensus: rule, min_group_size, overall, overall_box: Some(agree) },
        )
    }

    #[test]
    fn small_groups_are_suppressed_and_untested() {
        let (_, _, rule, _) = setup();
        let cn = [0, 0, 0, 3, 2];
        let eu = [0, 0, 0, 1, 1];
        let us = [0, 0, 0, 4, 1];
        let overall = consensus_verdict(Figure::new(1.0), Figure::new(100.0), &rule);
        let g = compare(&[("CN", &cn), ("EU", &eu), ("US", &us)], &rule, 5, &overall);
        assert_eq!(g.suppressed, 1);
        assert_eq!(g.groups[1].figures, GroupFigures::Suppressed);
        assert!(matches!(g.test, GroupTest::MannWhitney(_)));
        assert_eq!(g.cross_group.outcome, Outcome::Met);
        assert_eq!(
            g.cross_group.reason,
            "consensus overall and in all 2 shown groups (1 suppressed, fewer than 5 answers)"
        );
        // the suppressed group's JSON carries no figure
        let j = serde_json::to_string(&g.groups[1]).unwrap();
        assert_eq!(j, r#"{"group":"EU","figures":{"status":"suppressed"}}"#);
    }

    #[test]
    fn disagreement_between_groups() {
        let (_, _, rule, _) = setup();
        let ga = [0, 0, 0, 2, 8];
        let gb = [6, 4, 0, 0, 0];
        let gc = [0, 0, 0, 5, 5];
        let overall = consensus_verdict(Figure::new(1.0), Figure::new(70.0), &rule);
        let blocs: [(&str, &[u64]); 3] = [("A", &ga), ("B", &gb), ("C", &gc)];
        let g = compare(&blocs, &rule, 5, &overall);
        assert!(matches!(g.test, GroupTest::KruskalWallis(k) if k.p_value.value().unwrap() < 0.01));
        // B is united too, but at the other end of the scale: no cross-group consensus.
        assert_eq!(g.cross_group.outcome, Outcome::NotMet);
        assert_eq!(g.cross_group.reason, "no consensus in B (consensus in 1–2, the panel's in 4–5)");
        // Counting the agree set only, B simply has no consensus.
        let top_box = ConsensusRule { position: ConsensusPosition::AgreeSet, ..rule };
        let g = compare(&blocs, &top_box, 5, &overall);
        assert!(g.cross_group.reason.starts_with("no consensus in B (IQR"), "{}", g.cross_group.reason);
        // every group suppressed (n = 0 everywhere: all missing)
        let z = [0u64; 5];
        let g = compare(&[("A", &z), ("B", &z), ("C", &z)], &rule, 1, &overall);
        assert_eq!(g.suppressed, 3);
        assert_eq!(g.cross_group.outcome, Outcome::Undefined);
        assert!(matches!(g.test, GroupTest::NotTested { reason: Undefined::TooFewGroups }));
    }

    /// The issue's reproduction as a group comparison: bloc A {3, 5}, bloc B {4, 4} on a
    /// five-point item, U1 = n1·n2/2. Delphi reported p = 0.683; the exact test (and scipy, and
    /// R) give 1. summary.json says which method gave the p-value.
    #[test]
    fn centred_blocs_give_p_one_and_say_how() {
        let (_, _, rule, _) = setup();
        let (ga, gb) = ([0, 0, 1, 0, 1], [0, 0, 0, 2, 0]);
        let overall = consensus_verdict(Figure::new(1.0), Figure::new(50.0), &rule);
        let g = compare(&[("A", &ga), ("B", &gb)], &rule, 1, &overall);
        let GroupTest::MannWhitney(m) = g.test else { panic!("two groups: {:?}", g.test) };
        assert_eq!(m.p_value.value(), Some(1.0));
        let json = serde_json::to_string(&g.test).unwrap();
        assert!(json.contains(r#""method":"exact""#), "{json}");
    }
}
