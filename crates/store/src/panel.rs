//! Importing the panel: add new experts, update changed ones, deactivate those no
//! longer listed. Nobody is deleted: their past answers stay attributable to their
//! pseudonym.

use chrono::{DateTime, Utc};
use delphi_core::panel::{Panel, PanelMember};
use delphi_core::study::StudyId;
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::{Actor, Store, StoreError, audit, require_study, secret};

/// What an import changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PanelImport {
    /// Experts new to the store.
    pub added: usize,
    /// Listed experts whose details changed.
    pub updated: usize,
    /// Listed experts whose details did not change.
    pub unchanged: usize,
    /// Active experts the file no longer lists: kept, and no longer asked.
    pub deactivated: usize,
    /// Experts added to the round that is open now.
    pub joined_open_round: usize,
    /// Listed experts who have withdrawn: left as they are, never asked again.
    pub withdrawn: usize,
}

/// Where a new expert's pseudonym comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pseudonyms {
    /// Drawn from the operating system's random generator, so nothing links a pseudonym to
    /// its expert: every real panel.
    Random,
    /// Derived from a seed and the expert's id, so the same fictional panel gets the same
    /// pseudonyms and a demo's reports come out the same byte for byte. Anyone who knows the
    /// seed and the ids can recompute them: for fictional panels only.
    FictionalFromSeed(u64),
}

impl Pseudonyms {
    fn for_expert(self, expert_id: &str) -> String {
        match self {
            Self::Random => format!("p-{}", secret::random_base32(8)),
            Self::FictionalFromSeed(seed) => {
                let digest = secret::sha256(&[&seed.to_le_bytes(), expert_id.as_bytes()].concat());
                format!("p-{}", secret::base32(&digest[..8]))
            }
        }
    }
}

impl Store {
    /// Brings the stored panel in line with `panel`, in one transaction; new experts get
    /// random pseudonyms.
    pub fn import_panel(
        &mut self,
        study_id: &StudyId,
        panel: &Panel,
        at: DateTime<Utc>,
    ) -> Result<PanelImport, StoreError> {
        self.import_panel_with(study_id, panel, at, Pseudonyms::Random)
    }

    /// [`Store::import_panel`], with new experts' pseudonyms from `pseudonyms`.
    pub fn import_panel_with(
        &mut self,
        study_id: &StudyId,
        panel: &Panel,
        at: DateTime<Utc>,
        pseudonyms: Pseudonyms,
    ) -> Result<PanelImport, StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        require_study(&tx, study_id)?;
        let open_round: Option<u32> = tx
            .query_row("SELECT number FROM rounds WHERE study_id = ?1 AND state = 'open'", [study_id.as_str()], |r| {
                r.get(0)
            })
            .optional()?;
        let mut outcome = PanelImport::default();
        for member in panel.members() {
            let stored: Option<(Fields, bool)> = tx
                .query_row(
                    "SELECT name, email, institution, country, bloc, language, expertise, time_zone, active
                     FROM experts WHERE study_id = ?1 AND id = ?2",
                    params![study_id.as_str(), member.id.as_str()],
                    |r| {
                        Ok((
                            ([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?], r.get(7)?),
                            r.get(8)?,
                        ))
                    },
                )
                .optional()?;
            let withdrawn: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM withdrawals WHERE study_id = ?1 AND expert_id = ?2)",
                params![study_id.as_str(), member.id.as_str()],
                |r| r.get(0),
            )?;
            if withdrawn {
                outcome.withdrawn += 1;
                continue;
            }
            let (fields, time_zone) = fields_of(member);
            match stored {
                None => {
                    tx.execute(
                        "INSERT INTO experts (study_id, id, pseudonym, name, email, institution, country, bloc, language, expertise, time_zone)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                        params![study_id.as_str(), member.id.as_str(), pseudonyms.for_expert(member.id.as_str()), fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6], time_zone],
                    )?;
                    outcome.added += 1;
                }
                Some(((stored_fields, stored_zone), active)) => {
                    if stored_fields == fields && stored_zone == time_zone && active {
                        outcome.unchanged += 1;
                        continue;
                    }
                    tx.execute(
                        "UPDATE experts SET name = ?3, email = ?4, institution = ?5, country = ?6, bloc = ?7,
                         language = ?8, expertise = ?9, time_zone = ?10, active = 1 WHERE study_id = ?1 AND id = ?2",
                        params![
                            study_id.as_str(),
                            member.id.as_str(),
                            fields[0],
                            fields[1],
                            fields[2],
                            fields[3],
                            fields[4],
                            fields[5],
                            fields[6],
                            time_zone
                        ],
                    )?;
                    outcome.updated += 1;
                }
            }
            if let Some(round) = open_round {
                outcome.joined_open_round += tx.execute(
                    "INSERT OR IGNORE INTO round_panel (study_id, round, expert_id) VALUES (?1, ?2, ?3)",
                    params![study_id.as_str(), round, member.id.as_str()],
                )?;
            }
        }
        let listed: Vec<&str> = panel.members().iter().map(|m| m.id.as_str()).collect();
        let stored_ids: Vec<String> = {
            let mut statement = tx.prepare("SELECT id FROM experts WHERE study_id = ?1 AND active = 1")?;
            statement.query_map([study_id.as_str()], |r| r.get(0))?.collect::<Result<_, _>>()?
        };
        for id in stored_ids.iter().filter(|id| !listed.contains(&id.as_str())) {
            tx.execute(
                "UPDATE experts SET active = 0 WHERE study_id = ?1 AND id = ?2",
                params![study_id.as_str(), id],
            )?;
            outcome.deactivated += 1;
        }
        audit::record(
            &tx,
            at,
            Some(study_id),
            &Actor::Coordinator,
            "panel.imported",
            &serde_json::json!({
                "added": outcome.added, "updated": outcome.updated, "unchanged": outcome.unchanged,
                "deactivated": outcome.deactivated, "joined_open_round": outcome.joined_open_round,
                "withdrawn": outcome.withdrawn,
            }),
        )?;
        tx.commit()?;
        Ok(outcome)
    }

    /// The number of active experts.
    pub fn active_panel_size(&self, study_id: &StudyId) -> Result<u32, StoreError> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM experts WHERE study_id = ?1 AND active = 1",
            [study_id.as_str()],
            |r| r.get(0),
        )?)
    }
}

/// An expert's stored fields, and their time zone.
type Fields = ([String; 7], Option<String>);

fn fields_of(member: &PanelMember) -> Fields {
    (
        [
            member.name.clone(),
            member.email.as_str().to_owned(),
            member.institution.clone(),
            member.country.clone(),
            member.bloc.clone(),
            member.language.as_str().to_owned(),
            member.expertise.clone(),
        ],
        member.time_zone.clone(),
    )
}

impl Store {
    /// The language of an active expert, or `None` if no active expert has this id.
    pub fn expert_language(&self, study_id: &StudyId, expert_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT language FROM experts WHERE study_id = ?1 AND id = ?2 AND active = 1",
                params![study_id.as_str(), expert_id],
                |r| r.get(0),
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::Pseudonyms;

    fn is_pseudonym_shaped(p: &str) -> bool {
        p.len() == 15
            && p.starts_with("p-")
            && p[2..].bytes().all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
    }

    #[test]
    fn a_fictional_panel_gets_the_same_pseudonyms_from_the_same_seed_and_others_from_another() {
        let seeded = Pseudonyms::FictionalFromSeed(2504);
        let first = seeded.for_expert("E01");
        assert!(is_pseudonym_shaped(&first), "{first}");
        assert_eq!(first, seeded.for_expert("E01"));
        assert_ne!(first, seeded.for_expert("E02"));
        assert_ne!(first, Pseudonyms::FictionalFromSeed(2505).for_expert("E01"));
    }

    #[test]
    fn a_real_panel_gets_a_fresh_random_pseudonym_of_the_same_shape() {
        let (a, b) = (Pseudonyms::Random.for_expert("E01"), Pseudonyms::Random.for_expert("E01"));
        assert!(is_pseudonym_shaped(&a) && is_pseudonym_shaped(&b), "{a} {b}");
        assert_ne!(a, b);
    }
}
