//! What an expert is shown of the previous round: the group's answers to an item and the
//! expert's own. The CLI fills it from the statistics engine; nothing in it names anyone
//! (rationales are plain, anonymous strings).

use std::collections::BTreeMap;

use delphi_core::study::ItemId;
use serde::{Deserialize, Serialize};

use crate::AnswerSpec;
use crate::answer::Answer;

/// The previous round's feedback for one expert, per item of that round.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RoundFeedback {
    /// The round the feedback summarises (before the round being asked).
    pub round: u32,
    /// Keyed by the id the item has in the round being asked.
    pub items: BTreeMap<ItemId, ItemFeedback>,
}

/// The group's answers to one item in the previous round.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemFeedback {
    /// Number of answers (don't-know included).
    pub n: u32,
    pub median: Option<f64>,
    pub q1: Option<f64>,
    pub q3: Option<f64>,
    /// Ordinal items: the number of answers per scale point, every point listed in order.
    /// Empty for other kinds.
    pub distribution: Vec<PointCount>,
    pub dont_know: u32,
    /// The expert's own answer in that round.
    pub own: OwnAnswer,
    /// Anonymous rationales, grouped by where their author's answer lay.
    pub rationales: Rationales,
}

/// The expert's own answer in the round fed back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum OwnAnswer {
    /// The shared questionnaire, not yet made out to one expert: nothing is said about them.
    #[default]
    NotPersonalised,
    /// The expert did not answer the item in that round.
    Missing,
    /// The expert's answer.
    Given { answer: Answer },
}

impl OwnAnswer {
    pub fn answer(&self) -> Option<&Answer> {
        match self {
            Self::Given { answer } => Some(answer),
            Self::NotPersonalised | Self::Missing => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointCount {
    pub point: i32,
    pub count: u32,
}

/// Rationales grouped by the position of their author's answer relative to the median.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rationales {
    pub below: Vec<String>,
    pub at: Vec<String>,
    pub above: Vec<String>,
}

impl Rationales {
    pub fn is_empty(&self) -> bool {
        self.below.is_empty() && self.at.is_empty() && self.above.is_empty()
    }
}

impl ItemFeedback {
    /// The largest count of the distribution (for scaling a chart), at least 1.
    pub fn max_count(&self) -> u32 {
        self.distribution.iter().map(|p| p.count).chain([self.dont_know, 1]).max().unwrap_or(1)
    }

    /// Checks the feedback fits the item: distribution on the scale, own answer valid.
    pub(crate) fn check(&self, spec: &AnswerSpec) -> Result<(), String> {
        if let AnswerSpec::Ordinal { min, max, .. } = spec {
            let points: Vec<i32> = self.distribution.iter().map(|p| p.point).collect();
            let expected: Vec<i32> = (*min..=*max).collect();
            if !points.is_empty() && points != expected {
                return Err(format!("the distribution must list the points {min}–{max} in order, found {points:?}"));
            }
        } else if !self.distribution.is_empty() {
            return Err("only ordinal items have a distribution".to_owned());
        }
        let counted: u32 = self.distribution.iter().map(|p| p.count).sum::<u32>() + self.dont_know;
        if !self.distribution.is_empty() && counted != self.n {
            return Err(format!("n is {} but the distribution counts {counted}", self.n));
        }
        if let Some(own) = self.own.answer() {
            crate::answer::validate(spec, own).map_err(|e| format!("own answer: {e}"))?;
        }
        Ok(())
    }
}
