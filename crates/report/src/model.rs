//! The report model: plain, serialisable data built from a [`Study`] and a [`StudySummary`].
//!
//! Every figure is carried twice: as a number (`value`, absent when undefined) and as the text
//! that every renderer prints (`text`), so the PDF, HTML and Markdown show the same characters.
//! No expert is named anywhere: the model holds counts, group names (blocs, institutions) and
//! figures only; Cooke's per-expert results appear under the store's pseudonyms only.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use delphi_core::Study;
use delphi_core::consensus::{ConsensusPosition, DontKnowPolicy};
use delphi_core::study::{CarryOver, DomainId, ItemId, Language, PanelAttribute, ResponseKind, StopWhen};
use delphi_stats::groups::GroupFigures;
use delphi_stats::item::{AcrossGroups, Basis, GroupFailure, Outcome, Verdict};
use delphi_stats::stability::Stability;
use delphi_stats::summarise::{ItemResult, ItemRound};
use delphi_stats::synthesis::{Certainty, DomainSynthesis, Placement};
use delphi_stats::{Figure, StudySummary};
use serde::Serialize;

use crate::ReportError;
use crate::findings::Findings;
use crate::guidelines::{self, Guidelines};
use crate::labels::Labels;

/// The version of the JSON the template reads.
pub const FORMAT: &str = "delphi-report/1";

/// A figure as a number and as printed text (`—` when undefined, with the reason in `note`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Num {
    /// The number, if defined.
    pub value: Option<f64>,
    /// What the renderers print.
    pub text: String,
    /// Why the figure is undefined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Decimals of a figure on a rating scale (median, quartiles, IQR and their changes): quartiles
/// of whole points fall on quarter points, so two decimals print every one exactly, and every
/// such figure prints them all ("0.25" beside "1.00", never "0.2" or "1"). The engine's
/// verdict reasons print them the same way.
pub const SCALE_DECIMALS: usize = delphi_stats::item::SCALE_DECIMALS;
/// Decimals of a percentage (agreement, response, change), as in the engine's reasons.
pub const PERCENT_DECIMALS: usize = delphi_stats::item::PERCENT_DECIMALS;
/// Decimals of a position normalised to 0–1 (the benefit–risk synthesis and its chart).
pub const SHARE_DECIMALS: usize = 3;
/// Decimals of a coefficient (Krippendorff's α, Kendall's W).
pub const COEFFICIENT_DECIMALS: usize = 3;

impl Num {
    /// A figure printed with exactly `decimals` decimals, the precision of its kind (see
    /// [`SCALE_DECIMALS`] and its siblings), so that figures of one kind line up.
    pub fn of(f: Figure, decimals: usize) -> Self {
        match f.value() {
            Some(v) => Self { value: Some(v), text: fmt_fixed(v, decimals), note: None },
            None => Self { value: None, text: "—".into(), note: f.reason().map(|r| r.to_string()) },
        }
    }

    /// A figure on a rating scale: median, quartile, IQR.
    pub fn scale(f: Figure) -> Self {
        Self::of(f, SCALE_DECIMALS)
    }

    /// A percentage (0–100: agreement, response, change), with [`PERCENT_DECIMALS`]. A
    /// probability printed as a percentage is [`Num::percent`].
    pub fn percentage(f: Figure) -> Self {
        Self::of(f, PERCENT_DECIMALS)
    }

    /// A position normalised to 0–1.
    pub fn share(f: Figure) -> Self {
        Self::of(f, SHARE_DECIMALS)
    }

    /// A coefficient such as Krippendorff's α.
    pub fn coefficient(f: Figure) -> Self {
        Self::of(f, COEFFICIENT_DECIMALS)
    }

    /// A setting of the study, printed as [`fmt_number`] prints it.
    pub fn setting(v: f64, decimals: usize) -> Self {
        Self { value: Some(v), text: fmt_number(v, decimals), note: None }
    }

    /// A count.
    pub fn count(n: u64) -> Self {
        Self { value: Some(n as f64), text: n.to_string(), note: None }
    }

    /// A p-value: four decimals, or `< 0.0001`.
    pub fn p_value(f: Figure) -> Self {
        match f.value() {
            Some(v) if v < 0.0001 => Self { value: Some(v), text: "< 0.0001".into(), note: None },
            _ => Self::of(f, 4),
        }
    }

    fn missing() -> Self {
        Self { value: None, text: "—".into(), note: None }
    }

    /// A pooled estimate or a median printed at the precision its `spread` allows (see
    /// [`fmt_to_spread`]).
    pub fn to_spread(f: Figure, spread: Option<f64>) -> Self {
        match f.value() {
            Some(v) => Self { value: Some(v), text: fmt_to_spread(v, spread), note: None },
            None => Self::of(f, 2),
        }
    }

    /// A probability (0–1) as a percentage, at the precision its spread (in 0–1) allows:
    /// `0.844` with an IQR of `0.12` prints `84 %`. The value stays in 0–1.
    pub fn percent(f: Figure, spread: Option<f64>) -> Self {
        match f.value() {
            Some(v) => Self {
                value: Some(v),
                // A no-break space: a figure never wraps away from its unit in a narrow cell.
                text: format!("{}\u{a0}%", fmt_to_spread(100.0 * v, spread.map(|s| 100.0 * s))),
                note: None,
            },
            None => Self::of(f, 2),
        }
    }

    /// A difference of probabilities (an IQR) in percentage points (`unit`, e.g. `pp`), at
    /// the precision of its own size.
    pub fn percentage_points(f: Figure, unit: &str) -> Self {
        match f.value() {
            Some(v) => Self {
                value: Some(v),
                text: format!("{}\u{a0}{unit}", fmt_to_spread(100.0 * v, Some(100.0 * v))),
                note: None,
            },
            None => Self::of(f, 2),
        }
    }
}

/// The one rounding rule for pooled estimates and medians of numbers: print a figure to the
/// place of the second significant digit of its `spread` (the interquartile range, or the
/// 5–95 % range of a pooled distribution). A median of 32.12 with a spread of 58 prints `32`;
/// with a spread of 0.25 it prints `32.12`; with a spread of 5800, 3212 prints `3200`.
/// Digits finer than that say nothing the panel agreed on. Every figure of one row (median,
/// quartiles, IQR; or 5 %, 50 %, 95 %) is printed to the same place. Without a spread (one
/// answer, or all answers equal) the figure keeps three significant digits of its own.
pub fn fmt_to_spread(v: f64, spread: Option<f64>) -> String {
    let scale = match spread.map(f64::abs) {
        Some(s) if s.is_finite() && s > 0.0 => s,
        _ if v != 0.0 && v.is_finite() => v.abs() / 10.0,
        // nothing to go by: a whole number
        _ => 10.0,
    };
    // The place of the second significant digit of `scale`: 10^(floor(log10 scale) − 1).
    let place = (scale.log10().floor() as i32 - 1).clamp(-9, 15);
    if place >= 0 {
        let step = 10f64.powi(place);
        let rounded = (v / step).round() * step;
        let s = format!("{rounded:.0}");
        if s == "-0" { "0".into() } else { s }
    } else {
        let decimals = usize::try_from(-place).unwrap_or(0);
        let s = format!("{v:.decimals$}");
        if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') { s[1..].to_owned() } else { s }
    }
}

/// `v` with exactly `decimals` decimals; a negative zero prints without its sign.
pub fn fmt_fixed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_owned(),
        _ => s,
    }
}

/// A setting as the study states it (a threshold such as `iqr_max = 1`): at most `decimals`
/// decimals and at least one, trailing zeros trimmed; `-0.0` prints as `0.0`. Figures the
/// engine computed print by their kind's fixed precision instead ([`Num::of`]).
pub fn fmt_number(v: f64, decimals: usize) -> String {
    let mut s = format!("{v:.decimals$}");
    if s.contains('.') {
        while s.ends_with('0') && !s.ends_with(".0") {
            s.pop();
        }
    } else {
        s.push_str(".0");
    }
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s.remove(0);
    }
    s
}

/// A consensus or stability verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerdictCell {
    /// The engine's outcome; the templates style the label by it (`met`, `not_met`,
    /// `too_few_answers` or `undefined` in the JSON).
    pub outcome: Outcome,
    /// The outcome in the report's language.
    pub label: String,
    /// Why, with figures and thresholds.
    pub reason: String,
}

impl VerdictCell {
    fn of(v: &Verdict, labels: &Labels) -> Self {
        let label = match v.outcome {
            Outcome::Met => &labels.met,
            Outcome::NotMet => &labels.not_met,
            Outcome::TooFewAnswers => &labels.too_few_answers,
            Outcome::Undefined => &labels.undefined,
        };
        let reason = v.basis.as_ref().map_or_else(|| v.reason.clone(), |basis| worded_reason(basis, labels));
        Self { outcome: v.outcome, label: label.clone(), reason }
    }

    /// A stability verdict: "stable" / "not stable", never the words of consensus (a panel
    /// can be stable in disagreement).
    /// The reason is worded here from the figures, in the report's language.
    fn stability(v: &Verdict, change: &Stability, max_percent: f64, labels: &Labels) -> Self {
        let cell = Self::of(v, labels);
        let label = match v.outcome {
            Outcome::Met => labels.stable.clone(),
            Outcome::NotMet => labels.not_stable.clone(),
            Outcome::TooFewAnswers | Outcome::Undefined => cell.label,
        };
        let reason = match change.moved_percent.value() {
            Some(_) => labels
                .stability_reason
                .of(change.pairs)
                .replace("{moved}", &change.moved.to_string())
                .replace("{pairs}", &change.pairs.to_string())
                .replace("{percent}", &Num::percentage(change.moved_percent).text)
                .replace("{max}", &fmt_number(max_percent, 1)),
            None => labels.stability_no_pairs.clone(),
        };
        Self { label, reason, ..cell }
    }
}

/// A consensus verdict's reason in the report's language, from the figures the engine judged
/// (printed as in its English reason, which the JSON and the terminal keep).
fn worded_reason(basis: &Basis, labels: &Labels) -> String {
    match basis {
        Basis::Rule { iqr, iqr_ok, iqr_max, share, share_ok, share_min, within } => {
            let within = match within {
                Some((lo, hi)) if lo == hi => labels.reason_within_point.replace("{lo}", &lo.to_string()),
                Some((lo, hi)) => {
                    labels.reason_within_range.replace("{lo}", &lo.to_string()).replace("{hi}", &hi.to_string())
                }
                None => String::new(),
            };
            labels
                .reason_rule
                .replace("{iqr_cmp}", if *iqr_ok { "≤" } else { ">" })
                .replace("{iqr_max}", iqr_max)
                .replace("{iqr}", iqr)
                .replace("{share_cmp}", if *share_ok { "≥" } else { "<" })
                .replace("{share_min}", share_min)
                .replace("{share}", share)
                .replace("{within}", &within)
        }
        Basis::TooFew { valid, needed } => labels
            .reason_too_few
            .of(*valid)
            .replace("{valid}", &valid.to_string())
            .replace("{needed}", &needed.to_string()),
        Basis::BetweenBoxes { median } => labels.reason_between_boxes.replace("{median}", median),
        Basis::AcrossGroups { finding, suppressed, min_group_size } => {
            let note = if *suppressed > 0 {
                labels
                    .across_suppressed
                    .replace("{suppressed}", &suppressed.to_string())
                    .replace("{min}", &min_group_size.to_string())
            } else {
                String::new()
            };
            let why =
                |basis: &Option<Box<Basis>>| basis.as_deref().map(|b| worded_reason(b, labels)).unwrap_or_default();
            let text = match finding {
                AcrossGroups::NoGroupShown => labels.across_no_group.clone(),
                AcrossGroups::Undefined => labels.across_undefined.clone(),
                AcrossGroups::NotOverall { overall } => labels.across_not_overall.replace("{why}", &why(overall)),
                AcrossGroups::All { shown } => labels.across_all.replace("{shown}", &shown.to_string()),
                AcrossGroups::Failing { groups } => {
                    let each = groups.iter().map(|(name, failure)| match failure {
                        GroupFailure::OtherBox { group, panel } => labels
                            .across_other_box
                            .replace("{name}", name)
                            .replace("{group}", &box_words(*group, labels))
                            .replace("{panel}", &box_words(*panel, labels)),
                        GroupFailure::NotMet { basis } => {
                            labels.across_not_met.replace("{name}", name).replace("{why}", &why(basis))
                        }
                    });
                    labels
                        .across_failing
                        .replace("{groups}", &each.collect::<Vec<_>>().join(&labels.across_list_separator))
                }
            };
            text.replace("{note}", &note)
        }
    }
}

/// A box of the scale in words: `in 4–5`, `at 3`, or undetermined.
fn box_words(bounds: Option<(i32, i32)>, labels: &Labels) -> String {
    match bounds {
        Some((lo, hi)) if lo == hi => labels.box_point.replace("{lo}", &lo.to_string()),
        Some((lo, hi)) => labels.box_range.replace("{lo}", &lo.to_string()).replace("{hi}", &hi.to_string()),
        None => labels.box_none.clone(),
    }
}

/// How the study was run, as the store recorded it: what neither the study file nor the
/// statistics hold. The CLI reads it from the store and the frozen questionnaires.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Conduct {
    /// Every reported round: when it ran and what it fed back.
    pub rounds: Vec<RoundConduct>,
    /// Experts asked and experts who answered, per round and group of the panel (counts only).
    pub panel: Vec<PanelCount>,
    /// Whether the study file states a stopping rule. Without one the study carries a default
    /// that nothing enforces, so the report says that none was defined.
    pub stopping_rule_stated: bool,
    /// Settings of the consensus rule that differ from those a round was opened under: the
    /// report applies today's rule to every round, and says so at the top.
    pub rules_changed: Vec<RuleChange>,
    /// Reminders sent, per round (rounds without any may be absent).
    pub reminders_sent: BTreeMap<u32, u64>,
    /// Each round's questionnaire as it was frozen, for the appendix (rounds absent when the
    /// store has none).
    pub questionnaires: Vec<FrozenQuestions>,
}

/// One round's questions as frozen when it opened, in each of the study's languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrozenQuestions {
    /// Round.
    pub round: u32,
    /// The questions by language code, in the order the experts met them.
    pub by_language: BTreeMap<String, Vec<AskedQuestion>>,
}

/// A question as a frozen questionnaire put it, in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AskedQuestion {
    /// Item id.
    pub item: String,
    /// The title of the domain it belongs to (none for extra and seed questions).
    pub domain: Option<String>,
    /// A calibration (seed) question.
    pub seed: bool,
    /// The question as worded, `{domain}` filled in.
    pub wording: String,
    /// How it was answered.
    pub answer: AnswerForm,
    /// The earlier item it continues (a rewording or one part of a split).
    pub continues: Option<String>,
}

/// One setting of the study's consensus rule edited after a round opened under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleChange {
    /// The round opened under the old setting.
    pub round: u32,
    /// The setting's name in the study file's `[consensus]` (e.g. `iqr_max`).
    pub setting: String,
    /// Its value when the round opened.
    pub before: String,
    /// Its value in the study file now.
    pub after: String,
}

/// One round's dates and feedback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundConduct {
    /// Round.
    pub round: u32,
    /// When it opened (its questionnaire was frozen).
    pub opened_at: DateTime<Utc>,
    /// The deadline experts were given (the last one set).
    pub deadline: DateTime<Utc>,
    /// When it closed; reported rounds are closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// What its questionnaire showed of the round before.
    pub feedback: FeedbackGiven,
}

/// What a round's questionnaire showed of the previous round, counted from the questionnaire
/// as it was frozen.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FeedbackGiven {
    /// The round fed back (`None` for the first round, which feeds nothing back).
    pub from_round: Option<u32>,
    /// Items the round asked.
    pub items_asked: u32,
    /// Items that carried feedback.
    pub items_with_feedback: u32,
    /// Items showing the distribution of the group's answers.
    pub distributions: u32,
    /// Items showing the group's median.
    pub medians: u32,
    /// Items showing the group's quartiles.
    pub quartiles: u32,
    /// Items on which each expert's copy shows their own previous answer.
    pub own_answers: u32,
    /// Anonymous rationales shown.
    pub rationales: u32,
    /// From round 2 on, how the expert's earlier answers were carried into the form: filled
    /// in and confirmed by an unchanged submission, or shown and given again.
    pub carry_over: Option<CarryOver>,
}

/// Experts of one group asked in a round, and how many of them answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelCount {
    /// The attribute the group is a value of (institution, bloc, …).
    pub attribute: PanelAttribute,
    /// The group (e.g. the institution's name).
    pub group: String,
    /// Round.
    pub round: u32,
    /// Experts of the group asked in the round.
    pub invited: u32,
    /// Of them, experts who answered.
    pub responded: u32,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// [`FORMAT`].
    pub format: String,
    /// The report's language code.
    pub language: String,
    /// Headings and words in that language.
    pub labels: Labels,
    /// The findings in words that open the report, each sentence with the figures it rests on.
    pub findings: Findings,
    /// The study.
    pub study: StudyInfo,
    /// The rounds reported.
    pub rounds: Vec<u32>,
    /// Study-wide figures.
    pub overview: Overview,
    /// How the figures were made.
    pub methods: Methods,
    /// Every domain, every round.
    pub domains: Vec<DomainReport>,
    /// The group, stability and drop-out tests in words, each p-value with its method.
    pub rank_tests: crate::rank_tests::RankTests,
    /// Cooke's classical model in every round with seed questions.
    pub cooke: Option<crate::study_cooke::CookeSection>,
    /// Notices the renderers print at the top (e.g. a missing CJK font).
    pub notices: Vec<String>,
    /// What DELPHISTAR and ACCORD ask that the tool knows, and the checklist of both.
    pub guidelines: Guidelines,
    /// The appendix: each reported round's questionnaire, with what changed since the round
    /// before (empty when the store kept none).
    pub questionnaire: Vec<RoundQuestionnaire>,
}

/// One round's questionnaire in the appendix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundQuestionnaire {
    /// Round.
    pub round: u32,
    /// Every question, in the order the experts met them.
    pub questions: Vec<AppendixQuestion>,
    /// "Changes since round N:", from the second round on.
    pub changes_heading: Option<String>,
    /// What changed, in sentences: the questions new, reworded or replacing an earlier one;
    /// the questions no longer asked; or that nothing changed.
    pub changes: Vec<String>,
}

/// One question of the appendix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppendixQuestion {
    /// Item id.
    pub item: String,
    /// The domain's title, for the grid's questions; none for the others.
    pub domain: Option<String>,
    /// The question as worded.
    pub wording: String,
    /// How it was answered, in words.
    pub answer: Option<String>,
    /// A calibration (seed) question.
    pub seed: bool,
    /// Its change since the round before: new, reworded, replacing an earlier question.
    pub change: Option<String>,
}

/// The study's id, title and description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StudyInfo {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
}

/// Study-wide figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overview {
    /// Responses per round.
    pub response: Vec<ResponseRound>,
    /// The panel by institution and by bloc: counts per round, small groups counted together.
    pub composition: Vec<Composition>,
    /// What the composition tables show and how small groups are counted.
    pub composition_note: String,
    /// Consensus over rounds for every ordinal item.
    pub consensus: Vec<ConsensusOverRounds>,
    /// Kendall's W of every ranking item per round.
    pub rankings: Vec<RankingRound>,
    /// The benefit–risk placement of every domain in the last round with a synthesis.
    pub benefit_risk: Vec<BenefitRiskPoint>,
    /// The round `benefit_risk` is taken from.
    pub benefit_risk_round: Option<u32>,
    /// Placement of every domain in every round.
    pub placements: Vec<PlacementOverRounds>,
    /// Quantile items: the equal-weight pooled distribution per round.
    pub quantiles: Vec<QuantileRow>,
    /// Numeric and probability items outside the domain grid, per round.
    pub numeric: Vec<NumericRow>,
    /// Rating (ordinal) items outside the domain grid, per round, with a criterion's figures.
    pub ratings: Vec<RatingRow>,
    /// How pooled estimates and medians are rounded ([`fmt_to_spread`]), in words.
    pub precision_note: String,
}

/// An item outside the domain grid as the experts read it, in the report's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemText {
    /// Item id.
    pub item: String,
    /// The question.
    pub wording: String,
    /// How it was answered: a scale with its labels, a unit, a probability, ….
    pub answer: Option<String>,
}

/// A rating item outside the domain grid in one round: the same figures as a criterion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatingRow {
    /// The question as the experts read it.
    pub question: ItemText,
    /// Round.
    pub round: u32,
    /// Its figures, verdict and reason.
    pub figures: CriterionRow,
}

/// A numeric item outside the domain grid in one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NumericRow {
    /// Item id.
    pub item: String,
    /// The question as the experts read it.
    pub question: ItemText,
    /// Whether it asked a probability: figures print as percentages, the IQR in points.
    pub probability: bool,
    /// Round.
    pub round: u32,
    /// Valid answers.
    pub n: u64,
    /// Median.
    pub median: Num,
    /// First quartile.
    pub q1: Num,
    /// Third quartile.
    pub q3: Num,
    /// IQR.
    pub iqr: Num,
}

/// The panel split by one attribute, in every reported round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Composition {
    /// The attribute (`institution`, `bloc` in the JSON).
    pub attribute: PanelAttribute,
    /// The attribute in the report's language.
    pub label: String,
    /// Groups of at least the minimum group size in every round they appear in, by name;
    /// then one row counting all smaller groups together (no names); then the total.
    pub rows: Vec<CompositionRow>,
}

/// One group's counts per reported round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompositionRow {
    /// The group's name, or the words for the smaller groups or the total.
    pub group: String,
    /// Which of the three the row is; the renderers set the smaller groups and the total apart.
    pub kind: CompositionRowKind,
    /// Per reported round (same order as [`Report::rounds`]).
    pub counts: Vec<CountCell>,
}

/// What a row of a [`Composition`] counts (`named`, `smaller` or `total` in the JSON, which
/// `report.typ` compares).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CompositionRowKind {
    /// One group large enough to be named.
    Named,
    /// All groups below the minimum group size together, unnamed.
    Smaller,
    /// The whole panel.
    Total,
}

/// Experts asked and answering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountCell {
    /// Asked.
    pub invited: u32,
    /// Answered.
    pub responded: u32,
    /// What the renderers print: `answered / asked`.
    pub text: String,
}

/// One round in the methods: dates and what was fed back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundMethods {
    /// Round.
    pub round: u32,
    /// Opened, `YYYY-MM-DD HH:MM UTC`.
    pub opened: String,
    /// Deadline, same format.
    pub deadline: String,
    /// Closed, same format, or `—`.
    pub closed: String,
    /// What the round's questionnaire showed of the round before, in words.
    pub feedback: String,
}

/// Responses in one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseRound {
    /// Round.
    pub round: u32,
    /// Experts invited, if known.
    pub invited: Option<u64>,
    /// The most answers (valid or "don't know") any item received.
    pub responded: u64,
    /// `responded / invited`.
    pub rate: Num,
}

/// One item's consensus in every round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsensusOverRounds {
    /// Item id.
    pub item: String,
    /// Domain title, for grid items.
    pub domain: Option<String>,
    /// Criterion id, for grid items.
    pub criterion: Option<String>,
    /// An item outside the grid as the experts read it (grid items' wording is in their domain).
    pub question: Option<ItemText>,
    /// Per reported round (same order as [`Report::rounds`]); `None` when not asked.
    pub rounds: Vec<Option<ConsensusCell>>,
}

/// An item's median and verdict in one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsensusCell {
    /// Median.
    pub median: Num,
    /// Verdict.
    pub verdict: VerdictCell,
}

/// Kendall's W of one ranking item in one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankingRound {
    /// Item id.
    pub item: String,
    /// The question as the experts read it.
    pub question: ItemText,
    /// Round.
    pub round: u32,
    /// Valid rankings.
    pub n: u64,
    /// Kendall's W (tie-corrected).
    pub w: Num,
    /// p-value of the χ² test.
    pub p_value: Num,
    /// Mean rank of every object (domain titles where they are domains), best first.
    pub mean_ranks: Vec<NamedNum>,
}

/// A named figure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedNum {
    /// Name.
    pub name: String,
    /// Figure.
    pub value: Num,
}

/// A domain on the benefit–risk chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BenefitRiskPoint {
    /// Marker number on the chart (1-based, domain order).
    pub marker: usize,
    /// Domain id.
    pub domain: String,
    /// Domain title.
    pub title: String,
    /// Benefit median, normalised to 0–1.
    pub benefit: Num,
    /// Benefit quartiles, normalised (the uncertainty bar).
    pub benefit_q1: Num,
    /// Third quartile.
    pub benefit_q3: Num,
    /// Worst risk median, normalised.
    pub risk: Num,
    /// Worst risk quartiles, normalised.
    pub risk_q1: Num,
    /// Third quartile.
    pub risk_q3: Num,
    /// The worst risk's criterion.
    pub worst_risk: Option<String>,
    /// Placement in the report's language.
    pub placement: Option<String>,
    /// The placement itself (`promising`, `needs_safeguards`, `avoid` in the JSON): no shipped
    /// template reads it, but the report folder's `report.json` is there for whoever edits the
    /// template beside the PDF, and a placement is better compared there than its words.
    pub placement_key: Option<Placement>,
    /// Share of experts placing the domain the same way.
    pub agreement: Num,
    /// How sure the panel is, in the report's language.
    pub certainty: String,
    /// How many earlier points sit at the same place (to set this marker's label aside).
    pub stack: usize,
}

/// A domain's placement in every round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlacementOverRounds {
    /// Domain title.
    pub title: String,
    /// Per reported round.
    pub rounds: Vec<Option<String>>,
}

/// A quantile item's pooled distribution in one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantileRow {
    /// Item id.
    pub item: String,
    /// The question as the experts read it.
    pub question: ItemText,
    /// Whether it is a calibration (seed) item.
    pub seed: bool,
    /// Unit.
    pub unit: Option<String>,
    /// Round.
    pub round: u32,
    /// Valid assessments.
    pub n: u64,
    /// Pooled 5 % quantile.
    pub q05: Num,
    /// Pooled median.
    pub q50: Num,
    /// Pooled 95 % quantile.
    pub q95: Num,
}

/// The methods section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Methods {
    /// The consensus definition in words.
    pub consensus_definition: String,
    /// Maximum IQR.
    pub iqr_max: Num,
    /// Minimum agreement (%).
    pub agreement_min_percent: Num,
    /// The quantile method's name.
    pub quantile_method: String,
    /// How "don't know" answers are counted.
    pub dont_know: String,
    /// The stability definition in words.
    pub stability: String,
    /// The stopping rule in words (or that the study defines none).
    pub stopping: String,
    /// Rounds reported.
    pub rounds: Vec<u32>,
    /// Each reported round's dates and feedback.
    pub conducted: Vec<RoundMethods>,
    /// Maximum rounds of the study.
    pub max_rounds: u32,
    /// Minimum group size for group figures.
    pub min_group_size: u32,
    /// Attributes groups are compared by.
    pub group_attributes: Vec<String>,
    /// Krippendorff's alpha (ordinal) per round.
    pub reliability: Vec<NamedNum>,
}

/// One domain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainReport {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Each criterion as the experts read it: its wording and, for a rating, its scale.
    pub questions: Vec<QuestionText>,
    /// Every reported round.
    pub rounds: Vec<DomainRound>,
}

/// A criterion as the experts saw it, in the report's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionText {
    /// Criterion id (the tables' row name).
    pub criterion: String,
    /// The question, the domain's title in place of `{domain}`.
    pub wording: String,
    /// For a rating: each point with its label (`1 = Very low · … · 7 = Very high`).
    pub scale: Option<String>,
}

/// One domain in one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainRound {
    /// Round.
    pub round: u32,
    /// The criteria with figures.
    pub criteria: Vec<CriterionRow>,
    /// Distributions of answers in rounds 1..=this, side by side (ordinal criteria).
    pub distributions: Vec<Distribution>,
    /// Change since the previous round.
    pub stability: Vec<StabilityRow>,
    /// Groups compared, one table per attribute.
    pub groups: Vec<GroupTable>,
    /// The benefit–risk synthesis.
    pub synthesis: Option<SynthesisCell>,
    /// Anonymous rationales grouped by position (empty until the statistics supply them).
    pub rationales: Vec<RationaleGroup>,
}

/// Anonymous rationales of the experts taking one position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RationaleGroup {
    /// Criterion the position is on.
    pub criterion: String,
    /// The position (e.g. a scale label).
    pub position: String,
    /// The rationales, without names, each in the report's language where it can be.
    pub texts: Vec<RationaleText>,
}

/// Where the authors of some rationales rated the criterion they are grouped by, against the
/// panel's median.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Below the median.
    Below,
    /// At the median.
    At,
    /// Above the median.
    Above,
}

impl RationaleGroup {
    /// The rationales of the experts who rated `criterion` on `side` of the panel's `median`,
    /// their position worded in the report's language (`labels`).
    pub fn beside_median(labels: &Labels, criterion: &str, side: Side, median: f64, texts: Vec<RationaleText>) -> Self {
        let words = match side {
            Side::Below => &labels.rationales_below,
            Side::At => &labels.rationales_at,
            Side::Above => &labels.rationales_above,
        };
        let median = fmt_fixed(median, SCALE_DECIMALS);
        Self { criterion: criterion.to_owned(), position: words.replace("{median}", &median), texts }
    }
}

/// One rationale as the report's readers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RationaleText {
    /// The text read first: as written, or its translation into the report's language.
    pub text: String,
    /// The mark beside it: the language it was translated from, or that it is untranslated;
    /// none for a text written in the report's language.
    pub note: Option<String>,
    /// Under a translation: the original as written, after its label.
    pub original: Option<OriginalText>,
    /// How many experts wrote this rationale (identical once case and whitespace are
    /// ignored); at least 1. The report prints `×n` beside it when several did.
    pub count: u32,
}

impl From<&str> for RationaleText {
    /// A rationale written in the report's language: shown as written, unmarked.
    fn from(text: &str) -> Self {
        Self { text: text.to_owned(), note: None, original: None, count: 1 }
    }
}

/// The original of a translated rationale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OriginalText {
    /// "Original (Chinese)".
    pub label: String,
    /// The text as its author wrote it.
    pub text: String,
}

impl RationaleText {
    /// A rationale written in `written_in` (unknown: shown as written, unmarked), with its
    /// translation into the report's language if there is one, for a report in `report_language`.
    pub fn new(text: &str, written_in: Option<&str>, translation: Option<&str>, report_language: &str) -> Self {
        let labels = Labels::for_language(report_language);
        let text = text.to_owned();
        match (written_in, translation) {
            (Some(from), Some(translation)) if from != report_language => {
                let name = labels.language_name(from);
                Self {
                    text: translation.to_owned(),
                    note: Some(labels.translated_from.replace("{language}", name)),
                    original: Some(OriginalText { label: labels.original.replace("{language}", name), text }),
                    count: 1,
                }
            }
            (Some(from), None) if from != report_language => {
                Self { text, note: Some(labels.untranslated.clone()), original: None, count: 1 }
            }
            _ => Self { text, note: None, original: None, count: 1 },
        }
    }

    /// The same rationale, written by `count` experts (at least 1).
    #[must_use]
    pub fn written_by(self, count: u32) -> Self {
        Self { count: count.max(1), ..self }
    }
}

/// A criterion's figures in one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionRow {
    /// Criterion id.
    pub criterion: String,
    /// The question as asked.
    pub question: String,
    /// Which figures the row holds.
    pub kind: CriterionRowKind,
    /// Valid answers.
    pub n: u64,
    /// "Don't know" answers.
    pub dont_know: u64,
    /// Median.
    pub median: Num,
    /// First quartile.
    pub q1: Num,
    /// Third quartile.
    pub q3: Num,
    /// IQR.
    pub iqr: Num,
    /// Percentage in the agree set (ordinal only).
    pub agreement: Num,
    /// Consensus verdict (ordinal only).
    pub verdict: Option<VerdictCell>,
}

/// What a [`CriterionRow`] holds (`ordinal` or `numeric` in the JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CriterionRowKind {
    /// A rating: figures on its scale, agreement and a consensus verdict.
    Ordinal,
    /// A number or a probability: figures only, no agreement and no verdict.
    Numeric,
}

/// An ordinal criterion's answers per scale point in several rounds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    /// Criterion id.
    pub criterion: String,
    /// The rounds shown (columns).
    pub rounds: Vec<u32>,
    /// Valid answers per round.
    pub n: Vec<u64>,
    /// The largest count (for bar lengths).
    pub max_count: u64,
    /// One row per scale point.
    pub points: Vec<PointRow>,
}

/// One scale point's counts per round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PointRow {
    /// The point.
    pub point: i32,
    /// Its label.
    pub label: String,
    /// Whether it is in the agree set.
    pub agree: bool,
    /// Counts per round (matching [`Distribution::rounds`]).
    pub counts: Vec<u64>,
}

/// Change of one criterion since the previous round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StabilityRow {
    /// Criterion id.
    pub criterion: String,
    /// Earlier round.
    pub from_round: u32,
    /// Experts answering in both rounds.
    pub pairs: u64,
    /// Of those, how many changed.
    pub moved: u64,
    /// Percentage moved.
    pub moved_percent: Num,
    /// Change of the IQR.
    pub iqr_change: Num,
    /// Stability verdict.
    pub verdict: VerdictCell,
}

/// Groups of one attribute compared on every criterion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupTable {
    /// The attribute (`bloc`, `institution`, …).
    pub attribute: String,
    /// Group names (columns).
    pub groups: Vec<String>,
    /// One row per criterion.
    pub rows: Vec<GroupRow>,
    /// Minimum group size in force.
    pub min_group_size: u64,
    /// Groups suppressed in every row: left out, so that their names appear nowhere.
    pub hidden: usize,
    /// What the cells show and what was suppressed or left out, in the report's language.
    pub note: String,
}

/// One criterion across groups.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupRow {
    /// Criterion id.
    pub criterion: String,
    /// Per group (matching [`GroupTable::groups`]).
    pub cells: Vec<GroupCell>,
    /// Groups suppressed.
    pub suppressed: usize,
    /// Consensus overall and in every shown group.
    pub cross_group: VerdictCell,
}

/// A group's figures, or the mark that it was suppressed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupCell {
    /// Too small to show.
    pub suppressed: bool,
    /// Valid answers (0 when suppressed).
    pub n: u64,
    /// Median.
    pub median: Num,
    /// IQR.
    pub iqr: Num,
}

/// The benefit–risk synthesis of one domain in one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SynthesisCell {
    /// Benefit median.
    pub benefit: Num,
    /// Normalised to 0–1.
    pub benefit_normalised: Num,
    /// Each risk: median and normalised.
    pub risks: Vec<RiskFigure>,
    /// The worst risk's criterion.
    pub worst_risk: Option<String>,
    /// Placement in the report's language.
    pub placement: Option<String>,
    /// Why.
    pub reason: String,
    /// Experts placed individually.
    pub experts_placed: u64,
    /// Share placing the domain the same way as the panel (%).
    pub placement_agreement: Num,
    /// How sure the panel is.
    pub certainty: String,
}

/// A risk criterion in the synthesis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskFigure {
    /// Criterion id.
    pub criterion: String,
    /// Median.
    pub median: Num,
    /// Normalised.
    pub normalised: Num,
}

struct Ctx<'a> {
    study: &'a Study,
    summary: &'a StudySummary,
    conduct: &'a Conduct,
    lang: &'a Language,
    labels: Labels,
    items: BTreeMap<(&'a str, u32), &'a ItemRound>,
}

impl Ctx<'_> {
    fn text<'s>(&self, t: &'s delphi_core::study::Localised) -> &'s str {
        t.get(self.lang, self.study.default_language())
    }
    fn item(&self, id: &str, round: u32) -> Option<&ItemRound> {
        self.items.get(&(id, round)).copied()
    }
    fn domain_title(&self, id: &str) -> Option<String> {
        self.study.domains.iter().find(|d| d.id.as_str() == id).map(|d| self.text(&d.title).to_owned())
    }
    fn placement(&self, s: &DomainSynthesis) -> Option<String> {
        s.placement.map(|p| self.labels.placement(p).to_owned())
    }
    fn certainty(&self, c: Certainty) -> String {
        self.labels.certainty(c).to_owned()
    }
}

/// Builds the report in `language` (one of the study's languages; others fall back to the
/// default), from the study, the statistics of the reported rounds and how they were run.
///
/// Fails when the summary covers no round, or when it does not belong to the study (an
/// item of the summary is not a question of the study).
pub fn build(
    study: &Study,
    summary: &StudySummary,
    conduct: &Conduct,
    language: &Language,
) -> Result<Report, ReportError> {
    if summary.rounds.is_empty() {
        return Err(ReportError::NoRounds);
    }
    let questions = study.questions();
    for it in &summary.items {
        if !questions.iter().any(|q| q.id.as_str() == it.item.as_str()) {
            return Err(ReportError::UnknownItem(it.item.as_str().to_owned()));
        }
    }
    let ctx = Ctx {
        study,
        summary,
        conduct,
        lang: language,
        labels: Labels::for_language(language.as_str()),
        items: summary.items.iter().map(|i| ((i.item.as_str(), i.round), i)).collect(),
    };
    let domains = study.domains.iter().map(|d| domain_report(&ctx, &d.id)).collect();
    let (overview, methods) = (overview(&ctx), methods(&ctx));
    let guidelines = guidelines::build(&guidelines::Sources {
        study,
        summary,
        conduct,
        language,
        labels: &ctx.labels,
        overview: &overview,
        methods: &methods,
    });
    let findings = crate::findings::findings(&crate::findings::Sources {
        study,
        summary,
        language,
        labels: &ctx.labels,
        response: &overview.response,
        methods: &methods,
    });
    Ok(Report {
        findings,
        format: FORMAT.into(),
        language: language.as_str().to_owned(),
        study: StudyInfo {
            id: study.id.as_str().to_owned(),
            title: ctx.text(&study.title).to_owned(),
            description: ctx.text(&study.description).to_owned(),
        },
        rounds: summary.rounds.clone(),
        overview,
        methods,
        domains,
        rank_tests: crate::rank_tests::rank_tests(study, summary, language),
        cooke: crate::study_cooke::section(study, &summary.cooke, language),
        guidelines,
        notices: conduct
            .rules_changed
            .iter()
            .map(|c| {
                ctx.labels
                    .rule_changed
                    .replace("{setting}", &c.setting)
                    .replace("{round}", &c.round.to_string())
                    .replace("{before}", &c.before)
                    .replace("{after}", &c.after)
            })
            .collect(),
        questionnaire: questionnaire_appendix(&ctx.labels, language.as_str(), &summary.rounds, &conduct.questionnaires),
        labels: ctx.labels,
    })
}

/// The appendix: the questionnaire of every reported round in `language` (or the first
/// language it was frozen in), each question marked when new, reworded or replacing an
/// earlier one, and the questions no longer asked, compared with the round before.
fn questionnaire_appendix(
    labels: &Labels,
    language: &str,
    rounds: &[u32],
    frozen: &[FrozenQuestions],
) -> Vec<RoundQuestionnaire> {
    let questions_of = |round: u32| {
        frozen
            .iter()
            .find(|f| f.round == round)
            .and_then(|f| f.by_language.get(language).or_else(|| f.by_language.values().next()))
    };
    rounds
        .iter()
        .filter_map(|&round| {
            let asked = questions_of(round)?;
            let before = round.checked_sub(1).filter(|&r| r > 0 && rounds.contains(&r)).and_then(questions_of);
            let change = |q: &AskedQuestion| {
                let before = before?;
                match before.iter().find(|b| b.item == q.item) {
                    Some(b) if b.wording != q.wording || b.answer != q.answer => Some(labels.change_reworded.clone()),
                    Some(_) => None,
                    None => Some(match &q.continues {
                        Some(earlier) => labels.change_continues.replace("{item}", earlier),
                        None => labels.change_new.clone(),
                    }),
                }
            };
            let questions: Vec<AppendixQuestion> = asked
                .iter()
                .map(|q| AppendixQuestion {
                    item: q.item.clone(),
                    domain: q.domain.clone(),
                    wording: q.wording.clone(),
                    answer: q.answer.words(labels),
                    seed: q.seed,
                    change: change(q),
                })
                .collect();
            let changes = before.map(|before| {
                let dropped: Vec<&str> = before
                    .iter()
                    .filter(|b| !asked.iter().any(|q| q.item == b.item))
                    .map(|b| b.item.as_str())
                    .collect();
                let mut changes = Vec::new();
                let marked: Vec<String> = questions
                    .iter()
                    .filter_map(|q| {
                        let change = q.change.as_deref()?;
                        Some(labels.change_item.replace("{item}", &q.item).replace("{change}", change))
                    })
                    .collect();
                if !marked.is_empty() {
                    changes.push(labels.change_list.replace("{list}", &marked.join(labels.list_separator.as_str())));
                }
                if !dropped.is_empty() {
                    changes.push(labels.change_dropped.replace("{items}", &dropped.join(", ")));
                }
                if dropped.is_empty() && questions.iter().all(|q| q.change.is_none()) {
                    changes.push(labels.change_none.clone());
                }
                changes
            });
            Some(RoundQuestionnaire {
                round,
                questions,
                changes_heading: before.map(|_| labels.changes_since.replace("{round}", &(round - 1).to_string())),
                changes: changes.unwrap_or_default(),
            })
        })
        .collect()
}

fn overview(ctx: &Ctx<'_>) -> Overview {
    let s = ctx.summary;
    let response = s.rounds.iter().map(|&r| response_round(s, r)).collect();

    let questions = ctx.study.questions();
    // A question not asked in a round (not yet, or dropped) has no row for it: the summary
    // may list it there without answers.
    let asked: BTreeMap<u32, Vec<ItemId>> =
        s.rounds.iter().map(|&r| (r, ctx.study.questions_in_round(r).into_iter().map(|q| q.id).collect())).collect();
    let mut consensus = Vec::new();
    let mut rankings = Vec::new();
    let mut quantiles = Vec::new();
    let mut numeric = Vec::new();
    let mut ratings = Vec::new();
    for q in &questions {
        let id = q.id.as_str();
        let question = (q.domain.is_none()).then(|| item_text(ctx, q));
        consensus.extend(consensus_over_rounds(ctx, q, question.as_ref()));
        for &r in &s.rounds {
            let Some(question) = question.clone() else { continue };
            if !asked.get(&r).is_some_and(|ids| ids.contains(&q.id)) {
                continue;
            }
            match ctx.item(id, r).map(|i| &i.result) {
                Some(ItemResult::Ordinal(o)) => {
                    ratings.push(RatingRow { figures: ordinal_row(ctx, id, &question.wording, o), question, round: r });
                }
                Some(ItemResult::Ranking(k)) => rankings.push(ranking_round(ctx, id, question, r, k)),
                Some(ItemResult::Quantile(p)) => quantiles.push(quantile_row(ctx, q, question, r, p)),
                Some(ItemResult::Numeric(x)) => numeric.push(numeric_row(ctx, q, question, r, x)),
                None => {}
            }
        }
    }

    let benefit_risk_round = s.synthesis.iter().map(|x| x.round).max();
    let benefit_risk = benefit_risk_round.map_or_else(Vec::new, |r| benefit_risk(ctx, r));
    let composition = [PanelAttribute::Institution, PanelAttribute::Bloc]
        .into_iter()
        .map(|a| composition(ctx, a))
        // without counts (no panel recorded) there is only the total row, of zeros
        .filter(|c| c.rows.len() > 1)
        .collect();
    Overview {
        response,
        composition,
        composition_note: ctx
            .labels
            .composition_note
            .of(ctx.study.subgroups.min_group_size)
            .replace("{n}", &ctx.study.subgroups.min_group_size.to_string()),
        consensus,
        rankings,
        benefit_risk,
        benefit_risk_round,
        placements: placements_over_rounds(ctx),
        quantiles,
        numeric,
        ratings,
        precision_note: ctx.labels.precision_note.clone(),
    }
}

/// Who was invited to round `r` and how many answered: the most answers (don't-knows
/// included) any item of the round had.
fn response_round(s: &StudySummary, r: u32) -> ResponseRound {
    let mut invited = None;
    let mut responded = 0;
    for it in s.items.iter().filter(|i| i.round == r) {
        let (n, dk, inv) = match &it.result {
            ItemResult::Ordinal(o) => (o.n, o.dont_know, o.invited),
            ItemResult::Numeric(o) => (o.n, o.dont_know, o.invited),
            ItemResult::Quantile(q) => (q.n, q.dont_know, None),
            ItemResult::Ranking(k) => (k.n, k.dont_know, None),
        };
        responded = responded.max(n + dk);
        invited = invited.or(inv);
    }
    let rate = match invited {
        Some(i) if i > 0 => Num::percentage(Figure::new(100.0 * responded as f64 / i as f64)),
        _ => Num::missing(),
    };
    ResponseRound { round: r, invited, responded, rate }
}

/// An ordinal item's median and verdict in every round, if it was rated in any.
fn consensus_over_rounds(
    ctx: &Ctx<'_>,
    q: &delphi_core::study::Question,
    question: Option<&ItemText>,
) -> Option<ConsensusOverRounds> {
    let id = q.id.as_str();
    let cells: Vec<Option<ConsensusCell>> = ctx
        .summary
        .rounds
        .iter()
        .map(|&r| match ctx.item(id, r).map(|i| &i.result) {
            Some(ItemResult::Ordinal(o)) => Some(ConsensusCell {
                median: Num::scale(o.median),
                verdict: VerdictCell::of(&o.consensus, &ctx.labels),
            }),
            Some(ItemResult::Numeric(_) | ItemResult::Quantile(_) | ItemResult::Ranking(_)) | None => None,
        })
        .collect();
    cells.iter().any(Option::is_some).then(|| ConsensusOverRounds {
        item: id.to_owned(),
        domain: q.domain.as_ref().and_then(|d| ctx.domain_title(d.as_str())),
        criterion: q.criterion.as_ref().map(|c| c.as_str().to_owned()),
        question: question.cloned(),
        rounds: cells,
    })
}

/// A ranking item in one round: Kendall's W and the mean ranks, best first.
fn ranking_round(
    ctx: &Ctx<'_>,
    id: &str,
    question: ItemText,
    r: u32,
    k: &delphi_stats::summarise::RankingSummary,
) -> RankingRound {
    let mut mean_ranks: Vec<NamedNum> = k
        .kendall
        .mean_ranks
        .iter()
        .map(|(name, v)| NamedNum {
            name: ctx.domain_title(name).unwrap_or_else(|| name.clone()),
            value: Num::of(*v, 2),
        })
        .collect();
    mean_ranks.sort_by(|a, b| {
        let (x, y) = (a.value.value.unwrap_or(f64::MAX), b.value.value.unwrap_or(f64::MAX));
        x.total_cmp(&y)
    });
    RankingRound {
        item: id.to_owned(),
        question,
        round: r,
        n: k.n,
        w: Num::coefficient(k.kendall.w),
        p_value: Num::p_value(k.kendall.p_value),
        mean_ranks,
    }
}

/// A quantile item in one round: the pooled 5, 50 and 95 % quantiles.
fn quantile_row(
    ctx: &Ctx<'_>,
    q: &delphi_core::study::Question,
    question: ItemText,
    r: u32,
    p: &delphi_stats::summarise::QuantileSummary,
) -> QuantileRow {
    let unit = match &q.response {
        ResponseKind::Quantile { unit, .. } => unit.as_ref().map(|u| ctx.text(u).to_owned()),
        ResponseKind::Ordinal { .. }
        | ResponseKind::Numeric { .. }
        | ResponseKind::Probability
        | ResponseKind::RankingOfDomains { .. }
        | ResponseKind::Text => None,
    };
    // One place for the row: that of the pooled 5–95 % range.
    let range = p.pool.q95.value().zip(p.pool.q05.value()).map(|(hi, lo)| hi - lo);
    QuantileRow {
        item: q.id.as_str().to_owned(),
        question,
        seed: q.is_seed,
        unit,
        round: r,
        n: p.n,
        q05: Num::to_spread(p.pool.q05, range),
        q50: Num::to_spread(p.pool.q50, range),
        q95: Num::to_spread(p.pool.q95, range),
    }
}

/// A numeric or probability item in one round: its median and quartiles.
fn numeric_row(
    ctx: &Ctx<'_>,
    q: &delphi_core::study::Question,
    question: ItemText,
    r: u32,
    x: &delphi_stats::item::NumericSummary,
) -> NumericRow {
    let probability = q.response == ResponseKind::Probability;
    let f = numeric_figures(ctx, probability, x);
    NumericRow {
        item: q.id.as_str().to_owned(),
        question,
        probability,
        round: r,
        n: x.n,
        median: f.median,
        q1: f.q1,
        q3: f.q3,
        iqr: f.iqr,
    }
}

/// Every domain's benefit–risk point in round `r`, numbered in the study's order; points
/// that fall on one place are stacked.
fn benefit_risk(ctx: &Ctx<'_>, r: u32) -> Vec<BenefitRiskPoint> {
    let s = ctx.summary;
    let mut benefit_risk = ctx
        .study
        .domains
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let syn = s.synthesis.iter().find(|x| x.round == r && x.domain == d.id.as_str())?;
            Some(benefit_risk_point(ctx, i + 1, &d.id, syn))
        })
        .collect::<Vec<BenefitRiskPoint>>();
    let at = |p: &BenefitRiskPoint| (p.benefit.value, p.risk.value);
    let stacks: Vec<usize> = (0..benefit_risk.len())
        .map(|i| benefit_risk[..i].iter().filter(|p| at(p) == at(&benefit_risk[i])).count())
        .collect();
    for (p, k) in benefit_risk.iter_mut().zip(stacks) {
        p.stack = k;
    }
    benefit_risk
}

/// Every domain's placement in every round.
fn placements_over_rounds(ctx: &Ctx<'_>) -> Vec<PlacementOverRounds> {
    let s = ctx.summary;
    ctx.study
        .domains
        .iter()
        .map(|d| PlacementOverRounds {
            title: ctx.text(&d.title).to_owned(),
            rounds: s
                .rounds
                .iter()
                .map(|&r| {
                    s.synthesis
                        .iter()
                        .find(|x| x.round == r && x.domain == d.id.as_str())
                        .and_then(|x| ctx.placement(x))
                })
                .collect(),
        })
        .collect()
}

/// An item outside the grid (an extra or a seed question) as the experts read it.
fn item_text(ctx: &Ctx<'_>, q: &delphi_core::study::Question) -> ItemText {
    let prompt = ctx
        .study
        .items
        .iter()
        .find(|i| i.id == q.id)
        .map(|i| &i.prompt)
        .or_else(|| ctx.study.seeds.iter().find(|i| i.id == q.id).map(|i| &i.prompt));
    ItemText {
        item: q.id.as_str().to_owned(),
        wording: prompt.map(|p| ctx.text(p).to_owned()).unwrap_or_default(),
        answer: AnswerForm::of(ctx, &q.response).words(&ctx.labels),
    }
}

/// A numeric item's median, quartiles and IQR, rounded to the place its IQR allows
/// ([`fmt_to_spread`]); a probability's as percentages, its IQR in percentage points.
struct NumericFigures {
    median: Num,
    q1: Num,
    q3: Num,
    iqr: Num,
}

fn numeric_figures(ctx: &Ctx<'_>, probability: bool, x: &delphi_stats::item::NumericSummary) -> NumericFigures {
    let spread = x.iqr.value();
    if probability {
        NumericFigures {
            median: Num::percent(x.median, spread),
            q1: Num::percent(x.q1, spread),
            q3: Num::percent(x.q3, spread),
            iqr: Num::percentage_points(x.iqr, &ctx.labels.percentage_points),
        }
    } else {
        NumericFigures {
            median: Num::to_spread(x.median, spread),
            q1: Num::to_spread(x.q1, spread),
            q3: Num::to_spread(x.q3, spread),
            iqr: Num::to_spread(x.iqr, spread),
        }
    }
}

/// A rating's figures, verdict and its reason: a criterion's row, or an extra rating item's.
fn ordinal_row(ctx: &Ctx<'_>, id: &str, question: &str, o: &delphi_stats::item::OrdinalSummary) -> CriterionRow {
    CriterionRow {
        criterion: id.to_owned(),
        question: question.to_owned(),
        kind: CriterionRowKind::Ordinal,
        n: o.n,
        dont_know: o.dont_know,
        median: Num::scale(o.median),
        q1: Num::scale(o.q1),
        q3: Num::scale(o.q3),
        iqr: Num::scale(o.iqr),
        agreement: Num::percentage(o.agreement_percent),
        verdict: Some(VerdictCell::of(&o.consensus, &ctx.labels)),
    }
}

/// How a question is answered, with every text in the report's language: from the study
/// (the overview) or from a frozen questionnaire (the appendix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerForm {
    /// A rating on a scale: each point with its label.
    Scale {
        /// `(point, label)` from the lowest point up.
        points: Vec<(i32, String)>,
    },
    /// A number, in `unit` if there is one.
    Number {
        /// Unit.
        unit: Option<String>,
    },
    /// Quantiles of an uncertain quantity.
    Quantiles {
        /// The levels asked, as `5/50/95 %`.
        levels: String,
        /// Unit.
        unit: Option<String>,
    },
    /// A probability, entered as a percentage.
    Probability,
    /// A ranking of the areas.
    Ranking,
    /// Free text.
    Text,
}

impl AnswerForm {
    fn of(ctx: &Ctx<'_>, response: &ResponseKind) -> Self {
        let unit = |u: &Option<delphi_core::study::Localised>| u.as_ref().map(|u| ctx.text(u).to_owned());
        match response {
            ResponseKind::Ordinal { scale } => Self::Scale {
                points: ctx
                    .study
                    .scale(scale)
                    .map(|s| {
                        s.points().zip(s.labels.get(ctx.lang, ctx.study.default_language()).iter().cloned()).collect()
                    })
                    .unwrap_or_default(),
            },
            ResponseKind::Numeric { unit: u, .. } => Self::Number { unit: unit(u) },
            ResponseKind::Quantile { unit: u, quantiles, .. } => {
                Self::Quantiles { levels: quantiles.to_string(), unit: unit(u) }
            }
            ResponseKind::Probability => Self::Probability,
            ResponseKind::RankingOfDomains { .. } => Self::Ranking,
            ResponseKind::Text => Self::Text,
        }
    }

    /// The form in words: `1 = Very low · 2 = Low · …`, `quantiles 5/50/95 %, in years`.
    pub fn words(&self, labels: &Labels) -> Option<String> {
        let in_unit = |text: String, unit: &Option<String>| match unit {
            Some(u) => labels.answer_in_unit.replace("{answer}", &text).replace("{unit}", u),
            None => text,
        };
        Some(match self {
            Self::Scale { points } => {
                points.iter().map(|(point, label)| format!("{point} = {label}")).collect::<Vec<_>>().join(" · ")
            }
            Self::Number { unit } => in_unit(labels.answer_number.clone(), unit),
            Self::Quantiles { levels, unit } => in_unit(labels.answer_quantiles.replace("{levels}", levels), unit),
            Self::Probability => labels.answer_probability.clone(),
            Self::Ranking => labels.answer_ranking.clone(),
            Self::Text => labels.answer_text.clone(),
        })
    }
}

/// The panel by `attribute`: a group is named only if it has at least the minimum group size
/// in every reported round it appears in; the others are counted together, unnamed, so that
/// an institution with one or two experts on the panel does not point at them.
fn composition(ctx: &Ctx<'_>, attribute: PanelAttribute) -> Composition {
    let l = &ctx.labels;
    let rounds = &ctx.summary.rounds;
    let min = ctx.study.subgroups.min_group_size;
    let counts: Vec<&PanelCount> =
        ctx.conduct.panel.iter().filter(|c| c.attribute == attribute && rounds.contains(&c.round)).collect();
    let mut groups: Vec<&str> = counts.iter().map(|c| c.group.as_str()).collect();
    groups.sort_unstable();
    groups.dedup();
    let (named, smaller): (Vec<&str>, Vec<&str>) =
        groups.into_iter().partition(|g| counts.iter().filter(|c| c.group == *g).all(|c| c.invited >= min));
    let cells = |members: &[&str]| -> Vec<CountCell> {
        rounds
            .iter()
            .map(|&r| {
                let (invited, responded) = counts
                    .iter()
                    .filter(|c| c.round == r && members.contains(&c.group.as_str()))
                    .fold((0, 0), |(i, a), c| (i + c.invited, a + c.responded));
                CountCell { invited, responded, text: format!("{responded} / {invited}") }
            })
            .collect()
    };
    let mut rows: Vec<CompositionRow> = named
        .iter()
        .map(|g| CompositionRow { group: (*g).to_owned(), kind: CompositionRowKind::Named, counts: cells(&[g]) })
        .collect();
    if !smaller.is_empty() {
        rows.push(CompositionRow {
            group: l
                .smaller_groups
                .of(smaller.len() as u64)
                .replace("{k}", &smaller.len().to_string())
                .replace("{n}", &min.to_string()),
            kind: CompositionRowKind::Smaller,
            counts: cells(&smaller),
        });
    }
    let all: Vec<&str> = named.iter().chain(&smaller).copied().collect();
    rows.push(CompositionRow { group: l.total.clone(), kind: CompositionRowKind::Total, counts: cells(&all) });
    Composition {
        attribute,
        label: match attribute {
            PanelAttribute::Institution => l.institution.clone(),
            PanelAttribute::Bloc => l.bloc.clone(),
            other => other.name().to_owned(),
        },
        rows,
    }
}

/// A timestamp as the methods print it, the same in every language.
fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// What a round fed back, in words, from the counts of its frozen questionnaire, and how
/// the experts' earlier answers were carried into its form.
fn feedback_words(labels: &Labels, f: &FeedbackGiven) -> String {
    let fed_back = what_was_fed_back(labels, f);
    match f.carry_over {
        Some(CarryOver::Confirm) => format!("{fed_back} {}", labels.carried_over_confirm),
        Some(CarryOver::Reconfirm) => format!("{fed_back} {}", labels.carried_over_reconfirm),
        None => fed_back,
    }
}

fn what_was_fed_back(labels: &Labels, f: &FeedbackGiven) -> String {
    let Some(from) = f.from_round else { return labels.feedback_first_round.clone() };
    if f.items_with_feedback == 0 {
        return labels.feedback_nothing.replace("{round}", &from.to_string());
    }
    let part = |what: &str, n: u32| {
        labels
            .feedback_part
            .replace("{what}", what)
            .replace("{items}", &labels.feedback_items.of(n).replace("{n}", &n.to_string()))
    };
    let mut parts = Vec::new();
    if f.distributions > 0 {
        parts.push(part(&labels.feedback_distribution, f.distributions));
    }
    if f.medians > 0 && f.medians == f.quartiles {
        parts.push(part(&labels.feedback_median_quartiles, f.medians));
    } else {
        if f.medians > 0 {
            parts.push(part(&labels.feedback_median, f.medians));
        }
        if f.quartiles > 0 {
            parts.push(part(&labels.feedback_quartiles, f.quartiles));
        }
    }
    if f.own_answers > 0 {
        parts.push(part(&labels.feedback_own_answer, f.own_answers));
    }
    parts.push(labels.feedback_rationales.of(f.rationales).replace("{n}", &f.rationales.to_string()));
    labels
        .feedback_from
        .of(f.items_asked)
        .replace("{round}", &from.to_string())
        .replace("{with}", &f.items_with_feedback.to_string())
        .replace("{asked}", &f.items_asked.to_string())
        .replace("{parts}", &parts.join(labels.list_separator.as_str()))
}

/// The normalised quartiles of a domain criterion's answers.
fn normalised_quartiles(ctx: &Ctx<'_>, domain: &DomainId, criterion: &str, round: u32) -> (Num, Num) {
    let Some(c) = ctx.study.criteria.iter().find(|c| c.id.as_str() == criterion) else {
        return (Num::missing(), Num::missing());
    };
    let id = ItemId::for_domain_criterion(domain, &c.id);
    let (Some(ItemResult::Ordinal(o)), ResponseKind::Ordinal { scale }) =
        (ctx.item(id.as_str(), round).map(|i| &i.result), &c.response)
    else {
        return (Num::missing(), Num::missing());
    };
    let Some(sc) = ctx.study.scale(scale) else { return (Num::missing(), Num::missing()) };
    let (lo, hi) = (f64::from(sc.min), f64::from(sc.max));
    let norm = |f: Figure| Num::of(f.map(|x| (x - lo) / (hi - lo)), 3);
    (norm(o.q1), norm(o.q3))
}

fn benefit_risk_point(ctx: &Ctx<'_>, marker: usize, domain: &DomainId, s: &DomainSynthesis) -> BenefitRiskPoint {
    let (bq1, bq3) = normalised_quartiles(ctx, domain, &s.benefit.criterion, s.round);
    let worst = s.worst_risk.as_deref().and_then(|w| s.risks.iter().find(|r| r.criterion == w));
    let (rq1, rq3) = s
        .worst_risk
        .as_deref()
        .map_or((Num::missing(), Num::missing()), |w| normalised_quartiles(ctx, domain, w, s.round));
    BenefitRiskPoint {
        marker,
        domain: s.domain.clone(),
        title: ctx.domain_title(&s.domain).unwrap_or_else(|| s.domain.clone()),
        benefit: Num::of(s.benefit.normalised, 3),
        benefit_q1: bq1,
        benefit_q3: bq3,
        risk: worst.map_or_else(Num::missing, |w| Num::of(w.normalised, 3)),
        risk_q1: rq1,
        risk_q3: rq3,
        worst_risk: s.worst_risk.clone(),
        placement: ctx.placement(s),
        placement_key: s.placement,
        agreement: Num::percentage(s.placement_agreement.map(|x| 100.0 * x)),
        certainty: ctx.certainty(s.certainty),
        stack: 0,
    }
}

fn methods(ctx: &Ctx<'_>) -> Methods {
    let rule = &ctx.summary.rule;
    let l = &ctx.labels;
    let iqr = fmt_number(rule.iqr_max, 2);
    let agr = fmt_number(rule.agreement_min_percent, 1);
    let stab = fmt_number(rule.stability_max_change_percent, 1);
    let stop = match ctx.study.stopping.stop_when {
        StopWhen::MaxRounds => &l.stop_max_rounds,
        StopWhen::Consensus => &l.stop_consensus,
        StopWhen::Stable => &l.stop_stable,
        StopWhen::ConsensusOrStable => &l.stop_consensus_or_stable,
    };
    Methods {
        consensus_definition: match rule.position {
            ConsensusPosition::AgreeSet => &l.consensus_definition,
            ConsensusPosition::MedianBox => &l.consensus_definition_median_box,
        }
        .of(rule.min_answers)
        .replace("{iqr}", &iqr)
        .replace("{agreement}", &agr)
        .replace("{min}", &rule.min_answers.to_string()),
        iqr_max: Num::setting(rule.iqr_max, SCALE_DECIMALS),
        agreement_min_percent: Num::setting(rule.agreement_min_percent, PERCENT_DECIMALS),
        quantile_method: ctx.summary.quantile_method_name.to_owned(),
        dont_know: match rule.dont_know {
            DontKnowPolicy::Exclude => l.dont_know_exclude.clone(),
            DontKnowPolicy::Count => l.dont_know_count.clone(),
        },
        stability: l.stability_definition.replace("{change}", &stab),
        stopping: if ctx.conduct.stopping_rule_stated {
            format!(
                "{} {}",
                l.stop_min_rounds
                    .of(ctx.study.stopping.min_rounds)
                    .replace("{n}", &ctx.study.stopping.min_rounds.to_string()),
                stop
            )
        } else {
            l.stop_none.of(ctx.study.max_rounds).replace("{max}", &ctx.study.max_rounds.to_string())
        },
        rounds: ctx.summary.rounds.clone(),
        conducted: ctx
            .summary
            .rounds
            .iter()
            .map(|&r| match ctx.conduct.rounds.iter().find(|c| c.round == r) {
                Some(c) => RoundMethods {
                    round: r,
                    opened: when(c.opened_at),
                    deadline: when(c.deadline),
                    closed: c.closed_at.map_or_else(|| "—".to_owned(), when),
                    feedback: feedback_words(l, &c.feedback),
                },
                None => RoundMethods {
                    round: r,
                    opened: "—".into(),
                    deadline: "—".into(),
                    closed: "—".into(),
                    feedback: l.not_recorded.clone(),
                },
            })
            .collect(),
        max_rounds: ctx.study.max_rounds,
        min_group_size: ctx.study.subgroups.min_group_size,
        group_attributes: ctx.study.subgroups.attributes.iter().map(|a| a.name().to_owned()).collect(),
        reliability: ctx
            .summary
            .reliability
            .iter()
            .flat_map(|r| {
                // Items on several scales: one alpha per scale (the pooled one is undefined).
                let per_scale = r.by_scale.iter().filter(|_| r.by_scale.len() > 1).map(|s| NamedNum {
                    name: format!("{} {}, {}–{}", l.round, r.round, s.min, s.max),
                    value: Num::coefficient(s.alpha.ordinal),
                });
                let pooled = (r.by_scale.len() <= 1).then(|| NamedNum {
                    name: format!("{} {}", l.round, r.round),
                    value: Num::coefficient(r.alpha.ordinal),
                });
                pooled.into_iter().chain(per_scale).collect::<Vec<_>>()
            })
            .collect(),
    }
}

fn domain_report(ctx: &Ctx<'_>, domain: &DomainId) -> DomainReport {
    let d = ctx.study.domains.iter().find(|d| &d.id == domain).expect("domain of the study");
    let rounds = ctx.summary.rounds.iter().map(|&r| domain_round(ctx, domain, r)).collect();
    DomainReport {
        id: domain.as_str().to_owned(),
        title: ctx.text(&d.title).to_owned(),
        description: ctx.text(&d.description).to_owned(),
        questions: ctx
            .study
            .criteria
            .iter()
            .map(|c| QuestionText {
                criterion: c.id.as_str().to_owned(),
                wording: ctx.text(&c.prompt).replace("{domain}", ctx.text(&d.title)),
                scale: match &c.response {
                    ResponseKind::Ordinal { .. } => AnswerForm::of(ctx, &c.response).words(&ctx.labels),
                    ResponseKind::Numeric { .. }
                    | ResponseKind::Quantile { .. }
                    | ResponseKind::Probability
                    | ResponseKind::RankingOfDomains { .. }
                    | ResponseKind::Text => None,
                },
            })
            .collect(),
        rounds,
    }
}

fn domain_round(ctx: &Ctx<'_>, domain: &DomainId, round: u32) -> DomainRound {
    let s = ctx.summary;
    let title = ctx.domain_title(domain.as_str()).unwrap_or_default();
    let mut criteria = Vec::new();
    let mut distributions = Vec::new();
    let mut stability = Vec::new();
    let mut group_tables: Vec<GroupTable> = Vec::new();
    let earlier: Vec<u32> = s.rounds.iter().copied().filter(|&r| r <= round).collect();
    for c in &ctx.study.criteria {
        let id = ItemId::for_domain_criterion(domain, &c.id);
        let Some(it) = ctx.item(id.as_str(), round) else { continue };
        let question = ctx.text(&c.prompt).replace("{domain}", &title);
        let cid = c.id.as_str().to_owned();
        match &it.result {
            ItemResult::Ordinal(o) => {
                criteria.push(ordinal_row(ctx, &cid, &question, o));
                let scale = match &c.response {
                    ResponseKind::Ordinal { scale } => ctx.study.scale(scale),
                    ResponseKind::Numeric { .. }
                    | ResponseKind::Quantile { .. }
                    | ResponseKind::Probability
                    | ResponseKind::RankingOfDomains { .. }
                    | ResponseKind::Text => None,
                };
                if let Some(sc) = scale {
                    distributions.push(distribution(ctx, &id, &cid, sc, &earlier));
                }
            }
            ItemResult::Numeric(o) => criteria.push(numeric_criterion_row(ctx, c, &cid, question, o)),
            ItemResult::Quantile(_) | ItemResult::Ranking(_) => {}
        }
        stability.extend(
            s.stability
                .iter()
                .filter(|x| x.item.as_str() == id.as_str() && x.to_round == round)
                .map(|st| stability_row(ctx, &cid, st)),
        );
        for g in s.groups.iter().filter(|x| x.item.as_str() == id.as_str() && x.round == round) {
            add_group_row(&mut group_tables, g, &cid, ctx);
        }
    }
    // Rows of a table must line up with its columns: cells are filled by group name.
    for t in &mut group_tables {
        t.groups.sort();
    }
    let group_tables = align_groups(ctx, domain, round, group_tables);
    let synthesis =
        s.synthesis.iter().find(|x| x.round == round && x.domain == domain.as_str()).map(|x| synthesis_cell(ctx, x));
    DomainRound { round, criteria, distributions, stability, groups: group_tables, synthesis, rationales: Vec::new() }
}

/// How the answers to a rated criterion spread over the points of its scale, in every round
/// of `earlier` it was rated in.
fn distribution(
    ctx: &Ctx<'_>,
    id: &ItemId,
    cid: &str,
    sc: &delphi_core::study::Scale,
    earlier: &[u32],
) -> Distribution {
    let labels = sc.labels.get(ctx.lang, ctx.study.default_language());
    let (alo, ahi) = sc.agree_range();
    let per_round: Vec<(u32, Vec<u64>, u64)> = earlier
        .iter()
        .filter_map(|&r| match ctx.item(id.as_str(), r).map(|i| &i.result) {
            Some(ItemResult::Ordinal(o)) => Some((r, o.counts.clone(), o.n)),
            Some(ItemResult::Numeric(_) | ItemResult::Quantile(_) | ItemResult::Ranking(_)) | None => None,
        })
        .collect();
    let points = sc
        .points()
        .enumerate()
        .map(|(k, p)| PointRow {
            point: p,
            label: labels.get(k).cloned().unwrap_or_default(),
            agree: (alo..=ahi).contains(&p),
            counts: per_round.iter().map(|x| x.1.get(k).copied().unwrap_or(0)).collect(),
        })
        .collect::<Vec<_>>();
    Distribution {
        criterion: cid.to_owned(),
        rounds: per_round.iter().map(|x| x.0).collect(),
        n: per_round.iter().map(|x| x.2).collect(),
        max_count: per_round.iter().flat_map(|x| x.1.iter().copied()).max().unwrap_or(0),
        points,
    }
}

/// A criterion answered with a number (or a probability): its median and quartiles, no verdict.
fn numeric_criterion_row(
    ctx: &Ctx<'_>,
    c: &delphi_core::study::Criterion,
    cid: &str,
    question: String,
    o: &delphi_stats::item::NumericSummary,
) -> CriterionRow {
    let f = numeric_figures(ctx, c.response == ResponseKind::Probability, o);
    CriterionRow {
        criterion: cid.to_owned(),
        question,
        kind: CriterionRowKind::Numeric,
        n: o.n,
        dont_know: o.dont_know,
        median: f.median,
        q1: f.q1,
        q3: f.q3,
        iqr: f.iqr,
        agreement: Num::missing(),
        verdict: None,
    }
}

/// How a criterion's answers moved from an earlier round.
fn stability_row(ctx: &Ctx<'_>, cid: &str, st: &Stability) -> StabilityRow {
    StabilityRow {
        criterion: cid.to_owned(),
        from_round: st.from_round,
        pairs: st.pairs,
        moved: st.moved,
        moved_percent: Num::percentage(st.moved_percent),
        iqr_change: Num::scale(st.iqr_change),
        verdict: VerdictCell::stability(&st.verdict, st, ctx.summary.rule.stability_max_change_percent, &ctx.labels),
    }
}

/// Adds a criterion's comparison of the groups of one attribute to that attribute's table
/// (made on its first row), the groups it names to the table's columns; the cells are filled
/// in later, once every column is known ([`align_groups`]).
fn add_group_row(
    group_tables: &mut Vec<GroupTable>,
    g: &delphi_stats::groups::GroupComparison,
    cid: &str,
    ctx: &Ctx<'_>,
) {
    let names: Vec<String> = g.groups.iter().map(|x| x.group.clone()).collect();
    let pos = match group_tables.iter().position(|t| t.attribute == g.attribute) {
        Some(p) => p,
        None => {
            group_tables.push(GroupTable {
                attribute: g.attribute.clone(),
                groups: Vec::new(),
                rows: Vec::new(),
                min_group_size: g.min_group_size,
                hidden: 0,
                note: String::new(),
            });
            group_tables.len() - 1
        }
    };
    let table = &mut group_tables[pos];
    for n in &names {
        if !table.groups.contains(n) {
            table.groups.push(n.clone());
        }
    }
    table.rows.push(GroupRow {
        criterion: cid.to_owned(),
        cells: Vec::new(),
        suppressed: g.suppressed,
        cross_group: VerdictCell::of(&g.cross_group, &ctx.labels),
    });
}

/// A domain's benefit–risk synthesis in one round: the figures, the placement and why.
fn synthesis_cell(ctx: &Ctx<'_>, x: &DomainSynthesis) -> SynthesisCell {
    SynthesisCell {
        benefit: Num::scale(x.benefit.median),
        benefit_normalised: Num::share(x.benefit.normalised),
        risks: x
            .risks
            .iter()
            .map(|r| RiskFigure {
                criterion: r.criterion.clone(),
                median: Num::scale(r.median),
                normalised: Num::share(r.normalised),
            })
            .collect(),
        worst_risk: x.worst_risk.clone(),
        placement: ctx.placement(x),
        reason: placement_reason(&ctx.labels, x),
        experts_placed: x.experts_placed,
        placement_agreement: Num::percentage(x.placement_agreement.map(|v| 100.0 * v)),
        certainty: ctx.certainty(x.certainty),
    }
}

/// Why a domain sits where it does, in the report's language: the figures the placement rests
/// on, without repeating the placement itself (the engine's English reason starts with it).
fn placement_reason(labels: &Labels, x: &DomainSynthesis) -> String {
    let worst = x.worst_risk.as_ref().and_then(|w| x.risks.iter().find(|r| &r.criterion == w));
    let (Some(_), Some(worst)) = (x.placement, worst) else { return labels.placement_reason_undefined.clone() };
    let criteria = std::iter::once(&x.benefit).chain(&x.risks);
    let agreed = criteria.clone().filter(|c| c.consensus == Outcome::Met).count();
    let total = criteria.clone().count();
    labels
        .placement_reason
        .of(total as u64)
        .replace("{benefit}", &Num::scale(x.benefit.median).text)
        .replace("{b}", &Num::share(x.benefit.normalised).text)
        .replace("{risk_median}", &Num::scale(worst.median).text)
        .replace("{risk}", &worst.criterion)
        .replace("{r}", &Num::share(worst.normalised).text)
        .replace("{agreed}", &agreed.to_string())
        .replace("{total}", &total.to_string())
}

/// Rebuilds every group table's cells so that each row has one cell per column (group names
/// sorted), a group absent from a row's comparison being marked suppressed.
fn align_groups(ctx: &Ctx<'_>, domain: &DomainId, round: u32, tables: Vec<GroupTable>) -> Vec<GroupTable> {
    tables
        .into_iter()
        .map(|mut t| {
            for row in &mut t.rows {
                let id = ItemId::for_domain_criterion(domain, &delphi_core_criterion(ctx, &row.criterion));
                let Some(g) = ctx
                    .summary
                    .groups
                    .iter()
                    .find(|x| x.item.as_str() == id.as_str() && x.round == round && x.attribute == t.attribute)
                else {
                    continue;
                };
                row.cells = t
                    .groups
                    .iter()
                    .map(|name| {
                        let pos = g.groups.iter().position(|x| &x.group == name);
                        match pos.map(|p| &g.groups[p].figures) {
                            Some(GroupFigures::Shown { n, median, iqr, .. }) => GroupCell {
                                suppressed: false,
                                n: *n,
                                median: Num::scale(*median),
                                iqr: Num::scale(*iqr),
                            },
                            _ => GroupCell { suppressed: true, n: 0, median: Num::missing(), iqr: Num::missing() },
                        }
                    })
                    .collect();
            }
            // A group too small in every row would show nothing but its name, which alone can
            // point at its few members (a one-expert institution): leave the column out.
            let shown: Vec<bool> = (0..t.groups.len())
                .map(|j| t.rows.iter().any(|row| row.cells.get(j).is_some_and(|c| !c.suppressed)))
                .collect();
            t.hidden = shown.iter().filter(|s| !**s).count();
            let keep = |j: usize| shown[j];
            t.groups = t.groups.iter().enumerate().filter(|(j, _)| keep(*j)).map(|(_, g)| g.clone()).collect();
            for row in &mut t.rows {
                row.cells = row.cells.iter().enumerate().filter(|(j, _)| keep(*j)).map(|(_, c)| c.clone()).collect();
            }
            let l = &ctx.labels;
            t.note = format!(
                "{} / {} ({}). {} ({}: {})",
                l.median, l.iqr, l.n, l.suppressed_note, l.min_group_size, t.min_group_size
            );
            if t.hidden > 0 {
                t.note =
                    format!("{} {}", t.note, l.groups_hidden.of(t.hidden as u64).replace("{k}", &t.hidden.to_string()));
            }
            t
        })
        .collect()
}

fn delphi_core_criterion(ctx: &Ctx<'_>, id: &str) -> delphi_core::study::CriterionId {
    ctx.study.criteria.iter().find(|c| c.id.as_str() == id).map(|c| c.id.clone()).expect("criterion of the study")
}

#[cfg(test)]
mod tests {
    use super::*;
    use delphi_stats::Undefined;

    #[test]
    fn settings_keep_one_decimal_at_least_and_trim_the_rest() {
        assert_eq!(fmt_number(5.0, 2), "5.0");
        assert_eq!(fmt_number(1.25, 2), "1.25");
        assert_eq!(fmt_number(1.5, 2), "1.5");
        assert_eq!(fmt_number(0.8333, 3), "0.833");
        assert_eq!(fmt_number(-0.0001, 2), "0.0");
        assert_eq!(fmt_number(-2.25, 2), "-2.25");
        assert_eq!(fmt_number(70.0, 0), "70.0");
    }

    #[test]
    fn figures_of_a_kind_print_with_the_same_decimals() {
        // A panel's quartiles on a 1–9 scale: every one with two decimals, so an IQR of a
        // quarter point never stands as "0.2" beside "0.25", nor a whole one as "1".
        let scale: Vec<String> = [0.25, 1.0, 0.5, 4.75, 7.0].map(|v| Num::scale(Figure::new(v)).text).into();
        assert_eq!(scale, ["0.25", "1.00", "0.50", "4.75", "7.00"]);
        // 7 of 9 experts agree: 77.777… %, one decimal; all of them: 100.0 %.
        assert_eq!(Num::percentage(Figure::new(700.0 / 9.0)).text, "77.8");
        assert_eq!(Num::percentage(Figure::new(100.0)).text, "100.0");
        assert_eq!(Num::share(Figure::new(0.625)).text, "0.625");
        assert_eq!(Num::share(Figure::new(1.0)).text, "1.000");
        assert_eq!(Num::coefficient(Figure::new(0.8)).text, "0.800");
        assert_eq!(fmt_fixed(-0.001, 2), "0.00");
        assert_eq!(fmt_fixed(-0.25, 2), "-0.25");
        assert_eq!(Num::setting(1.0, SCALE_DECIMALS).text, "1.0");
    }

    #[test]
    fn a_rationale_is_written_by_one_expert_at_least() {
        let once = RationaleText::from("Too early.");
        assert_eq!(once.count, 1);
        assert_eq!(once.clone().written_by(3).count, 3);
        assert_eq!(once.written_by(0).count, 1);
    }

    #[test]
    fn rationale_positions_print_the_median_as_the_tables_do() {
        let labels = Labels::for_language("en");
        let at = RationaleGroup::beside_median(&labels, "benefit", Side::At, 5.5, vec![]);
        assert_eq!(at.position, "at the median (5.50)");
        let below = RationaleGroup::beside_median(&labels, "benefit", Side::Below, 4.0, vec![]);
        assert_eq!(below.position, "below the median (4.00)");
    }

    #[test]
    fn pooled_estimates_keep_the_second_significant_digit_of_their_spread() {
        // the rule's own example: 32.12 with a range of 58 → 32
        assert_eq!(fmt_to_spread(32.12, Some(58.0)), "32");
        // a range of 5.8 → one decimal; 0.25 → two; every figure of a row to the same place
        assert_eq!(fmt_to_spread(32.12, Some(5.8)), "32.1");
        assert_eq!(fmt_to_spread(3.2, Some(0.25)), "3.20");
        assert_eq!(fmt_to_spread(3.45, Some(0.25)), "3.45");
        // a range of thousands rounds to hundreds; a range of exactly 10 to units
        assert_eq!(fmt_to_spread(3212.0, Some(5800.0)), "3200");
        assert_eq!(fmt_to_spread(47.6, Some(10.0)), "48");
        assert_eq!(fmt_to_spread(-0.004, Some(0.5)), "0.00");
        // without a spread, three significant digits of the figure itself
        assert_eq!(fmt_to_spread(32.123, Some(0.0)), "32.1");
        assert_eq!(fmt_to_spread(0.0, None), "0");
    }

    #[test]
    fn probabilities_print_as_percentages_and_their_iqr_in_points() {
        // 0.844 with an IQR of 0.12 (12 points): to the unit
        assert_eq!(Num::percent(Figure::new(0.844), Some(0.12)).text, "84\u{a0}%");
        assert_eq!(Num::percent(Figure::new(0.844), Some(0.12)).value, Some(0.844));
        // a tight panel (IQR 3 points) keeps a decimal
        assert_eq!(Num::percent(Figure::new(0.8444), Some(0.03)).text, "84.4\u{a0}%");
        assert_eq!(Num::percentage_points(Figure::new(0.12), "pp").text, "12\u{a0}pp");
        assert_eq!(Num::percentage_points(Figure::new(0.055), "pp").text, "5.5\u{a0}pp");
        assert_eq!(Num::percent(Figure::undefined(Undefined::NoAnswers), None).text, "—");
    }

    /// A coordinator's second round: `a` reworded in place, `b` replaced by `b2` that continues
    /// it, `c` added, `d` dropped without a successor, `e` asked unchanged.
    #[test]
    fn the_appendix_marks_what_changed_since_the_round_before() {
        let asked = |item: &str, wording: &str, continues: Option<&str>| AskedQuestion {
            item: item.into(),
            domain: None,
            seed: false,
            wording: wording.into(),
            answer: AnswerForm::Probability,
            continues: continues.map(Into::into),
        };
        let frozen = |round: u32, questions: Vec<AskedQuestion>| FrozenQuestions {
            round,
            by_language: BTreeMap::from([("en".to_owned(), questions)]),
        };
        let frozen = [
            frozen(
                1,
                vec![
                    asked("a", "Will it rain?", None),
                    asked("b", "B?", None),
                    asked("d", "D?", None),
                    asked("e", "E?", None),
                ],
            ),
            frozen(
                2,
                vec![
                    asked("a", "Will it rain tomorrow?", None),
                    asked("b2", "B, put better?", Some("b")),
                    asked("c", "C?", None),
                    asked("e", "E?", None),
                ],
            ),
        ];
        let labels = Labels::en();
        let appendix = questionnaire_appendix(&labels, "zh", &[1, 2], &frozen);
        assert_eq!(appendix.len(), 2);
        let (one, two) = (&appendix[0], &appendix[1]);
        assert_eq!((one.changes_heading.as_deref(), one.changes.len()), (None, 0), "round 1 changes nothing");
        assert!(one.questions.iter().all(|q| q.change.is_none()));
        assert_eq!(one.questions[0].answer.as_deref(), Some("a probability, as a percentage (0–100 %)"));
        let marks: Vec<(&str, Option<&str>)> =
            two.questions.iter().map(|q| (q.item.as_str(), q.change.as_deref())).collect();
        assert_eq!(
            marks,
            [
                ("a", Some("reworded")),
                ("b2", Some("reworded: replaces b")),
                ("c", Some("new in this round")),
                ("e", None)
            ]
        );
        assert_eq!(two.questions[0].wording, "Will it rain tomorrow?");
        assert_eq!(two.changes_heading.as_deref(), Some("Changes since round 1:"));
        assert_eq!(
            two.changes,
            ["a (reworded); b2 (reworded: replaces b); c (new in this round).", "No longer asked: b, d."]
        );
        // A round asked exactly as the one before says so; a round not reported is left out.
        let again = [frozen[1].clone(), FrozenQuestions { round: 3, ..frozen[1].clone() }];
        let appendix = questionnaire_appendix(&labels, "en", &[2, 3], &again);
        assert_eq!(appendix[1].changes, ["No question was added, dropped or reworded."]);
        assert!(appendix[0].changes_heading.is_none(), "round 1 is not reported: nothing to compare round 2 with");
    }

    #[test]
    fn undefined_figures_print_a_dash_and_keep_the_reason() {
        let n = Num::of(Figure::undefined(Undefined::NoAnswers), 2);
        assert_eq!((n.value, n.text.as_str(), n.note.as_deref()), (None, "—", Some("no valid answers")));
        assert_eq!(Num::p_value(Figure::new(0.00001)).text, "< 0.0001");
        assert_eq!(Num::p_value(Figure::new(0.01234)).text, "0.0123");
    }
}
