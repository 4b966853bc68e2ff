#!/usr/bin/env python3
"""Independent classical model (Cooke 1991, as EXCALIBUR and ANDURYL run it) on EXCALIBUR
case files: any quantiles, uniform or log-uniform background per item, blank seed answers.

Usage: scripts/cooke-cases.py DIR [CASE ...]   (CASE = file stem, e.g. "San Diego")

Prints, per case, as JSON: every expert's answered seeds, calibration, information (seeds,
all items), the optimised global-weight DM (α, weights, calibration, information, quantiles
on every item), the equal-weight DM, and the optimised item-weight DM's α and scores. Its
output is pinned in crates/stats/tests/data/cooke-cases/expected.json (`scripts/cooke-cases.py
crates/stats/tests/data/cooke-cases > crates/stats/tests/data/cooke-cases/expected.json`) and
read by crates/stats/tests/cooke_cases.rs. numpy + scipy only; no delphi code.

Rules (EXCALIBUR / ANDURYL 1.2):
- intrinsic range per item: min/max of all experts' quantiles and the realisation, on log
  values for a LOG item, widened by 10 % each side;
- a bin holds (q_{i-1}, q_i]; calibration 1 - F_chi2(bins-1)(2 · Nmin · I(s, p)), where s is
  the empirical distribution over the seeds the expert answered and Nmin the fewest seeds
  any expert answered (also used for the decision maker);
- information: mean over the items the expert answered;
- DM: weighted mixture of piecewise-linear CDFs (on log values for LOG items), weights
  renormalised over the experts who answered the item; α maximises C·I·1[C_DM ≥ α] over the
  experts' distinct calibration scores (the smallest α on ties).
Calibration scores are computed once per exact value of the likelihood ratio (a rational
number, kept with fractions), so experts tied on calibration stay tied.
"""
import json
import math
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
from scipy import stats

NO_ANSWER = -995.0
_cal_cache = {}


def read_case(directory, stem):
    d = Path(directory)
    dtt = next(p for p in d.iterdir() if p.stem == stem and p.suffix.lower() == ".dtt")
    rls = next(p for p in d.iterdir() if p.stem == stem and p.suffix.lower() == ".rls")
    lines = dtt.read_bytes().decode("latin-1").splitlines()
    header = lines[0]
    nq = int(header.split("NQ=")[1].split()[0])
    quantiles = [int(x) for x in header.split("QU=")[1].split()[:nq]]
    experts, answers, scales, order = [], {}, {}, []
    for line in lines[1:]:
        if not line.strip():
            continue
        name = line[5:14].strip()
        item = line[19:35].strip()
        scales[item] = line[35:38].upper()
        vals = [float(v) for v in line[38:].split()[:nq]]
        if name not in experts:
            experts.append(name)
        if item not in order:
            order.append(item)
        answers[(name, item)] = None if any(v <= NO_ANSWER for v in vals) else vals
    # Realisations are matched to the assessments by item id (San Diego's .rls lists only 30
    # of its 45 items, in another order); an item missing from the .rls is a target.
    realisations = {}
    for line in rls.read_bytes().decode("latin-1").splitlines():
        if not line.strip():
            continue
        real = float(line[20:].split()[0])
        realisations[line[5:20].strip()] = None if real <= NO_ANSWER else real
    items = [(item, realisations.get(item)) for item in order]
    return quantiles, experts, answers, scales, items


def cal_score(counts, parts, nmin):
    n = sum(counts)
    d = sum(parts)
    ratio = Fraction(1)
    for c, k in zip(counts, parts):
        if c:
            ratio *= Fraction(c ** c, k ** c)
    ratio *= Fraction(d ** n, n ** n)
    key = (ratio, n, nmin, len(parts))
    if key not in _cal_cache:
        s = np.array(counts) / n
        p = np.array(parts) / d
        mi = float(sum(si * math.log(si / pi) for si, pi in zip(s, p) if si > 0))
        _cal_cache[key] = float(stats.chi2.sf(2 * nmin * max(mi, 0.0), len(parts) - 1))
    return _cal_cache[key]


def model(quantiles, experts, answers, scales, items, weighting="global"):
    probs = np.array([0.0] + [q / 100 for q in quantiles] + [1.0])
    parts = [b - a for a, b in zip([0] + quantiles, quantiles + [100])]
    tr = {}
    for num, _ in items:
        tr[num] = np.log if scales[num] == "LOG" else (lambda x: np.asarray(x, float))
    bounds = {}
    for num, real in items:
        vals = [v for e in experts if answers[(e, num)] for v in answers[(e, num)]]
        if real is not None:
            vals.append(real)
        lo, hi = float(tr[num](min(vals))), float(tr[num](max(vals)))
        bounds[num] = (lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo))

    def info(q, num):
        lo, hi = bounds[num]
        x = np.concatenate([[lo], tr[num](q), [hi]])
        p = np.diff(probs)
        return float(math.log(hi - lo) + np.sum(p * np.log(p / np.diff(x))))

    seeds = [(num, real) for num, real in items if real is not None]

    def counts_of(ans):
        c = [0] * (len(quantiles) + 1)
        for num, real in seeds:
            if ans[num] is not None:
                c[sum(1 for v in ans[num] if real > v)] += 1
        return c

    def scores(ans, nmin):
        per_item = {num: info(ans[num], num) for num, _ in items if ans[num] is not None}
        seed_info = [per_item[n] for n, _ in seeds if n in per_item]
        c = counts_of(ans)
        return dict(counts=c, calibration=cal_score(c, parts, nmin),
                    info_seeds=sum(seed_info) / len(seed_info),
                    info_all=sum(per_item.values()) / len(per_item), per_item=per_item)

    ans_of = {e: {num: answers[(e, num)] for num, _ in items} for e in experts}
    nmin = min(sum(counts_of(ans_of[e])) for e in experts)
    sc = {e: scores(ans_of[e], nmin) for e in experts}

    def dm(weight_of):
        out = {}
        for num, _ in items:
            who = [(e, weight_of(e, num)) for e in experts if ans_of[e][num] is not None]
            total = sum(w for _, w in who)
            if total <= 0:
                out[num] = None
                continue
            lo, hi = bounds[num]
            knots = sorted({lo, hi, *(float(v) for e, w in who for v in tr[num](ans_of[e][num]))})
            cdf = np.zeros(len(knots))
            for e, w in who:
                cdf += w / total * np.interp(knots, np.concatenate([[lo], tr[num](ans_of[e][num]), [hi]]), probs)
            q = [float(np.interp(p, cdf, knots)) for p in probs[1:-1]]
            out[num] = list(np.exp(q)) if scales[num] == "LOG" else q
        return out

    def run(alpha):
        def w(e, num):
            s = sc[e]
            if s["calibration"] < alpha:
                return 0.0
            if weighting == "item":
                return s["calibration"] * s["per_item"].get(num, 0.0)
            return s["calibration"] * s["info_seeds"]
        d = dm(w)
        return d, scores(d, nmin)

    best = None
    for a in sorted({s["calibration"] for s in sc.values()}):
        d, s = run(a)
        obj = s["calibration"] * s["info_seeds"] if s["calibration"] >= a else 0.0
        if best is None or obj > best[0]:
            best = (obj, a, d, s)
    _, alpha, d, s = best
    total = sum(sc[e]["calibration"] * sc[e]["info_seeds"] for e in experts if sc[e]["calibration"] >= alpha)
    weights = [sc[e]["calibration"] * sc[e]["info_seeds"] / total if sc[e]["calibration"] >= alpha else 0.0
               for e in experts]
    de = dm(lambda e, num: 1.0)
    se = scores(de, nmin)

    def summary(x):
        return dict(calibration=x["calibration"], info_seeds=x["info_seeds"], info_all=x["info_all"],
                    counts=x["counts"])
    return dict(alpha=alpha, weights=weights, dm=summary(s), dm_quantiles=[d[num] for num, _ in items],
                equal=dict(dm=summary(se), dm_quantiles=[de[num] for num, _ in items]), scores=sc, nmin=nmin)


def robust(m):
    return dict(calibration=m["dm"]["calibration"], info_seeds=m["dm"]["info_seeds"], info_all=m["dm"]["info_all"])


def main():
    directory = sys.argv[1]
    stems = sys.argv[2:] or sorted({p.stem for p in Path(directory).iterdir() if p.suffix.lower() == ".dtt"})
    out = {}
    # CREATE with Expert1's answer to seed Q1 left blank: the same case through delphi's
    # study summary (crates/stats/tests/summary_cooke.rs).
    variants = [(stem, stem, None) for stem in stems]
    if "CREATE" in stems:
        variants.append(("CREATE, Expert1 blank on Q1", "CREATE", ("Expert1", "Q1")))
    for name, stem, blank in variants:
        case = read_case(directory, stem)
        if blank:
            case[2][blank] = None
        quantiles, experts, _, _, items = case
        g = model(*case)
        item = model(*case, weighting="item")
        sc = g["scores"]
        out[name] = dict(
            quantiles=quantiles, seeds=sum(1 for _, r in items if r is not None), items=len(items), nmin=g["nmin"],
            experts=[dict(name=e, answered=sum(sc[e]["counts"]), calibration=sc[e]["calibration"],
                          info_seeds=sc[e]["info_seeds"], info_all=sc[e]["info_all"]) for e in experts],
            global_=dict(alpha=g["alpha"], weights=g["weights"], dm=g["dm"], dm_quantiles=g["dm_quantiles"]),
            item=dict(alpha=item["alpha"], dm=item["dm"], dm_quantiles=item["dm_quantiles"]),
            equal=g["equal"],
            # The global-weight DM, optimised, with each seed item / each expert left out.
            robustness_items=[robust(model(quantiles, experts, case[2], case[3], [x for x in items if x[0] != num]))
                              | dict(left_out=num) for num, real in items if real is not None],
            robustness_experts=[robust(model(quantiles, [x for x in experts if x != e], case[2], case[3], items))
                                | dict(left_out=e) for e in experts])
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
