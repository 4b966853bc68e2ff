//! `delphi invite`: each expert of the open round emailed their invitation (personal link,
//! deadline, reply form) in their language; a re-run sends only what was not sent.

use anyhow::Result;
use clap::Args;
use delphi_collect::mail::Campaign;

use crate::mail::{MailArgs, Plan, send};
use crate::workspace::Workspace;

#[derive(Debug, Args)]
pub(crate) struct InviteArgs {
    #[command(flatten)]
    mail: MailArgs,
    /// Only these experts (ids from the panel); by default everyone asked in the open round.
    #[arg(long = "expert")]
    experts: Vec<String>,
}

pub(crate) fn run(workspace: &Workspace, args: &InviteArgs) -> Result<()> {
    send(workspace, &args.mail, &args.experts, |_, _| Ok(Some(Plan::everyone(Campaign::Invitation))))
}
