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

use delphi_stats::StudySummary;
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

/// Every figure of every item and round, one per row: `round, item, measure, value,
/// undefined_because` (an undefined figure has no value and says why).
pub fn figures(summary: &StudySummary) -> Table {
    let (mut round, mut item, mut measure, mut value, mut why) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for result in &summary.items {
        for (name, figure) in result.result.measures() {
            round.push(i64::from(result.round));
            item.push(result.item.as_str().to_owned());
            measure.push(name.to_owned());
            value.push(figure.value());
            why.push(if figure.value().is_some() { None } else { figure.reason().map(|r| r.to_string()) });
        }
    }
    Table {
        columns: vec![
            Column { name: "round", values: Values::Integers(round) },
            Column { name: "item", values: Values::Texts(item) },
            Column { name: "measure", values: Values::Texts(measure) },
            Column { name: "value", values: Values::OptionalNumbers(value) },
            Column { name: "undefined_because", values: Values::OptionalTexts(why) },
        ],
    }
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
