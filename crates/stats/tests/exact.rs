//! Exact rank tests on small samples with ties (issue 15, item 2), against golden values
//! computed by scripts/exact-golden.py:
//! - without ties, scipy 1.17's `wilcoxon(d, method="exact")` and
//!   `mannwhitneyu(x, y, method="exact")`;
//! - with ties (where scipy's "exact" assumes none), `scipy.stats.permutation_test(...,
//!   n_resamples=np.inf)`: every sign flip of the non-zero differences (zeros dropped first, as
//!   scipy's `zero_method="wilcox"`) or every split into the two groups, statistic W+ or U₁ on
//!   mid-ranks, two-sided 2 · min(P(≤), P(≥)) capped at 1.

use delphi_stats::ranktests::{TestMethod, mann_whitney, wilcoxon};

fn p_exact_wilcoxon(d: &[f64]) -> f64 {
    let w = wilcoxon(d);
    assert_eq!(w.method, Some(TestMethod::Exact), "{d:?}");
    w.p_value.value().expect("defined")
}

fn p_exact_mann_whitney(x: &[f64], y: &[f64]) -> f64 {
    let m = mann_whitney(x, y);
    assert_eq!(m.method, TestMethod::Exact, "{x:?} vs {y:?}");
    m.p_value.value().expect("defined")
}

fn assert_close(got: f64, want: f64) {
    assert!((got - want).abs() <= 1e-12 * want.max(1e-300), "{got} vs {want}");
}

#[test]
fn wilcoxon_without_ties_matches_scipy_exact() {
    assert_close(p_exact_wilcoxon(&[1.5, -0.3, 2.2, 3.1, -0.7, 4.4, 0.9, 2.8]), 0.039_062_5);
}

/// The example: the normal approximation gave 0.083; the conditional distribution has
/// eight equally likely sign patterns and only "all +" reaches W+ = 6, so p = 2/8.
#[test]
fn wilcoxon_three_differences_of_one() {
    assert_close(p_exact_wilcoxon(&[1.0, 1.0, 1.0]), 0.25);
}

#[test]
fn wilcoxon_with_ties_and_zeros_matches_the_permutation_test() {
    let d = [1.0, 1.0, 2.0, -1.0, 0.0, 2.0, 3.0, -2.0, 1.0, 0.0, 1.0, -1.0];
    assert_eq!(wilcoxon(&d).zeros, 2);
    assert_close(p_exact_wilcoxon(&d), 0.253_906_25);
    let d = [1.0, -1.0, 2.0, 1.0, 1.0, -2.0, 1.0, 3.0, 1.0, 2.0, -1.0, 1.0, 1.0, 2.0, 1.0, -3.0];
    assert_close(p_exact_wilcoxon(&d), 0.124_603_271_484_375);
}

#[test]
fn mann_whitney_without_ties_matches_scipy_exact() {
    assert_close(
        p_exact_mann_whitney(&[1.1, 2.3, 3.5, 0.2, 4.8], &[2.0, 5.5, 6.1, 7.3, 3.9, 8.8]),
        0.051_948_051_948_051_95,
    );
}

#[test]
fn mann_whitney_with_ties_matches_the_permutation_test() {
    let a = [2.0, 3.0, 3.0, 4.0, 5.0, 5.0, 4.0];
    let b = [1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 2.0, 1.0];
    assert_close(p_exact_mann_whitney(&a, &b), 0.038_850_038_850_038_85);
    // The groups' order does not matter.
    assert_close(p_exact_mann_whitney(&b, &a), 0.038_850_038_850_038_85);
    let a = [4.0, 5.0, 3.0, 4.0, 4.0, 5.0, 2.0, 4.0, 5.0, 3.0];
    let b = [3.0, 2.0, 4.0, 1.0, 3.0, 3.0, 2.0, 4.0, 3.0, 2.0, 1.0, 3.0];
    assert_close(p_exact_mann_whitney(&a, &b), 0.009_244_625_343_696_552);
    assert_close(p_exact_mann_whitney(&[5.0, 4.0], &[1.0, 2.0, 2.0, 3.0, 5.0, 4.0, 5.0, 1.0]), 0.4);
}

/// The reproduction: bloc A {3, 5}, bloc B {4, 4} gave p = 0.683.
#[test]
fn mann_whitney_centred_blocs() {
    assert_eq!(p_exact_mann_whitney(&[3.0, 5.0], &[4.0, 4.0]), 1.0);
}
