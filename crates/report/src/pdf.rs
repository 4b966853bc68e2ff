//! PDF through typst, in-process: a minimal [`World`] holding one of the crate's templates, the
//! files it imports and its JSON data in memory, the one typeface the templates set (plus any
//! font the caller passes), no file or network access and a fixed date, so the same data always gives
//! the same bytes.

use std::sync::LazyLock;

use serde::Serialize;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook, FontInfo, FontStyle, FontWeight};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

use crate::ReportError;
use crate::model::Report;

/// A typst file of this crate: its name, as the files that import it spell it, and its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypstFile {
    /// The file name, e.g. `style.typ`.
    pub name: &'static str,
    /// Its source.
    pub source: &'static str,
}

/// One of the crate's documents: the main template, the files it imports (written beside it
/// so that `typst compile` recompiles it) and the JSON file it reads by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Template {
    /// The main file.
    pub main: TypstFile,
    /// The files the main file imports, directly or through one another.
    pub imports: &'static [TypstFile],
    /// The name of the JSON file the template reads unless `--input data=…` names another.
    pub data_file: &'static str,
}

/// The shared look of every document: page, type, tables, headings.
pub const STYLE: TypstFile = TypstFile { name: "style.typ", source: include_str!("style.typ") };

/// The study report's tests between groups and rounds, in words.
const RANK_TESTS: TypstFile = TypstFile { name: "rank-tests.typ", source: include_str!("rank-tests.typ") };
/// The report's part for the reporting guidelines (DELPHISTAR, ACCORD), imported by `report.typ`.
pub const GUIDELINES: TypstFile = TypstFile { name: "guidelines.typ", source: include_str!("guidelines.typ") };
/// The findings in words on page 1 of the study report.
pub const FINDINGS: TypstFile = TypstFile { name: "findings.typ", source: include_str!("findings.typ") };

/// The report's appendix holding each round's questionnaire, imported by `report.typ`.
const QUESTIONNAIRE: TypstFile = TypstFile { name: "questionnaire.typ", source: include_str!("questionnaire.typ") };

/// The study report's template. It reads the model from `report.json` (or `--input data=…`).
pub const REPORT_TEMPLATE: Template = Template {
    main: TypstFile { name: "report.typ", source: include_str!("report.typ") },
    imports: &[
        STYLE,
        FINDINGS,
        RANK_TESTS,
        crate::cooke::COOKE_TABLES,
        crate::study_cooke::COOKE_SECTION,
        GUIDELINES,
        QUESTIONNAIRE,
    ],
    data_file: "report.json",
};

/// The study report's template source.
pub const TEMPLATE: &str = REPORT_TEMPLATE.main.source;

/// The name the study report's template reads the JSON from by default.
pub const DATA_FILE: &str = REPORT_TEMPLATE.data_file;

/// Options of the PDF renderer.
#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    /// Extra font files (TTF, OTF or collections), e.g. a CJK font the CLI found on the
    /// system. The embedded font (Libertinus Serif) has no Chinese glyphs; without a CJK font,
    /// Chinese text is missing from the PDF and the PDF says so at the top.
    pub fonts: Vec<Vec<u8>>,
}

/// A rendered PDF and what is needed to recompile it with the typst CLI.
#[derive(Debug, Clone)]
pub struct PdfReport {
    /// The PDF.
    pub pdf: Vec<u8>,
    /// The main template's source, to be written beside the PDF under its name
    /// ([`Template::main`]).
    pub template: &'static str,
    /// The files the template imports, to be written beside it.
    pub imports: &'static [TypstFile],
    /// The data as JSON, to be written beside it as the template's [`Template::data_file`].
    pub json: String,
    /// Pages.
    pub pages: usize,
    /// Typst's warnings and the notices added (e.g. characters no font covers).
    pub warnings: Vec<String>,
}

/// Libertinus Serif in the four faces the templates set (`style.typ`; bold and italic from
/// `strong` and `emph`), under `fonts/OFL.txt`. Only these: typst-assets' other fonts (New
/// Computer Modern, its maths fonts, DejaVu Sans Mono; 7.8 MB of the binary) no template uses.
const EMBEDDED_FONT_FILES: [&[u8]; 4] = [
    include_bytes!("../fonts/LibertinusSerif-Regular.otf"),
    include_bytes!("../fonts/LibertinusSerif-Bold.otf"),
    include_bytes!("../fonts/LibertinusSerif-Italic.otf"),
    include_bytes!("../fonts/LibertinusSerif-BoldItalic.otf"),
];

static EMBEDDED_FONTS: LazyLock<Vec<Font>> =
    LazyLock::new(|| EMBEDDED_FONT_FILES.iter().flat_map(|data| Font::iter(Bytes::new(data))).collect());

/// CJK families in the order a report wants them: the ones `style.typ` names, Noto Sans CJK SC
/// first (the face the reports were laid out with), then the common Chinese families of Adobe,
/// macOS, Windows and Linux desktops. Any other regular face covering Chinese comes after.
pub const CJK_FAMILIES: &[&str] = &[
    "Noto Sans CJK SC",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "Source Han Serif SC",
    "PingFang SC",
    "Hiragino Sans GB",
    "Microsoft YaHei",
    "SimSun",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
];

/// Characters every Chinese report sets (中国 "China", 的, 专家 "expert"): a face without
/// them is no CJK font for us, whatever its name.
const CHINESE_PROBE: [char; 5] = ['中', '国', '的', '专', '家'];

/// Of the fonts found on a system (each with what it is), the one to pass in
/// [`PdfOptions::fonts`] for Chinese text: an upright face covering Chinese, the nearest to
/// regular weight (a body set in bold reads worse than one in another family), of the first
/// family in [`CJK_FAMILIES`] among those, else of any family.
pub fn best_cjk_font<'a, T>(faces: impl IntoIterator<Item = (T, &'a FontInfo)>) -> Option<T> {
    faces
        .into_iter()
        .filter(|(_, info)| {
            info.variant.style == FontStyle::Normal
                && CHINESE_PROBE.iter().all(|c| info.coverage.contains(u32::from(*c)))
        })
        .min_by_key(|(_, info)| {
            let family = CJK_FAMILIES.iter().position(|f| f.eq_ignore_ascii_case(&info.family));
            (info.variant.weight.distance(FontWeight::REGULAR), family.unwrap_or(CJK_FAMILIES.len()))
        })
        .map(|(font, _)| font)
}

static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

fn file_id(path: &str) -> FileId {
    RootedPath::new(VirtualRoot::Project, VirtualPath::new(path).expect("a valid virtual path")).intern()
}

struct ReportWorld {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    imports: Vec<Source>,
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
        std::iter::once(&self.main)
            .chain(&self.imports)
            .find(|source| source.id() == id)
            .cloned()
            .ok_or(FileError::AccessDenied)
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
    let fonts = fonts_with(&options.fonts)?;
    // Characters no font has: with CJK among them, say so in the PDF and to the caller.
    let mut report = report.clone();
    let missing = missing_glyphs(&serde_json::to_string(&template_data(&report)?)?, &fonts);
    if missing.iter().copied().any(is_cjk) {
        report.notices.push(report.labels.cjk_font_missing.clone());
    }
    compile(&REPORT_TEMPLATE, &template_data(&report)?, fonts, &missing)
}

/// Renders `data` to PDF with one of the crate's templates (it reads `data` as its JSON file).
/// Every text in `data` is inserted as a string, with its control characters dropped.
pub(crate) fn render_with<T: Serialize>(
    template: &Template,
    data: &T,
    options: &PdfOptions,
) -> Result<PdfReport, ReportError> {
    let fonts = fonts_with(&options.fonts)?;
    let data = template_data(data)?;
    let missing = missing_glyphs(&serde_json::to_string(&data)?, &fonts);
    compile(template, &data, fonts, &missing)
}

/// The embedded fonts and the caller's.
fn fonts_with(extra: &[Vec<u8>]) -> Result<Vec<Font>, ReportError> {
    let mut fonts = EMBEDDED_FONTS.clone();
    for data in extra {
        let before = fonts.len();
        fonts.extend(Font::iter(Bytes::new(data.clone())));
        if fonts.len() == before {
            return Err(ReportError::Font);
        }
    }
    Ok(fonts)
}

/// The distinct non-ASCII characters of `text` that no font covers.
fn missing_glyphs(text: &str, fonts: &[Font]) -> Vec<char> {
    let mut missing: Vec<char> = text
        .chars()
        .filter(|c| !c.is_ascii() && !fonts.iter().any(|f| f.info().coverage.contains(u32::from(*c))))
        .collect();
    missing.sort_unstable();
    missing.dedup();
    missing
}

fn compile(
    template: &Template,
    data: &serde_json::Value,
    fonts: Vec<Font>,
    missing: &[char],
) -> Result<PdfReport, ReportError> {
    let mut warnings = Vec::new();
    if !missing.is_empty() {
        warnings.push(format!("{} characters have no glyph in the available fonts", missing.len()));
    }
    let json = serde_json::to_string_pretty(data)?;
    let source = |file: &TypstFile| Source::new(file_id(&format!("/{}", file.name)), file.source.to_owned());
    let world = ReportWorld {
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
        main: source(&template.main),
        imports: template.imports.iter().map(source).collect(),
        data_id: file_id(&format!("/{}", template.data_file)),
        data: Bytes::from_string(json.clone()),
    };
    let compiled = typst::compile::<PagedDocument>(&world);
    warnings.extend(
        compiled.warnings.iter().filter(|w| !w.message.contains("unknown font family")).map(|w| w.message.to_string()),
    );
    let document = compiled.output.map_err(|e| ReportError::Typst(diagnostics(&e)))?;
    let pdf = typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|e| ReportError::Typst(diagnostics(&e)))?;
    Ok(PdfReport {
        pdf,
        template: template.main.source,
        imports: template.imports,
        json,
        pages: document.pages().len(),
        warnings,
    })
}

/// The data as a template reads it: every text with its control characters and bidi
/// overrides dropped (`delphi_core::text::for_report`). Typst would otherwise set a NUL or
/// ESC as a missing glyph, and an unbalanced override would reorder the rest of a line.
fn template_data<T: Serialize>(data: &T) -> Result<serde_json::Value, ReportError> {
    let mut data = serde_json::to_value(data)?;
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

    /// Every face of the font files `names` (Debian's fonts-noto-cjk, which the test command
    /// installs, and the embedded Libertinus), each with its file's name.
    fn faces_of(names: &[&str]) -> Vec<(String, Font)> {
        names
            .iter()
            .flat_map(|name| {
                let data = if name.starts_with("Libertinus") {
                    EMBEDDED_FONT_FILES[0].to_vec()
                } else {
                    std::fs::read(format!("/usr/share/fonts/opentype/noto/{name}"))
                        .expect("fonts-noto-cjk is installed")
                };
                Font::iter(Bytes::new(data)).map(|font| ((*name).to_owned(), font)).collect::<Vec<_>>()
            })
            .collect()
    }

    fn best_of(names: &[&str]) -> Option<(String, String)> {
        let faces = faces_of(names);
        best_cjk_font(faces.iter().map(|(name, font)| ((name, font.info().family.clone()), font.info())))
            .map(|(name, family)| (name.clone(), family))
    }

    #[test]
    fn the_cjk_font_is_the_regular_noto_sans_sc_face_among_all_the_installed_ones() {
        let installed = [
            "LibertinusSerif-Regular.otf",
            "NotoSerifCJK-Bold.ttc",
            "NotoSansCJK-Bold.ttc",
            "NotoSerifCJK-Regular.ttc",
            "NotoSansCJK-Regular.ttc",
        ];
        assert_eq!(best_of(&installed), Some(("NotoSansCJK-Regular.ttc".to_owned(), "Noto Sans CJK SC".to_owned())));
        // Without regular sans, the regular serif the style also names, not bold sans; bold alone
        // if nothing else.
        assert_eq!(
            best_of(&installed[..4]),
            Some(("NotoSerifCJK-Regular.ttc".to_owned(), "Noto Serif CJK SC".to_owned()))
        );
        assert_eq!(best_of(&installed[2..3]), Some(("NotoSansCJK-Bold.ttc".to_owned(), "Noto Sans CJK SC".to_owned())));
    }

    #[test]
    fn a_font_without_chinese_is_never_taken_for_the_cjk_font() {
        assert_eq!(best_of(&["LibertinusSerif-Regular.otf"]), None);
    }

    #[test]
    fn each_template_reads_its_data_file_imports_what_it_ships_and_evaluates_no_text() {
        for template in [REPORT_TEMPLATE, crate::cooke::COOKE_TEMPLATE] {
            let main = template.main.source;
            assert!(main.contains(&format!("default: \"{}\"", template.data_file)), "{}", template.main.name);
            for file in std::iter::once(&template.main).chain(template.imports) {
                assert!(!file.source.contains("eval("), "{}: no text is ever evaluated as markup", file.name);
                for imported in file.source.lines().filter_map(|l| l.strip_prefix("#import \"")) {
                    let name = imported.split('"').next().unwrap_or_default();
                    assert!(
                        template.imports.iter().any(|f| f.name == name),
                        "{name} is shipped with {}",
                        template.main.name
                    );
                }
            }
        }
    }

    #[test]
    fn cjk_ranges() {
        assert!(is_cjk('中') && is_cjk('，') && is_cjk('한'));
        assert!(!is_cjk('é') && !is_cjk('—'));
    }
}
