//! `delphi completions <shell>`: the shell's tab completion of delphi's subcommands and
//! flags, printed for the shell to load (clap_complete).

use anyhow::Result;
use clap::{Args, CommandFactory as _};
use clap_complete::Shell;

const AFTER_HELP: &str = "\
Install (then open a new shell):
  bash        delphi completions bash > ~/.local/share/bash-completion/completions/delphi
              (needs the bash-completion package; or `source <(delphi completions bash)` in ~/.bashrc)
  zsh         delphi completions zsh > ~/.zfunc/_delphi
              and in ~/.zshrc, before compinit:  fpath=(~/.zfunc $fpath); autoload -Uz compinit; compinit
  fish        delphi completions fish > ~/.config/fish/completions/delphi.fish
  elvish      delphi completions elvish >> ~/.config/elvish/rc.elv
  powershell  delphi completions powershell >> $PROFILE

Re-run after updating delphi, so new subcommands and flags complete too.";

#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    shell: Shell,
}

pub(crate) fn run(args: &CompletionsArgs) -> Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut crate::Cli::command(), "delphi", &mut script);
    print!("{}", String::from_utf8_lossy(&script));
    Ok(())
}
