//! Kendall's coefficient of concordance W for rankings, with the tie correction.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::input::Ranking;
use crate::ranktests::chi_square_sf;
use crate::{Figure, Undefined};

fn fu(x: usize) -> f64 {
    x as f64
}

/// Kendall's W over m raters and n objects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KendallW {
    /// Raters used.
    pub raters: usize,
    /// Raters left out because they did not rank exactly the common set of objects.
    pub raters_excluded: usize,
    /// Objects ranked.
    pub objects: usize,
    /// W with the tie correction.
    pub w: Figure,
    /// W without the tie correction.
    pub w_uncorrected: Figure,
    /// χ² = m (n − 1) W.
    pub chi_square: Figure,
    /// Degrees of freedom n − 1.
    pub df: usize,
    /// p-value of χ².
    pub p_value: Figure,
    /// Each object's mean rank (1 = best), sorted by object name.
    pub mean_ranks: Vec<(String, Figure)>,
}

/// Kendall's W from a raters × objects matrix of (mid-)ranks; ties are found in each row.
///
/// `W = 12 S / (m²(n³ − n) − m Σ_j T_j)`, `T_j = Σ (t³ − t)` over rater j's tie groups,
/// `χ² = m (n − 1) W` with `n − 1` df.
pub fn kendall_w_matrix(ranks: &[Vec<f64>]) -> (Figure, Figure, Figure, Figure) {
    let m = ranks.len();
    let n = ranks.first().map_or(0, Vec::len);
    if m < 2 || n < 2 || ranks.iter().any(|r| r.len() != n) {
        let u = Figure::undefined(Undefined::TooFewAnswers { needed: 2, got: m.min(n) });
        return (u, u, u, u);
    }
    let (mf, nf) = (fu(m), fu(n));
    let mut sums = vec![0.0; n];
    let mut t_total = 0.0;
    for row in ranks {
        for (s, &r) in sums.iter_mut().zip(row) {
            *s += r;
        }
        let mut sorted = row.clone();
        sorted.sort_by(f64::total_cmp);
        let mut i = 0;
        while i < n {
            let mut j = i;
            while j + 1 < n && sorted[j + 1] == sorted[i] {
                j += 1;
            }
            let t = fu(j - i + 1);
            t_total += t * t * t - t;
            i = j + 1;
        }
    }
    let centre = mf * (nf + 1.0) / 2.0;
    let s: f64 = sums.iter().map(|r| (r - centre).powi(2)).sum();
    let full = mf * mf * (nf * nf * nf - nf);
    let w_unc = Figure::new(12.0 * s / full);
    let denom = full - mf * t_total;
    if denom <= 0.0 {
        let u = Figure::undefined(Undefined::NoVariation);
        return (u, w_unc, u, u);
    }
    let w = 12.0 * s / denom;
    let chi = mf * (nf - 1.0) * w;
    (Figure::new(w), w_unc, Figure::new(chi), chi_square_sf(chi, nf - 1.0))
}

/// Kendall's W of rankings. The common object set is the set ranked by most raters (ties
/// broken by the sorted object names); raters who ranked another set are excluded and counted.
pub fn kendall_w(rankings: &[&Ranking]) -> KendallW {
    let mut sets: BTreeMap<Vec<&str>, usize> = BTreeMap::new();
    let keyed: Vec<Vec<&str>> = rankings
        .iter()
        .map(|r| {
            let mut k: Vec<&str> = r.mid_ranks().map(|(o, _)| o).collect();
            k.sort_unstable();
            k
        })
        .collect();
    for k in &keyed {
        *sets.entry(k.clone()).or_default() += 1;
    }
    // most raters; among equals the first in sorted order
    let common: Vec<&str> = sets
        .iter()
        .fold((None::<&Vec<&str>>, 0usize), |(best, bc), (k, &c)| if c > bc { (Some(k), c) } else { (best, bc) })
        .0
        .cloned()
        .unwrap_or_default();
    let mut matrix = Vec::new();
    for (r, k) in rankings.iter().zip(&keyed) {
        if *k == common {
            let mut row = vec![0.0; common.len()];
            for (o, rank) in r.mid_ranks() {
                let i = common.binary_search(&o).expect("object of the common set");
                row[i] = rank;
            }
            matrix.push(row);
        }
    }
    let (w, w_uncorrected, chi_square, p_value) = kendall_w_matrix(&matrix);
    let mean_ranks = common
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let fig = if matrix.is_empty() {
                Figure::undefined(Undefined::NoAnswers)
            } else {
                Figure::new(matrix.iter().map(|row| row[i]).sum::<f64>() / fu(matrix.len()))
            };
            ((*o).to_owned(), fig)
        })
        .collect();
    KendallW {
        raters: matrix.len(),
        raters_excluded: rankings.len() - matrix.len(),
        objects: common.len(),
        w,
        w_uncorrected,
        chi_square,
        df: common.len().saturating_sub(1),
        p_value,
        mean_ranks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Figure, b: f64, tol: f64) {
        let v = a.value().unwrap_or_else(|| panic!("undefined: {a}"));
        assert!((v - b).abs() <= tol, "{v} vs {b}");
    }

    /// reference/statistics.md lines 50–51: W = 0.8949275 (0.8821429 uncorrected),
    /// χ² = 17.8985507 with 5 df. The fourth rater's ties (2,2 and 5,5) become mid-ranks.
    #[test]
    fn golden_kendall_w_lines_50_51() {
        let r = |v: &[f64]| v.to_vec();
        let m = vec![
            r(&[1., 2., 3., 4., 5., 6.]),
            r(&[2., 1., 3., 4., 6., 5.]),
            r(&[1., 3., 2., 5., 4., 6.]),
            r(&[1., 2.5, 2.5, 4., 5.5, 5.5]),
        ];
        let (w, wu, chi, p) = kendall_w_matrix(&m);
        close(w, 0.894_927_5, 1e-6);
        close(wu, 0.882_142_9, 1e-6);
        close(chi, 17.898_550_7, 1e-6);
        assert!(p.value().unwrap() < 0.01);
        // The same through rankings with tiers.
        let ranks = [
            Ranking::from_order(["a", "b", "c", "d", "e", "f"]).unwrap(),
            Ranking::from_order(["b", "a", "c", "d", "f", "e"]).unwrap(),
            Ranking::from_order(["a", "c", "b", "e", "d", "f"]).unwrap(),
            Ranking::with_ties(vec![
                vec!["a".into()],
                vec!["b".into(), "c".into()],
                vec!["d".into()],
                vec!["e".into(), "f".into()],
            ])
            .unwrap(),
        ];
        let refs: Vec<&Ranking> = ranks.iter().collect();
        let k = kendall_w(&refs);
        close(k.w, 0.894_927_5, 1e-6);
        assert_eq!((k.raters, k.objects, k.df), (4, 6, 5));
        close(k.mean_ranks[0].1, 1.25, 1e-12);
    }

    #[test]
    fn edge_cases() {
        // n = 0 and n = 1 raters
        assert!(kendall_w(&[]).w.reason().is_some());
        let one = Ranking::from_order(["a", "b"]).unwrap();
        assert_eq!(kendall_w(&[&one]).w.reason(), Some(Undefined::TooFewAnswers { needed: 2, got: 1 }));
        // all raters tie everything: W undefined
        let tie = Ranking::with_ties(vec![vec!["a".into(), "b".into()]]).unwrap();
        assert_eq!(kendall_w(&[&tie, &tie]).w.reason(), Some(Undefined::NoVariation));
        // identical strict rankings: W = 1
        let k = kendall_w(&[&one, &one, &one]);
        close(k.w, 1.0, 1e-12);
        // a rater with another object set is excluded
        let other = Ranking::from_order(["a", "c"]).unwrap();
        let k = kendall_w(&[&one, &one, &other]);
        assert_eq!((k.raters, k.raters_excluded), (2, 1));
    }
}
