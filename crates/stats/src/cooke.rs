//! Quantile items: the equal-weight linear pool and Cooke's classical model.
//!
//! Each expert's 5/50/95 % quantiles define a piecewise-linear CDF through
//! `(L*, 0), (q05, .05), (q50, .5), (q95, .95), (U*, 1)`, where `[L*, U*]` is the item's
//! intrinsic range (all experts' quantiles and, on seed items, the realisation) widened by
//! 10 % on each side. A bin holds the values in `(q_{i−1}, q_i]`.

use serde::Serialize;

use crate::input::Quantiles;
use crate::ranktests::chi_square_sf;
use crate::{Figure, StatsError, Undefined};
use delphi_core::study::QuantileLevels;

/// Probabilities of the four inter-quantile bins.
pub const BIN_P: [f64; 4] = [0.05, 0.45, 0.45, 0.05];
/// Overshoot of the intrinsic range on each side.
pub const OVERSHOOT: f64 = 0.1;
const PROBS: [f64; 3] = [0.05, 0.5, 0.95];

fn fu(x: usize) -> f64 {
    x as f64
}

/// The intrinsic range `[L*, U*]` of an item.
pub fn intrinsic_range<'a>(
    quantiles: impl IntoIterator<Item = &'a Quantiles>,
    realisation: Option<f64>,
) -> Option<(f64, f64)> {
    let mut lo = realisation.unwrap_or(f64::INFINITY);
    let mut hi = realisation.unwrap_or(f64::NEG_INFINITY);
    for q in quantiles {
        lo = lo.min(q.lowest());
        hi = hi.max(q.highest());
    }
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return None;
    }
    let k = OVERSHOOT * (hi - lo);
    Some((lo - k, hi + k))
}

/// The bin (0–3) of a realisation.
pub fn bin_of(q: [f64; 3], x: f64) -> usize {
    q.iter().filter(|&&v| x > v).count()
}

/// The bin probabilities of the 5/50/95 % quantiles as whole parts of their sum (20):
/// (1, 9, 9, 1) / 20 = [`BIN_P`].
pub const BIN_PARTS: [u64; 4] = [1, 9, 9, 1];

/// Relative information `I(s, p)` and calibration `C = 1 − F_χ²₃(2 N I)` from the counts of
/// realisations in the four 5/50/95 % bins.
///
/// Equal counts give equal scores bit for bit, in any order of the bins, and so do all count
/// vectors whose scores are mathematically equal (see [`calibration_from_parts`]).
pub fn calibration(counts: [u64; 4]) -> (Figure, Figure) {
    let n: u64 = counts.iter().sum();
    if n == 0 {
        let u = Figure::undefined(Undefined::NoAnswers);
        return (u, u);
    }
    scores_from_log_ratio(n, counts.len(), log_likelihood_ratio(&counts, &BIN_PARTS))
}

/// Relative information and calibration for any number of bins whose probabilities are
/// `parts[i] / Σ parts` (whole numbers: quantiles at 10/50/90 % give (10, 40, 40, 10)).
///
/// `N·I(s, p) = ln(Π cᵢ^cᵢ · Dᴺ / (Nᴺ · Π kᵢ^cᵢ))` with `D = Σ kᵢ` is the logarithm of a
/// rational number. It is evaluated from that number's prime factorisation, adding
/// `e_q · ln q` over the primes q in increasing order (compensated), so the result depends only
/// on the number itself: permuting the bins, or any other count vector with the same value
/// (`(0, 0, 0, 5)` and `(2, 4, 5, 9)` both give 20⁵), yields the same bits. Summing
/// `sᵢ ln(sᵢ/pᵢ)` in bin order does not, and an α cut-off then separates experts whose
/// scores are equal.
pub fn calibration_from_parts(counts: &[u64], parts: &[u64]) -> Result<(Figure, Figure), StatsError> {
    if counts.len() != parts.len() || counts.len() < 2 {
        return Err(StatsError::InvalidInput(format!(
            "calibration needs one count per bin and at least two bins (got {} counts, {} bins)",
            counts.len(),
            parts.len()
        )));
    }
    if let Some(b) = parts.iter().position(|&k| k == 0) {
        return Err(StatsError::InvalidInput(format!("bin {b} has probability 0")));
    }
    let n: u64 = counts.iter().sum();
    if n == 0 {
        let u = Figure::undefined(Undefined::NoAnswers);
        return Ok((u, u));
    }
    Ok(scores_from_log_ratio(n, counts.len(), log_likelihood_ratio(counts, parts)))
}

/// `(I, C)` from `N·I` over `bins` bins.
fn scores_from_log_ratio(n: u64, bins: usize, n_times_i: f64) -> (Figure, Figure) {
    // Rounding can leave a true 0 (e.g. counts ∝ parts) a hair below it.
    let n_times_i = n_times_i.max(0.0);
    let i = n_times_i / n as f64;
    (Figure::new(i), chi_square_sf(2.0 * n_times_i, fu(bins - 1)))
}

/// `N·I(s, p)` for the classical model on whole cases ([`crate::classical`]): the same
/// exact evaluation, so equal counts give equal bits there too.
pub(crate) fn n_times_information(counts: &[u64], parts: &[u64]) -> f64 {
    log_likelihood_ratio(counts, parts).max(0.0)
}

/// `N·I(s, p)` as `Σ_q e_q ln q` over the prime factorisation of
/// `Π cᵢ^cᵢ · Dᴺ / (Nᴺ · Π kᵢ^cᵢ)`; `counts` and `parts` have equal lengths, parts > 0.
fn log_likelihood_ratio(counts: &[u64], parts: &[u64]) -> f64 {
    let n: u64 = counts.iter().sum();
    let mut exponents = PrimeExponents::default();
    for (&c, &k) in counts.iter().zip(parts) {
        if c > 0 {
            exponents.add(c, to_i64(c));
            exponents.add(k, -to_i64(c));
        }
    }
    exponents.add(parts.iter().sum(), to_i64(n));
    exponents.add(n, -to_i64(n));
    exponents.log()
}

fn to_i64(x: u64) -> i64 {
    i64::try_from(x).expect("counts of seed items fit in i64")
}

/// A positive rational number as exponents of its prime factors, in increasing order.
#[derive(Default)]
struct PrimeExponents(std::collections::BTreeMap<u64, i64>);

impl PrimeExponents {
    /// Multiplies by `x^power` (`x ≥ 1`).
    fn add(&mut self, mut x: u64, power: i64) {
        let mut q = 2;
        while q * q <= x {
            while x.is_multiple_of(q) {
                *self.0.entry(q).or_default() += power;
                x /= q;
            }
            q += 1;
        }
        if x > 1 {
            *self.0.entry(x).or_default() += power;
        }
    }

    /// The natural logarithm, summed in increasing order of the primes with Neumaier's
    /// compensation: a function of the number alone.
    fn log(&self) -> f64 {
        let (mut sum, mut carry) = (0.0f64, 0.0f64);
        for term in self.0.iter().filter(|&(_, &e)| e != 0).map(|(&q, &e)| e as f64 * (q as f64).ln()) {
            let t = sum + term;
            carry += if sum.abs() >= term.abs() { (sum - t) + term } else { (term - t) + sum };
            sum = t;
        }
        sum + carry
    }
}

/// Information of one assessment relative to the uniform background on `[lo, hi]`:
/// `ln(U* − L*) + Σ p_b ln(p_b / (x_b − x_{b−1}))`.
pub fn information(q: [f64; 3], lo: f64, hi: f64) -> f64 {
    let x = [lo, q[0], q[1], q[2], hi];
    (hi - lo).ln() + (0..4).map(|b| BIN_P[b] * (BIN_P[b] / (x[b + 1] - x[b])).ln()).sum::<f64>()
}

/// Quantiles 5/50/95 of a weighted pool of piecewise-linear CDFs through 5/50/95 % on `[lo, hi]`.
/// Weights need not be normalised; zero-weight experts are ignored.
pub fn pool(experts: &[([f64; 3], f64)], lo: f64, hi: f64) -> Option<[f64; 3]> {
    let e: Vec<(&[f64], f64)> = experts.iter().map(|(q, w)| (&q[..], *w)).collect();
    let out = pool_at(&e, &PROBS, lo, hi, &PROBS)?;
    Some([out[0], out[1], out[2]])
}

/// Quantiles at probabilities `wanted` of a weighted pool of piecewise-linear CDFs on
/// `[lo, hi]`, each through its values at probabilities `levels` (the same for all).
/// Weights need not be normalised; zero-weight experts are ignored.
pub fn pool_at(experts: &[(&[f64], f64)], levels: &[f64], lo: f64, hi: f64, wanted: &[f64]) -> Option<Vec<f64>> {
    let total: f64 = experts.iter().map(|e| e.1).sum();
    if total <= 0.0 || experts.is_empty() || hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let mut knots: Vec<f64> = vec![lo, hi];
    for (q, w) in experts {
        if *w > 0.0 {
            knots.extend_from_slice(q);
        }
    }
    knots.sort_by(f64::total_cmp);
    knots.dedup();
    let ps: Vec<f64> = std::iter::once(0.0).chain(levels.iter().copied()).chain([1.0]).collect();
    let last = ps.len() - 2;
    let cdf = |x: f64| -> f64 {
        experts
            .iter()
            .filter(|e| e.1 > 0.0)
            .map(|(q, w)| {
                let xs: Vec<f64> = std::iter::once(lo).chain(q.iter().copied()).chain([hi]).collect();
                let v = if x <= lo {
                    0.0
                } else if x >= hi {
                    1.0
                } else {
                    let i = xs.iter().rposition(|&k| k <= x).unwrap_or(0).min(last);
                    ps[i] + (ps[i + 1] - ps[i]) * (x - xs[i]) / (xs[i + 1] - xs[i])
                };
                w * v
            })
            .sum::<f64>()
            / total
    };
    let fk: Vec<f64> = knots.iter().map(|&k| cdf(k)).collect();
    wanted
        .iter()
        .map(|&p| {
            let i = fk.iter().position(|&v| v >= p)?;
            Some(if i == 0 {
                knots[0]
            } else {
                knots[i - 1] + (p - fk[i - 1]) / (fk[i] - fk[i - 1]) * (knots[i] - knots[i - 1])
            })
        })
        .collect()
}

/// The equal-weight linear pool of one item's assessments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinearPool {
    /// Assessments pooled.
    pub n: usize,
    /// Pooled 5 % quantile.
    pub q05: Figure,
    /// Pooled median.
    pub q50: Figure,
    /// Pooled 95 % quantile.
    pub q95: Figure,
    /// The pool at the quantiles the item asks, lowest first (5/50/95 % unless the study
    /// asks others): what experts are shown.
    pub asked: Vec<PooledQuantile>,
}

/// The pool's value at one of the quantiles an item asks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PooledQuantile {
    /// The level, in percent.
    pub percent: u8,
    /// The pool's quantile there.
    pub value: Figure,
}

fn figs(q: Option<[f64; 3]>, why: Undefined) -> [Figure; 3] {
    q.map_or([Figure::undefined(why); 3], |q| q.map(Figure::new))
}

/// Equal weights: 1 / number of experts, on the item's intrinsic range. The assessments
/// share their item's levels (`levels`).
pub fn linear_pool(assessments: &[&Quantiles], levels: QuantileLevels, realisation: Option<f64>) -> LinearPool {
    let why = if assessments.is_empty() { Undefined::NoAnswers } else { Undefined::NotFinite };
    let probs: Vec<f64> = levels.percents().map(|p| f64::from(p) / 100.0).collect();
    let wanted: Vec<f64> = PROBS.iter().copied().chain(probs.iter().copied()).collect();
    let q = intrinsic_range(assessments.iter().copied(), realisation).and_then(|(lo, hi)| {
        let e: Vec<(&[f64], f64)> = assessments.iter().map(|q| (q.values(), 1.0)).collect();
        pool_at(&e, &probs, lo, hi, &wanted)
    });
    let [q05, q50, q95] = figs(q.as_ref().map(|q| [q[0], q[1], q[2]]), why);
    let asked = levels
        .percents()
        .enumerate()
        .map(|(k, percent)| PooledQuantile {
            percent,
            value: q.as_ref().map_or(Figure::undefined(why), |q| Figure::new(q[3 + k])),
        })
        .collect();
    LinearPool { n: assessments.len(), q05, q50, q95, asked }
}

/// One expert's assessments for the classical model: all seed items, and target items
/// (`None` where not answered).
#[derive(Debug, Clone, PartialEq)]
pub struct CookeExpert {
    /// Pseudonym (or another anonymous label).
    pub expert: String,
    /// One assessment per seed item, in the order of the realisations.
    pub seeds: Vec<Quantiles>,
    /// One entry per target item.
    pub targets: Vec<Option<Quantiles>>,
}

/// An expert's scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpertScore {
    /// Pseudonym.
    pub expert: String,
    /// Calibration score.
    pub calibration: Figure,
    /// Mean information over the seed items.
    pub information: Figure,
    /// C · I (the unnormalised global weight).
    pub combined: Figure,
    /// Normalised performance weight at the optimised α (0 below α).
    pub weight: Figure,
}

/// A decision maker's own scores on the seed items.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DmScore {
    /// Calibration.
    pub calibration: Figure,
    /// Mean information over the seeds.
    pub information: Figure,
    /// C · I.
    pub combined: Figure,
}

/// Decision-maker quantiles of one target item, at the model's `quantiles`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetQuantiles {
    /// Performance-weighted (optimised).
    pub performance: Vec<Figure>,
    /// Equal weights.
    pub equal: Vec<Figure>,
}

/// Result of Cooke's classical model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassicalModel {
    /// Number of seed items.
    pub seeds: usize,
    /// Experts' scores, in input order.
    pub experts: Vec<ExpertScore>,
    /// The optimised cut-off α (experts with C < α get weight 0).
    pub alpha: Figure,
    /// Scores of the optimised performance-weight decision maker.
    pub performance_dm: DmScore,
    /// Scores of the equal-weight decision maker.
    pub equal_dm: DmScore,
    /// The quantiles asked, in percent: those of `targets`.
    pub quantiles: Vec<u8>,
    /// Decision-maker quantiles per target item.
    pub targets: Vec<TargetQuantiles>,
}

struct Seeds<'a> {
    realisations: &'a [f64],
    ranges: Vec<(f64, f64)>,
}

impl Seeds<'_> {
    fn score(&self, per_item: &[[f64; 3]]) -> DmScore {
        let mut counts = [0u64; 4];
        let mut info = 0.0;
        for ((q, &x), &(lo, hi)) in per_item.iter().zip(self.realisations).zip(&self.ranges) {
            counts[bin_of(*q, x)] += 1;
            info += information(*q, lo, hi);
        }
        let (_, c) = calibration(counts);
        let i = Figure::new(info / fu(per_item.len()));
        DmScore { calibration: c, information: i, combined: c.zip(i, |a, b| Figure::new(a * b)) }
    }

    fn dm(&self, experts: &[CookeExpert], weights: &[f64]) -> Option<Vec<[f64; 3]>> {
        (0..self.realisations.len())
            .map(|s| {
                let e: Vec<([f64; 3], f64)> =
                    experts.iter().zip(weights).map(|(x, &w)| (three(&x.seeds[s]), w)).collect();
                pool(&e, self.ranges[s].0, self.ranges[s].1)
            })
            .collect()
    }

    /// Each expert's calibration and information on the seeds.
    fn experts_scores(&self, experts: &[CookeExpert]) -> (Vec<f64>, Vec<f64>) {
        let mut cal = Vec::with_capacity(experts.len());
        let mut inf = Vec::with_capacity(experts.len());
        for e in experts {
            let mut counts = [0u64; 4];
            let mut info = 0.0;
            for (s, q) in e.seeds.iter().enumerate() {
                counts[bin_of(three(q), self.realisations[s])] += 1;
                info += information(three(q), self.ranges[s].0, self.ranges[s].1);
            }
            cal.push(calibration(counts).1.value().unwrap_or(0.0));
            inf.push(info / fu(self.realisations.len()));
        }
        (cal, inf)
    }

    /// The cut-off α, among the distinct calibration scores `cal`, whose decision maker
    /// scores best ([`dm_objective`]; ties: the smallest), with the experts' weights at it
    /// and the decision maker's scores; none when no cut-off leaves a decision maker.
    fn optimise_alpha(&self, experts: &[CookeExpert], cal: &[f64], inf: &[f64]) -> Option<(f64, Vec<f64>, DmScore)> {
        let mut alphas = cal.to_vec();
        alphas.sort_by(f64::total_cmp);
        alphas.dedup();
        let mut best: Option<(f64, Vec<f64>, DmScore)> = None;
        for &a in &alphas {
            let w: Vec<f64> = cal.iter().zip(inf).map(|(&c, &i)| if c >= a { c * i } else { 0.0 }).collect();
            if w.iter().sum::<f64>() <= 0.0 {
                continue;
            }
            let Some(dm) = self.dm(experts, &w) else {
                continue;
            };
            let score = self.score(&dm);
            let better = match &best {
                None => true,
                Some((best_a, _, b)) => dm_objective(&score, a) > dm_objective(b, *best_a),
            };
            if better {
                best = Some((a, w, score));
            }
        }
        best
    }
}

/// What the α search maximises: the decision maker scored as a virtual expert at the same
/// cut-off, `C_DM · I_DM · 1[C_DM ≥ α]` (Cooke 1991, EXCALIBUR, ANDURYL). Undefined scores
/// rank below every defined one.
fn dm_objective(dm: &DmScore, alpha: f64) -> f64 {
    match (dm.calibration.value(), dm.combined.value()) {
        (Some(c), Some(ci)) if c >= alpha => ci,
        (Some(_), Some(_)) => 0.0,
        _ => -1.0,
    }
}

/// Cooke's classical model: calibration and information on the seed items, performance
/// weights `∝ C · I · 1[C ≥ α]` with α chosen among the experts' calibration scores to
/// maximise the decision maker's own `C · I · 1[C_DM ≥ α]` (ties, including a DM below every
/// cut-off: the smallest such α), and the decision maker's 5/50/95 % quantiles on each target
/// item. Experts with mathematically equal calibration scores have bit-identical ones (see
/// [`calibration_from_parts`]), so they pass or fail every cut-off together.
pub fn classical_model(realisations: &[f64], experts: &[CookeExpert]) -> Result<ClassicalModel, StatsError> {
    let n_seeds = realisations.len();
    let n_targets = experts.first().map_or(0, |e| e.targets.len());
    check_model_input(realisations, experts, n_seeds, n_targets)?;
    let ranges: Option<Vec<(f64, f64)>> =
        (0..n_seeds).map(|s| intrinsic_range(experts.iter().map(|e| &e.seeds[s]), Some(realisations[s]))).collect();
    let undefined_model = |why| undefined_model(experts, n_seeds, n_targets, why);
    if n_seeds == 0 {
        return Ok(undefined_model(Undefined::TooFewAnswers { needed: 1, got: 0 }));
    }
    if experts.is_empty() {
        return Ok(undefined_model(Undefined::NoAnswers));
    }
    let Some(ranges) = ranges else {
        return Ok(undefined_model(Undefined::NoVariation));
    };
    let seeds = Seeds { realisations, ranges };
    let (cal, inf) = seeds.experts_scores(experts);
    let best = seeds.optimise_alpha(experts, &cal, &inf);
    let equal_w = vec![1.0; experts.len()];
    let equal_dm = seeds.dm(experts, &equal_w).map_or(
        DmScore {
            calibration: Figure::undefined(Undefined::NotFinite),
            information: Figure::undefined(Undefined::NotFinite),
            combined: Figure::undefined(Undefined::NotFinite),
        },
        |dm| seeds.score(&dm),
    );
    let (alpha, weights, performance_dm) = match best {
        Some((a, w, s)) => (Figure::new(a), Some(w), s),
        None => {
            let u = Figure::undefined(Undefined::NoVariation);
            (u, None, DmScore { calibration: u, information: u, combined: u })
        }
    };
    let wsum: f64 = weights.as_ref().map_or(0.0, |w| w.iter().sum());
    let scores = experts
        .iter()
        .enumerate()
        .map(|(k, e)| ExpertScore {
            expert: e.expert.clone(),
            calibration: Figure::new(cal[k]),
            information: Figure::new(inf[k]),
            combined: Figure::new(cal[k] * inf[k]),
            weight: weights.as_ref().map_or(Figure::undefined(Undefined::NoVariation), |w| Figure::new(w[k] / wsum)),
        })
        .collect();
    Ok(ClassicalModel {
        seeds: n_seeds,
        experts: scores,
        alpha,
        performance_dm,
        equal_dm,
        quantiles: vec![5, 50, 95],
        targets: target_quantiles(experts, weights.as_deref(), n_targets),
    })
}

/// Refuses what the model cannot take: quantiles other than 5/50/95 %, an expert without
/// one assessment per seed and one entry per target, a realisation that is not finite.
fn check_model_input(
    realisations: &[f64],
    experts: &[CookeExpert],
    n_seeds: usize,
    n_targets: usize,
) -> Result<(), StatsError> {
    let asked = |q: &Quantiles| q.levels() == QuantileLevels::FIVE_FIFTY_NINETY_FIVE;
    if !experts.iter().all(|e| e.seeds.iter().chain(e.targets.iter().flatten()).all(asked)) {
        return Err(StatsError::InvalidInput(
            "this model takes 5/50/95 % quantiles; `classical::run` takes any".into(),
        ));
    }
    if experts.iter().any(|e| e.seeds.len() != n_seeds || e.targets.len() != n_targets) {
        return Err(StatsError::InvalidInput(
            "every expert needs one assessment per seed and one entry per target".into(),
        ));
    }
    if let Some(x) = realisations.iter().find(|x| !x.is_finite()) {
        return Err(StatsError::NotFinite { what: "a realisation", value: *x });
    }
    Ok(())
}

/// The model when it cannot be computed, for the reason `why`: every score, weight and
/// quantile undefined.
fn undefined_model(experts: &[CookeExpert], n_seeds: usize, n_targets: usize, why: Undefined) -> ClassicalModel {
    let u = Figure::undefined(why);
    let dm = DmScore { calibration: u, information: u, combined: u };
    ClassicalModel {
        seeds: n_seeds,
        experts: experts
            .iter()
            .map(|e| ExpertScore { expert: e.expert.clone(), calibration: u, information: u, combined: u, weight: u })
            .collect(),
        alpha: u,
        performance_dm: dm,
        equal_dm: dm,
        quantiles: vec![5, 50, 95],
        targets: vec![TargetQuantiles { performance: vec![u; 3], equal: vec![u; 3] }; n_targets],
    }
}

/// The decision makers' 5/50/95 % quantiles on each target item: performance-weighted by
/// `weights` (undefined without them) and with equal weights.
fn target_quantiles(experts: &[CookeExpert], weights: Option<&[f64]>, n_targets: usize) -> Vec<TargetQuantiles> {
    (0..n_targets)
        .map(|t| {
            let answered: Vec<(usize, &Quantiles)> =
                experts.iter().enumerate().filter_map(|(k, e)| e.targets[t].as_ref().map(|q| (k, q))).collect();
            let range = intrinsic_range(answered.iter().map(|a| a.1), None);
            let run = |w: &dyn Fn(usize) -> f64| -> Vec<Figure> {
                let e: Vec<([f64; 3], f64)> = answered.iter().map(|&(k, q)| (three(q), w(k))).collect();
                let why = if answered.is_empty() { Undefined::NoAnswers } else { Undefined::NoVariation };
                figs(range.and_then(|(lo, hi)| pool(&e, lo, hi)), why).to_vec()
            };
            TargetQuantiles {
                performance: match weights {
                    Some(w) => run(&|k| w[k]),
                    None => vec![Figure::undefined(Undefined::NoVariation); 3],
                },
                equal: run(&|_| 1.0),
            }
        })
        .collect()
}

/// 5/50/95 % quantiles as this module's fixed-size functions take them (checked by
/// [`classical_model`] before any is called).
fn three(q: &Quantiles) -> [f64; 3] {
    let v = q.values();
    [v[0], v[1], v[2]]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Figure, b: f64, tol: f64) {
        let v = a.value().unwrap_or_else(|| panic!("undefined: {a}"));
        assert!((v - b).abs() <= tol, "{v} vs {b}");
    }

    /// reference/statistics.md line 81: counts [2,8,8,2] → I 0.0444030, C 0.6201452.
    #[test]
    fn golden_calibration_line_81() {
        let (i, c) = calibration([2, 8, 8, 2]);
        close(i, 0.044_403_0, 1e-7);
        close(c, 0.620_145_2, 1e-7);
    }

    /// reference/statistics.md line 82: [5,5,5,5] → I 0.5108256, C 1.380411e-4; [1,9,9,1] → C 1.
    #[test]
    fn golden_calibration_line_82() {
        let (i, c) = calibration([5, 5, 5, 5]);
        close(i, 0.510_825_6, 1e-7);
        close(c, 1.380_411e-4, 1e-9);
        let (i, c) = calibration([1, 9, 9, 1]);
        close(i, 0.0, 1e-12);
        close(c, 1.0, 1e-12);
        assert_eq!(calibration([0; 4]).1.reason(), Some(Undefined::NoAnswers));
    }

    /// reference/statistics.md lines 83–85, hand-worked: one expert (0, 5, 10), realisation 5:
    /// L = 0, U = 10, L* = −1, U* = 11; I = ln 12 + .05 ln(.05/1) + .45 ln(.45/5) · 2 + .05 ln(.05/1).
    #[test]
    fn information_lines_83_85() {
        let q = Quantiles::new(0.0, 5.0, 10.0).unwrap();
        let (lo, hi) = intrinsic_range([&q], Some(5.0)).unwrap();
        assert_eq!((lo, hi), (-1.0, 11.0));
        let want = 12f64.ln() + 0.1 * 0.05f64.ln() + 0.9 * (0.45f64 / 5.0).ln();
        assert!((information(three(&q), lo, hi) - want).abs() < 1e-12);
    }

    #[test]
    fn the_pool_is_given_at_the_quantiles_the_item_asks_and_at_5_50_95() {
        let levels = QuantileLevels::new(&[10, 50, 90]).unwrap();
        let q = Quantiles::at_levels(levels, vec![1.0, 2.0, 4.0]).unwrap();
        let p = linear_pool(&[&q], levels, None);
        let asked: Vec<u8> = p.asked.iter().map(|a| a.percent).collect();
        assert_eq!(asked, [10, 50, 90]);
        // One expert: their own quantiles back.
        for (a, want) in p.asked.iter().zip([1.0, 2.0, 4.0]) {
            close(a.value, want, 1e-12);
        }
        // Hand-worked tails: [L*, U*] = [1 − 0.3, 4 + 0.3]; the CDF rises linearly from
        // (0.7, 0) to (1, 0.1), so F = 0.05 at 0.85, and from (4, 0.9) to (4.3, 1): 0.95 at 4.15.
        close(p.q05, 0.85, 1e-12);
        close(p.q50, 2.0, 1e-12);
        close(p.q95, 4.15, 1e-12);
    }

    #[test]
    fn pool_of_one_expert_returns_its_quantiles_and_equal_experts_agree() {
        let q = Quantiles::new(1.0, 2.0, 4.0).unwrap();
        let p = linear_pool(&[&q], QuantileLevels::default(), None);
        close(p.q05, 1.0, 1e-12);
        close(p.q50, 2.0, 1e-12);
        close(p.q95, 4.0, 1e-12);
        let p = linear_pool(&[&q, &q, &q], QuantileLevels::default(), None);
        close(p.q50, 2.0, 1e-12);
        assert_eq!(linear_pool(&[], QuantileLevels::default(), None).q50.reason(), Some(Undefined::NoAnswers));
        // Two disjoint experts: the pooled median lies between them; hand-worked:
        // A (0,1,2), B (10,11,12): L* = −1.2, U* = 13.2; F(x) on [2, 10] = (0.95·½ + … ) → median where
        // both CDFs average to 0.5: F_A = 0.95 + 0.05 (x−2)/11.2, F_B = 0.05 (x+1.2)/11.2.
        let a = Quantiles::new(0.0, 1.0, 2.0).unwrap();
        let b = Quantiles::new(10.0, 11.0, 12.0).unwrap();
        let p = linear_pool(&[&a, &b], QuantileLevels::default(), None);
        // (0.95 + .05(x−2)/11.2 + .05(x+1.2)/11.2)/2 = .5 ⇒ .05(2x − 0.8)/11.2 = 0.05 ⇒ x = 6.
        close(p.q50, 6.0, 1e-12);
    }

    #[test]
    fn classical_model_prefers_the_calibrated_expert() {
        // 10 seeds with realisation 0..9; expert "good" centres on the truth, "bad" is off.
        let real: Vec<f64> = (0..10).map(f64::from).collect();
        let good: Vec<Quantiles> = real.iter().map(|&x| Quantiles::new(x - 2.0, x + 0.1, x + 2.0).unwrap()).collect();
        let bad: Vec<Quantiles> = real.iter().map(|&x| Quantiles::new(x + 5.0, x + 6.0, x + 7.0).unwrap()).collect();
        let t = Some(Quantiles::new(1.0, 2.0, 3.0).unwrap());
        let m = classical_model(
            &real,
            &[
                CookeExpert { expert: "good".into(), seeds: good, targets: vec![t] },
                CookeExpert { expert: "bad".into(), seeds: bad, targets: vec![None] },
            ],
        )
        .unwrap();
        assert_eq!(m.seeds, 10);
        assert!(m.experts[0].calibration.value().unwrap() > m.experts[1].calibration.value().unwrap());
        close(m.experts[0].weight, 1.0, 1e-12);
        close(m.experts[1].weight, 0.0, 1e-12);
        close(m.targets[0].performance[1], 2.0, 1e-12);
        // no seeds: everything undefined, no panic
        let m = classical_model(&[], &[CookeExpert { expert: "x".into(), seeds: vec![], targets: vec![] }]).unwrap();
        assert!(m.alpha.reason().is_some());
        // mismatched input is an error
        assert!(
            classical_model(&[1.0], &[CookeExpert { expert: "x".into(), seeds: vec![], targets: vec![] }]).is_err()
        );
    }

    #[test]
    fn classical_model_edge_cases() {
        // n = 1 expert, one seed: weight 1, DM = the expert.
        let q = Quantiles::new(1.0, 2.0, 3.0).unwrap();
        let one = CookeExpert { expert: "e".into(), seeds: vec![q.clone()], targets: vec![Some(q.clone())] };
        let m = classical_model(&[2.5], &[one]).unwrap();
        close(m.experts[0].weight, 1.0, 1e-12);
        // realisation in bin 2 of 4 with N = 1: s = (0, 0, 1, 0), I = ln(1/0.45)
        close(m.experts[0].calibration, calibration([0, 0, 1, 0]).1.value().unwrap(), 1e-15);
        close(m.targets[0].performance[1], 2.0, 1e-12);
        close(m.targets[0].equal[2], 3.0, 1e-12);
        // all experts equal: equal weights, same DM as one of them
        let e = |n: &str| CookeExpert { expert: n.into(), seeds: vec![q.clone(), q.clone()], targets: vec![None] };
        let m = classical_model(&[2.5, 1.5], &[e("a"), e("b"), e("c")]).unwrap();
        for x in &m.experts {
            close(x.weight, 1.0 / 3.0, 1e-12);
        }
        // nobody answered the target: undefined with a reason
        assert_eq!(m.targets[0].equal[1].reason(), Some(Undefined::NoAnswers));
        // no experts at all
        let m = classical_model(&[1.0], &[]).unwrap();
        assert_eq!(m.alpha.reason(), Some(Undefined::NoAnswers));
    }

    /// The example: counts (3, 4, 2, 1) and (1, 4, 2, 3) are the same multiset of
    /// (count, probability) pairs; summed in bin order their scores differed in the 16th digit.
    /// (0, 0, 0, 5) and (2, 4, 5, 9) are not permutations of each other but both have
    /// N·I = ln 20⁵ (Π c^c · 20ᴺ / (Nᴺ 9^(c1+c2)) = 20⁵ for both; worked with exact integers in
    /// scripts/cooke-equal-scores.py): equal calibration scores too, bit for bit.
    #[test]
    fn mathematically_equal_calibrations_are_bit_identical() {
        let bits = |c: [u64; 4]| {
            let (i, c) = calibration(c);
            (i.value().unwrap().to_bits(), c.value().unwrap().to_bits())
        };
        assert_eq!(bits([3, 4, 2, 1]), bits([1, 4, 2, 3]));
        assert_eq!(bits([3, 4, 2, 1]), bits([1, 2, 4, 3]));
        // Same 2N·I over different N: the same calibration (I itself differs: N·I / N).
        assert_eq!(bits([0, 0, 0, 5]).1, bits([2, 4, 5, 9]).1);
        assert_eq!(bits([0, 0, 0, 5]).1, bits([9, 5, 4, 2]).1);
        // Different values stay different.
        assert_ne!(bits([3, 4, 2, 1]), bits([4, 3, 2, 1]));
        // N·I = ln 20⁵ for (0, 0, 0, 5): I = ln(20⁵)/5 = ln 20.
        close(calibration([0, 0, 0, 5]).0, 20f64.ln(), 1e-15);
    }

    #[test]
    fn calibration_from_parts_checks_its_bins() {
        // (10, 40, 40, 10) are the 10/50/90 % bins; (5, 45, 45, 5) the same as BIN_PARTS.
        let (i, c) = calibration_from_parts(&[2, 8, 8, 2], &[5, 45, 45, 5]).unwrap();
        assert_eq!((i, c), calibration([2, 8, 8, 2]));
        let (i, _) = calibration_from_parts(&[1, 4, 4, 1], &[10, 40, 40, 10]).unwrap();
        close(i, 0.0, 0.0);
        assert!(calibration_from_parts(&[1, 2, 3], &[1, 9, 9, 1]).is_err());
        assert!(calibration_from_parts(&[1], &[1]).is_err());
        assert!(calibration_from_parts(&[1, 2], &[0, 1]).is_err());
        let (i, _) = calibration_from_parts(&[0, 0], &[1, 1]).unwrap();
        assert_eq!(i.reason(), Some(Undefined::NoAnswers));
    }

    /// A tied panel (3 experts, 5 seeds, integer answers; experts 2 and 3 have the same bin
    /// counts (2, 1, 2, 0)) on which the decision maker's indicator changes α. Found and scored
    /// by the independent Python model in scripts/cooke-dm-indicator.py (seed 15, trial 218):
    /// - maximising C·I alone picks α = 0.10117 (experts 2 and 3 only; DM C·I = 0.0026362),
    ///   but that DM's calibration 0.0182 is below its own α, so as a virtual expert it scores 0;
    /// - with the indicator, α = 0.00012999 (all three experts; DM C·I = 0.0026262 and
    ///   C_DM = 0.0182 ≥ α), as EXCALIBUR and ANDURYL choose.
    #[test]
    fn dm_indicator_changes_alpha_on_a_tied_panel() {
        let panel: [[[f64; 3]; 5]; 3] = [
            [[3., 7., 11.], [7., 11., 12.], [5., 9., 13.], [6., 10., 12.], [1., 10., 13.]],
            [[9., 10., 13.], [1., 3., 12.], [8., 10., 12.], [3., 6., 9.], [2., 7., 12.]],
            [[1., 4., 8.], [6., 7., 8.], [4., 7., 12.], [0., 1., 9.], [6., 8., 12.]],
        ];
        let real = [0., 7., 3., 5., 9.];
        let experts: Vec<CookeExpert> = panel
            .iter()
            .enumerate()
            .map(|(k, e)| CookeExpert {
                expert: format!("E{k}"),
                seeds: e.iter().map(|q| Quantiles::new(q[0], q[1], q[2]).unwrap()).collect(),
                targets: vec![],
            })
            .collect();
        let m = classical_model(&real, &experts).unwrap();
        let cal: Vec<f64> = m.experts.iter().map(|e| e.calibration.value().unwrap()).collect();
        assert_eq!(cal[1].to_bits(), cal[2].to_bits(), "equal counts, equal score");
        close(m.alpha, 0.000_129_988_435_373_446_21, 1e-15);
        for (e, want) in
            m.experts.iter().zip([0.000_451_663_579_750_644_1, 0.453_996_513_870_206_73, 0.545_551_822_550_042_5])
        {
            close(e.weight, want, 1e-9);
        }
        close(m.performance_dm.calibration, 0.018_196_976_774_875_494, 1e-12);
        close(m.performance_dm.information, 0.144_320_223_137_213_6, 1e-9);
        assert!(m.performance_dm.calibration.value().unwrap() >= m.alpha.value().unwrap());
        // Without the indicator the higher α would have won (Python: DM C·I 0.0026362 > 0.0026262).
        assert!(m.performance_dm.combined.value().unwrap() < 0.002_636_181_595_490_022_3);
    }
}
