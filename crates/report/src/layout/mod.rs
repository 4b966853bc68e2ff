//! The report laid out once, as a [`Document`] that the HTML and Markdown renderers encode.
//!
//! One module per part: the front matter here, then [`overview`], [`cooke`] (seed questions),
//! [`methods`] with its [`rank_tests`], each [`domain`], the reporting [`guidelines`] and the
//! [`questionnaire`] of each round;
//! [`charts`] draws the figures. Every
//! word comes from the model's [`Labels`] or from the study; the encoders add no word of
//! their own and escape every text.
//!
//! [`Labels`]: crate::labels::Labels

mod charts;
mod cooke;
mod domain;
mod guidelines;
mod methods;
mod overview;
mod questionnaire;
mod rank_tests;

use delphi_markup::{Block, Class, Document, Heading, Inline};
use delphi_stats::item::Outcome;

use crate::model::{CriterionRow, Num, Report, VerdictCell};

/// The report as one document tree.
pub fn layout(report: &Report) -> Document {
    let mut doc = Document::new();
    doc.extend(front(report));
    doc.extend(overview::overview(report));
    doc.extend(cooke::cooke(report));
    doc.extend(methods::methods(report));
    doc.extend(rank_tests::rank_tests(report));
    for d in &report.domains {
        doc.extend(domain::domain(report, d));
    }
    doc.extend(guidelines::guidelines(report));
    doc.extend(questionnaire::questionnaire(report));
    doc
}

/// Title, what the report covers, notices, the anonymity line and the findings.
fn front(report: &Report) -> Vec<Block> {
    let l = &report.labels;
    let mut blocks = vec![
        Heading::new(1, report.study.title.as_str()).into(),
        Block::Paragraph(vec![Inline::text(format!(
            "{} · {} · {}: {}",
            l.report,
            report.study.id,
            l.rounds_reported,
            list(&report.rounds)
        ))]),
    ];
    blocks.extend(report.notices.iter().map(|n| Block::Notice(vec![n.into()])));
    blocks.push(Block::Note(vec![Inline::emphasis(l.anonymity.as_str())]));
    blocks.extend(findings(report));
    blocks
}

/// The findings in words, an area a paragraph, then the method in one paragraph: what page 1
/// of the PDF says (the study's description, written to the experts, is in the methods).
fn findings(report: &Report) -> Vec<Block> {
    let f = &report.findings;
    let mut blocks = vec![Heading::new(2, f.heading.as_str()).into()];
    blocks.extend(f.areas.iter().map(|a| {
        let sentences = a.sentences.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(&f.joiner);
        Block::Paragraph(vec![
            Inline::strong(format!("{}{}", a.title, f.title_stop)),
            format!("{}{sentences}", f.joiner).into(),
        ])
    }));
    blocks.push(Heading::new(3, f.method_heading.as_str()).into());
    blocks.push(Block::Paragraph(vec![
        f.method.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(&f.joiner).into(),
    ]));
    blocks
}

/// Rounds as `1, 2, 3`.
fn list(rounds: &[u32]) -> String {
    rounds.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

/// A figure as printed; an undefined one with its reason as a hint.
fn num(n: &Num) -> Inline {
    match &n.note {
        Some(reason) if n.value.is_none() => Inline::plain(n.text.as_str()).with_hint(reason.as_str()),
        _ => Inline::text(n.text.as_str()),
    }
}

/// A count or round number.
fn count(n: impl std::fmt::Display + Copy) -> Inline {
    Inline::text(n.to_string())
}

/// `text`, or `—` when there is none.
fn or_dash(text: Option<&str>) -> Inline {
    Inline::text(text.unwrap_or("—"))
}

const MET: Class = Class::new("met");
const NOT_MET: Class = Class::new("not-met");
const TOO_FEW: Class = Class::new("too-few-answers");
const UNDEFINED: Class = Class::new("undefined");

/// A consensus or stability verdict: its word, strong when met and muted when undefined, its
/// reason as a hint.
fn verdict(v: Option<&VerdictCell>) -> Inline {
    let Some(v) = v else { return Inline::text("—") };
    let label = v.label.as_str();
    let (word, class) = match v.outcome {
        Outcome::Met => (Inline::strong(label), MET),
        Outcome::NotMet => (Inline::plain(label), NOT_MET),
        Outcome::TooFewAnswers => (Inline::plain(label), TOO_FEW),
        Outcome::Undefined => (Inline::muted(label), UNDEFINED),
    };
    word.with_class(class).with_hint(v.reason.as_str())
}

/// A verdict's reason in small print, for the table column that spells it out.
fn reason(v: Option<&VerdictCell>) -> Inline {
    Inline::plain(v.map(|v| v.reason.as_str()).unwrap_or_default()).with_class(SMALL)
}

const SMALL: Class = Class::new("small");

/// The headings of a rating's figures, after its name's column: a criterion's, or an extra
/// rating item's.
fn rating_heads(l: &crate::labels::Labels) -> [&str; 8] {
    [&l.n, &l.dont_know, &l.median, &l.quartiles, &l.iqr, &l.agreement, &l.verdict, &l.reason].map(String::as_str)
}

/// A rating's figures under [`rating_heads`].
fn rating_cells(c: &CriterionRow) -> [Vec<Inline>; 8] {
    [
        vec![count(c.n)],
        vec![count(c.dont_know)],
        vec![num(&c.median)],
        vec![num(&c.q1), "–".into(), num(&c.q3)],
        vec![num(&c.iqr)],
        vec![num(&c.agreement)],
        vec![verdict(c.verdict.as_ref())],
        vec![reason(c.verdict.as_ref())],
    ]
}

#[cfg(test)]
mod tests {
    use delphi_markup::{Block, Document};

    use super::*;

    fn html(inline: Inline) -> String {
        let mut doc = Document::new();
        doc.push(Block::Paragraph(vec![inline]));
        delphi_markup::html::encode(&doc)
    }

    #[test]
    fn an_undefined_figure_carries_its_reason_and_a_defined_one_nothing() {
        let undefined = Num { value: None, text: "—".into(), note: Some("median between two boxes".into()) };
        assert_eq!(html(num(&undefined)), "<p><span title=\"median between two boxes\">—</span></p>\n");
        let defined = Num { value: Some(2.5), text: "2.5".into(), note: None };
        assert_eq!(html(num(&defined)), "<p>2.5</p>\n");
    }

    #[test]
    fn verdicts_are_styled_by_outcome_with_their_reason() {
        let cell = |outcome| VerdictCell { outcome, label: "L".into(), reason: "R <5".into() };
        assert_eq!(html(verdict(Some(&cell(Outcome::Met)))), "<p><b class=\"met\" title=\"R &lt;5\">L</b></p>\n");
        assert_eq!(
            html(verdict(Some(&cell(Outcome::NotMet)))),
            "<p><span class=\"not-met\" title=\"R &lt;5\">L</span></p>\n"
        );
        assert_eq!(
            html(verdict(Some(&cell(Outcome::TooFewAnswers)))),
            "<p><span class=\"too-few-answers\" title=\"R &lt;5\">L</span></p>\n"
        );
        assert_eq!(
            html(verdict(Some(&cell(Outcome::Undefined)))),
            "<p><i class=\"undefined\" title=\"R &lt;5\">L</i></p>\n"
        );
        assert_eq!(html(verdict(None)), "<p>—</p>\n");
    }
}
