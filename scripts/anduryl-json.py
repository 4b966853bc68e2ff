#!/usr/bin/env python3
"""Writes an EXCALIBUR case as ANDURYL project JSON, in both of ANDURYL's layouts, for
crates/stats/tests/anduryl_json.rs (which checks that delphi reads the same case from either).

Usage: scripts/anduryl-json.py DIR STEM OUT_PREFIX
  OUT_PREFIX-1.2.1.json: {"version": "1.2.1", experts, items (with "quantiles" as fractions),
                          assessments: expert -> item -> [values]}, blanks and targets as null
                          (pydantic's `model_dump_json`, anduryl/io/savemodels.py)
  OUT_PREFIX-1.2.0.json: no version; assessments: expert -> item -> {quantile: value}; blanks
                          and targets as NaN (Python's json.dump, as ANDURYL 1.2.0 wrote them)
The case is read with scripts/cooke-cases.py's reader; no delphi code.
"""
import importlib.util
import json
import sys
from pathlib import Path

spec = importlib.util.spec_from_file_location("cc", Path(__file__).with_name("cooke-cases.py"))
cc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cc)

directory, stem, prefix = sys.argv[1:4]
quantiles, experts, answers, scales, items = cc.read_case(directory, stem)
fractions = [q / 100 for q in quantiles]
nan = float("nan")

new = {
    "version": "1.2.1",
    "experts": {e: {"name": e, "user weight": None} for e in experts},
    "items": {i: {"realization": r, "scale": scales[i].lower(), "question": "", "quantiles": fractions,
                  "unit": "", "bounds": [None, None], "overshoots": [None, None]} for i, r in items},
    "assessments": {e: {i: answers[(e, i)] or [None] * len(quantiles) for i, _ in items} for e in experts},
}
old = {
    "experts": {e: {"name": e} for e in experts},
    "items": {i: {"realization": nan if r is None else r, "scale": scales[i].lower(), "question": ""}
              for i, r in items},
    "assessments": {e: {i: {str(q): (v if answers[(e, i)] else nan)
                            for q, v in zip(fractions, answers[(e, i)] or [nan] * len(quantiles))}
                        for i, _ in items} for e in experts},
}
Path(prefix + "-1.2.1.json").write_text(json.dumps(new, indent=1))
Path(prefix + "-1.2.0.json").write_text(json.dumps(old, indent=1))
