//! Cooke's classical model through a study's summary: log-scale seeds and blank seed
//! answers reach the model from the answer table, and the figures equal the independent
//! Python model's (`scripts/cooke-cases.py`, pinned in `tests/data/cooke-cases/expected.json`).
//!
//! - TdC (18 experts, 17 seeds of which several on a log scale, 10 targets), as a study's
//!   answers: item kind `quantile` with `log` from the case's `LOG` items.
//! - CREATE with Expert1's answer to seed Q1 left blank: before, the summary dropped Expert1;
//!   now Expert1 is scored on 9 seeds and every calibration uses N = 9, as EXCALIBUR does.

use delphi_stats::classical::{CookeCase, Scale};
use delphi_stats::excalibur::read_excalibur;
use delphi_stats::*;
use serde_json::Value;

fn data(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cooke-cases").join(name);
    String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned()
}

fn expected(key: &str) -> Value {
    let all: Value = serde_json::from_str(&data("expected.json")).unwrap();
    all[key].clone()
}

/// The case as a study's answers in round 1 (item ids `i0, i1, …`; answers with ids of
/// the experts' order), leaving out `blank` = (expert, item) if given.
fn summary_of(case: &CookeCase, blank: Option<(usize, usize)>) -> StudySummary {
    let specs = case
        .items()
        .iter()
        .enumerate()
        .map(|(k, item)| {
            let realisation = item.realisation.map(|x| Finite::new(x).unwrap());
            ItemSpec::new(
                ItemId::new(format!("i{k}")).unwrap(),
                ItemKind::Quantile {
                    realisation,
                    log: item.scale == Scale::Log,
                    levels: QuantileLevels::new(&case.quantiles().iter().map(|&q| i64::from(q)).collect::<Vec<_>>())
                        .unwrap(),
                },
            )
        })
        .collect();
    let rows = case.experts().iter().enumerate().flat_map(|(e, expert)| {
        expert.answers.iter().enumerate().filter(move |&(k, _)| blank != Some((e, k))).filter_map(move |(k, a)| {
            a.as_ref().map(|q| AnswerRow {
                round: 1,
                item: ItemId::new(format!("i{k}")).unwrap(),
                expert: Pseudonym::new(format!("E{e:02}")).unwrap(),
                groups: Groups::new(),
                answer: Answer::Quantiles(
                    Quantiles::at_levels(
                        QuantileLevels::new(&case.quantiles().iter().map(|&q| i64::from(q)).collect::<Vec<_>>())
                            .unwrap(),
                        q.clone(),
                    )
                    .unwrap(),
                ),
            })
        })
    });
    summarise(&AnswerTable::from_rows(specs, rows).unwrap(), &StatsConfig::default()).unwrap()
}

fn close(what: &str, got: Figure, want: &Value, rel: f64) {
    let (g, w) = (got.value().unwrap_or_else(|| panic!("{what}: undefined ({got})")), want.as_f64().unwrap());
    assert!((g - w).abs() <= rel * g.abs().max(w.abs()) + 1e-13, "{what}: delphi {g:e}, Python {w:e}");
}

fn check(case: &CookeCase, summary: &StudySummary, want: &Value) {
    assert_eq!(summary.cooke.len(), 1);
    let c = &summary.cooke[0];
    let m = &c.model;
    assert_eq!(c.experts_excluded, 0);
    let experts = want["experts"].as_array().unwrap();
    assert_eq!(m.experts.len(), experts.len());
    for (k, ((e, w), weight)) in
        m.experts.iter().zip(experts).zip(want["global_"]["weights"].as_array().unwrap()).enumerate()
    {
        close(&format!("expert {k} calibration"), e.calibration, &w["calibration"], 1e-8);
        close(&format!("expert {k} information"), e.information, &w["info_seeds"], 1e-10);
        close(&format!("expert {k} weight"), e.weight, weight, 1e-8);
    }
    close("α", m.alpha, &want["global_"]["alpha"], 1e-8);
    close("DM calibration", m.performance_dm.calibration, &want["global_"]["dm"]["calibration"], 1e-8);
    close("DM information", m.performance_dm.information, &want["global_"]["dm"]["info_seeds"], 1e-9);
    close("EW DM calibration", m.equal_dm.calibration, &want["equal"]["dm"]["calibration"], 1e-8);
    // Targets, in item order after the seeds' positions are skipped.
    let target_index: Vec<usize> = (0..case.items().len()).filter(|&k| case.items()[k].realisation.is_none()).collect();
    assert_eq!(m.targets.len(), target_index.len());
    for (t, &k) in m.targets.iter().zip(&target_index) {
        let want_q = want["global_"]["dm_quantiles"][k].as_array().unwrap();
        for (j, (got, want)) in t.performance.iter().zip(want_q).enumerate() {
            close(&format!("item {k} DM quantile {j}"), *got, want, 1e-9);
        }
    }
}

#[test]
fn log_scale_seeds_reach_the_model_from_a_study() {
    let case = read_excalibur(&data("TdC.DTT"), &data("TdC.RLS")).unwrap();
    assert!(case.items().iter().any(|i| i.scale == Scale::Log && i.realisation.is_some()));
    check(&case, &summary_of(&case, None), &expected("TdC"));
}

#[test]
fn an_expert_with_a_blank_seed_is_kept_and_scored_on_the_seeds_answered() {
    let case = read_excalibur(&data("CREATE.DTT"), &data("CREATE.RLS")).unwrap();
    let s = summary_of(&case, Some((0, 0)));
    check(&case, &s, &expected("CREATE, Expert1 blank on Q1"));
    assert_eq!(s.cooke[0].model.experts.len(), 7, "Expert1 is kept");
    assert!(s.cooke[0].warnings.iter().any(|w| w.contains("answered 9 of 10 seed items")), "{:?}", s.cooke[0].warnings);
}

/// A study that asks 10/50/90 % (or five quantiles) is scored at those quantiles: the bins,
/// the intrinsic range and the decision maker's quantiles are those of the case as EXCALIBUR
/// has it (Gerstenberger asks 10/50/90 %, Arkansas 5/25/50/75/95 %).
#[test]
fn a_study_asking_other_quantiles_is_scored_at_them() {
    for (name, dtt, rls, asked) in [
        ("Gerstenberger", "Gerstenberger.dtt", "Gerstenberger.rls", vec![10, 50, 90]),
        ("Arkansas", "Arkansas.dtt", "Arkansas.rls", vec![5, 25, 50, 75, 95]),
    ] {
        let case = read_excalibur(&data(dtt), &data(rls)).unwrap();
        let summary = summary_of(&case, None);
        assert_eq!(summary.cooke[0].model.quantiles, asked, "{name}");
        assert!(summary.cooke[0].model.targets.iter().all(|t| t.performance.len() == asked.len()), "{name}");
        check(&case, &summary, &expected(name));
        // The equal-weight pool of each item, at the quantiles the study asks.
        for item in &summary.items {
            if let summarise::ItemResult::Quantile(q) = &item.result {
                let percents: Vec<u8> = q.pool.asked.iter().map(|a| a.percent).collect();
                assert_eq!(percents, asked, "{name} {}", item.item.as_str());
            }
        }
    }
}
