//! What a round freezes when it opens: its questionnaire in every language of the study,
//! with the previous round's group feedback. An expert's own previous answers are added
//! to their copy only ([`crate::personalise`]), never frozen into the shared one.

use std::collections::BTreeMap;

use delphi_core::Study;
use delphi_core::study::Language;
use serde::{Deserialize, Serialize};

use crate::feedback::RoundFeedback;
use crate::{Questionnaire, SurveyError, questionnaire};

/// Bumped when the frozen shape changes.
pub const FROZEN_FORMAT: u32 = 1;

/// What a round froze when it opened: its questionnaire in each of the study's languages, group
/// feedback only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrozenRound {
    /// The shape it was frozen in: [`FROZEN_FORMAT`] of its time.
    pub format: u32,
    /// The round.
    pub round: u32,
    /// The same questionnaire in each of the study's languages.
    pub questionnaires: BTreeMap<Language, Questionnaire>,
}

impl FrozenRound {
    /// Round `round`'s questionnaires, with `feedback` from the round before.
    pub fn build(study: &Study, round: u32, feedback: Option<&RoundFeedback>) -> Result<Self, SurveyError> {
        let questionnaires = study
            .languages
            .iter()
            .map(|language| Ok((language.clone(), questionnaire(study, round, feedback, language)?)))
            .collect::<Result<_, SurveyError>>()?;
        Ok(Self { format: FROZEN_FORMAT, round, questionnaires })
    }

    /// The questionnaire in `language`, or else in the first of the study's languages.
    pub fn in_language(&self, language: &str) -> &Questionnaire {
        self.questionnaires
            .iter()
            .find(|(l, _)| l.as_str() == language)
            .or_else(|| self.questionnaires.iter().next())
            .map(|(_, q)| q)
            .expect("a frozen round has a questionnaire in at least one language")
    }
}
