//! Rank tests: Wilcoxon signed-rank, Mann–Whitney U, Kruskal–Wallis; and McNemar's test.
//!
//! All p-values are two-sided. Ties get mid-ranks and the variance is tie-corrected.

use serde::Serialize;
use statrs::distribution::{Binomial, ChiSquared, ContinuousCDF, DiscreteCDF, Normal};

use crate::{Figure, Undefined};

#[allow(clippy::cast_precision_loss)]
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
        #[allow(clippy::cast_precision_loss)]
        let (tf, bf) = (t as f64, before as f64);
        let mid = bf + (tf + 1.0) / 2.0;
        for (g, c) in counts.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
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
    /// Exact (n ≤ 50 non-zero differences without ties) or normal approximation.
    pub method: Option<TestMethod>,
    /// Whether absolute differences were tied.
    pub ties: bool,
}

/// The largest number of non-zero differences for which the exact distribution is used.
pub const WILCOXON_EXACT_MAX: usize = 50;

/// Wilcoxon signed-rank test on differences `d = later − earlier`: zeros dropped, mid-ranks,
/// exact distribution when there are at most [`WILCOXON_EXACT_MAX`] non-zero differences and
/// no ties, otherwise the normal approximation with variance
/// `n(n+1)(2n+1)/24 − Σ(t³ − t)/48` and no continuity correction.
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
    let (mut w_plus, mut tie_term, mut ties) = (0.0, 0.0, false);
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && abs[j + 1].0 == abs[i].0 {
            j += 1;
        }
        let t = fu(j - i + 1);
        let mid = fu(i) + (t + 1.0) / 2.0;
        if j > i {
            ties = true;
            tie_term += t * t * t - t;
        }
        w_plus += abs[i..=j].iter().filter(|x| x.1).count() as f64 * mid;
        i = j + 1;
    }
    let nf = fu(n);
    let total = nf * (nf + 1.0) / 2.0;
    let w_minus = total - w_plus;
    let statistic = w_plus.min(w_minus);
    let (z, p, method) = if n <= WILCOXON_EXACT_MAX && !ties {
        (Figure::undefined(Undefined::ExactTest), exact_signed_rank_p(n, w_plus), TestMethod::Exact)
    } else {
        let mean = total / 2.0;
        let var = nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - tie_term / 48.0;
        if var <= 0.0 {
            let u = Figure::undefined(Undefined::NoVariation);
            (u, u, TestMethod::Normal)
        } else {
            let z = (w_plus - mean) / var.sqrt();
            (Figure::new(z), normal_two_sided(z), TestMethod::Normal)
        }
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

/// Two-sided exact p-value of W+ = `w` for `n` untied ranks 1..n.
fn exact_signed_rank_p(n: usize, w: f64) -> Figure {
    let max = n * (n + 1) / 2;
    let mut dist = vec![0.0f64; max + 1];
    dist[0] = 1.0;
    for r in 1..=n {
        for s in (r..=max).rev() {
            dist[s] += dist[s - r];
        }
    }
    let all: f64 = dist.iter().sum();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let w = w.round() as usize;
    let le: f64 = dist[..=w].iter().sum::<f64>() / all;
    let ge: f64 = dist[w..].iter().sum::<f64>() / all;
    Figure::new((2.0 * le.min(ge)).min(1.0))
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
    /// z-score with continuity correction (of max(U₁, U₂)).
    pub z: Figure,
    /// Two-sided p-value.
    pub p_value: Figure,
    /// Always the tie-corrected normal approximation with continuity correction.
    pub method: TestMethod,
}

/// Mann–Whitney U from two groups' counts over common ordered categories.
pub fn mann_whitney_counts(a: &[u64], b: &[u64]) -> MannWhitney {
    let r = rank_sums(&[a, b]);
    let (n1, n2) = (r.sizes[0], r.sizes[1]);
    #[allow(clippy::cast_precision_loss)]
    let (f1, f2) = (n1 as f64, n2 as f64);
    if n1 == 0 || n2 == 0 {
        let u = Figure::undefined(Undefined::TooFewAnswers { needed: 1, got: 0 });
        return MannWhitney { n1, n2, u1: u, z: u, p_value: u, method: TestMethod::Normal };
    }
    let u1 = r.sums[0] - f1 * (f1 + 1.0) / 2.0;
    let u2 = f1 * f2 - u1;
    let nn = f1 + f2;
    let var = f1 * f2 / 12.0 * ((nn + 1.0) - r.tie_term / (nn * (nn - 1.0)));
    let (z, p) = if var <= 0.0 {
        let u = Figure::undefined(Undefined::NoVariation);
        (u, u)
    } else {
        let z = (u1.max(u2) - f1 * f2 / 2.0 - 0.5) / var.sqrt();
        (Figure::new(z), normal_two_sided(z))
    };
    MannWhitney { n1, n2, u1: Figure::new(u1), z, p_value: p, method: TestMethod::Normal }
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
    #[allow(clippy::cast_precision_loss)]
    let nn = r.n as f64;
    #[allow(clippy::cast_precision_loss)]
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
    #[allow(clippy::cast_precision_loss)]
    let (bf, cf) = (b as f64, c as f64);
    let d = (bf - cf).abs() - 1.0;
    let chi = d.max(0.0).powi(2) / (bf + cf);
    McNemar { b, c, chi_square: Figure::new(chi), p_value: chi_square_sf(chi, 1.0), method: TestMethod::ChiSquare }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// reference/statistics.md line 70: variance n(n+1)(2n+1)/24 − Σ(t³−t)/48.
    /// d = [1, 1, 1, -2, 2, 3]: ranks 2,2,2 | 4.5,4.5 | 6; W+ = 6 + 4.5 + 6 = 16.5,
    /// var = 6·7·13/24 − (24 + 6)/48 = 22.75 − 0.625 = 22.125, z = (16.5 − 10.5)/√22.125.
    #[test]
    fn wilcoxon_normal_with_ties_line_70() {
        let w = wilcoxon(&[1.0, 1.0, 1.0, -2.0, 2.0, 3.0]);
        assert_eq!(w.method, Some(TestMethod::Normal));
        assert!(w.ties);
        close(w.w_plus, 16.5, 1e-12);
        close(w.z, 6.0 / 22.125f64.sqrt(), 1e-12);
    }

    #[test]
    fn wilcoxon_edge_cases() {
        assert_eq!(wilcoxon(&[]).p_value.reason(), Some(Undefined::NoPairs));
        assert_eq!(wilcoxon(&[0.0, 0.0]).p_value.reason(), Some(Undefined::NoChange));
        // n = 1 non-zero: p = 1.
        close(wilcoxon(&[2.0]).p_value, 1.0, 1e-12);
        // all equal non-zero differences: ties → normal approximation.
        let w = wilcoxon(&[1.0; 8]);
        assert_eq!(w.method, Some(TestMethod::Normal));
        close(w.w_plus, 36.0, 1e-12);
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

    /// Hand-worked Mann–Whitney: a = [1, 2], b = [3, 4, 5] → U1 = 0, U2 = 6, no ties,
    /// var = 2·3/12·6 = 3, z = (6 − 3 − 0.5)/√3.
    #[test]
    fn mann_whitney_hand_worked() {
        let m = mann_whitney(&[1.0, 2.0], &[3.0, 4.0, 5.0]);
        close(m.u1, 0.0, 0.0);
        close(m.z, 2.5 / 3f64.sqrt(), 1e-12);
        assert_eq!(mann_whitney(&[], &[1.0]).p_value.reason(), Some(Undefined::TooFewAnswers { needed: 1, got: 0 }));
        assert_eq!(mann_whitney(&[2.0, 2.0], &[2.0]).p_value.reason(), Some(Undefined::NoVariation));
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
