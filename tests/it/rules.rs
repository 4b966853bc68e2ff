//! The study's documented rules as a reader recomputes them from the exported answers, for
//! the end-to-end tests that check the reports' conclusions (`demo.rs`, `findings.rs`): written
//! from the documentation, never calling the engine.

/// The documented benefit–risk rule (crates/stats/src/synthesis.rs) on the shipped study's 1–7
/// scale: medians normalised to 0–1, promising when the benefit is above the midpoint and the
/// worst risk below it; needs safeguards when the benefit is above the midpoint and at least
/// the worst risk; avoid otherwise.
pub fn placement(benefit: f64, worst_risk: f64) -> &'static str {
    let (b, r) = ((benefit - 1.0) / 6.0, (worst_risk - 1.0) / 6.0);
    if b > 0.5 && r < 0.5 {
        "promising"
    } else if b > 0.5 && b >= r {
        "needs_safeguards"
    } else {
        "avoid"
    }
}
