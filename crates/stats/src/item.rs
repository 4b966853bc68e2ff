//! Per item and round: descriptive figures, consensus measures and the consensus verdict.

use delphi_core::consensus::{ConsensusPosition, ConsensusRule, DontKnowPolicy};
use serde::Serialize;

use crate::input::{AgreeSet, OrdinalScale};
use crate::ordinal::{self, Polarisation, RandUcla};
use crate::quantile::{quantile_counts, quantile_sorted};
use crate::{Figure, Undefined};

fn f(x: u64) -> f64 {
    x as f64
}

/// Whether a rule is met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The rule is met.
    Met,
    /// The rule is not met.
    NotMet,
    /// Fewer valid answers than the rule's minimum (`min_answers`): however they agree,
    /// they are too few to call a consensus.
    TooFewAnswers,
    /// The rule cannot be applied (e.g. no answers); the reason says why.
    Undefined,
}

/// A verdict with its human-readable reason, e.g. "IQR 1.00 ≤ 1 and 78.0 % ≥ 70 %".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Met, not met, or undefined.
    pub outcome: Outcome,
    /// Why, with the figures and thresholds (in English, for the terminal and the JSON).
    pub reason: String,
    /// The figures the reason states, for a report to word it in its own language (boxed:
    /// verdicts sit in every group's figures, most without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<Box<Basis>>,
}

/// What a consensus verdict rests on, each figure printed as in [`Verdict::reason`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Basis {
    /// The rule applied: the IQR against its maximum, the share in the position that counts
    /// (`within`: the box judged, under the median-box rule) against its minimum.
    Rule {
        /// The IQR, printed.
        iqr: String,
        /// Whether it is within the maximum.
        iqr_ok: bool,
        /// The rule's maximum IQR, printed.
        iqr_max: String,
        /// The share of answers in the position that counts, printed.
        share: String,
        /// Whether it reaches the minimum.
        share_ok: bool,
        /// The rule's minimum share, printed.
        share_min: String,
        /// The box judged (its lowest and highest point), under the median-box rule.
        within: Option<(i32, i32)>,
    },
    /// Fewer valid answers than the rule's minimum.
    TooFew {
        /// The valid answers there were.
        valid: u64,
        /// The rule's `min_answers`.
        needed: u32,
    },
    /// The median falls between two boxes of the scale.
    BetweenBoxes {
        /// The median, printed.
        median: String,
    },
    /// Consensus across the groups of an attribute: overall and in every shown group.
    /// `suppressed` groups (fewer answers than `min_group_size`) took no part.
    AcrossGroups {
        /// What the verdict across groups found.
        finding: AcrossGroups,
        /// How many groups were too small to take part.
        suppressed: usize,
        /// The study's minimum group size.
        min_group_size: u64,
    },
}

/// What the verdict across groups found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "found")]
pub enum AcrossGroups {
    /// No group was large enough to show.
    NoGroupShown,
    /// The verdict is undefined overall or in a shown group.
    Undefined,
    /// No consensus overall, for the reason `overall` gives.
    NotOverall {
        /// Why the panel as a whole has no consensus.
        overall: Option<Box<Basis>>,
    },
    /// Consensus overall and in each of `shown` groups.
    All {
        /// How many groups were shown.
        shown: usize,
    },
    /// No consensus in these groups (by name), each for its reason.
    Failing {
        /// Each failing group's name and why it fails.
        groups: Vec<(String, GroupFailure)>,
    },
}

/// Why a shown group fails the verdict across groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "why")]
pub enum GroupFailure {
    /// Consensus in the group, but on another box than the panel's.
    OtherBox {
        /// The box the group agrees on.
        group: Option<(i32, i32)>,
        /// The box the panel agrees on.
        panel: Option<(i32, i32)>,
    },
    /// No consensus in the group.
    NotMet {
        /// Why the group has no consensus.
        basis: Option<Box<Basis>>,
    },
}

impl Verdict {
    /// An undefined verdict.
    pub fn undefined(reason: impl Into<String>) -> Self {
        Self { outcome: Outcome::Undefined, reason: reason.into(), basis: None }
    }

    /// A verdict with only an English reason.
    pub fn new(outcome: Outcome, reason: impl Into<String>) -> Self {
        Self { outcome, reason: reason.into(), basis: None }
    }

    /// Whether the rule is met.
    pub fn is_met(&self) -> bool {
        self.outcome == Outcome::Met
    }
}

/// Decimals of a figure on a rating scale in a reason (median, quartiles, IQR): quartiles of
/// whole points fall on quarter points, so two print each exactly. The report's tables print
/// them the same way.
pub const SCALE_DECIMALS: usize = 2;
/// Decimals of a percentage in a reason, as in the report's tables.
pub const PERCENT_DECIMALS: usize = 1;

/// Formats `value` with `start` decimals (its kind's, as the tables print it), or more only
/// where rounding would make the printed comparison with `threshold` look false (an IQR of
/// 1.004 is "1.004 > 1", never "1.00 > 1").
pub(crate) fn fmt_cmp(value: f64, threshold: f64, start: usize, holds: impl Fn(f64, f64) -> bool) -> String {
    let exact = holds(value, threshold);
    for d in start..=6 {
        let s = format!("{value:.d$}");
        if let Ok(r) = s.parse::<f64>()
            && holds(r, threshold) == exact
        {
            return s;
        }
    }
    format!("{value}")
}

/// The consensus verdict of the study's rule: IQR ≤ `iqr_max` and agreement ≥ `agreement_min_percent`.
pub fn consensus_verdict(iqr: Figure, agreement_percent: Figure, rule: &ConsensusRule) -> Verdict {
    verdict_in(iqr, agreement_percent, rule, None)
}

/// The box of the scale that holds `median`. The boxes are the agree set, its mirror image
/// at the other end of the scale and the points between them; when the mirror would overlap
/// the agree set, the points below and above the agree set are the other boxes. `None` when
/// the median falls between two boxes (3.5 between 1–3 and 4–4).
pub fn median_box(median: f64, scale: OrdinalScale, agree: AgreeSet) -> Option<AgreeSet> {
    let (min, max, lo, hi) = (scale.min(), scale.max(), agree.lo(), agree.hi());
    let mirror = (min + max - hi, min + max - lo);
    let boxes = if mirror.1 < lo {
        [mirror, (mirror.1 + 1, lo - 1), (lo, hi)]
    } else if mirror.0 > hi {
        [(lo, hi), (hi + 1, mirror.0 - 1), mirror]
    } else {
        [(min, lo - 1), (lo, hi), (hi + 1, max)]
    };
    boxes
        .into_iter()
        .filter(|(a, b)| a <= b)
        .find(|(a, b)| median >= f64::from(*a) && median <= f64::from(*b))
        .and_then(|(a, b)| AgreeSet::new(scale, a, b).ok())
}

/// The verdict under the study's [`ConsensusPosition`], with the box it was judged on.
pub fn positional_verdict(
    counts: &[u64],
    dont_know: u64,
    scale: OrdinalScale,
    agree: AgreeSet,
    rule: &ConsensusRule,
    median: Figure,
    iqr: Figure,
) -> (Verdict, Option<AgreeSet>, Figure) {
    let judged = match (rule.position, median.as_result()) {
        (ConsensusPosition::AgreeSet, _) => agree,
        (ConsensusPosition::MedianBox, Ok(m)) => match median_box(m, scale, agree) {
            Some(found) => found,
            None => {
                // Too few answers for any verdict comes first, as it does for a median in a box.
                let valid: u64 = counts.iter().sum();
                let verdict = if valid < u64::from(rule.min_answers) {
                    too_few(valid, rule)
                } else {
                    Verdict {
                        outcome: Outcome::NotMet,
                        reason: format!("the median {m:.SCALE_DECIMALS$} lies between two boxes of the scale"),
                        basis: Some(Box::new(Basis::BetweenBoxes { median: format!("{m:.SCALE_DECIMALS$}") })),
                    }
                };
                return (verdict, None, Figure::undefined(Undefined::BetweenBoxes));
            }
        },
        (ConsensusPosition::MedianBox, Err(e)) => {
            return (Verdict::undefined(format!("median undefined: {e}")), None, Figure::undefined(e));
        }
    };
    let (percent, _) = agreement(counts, dont_know, scale, judged, rule.dont_know);
    let label = (rule.position == ConsensusPosition::MedianBox).then_some(judged);
    let valid: u64 = counts.iter().sum();
    let verdict = if valid > 0 && valid < u64::from(rule.min_answers) {
        too_few(valid, rule)
    } else {
        verdict_in(iqr, percent, rule, label)
    };
    (verdict, Some(judged), percent)
}

/// The verdict on fewer valid answers than the rule asks for.
fn too_few(valid: u64, rule: &ConsensusRule) -> Verdict {
    Verdict {
        outcome: Outcome::TooFewAnswers,
        reason: format!(
            "{valid} valid answer{}, fewer than the {} a consensus needs",
            if valid == 1 { "" } else { "s" },
            rule.min_answers
        ),
        basis: Some(Box::new(Basis::TooFew { valid, needed: rule.min_answers })),
    }
}

fn verdict_in(iqr: Figure, agreement_percent: Figure, rule: &ConsensusRule, judged: Option<AgreeSet>) -> Verdict {
    let (iqr, agr) = match (iqr.as_result(), agreement_percent.as_result()) {
        (Ok(i), Ok(a)) => (i, a),
        (Err(e), _) => return Verdict::undefined(format!("IQR undefined: {e}")),
        (_, Err(e)) => return Verdict::undefined(format!("agreement undefined: {e}")),
    };
    let iqr_ok = iqr <= rule.iqr_max;
    let agr_ok = agr >= rule.agreement_min_percent;
    let i = fmt_cmp(iqr, rule.iqr_max, SCALE_DECIMALS, |a, b| a <= b);
    let a = fmt_cmp(agr, rule.agreement_min_percent, PERCENT_DECIMALS, |a, b| a >= b);
    let within = judged.map_or_else(String::new, |b| {
        if b.lo() == b.hi() { format!(" at {}", b.lo()) } else { format!(" in {}–{}", b.lo(), b.hi()) }
    });
    let reason = format!(
        "IQR {i} {} {} and {a} %{within} {} {} %",
        if iqr_ok { "≤" } else { ">" },
        rule.iqr_max,
        if agr_ok { "≥" } else { "<" },
        rule.agreement_min_percent
    );
    let basis = Basis::Rule {
        iqr: i,
        iqr_ok,
        iqr_max: rule.iqr_max.to_string(),
        share: a,
        share_ok: agr_ok,
        share_min: rule.agreement_min_percent.to_string(),
        within: judged.map(|b| (b.lo(), b.hi())),
    };
    Verdict {
        outcome: if iqr_ok && agr_ok { Outcome::Met } else { Outcome::NotMet },
        reason,
        basis: Some(Box::new(basis)),
    }
}

/// Summary of an ordinal item in one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrdinalSummary {
    /// Valid answers (scale points).
    pub n: u64,
    /// "Don't know" answers.
    pub dont_know: u64,
    /// Experts invited to the round, if known.
    pub invited: Option<u64>,
    /// (valid + don't know) / invited.
    pub response_rate: Figure,
    /// Answers per scale point, lowest point first.
    pub counts: Vec<u64>,
    /// Median (the study's quantile type at p = 0.5).
    pub median: Figure,
    /// Mean.
    pub mean: Figure,
    /// Sample standard deviation (n − 1).
    pub sd: Figure,
    /// First quartile.
    pub q1: Figure,
    /// Third quartile.
    pub q3: Figure,
    /// Q3 − Q1.
    pub iqr: Figure,
    /// Percentage of answers in the agree set.
    pub agreement_percent: Figure,
    /// The denominator of the agreement: valid answers, plus "don't know" under
    /// [`DontKnowPolicy::Count`].
    pub agreement_denominator: u64,
    /// Coefficient of variation SD / mean (scale units as given).
    pub cv: Figure,
    /// Tastle–Wierman consensus.
    pub tastle_wierman: Figure,
    /// van der Eijk's agreement A.
    pub van_der_eijk: Figure,
    /// Leik's ordinal dispersion D.
    pub leik: Figure,
    /// rwg (not truncated at 0).
    pub rwg: Figure,
    /// RAND/UCLA figures.
    pub rand_ucla: RandUcla,
    /// Polarisation flag.
    pub polarisation: Polarisation,
    /// The points the verdict was judged on: the agree set, or under
    /// [`ConsensusPosition::MedianBox`] the box holding the median.
    pub consensus_box: Option<AgreeSet>,
    /// The share of answers in that box.
    pub consensus_box_percent: Figure,
    /// The consensus verdict and its reason.
    pub consensus: Verdict,
}

pub(crate) fn response_rate(responded: u64, invited: Option<u64>) -> Figure {
    match invited {
        Some(i) if i > 0 => Figure::new(f(responded) / f(i)),
        _ => Figure::undefined(Undefined::NoInvited),
    }
}

/// Percentage of agreement from counts (see [`OrdinalSummary::agreement_denominator`]).
pub fn agreement(
    counts: &[u64],
    dont_know: u64,
    scale: OrdinalScale,
    agree: AgreeSet,
    policy: DontKnowPolicy,
) -> (Figure, u64) {
    let n: u64 = counts.iter().sum();
    let denom = match policy {
        DontKnowPolicy::Exclude => n,
        DontKnowPolicy::Count => n + dont_know,
    };
    let agreeing: u64 = (agree.lo()..=agree.hi()).map(|x| counts[scale.index(x)]).sum();
    if denom == 0 {
        return (Figure::undefined(Undefined::NoAnswers), 0);
    }
    (Figure::new(100.0 * f(agreeing) / f(denom)), denom)
}

/// Summarises an ordinal item's answers given as counts per scale point.
pub fn ordinal_summary(
    counts: &[u64],
    dont_know: u64,
    scale: OrdinalScale,
    agree: AgreeSet,
    rule: &ConsensusRule,
    invited: Option<u64>,
) -> OrdinalSummary {
    debug_assert_eq!(counts.len(), scale.points());
    let min = scale.min();
    let m = rule.quantile_method;
    let n: u64 = counts.iter().sum();
    let median = quantile_counts(counts, min, 0.5, m);
    let q1 = quantile_counts(counts, min, 0.25, m);
    let q3 = quantile_counts(counts, min, 0.75, m);
    let iqr = q1.zip(q3, |a, b| Figure::new(b - a));
    let mean = ordinal::mean(counts, min);
    let sd = ordinal::variance(counts, min).map(f64::sqrt);
    let cv = cv_of(sd, mean);
    let (agreement_percent, agreement_denominator) = agreement(counts, dont_know, scale, agree, rule.dont_know);
    let (consensus, consensus_box, consensus_box_percent) =
        positional_verdict(counts, dont_know, scale, agree, rule, median, iqr);
    OrdinalSummary {
        n,
        dont_know,
        invited,
        response_rate: response_rate(n + dont_know, invited),
        counts: counts.to_vec(),
        median,
        mean,
        sd,
        q1,
        q3,
        iqr,
        agreement_percent,
        agreement_denominator,
        cv,
        tastle_wierman: ordinal::tastle_wierman(counts),
        van_der_eijk: ordinal::van_der_eijk(counts),
        leik: ordinal::leik(counts),
        rwg: ordinal::rwg(counts, min),
        rand_ucla: ordinal::rand_ucla(counts, min, m),
        polarisation: ordinal::polarisation(counts),
        consensus_box,
        consensus_box_percent,
        consensus,
    }
}

fn cv_of(sd: Figure, mean: Figure) -> Figure {
    sd.zip(mean, |s, m| if m == 0.0 { Figure::undefined(Undefined::ZeroMean) } else { Figure::new(s / m) })
}

/// Summary of a numeric item in one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NumericSummary {
    /// Valid answers.
    pub n: u64,
    /// "Don't know" answers.
    pub dont_know: u64,
    /// Experts invited, if known.
    pub invited: Option<u64>,
    /// (valid + don't know) / invited.
    pub response_rate: Figure,
    /// Median.
    pub median: Figure,
    /// Mean.
    pub mean: Figure,
    /// Sample standard deviation.
    pub sd: Figure,
    /// First quartile.
    pub q1: Figure,
    /// Third quartile.
    pub q3: Figure,
    /// Q3 − Q1.
    pub iqr: Figure,
    /// SD / mean.
    pub cv: Figure,
}

/// Summarises numeric answers (`values` need not be sorted; they are sorted in place).
pub fn numeric_summary(
    values: &mut [f64],
    dont_know: u64,
    rule: &ConsensusRule,
    invited: Option<u64>,
) -> NumericSummary {
    values.sort_by(f64::total_cmp);
    let n = values.len() as u64;
    let m = rule.quantile_method;
    let q1 = quantile_sorted(values, 0.25, m);
    let q3 = quantile_sorted(values, 0.75, m);
    let mean =
        if n == 0 { Figure::undefined(Undefined::NoAnswers) } else { Figure::new(values.iter().sum::<f64>() / f(n)) };
    let sd = match mean.value() {
        Some(mu) if n >= 2 => Figure::new((values.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / f(n - 1)).sqrt()),
        Some(_) => Figure::undefined(Undefined::TooFewAnswers { needed: 2, got: 1 }),
        None => Figure::undefined(Undefined::NoAnswers),
    };
    NumericSummary {
        n,
        dont_know,
        invited,
        response_rate: response_rate(n + dont_know, invited),
        median: quantile_sorted(values, 0.5, m),
        mean,
        sd,
        q1,
        q3,
        iqr: q1.zip(q3, |a, b| Figure::new(b - a)),
        cv: cv_of(sd, mean),
    }
}

impl OrdinalSummary {
    /// Every figure with a stable name, for tidy exports and report tables.
    pub fn measures(&self) -> Vec<(&'static str, Figure)> {
        let count = |x: u64| Figure::new(x as f64);
        let r = &self.rand_ucla;
        vec![
            ("n", count(self.n)),
            ("dont_know", count(self.dont_know)),
            ("response_rate", self.response_rate),
            ("median", self.median),
            ("mean", self.mean),
            ("sd", self.sd),
            ("q1", self.q1),
            ("q3", self.q3),
            ("iqr", self.iqr),
            ("agreement_percent", self.agreement_percent),
            ("cv", self.cv),
            ("tastle_wierman", self.tastle_wierman),
            ("van_der_eijk", self.van_der_eijk),
            ("leik", self.leik),
            ("rwg", self.rwg),
            ("rand_p30", r.p30),
            ("rand_p70", r.p70),
            ("rand_ipr", r.ipr),
            ("rand_iprcp", r.iprcp),
            ("rand_asymmetry", r.asymmetry),
            ("rand_ipras", r.ipras),
            ("rand_disagreement_index", r.disagreement_index),
            ("polarisation_low_share", self.polarisation.low_share),
            ("polarisation_high_share", self.polarisation.high_share),
        ]
    }
}

impl NumericSummary {
    /// Every figure with a stable name.
    pub fn measures(&self) -> Vec<(&'static str, Figure)> {
        let count = |x: u64| Figure::new(x as f64);
        vec![
            ("n", count(self.n)),
            ("dont_know", count(self.dont_know)),
            ("response_rate", self.response_rate),
            ("median", self.median),
            ("mean", self.mean),
            ("sd", self.sd),
            ("q1", self.q1),
            ("q3", self.q3),
            ("iqr", self.iqr),
            ("cv", self.cv),
        ]
    }
}

#[cfg(test)]
mod tests {
    use delphi_core::consensus::QuantileMethod;

    use super::*;
    use delphi_core::consensus::ConsensusPosition;

    fn scale5() -> (OrdinalScale, AgreeSet) {
        let s = OrdinalScale::new(1, 5).unwrap();
        (s, AgreeSet::new(s, 4, 5).unwrap())
    }

    /// reference/statistics.md line 14 (quartiles) through the item summary: the golden
    /// x = [3,4,4,5,5,5,6,7,7,9] on a 1..9 scale, agree set 7..9.
    #[test]
    fn golden_item_summary_line_14_and_17() {
        let s = OrdinalScale::new(1, 9).unwrap();
        let agree = AgreeSet::new(s, 7, 9).unwrap();
        let counts = [0, 0, 1, 2, 3, 1, 2, 0, 1];
        let rule = ConsensusRule { position: ConsensusPosition::AgreeSet, ..ConsensusRule::default() };
        let o = ordinal_summary(&counts, 2, s, agree, &rule, Some(16));
        assert_eq!(o.q1.value(), Some(4.25));
        assert_eq!(o.q3.value(), Some(6.75));
        assert_eq!(o.iqr.value(), Some(2.5));
        assert_eq!(o.median.value(), Some(5.0));
        assert_eq!(o.mean.value(), Some(5.5));
        // line 17: 100 · #(agree) / #(valid) = 100 · 3/10, don't know excluded by default
        assert_eq!(o.agreement_percent.value(), Some(30.0));
        assert_eq!(o.agreement_denominator, 10);
        assert_eq!(o.response_rate.value(), Some(0.75));
        assert_eq!(o.consensus.outcome, Outcome::NotMet);
        assert_eq!(o.consensus.reason, "IQR 2.50 > 1 and 30.0 % < 70 %");
        // By the box holding the median (5, in the middle box 4–6 between 1–3 and 7–9): 6 of 10.
        let by_median = ConsensusRule { position: ConsensusPosition::MedianBox, ..rule };
        let o = ordinal_summary(&counts, 2, s, agree, &by_median, Some(16));
        assert_eq!(o.consensus_box, AgreeSet::new(s, 4, 6).ok());
        assert_eq!(o.consensus_box_percent.value(), Some(60.0));
        assert_eq!(o.consensus.reason, "IQR 2.50 > 1 and 60.0 % in 4–6 < 70 %");
        let rule6 = ConsensusRule { quantile_method: QuantileMethod::Type6, dont_know: DontKnowPolicy::Count, ..rule };
        let o = ordinal_summary(&counts, 2, s, agree, &rule6, Some(16));
        assert_eq!(o.iqr.value(), Some(3.0));
        assert_eq!(o.agreement_percent.value(), Some(25.0));
        assert_eq!(o.agreement_denominator, 12);
    }

    /// A lone answer agrees with itself; four identical answers still leave one dissenter
    /// able to move the quartiles by whole points. Neither is a consensus.
    #[test]
    fn a_consensus_needs_the_rules_minimum_of_valid_answers() {
        let s = OrdinalScale::new(1, 5).unwrap();
        let agree = AgreeSet::new(s, 4, 5).unwrap();
        let rule = ConsensusRule::default();
        assert_eq!(rule.min_answers, 5);
        let verdict =
            |counts: [u64; 5], dont_know: u64| ordinal_summary(&counts, dont_know, s, agree, &rule, None).consensus;
        let one = verdict([0, 0, 0, 0, 1], 0);
        assert_eq!(one.outcome, Outcome::TooFewAnswers);
        assert_eq!(one.reason, "1 valid answer, fewer than the 5 a consensus needs");
        // Don't-know answers are no valid answers: four ratings and three "don't know".
        assert_eq!(verdict([0, 0, 0, 4, 0], 3).outcome, Outcome::TooFewAnswers);
        assert_eq!(verdict([0, 0, 0, 5, 0], 0).outcome, Outcome::Met);
        assert_eq!(verdict([0, 0, 0, 0, 0], 0).outcome, Outcome::Undefined, "no answers stays undefined");
        let two = ConsensusRule { min_answers: 2, ..rule };
        assert_eq!(ordinal_summary(&[0, 0, 0, 2, 0], 0, s, agree, &two, None).consensus.outcome, Outcome::Met);
    }

    /// A median of 3.5 between the boxes 1–3 and 4–5 is no consensus, and the box share is
    /// undefined for that reason, not for want of answers.
    #[test]
    fn a_median_between_two_boxes_says_so() {
        let s = OrdinalScale::new(1, 5).unwrap();
        let agree = AgreeSet::new(s, 4, 5).unwrap();
        let o = ordinal_summary(&[0, 0, 3, 3, 0], 0, s, agree, &ConsensusRule::default(), None);
        assert_eq!(o.median.value(), Some(3.5));
        assert_eq!(o.consensus.outcome, Outcome::NotMet);
        assert_eq!(o.consensus_box_percent.as_result().unwrap_err(), Undefined::BetweenBoxes);
        // Four answers are too few for any verdict, between boxes or not.
        let few = ordinal_summary(&[0, 0, 2, 2, 0], 0, s, agree, &ConsensusRule::default(), None);
        assert_eq!(few.consensus.outcome, Outcome::TooFewAnswers);
    }

    #[test]
    fn verdict_reason_matches_the_issue_example() {
        let rule = ConsensusRule::default();
        let v = consensus_verdict(Figure::new(1.0), Figure::new(78.0), &rule);
        assert_eq!(v.outcome, Outcome::Met);
        assert_eq!(v.reason, "IQR 1.00 ≤ 1 and 78.0 % ≥ 70 %");
        // rounding never prints a comparison that looks wrong: more decimals only where needed
        let v = consensus_verdict(Figure::new(1.004), Figure::new(69.96), &rule);
        assert_eq!(v.reason, "IQR 1.004 > 1 and 69.96 % < 70 %");
        let v = consensus_verdict(Figure::new(1.04), Figure::new(69.6), &rule);
        assert_eq!(v.reason, "IQR 1.04 > 1 and 69.6 % < 70 %");
        let v = consensus_verdict(Figure::new(0.75), Figure::new(100.0), &rule);
        assert_eq!(v.reason, "IQR 0.75 ≤ 1 and 100.0 % ≥ 70 %");
    }

    #[test]
    fn median_boxes_mirror_the_agree_set() {
        let s7 = OrdinalScale::new(1, 7).unwrap();
        let top = AgreeSet::new(s7, 5, 7).unwrap();
        let boxes = |m: f64| median_box(m, s7, top).map(|b| (b.lo(), b.hi()));
        assert_eq!(boxes(6.0), Some((5, 7)));
        assert_eq!(boxes(5.0), Some((5, 7)));
        assert_eq!(boxes(4.0), Some((4, 4)));
        assert_eq!(boxes(2.5), Some((1, 3)));
        assert_eq!(boxes(3.5), None, "between the bottom box and the middle point");
        // An agree set at the bottom mirrors to the top.
        let bottom = AgreeSet::new(s7, 1, 2).unwrap();
        assert_eq!(median_box(7.0, s7, bottom).map(|b| (b.lo(), b.hi())), Some((6, 7)));
        assert_eq!(median_box(4.0, s7, bottom).map(|b| (b.lo(), b.hi())), Some((3, 5)));
        // An agree set over most of the scale: the rest is the other box.
        let wide = AgreeSet::new(s7, 3, 7).unwrap();
        assert_eq!(median_box(1.5, s7, wide).map(|b| (b.lo(), b.hi())), Some((1, 2)));
        // A panel united on "low risk" has consensus, judged on the bottom box.
        let rule = ConsensusRule::default();
        let o = ordinal_summary(&[6, 10, 2, 0, 0, 0, 0], 0, s7, top, &rule, Some(18));
        assert_eq!(o.agreement_percent.value(), Some(0.0));
        assert_eq!(o.consensus.outcome, Outcome::Met);
        assert_eq!(o.consensus.reason, "IQR 1.00 ≤ 1 and 100.0 % in 1–3 ≥ 70 %");
    }

    #[test]
    fn edge_cases() {
        let (s, a) = scale5();
        let rule = ConsensusRule::default();
        // all missing: nobody answered
        let o = ordinal_summary(&[0; 5], 0, s, a, &rule, Some(10));
        assert_eq!(o.n, 0);
        assert_eq!(o.response_rate.value(), Some(0.0));
        assert_eq!(o.median.reason(), Some(Undefined::NoAnswers));
        assert_eq!(o.consensus.outcome, Outcome::Undefined);
        assert_eq!(o.consensus.reason, "median undefined: no valid answers");
        // only don't know, counted: agreement 0 %, IQR still undefined
        let r2 = ConsensusRule { dont_know: DontKnowPolicy::Count, ..rule };
        let o = ordinal_summary(&[0; 5], 3, s, a, &r2, None);
        assert_eq!(o.agreement_percent.value(), Some(0.0));
        assert_eq!(o.response_rate.reason(), Some(Undefined::NoInvited));
        // n = 1
        let o = ordinal_summary(&[0, 0, 0, 1, 0], 0, s, a, &rule, Some(1));
        assert_eq!(o.iqr.value(), Some(0.0));
        assert_eq!(o.sd.reason(), Some(Undefined::TooFewAnswers { needed: 2, got: 1 }));
        assert_eq!(o.cv.reason(), Some(Undefined::TooFewAnswers { needed: 2, got: 1 }));
        // One answer agrees with itself: that is too few answers, not a consensus (issue 14).
        assert_eq!(o.consensus.outcome, Outcome::TooFewAnswers);
        // all equal, one category outside the agree set: united on "disagree" (the bottom
        // box 1–2), which is consensus by the median's box but not by the agree set
        let o = ordinal_summary(&[0, 9, 0, 0, 0], 0, s, a, &rule, Some(9));
        assert_eq!(o.sd.value(), Some(0.0));
        assert_eq!(o.cv.value(), Some(0.0));
        assert_eq!(o.consensus.outcome, Outcome::Met);
        assert_eq!(o.consensus.reason, "IQR 0.00 ≤ 1 and 100.0 % in 1–2 ≥ 70 %");
        let top_box = ConsensusRule { position: ConsensusPosition::AgreeSet, ..rule };
        let o = ordinal_summary(&[0, 9, 0, 0, 0], 0, s, a, &top_box, Some(9));
        assert_eq!(o.consensus.outcome, Outcome::NotMet);
        // numeric: n = 0, n = 1, zero mean
        assert_eq!(numeric_summary(&mut [], 1, &rule, None).median.reason(), Some(Undefined::NoAnswers));
        let n = numeric_summary(&mut [2.0], 0, &rule, None);
        assert_eq!(n.iqr.value(), Some(0.0));
        assert_eq!(numeric_summary(&mut [-1.0, 1.0], 0, &rule, None).cv.reason(), Some(Undefined::ZeroMean));
        let n = numeric_summary(&mut [9.0, 3.0, 4.0, 4.0, 5.0, 5.0, 5.0, 6.0, 7.0, 7.0], 0, &rule, None);
        assert_eq!(n.iqr.value(), Some(2.5));
    }
}
