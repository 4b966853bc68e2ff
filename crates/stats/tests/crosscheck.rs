//! Cross-check against an independent implementation (numpy, scipy, the `krippendorff`
//! package) in scripts/stats-crosscheck.py, on random data. Agreement to 1e-9 (relative to
//! max(1, |value|)).
//!
//! Nothing is skipped: if the Python packages are missing the test installs them with
//! `python3 -m pip install --quiet numpy scipy krippendorff`, and fails loudly if it cannot.

use std::path::PathBuf;
use std::process::Command;

use delphi_core::consensus::{ConsensusRule, DontKnowPolicy, QuantileMethod};
use delphi_core::rng::Rng;
use delphi_stats::cooke::{calibration, information, intrinsic_range, pool};
use delphi_stats::item::ordinal_summary;
use delphi_stats::kendall::kendall_w;
use delphi_stats::krippendorff::{Level, krippendorff_alpha};
use delphi_stats::quantile::quantile_sorted;
use delphi_stats::ranktests::{TestMethod, WILCOXON_EXACT_MAX, kruskal_wallis, mann_whitney, mcnemar, wilcoxon};
use delphi_stats::{AgreeSet, Figure, OrdinalScale, Quantiles, Ranking};
use serde_json::{Map, Value, json};

fn fig(f: Figure) -> Value {
    f.value().map_or(Value::Null, |v| json!(v))
}

fn ensure_python() {
    let ok = |code: &str| Command::new("python3").args(["-c", code]).status().is_ok_and(|s| s.success());
    if ok("import numpy, scipy, krippendorff") {
        return;
    }
    let st = Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", "numpy", "scipy", "krippendorff"])
        .status()
        .expect("python3 must be installed for the cross-check");
    assert!(st.success(), "could not install numpy scipy krippendorff with pip");
    assert!(ok("import numpy, scipy, krippendorff"), "numpy/scipy/krippendorff still not importable after pip install");
}

struct Case {
    input: Value,
    rust: Map<String, Value>,
    tol: f64,
}

fn m(pairs: Vec<(&str, Value)>) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

#[allow(clippy::too_many_lines)]
fn cases() -> Vec<Case> {
    let mut rng = Rng::new(20_260_101);
    let mut out = Vec::new();
    let exact = 1e-9;

    // Quantiles, types 6 and 7.
    for n in [1usize, 2, 3, 5, 10, 17, 40] {
        let mut x: Vec<f64> = (0..n).map(|_| (rng.next_f64() * 100.0).round() / 4.0).collect();
        x.sort_by(f64::total_cmp);
        let ps = [0.05, 0.25, 0.3, 0.5, 0.7, 0.75, 0.95];
        let mut rust = Map::new();
        for p in ps {
            for (qt, meth) in [(6, QuantileMethod::Type6), (7, QuantileMethod::Type7)] {
                rust.insert(format!("q{p}_{qt}"), fig(quantile_sorted(&x, p, meth)));
            }
        }
        out.push(Case { input: json!({"type": "quantile", "x": x, "p": ps}), rust, tol: exact });
    }

    // Ordinal items: random, plus n = 0, n = 1, all equal, only don't-know.
    let mut ord: Vec<(Vec<u64>, i32, u64)> = Vec::new();
    for _ in 0..60 {
        let k = 3 + rng.below(7) as usize;
        let min = rng.below(3) as i32 - 1;
        let counts: Vec<u64> = (0..k).map(|_| if rng.below(4) == 0 { 0 } else { rng.below(40) }).collect();
        ord.push((counts, min, rng.below(5)));
    }
    ord.push((vec![0, 0, 0, 0, 0], 1, 0));
    ord.push((vec![0, 0, 0, 0, 0], 1, 4));
    ord.push((vec![0, 1, 0, 0, 0], 1, 0));
    ord.push((vec![0, 0, 0, 0, 0, 0, 8, 0, 0], 1, 1));
    ord.push((vec![5, 0, 0, 0, 5], 1, 0));
    for (i, (counts, min, dk)) in ord.into_iter().enumerate() {
        let k = counts.len();
        let scale = OrdinalScale::new(min, min + k as i32 - 1).unwrap();
        let lo = min + rng.below(k as u64) as i32;
        let hi = lo + rng.below((min + k as i32 - lo) as u64) as i32;
        let agree = AgreeSet::new(scale, lo, hi).unwrap();
        let (qt, method) = if i % 2 == 0 { (7, QuantileMethod::Type7) } else { (6, QuantileMethod::Type6) };
        let count_dk = i % 3 == 0;
        let rule = ConsensusRule {
            quantile_method: method,
            dont_know: if count_dk { DontKnowPolicy::Count } else { DontKnowPolicy::Exclude },
            ..ConsensusRule::default()
        };
        let s = ordinal_summary(&counts, dk, scale, agree, &rule, None);
        let r = s.rand_ucla;
        let rust = m(vec![
            ("median", fig(s.median)),
            ("q1", fig(s.q1)),
            ("q3", fig(s.q3)),
            ("iqr", fig(s.iqr)),
            ("mean", fig(s.mean)),
            ("sd", fig(s.sd)),
            ("cv", fig(s.cv)),
            ("agreement", fig(s.agreement_percent)),
            ("tastle_wierman", fig(s.tastle_wierman)),
            ("van_der_eijk", fig(s.van_der_eijk)),
            ("leik", fig(s.leik)),
            ("rwg", fig(s.rwg)),
            ("ipr", fig(r.ipr)),
            ("iprcp", fig(r.iprcp)),
            ("ai", fig(r.asymmetry)),
            ("ipras", fig(r.ipras)),
            ("di", fig(r.disagreement_index)),
            ("low_share", fig(s.polarisation.low_share)),
            ("high_share", fig(s.polarisation.high_share)),
        ]);
        out.push(Case {
            input: json!({"type": "ordinal", "counts": counts, "min": min, "agree_lo": lo, "agree_hi": hi, "dk": dk,
                          "qtype": qt, "count_dk": count_dk}),
            rust,
            tol: exact,
        });
    }

    // Wilcoxon: exact (continuous, no ties) and integer differences with ties (exact up to 50
    // non-zero differences, normal beyond).
    for i in 0..30 {
        let (d, want): (Vec<f64>, TestMethod) = if i % 2 == 0 {
            let n = 1 + rng.below(40) as usize;
            ((0..n).map(|_| rng.next_f64() * 2.0 - 0.8).collect(), TestMethod::Exact)
        } else {
            let n = 8 + rng.below(300) as usize;
            ((0..n).map(|_| rng.below(7) as f64 - 2.0).collect(), TestMethod::Normal)
        };
        // Tied integer differences are exact too when at most 50 are non-zero.
        let nonzero = d.iter().filter(|&&x| x != 0.0).count();
        let want = if nonzero <= WILCOXON_EXACT_MAX { TestMethod::Exact } else { want };
        out.push(wilcoxon_case(&d, want));
    }

    // McNemar.
    for (b, c) in [(0, 0), (1, 5), (7, 3), (12, 12), (20, 4), (30, 10), (55, 61), (3, 40)] {
        let r = mcnemar(b, c);
        out.push(Case {
            input: json!({"type": "mcnemar", "b": b, "c": c}),
            rust: m(vec![("p", fig(r.p_value)), ("chi_square", fig(r.chi_square))]),
            tol: exact,
        });
    }

    // Mann–Whitney and Kruskal–Wallis on tied integer data and on continuous data.
    for i in 0..20 {
        let n1 = 1 + rng.below(60) as usize;
        let n2 = 1 + rng.below(60) as usize;
        let draw = |rng: &mut Rng, n: usize, shift: f64| -> Vec<f64> {
            (0..n)
                .map(|_| if i % 2 == 0 { rng.below(5) as f64 + shift.round() } else { rng.next_f64() + shift / 10.0 })
                .collect()
        };
        let x = draw(&mut rng, n1, 0.0);
        let y = draw(&mut rng, n2, 1.0);
        out.push(mann_whitney_case(&x, &y));
        let k = 2 + rng.below(4) as usize;
        let groups: Vec<Vec<f64>> = (0..k)
            .map(|g| {
                let n = 2 + rng.below(30) as usize;
                draw(&mut rng, n, g as f64 * 0.5)
            })
            .collect();
        let refs: Vec<&[f64]> = groups.iter().map(Vec::as_slice).collect();
        let r = kruskal_wallis(&refs);
        out.push(Case {
            input: json!({"type": "kruskal", "groups": groups}),
            rust: m(vec![("h", fig(r.h)), ("p", fig(r.p_value))]),
            tol: exact,
        });
    }

    // Kendall's W with ties: scores per rater → rankings (equal score = tie).
    for _ in 0..15 {
        let raters = 3 + rng.below(6) as usize;
        let objects = 3 + rng.below(5) as usize;
        let scores: Vec<Vec<u64>> =
            (0..raters).map(|_| (0..objects).map(|_| rng.below(objects as u64)).collect()).collect();
        let rankings: Vec<Ranking> = scores
            .iter()
            .map(|row| {
                let mut distinct: Vec<u64> = row.clone();
                distinct.sort_unstable();
                distinct.dedup();
                let tiers = distinct
                    .iter()
                    .map(|&s| (0..objects).filter(|&o| row[o] == s).map(|o| format!("o{o}")).collect())
                    .collect();
                Ranking::with_ties(tiers).unwrap()
            })
            .collect();
        let refs: Vec<&Ranking> = rankings.iter().collect();
        let k = kendall_w(&refs);
        if k.w.is_defined() {
            out.push(Case {
                input: json!({"type": "kendall", "ranks": scores}),
                rust: m(vec![("w", fig(k.w)), ("chi_square", fig(k.chi_square)), ("p", fig(k.p_value))]),
                tol: exact,
            });
        }
    }

    // Krippendorff's alpha, all four levels, with missing values.
    for _ in 0..12 {
        let coders = 3 + rng.below(4) as usize;
        let units = 8 + rng.below(25) as usize;
        let truth: Vec<u64> = (0..units).map(|_| 1 + rng.below(5)).collect();
        let data: Vec<Vec<Option<f64>>> = truth
            .iter()
            .map(|&t| {
                (0..coders)
                    .map(|_| {
                        if rng.below(5) == 0 {
                            None
                        } else if rng.below(3) == 0 {
                            Some((1 + rng.below(5)) as f64)
                        } else {
                            Some(t as f64)
                        }
                    })
                    .collect()
            })
            .collect();
        let rust_units: Vec<Vec<f64>> = data.iter().map(|u| u.iter().flatten().copied().collect()).collect();
        let rust = m(vec![
            ("nominal", fig(krippendorff_alpha(&rust_units, Level::Nominal))),
            ("ordinal", fig(krippendorff_alpha(&rust_units, Level::Ordinal))),
            ("interval", fig(krippendorff_alpha(&rust_units, Level::Interval))),
            ("ratio", fig(krippendorff_alpha(&rust_units, Level::Ratio))),
        ]);
        out.push(Case { input: json!({"type": "krippendorff", "units": data, "coders": coders}), rust, tol: exact });
    }

    // Cooke: calibration and information, pooled quantiles.
    for _ in 0..10 {
        let counts = [rng.below(6), rng.below(15), rng.below(15), rng.below(6) + 1];
        let (i, c) = calibration(counts);
        out.push(Case {
            input: json!({"type": "calibration", "counts": counts}),
            rust: m(vec![("information", fig(i)), ("calibration", fig(c))]),
            tol: exact,
        });
    }
    for j in 0..10 {
        let e = 1 + rng.below(5) as usize;
        let qs: Vec<Quantiles> = (0..e)
            .map(|_| {
                let a = rng.next_f64() * 50.0;
                let b = a + 0.5 + rng.next_f64() * 20.0;
                Quantiles::new(a, b, b + 0.5 + rng.next_f64() * 30.0).unwrap()
            })
            .collect();
        let w: Vec<f64> = (0..e).map(|_| 0.1 + rng.next_f64()).collect();
        let realisation = (j % 2 == 0).then(|| rng.next_f64() * 120.0 - 10.0);
        let (lo, hi) = intrinsic_range(&qs, realisation).unwrap();
        let pairs: Vec<([f64; 3], f64)> =
            qs.iter().map(|q| <[f64; 3]>::try_from(q.values()).unwrap()).zip(w.iter().copied()).collect();
        let p = pool(&pairs, lo, hi).unwrap();
        let arrays: Vec<[f64; 3]> = qs.iter().map(|q| <[f64; 3]>::try_from(q.values()).unwrap()).collect();
        out.push(Case {
            input: json!({"type": "pool", "q": arrays, "w": w, "realisation": realisation}),
            rust: m(vec![
                ("q05", json!(p[0])),
                ("q50", json!(p[1])),
                ("q95", json!(p[2])),
                ("information_first", json!(information(arrays[0], lo, hi))),
            ]),
            tol: exact,
        });
    }

    rank_test_cases(&mut rng, &mut out);
    out
}

/// A Wilcoxon case; the Python side is told which method Rust used and checks it
/// independently (scipy exact or approx; its own enumeration where there are ties).
fn wilcoxon_case(d: &[f64], want: TestMethod) -> Case {
    let w = wilcoxon(d);
    if w.w_plus.is_defined() {
        assert_eq!(w.method, Some(want), "method for {d:?}");
    }
    let rust = m(vec![("w_plus", fig(w.w_plus)), ("statistic", fig(w.statistic)), ("p", fig(w.p_value))]);
    let method = if want == TestMethod::Exact { "exact" } else { "approx" };
    Case { input: json!({"type": "wilcoxon", "d": d, "method": method}), rust, tol: 1e-9 }
}

/// A Mann–Whitney case, exact when n1 + n2 ≤ 50.
fn mann_whitney_case(x: &[f64], y: &[f64]) -> Case {
    let r = mann_whitney(x, y);
    let want = if x.len() + y.len() <= 50 { TestMethod::Exact } else { TestMethod::Normal };
    if r.p_value.is_defined() {
        assert_eq!(r.method, want, "method for {x:?} vs {y:?}");
    }
    let method = if want == TestMethod::Exact { "exact" } else { "approx" };
    Case {
        input: json!({"type": "mann_whitney", "x": x, "y": y, "method": method}),
        rust: m(vec![("u1", fig(r.u1)), ("p", fig(r.p_value))]),
        tol: 1e-9,
    }
}

/// Small tied samples as Delphi panels give them (issue 15): Wilcoxon on five-point answers
/// with zeros, Mann–Whitney on ordinal blocs below and above the exact limit, and
/// U1 = n1·n2/2 exactly, where both methods must give p = 1.
fn rank_test_cases(rng: &mut Rng, out: &mut Vec<Case>) {
    for _ in 0..16 {
        let n = 1 + rng.below(16) as usize;
        let d: Vec<f64> = (0..n).map(|_| rng.below(5) as f64 - 1.0).collect();
        out.push(wilcoxon_case(&d, TestMethod::Exact));
    }
    for i in 0..12 {
        let (lo, span) = if i % 2 == 0 { (1, 20) } else { (26, 30) };
        let n1 = lo + rng.below(span) as usize;
        let n2 = lo + rng.below(span) as usize;
        let x: Vec<f64> = (0..n1).map(|_| (1 + rng.below(5)) as f64).collect();
        let y: Vec<f64> = (0..n2).map(|_| (1 + rng.below(4) + rng.below(2)) as f64).collect();
        out.push(mann_whitney_case(&x, &y));
    }
    let bloc: Vec<f64> = (0..40).map(|i| f64::from(1 + i % 5)).collect();
    for (x, y) in [(vec![3.0, 5.0], vec![4.0, 4.0]), (bloc.clone(), bloc)] {
        assert_eq!(mann_whitney(&x, &y).p_value.value(), Some(1.0), "U1 = n1·n2/2 must give p = 1");
        out.push(mann_whitney_case(&x, &y));
    }
}

#[test]
fn agrees_with_numpy_scipy_and_krippendorff() {
    ensure_python();
    let cases = cases();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.json");
    let inputs: Vec<&Value> = cases.iter().map(|c| &c.input).collect();
    std::fs::write(&path, serde_json::to_vec(&inputs).unwrap()).unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/stats-crosscheck.py");
    let out = Command::new("python3").arg(&script).arg(&path).output().expect("run python3");
    assert!(out.status.success(), "stats-crosscheck.py failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let results: Vec<Map<String, Value>> = serde_json::from_slice(&out.stdout).expect("JSON from the script");
    assert_eq!(results.len(), cases.len());
    let mut compared = 0;
    let mut failures = Vec::new();
    for (i, (case, py)) in cases.iter().zip(&results).enumerate() {
        for (key, want) in py {
            let got = case.rust.get(key).unwrap_or_else(|| panic!("case {i}: Rust has no {key}"));
            compared += 1;
            match (got.as_f64(), want.as_f64()) {
                (None, None) => {}
                (Some(g), Some(w)) if (g - w).abs() <= case.tol * w.abs().max(1.0) => {}
                _ => failures.push(format!("case {i} {} {key}: rust {got} vs python {want}", case.input["type"])),
            }
        }
    }
    assert!(failures.is_empty(), "{} of {compared} figures disagree:\n{}", failures.len(), failures.join("\n"));
    assert!(compared > 1500, "only {compared} figures compared");
    eprintln!("cross-check: {compared} figures in {} cases agree", cases.len());
}
