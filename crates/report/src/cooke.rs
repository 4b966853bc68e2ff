//! The report of Cooke's classical model on one case: a serialisable [`CookeReport`] built from
//! `delphi_stats::classical`'s [`CaseModel`] (and its robustness rows, when run), every number
//! with its exact value and the text all outputs print, and its PDF ([`render_cooke_pdf`],
//! template `cooke.typ`, whose tables live in `cooke-tables.typ` for the study report to import).
//!
//! Calibration scores span ten orders of magnitude (1e-10..1), so they, α and the weights are
//! printed to three significant digits, in scientific notation below 0.001 ([`score_text`]);
//! information scores with three decimals ([`information_text`]); the decision makers'
//! quantiles and the realisations to four significant digits ([`value_text`]).
//!
//! The experts appear under the labels of the case file, as EXCALIBUR and ANDURYL users know
//! them; those labels are data, inserted into the PDF as strings, never as markup.

use delphi_stats::classical::{
    CaseModel, CookeCase, CookeOptions, DecisionMaker, FEW_SEEDS, RobustnessRow, Scale, Scores, Weighting,
};
use serde::Serialize;

use crate::ReportError;
use crate::model::Num;
use crate::pdf::{PdfOptions, PdfReport, STYLE, Template, TypstFile, render_with};

/// The version of the JSON `cooke.typ` reads.
pub const COOKE_FORMAT: &str = "delphi-cooke/1";

/// The Cooke tables as typst functions, for `cooke.typ` and for any template that shows a
/// Cooke section (the study report's).
pub const COOKE_TABLES: TypstFile = TypstFile { name: "cooke-tables.typ", source: include_str!("cooke-tables.typ") };

/// The Cooke report's template. It reads the model from `cooke.json` (or `--input data=…`).
pub const COOKE_TEMPLATE: Template = Template {
    main: TypstFile { name: "cooke.typ", source: include_str!("cooke.typ") },
    imports: &[STYLE, COOKE_TABLES],
    data_file: "cooke.json",
};

/// Cooke (1991), the method's reference.
const REFERENCE: &str = "Cooke, R. M. (1991). Experts in Uncertainty: Opinion and Subjective Probability in \
                         Science. Oxford University Press.";

/// The classical model of one case as the Cooke report shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CookeReport {
    /// [`COOKE_FORMAT`].
    pub format: &'static str,
    /// The case's name (its file name).
    pub case: String,
    /// How many experts, seeds and targets.
    pub counts: CaseCounts,
    /// The quantiles the experts gave, as printed (`5 %`).
    pub quantiles: Vec<String>,
    /// The options of the run.
    pub options: OptionsShown,
    /// The warnings of the run (fewer than [`FEW_SEEDS`] seeds, blank seed answers).
    pub warnings: Vec<String>,
    /// Whether the case has fewer than [`FEW_SEEDS`] seed items.
    pub few_seeds: bool,
    /// The experts, in the case's order.
    pub experts: Vec<ExpertRow>,
    /// The expert with the highest combined score `C · I_seeds`, to compare the decision
    /// makers with (the first on ties).
    pub best_expert: ScoreRow,
    /// The decision maker asked for, then the equal-weight one (once, when they are the same).
    pub decision_makers: Vec<ScoreRow>,
    /// The seed items, then the targets, each with every decision maker's quantiles.
    pub items: Vec<ItemRow>,
    /// The robustness tables, when run.
    pub robustness: Option<Robustness>,
    /// What the scores mean, and the rule for blank seed answers.
    pub method: Vec<Paragraph>,
    /// The words of the tables.
    pub labels: CookeLabels,
}

/// The case's size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseCounts {
    /// Experts, seeds and targets in words (`7 experts · 10 seed items · 1 target item`).
    pub text: String,
    /// Experts.
    pub experts: usize,
    /// Seed items (realisation known).
    pub seeds: usize,
    /// Target items.
    pub targets: usize,
    /// The `N` of every calibration score: the fewest seeds any expert answered.
    pub calibration_seeds: u64,
}

/// Where α came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlphaChoice {
    /// The α that maximises the decision maker's own combined score.
    Optimised,
    /// Set by the user.
    UserSet,
    /// No α: equal weights.
    None,
}

/// The options of the run, as values and as printed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptionsShown {
    /// Global, item or equal weights.
    pub weighting: Weighting,
    /// The weights in words.
    pub weights: String,
    /// α (undefined for equal weights).
    pub alpha: Num,
    /// Where α came from.
    pub alpha_choice: AlphaChoice,
    /// α and where it came from, in words.
    pub alpha_text: String,
    /// The overshoot of the intrinsic range (a share of the range).
    pub overshoot: Num,
    /// The background measure: how many items are uniform and log-uniform.
    pub background: String,
}

/// One expert's scores and weight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpertRow {
    /// The label in the case file.
    pub name: String,
    /// Seed items answered.
    pub seeds_answered: u64,
    /// Calibration score.
    pub calibration: Num,
    /// Mean information over the seeds answered.
    pub information_seeds: Num,
    /// Mean information over all items answered.
    pub information_all: Num,
    /// `C · I_seeds`.
    pub combined: Num,
    /// `C · I_seeds · 1[C ≥ α]` (1 for equal weights).
    pub unnormalised_weight: Num,
    /// The weight, normalised over the experts.
    pub weight: Num,
    /// Whether the expert carries weight in the decision maker.
    pub weighted: bool,
}

/// A decision maker's or an expert's scores on the seeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreRow {
    /// Its label.
    pub label: String,
    /// Calibration score.
    pub calibration: Num,
    /// Mean information over the seeds.
    pub information_seeds: Num,
    /// Mean information over all items.
    pub information_all: Num,
    /// `C · I_seeds`.
    pub combined: Num,
}

/// One item with every decision maker's quantiles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemRow {
    /// The item's id.
    pub id: String,
    /// A seed (realisation known) or a target.
    pub seed: bool,
    /// Its background measure.
    pub scale: Scale,
    /// The realisation of a seed.
    pub realisation: Num,
    /// Per decision maker (in [`CookeReport::decision_makers`]' order), its quantiles.
    pub quantiles: Vec<Vec<Num>>,
}

/// The robustness tables: the decision maker without each seed item and without each expert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Robustness {
    /// Without each seed item.
    pub items: Vec<ScoreRow>,
    /// Without each expert.
    pub experts: Vec<ScoreRow>,
}

/// A paragraph of the method section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paragraph {
    /// Its run-in heading.
    pub heading: String,
    /// Its text.
    pub text: String,
}

/// The words of the Cooke tables, for `cooke-tables.typ`: each field is the heading, column
/// head or note its name says (English; a study report may pass its own translation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CookeLabels {
    /// Title of the PDF and its running head.
    pub title: String,
    /// After the number of seeds calibration is measured on ("N = 10 seed items").
    pub seeds: String,
    /// Label of the quantiles the case asks, among the options.
    pub quantiles: String,
    /// Heading of the case's options on page 1.
    pub options: String,
    /// Label of the weighting (global, item or equal), among the options.
    pub weights: String,
    /// Label of the cut-off α, among the options.
    pub alpha: String,
    /// Label of the overshoot of the intrinsic range, among the options.
    pub overshoot: String,
    /// Label of the background measure, among the options.
    pub background: String,
    /// Label of the number of seeds calibration is measured on, among the options.
    pub calibration_seeds: String,
    /// Heading of the decision makers set against the best expert, on page 1.
    pub summary: String,
    /// Under that table: what the combined score is and who the best expert is.
    pub summary_note: String,
    /// Heading of the part holding the tables of scores.
    pub scores_and_weights: String,
    /// Heading of the experts' table.
    pub experts_heading: String,
    /// Column header of the experts' names.
    pub expert: String,
    /// Column header of how many seeds each expert answered.
    pub seeds_answered: String,
    /// Column header of the calibration score.
    pub calibration: String,
    /// Column header of information over the seeds.
    pub information_seeds: String,
    /// Column header of information over every item.
    pub information_all: String,
    /// Column header of calibration × information.
    pub combined: String,
    /// Column header of the weight before normalising.
    pub unnormalised_weight: String,
    /// Column header of the normalised weight.
    pub weight: String,
    /// Under the experts' table: what its columns and bold names mean.
    pub experts_note: String,
    /// Heading of the decision makers' scores.
    pub decision_makers: String,
    /// Column header naming the decision maker of a row.
    pub decision_maker: String,
    /// Heading of the decision makers' quantiles on the seeds.
    pub seed_items: String,
    /// Heading of the decision makers' quantiles on the targets.
    pub target_items: String,
    /// Column header of an item's id or wording.
    pub item: String,
    /// Column header of an item's background measure.
    pub scale: String,
    /// Name of the uniform background measure.
    pub uniform: String,
    /// Name of the log-uniform background measure.
    pub log: String,
    /// Column header of a seed's true value.
    pub realisation: String,
    /// Heading of the robustness tables.
    pub robustness: String,
    /// Heading of the table leaving out one seed item at a time.
    pub without_item: String,
    /// Heading of the table leaving out one expert at a time.
    pub without_expert: String,
    /// Column header of what a robustness row leaves out.
    pub left_out: String,
    /// Heading of the method section.
    pub method: String,
    /// Run-in label of each warning box.
    pub warning: String,
}

impl CookeLabels {
    fn english() -> Self {
        let s = str::to_owned;
        Self {
            title: s("Cooke's classical model"),
            seeds: s("seed items"),
            quantiles: s("Quantiles"),
            options: s("Options"),
            weights: s("Weights"),
            alpha: s("α"),
            overshoot: s("Overshoot"),
            background: s("Background"),
            calibration_seeds: s("Calibration on"),
            summary: s("Decision makers against the best expert"),
            summary_note: s(
                "Combined score: calibration × information over the seeds. The best expert is the one with the \
                 highest combined score.",
            ),
            scores_and_weights: s("Scores and weights"),
            experts_heading: s("Experts"),
            expert: s("Expert"),
            seeds_answered: s("Seeds"),
            calibration: s("Calibration"),
            information_seeds: s("Information (seeds)"),
            information_all: s("Information (all)"),
            combined: s("C × I"),
            unnormalised_weight: s("Weight (unnorm.)"),
            weight: s("Weight"),
            experts_note: s(
                "Seeds: seed items answered. Unnormalised weight: calibration × information over the seeds when \
                 the calibration reaches α, else 0. Experts in bold carry weight.",
            ),
            decision_makers: s("Decision makers"),
            decision_maker: s("Decision maker"),
            seed_items: s("Seed items"),
            target_items: s("Target items"),
            item: s("Item"),
            scale: s("Scale"),
            uniform: s("uniform"),
            log: s("log"),
            realisation: s("Realisation"),
            robustness: s("Robustness"),
            without_item: s("The decision maker without each seed item"),
            without_expert: s("The decision maker without each expert"),
            left_out: s("Left out"),
            method: s("Method"),
            warning: s("Warning"),
        }
    }
}

/// A calibration score, α or weight: three significant digits, in scientific notation below
/// 0.001 (`1.15 × 10⁻⁵`), `0` for zero.
pub fn score_text(x: f64) -> String {
    significant(x, 3, 1e-3, f64::INFINITY, false)
}

/// An information score: three decimals.
pub fn information_text(x: f64) -> String {
    format!("{x:.3}")
}

/// A quantile or a realisation: four significant digits, trailing zeros dropped, in
/// scientific notation below 0.001 or from a million on.
pub fn value_text(x: f64) -> String {
    significant(x, 4, 1e-3, 1e6, true)
}

/// `x` to `digits` significant digits; scientific outside `[small, large)` in magnitude.
fn significant(x: f64, digits: usize, small: f64, large: f64, trim: bool) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if !x.is_finite() {
        return x.to_string();
    }
    let scientific = format!("{x:.precision$e}", precision = digits - 1);
    let (mantissa, exponent) = scientific.split_once('e').expect("`e` formatting has an exponent");
    let exponent: i32 = exponent.parse().expect("`e` formatting has an integer exponent");
    if x.abs() < small || x.abs() >= large {
        let mantissa = if trim { trim_zeros(mantissa) } else { mantissa.to_owned() };
        return format!("{mantissa} × 10{}", superscript(exponent));
    }
    // The exponent after rounding, so 0.9996 prints as 1.00, not 1.000.
    let decimals = usize::try_from(i32::try_from(digits).unwrap_or(i32::MAX) - 1 - exponent).unwrap_or(0);
    let fixed = format!("{x:.decimals$}");
    if trim { trim_zeros(&fixed) } else { fixed }
}

fn trim_zeros(number: &str) -> String {
    if number.contains('.') { number.trim_end_matches('0').trim_end_matches('.').to_owned() } else { number.to_owned() }
}

fn superscript(n: i32) -> String {
    n.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            d => ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'][d.to_digit(10).map_or(0, |d| d as usize)],
        })
        .collect()
}

fn num(value: f64, text: fn(f64) -> String) -> Num {
    Num { value: Some(value), text: text(value), note: None }
}

/// `value` as printed by `text`, or `—` when there is none.
pub(crate) fn optional(value: Option<f64>, text: fn(f64) -> String) -> Num {
    value.map_or_else(|| Num { value: None, text: "—".into(), note: None }, |v| num(v, text))
}

fn score_row(label: String, scores: &Scores) -> ScoreRow {
    ScoreRow {
        label,
        calibration: num(scores.calibration, score_text),
        information_seeds: num(scores.information_seeds, information_text),
        information_all: num(scores.information_all, information_text),
        combined: num(scores.combined(), score_text),
    }
}

fn robustness_row(row: &RobustnessRow) -> ScoreRow {
    let scores = Scores {
        counts: Vec::new(),
        calibration: row.calibration,
        information_seeds: row.information_seeds,
        information_all: row.information_all,
        information_per_item: Vec::new(),
    };
    score_row(row.left_out.clone(), &scores)
}

fn decision_maker_label(dm: &DecisionMaker) -> String {
    match dm.weighting {
        Weighting::Global => "Performance weights (global)",
        Weighting::Item => "Item weights",
        Weighting::Equal => "Equal weights",
    }
    .to_owned()
}

fn weights_text(weighting: Weighting) -> String {
    match weighting {
        Weighting::Global => "global: calibration × information over the seeds, the same on every item",
        Weighting::Item => "item: calibration × information on each item",
        Weighting::Equal => "equal: every expert the same",
    }
    .to_owned()
}

fn counts_text(experts: usize, seeds: usize, targets: usize) -> String {
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    [
        plural(experts, "expert", "experts"),
        plural(seeds, "seed item", "seed items"),
        plural(targets, "target item", "target items"),
    ]
    .join(" · ")
}

fn background_text(case: &CookeCase) -> String {
    let log = case.items().iter().filter(|i| i.scale == Scale::Log).count();
    let uniform = case.items().len() - log;
    match (uniform, log) {
        (_, 0) => format!("uniform on all {uniform} items"),
        (0, _) => format!("log-uniform on all {log} items"),
        _ => format!("uniform on {uniform} items, log-uniform on {log}"),
    }
}

fn options_shown(model: &CaseModel, options: &CookeOptions, case: &CookeCase) -> OptionsShown {
    let alpha = optional(model.dm.alpha, score_text);
    let alpha_choice = match (model.dm.alpha, options.alpha) {
        (None, _) => AlphaChoice::None,
        (Some(_), Some(_)) => AlphaChoice::UserSet,
        (Some(_), None) => AlphaChoice::Optimised,
    };
    let alpha_text = match alpha_choice {
        AlphaChoice::Optimised => format!("{} (optimised)", alpha.text),
        AlphaChoice::UserSet => format!("{} (set by the user)", alpha.text),
        AlphaChoice::None => "none (equal weights)".to_owned(),
    };
    OptionsShown {
        weighting: model.dm.weighting,
        weights: weights_text(model.dm.weighting),
        alpha,
        alpha_choice,
        alpha_text,
        overshoot: Num {
            value: Some(options.overshoot),
            text: format!("{} % of each item's range on each side", value_text(options.overshoot * 100.0)),
            note: None,
        },
        background: background_text(case),
    }
}

fn expert_rows(model: &CaseModel) -> Vec<ExpertRow> {
    model
        .experts
        .iter()
        .map(|e| {
            let s = &e.scores;
            // Whoever the decision maker weighs at all carries C · I_seeds before normalising.
            let unnormalised = match model.dm.alpha {
                None => 1.0,
                Some(_) if e.weight > 0.0 => s.combined(),
                Some(_) => 0.0,
            };
            ExpertRow {
                name: e.name.clone(),
                seeds_answered: s.answered_seeds(),
                calibration: num(s.calibration, score_text),
                information_seeds: num(s.information_seeds, information_text),
                information_all: num(s.information_all, information_text),
                combined: num(s.combined(), score_text),
                unnormalised_weight: num(unnormalised, score_text),
                weight: num(e.weight, score_text),
                weighted: e.weight > 0.0,
            }
        })
        .collect()
}

fn method() -> Vec<Paragraph> {
    let p = |heading: &str, text: &str| Paragraph { heading: heading.to_owned(), text: text.to_owned() };
    vec![
        p(
            "Calibration",
            "How well an expert's quantiles catch the realisations of the seed items. The realisations should \
             fall between an expert's quantiles as often as the quantiles say (e.g. 5 %, 45 %, 45 % and 5 % of \
             them between 5/50/95 %). The calibration score is the p-value of that hypothesis: the chi-square \
             tail of 2N times the relative information of the observed shares with respect to the stated ones, \
             so scores near 1 are good and scores of 10⁻⁵ and below mean the realisations fell mostly outside \
             the expert's ranges.",
        ),
        p(
            "Information",
            "How narrow an expert's ranges are, relative to a uniform (or, on a log-scale item, log-uniform) \
             background on the item's intrinsic range: the lowest to the highest value any expert gave or the \
             realisation, widened by the overshoot on each side. It is averaged over the seeds (for the weights) \
             and over all items (for reading). Information rewards narrow ranges whether or not they are right; \
             calibration says whether they are.",
        ),
        p(
            "α and the weights",
            "An expert's weight is calibration × information over the seeds, set to 0 when the calibration is \
             below the significance level α, and normalised. The decision maker is the weighted mixture of the \
             experts' distributions; it is scored as an expert on the seeds. Unless the user sets α, α is the \
             experts' calibration score that gives the decision maker the highest calibration × information, \
             counted only where its own calibration reaches α.",
        ),
        p(
            "Blank seed answers",
            "An expert who left seed items blank is kept: their calibration uses the seeds they answered, and \
             every calibration score (the decision makers' too) uses N = the fewest seeds any expert answered, \
             so that nobody's score rests on more evidence than the least complete expert's, as EXCALIBUR does. \
             Their information is averaged over the items they answered, and each item's decision maker \
             renormalises the weights over the experts who answered it.",
        ),
        p(
            "Few seeds",
            "Cooke recommends about ten seed items: with fewer than eight, calibration scores separate good from \
             poor assessors weakly, and the weights rest on little evidence.",
        ),
        p("Reference", REFERENCE),
    ]
}

/// The words, with the weights' note fitted to the weighting.
fn labels(weighting: Weighting) -> CookeLabels {
    let mut labels = CookeLabels::english();
    if weighting == Weighting::Item {
        labels.experts_note.push_str(
            " With item weights each item's decision maker weighs the experts by calibration × information on \
             that item; the weights shown are those over the seeds.",
        );
    }
    labels
}

/// The seed items (`seed`) or the targets, each with every decision maker's quantiles.
fn item_rows(case: &CookeCase, makers: &[&DecisionMaker], seed: bool) -> Vec<ItemRow> {
    let blank = || case.quantiles().iter().map(|_| optional(None, value_text)).collect();
    case.items()
        .iter()
        .enumerate()
        .filter(|(_, item)| item.realisation.is_some() == seed)
        .map(|(k, item)| ItemRow {
            id: item.id.clone(),
            seed,
            scale: item.scale,
            realisation: optional(item.realisation, value_text),
            quantiles: makers
                .iter()
                .map(|dm| {
                    dm.quantiles[k]
                        .as_ref()
                        .map_or_else(blank, |values| values.iter().map(|&v| num(v, value_text)).collect())
                })
                .collect(),
        })
        .collect()
}

/// The Cooke report of a case: its model, the options it was run with, and the robustness
/// rows (without each seed item, without each expert) when they were run.
pub fn build_cooke(
    name: &str,
    case: &CookeCase,
    options: &CookeOptions,
    model: &CaseModel,
    robustness: Option<(&[RobustnessRow], &[RobustnessRow])>,
) -> CookeReport {
    let mut makers = vec![&model.dm];
    if model.dm.weighting != Weighting::Equal {
        makers.push(&model.equal_dm);
    }
    let experts = expert_rows(model);
    let best = model
        .experts
        .iter()
        .reduce(|best, e| if e.scores.combined() > best.scores.combined() { e } else { best })
        .expect("a validated case has an expert");
    CookeReport {
        format: COOKE_FORMAT,
        case: name.to_owned(),
        counts: CaseCounts {
            text: counts_text(case.experts().len(), model.seeds, case.items().len() - model.seeds),
            experts: case.experts().len(),
            seeds: model.seeds,
            targets: case.items().len() - model.seeds,
            calibration_seeds: model.calibration_seeds,
        },
        quantiles: case.quantiles().iter().map(|q| format!("{q} %")).collect(),
        options: options_shown(model, options, case),
        warnings: model.warnings.clone(),
        few_seeds: model.seeds < FEW_SEEDS,
        experts,
        best_expert: score_row(format!("Best expert ({})", best.name), &best.scores),
        decision_makers: makers.iter().map(|dm| score_row(decision_maker_label(dm), &dm.scores)).collect(),
        items: [true, false].into_iter().flat_map(|seed| item_rows(case, &makers, seed)).collect(),
        robustness: robustness.map(|(items, experts)| Robustness {
            items: items.iter().map(robustness_row).collect(),
            experts: experts.iter().map(robustness_row).collect(),
        }),
        method: method(),
        labels: labels(model.dm.weighting),
    }
}

/// Renders the Cooke report to PDF with [`COOKE_TEMPLATE`].
pub fn render_cooke_pdf(report: &CookeReport, options: &PdfOptions) -> Result<PdfReport, ReportError> {
    render_with(&COOKE_TEMPLATE, report, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_keep_three_significant_digits_across_ten_orders_of_magnitude() {
        assert_eq!(score_text(0.487_654), "0.488");
        assert_eq!(score_text(0.051_24), "0.0512");
        assert_eq!(score_text(0.001_234), "0.00123");
        assert_eq!(score_text(1.152e-5), "1.15 × 10⁻⁵");
        assert_eq!(score_text(9.999e-11), "1.00 × 10⁻¹⁰");
        assert_eq!(score_text(0.999_96), "1.00");
        assert_eq!(score_text(1.0), "1.00");
        assert_eq!(score_text(0.0), "0");
    }

    #[test]
    fn values_keep_four_significant_digits_without_trailing_zeros() {
        assert_eq!(value_text(213.78), "213.8");
        assert_eq!(value_text(-0.74), "-0.74");
        assert_eq!(value_text(100.0), "100");
        assert_eq!(value_text(2.5e-4), "2.5 × 10⁻⁴");
        assert_eq!(value_text(12_345_678.0), "1.235 × 10⁷");
        assert_eq!(information_text(1.23456), "1.235");
    }
}
