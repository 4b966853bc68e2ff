//! delphi-report: the report of a Delphi study, per domain and round.
//!
//! The study, the statistics of rounds 1..N and what the store recorded of how the rounds ran
//! ([`Conduct`]: dates, feedback, panel counts) go in; a serialisable [`Report`] model comes
//! out ([`build`]), and renderers turn it into bytes and strings:
//!
//! - [`render_pdf`] gives a PDF compiled in-process with typst from a template ([`TEMPLATE`]) that
//!   reads the model as JSON, so nothing an expert or the study author wrote is parsed as
//!   markup. The template and the JSON come back with the PDF, for the CLI to write beside
//!   it; `typst compile report.typ` recompiles it.
//! - [`render_html`] gives one self-contained HTML file (inline CSS and SVG charts, no scripts).
//! - [`render_markdown`] gives Markdown.
//!
//!   Both are one [`layout`] of the report (a [`delphi_markup::Document`]: headings, tables,
//!   figures, paragraphs) encoded twice, so they hold the same words and figures, each label
//!   written once, every text escaped by the encoder.
//! - [`cooke`] gives the report of Cooke's classical model on one case (`delphi cooke`): a
//!   serialisable [`cooke::CookeReport`] and its PDF ([`cooke::render_cooke_pdf`]), in the same
//!   style (`style.typ`, which both templates import), its tables typst functions
//!   (`cooke-tables.typ`) that any template can import.
//! - [`tidy`] gives the tidy exports (every figure, every pseudonymous answer) as CSV and
//!   Parquet, one table written in both encodings.
//!
//! Charts are vectors in greys with their numbers beside them. The embedded fonts have no
//! Chinese glyphs: pass a CJK font in [`PdfOptions::fonts`], otherwise the PDF carries a
//! notice that CJK text is missing (HTML and Markdown always hold the full text).
//!
//! No expert is named: the model holds counts, group figures (small groups suppressed by the
//! statistics engine) and verdicts; Cooke's per-expert results appear under the store's
//! pseudonyms only ([`study_cooke`]). The panel's
//! composition is counts per bloc and institution, groups smaller than the study's minimum
//! counted together without their names. Rationales have a typed place ([`RationaleGroup`]),
//! which the caller fills with anonymous texts.
//!
//! Pure: values in, values out. No files, no network, a fixed date.

#![warn(missing_docs)]

pub mod cooke;
pub mod findings;
pub mod guidelines;
mod html;
pub mod labels;
mod layout;
mod markdown;
pub mod model;
mod pdf;
pub mod rank_tests;
pub mod study_cooke;
pub mod tidy;

pub use html::render_html;
pub use layout::layout;
pub use markdown::render_markdown;
pub use model::{
    AnswerForm, AskedQuestion, Conduct, FeedbackGiven, FrozenQuestions, OriginalText, PanelCount, RationaleGroup,
    RationaleText, Report, RoundConduct, RuleChange, Side, build,
};
pub use pdf::{
    CJK_FAMILIES, DATA_FILE, PdfOptions, PdfReport, REPORT_TEMPLATE, STYLE, TEMPLATE, Template, TypstFile,
    best_cjk_font, render_pdf,
};

/// What can go wrong making a report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The summary covers no round.
    #[error("the summary covers no round: there is nothing to report")]
    NoRounds,
    /// The summary holds an item the study does not ask.
    #[error("the summary holds item {0:?}, which is not a question of the study: summary and study do not match")]
    UnknownItem(String),
    /// A font given in the options could not be read.
    #[error("a font passed to the PDF renderer is not a TTF, OTF or font collection")]
    Font,
    /// The model could not be serialised.
    #[error("the report model could not be serialised: {0}")]
    Json(#[from] serde_json::Error),
    /// Typst failed (a bug in the template, or an edited template).
    #[error("typst could not compile the report: {0}")]
    Typst(String),
    /// A tidy export could not be encoded.
    #[error("the {format} export could not be written: {reason}")]
    Export {
        /// `CSV` or `Parquet`.
        format: &'static str,
        /// What the encoder said.
        reason: String,
    },
}
