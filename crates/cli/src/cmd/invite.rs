//! `delphi invite`: each expert of the open round emailed their invitation (personal link,
//! deadline, reply form) in their language; a re-run sends only what was not sent.

use anyhow::Result;
use clap::Args;
use delphi_collect::mail::Campaign;

use crate::config::{Config, Given};
use crate::mail::{MailArgs, Plan, send};
use crate::workspace::Workspace;

#[derive(Debug, Args)]
#[command(after_help = settings_help!())]
pub(crate) struct InviteArgs {
    #[command(flatten)]
    mail: MailArgs,
    /// Only these experts (ids from the panel); by default everyone asked in the open round.
    #[arg(long = "expert")]
    experts: Vec<String>,
}

impl InviteArgs {
    /// The settings file's `[mail]` where the command line and environment gave nothing.
    pub(crate) fn settle(&mut self, file: &Config, given: Given<'_>) {
        self.mail.settle(&file.mail, given);
    }
}

pub(crate) fn run(workspace: &Workspace, args: &InviteArgs) -> Result<()> {
    send(workspace, &args.mail, &args.experts, |_, _| Ok(Some(Plan::everyone(Campaign::Invitation))))
}
