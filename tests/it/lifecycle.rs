//! The round lifecycle through the real `delphi` binary on a real SQLite file:
//! state survives the process being killed, at random moments too, and the rules
//! refuse out-of-order or closed-round changes with a clear message.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use crate::util::{delphi, init, ok, run};

struct Study {
    dir: tempfile::TempDir,
}

impl Study {
    /// A fresh study directory made by `delphi init`, with its own data directory.
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        init(dir.path(), &["--id", "kill-test", "--example", "ai-safety"]);
        Self { dir }
    }

    fn run(&self, args: &[&str]) -> Output {
        run(self.dir.path(), args)
    }

    fn ok(&self, args: &[&str]) -> String {
        ok(self.dir.path(), args)
    }

    /// Starts a command and SIGKILLs it after `after`, whether or not it finished.
    fn kill_after(&self, args: &[&str], after: Duration) {
        let mut child =
            delphi(self.dir.path()).args(args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn");
        std::thread::sleep(after);
        let _ = child.kill(); // SIGKILL on Unix; an error only means it had already exited
        let _ = child.wait();
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("data/kill-test/delphi.sqlite")
    }

    fn rounds(&self) -> Vec<(u64, String)> {
        let json: serde_json::Value = serde_json::from_str(&self.ok(&["round", "list", "--format", "json"])).unwrap();
        json.as_array()
            .unwrap()
            .iter()
            .map(|r| (r["round"].as_u64().unwrap(), r["state"].as_str().unwrap().to_owned()))
            .collect()
    }

    fn write_panel(&self, experts: usize) -> PathBuf {
        let mut csv = String::from("id,name,email,institution,country,bloc,language,expertise\n");
        for i in 0..experts {
            let bloc = ["US", "China", "Europe", "Other"][i % 4];
            csv.push_str(&format!(
                "X{i:05},Expert {i},expert{i}@example.org,Institute {},XX,{bloc},en,testing\n",
                i % 10
            ));
        }
        let path = self.dir.path().join(format!("panel-{experts}.csv"));
        std::fs::write(&path, csv).unwrap();
        path
    }
}

/// Facts the store must agree on however a process died.
fn assert_consistent(store: &Path) -> (u32, Vec<(u32, String, u32)>) {
    let db = rusqlite::Connection::open(store).unwrap();
    let check: String = db.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    // A process killed after creating the file but before its schema committed leaves an
    // empty database; the schema is created in one transaction, so it is all or nothing.
    let schema_version: u32 = db.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    let tables: u32 =
        db.query_row("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'", [], |r| r.get(0)).unwrap();
    if schema_version == 0 {
        assert_eq!(tables, 0, "a half-created schema");
        return (0, Vec::new());
    }
    let experts: u32 = db.query_row("SELECT COUNT(*) FROM experts", [], |r| r.get(0)).unwrap();
    let imports: u32 =
        db.query_row("SELECT COUNT(*) FROM audit_log WHERE action = 'panel.imported'", [], |r| r.get(0)).unwrap();
    assert_eq!(experts > 0, imports > 0, "experts without their audit entry, or the reverse");
    let mut statement = db.prepare("SELECT number, state, COALESCE(invited, 0), (SELECT COUNT(*) FROM round_panel p WHERE p.round = r.number) FROM rounds r ORDER BY number").unwrap();
    let rounds: Vec<(u32, String, u32, u32)> = statement
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (number, state, invited, asked) in &rounds {
        assert_eq!(invited, asked, "round {number}: half of the panel was asked");
        let opened: u32 = db
            .query_row(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'round.opened' AND json_extract(detail, '$.round') = ?1",
                [number],
                |r| r.get(0),
            )
            .unwrap();
        let closed: u32 = db
            .query_row(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'round.closed' AND json_extract(detail, '$.round') = ?1",
                [number],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            (opened, closed),
            if state == "closed" { (1, 1) } else { (1, 0) },
            "round {number} ({state}) and the audit log disagree"
        );
    }
    (experts, rounds.into_iter().map(|(n, s, i, _)| (n, s, i)).collect())
}

#[test]
fn open_close_and_reopen_with_the_process_killed_between_and_during_steps() {
    let study = Study::new();
    let panel = study.write_panel(3000);
    let panel = panel.to_str().unwrap();

    // Kill the import at growing delays: the panel is either wholly there or not at all.
    for ms in [0, 15, 30, 60, 120, 240] {
        study.kill_after(&["panel", "import", panel], Duration::from_millis(ms));
        if study.store().exists() {
            let (experts, _) = assert_consistent(&study.store());
            assert!(experts == 0 || experts == 3000, "a killed import left {experts} experts");
        }
    }
    study.ok(&["panel", "import", panel]);
    assert_eq!(assert_consistent(&study.store()).0, 3000);

    // Kill opening and closing rounds mid-way (each takes a few milliseconds, so the
    // delays step through it); afterwards each round is wholly in one state.
    let steps = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16];
    for round in 1..=2_u32 {
        for ms in steps {
            study.kill_after(&["round", "open", "--days", "3"], Duration::from_millis(ms));
            let (_, rounds) = assert_consistent(&study.store());
            assert!(rounds.len() as u32 == round || rounds.len() as u32 == round - 1, "{rounds:?}");
        }
        if study.rounds().len() < round as usize {
            study.ok(&["round", "open", "--days", "3"]);
        }
        assert_eq!(study.rounds().last(), Some(&(u64::from(round), "open".to_owned())));
        assert_eq!(assert_consistent(&study.store()).1.last().map(|r| r.2), Some(3000), "all 3000 experts asked");

        for ms in steps {
            study.kill_after(&["round", "close"], Duration::from_millis(ms));
            assert_consistent(&study.store());
        }
        if study.rounds().last().is_some_and(|r| r.1 == "open") {
            study.ok(&["round", "close"]);
        }
        assert_eq!(study.rounds().last(), Some(&(u64::from(round), "closed".to_owned())));
    }
    assert_eq!(study.rounds(), [(1, "closed".to_owned()), (2, "closed".to_owned())]);
    let status: serde_json::Value = serde_json::from_str(&study.ok(&["status", "--format", "json"])).unwrap();
    assert_eq!(status["active_experts"], 3000);
    assert_eq!(status["rounds"][1]["groups"][0]["invited"], 750, "per-bloc counts survive: {status}");
}

#[test]
fn out_of_order_and_closed_round_changes_are_refused_with_a_clear_message() {
    let study = Study::new();
    study.ok(&["panel", "import", "study/panel.csv"]);
    study.ok(&["round", "open"]);

    let refused = study.run(&["round", "open", "2"]);
    assert_eq!(refused.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("round 1 is still open; close it with `delphi round close 1` before opening round 2"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was changed"), "{stderr}");

    study.ok(&["round", "close"]);
    for (args, message) in [
        (&["round", "close", "1"][..], "round 1 is closed; nothing of a closed round changes"),
        (&["round", "extend", "1", "--days", "3"][..], "round 1 is closed; nothing of a closed round changes"),
        (&["round", "open", "1"][..], "round 1 is closed; nothing of a closed round changes"),
        (&["round", "open", "3"][..], "the next round of this study is round 2"),
        (&["round", "close"][..], "round 1 is closed"),
    ] {
        let out = study.run(args);
        assert_eq!(out.status.code(), Some(4), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    let deadline_in_past = study.run(&["round", "open", "--deadline", "2001-01-01"]);
    assert_eq!(deadline_in_past.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&deadline_in_past.stderr).contains("is not in the future"));
    let bad_deadline = study.run(&["round", "open", "--deadline", "next friday"]);
    assert_eq!(bad_deadline.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad_deadline.stderr).contains("cannot read the deadline `next friday`"));

    assert_eq!(study.rounds(), [(1, "closed".to_owned())], "nothing changed");
    study.ok(&["round", "open", "2", "--deadline", "2099-01-01 12:00"]);
    assert_eq!(study.rounds(), [(1, "closed".to_owned()), (2, "open".to_owned())]);
    let audit: serde_json::Value = serde_json::from_str(&study.ok(&["audit", "--format", "json"])).unwrap();
    let actions: Vec<&str> = audit.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["study.registered", "panel.imported", "round.opened", "round.closed", "round.opened"]);
}
