//! The panel: who is asked. Parsed from a CSV with one expert per row.
//!
//! Identities (name, email) live here and in the store only; analyses and reports
//! work on pseudonyms the store assigns.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::problem::{ProblemSink, Problems, did_you_mean};
use crate::study::{Language, PanelAttribute, Study};

/// The coordinator's handle for an expert, stable across re-imports (e.g. `E07`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ExpertId(String);

impl ExpertId {
    /// The id `id` if it is one: 1–64 ASCII letters, digits, `-`, `_` or `.`.
    pub fn parse(id: &str) -> Option<Self> {
        let valid = (1..=64).contains(&id.len())
            && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        valid.then(|| Self(id.to_owned()))
    }

    /// The id as written in the panel CSV.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ExpertId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A syntactically valid email address (`local@domain.tld`), domain in lower case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// The address `address` if it is one, its domain put in lower case.
    pub fn parse(address: &str) -> Option<Self> {
        let (local, domain) = address.rsplit_once('@')?;
        let local_ok = (1..=64).contains(&local.len())
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && domain.len() <= 253
            && labels.iter().all(|l| {
                (1..=63).contains(&l.len())
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
        (local_ok && domain_ok).then(|| Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    /// The address, its domain in lower case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One expert of the panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelMember {
    /// The coordinator's handle for the expert (`id`).
    pub id: ExpertId,
    /// The expert's name, for letters addressed to them; never in an analysis.
    pub name: String,
    /// Where invitations, reminders and receipts go.
    pub email: Email,
    /// The expert's institution, a grouping attribute.
    pub institution: String,
    /// The expert's country, a grouping attribute.
    pub country: String,
    /// The expert's bloc, a grouping attribute.
    pub bloc: String,
    /// The language the expert is asked in; one of the study's.
    pub language: Language,
    /// The expert's field, a grouping attribute.
    pub expertise: String,
    /// Where the expert lives, as an IANA time-zone name (`Asia/Shanghai`), from the
    /// optional `time_zone` column: letters give the deadline in it as well as in UTC.
    pub time_zone: Option<String>,
}

impl PanelMember {
    /// The value of a grouping attribute (`bloc`, `institution`, …).
    pub fn attribute(&self, attribute: PanelAttribute) -> &str {
        match attribute {
            PanelAttribute::Institution => &self.institution,
            PanelAttribute::Country => &self.country,
            PanelAttribute::Bloc => &self.bloc,
            PanelAttribute::Language => self.language.as_str(),
            PanelAttribute::Expertise => &self.expertise,
        }
    }
}

/// A checked panel: at least one expert, unique ids and emails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panel {
    members: Vec<PanelMember>,
}

impl Panel {
    /// The experts, in the order of the CSV.
    pub fn members(&self) -> &[PanelMember] {
        &self.members
    }

    /// Parses and validates a panel CSV against the study (its languages and the
    /// attributes it groups by). `file` names it in problems.
    pub fn from_csv(source: &str, file: &str, study: &Study) -> Result<Self, Problems> {
        let mut sink = ProblemSink::new(file, source);
        let members = read_members(source, study, &mut sink);
        sink.finish(members.map(|members| Self { members }))
    }
}

const COLUMNS: [&str; 8] = ["id", "name", "email", "institution", "country", "bloc", "language", "expertise"];
/// Columns a panel may have; a file without them is as good.
const OPTIONAL_COLUMNS: [&str; 1] = ["time_zone"];

/// Whether `name` is a time zone of the IANA database (`Europe/Berlin`, `UTC`), as
/// letters name it.
pub fn is_time_zone(name: &str) -> bool {
    name.parse::<chrono_tz::Tz>().is_ok()
}

fn read_members(source: &str, study: &Study, sink: &mut ProblemSink<'_>) -> Option<Vec<PanelMember>> {
    if separated_by_semicolons(source) {
        report_semicolons(sink);
        return None;
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(source.as_bytes());
    let header = match reader.headers() {
        Ok(header) => header.clone(),
        Err(error) => {
            sink.report_at(1, 1, "(header)", format!("cannot read the header: {error}"), None);
            return None;
        }
    };
    let column_of = header_columns(&header, source, sink)?;
    let required = required_columns(study);

    let mut members = Vec::new();
    let mut seen = Seen::default();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                report_unreadable_row(&error, sink);
                continue;
            }
        };
        let (start, line) = record_start(source, &record);
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != header.len() {
            sink.report_at(
                line,
                1,
                "(row)",
                format!("this row has {} fields, the header has {}", record.len(), header.len()),
                Some("check for a missing or extra comma; quote fields that contain commas".into()),
            );
            continue;
        }
        let row = Row { source, record: &record, column_of: &column_of, start, line };
        members.extend(read_member(&row, &required, study, &mut seen, sink));
    }
    if members.is_empty() && sink.is_empty() {
        sink.report_at(
            1,
            1,
            "(panel)",
            "the panel has no experts",
            Some("add one row per expert below the header".into()),
        );
    }
    Some(members)
}

fn report_semicolons(sink: &mut ProblemSink<'_>) {
    sink.report_at(
        1,
        1,
        "(header)",
        "the file is separated by semicolons (`;`), not commas",
        Some(
            "spreadsheets in many European locales save CSV with `;`. Save it with commas: in Excel \
             choose Save As › “CSV UTF-8 (Comma delimited)”; in LibreOffice Calc tick “Edit filter settings” \
             and choose `,` as the field delimiter"
                .into(),
        ),
    );
}

fn report_unreadable_row(error: &csv::Error, sink: &mut ProblemSink<'_>) {
    let line = error.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
    sink.report_at(
        line,
        1,
        "(row)",
        format!("cannot read this row: {error}"),
        Some("check quotes: a field with a comma must be in double quotes".into()),
    );
}

/// The columns every row must fill: those every expert needs, then each attribute the
/// study groups experts by.
fn required_columns(study: &Study) -> Vec<&'static str> {
    let mut required: Vec<&str> = vec!["id", "name", "email", "language"];
    for attribute in &study.subgroups.attributes {
        if !required.contains(&attribute.name()) {
            required.push(attribute.name());
        }
    }
    required
}

/// Where a record starts in the source: its first byte and its 1-based line.
fn record_start(source: &str, record: &csv::StringRecord) -> (usize, usize) {
    let position = record.position().cloned().unwrap_or_else(csv::Position::new);
    // Counted from the byte offset, not taken from the reader: its line count is off
    // after CRLF line ends and after a quoted field that spans lines.
    let mut start_byte = usize::try_from(position.byte()).unwrap_or(0).min(source.len());
    // after `\r\n` the reader's record starts at the `\n`
    while source.as_bytes().get(start_byte).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
        start_byte += 1;
    }
    let line = source.as_bytes()[..start_byte].iter().filter(|b| **b == b'\n').count() + 1;
    (start_byte, line)
}

/// One data row of the panel, with where it is in the file, so that a problem points at
/// its field.
struct Row<'a> {
    source: &'a str,
    record: &'a csv::StringRecord,
    column_of: &'a BTreeMap<&'static str, usize>,
    /// The row's first byte in `source`.
    start: usize,
    line: usize,
}

impl Row<'_> {
    /// The field of column `name`, empty when the file has no such column.
    fn field(&self, name: &str) -> String {
        self.column_of.get(name).and_then(|index| self.record.get(*index)).unwrap_or_default().to_owned()
    }

    /// The 1-based character column where the field of column `name` begins (the column
    /// must be in the file).
    fn column(&self, name: &str) -> usize {
        field_column(self.source, self.start, self.column_of[name])
    }
}

/// The ids and email addresses of the rows read so far, each with its line: a second
/// use of one is reported with the first's line.
#[derive(Default)]
struct Seen {
    ids: BTreeMap<String, usize>,
    emails: BTreeMap<String, usize>,
}

/// Checks one row and makes it a panel member if it has no problem; reports each one.
fn read_member(
    row: &Row<'_>,
    required: &[&str],
    study: &Study,
    seen: &mut Seen,
    sink: &mut ProblemSink<'_>,
) -> Option<PanelMember> {
    let filled = required_fields_filled(row, required, sink);
    let on_one_line = fields_on_one_line(row, sink);
    let id = read_id(row, &mut seen.ids, sink);
    let email = read_email(row, &mut seen.emails, sink);
    let language = read_language(row, study, sink);
    let time_zone = read_time_zone(row, sink);
    let (true, true, Some(id), Some(email), Some(language), Ok(time_zone)) =
        (filled, on_one_line, id, email, language, time_zone)
    else {
        return None;
    };
    Some(PanelMember {
        id,
        name: row.field("name"),
        email,
        institution: row.field("institution"),
        country: row.field("country"),
        bloc: row.field("bloc"),
        language,
        expertise: row.field("expertise"),
        time_zone,
    })
}

/// Whether every required field of the row is filled in; reports each empty one.
fn required_fields_filled(row: &Row<'_>, required: &[&str], sink: &mut ProblemSink<'_>) -> bool {
    let mut filled = true;
    for name in required {
        if row.field(name).is_empty() {
            let why = if ["id", "name", "email", "language"].contains(name) {
                "every expert needs one"
            } else {
                "the study groups experts by it (`subgroups.attributes`)"
            };
            sink.report_at(row.line, row.column(name), *name, format!("`{name}` is empty"), Some(why.into()));
            filled = false;
        }
    }
    filled
}

/// Whether no field holds a line break or another control character; reports each one that
/// does.
fn fields_on_one_line(row: &Row<'_>, sink: &mut ProblemSink<'_>) -> bool {
    let mut on_one_line = true;
    // The name goes into the header of every message to the expert, and every field
    // into reports and terminals: a line break or a control character breaks them.
    for name in COLUMNS.iter().filter(|c| row.column_of.contains_key(*c)) {
        let value = row.field(name);
        if let Some(at) = value.chars().position(char::is_control) {
            let found = value.chars().nth(at).map_or(0, u32::from);
            sink.report_at(
                row.line,
                row.column(name) + at,
                *name,
                format!("`{name}` contains a line break or another control character (U+{found:04X})"),
                Some("write the field on one line, without control characters".into()),
            );
            on_one_line = false;
        }
    }
    on_one_line
}

/// The row's expert id, if valid and not used on an earlier row; reports an invalid or a
/// repeated one (an empty one is the required fields' problem).
fn read_id(row: &Row<'_>, ids: &mut BTreeMap<String, usize>, sink: &mut ProblemSink<'_>) -> Option<ExpertId> {
    let id = row.field("id");
    let expert_id = ExpertId::parse(&id);
    if expert_id.is_none() && !id.is_empty() {
        sink.report_at(
            row.line,
            row.column("id"),
            "id",
            format!("`{id}` is not a valid expert id"),
            Some("use letters, digits, '-', '_' or '.', at most 64".into()),
        );
    }
    if let Some(first) = (!id.is_empty()).then(|| ids.insert(id.clone(), row.line)).flatten() {
        sink.report_at(
            row.line,
            row.column("id"),
            "id",
            format!("duplicate expert id `{id}`"),
            Some(format!("already used on line {first}")),
        );
        return None;
    }
    expert_id
}

/// The row's email address, if valid and not used on an earlier row; reports an invalid or
/// a repeated one.
fn read_email(row: &Row<'_>, emails: &mut BTreeMap<String, usize>, sink: &mut ProblemSink<'_>) -> Option<Email> {
    let address = row.field("email");
    let email = Email::parse(&address);
    match &email {
        None if !address.is_empty() => sink.report_at(
            row.line,
            row.column("email"),
            "email",
            format!("`{address}` is not an email address"),
            Some("write it as name@example.org".into()),
        ),
        Some(email) => {
            if let Some(first) = emails.insert(email.as_str().to_ascii_lowercase(), row.line) {
                sink.report_at(
                    row.line,
                    row.column("email"),
                    "email",
                    format!("duplicate email `{address}`"),
                    Some(format!("already used on line {first}; each expert needs their own address")),
                );
                return None;
            }
        }
        None => {}
    }
    email
}

/// The row's language, if it is one of the study's; reports one that is not.
fn read_language(row: &Row<'_>, study: &Study, sink: &mut ProblemSink<'_>) -> Option<Language> {
    let language = row.field("language");
    if !language.is_empty() && !study.has_language(&language) {
        let declared: Vec<&str> = study.languages.iter().map(Language::as_str).collect();
        let hint = did_you_mean(&language, declared.iter().copied())
            .unwrap_or_else(|| format!("the study's languages are: {}", declared.join(", ")));
        sink.report_at(
            row.line,
            row.column("language"),
            "language",
            format!("`{language}` is not one of the study's languages"),
            Some(hint),
        );
    }
    study.languages.iter().find(|l| l.as_str() == language).cloned()
}

/// The row's time zone (none when the field is empty or absent), or `Err` when it names
/// none, reported.
fn read_time_zone(row: &Row<'_>, sink: &mut ProblemSink<'_>) -> Result<Option<String>, Reported> {
    let time_zone = Some(row.field("time_zone")).filter(|zone| !zone.is_empty());
    if let Some(zone) = time_zone.as_deref().filter(|zone| !is_time_zone(zone)) {
        let known = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
        let hint = did_you_mean(zone, known).unwrap_or_else(|| {
            "write an IANA time-zone name such as Europe/Berlin, Asia/Shanghai or America/New_York, \
             or leave the field empty (the deadline is then given in UTC only)"
                .into()
        });
        sink.report_at(
            row.line,
            row.column("time_zone"),
            "time_zone",
            format!("`{zone}` is not a time zone"),
            Some(hint),
        );
        return Err(Reported);
    }
    Ok(time_zone)
}

/// A problem was found and reported to the sink.
struct Reported;

/// Whether the header line is a panel header with `;` between its columns (and no commas):
/// what Excel writes as "CSV" where the comma is the decimal separator.
fn separated_by_semicolons(source: &str) -> bool {
    let header = source.trim_start_matches('\u{feff}').lines().next().unwrap_or_default();
    if header.contains(',') || !header.contains(';') {
        return false;
    }
    let known = header
        .split(';')
        .filter(|name| COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(name.trim().trim_matches('"'))))
        .count();
    known >= 2
}

/// Maps each known column name to its field index; reports unknown and missing columns.
fn header_columns(
    header: &csv::StringRecord,
    source: &str,
    sink: &mut ProblemSink<'_>,
) -> Option<BTreeMap<&'static str, usize>> {
    let mut column_of = BTreeMap::new();
    for (index, name) in header.iter().enumerate() {
        match COLUMNS.iter().chain(&OPTIONAL_COLUMNS).find(|c| c.eq_ignore_ascii_case(name)) {
            Some(known) => {
                column_of.insert(*known, index);
            }
            None => sink.report_at(
                1,
                field_column(source, 0, index),
                name,
                format!("unknown column `{name}`"),
                did_you_mean(&name.to_ascii_lowercase(), COLUMNS.into_iter().chain(OPTIONAL_COLUMNS)).or_else(|| {
                    Some(format!(
                        "columns are: {} (and optionally {})",
                        COLUMNS.join(", "),
                        OPTIONAL_COLUMNS.join(", ")
                    ))
                }),
            ),
        }
    }
    let missing: Vec<&str> = COLUMNS.iter().copied().filter(|c| !column_of.contains_key(c)).collect();
    for name in &missing {
        sink.report_at(
            1,
            1,
            *name,
            format!("missing column `{name}`"),
            Some(format!("the header is: {}", COLUMNS.join(","))),
        );
    }
    missing.is_empty().then_some(column_of)
}

/// 1-based character column where field `index` of the record starting at byte `start` begins.
fn field_column(source: &str, start: usize, index: usize) -> usize {
    let mut in_quotes = false;
    let mut field = 0;
    let line_start = source[..start.min(source.len())].rfind('\n').map_or(0, |i| i + 1);
    for (offset, c) in source[start.min(source.len())..].char_indices() {
        if field == index {
            // a quoted field's first character is after its quote
            return source[line_start..start + offset].chars().count() + 1 + usize::from(c == '"');
        }
        match c {
            '"' => in_quotes = !in_quotes,
            ',' if !in_quotes => field += 1,
            '\n' if !in_quotes => break,
            _ => {}
        }
    }
    1
}
