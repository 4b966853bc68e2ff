//! `cargo bench -p delphi-stats --bench cooke`: Cooke's classical model (global weights, α
//! optimised, overshoot 10 % — ANDURYL's default) run by delphi and by ANDURYL 1.2.2 on the
//! same inputs in the same invocation: the seven TU Delft cases (TdC, 18 experts × 27 items,
//! the largest) and a synthetic case of 50 experts × 50 seeds × 200 targets (seeded, written as
//! an ANDURYL project JSON that both sides read). Timed with std::time, best of 5 on each
//! side, the model only (not reading the files). The experts' weights are compared to 1e-9;
//! a difference is reported with the ANDURYL fault behind it (see
//! `/work/shared/reference/cooke-cases/README.md`) or makes the bench fail.
//!
//! ANDURYL runs through `scripts/cooke-bench-anduryl.py`, which installs it (with numpy < 2)
//! into its own virtual environment. Environment: `DELPHI_BENCH_ANDURYL=0` skips it;
//! `DELPHI_COOKE_CASES=DIR` is where the EXCALIBUR cases are (default: the copy under
//! `crates/stats/tests/data/cooke-cases`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use delphi_core::rng::Rng;
use delphi_stats::anduryl::read_anduryl_json;
use delphi_stats::classical::{self, CaseModel, CookeCase, CookeOptions};
use delphi_stats::excalibur::read_excalibur;

/// The seven public TU Delft cases (`shared/reference/cooke-cases`), TdC the largest.
const TU_DELFT_CASES: [&str; 7] =
    ["Arkansas", "Arsenic D-R", "CREATE", "Gerstenberger", "Goodheart", "San Diego", "TdC"];
/// Timed runs per case on each side; the fastest counts (delphi's runs of a few milliseconds
/// lose whole scheduler slices on a shared machine, the peer's in proportion).
const RUNS: usize = 5;
/// Weights closer than this are identical.
const SAME_WEIGHT: f64 = 1e-9;

fn main() {
    println!("Cooke's classical model: delphi against ANDURYL (global weights, optimised α)");
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("  load average at the start: {}", load.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
    }
    let dir = std::env::temp_dir().join(format!("delphi-cooke-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");

    let cases_dir = std::env::var_os("DELPHI_COOKE_CASES")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/cooke-cases"), PathBuf::from);
    let synthetic = dir.join("synthetic-50x50x200.json");
    std::fs::write(&synthetic, synthetic_project(50, 50, 200, 15)).expect("write the synthetic case");
    let mut cases: Vec<(&str, PathBuf)> =
        TU_DELFT_CASES.iter().map(|&stem| (stem, copy_excalibur(&cases_dir, stem, &dir))).collect();
    cases.push(("synthetic", synthetic));
    let ours: Vec<(CookeCase, f64, CaseModel)> = cases
        .iter()
        .map(|(name, path)| {
            let case = read_case(path);
            let (time, model) =
                best_of(RUNS, || classical::run(&case, &CookeOptions::default()).expect("classical model"));
            println!(
                "  {name} ({} experts, {} items, {} seeds): delphi {:.3} ms (best of {RUNS}), α = {:?}",
                case.experts().len(),
                case.items().len(),
                case.seeds(),
                time * 1e3,
                model.dm.alpha
            );
            (case, time, model)
        })
        .collect();

    if std::env::var("DELPHI_BENCH_ANDURYL").is_ok_and(|v| v == "0") {
        println!("  ANDURYL skipped (DELPHI_BENCH_ANDURYL=0)");
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let peer = run_anduryl(cases.iter().map(|(_, p)| p.as_path()));
    let _ = std::fs::remove_dir_all(&dir);
    let peer = match peer {
        Peer::Ran(runs) => runs,
        Peer::Skipped(why) => {
            println!("  ANDURYL skipped: {why}");
            return;
        }
    };
    let mut unexplained = false;
    for (((name, _), (case, time, model)), theirs) in cases.iter().zip(&ours).zip(&peer) {
        println!(
            "  {name}: ANDURYL {:.3} ms (best of {RUNS}; runs {}), α = {}",
            theirs.compute_s * 1e3,
            theirs.runs.iter().map(|t| format!("{:.3}", t * 1e3)).collect::<Vec<_>>().join(" / "),
            theirs.alpha
        );
        println!("    speed-up: {:.1}×", theirs.compute_s / time);
        let verdict = compare(case, model, theirs);
        println!("    weights: {}", verdict.text);
        unexplained |= !verdict.explained;
    }
    assert!(!unexplained, "delphi's weights differ from ANDURYL's where no known ANDURYL fault explains it");
}

/// Runs `f` `runs` times; the best time and the last result.
fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        last = Some(f());
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, last.expect("ran at least once"))
}

/// ANDURYL opens EXCALIBUR files only with lower-case extensions: copies `STEM.dtt`/`.rls`
/// (any case) into `to` as `STEM.dtt` and `STEM.rls`.
fn copy_excalibur(from: &Path, stem: &str, to: &Path) -> PathBuf {
    for ext in ["dtt", "rls"] {
        let source = [ext.to_owned(), ext.to_uppercase()]
            .iter()
            .map(|e| from.join(format!("{stem}.{e}")))
            .find(|p| p.exists())
            .unwrap_or_else(|| panic!("{stem}.{ext} is not in {} (set DELPHI_COOKE_CASES)", from.display()));
        std::fs::copy(&source, to.join(format!("{stem}.{ext}"))).expect("copy the case");
    }
    to.join(format!("{stem}.dtt"))
}

/// Reads a case as delphi does: EXCALIBUR `.dtt` + `.rls` (Latin-1), or ANDURYL JSON.
fn read_case(path: &Path) -> CookeCase {
    let latin1 = |p: &Path| std::fs::read(p).expect("read the case").iter().map(|&b| char::from(b)).collect::<String>();
    if path.extension().is_some_and(|e| e == "json") {
        read_anduryl_json(&latin1(path)).expect("read the ANDURYL project")
    } else {
        read_excalibur(&latin1(path), &latin1(&path.with_extension("rls"))).expect("read the EXCALIBUR case")
    }
}

/// An ANDURYL 1.2.1 project of `experts × (seeds + targets)` 5/50/95 % assessments on
/// uniform-background items. Experts differ as real panels do: each has a bias (−0.3 to 0.3
/// of the item's spread) and a confidence (90 % intervals from 0.7 to 1.6 times as wide as
/// their error warrants), so calibration ranges from good to very poor. Targets carry no
/// realisation (ANDURYL 1.2.2 with pydantic 1 refuses `null`s, so absent fields are left out).
fn synthetic_project(experts: usize, seeds: usize, targets: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let bias: Vec<f64> = (0..experts).map(|_| 0.6 * rng.next_f64() - 0.3).collect();
    let width: Vec<f64> = (0..experts).map(|_| 0.7 + 0.9 * rng.next_f64()).collect();
    let expert_ids: Vec<String> = (1..=experts).map(|e| format!("E{e:02}")).collect();
    let item_ids: Vec<String> =
        (1..=seeds).map(|i| format!("S{i:03}")).chain((1..=targets).map(|i| format!("T{i:03}"))).collect();
    let mut items = String::new();
    let mut answers: Vec<String> = vec![String::new(); experts];
    for (i, id) in item_ids.iter().enumerate() {
        let truth = 10f64.powf(1.0 + 2.0 * rng.next_f64());
        let spread = truth * (0.05 + 0.25 * rng.next_f64());
        let realisation = if i < seeds { format!("\"realization\": {truth:?}, ") } else { String::new() };
        let sep = if i == 0 { "" } else { ", " };
        write!(items, "{sep}\"{id}\": {{{realisation}\"scale\": \"uni\", \"question\": \"\", \"quantiles\": [0.05, 0.5, 0.95], \"unit\": \"\"}}").expect("write to a String");
        for e in 0..experts {
            let median = truth + spread * (bias[e] + rng.normal());
            let low = median - 1.645 * width[e] * spread * (0.7 + 0.6 * rng.next_f64());
            let high = median + 1.645 * width[e] * spread * (0.7 + 0.6 * rng.next_f64());
            write!(answers[e], "{sep}\"{id}\": [{low:?}, {median:?}, {high:?}]").expect("write to a String");
        }
    }
    let experts_json =
        expert_ids.iter().map(|e| format!("\"{e}\": {{\"name\": \"{e}\"}}")).collect::<Vec<_>>().join(", ");
    let assessments_json =
        expert_ids.iter().zip(&answers).map(|(e, a)| format!("\"{e}\": {{{a}}}")).collect::<Vec<_>>().join(",\n");
    format!(
        "{{\"version\": \"1.2.1\", \"experts\": {{{experts_json}}},\n\"items\": {{{items}}},\n\"assessments\": {{{assessments_json}}}}}\n"
    )
}

/// What ANDURYL computed on one case.
#[derive(serde::Deserialize)]
struct AndurylRun {
    compute_s: f64,
    runs: Vec<f64>,
    alpha: f64,
    experts: Vec<String>,
    calibration: Vec<f64>,
    weights: Vec<f64>,
}

enum Peer {
    Ran(Vec<AndurylRun>),
    Skipped(String),
}

/// Runs `scripts/cooke-bench-anduryl.py` on the cases.
fn run_anduryl<'a>(cases: impl Iterator<Item = &'a Path>) -> Peer {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/cooke-bench-anduryl.py");
    let out = match Command::new("python3").arg(&script).env("DELPHI_BENCH_RUNS", RUNS.to_string()).args(cases).output()
    {
        Ok(out) => out,
        Err(e) => return Peer::Skipped(format!("python3 could not run: {e}")),
    };
    let text = String::from_utf8_lossy(&out.stdout);
    if let Some(why) = text.lines().find_map(|l| l.strip_prefix("skip ")) {
        return Peer::Skipped(why.to_owned());
    }
    assert!(out.status.success(), "{} failed:\n{}", script.display(), String::from_utf8_lossy(&out.stderr));
    Peer::Ran(
        text.lines()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str(l).expect("a JSON line from the ANDURYL script"))
            .collect(),
    )
}

struct Verdict {
    text: String,
    explained: bool,
}

/// ANDURYL 1.2.2's calibration score of `counts` (its `Experts.calibration_score` and
/// `chi2cdf`, ported line by line): `1 − chi2cdf(2 · N_min · I(s, p))`, with the upper
/// incomplete gamma function as a 100-term continued fraction. Where it reproduces ANDURYL's
/// figure and delphi's differs, the difference is that approximation's.
fn anduryl_calibration(counts: &[u64], quantiles: &[u32], n_min: u64) -> f64 {
    let edges: Vec<f64> =
        std::iter::once(0.0).chain(quantiles.iter().map(|&q| f64::from(q) / 100.0)).chain([1.0]).collect();
    let total = counts.iter().sum::<u64>() as f64;
    let information: f64 = counts
        .iter()
        .zip(edges.windows(2))
        .filter(|(c, _)| **c > 0)
        .map(|(&c, w)| {
            let s = c as f64 / total;
            s * (s / (w[1] - w[0])).ln()
        })
        .sum();
    let (statistic, df) = (2.0 * n_min as f64 * information, (counts.len() - 1) as f64);
    let (a, x) = (0.5 * df, 0.5 * statistic);
    let mut fraction = 1.0;
    for d in (1..100).rev() {
        let d = f64::from(d);
        fraction = d * 2.0 - 1.0 - a + x + (d * (a - d)) / fraction;
    }
    let upper = x.powf(a) * (-x).exp() / fraction;
    1.0 - (1.0 - upper / statrs::function::gamma::gamma(a))
}

/// `a` and `b` hold the same counts in another order: mathematically equal scores.
fn permuted(a: &[u64], b: &[u64]) -> bool {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort_unstable();
    b.sort_unstable();
    a == b
}

fn relative_difference(a: f64, b: f64) -> f64 {
    (a - b).abs() / a.abs().max(b.abs()).max(f64::MIN_POSITIVE)
}

/// Compares delphi's weights with ANDURYL's. Where they differ, each cause must be one of
/// ANDURYL's known faults (`shared/reference/cooke-cases/README.md`): a calibration score that
/// ANDURYL's own chi-square approximation reproduces from delphi's counts, or an α ANDURYL
/// rejects because its decision maker's score falls below an expert's that is mathematically
/// equal (the same counts in another bin order, summed in another order).
fn compare(case: &CookeCase, ours: &CaseModel, theirs: &AndurylRun) -> Verdict {
    let names: Vec<&str> = ours.experts.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, theirs.experts, "the two sides read other experts");
    let difference = |e: usize| (ours.experts[e].weight - theirs.weights[e]).abs();
    let differing = (0..names.len()).filter(|&e| difference(e) > SAME_WEIGHT).count();
    let max_diff = (0..names.len()).map(difference).fold(0.0, f64::max);
    let carrying = ours.experts.iter().filter(|e| e.weight > 0.0).count();
    // Calibration scores: every difference must be ANDURYL's chi-square approximation.
    let mut causes = Vec::new();
    let mut explained = true;
    let mut same_calibration = 0;
    for (e, expert) in ours.experts.iter().enumerate() {
        let (c, theirs_c) = (expert.scores.calibration, theirs.calibration[e]);
        if relative_difference(c, theirs_c) <= 1e-9 {
            same_calibration += 1;
            continue;
        }
        let approximation = anduryl_calibration(&expert.scores.counts, case.quantiles(), ours.calibration_seeds);
        let theirs_reproduced = relative_difference(approximation, theirs_c) <= 1e-9;
        explained &= theirs_reproduced;
        causes.push(format!(
            "{}: calibration {c:.6e} (exact tail) vs ANDURYL {theirs_c:.6e} ({})",
            names[e],
            if theirs_reproduced {
                "its 100-term continued fraction, reproduced from the same counts".to_owned()
            } else {
                format!("UNEXPLAINED: its formula gives {approximation:.6e}")
            }
        ));
    }
    let calibration_line = format!(
        "calibration: {same_calibration} of {} agree to 1e-9{}",
        names.len(),
        if causes.is_empty() { String::new() } else { format!("; the others:\n      {}", causes.join("\n      ")) }
    );
    if differing == 0 {
        return Verdict {
            text: format!(
                "identical (largest difference {max_diff:.1e}; experts carrying weight: {carrying})\n    {calibration_line}"
            ),
            explained,
        };
    }
    let alpha = ours.dm.alpha.expect("global weights have an α");
    let at_alpha = ours.experts.iter().find(|x| x.scores.calibration.to_bits() == alpha.to_bits());
    let dm_counts = &ours.dm.scores.counts;
    let alpha_line = match at_alpha {
        Some(x) if x.scores.counts != *dm_counts && permuted(&x.scores.counts, dm_counts) => format!(
            "α {alpha:.6} vs ANDURYL {:.6}: delphi's decision maker (counts {dm_counts:?}) and {} (counts {:?}) \
             score the same; ANDURYL's `np.diff` bin probabilities put its decision maker below {}'s score, so its \
             indicator C_DM ≥ α rejects that α",
            theirs.alpha, x.name, x.scores.counts, x.name
        ),
        _ => {
            explained = false;
            format!("α {alpha} vs ANDURYL {}: UNEXPLAINED", theirs.alpha)
        }
    };
    Verdict {
        text: format!(
            "{differing} of {} differ, by up to {max_diff:.2}{}\n    {calibration_line}\n    {alpha_line}",
            names.len(),
            if explained { ", all through ANDURYL's known faults" } else { " (NOT ALL EXPLAINED)" },
        ),
        explained,
    }
}
