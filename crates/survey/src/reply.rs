//! Reading an expert's answers: from a reply to the text form ([`parse`]) or from the
//! fields of the HTML form ([`parse_form`]). Either all answers come back, or every
//! problem found, each one an expert can act on; never part of the answers.
//!
//! What [`parse`] copes with:
//! - CRLF or CR line ends, a byte-order mark, non-breaking and ideographic spaces, and
//!   full-width brackets, digits and punctuation (`［verification.benefit］ ５`);
//! - quoting with `>` at any depth (`> `, `>>`, `> > `), and answers written either on a
//!   quoted marker line or on unquoted lines right after it;
//! - lines wrapped by a mail client: an answer continues on the following lines until the
//!   next marker (numbers are joined with a space; text keeps its paragraphs, the lines of
//!   a paragraph joined with a space);
//! - `::` lines (the form's own text) are ignored, and so is anything before the first marker;
//! - an answer never continues into lines quoted deeper than its marker (a top-posted form
//!   followed by the quoted original without a header line);
//! - a signature (a `-- ` line, or a phone's "Sent from my iPhone") or the `[end]` marker
//!   ends the answers of a part; a blank line ends a number, so a sign-off below the last
//!   answer ("Thanks,") is not read as part of it;
//! - `[...]`, `[…]` or `[snip]` where a quote was cut is ignored;
//! - forwarded or quoted header blocks (`On … wrote:`, `-----Original Message-----`,
//!   `---------- Forwarded message ---------`, `Begin forwarded message:`, Outlook's
//!   `From:`/`Sent:` block, their Chinese forms) split the mail into parts. The answers are
//!   taken from the first part that answers anything, so a top-posted filled-in form wins
//!   over the blank form quoted below it, and answers written into the quoted form are
//!   found below a greeting.
//!
//! What it cannot tell apart from structure: inside a text answer, a line that starts
//! with `>` (read as quoting), `::`, an `[item-id]` marker, a lone `--`, or a line ending in
//! `wrote:`.

use std::collections::BTreeMap;
use std::fmt;

use delphi_core::study::{ItemId, Language};
use serde::{Deserialize, Serialize};

use crate::answer::{Answer, AnswerError, parse_value};
use crate::{AnswerSpec, Item, Questionnaire};

/// The answers of one submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub answers: BTreeMap<ItemId, Answer>,
    /// Items of the questionnaire left empty, in the questionnaire's order.
    pub unanswered: Vec<ItemId>,
}

/// One problem with a submission. Messages speak to the expert.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReplyError {
    #[error("item {item}: {error}{}", at_line(*.line))]
    Answer { item: String, line: Option<usize>, error: AnswerError },
    #[error("[{marker}] is not an item of this form; check its spelling{}", at_line(Some(*.line)))]
    UnknownItem { marker: String, line: usize },
    #[error("item {item} is answered twice, differently (lines {first} and {second}); keep one answer")]
    Twice { item: String, first: usize, second: usize },
    #[error(
        "the reply contains no [item] markers: reply to the email keeping the form, and write each answer after its marker"
    )]
    NoForm,
    #[error("the reply contains no answers: write each answer after its [item] marker, on the same line")]
    NoAnswers,
    #[error("the form was sent without any answer")]
    EmptyForm,
}

impl ReplyError {
    /// The message in `language` (Chinese for `zh*`, English otherwise), for the receipt.
    pub fn message(&self, language: &Language) -> String {
        if !crate::ui::is_chinese(language) {
            return self.to_string();
        }
        let line_zh = |line: Option<usize>| line.map(|l| format!("（第 {l} 行）")).unwrap_or_default();
        match self {
            Self::Answer { item, line, error } => format!("题目 {item}：{}{}", error.message(language), line_zh(*line)),
            Self::UnknownItem { marker, line } => {
                format!("[{marker}] 不是本表中的题目，请检查拼写{}", line_zh(Some(*line)))
            }
            Self::Twice { item, first, second } => {
                format!("题目 {item} 有两个不同的答案（第 {first} 行和第 {second} 行），请只保留一个")
            }
            Self::NoForm => "回复中没有 [题目] 标记：请在回复时保留表格，并在每个标记后写下答案".to_owned(),
            Self::NoAnswers => "回复中没有答案：请在每个 [题目] 标记后的同一行写下答案".to_owned(),
            Self::EmptyForm => "提交的表格中没有任何答案".to_owned(),
        }
    }
}

impl ReplyErrors {
    /// Every message in `language`, one per line.
    pub fn message(&self, language: &Language) -> String {
        self.0.iter().map(|e| e.message(language)).collect::<Vec<_>>().join("\n")
    }
}

fn at_line(line: Option<usize>) -> String {
    line.map(|l| format!(" (line {l})")).unwrap_or_default()
}

/// Every problem of a submission, in the order of the submission.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ReplyErrors(pub Vec<ReplyError>);

impl fmt::Display for ReplyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// What a line of a reply is.
#[derive(Debug)]
enum Kind {
    Blank,
    /// A line of the form's own text (`::`).
    Comment,
    /// A header that starts a quoted or forwarded part.
    Break,
    /// `-- ` or `[end]`: what follows in this part is not answers.
    Stop,
    /// `[id] rest`, with `rest` as written.
    Marker {
        id: String,
        rest: String,
    },
    Content(String),
}

#[derive(Debug)]
struct Entry {
    id: String,
    line: usize,
    /// The quoting depth of the marker line: deeper lines are quoted text, not the answer.
    depth: usize,
    lines: Vec<String>,
}

#[derive(Debug, Default)]
struct Part {
    entries: Vec<Entry>,
    unknown: Vec<(String, usize)>,
    stopped: bool,
}

/// Reads a reply to the text form of `q`.
pub fn parse(q: &Questionnaire, mail: &str) -> Result<Reply, ReplyErrors> {
    let parts = split_parts(q, mail);
    let has_markers = |p: &Part| !p.entries.is_empty() || !p.unknown.is_empty();
    let answered = |p: &Part| {
        p.entries.iter().any(|e| q.item(&e.id).is_some_and(|item| !matches!(value(item, &e.lines), Ok(None))))
    };
    let Some(part) = parts.iter().find(|p| answered(p)).or_else(|| parts.iter().find(|p| has_markers(p))) else {
        return Err(ReplyErrors(vec![ReplyError::NoForm]));
    };
    let mut errors: Vec<ReplyError> = Vec::new();
    for (marker, line) in &part.unknown {
        errors.push(ReplyError::UnknownItem { marker: marker.clone(), line: *line });
    }
    let mut answers: BTreeMap<ItemId, (usize, Answer)> = BTreeMap::new();
    for entry in &part.entries {
        let Some(item) = q.item(&entry.id) else { continue };
        match value(item, &entry.lines) {
            Ok(None) => {}
            Ok(Some(answer)) => match answers.get(&item.id) {
                Some((first, earlier)) if *earlier != answer => {
                    errors.push(ReplyError::Twice { item: item.id.to_string(), first: *first, second: entry.line });
                }
                Some(_) => {}
                None => {
                    answers.insert(item.id.clone(), (entry.line, answer));
                }
            },
            Err(error) => errors.push(ReplyError::Answer { item: item.id.to_string(), line: Some(entry.line), error }),
        }
    }
    finish(q, answers.into_iter().map(|(id, (_, a))| (id, a)).collect(), errors, ReplyError::NoAnswers)
}

fn finish(
    q: &Questionnaire,
    answers: BTreeMap<ItemId, Answer>,
    errors: Vec<ReplyError>,
    empty: ReplyError,
) -> Result<Reply, ReplyErrors> {
    if !errors.is_empty() {
        return Err(ReplyErrors(errors));
    }
    if answers.is_empty() {
        return Err(ReplyErrors(vec![empty]));
    }
    let unanswered = q.items.iter().filter(|i| !answers.contains_key(&i.id)).map(|i| i.id.clone()).collect();
    Ok(Reply { answers, unanswered })
}

/// The answer written in an entry's lines (the marker line's rest first).
fn value(item: &Item, lines: &[String]) -> Result<Option<Answer>, AnswerError> {
    if item.answer == AnswerSpec::Text {
        let mut paragraphs: Vec<String> = Vec::new();
        let mut current: Vec<&str> = Vec::new();
        for line in lines.iter().map(|l| l.trim()) {
            if line.is_empty() {
                if !current.is_empty() {
                    paragraphs.push(current.join(" "));
                    current.clear();
                }
            } else {
                current.push(line);
            }
        }
        if !current.is_empty() {
            paragraphs.push(current.join(" "));
        }
        return parse_value(&item.answer, &paragraphs.join("\n\n"));
    }
    // A wrapped answer continues on the next lines, but a blank line after it ends it: what
    // follows ("Thanks,", a name) is a sign-off, not more of the number.
    let mut joined: Vec<String> = Vec::new();
    for line in lines.iter().map(|l| normalise_symbols(l.trim())) {
        if line.is_empty() {
            if !joined.is_empty() {
                break;
            }
        } else {
            joined.push(line);
        }
    }
    parse_value(&item.answer, &joined.join(" "))
}

/// Splits the mail into parts at header blocks and collects each part's entries.
fn split_parts(q: &Questionnaire, mail: &str) -> Vec<Part> {
    let mail = mail.strip_prefix('\u{feff}').unwrap_or(mail).replace("\r\n", "\n").replace('\r', "\n");
    let quoted: Vec<(usize, String)> = mail.lines().map(unquote).collect();
    let depths: Vec<usize> = quoted.iter().map(|(d, _)| *d).collect();
    let lines: Vec<(usize, String)> = quoted.into_iter().enumerate().map(|(i, (_, l))| (i + 1, l)).collect();
    let kinds: Vec<Kind> = lines.iter().map(|(_, l)| classify(q, l)).collect();
    let mut parts = vec![Part::default()];
    let mut in_headers = false;
    let mut seen_field = false;
    for (i, ((number, line), kind)) in lines.iter().zip(&kinds).enumerate() {
        if in_headers {
            let trimmed = line.trim();
            if trimmed.is_empty() {
                if seen_field {
                    in_headers = false;
                }
                continue;
            }
            if matches!(kind, Kind::Marker { .. }) {
                in_headers = false;
            } else if is_header_field(trimmed) || seen_field {
                seen_field = true;
                continue;
            } else {
                in_headers = false;
            }
        }
        let outlook = is_field_named(line.trim(), &["from", "发件人"])
            && lines.get(i + 1).is_some_and(|(_, next)| is_header_field(next.trim()));
        if matches!(kind, Kind::Break) || outlook {
            // "On Mon, … <x@y>\nwrote:" wrapped by the client: the first half is no answer.
            if line.trim().to_lowercase().ends_with("wrote:")
                && !line.trim().starts_with("On ")
                && i > 0
                && lines[i - 1].1.trim().starts_with("On ")
                && let Some(part) = parts.last_mut()
                && let Some(entry) = part.entries.last_mut()
                && entry.lines.last().is_some_and(|l| l.trim().starts_with("On "))
            {
                entry.lines.pop();
            }
            parts.push(Part::default());
            in_headers = true;
            seen_field = outlook;
            continue;
        }
        let Some(part) = parts.last_mut() else { continue };
        if part.stopped {
            continue;
        }
        let depth = depths[i];
        match kind {
            Kind::Blank => {
                if let Some(entry) = part.entries.last_mut().filter(|e| depth <= e.depth) {
                    entry.lines.push(String::new());
                }
            }
            Kind::Comment | Kind::Break => {}
            Kind::Stop => part.stopped = true,
            Kind::Marker { id, rest } => {
                if q.item(id).is_some() {
                    part.entries.push(Entry { id: id.clone(), line: *number, depth, lines: vec![rest.clone()] });
                } else {
                    part.unknown.push((id.clone(), *number));
                }
            }
            Kind::Content(text) => {
                if let Some(entry) = part.entries.last_mut().filter(|e| depth <= e.depth) {
                    entry.lines.push(text.clone());
                }
            }
        }
    }
    parts
}

/// The quoting depth of a line and the line without its quoting (`>` any number of
/// times, spaces between allowed).
fn unquote(line: &str) -> (usize, String) {
    let mut rest = line;
    let mut depth = 0;
    loop {
        let trimmed = rest.trim_start_matches([' ', '\t']);
        match trimmed.strip_prefix('>') {
            Some(after) => {
                rest = after;
                depth += 1;
            }
            None => break,
        }
    }
    (depth, rest.strip_prefix(' ').unwrap_or(rest).to_owned())
}

const OPEN: [char; 3] = ['[', '［', '【'];
const CLOSE: [char; 3] = [']', '］', '】'];

fn classify(q: &Questionnaire, line: &str) -> Kind {
    let trimmed = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}');
    if trimmed.is_empty() {
        return Kind::Blank;
    }
    if trimmed.starts_with("::") {
        return Kind::Comment;
    }
    if trimmed == "--" || is_mobile_signature(trimmed) {
        return Kind::Stop;
    }
    if is_elision(trimmed) {
        return Kind::Comment;
    }
    if is_break(trimmed) {
        return Kind::Break;
    }
    if let Some(after_open) = trimmed.strip_prefix(OPEN)
        && let Some(close) = after_open.find(CLOSE)
    {
        let token = after_open[..close].trim().to_lowercase();
        let close_len = after_open[close..].chars().next().map_or(1, char::len_utf8);
        let rest = &after_open[close + close_len..];
        let separated = rest.is_empty() || rest.starts_with(char::is_whitespace) || rest.starts_with([':', '：', '=']);
        let id_like = !token.is_empty()
            && token.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if separated && token == "end" {
            return Kind::Stop;
        }
        let known = q.item(&token).is_some();
        if separated && id_like && (known || token.contains(['.', '-', '_'])) {
            // `:` after a marker is decoration; so is `=`, except before a text answer
            // (which may well start with one)
            let text = q.item(&token).is_some_and(|i| i.answer == AnswerSpec::Text);
            let separators: &[char] = if text { &[':', '：'] } else { &[':', '：', '='] };
            let rest = rest.trim_start().strip_prefix(separators).unwrap_or(rest);
            return Kind::Marker { id: token, rest: rest.to_owned() };
        }
    }
    Kind::Content(line.to_owned())
}

/// The signature a phone's mail app adds on its own ("Sent from my iPhone"): like `-- `,
/// it ends the answers.
fn is_mobile_signature(trimmed: &str) -> bool {
    let lower = trimmed.to_lowercase();
    let prefixes = [
        "sent from my ",
        "sent from mail for ",
        "sent from outlook for ",
        "get outlook for ",
        "sent from yahoo mail",
        "发自我的",
        "从我的",
        "von meinem ",
        "envoyé de mon ",
        "enviado desde mi ",
    ];
    lower.chars().count() <= 60 && prefixes.iter().any(|p| lower.starts_with(p))
}

/// `[...]`, `[…]`, `[snip]`: where a quote was cut. Neither a marker nor part of an answer.
fn is_elision(trimmed: &str) -> bool {
    let Some(inner) = trimmed.strip_prefix(OPEN).and_then(|rest| rest.strip_suffix(CLOSE)) else { return false };
    let inner = inner.trim().to_lowercase();
    inner.chars().all(|c| c == '.' || c == '…' || c == '-' || c == ' ')
        || matches!(inner.as_str(), "snip" | "snipped" | "trimmed" | "cut")
}

fn is_break(trimmed: &str) -> bool {
    let lower = trimmed.to_lowercase();
    if ["wrote:", "写道:", "写道：", "schrieb:", "a écrit :", "a écrit:", "escribió:"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        return true;
    }
    // Thunderbird's "Delphi wrote on 30/11/2026 09:00:"
    if lower.contains(" wrote on ") && lower.ends_with(':') {
        return true;
    }
    if lower.len() >= 10 && lower.chars().all(|c| c == '_') {
        return true;
    }
    let inner = lower.trim_matches(|c: char| c == '-' || c == '=' || c == '_' || c.is_whitespace());
    let separator = trimmed.starts_with(['-', '=', '_']) || inner.ends_with(':');
    separator
        && [
            "original message",
            "forwarded message",
            "begin forwarded message:",
            "原始邮件",
            "原始郵件",
            "转发邮件",
            "转发的邮件",
            "forwarded message:",
        ]
        .contains(&inner)
}

fn is_field_named(trimmed: &str, names: &[&str]) -> bool {
    let Some(pos) = trimmed.find([':', '：']) else { return false };
    let name = trimmed[..pos].trim().to_lowercase();
    names.contains(&name.as_str())
}

fn is_header_field(trimmed: &str) -> bool {
    is_field_named(
        trimmed,
        &[
            "from",
            "sent",
            "date",
            "to",
            "cc",
            "bcc",
            "subject",
            "reply-to",
            "发件人",
            "发送时间",
            "收件人",
            "抄送",
            "主题",
            "日期",
            "时间",
        ],
    )
}

/// Full-width digits and punctuation as ASCII; odd spaces as spaces.
fn normalise_symbols(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '\u{a0}' | '\u{3000}' | '\u{2007}' | '\u{202f}' => ' ',
            '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')).unwrap_or(c),
            '．' | '。' => '.',
            '，' => ',',
            '：' => ':',
            '；' => ';',
            '％' => '%',
            '？' => '?',
            '＝' => '=',
            '－' | '−' | '–' => '-',
            '＋' => '+',
            '（' => '(',
            '）' => ')',
            c => c,
        })
        .filter(|c| *c != '\u{200b}' && *c != '\u{feff}')
        .collect()
}

/// Reads the fields of the HTML form ([`crate::html::render`]): `id` for a single value
/// (ordinal `dk` = don't know), `id:p5` / `id:p50` / `id:p95` for quantiles, `id:domain` →
/// rank for rankings. Unknown fields are ignored.
pub fn parse_form(q: &Questionnaire, fields: &[(String, String)]) -> Result<Reply, ReplyErrors> {
    let get = |name: &str| fields.iter().rev().find(|(n, _)| n == name).map(|(_, v)| normalise_symbols(v.trim()));
    let mut answers = BTreeMap::new();
    let mut errors = Vec::new();
    for item in &q.items {
        let id = item.id.as_str();
        let result = match &item.answer {
            AnswerSpec::Quantile { .. } => {
                let parts: Vec<String> = ["p5", "p50", "p95"]
                    .iter()
                    .map(|p| get(&format!("{id}:{p}")))
                    .map(Option::unwrap_or_default)
                    .collect();
                if parts.iter().all(String::is_empty) {
                    Ok(None)
                } else if parts.iter().any(String::is_empty) {
                    Err(AnswerError::QuantileCount { found: parts.iter().filter(|p| !p.is_empty()).count() })
                } else {
                    parse_value(&item.answer, &format!("5%: {}  50%: {}  95%: {}", parts[0], parts[1], parts[2]))
                }
            }
            AnswerSpec::Ranking { options } => ranking_fields(options, |d| get(&format!("{id}:{d}"))),
            AnswerSpec::Ordinal { .. } => match get(id) {
                Some(v) if v == "dk" => parse_value(&item.answer, "?"),
                Some(v) => parse_value(&item.answer, &v),
                None => Ok(None),
            },
            AnswerSpec::Text => Ok(fields
                .iter()
                .rev()
                .find(|(n, _)| n == id)
                .map(|(_, v)| v.replace("\r\n", "\n").trim().to_owned())
                .filter(|v| !v.is_empty())
                .map(|text| Answer::Text { text })),
            // the field is labelled "in %", so a value below 1 is no fraction
            AnswerSpec::Probability => match get(id) {
                Some(v) if !v.is_empty() && !v.ends_with('%') => parse_value(&item.answer, &format!("{v}%")),
                Some(v) => parse_value(&item.answer, &v),
                None => Ok(None),
            },
            _ => get(id).map_or(Ok(None), |v| parse_value(&item.answer, &v)),
        };
        match result {
            Ok(Some(answer)) => {
                answers.insert(item.id.clone(), answer);
            }
            Ok(None) => {}
            Err(error) => errors.push(ReplyError::Answer { item: id.to_owned(), line: None, error }),
        }
    }
    finish(q, answers, errors, ReplyError::EmptyForm)
}

fn ranking_fields(
    options: &[crate::DomainView],
    get: impl Fn(&str) -> Option<String>,
) -> Result<Option<Answer>, AnswerError> {
    let ranks: Vec<(usize, Option<usize>, String)> = options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let raw = get(o.id.as_str()).unwrap_or_default();
            (i, raw.parse::<usize>().ok().filter(|r| (1..=options.len()).contains(r)), raw)
        })
        .collect();
    if ranks.iter().all(|(_, _, raw)| raw.is_empty()) {
        return Ok(None);
    }
    let mut missing = Vec::new();
    let mut duplicates = Vec::new();
    let mut unknown = Vec::new();
    for (i, rank, raw) in &ranks {
        let id = options[*i].id.to_string();
        match rank {
            None if raw.is_empty() => missing.push(id),
            None => unknown.push(raw.clone()),
            Some(r) if ranks.iter().filter(|(_, other, _)| *other == Some(*r)).count() > 1 => duplicates.push(id),
            Some(_) => {}
        }
    }
    if !(missing.is_empty() && duplicates.is_empty() && unknown.is_empty()) {
        return Err(AnswerError::Ranking { unknown, duplicates, missing });
    }
    let mut order: Vec<(usize, usize)> = ranks.iter().filter_map(|(i, r, _)| r.map(|r| (r, *i))).collect();
    order.sort_unstable();
    Ok(Some(Answer::Ranking { order: order.into_iter().map(|(_, i)| options[i].id.clone()).collect() }))
}
