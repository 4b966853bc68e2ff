//! delphi-markup: a page laid out once, encoded many ways.
//!
//! A [`Document`] is a tree of [`Block`]s (headings, paragraphs, notes, notices, tables, lists,
//! figures, verbatim text, sections) holding [`Inline`]s (text, strong, emphasis, code, links to
//! anchors, muted spans, line breaks). Text goes into the tree as written; only the encoders
//! escape it, each for its own format, so a caller can neither forget to escape nor escape twice:
//!
//! - [`html::encode`]: HTML that is also well-formed XML;
//! - [`markdown::encode`]: CommonMark with GFM tables, every text shown literally;
//! - [`plain::encode`]: plain text with aligned table columns.
//!
//! [`escape`] is the one escaper every crate uses for text a reader sees, on its own or through
//! the encoders: control characters dropped (line breaks and tabs kept) and bidi embeddings,
//! overrides and isolates dropped, so that no text reorders or hides what follows it
//! ([`escape::clean`]); then the format's own characters ([`escape::html`],
//! [`escape::markdown`]).
//!
//! Figures are SVG drawn through [`svg::Svg`], whose texts are escaped like any other: no
//! caller can put an arbitrary string of SVG into a document.
//!
//! A pure leaf: no I/O, no other delphi crate, no dependency.

#![warn(missing_docs)]

mod doc;
pub mod escape;
pub mod html;
pub mod markdown;
pub mod plain;
pub mod svg;

pub use doc::{
    Align, Anchor, AnchorError, Block, Class, Document, Figure, Heading, Inline, IntoInlines, Section, Span, Style,
    Table,
};
