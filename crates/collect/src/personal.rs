//! An expert's own answers as the channels show them back: the previous round's in their
//! copy of the questionnaire (web form, invitations, reminders, `round show --expert`), with
//! their latest earlier answers filled in; the current round's in the form and in receipts;
//! and the draft a refused web submission left.

use std::collections::BTreeMap;

use delphi_core::study::{ItemId, StudyId};
use delphi_store::{Store, StoreError};
use delphi_survey::answer::Answer;
use delphi_survey::{FrozenRound, Questionnaire, personalise_with_latest};

/// The questionnaire as this expert gets it: in `language`, with their own answers of the
/// round the feedback comes from beside the group's, and from round 2 on their latest
/// answers filled in (as the study's carry-over rule says): saved in this round, or else
/// in the latest earlier round that has one.
pub fn personal_questionnaire(
    store: &Store,
    study_id: &StudyId,
    frozen: &FrozenRound,
    expert_id: &str,
    language: &str,
) -> Result<Questionnaire, StoreError> {
    let shared = frozen.in_language(language);
    let mut latest = BTreeMap::new();
    let mut previous = BTreeMap::new();
    // The round asked counts too: a reminder shows what the expert saved in it already, so
    // that replying to it unchanged never takes back a change made on the web.
    for round in 1..=shared.round {
        let answers = answers_by_item(store.expert_answers(study_id, round, expert_id)?)?;
        if Some(round) == shared.feedback_round {
            previous.clone_from(&answers);
        }
        latest.extend(answers);
    }
    // Round 1 has nothing to carry over: its copy stays as it was (a reminder shows the form).
    if shared.round == 1 || (shared.feedback_round.is_none() && latest.is_empty()) {
        return Ok(shared.clone());
    }
    Ok(personalise_with_latest(shared, &previous, &latest))
}

/// Stored answers (`Store::expert_answers`) by item. An answer that no longer reads as one
/// is an error rather than left out, so no copy shown to an expert silently drops it.
pub fn answers_by_item(stored: Vec<(String, serde_json::Value)>) -> Result<BTreeMap<ItemId, Answer>, StoreError> {
    stored
        .into_iter()
        .filter_map(|(item, value)| ItemId::parse(&item).map(|id| (id, value)))
        .map(|(id, value)| {
            serde_json::from_value(value)
                .map(|answer| (id.clone(), answer))
                .map_err(|e| StoreError::Corrupt(format!("the stored answer to {id} is unreadable: {e}")))
        })
        .collect()
}
