//! The end-to-end tests of the `delphi` binary, in one test binary (linked once): a module per
//! subject below, all on one harness (`util.rs`: the binary on a study in a temporary folder,
//! what experts send it, `delphi serve` and a page fetched from it).
//!
//! Adding a subject is a file here and one `mod` line below. Tests run on threads of this one
//! process: none may set environment variables or change the working directory (each runs
//! `delphi` in its own temporary folder, with any variables on the child's `Command`). The one
//! process-wide change, `serve`'s raising of the open-file limit to its hard limit for its 1,000
//! connections, only ever raises it; the test CA (`servers::test_ca`) is made once and shared.

mod util;

/// The study's documented rules as a reader recomputes them (`demo`, `findings`).
mod rules;

/// Real SMTP and IMAP servers and the test CA (shared with crates/collect's tests and benches).
#[path = "../support/mail_servers.rs"]
mod servers;

/// chromedriver and its WebDriver calls (shared with crates/collect's browser test).
#[path = "../support/webdriver.rs"]
mod webdriver;

/// The report crate's test study and its summary (shared with crates/report's tests).
#[path = "../../crates/report/tests/common/mod.rs"]
mod report_common;

mod completions;
mod config;
mod cooke;
mod daily;
mod demo;
mod demo_snapshot;
mod findings;
mod fonts;
mod guidelines;
mod interrupted;
mod json_output;
mod lifecycle;
mod mail;
mod mail_servers;
mod quantiles;
mod questionnaire;
mod reply_corpus;
mod report_browser;
mod report_cooke;
mod report_rationales;
mod rounds;
mod serve;
mod study_problems;
mod submit;
mod terminal_width;
mod ties;
mod translations;
mod trust;
mod validate;
