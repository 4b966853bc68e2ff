//! `delphi audit`: the study's audit log, every change to the store, oldest first.

use anyhow::Result;
use clap::Args;

use super::Format;
use crate::render::table;
use crate::workspace::Workspace;

#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub(crate) fn run(workspace: &Workspace, args: &AuditArgs) -> Result<()> {
    let (loaded, store) = workspace.open()?;
    let entries = store.audit_log(&loaded.study.id)?;
    match args.format {
        Format::Json => {
            let json: Vec<serde_json::Value> = entries
                .iter()
                .map(|e| serde_json::json!({ "seq": e.seq, "at": e.at.to_rfc3339(), "actor": e.actor, "action": e.action, "detail": e.detail }))
                .collect();
            println!("{}", crate::render::json_for_terminal(&serde_json::Value::Array(json))?);
        }
        Format::Text => {
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    vec![
                        e.seq.to_string(),
                        crate::render::when(e.at),
                        e.actor.clone(),
                        e.action.clone(),
                        e.detail.to_string(),
                    ]
                })
                .collect();
            print!("{}", crate::render::for_terminal(&table(&["seq", "at", "actor", "action", "detail"], &rows)));
        }
    }
    Ok(())
}
