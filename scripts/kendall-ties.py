#!/usr/bin/env python3
"""Golden values of crates/stats/tests/kendall_ties.rs: Kendall's W of tied rankings, with and
without the tie correction, chi-square and p, from scipy's mid-ranks (no delphi code).

Four raters rank five domains best first; a tier in brackets shares a place:
  R1: a b c d e        R2: [a b] c [d e]      R3: b a [c d e]      R4: a [b c] d e
W = 12 S / (m^2 (n^3 - n) - m sum T), T = sum(t^3 - t) per rater; chi2 = m (n - 1) W, n - 1 df.
"""
import json

import numpy as np
from scipy import stats

OBJECTS = "abcde"
RATERS = [[["a"], ["b"], ["c"], ["d"], ["e"]],
          [["a", "b"], ["c"], ["d", "e"]],
          [["b"], ["a"], ["c", "d", "e"]],
          [["a"], ["b", "c"], ["d"], ["e"]]]


def places(tiers):
    """Each object's tier index, which rankdata turns into mid-ranks."""
    return [next(i for i, t in enumerate(tiers) if o in t) for o in OBJECTS]


R = np.array([stats.rankdata(places(t)) for t in RATERS])
m, n = R.shape
S = float(((R.sum(axis=0) - m * (n + 1) / 2) ** 2).sum())
T = sum(float(((c := np.unique(row, return_counts=True)[1]) ** 3 - c).sum()) for row in R)
w = 12 * S / (m ** 2 * (n ** 3 - n) - m * T)
w_unc = 12 * S / (m ** 2 * (n ** 3 - n))
chi = m * (n - 1) * w
print(json.dumps(dict(mid_ranks=R.tolist(), S=S, T=T, w=w, w_uncorrected=w_unc, chi_square=chi,
                      p=float(stats.chi2.sf(chi, n - 1)), mean_ranks=R.mean(axis=0).tolist()), indent=1))
