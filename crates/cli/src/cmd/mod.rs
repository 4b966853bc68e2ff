//! The subcommands, one module each (typst-cli's layout): each holds its clap arguments
//! and its `run`, which parses nothing more, calls the library crates and prints what
//! happened. What several of them share lives beside this folder (`lifecycle.rs`,
//! `mail.rs`, `render.rs`, `workspace.rs`).

use clap::ValueEnum;

pub(crate) mod answer;
pub(crate) mod audit;
pub(crate) mod completions;
pub(crate) mod cooke;
pub(crate) mod ingest;
pub(crate) mod init;
pub(crate) mod invite;
pub(crate) mod man;
pub(crate) mod panel;
pub(crate) mod rationales;
pub(crate) mod remind;
pub(crate) mod report;
pub(crate) mod round;
pub(crate) mod serve;
pub(crate) mod status;
pub(crate) mod submit;
pub(crate) mod validate;

/// How a listing is printed: a table for people, or JSON for scripts.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub(crate) enum Format {
    #[default]
    Text,
    Json,
}
