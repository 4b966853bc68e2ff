//! The input model: a long table of pseudonymous answers, validated on construction.
//!
//! Wrong states are unrepresentable once an [`AnswerTable`] exists: every answer fits its
//! item's kind and scale, every number is finite, quantiles are strictly increasing,
//! rankings rank each object once, each expert has one set of group attributes and answers
//! an item at most once per round. Experts are known only by [`Pseudonym`]; this crate has
//! no field for a name or an e-mail address, and a pseudonym cannot contain `@` or spaces.

use std::collections::{BTreeMap, HashMap, HashSet};

use delphi_core::study::QuantileLevels;
use serde::Serialize;

use crate::StatsError;

/// An expert's pseudonym: 1–64 characters from `A–Z a–z 0–9 - _ .`.
///
/// The character set rules out e-mail addresses and "First Last" names, so nothing that
/// names an expert can enter the statistics (and hence the reports).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Pseudonym(String);

impl Pseudonym {
    /// Checks and wraps a pseudonym.
    pub fn new(s: impl Into<String>) -> Result<Self, StatsError> {
        let s = s.into();
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if ok { Ok(Self(s)) } else { Err(StatsError::InvalidPseudonym(s)) }
    }

    /// The pseudonym as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The id of an item (a question): 1–128 characters without whitespace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ItemId(String);

impl ItemId {
    /// Checks and wraps an item id.
    pub fn new(s: impl Into<String>) -> Result<Self, StatsError> {
        let s = s.into();
        if !s.is_empty() && s.len() <= 128 && !s.chars().any(char::is_whitespace) {
            Ok(Self(s))
        } else {
            Err(StatsError::InvalidItemId(s))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An expert's group attributes, e.g. `bloc → "US"`, `institution → "I3"`, `country → "CN"`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Groups(BTreeMap<String, String>);

impl Groups {
    /// No attributes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) an attribute.
    #[must_use]
    pub fn with(mut self, attribute: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.insert(attribute.into(), value.into());
        self
    }

    /// The value of one attribute.
    pub fn get(&self, attribute: &str) -> Option<&str> {
        self.0.get(attribute).map(String::as_str)
    }

    /// The attributes this expert has, by name.
    pub fn attributes(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Groups {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self(iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
    }
}

/// A finite `f64` (never NaN or infinite).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
#[serde(transparent)]
pub struct Finite(f64);

impl Finite {
    /// Checks and wraps a number.
    pub fn new(x: f64) -> Result<Self, StatsError> {
        if x.is_finite() { Ok(Self(x)) } else { Err(StatsError::NotFinite { what: "a number", value: x }) }
    }

    /// The number.
    pub fn get(self) -> f64 {
        self.0
    }
}

/// An expert's quantiles at their item's levels (5 %, 50 % and 95 % unless the study asks
/// others), one finite value per level, strictly increasing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quantiles {
    levels: QuantileLevels,
    values: Vec<f64>,
}

impl Quantiles {
    /// Checks and wraps the 5 %, 50 % and 95 % quantiles.
    pub fn new(q05: f64, q50: f64, q95: f64) -> Result<Self, StatsError> {
        Self::at_levels(QuantileLevels::FIVE_FIFTY_NINETY_FIVE, vec![q05, q50, q95])
    }

    /// Checks and wraps one value per level, lowest level first.
    pub fn at_levels(levels: QuantileLevels, values: Vec<f64>) -> Result<Self, StatsError> {
        if values.len() != levels.len() {
            return Err(StatsError::InvalidInput(format!(
                "{} quantile values for the {levels} quantiles",
                values.len()
            )));
        }
        if let Some(&v) = values.iter().find(|v| !v.is_finite()) {
            return Err(StatsError::NotFinite { what: "a quantile", value: v });
        }
        if values.windows(2).all(|w| w[0] < w[1]) {
            Ok(Self { levels, values })
        } else {
            Err(StatsError::QuantilesNotIncreasing { levels, values })
        }
    }

    /// The levels, in percent.
    pub fn levels(&self) -> QuantileLevels {
        self.levels
    }
    /// The values, lowest level first.
    pub fn values(&self) -> &[f64] {
        &self.values
    }
    /// The value at `percent`, if that level is asked.
    pub fn at(&self, percent: u8) -> Option<f64> {
        self.levels.percents().position(|p| p == percent).map(|i| self.values[i])
    }
    /// The median (every set of levels has one).
    pub fn median(&self) -> f64 {
        self.at(50).unwrap_or(f64::NAN)
    }
    /// The lowest quantile.
    pub fn lowest(&self) -> f64 {
        self.values[0]
    }
    /// The highest quantile.
    pub fn highest(&self) -> f64 {
        self.values[self.values.len() - 1]
    }
}

/// A ranking of objects (e.g. domains), best first, as tiers of tied objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Ranking {
    tiers: Vec<Vec<String>>,
}

impl Ranking {
    /// A ranking with ties: each tier holds the objects sharing a place.
    pub fn with_ties(tiers: Vec<Vec<String>>) -> Result<Self, StatsError> {
        if tiers.is_empty() {
            return Err(StatsError::InvalidRanking("no object ranked".into()));
        }
        let mut seen = HashSet::new();
        for t in &tiers {
            if t.is_empty() {
                return Err(StatsError::InvalidRanking("an empty tier".into()));
            }
            for o in t {
                if o.is_empty() {
                    return Err(StatsError::InvalidRanking("an empty object name".into()));
                }
                if !seen.insert(o.as_str()) {
                    return Err(StatsError::InvalidRanking(format!("{o} ranked twice")));
                }
            }
        }
        Ok(Self { tiers })
    }

    /// A strict ranking, best first.
    pub fn from_order<S: Into<String>>(order: impl IntoIterator<Item = S>) -> Result<Self, StatsError> {
        Self::with_ties(order.into_iter().map(|o| vec![o.into()]).collect())
    }

    /// The tiers, best first.
    pub fn tiers(&self) -> &[Vec<String>] {
        &self.tiers
    }

    /// Each object with its mid-rank (1 = best; tied objects share the mean of their places).
    pub fn mid_ranks(&self) -> impl Iterator<Item = (&str, f64)> + '_ {
        let mut place = 0usize;
        self.tiers.iter().flat_map(move |t| {
            let start = place;
            place += t.len();
            let r = start as f64 + (t.len() as f64 + 1.0) / 2.0;
            t.iter().map(move |o| (o.as_str(), r))
        })
    }

    /// Σ (t³ − t) over the tie groups.
    pub fn tie_term(&self) -> f64 {
        self.tiers
            .iter()
            .map(|t| {
                let s = t.len() as f64;
                s * s * s - s
            })
            .sum()
    }
}

/// One answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A point of an ordinal scale.
    Ordinal(i32),
    /// "Don't know" (the expert saw the item and declined to rate it).
    DontKnow,
    /// A numeric estimate.
    Number(Finite),
    /// A 5/50/95 % quantile judgement.
    Quantiles(Quantiles),
    /// A ranking of objects.
    Ranking(Ranking),
}

impl Answer {
    fn kind_name(&self) -> &'static str {
        match self {
            Self::Ordinal(_) => "ordinal",
            Self::DontKnow => "don't-know",
            Self::Number(_) => "numeric",
            Self::Quantiles(_) => "quantile",
            Self::Ranking(_) => "ranking",
        }
    }
}

/// An ordinal scale `min..=max` (at least two points).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OrdinalScale {
    min: i32,
    max: i32,
}

impl OrdinalScale {
    /// Checks and wraps a scale.
    pub fn new(min: i32, max: i32) -> Result<Self, StatsError> {
        if min < max { Ok(Self { min, max }) } else { Err(StatsError::InvalidScale { min, max }) }
    }
    /// The lowest point.
    pub fn min(self) -> i32 {
        self.min
    }
    /// The highest point.
    pub fn max(self) -> i32 {
        self.max
    }
    /// The number of points.
    pub fn points(self) -> usize {
        usize::try_from(i64::from(self.max) - i64::from(self.min) + 1).unwrap_or(usize::MAX)
    }
    /// Index of a point (0 for `min`).
    pub(crate) fn index(self, x: i32) -> usize {
        usize::try_from(i64::from(x) - i64::from(self.min)).unwrap_or(0)
    }
    /// Whether `x` is on the scale.
    pub fn contains(self, x: i32) -> bool {
        (self.min..=self.max).contains(&x)
    }
}

/// The scale points that count as agreement, `lo..=hi` (e.g. 7..=9 on a 9-point scale,
/// or the top box 5..=5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AgreeSet {
    lo: i32,
    hi: i32,
}

impl AgreeSet {
    /// Checks an agree set against its scale.
    pub fn new(scale: OrdinalScale, lo: i32, hi: i32) -> Result<Self, StatsError> {
        if lo <= hi && scale.contains(lo) && scale.contains(hi) {
            Ok(Self { lo, hi })
        } else {
            Err(StatsError::InvalidAgreeSet { lo, hi, min: scale.min, max: scale.max })
        }
    }
    /// Lowest agreeing point.
    pub fn lo(self) -> i32 {
        self.lo
    }
    /// Highest agreeing point.
    pub fn hi(self) -> i32 {
        self.hi
    }
    /// Whether `x` is in the set.
    pub fn contains(self, x: i32) -> bool {
        (self.lo..=self.hi).contains(&x)
    }
}

/// What kind of answer an item takes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ItemKind {
    /// Points of an ordinal scale (or "don't know").
    Ordinal {
        /// The scale's points.
        scale: OrdinalScale,
        /// The points that count as agreement.
        agree: AgreeSet,
    },
    /// A number (or "don't know").
    Numeric,
    /// Quantiles at `levels`; a seed item carries its known realisation. `log`: Cooke's
    /// classical model measures it on a log-uniform background (answers must be positive).
    Quantile {
        /// The true value, for a seed item.
        realisation: Option<Finite>,
        /// Whether Cooke's model measures it on a log-uniform background.
        log: bool,
        /// The quantiles asked.
        levels: QuantileLevels,
    },
    /// A ranking of objects.
    Ranking,
}

impl ItemKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Ordinal { .. } => "ordinal",
            Self::Numeric => "numeric",
            Self::Quantile { .. } => "quantile",
            Self::Ranking => "ranking",
        }
    }
}

/// An item as the statistics need it: id, kind, and (for the benefit–risk synthesis) the
/// domain and criterion it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemSpec {
    /// The item's id.
    pub id: ItemId,
    /// Its kind.
    pub kind: ItemKind,
    /// The domain (area) it is asked about, if any.
    pub domain: Option<String>,
    /// The criterion (benefit, a risk, …) it measures, if any.
    pub criterion: Option<String>,
    /// The earlier item it continues (a rewording or part of a split): stability pairs its
    /// first answers with that item's last ones.
    pub continues: Option<ItemId>,
}

impl ItemSpec {
    /// An item without domain and criterion.
    pub fn new(id: ItemId, kind: ItemKind) -> Self {
        Self { id, kind, domain: None, criterion: None, continues: None }
    }

    /// Sets domain and criterion.
    #[must_use]
    pub fn in_domain(mut self, domain: impl Into<String>, criterion: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self.criterion = Some(criterion.into());
        self
    }

    /// Marks the item as continuing an earlier one.
    #[must_use]
    pub fn continuing(mut self, earlier: ItemId) -> Self {
        self.continues = Some(earlier);
        self
    }
}

/// One row of the long table.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerRow {
    /// Round number.
    pub round: u32,
    /// The item answered.
    pub item: ItemId,
    /// Who answered.
    pub expert: Pseudonym,
    /// The expert's group attributes.
    pub groups: Groups,
    /// The answer.
    pub answer: Answer,
}

/// An answer as stored: 16 bytes, quantiles and rankings in side tables.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Stored {
    Ordinal(i32),
    DontKnow,
    Number(f64),
    Quantiles(u32),
    Ranking(u32),
}

/// A stored row (32 bytes): indices into the table's items and experts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Row {
    pub item: u32,
    pub round: u32,
    pub expert: u32,
    pub value: Stored,
}

/// An item registered in a builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ItemRef(u32);

/// An expert registered in a builder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExpertRef(u32);

/// Builds an [`AnswerTable`], validating every answer as it comes.
#[derive(Debug)]
pub struct AnswerTableBuilder {
    items: Vec<ItemSpec>,
    item_index: HashMap<ItemId, u32>,
    experts: Vec<(Pseudonym, Groups)>,
    expert_index: HashMap<Pseudonym, u32>,
    rows: Vec<Row>,
    quantiles: Vec<Quantiles>,
    rankings: Vec<Ranking>,
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).expect("fewer than 2^32 entries")
}

impl AnswerTableBuilder {
    /// A builder for answers to these items.
    pub fn new(items: Vec<ItemSpec>) -> Result<Self, StatsError> {
        let mut item_index = HashMap::with_capacity(items.len());
        for (i, it) in items.iter().enumerate() {
            if item_index.insert(it.id.clone(), to_u32(i)).is_some() {
                return Err(StatsError::DuplicateItem(it.id.0.clone()));
            }
        }
        Ok(Self {
            items,
            item_index,
            experts: Vec::new(),
            expert_index: HashMap::new(),
            rows: Vec::new(),
            quantiles: Vec::new(),
            rankings: Vec::new(),
        })
    }

    /// Reserves room for `n` more answers.
    pub fn reserve(&mut self, n: usize) {
        self.rows.reserve(n);
    }

    /// The reference of an item.
    pub fn item(&self, id: &ItemId) -> Result<ItemRef, StatsError> {
        self.item_index.get(id).map(|&i| ItemRef(i)).ok_or_else(|| StatsError::UnknownItem(id.0.clone()))
    }

    /// Registers an expert (or finds them again); the group attributes must not change.
    pub fn expert(&mut self, pseudonym: &Pseudonym, groups: &Groups) -> Result<ExpertRef, StatsError> {
        if let Some(&i) = self.expert_index.get(pseudonym) {
            if &self.experts[i as usize].1 != groups {
                return Err(StatsError::InconsistentGroups(pseudonym.0.clone()));
            }
            return Ok(ExpertRef(i));
        }
        let i = to_u32(self.experts.len());
        self.experts.push((pseudonym.clone(), groups.clone()));
        self.expert_index.insert(pseudonym.clone(), i);
        Ok(ExpertRef(i))
    }

    /// Adds one answer by reference (the fast path).
    pub fn push(&mut self, round: u32, item: ItemRef, expert: ExpertRef, answer: Answer) -> Result<(), StatsError> {
        let spec = self.items.get(item.0 as usize).ok_or(StatsError::ForeignReference(item.0))?;
        if expert.0 as usize >= self.experts.len() {
            return Err(StatsError::ForeignReference(expert.0));
        }
        let wrong = || StatsError::WrongAnswerKind {
            item: spec.id.0.clone(),
            expected: spec.kind.name(),
            got: answer.kind_name(),
        };
        let value = match (&spec.kind, &answer) {
            (_, Answer::DontKnow) => Stored::DontKnow,
            (ItemKind::Ordinal { scale, .. }, Answer::Ordinal(x)) => {
                if !scale.contains(*x) {
                    return Err(StatsError::OutOfScale {
                        item: spec.id.0.clone(),
                        value: *x,
                        min: scale.min,
                        max: scale.max,
                    });
                }
                Stored::Ordinal(*x)
            }
            (ItemKind::Numeric, Answer::Number(x)) => Stored::Number(x.get()),
            (ItemKind::Quantile { log, levels, .. }, Answer::Quantiles(q)) => {
                if q.levels() != *levels {
                    return Err(StatsError::InvalidInput(format!(
                        "item {} asks the {levels} quantiles, an answer gives {}",
                        spec.id.as_str(),
                        q.levels()
                    )));
                }
                if *log && q.lowest() <= 0.0 {
                    return Err(StatsError::InvalidInput(format!(
                        "item {}: a log-scale quantity needs positive quantiles, got {}",
                        spec.id.as_str(),
                        q.lowest()
                    )));
                }
                let Answer::Quantiles(q) = answer else { unreachable!() };
                self.quantiles.push(q);
                Stored::Quantiles(to_u32(self.quantiles.len() - 1))
            }
            (ItemKind::Ranking, Answer::Ranking(_)) => {
                let Answer::Ranking(r) = answer else { unreachable!() };
                self.rankings.push(r);
                Stored::Ranking(to_u32(self.rankings.len() - 1))
            }
            (ItemKind::Ordinal { .. } | ItemKind::Numeric | ItemKind::Quantile { .. } | ItemKind::Ranking, _) => {
                return Err(wrong());
            }
        };
        self.rows.push(Row { item: item.0, round, expert: expert.0, value });
        Ok(())
    }

    /// Adds one row of the long table.
    pub fn push_row(&mut self, row: AnswerRow) -> Result<(), StatsError> {
        let item = self.item(&row.item)?;
        let expert = self.expert(&row.expert, &row.groups)?;
        self.push(row.round, item, expert, row.answer)
    }

    /// Sorts the answers into canonical order (item, round, pseudonym) and checks that no
    /// expert answered an item twice in a round. The result does not depend on the order in
    /// which rows or experts were added.
    pub fn build(self) -> Result<AnswerTable, StatsError> {
        let Self { items, experts, mut rows, quantiles, rankings, .. } = self;
        // Canonical expert order: by pseudonym.
        let mut order: Vec<u32> = (0..to_u32(experts.len())).collect();
        order.sort_unstable_by(|&a, &b| experts[a as usize].0.cmp(&experts[b as usize].0));
        let mut new_index = vec![0u32; experts.len()];
        for (new, &old) in order.iter().enumerate() {
            new_index[old as usize] = to_u32(new);
        }
        let mut slots: Vec<Option<(Pseudonym, Groups)>> = experts.into_iter().map(Some).collect();
        let experts: Vec<(Pseudonym, Groups)> =
            order.iter().map(|&old| slots[old as usize].take().expect("each expert once")).collect();
        for r in &mut rows {
            r.expert = new_index[r.expert as usize];
        }
        rows.sort_unstable_by_key(|r| (r.item, r.round, r.expert));
        let mut buckets = Vec::new();
        let mut start = 0usize;
        for i in 1..=rows.len() {
            if i < rows.len() {
                let (a, b) = (rows[i - 1], rows[i]);
                if (a.item, a.round) == (b.item, b.round) {
                    if a.expert == b.expert {
                        return Err(StatsError::DuplicateAnswer {
                            round: a.round,
                            item: items[a.item as usize].id.0.clone(),
                            expert: experts[a.expert as usize].0.0.clone(),
                        });
                    }
                    continue;
                }
            }
            let r = rows[start];
            buckets.push(Bucket { item: r.item, round: r.round, start, end: i });
            start = i;
        }
        let mut rounds: Vec<u32> = rows.iter().map(|r| r.round).collect::<HashSet<_>>().into_iter().collect();
        rounds.sort_unstable();
        Ok(AnswerTable { items, experts, rows, quantiles, rankings, buckets, rounds })
    }
}

/// The answers of one item in one round: `rows[start..end]`, sorted by expert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bucket {
    pub item: u32,
    pub round: u32,
    pub start: usize,
    pub end: usize,
}

/// A validated long table of answers, sorted by item, round and pseudonym.
#[derive(Debug, Clone)]
pub struct AnswerTable {
    pub(crate) items: Vec<ItemSpec>,
    pub(crate) experts: Vec<(Pseudonym, Groups)>,
    pub(crate) rows: Vec<Row>,
    pub(crate) quantiles: Vec<Quantiles>,
    pub(crate) rankings: Vec<Ranking>,
    pub(crate) buckets: Vec<Bucket>,
    pub(crate) rounds: Vec<u32>,
}

impl AnswerTable {
    /// Builds a table from rows of the long format.
    pub fn from_rows(items: Vec<ItemSpec>, rows: impl IntoIterator<Item = AnswerRow>) -> Result<Self, StatsError> {
        let mut b = AnswerTableBuilder::new(items)?;
        for r in rows {
            b.push_row(r)?;
        }
        b.build()
    }

    /// The items, in specification order.
    pub fn items(&self) -> &[ItemSpec] {
        &self.items
    }

    /// The experts' pseudonyms, sorted.
    pub fn pseudonyms(&self) -> impl Iterator<Item = &Pseudonym> {
        self.experts.iter().map(|e| &e.0)
    }

    /// The group attributes of the expert with this pseudonym.
    pub fn groups_of(&self, expert: &Pseudonym) -> Option<&Groups> {
        self.experts.iter().find(|(p, _)| p == expert).map(|(_, g)| g)
    }

    /// The rounds that have answers, ascending.
    pub fn rounds(&self) -> &[u32] {
        &self.rounds
    }

    /// The number of answers (including "don't know").
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether there is no answer at all.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The answers of one item in one round, sorted by expert index.
    pub(crate) fn bucket(&self, item: u32, round: u32) -> &[Row] {
        match self.buckets.binary_search_by_key(&(item, round), |b| (b.item, b.round)) {
            Ok(i) => &self.rows[self.buckets[i].start..self.buckets[i].end],
            Err(_) => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_reject_names_and_emails() {
        assert!(Pseudonym::new("E07").is_ok());
        assert!(Pseudonym::new("x_1.b-2").is_ok());
        assert!(Pseudonym::new("jane@example.org").is_err());
        assert!(Pseudonym::new("Jane Doe").is_err());
        assert!(Pseudonym::new("").is_err());
        assert!(Pseudonym::new("a".repeat(65)).is_err());
    }

    #[test]
    fn invalid_values_are_rejected() {
        assert!(Quantiles::new(1.0, 1.0, 2.0).is_err());
        assert!(Quantiles::new(1.0, f64::NAN, 2.0).is_err());
        assert!(Finite::new(f64::INFINITY).is_err());
        assert!(OrdinalScale::new(5, 5).is_err());
        let s = OrdinalScale::new(1, 5).unwrap();
        assert!(AgreeSet::new(s, 4, 6).is_err());
        assert!(AgreeSet::new(s, 5, 4).is_err());
        assert!(Ranking::with_ties(vec![vec!["a".into()], vec!["a".into()]]).is_err());
        assert!(Ranking::with_ties(vec![vec![]]).is_err());
    }

    fn spec() -> Vec<ItemSpec> {
        let s = OrdinalScale::new(1, 5).unwrap();
        vec![ItemSpec::new(
            ItemId::new("q1").unwrap(),
            ItemKind::Ordinal { scale: s, agree: AgreeSet::new(s, 4, 5).unwrap() },
        )]
    }

    fn row(expert: &str, answer: Answer) -> AnswerRow {
        AnswerRow {
            round: 1,
            item: ItemId::new("q1").unwrap(),
            expert: Pseudonym::new(expert).unwrap(),
            groups: Groups::new().with("bloc", "A"),
            answer,
        }
    }

    #[test]
    fn table_rejects_wrong_states() {
        let out = AnswerTable::from_rows(spec(), [row("e1", Answer::Ordinal(6))]);
        assert!(matches!(out, Err(StatsError::OutOfScale { .. })));
        let q = Quantiles::new(1.0, 2.0, 3.0).unwrap();
        let out = AnswerTable::from_rows(spec(), [row("e1", Answer::Quantiles(q))]);
        assert!(matches!(out, Err(StatsError::WrongAnswerKind { .. })));
        let out = AnswerTable::from_rows(spec(), [row("e1", Answer::Ordinal(2)), row("e1", Answer::Ordinal(3))]);
        assert!(matches!(out, Err(StatsError::DuplicateAnswer { .. })));
        let mut other = row("e1", Answer::Ordinal(2));
        other.round = 2;
        other.groups = Groups::new().with("bloc", "B");
        let out = AnswerTable::from_rows(spec(), [row("e1", Answer::Ordinal(2)), other]);
        assert!(matches!(out, Err(StatsError::InconsistentGroups(_))));
        let mut unknown = row("e1", Answer::Ordinal(2));
        unknown.item = ItemId::new("nope").unwrap();
        assert!(matches!(AnswerTable::from_rows(spec(), [unknown]), Err(StatsError::UnknownItem(_))));
    }

    #[test]
    fn ranking_mid_ranks_and_ties() {
        let r = Ranking::with_ties(vec![vec!["a".into()], vec!["b".into(), "c".into()], vec!["d".into()]]).unwrap();
        let m: Vec<_> = r.mid_ranks().collect();
        assert_eq!(m, vec![("a", 1.0), ("b", 2.5), ("c", 2.5), ("d", 4.0)]);
        assert!((r.tie_term() - 6.0).abs() < 1e-12);
    }
}
