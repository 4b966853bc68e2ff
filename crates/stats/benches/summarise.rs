//! `cargo bench -p delphi-stats`: a synthetic study of 10,000 experts × 100 items × 3 rounds
//! summarised in full (every per-item measure, stability, groups, reliability), timed with
//! std::time, and the same measures computed by scripts/stats-bench-pandas.py (pandas +
//! scipy) in the same run.
//!
//! Environment: `DELPHI_BENCH_SIZE=experts,items,rounds` (default 10000,100,3),
//! `DELPHI_BENCH_PANDAS=0` skips the pandas comparison.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use delphi_stats::summarise;
use delphi_stats::synthetic::{synthetic_study, write_csv};

fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let size = std::env::var("DELPHI_BENCH_SIZE").unwrap_or_else(|_| "10000,100,3".into());
    let dims: Vec<usize> =
        size.split(',').map(|x| x.trim().parse().expect("DELPHI_BENCH_SIZE=experts,items,rounds")).collect();
    let (experts, items, rounds) = (dims[0], dims[1], u32::try_from(dims[2]).unwrap());
    println!("delphi-stats benchmark: {experts} experts × {items} items × {rounds} rounds");

    let t = Instant::now();
    let study = synthetic_study(experts, items, rounds, 42).expect("synthetic study");
    let build = t.elapsed().as_secs_f64();
    println!("  answers: {}", study.table.len());
    println!("  generate + validate + sort the table: {build:.3} s");

    let mut times = Vec::new();
    let mut summary = None;
    for _ in 0..3 {
        let t = Instant::now();
        let s = summarise(&study.table, &study.config).expect("summarise");
        times.push(t.elapsed().as_secs_f64());
        summary = Some(s);
    }
    times.sort_by(f64::total_cmp);
    let s = summary.expect("ran");
    let rust = times[0];
    println!(
        "  summarise (best of 3): {rust:.3} s   [all runs: {}]",
        times.iter().map(|x| format!("{x:.3}")).collect::<Vec<_>>().join(", ")
    );
    println!(
        "  results: {} item-rounds, {} stability pairs, {} group comparisons, {} reliability rounds",
        s.items.len(),
        s.stability.len(),
        s.groups.len(),
        s.reliability.len()
    );
    let peak = peak_rss_mib();
    if let Some(p) = peak {
        println!("  peak memory (VmHWM) of this process: {p:.0} MiB");
    }

    if std::env::var("DELPHI_BENCH_PANDAS").is_ok_and(|v| v == "0") {
        return;
    }
    let dir = tempfile_dir();
    let csv = dir.join("answers.csv");
    {
        let f = std::io::BufWriter::new(std::fs::File::create(&csv).expect("create csv"));
        write_csv(&study.table, f).expect("write csv");
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/stats-bench-pandas.py");
    let out = Command::new("python3").arg(&script).arg(&csv).output().expect("run python3");
    let _ = std::fs::remove_dir_all(&dir);
    if !out.status.success() {
        eprintln!("stats-bench-pandas.py failed:\n{}", String::from_utf8_lossy(&out.stderr));
        std::process::exit(1);
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| -> Option<f64> {
        text.lines().find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok()))
    };
    let (Some(load), Some(compute)) = (field("load_s"), field("compute_s")) else {
        eprintln!("unexpected output from the pandas script:\n{text}");
        std::process::exit(1);
    };
    println!("  pandas + scipy: load CSV {load:.3} s, compute {compute:.3} s");
    if let Some(p) = field("peak_rss_mib") {
        println!("  pandas peak memory: {p:.0} MiB");
    }
    if let Some(check) = field("median_sum") {
        let ours: f64 = s
            .items
            .iter()
            .filter_map(|i| match &i.result {
                delphi_stats::summarise::ItemResult::Ordinal(o) => o.median.value(),
                _ => None,
            })
            .sum();
        println!("  sanity: sum of medians rust {ours} / pandas {check}");
    }
    println!("  speed-up over pandas + scipy (compute only): {:.1}×", compute / rust);
}

fn tempfile_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("delphi-stats-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}
