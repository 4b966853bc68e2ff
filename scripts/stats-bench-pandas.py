#!/usr/bin/env python3
"""The delphi-stats benchmark's reference: the same measures with pandas + scipy.

Usage: stats-bench-pandas.py answers.csv   (written by `cargo bench -p delphi-stats`)

Computes, like `delphi_stats::summarise` on the synthetic study: per item and round n, don't
know, response rate, median, quartiles, IQR (type 7), mean, SD, CV, agreement, Tastle–Wierman,
van der Eijk, Leik, rwg, RAND/UCLA, polarisation, consensus verdict; per group attribute
(bloc, institution) per-group median/IQR/agreement/consensus with suppression below 5 and
Mann–Whitney / Kruskal–Wallis; between consecutive rounds Wilcoxon, McNemar, moved share,
CV/IQR change, stability and attrition (Mann–Whitney); Krippendorff's alpha per round.
Prints `load_s`, `compute_s`, `peak_rss_mib` and `median_sum` lines.
"""
import importlib.util
import os
import resource
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("xc", os.path.join(HERE, "stats-crosscheck.py"))
xc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(xc)

MIN_GROUP = 5
IQR_MAX, AGREE_MIN, STAB_MAX = 1.0, 70.0, 15.0


def scale(item):
    return (1, 9, 7, 9) if int(item[4:]) % 2 == 0 else (1, 5, 4, 5)


def box_consensus(values, median, iqr, lo, hi, alo, ahi):
    box = None if median is None else xc.median_box(median, lo, hi, alo, ahi)
    if box is None or iqr is None or len(values) == 0:
        return False
    share = 100.0 * ((values >= box[0]) & (values <= box[1])).mean()
    return iqr <= IQR_MAX and share >= AGREE_MIN


def main():
    t0 = time.perf_counter()
    df = pd.read_csv(sys.argv[1], dtype={"round": np.int32, "item": "category", "expert": "category",
                                          "bloc": "category", "institution": "category", "value": np.float64})
    load = time.perf_counter() - t0

    t1 = time.perf_counter()
    invited = df.groupby("round", observed=True)["expert"].nunique()
    per_item = {}
    groups_out = []
    for (item, rnd), sub in df.groupby(["item", "round"], observed=True, sort=True):
        lo, hi, alo, ahi = scale(item)
        k = hi - lo + 1
        vals = sub["value"].dropna().to_numpy().astype(np.int64)
        dk = int(sub["value"].isna().sum())
        counts = np.bincount(vals - lo, minlength=k)
        m = xc.ordinal_measures(counts, lo, alo, ahi, dk, 7, False)
        m["n"] = len(vals)
        m["response_rate"] = (len(vals) + dk) / invited[rnd]
        m["consensus"] = box_consensus(vals, m["median"], m["iqr"], lo, hi, alo, ahi)
        per_item[(item, rnd)] = m
        for attr in ("bloc", "institution"):
            shown = []
            for gname, g in sub.groupby(attr, observed=True, sort=True):
                gv = g["value"].dropna().to_numpy()
                if len(gv) < MIN_GROUP:
                    groups_out.append((attr, item, rnd, gname, "suppressed"))
                    continue
                q1, med, q3 = np.quantile(gv, [0.25, 0.5, 0.75])
                agr = 100.0 * ((gv >= alo) & (gv <= ahi)).mean()
                groups_out.append((attr, item, rnd, gname, med, q3 - q1, agr,
                                   box_consensus(gv, med, q3 - q1, lo, hi, alo, ahi)))
                shown.append(gv)
            if len(shown) == 2:
                stats.mannwhitneyu(shown[0], shown[1], alternative="two-sided", method="asymptotic")
            elif len(shown) > 2:
                stats.kruskal(*shown)

    stability = []
    for item, isub in df.groupby("item", observed=True, sort=True):
        lo, hi, alo, ahi = scale(item)
        rounds = sorted(isub["round"].unique())
        by_round = {r: isub[isub["round"] == r].set_index("expert")["value"] for r in rounds}
        for r0, r1 in zip(rounds, rounds[1:]):
            a, b = by_round[r0], by_round[r1]
            both = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").dropna()
            d = (both["b"] - both["a"]).to_numpy()
            moved = int((d != 0).sum())
            pct = 100.0 * moved / len(d) if len(d) else None
            if moved:
                w = stats.wilcoxon(d, zero_method="wilcox", correction=False, method="approx")
            agree_a = (both["a"] >= alo) & (both["a"] <= ahi)
            agree_b = (both["b"] >= alo) & (both["b"] <= ahi)
            bb, cc = int((agree_a & ~agree_b).sum()), int((~agree_a & agree_b).sum())
            mc = xc.mcnemar(bb, cc)
            drop = a.dropna()
            drop = drop[~drop.index.isin(b.index)].to_numpy()
            stay = both["a"].to_numpy()
            att = stats.mannwhitneyu(drop, stay, alternative="two-sided", method="asymptotic") if len(drop) else None
            m0, m1 = per_item[(item, r0)], per_item[(item, r1)]
            stability.append((item, r0, r1, pct, pct is not None and pct <= STAB_MAX,
                              None if m0["cv"] is None or m1["cv"] is None else m1["cv"] - m0["cv"],
                              m1["iqr"] - m0["iqr"], mc["p"], att))

    import krippendorff
    alphas = {}
    for rnd, rsub in df.groupby("round", observed=True):
        mat = rsub.pivot(index="expert", columns="item", values="value").to_numpy()
        alphas[rnd] = {lvl: krippendorff.alpha(reliability_data=mat, level_of_measurement=lvl)
                       for lvl in ("nominal", "ordinal", "interval", "ratio")}
    compute = time.perf_counter() - t1

    print(f"load_s {load:.6f}")
    print(f"compute_s {compute:.6f}")
    print(f"peak_rss_mib {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")
    print(f"median_sum {sum(m['median'] for m in per_item.values() if m['median'] is not None)}")
    print(f"items {len(per_item)} stability {len(stability)} groups {len(groups_out)} alphas {len(alphas)}")


if __name__ == "__main__":
    main()
