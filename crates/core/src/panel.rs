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
    let mut required: Vec<&str> = vec!["id", "name", "email", "language"];
    for attribute in &study.subgroups.attributes {
        if !required.contains(&attribute.name()) {
            required.push(attribute.name());
        }
    }

    let mut members = Vec::new();
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut emails: BTreeMap<String, usize> = BTreeMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
                sink.report_at(
                    line,
                    1,
                    "(row)",
                    format!("cannot read this row: {error}"),
                    Some("check quotes: a field with a comma must be in double quotes".into()),
                );
                continue;
            }
        };
        let position = record.position().cloned().unwrap_or_else(csv::Position::new);
        // Counted from the byte offset, not taken from the reader: its line count is off
        // after CRLF line ends and after a quoted field that spans lines.
        let mut start_byte = usize::try_from(position.byte()).unwrap_or(0).min(source.len());
        // after `\r\n` the reader's record starts at the `\n`
        while source.as_bytes().get(start_byte).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            start_byte += 1;
        }
        let line = source.as_bytes()[..start_byte].iter().filter(|b| **b == b'\n').count() + 1;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let start = start_byte;
        let column = |name: &str| field_column(source, start, column_of[name]);
        let field =
            |name: &str| column_of.get(name).and_then(|index| record.get(*index)).unwrap_or_default().to_owned();
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
        let mut row_ok = true;
        for name in &required {
            if field(name).is_empty() {
                let why = if ["id", "name", "email", "language"].contains(name) {
                    "every expert needs one"
                } else {
                    "the study groups experts by it (`subgroups.attributes`)"
                };
                sink.report_at(line, column(name), *name, format!("`{name}` is empty"), Some(why.into()));
                row_ok = false;
            }
        }
        // The name goes into the header of every message to the expert, and every field
        // into reports and terminals: a line break or a control character breaks them.
        for name in COLUMNS.iter().filter(|c| column_of.contains_key(*c)) {
            let value = field(name);
            if let Some(at) = value.chars().position(char::is_control) {
                let found = value.chars().nth(at).map_or(0, u32::from);
                sink.report_at(
                    line,
                    column(name) + at,
                    *name,
                    format!("`{name}` contains a line break or another control character (U+{found:04X})"),
                    Some("write the field on one line, without control characters".into()),
                );
                row_ok = false;
            }
        }
        let id = field("id");
        let expert_id = ExpertId::parse(&id);
        if expert_id.is_none() && !id.is_empty() {
            sink.report_at(
                line,
                column("id"),
                "id",
                format!("`{id}` is not a valid expert id"),
                Some("use letters, digits, '-', '_' or '.', at most 64".into()),
            );
        }
        if let Some(first) = (!id.is_empty()).then(|| ids.insert(id.clone(), line)).flatten() {
            sink.report_at(
                line,
                column("id"),
                "id",
                format!("duplicate expert id `{id}`"),
                Some(format!("already used on line {first}")),
            );
            row_ok = false;
        }
        let address = field("email");
        let email = Email::parse(&address);
        match &email {
            None if !address.is_empty() => sink.report_at(
                line,
                column("email"),
                "email",
                format!("`{address}` is not an email address"),
                Some("write it as name@example.org".into()),
            ),
            Some(email) => {
                if let Some(first) = emails.insert(email.as_str().to_ascii_lowercase(), line) {
                    sink.report_at(
                        line,
                        column("email"),
                        "email",
                        format!("duplicate email `{address}`"),
                        Some(format!("already used on line {first}; each expert needs their own address")),
                    );
                    row_ok = false;
                }
            }
            None => {}
        }
        let language = field("language");
        if !language.is_empty() && !study.has_language(&language) {
            let declared: Vec<&str> = study.languages.iter().map(Language::as_str).collect();
            let hint = did_you_mean(&language, declared.iter().copied())
                .unwrap_or_else(|| format!("the study's languages are: {}", declared.join(", ")));
            sink.report_at(
                line,
                column("language"),
                "language",
                format!("`{language}` is not one of the study's languages"),
                Some(hint),
            );
            row_ok = false;
        }
        let language = study.languages.iter().find(|l| l.as_str() == language).cloned();
        let time_zone = Some(field("time_zone")).filter(|zone| !zone.is_empty());
        if let Some(zone) = time_zone.as_deref().filter(|zone| !is_time_zone(zone)) {
            let known = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
            let hint = did_you_mean(zone, known).unwrap_or_else(|| {
                "write an IANA time-zone name such as Europe/Berlin, Asia/Shanghai or America/New_York, \
                 or leave the field empty (the deadline is then given in UTC only)"
                    .into()
            });
            sink.report_at(line, column("time_zone"), "time_zone", format!("`{zone}` is not a time zone"), Some(hint));
            row_ok = false;
        }
        if let (true, Some(id), Some(email), Some(language)) = (row_ok, expert_id, email, language) {
            members.push(PanelMember {
                id,
                name: field("name"),
                email,
                institution: field("institution"),
                country: field("country"),
                bloc: field("bloc"),
                language,
                expertise: field("expertise"),
                time_zone,
            });
        }
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
