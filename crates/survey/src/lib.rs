//! delphi-survey: turns (study, round, previous-round summary, expert) into a frozen
//! questionnaire and renders it as an HTML form, a plain-text email form (with its
//! parser) and Markdown. Pure: values in, values out.
//!
//! So far it builds the round's questionnaire skeleton that a round freezes when it
//! opens: the questions in order, without feedback (issue 4 adds feedback and the
//! renderers).

use delphi_core::{Question, Study};
use serde::{Deserialize, Serialize};

/// Bumped whenever the serialised shape changes, so frozen questionnaires stay readable.
pub const QUESTIONNAIRE_FORMAT: u32 = 1;

/// What a round asks, frozen when the round opens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Questionnaire {
    pub format: u32,
    pub study_id: String,
    pub round: u32,
    pub questions: Vec<Question>,
}

/// The questionnaire of round `round` of `study`.
pub fn questionnaire(study: &Study, round: u32) -> Questionnaire {
    Questionnaire { format: QUESTIONNAIRE_FORMAT, study_id: study.id.to_string(), round, questions: study.questions() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_round_asks_every_question_of_the_study_and_hides_seed_answers() {
        let source = include_str!("../../../surveys/ai-safety-cooperation.toml");
        let study = Study::from_toml(source, "study.toml").expect("valid");
        let q = questionnaire(&study, 2);
        assert_eq!((q.round, q.questions.len()), (2, study.questions().len()));
        let json = serde_json::to_string(&q).expect("serialises");
        let seed = &study.seeds[0];
        assert!(json.contains(seed.id.as_str()) && !json.contains("realisation"), "{json}");
    }
}
