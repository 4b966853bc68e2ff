//! delphi-report: summaries of rounds in, a report model out, and its renderers
//! (PDF through typst, HTML, Markdown, tidy exports). typst lives here and nowhere
//! else. Pure: values in, values out.
//!
//! Not built yet (see issue 7); the crate exists so the workspace has its final shape.
