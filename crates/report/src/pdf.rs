//! PDF through typst, in-process: a minimal [`World`] holding the template and the report's
//! JSON in memory, the fonts of `typst-assets` (plus any the caller passes), no file or
//! network access and a fixed date, so the same report always gives the same bytes.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::ReportError;
use crate::model::Report;

/// The Typst template. It reads the model from `report.json` (or `--input data=…`).
pub const TEMPLATE: &str = include_str!("report.typ");

/// The name the template reads the JSON from by default.
pub const DATA_FILE: &str = "report.json";

/// Options of the PDF renderer.
#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    /// Extra font files (TTF, OTF or collections), e.g. a CJK font the CLI found on the
    /// system. The embedded fonts (Libertinus Serif, New Computer Modern, DejaVu Sans Mono)
    /// have no Chinese glyphs; without a CJK font, Chinese text is missing from the PDF and
    /// the PDF says so at the top.
    pub fonts: Vec<Vec<u8>>,
}

/// A rendered PDF and what is needed to recompile it with the typst CLI.
#[derive(Debug, Clone)]
pub struct PdfReport {
    /// The PDF.
    pub pdf: Vec<u8>,
    /// The template ([`TEMPLATE`]), to be written beside the PDF as `report.typ`.
    pub template: &'static str,
    /// The model as JSON, to be written beside it as [`DATA_FILE`].
    pub json: String,
    /// Pages.
    pub pages: usize,
    /// Typst's warnings and the notices added (e.g. characters no font covers).
    pub warnings: Vec<String>,
}

static EMBEDDED_FONTS: LazyLock<Vec<Font>> =
    LazyLock::new(|| typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect());

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

fn file_id(path: &str) -> FileId {
    RootedPath::new(VirtualRoot::Project, VirtualPath::new(path).expect("a valid virtual path")).intern()
}

struct ReportWorld {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    data_id: FileId,
    data: Bytes,
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() { Ok(self.main.clone()) } else { Err(FileError::AccessDenied) }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id { Ok(self.data.clone()) } else { Err(FileError::AccessDenied) }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Datetime::from_ymd(2000, 1, 1)
    }
}

fn is_cjk(c: char) -> bool {
    matches!(u32::from(c), 0x2E80..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x2FFFF)
}

fn diagnostics(d: &[SourceDiagnostic]) -> String {
    d.iter()
        .map(|x| {
            let hints: Vec<&str> = x.hints.iter().map(|h| h.v.as_str()).collect();
            if hints.is_empty() { x.message.to_string() } else { format!("{} (hint: {})", x.message, hints.join("; ")) }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Renders the report to PDF.
pub fn render_pdf(report: &Report, options: &PdfOptions) -> Result<PdfReport, ReportError> {
    let mut fonts = EMBEDDED_FONTS.clone();
    for data in &options.fonts {
        let before = fonts.len();
        fonts.extend(Font::iter(Bytes::new(data.clone())));
        if fonts.len() == before {
            return Err(ReportError::Font);
        }
    }

    // Characters no font has: with CJK among them, say so in the PDF and to the caller.
    let mut report = report.clone();
    let mut warnings = Vec::new();
    let text = serde_json::to_string(&report_data(&report)?)?;
    let mut missing: Vec<char> = text
        .chars()
        .filter(|c| !c.is_ascii() && !fonts.iter().any(|f| f.info().coverage.contains(u32::from(*c))))
        .collect();
    missing.sort_unstable();
    missing.dedup();
    if missing.iter().copied().any(is_cjk) {
        report.notices.push(report.labels.cjk_font_missing.clone());
    }
    if !missing.is_empty() {
        warnings.push(format!("{} characters have no glyph in the available fonts", missing.len()));
    }
    let json = serde_json::to_string_pretty(&report_data(&report)?)?;

    let world = ReportWorld {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
        main: Source::new(file_id("/report.typ"), TEMPLATE.to_owned()),
        data_id: file_id(&format!("/{DATA_FILE}")),
        data: Bytes::from_string(json.clone()),
    };
    let compiled = typst::compile::<PagedDocument>(&world);
    warnings.extend(
        compiled.warnings.iter().filter(|w| !w.message.contains("unknown font family")).map(|w| w.message.to_string()),
    );
    let document = compiled.output.map_err(|e| ReportError::Typst(diagnostics(&e)))?;
    let pdf = typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|e| ReportError::Typst(diagnostics(&e)))?;
    Ok(PdfReport { pdf, template: TEMPLATE, json, pages: document.pages().len(), warnings })
}

/// The model as the template reads it: every text with its control characters and bidi
/// overrides dropped (`delphi_core::text::for_report`). Typst would otherwise set a NUL or
/// ESC as a missing glyph, and an unbalanced override would reorder the rest of a line.
fn report_data(report: &Report) -> Result<serde_json::Value, ReportError> {
    let mut data = serde_json::to_value(report)?;
    drop_controls(&mut data);
    Ok(data)
}

fn drop_controls(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(text) => {
            if let std::borrow::Cow::Owned(clean) = delphi_core::text::for_report(text) {
                *text = clean;
            }
        }
        serde_json::Value::Array(values) => values.iter_mut().for_each(drop_controls),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(drop_controls),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_reads_the_data_file_the_cli_writes() {
        assert!(TEMPLATE.contains(&format!("default: \"{DATA_FILE}\"")));
        assert!(!TEMPLATE.contains("eval("), "no text is ever evaluated as markup");
    }

    #[test]
    fn cjk_ranges() {
        assert!(is_cjk('中') && is_cjk('，') && is_cjk('한'));
        assert!(!is_cjk('é') && !is_cjk('—'));
    }
}
