#!/usr/bin/env python3
"""The classical-model benchmark's peer: ANDURYL (TU Delft's Python implementation of Cooke's
model) on the same case files, in the same `cargo bench -p delphi-stats --bench cooke` run.

Usage: cooke-bench-anduryl.py CASE ...
  CASE: an EXCALIBUR `.dtt` (its `.rls` beside it, both extensions lower case, as ANDURYL
  requires) or an ANDURYL project `.json`.

ANDURYL 1.2.2 needs numpy < 2 and pydantic < 2, which would clash with the numpy 2 the test
command's scripts use, so this script runs ANDURYL from its own virtual environment: it creates
one at $DELPHI_ANDURYL_VENV (default /tmp/delphi-anduryl-venv) on first use, installs
`anduryl==1.2.2 "numpy<2" "pydantic<2"` from PyPI into it, and re-runs itself with that
environment's Python. When that fails (no network, PyPI unreachable) it prints `skip REASON`
and exits with status 3, so the benchmark can say why it has no ANDURYL side.

For each case, ANDURYL's default model: global weights, α optimised, overshoot 10 %
(`Project.calculate_decision_maker("global", 0.1, "DM")`), timed $DELPHI_BENCH_RUNS times
(default 5, as the benchmark runs delphi) on a freshly
loaded project each (loading the file is not timed; the model computes every expert's scores
itself). Prints one JSON line per case: `case`, `compute_s` (the best), `runs`, `alpha`,
`experts`, `calibration`, `information` (seed items), `weights` (C · I · 1[C ≥ α], normalised),
`dm_calibration`, `dm_information`.
"""
import json
import os
import subprocess
import sys
import time

VENV = os.environ.get("DELPHI_ANDURYL_VENV", "/tmp/delphi-anduryl-venv")
REQUIREMENTS = ["anduryl==1.2.2", "numpy<2", "pydantic<2"]
SKIP = 3


def skip(reason):
    print(f"skip {reason}")
    sys.exit(SKIP)


def ensure_venv():
    """Re-runs this script inside the ANDURYL environment, creating it when missing."""
    python = os.path.join(VENV, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    ready = os.path.join(VENV, ".delphi-anduryl-ready")
    if not os.path.exists(ready):
        print(f"creating {VENV} with {' '.join(REQUIREMENTS)} (once)", file=sys.stderr)
        made = subprocess.run([sys.executable, "-m", "venv", VENV], capture_output=True, text=True)
        if made.returncode != 0:
            skip(f"could not create a virtual environment at {VENV}: {made.stderr.strip()}")
        pip = subprocess.run(
            [python, "-m", "pip", "install", "--quiet", *REQUIREMENTS], capture_output=True, text=True
        )
        if pip.returncode != 0:
            last = (pip.stderr.strip().splitlines() or ["no output"])[-1]
            skip(f"pip could not install {' '.join(REQUIREMENTS)} from PyPI: {last}")
        open(ready, "w").close()
    os.execv(python, [python, os.path.abspath(__file__), *sys.argv[1:]])


def run_case(path):
    import anduryl
    import numpy as np

    times = []
    for _ in range(int(os.environ.get("DELPHI_BENCH_RUNS", "5"))):
        project = anduryl.Project()
        project.io.load_file(path)
        t = time.perf_counter()
        project.calculate_decision_maker(weight_type="global", overshoot=0.1, exp_id="DM")
        times.append(time.perf_counter() - t)
    results = project.main_results
    experts = results.experts
    actual = experts.actual_experts
    dm = experts.get_idx("DM")
    alpha = results.alpha_opt
    calibration = experts.calibration[actual]
    information = experts.info_real[actual]
    raw = np.where(calibration >= alpha, calibration * information, 0.0)
    return {
        "case": path,
        "compute_s": min(times),
        "runs": times,
        "alpha": alpha,
        "experts": [experts.ids[i] for i in actual],
        "calibration": calibration.tolist(),
        "information": information.tolist(),
        "weights": (raw / raw.sum()).tolist(),
        "dm_calibration": float(experts.calibration[dm]),
        "dm_information": float(experts.info_real[dm]),
    }


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    ensure_venv()
    for path in sys.argv[1:]:
        print(json.dumps(run_case(path)), flush=True)


if __name__ == "__main__":
    main()
