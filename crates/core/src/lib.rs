//! delphi-core: the study model of a Delphi study and its file formats.
//!
//! A study file (TOML) and a panel (CSV) are parsed and validated into values of
//! this crate. Validation reports every problem at once, each with file, line,
//! column, the field and a hint. The crate is pure: no I/O beyond parsing the
//! strings it is given, no async, no SQL.

#![warn(missing_docs)]

pub mod consensus;
pub mod panel;
mod parse;
pub mod problem;
pub mod rng;
pub mod study;
pub mod text;

pub use problem::{Location, Problem, Problems};
pub use study::{Question, Study};
