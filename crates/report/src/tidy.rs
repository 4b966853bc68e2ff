//! The tidy exports: every figure of every item and round, and every answer that counts by
//! pseudonym. Each is one [`Table`] written twice, as CSV and as Parquet, so both files hold the
//! same rows by construction.
//!
//! The encodings differ only where their readers do: a CSV cell that a spreadsheet would run as
//! a formula gets a leading apostrophe ([`inert_cell`]) and an absent value is an empty cell;
//! Parquet is typed, so its texts are verbatim, its numbers are doubles and absent values are
//! nulls. In both, a text's control characters and bidi overrides are dropped, as in every
//! report (`delphi_core::text::for_report`): a NUL or ESC in a free-text answer would otherwise
//! reach whoever `cat`s the CSV or prints a column. Neither ever holds a name or an email:
//! answers carry the store's random pseudonyms.

use std::sync::Arc;

use delphi_core::text::for_report;

use std::fmt::Write as _;

use delphi_stats::groups::{GroupComparison, GroupFigures, GroupTest};
use delphi_stats::item::Outcome;
use delphi_stats::ranktests::{MannWhitney, TestMethod};
use delphi_stats::stability::Stability;
use delphi_stats::summarise::{CookeRound, RoundReliability, ScaleReliability};
use delphi_stats::{Figure, StudySummary, Undefined};
use parquet::basic::{LogicalType, Repetition, Type as PhysicalType};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;

use crate::ReportError;

/// A column's values, one per row.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Values {
    /// Whole numbers (rounds, revisions), never absent.
    Integers(Vec<i64>),
    /// Texts, never absent.
    Texts(Vec<String>),
    /// Numbers that may be absent (an undefined figure).
    OptionalNumbers(Vec<Option<f64>>),
    /// Texts that may be absent.
    OptionalTexts(Vec<Option<String>>),
}

impl Values {
    fn len(&self) -> usize {
        match self {
            Self::Integers(v) => v.len(),
            Self::Texts(v) => v.len(),
            Self::OptionalNumbers(v) => v.len(),
            Self::OptionalTexts(v) => v.len(),
        }
    }

    /// Row `row` as a CSV cell.
    fn csv_cell(&self, row: usize) -> String {
        match self {
            Self::Integers(v) => v[row].to_string(),
            Self::Texts(v) => inert_cell(&for_report(&v[row])),
            Self::OptionalNumbers(v) => v[row].map(|x| x.to_string()).unwrap_or_default(),
            Self::OptionalTexts(v) => v[row].as_deref().map(|t| inert_cell(&for_report(t))).unwrap_or_default(),
        }
    }
}

/// A named column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The header of the CSV, the field name in Parquet.
    pub name: &'static str,
    /// The values.
    pub values: Values,
}

/// A tidy table: named columns of equal length.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    columns: Vec<Column>,
}

impl Table {
    /// A table of `columns`, which must all hold the same number of rows.
    pub fn new(columns: Vec<Column>) -> Result<Self, ReportError> {
        let rows = columns.first().map_or(0, |c| c.values.len());
        if let Some(odd) = columns.iter().find(|c| c.values.len() != rows) {
            return Err(ReportError::Export {
                format: "table",
                reason: format!("column {} has {} rows, the first has {rows}", odd.name, odd.values.len()),
            });
        }
        Ok(Self { columns })
    }

    /// The columns, in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.values.len())
    }

    /// The table as CSV: a header, then one line per row.
    pub fn to_csv(&self) -> Result<Vec<u8>, ReportError> {
        let failed = |e: csv::Error| ReportError::Export { format: "CSV", reason: e.to_string() };
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(self.columns.iter().map(|c| c.name)).map_err(failed)?;
        for row in 0..self.rows() {
            out.write_record(self.columns.iter().map(|c| c.values.csv_cell(row))).map_err(failed)?;
        }
        out.into_inner().map_err(|e| ReportError::Export { format: "CSV", reason: e.to_string() })
    }

    /// The table as a Parquet file: one row group, uncompressed (the tables are small, and an
    /// uncompressed file is read by every Parquet reader), dictionary-encoded texts.
    pub fn to_parquet(&self) -> Result<Vec<u8>, ReportError> {
        self.write_parquet().map_err(|e| ReportError::Export { format: "Parquet", reason: e.to_string() })
    }

    fn write_parquet(&self) -> parquet::errors::Result<Vec<u8>> {
        let fields = self.columns.iter().map(|c| parquet_field(c).map(Arc::new)).collect::<Result<Vec<_>, _>>()?;
        let schema = Arc::new(Type::group_type_builder("schema").with_fields(fields).build()?);
        let properties = Arc::new(WriterProperties::builder().set_created_by("delphi".to_owned()).build());
        let mut file = SerializedFileWriter::new(Vec::new(), schema, properties)?;
        if self.rows() > 0 {
            let mut group = file.next_row_group()?;
            for column in &self.columns {
                let mut writer = group.next_column()?.expect("one column writer per field of the schema");
                match &column.values {
                    Values::Integers(v) => {
                        writer.typed::<Int64Type>().write_batch(v, None, None)?;
                    }
                    Values::Texts(v) => {
                        let bytes: Vec<ByteArray> = v.iter().map(|s| ByteArray::from(for_report(s).as_ref())).collect();
                        writer.typed::<ByteArrayType>().write_batch(&bytes, None, None)?;
                    }
                    Values::OptionalNumbers(v) => {
                        let present: Vec<f64> = v.iter().flatten().copied().collect();
                        writer.typed::<DoubleType>().write_batch(&present, Some(&definition_levels(v)), None)?;
                    }
                    Values::OptionalTexts(v) => {
                        let present: Vec<ByteArray> =
                            v.iter().flatten().map(|s| ByteArray::from(for_report(s).as_ref())).collect();
                        writer.typed::<ByteArrayType>().write_batch(&present, Some(&definition_levels(v)), None)?;
                    }
                }
                writer.close()?;
            }
            group.close()?;
        }
        file.into_inner()
    }
}

/// Parquet's mark of presence per row: 1 where a value is, 0 where it is null.
fn definition_levels<T>(values: &[Option<T>]) -> Vec<i16> {
    values.iter().map(|v| i16::from(v.is_some())).collect()
}

fn parquet_field(column: &Column) -> parquet::errors::Result<Type> {
    let (physical, repetition, text) = match column.values {
        Values::Integers(_) => (PhysicalType::INT64, Repetition::REQUIRED, false),
        Values::Texts(_) => (PhysicalType::BYTE_ARRAY, Repetition::REQUIRED, true),
        Values::OptionalNumbers(_) => (PhysicalType::DOUBLE, Repetition::OPTIONAL, false),
        Values::OptionalTexts(_) => (PhysicalType::BYTE_ARRAY, Repetition::OPTIONAL, true),
    };
    Type::primitive_type_builder(column.name, physical)
        .with_repetition(repetition)
        .with_logical_type(text.then_some(LogicalType::String))
        .build()
}

/// A spreadsheet cell that cannot run as a formula: text starting with `=`, `+`, `-`, `@`
/// or a control character gets a leading apostrophe (expert text reaches these files).
pub fn inert_cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

/// Every figure the engine computed, one per row: `round, item, measure, value,
/// undefined_because, scope, subject, method`. An undefined figure has no value and says why.
///
/// `scope` says what a row is about: `item` (an item in a round), `group` (a group
/// comparison: `subject` is `attribute=group` for a group's own figures, the attribute for
/// the test between groups), `stability` (an item between two rounds: `round` is the later
/// one, `subject` names the earlier), `reliability` (Krippendorff's α over a round's ordinal
/// items; `subject` the scale or criterion) and `cooke` (Cooke's classical model: `subject`
/// a pseudonym or a decision maker). `method` says where a p-value came from (`exact`,
/// `normal`, `chi_square`, `exact_binomial`). Every measure is defined in [`dictionary`],
/// written beside the files as `figures.md`.
pub fn figures(summary: &StudySummary) -> Table {
    let mut rows = FigureRows::default();
    for result in &summary.items {
        let item = result.item.as_str();
        for (name, figure) in result.result.measures() {
            let method = (name == "kendall_p_value").then_some(TestMethod::ChiSquare);
            rows.push(
                Row { round: result.round, item: Some(item.to_owned()), scope: Scope::Item, subject: None },
                name,
                figure,
                method,
            );
        }
    }
    for comparison in &summary.groups {
        group_rows(&mut rows, comparison);
    }
    for change in &summary.stability {
        stability_rows(&mut rows, change);
    }
    for reliability in &summary.reliability {
        reliability_rows(&mut rows, reliability);
    }
    for cooke in &summary.cooke {
        cooke_rows(&mut rows, cooke);
    }
    rows.into_table()
}

/// What a figure is about (the `scope` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Item,
    Group,
    Stability,
    Reliability,
    Cooke,
}

impl Scope {
    const ALL: [Self; 5] = [Self::Item, Self::Group, Self::Stability, Self::Reliability, Self::Cooke];

    fn name(self) -> &'static str {
        match self {
            Self::Item => "item",
            Self::Group => "group",
            Self::Stability => "stability",
            Self::Reliability => "reliability",
            Self::Cooke => "cooke",
        }
    }
}

/// The columns a figure's row shares with its neighbours.
#[derive(Debug, Clone)]
struct Row {
    round: u32,
    item: Option<String>,
    scope: Scope,
    subject: Option<String>,
}

#[derive(Default)]
struct FigureRows {
    round: Vec<i64>,
    item: Vec<Option<String>>,
    measure: Vec<String>,
    value: Vec<Option<f64>>,
    why: Vec<Option<String>>,
    scope: Vec<String>,
    subject: Vec<Option<String>>,
    method: Vec<Option<String>>,
}

impl FigureRows {
    fn push(&mut self, row: Row, measure: &str, figure: Figure, method: Option<TestMethod>) {
        self.round.push(i64::from(row.round));
        self.item.push(row.item);
        self.measure.push(measure.to_owned());
        self.value.push(figure.value());
        self.why.push(if figure.value().is_some() { None } else { figure.reason().map(|r| r.to_string()) });
        self.scope.push(row.scope.name().to_owned());
        self.subject.push(row.subject);
        // A method belongs to a p-value that was computed, not to one that could not be.
        self.method.push(method.filter(|_| figure.value().is_some()).map(|m| m.name().to_owned()));
    }

    fn into_table(self) -> Table {
        Table {
            columns: vec![
                Column { name: "round", values: Values::Integers(self.round) },
                Column { name: "item", values: Values::OptionalTexts(self.item) },
                Column { name: "measure", values: Values::Texts(self.measure) },
                Column { name: "value", values: Values::OptionalNumbers(self.value) },
                Column { name: "undefined_because", values: Values::OptionalTexts(self.why) },
                Column { name: "scope", values: Values::Texts(self.scope) },
                Column { name: "subject", values: Values::OptionalTexts(self.subject) },
                Column { name: "method", values: Values::OptionalTexts(self.method) },
            ],
        }
    }
}

fn count(x: u64) -> Figure {
    Figure::new(x as f64)
}

fn group_rows(rows: &mut FigureRows, comparison: &GroupComparison) {
    let at = |subject: String| Row {
        round: comparison.round,
        item: Some(comparison.item.as_str().to_owned()),
        scope: Scope::Group,
        subject: Some(subject),
    };
    for group in &comparison.groups {
        let row = at(format!("{}={}", comparison.attribute, group.group));
        match &group.figures {
            GroupFigures::Suppressed => rows.push(
                row,
                "n",
                Figure::undefined(Undefined::SmallGroup { min_group_size: comparison.min_group_size }),
                None,
            ),
            GroupFigures::Shown { n, median, q1, q3, iqr, agreement_percent, .. } => {
                for (name, figure) in [
                    ("n", count(*n)),
                    ("median", *median),
                    ("q1", *q1),
                    ("q3", *q3),
                    ("iqr", *iqr),
                    ("agreement_percent", *agreement_percent),
                ] {
                    rows.push(row.clone(), name, figure, None);
                }
            }
        }
    }
    let between = at(comparison.attribute.clone());
    rows.push(between.clone(), "suppressed_groups", count(comparison.suppressed as u64), None);
    match &comparison.test {
        GroupTest::MannWhitney(m) => mann_whitney_rows(rows, &between, "mann_whitney", m),
        GroupTest::KruskalWallis(k) => {
            rows.push(between.clone(), "kruskal_wallis_h", k.h, None);
            rows.push(between.clone(), "kruskal_wallis_df", count(k.df as u64), None);
            rows.push(between, "kruskal_wallis_p_value", k.p_value, Some(TestMethod::ChiSquare));
        }
        GroupTest::NotTested { reason } => rows.push(between, "test_p_value", Figure::undefined(*reason), None),
    }
}

fn mann_whitney_rows(rows: &mut FigureRows, row: &Row, prefix: &str, m: &MannWhitney) {
    rows.push(row.clone(), &format!("{prefix}_u1"), m.u1, None);
    rows.push(row.clone(), &format!("{prefix}_z"), m.z, None);
    rows.push(row.clone(), &format!("{prefix}_p_value"), m.p_value, Some(m.method));
}

fn stability_rows(rows: &mut FigureRows, change: &Stability) {
    let row = Row {
        round: change.to_round,
        item: Some(change.item.as_str().to_owned()),
        scope: Scope::Stability,
        subject: Some(match &change.continues {
            Some(earlier) => format!("from round {} ({})", change.from_round, earlier.as_str()),
            None => format!("from round {}", change.from_round),
        }),
    };
    let w = &change.wilcoxon;
    for (name, figure, method) in [
        ("pairs", count(change.pairs), None),
        ("moved", count(change.moved), None),
        ("moved_percent", change.moved_percent, None),
        ("stable", Figure::new(f64::from(u8::from(change.verdict.outcome == Outcome::Met))), None),
        ("wilcoxon_statistic", w.statistic, None),
        ("wilcoxon_z", w.z, None),
        ("wilcoxon_p_value", w.p_value, w.method),
        ("cv_change", change.cv_change, None),
        ("iqr_change", change.iqr_change, None),
    ] {
        rows.push(row.clone(), name, figure, method);
    }
    if let Some(m) = &change.mcnemar {
        rows.push(row.clone(), "mcnemar_b", count(m.b), None);
        rows.push(row.clone(), "mcnemar_c", count(m.c), None);
        rows.push(row.clone(), "mcnemar_chi_square", m.chi_square, None);
        rows.push(row.clone(), "mcnemar_p_value", m.p_value, Some(m.method));
    }
    let attrition = &change.attrition;
    rows.push(row.clone(), "dropouts", count(attrition.dropouts), None);
    rows.push(row.clone(), "stayers", count(attrition.stayers), None);
    mann_whitney_rows(rows, &row, "dropout_mann_whitney", &attrition.test);
}

fn reliability_rows(rows: &mut FigureRows, reliability: &RoundReliability) {
    let at = |subject: String| Row {
        round: reliability.round,
        item: None,
        scope: Scope::Reliability,
        subject: Some(subject),
    };
    let scale = |s: &ScaleReliability| match &s.criterion {
        Some(criterion) => format!("criterion {criterion}, scale {}–{}", s.min, s.max),
        None => format!("scale {}–{}", s.min, s.max),
    };
    let every = std::iter::once((at("all ordinal items".to_owned()), &reliability.alpha))
        .chain(reliability.by_scale.iter().chain(&reliability.by_criterion).map(|s| (at(scale(s)), &s.alpha)));
    for (row, alpha) in every {
        for (name, figure) in [
            ("alpha_nominal", alpha.nominal),
            ("alpha_ordinal", alpha.ordinal),
            ("alpha_interval", alpha.interval),
            ("alpha_ratio", alpha.ratio),
            ("pairable_values", count(alpha.pairable_values)),
            ("pairable_units", count(alpha.pairable_units as u64)),
        ] {
            rows.push(row.clone(), name, figure, None);
        }
    }
}

/// Names of the two decision makers in the `subject` column.
const PERFORMANCE_DM: &str = "performance-weighted decision maker";
const EQUAL_DM: &str = "equal-weight decision maker";

fn cooke_rows(rows: &mut FigureRows, cooke: &CookeRound) {
    let at = |item: Option<&'_ str>, subject: &str| Row {
        round: cooke.round,
        item: item.map(str::to_owned),
        scope: Scope::Cooke,
        subject: Some(subject.to_owned()),
    };
    let model = &cooke.model;
    rows.push(at(None, "model"), "seeds", count(model.seeds as u64), None);
    rows.push(at(None, "model"), "experts_excluded", count(cooke.experts_excluded as u64), None);
    rows.push(at(None, "model"), "alpha", model.alpha, None);
    for expert in &model.experts {
        for (name, figure) in [
            ("calibration", expert.calibration),
            ("information", expert.information),
            ("combined", expert.combined),
            ("weight", expert.weight),
        ] {
            rows.push(at(None, &expert.expert), name, figure, None);
        }
    }
    for (subject, dm) in [(PERFORMANCE_DM, &model.performance_dm), (EQUAL_DM, &model.equal_dm)] {
        for (name, figure) in
            [("calibration", dm.calibration), ("information", dm.information), ("combined", dm.combined)]
        {
            rows.push(at(None, subject), name, figure, None);
        }
    }
    for (item, target) in cooke.target_items.iter().zip(&model.targets) {
        for (subject, values) in [(PERFORMANCE_DM, &target.performance), (EQUAL_DM, &target.equal)] {
            for (percent, figure) in model.quantiles.iter().zip(values) {
                rows.push(at(Some(item.as_str()), subject), &format!("q{percent:02}"), *figure, None);
            }
        }
    }
}

/// The data dictionary of [`figures`]: every measure of every scope, with its definition.
/// Measures named `qNN` (a decision maker's NN % quantile) are defined once as `qNN`.
pub const MEASURES: &[(&str, &str, &str)] = &[
    ("item", "n", "Valid answers (not \"don't know\")."),
    ("item", "dont_know", "\"Don't know\" answers."),
    ("item", "response_rate", "Answers (valid or \"don't know\") ÷ experts invited to the round."),
    (
        "item",
        "median",
        "Median of the valid answers (the study's quantile method; see summary.json `quantile_method`).",
    ),
    ("item", "mean", "Arithmetic mean of the valid answers."),
    ("item", "sd", "Sample standard deviation (n − 1)."),
    ("item", "q1", "First quartile (25 %)."),
    ("item", "q3", "Third quartile (75 %)."),
    ("item", "iqr", "Interquartile range, q3 − q1."),
    (
        "item",
        "agreement_percent",
        "Share of valid answers in the study's agreement set (e.g. the top points of the scale), in percent.",
    ),
    ("item", "cv", "Coefficient of variation, sd ÷ mean."),
    ("item", "tastle_wierman", "Tastle–Wierman consensus: 1 = everyone on one point, 0 = split between the extremes."),
    ("item", "van_der_eijk", "Van der Eijk's agreement A, from −1 (polarised) through 0 (uniform) to 1 (one point)."),
    ("item", "leik", "Leik's ordinal dispersion, 0 (one point) to 1 (split between the extremes)."),
    ("item", "rwg", "James, Demaree and Wolf's r_wg: 1 − observed variance ÷ variance of a uniform answer."),
    (
        "item",
        "rand_p30",
        "RAND/UCLA: 30th percentile of the answers, on the 1–9 scale (other scales are mapped onto it).",
    ),
    ("item", "rand_p70", "RAND/UCLA: 70th percentile of the answers, on the 1–9 scale."),
    ("item", "rand_ipr", "RAND/UCLA interpercentile range, p70 − p30."),
    ("item", "rand_iprcp", "RAND/UCLA central point of the IPR, (p30 + p70) ÷ 2."),
    ("item", "rand_asymmetry", "RAND/UCLA asymmetry index, the distance of IPRCP from 5, the middle of the 1–9 scale."),
    ("item", "rand_ipras", "RAND/UCLA IPR adjusted for symmetry, 2.35 + 1.5 × asymmetry index."),
    ("item", "rand_disagreement_index", "RAND/UCLA disagreement index, IPR ÷ IPRAS; above 1 means disagreement."),
    ("item", "polarisation_low_share", "Share (0–1) of valid answers in the lowest third of the scale."),
    ("item", "polarisation_high_share", "Share (0–1) of valid answers in the highest third of the scale."),
    ("item", "pool_q05", "Equal-weight pool of the experts' quantile answers: its 5 % quantile."),
    ("item", "pool_q50", "Equal-weight pool: its median."),
    ("item", "pool_q95", "Equal-weight pool: its 95 % quantile."),
    (
        "item",
        "kendall_w",
        "Kendall's W over the rankings, corrected for tied places: 0 = no agreement, 1 = identical rankings.",
    ),
    ("item", "kendall_w_uncorrected", "Kendall's W without the tie correction."),
    ("item", "kendall_chi_square", "χ² = m (k − 1) W for m rankings of k options, the statistic of the test of W = 0."),
    ("item", "kendall_p_value", "p-value of χ² with k − 1 degrees of freedom."),
    (
        "group",
        "n",
        "Valid answers in the group; undefined when the group is below the minimum group size and its figures are suppressed.",
    ),
    ("group", "median", "The group's median."),
    ("group", "q1", "The group's first quartile."),
    ("group", "q3", "The group's third quartile."),
    ("group", "iqr", "The group's interquartile range."),
    ("group", "agreement_percent", "The group's share of answers in the agreement set, in percent."),
    ("group", "suppressed_groups", "Groups of the attribute below the minimum group size (no figures, in no test)."),
    ("group", "mann_whitney_u1", "Mann–Whitney U of the first shown group (in name order) against the second."),
    ("group", "mann_whitney_z", "Its z-score with continuity correction (normal approximation only)."),
    (
        "group",
        "mann_whitney_p_value",
        "Two-sided p-value: exact with mid-ranks up to 50 answers, normal approximation above.",
    ),
    ("group", "kruskal_wallis_h", "Kruskal–Wallis H between three or more shown groups, corrected for ties."),
    ("group", "kruskal_wallis_df", "Its degrees of freedom, groups − 1."),
    ("group", "kruskal_wallis_p_value", "p-value of H from the χ² distribution."),
    ("group", "test_p_value", "No test was run; undefined_because says why."),
    ("stability", "pairs", "Experts with a valid answer in both rounds."),
    ("stability", "moved", "Pairs whose answer changed."),
    ("stability", "moved_percent", "100 × moved ÷ pairs."),
    ("stability", "stable", "1 when moved_percent is at most the study's stability limit, else 0."),
    (
        "stability",
        "wilcoxon_statistic",
        "Wilcoxon signed-rank statistic min(W+, W−) of later − earlier (zero differences dropped).",
    ),
    ("stability", "wilcoxon_z", "Its z-score (normal approximation only)."),
    (
        "stability",
        "wilcoxon_p_value",
        "Two-sided p-value: exact with mid-ranks up to 50 non-zero differences, normal approximation above.",
    ),
    ("stability", "cv_change", "CV in the later round − CV in the earlier one."),
    ("stability", "iqr_change", "IQR in the later round − IQR in the earlier one."),
    ("stability", "mcnemar_b", "McNemar: pairs in the agreement set before and not after."),
    ("stability", "mcnemar_c", "McNemar: pairs not in the agreement set before and in it after."),
    ("stability", "mcnemar_chi_square", "Continuity-corrected χ² (chi-square method only)."),
    ("stability", "mcnemar_p_value", "Two-sided p-value: exact binomial when b + c < 25, χ² otherwise."),
    ("stability", "dropouts", "Experts with a valid earlier answer and no later answer to the item."),
    ("stability", "stayers", "Experts paired across the two rounds."),
    ("stability", "dropout_mann_whitney_u1", "Mann–Whitney U of the drop-outs' earlier answers against the stayers'."),
    ("stability", "dropout_mann_whitney_z", "Its z-score (normal approximation only)."),
    (
        "stability",
        "dropout_mann_whitney_p_value",
        "Two-sided p-value: did those who dropped out answer differently? Exact up to 50 answers.",
    ),
    ("reliability", "alpha_nominal", "Krippendorff's α with the nominal metric: 1 = perfect agreement, 0 = chance."),
    ("reliability", "alpha_ordinal", "Krippendorff's α with the ordinal metric (the one to read for rating scales)."),
    ("reliability", "alpha_interval", "Krippendorff's α with the interval metric."),
    ("reliability", "alpha_ratio", "Krippendorff's α with the ratio metric."),
    ("reliability", "pairable_values", "Values in units with at least two values (α's n)."),
    ("reliability", "pairable_units", "Items with at least two values."),
    ("cooke", "seeds", "Seed items (questions with a known answer) the model was scored on."),
    ("cooke", "experts_excluded", "Experts left out because they answered no seed item."),
    ("cooke", "alpha", "The optimised significance level: experts calibrated below it get no weight."),
    (
        "cooke",
        "calibration",
        "Calibration: the p-value of the hypothesis that the realisations fall in the expert's inter-quantile bins as often as the quantiles say.",
    ),
    (
        "cooke",
        "information",
        "Mean relative information of the expert's distributions against the uniform (or log-uniform) background, over the seeds.",
    ),
    ("cooke", "combined", "Calibration × information (the unnormalised weight)."),
    ("cooke", "weight", "The normalised performance weight at the optimised α (0 below it)."),
    ("cooke", "qNN", "A decision maker's NN % quantile for the target item (e.g. q05, q50, q95)."),
];

/// `figures.md`: what each column and measure of `figures.csv`/`.parquet` means.
pub fn dictionary() -> String {
    let mut out = String::from(
        "# figures.csv and figures.parquet: data dictionary\n\n\
         One row per figure. The CSV and the Parquet file hold the same rows.\n\n\
         | column | meaning |\n|---|---|\n\
         | round | The round (for `stability`, the later of the two). |\n\
         | item | The item's id; empty for figures of a whole round. |\n\
         | measure | The figure's name, defined below per scope. |\n\
         | value | The figure; empty (null) when it is undefined. |\n\
         | undefined_because | Why an undefined figure has no value. |\n\
         | scope | `item`, `group`, `stability`, `reliability` or `cooke`. |\n\
         | subject | `group`: `attribute=group` for a group's figures, the attribute for the test between groups; `stability`: the earlier round; `reliability`: the scale (and criterion); `cooke`: a pseudonym, a decision maker, or `model`. |\n\
         | method | For a p-value: `exact` (exact conditional distribution, ties included), `normal` (normal approximation with continuity correction), `chi_square` or `exact_binomial`. |\n",
    );
    for scope in Scope::ALL {
        let _ = write!(out, "\n## scope = {}\n\n| measure | definition |\n|---|---|\n", scope.name());
        for (_, measure, definition) in MEASURES.iter().filter(|(s, _, _)| *s == scope.name()) {
            let _ = writeln!(out, "| {measure} | {definition} |");
        }
    }
    out
}

/// The dictionary's name for a measure: quantiles `q05`, `q95` … are all `qNN`.
pub fn dictionary_name(measure: &str) -> &str {
    let quantile = measure.len() == 3 && measure.starts_with('q') && measure[1..].bytes().all(|b| b.is_ascii_digit());
    if quantile { "qNN" } else { measure }
}

/// One answer that counts (the latest revision of an expert's answer to an item in a round).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRow {
    /// The round.
    pub round: u32,
    /// The expert's random pseudonym (`p-…`), never their id, name or email.
    pub pseudonym: String,
    /// The item.
    pub item: String,
    /// The answer as JSON, as stored.
    pub answer: String,
    /// Which revision of the expert's answer this is (1 for the first).
    pub revision: u32,
}

/// Every answer that counts, one per row: `round, expert, item, answer, revision`.
pub fn answers(rows: &[AnswerRow]) -> Table {
    Table {
        columns: vec![
            Column { name: "round", values: Values::Integers(rows.iter().map(|r| i64::from(r.round)).collect()) },
            Column { name: "expert", values: Values::Texts(rows.iter().map(|r| r.pseudonym.clone()).collect()) },
            Column { name: "item", values: Values::Texts(rows.iter().map(|r| r.item.clone()).collect()) },
            Column { name: "answer", values: Values::Texts(rows.iter().map(|r| r.answer.clone()).collect()) },
            Column { name: "revision", values: Values::Integers(rows.iter().map(|r| i64::from(r.revision)).collect()) },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dictionary_defines_each_measure_once_per_scope() {
        let mut seen = std::collections::BTreeSet::new();
        for (scope, measure, definition) in MEASURES {
            assert!(Scope::ALL.iter().any(|s| s.name() == *scope), "{scope}");
            assert!(seen.insert((scope, measure)), "{scope}/{measure} twice");
            assert!(definition.ends_with('.') && !definition.contains('|'), "{measure}: {definition}");
        }
        assert_eq!(dictionary_name("q05"), "qNN");
        assert_eq!(dictionary_name("q1"), "q1");
        assert_eq!(dictionary_name("q95"), "qNN");
    }

    #[test]
    fn cells_that_a_spreadsheet_would_run_are_made_inert() {
        assert_eq!(inert_cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(inert_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(inert_cell("-2"), "'-2");
        assert_eq!(inert_cell("plain"), "plain");
    }

    #[test]
    fn csv_leaves_absent_values_empty_and_texts_inert() {
        let table = Table {
            columns: vec![
                Column { name: "n", values: Values::Integers(vec![1, 2]) },
                Column { name: "x", values: Values::OptionalNumbers(vec![Some(0.5), None]) },
                Column { name: "t", values: Values::OptionalTexts(vec![None, Some("=1+1".into())]) },
            ],
        };
        let csv = String::from_utf8(table.to_csv().unwrap()).unwrap();
        assert_eq!(csv, "n,x,t\n1,0.5,\n2,,'=1+1\n");
    }
}
