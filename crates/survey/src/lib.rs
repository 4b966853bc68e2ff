//! delphi-survey: turns (study, round, previous-round feedback, expert language) into a
//! frozen questionnaire and renders it as an HTML form, a plain-text email form (with its
//! parser) and Markdown. Pure: values in, values out.
//!
//! - [`questionnaire`] builds a [`Questionnaire`]: the round's items in one language, texts
//!   resolved, with the group's previous answers ([`RoundFeedback`]) beside every item asked
//!   before. Seed (calibration) items carry neither their realisation (the core types make
//!   that impossible) nor group feedback (it would spoil calibration).
//! - [`text::render`] writes the reply-by-email form (and [`text::render_filled`] the same
//!   with saved answers), [`reply::parse`] reads a reply; [`html::render`] and
//!   [`reply::parse_form`] do the same for the web form; [`markdown::render`] is the
//!   coordinator's preview. All of them speak the questionnaire's language ([`ui`]: English
//!   and Chinese; other languages get English UI texts around the study's own texts).
//! - [`answer`] holds the answer type, the syntax experts write answers in, and validation;
//!   every error message speaks to the expert (also in Chinese: [`ReplyErrors::message`]).

#![warn(missing_docs)]

pub mod answer;
mod common;
pub mod feedback;
pub mod frozen;
pub mod html;
pub mod mail_html;
pub mod markdown;
pub mod reply;
pub mod text;
pub mod ui;

use std::collections::BTreeMap;

use delphi_core::study::{CarryOver, CriterionId, DomainId, ItemId, Language, QuantileLevels, ResponseKind};
use delphi_core::{Question, Study};
use serde::{Deserialize, Serialize};

pub use answer::{Answer, AnswerError, Place, QuantileValues, RankOrder, Tier};
pub use feedback::{ItemFeedback, OwnAnswer, PointCount, Rationales, RoundFeedback};
pub use frozen::FrozenRound;
pub use reply::{Reading, Reply, ReplyError, ReplyErrors, Signer};

/// Bumped whenever the serialised shape changes, so frozen questionnaires stay readable.
/// 1: questions only; 2: texts resolved in one language, answer specs, feedback.
pub const QUESTIONNAIRE_FORMAT: u32 = 2;

/// What a round asks one expert (or, without feedback, everybody in one language), frozen
/// when the round opens. Every text is resolved; renderers need nothing else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Questionnaire {
    /// The shape it was frozen in: [`QUESTIONNAIRE_FORMAT`] of its time.
    pub format: u32,
    /// The study's id.
    pub study_id: String,
    /// The round it asks for.
    pub round: u32,
    /// The language the texts are in (one of the study's languages).
    pub language: Language,
    /// The study's title in that language.
    pub title: String,
    /// The study's description in that language.
    pub description: String,
    /// The round the feedback comes from, if any item shows feedback.
    pub feedback_round: Option<u32>,
    /// The domains, in the study's order (for section headings and rankings).
    pub domains: Vec<DomainView>,
    /// The items in the order an expert meets them: domain by domain the criteria, then
    /// the extra items, then the calibration items.
    pub items: Vec<Item>,
    /// Whether an answer carried over from the previous round counts when it is sent back
    /// unchanged (the study's rule, frozen with the round so that it is known afterwards).
    #[serde(default)]
    pub carry_over: CarryOver,
}

/// A domain with its texts in the questionnaire's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainView {
    /// The domain's id.
    pub id: DomainId,
    /// Its name, for section headings and ranking options.
    pub title: String,
    /// What the area covers.
    pub description: String,
}

/// One item as an expert sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// The item's id, which answers carry.
    pub id: ItemId,
    /// The domain it asks about, for a grid item.
    pub domain: Option<DomainId>,
    /// The criterion it asks, for a grid item.
    pub criterion: Option<CriterionId>,
    /// Whether it is a calibration question (never given feedback).
    pub is_seed: bool,
    /// The prompt in the questionnaire's language, `{domain}` filled in.
    pub prompt: String,
    /// What an answer may be.
    pub answer: AnswerSpec,
    /// The previous round's feedback, where the item was asked before (never for seeds).
    pub feedback: Option<ItemFeedback>,
    /// The earlier item this one continues (a rewording or part of a split), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continues: Option<ItemId>,
    /// In one expert's copy only ([`personalise`]): their latest earlier answer, filled in
    /// where they have not answered in this round yet. Never part of a frozen questionnaire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<Answer>,
}

/// What an answer to an item may be, with every text resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum AnswerSpec {
    /// A point `min..=max`; `labels[i]` names point `min + i`.
    Ordinal {
        /// The lowest point.
        min: i32,
        /// The highest point.
        max: i32,
        /// One label per point, lowest first.
        labels: Vec<String>,
        /// Whether "don't know" is an answer.
        dont_know: bool,
    },
    /// A number, bounded where `min` or `max` says.
    Numeric {
        /// The lowest answer accepted, if bounded.
        min: Option<f64>,
        /// The highest answer accepted, if bounded.
        max: Option<f64>,
        /// The unit shown beside the field, if any.
        unit: Option<String>,
    },
    /// Quantiles at the item's levels (5 %, 50 % and 95 % unless the study says otherwise).
    Quantile {
        /// The lowest value an answer may hold, if bounded.
        min: Option<f64>,
        /// The highest value an answer may hold, if bounded.
        max: Option<f64>,
        /// The unit shown beside the fields, if any.
        unit: Option<String>,
        /// The quantiles asked, in percent (questionnaires frozen before there was a choice
        /// asked 5/50/95).
        #[serde(default, rename = "quantiles")]
        levels: QuantileLevels,
    },
    /// A probability, entered as a percentage 0–100, stored in 0..=1.
    Probability,
    /// A ranking of all the options, most preferred first.
    Ranking {
        /// The options to rank (the study's domains), in the study's order.
        options: Vec<DomainView>,
        /// Whether options may share a place (the study's `ties = true`); questionnaires
        /// frozen before there was a choice asked for a strict order (and one that does is
        /// written as it was then).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        ties: bool,
    },
    /// Free text.
    Text,
}

impl AnswerSpec {
    /// The label of an ordinal point, if this is an ordinal spec and the point is on it.
    pub fn label(&self, point: i32) -> Option<&str> {
        match self {
            Self::Ordinal { min, labels, .. } => {
                usize::try_from(point - min).ok().and_then(|i| labels.get(i)).map(String::as_str)
            }
            Self::Numeric { .. } | Self::Quantile { .. } | Self::Probability | Self::Ranking { .. } | Self::Text => {
                None
            }
        }
    }
}

/// Why a questionnaire could not be built.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SurveyError {
    /// The feedback is from the round being built or a later one.
    #[error("feedback comes from round {feedback}, which is not before round {round}")]
    FeedbackNotEarlier {
        /// The round the feedback comes from.
        feedback: u32,
        /// The round being built.
        round: u32,
    },
    /// The feedback for an item does not fit the item's answer form.
    #[error("feedback for item {item}: {problem}")]
    BadFeedback {
        /// The item's id.
        item: String,
        /// What does not fit.
        problem: String,
    },
    /// Round 0 was asked for.
    #[error("round {0} does not exist: rounds are numbered from 1")]
    RoundZero(u32),
}

/// The questionnaire of round `round` of `study` in `language`, with `feedback` from an
/// earlier round beside every item it covers (items it does not know get none; seed items
/// never get any). An unknown `language` falls back to the study's default.
pub fn questionnaire(
    study: &Study,
    round: u32,
    feedback: Option<&RoundFeedback>,
    language: &Language,
) -> Result<Questionnaire, SurveyError> {
    if round == 0 {
        return Err(SurveyError::RoundZero(round));
    }
    if let Some(fb) = feedback
        && fb.round >= round
    {
        return Err(SurveyError::FeedbackNotEarlier { feedback: fb.round, round });
    }
    let fallback = study.default_language();
    let language = if study.languages.contains(language) { language } else { fallback };
    let text = |l: &delphi_core::study::Localised| l.get(language, fallback).clone();
    let domains: Vec<DomainView> = study
        .domains
        .iter()
        .map(|d| DomainView { id: d.id.clone(), title: text(&d.title), description: text(&d.description) })
        .collect();
    let mut items = Vec::new();
    for question in study.questions_in_round(round) {
        let item = item(study, &question, &domains, language)?;
        items.push(item);
    }
    let mut used_feedback = false;
    if let Some(fb) = feedback {
        for item in items.iter_mut().filter(|i| !i.is_seed) {
            if let Some(f) = fb.items.get(&item.id) {
                f.check(&item.answer)
                    .map_err(|problem| SurveyError::BadFeedback { item: item.id.to_string(), problem })?;
                item.feedback = Some(f.clone());
                used_feedback = true;
            }
        }
    }
    Ok(Questionnaire {
        format: QUESTIONNAIRE_FORMAT,
        study_id: study.id.to_string(),
        round,
        language: language.clone(),
        title: text(&study.title),
        description: text(&study.description),
        feedback_round: feedback.filter(|_| used_feedback).map(|f| f.round),
        domains,
        items,
        carry_over: study.carry_over,
    })
}

fn item(study: &Study, question: &Question, domains: &[DomainView], language: &Language) -> Result<Item, SurveyError> {
    let fallback = study.default_language();
    let domain_title = question
        .domain
        .as_ref()
        .and_then(|d| domains.iter().find(|v| &v.id == d))
        .map(|d| d.title.as_str())
        .unwrap_or_default();
    let prompt = if question.is_seed {
        study.seeds.iter().find(|s| s.id == question.id).map(|s| s.prompt.get(language, fallback).clone())
    } else if let Some(criterion) = &question.criterion {
        study.criteria.iter().find(|c| &c.id == criterion).map(|c| c.prompt.get(language, fallback).clone())
    } else {
        study.items.iter().find(|i| i.id == question.id).map(|i| i.prompt.get(language, fallback).clone())
    }
    .unwrap_or_default()
    .replace("{domain}", domain_title);
    let unit = |u: &Option<delphi_core::study::Localised>| u.as_ref().map(|u| u.get(language, fallback).clone());
    let answer = match &question.response {
        ResponseKind::Ordinal { scale } => {
            let scale = study.scale(scale).ok_or_else(|| SurveyError::BadFeedback {
                item: question.id.to_string(),
                problem: format!("unknown scale {scale}"),
            })?;
            AnswerSpec::Ordinal {
                min: scale.min,
                max: scale.max,
                labels: scale.labels.get(language, fallback).clone(),
                dont_know: scale.dont_know,
            }
        }
        ResponseKind::Numeric { min, max, unit: u } => AnswerSpec::Numeric { min: *min, max: *max, unit: unit(u) },
        ResponseKind::Quantile { min, max, unit: u, quantiles, .. } => {
            AnswerSpec::Quantile { min: *min, max: *max, unit: unit(u), levels: *quantiles }
        }
        ResponseKind::Probability => AnswerSpec::Probability,
        ResponseKind::RankingOfDomains { ties } => AnswerSpec::Ranking { options: domains.to_vec(), ties: *ties },
        ResponseKind::Text => AnswerSpec::Text,
    };
    Ok(Item {
        id: question.id.clone(),
        domain: question.domain.clone(),
        criterion: question.criterion.clone(),
        is_seed: question.is_seed,
        prompt,
        answer,
        feedback: None,
        continues: question.continues.clone(),
        prefill: None,
    })
}

/// Makes the shared questionnaire of a round out to one expert: beside each item's group
/// feedback, their own answer in the round fed back (`previous`; for a continuation, their
/// answer to the item it continues), or that they gave none. Under the study's
/// [`CarryOver::Confirm`] rule that answer is also filled in ([`Item::prefill`]).
pub fn personalise(shared: &Questionnaire, previous: &BTreeMap<ItemId, Answer>) -> Questionnaire {
    personalise_with_latest(shared, previous, previous)
}

/// [`personalise`], filling in each item from `latest`: the expert's latest answer to each
/// item over all earlier rounds (an item skipped in the round fed back keeps an older
/// answer), so that keeping a view is sending the form unchanged.
pub fn personalise_with_latest(
    shared: &Questionnaire,
    previous: &BTreeMap<ItemId, Answer>,
    latest: &BTreeMap<ItemId, Answer>,
) -> Questionnaire {
    let mut personal = shared.clone();
    for item in &mut personal.items {
        let own_in = |answers: &'_ BTreeMap<ItemId, Answer>| {
            answers.get(&item.id).or_else(|| item.continues.as_ref().and_then(|c| answers.get(c))).cloned()
        };
        let (own, carried) = (own_in(previous), own_in(latest));
        if let Some(feedback) = &mut item.feedback {
            feedback.own = own.map_or(OwnAnswer::Missing, |answer| OwnAnswer::Given { answer });
        }
        // An answer that no longer fits the item (a changed scale) is shown, never filled in.
        let carried = carried.filter(|answer| answer::validate(&item.answer, answer).is_ok());
        if shared.carry_over == CarryOver::Confirm {
            item.prefill = carried;
        }
    }
    personal
}

impl Questionnaire {
    /// Whether any item comes filled in with the expert's earlier answer.
    pub fn has_prefill(&self) -> bool {
        self.items.iter().any(|i| i.prefill.is_some())
    }

    /// What the form says above its questions about the expert's earlier answers: that the
    /// ones filled in are theirs, or (under [`CarryOver::Reconfirm`], in an expert's own
    /// copy) that they must give them again.
    pub(crate) fn carry_over_note(&self, ui: &ui::Ui) -> Option<&'static str> {
        let personal =
            self.items.iter().any(|i| i.feedback.as_ref().is_some_and(|f| f.own != OwnAnswer::NotPersonalised));
        if self.has_prefill() {
            Some(ui.carried_over)
        } else if self.carry_over == CarryOver::Reconfirm && personal {
            Some(ui.reconfirm)
        } else {
            None
        }
    }

    /// The item whose id is `id`, if this round asks it.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id.as_str() == id)
    }

    /// The domain whose id is `id`, if the study has it.
    pub fn domain(&self, id: &DomainId) -> Option<&DomainView> {
        self.domains.iter().find(|d| &d.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn study() -> Study {
        let source = include_str!("../../../surveys/ai-safety-cooperation.toml");
        Study::from_toml(source, "study.toml").expect("valid")
    }

    #[test]
    fn a_round_asks_every_question_of_the_study_and_hides_seed_answers() {
        let study = study();
        let q = questionnaire(&study, 2, None, study.default_language()).expect("builds");
        assert_eq!((q.round, q.items.len()), (2, study.questions().len()));
        let json = serde_json::to_string(&q).expect("serialises");
        let seed = &study.seeds[0];
        assert!(json.contains(seed.id.as_str()) && !json.contains("realisation"), "{json}");
        assert!(!json.contains("28.0") && !json.contains(":28,") && !json.contains(":28}"), "{json}");
        let back: Questionnaire = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, q);
    }

    #[test]
    fn texts_are_resolved_in_the_experts_language_and_domain_filled_in() {
        let study = study();
        let zh = study.languages.iter().find(|l| l.as_str() == "zh").expect("zh");
        let q = questionnaire(&study, 1, None, zh).expect("builds");
        let item = q.item("verification.benefit").expect("item");
        assert!(item.prompt.contains("验证机制") && !item.prompt.contains("{domain}"), "{}", item.prompt);
        assert!(matches!(&item.answer, AnswerSpec::Ordinal { labels, .. } if labels[0] == "很低"));
    }

    #[test]
    fn feedback_must_come_from_an_earlier_round() {
        let study = study();
        let fb = RoundFeedback { round: 2, items: Default::default() };
        let err = questionnaire(&study, 2, Some(&fb), study.default_language()).unwrap_err();
        assert_eq!(err, SurveyError::FeedbackNotEarlier { feedback: 2, round: 2 });
    }
}
