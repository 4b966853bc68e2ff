//! The checked study model. Values of these types only come out of validation
//! ([`crate::Study::from_toml`]), so their invariants hold: every reference
//! resolves, every text exists in every language, every scale is well formed.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::consensus::ConsensusRule;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps an id that the caller has checked with [`is_valid_id`].
            pub(crate) fn new_unchecked(id: impl Into<String>) -> Self {
                Self(id.into())
            }
            /// The id as written in the study file.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A study's id: names its folder under the data directory.
    StudyId
);
id_type!(
    /// A scale's key in `[scales]`.
    ScaleId
);
id_type!(
    /// A domain (an area the criteria are asked about).
    DomainId
);
id_type!(
    /// A criterion asked for every domain.
    CriterionId
);
id_type!(
    /// A question as stored and analysed: `<domain>.<criterion>`, or an extra or seed item's id.
    ItemId
);
id_type!(
    /// A language code such as `en` or `zh-Hant`.
    Language
);

impl StudyId {
    /// Checks an id by the rules of the study file's `study.id` ([`is_valid_id`]), for ids that
    /// come from elsewhere than a validated study: a store's rows, a test's constant.
    pub fn parse(id: &str) -> Result<Self, InvalidStudyId> {
        if is_valid_id(id) { Ok(Self(id.to_owned())) } else { Err(InvalidStudyId(id.to_owned())) }
    }
}

/// A text that is not a study id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid study id: {ID_RULE}")]
pub struct InvalidStudyId(String);

/// What [`is_valid_id`] accepts, in the words of a hint.
pub const ID_RULE: &str = "ids are 1–48 characters of a-z, 0-9, '-' or '_', starting with a letter or digit";

impl ItemId {
    /// The id of the grid item asking `criterion` about `domain`: `<domain>.<criterion>`.
    pub fn for_domain_criterion(domain: &DomainId, criterion: &CriterionId) -> Self {
        Self(format!("{domain}.{criterion}"))
    }

    /// Parses a stored item id: an id, or `<domain>.<criterion>`.
    pub fn parse(id: &str) -> Option<Self> {
        let parts: Vec<&str> = id.split('.').collect();
        (parts.len() <= 2 && parts.iter().all(|p| is_valid_id(p))).then(|| Self(id.to_owned()))
    }
}

impl Language {
    /// Parses a language code such as `en` or `zh-Hant`.
    pub fn parse(code: &str) -> Option<Self> {
        is_valid_language(code).then(|| Self(code.to_owned()))
    }

    /// Whether this is Chinese (`zh` or a variant such as `zh-Hant`): which of the tool's own
    /// texts to use (every other language gets English).
    pub fn is_chinese(&self) -> bool {
        is_chinese_code(&self.0)
    }
}

/// The languages the tool can name, by primary code, in English.
pub const LANGUAGE_NAMES_EN: &[(&str, &str)] = &[
    ("en", "English"),
    ("zh", "Chinese"),
    ("fr", "French"),
    ("de", "German"),
    ("es", "Spanish"),
    ("ja", "Japanese"),
    ("ru", "Russian"),
];

/// The same languages named in Chinese.
pub const LANGUAGE_NAMES_ZH: &[(&str, &str)] = &[
    ("en", "英文"),
    ("zh", "中文"),
    ("fr", "法文"),
    ("de", "德文"),
    ("es", "西班牙文"),
    ("ja", "日文"),
    ("ru", "俄文"),
];

/// Whether a language code is Chinese: `zh` or `zh-…` (the one rule every crate uses).
pub fn is_chinese_code(code: &str) -> bool {
    code == "zh" || code.starts_with("zh-")
}

/// Ids are 1–48 characters of `a-z`, `0-9`, `-`, `_`, starting with a letter or digit.
pub fn is_valid_id(id: &str) -> bool {
    (1..=48).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && id.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
}

/// A language code: 2–3 lower-case letters, then optional `-Subtag`s of 2–8 letters/digits.
pub fn is_valid_language(code: &str) -> bool {
    let mut parts = code.split('-');
    let primary = parts.next().unwrap_or_default();
    (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A text in every language of the study.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localised<T = String>(BTreeMap<Language, T>);

impl<T> Localised<T> {
    pub(crate) fn new(texts: BTreeMap<Language, T>) -> Self {
        Self(texts)
    }

    /// The text in `language`. Validation guarantees every study language is present;
    /// for any other language the study's default (`fallback`) is used.
    pub fn get(&self, language: &Language, fallback: &Language) -> &T {
        self.0
            .get(language)
            .or_else(|| self.0.get(fallback))
            .or_else(|| self.0.values().next())
            .expect("validated localised text is never empty")
    }
}

/// Whether an answer carried over from the expert's previous round, and shown already filled
/// in, counts when they submit it unchanged (`study.carry_over` in the study file).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CarryOver {
    /// The form comes filled in with the expert's latest answers; sending it unchanged
    /// confirms them for the new round (one click, or an unchanged reply).
    #[default]
    Confirm,
    /// The expert's latest answers are shown beside each question, but the fields start
    /// empty: an answer counts in the new round only when the expert gives it again.
    Reconfirm,
}

impl CarryOver {
    /// The word the study file uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirm => "confirm",
            Self::Reconfirm => "reconfirm",
        }
    }
}

/// How a study decides it may stop asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StopWhen {
    /// Always run `max_rounds` rounds.
    MaxRounds,
    /// Stop once every ordinal item reached consensus.
    Consensus,
    /// Stop once answers are stable between two rounds.
    Stable,
    /// Stop once every item has either reached consensus or is stable.
    ConsensusOrStable,
}

/// When the coordinator should stop asking (`[study.stopping]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoppingRule {
    /// The study never stops before this round (default 2).
    pub min_rounds: u32,
    /// What, from `min_rounds` on, lets the study stop.
    pub stop_when: StopWhen,
}

/// An ordinal scale `min..=max` with a label per point and language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scale {
    /// Its key in `[scales]`, by which criteria and items refer to it.
    pub id: ScaleId,
    /// The lowest point.
    pub min: i32,
    /// The highest point.
    pub max: i32,
    /// One label per point, `min..=max`, in every language.
    pub labels: Localised<Vec<String>>,
    /// The points that count as agreement: a non-empty run of consecutive points within
    /// `min..=max`, ascending.
    pub agree: Vec<i32>,
    /// Whether experts may answer "don't know" instead of a point.
    pub dont_know: bool,
}

impl Scale {
    /// Every point, lowest first.
    pub fn points(&self) -> std::ops::RangeInclusive<i32> {
        self.min..=self.max
    }

    /// How many points the scale has.
    pub fn len(&self) -> usize {
        usize::try_from(self.max - self.min + 1).unwrap_or(0)
    }

    /// Whether `max` lies below `min`, leaving no point.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `point` is on the scale.
    pub fn contains(&self, point: i32) -> bool {
        self.points().contains(&point)
    }

    /// The lowest and highest agree point.
    pub fn agree_range(&self) -> (i32, i32) {
        (self.agree[0], self.agree[self.agree.len() - 1])
    }
}

/// An area every criterion is asked about (`[[domains]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    /// Its id, the first half of its items' ids.
    pub id: DomainId,
    /// Its name, shown to experts and in reports, and put for `{domain}` in criteria prompts.
    pub title: Localised,
    /// What the area covers, in every language.
    pub description: Localised,
}

/// What kind of answer a question takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ResponseKind {
    /// A point on an ordinal scale.
    Ordinal {
        /// The scale's key in `[scales]`.
        scale: ScaleId,
    },
    /// A number, optionally bounded.
    Numeric {
        /// The lowest answer accepted, if bounded.
        min: Option<f64>,
        /// The highest answer accepted, if bounded.
        max: Option<f64>,
        /// The unit shown beside the answer, if any.
        unit: Option<Localised>,
    },
    /// Quantiles of an uncertain quantity: 5 %, 50 % and 95 % unless the study says
    /// otherwise (`quantiles = [10, 50, 90]`).
    Quantile {
        /// The lowest value an answer may hold, if bounded.
        min: Option<f64>,
        /// The highest value an answer may hold, if bounded.
        max: Option<f64>,
        /// The unit shown beside the answers, if any.
        unit: Option<Localised>,
        /// The background measure of Cooke's classical model (`scale = "log"`).
        #[serde(default)]
        scale: QuantityScale,
        /// The quantiles asked (questionnaires frozen before there was a choice asked 5/50/95).
        #[serde(default)]
        quantiles: QuantileLevels,
    },
    /// A probability in 0..=1.
    Probability,
    /// A ranking of all of the study's domains; `ties`: experts may give domains the same
    /// place (`ties = true`).
    RankingOfDomains {
        /// Whether two domains may share a place.
        #[serde(default)]
        ties: bool,
    },
    /// Free text.
    Text,
}

/// The quantiles a quantity question asks, in whole percents: at least three, strictly
/// increasing, within 1–99, with the median (50 %) among them, which forms and feedback
/// show as the best estimate. Held as a set of percents, so a level cannot be asked twice
/// or out of order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "Vec<u8>", try_from = "Vec<u8>")]
pub struct QuantileLevels(u128);

/// Why a list of percents is not a set of quantiles to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QuantileLevelsError {
    /// Fewer than three levels (how many were given).
    #[error("ask at least three quantiles (a low value, the median and a high value), found {0}")]
    TooFew(usize),
    /// A level outside 1–99 (the level).
    #[error("{0} is not a whole percent between 1 and 99")]
    OutOfRange(i64),
    /// A level not above the one before it.
    #[error("{after} % does not come after {before} %: list the quantiles from low to high, each once")]
    NotIncreasing {
        /// The level before it.
        before: i64,
        /// The level that should have been higher.
        after: i64,
    },
    /// 50 % is not among the levels.
    #[error("the median (50 %) must be among the quantiles: it is the expert's best estimate")]
    NoMedian,
}

impl QuantileLevels {
    /// 5 %, 50 % and 95 %: what a quantity question asks unless the study says otherwise.
    pub const FIVE_FIFTY_NINETY_FIVE: Self = Self((1 << 5) | (1 << 50) | (1 << 95));

    /// The levels `percents`, as written: strictly increasing whole percents in 1–99, at
    /// least three, 50 among them.
    pub fn new(percents: &[i64]) -> Result<Self, QuantileLevelsError> {
        if percents.len() < 3 {
            return Err(QuantileLevelsError::TooFew(percents.len()));
        }
        let mut bits = 0u128;
        for (i, &p) in percents.iter().enumerate() {
            if !(1..=99).contains(&p) {
                return Err(QuantileLevelsError::OutOfRange(p));
            }
            if i > 0 && percents[i - 1] >= p {
                return Err(QuantileLevelsError::NotIncreasing { before: percents[i - 1], after: p });
            }
            bits |= 1 << p;
        }
        if bits & (1 << 50) == 0 {
            return Err(QuantileLevelsError::NoMedian);
        }
        Ok(Self(bits))
    }

    /// The percents, from low to high.
    pub fn percents(self) -> impl Iterator<Item = u8> + Clone {
        (1u8..=99).filter(move |&p| self.0 & (1 << p) != 0)
    }

    /// How many quantiles are asked.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Never true: a set of levels has at least three.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether `percent` is one of the levels.
    pub fn contains(self, percent: u8) -> bool {
        percent < 100 && self.0 & (1 << percent) != 0
    }

    /// The lowest and the highest level.
    pub fn outer(self) -> (u8, u8) {
        let mut all = self.percents();
        let low = all.next().unwrap_or(50);
        (low, all.last().unwrap_or(low))
    }
}

impl Default for QuantileLevels {
    fn default() -> Self {
        Self::FIVE_FIFTY_NINETY_FIVE
    }
}

impl From<QuantileLevels> for Vec<u8> {
    fn from(levels: QuantileLevels) -> Self {
        levels.percents().collect()
    }
}

impl TryFrom<Vec<u8>> for QuantileLevels {
    type Error = QuantileLevelsError;
    fn try_from(percents: Vec<u8>) -> Result<Self, Self::Error> {
        Self::new(&percents.into_iter().map(i64::from).collect::<Vec<_>>())
    }
}

impl std::fmt::Display for QuantileLevels {
    /// `5/50/95 %`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let all: Vec<String> = self.percents().map(|p| p.to_string()).collect();
        write!(f, "{} %", all.join("/"))
    }
}

/// How an uncertain quantity is spread, for Cooke's classical model: information and the
/// intrinsic range are computed on the values (`uniform`) or on their logarithms (`log`,
/// for quantities whose answers span orders of magnitude; every answer must be positive).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuantityScale {
    /// Information on the values themselves (the default).
    #[default]
    Uniform,
    /// Information on the values' logarithms; every answer must be positive.
    Log,
}

/// A criterion, asked once per domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    /// Its id, the second half of its items' ids.
    pub id: CriterionId,
    /// What kind of answer it takes, in every domain.
    pub response: ResponseKind,
    /// May contain `{domain}`, replaced by the domain's title.
    pub prompt: Localised,
}

/// A question asked once per round, outside the domain × criterion grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtraItem {
    /// Its id, as stored and analysed.
    pub id: ItemId,
    /// What kind of answer it takes.
    pub response: ResponseKind,
    /// The question as experts read it.
    pub prompt: Localised,
    /// The round it is first asked in (items experts proposed join later rounds).
    pub first_round: u32,
    /// The earlier item it continues — a rewording or one part of a split — answered the
    /// same way, so stability pairs its answers with that item's.
    pub continues: Option<ItemId>,
    /// Text items only: feed the round's answers back in the next round, anonymously and
    /// deduplicated (e.g. experts' proposals). Off unless the study file says so.
    #[serde(default)]
    pub share_answers: bool,
}

/// A change between rounds: items no longer asked from `round` on (e.g. because they
/// reached consensus, or were reworded or split into items that continue them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    /// The first round that no longer asks them.
    pub round: u32,
    /// The items no longer asked.
    pub drop: Vec<ItemId>,
}

/// A calibration question whose true value the coordinator knows. The realisation
/// is only reachable through [`SeedItem::realisation`] and is never part of a [`Question`];
/// the type is deliberately not serialisable, so it cannot leak into a questionnaire or export.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedItem {
    /// Its id, as stored and analysed.
    pub id: ItemId,
    /// The question as experts read it.
    pub prompt: Localised,
    /// The unit shown beside the answers, if any.
    pub unit: Option<Localised>,
    /// The lowest value an answer may hold, if bounded.
    pub min: Option<f64>,
    /// The highest value an answer may hold, if bounded.
    pub max: Option<f64>,
    /// Uniform or log background (`scale = "log"`).
    pub scale: QuantityScale,
    /// The quantiles asked (`quantiles = [..]`; 5/50/95 by default).
    pub quantiles: QuantileLevels,
    realisation: f64,
}

impl SeedItem {
    pub(crate) fn new(
        id: ItemId,
        prompt: Localised,
        unit: Option<Localised>,
        (min, max): (Option<f64>, Option<f64>),
        (scale, quantiles): (QuantityScale, QuantileLevels),
        realisation: f64,
    ) -> Self {
        Self { id, prompt, unit, min, max, scale, quantiles, realisation }
    }

    /// The known answer, for calibration (Cooke's classical model). Never show it to an expert.
    pub fn realisation(&self) -> f64 {
        self.realisation
    }
}

/// A panel attribute that analyses may group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PanelAttribute {
    /// The panel CSV's `institution` column.
    Institution,
    /// The panel CSV's `country` column.
    Country,
    /// The panel CSV's `bloc` column.
    Bloc,
    /// The panel CSV's `language` column: the expert's questionnaire language.
    Language,
    /// The panel CSV's `expertise` column.
    Expertise,
}

impl PanelAttribute {
    /// Every attribute, each once.
    pub const ALL: [Self; 5] = [Self::Institution, Self::Country, Self::Bloc, Self::Language, Self::Expertise];

    /// The attribute's name in the study file and in the panel CSV's header.
    pub fn name(self) -> &'static str {
        match self {
            Self::Institution => "institution",
            Self::Country => "country",
            Self::Bloc => "bloc",
            Self::Language => "language",
            Self::Expertise => "expertise",
        }
    }

    /// The attribute a study file names `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// Which groups of the panel analyses compare (`[subgroups]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subgroups {
    /// The panel columns to analyse by.
    pub attributes: Vec<PanelAttribute>,
    /// Groups smaller than this are suppressed in every output (at least 2).
    pub min_group_size: u32,
}

/// Which criteria form the benefit–risk view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Synthesis {
    /// The ordinal criterion that places a domain on the benefit axis.
    pub benefit: CriterionId,
    /// The ordinal criteria that place a domain on the risk axis.
    pub risks: Vec<CriterionId>,
    /// An ordinal criterion asking whether to recommend the domain; optional.
    pub recommendation: Option<CriterionId>,
}

/// A checked study. Not serialisable (it holds the seed realisations); the store keeps
/// the study file's source text instead, and experts only ever see [`Question`]s.
#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    /// Its id: names its folder and its store.
    pub id: StudyId,
    /// The study's languages; the first is the default.
    pub languages: Vec<Language>,
    /// Its title, in every language.
    pub title: Localised,
    /// What the study is about, as written to the experts.
    pub description: Localised,
    /// The most rounds the study may run (1–10).
    pub max_rounds: u32,
    /// When the coordinator may stop asking.
    pub stopping: StoppingRule,
    /// Whether the file stated `[study.stopping]` (as a table or inline); when not,
    /// `stopping` holds the defaults, and a report says no stopping rule was set in advance.
    pub stopping_stated: bool,
    /// How answers carried over from the previous round count.
    pub carry_over: CarryOver,
    /// The ordinal scales, by key.
    pub scales: Vec<Scale>,
    /// The areas, in the order experts meet them.
    pub domains: Vec<Domain>,
    /// The criteria asked of every domain, in order.
    pub criteria: Vec<Criterion>,
    /// The questions outside the grid, in order.
    pub items: Vec<ExtraItem>,
    /// The calibration questions, with their realisations.
    pub seeds: Vec<SeedItem>,
    /// The items dropped between rounds.
    pub revisions: Vec<Revision>,
    /// When an item counts as having reached consensus.
    pub consensus: ConsensusRule,
    /// Which panel groups analyses compare, and the smallest group shown.
    pub subgroups: Subgroups,
    /// The benefit–risk view; optional (a study without it has no synthesis).
    pub synthesis: Option<Synthesis>,
    /// Whom experts write to about the study (`study.contact`, e.g. "Ana Lima
    /// <ana@example.org>"), shown where an expert may need a person; optional.
    pub contact: Option<String>,
    // What an expert is told so that they can trust a letter, and what withdrawing does
    // (issue 13, item 5).
    /// Why these experts were asked (`study.why_asked`), said in every invitation; optional.
    pub why_asked: Option<Localised>,
    /// How their answers and address are used (`study.privacy`), in every invitation and on
    /// the web form; answering the first time counts as consent to it. Optional.
    pub privacy: Option<Localised>,
    /// What becomes of a withdrawn expert's answers (`study.withdrawal`).
    pub withdrawal: Withdrawal,
    /// What only the coordinator can write for the report (`[reporting]`).
    pub reporting: ReportingNotes,
}

/// What only the coordinator knows and a report that follows DELPHISTAR (Niederberger et al.
/// 2024) and ACCORD (Gattrell et al. 2024) must say (`[reporting]` in the study file). Each is
/// optional: a report marks what is missing "to be written by the coordinator".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReportingNotes {
    /// The study's aim, for readers of the report (DELPHISTAR 10); without it the report quotes
    /// the study's description, which is written to the experts.
    pub aim: Option<Localised>,
    /// The research team and its disciplines (DELPHISTAR 5).
    pub team: Option<Localised>,
    /// Who counts as an expert for this study (DELPHISTAR 13).
    pub expert_definition: Option<Localised>,
    /// How the experts were identified and selected (DELPHISTAR 17).
    pub expert_selection: Option<Localised>,
    /// Ethics approval, or why none was needed.
    pub ethics: Option<Localised>,
    /// Funding and the funder's role (DELPHISTAR 4, ACCORD O3).
    pub funding: Option<Localised>,
    /// Conflicts of interest of the team and the panel (ACCORD O2).
    pub conflicts_of_interest: Option<Localised>,
    /// Limits of the study and of its transferability (DELPHISTAR 36).
    pub limitations: Option<Localised>,
}

/// What becomes of an expert's answers when they withdraw (`study.withdrawal`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Withdrawal {
    /// Their answers so far keep counting; they are asked nothing more.
    #[default]
    KeepAnswers,
    /// Their answers to every round not closed when they withdraw stop counting. A closed
    /// round never changes: its summary and reports stay as they were.
    RemoveAnswers,
}

impl Withdrawal {
    /// The word the study file uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::KeepAnswers => "keep-answers",
            Self::RemoveAnswers => "remove-answers",
        }
    }

    /// The rule the study file names `word`.
    pub fn from_word(word: &str) -> Option<Self> {
        [Self::KeepAnswers, Self::RemoveAnswers].into_iter().find(|w| w.as_str() == word)
    }
}

/// One question of a round as an expert sees it: no answers, no realisations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Its id, as stored and analysed.
    pub id: ItemId,
    /// The domain it asks about, for a grid item.
    pub domain: Option<DomainId>,
    /// The criterion it asks, for a grid item.
    pub criterion: Option<CriterionId>,
    /// Whether it is a calibration question, whose answer the coordinator knows.
    pub is_seed: bool,
    /// What kind of answer it takes.
    pub response: ResponseKind,
    /// The earlier item this one continues, if any (see [`ExtraItem::continues`]).
    pub continues: Option<ItemId>,
}

impl Study {
    /// The study's first language, the fallback for a text or an expert's language it lacks.
    pub fn default_language(&self) -> &Language {
        &self.languages[0]
    }

    /// The scale whose key is `id`, if the study has one.
    pub fn scale(&self, id: &ScaleId) -> Option<&Scale> {
        self.scales.iter().find(|s| &s.id == id)
    }

    /// Whether `code` is one of the study's languages.
    pub fn has_language(&self, code: &str) -> bool {
        self.languages.iter().any(|l| l.as_str() == code)
    }

    /// Every question of the study in any round, in the order an expert meets them:
    /// domain by domain the criteria, then the extra items, then the calibration (seed)
    /// questions. [`Study::questions_in_round`] gives those of one round.
    pub fn questions(&self) -> Vec<Question> {
        let grid = self.domains.iter().flat_map(|domain| {
            self.criteria.iter().map(move |criterion| Question {
                id: ItemId::for_domain_criterion(&domain.id, &criterion.id),
                domain: Some(domain.id.clone()),
                criterion: Some(criterion.id.clone()),
                is_seed: false,
                response: criterion.response.clone(),
                continues: None,
            })
        });
        let extras = self.items.iter().map(|item| Question {
            id: item.id.clone(),
            domain: None,
            criterion: None,
            is_seed: false,
            response: item.response.clone(),
            continues: item.continues.clone(),
        });
        let seeds = self.seeds.iter().map(|seed| Question {
            id: seed.id.clone(),
            domain: None,
            criterion: None,
            is_seed: true,
            response: ResponseKind::Quantile {
                min: seed.min,
                max: seed.max,
                unit: seed.unit.clone(),
                scale: seed.scale,
                quantiles: seed.quantiles,
            },
            continues: None,
        });
        grid.chain(extras).chain(seeds).collect()
    }

    /// The questions of round `round`: those first asked by then and not dropped by a
    /// revision of this or an earlier round, in the order of [`Study::questions`].
    pub fn questions_in_round(&self, round: u32) -> Vec<Question> {
        let first_round =
            |id: &ItemId| self.items.iter().find(|item| &item.id == id).map_or(1, |item| item.first_round);
        let dropped = |id: &ItemId| self.revisions.iter().any(|r| r.round <= round && r.drop.contains(id));
        self.questions().into_iter().filter(|q| first_round(&q.id) <= round && !dropped(&q.id)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One rule says which languages get the tool's Chinese texts: `zh` and its variants, and
    /// nothing else that merely starts with the letters (a hypothetical `zha` code is not Chinese).
    #[test]
    fn chinese_is_zh_and_its_variants_only() {
        for code in ["zh", "zh-Hant", "zh-CN"] {
            assert!(is_chinese_code(code) && Language::parse(code).unwrap().is_chinese(), "{code}");
        }
        for code in ["en", "zha", "fr-zh", ""] {
            assert!(!is_chinese_code(code), "{code}");
        }
    }

    /// A study id from outside a study file passes the file's own rule, or says why not.
    #[test]
    fn a_study_id_is_checked_as_the_study_file_checks_it() {
        let starter = Study::from_toml(include_str!("../../../surveys/starter.toml"), "study.toml").unwrap();
        assert_eq!(StudyId::parse(starter.id.as_str()), Ok(starter.id.clone()));
        assert_eq!(StudyId::parse("ai-safety_2").unwrap().as_str(), "ai-safety_2");
        for bad in ["", "-lead", "Upper", "with space", "ümlaut", &"x".repeat(49)] {
            let error = StudyId::parse(bad).unwrap_err();
            assert!(!is_valid_id(bad), "{bad}");
            assert_eq!(error.to_string(), format!("`{bad}` is not a valid study id: {ID_RULE}"));
        }
    }

    /// A report says whether the stopping rule was set in advance: only a `[study.stopping]`
    /// the coordinator wrote counts, not the defaults, nor the table in a comment.
    #[test]
    fn a_stopping_rule_is_stated_only_by_its_table() {
        let starter = include_str!("../../../surveys/starter.toml");
        let with = |extra: &str| starter.replacen("[scales.level5]", &format!("{extra}\n[scales.level5]"), 1);
        let parse = |source: &str| Study::from_toml(source, "study.toml").expect("a valid study");
        assert!(!parse(starter).stopping_stated, "the starter states none");
        assert!(!parse(&with("# [study.stopping]\n# min_rounds = 2\n")).stopping_stated, "a comment");
        let table = parse(&with("[study.stopping]\nmin_rounds = 3\n"));
        assert!(table.stopping_stated);
        assert_eq!(table.stopping.min_rounds, 3);
        let inline = starter.replacen("max_rounds = 3", "max_rounds = 3\nstopping = { min_rounds = 2 }", 1);
        assert!(parse(&inline).stopping_stated, "an inline table");
    }
}
