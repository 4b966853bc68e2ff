//! The store on a real SQLite file: the round lifecycle, its refusals, durability
//! across reopening, tokens, submissions with revisions, and the audit log.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, TimeZone, Utc};
use delphi_core::Study;
use delphi_core::panel::Panel;
use delphi_core::study::{PanelAttribute, StudyId};
use delphi_store::{
    Answer, Channel, EncodedAnswer, EncodedSubmission, Refusal, RoundState, Store, StoreError, Submission, TokenHash,
};
use serde_json::json;

const STUDY: &str = include_str!("../../../surveys/ai-safety-cooperation.toml");
const PANEL: &str = include_str!("../../../surveys/ai-safety-cooperation.panel.csv");
static ID: LazyLock<StudyId> = LazyLock::new(|| StudyId::parse("ai-safety-cooperation").unwrap());

fn t(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, hour, 0, 0).single().expect("valid time")
}

fn study() -> Study {
    Study::from_toml(STUDY, "study.toml").expect("shipped study is valid")
}

/// A store with the shipped study and panel registered, in a fresh directory.
fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("delphi.sqlite");
    let mut store = Store::open(&path).expect("store opens");
    store.register_study(&ID, STUDY, t(0)).expect("registered");
    let panel = Panel::from_csv(PANEL, "panel.csv", &study()).expect("panel is valid");
    store.import_panel(&ID, &panel, t(0)).expect("panel imported");
    (dir, path)
}

fn refusal(result: Result<impl std::fmt::Debug, StoreError>) -> Refusal {
    match result {
        Err(StoreError::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn answer(item: &str, value: serde_json::Value) -> Answer {
    Answer { item_id: item.into(), value, rationale: None }
}

fn submission(round: u32, expert: &str, answers: Vec<Answer>) -> Submission {
    Submission {
        study_id: ID.clone(),
        round,
        expert_id: expert.into(),
        channel: Channel::Cli,
        source_ref: None,
        answers,
    }
}

#[test]
fn rounds_open_and_close_in_order_and_survive_reopening_the_file() {
    let (_dir, path) = setup();
    Store::open(&path).unwrap().open_round(&ID, 1, 3, "{\"q\":1}", t(10), t(1)).expect("round 1 opens");
    let round = Store::open(&path).unwrap().round(&ID, 1).unwrap().expect("round 1 exists");
    assert_eq!(round.state, RoundState::Open { opened_at: t(1), deadline: t(10) });
    assert_eq!(round.invited, 20);

    Store::open(&path).unwrap().close_round(&ID, 1, t(2)).expect("round 1 closes");
    Store::open(&path).unwrap().open_round(&ID, 2, 3, "{\"q\":2}", t(12), t(3)).expect("round 2 opens");
    let store = Store::open(&path).unwrap();
    let states: Vec<(u32, &str)> = store.rounds(&ID).unwrap().iter().map(|r| (r.number, r.state.name())).collect();
    assert_eq!(states, [(1, "closed"), (2, "open")]);
    assert_eq!(store.questionnaire(&ID, 1).unwrap().as_deref(), Some("{\"q\":1}"));
    let actions: Vec<String> = store.audit_log(&ID).unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["study.registered", "panel.imported", "round.opened", "round.closed", "round.opened"]);
    assert!(store.integrity_check().unwrap().is_empty());
}

#[test]
fn lifecycle_rules_refuse_with_clear_reasons_and_change_nothing() {
    let (_dir, path) = setup();
    let mut store = Store::open(&path).unwrap();
    assert_eq!(refusal(store.open_round(&ID, 2, 3, "{}", t(10), t(1))), Refusal::OutOfOrder { requested: 2, next: 1 });
    assert_eq!(refusal(store.open_round(&ID, 1, 3, "{}", t(1), t(1))), Refusal::DeadlineNotInFuture { deadline: t(1) });
    store.open_round(&ID, 1, 3, "{}", t(10), t(1)).unwrap();
    let refused = refusal(store.open_round(&ID, 2, 3, "{}", t(10), t(1)));
    assert_eq!(refused, Refusal::PreviousRoundOpen { open: 1, requested: 2 });
    assert!(refused.to_string().contains("delphi round close 1"), "{refused}");
    assert_eq!(refusal(store.open_round(&ID, 1, 3, "{}", t(10), t(1))), Refusal::AlreadyOpen(1));
    store.close_round(&ID, 1, t(2)).unwrap();

    // Nothing of a closed round changes.
    let before = store.rounds(&ID).unwrap();
    assert_eq!(refusal(store.close_round(&ID, 1, t(3))), Refusal::RoundClosed(1));
    assert_eq!(refusal(store.open_round(&ID, 1, 3, "{}", t(10), t(3))), Refusal::RoundClosed(1));
    assert_eq!(refusal(store.set_deadline(&ID, 1, t(20), t(3))), Refusal::RoundClosed(1));
    assert_eq!(
        refusal(store.record_submission(&submission(1, "E01", vec![answer("verification.benefit", json!(5))]), t(3))),
        Refusal::RoundClosed(1)
    );
    assert_eq!(refusal(store.issue_token(&ID, 1, "E01", t(3))), Refusal::RoundClosed(1));
    assert_eq!(store.rounds(&ID).unwrap(), before);
    assert!(store.current_answers(&ID, 1).unwrap().is_empty());

    // The study's round limit holds.
    store.open_round(&ID, 2, 2, "{}", t(10), t(3)).unwrap();
    store.close_round(&ID, 2, t(4)).unwrap();
    assert_eq!(
        refusal(store.open_round(&ID, 3, 2, "{}", t(10), t(5))),
        Refusal::TooManyRounds { requested: 3, max: 2 }
    );

    let rejected = store.audit_log(&ID).unwrap().into_iter().filter(|e| e.action == "submission.rejected").count();
    assert_eq!(rejected, 1, "the refused submission is in the audit log");
}

#[test]
fn the_schema_itself_refuses_to_change_closed_rounds_answers_and_the_audit_log() {
    let (_dir, path) = setup();
    let mut store = Store::open(&path).unwrap();
    store.open_round(&ID, 1, 3, "{}", t(10), t(1)).unwrap();
    store.record_submission(&submission(1, "E01", vec![answer("verification.benefit", json!(5))]), t(2)).unwrap();
    store.close_round(&ID, 1, t(3)).unwrap();
    drop(store);

    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    let attempts = [
        ("UPDATE rounds SET deadline = 'x' WHERE number = 1", "round is closed"),
        ("UPDATE rounds SET state = 'open', closed_at = NULL WHERE number = 1", "draft -> open -> closed"),
        ("DELETE FROM rounds WHERE number = 1", "never deleted"),
        ("UPDATE answers SET value = '1'", "append-only"),
        ("DELETE FROM answers", "append-only"),
        ("DELETE FROM submissions", "append-only"),
        ("UPDATE audit_log SET action = 'x'", "append-only"),
        ("DELETE FROM audit_log", "append-only"),
        (
            "INSERT INTO submissions (study_id, round, expert_id, channel, received_at) VALUES ('ai-safety-cooperation', 1, 'E01', 'cli', 'now')",
            "not open",
        ),
        (
            "INSERT INTO rounds (study_id, number, state, questionnaire, questionnaire_sha256, study_sha256, created_at, opened_at, deadline) VALUES ('ai-safety-cooperation', 2, 'open', '{}', '', '', 'now', 'now', 'later')",
            "created as a draft",
        ),
    ];
    for (sql, reason) in attempts {
        let error = raw.execute(sql, []).expect_err(sql).to_string();
        assert!(error.contains(reason), "{sql}: {error}");
    }
}

#[test]
fn answers_keep_their_revisions_and_the_latest_counts() {
    let (_dir, path) = setup();
    let mut store = Store::open(&path).unwrap();
    store.open_round(&ID, 1, 3, "{}", t(10), t(1)).unwrap();
    store
        .record_submission(
            &submission(
                1,
                "E01",
                vec![answer("verification.benefit", json!(3)), answer("protocols.benefit", json!(6))],
            ),
            t(2),
        )
        .unwrap();
    store.record_submission(&submission(1, "E01", vec![answer("verification.benefit", json!(5))]), t(3)).unwrap();
    store
        .record_submission(&submission(1, "E02", vec![answer("verification.benefit", json!("dont-know"))]), t(3))
        .unwrap();

    let current = Store::open(&path).unwrap().current_answers(&ID, 1).unwrap();
    let by_item: Vec<(&str, serde_json::Value, u32)> =
        current.iter().map(|a| (a.item_id.as_str(), a.value.clone(), a.revision)).collect();
    assert_eq!(current.len(), 3);
    assert!(by_item.contains(&("verification.benefit", json!(5), 2)), "{by_item:?}");
    assert!(by_item.contains(&("protocols.benefit", json!(6), 1)), "{by_item:?}");
    assert!(current.iter().all(|a| a.pseudonym.starts_with("p-")), "answers carry pseudonyms only");
    assert!(current.iter().all(|a| !a.pseudonym.contains("E0")));

    // An expert sees their own latest answer to each item, and no one else's.
    let own = Store::open(&path).unwrap().expert_answers(&ID, 1, "E01").unwrap();
    assert_eq!(
        own,
        [("protocols.benefit".to_owned(), json!(6)), ("verification.benefit".to_owned(), json!(5))],
        "by item, the latest"
    );
    assert_eq!(Store::open(&path).unwrap().expert_answers(&ID, 1, "E02").unwrap().len(), 1);
    assert!(Store::open(&path).unwrap().expert_answers(&ID, 1, "E03").unwrap().is_empty());
}

#[test]
fn late_unknown_and_repeated_submissions() {
    let (_dir, path) = setup();
    let mut store = Store::open(&path).unwrap();
    store.open_round(&ID, 1, 3, "{}", t(10), t(1)).unwrap();
    let late =
        refusal(store.record_submission(&submission(1, "E01", vec![answer("verification.benefit", json!(5))]), t(11)));
    assert_eq!(late, Refusal::DeadlinePassed { round: 1, deadline: t(10) });
    assert_eq!(
        refusal(store.record_submission(&submission(1, "E99", vec![answer("x", json!(1))]), t(2))),
        Refusal::UnknownExpert("E99".into())
    );
    assert_eq!(refusal(store.record_submission(&submission(1, "E01", vec![]), t(2))), Refusal::EmptySubmission);

    let mut by_mail = submission(1, "E03", vec![answer("verification.benefit", json!(4))]);
    by_mail.source_ref = Some("<reply-1@example.org>".into());
    let first = store.record_submission(&by_mail, t(2)).unwrap();
    let again = store.record_submission(&by_mail, t(3)).unwrap();
    assert!(!first.duplicate && again.duplicate);
    assert_eq!(first.submission_id, again.submission_id);
    let status = store.status(&ID, &[]).unwrap();
    assert_eq!((status[0].responded, status[0].submissions), (1, 1));
}

#[test]
fn tokens_are_random_stored_hashed_and_replaced_on_reissue() {
    let (dir, path) = setup();
    let mut store = Store::open(&path).unwrap();
    store.open_round(&ID, 1, 3, "{}", t(10), t(1)).unwrap();
    let first = store.issue_token(&ID, 1, "E07", t(2)).unwrap();
    assert_eq!(first.expose().len(), 32, "160 bits in base32");
    let grant = store.resolve_token(first.expose()).unwrap().expect("token resolves");
    assert_eq!((grant.round, grant.expert_id.as_str(), grant.language.as_str()), (1, "E07", "zh"));
    assert!(store.resolve_token("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap().is_none());
    assert!(store.resolve_token("").unwrap().is_none());
    assert_eq!(format!("{first:?}"), "AccessToken(…)");

    let second = store.issue_token(&ID, 1, "E07", t(3)).unwrap();
    assert_ne!(first, second);
    assert!(store.resolve_token(first.expose()).unwrap().is_none(), "a reissued token replaces the old one");
    assert!(store.resolve_token(second.expose()).unwrap().is_some());
    drop(store);

    // Checkpoint the WAL, then look for the token anywhere in the files on disk.
    rusqlite::Connection::open(&path).unwrap().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(32).any(|w| w == second.expose().as_bytes()), "token stored in the clear");
    }
}

#[test]
fn panel_reimport_adds_updates_and_deactivates_but_keeps_pseudonyms() {
    let (_dir, path) = setup();
    let mut store = Store::open(&path).unwrap();
    store.open_round(&ID, 1, 3, "{}", t(10), t(1)).unwrap();
    store.record_submission(&submission(1, "E20", vec![answer("verification.benefit", json!(2))]), t(2)).unwrap();
    let before = store.current_answers(&ID, 1).unwrap()[0].pseudonym.clone();

    let edited: String = PANEL
        .lines()
        .filter(|line| !line.starts_with("E20,") && !line.starts_with("E19,"))
        .map(|line| if line.starts_with("E01,") { line.replace("governance", "policy") } else { line.to_owned() })
        .chain(["E21,New Person,new.person@example.org,Inst N,GB,Europe,en,security,Europe/London".to_owned()])
        .collect::<Vec<_>>()
        .join("\n");
    let panel = Panel::from_csv(&edited, "panel.csv", &study()).unwrap();
    let outcome = store.import_panel(&ID, &panel, t(3)).unwrap();
    assert_eq!((outcome.added, outcome.updated, outcome.unchanged, outcome.deactivated), (1, 1, 17, 2));
    assert_eq!(outcome.joined_open_round, 1, "the new expert joins the open round");
    assert_eq!(store.active_panel_size(&ID).unwrap(), 19);

    // The deactivated expert's answer is kept under the same pseudonym; they can no longer answer.
    assert_eq!(store.current_answers(&ID, 1).unwrap()[0].pseudonym, before);
    assert_eq!(
        refusal(store.record_submission(&submission(1, "E20", vec![answer("verification.benefit", json!(3))]), t(4))),
        Refusal::UnknownExpert("E20".into())
    );
    store.record_submission(&submission(1, "E21", vec![answer("verification.benefit", json!(3))]), t(4)).unwrap();
}

#[test]
fn status_counts_per_group_and_no_identities() {
    let (_dir, path) = setup();
    let mut store = Store::open(&path).unwrap();
    store.open_round(&ID, 1, 3, "{}", t(10), t(1)).unwrap();
    for expert in ["E01", "E02", "E07"] {
        store.record_submission(&submission(1, expert, vec![answer("verification.benefit", json!(4))]), t(2)).unwrap();
    }
    let status = store.status(&ID, &[PanelAttribute::Bloc]).unwrap();
    assert_eq!((status[0].invited, status[0].responded), (20, 3));
    let blocs: Vec<(&str, u32, u32)> =
        status[0].groups.iter().map(|g| (g.value.as_str(), g.invited, g.responded)).collect();
    assert_eq!(blocs, [("China", 6, 1), ("Europe", 5, 0), ("Other", 3, 0), ("US", 6, 2)]);
}

#[test]
fn a_store_from_a_newer_delphi_is_refused() {
    let (_dir, path) = setup();
    rusqlite::Connection::open(&path).unwrap().execute_batch("PRAGMA user_version = 999").unwrap();
    match Store::open(&path) {
        Err(StoreError::TooNew { found: 999, .. }) => {}
        other => panic!("expected TooNew, got {other:?}"),
    }
}

#[test]
fn an_open_round_with_no_panel_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
    assert_eq!(refusal(store.open_round(&ID, 1, 3, "{}", t(10), t(1))), Refusal::UnknownStudy(ID.clone()));
    store.register_study(&ID, STUDY, t(0)).unwrap();
    assert_eq!(refusal(store.open_round(&ID, 1, 3, "{}", t(10) + Duration::hours(1), t(1))), Refusal::EmptyPanel);
    assert!(store.rounds(&ID).unwrap().is_empty(), "the refused open left no draft behind");
}

#[test]
fn the_round_panel_for_analysis_carries_pseudonyms_and_groups_only() {
    let (_dir, path) = setup();
    let mut store = Store::open(&path).unwrap();
    store.open_round(&ID, 1, 3, "{}", t(10), t(1)).unwrap();
    let members = store.round_panel(&ID, 1, &[PanelAttribute::Bloc, PanelAttribute::Country]).unwrap();
    assert_eq!(members.len(), 20);
    let chinese = members.iter().filter(|m| m.groups.contains(&(PanelAttribute::Bloc, "China".into()))).count();
    assert_eq!(chinese, 6);
    let everything = format!("{members:?}");
    for identity in ["E07", "Zhang", "example.org", "Xinghe"] {
        assert!(!everything.contains(identity), "{identity} leaked into the analysis view");
    }
    assert!(store.round_panel(&ID, 2, &[]).unwrap().is_empty());
}

#[test]
fn a_batch_commits_once_and_a_refused_submission_does_not_sink_the_others() {
    let (_dir, path) = setup();
    let mut store = Store::open(&path).unwrap();
    store.open_round(&ID, 1, 3, "{}", t(10), t(1)).unwrap();
    let batch = vec![
        submission(1, "E01", vec![answer("verification.benefit", json!(5))]),
        submission(1, "E99", vec![answer("verification.benefit", json!(5))]),
        submission(1, "E02", vec![]),
        submission(1, "E03", vec![answer("verification.benefit", json!(4))]),
    ];
    let outcomes = store.record_submissions(&batch, t(2)).unwrap();
    assert!(outcomes[0].is_ok() && outcomes[3].is_ok(), "{outcomes:?}");
    assert_eq!(outcomes[1], Err(Refusal::UnknownExpert("E99".into())));
    assert_eq!(outcomes[2], Err(Refusal::EmptySubmission));
    let stored = Store::open(&path).unwrap().current_answers(&ID, 1).unwrap();
    assert_eq!(stored.len(), 2);
    let actions: Vec<String> = store.audit_log(&ID).unwrap().into_iter().map(|e| e.action).skip(3).collect();
    assert_eq!(actions, ["submission.accepted", "submission.rejected", "submission.rejected", "submission.accepted"]);
}

#[test]
fn invitation_and_reminder_tokens_live_side_by_side_until_a_link_replaces_them() {
    use delphi_store::TokenPurpose;
    let (_dir, path) = setup();
    let mut store = Store::open(&path).unwrap();
    store.open_round(&ID, 1, 3, "{}", t(20), t(1)).unwrap();
    let invitation = store.issue_token_for(&ID, 1, "E01", TokenPurpose::Invitation, t(2)).unwrap();
    let reminder = store.issue_token_for(&ID, 1, "E01", TokenPurpose::Reminder, t(3)).unwrap();
    for token in [&invitation, &reminder] {
        assert_eq!(store.resolve_token(token.expose()).unwrap().map(|g| g.expert_id).as_deref(), Some("E01"));
    }
    let link = store.issue_token(&ID, 1, "E01", t(4)).unwrap();
    assert!(store.resolve_token(invitation.expose()).unwrap().is_none(), "a new link revokes the invitation's");
    assert!(store.resolve_token(reminder.expose()).unwrap().is_none(), "a new link revokes the reminder's");
    assert!(store.resolve_token(link.expose()).unwrap().is_some());
}

#[test]
fn a_reserved_message_is_found_again_and_once_sent_never_changes() {
    use delphi_store::{OutgoingKind, OutgoingMail, TokenPurpose, Transport};
    let mail = |kind| OutgoingMail { study_id: &ID, round: 1, expert_id: "E01", kind };
    let (_dir, path) = setup();
    let mut store = Store::open(&path).unwrap();
    store.open_round(&ID, 1, 3, "{}", t(20), t(1)).unwrap();
    let (first, token) =
        store.reserve_mail(&mail(&OutgoingKind::Invitation), Some(TokenPurpose::Invitation), "<a@x>", t(2)).unwrap();
    assert_eq!(first.sent_at, None);
    assert!(store.resolve_token(token.expect("a token for the link").expose()).unwrap().is_some());
    store.mark_mail_failed(first.id, "421 try later").unwrap();
    let (again, _) = store.reserve_mail(&mail(&OutgoingKind::Invitation), None, "<b@x>", t(3)).unwrap();
    assert_eq!((again.id, again.message_id.as_str()), (first.id, "<a@x>"), "a retry keeps the Message-ID");
    store.mark_mail_sent(first.id, Transport::Smtp, t(4)).unwrap();
    let (rerun, token) =
        store.reserve_mail(&mail(&OutgoingKind::Invitation), Some(TokenPurpose::Invitation), "<c@x>", t(5)).unwrap();
    assert_eq!(rerun.sent_at, Some(t(4)));
    assert!(token.is_none(), "nothing to send, so no new token");
    let (reminder, _) = store.reserve_mail(&mail(&OutgoingKind::Reminder { number: 1 }), None, "<d@x>", t(5)).unwrap();
    assert_ne!(reminder.id, first.id, "each reminder is a message of its own");
    assert_eq!(store.mail_counts(&ID, 1).unwrap(), [("invitation".to_owned(), 1, 0), ("reminder".to_owned(), 0, 1)]);
    let sql = rusqlite::Connection::open(&path).unwrap();
    let edit = sql.execute("UPDATE outgoing_mail SET sent_at = NULL, transport = NULL WHERE id = ?1", [first.id]);
    assert!(edit.unwrap_err().to_string().contains("never changed"));
}

#[test]
fn a_reply_and_its_answers_are_recorded_together_and_only_once() {
    use delphi_store::{InboundMessage, InboundOutcome};
    let (_dir, path) = setup();
    let mut store = Store::open(&path).unwrap();
    store.open_round(&ID, 1, 3, "{}", t(20), t(1)).unwrap();
    let message = InboundMessage {
        message_key: "<reply-1@mail.example>".into(),
        outcome: InboundOutcome::Recorded,
        expert_id: Some("E01".into()),
        round: Some(1),
        detail: json!({ "answers": 1 }),
    };
    let mut answers =
        submission(1, "E01", vec![answer("verification.benefit", json!({"kind": "ordinal", "point": 4}))]);
    answers.channel = Channel::Email;
    answers.source_ref = Some(message.message_key.clone());
    let (record, new) = store.record_inbound(&ID, &message, Some(&answers), t(2)).unwrap();
    assert!(new);
    assert_eq!(record.outcome, InboundOutcome::Recorded);
    let (again, new) = store.record_inbound(&ID, &message, Some(&answers), t(3)).unwrap();
    assert!(!new, "the same reply is dealt with once");
    assert_eq!((again.submission_id, again.processed_at), (record.submission_id, t(2)));
    assert_eq!(store.current_answers(&ID, 1).unwrap().len(), 1);

    // After the deadline the reply is kept as refused, with the reason, and nothing is stored.
    let late = InboundMessage { message_key: "<reply-2@mail.example>".into(), ..message };
    answers.source_ref = Some(late.message_key.clone());
    let (record, _) = store.record_inbound(&ID, &late, Some(&answers), t(21)).unwrap();
    assert_eq!(record.outcome, InboundOutcome::Refused);
    assert!(record.detail["refused"].as_str().unwrap().contains("deadline"));
    assert_eq!(record.submission_id, None);
    assert_eq!(store.current_answers(&ID, 1).unwrap()[0].revision, 1);
}

#[test]
fn encoded_submissions_of_any_size_store_every_answer_once() {
    let (_dir, path) = setup();
    let mut store = Store::open(&path).unwrap();
    store.open_round(&ID, 1, 3, "{}", t(10), t(1)).unwrap();
    // Each submission's answers are one row, whatever their number.
    let answers = |n: usize, offset: i64| -> delphi_store::EncodedAnswers {
        (0..n)
            .map(|i| {
                let value = json!({ "kind": "ordinal", "point": i64::try_from(i).unwrap() + offset });
                let rationale = (i % 7 == 0).then(|| format!("because \"{i}\""));
                EncodedAnswer::new(format!("item.{i:02}"), &value, rationale).unwrap()
            })
            .collect()
    };
    let encoded = |expert: &str, n: usize, offset: i64| EncodedSubmission {
        study_id: ID.clone(),
        round: 1,
        expert_id: expert.into(),
        channel: Channel::Api,
        source_ref: None,
        answers: answers(n, offset),
        token: None,
    };
    let batch = [encoded("E01", 45, 0), encoded("E02", 1, 0), encoded("E03", 30, 0), encoded("E01", 3, 100)];
    let outcomes = store.record_encoded_submissions(&batch, t(2)).unwrap();
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");

    let current = Store::open(&path).unwrap().current_answers(&ID, 1).unwrap();
    assert_eq!(current.len(), 45 + 1 + 30);
    assert!(
        current
            .iter()
            .any(|a| a.item_id == "item.01" && a.value == json!({"kind": "ordinal", "point": 101}) && a.revision == 2)
    );
    assert!(
        current
            .iter()
            .any(|a| a.item_id == "item.44" && a.value == json!({"kind": "ordinal", "point": 44}) && a.revision == 1)
    );
    assert!(current.iter().any(|a| a.item_id == "item.28" && a.rationale.as_deref() == Some("because \"28\"")));

    let accepted: Vec<serde_json::Value> = store
        .audit_log(&ID)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "submission.accepted")
        .map(|e| e.detail)
        .collect();
    assert_eq!(accepted.len(), 4);
    assert_eq!(
        accepted[0],
        json!({ "round": 1, "channel": "api", "submission": outcomes[0].as_ref().unwrap().submission_id, "answers": 45 })
    );

    // The plain API stores the same rows as the encoded one.
    let plain = submission(1, "E04", vec![answer("a", json!([1, "x"])), answer("b", json!(null))]);
    store.record_submission(&plain, t(3)).unwrap();
    let e04: Vec<_> = Store::open(&path)
        .unwrap()
        .current_answers(&ID, 1)
        .unwrap()
        .into_iter()
        .filter(|a| a.item_id == "a" || a.item_id == "b")
        .collect();
    assert_eq!(e04.iter().map(|a| a.value.clone()).collect::<Vec<_>>(), [json!([1, "x"]), json!(null)]);
}

#[test]
fn answers_keep_their_order_and_exact_json_and_an_item_is_answered_once_per_submission() {
    let (_dir, path) = setup();
    let mut store = Store::open(&path).unwrap();
    store.open_round(&ID, 1, 3, "{}", t(10), t(1)).unwrap();
    let values = [
        ("z.first", json!(0.25), None),
        ("a.second", json!("a \"quoted\" ünïcode ✓ 中文\n\u{1}\\"), Some("why \"so\" — 因为".to_owned())),
        (
            "m.third",
            json!({"quantiles": [0.05, 1e-7, -3.5e300, 12345678901234567890_u64], "z": null, "a": -0.0}),
            Some(String::new()),
        ),
        ("b.fourth", json!([3, 1, 2]), None),
    ];
    let answers: delphi_store::EncodedAnswers =
        values.iter().map(|(item, value, why)| EncodedAnswer::new(*item, value, why.clone()).unwrap()).collect();
    let repeated: delphi_store::EncodedAnswers =
        ["x", "y", "x"].iter().map(|item| EncodedAnswer::new(*item, &json!(1), None).unwrap()).collect();
    let encoded = |expert: &str, answers: delphi_store::EncodedAnswers| EncodedSubmission {
        study_id: ID.clone(),
        round: 1,
        expert_id: expert.into(),
        channel: Channel::Api,
        source_ref: None,
        answers,
        token: None,
    };
    let outcomes =
        store.record_encoded_submissions(&[encoded("E01", repeated), encoded("E02", answers)], t(2)).unwrap();
    assert_eq!(outcomes[0], Err(Refusal::RepeatedItem("x".into())), "refused, and the others stored");
    let stored = outcomes[1].as_ref().unwrap().submission_id;
    drop(store);

    let raw = rusqlite::Connection::open(&path).unwrap();
    let rows: Vec<(String, String, Option<String>)> = raw
        .prepare("SELECT item_id, value, rationale FROM answers WHERE submission_id = ?1")
        .unwrap()
        .query_map([stored], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let expected: Vec<(String, String, Option<String>)> = values
        .iter()
        .map(|(item, value, why)| ((*item).to_owned(), serde_json::to_string(value).unwrap(), why.clone()))
        .collect();
    assert_eq!(rows, expected, "in the order given, byte for byte");
    let submissions: i64 = raw.query_row("SELECT count(*) FROM submission_answers", [], |r| r.get(0)).unwrap();
    assert_eq!(submissions, 1);
    let current = Store::open(&path).unwrap().current_answers(&ID, 1).unwrap();
    for (item, value, why) in &values {
        let answer = current.iter().find(|a| a.item_id == *item).unwrap();
        assert_eq!((&answer.value, &answer.rationale), (value, why));
    }
}

#[test]
fn a_helper_connection_checkpoints_what_the_writer_committed() {
    let (_dir, path) = setup();
    let mut writer = Store::open(&path).unwrap();
    writer.defer_checkpoints(20_000).unwrap();
    let helper = writer.reopen().unwrap();
    writer.open_round(&ID, 1, 3, "{}", t(10), t(1)).unwrap();
    writer.record_submission(&submission(1, "E01", vec![answer("verification.benefit", json!(5))]), t(2)).unwrap();
    let (log, copied) = helper.checkpoint().unwrap();
    assert!(log > 0 && copied == log, "{log} frames in the WAL, {copied} copied");
    assert_eq!(helper.current_answers(&ID, 1).unwrap().len(), 1);
}

#[test]
fn a_submission_carrying_a_token_is_stored_only_while_that_token_is_current() {
    let (_dir, path) = setup();
    let mut store = Store::open(&path).unwrap();
    store.open_round(&ID, 1, 3, "{}", t(10), t(1)).unwrap();
    let first = store.issue_token(&ID, 1, "E07", t(2)).unwrap();
    let with_token = |token: &str| {
        let mut encoded =
            EncodedSubmission::from(&submission(1, "E07", vec![answer("verification.benefit", json!(5))]));
        encoded.token = Some(TokenHash::of(token));
        encoded
    };
    assert!(store.record_encoded_submissions(&[with_token(first.expose())], t(3)).unwrap()[0].is_ok());
    let second = store.issue_token(&ID, 1, "E07", t(4)).unwrap();
    let outcomes =
        store.record_encoded_submissions(&[with_token(first.expose()), with_token(second.expose())], t(5)).unwrap();
    assert_eq!(outcomes[0], Err(Refusal::TokenNotCurrent), "the replaced token");
    assert!(outcomes[1].is_ok(), "the new token");
    assert_eq!(
        store.record_encoded_submissions(&[with_token("not-a-token")], t(5)).unwrap()[0],
        Err(Refusal::TokenNotCurrent)
    );
    assert_eq!(format!("{:?}", TokenHash::of(second.expose())), "TokenHash(…)");
    let status = store.status(&ID, &[]).unwrap();
    assert_eq!(status[0].submissions, 2);
}

/// A refused web submission leaves a draft: readable by the expert's page, in no count,
/// answer list or status, replaced by the next refusal, and gone with the next accepted
/// submission. Each refusal is in the audit log.
#[test]
fn a_draft_is_never_an_answer_and_an_accepted_submission_clears_it() {
    let (_dir, path) = setup();
    let mut store = Store::open(&path).unwrap();
    store.open_round(&ID, 1, 3, "{}", t(10), t(1)).unwrap();
    let draft = |pairs: &[(&str, serde_json::Value)]| -> serde_json::Map<String, serde_json::Value> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
    };
    let kept = draft(&[("verification.benefit", json!({"kind": "ordinal", "point": 6}))]);
    store.save_draft(&ID, 1, "E01", &kept, 2, t(2)).unwrap();

    let reader = Store::open(&path).unwrap();
    assert_eq!(
        reader.draft(&ID, 1, "E01").unwrap(),
        [("verification.benefit".to_owned(), json!({"kind": "ordinal", "point": 6}))]
    );
    assert!(reader.draft(&ID, 1, "E02").unwrap().is_empty(), "a draft is the expert's own");
    assert!(reader.current_answers(&ID, 1).unwrap().is_empty(), "a draft is no answer");
    assert!(reader.expert_answers(&ID, 1, "E01").unwrap().is_empty());
    let status = reader.status(&ID, &[]).unwrap();
    assert_eq!((status[0].responded, status[0].submissions), (0, 0));
    let refused: Vec<serde_json::Value> = reader
        .audit_log(&ID)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "submission.refused")
        .map(|e| e.detail)
        .collect();
    assert_eq!(refused, [json!({"round": 1, "channel": "web", "problems": 2, "draft_answers": 1})]);

    // The next refusal replaces it.
    let newer = draft(&[("protocols.benefit", json!({"kind": "dont-know"}))]);
    store.save_draft(&ID, 1, "E01", &newer, 1, t(3)).unwrap();
    assert_eq!(reader.draft(&ID, 1, "E01").unwrap(), [("protocols.benefit".to_owned(), json!({"kind": "dont-know"}))]);

    // An accepted submission, by any channel, clears it.
    store.record_submission(&submission(1, "E01", vec![answer("verification.benefit", json!(5))]), t(4)).unwrap();
    assert!(reader.draft(&ID, 1, "E01").unwrap().is_empty());

    // No draft outside an open round.
    store.close_round(&ID, 1, t(11)).unwrap();
    assert!(matches!(refusal(store.save_draft(&ID, 1, "E01", &kept, 1, t(12))), Refusal::RoundClosed(1)));
}

/// The consensus rule a round opened under is kept with it and cannot be rewritten, not even
/// while the round is open; rounds opened without one (before schema 8) say so.
#[test]
fn the_rule_a_round_opened_under_is_kept_and_frozen() {
    let (_dir, path) = setup();
    let mut store = Store::open(&path).unwrap();
    store.open_round(&ID, 1, 3, "{}", t(10), t(1)).unwrap();
    store.close_round(&ID, 1, t(3)).unwrap();
    store.open_round_under(&ID, 2, 3, "{}", Some(r#"{"iqr_max":1.0}"#), t(12), t(4)).unwrap();
    assert_eq!(store.round_rules(&ID).unwrap(), vec![(1, None), (2, Some(r#"{"iqr_max":1.0}"#.to_owned()))]);
    drop(store);
    let raw = rusqlite::Connection::open(&path).unwrap();
    for sql in [
        r#"UPDATE rounds SET rules = '{"iqr_max":2.0}' WHERE number = 2"#,
        r#"UPDATE rounds SET rules = '{"iqr_max":2.0}' WHERE number = 1"#,
    ] {
        let error = raw.execute(sql, []).expect_err(sql).to_string();
        assert!(error.contains("frozen") || error.contains("closed"), "{sql}: {error}");
    }
    assert_eq!(Store::open(&path).unwrap().round_rules(&ID).unwrap()[1].1.as_deref(), Some(r#"{"iqr_max":1.0}"#));
}
