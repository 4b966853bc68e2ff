#!/usr/bin/env python3
"""The delphi-stats benchmark's second peer: the per-item measures with Python polars.

Usage: stats-bench-polars.py answers.csv   (written by `cargo bench -p delphi-stats`)

Computes per item and round, in lazy polars queries (one `group_by` over item, round and answer
counts the distributions; the measures are `group_by` aggregations over them, as delphi-stats
works from its counts; an earlier version that aggregated the 2.8 million answers directly, with
`quantile` per group, took 6× longer): n, don't know, response rate, median and
quartiles (type 7, polars' "linear"), IQR, mean, SD, CV, agreement share, rwg, RAND/UCLA
(P30, P70 on the 1–9 scale, IPR, IPRCP, AI, IPRAS, DI), low and high shares, Tastle–Wierman and
Leik (from the distribution), and the consensus verdict (the median's box holding at least 70 %
with an IQR of at most 1). van der Eijk's agreement is a layered algorithm over each
distribution with no expression form: it is computed per item-round from the distribution
polars counted (300 small vectors), with the cross-check's own function.

It computes the per-item measures only: none of the group comparisons, stability tests or
Krippendorff's alpha that `summarise` also computes: the benchmark compares it with
`delphi_stats::summarise_items`, delphi's per-item path, which computes this same set.
The computation is timed three times on the loaded frame and the best time reported, as on the
Rust side. Prints `load_s`, `compute_s` (best of 3), `compute_runs`, `peak_rss_mib`,
`median_sum`, and `items`.
"""
import importlib.util
import os
import resource
import sys
import time

import polars as pl

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("xc", os.path.join(HERE, "stats-crosscheck.py"))
xc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(xc)

IQR_MAX, AGREE_MIN = 1.0, 70.0


def with_scale(frame):
    """The synthetic study's scales: even items 1–9 agreeing at 7–9, odd ones 1–5 at 4–5;
    worked out once per item and joined on."""
    scales = frame.select(pl.col("item").unique()).with_columns(
        even=pl.col("item").cast(pl.String).str.slice(4).cast(pl.Int64) % 2 == 0
    )
    scales = scales.select(
        "item",
        lo=pl.lit(1.0),
        hi=pl.when("even").then(9.0).otherwise(5.0),
        alo=pl.when("even").then(7.0).otherwise(4.0),
        ahi=pl.when("even").then(9.0).otherwise(5.0),
    )
    return frame.join(scales, on="item")


def quantile(q):
    """The type-7 quantile (polars' "linear") of a distribution: the answers at 0-based
    positions ⌊h⌋ and ⌈h⌉, h = (n − 1)·q, found in the cumulative counts, interpolated."""
    h = (pl.col("count").sum() - 1) * q
    below = pl.col("value").gather(pl.col("cum").search_sorted(h.floor(), side="right")).first()
    above = pl.col("value").gather(pl.col("cum").search_sorted(h.ceil(), side="right")).first()
    return below + (h - h.floor()) * (above - below)


def per_item(answers):
    """One pass over the answers counts each item-round's distribution (nulls are "don't
    know"); every measure is then worked out from the distributions (at most 9 rows per
    item-round), as delphi-stats does from its counts."""
    cell = ["item", "round"]
    counted = answers.group_by(["item", "round", "value"]).agg(count=pl.len())
    invited = answers.group_by("round").agg(invited=pl.col("expert").n_unique())
    dont_know = counted.filter(pl.col("value").is_null()).select(*cell, dont_know=pl.col("count"))
    distribution = with_scale(counted.drop_nulls("value")).sort(["item", "round", "value"])
    distribution = distribution.with_columns(
        cum=pl.col("count").cum_sum().over(cell),
        share=pl.col("count") / pl.col("count").sum().over(cell),
    )
    distribution = distribution.with_columns(
        mean=(pl.col("share") * pl.col("value")).sum().over(cell),
        f=pl.col("cum") / pl.col("count").sum().over(cell),
        # Leik sums min(F, 1 − F) over the scale's points but the last; a point nobody chose
        # repeats the F of the point below it, so each F counts up to the next answer given.
        points=pl.col("value").shift(-1).over(cell).fill_null(pl.col("hi")) - pl.col("value"),
    )
    c, v, share = pl.col("count"), pl.col("value"), pl.col("share")
    width = pl.col("hi") - pl.col("lo")
    figures = (
        distribution.group_by(cell)
        .agg(
            n=c.sum(),
            mean=pl.col("mean").first(),
            squares=(c * (v - pl.col("mean")) ** 2).sum(),
            median=quantile(0.5),
            q1=quantile(0.25),
            q3=quantile(0.75),
            p30=quantile(0.3),
            p70=quantile(0.7),
            agreeing=c.filter((v >= pl.col("alo")) & (v <= pl.col("ahi"))).sum(),
            low=c.filter(3 * (v - pl.col("lo")) < width).sum(),
            high=c.filter(3 * (pl.col("hi") - v) < width).sum(),
            tastle_wierman=1 + (share * (1 - (v - pl.col("mean")).abs() / width).log(2)).sum(),
            folded=(pl.min_horizontal(pl.col("f"), 1 - pl.col("f")) * pl.col("points")).sum(),
            lo=pl.col("lo").first(),
            hi=pl.col("hi").first(),
            alo=pl.col("alo").first(),
            ahi=pl.col("ahi").first(),
        )
        .join(dont_know, on=cell, how="left")
        .join(invited, on="round")
        .with_columns(pl.col("dont_know").fill_null(0), width=pl.col("hi") - pl.col("lo"))
        .with_columns(
            response_rate=(pl.col("n") + pl.col("dont_know")) / pl.col("invited"),
            iqr=pl.col("q3") - pl.col("q1"),
            sd=(pl.col("squares") / (pl.col("n") - 1)).sqrt(),
            agreement=100.0 * pl.col("agreeing") / pl.col("n"),
            # a type-7 quantile moves with a linear map of the scale: P30 and P70 on 1–9
            p30=1 + 8 * (pl.col("p30") - pl.col("lo")) / pl.col("width"),
            p70=1 + 8 * (pl.col("p70") - pl.col("lo")) / pl.col("width"),
            low_share=pl.col("low") / pl.col("n"),
            high_share=pl.col("high") / pl.col("n"),
            leik=2 * pl.col("folded") / pl.col("width"),
        )
        .with_columns(
            cv=pl.col("sd") / pl.col("mean"),
            rwg=1 - pl.col("sd") ** 2 / (((pl.col("width") + 1) ** 2 - 1) / 12),
            ipr=pl.col("p70") - pl.col("p30"),
            iprcp=(pl.col("p30") + pl.col("p70")) / 2,
        )
        .with_columns(ai=(5 - pl.col("iprcp")).abs())
        .with_columns(ipras=2.35 + 1.5 * pl.col("ai"))
        .with_columns(di=pl.col("ipr") / pl.col("ipras"))
    )
    return figures, distribution.select(*cell, "value", "count")


def box_share(counts, lo, hi, alo, ahi, median):
    box = None if median is None else xc.median_box(median, lo, hi, alo, ahi)
    n = sum(counts)
    if box is None or n == 0:
        return None
    return 100.0 * sum(c for i, c in enumerate(counts) if box[0] <= lo + i <= box[1]) / n


def compute(answers):
    """Everything timed: the lazy queries collected, then van der Eijk and the verdict per
    item-round."""
    lazy = answers.lazy()
    figures_q, distribution_q = per_item(lazy)
    figures, distribution = pl.collect_all([figures_q, distribution_q])
    counts = {}
    for (item, rnd), part in distribution.group_by(["item", "round"]):
        counts[(item, rnd)] = dict(zip(part["value"].to_list(), part["count"].to_list()))
    extra = []
    for row in figures.iter_rows(named=True):
        lo, hi = int(row["lo"]), int(row["hi"])
        got = counts.get((row["item"], row["round"]), {})
        vector = [got.get(float(x), 0) for x in range(lo, hi + 1)]
        share = box_share(vector, lo, hi, row["alo"], row["ahi"], row["median"])
        consensus = share is not None and row["iqr"] is not None and row["iqr"] <= IQR_MAX and share >= AGREE_MIN
        extra.append((xc.van_der_eijk(vector), consensus))
    return figures, extra


def main():
    t0 = time.perf_counter()
    answers = pl.read_csv(
        sys.argv[1],
        columns=["round", "item", "expert", "value"],
        schema_overrides={"round": pl.Int32, "item": pl.Categorical, "expert": pl.Categorical, "value": pl.Float64},
    )
    load = time.perf_counter() - t0

    times = []
    for _ in range(3):
        t1 = time.perf_counter()
        figures, extra = compute(answers)
        times.append(time.perf_counter() - t1)
    compute_s = min(times)

    print(f"load_s {load:.6f}")
    print(f"compute_s {compute_s:.6f}")
    print(f"compute_runs {' '.join(f'{t:.4f}' for t in times)}")
    print(f"peak_rss_mib {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")
    print(f"median_sum {figures['median'].sum()}")
    print(f"items {figures.height} consensus {sum(1 for _, c in extra if c)}")


if __name__ == "__main__":
    main()
