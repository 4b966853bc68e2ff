//! Cooke's classical model on a whole case, by EXCALIBUR's rules: any set of quantiles,
//! uniform or log-uniform background per item, blank seed answers, global, item or equal
//! weights, an optimised or a user-set α, and robustness tables.
//!
//! The rules, as EXCALIBUR and ANDURYL apply them (Cooke 1991):
//! - **Intrinsic range.** Per item, the lowest and highest quantile any expert gave and, on a
//!   seed, the realisation; on a log item these are log values. The range is widened by the
//!   overshoot (10 %) on each side: `[L*, U*]`.
//! - **Bins.** Quantiles at `q₁ < … < q_m` percent make `m + 1` bins with probabilities
//!   `q₁, q₂ − q₁, …, 100 − q_m` (in %). A realisation equal to a quantile counts in the lower
//!   bin: bin `b` holds `(x_{b−1}, x_b]`.
//! - **Calibration.** `1 − F_χ²(m)(2 · N_min · I(s, p))`, where `s` is the expert's empirical
//!   distribution over the seeds they answered and `N_min` the fewest seeds any expert
//!   answered; the decision maker is scored with the same `N_min`. An expert who left seeds
//!   blank is kept: their calibration uses the seeds they answered, and nobody's calibration
//!   rests on more evidence than the least complete expert's. Equal counts give equal
//!   calibration scores bit for bit (see [`crate::cooke::calibration_from_parts`]).
//! - **Information.** Relative to the uniform background on `[L*, U*]` (log values for a log
//!   item), `ln(U* − L*) + Σ p_b ln(p_b / (x_b − x_{b−1}))`, averaged over the seeds the expert
//!   answered (the weight) and over all items they answered (reported).
//! - **Decision maker.** The weighted mixture of the experts' piecewise-linear CDFs on
//!   `[L*, U*]` (on log values for a log item), the weights renormalised over the experts who
//!   answered the item. Global weights `∝ C · I_seeds · 1[C ≥ α]`; item weights
//!   `∝ C · I_item · 1[C ≥ α]`; equal weights 1. The optimised α is the experts' calibration
//!   score that maximises the decision maker's own `C · I_seeds · 1[C_DM ≥ α]` (the smallest
//!   such α on ties).

use serde::Serialize;

use crate::StatsError;
use crate::cooke::n_times_information;
use crate::ranktests::chi_square_sf;

/// Below this many seed items the model warns (Cooke recommends about ten).
pub const FEW_SEEDS: usize = 8;
/// The default overshoot of the intrinsic range on each side.
pub const DEFAULT_OVERSHOOT: f64 = 0.1;

/// The background measure of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// Uniform on the intrinsic range.
    Uniform,
    /// Log-uniform: uniform on the logarithms (all values must be positive).
    Log,
}

impl Scale {
    fn background_value(self, x: f64) -> f64 {
        match self {
            Self::Uniform => x,
            Self::Log => x.ln(),
        }
    }

    fn natural_value(self, x: f64) -> f64 {
        match self {
            Self::Uniform => x,
            Self::Log => x.exp(),
        }
    }
}

/// One item of a case: a seed when its realisation is known, else a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseItem {
    /// The item's id.
    pub id: String,
    /// Its background measure.
    pub scale: Scale,
    /// The realisation of a seed item.
    pub realisation: Option<f64>,
}

/// One expert's answers: per item, the quantile values or `None` if left blank.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseExpert {
    /// The expert's label.
    pub name: String,
    /// One entry per item, in the case's item order.
    pub answers: Vec<Option<Vec<f64>>>,
}

/// A validated case: quantiles (whole percents), items and experts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CookeCase {
    quantiles: Vec<u32>,
    items: Vec<CaseItem>,
    experts: Vec<CaseExpert>,
}

fn invalid(msg: String) -> StatsError {
    StatsError::InvalidInput(msg)
}

impl CookeCase {
    /// Checks a case: quantiles strictly increasing within 1–99 %, one answer per item per
    /// expert with one finite, strictly increasing value per quantile (positive on a log
    /// item), finite realisations (positive on a log item), and every expert answering at
    /// least one seed.
    pub fn new(quantiles: Vec<u32>, items: Vec<CaseItem>, experts: Vec<CaseExpert>) -> Result<Self, StatsError> {
        if quantiles.is_empty() || quantiles.iter().any(|&q| q == 0 || q >= 100) || !strictly_increasing_u(&quantiles) {
            return Err(invalid(format!(
                "quantiles must be strictly increasing whole percents in 1–99, got {quantiles:?}"
            )));
        }
        if experts.is_empty() {
            return Err(invalid("a case needs at least one expert".into()));
        }
        for item in &items {
            if let Some(x) = item.realisation
                && (!x.is_finite() || (item.scale == Scale::Log && x <= 0.0))
            {
                return Err(invalid(format!("item {}: realisation {x} is not usable on its scale", item.id)));
            }
        }
        for e in &experts {
            check_expert(e, &items, quantiles.len())?;
        }
        Ok(Self { quantiles, items, experts })
    }

    /// The quantiles, in percent.
    pub fn quantiles(&self) -> &[u32] {
        &self.quantiles
    }

    /// The items.
    pub fn items(&self) -> &[CaseItem] {
        &self.items
    }

    /// The experts.
    pub fn experts(&self) -> &[CaseExpert] {
        &self.experts
    }

    /// Number of seed items.
    pub fn seeds(&self) -> usize {
        self.items.iter().filter(|i| i.realisation.is_some()).count()
    }

    /// The case without one item (for the robustness table).
    fn without_item(&self, k: usize) -> Result<Self, StatsError> {
        let mut items = self.items.clone();
        items.remove(k);
        let experts = self
            .experts
            .iter()
            .map(|e| {
                let mut answers = e.answers.clone();
                answers.remove(k);
                CaseExpert { name: e.name.clone(), answers }
            })
            .collect();
        Self::new(self.quantiles.clone(), items, experts)
    }

    /// The case without one expert (for the robustness table).
    fn without_expert(&self, k: usize) -> Result<Self, StatsError> {
        let mut experts = self.experts.clone();
        experts.remove(k);
        Self::new(self.quantiles.clone(), self.items.clone(), experts)
    }
}

fn strictly_increasing_u(x: &[u32]) -> bool {
    x.windows(2).all(|w| w[0] < w[1])
}

fn check_expert(e: &CaseExpert, items: &[CaseItem], n_quantiles: usize) -> Result<(), StatsError> {
    if e.answers.len() != items.len() {
        return Err(invalid(format!("expert {}: {} answers for {} items", e.name, e.answers.len(), items.len())));
    }
    for (item, answer) in items.iter().zip(&e.answers) {
        let Some(v) = answer else { continue };
        let usable = v.len() == n_quantiles
            && v.iter().all(|x| x.is_finite())
            && v.windows(2).all(|w| w[0] < w[1])
            && (item.scale == Scale::Uniform || v[0] > 0.0);
        if !usable {
            return Err(invalid(format!(
                "expert {}, item {}: {v:?} is not {n_quantiles} strictly increasing finite values{}",
                e.name,
                item.id,
                if item.scale == Scale::Log { ", all positive (log scale)" } else { "" }
            )));
        }
    }
    let answered_seeds = items.iter().zip(&e.answers).filter(|(i, a)| i.realisation.is_some() && a.is_some()).count();
    if answered_seeds == 0 {
        return Err(invalid(format!("expert {} answered no seed item: no calibration score is possible", e.name)));
    }
    Ok(())
}

/// How the decision maker weighs the experts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Weighting {
    /// `C · I_seeds · 1[C ≥ α]`, the same for every item.
    #[default]
    Global,
    /// `C · I_item · 1[C ≥ α]`, per item.
    Item,
    /// Every expert the same weight.
    Equal,
}

/// Options of a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CookeOptions {
    /// Global, item or equal weights.
    pub weighting: Weighting,
    /// A user-set cut-off (a non-optimised decision maker); `None` optimises α.
    pub alpha: Option<f64>,
    /// Overshoot of the intrinsic range on each side.
    pub overshoot: f64,
}

impl Default for CookeOptions {
    fn default() -> Self {
        Self { weighting: Weighting::Global, alpha: None, overshoot: DEFAULT_OVERSHOOT }
    }
}

/// An assessor's scores (an expert or a decision maker).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    /// Realisations per bin.
    pub counts: Vec<u64>,
    /// Calibration score.
    pub calibration: f64,
    /// Mean information over the seeds answered.
    pub information_seeds: f64,
    /// Mean information over all items answered.
    pub information_all: f64,
    /// Information per item (`None` where not answered).
    pub information_per_item: Vec<Option<f64>>,
}

impl Scores {
    /// Seeds answered.
    pub fn answered_seeds(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// `C · I_seeds`, the unnormalised global weight.
    pub fn combined(&self) -> f64 {
        self.calibration * self.information_seeds
    }
}

/// An expert's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpertResult {
    /// The expert's label.
    pub name: String,
    /// Scores.
    pub scores: Scores,
    /// Normalised `C · I_seeds · 1[C ≥ α]` at the chosen α (global and item weights), or
    /// `1 / n` (equal weights).
    pub weight: f64,
}

/// A decision maker: its α, scores and quantiles per item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionMaker {
    /// How the experts were weighed.
    pub weighting: Weighting,
    /// The cut-off (`None` for equal weights).
    pub alpha: Option<f64>,
    /// Scores on the seeds, as a virtual expert.
    pub scores: Scores,
    /// Quantiles per item, in the case's quantiles (`None` where no weighted expert answered).
    pub quantiles: Vec<Option<Vec<f64>>>,
}

/// The result of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseModel {
    /// Seed items.
    pub seeds: usize,
    /// The fewest seeds any expert answered (the `N` of every calibration score).
    pub calibration_seeds: u64,
    /// Warnings for the reader (few seeds, blank seed answers).
    pub warnings: Vec<String>,
    /// Experts, in the case's order.
    pub experts: Vec<ExpertResult>,
    /// The decision maker asked for.
    pub dm: DecisionMaker,
    /// The equal-weight decision maker, for comparison.
    pub equal_dm: DecisionMaker,
}

/// One row of a robustness table: the decision maker without one item or one expert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RobustnessRow {
    /// The item or expert left out.
    pub left_out: String,
    /// The decision maker's calibration.
    pub calibration: f64,
    /// Its information over the seeds.
    pub information_seeds: f64,
    /// Its information over all items.
    pub information_all: f64,
}

/// What a run needs besides the case: bin probabilities, ranges, `N_min`.
struct Prepared<'a> {
    case: &'a CookeCase,
    /// `0, q₁/100, …, q_m/100, 1`.
    probs: Vec<f64>,
    /// Bin probabilities in whole percents.
    parts: Vec<u64>,
    /// `[L*, U*]` per item, on the background scale.
    ranges: Vec<(f64, f64)>,
    /// Per seed item, the experts' CDFs at their knots, for the α search (`None` on the
    /// targets, which only the chosen decision makers are pooled on).
    seed_cdfs: Vec<Option<ItemCdfs>>,
    n_min: u64,
}

/// One item's answers as piecewise-linear CDFs on the background scale, and the union of
/// their knots, where a mixture of them is exact (it is linear in between).
///
/// The α search builds a decision maker per candidate α. On a seed item the CDFs are
/// evaluated at every knot once per run, and each α only reweights those values; the
/// mixture is evaluated only at the knots a binary search for each quantile visits. Before,
/// every α re-interpolated every expert's CDF at every knot: experts² × seeds × α.
struct ItemCdfs {
    /// The experts who answered the item, ascending.
    experts: Vec<usize>,
    /// Each answering expert's curve `L*, q₁, …, q_m, U*`.
    curves: Vec<Vec<f64>>,
    /// Every answering expert's quantiles and `L*`, `U*`, sorted, distinct (`L*` first,
    /// `U*` last: the range holds every answer).
    knots: Vec<f64>,
    /// For the i-th answering expert, `m` positions in `knots`: where its quantiles are.
    own_knots: Vec<usize>,
    /// `cdf[j * experts.len() + i]`: the i-th answering expert's CDF at knot `j`, where
    /// evaluated in advance (seed items).
    cdf: Option<Vec<f64>>,
}

impl ItemCdfs {
    /// The CDFs of the experts in `include` who answered item `k`; `evaluate`: at every knot
    /// in advance (for items pooled many times).
    fn new(
        case: &CookeCase,
        k: usize,
        probs: &[f64],
        (lo, hi): (f64, f64),
        include: impl Fn(usize) -> bool,
        evaluate: bool,
    ) -> Self {
        let scale = case.items[k].scale;
        let (experts, curves): (Vec<usize>, Vec<Vec<f64>>) = case
            .experts
            .iter()
            .enumerate()
            .filter(|&(e, _)| include(e))
            .filter_map(|(e, x)| x.answers[k].as_ref().map(|q| (e, q)))
            .map(|(e, q)| {
                let xs = std::iter::once(lo).chain(q.iter().map(|&v| scale.background_value(v))).chain([hi]).collect();
                (e, xs)
            })
            .unzip();
        let mut knots: Vec<f64> = curves.iter().flat_map(|xs| xs.iter().copied()).chain([lo, hi]).collect();
        knots.sort_by(f64::total_cmp);
        knots.dedup();
        let own_knots =
            curves.iter().flat_map(|xs| &xs[1..xs.len() - 1]).map(|v| knots.partition_point(|k| k < v)).collect();
        let cdf = evaluate.then(|| {
            let ne = experts.len();
            let mut cdf = vec![0.0; knots.len() * ne];
            for (i, xs) in curves.iter().enumerate() {
                for (j, y) in interpolate_sorted(xs, probs, &knots).enumerate() {
                    cdf[j * ne + i] = y;
                }
            }
            cdf
        });
        Self { experts, curves, knots, own_knots, cdf }
    }

    /// The i-th answering expert's CDF at knot `j`.
    fn at(&self, i: usize, j: usize, probs: &[f64]) -> f64 {
        match &self.cdf {
            Some(cdf) => cdf[j * self.experts.len() + i],
            None => interpolate(&self.curves[i], probs, self.knots[j]),
        }
    }

    /// Quantiles at `probs[1..m+1]` (background scale) of the mixture with weights
    /// `weight(expert)`, inverted linearly between the knots of the experts with weight:
    /// [`interpolate`] over the mixture's values at those knots, evaluating only the values
    /// its binary search visits. `None` if nobody has weight.
    fn mixture_quantiles(&self, probs: &[f64], weight: impl Fn(usize) -> f64) -> Option<Vec<f64>> {
        let mut weighted: Vec<(usize, f64)> =
            self.experts.iter().enumerate().map(|(i, &e)| (i, weight(e))).filter(|(_, w)| *w > 0.0).collect();
        let total: f64 = weighted.iter().map(|c| c.1).sum();
        if weighted.is_empty() || total <= 0.0 {
            return None;
        }
        for w in &mut weighted {
            w.1 /= total;
        }
        let (n, m) = (self.knots.len(), probs.len() - 2);
        let mut used = vec![false; n];
        (used[0], used[n - 1]) = (true, true);
        for &(i, _) in &weighted {
            for &j in &self.own_knots[i * m..(i + 1) * m] {
                used[j] = true;
            }
        }
        let knots: Vec<usize> = (0..n).filter(|&j| used[j]).collect();
        let mixture = |j: usize| weighted.iter().map(|&(i, w)| w * self.at(i, j, probs)).sum::<f64>();
        let quantile = |p: f64| {
            let i = knots.partition_point(|&j| mixture(j) <= p);
            if i == 0 || i == knots.len() {
                return self.knots[knots[i.min(knots.len() - 1)]];
            }
            let (j0, j1) = (knots[i - 1], knots[i]);
            at_position(&[mixture(j0), mixture(j1)], &[self.knots[j0], self.knots[j1]], 1, p)
        };
        Some(probs[1..=m].iter().map(|&p| quantile(p)).collect())
    }
}

impl<'a> Prepared<'a> {
    fn new(case: &'a CookeCase, overshoot: f64) -> Result<Self, StatsError> {
        if !(overshoot.is_finite() && overshoot >= 0.0) {
            return Err(StatsError::InvalidConfig(format!("overshoot must be ≥ 0, got {overshoot}")));
        }
        let mut probs = vec![0.0];
        probs.extend(case.quantiles.iter().map(|&q| f64::from(q) / 100.0));
        probs.push(1.0);
        let edges: Vec<u32> = std::iter::once(0).chain(case.quantiles.iter().copied()).chain([100]).collect();
        let parts = edges.windows(2).map(|w| u64::from(w[1] - w[0])).collect();
        let ranges =
            (0..case.items.len()).map(|k| intrinsic_range(case, k, overshoot)).collect::<Result<Vec<_>, _>>()?;
        let seed_cdfs = (0..case.items.len())
            .map(|k| {
                case.items[k].realisation.is_some().then(|| ItemCdfs::new(case, k, &probs, ranges[k], |_| true, true))
            })
            .collect();
        let mut prepared = Self { case, probs, parts, ranges, seed_cdfs, n_min: 0 };
        prepared.n_min = case.experts.iter().map(|e| prepared.counts(&e.answers).iter().sum()).min().unwrap_or(0);
        Ok(prepared)
    }

    fn counts(&self, answers: &[Option<Vec<f64>>]) -> Vec<u64> {
        let mut counts = vec![0u64; self.parts.len()];
        for (item, answer) in self.case.items.iter().zip(answers) {
            if let (Some(x), Some(q)) = (item.realisation, answer) {
                counts[q.iter().filter(|&&v| x > v).count()] += 1;
            }
        }
        counts
    }

    fn information(&self, k: usize, q: &[f64]) -> f64 {
        let scale = self.case.items[k].scale;
        let (lo, hi) = self.ranges[k];
        let mut x = Vec::with_capacity(q.len() + 2);
        x.push(lo);
        x.extend(q.iter().map(|&v| scale.background_value(v)));
        x.push(hi);
        let p = self.probs.windows(2).map(|w| w[1] - w[0]);
        (hi - lo).ln() + x.windows(2).zip(p).map(|(w, p)| p * (p / (w[1] - w[0])).ln()).sum::<f64>()
    }

    fn scores(&self, answers: &[Option<Vec<f64>>]) -> Scores {
        let counts = self.counts(answers);
        let n: u64 = counts.iter().sum();
        let calibration = if n == 0 {
            0.0
        } else {
            let statistic = 2.0 * self.n_min as f64 * n_times_information(&counts, &self.parts) / n as f64;
            let df = (counts.len() - 1) as f64;
            chi_square_sf(statistic, df).value().unwrap_or(0.0)
        };
        let per_item: Vec<Option<f64>> =
            answers.iter().enumerate().map(|(k, a)| a.as_ref().map(|q| self.information(k, q))).collect();
        let seeds = self.case.items.iter().zip(&per_item).filter(|(i, _)| i.realisation.is_some()).map(|(_, v)| *v);
        Scores {
            counts,
            calibration,
            information_seeds: mean(seeds),
            information_all: mean(per_item.iter().copied()),
            information_per_item: per_item,
        }
    }

    /// The decision maker's quantiles for weights `weight(expert, item)`: on every item, or
    /// on the seed items only (`None` on the targets) where only its scores are wanted.
    fn pool(&self, weight: &dyn Fn(usize, usize) -> f64, items: Items) -> Vec<Option<Vec<f64>>> {
        (0..self.case.items.len())
            .map(|k| {
                let scale = self.case.items[k].scale;
                let weighted = |e| weight(e, k);
                let quantiles = match &self.seed_cdfs[k] {
                    Some(cdfs) => cdfs.mixture_quantiles(&self.probs, weighted),
                    None if items == Items::Seeds => return None,
                    // A target is pooled once per decision maker: only its weighted experts' CDFs.
                    None => ItemCdfs::new(self.case, k, &self.probs, self.ranges[k], |e| weighted(e) > 0.0, false)
                        .mixture_quantiles(&self.probs, weighted),
                };
                quantiles.map(|q| q.into_iter().map(|v| scale.natural_value(v)).collect())
            })
            .collect()
    }
}

/// Which items a decision maker is pooled on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Items {
    All,
    /// Enough for its calibration and information over the seeds (the α search).
    Seeds,
}

fn mean(values: impl Iterator<Item = Option<f64>>) -> f64 {
    let (sum, n) = values.flatten().fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    sum / f64::from(n)
}

fn intrinsic_range(case: &CookeCase, k: usize, overshoot: f64) -> Result<(f64, f64), StatsError> {
    let item = &case.items[k];
    let values = case.experts.iter().filter_map(|e| e.answers[k].as_ref()).flatten().chain(item.realisation.as_ref());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let (lo, hi) = (item.scale.background_value(lo), item.scale.background_value(hi));
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return Err(invalid(format!("item {}: the answers span no range (nobody answered, or all equal)", item.id)));
    }
    let k = overshoot * (hi - lo);
    Ok((lo - k, hi + k))
}

/// [`interpolate`] at each of the ascending `at`, walking `xs` once instead of searching it
/// per point (the same arithmetic, so the same values).
fn interpolate_sorted<'a>(xs: &'a [f64], ys: &'a [f64], at: &'a [f64]) -> impl Iterator<Item = f64> + 'a {
    let mut i = 0;
    at.iter().map(move |&x| {
        while i < xs.len() && xs[i] <= x {
            i += 1;
        }
        at_position(xs, ys, i, x)
    })
}

/// `np.interp`: the piecewise-linear function through `(xs, ys)` at `x`, constant outside.
fn interpolate(xs: &[f64], ys: &[f64], x: f64) -> f64 {
    at_position(xs, ys, xs.partition_point(|&v| v <= x), x)
}

/// The piecewise-linear function through `(xs, ys)` at `x`, where `i` points of `xs` are ≤ `x`.
fn at_position(xs: &[f64], ys: &[f64], i: usize, x: f64) -> f64 {
    if i == 0 {
        return ys[0];
    }
    if i == xs.len() {
        return ys[xs.len() - 1];
    }
    ys[i - 1] + (ys[i] - ys[i - 1]) * (x - xs[i - 1]) / (xs[i] - xs[i - 1])
}

/// Runs the classical model on a case.
///
/// Errors: a user-set α above every expert's calibration (nobody would carry weight) or a
/// negative overshoot.
pub fn run(case: &CookeCase, options: &CookeOptions) -> Result<CaseModel, StatsError> {
    let prep = Prepared::new(case, options.overshoot)?;
    let experts: Vec<Scores> = case.experts.iter().map(|e| prep.scores(&e.answers)).collect();
    let equal_dm = decision_maker(&prep, &experts, Weighting::Equal, 0.0);
    let dm = match (options.weighting, options.alpha) {
        (Weighting::Equal, _) => equal_dm.clone(),
        (w, Some(alpha)) => {
            let best = experts.iter().map(|s| s.calibration).fold(f64::NEG_INFINITY, f64::max);
            if !(alpha.is_finite() && alpha <= best) {
                return Err(StatsError::InvalidConfig(format!(
                    "α = {alpha} is above every expert's calibration score (the highest is {best}): nobody would carry weight"
                )));
            }
            decision_maker(&prep, &experts, w, alpha)
        }
        (w, None) => optimised(&prep, &experts, w),
    };
    let weights = expert_weights(&experts, dm.alpha);
    let results = case
        .experts
        .iter()
        .zip(experts)
        .zip(weights)
        .map(|((e, scores), weight)| ExpertResult { name: e.name.clone(), scores, weight })
        .collect();
    Ok(CaseModel {
        seeds: case.seeds(),
        calibration_seeds: prep.n_min,
        warnings: warnings(case, &prep),
        experts: results,
        dm,
        equal_dm,
    })
}

fn warnings(case: &CookeCase, prep: &Prepared<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let seeds = case.seeds();
    if seeds < FEW_SEEDS {
        out.push(format!(
            "only {seeds} seed items: Cooke recommends about 10, and calibration scores on fewer than {FEW_SEEDS} \
             separate good from poor assessors weakly"
        ));
    }
    for e in &case.experts {
        let answered = prep.counts(&e.answers).iter().sum::<u64>();
        if answered < seeds as u64 {
            out.push(format!(
                "expert {} answered {answered} of {seeds} seed items; every calibration score uses N = {} \
                 (the fewest answered), as EXCALIBUR does",
                e.name, prep.n_min
            ));
        }
    }
    out
}

/// Normalised `C · I_seeds · 1[C ≥ α]`, or `1 / n` without α (equal weights).
fn expert_weights(experts: &[Scores], alpha: Option<f64>) -> Vec<f64> {
    let n = experts.len() as f64;
    let Some(alpha) = alpha else { return vec![1.0 / n; experts.len()] };
    let raw: Vec<f64> = experts.iter().map(|s| if s.calibration >= alpha { s.combined() } else { 0.0 }).collect();
    let total: f64 = raw.iter().sum();
    raw.iter().map(|w| if total > 0.0 { w / total } else { 0.0 }).collect()
}

fn decision_maker(prep: &Prepared<'_>, experts: &[Scores], weighting: Weighting, alpha: f64) -> DecisionMaker {
    decision_maker_on(prep, experts, weighting, alpha, Items::All)
}

fn decision_maker_on(
    prep: &Prepared<'_>,
    experts: &[Scores],
    weighting: Weighting,
    alpha: f64,
    items: Items,
) -> DecisionMaker {
    let weight = |e: usize, k: usize| -> f64 {
        let s = &experts[e];
        match weighting {
            Weighting::Equal => 1.0,
            _ if s.calibration < alpha => 0.0,
            Weighting::Global => s.combined(),
            Weighting::Item => s.calibration * s.information_per_item[k].unwrap_or(0.0),
        }
    };
    let quantiles = prep.pool(&weight, items);
    let scores = prep.scores(&quantiles);
    DecisionMaker { weighting, alpha: (weighting != Weighting::Equal).then_some(alpha), scores, quantiles }
}

/// The decision maker at the α (among the experts' calibration scores, ascending) that
/// maximises its own `C · I_seeds · 1[C_DM ≥ α]`. The objective needs the seed items only,
/// so each candidate is pooled on those, and the winner once more on every item.
fn optimised(prep: &Prepared<'_>, experts: &[Scores], weighting: Weighting) -> DecisionMaker {
    let mut alphas: Vec<f64> = experts.iter().map(|s| s.calibration).collect();
    alphas.sort_by(f64::total_cmp);
    alphas.dedup();
    let objective =
        |dm: &DecisionMaker, alpha: f64| if dm.scores.calibration >= alpha { dm.scores.combined() } else { 0.0 };
    let mut best: Option<(f64, f64)> = None;
    for alpha in alphas {
        let value = objective(&decision_maker_on(prep, experts, weighting, alpha, Items::Seeds), alpha);
        if best.is_none_or(|(b, _)| value > b) {
            best = Some((value, alpha));
        }
    }
    let (_, alpha) = best.expect("a validated case has at least one expert");
    decision_maker(prep, experts, weighting, alpha)
}

/// The decision maker with each seed item left out in turn.
pub fn robustness_items(case: &CookeCase, options: &CookeOptions) -> Result<Vec<RobustnessRow>, StatsError> {
    (0..case.items.len())
        .filter(|&k| case.items[k].realisation.is_some())
        .map(|k| Ok(robustness_row(case.items[k].id.clone(), &run(&case.without_item(k)?, options)?)))
        .collect()
}

/// The decision maker with each expert left out in turn (needs two experts or more).
pub fn robustness_experts(case: &CookeCase, options: &CookeOptions) -> Result<Vec<RobustnessRow>, StatsError> {
    (0..case.experts.len())
        .map(|k| Ok(robustness_row(case.experts[k].name.clone(), &run(&case.without_expert(k)?, options)?)))
        .collect()
}

fn robustness_row(left_out: String, model: &CaseModel) -> RobustnessRow {
    let s = &model.dm.scores;
    RobustnessRow {
        left_out,
        calibration: s.calibration,
        information_seeds: s.information_seeds,
        information_all: s.information_all,
    }
}
