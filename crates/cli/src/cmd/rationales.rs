//! `delphi rationales export | import`: the translation round trip of a bilingual panel.
//!
//! A round's rationales go out as a CSV for translators — one row per distinct rationale
//! (identical ones grouped, as the feedback groups them) and per language it is not written
//! in — and come back with the `translation` column filled in. The rows carry a
//! content-derived id, the item, the text and languages: never who wrote it, and in text
//! order, not in the order of the authors. Imported translations (and the rationales the
//! coordinator marked in the `feature` column) become the next round's feedback when it opens.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::Utc;
use clap::{Args, Subcommand};
use delphi_core::study::{ItemId, Language};
use delphi_core::{Location, Problem, Problems, Study};
use delphi_report::tidy::{Column, Table, Values};
use delphi_store::{Refusal, RoundState, Store, StoreError, Translation, TranslationImport};
use delphi_survey::feedback::{GroupedRationale, group_rationales, rationale_id};

use crate::frozen::{RationaleContext, written_rationales};
use crate::workspace::Workspace;

/// The columns of the translators' file, in the order it is written.
const COLUMNS: [&str; 7] = ["id", "item", "language", "text", "translation_language", "translation", "feature"];

pub(crate) const ABOUT: &str = "\
Translate a round's rationales for experts who read another language.

A bilingual panel writes its rationales in two languages; fed back untranslated, half the
panel cannot read half of them. The round trip:

  1. delphi round close 1
  2. delphi rationales export --round 1 --out rationales-1.csv
       one row per distinct rationale and per language it is not written in:
       id, item, language, text, translation_language, translation (empty), feature
  3. A translator opens the file in a spreadsheet, fills the `translation` column and saves
     it as CSV (UTF-8). Rows left empty stay untranslated. Put x (or yes, 1) in `feature`
     to choose the rationales the next round's emails show for an item (within the cap);
     the web form always shows them all.
  4. delphi rationales import --round 1 rationales-1.csv
       checks every row (unknown ids, languages, a translation into the original's own
       language are refused with file:line:column and nothing is imported), stores the
       translations and prints what is still untranslated. Importing again replaces earlier
       translations of the same rows.
  5. delphi round open 2
       the feedback is frozen with the translations: each expert sees a rationale in their
       language as written, one in the other language with its translation first (marked)
       and the original below, or as written and marked \"untranslated\".

Import before opening the next round: once it is open its feedback is frozen and an import
is refused. The reports show the translations of every round's rationales too.";

#[derive(Debug, Subcommand)]
pub(crate) enum RationalesCommand {
    /// Write a round's rationales as a CSV for translators (no author, no pseudonym).
    Export(ExportArgs),
    /// Read the translators' CSV back: the translations and featured rationales become the
    /// next round's feedback.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The round whose rationales to translate (best once it is closed).
    #[arg(long)]
    round: u32,
    /// Where to write the CSV; by default `<data-dir>/<study>/round-<N>/rationales-for-translation.csv`.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The round the rationales were written in (the one given to `export`).
    #[arg(long)]
    round: u32,
    /// The CSV the translators filled in (any column order; UTF-8, with or without a BOM).
    file: PathBuf,
}

pub(crate) fn run(workspace: &Workspace, command: &RationalesCommand) -> Result<()> {
    match command {
        RationalesCommand::Export(args) => export(workspace, args),
        RationalesCommand::Import(args) => import(workspace, args),
    }
}

/// A distinct rationale of a round: the item it answers and its group.
struct Distinct {
    id: String,
    item: ItemId,
    group: GroupedRationale,
}

/// Every distinct rationale of round `round`, with what the store holds of its translations,
/// by item in the study's order, then in text order (never in the order of their authors).
fn distinct_rationales(study: &Study, store: &Store, round: u32) -> Result<Vec<Distinct>> {
    let answers = store.current_answers(&study.id, round)?;
    let context = RationaleContext::load(store, &study.id, round)?;
    let mut by_item: BTreeMap<(usize, ItemId), Vec<_>> = BTreeMap::new();
    for (order, domain) in study.domains.iter().enumerate() {
        for written in written_rationales(study, &answers, &domain.id) {
            let rationale = context.rationale(&written.item, written.pseudonym, written.text);
            by_item.entry((order, written.item)).or_default().push(rationale);
        }
    }
    Ok(by_item
        .into_iter()
        .flat_map(|((_, item), rationales)| {
            group_rationales(&rationales)
                .into_iter()
                .map(|group| Distinct {
                    id: rationale_id(item.as_str(), &group.rationale.text),
                    item: item.clone(),
                    group,
                })
                .collect::<Vec<_>>()
        })
        .collect())
}

/// The language a rationale was written in; the study's default when its author's is unknown.
fn written_in<'a>(study: &'a Study, distinct: &'a Distinct) -> &'a Language {
    distinct.group.rationale.language.as_ref().unwrap_or_else(|| study.default_language())
}

fn export(workspace: &Workspace, args: &ExportArgs) -> Result<()> {
    let (loaded, store) = workspace.open()?;
    let study = &loaded.study;
    let round = store.round(&study.id, args.round)?.ok_or(StoreError::Refused(Refusal::NoSuchRound(args.round)))?;
    match round.state {
        RoundState::Draft => bail!("round {} has not been opened yet; there are no rationales to export", args.round),
        RoundState::Open { .. } => eprintln!(
            "warning: round {} is still open; experts may add or change rationales until it closes. \
             Export again after `delphi round close` to catch them.",
            args.round
        ),
        RoundState::Closed { .. } => {}
    }
    let distinct = distinct_rationales(study, &store, args.round)?;
    let mut cells: [Vec<String>; 7] = Default::default();
    let mut per_language: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &distinct {
        let from = written_in(study, d);
        for target in study.languages.iter().filter(|l| *l != from) {
            let row = [
                d.id.clone(),
                d.item.to_string(),
                from.to_string(),
                d.group.rationale.text.clone(),
                target.to_string(),
                d.group.rationale.translations.get(target).cloned().unwrap_or_default(),
                if d.group.rationale.featured { "x".to_owned() } else { String::new() },
            ];
            for (column, cell) in cells.iter_mut().zip(row) {
                column.push(cell);
            }
            *per_language.entry(target.as_str()).or_default() += 1;
        }
    }
    let rows = cells[0].len();
    let table = Table::new(
        COLUMNS.iter().zip(cells).map(|(name, values)| Column { name, values: Values::Texts(values) }).collect(),
    )?;
    let path = args
        .out
        .clone()
        .unwrap_or_else(|| workspace.round_dir(study, args.round).join("rationales-for-translation.csv"));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    crate::atomic::write(&path, &table.to_csv()?)?;
    let targets: Vec<String> = per_language.iter().map(|(l, n)| format!("{n} into {l}")).collect();
    println!(
        "{}: {} distinct rationales of round {}, {rows} rows to translate ({}).",
        path.display(),
        distinct.len(),
        args.round,
        if targets.is_empty() { "the study has one language".to_owned() } else { targets.join(", ") }
    );
    println!(
        "Fill the `translation` column (and `feature` to choose what the emails show), then run\n  delphi rationales import --round {} {}",
        args.round,
        path.display()
    );
    Ok(())
}

fn import(workspace: &Workspace, args: &ImportArgs) -> Result<()> {
    let (loaded, mut store) = workspace.open()?;
    let study = &loaded.study;
    let id = &study.id;
    let round = store.round(id, args.round)?.ok_or(StoreError::Refused(Refusal::NoSuchRound(args.round)))?;
    if matches!(round.state, RoundState::Draft) {
        bail!("round {} has not been opened yet; there is nothing to translate", args.round);
    }
    // Checked before reading the file: nothing in it could be used.
    if store.round(id, args.round + 1)?.is_some_and(|next| !matches!(next.state, RoundState::Draft)) {
        return Err(StoreError::Refused(Refusal::FeedbackFrozen { round: args.round, next: args.round + 1 }).into());
    }
    let source = crate::source::read_text(&args.file, "the translations file")?;
    let distinct = distinct_rationales(study, &store, args.round)?;
    let known: HashMap<&str, &Language> = distinct.iter().map(|d| (d.id.as_str(), written_in(study, d))).collect();
    let rows = parse(&source, &args.file.display().to_string())?;
    let import = check(&rows, &known, &study.languages, &args.file, args.round)?;
    store.import_translations(id, args.round, &import, Utc::now())?;

    let translated: BTreeSet<(String, String)> =
        store.translations(id, args.round)?.into_iter().map(|t| (t.rationale_id, t.language)).collect();
    println!(
        "imported {} translations of round {}'s rationales ({} featured) from {}",
        import.translations.len(),
        args.round,
        import.featured.iter().filter(|(_, f)| *f).count(),
        args.file.display()
    );
    for target in &study.languages {
        let into: Vec<&Distinct> = distinct.iter().filter(|d| written_in(study, d) != target).collect();
        if into.is_empty() {
            continue;
        }
        let missing = into.iter().filter(|d| !translated.contains(&(d.id.clone(), target.to_string()))).count();
        println!(
            "  into {target}: {} of {} translated, {missing} still untranslated",
            into.len() - missing,
            into.len()
        );
    }
    if matches!(round.state, RoundState::Open { .. }) {
        eprintln!(
            "note: round {} is still open; rationales written from now on need translating too (export again after it closes)",
            args.round
        );
    }
    Ok(())
}

/// One data row of the translators' file, its cells by column name, with where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    line: usize,
    /// The column (1-based, in characters) each field starts at, by column name.
    columns: HashMap<String, usize>,
    cells: HashMap<String, String>,
}

impl Row {
    fn cell(&self, name: &str) -> &str {
        self.cells.get(name).map_or("", |c| c.trim())
    }

    fn at(&self, file: &str, name: &str) -> Location {
        Location { file: file.to_owned(), line: self.line, column: self.columns.get(name).copied().unwrap_or(1) }
    }
}

/// Reads the CSV as a spreadsheet saves it: a BOM, CRLF line ends, quoted cells with commas
/// and line breaks, columns in any order (found by their header, any case). Lines are counted
/// from the byte where each record starts, so a quoted cell that spans lines or CRLF ends do
/// not shift them.
fn parse(source: &str, file: &str) -> Result<Vec<Row>, Problems> {
    let body = source.strip_prefix('\u{feff}').unwrap_or(source);
    let problem = |line: usize, column: usize, field: &str, message: String, hint: Option<String>| Problem {
        location: Location { file: file.to_owned(), line, column },
        field: field.to_owned(),
        message,
        hint,
        source_line: body.lines().nth(line.saturating_sub(1)).unwrap_or_default().trim_end_matches('\r').to_owned(),
    };
    let fail = |problems: Vec<Problem>| Problems { file: file.to_owned(), problems };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(body.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| h.trim().to_lowercase()).collect(),
        Err(e) => return Err(fail(vec![problem(1, 1, "(header)", format!("the header cannot be read: {e}"), None)])),
    };
    let missing: Vec<&str> =
        ["id", "translation_language", "translation"].into_iter().filter(|c| !header.iter().any(|h| h == c)).collect();
    if !missing.is_empty() {
        let hint = if header.len() == 1 && header[0].contains(';') {
            "the file looks semicolon-separated; save it as CSV with commas (UTF-8)".to_owned()
        } else {
            format!("the file needs the columns {} as `delphi rationales export` writes them", COLUMNS.join(", "))
        };
        return Err(fail(vec![problem(1, 1, "(header)", format!("no column {}", missing.join(", ")), Some(hint))]));
    }
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
                return Err(fail(vec![problem(line, 1, "(row)", format!("the row cannot be read: {e}"), None)]));
            }
        }
        let mut start = record.position().map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0)).min(body.len());
        // After a `\r\n` the reader's record starts at the `\n`.
        while body.as_bytes().get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            start += 1;
        }
        let line = body.as_bytes()[..start].iter().filter(|b| **b == b'\n').count() + 1;
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let starts = field_columns(&body[start..], record.len());
        let mut row = Row { line, columns: HashMap::new(), cells: HashMap::new() };
        for (index, name) in header.iter().enumerate() {
            // A line break typed in a cell is saved as CRLF on some systems; stored as `\n`.
            row.cells.insert(name.clone(), record.get(index).unwrap_or_default().replace("\r\n", "\n"));
            row.columns.insert(name.clone(), starts.get(index).copied().unwrap_or(1));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// The column (1-based, in characters from the start of its line) where each of the first
/// `fields` fields of the record at the start of `text` begins, following CSV's quoting.
fn field_columns(text: &str, fields: usize) -> Vec<usize> {
    let mut starts = vec![1];
    let (mut column, mut quoted) = (1, false);
    for c in text.chars() {
        if starts.len() >= fields {
            break;
        }
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => starts.push(column + 1),
            '\n' if quoted => column = 0,
            '\n' | '\r' => break,
            _ => {}
        }
        column += 1;
    }
    starts
}

/// Whether a `feature` cell marks its row: any mark but an explicit no.
fn is_featured(cell: &str) -> bool {
    let cell = cell.trim().to_lowercase();
    !cell.is_empty() && !["no", "n", "0", "false", "-"].contains(&cell.as_str())
}

/// Checks the rows against the round's rationales and the study's languages; all problems at
/// once, or what to import.
fn check(
    rows: &[Row],
    known: &HashMap<&str, &Language>,
    languages: &[Language],
    file: &Path,
    round: u32,
) -> Result<TranslationImport, Problems> {
    let file = file.display().to_string();
    let study_languages = languages.iter().map(Language::as_str).collect::<Vec<_>>().join(", ");
    let mut problems = Vec::new();
    let mut report = |row: &Row, field: &str, message: String, hint: Option<String>| {
        problems.push(Problem {
            location: row.at(&file, field),
            field: field.to_owned(),
            message,
            hint,
            source_line: String::new(),
        });
    };
    let mut translations: BTreeMap<(String, String), (usize, String)> = BTreeMap::new();
    let mut featured: BTreeMap<String, bool> = BTreeMap::new();
    for row in rows {
        let id = row.cell("id");
        let Some(original) = known.get(id) else {
            report(
                row,
                "id",
                format!("no rationale of round {round} has the id `{id}`"),
                Some(format!(
                    "import the file `delphi rationales export --round {round}` wrote, with its ids unchanged"
                )),
            );
            continue;
        };
        let target = row.cell("translation_language");
        let Some(target) = languages.iter().find(|l| l.as_str() == target) else {
            report(
                row,
                "translation_language",
                format!("`{target}` is not a language of the study"),
                Some(format!("the study's languages are {study_languages}")),
            );
            continue;
        };
        if target == *original {
            report(
                row,
                "translation_language",
                format!("the rationale is written in `{target}` already; a translation must be into another language"),
                Some(format!("the study's languages are {study_languages}")),
            );
            continue;
        }
        let stated = row.cell("language");
        if !stated.is_empty() && stated != original.as_str() {
            report(
                row,
                "language",
                format!("the rationale `{id}` is written in `{original}`, not `{stated}`"),
                Some("leave the `language` column as exported".to_owned()),
            );
            continue;
        }
        *featured.entry(id.to_owned()).or_default() |= is_featured(row.cell("feature"));
        let text = row.cell("translation");
        if text.is_empty() {
            continue;
        }
        match translations.get(&(id.to_owned(), target.to_string())) {
            Some((first, other)) if other != text => report(
                row,
                "translation",
                format!("a second, different translation of `{id}` into `{target}`"),
                Some(format!("the first is on line {first}; keep one")),
            ),
            Some(_) => {}
            None => {
                translations.insert((id.to_owned(), target.to_string()), (row.line, text.to_owned()));
            }
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| (p.location.line, p.location.column));
        return Err(Problems { file, problems });
    }
    Ok(TranslationImport {
        translations: translations
            .into_iter()
            .map(|((rationale_id, language), (_, text))| Translation { rationale_id, language, text })
            .collect(),
        featured: featured.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A translators' file as LibreOffice saves it: BOM, CRLF, the columns moved around, a
    /// quoted cell with a comma, a quote and a line break.
    const SAVED: &str = "\u{feff}translation,id,translation_language,feature,language\r\n\
        \"Mutual trust, first.\r\nThen \"\"verification\"\".\",r1,en,,zh\r\n\
        ,r2,zh,x,en\r\n\
        \u{4e92}\u{4fe1},r2,en,,en\r\n";

    #[test]
    fn a_spreadsheets_csv_is_read_with_lines_and_columns_where_a_person_sees_them() {
        let rows = parse(SAVED, "t.csv").unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].cell("translation"), "Mutual trust, first.\nThen \"verification\".");
        assert_eq!((rows[0].line, rows[1].line, rows[2].line), (2, 4, 5), "the quoted line break counts");
        assert_eq!(rows[1].cell("feature"), "x");
        assert_eq!(rows[1].columns["id"], 2);
        assert_eq!(rows[1].columns["translation_language"], 5);
    }

    #[test]
    fn bad_rows_are_refused_together_with_where_they_are() {
        let (zh, en) = (Language::parse("zh").unwrap(), Language::parse("en").unwrap());
        let known: HashMap<&str, &Language> = [("r1", &zh), ("r2", &en)].into_iter().collect();
        let rows = parse(SAVED, "t.csv").unwrap();
        let problems = check(&rows, &known, &[en.clone(), zh.clone()], Path::new("t.csv"), 1).unwrap_err();
        let found: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("t.csv:5:"), "{found:?}");
        assert!(found[0].contains("written in `en` already"), "{found:?}");

        let unknown = "id,translation_language,translation\nr9,zh,x\nr1,fr,y\n";
        let rows = parse(unknown, "u.csv").unwrap();
        let problems = check(&rows, &known, &[en.clone(), zh.clone()], Path::new("u.csv"), 1).unwrap_err();
        let found: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(found[0].starts_with("u.csv:2:1: id: no rationale of round 1 has the id `r9`"), "{found:?}");
        assert!(found[1].starts_with("u.csv:3:4: translation_language: `fr` is not a language"), "{found:?}");
    }

    #[test]
    fn empty_translations_are_skipped_and_a_feature_mark_counts_for_the_rationale() {
        let (zh, en) = (Language::parse("zh").unwrap(), Language::parse("en").unwrap());
        let known: HashMap<&str, &Language> = [("r1", &zh), ("r2", &en)].into_iter().collect();
        let text = "id,translation_language,translation,feature\nr1,en,Trust first,\nr2,zh,,yes\n";
        let import =
            check(&parse(text, "f.csv").unwrap(), &known, &[en.clone(), zh.clone()], Path::new("f.csv"), 1).unwrap();
        assert_eq!(import.translations.len(), 1);
        assert_eq!(import.translations[0].text, "Trust first");
        assert_eq!(import.featured, [("r1".to_owned(), false), ("r2".to_owned(), true)]);
    }

    #[test]
    fn a_file_without_the_columns_says_what_it_lacks() {
        let problems = parse("id;translation\nr1;x\n", "s.csv").unwrap_err();
        let text = problems.iter().map(ToString::to_string).collect::<String>();
        assert!(
            text.contains("no column id, translation_language, translation") && text.contains("semicolon"),
            "{text}"
        );
    }
}
