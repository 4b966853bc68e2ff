#!/usr/bin/env python3
"""Golden values of crates/stats/tests/reliability_scales.rs: Krippendorff's alpha per scale,
per criterion and scale, and pooled, with the `krippendorff` package (no delphi code).

The panel (6 experts, one round): items b1–b3 on a 1–5 scale (criterion "benefit"), r1–r3 on
a 1–7 scale (criterion "risk"); `None` = no answer. Pooling puts both scales' points on one
axis, as delphi did before per-scale alpha.
"""
import json

import krippendorff
import numpy as np

PANEL = {
    "b1": [1, 4, 2, 5, 3, None],
    "b2": [2, 2, 5, 1, 4, 3],
    "b3": [5, 3, 3, 2, 1, 4],
    "r1": [7, 7, 6, 7, 6, 7],
    "r2": [1, 2, 1, 1, 2, 1],
    "r3": [4, 4, 5, 4, 4, None],
}


def alpha(items, level):
    data = np.array([[np.nan if x is None else x for x in PANEL[i]] for i in items], dtype=float).T
    return krippendorff.alpha(reliability_data=data, level_of_measurement=level)


out = {}
for name, items in [("five", ["b1", "b2", "b3"]), ("seven", ["r1", "r2", "r3"]),
                    ("pooled", list(PANEL))]:
    out[name] = {level: alpha(items, level) for level in ["nominal", "ordinal", "interval", "ratio"]}
json.dump(out, __import__("sys").stdout, indent=1)
print()
