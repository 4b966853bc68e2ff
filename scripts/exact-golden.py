#!/usr/bin/env python3
"""Golden values for crates/stats/tests/exact.rs: exact two-sided p-values of the Wilcoxon
signed-rank and Mann–Whitney tests on small samples, with and without ties.

Without ties: scipy's `wilcoxon(..., method="exact")` and `mannwhitneyu(..., method="exact")`.
With ties (where scipy's "exact" methods assume none): `scipy.stats.permutation_test` with
`n_resamples=np.inf`, i.e. a complete enumeration of the sign flips (Wilcoxon; zeros dropped
first, scipy's zero_method="wilcox") or of the splits into two groups (Mann–Whitney), on the
statistics W+ (mid-ranks of |d|) and U₁ (mid-ranks). Two-sided: 2 · min(P(≤), P(≥)), capped
at 1, scipy's definition. Prints `name p` lines with 17 significant digits.
"""
import numpy as np
from scipy import stats


def w_plus(d):
    d = np.asarray(d, dtype=float)
    return float(stats.rankdata(np.abs(d))[d > 0].sum())


def wilcoxon_perm(d):
    nz = np.asarray([x for x in d if x != 0], dtype=float)
    res = stats.permutation_test((nz,), lambda x: w_plus(x), permutation_type="samples", vectorized=False,
                                 n_resamples=np.inf, alternative="two-sided")
    return float(res.pvalue)


def u1(x, y):
    r = stats.rankdata(np.concatenate([x, y]))
    return float(r[: len(x)].sum() - len(x) * (len(x) + 1) / 2)


def mw_perm(x, y):
    res = stats.permutation_test((np.asarray(x, float), np.asarray(y, float)), u1, permutation_type="independent",
                                 vectorized=False, n_resamples=np.inf, alternative="two-sided")
    return float(res.pvalue)


CASES = {
    # Wilcoxon, no ties: scipy exact.
    "wilcoxon_no_ties": ("w_exact", [1.5, -0.3, 2.2, 3.1, -0.7, 4.4, 0.9, 2.8]),
    # The example: three paired differences of +1.
    "wilcoxon_three_plus_one": ("w_perm", [1, 1, 1]),
    # A five-point item between two rounds: ties and zeros.
    "wilcoxon_ties_and_zeros": ("w_perm", [1, 1, 2, -1, 0, 2, 3, -2, 1, 0, 1, -1]),
    "wilcoxon_ties_16": ("w_perm", [1, -1, 2, 1, 1, -2, 1, 3, 1, 2, -1, 1, 1, 2, 1, -3]),
    # Mann–Whitney, no ties: scipy exact.
    "mw_no_ties": ("mw_exact", ([1.1, 2.3, 3.5, 0.2, 4.8], [2.0, 5.5, 6.1, 7.3, 3.9, 8.8])),
    # The reproduction: U1 = n1 n2 / 2.
    "mw_centred": ("mw_perm", ([3, 5], [4, 4])),
    "mw_ordinal_ties": ("mw_perm", ([2, 3, 3, 4, 5, 5, 4], [1, 2, 2, 3, 3, 4, 2, 1])),
    "mw_ordinal_10_12": ("mw_perm", ([4, 5, 3, 4, 4, 5, 2, 4, 5, 3], [3, 2, 4, 1, 3, 3, 2, 4, 3, 2, 1, 3])),
    "mw_unequal_2_8": ("mw_perm", ([5, 4], [1, 2, 2, 3, 5, 4, 5, 1])),
}


def main():
    for name, (kind, data) in CASES.items():
        if kind == "w_exact":
            p = stats.wilcoxon(data, method="exact").pvalue
        elif kind == "w_perm":
            p = wilcoxon_perm(data)
        elif kind == "mw_exact":
            p = stats.mannwhitneyu(*data, method="exact", alternative="two-sided").pvalue
        else:
            p = mw_perm(*data)
        print(f"{name} {float(p):.17g}")


if __name__ == "__main__":
    main()
