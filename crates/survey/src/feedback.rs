//! What an expert is shown of the previous round: the group's answers to an item and the
//! expert's own. The CLI fills it from the statistics engine; nothing in it names anyone
//! (rationales are plain, anonymous strings).
//!
//! Every kind of item has its figures: ordinal items a distribution, numeric and
//! probability items the median and quartiles, quantile items the pool at the quantiles they ask and the
//! spread of the experts' medians, ranking items each option's mean rank and positions,
//! and shared text items (proposals) the answers themselves, deduplicated.

use std::collections::BTreeMap;

use delphi_core::study::ItemId;
use serde::{Deserialize, Serialize};

use crate::AnswerSpec;
use crate::answer::{Answer, QuantileValues};

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
    /// Quantile items: the equal-weight pool of the experts' quantiles (then
    /// `median`, `q1` and `q3` describe the spread of the experts' own medians).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pooled: Option<Pooled>,
    /// Ranking items: each option's mean rank and how often it took each position.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranks: Vec<OptionRanks>,
    /// Shared text items: the previous round's answers, anonymous, identical ones grouped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proposals: Vec<Grouped>,
}

/// The equal-weight linear pool of a quantile item, at the quantiles the item asks (written
/// `{"p5": …, "p50": …, "p95": …}` for 5/50/95 %, as before there was a choice).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Pooled(pub QuantileValues);

/// One option of a ranking item in the previous round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionRanks {
    /// The option's id (a domain id).
    pub option: String,
    /// Its mean rank, 1 = first; none if nobody ranked it.
    pub mean_rank: Option<f64>,
    /// `positions[i]`: how many experts put it in place `i + 1`.
    pub positions: Vec<u32>,
}

/// A text and how many experts wrote it (after case and whitespace are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grouped {
    pub text: String,
    pub count: u32,
}

/// Groups texts that are identical once case and runs of whitespace are ignored, keeping
/// the spelling first in text order; sorted by text so the order says nothing about who wrote what.
pub fn group_identical<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<Grouped> {
    let mut by_key: BTreeMap<String, Grouped> = BTreeMap::new();
    for text in texts {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let key = text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        let group = by_key.entry(key).or_insert_with(|| Grouped { text: text.to_owned(), count: 0 });
        group.count += 1;
        // The spelling shown is the first in text order, so it says nothing of who
        // answered first.
        if text < group.text.as_str() {
            text.clone_into(&mut group.text);
        }
    }
    by_key.into_values().collect()
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

    /// The three groups with identical rationales grouped, below the median first.
    pub fn grouped(&self) -> [Vec<Grouped>; 3] {
        [&self.below, &self.at, &self.above].map(|texts| group_identical(texts.iter().map(String::as_str)))
    }

    /// At most `cap` of the grouped rationales, spread over the three positions in turn
    /// (below, at, above the median, each group in its text order) so that no side of the
    /// panel is left out, and how many grouped rationales are left out. Deterministic and
    /// never by who wrote what.
    pub fn selection(&self, cap: usize) -> ([Vec<Grouped>; 3], usize) {
        let all = self.grouped();
        let total: usize = all.iter().map(Vec::len).sum();
        let mut taken = [0usize; 3];
        let mut left = cap.min(total);
        while left > 0 {
            for (side, group) in all.iter().enumerate() {
                if left > 0 && taken[side] < group.len() {
                    taken[side] += 1;
                    left -= 1;
                }
            }
        }
        let shown = std::array::from_fn(|side| spread(&all[side], taken[side]));
        (shown, total - cap.min(total))
    }
}

/// At most `cap` of `items` (grouped texts), chosen as [`Rationales::selection`] chooses
/// within one position, and how many are left out.
pub fn select(items: &[Grouped], cap: usize) -> (Vec<Grouped>, usize) {
    (spread(items, cap), items.len().saturating_sub(cap))
}

/// `n` of `items`: those several experts wrote first (most often written first), then
/// single ones evenly spaced through the text order, so a long list is sampled from its
/// start to its end rather than cut after its first entries.
fn spread(items: &[Grouped], n: usize) -> Vec<Grouped> {
    if n >= items.len() {
        return items.to_vec();
    }
    let (mut shared, single): (Vec<&Grouped>, Vec<&Grouped>) = items.iter().partition(|g| g.count > 1);
    shared.sort_by_key(|g| std::cmp::Reverse(g.count));
    let mut chosen: Vec<Grouped> = shared.into_iter().take(n).cloned().collect();
    let rest = n - chosen.len();
    chosen.extend((0..rest).map(|i| single[i * single.len() / rest].clone()));
    chosen
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
        if !self.ranks.is_empty() && !matches!(spec, AnswerSpec::Ranking { .. }) {
            return Err("only ranking items have mean ranks".to_owned());
        }
        match (&self.pooled, spec) {
            (Some(_), AnswerSpec::Quantile { .. }) | (None, _) => {}
            (Some(_), _) => return Err("only quantile items have a pooled distribution".to_owned()),
        }
        if let (Some(Pooled(pool)), AnswerSpec::Quantile { levels, .. }) = (&self.pooled, spec)
            && pool.levels() != *levels
        {
            return Err(format!("the pool is at the {} quantiles, the item asks {levels}", pool.levels()));
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
