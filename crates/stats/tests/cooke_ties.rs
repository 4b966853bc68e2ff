//! Cooke's calibration ties: experts whose calibration scores are mathematically equal get
//! bit-identical scores, so they pass or fail every α cut-off together (issue 15, item 3).
//!
//! The exhaustive check takes its groups of equal scores from scripts/cooke-equal-scores.py,
//! which decides equality with exact integer arithmetic (no delphi code, no floats).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use delphi_core::rng::Rng;
use delphi_stats::Quantiles;
use delphi_stats::cooke::{CookeExpert, calibration, calibration_from_parts, classical_model};
use proptest::prelude::*;
use serde_json::Value;

fn calibration_bits(counts: [u64; 4]) -> u64 {
    calibration(counts).1.value().expect("defined for N > 0").to_bits()
}

/// Every count vector over the four 5/50/95 % bins with 1 ≤ N ≤ 30 (46,375 vectors). Python
/// groups them by the exact value of Π c^c · 20ᴺ / (Nᴺ 9^(c₁+c₂)); within each group the
/// scores must agree to the last bit. The same script reports how many groups a float sum in
/// bin order splits, to show the check has something to catch.
#[test]
fn all_equal_scores_up_to_n_30_are_bit_identical() {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/cooke-equal-scores.py");
    let out = Command::new("python3").arg(&script).arg("30").output().expect("run python3");
    assert!(out.status.success(), "cooke-equal-scores.py failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON from the script");
    assert_eq!(report["vectors"], 46_375);
    let groups = report["groups"].as_array().expect("groups");
    assert!(groups.len() > 12_000, "only {} groups of equal scores", groups.len());
    assert!(report["split_by_bin_order_sum"].as_u64().unwrap() > 1000, "the naive sum should split many groups");
    let mut split = Vec::new();
    for g in groups {
        let vectors: Vec<[u64; 4]> = g
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                let c: Vec<u64> = v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect();
                [c[0], c[1], c[2], c[3]]
            })
            .collect();
        let bits: BTreeSet<u64> = vectors.iter().map(|&c| calibration_bits(c)).collect();
        if bits.len() > 1 {
            split.push(format!("{vectors:?}"));
        }
    }
    assert!(split.is_empty(), "{} of {} groups split, e.g. {}", split.len(), groups.len(), split[0]);
}

/// Quantiles that put realisation `x` into `bin` (a bin holds `(q_{i−1}, q_i]`), spread by `w`.
fn quantiles_for_bin(x: f64, bin: usize, w: f64) -> Quantiles {
    let q = match bin {
        0 => [x + w, x + 2.0 * w, x + 3.0 * w],
        1 => [x - w, x + w, x + 2.0 * w],
        2 => [x - 2.0 * w, x - w, x + w],
        _ => [x - 3.0 * w, x - 2.0 * w, x - w],
    };
    Quantiles::new(q[0], q[1], q[2]).unwrap()
}

/// An expert whose seed answers give exactly `counts`, in a shuffled seed order, with
/// assessments of random width (so information scores differ).
fn expert_with_counts(name: &str, counts: [u64; 4], realisations: &[f64], rng: &mut Rng) -> CookeExpert {
    let mut bins: Vec<usize> = (0..4).flat_map(|b| std::iter::repeat_n(b, counts[b] as usize)).collect();
    rng.shuffle(&mut bins);
    let seeds =
        bins.iter().zip(realisations).map(|(&b, &x)| quantiles_for_bin(x, b, 0.5 + 3.0 * rng.next_f64())).collect();
    CookeExpert { expert: name.into(), seeds, targets: vec![] }
}

/// The bin permutations that keep the probabilities (0.05, 0.45, 0.45, 0.05) in place.
const SAME_P: [[usize; 4]; 4] = [[0, 1, 2, 3], [3, 1, 2, 0], [0, 2, 1, 3], [3, 2, 1, 0]];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any number of bins, any whole-number probabilities: permuting the (count, probability)
    /// pairs together never changes a bit of either score.
    #[test]
    fn permuting_bins_never_changes_a_score(
        bins in prop::collection::vec((0u64..40, 1u64..60), 2..8),
        shuffle_seed in any::<u64>(),
    ) {
        let (counts, parts): (Vec<u64>, Vec<u64>) = bins.iter().copied().unzip();
        let (i, c) = calibration_from_parts(&counts, &parts).unwrap();
        let mut order: Vec<usize> = (0..bins.len()).collect();
        let mut rng = Rng::new(shuffle_seed);
        rng.shuffle(&mut order);
        let pc: Vec<u64> = order.iter().map(|&k| counts[k]).collect();
        let pp: Vec<u64> = order.iter().map(|&k| parts[k]).collect();
        let (pi, pcal) = calibration_from_parts(&pc, &pp).unwrap();
        prop_assert_eq!(i.value().map(f64::to_bits), pi.value().map(f64::to_bits));
        prop_assert_eq!(c.value().map(f64::to_bits), pcal.value().map(f64::to_bits));
    }

    /// Two experts whose bin counts are a probability-preserving permutation of each other
    /// (e.g. (3, 4, 2, 1) and (1, 4, 2, 3)), answering different seeds in different bins and
    /// with different information, next to a third expert: equal calibration to the bit, on
    /// the same side of every candidate α, and in the model both weighted or both not.
    #[test]
    fn tied_experts_pass_or_fail_every_alpha_together(
        counts in prop::array::uniform4(0u64..6),
        perm in 0usize..4,
        seed in any::<u64>(),
    ) {
        let n: u64 = counts.iter().sum();
        prop_assume!(n > 0);
        let realisations: Vec<f64> = (0..n).map(|s| 100.0 * s as f64).collect();
        let twin: [u64; 4] = std::array::from_fn(|b| counts[SAME_P[perm][b]]);
        let mut rng = Rng::new(seed);
        let mut other = [0u64; 4];
        for _ in 0..n {
            other[rng.below(4) as usize] += 1;
        }
        let experts = [
            expert_with_counts("A", counts, &realisations, &mut rng),
            expert_with_counts("B", twin, &realisations, &mut rng),
            expert_with_counts("C", other, &realisations, &mut rng),
        ];
        let m = classical_model(&realisations, &experts).unwrap();
        let cal: Vec<f64> = m.experts.iter().map(|e| e.calibration.value().unwrap()).collect();
        prop_assert_eq!(cal[0].to_bits(), cal[1].to_bits());
        for &alpha in &cal {
            prop_assert_eq!(cal[0] >= alpha, cal[1] >= alpha);
        }
        let (wa, wb) = (m.experts[0].weight.value().unwrap(), m.experts[1].weight.value().unwrap());
        prop_assert_eq!(wa > 0.0, wb > 0.0, "weights {} and {} at α = {}", wa, wb, m.alpha);
    }
}
