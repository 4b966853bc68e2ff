//! `delphi invite`: each expert of the open round emailed their invitation (personal link,
//! deadline, reply form) in their language; a re-run sends only what was not sent.

use anyhow::Result;
use clap::Args;
use delphi_collect::mail::Campaign;

use super::Format;
use crate::config::{Config, Given};
use crate::mail::{Decision, MailArgs, Plan, send};
use crate::workspace::Workspace;

#[derive(Debug, Args)]
#[command(after_help = settings_help!())]
pub(crate) struct InviteArgs {
    #[command(flatten)]
    mail: MailArgs,
    /// Only these experts (ids from the panel); by default everyone asked in the open round.
    #[arg(long = "expert")]
    experts: Vec<String>,
    /// Lines for a person, or one JSON document for a script: {"round", "campaign", "sent",
    /// "sent_before", "to", "failed", …} (docs/scripting.md).
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

impl InviteArgs {
    /// The settings file's `[mail]` where the command line and environment gave nothing.
    pub(crate) fn settle(&mut self, file: &Config, given: Given<'_>) {
        self.mail.settle(&file.mail, given);
    }
}

pub(crate) fn run(workspace: &Workspace, args: &InviteArgs) -> Result<()> {
    send(workspace, &args.mail, &args.experts, args.format, |_, _| {
        Ok(Decision::Send(Plan::everyone(Campaign::Invitation)))
    })
}
