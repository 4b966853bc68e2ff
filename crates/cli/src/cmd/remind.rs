//! `delphi remind`: those who have not answered the open round reminded, at most once in
//! each slot of the reminder schedule however often it runs.

use std::collections::BTreeSet;

use anyhow::{Result, bail};
use chrono::{DateTime, Duration, Utc};
use clap::Args;
use delphi_collect::mail::Campaign;

use crate::config::{Config, Given};
use crate::mail::{MailArgs, Plan, send};
use crate::workspace::Workspace;

/// What a slot of the schedule is, for `remind --help`.
macro_rules! remind_after_help {
    () => {
        "\
Slots: the schedule's days (days before the deadline) cut the round into slots: from the
opening to the first reminder day, from one reminder day to the next, and from the last to
the deadline. An expert gets at most one reminder in each slot, however often `remind`
runs (cron twice, or --now after a scheduled one); --force sends anyway. Moving the
deadline (`round extend`) moves the slots."
    };
}

// Reminders go to those who have not answered the open round, at most one per expert in
// each slot of the schedule (`remind_after_help!` says what a slot is, in `remind --help`).
#[derive(Debug, Args)]
#[command(after_help = concat!(remind_after_help!(), "\n\n", settings_help!()))]
pub(crate) struct RemindArgs {
    #[command(flatten)]
    mail: MailArgs,
    /// When reminders are due, in days before the deadline; each day begins a slot.
    #[arg(long, env = "DELPHI_REMINDER_SCHEDULE", value_delimiter = ',', default_value = "7,2")]
    schedule: Vec<u32>,
    /// Send now, before the schedule's next day, to those not yet reminded in this slot.
    #[arg(long)]
    now: bool,
    /// Send to everyone who has not answered, even those reminded in this slot already.
    #[arg(long)]
    force: bool,
}

impl RemindArgs {
    /// The settings file's `[mail]` and `[remind]` where the command line and environment
    /// gave nothing.
    pub(crate) fn settle(&mut self, file: &Config, given: Given<'_>) {
        self.mail.settle(&file.mail, given);
        given.overlay(&["schedule"], &mut self.schedule, file.remind.schedule.clone());
    }
}

pub(crate) fn run(workspace: &Workspace, args: &RemindArgs) -> Result<()> {
    send(workspace, &args.mail, &[], |store, (study_id, round, opened, deadline, now)| {
        if now >= deadline {
            bail!("the deadline of round {round} has passed; extend it with `delphi round extend --days N` first");
        }
        let slot_start = slot_start(&args.schedule, opened, deadline, now);
        if slot_start == opened && !args.now {
            match next_reminder_at(&args.schedule, deadline, now) {
                Some(at) => println!(
                    "no reminder is due yet; the next is due at {} (or pass --now)",
                    at.format("%Y-%m-%d %H:%M UTC")
                ),
                None => println!(
                    "no reminder is due (schedule: {:?} days before the deadline); pass --now to send one",
                    args.schedule
                ),
            }
            return Ok(None);
        }
        let in_slot = store.reminders_since(study_id, round, slot_start)?;
        let last = store.last_reminder(study_id, round)?;
        // A re-run in the slot goes on with the slot's last reminder, so what an earlier run
        // reserved but could not send goes out under its own Message-ID; --force starts anew.
        let number = match in_slot.last() {
            Some(latest) if !args.force && latest.number == last => last,
            _ => last + 1,
        };
        let reminded_in_slot = if args.force {
            BTreeSet::new()
        } else {
            in_slot.into_iter().filter(|r| r.sent).map(|r| r.expert_id).collect()
        };
        Ok(Some(Plan { campaign: Campaign::Reminder { number }, reminded_in_slot, slot_start }))
    })
}

/// When the slot of the reminder schedule that `now` falls in began: the latest scheduled
/// reminder time (days before the deadline) at or before `now`, or the opening when none
/// has come yet. Reminder times before the opening do not count.
fn slot_start(schedule: &[u32], opened: DateTime<Utc>, deadline: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    schedule
        .iter()
        .map(|&days| deadline - Duration::days(i64::from(days)))
        .filter(|&at| at > opened && at <= now)
        .max()
        .unwrap_or(opened)
}

fn next_reminder_at(schedule: &[u32], deadline: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    schedule.iter().map(|&days| deadline - Duration::days(i64::from(days))).filter(|&at| at > now).min()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, 12, 0, 0).single().unwrap()
    }

    #[test]
    fn the_schedule_cuts_the_round_into_slots_that_begin_on_reminder_days() {
        let (opened, deadline) = (day(1), day(15));
        let schedule = [7, 2];
        assert_eq!(slot_start(&schedule, opened, deadline, day(7)), opened, "before the first reminder day");
        assert_eq!(slot_start(&schedule, opened, deadline, day(8)), day(8));
        assert_eq!(slot_start(&schedule, opened, deadline, day(12)), day(8));
        assert_eq!(slot_start(&schedule, opened, deadline, day(13)), day(13));
        assert_eq!(slot_start(&[2, 7], opened, deadline, day(14)), day(13), "the order given does not matter");
        assert_eq!(next_reminder_at(&schedule, deadline, day(9)), Some(day(13)));
        assert_eq!(next_reminder_at(&schedule, deadline, day(14)), None);
        // A round opened late: a reminder day before the opening begins no slot.
        assert_eq!(slot_start(&[20, 2], day(3), deadline, day(12)), day(3));
        // The deadline brought forward to day 10 on day 8: both reminder days have passed,
        // and it is one slot (from day 8), not two reminders at once.
        assert_eq!(slot_start(&schedule, opened, day(10), day(8)), day(8));
    }
}
