//! Answers, their validation, and the one syntax in which an expert writes them (the text
//! form; the HTML form's fields use the same syntax field by field).
//!
//! - ordinal: the point's number (`5`), optionally followed by its label (`5 Somewhat high`),
//!   or the label alone;
//!   `?`, `dk`, `don't know` or `不知道` for don't-know where the scale allows it;
//! - numeric: a number with a decimal point (`2.5`, `-3`, `1e6`), optionally followed by the unit;
//! - quantile: one number per quantile the item asks (5 %, 50 % and 95 % unless the study
//!   says otherwise), from low to high or labelled (`5%: 2  50%: 5  95%: 15`, or `2 5 15`, or
//!   `2; 5; 15`; `10%: 2  50%: 5  90%: 12` where the item asks 10/50/90), each larger than the
//!   one before;
//! - probability: a percentage from 0 to 100 (`30`, `30%`, `0.5%`); a bare fraction such as
//!   `0.3` is refused as ambiguous (write `30` for 30 % or `0.3%` for 0.3 %); stored in 0..=1;
//! - ranking: every option once, most preferred first, by id, title or number in the list
//!   (`protocols, verification, evaluations, infrastructure`, `2 1 4 3`, or `规程与共享标准、验证机制、…`);
//!   where the item allows ties (`ties = true`), options that share a place are joined by `=`
//!   (`protocols, verification = evaluations, infrastructure`, `2, 1 = 4, 3`, `＝` as a Chinese
//!   keyboard types it): `=` is what people write for "equal", and it meant nothing in a ranking
//!   before, whereas `/` has always separated places and still does;
//! - text: anything.
//!
//! A decimal comma (`2,5`) is refused rather than guessed.

use std::collections::BTreeMap;
use std::fmt;

use delphi_core::study::{DomainId, QuantileLevels};
use serde::{Deserialize, Serialize};

use crate::AnswerSpec;

/// One expert's answer to one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", from = "StrictAnswer")]
pub enum Answer {
    /// A point on the item's scale.
    Ordinal {
        /// The point, within the scale's `min..=max`.
        point: i32,
    },
    /// "Don't know", where the scale offers it.
    DontKnow,
    /// A number within the item's bounds.
    Numeric {
        /// The number as written.
        value: f64,
    },
    /// A value per quantile the item asks.
    Quantile(QuantileValues),
    /// In 0..=1.
    Probability {
        /// The probability in 0..=1 (the expert writes a percentage).
        value: f64,
    },
    /// Every option once, most preferred first; tied options share a place.
    Ranking {
        /// The places, most preferred first.
        order: RankOrder,
    },
    /// Free text.
    Text {
        /// The text as the expert wrote it.
        text: String,
    },
}

/// An answer as read: a field that is not the answer's own is refused, never dropped (a
/// client that sends `{"kind": "ordinal", "point": 5, "comment": "…"}` must learn that its
/// comment was not kept). serde lets a unit variant of a tagged enum ignore any field, so
/// "don't know" is read as an empty struct here.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
enum StrictAnswer {
    Ordinal { point: i32 },
    DontKnow {},
    Numeric { value: f64 },
    Quantile(QuantileValues),
    Probability { value: f64 },
    Ranking { order: RankOrder },
    Text { text: String },
}

impl From<StrictAnswer> for Answer {
    fn from(read: StrictAnswer) -> Self {
        match read {
            StrictAnswer::Ordinal { point } => Self::Ordinal { point },
            StrictAnswer::DontKnow {} => Self::DontKnow,
            StrictAnswer::Numeric { value } => Self::Numeric { value },
            StrictAnswer::Quantile(values) => Self::Quantile(values),
            StrictAnswer::Probability { value } => Self::Probability { value },
            StrictAnswer::Ranking { order } => Self::Ranking { order },
            StrictAnswer::Text { text } => Self::Text { text },
        }
    }
}

/// An expert's quantiles: one value per level of a set of [`QuantileLevels`] (so never a
/// level twice, nor a value without its level), from the lowest level to the highest.
///
/// In JSON, 5/50/95 % is written as it always was, `{"p5": 2, "p50": 5, "p95": 15}`, so that
/// stored answers and API clients of that shape keep their meaning; any other set as
/// `{"values": {"10": 2, "50": 5, "90": 12}}` (percent → value). Both shapes are read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "QuantileFields", try_from = "QuantileFields")]
pub struct QuantileValues {
    levels: QuantileLevels,
    values: Vec<f64>,
}

impl QuantileValues {
    /// `values` at `levels`, lowest level first; `None` unless there is one value per level.
    pub fn new(levels: QuantileLevels, values: Vec<f64>) -> Option<Self> {
        (values.len() == levels.len()).then_some(Self { levels, values })
    }

    /// The 5 %, 50 % and 95 % quantiles.
    pub fn five_fifty_ninety_five(p5: f64, p50: f64, p95: f64) -> Self {
        Self { levels: QuantileLevels::FIVE_FIFTY_NINETY_FIVE, values: vec![p5, p50, p95] }
    }

    /// The levels these are values at.
    pub fn levels(&self) -> QuantileLevels {
        self.levels
    }

    /// The values, lowest level first.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Each level (percent) with its value, lowest first.
    pub fn pairs(&self) -> impl Iterator<Item = (u8, f64)> + '_ {
        self.levels.percents().zip(self.values.iter().copied())
    }

    /// The value at `percent`, if it is one of the levels.
    pub fn at(&self, percent: u8) -> Option<f64> {
        self.pairs().find(|&(p, _)| p == percent).map(|(_, v)| v)
    }

    /// The median (every set of levels has one): the expert's best estimate.
    pub fn median(&self) -> f64 {
        self.at(50).unwrap_or(f64::NAN)
    }

    /// The lowest and the highest value.
    pub fn outer(&self) -> (f64, f64) {
        (self.values[0], self.values[self.values.len() - 1])
    }

    /// Whether each value is larger than the one before.
    pub fn is_increasing(&self) -> bool {
        self.values.windows(2).all(|w| w[0] < w[1])
    }
}

/// A ranking: the options place by place, most preferred first, options that share a place
/// (a tie) together in one [`Tier`]. That no place is empty the type sees to; that every option
/// of the item stands in it exactly once, and that a tie is allowed at all, [`validate`] checks.
///
/// In JSON, `order` lists the places, best first: an option id for a place of its own, a list of
/// ids for the options tied for one place. `["a", ["b", "c"], "d"]` puts b and c together in
/// second place (they share places 2 and 3). A ranking without ties is the list of ids it always
/// was, `["a", "b", "c", "d"]`, so stored answers and API clients keep their meaning.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RankOrder {
    tiers: Vec<Tier>,
}

/// The options that share one place: at least one (more than one is a tie), in the order of
/// their ids, as a tie has no order within it (so one tie has one spelling, however given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier(Vec<DomainId>);

/// The places an option holds, `first..=last` (1 = most preferred): one place, or the places a
/// tie shares (a tie of two in second place holds places 2 and 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// The first place held (1 = most preferred).
    pub first: usize,
    /// The last place held: `first` unless a tie shares the place.
    pub last: usize,
}

impl Tier {
    /// The options sharing a place; `None` for no option at all.
    pub fn new(mut options: Vec<DomainId>) -> Option<Self> {
        options.sort();
        (!options.is_empty()).then_some(Self(options))
    }

    /// One option in a place of its own.
    pub fn alone(option: DomainId) -> Self {
        Self(vec![option])
    }

    /// The options in this place, by id.
    pub fn options(&self) -> &[DomainId] {
        &self.0
    }

    /// Whether several options share this place.
    pub fn is_tie(&self) -> bool {
        self.0.len() > 1
    }
}

impl Place {
    /// The mean of the places held, as the statistics rank a tie (places 2 and 3: 2.5).
    pub fn mid_rank(self) -> f64 {
        (self.first + self.last) as f64 / 2.0
    }
}

/// `2`, or `2–3` for a place shared by a tie of two.
impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last { write!(f, "{}", self.first) } else { write!(f, "{}–{}", self.first, self.last) }
    }
}

impl RankOrder {
    /// The order of `tiers`, most preferred first.
    pub fn new(tiers: Vec<Tier>) -> Self {
        Self { tiers }
    }

    /// The places, best first.
    pub fn tiers(&self) -> &[Tier] {
        &self.tiers
    }

    /// Every option in order, tied ones by id.
    pub fn options(&self) -> impl Iterator<Item = &DomainId> + '_ {
        self.tiers.iter().flat_map(|t| t.0.iter())
    }

    /// Whether any options share a place.
    pub fn has_ties(&self) -> bool {
        self.tiers.iter().any(Tier::is_tie)
    }

    /// Each option with the places it holds, best first.
    pub fn places(&self) -> impl Iterator<Item = (Place, &DomainId)> + '_ {
        let mut next = 1;
        self.tiers.iter().flat_map(move |tier| {
            let place = Place { first: next, last: next + tier.0.len() - 1 };
            next += tier.0.len();
            tier.0.iter().map(move |option| (place, option))
        })
    }

    /// The places `option` holds, if it is ranked.
    pub fn place_of(&self, option: &str) -> Option<Place> {
        self.places().find(|(_, o)| o.as_str() == option).map(|(place, _)| place)
    }
}

/// A ranking without ties: each option in a place of its own, in the order given.
impl FromIterator<DomainId> for RankOrder {
    fn from_iter<I: IntoIterator<Item = DomainId>>(options: I) -> Self {
        Self { tiers: options.into_iter().map(Tier::alone).collect() }
    }
}

/// The text syntax: `protocols, verification = evaluations, infrastructure`.
impl fmt::Display for RankOrder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, tier) in self.tiers.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            for (j, option) in tier.0.iter().enumerate() {
                if j > 0 {
                    f.write_str(" = ")?;
                }
                f.write_str(option.as_str())?;
            }
        }
        Ok(())
    }
}

/// A place of its own as its id, a tie as the list of its ids.
impl Serialize for Tier {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.as_slice() {
            [alone] => alone.serialize(s),
            tied => tied.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Tier {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Read;
        impl<'de> serde::de::Visitor<'de> for Read {
            type Value = Tier;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an option id, or a list of the option ids tied for one place such as [\"b\", \"c\"]")
            }

            fn visit_str<E: serde::de::Error>(self, id: &str) -> Result<Tier, E> {
                DomainId::deserialize(serde::de::value::StrDeserializer::<E>::new(id)).map(Tier::alone)
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Tier, A::Error> {
                let mut tied = Vec::new();
                while let Some(option) = seq.next_element::<DomainId>()? {
                    tied.push(option);
                }
                Tier::new(tied).ok_or_else(|| {
                    serde::de::Error::custom(
                        "an empty tie [] names no option: list the options that share a place, such as [\"b\", \"c\"]",
                    )
                })
            }
        }
        d.deserialize_any(Read)
    }
}

/// The JSON of [`QuantileValues`]: the three fields of 5/50/95 %, or a map of any levels.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuantileFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    p5: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    p50: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    p95: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    values: Option<BTreeMap<Percent, f64>>,
}

/// A level as a JSON object's key: `"10"`. (Keys reach us as strings however the
/// answer is nested, so the number is read from the string.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Percent(u8);

impl Serialize for Percent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let key = String::deserialize(d)?;
        key.parse()
            .map(Self)
            .map_err(|_| serde::de::Error::custom(format!("“{key}” is not a whole percent between 1 and 99")))
    }
}

impl From<QuantileValues> for QuantileFields {
    fn from(q: QuantileValues) -> Self {
        if q.levels == QuantileLevels::FIVE_FIFTY_NINETY_FIVE {
            Self { p5: Some(q.values[0]), p50: Some(q.values[1]), p95: Some(q.values[2]), values: None }
        } else {
            Self { p5: None, p50: None, p95: None, values: Some(q.pairs().map(|(p, v)| (Percent(p), v)).collect()) }
        }
    }
}

impl TryFrom<QuantileFields> for QuantileValues {
    type Error = String;
    fn try_from(fields: QuantileFields) -> Result<Self, Self::Error> {
        match fields {
            QuantileFields { p5: Some(p5), p50: Some(p50), p95: Some(p95), values: None } => {
                Ok(Self::five_fifty_ninety_five(p5, p50, p95))
            }
            QuantileFields { p5: None, p50: None, p95: None, values: Some(values) } => {
                let percents: Vec<i64> = values.keys().map(|p| i64::from(p.0)).collect();
                let levels = QuantileLevels::new(&percents).map_err(|e| format!("quantile values: {e}"))?;
                Ok(Self { levels, values: values.into_values().collect() })
            }
            _ => Err("give either all of p5, p50 and p95, or `values`: a map from percent to value such as {\"10\": 2, \"50\": 5, \"90\": 12}".to_owned()),
        }
    }
}

/// Why a value is not a valid answer to its item. Messages speak to the expert.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnswerError {
    /// An ordinal answer that is neither a point nor a label.
    #[error("write a number from {min} to {max}{}, found “{found}”", if *.dont_know { " or ? for don't know" } else { "" })]
    NotAPoint {
        /// What the expert wrote.
        found: String,
        /// The scale's lowest point.
        min: i32,
        /// The scale's highest point.
        max: i32,
        /// Whether the scale offers "don't know" (the message then mentions `?`).
        dont_know: bool,
    },
    /// A number that is not a point of the scale.
    #[error("{value} is outside {min}–{max}")]
    OutsideScale {
        /// The number written.
        value: i64,
        /// The scale's lowest point.
        min: i32,
        /// The scale's highest point.
        max: i32,
    },
    /// "Don't know" on a scale that does not offer it.
    #[error("“don't know” is not an option here; leave the answer empty to skip the item")]
    DontKnowNotAllowed,
    /// A numeric answer that is not a number.
    #[error("write a number, found “{found}”")]
    NotANumber {
        /// What the expert wrote.
        found: String,
    },
    /// A number with a decimal comma or thousands separators, refused rather than guessed.
    #[error("write decimals with a point (2.5, not 2,5) and no thousands separators, found “{found}”")]
    DecimalComma {
        /// What the expert wrote.
        found: String,
    },
    /// A number outside the item's bounds.
    #[error("{value} is outside {}", range(*.min, *.max))]
    OutOfBounds {
        /// The number as written.
        value: String,
        /// The lowest accepted, if bounded.
        min: Option<f64>,
        /// The highest accepted, if bounded.
        max: Option<f64>,
    },
    /// Not one number per quantile asked.
    #[error("give {} numbers, the {} quantiles (for example {}), found {found}", in_words(.levels.len()), listed(*.levels, " and "), example(*.levels))]
    QuantileCount {
        /// How many numbers were given.
        found: usize,
        /// The quantiles the item asks.
        levels: QuantileLevels,
    },
    /// Quantile values that do not increase from level to level.
    #[error("each value must be larger than the one before, found {}", labelled(.given))]
    QuantileOrder {
        /// The values as given, by level.
        given: QuantileValues,
    },
    /// An answer (through the API) at other levels than the item asks.
    #[error("this question asks the {} quantiles, the answer gives {}", listed(*.asked, " and "), listed(*.given, " and "))]
    QuantileLevels {
        /// The levels the item asks.
        asked: QuantileLevels,
        /// The levels the answer gives.
        given: QuantileLevels,
    },
    /// A percentage outside 0–100.
    #[error("{percent} % is outside 0–100 %")]
    ProbabilityRange {
        /// The percentage as written.
        percent: String,
    },
    /// A bare fraction such as `0.3`, refused as ambiguous between 0.3 % and 30 %.
    #[error(
        "write the probability as a percentage from 0 to 100: 30 for 30 % (or 0.3% if you mean 0.3 %), found “{found}”"
    )]
    ProbabilityFraction {
        /// What the expert wrote.
        found: String,
    },
    /// A written ranking that does not name every option exactly once.
    #[error("{}", ranking_message(.unknown, .duplicates, .missing))]
    Ranking {
        /// Words that name no option.
        unknown: Vec<String>,
        /// Options named more than once.
        duplicates: Vec<String>,
        /// Options not named.
        missing: Vec<String>,
    },
    /// On the web form, where each quantile has a field of its own: some left empty.
    #[error("fill in all {} quantiles, {} (filled in: {found} of {})", in_words(.levels.len()), listed(*.levels, " and "), .levels.len())]
    QuantileFields {
        /// How many fields were filled in.
        found: usize,
        /// The quantiles the item asks.
        levels: QuantileLevels,
    },
    /// On the web form, where each option gets a rank from a list: ranks given to more than
    /// one option, and options without a rank (by their titles).
    #[error("{}", ranks_message(.shared, .missing))]
    Ranks {
        /// Each rank given to several options, with those options' titles.
        shared: Vec<(usize, Vec<String>)>,
        /// The titles of the options without a rank.
        missing: Vec<String>,
    },
    /// A tie (options sharing a place) in the answer to an item that asks for a strict
    /// order: the options of each tie.
    #[error("{}", ties_message(.tied))]
    TiesNotAllowed {
        /// The options of each tie.
        tied: Vec<Vec<String>>,
    },
    /// An `=` in a written ranking without an option on one side of it.
    #[error("“=” joins options that share a place, as in “b = c”: write an option on each side of it")]
    LoneTie,
    /// An answer of another kind than the item takes (through the API).
    #[error("expected {expected}")]
    WrongKind {
        /// The kind the item takes, in words ("a ranking").
        expected: &'static str,
    },
}

impl AnswerError {
    /// The message in `language` (Chinese for `zh*`, English otherwise).
    pub fn message(&self, language: &delphi_core::study::Language) -> String {
        if !crate::ui::is_chinese(language) {
            return self.to_string();
        }
        match self {
            Self::NotAPoint { found, min, max, dont_know } => {
                let dk = if *dont_know { "，或写 ? 表示不知道" } else { "" };
                format!("请写 {min} 到 {max} 之间的数字{dk}，收到的是“{found}”")
            }
            Self::OutsideScale { value, min, max } => format!("{value} 超出了 {min}–{max} 的范围"),
            Self::DontKnowNotAllowed => "此题没有“不知道”选项；如需跳过，请留空".to_owned(),
            Self::NotANumber { found } => format!("请写一个数字，收到的是“{found}”"),
            Self::DecimalComma { found } => {
                format!("小数请用小数点（2.5，而不是 2,5），且不要使用千位分隔符，收到的是“{found}”")
            }
            Self::OutOfBounds { value, min, max } => {
                let range = match (min, max) {
                    (Some(a), Some(b)) => format!("{}–{}", num(*a), num(*b)),
                    (Some(a), None) => format!("允许的范围（至少 {}）", num(*a)),
                    (None, Some(b)) => format!("允许的范围（至多 {}）", num(*b)),
                    (None, None) => "允许的范围".to_owned(),
                };
                format!("{value} 超出了 {range}")
            }
            Self::QuantileCount { found, levels } => format!(
                "请写{}个数字，即 {} 分位数（例如 {}），收到了 {found} 个",
                in_words_zh(levels.len()),
                listed_zh(*levels),
                example(*levels)
            ),
            Self::QuantileOrder { given } => format!("每个数值都必须大于前一个，收到的是 {}", labelled(given)),
            Self::QuantileLevels { asked, given } => {
                format!("此题问的是 {} 分位数，答案给出的是 {}", listed_zh(*asked), listed_zh(*given))
            }
            Self::ProbabilityRange { percent } => format!("{percent}% 超出了 0–100% 的范围"),
            Self::ProbabilityFraction { found } => {
                format!("请用 0 到 100 的百分数表示概率：30 表示 30%（如指 0.3%，请写 0.3%），收到的是“{found}”")
            }
            Self::Ranking { unknown, duplicates, missing } => {
                let mut parts = Vec::new();
                if !unknown.is_empty() {
                    parts.push(format!("“{}”不是选项", unknown.join("”、“")));
                }
                if !duplicates.is_empty() {
                    parts.push(format!("{} 出现了不止一次", duplicates.join("、")));
                }
                if !missing.is_empty() {
                    parts.push(format!("缺少 {}", missing.join("、")));
                }
                format!("{}；请将每个选项按您的顺序恰好列出一次", parts.join("；"))
            }
            Self::QuantileFields { found, levels } => {
                format!(
                    "请填写全部{}个分位数（{}）：目前只填写了 {found} 个",
                    in_words_zh(levels.len()),
                    listed_zh(*levels)
                )
            }
            Self::Ranks { shared, missing } => {
                let mut parts: Vec<String> =
                    shared.iter().map(|(rank, titles)| format!("“{}”的名次都是 {rank}", titles.join("”和“"))).collect();
                if !missing.is_empty() {
                    parts.push(format!("“{}”还没有名次", missing.join("”、“")));
                }
                let ask = if shared.is_empty() {
                    "请给每个选项一个名次"
                } else {
                    "请给每个选项一个不同的名次"
                };
                format!("{}；{ask}", parts.join("；"))
            }
            Self::TiesNotAllowed { tied } => {
                let ties: Vec<String> = tied.iter().map(|t| format!("{} 并列同一名次", t.join("、"))).collect();
                format!("此题要求排出先后，不能并列：{}；请给每个选项一个自己的名次", ties.join("；"))
            }
            Self::LoneTie => "“=”用于连接并列（名次相同）的选项，例如“b = c”：请在它两边各写一个选项".to_owned(),
            Self::WrongKind { .. } => self.to_string(),
        }
    }
}

/// A count as a word where a person would write one: `three`.
pub(crate) fn in_words(n: usize) -> String {
    const WORDS: [&str; 10] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
    WORDS.get(n).map_or_else(|| n.to_string(), |w| (*w).to_owned())
}

/// A count in Chinese characters: `三`.
pub(crate) fn in_words_zh(n: usize) -> String {
    const WORDS: [&str; 10] = ["零", "一", "两", "三", "四", "五", "六", "七", "八", "九"];
    WORDS.get(n).map_or_else(|| format!(" {n} "), |w| (*w).to_owned())
}

/// `10 %, 50 % and 90 %`.
fn listed(levels: QuantileLevels, and: &str) -> String {
    let all: Vec<String> = levels.percents().map(|p| format!("{p} %")).collect();
    let (last, rest) = all.split_last().expect("levels are never empty");
    format!("{}{and}{last}", rest.join(", "))
}

/// `10%、50% 和 90%`.
fn listed_zh(levels: QuantileLevels) -> String {
    let all: Vec<String> = levels.percents().map(|p| format!("{p}%")).collect();
    let (last, rest) = all.split_last().expect("levels are never empty");
    format!("{} 和 {last}", rest.join("、"))
}

/// An answer at `levels` as an expert would write it: `10%: 2  50%: 5  90%: 15`.
fn example(levels: QuantileLevels) -> String {
    // a spread that reads as an answer: 2, 5, 15 for three levels, more values in between
    let n = levels.len();
    let values: Vec<f64> = match n {
        3 => vec![2.0, 5.0, 15.0],
        _ => (0..n).map(|i| (i as f64 + 1.0) * 2.0).collect(),
    };
    format_quantiles(&QuantileValues { levels, values })
}

/// `10 %: 5, 50 %: 4, 90 %: 9`.
fn labelled(q: &QuantileValues) -> String {
    q.pairs().map(|(p, v)| format!("{p} %: {}", num(v))).collect::<Vec<_>>().join(", ")
}

fn range(min: Option<f64>, max: Option<f64>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("{}–{}", num(a), num(b)),
        (Some(a), None) => format!("the allowed range (at least {})", num(a)),
        (None, Some(b)) => format!("the allowed range (at most {})", num(b)),
        (None, None) => "the allowed range".to_owned(),
    }
}

fn ranking_message(unknown: &[String], duplicates: &[String], missing: &[String]) -> String {
    let mut parts = Vec::new();
    if !unknown.is_empty() {
        parts.push(format!("“{}” is not one of the options", unknown.join("”, “")));
    }
    if !duplicates.is_empty() {
        parts.push(format!("{} is listed more than once", duplicates.join(", ")));
    }
    if !missing.is_empty() {
        parts.push(format!("{} is missing", missing.join(", ")));
    }
    format!("{}; list every option exactly once, in your order", parts.join("; "))
}

fn ranks_message(shared: &[(usize, Vec<String>)], missing: &[String]) -> String {
    let mut parts: Vec<String> = shared
        .iter()
        .map(|(rank, titles)| {
            let (last, rest) = titles.split_last().map_or(("", &[][..]), |(l, r)| (l.as_str(), r));
            let all = if rest.len() == 1 { "both" } else { "all" };
            format!("{} and {last} {all} have rank {rank}", rest.join(", "))
        })
        .collect();
    if !missing.is_empty() {
        let verb = if missing.len() == 1 { "has" } else { "have" };
        parts.push(format!("{} {verb} no rank yet", missing.join(", ")));
    }
    let ask = if shared.is_empty() { "give each option a rank" } else { "give each option a different rank" };
    format!("{}; {ask}", parts.join("; "))
}

fn ties_message(tied: &[Vec<String>]) -> String {
    let ties: Vec<String> = tied
        .iter()
        .map(|t| {
            let (last, rest) = t.split_last().map_or(("", &[][..]), |(l, r)| (l.as_str(), r));
            format!("{} and {last} share a place", rest.join(", "))
        })
        .collect();
    format!(
        "this question asks for a strict order, without ties: {}; give each option a place of its own",
        ties.join("; ")
    )
}

/// A number as experts write it: shortest form that reads back exactly (`5`, `2.5`).
pub fn num(value: f64) -> String {
    format!("{value}")
}

/// Checks an answer against its item (kind and range).
pub fn validate(spec: &AnswerSpec, answer: &Answer) -> Result<(), AnswerError> {
    match (spec, answer) {
        (AnswerSpec::Ordinal { min, max, .. }, Answer::Ordinal { point }) => {
            if (*min..=*max).contains(point) {
                Ok(())
            } else {
                Err(AnswerError::OutsideScale { value: i64::from(*point), min: *min, max: *max })
            }
        }
        (AnswerSpec::Ordinal { dont_know, .. }, Answer::DontKnow) => {
            if *dont_know {
                Ok(())
            } else {
                Err(AnswerError::DontKnowNotAllowed)
            }
        }
        (AnswerSpec::Numeric { min, max, .. }, Answer::Numeric { value }) => bounded(*value, *min, *max),
        (AnswerSpec::Quantile { min, max, levels, .. }, Answer::Quantile(given)) => {
            if given.levels() != *levels {
                return Err(AnswerError::QuantileLevels { asked: *levels, given: given.levels() });
            }
            for &v in given.values() {
                bounded(v, *min, *max)?;
            }
            if given.is_increasing() { Ok(()) } else { Err(AnswerError::QuantileOrder { given: given.clone() }) }
        }
        (AnswerSpec::Probability, Answer::Probability { value }) => {
            if value.is_finite() && (0.0..=1.0).contains(value) {
                Ok(())
            } else {
                Err(AnswerError::ProbabilityRange { percent: fraction_to_percent(*value) })
            }
        }
        (AnswerSpec::Ranking { options, ties }, Answer::Ranking { order }) => {
            let names: Vec<String> = order.options().map(ToString::to_string).collect();
            check_ranking(options, &names, Vec::new())?;
            check_ties(*ties, order)
        }
        (AnswerSpec::Text, Answer::Text { .. }) => Ok(()),
        (
            spec @ (AnswerSpec::Ordinal { .. }
            | AnswerSpec::Numeric { .. }
            | AnswerSpec::Quantile { .. }
            | AnswerSpec::Probability
            | AnswerSpec::Ranking { .. }
            | AnswerSpec::Text),
            _,
        ) => Err(AnswerError::WrongKind { expected: kind_name(spec) }),
    }
}

fn kind_name(spec: &AnswerSpec) -> &'static str {
    match spec {
        AnswerSpec::Ordinal { .. } => "a point on the scale",
        AnswerSpec::Numeric { .. } => "a number",
        AnswerSpec::Quantile { .. } => "quantiles",
        AnswerSpec::Probability => "a probability",
        AnswerSpec::Ranking { .. } => "a ranking",
        AnswerSpec::Text => "text",
    }
}

fn bounded(value: f64, min: Option<f64>, max: Option<f64>) -> Result<(), AnswerError> {
    let ok = value.is_finite() && min.is_none_or(|m| value >= m) && max.is_none_or(|m| value <= m);
    if ok { Ok(()) } else { Err(AnswerError::OutOfBounds { value: num(value), min, max }) }
}

fn check_ranking(options: &[crate::DomainView], names: &[String], unknown: Vec<String>) -> Result<(), AnswerError> {
    let mut duplicates = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) && !duplicates.contains(name) {
            duplicates.push(name.clone());
        }
    }
    let missing: Vec<String> =
        options.iter().map(|o| o.id.to_string()).filter(|id| !names.iter().any(|n| n == id)).collect();
    if unknown.is_empty() && duplicates.is_empty() && missing.is_empty() {
        Ok(())
    } else {
        Err(AnswerError::Ranking { unknown, duplicates, missing })
    }
}

/// Refuses a tie where the item asks for a strict order.
fn check_ties(ties_allowed: bool, order: &RankOrder) -> Result<(), AnswerError> {
    let tied: Vec<Vec<String>> = order
        .tiers()
        .iter()
        .filter(|t| t.is_tie())
        .map(|t| t.options().iter().map(ToString::to_string).collect())
        .collect();
    if ties_allowed || tied.is_empty() { Ok(()) } else { Err(AnswerError::TiesNotAllowed { tied }) }
}

const DONT_KNOW: [&str; 9] =
    ["?", "dk", "don't know", "dont know", "don’t know", "do not know", "不知道", "不确定", "无法判断"];

/// Reads an answer written in the text syntax. `Ok(None)`: left empty (not answered).
pub fn parse_value(spec: &AnswerSpec, value: &str) -> Result<Option<Answer>, AnswerError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let answer = match spec {
        AnswerSpec::Ordinal { min, max, labels, dont_know } => parse_ordinal(value, *min, *max, labels, *dont_know)?,
        AnswerSpec::Numeric { min, max, unit } => {
            let token = strip_unit(value, unit.as_deref());
            let v = parse_number(token)?;
            bounded(v, *min, *max)?;
            Answer::Numeric { value: v }
        }
        AnswerSpec::Quantile { unit, levels, .. } => {
            let Some(values) = parse_quantiles(value, unit.as_deref(), *levels)? else { return Ok(None) };
            let answer = Answer::Quantile(values);
            validate(spec, &answer)?;
            answer
        }
        AnswerSpec::Probability => parse_probability(value)?,
        AnswerSpec::Ranking { options, ties } => {
            let order = parse_ranking(value, options)?;
            check_ties(*ties, &order)?;
            Answer::Ranking { order }
        }
        AnswerSpec::Text => Answer::Text { text: value.to_owned() },
    };
    Ok(Some(answer))
}

fn is_dont_know(value: &str) -> bool {
    let lower = value.to_lowercase();
    let lower = lower.trim_end_matches(['.', '!']);
    DONT_KNOW.contains(&lower)
}

fn parse_ordinal(value: &str, min: i32, max: i32, labels: &[String], dont_know: bool) -> Result<Answer, AnswerError> {
    if is_dont_know(value) {
        return if dont_know { Ok(Answer::DontKnow) } else { Err(AnswerError::DontKnowNotAllowed) };
    }
    let not_a_point = || AnswerError::NotAPoint { found: shorten(value), min, max, dont_know };
    let sign = usize::from(value.starts_with(['-', '+']));
    let digits = value[sign..].bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        // the label alone, as written on the form
        let lower = value.trim_end_matches('.').to_lowercase();
        return match labels.iter().position(|l| l.to_lowercase() == lower) {
            Some(i) => Ok(Answer::Ordinal { point: min + i32::try_from(i).map_err(|_| not_a_point())? }),
            None => Err(not_a_point()),
        };
    }
    let (number, rest) = value.split_at(sign + digits);
    let point: i64 = number.parse().map_err(|_| not_a_point())?;
    let rest = rest.trim_matches(|c: char| c.is_whitespace() || "-–—:=()（）.".contains(c));
    if !rest.is_empty() {
        let label = usize::try_from(point - i64::from(min)).ok().and_then(|i| labels.get(i));
        if label.is_none_or(|l| l.to_lowercase() != rest.to_lowercase()) {
            return Err(not_a_point());
        }
    }
    if point < i64::from(min) || point > i64::from(max) {
        return Err(AnswerError::OutsideScale { value: point, min, max });
    }
    Ok(Answer::Ordinal { point: i32::try_from(point).map_err(|_| not_a_point())? })
}

fn shorten(value: &str) -> String {
    let mut s: String = value.chars().take(40).collect();
    if s.len() < value.len() {
        s.push('…');
    }
    s
}

fn has_decimal_comma(value: &str) -> bool {
    let chars: Vec<char> = value.chars().collect();
    chars.windows(3).any(|w| w[0].is_ascii_digit() && w[1] == ',' && w[2].is_ascii_digit())
}

fn strip_unit<'a>(value: &'a str, unit: Option<&str>) -> &'a str {
    let value = value.trim();
    match unit {
        Some(unit) if !unit.is_empty() && value.len() > unit.len() => {
            let cut = value.len() - unit.len();
            if value.is_char_boundary(cut) && value[cut..].eq_ignore_ascii_case(unit) {
                value[..cut].trim()
            } else {
                value
            }
        }
        _ => value,
    }
}

/// A finite number in plain or scientific notation.
pub fn parse_number(token: &str) -> Result<f64, AnswerError> {
    let token = token.trim();
    if has_decimal_comma(token) {
        return Err(AnswerError::DecimalComma { found: shorten(token) });
    }
    let plain = token.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
        && token.bytes().any(|b| b.is_ascii_digit())
        && !token.starts_with(['e', 'E']);
    match token.parse::<f64>() {
        Ok(v) if plain && v.is_finite() => Ok(if v == 0.0 { 0.0 } else { v }),
        _ => Err(AnswerError::NotANumber { found: shorten(token) }),
    }
}

/// The percent a label names: `10%`, `p10`, `q10` (or `p05` for 5 %).
fn quantile_percent(token: &str) -> Option<u8> {
    let lower = token.to_lowercase();
    let digits = lower.strip_suffix('%').or_else(|| lower.strip_prefix(['p', 'q']))?;
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The slot of a label among `levels` (`Some(None)`: a quantile label, but not one asked).
fn quantile_label(token: &str, levels: QuantileLevels) -> Option<Option<usize>> {
    let percent = quantile_percent(token)?;
    Some(levels.percents().position(|p| p == percent))
}

fn parse_quantiles(
    value: &str,
    unit: Option<&str>,
    levels: QuantileLevels,
) -> Result<Option<QuantileValues>, AnswerError> {
    if has_decimal_comma(value) {
        return Err(AnswerError::DecimalComma { found: shorten(value) });
    }
    let spaced = value.replace([',', ';', '|'], " ");
    let mut slots: Vec<Option<f64>> = vec![None; levels.len()];
    let mut pending: Option<usize> = None;
    let mut numbers = 0usize;
    let mut overfull = false;
    for raw in spaced.split_whitespace() {
        let (label, rest) = match raw.split_once([':', '=']) {
            Some((l, r)) => (Some(l), r),
            None => (None, raw),
        };
        if let Some(label) = label {
            match quantile_label(label, levels) {
                Some(Some(slot)) => pending = Some(slot),
                // a label of a quantile this item does not ask: its number has no place
                Some(None) => {
                    pending = None;
                    overfull = true;
                }
                None => return Err(AnswerError::NotANumber { found: shorten(raw) }),
            }
        } else if let Some(slot) = quantile_label(rest, levels) {
            if slot.is_none() {
                overfull = true;
            }
            pending = slot;
            continue;
        }
        if rest.is_empty() || unit.is_some_and(|u| rest.eq_ignore_ascii_case(u)) {
            continue;
        }
        let rest = unit.filter(|u| !u.is_empty()).and_then(|u| rest.strip_suffix(u)).unwrap_or(rest);
        let v = parse_number(rest)?;
        numbers += 1;
        let slot = pending.take().or_else(|| slots.iter().position(Option::is_none));
        match slot {
            Some(s) if slots[s].is_none() => slots[s] = Some(v),
            _ => overfull = true,
        }
    }
    if numbers == 0 {
        return Ok(None);
    }
    match slots.into_iter().collect::<Option<Vec<f64>>>() {
        Some(values) if !overfull => Ok(QuantileValues::new(levels, values)),
        _ => Err(AnswerError::QuantileCount { found: numbers, levels }),
    }
}

fn parse_probability(value: &str) -> Result<Answer, AnswerError> {
    let percent_sign = value.ends_with('%');
    let token = value.trim_end_matches('%').trim();
    if token.is_empty() {
        return Err(AnswerError::NotANumber { found: shorten(value) });
    }
    let v = parse_number(token)?;
    if !percent_sign && token.contains('.') && v > 0.0 && v < 1.0 {
        return Err(AnswerError::ProbabilityFraction { found: shorten(value) });
    }
    if !(0.0..=100.0).contains(&v) {
        return Err(AnswerError::ProbabilityRange { percent: num(v) });
    }
    let fraction = percent_to_fraction(token).unwrap_or(v / 100.0);
    Ok(Answer::Probability { value: fraction })
}

/// Moves the decimal point of a plain decimal two places left, so that `7` reads as
/// exactly the `f64` nearest to 0.07 (division by 100 would not always be).
fn percent_to_fraction(token: &str) -> Option<f64> {
    let token = token.trim_start_matches('+');
    if !token.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let (int, frac) = token.split_once('.').unwrap_or((token, ""));
    let int = format!("{int:0>3}");
    let (head, tail) = int.split_at(int.len() - 2);
    format!("{head}.{tail}{frac}").parse().ok()
}

/// A probability in 0..=1 as the percentage an expert writes: `0.07` → `7`, exactly.
pub fn fraction_to_percent(value: f64) -> String {
    let s = num(value);
    if s.contains(['e', 'E', 'N', 'i']) || s.starts_with('-') {
        return num(value * 100.0);
    }
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let frac = format!("{frac:0<2}");
    let (moved, rest) = frac.split_at(2);
    let int = format!("{int}{moved}");
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let rest = rest.trim_end_matches('0');
    if rest.is_empty() { int.to_owned() } else { format!("{int}.{rest}") }
}

fn parse_ranking(value: &str, options: &[crate::DomainView]) -> Result<RankOrder, AnswerError> {
    // titles as written on the form (they may contain spaces) become their ids first
    let mut value = value.to_lowercase();
    let mut by_length: Vec<&crate::DomainView> = options.iter().collect();
    by_length.sort_by_key(|o| std::cmp::Reverse(o.title.chars().count()));
    for option in by_length {
        let title = option.title.to_lowercase();
        if !title.is_empty() {
            value = value.replace(&title, &format!(" {} ", option.id));
        }
    }
    // `=` ties the options on either side of it, however it is spaced (`b=c`, `b = c`, `b＝c`)
    let value = value.replace(['=', '＝'], " = ");
    let mut tiers: Vec<Vec<DomainId>> = Vec::new();
    let mut names = Vec::new();
    let mut unknown = Vec::new();
    // the last word was `=`: the next option shares the place before it
    let mut joining = false;
    let mut lone_tie = false;
    for token in value.split(|c: char| c.is_whitespace() || ",;>/、，；".contains(c)) {
        if token == "=" {
            lone_tie |= tiers.is_empty() && unknown.is_empty();
            joining = true;
            continue;
        }
        // `1.` or `2)` enumerate the list; they are not option numbers
        let enumerator = token.ends_with(['.', ')']) && token.trim_end_matches(['.', ')']).parse::<usize>().is_ok();
        let token = token.trim_end_matches(['.', ')']).trim_start_matches('(');
        if token.is_empty() || enumerator {
            continue;
        }
        let by_number = token.parse::<usize>().ok().and_then(|n| n.checked_sub(1)).and_then(|i| options.get(i));
        let found = by_number.or_else(|| options.iter().find(|o| o.id.as_str().eq_ignore_ascii_case(token)));
        match (found, tiers.last_mut()) {
            (Some(option), Some(place)) if joining => place.push(option.id.clone()),
            (Some(option), _) => tiers.push(vec![option.id.clone()]),
            (None, _) => unknown.push(shorten(token)),
        }
        if let Some(option) = found {
            names.push(option.id.to_string());
        }
        joining = false;
    }
    check_ranking(options, &names, unknown)?;
    if lone_tie || joining {
        return Err(AnswerError::LoneTie);
    }
    Ok(RankOrder::new(tiers.into_iter().filter_map(Tier::new).collect()))
}

/// An answer written in the text syntax, so that [`parse_value`] reads it back exactly.
pub fn format_value(answer: &Answer) -> String {
    match answer {
        Answer::Ordinal { point } => point.to_string(),
        Answer::DontKnow => "?".to_owned(),
        Answer::Numeric { value } => num(*value),
        Answer::Quantile(q) => format_quantiles(q),
        Answer::Probability { value } => format!("{}%", fraction_to_percent(*value)),
        Answer::Ranking { order } => order.to_string(),
        Answer::Text { text } => text.clone(),
    }
}

/// Quantiles in the text syntax: `10%: 2  50%: 5  90%: 15`.
pub fn format_quantiles(q: &QuantileValues) -> String {
    q.pairs().map(|(p, v)| format!("{p}%: {}", num(v))).collect::<Vec<_>>().join("  ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use delphi_core::study::Language;

    #[test]
    fn an_answer_with_a_field_of_its_own_kind_only_is_read_and_any_other_field_is_refused() {
        let read = |json: &str| serde_json::from_str::<Answer>(json);
        assert_eq!(read(r#"{"kind": "ordinal", "point": 5}"#).unwrap(), Answer::Ordinal { point: 5 });
        assert_eq!(read(r#"{"kind": "dont-know"}"#).unwrap(), Answer::DontKnow);
        for extra in [
            r#"{"kind": "ordinal", "point": 5, "comment": "kept?"}"#,
            r#"{"kind": "dont-know", "point": 5}"#,
            r#"{"kind": "probability", "value": 0.2, "p50": 0.3}"#,
            r#"{"kind": "text", "text": "a", "html": "<b>a</b>"}"#,
        ] {
            let error = read(extra).expect_err(extra).to_string();
            assert!(error.contains("unknown field"), "{extra}: {error}");
        }
    }

    fn ordinal() -> AnswerSpec {
        AnswerSpec::Ordinal {
            min: 1,
            max: 7,
            labels: ["Very low", "Low", "Somewhat low", "Moderate", "Somewhat high", "High", "Very high"]
                .map(String::from)
                .to_vec(),
            dont_know: true,
        }
    }

    #[test]
    fn ordinal_values() {
        let spec = ordinal();
        assert_eq!(parse_value(&spec, " 5 "), Ok(Some(Answer::Ordinal { point: 5 })));
        assert_eq!(parse_value(&spec, "5 (Somewhat high)"), Ok(Some(Answer::Ordinal { point: 5 })));
        assert_eq!(parse_value(&spec, "?"), Ok(Some(Answer::DontKnow)));
        assert_eq!(parse_value(&spec, "Don't know."), Ok(Some(Answer::DontKnow)));
        assert_eq!(parse_value(&spec, ""), Ok(None));
        assert_eq!(parse_value(&spec, "9").unwrap_err().to_string(), "9 is outside 1–7");
        assert!(parse_value(&spec, "5.5").is_err());
        assert!(parse_value(&spec, "5 High").is_err());
        assert!(parse_value(&spec, "hig").is_err());
        assert_eq!(parse_value(&spec, "somewhat high"), Ok(Some(Answer::Ordinal { point: 5 })));
    }

    #[test]
    fn numbers_within_bounds_with_an_optional_unit() {
        let spec = AnswerSpec::Numeric { min: Some(0.0), max: None, unit: Some("papers".into()) };
        assert_eq!(parse_value(&spec, "12 papers"), Ok(Some(Answer::Numeric { value: 12.0 })));
        assert_eq!(parse_value(&spec, "1.5e3"), Ok(Some(Answer::Numeric { value: 1500.0 })));
        assert_eq!(parse_value(&spec, "-0"), Ok(Some(Answer::Numeric { value: 0.0 })));
        assert!(matches!(parse_value(&spec, "-1"), Err(AnswerError::OutOfBounds { .. })));
        assert!(matches!(parse_value(&spec, "1,000"), Err(AnswerError::DecimalComma { .. })));
        assert!(matches!(parse_value(&spec, "NaN"), Err(AnswerError::NotANumber { .. })));
        assert!(matches!(parse_value(&spec, "inf"), Err(AnswerError::NotANumber { .. })));
        assert_eq!(parse_value(&spec, "-1").unwrap_err().to_string(), "-1 is outside the allowed range (at least 0)");
    }

    #[test]
    fn percentages_convert_exactly() {
        for (text, fraction) in
            [("7", 0.07), ("30%", 0.3), ("0.5%", 0.005), ("100", 1.0), ("0", 0.0), ("12.25", 0.1225)]
        {
            assert_eq!(parse_value(&AnswerSpec::Probability, text), Ok(Some(Answer::Probability { value: fraction })));
        }
        for fraction in [0.07, 0.3, 0.005, 1.0, 0.0, 0.1225, 0.123_456_789, 1e-9] {
            let text = format_value(&Answer::Probability { value: fraction });
            assert_eq!(parse_value(&AnswerSpec::Probability, &text), Ok(Some(Answer::Probability { value: fraction })));
        }
        assert!(matches!(parse_value(&AnswerSpec::Probability, "0.3"), Err(AnswerError::ProbabilityFraction { .. })));
        assert!(matches!(parse_value(&AnswerSpec::Probability, "130"), Err(AnswerError::ProbabilityRange { .. })));
    }

    #[test]
    fn quantiles_labelled_or_in_order() {
        let spec = AnswerSpec::Quantile {
            min: Some(0.0),
            max: Some(50.0),
            unit: Some("years".into()),
            levels: QuantileLevels::default(),
        };
        let q = Some(Answer::Quantile(QuantileValues::five_fifty_ninety_five(2.0, 5.0, 15.5)));
        assert_eq!(parse_value(&spec, "5%: 2  50%: 5  95%: 15.5"), Ok(q.clone()));
        assert_eq!(parse_value(&spec, "2; 5; 15.5 years"), Ok(q.clone()));
        assert_eq!(parse_value(&spec, "95%=15.5 5%=2 50%=5"), Ok(q.clone()));
        let zh = AnswerSpec::Quantile {
            min: Some(0.0),
            max: Some(50.0),
            unit: Some("年".into()),
            levels: QuantileLevels::default(),
        };
        assert_eq!(parse_value(&zh, "2年 5年 15.5年"), Ok(q));
        assert_eq!(parse_value(&spec, "5%:  50%:  95%: "), Ok(None));
        assert!(matches!(parse_value(&spec, "5%: 2 50%: 95%:"), Err(AnswerError::QuantileCount { found: 1, .. })));
        assert!(matches!(parse_value(&spec, "10 5 20"), Err(AnswerError::QuantileOrder { .. })));
        assert!(matches!(parse_value(&spec, "1 5 80"), Err(AnswerError::OutOfBounds { .. })));
        assert!(matches!(parse_value(&spec, "2,5 5 10"), Err(AnswerError::DecimalComma { .. })));
    }

    fn asking(percents: &[i64]) -> AnswerSpec {
        AnswerSpec::Quantile { min: None, max: None, unit: None, levels: QuantileLevels::new(percents).unwrap() }
    }

    #[test]
    fn an_item_asking_10_50_90_takes_three_numbers_at_those_levels_and_says_so_when_they_are_not() {
        let spec = asking(&[10, 50, 90]);
        let levels = QuantileLevels::new(&[10, 50, 90]).unwrap();
        let want = Some(Answer::Quantile(QuantileValues::new(levels, vec![2.0, 5.0, 12.0]).unwrap()));
        for written in ["10%: 2  50%: 5  90%: 12", "2 5 12", "p90=12 p10=2 p50=5", "q10: 2; q50: 5; q90: 12"] {
            assert_eq!(parse_value(&spec, written), Ok(want.clone()), "{written}");
        }
        // What the text form writes reads back as it was.
        assert_eq!(format_value(want.as_ref().unwrap()), "10%: 2  50%: 5  90%: 12");
        // The 5 % an expert used to write is no level of this item.
        let wrong = parse_value(&spec, "5%: 2  50%: 5  95%: 12").unwrap_err();
        assert_eq!(
            wrong.to_string(),
            "give three numbers, the 10 %, 50 % and 90 % quantiles (for example 10%: 2  50%: 5  90%: 15), found 3"
        );
        let order = parse_value(&spec, "2 12 5").unwrap_err();
        assert_eq!(
            order.to_string(),
            "each value must be larger than the one before, found 10 %: 2, 50 %: 12, 90 %: 5"
        );
        let zh = Language::parse("zh").unwrap();
        assert_eq!(order.message(&zh), "每个数值都必须大于前一个，收到的是 10 %: 2, 50 %: 12, 90 %: 5");
        // Two equal values are no distribution: each must be larger than the one before.
        assert!(matches!(parse_value(&spec, "2 5 5"), Err(AnswerError::QuantileOrder { .. })));
    }

    #[test]
    fn five_quantiles_are_read_in_order_or_by_label() {
        let spec = asking(&[5, 25, 50, 75, 95]);
        let got = parse_value(&spec, "1 2 3 4 5").unwrap().unwrap();
        let Answer::Quantile(q) = &got else { panic!("{got:?}") };
        assert_eq!(q.pairs().collect::<Vec<_>>(), [(5, 1.0), (25, 2.0), (50, 3.0), (75, 4.0), (95, 5.0)]);
        assert_eq!(q.median(), 3.0);
        assert_eq!(parse_value(&spec, "75%: 4 25%: 2 5%: 1 95%: 5 50%: 3").unwrap().unwrap(), got);
        assert!(matches!(parse_value(&spec, "1 2 3"), Err(AnswerError::QuantileCount { found: 3, .. })));
    }

    #[test]
    fn quantile_answers_in_json_keep_the_5_50_95_shape_and_take_any_levels_as_values() {
        let read = |json: &str| serde_json::from_str::<Answer>(json);
        // Every stored answer and API client of the 5/50/95 shape means what it meant.
        let old = read(r#"{"kind": "quantile", "p5": 1, "p50": 2, "p95": 3}"#).unwrap();
        assert_eq!(old, Answer::Quantile(QuantileValues::five_fifty_ninety_five(1.0, 2.0, 3.0)));
        assert_eq!(serde_json::to_string(&old).unwrap(), r#"{"kind":"quantile","p5":1.0,"p50":2.0,"p95":3.0}"#);
        let same = read(r#"{"kind": "quantile", "values": {"5": 1, "50": 2, "95": 3}}"#).unwrap();
        assert_eq!(same, old, "5/50/95 % as values is the same answer");
        let ten = read(r#"{"kind": "quantile", "values": {"90": 12, "10": 2, "50": 5}}"#).unwrap();
        let json = serde_json::to_string(&ten).unwrap();
        assert_eq!(json, r#"{"kind":"quantile","values":{"10":2.0,"50":5.0,"90":12.0}}"#);
        assert_eq!(read(&json).unwrap(), ten);
        // Validated against the item: the levels it asks, in order.
        assert_eq!(validate(&asking(&[10, 50, 90]), &ten), Ok(()));
        let refused = validate(&asking(&[10, 50, 90]), &old).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "this question asks the 10 %, 50 % and 90 % quantiles, the answer gives 5 %, 50 % and 95 %"
        );
        for bad in [
            r#"{"kind": "quantile", "p5": 1, "p50": 2}"#,
            r#"{"kind": "quantile", "p5": 1, "p50": 2, "p95": 3, "values": {"10": 1}}"#,
            r#"{"kind": "quantile", "values": {"10": 1, "90": 3}}"#,
            r#"{"kind": "quantile", "values": {"0": 1, "50": 2, "90": 3}}"#,
            r#"{"kind": "quantile", "values": {"10": 1, "50": 2, "90": 3}, "p99": 4}"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }
    fn domain(id: &str) -> DomainId {
        serde_json::from_value(serde_json::Value::from(id)).unwrap()
    }

    fn four_areas(ties: bool) -> AnswerSpec {
        let options = ["verification", "protocols", "infrastructure", "evaluations"]
            .map(|id| crate::DomainView { id: domain(id), title: id.to_uppercase(), description: String::new() })
            .to_vec();
        AnswerSpec::Ranking { options, ties }
    }

    #[test]
    fn a_ranking_stored_as_a_list_of_ids_means_what_it_meant_and_a_tie_is_a_list_in_its_place() {
        let read = |json: &str| serde_json::from_str::<Answer>(json);
        // Every stored answer and API client of the old shape: each option a place of its own.
        let old =
            read(r#"{"kind": "ranking", "order": ["verification", "protocols", "infrastructure", "evaluations"]}"#)
                .unwrap();
        let Answer::Ranking { order } = &old else { panic!("{old:?}") };
        assert!(!order.has_ties());
        assert_eq!(order.to_string(), "verification, protocols, infrastructure, evaluations");
        assert_eq!(
            serde_json::to_string(&old).unwrap(),
            r#"{"kind":"ranking","order":["verification","protocols","infrastructure","evaluations"]}"#,
            "written as it always was"
        );
        // A tie: protocols and infrastructure share second place (places 2 and 3).
        let tied =
            read(r#"{"kind": "ranking", "order": ["verification", ["protocols", "infrastructure"], "evaluations"]}"#)
                .unwrap();
        let json = serde_json::to_string(&tied).unwrap();
        // A tie has no order within it: one spelling, its ids in order.
        assert_eq!(json, r#"{"kind":"ranking","order":["verification",["infrastructure","protocols"],"evaluations"]}"#);
        assert_eq!(read(&json).unwrap(), tied, "round trip");
        let Answer::Ranking { order } = &tied else { panic!("{tied:?}") };
        let places: Vec<(String, f64)> = order.places().map(|(p, o)| (format!("{o} {p}"), p.mid_rank())).collect();
        assert_eq!(
            places,
            [
                ("verification 1".to_owned(), 1.0),
                ("infrastructure 2–3".to_owned(), 2.5),
                ("protocols 2–3".to_owned(), 2.5),
                ("evaluations 4".to_owned(), 4.0)
            ]
        );
        // A list of one is a place of its own, written as the id.
        let one =
            read(r#"{"kind": "ranking", "order": [["verification"], "protocols", "infrastructure", "evaluations"]}"#)
                .unwrap();
        assert_eq!(one, old);
        // No empty place, no nesting, no stray field.
        for (bad, says) in [
            (r#"{"kind": "ranking", "order": ["verification", [], "protocols"]}"#, "an empty tie"),
            (r#"{"kind": "ranking", "order": ["verification", [["protocols"]]]}"#, "invalid type"),
            (r#"{"kind": "ranking", "order": ["verification", 2]}"#, "an option id, or a list"),
            (r#"{"kind": "ranking", "order": ["verification"], "ties": true}"#, "unknown field"),
        ] {
            let error = read(bad).expect_err(bad).to_string();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }

    #[test]
    fn a_tie_is_an_answer_only_where_the_item_allows_ties() {
        let tied: Answer = serde_json::from_str(
            r#"{"kind": "ranking", "order": ["verification", ["protocols", "infrastructure"], "evaluations"]}"#,
        )
        .unwrap();
        assert_eq!(validate(&four_areas(true), &tied), Ok(()));
        let refused = validate(&four_areas(false), &tied).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "this question asks for a strict order, without ties: infrastructure and protocols share a place; \
             give each option a place of its own"
        );
        let zh = Language::parse("zh").unwrap();
        assert_eq!(
            refused.message(&zh),
            "此题要求排出先后，不能并列：infrastructure、protocols 并列同一名次；请给每个选项一个自己的名次"
        );
        // Every option still exactly once, tie or not.
        let twice: Answer = serde_json::from_str(
            r#"{"kind": "ranking", "order": [["verification", "protocols"], ["protocols", "infrastructure"], "evaluations"]}"#,
        )
        .unwrap();
        assert!(
            matches!(validate(&four_areas(true), &twice), Err(AnswerError::Ranking { duplicates, .. }) if duplicates == ["protocols"])
        );
    }

    #[test]
    fn a_tie_is_written_with_an_equals_sign_however_it_is_spaced() {
        let spec = four_areas(true);
        let want = |json: &str| Some(serde_json::from_str::<Answer>(json).unwrap());
        let second =
            want(r#"{"kind": "ranking", "order": ["verification", ["protocols", "infrastructure"], "evaluations"]}"#);
        for written in [
            "verification, protocols = infrastructure, evaluations",
            "verification, protocols=infrastructure, evaluations",
            "1, 2 = 3, 4",
            "1 2=3 4",
            "VERIFICATION > Protocols = Infrastructure > evaluations",
            "verification，protocols＝infrastructure，evaluations",
        ] {
            assert_eq!(parse_value(&spec, written), Ok(second.clone()), "{written}");
        }
        // What the text form writes reads back as the same tie.
        assert_eq!(format_value(second.as_ref().unwrap()), "verification, infrastructure = protocols, evaluations");
        // `/` separates places, as it always did.
        let strict =
            want(r#"{"kind": "ranking", "order": ["verification", "protocols", "infrastructure", "evaluations"]}"#);
        assert_eq!(parse_value(&spec, "verification / protocols / infrastructure / evaluations"), Ok(strict));
        // All four equal is an answer too: no option before another.
        let all =
            want(r#"{"kind": "ranking", "order": [["verification", "protocols", "infrastructure", "evaluations"]]}"#);
        assert_eq!(parse_value(&spec, "1 = 2 = 3 = 4"), Ok(all));
        // An `=` without an option on one side says what it is for.
        for dangling in ["= 1, 2, 3, 4", "1, 2, 3, 4 =", "1, 2 =, 3, 4 ="] {
            assert_eq!(parse_value(&spec, dangling), Err(AnswerError::LoneTie), "{dangling}");
        }
        // On a strict item the tie is refused in words, never read as an order.
        let strict_item = four_areas(false);
        assert!(matches!(parse_value(&strict_item, "1, 2 = 3, 4"), Err(AnswerError::TiesNotAllowed { .. })));
        assert_eq!(
            parse_value(&strict_item, "1, 2 = 3, 4").unwrap_err().to_string(),
            "this question asks for a strict order, without ties: infrastructure and protocols share a place; \
             give each option a place of its own"
        );
    }
}
