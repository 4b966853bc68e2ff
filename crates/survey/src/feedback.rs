//! What an expert is shown of the previous round: the group's answers to an item and the
//! expert's own. The CLI fills it from the statistics engine; nothing in it names anyone
//! (a rationale is its text, the language it was written in and the translations the
//! coordinator imported; never its author).
//!
//! Every kind of item has its figures: ordinal items a distribution, numeric and
//! probability items the median and quartiles, quantile items the pool at the quantiles they ask and the
//! spread of the experts' medians, ranking items each option's mean rank and positions,
//! and shared text items (proposals) the answers themselves, deduplicated.

use std::collections::BTreeMap;

use delphi_core::study::{ItemId, Language};
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
    /// The median answer; none without answers.
    pub median: Option<f64>,
    /// The first quartile; none without answers.
    pub q1: Option<f64>,
    /// The third quartile; none without answers.
    pub q3: Option<f64>,
    /// Ordinal items: the number of answers per scale point, every point listed in order.
    /// Empty for other kinds.
    pub distribution: Vec<PointCount>,
    /// Number of "don't know" answers.
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
    /// Its mean rank, 1 = first, a tie counting as the mean of the places it shares (a tie
    /// for places 2–3 as 2.5); none if nobody ranked it.
    pub mean_rank: Option<f64>,
    /// `positions[i]`: how many experts put it in place `i + 1`, a tie at the first place it
    /// shares (a tie for places 2–3 in place 2), so that they add up to the experts who ranked it.
    pub positions: Vec<u32>,
}

/// A text and how many experts wrote it (after case and whitespace are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grouped {
    /// The text, in the spelling first in text order.
    pub text: String,
    /// How many experts wrote it.
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
        let key = normalised(text);
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

/// A text as compared when grouping: case and runs of whitespace ignored.
pub fn normalised(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The id of a rationale written to `item` (the text item it answers) for translators: derived
/// from the item and the [`normalised`] text only, so identical rationales share it, it is the
/// same in every export of the round, and it says nothing of who wrote it. `r` and 16 hex
/// digits of a 64-bit FNV-1a hash (stable across builds and platforms, unlike std's hasher).
pub fn rationale_id(item: &str, text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in item.bytes().chain([0]).chain(normalised(text).bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("r{hash:016x}")
}

/// One anonymous rationale: the text as its author wrote it, the language of their
/// questionnaire, and its translations into the study's other languages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredRationale")]
pub struct Rationale {
    /// The rationale as its author wrote it.
    pub text: String,
    /// The author's questionnaire language; none in questionnaires frozen before rationales
    /// carried one (then the text is shown as written, unmarked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    /// Imported translations, by language.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<Language, String>,
    /// Chosen by the coordinator for the email (a `feature` mark in the translators' CSV).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub featured: bool,
}

/// How a rationale was frozen: a plain string (before rationales had a language) or whole.
#[derive(Deserialize)]
#[serde(untagged)]
enum StoredRationale {
    Plain(String),
    Typed {
        text: String,
        #[serde(default)]
        language: Option<Language>,
        #[serde(default)]
        translations: BTreeMap<Language, String>,
        #[serde(default)]
        featured: bool,
    },
}

impl From<StoredRationale> for Rationale {
    fn from(stored: StoredRationale) -> Self {
        match stored {
            StoredRationale::Plain(text) => Self { text, ..Self::default() },
            StoredRationale::Typed { text, language, translations, featured } => {
                Self { text, language, translations, featured }
            }
        }
    }
}

impl From<&str> for Rationale {
    fn from(text: &str) -> Self {
        Self { text: text.to_owned(), ..Self::default() }
    }
}

impl From<String> for Rationale {
    fn from(text: String) -> Self {
        Self { text, ..Self::default() }
    }
}

/// A rationale as a reader of one language is shown it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown<'a> {
    /// Written in the reader's language (or in an unknown one): as written, unmarked.
    AsWritten(&'a str),
    /// Written in another language and translated: the translation first, then the original.
    Translated {
        /// The imported translation into the reader's language.
        translation: &'a str,
        /// The text as its author wrote it.
        original: &'a str,
        /// The language it was written in.
        from: &'a Language,
    },
    /// Written in another language, not translated into the reader's: as written, marked.
    Untranslated {
        /// The text as its author wrote it.
        text: &'a str,
        /// The language it was written in.
        from: &'a Language,
    },
}

impl Rationale {
    /// What a reader of `reader` is shown.
    pub fn for_reader(&self, reader: &Language) -> Shown<'_> {
        match &self.language {
            Some(from) if from != reader => match self.translations.get(reader) {
                Some(translation) => Shown::Translated { translation, original: &self.text, from },
                None => Shown::Untranslated { text: &self.text, from },
            },
            _ => Shown::AsWritten(&self.text),
        }
    }
}

/// A rationale and how many experts wrote it (identical after case and whitespace).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupedRationale {
    /// The rationale, in the spelling first in text order.
    pub rationale: Rationale,
    /// How many experts wrote it.
    pub count: u32,
}

/// Groups rationales as [`group_identical`] groups texts; a group keeps the language of the
/// spelling it shows, every translation any of its members carries, and is featured if any
/// member is (all members share one id, so they carry the same translations).
pub fn group_rationales<'a>(rationales: impl IntoIterator<Item = &'a Rationale>) -> Vec<GroupedRationale> {
    let mut by_key: BTreeMap<String, GroupedRationale> = BTreeMap::new();
    for rationale in rationales {
        let text = rationale.text.trim();
        if text.is_empty() {
            continue;
        }
        let group = by_key.entry(normalised(text)).or_insert_with(|| GroupedRationale {
            rationale: Rationale { text: text.to_owned(), ..rationale.clone() },
            count: 0,
        });
        group.count += 1;
        group.rationale.featured |= rationale.featured;
        for (language, translation) in &rationale.translations {
            group.rationale.translations.entry(language.clone()).or_insert_with(|| translation.clone());
        }
        if text < group.rationale.text.as_str() {
            text.clone_into(&mut group.rationale.text);
            group.rationale.language.clone_from(&rationale.language);
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
    Given {
        /// What they answered.
        answer: Answer,
    },
}

impl OwnAnswer {
    /// The answer, if the expert gave one.
    pub fn answer(&self) -> Option<&Answer> {
        match self {
            Self::Given { answer } => Some(answer),
            Self::NotPersonalised | Self::Missing => None,
        }
    }
}

/// How many experts chose one point of an ordinal scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointCount {
    /// The scale point.
    pub point: i32,
    /// How many answers chose it.
    pub count: u32,
}

/// Rationales grouped by the position of their author's answer relative to the median.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rationales {
    /// From experts who answered below the median.
    pub below: Vec<Rationale>,
    /// From experts who answered at the median.
    pub at: Vec<Rationale>,
    /// From experts who answered above the median.
    pub above: Vec<Rationale>,
}

impl Rationales {
    /// Whether no expert gave a rationale.
    pub fn is_empty(&self) -> bool {
        self.below.is_empty() && self.at.is_empty() && self.above.is_empty()
    }

    /// The three groups with identical rationales grouped, below the median first.
    pub fn grouped(&self) -> [Vec<GroupedRationale>; 3] {
        [&self.below, &self.at, &self.above].map(group_rationales)
    }

    /// At most `cap` of the grouped rationales, spread over the three positions in turn
    /// (below, at, above the median, each group in its text order) so that no side of the
    /// panel is left out, and how many grouped rationales are left out. Deterministic and
    /// never by who wrote what. Where the coordinator featured some, only those are chosen
    /// from (still within the cap): their selection replaces the automatic spread.
    pub fn selection(&self, cap: usize) -> ([Vec<GroupedRationale>; 3], usize) {
        let grouped = self.grouped();
        let total: usize = grouped.iter().map(Vec::len).sum();
        let all = if grouped.iter().flatten().any(|g| g.rationale.featured) {
            grouped.map(|side| side.into_iter().filter(|g| g.rationale.featured).collect())
        } else {
            grouped
        };
        let candidates: usize = all.iter().map(Vec::len).sum();
        let mut taken = [0usize; 3];
        let mut left = cap.min(candidates);
        let shown_count = left;
        while left > 0 {
            for (side, group) in all.iter().enumerate() {
                if left > 0 && taken[side] < group.len() {
                    taken[side] += 1;
                    left -= 1;
                }
            }
        }
        let shown = std::array::from_fn(|side| spread(&all[side], taken[side]));
        (shown, total - shown_count)
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
fn spread<T: Counted + Clone>(items: &[T], n: usize) -> Vec<T> {
    if n >= items.len() {
        return items.to_vec();
    }
    let (mut shared, single): (Vec<&T>, Vec<&T>) = items.iter().partition(|g| g.count() > 1);
    shared.sort_by_key(|g| std::cmp::Reverse(g.count()));
    let mut chosen: Vec<T> = shared.into_iter().take(n).cloned().collect();
    let rest = n - chosen.len();
    chosen.extend((0..rest).map(|i| single[i * single.len() / rest].clone()));
    chosen
}

/// A grouped text: how many experts wrote it.
trait Counted {
    fn count(&self) -> u32;
}

impl Counted for Grouped {
    fn count(&self) -> u32 {
        self.count
    }
}

impl Counted for GroupedRationale {
    fn count(&self) -> u32 {
        self.count
    }
}

impl ItemFeedback {
    /// The largest count of the distribution (for scaling a chart), at least 1.
    pub fn max_count(&self) -> u32 {
        self.distribution.iter().map(|p| p.count).chain([self.dont_know, 1]).max().unwrap_or(1)
    }

    /// Checks the feedback fits the item: distribution on the scale, own answer valid.
    pub(crate) fn check(&self, spec: &AnswerSpec) -> Result<(), String> {
        // What feedback a kind of item may carry beyond its median and quartiles: a
        // distribution over the points of its scale, mean ranks, a pool at its levels.
        let (scale, ranked, levels) = match spec {
            AnswerSpec::Ordinal { min, max, .. } => (Some((*min, *max)), false, None),
            AnswerSpec::Ranking { .. } => (None, true, None),
            AnswerSpec::Quantile { levels, .. } => (None, false, Some(*levels)),
            AnswerSpec::Numeric { .. } | AnswerSpec::Probability | AnswerSpec::Text => (None, false, None),
        };
        match scale {
            Some((min, max)) => {
                let points: Vec<i32> = self.distribution.iter().map(|p| p.point).collect();
                let expected: Vec<i32> = (min..=max).collect();
                if !points.is_empty() && points != expected {
                    return Err(format!(
                        "the distribution must list the points {min}–{max} in order, found {points:?}"
                    ));
                }
            }
            None if !self.distribution.is_empty() => return Err("only ordinal items have a distribution".to_owned()),
            None => {}
        }
        if !self.ranks.is_empty() && !ranked {
            return Err("only ranking items have mean ranks".to_owned());
        }
        match (&self.pooled, levels) {
            (Some(_), None) => return Err("only quantile items have a pooled distribution".to_owned()),
            (Some(Pooled(pool)), Some(levels)) if pool.levels() != levels => {
                return Err(format!("the pool is at the {} quantiles, the item asks {levels}", pool.levels()));
            }
            (Some(_), Some(_)) | (None, _) => {}
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(code: &str) -> Language {
        Language::parse(code).unwrap()
    }

    fn written(text: &str, language: &str) -> Rationale {
        Rationale { text: text.into(), language: Some(lang(language)), ..Rationale::default() }
    }

    #[test]
    fn a_rationale_id_follows_the_item_and_the_text_not_its_spelling() {
        let id = rationale_id("verification.rationale", "Trust first.");
        // Pinned: the id is in files translators hold while the round runs on; it must not
        // change between builds.
        assert_eq!(id, rationale_id("verification.rationale", "  trust   FIRST. "));
        assert_eq!(id.len(), 17);
        assert!(id.starts_with('r') && id[1..].bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(id, rationale_id("protocols.rationale", "Trust first."));
        assert_ne!(id, rationale_id("verification.rationale", "Trust first!"));
        assert_eq!(rationale_id("a", "b"), rationale_id("a", "B"));
        // FNV-1a over "verification.rationale\0trust first.", computed independently (Python).
        assert_eq!(id, "r390a7779636f4391");
    }

    #[test]
    fn each_reader_sees_their_language_first_and_is_told_what_is_translated_or_not() {
        let mut trust = written("Trust first.", "en");
        trust.translations.insert(lang("zh"), "信任优先。".into());
        let (en, zh, fr) = (lang("en"), lang("zh"), lang("fr"));
        assert_eq!(trust.for_reader(&en), Shown::AsWritten("Trust first."));
        assert_eq!(
            trust.for_reader(&zh),
            Shown::Translated { translation: "信任优先。", original: "Trust first.", from: &en }
        );
        assert_eq!(trust.for_reader(&fr), Shown::Untranslated { text: "Trust first.", from: &en });
        let unknown = Rationale::from("frozen before languages were kept");
        assert_eq!(unknown.for_reader(&zh), Shown::AsWritten("frozen before languages were kept"));
    }

    #[test]
    fn questionnaires_frozen_with_plain_rationales_still_read() {
        let old: Rationales = serde_json::from_str(r#"{"below":["a"],"at":[],"above":["b"]}"#).unwrap();
        assert_eq!(old.below, [Rationale::from("a")]);
        let new = Rationales { at: vec![written("c", "zh")], ..old.clone() };
        assert_eq!(serde_json::from_str::<Rationales>(&serde_json::to_string(&new).unwrap()).unwrap(), new);
    }

    #[test]
    fn featured_rationales_replace_the_automatic_spread_within_the_cap() {
        let mut rationales = Rationales {
            below: (0..4).map(|i| written(&format!("below {i}"), "en")).collect(),
            at: (0..4).map(|i| written(&format!("at {i}"), "zh")).collect(),
            above: (0..4).map(|i| written(&format!("above {i}"), "en")).collect(),
        };
        let (automatic, left) = rationales.selection(5);
        assert_eq!(automatic.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2, 1]);
        assert_eq!(left, 7);
        rationales.above[3].featured = true;
        rationales.at[1].featured = true;
        let (chosen, left) = rationales.selection(5);
        let texts: Vec<&str> = chosen.iter().flatten().map(|g| g.rationale.text.as_str()).collect();
        assert_eq!(texts, ["at 1", "above 3"]);
        assert_eq!(left, 10);
        for i in 0..4 {
            rationales.below[i].featured = true;
        }
        let (chosen, left) = rationales.selection(5);
        assert_eq!(chosen.iter().map(Vec::len).collect::<Vec<_>>(), [3, 1, 1], "still within the cap");
        assert_eq!(left, 7);
    }

    #[test]
    fn identical_rationales_group_with_their_translations_and_mark() {
        let mut first = written("Trust first.", "en");
        first.translations.insert(lang("zh"), "信任优先。".into());
        let again = Rationale { featured: true, ..written("trust  first.", "en") };
        let grouped = group_rationales([&first, &again, &written("Other", "zh")]);
        assert_eq!(grouped.len(), 2);
        let trust = grouped.iter().find(|g| g.count == 2).unwrap();
        assert_eq!(trust.rationale.text, "Trust first.");
        assert!(trust.rationale.featured);
        assert_eq!(trust.rationale.translations[&lang("zh")], "信任优先。");
    }
}
