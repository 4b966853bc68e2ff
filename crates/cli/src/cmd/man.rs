//! `delphi man`: the manual pages, from the same definitions as `--help` (clap_mangen):
//! `delphi.1` on standard output, or with `--out DIR` one page per command and subcommand.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, CommandFactory as _};

use crate::atomic;

const AFTER_HELP: &str = "\
Read it now:      delphi man | man -l -
Install the pages for `man delphi`, `man delphi-round-open`, …:
  delphi man --out ~/.local/share/man/man1      (for you; man finds it through ~/.local/bin on PATH)
  sudo delphi man --out /usr/local/share/man/man1   (for everyone; then `sudo mandb`)";

#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct ManArgs {
    /// Write delphi.1 and one page per subcommand (delphi-round-open.1, …) into this
    /// directory instead of printing delphi.1.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub(crate) fn run(args: &ManArgs) -> Result<()> {
    let command = crate::Cli::command();
    match &args.out {
        None => print!("{}", String::from_utf8_lossy(&page(command)?)),
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            let written = write_pages(dir, command)?;
            println!("{} manual pages written to {} (delphi.1 and one per subcommand)", written, dir.display());
        }
    }
    Ok(())
}

/// The roff source of `command`'s page.
fn page(command: clap::Command) -> Result<Vec<u8>> {
    let mut roff = Vec::new();
    clap_mangen::Man::new(command).render(&mut roff).context("cannot render the manual page")?;
    Ok(roff)
}

/// Writes the page of `command` and of each of its subcommands, named as `man` looks them up
/// (`delphi-round-open.1`); returns how many.
fn write_pages(dir: &Path, command: clap::Command) -> Result<usize> {
    let mut command = command;
    // Built, subcommands know their full names (`delphi-round-open`) and have their help flags.
    command.build();
    let mut pending = vec![command];
    let mut written = 0;
    while let Some(command) = pending.pop() {
        let name = command.get_display_name().unwrap_or_else(|| command.get_name()).to_owned();
        pending.extend(command.get_subcommands().filter(|sub| sub.get_name() != "help").cloned());
        atomic::write(&dir.join(format!("{name}.1")), &page(command)?)?;
        written += 1;
    }
    Ok(written)
}
