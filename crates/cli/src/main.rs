//! delphi: the command-line tool of a Delphi study.
//!
//! The only crate that knows paths, environment variables and exit codes. Each
//! command loads and checks the study file, opens the study's store, and calls the
//! library crates.

// Every `print!` and `println!` of this crate goes through `output`, so that a closed pipe
// (`delphi report | head -1`) ends the printing and not the command. These two definitions
// shadow std's macros in every module declared below them.
macro_rules! print {
    ($($arg:tt)*) => { $crate::output::print(format_args!($($arg)*)) };
}
macro_rules! println {
    () => { $crate::output::print(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::print(format_args!("{}\n", format_args!($($arg)*))) };
}

// First: its `settings_help!` macro is used in the `--help` of commands in `cmd`.
#[macro_use]
mod config;

mod analysis;
mod atomic;
mod cmd;
mod demo;
mod frozen;
mod lifecycle;
mod mail;
mod output;
mod render;
mod source;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

use crate::workspace::Workspace;

/// Exit codes, documented in `--help` and the README.
pub(crate) mod exit {
    /// Something failed (file system, database); the message says what.
    pub const FAILURE: u8 = 1;
    // 2: the command line was wrong (clap exits with it itself).
    /// The study or panel file has problems; each is listed with file, line and column.
    pub const INVALID_INPUT: u8 = 3;
    /// The request breaks a rule of the round lifecycle; nothing was changed.
    pub const REFUSED: u8 = 4;
}

const AFTER_HELP: &str = "\
A Delphi study in five commands:
  delphi init my-study                      # a study file and panel to edit
  delphi validate --study my-study/study.toml
  delphi panel import --study my-study/study.toml my-study/panel.csv
  delphi round open --study my-study/study.toml --days 14
  delphi status --study my-study/study.toml

Exit codes:
  0  success
  1  failure (file system, database); the message says what failed
  2  wrong command line
  3  the study or panel file, or a submitted answer, has problems (all are listed)
  4  refused by the round lifecycle (e.g. opening round 2 while round 1 is open);
     nothing was changed";

/// Run a Delphi expert-elicitation study: define it in a file, import the panel,
/// open and close rounds, and follow the responses.
#[derive(Debug, Parser)]
#[command(name = "delphi", version, about, long_about = None, after_help = AFTER_HELP, propagate_version = true)]
struct Cli {
    /// The study file (TOML). See docs/study-format.md.
    #[arg(long, global = true, env = "DELPHI_STUDY", default_value = "surveys/ai-safety-cooperation.toml")]
    study: PathBuf,

    /// Where study stores live: <data-dir>/<study-id>/delphi.sqlite.
    #[arg(long, global = true, env = "DELPHI_DATA_DIR", default_value = "rounds")]
    data_dir: PathBuf,

    /// The settings file of invite, remind, ingest and serve (see docs/config.md)
    /// [default: delphi.toml beside the study file, if there is one].
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new study directory (study.toml + panel.csv): a short commented starter
    /// study in one language, or with `--example ai-safety` the shipped two-language study.
    Init(cmd::init::InitArgs),
    /// Check a study file (and its panel) and list every problem with file:line:column.
    Validate(cmd::validate::ValidateArgs),
    /// Manage the panel of experts.
    #[command(subcommand)]
    Panel(cmd::panel::PanelCommand),
    /// Open, close and list rounds.
    #[command(subcommand)]
    Round(cmd::round::RoundCommand),
    /// Record an expert's answers from a filled-in reply form (a file or standard input),
    /// e.g. answers sent by other means; checked exactly as an emailed reply is.
    Answer(cmd::answer::AnswerArgs),
    /// Email each expert of the open round their invitation: personal link, deadline and
    /// reply form, in their language. Re-running sends only what was not sent.
    Invite(cmd::invite::InviteArgs),
    /// Remind those who have not answered the open round, on a schedule (run it daily).
    Remind(cmd::remind::RemindArgs),
    /// Read replies from a Maildir or an IMAP folder, store their answers exactly once and
    /// send each expert a receipt (or what to fix).
    Ingest(cmd::ingest::IngestArgs),
    /// Serve the open round's personal web forms and JSON API (see `delphi round links`).
    Serve(cmd::serve::ServeArgs),
    /// Send answers through a personal link's JSON API (for experts who prefer a script).
    Submit(cmd::submit::SubmitArgs),
    /// Translate a round's rationales for a bilingual panel: export them as a CSV for
    /// translators, import the filled-in file before the next round opens.
    #[command(subcommand, long_about = cmd::rationales::ABOUT)]
    Rationales(cmd::rationales::RationalesCommand),
    /// Write the reports of the rounds so far: PDF, HTML and Markdown per language.
    Report(cmd::report::ReportArgs),
    /// Response counts per round, overall and per group of the panel.
    Status(cmd::status::StatusArgs),
    /// Print the study's audit log: every change to the store, oldest first.
    Audit(cmd::audit::AuditArgs),
    /// Run Cooke's classical model on an existing expert-judgment case (EXCALIBUR's
    /// `CASE.dtt CASE.rls`, or an ANDURYL `.json`), without a study or a store: every
    /// expert's calibration, information and weight, the decision makers' quantiles, and with
    /// `--robustness` the tables leaving out each seed and each expert. Writes a PDF of the
    /// tables, JSON, CSV and Parquet.
    Cooke(cmd::cooke::CookeArgs),
    /// Run the shipped study end to end with a synthetic panel of fictional experts: every
    /// round opened, invitations written to the outbox, answers through the web collector's
    /// JSON API and by email reply, rounds closed, reports written, the conclusions printed.
    /// Uses <data-dir>/demo/ (ignores --study).
    Demo(demo::DemoArgs),
    /// Print the shell's tab completion for delphi (bash, zsh, fish, elvish, powershell);
    /// `--help` says where to put it.
    Completions(cmd::completions::CompletionsArgs),
    /// Print the manual page (`delphi man | man -l -`), or write one page per subcommand
    /// with `--out DIR`.
    Man(cmd::man::ManArgs),
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
    // What the subcommand's own command line and environment gave, which the file does not override.
    let given = config::Given(matches.subcommand().map(|(_, matches)| matches));
    let result = run(cli, given);
    // The work is done; output that could not be written (other than to a reader that
    // left) is a failure of the command too.
    let result = result.and_then(|()| output::finish().context("cannot write to standard output"));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => ExitCode::from(render::report_error(&error)),
    }
}

/// Runs the command line's subcommand; those that read the settings file get it first.
fn run(cli: Cli, given: config::Given<'_>) -> anyhow::Result<()> {
    let workspace = Workspace::new(cli.study, cli.data_dir);
    let settings = || config::load(cli.config.as_deref(), workspace.study_path());
    match cli.command {
        Command::Init(args) => cmd::init::run(&args),
        Command::Validate(args) => cmd::validate::run(workspace.study_path(), &args),
        Command::Panel(command) => cmd::panel::run(&workspace, command),
        Command::Round(command) => cmd::round::run(&workspace, command),
        Command::Answer(args) => cmd::answer::run(&workspace, &args),
        Command::Invite(mut args) => {
            args.settle(&settings()?, given);
            cmd::invite::run(&workspace, &args)
        }
        Command::Remind(mut args) => {
            args.settle(&settings()?, given);
            cmd::remind::run(&workspace, &args)
        }
        Command::Ingest(mut args) => {
            args.settle(&settings()?, given);
            cmd::ingest::run(&workspace, &args)
        }
        Command::Serve(mut args) => {
            args.settle(&settings()?.serve, given);
            cmd::serve::run(&workspace, &args)
        }
        Command::Submit(args) => cmd::submit::run(&args),
        Command::Rationales(command) => cmd::rationales::run(&workspace, &command),
        Command::Report(args) => cmd::report::run(&workspace, &args),
        Command::Status(args) => cmd::status::run(&workspace, &args),
        Command::Audit(args) => cmd::audit::run(&workspace, &args),
        Command::Demo(args) => demo::demo(workspace.data_dir(), &args),
        Command::Cooke(args) => cmd::cooke::run(&args),
        Command::Completions(args) => cmd::completions::run(&args),
        Command::Man(args) => cmd::man::run(&args),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
