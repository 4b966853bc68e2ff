//! `cargo bench -p delphi-stats --bench exact`: the cost of the exact rank tests at their
//! limits (n₁ + n₂ = 50 for Mann–Whitney, 50 non-zero differences for Wilcoxon), with and
//! without ties, timed with std::time (median of many runs). Delphi panels (10–40 experts)
//! stay below these sizes, so this is the worst a single p-value costs.

use std::hint::black_box;
use std::time::Instant;

use delphi_core::rng::Rng;
use delphi_stats::ranktests::{mann_whitney, wilcoxon};

fn median_micros(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

fn main() {
    let mut rng = Rng::new(15);
    let mut sample = |n: usize, tied: bool| -> Vec<f64> {
        (0..n).map(|_| if tied { (1 + rng.below(5)) as f64 } else { rng.next_f64() }).collect()
    };
    println!("exact rank tests at their size limits (median of 200 runs)");
    for (label, tied) in [("distinct values", false), ("five-point answers", true)] {
        for (n1, n2) in [(25, 25), (10, 40), (20, 20)] {
            let (x, y) = (sample(n1, tied), sample(n2, tied));
            let us = median_micros(200, || {
                black_box(mann_whitney(black_box(&x), black_box(&y)));
            });
            println!("  Mann–Whitney {n1} + {n2}, {label}: {us:.0} µs");
        }
        let d: Vec<f64> = sample(50, tied).iter().map(|v| v - if tied { 3.5 } else { 0.4 }).collect();
        let us = median_micros(200, || {
            black_box(wilcoxon(black_box(&d)));
        });
        println!("  Wilcoxon 50 differences, {label}: {us:.0} µs");
    }
}
