//! Translations of a round's rationales and the coordinator's featured ones (schema 7).
//!
//! Both are keyed by a rationale's content-derived id (the CLI derives it from the item and the
//! normalised text), never by its author. They are feedback for the next round, so they can
//! change only until that round opens and freezes its feedback.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use delphi_core::study::StudyId;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::{Actor, Refusal, Store, StoreError, audit, require_study, timestamp};

/// One rationale translated into one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    /// The rationale translated, by its content-derived id.
    pub rationale_id: String,
    /// The language translated into.
    pub language: String,
    /// The translation.
    pub text: String,
}

/// What one translators' file brings: its filled-in translations, and for every rationale it
/// lists whether the coordinator featured it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TranslationImport {
    /// The filled-in translations.
    pub translations: Vec<Translation>,
    /// Every rationale id of the file, with whether any of its rows was marked featured.
    pub featured: Vec<(String, bool)>,
}

impl Store {
    /// Stores the translations of round `round`'s rationales, replacing any earlier translation
    /// of the same rationale into the same language (so importing a file twice changes nothing
    /// the second time), and sets the featured mark of every rationale the file lists. Refused
    /// once round `round + 1` was opened: its feedback is frozen.
    pub fn import_translations(
        &mut self,
        study_id: &StudyId,
        round: u32,
        import: &TranslationImport,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_study(&tx, study_id)?;
        require_feedback_not_frozen(&tx, study_id, round)?;
        let when = timestamp(at);
        for t in &import.translations {
            tx.prepare_cached(
                "INSERT INTO translations (study_id, round, rationale_id, language, text, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (study_id, round, rationale_id, language)
                 DO UPDATE SET text = excluded.text, imported_at = excluded.imported_at
                 WHERE text <> excluded.text",
            )?
            .execute(params![study_id.as_str(), round, t.rationale_id, t.language, t.text, when])?;
        }
        for (id, featured) in &import.featured {
            if *featured {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO featured_rationales (study_id, round, rationale_id) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![study_id.as_str(), round, id])?;
            } else {
                tx.prepare_cached(
                    "DELETE FROM featured_rationales WHERE study_id = ?1 AND round = ?2 AND rationale_id = ?3",
                )?
                .execute(params![study_id.as_str(), round, id])?;
            }
        }
        let featured = import.featured.iter().filter(|(_, f)| *f).count();
        audit::record(
            &tx,
            at,
            Some(study_id),
            &Actor::Coordinator,
            "translations.imported",
            &serde_json::json!({
                "round": round,
                "translations": import.translations.len(),
                "rationales": import.featured.len(),
                "featured": featured,
            }),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every stored translation of round `round`'s rationales, by id and language.
    pub fn translations(&self, study_id: &StudyId, round: u32) -> Result<Vec<Translation>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT rationale_id, language, text FROM translations WHERE study_id = ?1 AND round = ?2
             ORDER BY rationale_id, language",
        )?;
        let rows = statement.query_map(params![study_id.as_str(), round], |r| {
            Ok(Translation { rationale_id: r.get(0)?, language: r.get(1)?, text: r.get(2)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The ids of the rationales of round `round` the coordinator featured.
    pub fn featured_rationales(&self, study_id: &StudyId, round: u32) -> Result<BTreeSet<String>, StoreError> {
        let mut statement =
            self.conn.prepare("SELECT rationale_id FROM featured_rationales WHERE study_id = ?1 AND round = ?2")?;
        let rows = statement.query_map(params![study_id.as_str(), round], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Each expert's questionnaire language, by pseudonym (the language a rationale was
    /// written in; never a name or an email).
    pub fn languages_by_pseudonym(&self, study_id: &StudyId) -> Result<HashMap<String, String>, StoreError> {
        let mut statement = self.conn.prepare("SELECT pseudonym, language FROM experts WHERE study_id = ?1")?;
        let rows = statement.query_map([study_id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// Refuses a change to round `round`'s feedback once round `round + 1` has been opened.
fn require_feedback_not_frozen(conn: &Connection, study_id: &StudyId, round: u32) -> Result<(), StoreError> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM rounds WHERE study_id = ?1 AND number = ?2)",
        params![study_id.as_str(), round],
        |r| r.get(0),
    )?;
    if !exists {
        return Err(Refusal::NoSuchRound(round).into());
    }
    let next_state: Option<String> = conn
        .query_row(
            "SELECT state FROM rounds WHERE study_id = ?1 AND number = ?2",
            params![study_id.as_str(), round + 1],
            |r| r.get(0),
        )
        .optional()?;
    match next_state.as_deref() {
        None | Some("draft") => Ok(()),
        Some(_) => Err(Refusal::FeedbackFrozen { round, next: round + 1 }.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s() -> StudyId {
        StudyId::parse("s").unwrap()
    }

    fn store_with_round(dir: &std::path::Path) -> Store {
        let mut store = Store::open(&dir.join("s.sqlite")).unwrap();
        store.register_study(&s(), "[study]", Utc::now()).unwrap();
        store
            .conn
            .execute_batch(
                "INSERT INTO rounds (study_id, number, state, questionnaire, questionnaire_sha256, study_sha256, created_at)
                 VALUES ('s', 1, 'draft', '{}', '', '', '2026-01-01T00:00:00Z'), ('s', 2, 'draft', '{}', '', '', '2026-01-01T00:00:00Z');",
            )
            .unwrap();
        store
    }

    fn import(texts: &[(&str, &str, &str)], featured: &[(&str, bool)]) -> TranslationImport {
        TranslationImport {
            translations: texts
                .iter()
                .map(|(id, language, text)| Translation {
                    rationale_id: (*id).into(),
                    language: (*language).into(),
                    text: (*text).into(),
                })
                .collect(),
            featured: featured.iter().map(|(id, f)| ((*id).to_owned(), *f)).collect(),
        }
    }

    #[test]
    fn a_second_import_replaces_the_first_and_a_repeated_one_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = store_with_round(dir.path());
        let first = import(&[("r1", "zh", "初稿"), ("r2", "zh", "第二条")], &[("r1", true), ("r2", false)]);
        store.import_translations(&s(), 1, &first, Utc::now()).unwrap();
        let second = import(&[("r1", "zh", "定稿")], &[("r1", false), ("r2", true)]);
        store.import_translations(&s(), 1, &second, Utc::now()).unwrap();
        store.import_translations(&s(), 1, &second, Utc::now()).unwrap();
        let texts: Vec<(String, String)> =
            store.translations(&s(), 1).unwrap().into_iter().map(|t| (t.rationale_id, t.text)).collect();
        assert_eq!(texts, [("r1".to_owned(), "定稿".to_owned()), ("r2".to_owned(), "第二条".to_owned())]);
        assert_eq!(store.featured_rationales(&s(), 1).unwrap().into_iter().collect::<Vec<_>>(), ["r2"]);
        let logged = store.audit_log(&s()).unwrap().iter().filter(|e| e.action == "translations.imported").count();
        assert_eq!(logged, 3, "every import is in the audit log");
    }

    #[test]
    fn once_the_next_round_opened_nothing_is_imported_and_the_schema_agrees() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = store_with_round(dir.path());
        store
            .conn
            .execute_batch(
                "UPDATE rounds SET state = 'open', opened_at = '2026-01-02T00:00:00Z', deadline = '2026-02-01T00:00:00Z'
                 WHERE number = 2;",
            )
            .unwrap();
        let refused = store.import_translations(&s(), 1, &import(&[("r1", "zh", "译文")], &[]), Utc::now());
        assert!(
            matches!(refused.as_ref().unwrap_err().refusal(), Some(Refusal::FeedbackFrozen { round: 1, next: 2 })),
            "{refused:?}"
        );
        assert!(store.translations(&s(), 1).unwrap().is_empty());
        let direct =
            store.conn.execute("INSERT INTO translations VALUES ('s', 1, 'r1', 'zh', 'x', '2026-01-03T00:00:00Z')", []);
        assert!(direct.unwrap_err().to_string().contains("feedback is frozen"));
        assert!(matches!(
            store.import_translations(&s(), 7, &TranslationImport::default(), Utc::now()).unwrap_err().refusal(),
            Some(Refusal::NoSuchRound(7))
        ));
    }
}
