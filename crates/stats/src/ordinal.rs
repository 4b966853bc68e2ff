//! Consensus and dispersion measures of an ordinal frequency vector.
//!
//! Every function takes `counts[i]` = number of answers at scale point `min + i`, over the
//! *whole* scale (so empty categories at the ends count in the number of categories `K`).

use delphi_core::consensus::QuantileMethod;
use serde::Serialize;

use crate::quantile::quantile_counts;
use crate::{Figure, Undefined};

fn f(x: u64) -> f64 {
    x as f64
}

fn fu(x: usize) -> f64 {
    x as f64
}

/// Number of answers.
pub fn total(counts: &[u64]) -> u64 {
    counts.iter().sum()
}

/// Mean of the answers (scale units).
pub fn mean(counts: &[u64], min: i32) -> Figure {
    let n = total(counts);
    if n == 0 {
        return Figure::undefined(Undefined::NoAnswers);
    }
    let s: f64 = counts.iter().enumerate().map(|(i, &c)| f(c) * (f64::from(min) + fu(i))).sum();
    Figure::new(s / f(n))
}

/// Sample variance (denominator n − 1).
pub fn variance(counts: &[u64], min: i32) -> Figure {
    let n = total(counts);
    if n < 2 {
        return Figure::undefined(if n == 0 {
            Undefined::NoAnswers
        } else {
            Undefined::TooFewAnswers { needed: 2, got: 1 }
        });
    }
    let m = mean(counts, min).value().unwrap_or(0.0);
    let ss: f64 = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let d = f64::from(min) + fu(i) - m;
            f(c) * d * d
        })
        .sum();
    Figure::new(ss / f(n - 1))
}

/// Tastle–Wierman consensus `Cns = 1 + Σ p_i log2(1 − |X_i − μ| / d)`, `d` = width of the scale.
pub fn tastle_wierman(counts: &[u64]) -> Figure {
    let n = total(counts);
    if n == 0 {
        return Figure::undefined(Undefined::NoAnswers);
    }
    if counts.len() < 2 {
        return Figure::new(1.0);
    }
    let d = fu(counts.len() - 1);
    let mu: f64 = counts.iter().enumerate().map(|(i, &c)| f(c) * fu(i)).sum::<f64>() / f(n);
    let s: f64 = counts
        .iter()
        .enumerate()
        .filter(|&(_, &c)| c > 0)
        .map(|(i, &c)| f(c) / f(n) * (1.0 - (fu(i) - mu).abs() / d).log2())
        .sum();
    Figure::new(1.0 + s)
}

/// van der Eijk's agreement `A` (layers of the distribution; triples over K ≥ 3 categories).
pub fn van_der_eijk(counts: &[u64]) -> Figure {
    let k = counts.len();
    let n = total(counts);
    if n == 0 {
        return Figure::undefined(Undefined::NoAnswers);
    }
    if k < 3 {
        return Figure::undefined(Undefined::ScaleTooSmall);
    }
    let mut rest = counts.to_vec();
    let mut a = 0.0;
    let kf = fu(k);
    while let Some(h) = rest.iter().copied().filter(|&c| c > 0).min() {
        let pattern: Vec<bool> = rest.iter().map(|&c| c > 0).collect();
        let s = pattern.iter().filter(|&&b| b).count();
        let a_layer = if s == 1 {
            1.0
        } else {
            // Triples i < j < k, counted through the middle element j in O(K).
            let total_ones = s;
            let (mut tu, mut tdu) = (0.0f64, 0.0f64);
            let mut ones_left = 0usize;
            for (j, &b) in pattern.iter().enumerate() {
                let zeros_left = j - ones_left;
                let ones_right = total_ones - ones_left - usize::from(b);
                let zeros_right = (k - j - 1) - ones_right;
                if b {
                    // 110 and 011
                    tu += fu(ones_left * zeros_right) + fu(zeros_left * ones_right);
                } else {
                    // 101
                    tdu += fu(ones_left * ones_right);
                }
                ones_left += usize::from(b);
            }
            if tu + tdu == 0.0 {
                0.0
            } else {
                let u = ((kf - 2.0) * tu - (kf - 1.0) * tdu) / ((kf - 2.0) * (tu + tdu));
                u * (1.0 - (fu(s) - 1.0) / (kf - 1.0))
            }
        };
        a += f(h) * fu(s) / f(n) * a_layer;
        for c in &mut rest {
            if *c > 0 {
                *c -= h;
            }
        }
    }
    Figure::new(a)
}

/// Leik's ordinal dispersion `D = 2 Σ_{i<K} min(F_i, 1 − F_i) / (K − 1)`.
pub fn leik(counts: &[u64]) -> Figure {
    let n = total(counts);
    if n == 0 {
        return Figure::undefined(Undefined::NoAnswers);
    }
    let k = counts.len();
    if k < 2 {
        return Figure::new(0.0);
    }
    let mut cum = 0u64;
    let mut s = 0.0;
    for &c in &counts[..k - 1] {
        cum += c;
        let fc = f(cum) / f(n);
        s += fc.min(1.0 - fc);
    }
    Figure::new(2.0 * s / fu(k - 1))
}

/// `rwg = 1 − s² / σ²_EU` with `σ²_EU = (A² − 1) / 12` for `A` scale points (James, Demaree &
/// Wolf 1984). Reported as computed: values below 0 (more spread than uniform) are not
/// truncated.
pub fn rwg(counts: &[u64], min: i32) -> Figure {
    let a = fu(counts.len());
    let eu = (a * a - 1.0) / 12.0;
    variance(counts, min).map(|s2| 1.0 - s2 / eu)
}

/// The RAND/UCLA appropriateness figures of one item (Fitch et al. 2001).
///
/// The constants 2.35 and 1.5 of IPRAS and the centre 5 of the asymmetry index belong to
/// a 1–9 scale. **Assumption for other scales:** answers are first mapped linearly onto 1–9
/// (`x' = 1 + 8 (x − min) / (max − min)`), so IPR and IPRCP are in 9-point units and
/// `rescaled` is true.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RandUcla {
    /// 30th percentile (9-point units).
    pub p30: Figure,
    /// 70th percentile.
    pub p70: Figure,
    /// Interpercentile range P70 − P30.
    pub ipr: Figure,
    /// Central point of the IPR, (P30 + P70) / 2.
    pub iprcp: Figure,
    /// Asymmetry index |5 − IPRCP|.
    pub asymmetry: Figure,
    /// IPR adjusted for symmetry, 2.35 + 1.5 · AI.
    pub ipras: Figure,
    /// Disagreement index IPR / IPRAS.
    pub disagreement_index: Figure,
    /// DI > 1 (`None` without answers).
    pub disagreement: Option<bool>,
    /// Whether the answers were mapped onto 1–9 first.
    pub rescaled: bool,
}

/// RAND/UCLA IPR, IPRCP, AI, IPRAS and DI, with percentiles of the study's quantile type.
pub fn rand_ucla(counts: &[u64], min: i32, method: QuantileMethod) -> RandUcla {
    let max = min + i32::try_from(counts.len()).unwrap_or(i32::MAX) - 1;
    let rescaled = !(min == 1 && max == 9);
    let to9 = |x: f64| {
        if rescaled { 1.0 + 8.0 * (x - f64::from(min)) / f64::from(max - min) } else { x }
    };
    let p30 = quantile_counts(counts, min, 0.3, method).map(to9);
    let p70 = quantile_counts(counts, min, 0.7, method).map(to9);
    let ipr = p30.zip(p70, |a, b| Figure::new(b - a));
    let iprcp = p30.zip(p70, |a, b| Figure::new((a + b) / 2.0));
    let asymmetry = iprcp.map(|c| (5.0 - c).abs());
    let ipras = asymmetry.map(|ai| 2.35 + 1.5 * ai);
    let disagreement_index = ipr.zip(ipras, |a, b| Figure::new(a / b));
    RandUcla {
        p30,
        p70,
        ipr,
        iprcp,
        asymmetry,
        ipras,
        disagreement_index,
        disagreement: disagreement_index.value().map(|d| d > 1.0),
        rescaled,
    }
}

/// The polarisation (bimodality) flag.
///
/// **Rule** (the classic RAND/UCLA definition of disagreement, generalised to any scale):
/// the lower third of the scale is the points `x` with `3 (x − min) < (max − min)`, the
/// upper third those with `3 (max − x) < (max − min)` (1–3 and 7–9 on a 9-point scale,
/// 1–2 and 4–5 on a 5-point scale). The answers are *polarised* when at least one third of
/// the valid answers lie in each of the two outer thirds. van der Eijk's `A < 0` is
/// reported beside it as a second, graded sign of bimodality.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Polarisation {
    /// Share of answers in the lower third (0–1).
    pub low_share: Figure,
    /// Share in the upper third.
    pub high_share: Figure,
    /// Whether the rule fires (`None` without answers).
    pub polarised: Option<bool>,
    /// van der Eijk's A is negative (more bimodal than uniform).
    pub agreement_negative: Option<bool>,
}

/// Computes the polarisation flag (see [`Polarisation`]).
pub fn polarisation(counts: &[u64]) -> Polarisation {
    let n = total(counts);
    let width = counts.len().saturating_sub(1);
    let mut low = 0u64;
    let mut high = 0u64;
    for (i, &c) in counts.iter().enumerate() {
        if 3 * i < width {
            low += c;
        }
        if 3 * (width - i) < width {
            high += c;
        }
    }
    if n == 0 {
        let u = Figure::undefined(Undefined::NoAnswers);
        return Polarisation { low_share: u, high_share: u, polarised: None, agreement_negative: None };
    }
    Polarisation {
        low_share: Figure::new(f(low) / f(n)),
        high_share: Figure::new(f(high) / f(n)),
        polarised: Some(3 * low >= n && 3 * high >= n),
        agreement_negative: van_der_eijk(counts).value().map(|a| a < 0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// reference/statistics.md line 23: f = [30, 40, 210, 130, 530, 50, 10] over 1..7.
    const GOLDEN: [u64; 7] = [30, 40, 210, 130, 530, 50, 10];

    fn close(a: Figure, b: f64, tol: f64) {
        let v = a.value().unwrap_or_else(|| panic!("undefined: {a}"));
        assert!((v - b).abs() <= tol, "{v} vs {b}");
    }

    /// reference/statistics.md line 26: Tastle–Wierman **0.7256876**.
    #[test]
    fn golden_tastle_wierman_line_26() {
        close(tastle_wierman(&GOLDEN), 0.725_687_6, 1e-6);
    }

    /// reference/statistics.md line 31: van der Eijk A **0.6113333**.
    #[test]
    fn golden_van_der_eijk_line_31() {
        close(van_der_eijk(&GOLDEN), 0.611_333_3, 1e-6);
    }

    /// reference/statistics.md line 33: Leik's D **0.2866667**.
    #[test]
    fn golden_leik_line_33() {
        close(leik(&GOLDEN), 0.286_666_7, 1e-6);
    }

    /// reference/statistics.md line 43: rwg([4,4,5,4,3], 5 points) = **0.75**.
    #[test]
    fn golden_rwg_line_43() {
        close(rwg(&[0, 0, 1, 3, 1], 1), 0.75, 1e-12);
    }

    /// reference/statistics.md lines 38–39: {4, 5, 6, 7×5, 8×5, 9×2} → P30 7, P70 8, IPR 1,
    /// IPRCP 7.5, AI 2.5, IPRAS 6.1, DI 0.1639344 (types 6 and 7 agree).
    #[test]
    fn golden_rand_ucla_lines_38_39() {
        let counts = [0, 0, 0, 1, 1, 1, 5, 5, 2];
        for m in [QuantileMethod::Type7, QuantileMethod::Type6] {
            let r = rand_ucla(&counts, 1, m);
            close(r.p30, 7.0, 1e-12);
            close(r.p70, 8.0, 1e-12);
            close(r.ipr, 1.0, 1e-12);
            close(r.iprcp, 7.5, 1e-12);
            close(r.asymmetry, 2.5, 1e-12);
            close(r.ipras, 6.1, 1e-12);
            close(r.disagreement_index, 0.163_934_4, 1e-7);
            assert_eq!(r.disagreement, Some(false));
            assert!(!r.rescaled);
        }
    }

    #[test]
    fn edge_case_no_answers() {
        let z = [0u64; 5];
        for fig in [mean(&z, 1), variance(&z, 1), tastle_wierman(&z), van_der_eijk(&z), leik(&z), rwg(&z, 1)] {
            assert_eq!(fig.reason(), Some(Undefined::NoAnswers));
        }
        let r = rand_ucla(&z, 1, QuantileMethod::Type7);
        assert_eq!(r.disagreement, None);
        assert_eq!(r.disagreement_index.reason(), Some(Undefined::NoAnswers));
        assert_eq!(polarisation(&z).polarised, None);
    }

    #[test]
    fn edge_case_one_answer() {
        let one = [0, 0, 1, 0, 0];
        close(mean(&one, 1), 3.0, 0.0);
        assert_eq!(variance(&one, 1).reason(), Some(Undefined::TooFewAnswers { needed: 2, got: 1 }));
        assert_eq!(rwg(&one, 1).reason(), Some(Undefined::TooFewAnswers { needed: 2, got: 1 }));
        close(tastle_wierman(&one), 1.0, 0.0);
        close(van_der_eijk(&one), 1.0, 0.0);
        close(leik(&one), 0.0, 0.0);
    }

    #[test]
    fn edge_case_all_equal_one_category() {
        let same = [0, 0, 0, 12, 0];
        close(tastle_wierman(&same), 1.0, 0.0);
        close(van_der_eijk(&same), 1.0, 0.0);
        close(leik(&same), 0.0, 0.0);
        close(rwg(&same, 1), 1.0, 0.0);
        close(variance(&same, 1), 0.0, 0.0);
        let r = rand_ucla(&same, 1, QuantileMethod::Type7);
        close(r.ipr, 0.0, 0.0);
        // 4 on 1..5 is 7 on 1..9
        close(r.iprcp, 7.0, 1e-12);
        assert!(r.rescaled);
        assert_eq!(polarisation(&same).polarised, Some(false));
    }

    #[test]
    fn hand_worked_extremes() {
        // Half at each end of a 5-point scale: perfect polarisation.
        let split = [5, 0, 0, 0, 5];
        close(tastle_wierman(&split), 0.0, 1e-12);
        close(van_der_eijk(&split), -1.0, 1e-12);
        close(leik(&split), 1.0, 1e-12);
        let p = polarisation(&split);
        assert_eq!(p.polarised, Some(true));
        assert_eq!(p.agreement_negative, Some(true));
        // Uniform over K categories: A = 0.
        close(van_der_eijk(&[3, 3, 3, 3, 3]), 0.0, 1e-12);
        // A two-point scale has no van der Eijk A.
        assert_eq!(van_der_eijk(&[1, 1]).reason(), Some(Undefined::ScaleTooSmall));
        // Polarisation thirds on 1..7: low = {1, 2}, high = {6, 7}.
        let p = polarisation(&[2, 1, 0, 0, 0, 0, 3]);
        close(p.low_share, 0.5, 1e-12);
        close(p.high_share, 0.5, 1e-12);
        let p = polarisation(&[0, 0, 3, 0, 0, 0, 3]);
        close(p.low_share, 0.0, 1e-12);
    }
}
