#!/usr/bin/env python3
"""Independent classical model (Cooke 1991; 5/50/95 quantiles, uniform background, 10 %
overshoot) used to find and check a panel on which the decision maker's indicator matters.

The optimised α maximises the decision maker's own C·I·1[C_DM ≥ α] (EXCALIBUR, ANDURYL), not
C·I. This script searches seeded random panels with tied answers (integers on a small grid)
for one where the two rules choose different α, and prints it with both rules' α, weights and
DM scores, as JSON. Its output is the golden value of crates/stats/src/cooke.rs'
`dm_indicator_changes_alpha_on_a_tied_panel`. numpy + scipy only; no delphi code.

Calibration scores are computed once per exact value of 2N·I (a rational number's log, so
grouped exactly with fractions) and shared, so that experts tied on calibration stay tied.
"""
import json
import math
import random
import sys
from fractions import Fraction

import numpy as np
from scipy import stats

P = [0.05, 0.45, 0.45, 0.05]
PROBS = [0.05, 0.5, 0.95]
_cache = {}


def exact_key(counts):
    """2N·I = 2 ln(Π c^c · 20^N / (N^N · 9^(c1+c2))): equal keys, equal calibration."""
    n = sum(counts)
    num = 1
    for c in counts:
        num *= c ** c
    return Fraction(num * 20 ** n, n ** n * 9 ** (counts[1] + counts[2]))


def calibration(counts):
    key = exact_key(counts)
    if key not in _cache:
        n = sum(counts)
        i = sum((c / n) * math.log((c / n) / p) for c, p in zip(counts, P) if c > 0)
        _cache[key] = float(stats.chi2.sf(2 * n * max(i, 0.0), 3))
    return _cache[key]


def bin_of(q, x):
    return sum(1 for v in q if x > v)


def info(q, lo, hi):
    x = [lo, *q, hi]
    return math.log(hi - lo) + sum(P[b] * math.log(P[b] / (x[b + 1] - x[b])) for b in range(4))


def ranges(panel, real):
    out = []
    for s, x in enumerate(real):
        lo = min([x] + [e[s][0] for e in panel])
        hi = max([x] + [e[s][2] for e in panel])
        out.append((lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo)))
    return out


def pooled(qs, weights, lo, hi):
    """5/50/95 % of the weighted mixture of piecewise-linear CDFs, by inverting it at its knots."""
    knots = sorted({lo, hi, *(v for q, w in zip(qs, weights) if w > 0 for v in q)})
    total = sum(weights)
    cdf = [sum(w * np.interp(k, [lo, *q, hi], [0, .05, .5, .95, 1]) for q, w in zip(qs, weights)) / total
           for k in knots]
    return [float(np.interp(p, cdf, knots)) for p in PROBS]


def score(qs, real, rng):
    counts = [0] * 4
    for q, x in zip(qs, real):
        counts[bin_of(q, x)] += 1
    c = calibration(counts)
    i = sum(info(q, lo, hi) for q, (lo, hi) in zip(qs, rng)) / len(real)
    return c, i, counts


def model(panel, real, indicator):
    rng = ranges(panel, real)
    scores = [score(e, real, rng) for e in panel]
    best = None
    for a in sorted({s[0] for s in scores}):
        w = [c * i if c >= a else 0.0 for c, i, _ in scores]
        dm = [pooled([e[s] for e in panel], w, *rng[s]) for s in range(len(real))]
        c, i, counts = score(dm, real, rng)
        obj = c * i if (c >= a or not indicator) else 0.0
        if best is None or obj > best["objective"]:
            best = dict(alpha=a, objective=obj, weights=[x / sum(w) for x in w], dm_calibration=c,
                        dm_information=i, dm_counts=counts, dm=dm)
    best["experts"] = [dict(calibration=c, information=i, counts=k) for c, i, k in scores]
    return best


def random_panel(r, experts, seeds):
    real = [r.randint(0, 10) for _ in range(seeds)]
    panel = []
    for _ in range(experts):
        e = []
        for _ in range(seeds):
            a = r.randint(0, 9)
            b = r.randint(a + 1, 11)
            e.append([a, b, r.randint(b + 1, 13)])
        panel.append(e)
    return panel, real


def clear_of_knife_edges(panel, real, res):
    """No realisation within 1e-6 of a DM quantile (a bin would depend on rounding)."""
    return all(abs(x - v) > 1e-6 for q, x in zip(res["dm"], real) for v in q)


def main():
    r = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
    for trial in range(20000):
        panel, real = random_panel(r, 3, 5)
        with_ind = model(panel, real, True)
        without = model(panel, real, False)
        if with_ind["alpha"] != without["alpha"] and all(
                clear_of_knife_edges(panel, real, m) for m in (with_ind, without)):
            json.dump(dict(trial=trial, panel=panel, realisations=real, with_indicator=with_ind,
                           without_indicator=without), sys.stdout, indent=1)
            print()
            return
    sys.exit("no panel found")


if __name__ == "__main__":
    main()
