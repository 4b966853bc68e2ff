//! How results and errors are shown on the terminal.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use delphi_core::Problems;
pub(crate) use delphi_core::text::{for_terminal, line_for_terminal};
use delphi_core::text::{is_bidi_control, is_control};
use delphi_store::{Round, RoundState, StoreError};

use crate::exit;

/// Prints an error for a person to act on and returns the exit code it stands for. Errors
/// quote what experts wrote (a value that is not a number, a reply's Message-ID), so all
/// of it goes through [`for_terminal`].
pub(crate) fn report_error(error: &anyhow::Error) -> u8 {
    if let Some(problems) = error.downcast_ref::<Problems>() {
        eprint!("{}", for_terminal(&problems_text(problems)));
        return exit::INVALID_INPUT;
    }
    if let Some(invalid) = error.downcast_ref::<InvalidAnswers>() {
        eprint!("{}", for_terminal(&invalid.to_string()));
        return exit::INVALID_INPUT;
    }
    if let Some(refusal) = error.downcast_ref::<StoreError>().and_then(StoreError::refusal) {
        eprintln!("refused: {}", for_terminal(&refusal.to_string()));
        eprintln!("nothing was changed.");
        return exit::REFUSED;
    }
    if let Some(refused) = error.downcast_ref::<Refused>() {
        eprintln!("refused: {}", for_terminal(&refused.to_string()));
        eprintln!("nothing was changed.");
        return exit::REFUSED;
    }
    eprintln!("error: {}", for_terminal(&error.to_string()));
    for cause in error.chain().skip(1) {
        eprintln!("  caused by: {}", for_terminal(&cause.to_string()));
    }
    exit::FAILURE
}

/// A request the round lifecycle refuses that the store has no rule for (exit 4), e.g. the
/// summary of a round that is still open.
#[derive(Debug)]
pub(crate) struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// JSON for a terminal: serde_json writes C0 controls as `\u00XX` already, but DEL, C1
/// and bidi controls raw; each is written as its `\uXXXX` escape here (all are in the
/// Basic Multilingual Plane), which is the same JSON value. Outside strings serde_json
/// writes ASCII only, so every such character found is inside a string.
pub(crate) fn json_for_terminal(value: &serde_json::Value) -> Result<String, serde_json::Error> {
    let json = serde_json::to_string_pretty(value)?;
    Ok(json
        .chars()
        .map(|c| {
            // A line feed outside a string is layout; inside one serde_json writes `\n`.
            if c != '\n' && (is_control(c) || is_bidi_control(c)) {
                format!("\\u{:04x}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect())
}

/// A reply whose answers were refused; nothing of it was stored.
#[derive(Debug)]
pub(crate) struct InvalidAnswers(pub Vec<String>);

impl std::fmt::Display for InvalidAnswers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for message in &self.0 {
            writeln!(f, "error: {message}")?;
        }
        writeln!(
            f,
            "{} problem{} in the reply; nothing was recorded",
            self.0.len(),
            if self.0.len() == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for InvalidAnswers {}

/// Every problem as `file:line:column: field: message`, the source line, and the hint.
pub(crate) fn problems_text(problems: &Problems) -> String {
    let mut out = String::new();
    for problem in problems.iter() {
        let _ = writeln!(out, "error: {}: {}: {}", problem.location, problem.field, problem.message);
        let number = problem.location.line.to_string();
        let gutter = " ".repeat(number.len());
        if !problem.source_line.is_empty() {
            let _ = writeln!(out, " {number} | {}", problem.source_line);
            let pad: String = problem
                .source_line
                .chars()
                .take(problem.location.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(out, " {gutter} | {pad}^");
        }
        if let Some(hint) = &problem.hint {
            let _ = writeln!(out, " {gutter} = hint: {hint}");
        }
    }
    let count = problems.problems.len();
    let _ = writeln!(out, "{count} problem{} in {}", if count == 1 { "" } else { "s" }, problems.file);
    out
}

/// Pads columns of a small table to their widest cell.
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).chain([header[i].len()]).max().unwrap_or(0))
        .collect();
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut out = line(header.to_vec());
    out.push('\n');
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}

/// A time as the terminal shows it: `2026-12-15 17:00 UTC`.
pub(crate) fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A round's opening, deadline and closing as [`when`] shows them, `-` for what has not happened.
pub(crate) fn round_dates(round: &Round) -> (String, String, String) {
    match round.state {
        RoundState::Draft => ("-".into(), "-".into(), "-".into()),
        RoundState::Open { opened_at, deadline } => (when(opened_at), when(deadline), "-".into()),
        RoundState::Closed { opened_at, deadline, closed_at } => (when(opened_at), when(deadline), when(closed_at)),
    }
}

#[cfg(test)]
mod tests {
    use super::json_for_terminal;

    #[test]
    fn json_for_a_terminal_escapes_c1_and_bidi_controls_and_stays_the_same_value() {
        let value = serde_json::json!({ "reason": "a\u{1b}[2Jb\u{202E}c\u{9b}d\u{7f}", "n": [1, 2] });
        let shown = json_for_terminal(&value).unwrap();
        assert!(!shown.contains(['\u{1b}', '\u{202E}', '\u{9b}', '\u{7f}']), "{shown}");
        assert!(shown.contains("\\u202e") && shown.contains("\\u009b"), "{shown}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&shown).unwrap(), value);
    }
}
