#!/usr/bin/env python3
"""Independent implementation of delphi-stats' measures, for the cross-check test.

Reads a JSON list of cases (written by crates/stats/tests/crosscheck.rs) from the file named
by argv[1] and writes a JSON list of results, one dict per case, to stdout. Undefined
figures are null. Uses numpy, scipy and the `krippendorff` package (PyPI); no delphi code.
Also imported by scripts/stats-bench-pandas.py for the per-item measures.
"""
import json
import math
import sys

import numpy as np
from scipy import optimize, stats

QTYPE = {7: "linear", 6: "weibull"}


def fin(x):
    x = float(x)
    return x if math.isfinite(x) else None


def quantile(values, p, qtype):
    if len(values) == 0:
        return None
    return fin(np.quantile(np.asarray(values, dtype=float), p, method=QTYPE[qtype]))


def tastle_wierman(counts):
    c = np.asarray(counts, dtype=float)
    n = c.sum()
    if n == 0:
        return None
    p = c / n
    x = np.arange(len(c), dtype=float)
    mu = (p * x).sum()
    d = len(c) - 1
    m = p > 0
    return fin(1 + (p[m] * np.log2(1 - np.abs(x[m] - mu) / d)).sum())


def van_der_eijk(counts):
    """Naive O(K^3) triple count per layer (the Rust code counts in O(K))."""
    rest = list(counts)
    k = len(rest)
    n = sum(rest)
    if n == 0:
        return None
    if k < 3:
        return None
    a = 0.0
    while any(v > 0 for v in rest):
        h = min(v for v in rest if v > 0)
        pat = [1 if v > 0 else 0 for v in rest]
        s = sum(pat)
        if s == 1:
            al = 1.0
        else:
            tu = tdu = 0
            for i in range(k):
                for j in range(i + 1, k):
                    for l in range(j + 1, k):
                        t = (pat[i], pat[j], pat[l])
                        if t in ((1, 1, 0), (0, 1, 1)):
                            tu += 1
                        elif t == (1, 0, 1):
                            tdu += 1
            if tu + tdu == 0:
                al = 0.0
            else:
                u = ((k - 2) * tu - (k - 1) * tdu) / ((k - 2) * (tu + tdu))
                al = u * (1 - (s - 1) / (k - 1))
        a += h * s / n * al
        rest = [v - h if v > 0 else 0 for v in rest]
    return fin(a)


def leik(counts):
    c = np.asarray(counts, dtype=float)
    n = c.sum()
    if n == 0:
        return None
    f = np.cumsum(c)[:-1] / n
    return fin(2 * np.minimum(f, 1 - f).sum() / (len(c) - 1))


def median_box(median, lo, hi, alo, ahi):
    """The box of the scale holding the median: the agree set, its mirror, or the points between."""
    mlo, mhi = lo + hi - ahi, lo + hi - alo
    if mhi < alo:
        boxes = [(mlo, mhi), (mhi + 1, alo - 1), (alo, ahi)]
    elif mlo > ahi:
        boxes = [(alo, ahi), (ahi + 1, mlo - 1), (mlo, mhi)]
    else:
        boxes = [(lo, alo - 1), (alo, ahi), (ahi + 1, hi)]
    for a, b in boxes:
        if a <= b and a <= median <= b:
            return a, b
    return None


def ordinal_measures(counts, lo, agree_lo, agree_hi, dk, qtype, count_dk):
    k = len(counts)
    hi = lo + k - 1
    values = np.repeat(np.arange(lo, hi + 1, dtype=float), counts)
    n = len(values)
    out = {}
    out["median"] = quantile(values, 0.5, qtype)
    q1 = quantile(values, 0.25, qtype)
    q3 = quantile(values, 0.75, qtype)
    out["q1"], out["q3"] = q1, q3
    out["iqr"] = None if q1 is None else q3 - q1
    out["mean"] = fin(values.mean()) if n else None
    sd = fin(values.std(ddof=1)) if n >= 2 else None
    out["sd"] = sd
    out["cv"] = None if sd is None or out["mean"] == 0 else sd / out["mean"]
    denom = n + (dk if count_dk else 0)
    agreeing = int(((values >= agree_lo) & (values <= agree_hi)).sum())
    out["agreement"] = 100.0 * agreeing / denom if denom else None
    out["tastle_wierman"] = tastle_wierman(counts)
    out["van_der_eijk"] = van_der_eijk(counts)
    out["leik"] = leik(counts)
    out["rwg"] = None if sd is None else 1 - sd * sd / ((k * k - 1) / 12)
    v9 = values if (lo, hi) == (1, 9) else 1 + 8 * (values - lo) / (hi - lo)
    p30 = quantile(v9, 0.3, qtype)
    p70 = quantile(v9, 0.7, qtype)
    if p30 is None:
        for key in ("ipr", "iprcp", "ai", "ipras", "di"):
            out[key] = None
    else:
        ipr = p70 - p30
        cp = (p30 + p70) / 2
        ai = abs(5 - cp)
        ipras = 2.35 + 1.5 * ai
        out.update(ipr=ipr, iprcp=cp, ai=ai, ipras=ipras, di=ipr / ipras)
    width = k - 1
    low = sum(c for i, c in enumerate(counts) if 3 * i < width)
    high = sum(c for i, c in enumerate(counts) if 3 * (width - i) < width)
    out["low_share"] = low / n if n else None
    out["high_share"] = high / n if n else None
    return out


def wilcoxon_enumerated(nz):
    """Exact two-sided p of W+ over all 2^n sign patterns (mid-ranks of |d| fixed)."""
    n = len(nz)
    r = stats.rankdata(np.abs(nz))
    signs = (np.arange(2 ** n)[:, None] >> np.arange(n)) & 1
    t = signs @ r
    obs = r[nz > 0].sum()
    return min(1.0, 2 * min((t <= obs + 1e-9).mean(), (t >= obs - 1e-9).mean()))


def wilcoxon_shift(nz):
    """The same p for larger n: numbers of sign patterns per doubled W+, one rank at a time."""
    r = np.rint(2 * stats.rankdata(np.abs(nz))).astype(np.int64)
    ways = np.zeros(int(r.sum()) + 1, dtype=np.int64)
    ways[0] = 1
    for a in r:
        ways[a:] = ways[a:] + ways[:-a].copy()
    obs = int(r[nz > 0].sum())
    return min(1.0, 2 * min(ways[: obs + 1].sum(), ways[obs:].sum()) / ways.sum())


def wilcoxon(d, method):
    d = np.asarray(d, dtype=float)
    nz = d[d != 0]
    if len(nz) == 0:
        return {"w_plus": None, "statistic": None, "p": None}
    r = stats.rankdata(np.abs(nz))
    w_plus = float(r[nz > 0].sum())
    if method == "exact":
        res = stats.wilcoxon(d, zero_method="wilcox", method="exact")
        ties = len(np.unique(np.abs(nz))) < len(nz)
        if ties or len(nz) < len(d):
            # scipy's "exact" assumes no ties or zeros: enumerate instead.
            p = wilcoxon_enumerated(nz) if len(nz) <= 16 else wilcoxon_shift(nz)
            return {"w_plus": w_plus, "statistic": fin(res.statistic), "p": p}
        return {"w_plus": w_plus, "statistic": fin(res.statistic), "p": fin(res.pvalue)}
    res = stats.wilcoxon(d, zero_method="wilcox", correction=True, method="approx")
    return {"w_plus": w_plus, "statistic": fin(res.statistic), "p": fin(res.pvalue)}


def mcnemar(b, c):
    m = b + c
    if m < 25:
        p = 1.0 if m == 0 else min(1.0, 2 * stats.binom.cdf(min(b, c), m, 0.5))
        return {"p": p, "chi_square": None}
    chi = (abs(b - c) - 1) ** 2 / m
    return {"p": fin(stats.chi2.sf(chi, 1)), "chi_square": chi}


def mann_whitney_dp(x, y):
    """Exact two-sided p of the rank sum of x over all C(N, n1) splits, mid-ranks fixed:
    numbers of splits per (group size, doubled rank sum), adding one value at a time."""
    r = np.rint(2 * stats.rankdata(np.concatenate([x, y]))).astype(np.int64)
    n1 = len(x)
    ways = np.zeros((n1 + 1, int(r.sum()) + 1), dtype=np.int64)
    ways[0, 0] = 1
    for a in r:
        ways[1:, a:] = ways[1:, a:] + ways[:-1, :-a].copy()
    obs = int(r[:n1].sum())
    dist = ways[n1]
    return min(1.0, 2 * min(dist[: obs + 1].sum(), dist[obs:].sum()) / dist.sum())


def mann_whitney(x, y, method):
    if len(x) == 0 or len(y) == 0:
        return {"u1": None, "p": None}
    if len(set(list(x) + list(y))) == 1:
        return {"u1": fin(stats.mannwhitneyu(x, y).statistic), "p": None}
    if method == "exact":
        res = stats.mannwhitneyu(x, y, alternative="two-sided", method="exact")
        if len(set(list(x) + list(y))) == len(x) + len(y):
            return {"u1": fin(res.statistic), "p": fin(res.pvalue)}
        # scipy's "exact" assumes no ties: count the splits instead.
        return {"u1": fin(res.statistic), "p": mann_whitney_dp(x, y)}
    res = stats.mannwhitneyu(x, y, use_continuity=True, alternative="two-sided", method="asymptotic")
    return {"u1": fin(res.statistic), "p": fin(res.pvalue)}


def kruskal(groups):
    groups = [g for g in groups if len(g) > 0]
    if len(groups) < 2 or len(set(v for g in groups for v in g)) == 1:
        return {"h": None, "p": None}
    res = stats.kruskal(*groups)
    return {"h": fin(res.statistic), "p": fin(res.pvalue)}


def kendall(matrix):
    m = np.asarray(matrix, dtype=float)  # raters x objects, mid-ranks
    mr, n = m.shape
    res = stats.friedmanchisquare(*[m[:, j] for j in range(n)])
    w = res.statistic / (mr * (n - 1))
    return {"w": fin(w), "chi_square": fin(res.statistic), "p": fin(res.pvalue)}


def kripp(units, n_coders):
    import krippendorff

    data = np.full((n_coders, len(units)), np.nan)
    for u, vals in enumerate(units):
        for c, v in enumerate(vals):
            data[c, u] = v
    out = {}
    for level in ("nominal", "ordinal", "interval", "ratio"):
        out[level] = fin(krippendorff.alpha(reliability_data=data, level_of_measurement=level))
    return out


BIN_P = np.array([0.05, 0.45, 0.45, 0.05])


def calibration(counts):
    c = np.asarray(counts, dtype=float)
    n = c.sum()
    s = c / n
    m = s > 0
    i = float((s[m] * np.log(s[m] / BIN_P[m])).sum())
    return {"information": i, "calibration": fin(stats.chi2.sf(2 * n * i, 3))}


def piecewise_cdf(q, lo, hi, x):
    return float(np.interp(x, [lo, q[0], q[1], q[2], hi], [0, 0.05, 0.5, 0.95, 1]))


def pool(qs, weights, realisation):
    pts = [v for q in qs for v in q] + ([realisation] if realisation is not None else [])
    lo, hi = min(pts), max(pts)
    lo, hi = lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo)
    w = np.asarray(weights, dtype=float) / sum(weights)
    f = lambda x, p: sum(wi * piecewise_cdf(q, lo, hi, x) for q, wi in zip(qs, w)) - p
    out = [optimize.brentq(f, lo, hi, args=(p,), xtol=1e-14, rtol=1e-15) for p in (0.05, 0.5, 0.95)]
    info = [math.log(hi - lo) + sum(BIN_P[b] * math.log(BIN_P[b] / (x[b + 1] - x[b])) for b in range(4))
            for x in ([lo, q[0], q[1], q[2], hi] for q in qs)]
    return {"q05": out[0], "q50": out[1], "q95": out[2], "information_first": info[0]}


def run(case):
    t = case["type"]
    if t == "quantile":
        return {f"q{p}_{qt}": quantile(case["x"], p, qt) for p in case["p"] for qt in (6, 7)}
    if t == "ordinal":
        return ordinal_measures(case["counts"], case["min"], case["agree_lo"], case["agree_hi"], case["dk"],
                                case["qtype"], case["count_dk"])
    if t == "wilcoxon":
        return wilcoxon(case["d"], case["method"])
    if t == "mcnemar":
        return mcnemar(case["b"], case["c"])
    if t == "mann_whitney":
        return mann_whitney(case["x"], case["y"], case["method"])
    if t == "kruskal":
        return kruskal(case["groups"])
    if t == "kendall":
        return kendall(case["ranks"])
    if t == "krippendorff":
        return kripp(case["units"], case["coders"])
    if t == "calibration":
        return calibration(case["counts"])
    if t == "pool":
        return pool(case["q"], case["w"], case.get("realisation"))
    raise ValueError(f"unknown case type {t}")


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    json.dump([run(c) for c in cases], sys.stdout)


if __name__ == "__main__":
    main()
