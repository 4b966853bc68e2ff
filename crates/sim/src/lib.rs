//! delphi-sim: the simulated experts of `delphi demo`.
//!
//! A synthetic panel of fictional experts from fictional institutions in up to four blocs
//! (`panel.rs`), and how they behave (`answers.rs`): in round 1 each answers from the view of
//! their bloc with noise of their own; in later rounds most move toward the group median they
//! were shown, some hold out and say why, and some drop out. Those who answer by email write
//! their reply as a person does in a mail client (`reply.rs`).
//!
//! Everything is drawn from the project's one seeded generator, [`delphi_core::rng::Rng`],
//! with a stream per purpose (the panel, each expert, each expert's round), so the same seed
//! gives the same panel and the same answers whatever order the caller asks in. The crate is
//! pure: values in, values out; the demo in the CLI opens the rounds, sends, posts, ingests
//! and reports.

#![warn(missing_docs)]

pub mod answers;
pub mod panel;
pub mod reply;

pub use answers::Turn;
pub use panel::{BLOCS, Blocs, Channel, SimulatedExpert, bloc_counts, panel_csv, synthetic_panel};
pub use reply::{Invitation, email_reply};
