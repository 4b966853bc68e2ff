//! Progress of each round: how many of those asked have answered, overall and per group;
//! and, for the coordinator's own terminal only (`delphi status`), which questions each
//! expert asked has answered so far. Reports and exports never see the latter.

use std::collections::BTreeSet;

use delphi_core::study::{PanelAttribute, StudyId};
use rusqlite::params;

use crate::rounds::{Round, rounds_of};
use crate::{Store, StoreError};

/// How many of one group of the panel were asked in a round, and how many answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupCount {
    /// The attribute the group shares.
    pub attribute: PanelAttribute,
    /// Its value.
    pub value: String,
    /// Those of the group asked in the round.
    pub invited: u32,
    /// Those of them with an answer that counts.
    pub responded: u32,
}

/// How far a round has got: who was asked, who answered, per group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundStatus {
    /// The round.
    pub round: Round,
    /// Experts asked in this round.
    pub invited: u32,
    /// Experts with at least one answer that counts in this round: a withdrawal under
    /// `remove-answers` takes an expert out of the rounds it reached.
    pub responded: u32,
    /// Those asked in this round who have since withdrawn (their answers counted or not,
    /// as `responded` says).
    pub withdrawn: u32,
    /// Stored submissions, edits included (the store keeps them all, counted or not).
    pub submissions: u32,
    /// The same counts per group of each grouping attribute.
    pub groups: Vec<GroupCount>,
}

impl RoundStatus {
    /// The counts as the coordinator's tools show them (CLI `status --format json`, the
    /// server's status endpoint): round, state, invited, responded, submissions, groups.
    pub fn to_json(&self) -> serde_json::Value {
        let groups: Vec<serde_json::Value> = self
            .groups
            .iter()
            .map(|g| {
                serde_json::json!({ "attribute": g.attribute.name(), "group": g.value, "invited": g.invited, "responded": g.responded })
            })
            .collect();
        serde_json::json!({ "round": self.round.number, "state": self.round.state.name(), "invited": self.invited,
                            "responded": self.responded, "withdrawn": self.withdrawn,
                            "submissions": self.submissions, "groups": groups })
    }
}

impl Store {
    /// Response counts per round, and per value of each of `attributes`.
    pub fn status(&self, study_id: &StudyId, attributes: &[PanelAttribute]) -> Result<Vec<RoundStatus>, StoreError> {
        rounds_of(&self.conn, study_id)?
            .into_iter()
            .map(|round| {
                let (invited, responded, withdrawn, submissions): (u32, u32, u32, u32) = self.conn.query_row(
                    "SELECT (SELECT COUNT(*) FROM round_panel WHERE study_id = ?1 AND round = ?2),
                            (SELECT COUNT(DISTINCT expert_id) FROM current_answers WHERE study_id = ?1 AND round = ?2),
                            (SELECT COUNT(*) FROM round_panel p JOIN withdrawals w
                               ON w.study_id = p.study_id AND w.expert_id = p.expert_id
                             WHERE p.study_id = ?1 AND p.round = ?2),
                            (SELECT COUNT(*) FROM submissions WHERE study_id = ?1 AND round = ?2)",
                    params![study_id.as_str(), round.number],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?;
                let groups = attributes
                    .iter()
                    .map(|&attribute| self.group_counts(study_id, round.number, attribute))
                    .collect::<Result<Vec<_>, _>>()?
                    .into_iter()
                    .flatten()
                    .collect();
                Ok(RoundStatus { round, invited, responded, withdrawn, submissions, groups })
            })
            .collect()
    }

    fn group_counts(
        &self,
        study_id: &StudyId,
        round: u32,
        attribute: PanelAttribute,
    ) -> Result<Vec<GroupCount>, StoreError> {
        // The column name comes from a closed enum, never from input.
        let column = attribute.name();
        let mut statement = self.conn.prepare(&format!(
            "SELECT e.{column}, COUNT(*),
                    COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM current_answers c
                                                   WHERE c.study_id = p.study_id AND c.round = p.round AND c.expert_id = p.expert_id))
             FROM round_panel p JOIN experts e ON e.study_id = p.study_id AND e.id = p.expert_id
             WHERE p.study_id = ?1 AND p.round = ?2
             GROUP BY e.{column} ORDER BY e.{column}"
        ))?;
        let rows = statement.query_map(params![study_id.as_str(), round], |r| {
            Ok(GroupCount { attribute, value: r.get(0)?, invited: r.get(1)?, responded: r.get(2)? })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// One expert asked in a round, as analyses may see them: a pseudonym and the values
/// of the grouping attributes, nothing that identifies them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PseudonymousMember {
    /// Their pseudonym, never their id.
    pub pseudonym: String,
    /// Their value of each grouping attribute asked for.
    pub groups: Vec<(PanelAttribute, String)>,
}

impl Store {
    /// Everyone asked in `round`, by pseudonym, with their `attributes`, ordered by pseudonym.
    pub fn round_panel(
        &self,
        study_id: &StudyId,
        round: u32,
        attributes: &[PanelAttribute],
    ) -> Result<Vec<PseudonymousMember>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT e.pseudonym, e.institution, e.country, e.bloc, e.language, e.expertise
             FROM round_panel p JOIN experts e ON e.study_id = p.study_id AND e.id = p.expert_id
             WHERE p.study_id = ?1 AND p.round = ?2 ORDER BY e.pseudonym",
        )?;
        let rows = statement.query_map(params![study_id.as_str(), round], |r| {
            let value = |attribute: PanelAttribute| -> rusqlite::Result<String> {
                r.get(match attribute {
                    PanelAttribute::Institution => 1,
                    PanelAttribute::Country => 2,
                    PanelAttribute::Bloc => 3,
                    PanelAttribute::Language => 4,
                    PanelAttribute::Expertise => 5,
                })
            };
            Ok(PseudonymousMember {
                pseudonym: r.get(0)?,
                groups: attributes.iter().map(|&a| Ok((a, value(a)?))).collect::<rusqlite::Result<_>>()?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Store {
    /// The ids of the experts asked in a round (for issuing their links), in id order.
    pub fn round_experts(&self, study_id: &StudyId, round: u32) -> Result<Vec<String>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT p.expert_id FROM round_panel p JOIN experts e ON e.study_id = p.study_id AND e.id = p.expert_id
             WHERE p.study_id = ?1 AND p.round = ?2 AND e.active = 1 ORDER BY p.expert_id",
        )?;
        let rows = statement.query_map(params![study_id.as_str(), round], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// An active expert asked in a round, with the items they have answered: what the
/// coordinator needs to see who to chase. Names an expert, so it is for the coordinator's
/// own terminal, never for a report or an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpertProgress {
    /// The coordinator's id of the expert.
    pub expert_id: String,
    /// Their name, for the coordinator to chase them.
    pub name: String,
    /// The items with a stored answer (the latest counts), by item id.
    pub answered: BTreeSet<String>,
}

impl Store {
    /// Each active expert asked in `round`, in id order, with the items they have answered.
    pub fn expert_progress(&self, study_id: &StudyId, round: u32) -> Result<Vec<ExpertProgress>, StoreError> {
        let mut statement = self.conn.prepare(
            "SELECT p.expert_id, e.name, c.item_id
             FROM round_panel p JOIN experts e ON e.study_id = p.study_id AND e.id = p.expert_id
             LEFT JOIN current_answers c ON c.study_id = p.study_id AND c.round = p.round AND c.expert_id = p.expert_id
             WHERE p.study_id = ?1 AND p.round = ?2 AND e.active = 1
             ORDER BY p.expert_id, c.item_id",
        )?;
        let rows = statement.query_map(params![study_id.as_str(), round], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, Option<String>>(2)?))
        })?;
        let mut progress: Vec<ExpertProgress> = Vec::new();
        for row in rows {
            let (expert_id, name, item) = row?;
            if progress.last().is_none_or(|p| p.expert_id != expert_id) {
                progress.push(ExpertProgress { expert_id, name, answered: BTreeSet::new() });
            }
            if let (Some(item), Some(last)) = (item, progress.last_mut()) {
                last.answered.insert(item);
            }
        }
        Ok(progress)
    }
}
