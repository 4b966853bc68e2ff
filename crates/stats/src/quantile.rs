//! Sample quantiles after Hyndman & Fan (1996), types 7 and 6 only.
//!
//! statrs' `Data::quantile` is type 8 and is deliberately not used anywhere in this crate.

use delphi_core::consensus::QuantileMethod;

use crate::{Figure, Undefined};

/// The 1-based position `h` of quantile `p` among `n` sorted values, clamped to `1..=n`.
fn position(n: usize, p: f64, method: QuantileMethod) -> f64 {
    let nf = n as f64;
    let h = match method {
        QuantileMethod::Type7 => (nf - 1.0) * p + 1.0,
        QuantileMethod::Type6 => (nf + 1.0) * p,
    };
    // Snap positions that are integers up to rounding (e.g. 0.3 · 10) onto the integer.
    let r = h.round();
    let h = if (h - r).abs() < 1e-9 { r } else { h };
    h.clamp(1.0, nf)
}

/// Quantile `p` from an accessor of the 1-based order statistics `x(1) ≤ … ≤ x(n)`.
pub(crate) fn quantile_by(n: usize, p: f64, method: QuantileMethod, x: impl Fn(usize) -> f64) -> Option<f64> {
    if n == 0 || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = position(n, p, method);
    let lo = h.floor() as usize;
    let frac = h - lo as f64;
    if lo >= n || frac == 0.0 {
        return Some(x(lo.min(n)));
    }
    let (a, b) = (x(lo), x(lo + 1));
    Some(a + frac * (b - a))
}

/// Quantile `p` of sorted values.
pub fn quantile_sorted(sorted: &[f64], p: f64, method: QuantileMethod) -> Figure {
    match quantile_by(sorted.len(), p, method, |j| sorted[j - 1]) {
        Some(q) => Figure::new(q),
        None if sorted.is_empty() => Figure::undefined(Undefined::NoAnswers),
        None => Figure::undefined(Undefined::NotFinite),
    }
}

/// The `j`-th (1-based) order statistic of a frequency vector over `min, min+1, …`.
pub(crate) fn order_stat_counts(counts: &[u64], min: i32, j: usize) -> f64 {
    let mut cum = 0u64;
    for (i, &c) in counts.iter().enumerate() {
        cum += c;
        if cum >= j as u64 {
            return f64::from(min) + i as f64;
        }
    }
    let last = counts.len().saturating_sub(1) as f64;
    f64::from(min) + last
}

/// Quantile `p` of answers given as counts per scale point (`counts[0]` is point `min`).
pub fn quantile_counts(counts: &[u64], min: i32, p: f64, method: QuantileMethod) -> Figure {
    let n = usize::try_from(counts.iter().sum::<u64>()).unwrap_or(usize::MAX);
    if n == 0 {
        return Figure::undefined(Undefined::NoAnswers);
    }
    quantile_by(n, p, method, |j| order_stat_counts(counts, min, j))
        .map_or(Figure::undefined(Undefined::NotFinite), Figure::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use QuantileMethod::{Type6, Type7};

    const X: [f64; 10] = [3., 4., 4., 5., 5., 5., 6., 7., 7., 9.];

    /// reference/statistics.md line 14: type 7 → Q1 4.25, Q3 6.75, IQR 2.5; type 6 → Q1 4, Q3 7, IQR 3.
    #[test]
    fn golden_quartiles_line_14() {
        let q = |p, m| quantile_sorted(&X, p, m).value().unwrap();
        assert!((q(0.25, Type7) - 4.25).abs() < 1e-12);
        assert!((q(0.75, Type7) - 6.75).abs() < 1e-12);
        assert!((q(0.75, Type7) - q(0.25, Type7) - 2.5).abs() < 1e-12);
        assert!((q(0.25, Type6) - 4.0).abs() < 1e-12);
        assert!((q(0.75, Type6) - 7.0).abs() < 1e-12);
        // The same from counts over the points 3..=9.
        let counts = [1, 2, 3, 1, 2, 0, 1];
        assert!((quantile_counts(&counts, 3, 0.25, Type7).value().unwrap() - 4.25).abs() < 1e-12);
        assert!((quantile_counts(&counts, 3, 0.75, Type6).value().unwrap() - 7.0).abs() < 1e-12);
    }

    #[test]
    fn edge_cases() {
        // n = 0
        assert_eq!(quantile_sorted(&[], 0.5, Type7).reason(), Some(Undefined::NoAnswers));
        assert_eq!(quantile_counts(&[0, 0, 0], 1, 0.5, Type6).reason(), Some(Undefined::NoAnswers));
        // n = 1: every quantile is the value, both types.
        for m in [Type6, Type7] {
            for p in [0.0, 0.05, 0.25, 0.5, 0.75, 1.0] {
                assert_eq!(quantile_sorted(&[4.0], p, m).value(), Some(4.0));
            }
        }
        // all equal
        assert_eq!(quantile_counts(&[0, 7, 0], 1, 0.25, Type6).value(), Some(2.0));
        // type 6 clamps below the first and above the last position: n = 2, p = 0.25 → h = 0.75 → x(1).
        assert_eq!(quantile_sorted(&[1.0, 3.0], 0.25, Type6).value(), Some(1.0));
        assert_eq!(quantile_sorted(&[1.0, 3.0], 0.75, Type6).value(), Some(3.0));
        // type 7 n = 2: h = 1.25 → 1.5.
        assert_eq!(quantile_sorted(&[1.0, 3.0], 0.25, Type7).value(), Some(1.5));
    }
}
