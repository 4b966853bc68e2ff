//! Per item and round: descriptive figures, consensus measures and the consensus verdict.

use delphi_core::consensus::{ConsensusRule, DontKnowPolicy};
use serde::Serialize;

use crate::input::{AgreeSet, OrdinalScale};
use crate::ordinal::{self, Polarisation, RandUcla};
use crate::quantile::{quantile_counts, quantile_sorted};
use crate::{Figure, Undefined};

#[allow(clippy::cast_precision_loss)]
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
    /// The rule cannot be applied (e.g. no answers); the reason says why.
    Undefined,
}

/// A verdict with its human-readable reason, e.g. "IQR 1.0 ≤ 1 and 78 % ≥ 70 %".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Met, not met, or undefined.
    pub outcome: Outcome,
    /// Why, with the figures and thresholds.
    pub reason: String,
}

impl Verdict {
    /// An undefined verdict.
    pub fn undefined(reason: impl Into<String>) -> Self {
        Self { outcome: Outcome::Undefined, reason: reason.into() }
    }

    /// Whether the rule is met.
    pub fn is_met(&self) -> bool {
        self.outcome == Outcome::Met
    }
}

/// Formats `value` with the fewest decimals (from `start`) that keep the printed comparison
/// with `threshold` true to the exact one.
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
    let (iqr, agr) = match (iqr.as_result(), agreement_percent.as_result()) {
        (Ok(i), Ok(a)) => (i, a),
        (Err(e), _) => return Verdict::undefined(format!("IQR undefined: {e}")),
        (_, Err(e)) => return Verdict::undefined(format!("agreement undefined: {e}")),
    };
    let iqr_ok = iqr <= rule.iqr_max;
    let agr_ok = agr >= rule.agreement_min_percent;
    let i = fmt_cmp(iqr, rule.iqr_max, 1, |a, b| a <= b);
    let a = fmt_cmp(agr, rule.agreement_min_percent, 0, |a, b| a >= b);
    let reason = format!(
        "IQR {i} {} {} and {a} % {} {} %",
        if iqr_ok { "≤" } else { ">" },
        rule.iqr_max,
        if agr_ok { "≥" } else { "<" },
        rule.agreement_min_percent
    );
    Verdict { outcome: if iqr_ok && agr_ok { Outcome::Met } else { Outcome::NotMet }, reason }
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
    let consensus = consensus_verdict(iqr, agreement_percent, rule);
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
        #[allow(clippy::cast_precision_loss)]
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
        #[allow(clippy::cast_precision_loss)]
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
        let rule = ConsensusRule::default();
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
        assert_eq!(o.consensus.reason, "IQR 2.5 > 1 and 30 % < 70 %");
        let rule6 = ConsensusRule { quantile_method: QuantileMethod::Type6, dont_know: DontKnowPolicy::Count, ..rule };
        let o = ordinal_summary(&counts, 2, s, agree, &rule6, Some(16));
        assert_eq!(o.iqr.value(), Some(3.0));
        assert_eq!(o.agreement_percent.value(), Some(25.0));
        assert_eq!(o.agreement_denominator, 12);
    }

    #[test]
    fn verdict_reason_matches_the_issue_example() {
        let rule = ConsensusRule::default();
        let v = consensus_verdict(Figure::new(1.0), Figure::new(78.0), &rule);
        assert_eq!(v.outcome, Outcome::Met);
        assert_eq!(v.reason, "IQR 1.0 ≤ 1 and 78 % ≥ 70 %");
        // rounding never prints a comparison that looks wrong
        let v = consensus_verdict(Figure::new(1.04), Figure::new(69.6), &rule);
        assert_eq!(v.reason, "IQR 1.04 > 1 and 69.6 % < 70 %");
        let v = consensus_verdict(Figure::new(0.75), Figure::new(100.0), &rule);
        assert_eq!(v.reason, "IQR 0.8 ≤ 1 and 100 % ≥ 70 %");
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
        assert_eq!(o.consensus.reason, "IQR undefined: no valid answers");
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
        assert_eq!(o.consensus.reason, "IQR 0.0 ≤ 1 and 100 % ≥ 70 %");
        // all equal, one category
        let o = ordinal_summary(&[0, 9, 0, 0, 0], 0, s, a, &rule, Some(9));
        assert_eq!(o.sd.value(), Some(0.0));
        assert_eq!(o.cv.value(), Some(0.0));
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
