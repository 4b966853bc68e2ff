//! The full report set (model, PDF, HTML, Markdown, JSON: overview + every domain × every
//! round) for the shipped study with three rounds of synthetic answers, and for a study of
//! 100 domains. Run with `cargo bench -p delphi-report`; the statistics are computed once,
//! outside the timing. Targets (issue 7): under 3 s and under 30 s in release.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use delphi_core::Study;
use delphi_report::{PdfOptions, build, render_html, render_markdown, render_pdf};
use delphi_stats::StudySummary;

struct Timing {
    total: Duration,
    pdf: Duration,
    pages: usize,
    bytes: usize,
}

fn full_set(study: &Study, summary: &StudySummary) -> Timing {
    let start = Instant::now();
    let conduct = common::conduct(study, 3, true);
    let mut pdf_time = Duration::ZERO;
    let mut pages = 0;
    let mut bytes = 0;
    for language in &study.languages {
        let report = build(study, summary, &conduct, language).expect("report");
        let t = Instant::now();
        let pdf = render_pdf(&report, &PdfOptions::default()).expect("pdf");
        pdf_time += t.elapsed();
        pages += pdf.pages;
        bytes += pdf.pdf.len() + pdf.json.len();
        bytes += render_html(&report).len();
        bytes += render_markdown(&report).len();
    }
    Timing { total: start.elapsed(), pdf: pdf_time, pages, bytes }
}

fn run(name: &str, study: &Study, experts: usize, limit: Duration) {
    let summary = common::summary(study, experts, 3);
    // warm-up (fonts parsed once per process), then the best of three
    let _ = full_set(study, &summary);
    let best = (0..3).map(|_| full_set(study, &summary)).min_by_key(|t| t.total).expect("three runs");
    println!(
        "{name}: {} domains × 3 rounds × {} languages, {experts} experts: full report set {:.2} s (PDF {:.2} s), {} pages, {:.1} MB; target < {} s: {}",
        study.domains.len(),
        study.languages.len(),
        best.total.as_secs_f64(),
        best.pdf.as_secs_f64(),
        best.pages,
        best.bytes as f64 / 1e6,
        limit.as_secs(),
        if best.total < limit { "met" } else { "NOT MET" }
    );
}

fn main() {
    run("shipped study", &common::shipped(), 40, Duration::from_secs(3));
    run("100-domain study", &common::study_with_domains(96), 40, Duration::from_secs(30));
}
