//! `cargo bench -p delphi-stats`: a synthetic study of 10,000 experts × 100 items × 3 rounds
//! summarised in full (every per-item measure, stability, groups, reliability) and by its
//! per-item path alone (`summarise_items`), timed with std::time, best of 3; the same
//! measures computed by scripts/stats-bench-pandas.py (pandas + scipy) against the whole
//! summary, and the per-item measures by scripts/stats-bench-polars.py (polars, lazy, best of
//! 3) against the per-item path, in the same run.
//!
//! Environment: `DELPHI_BENCH_SIZE=experts,items,rounds` (default 10000,100,3),
//! `DELPHI_BENCH_PANDAS=0` / `DELPHI_BENCH_POLARS=0` skip a comparison.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use delphi_stats::summarise::{ItemResult, ItemRound};
use delphi_stats::synthetic::{synthetic_study, write_csv};
use delphi_stats::{summarise, summarise_items};

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
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("  load average at the start: {}", load.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
    }

    let t = Instant::now();
    let study = synthetic_study(experts, items, rounds, 42).expect("synthetic study");
    let build = t.elapsed().as_secs_f64();
    println!("  answers: {}", study.table.len());
    println!("  generate + validate + sort the table: {build:.3} s");

    let (rust, s) = best_of_3("summarise", || summarise(&study.table, &study.config).expect("summarise"));
    let (per_item, item_rounds) =
        best_of_3("summarise_items", || summarise_items(&study.table, &study.config).expect("summarise_items"));
    assert_eq!(item_rounds, s.items, "the per-item path and the whole summary disagree");
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

    let peers: Vec<(&str, &str)> = [("DELPHI_BENCH_PANDAS", "pandas + scipy"), ("DELPHI_BENCH_POLARS", "polars")]
        .into_iter()
        .filter(|(switch, _)| !std::env::var(switch).is_ok_and(|v| v == "0"))
        .collect();
    if peers.is_empty() {
        return;
    }
    let dir = tempfile_dir();
    let csv = dir.join("answers.csv");
    {
        let f = std::io::BufWriter::new(std::fs::File::create(&csv).expect("create csv"));
        write_csv(&study.table, f).expect("write csv");
    }
    let medians = median_sum(&item_rounds);
    for (_, peer) in peers {
        let script = if peer == "polars" { "stats-bench-polars.py" } else { "stats-bench-pandas.py" };
        let Some(peer_run) = run_peer(script, &csv) else {
            let _ = std::fs::remove_dir_all(&dir);
            std::process::exit(1);
        };
        println!("  {peer}: load CSV {:.3} s, compute {:.4} s", peer_run.load, peer_run.compute);
        if let Some(runs) = &peer_run.runs {
            println!("  {peer} compute, all runs: {runs}");
        }
        if let Some(p) = peer_run.peak_rss_mib {
            println!("  {peer} peak memory: {p:.0} MiB");
        }
        if let Some(check) = peer_run.median_sum {
            println!("  sanity: sum of medians rust {medians} / {peer} {check}");
            assert!((medians - check).abs() < 1e-9, "{peer} computed other medians than delphi");
        }
        // Like for like: polars computes the per-item measures only, pandas everything.
        let (what, delphi) = if peer == "polars" {
            ("per-item measures, best of 3 each side", per_item)
        } else {
            ("everything, compute only", rust)
        };
        println!("  speed-up over {peer} ({what}): {:.1}×", peer_run.compute / delphi);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `f` three times; the best time and the last result.
fn best_of_3<T>(what: &str, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let t = Instant::now();
        last = Some(f());
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "  {what} (best of 3): {:.4} s   [all runs: {}]",
        times[0],
        times.iter().map(|x| format!("{x:.4}")).collect::<Vec<_>>().join(", ")
    );
    (times[0], last.expect("ran three times"))
}

/// The sum of every ordinal item-round's median: the sanity check both peers print too.
fn median_sum(items: &[ItemRound]) -> f64 {
    items
        .iter()
        .filter_map(|i| match &i.result {
            ItemResult::Ordinal(o) => o.median.value(),
            _ => None,
        })
        .sum()
}

/// What a peer script printed.
struct PeerRun {
    load: f64,
    compute: f64,
    peak_rss_mib: Option<f64>,
    median_sum: Option<f64>,
    /// Every timed run, as printed.
    runs: Option<String>,
}

/// Runs `scripts/<script> answers.csv`; `None` (having said why) when it fails.
fn run_peer(script: &str, csv: &std::path::Path) -> Option<PeerRun> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts").join(script);
    let out = Command::new("python3").arg(&path).arg(csv).output().expect("run python3");
    if !out.status.success() {
        eprintln!("{script} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |name: &str| -> Option<f64> {
        text.lines().find_map(|l| l.strip_prefix(name).and_then(|v| v.trim().parse().ok()))
    };
    let (Some(load), Some(compute)) = (field("load_s "), field("compute_s ")) else {
        eprintln!("unexpected output from {script}:\n{text}");
        return None;
    };
    let runs = text.lines().find_map(|l| l.strip_prefix("compute_runs ")).map(str::to_owned);
    Some(PeerRun { load, compute, peak_rss_mib: field("peak_rss_mib "), median_sum: field("median_sum "), runs })
}

fn tempfile_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("delphi-stats-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}
