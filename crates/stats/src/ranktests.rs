//! Rank tests: Wilcoxon signed-rank, Mann–Whitney U, Kruskal–Wallis; and McNemar's test.
//!
//! All p-values are two-sided. Ties get mid-ranks. Small samples (Delphi panels, whose
//! ordinal answers nearly always tie) get the exact conditional distribution of Wilcoxon's W+
//! and Mann–Whitney's U given their mid-ranks; larger ones the normal approximation with
//! tie-corrected variance and continuity correction. Each result says which ([`TestMethod`],
//! serialised as `"exact"` or `"normal"`).

use serde::Serialize;
use statrs::distribution::{Binomial, ChiSquared, ContinuousCDF, DiscreteCDF, Normal};

use crate::{Figure, Undefined};

fn fu(x: usize) -> f64 {
    x as f64
}

/// Which distribution a p-value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TestMethod {
    /// The exact permutation distribution of the statistic.
    Exact,
    /// The normal approximation (tie-corrected variance).
    Normal,
    /// The chi-square approximation.
    ChiSquare,
    /// The exact binomial distribution.
    ExactBinomial,
}

impl TestMethod {
    /// The method's name as serialised (`exact`, `normal`, `chi_square`, `exact_binomial`),
    /// for exports that carry it beside a p-value.
    pub fn name(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Normal => "normal",
            Self::ChiSquare => "chi_square",
            Self::ExactBinomial => "exact_binomial",
        }
    }
}

/// Two-sided p-value of a standard-normal `z`.
pub(crate) fn normal_two_sided(z: f64) -> Figure {
    let n = Normal::standard();
    Figure::new((2.0 * n.sf(z.abs())).min(1.0))
}

/// Upper tail of a chi-square distribution.
pub(crate) fn chi_square_sf(x: f64, df: f64) -> Figure {
    match ChiSquared::new(df) {
        Ok(c) => Figure::new(c.sf(x.max(0.0))),
        Err(_) => Figure::undefined(Undefined::NotFinite),
    }
}

/// Values grouped into ordered categories: `counts[g][c]` answers of group `g` in category `c`.
/// Categories must be in increasing order of value.
#[derive(Debug, Clone)]
pub(crate) struct RankSums {
    /// Rank sum per group.
    pub sums: Vec<f64>,
    /// Size per group.
    pub sizes: Vec<u64>,
    /// Σ (t³ − t) over tie groups.
    pub tie_term: f64,
    /// Total size.
    pub n: u64,
}

/// Rank sums (mid-ranks) from per-group counts over common ordered categories.
pub(crate) fn rank_sums(counts: &[&[u64]]) -> RankSums {
    let k = counts.iter().map(|c| c.len()).max().unwrap_or(0);
    let mut sums = vec![0.0; counts.len()];
    let sizes: Vec<u64> = counts.iter().map(|c| c.iter().sum()).collect();
    let mut before = 0u64;
    let mut tie_term = 0.0;
    for cat in 0..k {
        let t: u64 = counts.iter().map(|c| c.get(cat).copied().unwrap_or(0)).sum();
        if t == 0 {
            continue;
        }
        let (tf, bf) = (t as f64, before as f64);
        let mid = bf + (tf + 1.0) / 2.0;
        for (g, c) in counts.iter().enumerate() {
            let x = c.get(cat).copied().unwrap_or(0) as f64;
            sums[g] += x * mid;
        }
        tie_term += tf * tf * tf - tf;
        before += t;
    }
    RankSums { sums, sizes, tie_term, n: before }
}

/// Groups of real values turned into counts over their common sorted distinct values.
pub(crate) fn tally(groups: &[&[f64]]) -> Vec<Vec<u64>> {
    let mut all: Vec<f64> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    all.sort_by(f64::total_cmp);
    all.dedup();
    groups
        .iter()
        .map(|g| {
            let mut c = vec![0u64; all.len()];
            for &x in *g {
                let i = all.partition_point(|&v| v < x);
                c[i] += 1;
            }
            c
        })
        .collect()
}

/// Wilcoxon signed-rank test on paired differences.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Wilcoxon {
    /// Pairs given.
    pub pairs: usize,
    /// Pairs with a zero difference (dropped, Wilcoxon's method).
    pub zeros: usize,
    /// Sum of the ranks of positive differences (later − earlier > 0).
    pub w_plus: Figure,
    /// Sum of the ranks of negative differences.
    pub w_minus: Figure,
    /// The two-sided statistic min(W+, W−).
    pub statistic: Figure,
    /// The z-score (normal approximation only).
    pub z: Figure,
    /// Two-sided p-value.
    pub p_value: Figure,
    /// Exact (at most [`WILCOXON_EXACT_MAX`] non-zero differences, ties included) or normal.
    pub method: Option<TestMethod>,
    /// Whether absolute differences were tied.
    pub ties: bool,
}

/// The largest number of non-zero differences for which Wilcoxon's test uses the exact
/// conditional distribution. Its cost grows as n³ (n = 50: about 65 µs, `cargo bench -p
/// delphi-stats --bench exact`); Delphi panels (10–40 experts) always fall under it.
pub const WILCOXON_EXACT_MAX: usize = 50;

/// Wilcoxon signed-rank test on differences `d = later − earlier`.
///
/// Zeros are dropped (Wilcoxon's method, scipy's `zero_method="wilcox"`) and the remaining
/// absolute differences get mid-ranks. With at most [`WILCOXON_EXACT_MAX`] of them the
/// p-value comes from the exact conditional distribution of W+ given those mid-ranks (all
/// 2ⁿ sign patterns equally likely), ties included; beyond it from the normal approximation
/// with variance `n(n+1)(2n+1)/24 − Σ(t³ − t)/48` and a continuity correction of ½ towards
/// the mean (none when W+ is the mean, as in R). Two-sided: `min(1, 2 · smaller tail)`.
pub fn wilcoxon(diffs: &[f64]) -> Wilcoxon {
    let pairs = diffs.len();
    let mut abs: Vec<(f64, bool)> = diffs.iter().filter(|&&d| d != 0.0).map(|&d| (d.abs(), d > 0.0)).collect();
    let zeros = pairs - abs.len();
    let n = abs.len();
    if n == 0 {
        let u = Figure::undefined(if pairs == 0 { Undefined::NoPairs } else { Undefined::NoChange });
        return Wilcoxon {
            pairs,
            zeros,
            w_plus: u,
            w_minus: u,
            statistic: u,
            z: u,
            p_value: u,
            method: None,
            ties: false,
        };
    }
    abs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let ranks = signed_doubled_ranks(&abs);
    let ties = ranks.tie_term > 0;
    let w_plus = half(ranks.plus);
    let nf = fu(n);
    let total = nf * (nf + 1.0) / 2.0;
    let w_minus = total - w_plus;
    let statistic = w_plus.min(w_minus);
    let (z, p, method) = if n <= WILCOXON_EXACT_MAX {
        (Figure::undefined(Undefined::ExactTest), exact_signed_rank_p(&ranks.doubled, ranks.plus), TestMethod::Exact)
    } else {
        let var = nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - ranks.tie_term as f64 / 48.0;
        let (z, p) = corrected_normal(w_plus - total / 2.0, var);
        (z, p, TestMethod::Normal)
    };
    Wilcoxon {
        pairs,
        zeros,
        w_plus: Figure::new(w_plus),
        w_minus: Figure::new(w_minus),
        statistic: Figure::new(statistic),
        z,
        p_value: p,
        method: Some(method),
        ties,
    }
}

fn half(doubled: u64) -> f64 {
    doubled as f64 / 2.0
}

/// Mid-ranks of sorted absolute differences, doubled so that they are integers.
struct SignedRanks {
    /// Doubled mid-rank of each non-zero difference.
    doubled: Vec<u64>,
    /// Sum of the doubled mid-ranks of the positive differences (2 W+).
    plus: u64,
    /// Σ (t³ − t) over tie groups.
    tie_term: u64,
}

/// `abs` sorted by absolute value; each entry is (|d|, d > 0).
fn signed_doubled_ranks(abs: &[(f64, bool)]) -> SignedRanks {
    let n = abs.len();
    let (mut doubled, mut plus, mut tie_term) = (Vec::with_capacity(n), 0u64, 0u64);
    let mut i = 0;
    while i < n {
        let j = i + abs[i..].iter().take_while(|x| x.0 == abs[i].0).count();
        let t = (j - i) as u64;
        // Positions i+1 ..= j share the mid-rank (i + 1 + j) / 2; doubled: i + 1 + j.
        let mid2 = (i + 1 + j) as u64;
        doubled.extend(std::iter::repeat_n(mid2, j - i));
        plus += mid2 * abs[i..j].iter().filter(|x| x.1).count() as u64;
        tie_term += t * t * t - t;
        i = j;
    }
    SignedRanks { doubled, plus, tie_term }
}

/// `z` and the two-sided p-value of a deviation `d` from the mean with variance `var`,
/// continuity-corrected by ½ towards the mean (no correction at the mean itself, as R does;
/// scipy's clipping to 1 gives the same p-value there).
fn corrected_normal(d: f64, var: f64) -> (Figure, Figure) {
    if var <= 0.0 {
        let u = Figure::undefined(Undefined::NoVariation);
        return (u, u);
    }
    let correction = if d == 0.0 { 0.0 } else { 0.5 * d.signum() };
    let z = (d - correction) / var.sqrt();
    (Figure::new(z), normal_two_sided(z))
}

/// Two-sided p-value `min(1, 2 · min(P(T ≤ t), P(T ≥ t)))` from a distribution given as
/// counts per value of the statistic (index = value).
fn two_sided_from_counts(dist: &[f64], t: usize) -> Figure {
    let all: f64 = dist.iter().sum();
    let le: f64 = dist[..=t].iter().sum::<f64>() / all;
    let ge: f64 = dist[t..].iter().sum::<f64>() / all;
    Figure::new((2.0 * le.min(ge)).min(1.0))
}

/// Exact two-sided p-value of `2 W+ = plus` under the conditional null: each difference's sign
/// is + or − with probability ½, its (doubled) mid-rank fixed.
///
/// Counts of sign patterns per value of 2 W+ by the shift algorithm: adding a rank r shifts a
/// copy of the distribution by r. Counts stay below 2ⁿ ≤ 2⁵⁰ < 2⁵³, so f64 holds them exactly.
fn exact_signed_rank_p(doubled: &[u64], plus: u64) -> Figure {
    let max: u64 = doubled.iter().sum();
    let mut dist = vec![0.0f64; to_index(max) + 1];
    dist[0] = 1.0;
    let mut reach = 0usize;
    for &r in doubled {
        let r = to_index(r);
        reach += r;
        for s in (r..=reach).rev() {
            dist[s] += dist[s - r];
        }
    }
    two_sided_from_counts(&dist, to_index(plus))
}

fn to_index(x: u64) -> usize {
    usize::try_from(x).expect("rank sums of at most a few thousand fit in usize")
}

/// Mann–Whitney U test of two independent samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MannWhitney {
    /// Size of the first sample.
    pub n1: u64,
    /// Size of the second sample.
    pub n2: u64,
    /// U of the first sample, R₁ − n₁(n₁+1)/2.
    pub u1: Figure,
    /// z-score of max(U₁, U₂) with continuity correction (normal approximation only).
    pub z: Figure,
    /// Two-sided p-value.
    pub p_value: Figure,
    /// Exact (n₁ + n₂ ≤ [`MANN_WHITNEY_EXACT_MAX`], ties included) or normal approximation.
    pub method: TestMethod,
}

/// The largest total size n₁ + n₂ for which Mann–Whitney uses the exact conditional
/// distribution. At the limit one p-value takes about 50 µs (`cargo bench -p delphi-stats
/// --bench exact`); counts stay below C(50, 25) < 2⁵³, so f64 holds them exactly.
pub const MANN_WHITNEY_EXACT_MAX: u64 = 50;

/// Mann–Whitney U from two groups' counts over common ordered categories.
///
/// Mid-ranks for ties. With n₁ + n₂ ≤ [`MANN_WHITNEY_EXACT_MAX`] the p-value comes from the
/// exact conditional distribution of U given the tie pattern (all C(n₁ + n₂, n₁) splits
/// equally likely); beyond it from the normal approximation with tie-corrected variance and a
/// continuity correction of ½ towards the mean, none at U₁ = n₁n₂/2 itself, so that p = 1 there
/// (as R and scipy). Two-sided: `min(1, 2 · smaller tail)`.
pub fn mann_whitney_counts(a: &[u64], b: &[u64]) -> MannWhitney {
    let r = rank_sums(&[a, b]);
    let (n1, n2) = (r.sizes[0], r.sizes[1]);
    let (f1, f2) = (n1 as f64, n2 as f64);
    if n1 == 0 || n2 == 0 {
        let u = Figure::undefined(Undefined::TooFewAnswers { needed: 1, got: 0 });
        return MannWhitney { n1, n2, u1: u, z: u, p_value: u, method: TestMethod::Normal };
    }
    let u1 = r.sums[0] - f1 * (f1 + 1.0) / 2.0;
    let nn = f1 + f2;
    let var = f1 * f2 / 12.0 * ((nn + 1.0) - r.tie_term / (nn * (nn - 1.0)));
    if var <= 0.0 {
        let u = Figure::undefined(Undefined::NoVariation);
        return MannWhitney { n1, n2, u1: Figure::new(u1), z: u, p_value: u, method: TestMethod::Normal };
    }
    if n1 + n2 <= MANN_WHITNEY_EXACT_MAX {
        let p = exact_mann_whitney_p(a, b);
        return MannWhitney {
            n1,
            n2,
            u1: Figure::new(u1),
            z: Figure::undefined(Undefined::ExactTest),
            p_value: p,
            method: TestMethod::Exact,
        };
    }
    let (z, p) = corrected_normal((u1 - f1 * f2 / 2.0).abs(), var);
    MannWhitney { n1, n2, u1: Figure::new(u1), z, p_value: p, method: TestMethod::Normal }
}

/// Exact two-sided p-value of U₁ given the tie pattern.
///
/// Works on 2U, an integer: a member of the first group in category c contributes one for
/// each second-group member in a lower category (twice) and one for each in the same category
/// (half a point, doubled). Categories are added one at a time; taking j of the category's t
/// members into the first group, after k first-group members so far among `before` values,
/// adds C(t, j) ways and `2 j (before − k) + j (t − j)` to 2U. Both groups' roles are symmetric
/// in the two-sided p-value, so the smaller group is the one counted.
fn exact_mann_whitney_p(a: &[u64], b: &[u64]) -> Figure {
    let (n_a, n_b): (u64, u64) = (a.iter().sum(), b.iter().sum());
    // U of the smaller group: U_b = n_a n_b − U_a, and the two-sided p is the same.
    let (first, second) = if n_a <= n_b { (a, b) } else { (b, a) };
    let (n1, n2) = (n_a.min(n_b), n_a.max(n_b));
    let total = to_index(n1 + n2);
    let k_max = to_index(n1);
    let width = to_index(2 * n1 * n2) + 1;
    // ways[k * width + s]: splits of the categories so far with k in the first group and
    // 2U = s; reach[k]: the largest s reached so far with k (the rest of the row is zero).
    let mut ways = vec![0.0f64; (k_max + 1) * width];
    let mut reach = vec![0usize; k_max + 1];
    ways[0] = 1.0;
    let (mut before, mut first_before, mut observed) = (0usize, 0usize, 0usize);
    for c in 0..first.len().max(second.len()) {
        let in_first = to_index(first.get(c).copied().unwrap_or(0));
        let t = in_first + to_index(second.get(c).copied().unwrap_or(0));
        if t == 0 {
            continue;
        }
        observed += 2 * in_first * (before - first_before) + in_first * (t - in_first);
        // Rows k ≤ before are reachable, and only those from which n1 can still be reached
        // matter. Going down from the top, each row adds into higher rows, which it no longer
        // reads, so the update works in place (j = 0 leaves the row itself unchanged).
        let lowest = k_max.saturating_sub(total - before);
        for k in (lowest..=k_max.min(before)).rev() {
            let (low, high) = ways.split_at_mut((k + 1) * width);
            let row = &low[k * width..=k * width + reach[k]];
            for j in 1..=t.min(k_max - k) {
                let shift = 2 * j * (before - k) + j * (t - j);
                let choose = binomial(t, j);
                let target = &mut high[(j - 1) * width + shift..j * width];
                for (out, &w) in target.iter_mut().zip(row) {
                    *out += w * choose;
                }
                reach[k + j] = reach[k + j].max(reach[k] + shift);
            }
        }
        before += t;
        first_before += in_first;
    }
    two_sided_from_counts(&ways[k_max * width..], observed)
}

/// The binomial coefficient C(n, k) as f64 (exact for the sizes used here).
fn binomial(n: usize, k: usize) -> f64 {
    (0..k.min(n - k)).fold(1.0, |acc, i| acc * fu(n - i) / fu(i + 1)).round()
}

/// Mann–Whitney U of two samples of real values.
pub fn mann_whitney(a: &[f64], b: &[f64]) -> MannWhitney {
    let t = tally(&[a, b]);
    mann_whitney_counts(&t[0], &t[1])
}

/// Kruskal–Wallis H test of k independent samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KruskalWallis {
    /// Number of non-empty groups.
    pub groups: usize,
    /// Total size.
    pub n: u64,
    /// Tie-corrected H.
    pub h: Figure,
    /// Degrees of freedom (groups − 1).
    pub df: usize,
    /// p-value from the chi-square distribution.
    pub p_value: Figure,
}

/// Kruskal–Wallis from per-group counts over common ordered categories (empty groups ignored).
pub fn kruskal_wallis_counts(groups: &[&[u64]]) -> KruskalWallis {
    let nonempty: Vec<&[u64]> = groups.iter().copied().filter(|g| g.iter().any(|&c| c > 0)).collect();
    let r = rank_sums(&nonempty);
    let k = nonempty.len();
    if k < 2 {
        let u = Figure::undefined(Undefined::TooFewGroups);
        return KruskalWallis { groups: k, n: r.n, h: u, df: k.saturating_sub(1), p_value: u };
    }
    let nn = r.n as f64;
    let s: f64 = r.sums.iter().zip(&r.sizes).map(|(&rs, &ni)| rs * rs / ni as f64).sum();
    let h = 12.0 / (nn * (nn + 1.0)) * s - 3.0 * (nn + 1.0);
    let c = 1.0 - r.tie_term / (nn * nn * nn - nn);
    if c <= 0.0 {
        let u = Figure::undefined(Undefined::NoVariation);
        return KruskalWallis { groups: k, n: r.n, h: u, df: k - 1, p_value: u };
    }
    let h = h / c;
    KruskalWallis { groups: k, n: r.n, h: Figure::new(h), df: k - 1, p_value: chi_square_sf(h, fu(k - 1)) }
}

/// Kruskal–Wallis of samples of real values.
pub fn kruskal_wallis(groups: &[&[f64]]) -> KruskalWallis {
    let t = tally(groups);
    let refs: Vec<&[u64]> = t.iter().map(Vec::as_slice).collect();
    kruskal_wallis_counts(&refs)
}

/// McNemar's test on a paired yes/no split.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct McNemar {
    /// Pairs agreeing before and not after.
    pub b: u64,
    /// Pairs not agreeing before and agreeing after.
    pub c: u64,
    /// Continuity-corrected chi-square (chi-square method only).
    pub chi_square: Figure,
    /// Two-sided p-value.
    pub p_value: Figure,
    /// Exact binomial when b + c < [`MCNEMAR_EXACT_BELOW`], chi-square otherwise.
    pub method: TestMethod,
}

/// Below this many discordant pairs McNemar's test uses the exact binomial distribution.
pub const MCNEMAR_EXACT_BELOW: u64 = 25;

/// McNemar's test: `χ² = (|b − c| − 1)² / (b + c)` (1 df), or the exact two-sided binomial
/// p-value `min(1, 2 P(X ≤ min(b, c)))`, `X ~ Bin(b + c, ½)`, when `b + c` is small.
pub fn mcnemar(b: u64, c: u64) -> McNemar {
    let m = b + c;
    if m < MCNEMAR_EXACT_BELOW {
        let p = if m == 0 {
            Figure::new(1.0)
        } else {
            match Binomial::new(0.5, m) {
                Ok(d) => Figure::new((2.0 * d.cdf(b.min(c))).min(1.0)),
                Err(_) => Figure::undefined(Undefined::NotFinite),
            }
        };
        return McNemar {
            b,
            c,
            chi_square: Figure::undefined(Undefined::ExactTest),
            p_value: p,
            method: TestMethod::ExactBinomial,
        };
    }
    let (bf, cf) = (b as f64, c as f64);
    let d = (bf - cf).abs() - 1.0;
    let chi = d.max(0.0).powi(2) / (bf + cf);
    McNemar { b, c, chi_square: Figure::new(chi), p_value: chi_square_sf(chi, 1.0), method: TestMethod::ChiSquare }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_methods_name_is_its_serialised_name() {
        for method in [TestMethod::Exact, TestMethod::Normal, TestMethod::ChiSquare, TestMethod::ExactBinomial] {
            assert_eq!(serde_json::to_value(method).unwrap(), serde_json::Value::from(method.name()));
        }
    }

    fn close(a: Figure, b: f64, tol: f64) {
        let v = a.value().unwrap_or_else(|| panic!("undefined: {a}"));
        assert!((v - b).abs() <= tol, "{v} vs {b}");
    }

    /// reference/statistics.md lines 69–71: zeros dropped, mid-ranks, tie-corrected normal
    /// approximation, exact for small n without ties. Hand-worked: d = [1, 2, -3, 4, 0].
    #[test]
    fn wilcoxon_exact_hand_worked_lines_69_71() {
        let w = wilcoxon(&[1.0, 2.0, -3.0, 4.0, 0.0]);
        assert_eq!(w.zeros, 1);
        assert_eq!(w.method, Some(TestMethod::Exact));
        close(w.w_plus, 7.0, 0.0);
        close(w.w_minus, 3.0, 0.0);
        assert_eq!(w.z.reason(), Some(Undefined::ExactTest));
        // 2^4 = 16 sign patterns; P(W+ ≥ 7) = #{sums ≥ 7}/16 = 5/16 → p = 10/16.
        close(w.p_value, 0.625, 1e-12);
    }

    /// reference/statistics.md line 70: variance n(n+1)(2n+1)/24 − Σ(t³−t)/48, here with 61
    /// non-zero differences (above the exact limit): 30 × (+1), 20 × (−2), 11 × (+3).
    /// Mid-ranks 15.5 | 40.5 | 56; W+ = 30·15.5 + 11·56 = 1081, mean 61·62/4 = 945.5,
    /// var = 61·62·123/24 − (26970 + 7980 + 1320)/48 = 18627.125; z = (135.5 − ½)/√var.
    #[test]
    fn wilcoxon_normal_with_ties_line_70() {
        let mut d = vec![1.0; 30];
        d.extend([-2.0; 20]);
        d.extend([3.0; 11]);
        let w = wilcoxon(&d);
        assert_eq!(w.method, Some(TestMethod::Normal));
        assert!(w.ties);
        close(w.w_plus, 1081.0, 1e-12);
        let z = 135.0 / 18_627.125f64.sqrt();
        close(w.z, z, 1e-12);
        close(w.p_value, 2.0 * Normal::standard().sf(z), 1e-15);
    }

    /// Small tied samples use the exact conditional distribution. d = [1, 1, 1, −2, 2, 3]:
    /// doubled mid-ranks 4, 4, 4, 9, 9, 12 (total 42), 2W+ = 33, 2W− = 9. Sign patterns with
    /// 2W− ≤ 9: {} , three {4}, three {4,4}, two {9} = 9 of 64, so p = 2 · 9/64.
    #[test]
    fn wilcoxon_exact_with_ties_hand_worked() {
        let w = wilcoxon(&[1.0, 1.0, 1.0, -2.0, 2.0, 3.0]);
        assert_eq!(w.method, Some(TestMethod::Exact));
        assert!(w.ties);
        close(w.w_plus, 16.5, 0.0);
        close(w.p_value, 18.0 / 64.0, 1e-15);
        // The example: three differences of +1. Only "all +" reaches W+ = 6: 2 · 1/8.
        close(wilcoxon(&[1.0, 1.0, 1.0]).p_value, 0.25, 1e-15);
    }

    /// reference/statistics.md line 72: χ² = (|b − c| − 1)² / (b + c).
    #[test]
    fn mcnemar_line_72() {
        let m = mcnemar(30, 10);
        assert_eq!(m.method, TestMethod::ChiSquare);
        close(m.chi_square, 19.0 * 19.0 / 40.0, 1e-12);
        // exact: b = 1, c = 5: 2·(1 + 6)/64
        let m = mcnemar(1, 5);
        assert_eq!(m.method, TestMethod::ExactBinomial);
        assert_eq!(m.chi_square.reason(), Some(Undefined::ExactTest));
        close(m.p_value, 14.0 / 64.0, 1e-12);
        close(mcnemar(0, 0).p_value, 1.0, 0.0);
        close(mcnemar(3, 3).p_value, 1.0, 1e-12);
    }

    /// Hand-worked Mann–Whitney: a = [1, 2], b = [3, 4, 5] → U1 = 0; exact: only one of the
    /// C(5, 2) = 10 splits has U ≤ 0 (and one has U ≥ 6), so p = 2/10.
    #[test]
    fn mann_whitney_hand_worked() {
        let m = mann_whitney(&[1.0, 2.0], &[3.0, 4.0, 5.0]);
        close(m.u1, 0.0, 0.0);
        assert_eq!(m.method, TestMethod::Exact);
        assert_eq!(m.z.reason(), Some(Undefined::ExactTest));
        close(m.p_value, 0.2, 1e-15);
        assert_eq!(mann_whitney(&[], &[1.0]).p_value.reason(), Some(Undefined::TooFewAnswers { needed: 1, got: 0 }));
        assert_eq!(mann_whitney(&[2.0, 2.0], &[2.0]).p_value.reason(), Some(Undefined::NoVariation));
    }

    /// Hand-worked normal approximation: a = 1..=30, b = 31..=60 (no ties, n = 60 > 50):
    /// U1 = 0, mean 450, var = 30·30·61/12 = 4575, z of max(U1, U2) = (900 − 450 − ½)/√4575.
    #[test]
    fn mann_whitney_normal_hand_worked() {
        let a: Vec<f64> = (1..=30).map(f64::from).collect();
        let b: Vec<f64> = (31..=60).map(f64::from).collect();
        let m = mann_whitney(&a, &b);
        assert_eq!(m.method, TestMethod::Normal);
        close(m.u1, 0.0, 0.0);
        close(m.z, 449.5 / 4575f64.sqrt(), 1e-12);
    }

    /// The reproduction: bloc A {3, 5}, bloc B {4, 4}: U1 = n1·n2/2 = 2. The old
    /// correction gave z = −0.5/σ and p = 2·sf(0.5/σ) = 0.683. R sets the correction to 0 when
    /// U1 − n1n2/2 = 0 and scipy (`mannwhitneyu(..., method="asymptotic")`) clips 2·sf(z) to 1:
    /// both give 1. The exact test gives 1 too (every split's U is at least as extreme).
    #[test]
    fn mann_whitney_centred_groups_give_p_one() {
        let m = mann_whitney(&[3.0, 5.0], &[4.0, 4.0]);
        close(m.u1, 2.0, 0.0);
        assert_eq!(m.method, TestMethod::Exact);
        close(m.p_value, 1.0, 0.0);
        // The normal approximation on the same counts (categories 3, 4, 5): σ² = 2·2/12·(5 − 6/12).
        let (z, p) = corrected_normal(0.0, 2.0 * 2.0 / 12.0 * (5.0 - 6.0 / 12.0));
        close(z, 0.0, 0.0);
        close(p, 1.0, 0.0);
        // Beyond the exact limit: two blocs of 30 with the same answers, so U1 = 450 exactly.
        let bloc: Vec<f64> = (0..30).map(|i| f64::from(1 + i % 5)).collect();
        let m = mann_whitney(&bloc, &bloc);
        assert_eq!(m.method, TestMethod::Normal);
        close(m.u1, 450.0, 0.0);
        close(m.z, 0.0, 0.0);
        close(m.p_value, 1.0, 0.0);
    }

    /// Hand-worked Kruskal–Wallis without ties: [1,2],[3,4],[5,6]: R = 3, 7, 11;
    /// H = 12/42 · (9 + 49 + 121)/2 − 21 = 25.571… − 21 = 4.571428….
    #[test]
    fn kruskal_wallis_hand_worked() {
        let k = kruskal_wallis(&[&[1.0, 2.0], &[3.0, 4.0], &[5.0, 6.0]]);
        close(k.h, 12.0 / 42.0 * 179.0 / 2.0 - 21.0, 1e-12);
        assert_eq!(k.df, 2);
        assert_eq!(kruskal_wallis(&[&[1.0, 2.0]]).h.reason(), Some(Undefined::TooFewGroups));
        assert_eq!(kruskal_wallis(&[&[1.0], &[1.0]]).h.reason(), Some(Undefined::NoVariation));
    }
}
