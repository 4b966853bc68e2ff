#!/usr/bin/env python3
"""Groups of count vectors with mathematically equal Cooke calibration scores, for
crates/stats/tests/cooke_ties.rs.

For the 5/50/95 % bins, p = (1, 9, 9, 1)/20, and C = 1 − F_χ²₃(2N·I) with
2N·I = 2 ln(Π cᵢ^cᵢ · 20ᴺ / (Nᴺ · 9^(c₁+c₂))). The calibration is a strictly decreasing
function of that rational number, so two count vectors have equal scores exactly when the
numbers are equal, which is decided here with Python's exact integers (fractions.Fraction).

Writes JSON to stdout: {"max_n": .., "vectors": .., "groups": [[counts, ...], ...] (only groups
of two or more), "split_by_bin_order_sum": how many of those groups the naive float sum
Σ sᵢ ln(sᵢ/pᵢ) in bin order (scipy's chi2.sf) splits}. argv[1]: the largest N (default 30).
"""
import json
import math
import sys
from collections import defaultdict
from fractions import Fraction

from scipy import stats

P = [0.05, 0.45, 0.45, 0.05]


def key(counts):
    n = sum(counts)
    num = 1
    for c in counts:
        num *= c ** c
    return Fraction(num * 20 ** n, n ** n * 9 ** (counts[1] + counts[2]))


def naive(counts):
    n = sum(counts)
    i = 0.0
    for c, p in zip(counts, P):
        if c > 0:
            i += (c / n) * math.log((c / n) / p)
    return float(stats.chi2.sf(2 * n * i, 3))


def main():
    max_n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    groups = defaultdict(list)
    vectors = 0
    for n in range(1, max_n + 1):
        for a in range(n + 1):
            for b in range(n + 1 - a):
                for c in range(n + 1 - a - b):
                    v = [a, b, c, n - a - b - c]
                    groups[key(v)].append(v)
                    vectors += 1
    multi = [g for g in groups.values() if len(g) > 1]
    split = sum(1 for g in multi if len({naive(v) for v in g}) > 1)
    json.dump({"max_n": max_n, "vectors": vectors, "groups": multi, "split_by_bin_order_sum": split}, sys.stdout)


if __name__ == "__main__":
    main()
