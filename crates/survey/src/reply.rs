//! Reading an expert's answers: from a reply to the text form ([`parse`]) or from the
//! fields of the HTML form ([`parse_form`]). Either all answers come back, or every
//! problem found, each one an expert can act on; never part of the answers.
//!
//! What [`parse`] copes with:
//! - CRLF or CR line ends, a byte-order mark, non-breaking and ideographic spaces, and
//!   full-width brackets, digits and punctuation (`［verification.benefit］５`, no space
//!   needed after a known marker; a full-width comma `２０，２８，３５` separates values and is
//!   never read as a decimal comma);
//! - quoting with `>` at any depth (`> `, `>>`, `> > `), and answers written either on a
//!   quoted marker line or on unquoted lines right after it;
//! - lines wrapped by a mail client: an answer continues on the following lines until the
//!   next marker or the form's next `::` line (numbers are joined with a space; a text
//!   answer keeps its line breaks: a client's soft breaks, format=flowed or
//!   quoted-printable, are undone before the text reaches the parser);
//! - values that stand apart from any marker, after the form's text and beside an empty
//!   marker (typed under the question, above its marker): which item they answer is not
//!   certain, so they are a problem to ask about ([`ReplyError::Unplaced`]), never moved;
//!   pieces of the form's own lines re-wrapped by a client (`> Very high · ? don't know`)
//!   are recognised by what they continue and ignored;
//! - sign-offs without a `-- ` line: a closing on its own line ("Best regards,", "Thanks,
//!   J.", "此致", "祝好"), the signer's name ([`Signer`]), or a phone or address line ends
//!   the answers of a part once it has any;
//! - a part quoted from the signer's own earlier message (its attribution names them) holds
//!   no new answers; answers in quoted text are flagged ([`Reply::quoted`]) so the caller
//!   can tell a copy from a change;
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
//! with `>` (read as quoting), `::`, an `[item-id]` marker, a lone `--`, a line ending in
//! `wrote:`, or a line that is only a closing ("Thanks!") or the signer's name.
//!
//! Messages: `Display` is for the coordinator (item ids, line numbers);
//! [`ReplyError::message`] is for the expert and names each question by its wording.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use delphi_core::study::{ItemId, Language};
use serde::{Deserialize, Serialize};

use crate::answer::{Answer, AnswerError, RankOrder, Tier, parse_value};
use crate::{AnswerSpec, Item, Questionnaire};

/// The answers of one submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    /// The valid answers, by item.
    pub answers: BTreeMap<ItemId, Answer>,
    /// Items of the questionnaire left empty, in the questionnaire's order.
    pub unanswered: Vec<ItemId>,
    /// Items whose answer stands in quoted text (`>` lines, or below a quoted header block):
    /// copied from the message replied to, unless the expert changed it there.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub quoted: BTreeSet<ItemId>,
}

/// Who is replying, as far as the parser cares: a line with their name ends their answers
/// (a sign-off), and a quote of a message of their own holds no new answers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signer {
    /// Ways the person may sign, lower-cased: the full name first, then each part of it.
    pub names: Vec<String>,
    /// Their addresses, lower-cased.
    pub addresses: Vec<String>,
}

impl Signer {
    /// The signer with this panel name and address.
    pub fn new(name: &str, address: &str) -> Self {
        let name = name.trim();
        let mut names = vec![name.to_lowercase()];
        names.extend(
            name.split(|c: char| c.is_whitespace() || c == ',')
                .map(|part| part.trim_matches('.').to_lowercase())
                .filter(|part| part.chars().count() >= 2),
        );
        let compact: String = name.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
        names.push(compact);
        // the full name stays first
        let mut seen = BTreeSet::new();
        names.retain(|n| !n.is_empty() && seen.insert(n.clone()));
        Self { names, addresses: vec![address.trim().to_lowercase()] }
    }

    /// A line that is the signer's name, whole or in part, maybe with a title
    /// ("Dr. Zara Prototyne", "Zara", "— Prof. Prototyne").
    fn is_name(&self, line: &str) -> bool {
        const TITLES: [&str; 9] = ["dr", "prof", "professor", "mr", "mrs", "ms", "mx", "sir", "dame"];
        let line = line.trim_matches(|c: char| c.is_whitespace() || "-–—~,.;:!，。！".contains(c)).to_lowercase();
        if line.is_empty() {
            return false;
        }
        if self.names.contains(&line) {
            return true;
        }
        let words: Vec<&str> = line
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| ".,".contains(c)))
            .filter(|w| !TITLES.contains(w))
            .collect();
        (1..=4).contains(&words.len()) && words.iter().all(|w| self.names.iter().any(|n| n == w))
    }

    fn is_named_in(&self, line: &str) -> bool {
        let lower = line.to_lowercase();
        self.addresses.iter().any(|a| !a.is_empty() && lower.contains(a.as_str()))
            || self.names.first().is_some_and(|full| full.chars().count() >= 2 && lower.contains(full.as_str()))
    }
}

/// One problem with a submission. `Display` is for the coordinator (item ids, line
/// numbers); [`ReplyError::message`] speaks to the expert, in the question's own words.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReplyError {
    /// An answer that is not valid for its item.
    #[error("item {item}: {error}{}", at_line(*.line))]
    Answer {
        /// The item's id.
        item: String,
        /// The item's wording, by which the expert is told which question.
        prompt: String,
        /// The reply's line it stands on (none on the web form).
        line: Option<usize>,
        /// What is wrong with it.
        error: AnswerError,
    },
    /// A marker naming no item of the form.
    #[error("[{marker}] is not an item of this form; check its spelling{}", at_line(Some(*.line)))]
    UnknownItem {
        /// The marker as written.
        marker: String,
        /// The reply's line it stands on.
        line: usize,
    },
    /// An item answered twice with different answers.
    #[error("item {item} is answered twice, differently{}; keep one answer", .lines.map(|(a, b)| format!(" (lines {a} and {b})")).unwrap_or_default())]
    Twice {
        /// The item's id.
        item: String,
        /// The item's wording.
        prompt: String,
        /// The reply's lines of the two answers, where known.
        lines: Option<(usize, usize)>,
    },
    /// A value apart from any marker, next to an empty one: which item it answers is unclear.
    #[error(
        "“{value}” (line {line}) stands apart from any marker, next to the empty marker [{item}]: it is not clear which item it answers"
    )]
    Unplaced {
        /// The value as written.
        value: String,
        /// The id of the empty marker beside it.
        item: String,
        /// That item's wording.
        prompt: String,
        /// The reply's line it stands on.
        line: usize,
    },
    /// A reply without the form's markers, so nothing in it can be placed.
    #[error(
        "the reply contains no [item] markers: reply to the email keeping the form, and write each answer after its marker"
    )]
    NoForm,
    /// A form with markers but no answer after any of them.
    #[error("the reply contains no answers: write each answer after its [item] marker, on the same line")]
    NoAnswers,
    /// A web form sent with every field empty.
    #[error("the form was sent without any answer")]
    EmptyForm,
    /// A web form field this questionnaire does not have (an old page, a tampered form).
    #[error("the form has a field “{name}” that this questionnaire does not have")]
    UnknownField {
        /// The field's name.
        name: String,
    },
    /// A web form field sent more than once: which value was meant cannot be told.
    #[error("the form sends the field “{name}” more than once")]
    RepeatedField {
        /// The field's name.
        name: String,
        /// The item the field belongs to.
        item: String,
        /// That item's wording.
        prompt: String,
    },
}

impl ReplyError {
    /// The message for the expert in `language` (Chinese for `zh*`, English otherwise):
    /// questions are named by their wording, never by an internal id or a line number of
    /// the expert's own mail.
    pub fn message(&self, language: &Language) -> String {
        let zh = crate::ui::is_chinese(language);
        match (self, zh) {
            (Self::Answer { prompt, error, .. }, false) => format!("“{}”: {error}", short(prompt)),
            (Self::Answer { prompt, error, .. }, true) => format!("“{}”：{}", short(prompt), error.message(language)),
            (Self::UnknownItem { marker, .. }, false) => {
                format!("[{marker}] is not a marker of this form; check its spelling")
            }
            (Self::UnknownItem { marker, .. }, true) => format!("[{marker}] 不是本表中的标记，请检查拼写"),
            (Self::Twice { prompt, .. }, false) => {
                format!("“{}” is answered twice, differently; keep one answer", short(prompt))
            }
            (Self::Twice { prompt, .. }, true) => format!("“{}”有两个不同的答案，请只保留一个", short(prompt)),
            (Self::Unplaced { value, prompt, .. }, false) => format!(
                "we could not tell which question “{}” answers: it is not written after a marker. If it answers “{}”, write it right after that question's [marker], on the same line",
                short(value),
                short(prompt)
            ),
            (Self::Unplaced { value, prompt, .. }, true) => format!(
                "无法判断“{}”回答的是哪一题：它没有写在标记之后。如果它是“{}”的答案，请写在该题的[标记]之后、同一行",
                short(value),
                short(prompt)
            ),
            (Self::NoForm, false) | (Self::NoAnswers, false) | (Self::EmptyForm, false) => self.to_string(),
            (Self::NoForm, true) => "回复中没有 [题目] 标记：请在回复时保留表格，并在每个标记后写下答案".to_owned(),
            (Self::NoAnswers, true) => "回复中没有答案：请在每个 [题目] 标记后的同一行写下答案".to_owned(),
            (Self::EmptyForm, true) => "提交的表格中没有任何答案".to_owned(),
            (Self::UnknownField { name }, false) => format!(
                "the page sent an answer “{}” that this questionnaire does not ask; open your personal link again and answer on the new page",
                short(name)
            ),
            (Self::UnknownField { name }, true) => {
                format!("页面提交了本问卷没有的答案“{}”；请重新打开您的个人链接，在新页面上作答", short(name))
            }
            (Self::RepeatedField { prompt, .. }, false) => format!(
                "“{}” was sent twice, so we cannot tell which answer you meant; open your personal link again and answer it once",
                short(prompt)
            ),
            (Self::RepeatedField { prompt, .. }, true) => {
                format!("“{}”被提交了两次，无法判断您的答案；请重新打开您的个人链接，只回答一次", short(prompt))
            }
        }
    }

    /// The message for the expert shown beside the question it is about (whose wording is
    /// right there, so not repeated); problems about no item read as [`ReplyError::message`].
    pub fn message_beside(&self, language: &Language) -> String {
        match self {
            Self::Answer { error, .. } => error.message(language),
            _ => self.message(language),
        }
    }

    /// The item the problem is about, if it is about one.
    pub fn item(&self) -> Option<&str> {
        match self {
            Self::Answer { item, .. }
            | Self::Twice { item, .. }
            | Self::Unplaced { item, .. }
            | Self::RepeatedField { item, .. } => Some(item),
            _ => None,
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

/// A question's wording (or an expert's value) cut to a length a message can quote.
fn short(text: &str) -> String {
    const MAX: usize = 160;
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= MAX {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(MAX).collect();
    if let Some(space) = cut.rfind(' ').filter(|&at| at > MAX / 2) {
        cut.truncate(space);
    }
    cut.push('…');
    cut
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
    /// `-- `, `[end]` or a phone's signature: what follows in this part is not answers.
    Stop,
    /// A closing ("Best regards,"), the signer's name, or a phone number: once a part has
    /// answers, what follows is the signature.
    SignOff(String),
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
    /// A line of the form's text came after the answer: what follows is not part of it.
    closed: bool,
}

/// A line of content that follows the form's own text rather than a marker.
#[derive(Debug)]
struct Stray {
    line: usize,
    text: String,
    /// The line before it (the form's text, or another stray line), so that the tail of a
    /// form line cut by a client's re-wrap is known by what it continues.
    after: String,
    /// The entry before it and the entry after it (indices into `Part::entries`).
    previous: Option<usize>,
    next: usize,
}

#[derive(Debug, Default)]
struct Part {
    entries: Vec<Entry>,
    unknown: Vec<(String, usize)>,
    strays: Vec<Stray>,
    stopped: bool,
    /// Below a header block: the text of another message (quoted, forwarded or original).
    below_header: bool,
    /// A quote of the signer's own earlier message: no new answers in it.
    own: bool,
    /// The form's text was seen since the last marker: content now is no answer's continuation.
    after_form_text: bool,
    /// The last line of the form's text or stray content, for [`Stray::after`].
    last_text: String,
}

impl Part {
    /// A line after the form's text that continues no answer.
    fn push_stray(&mut self, line: usize, text: &str) {
        let next = self.entries.len();
        let after = std::mem::replace(&mut self.last_text, text.to_owned());
        self.strays.push(Stray { line, text: text.to_owned(), after, previous: next.checked_sub(1), next });
    }
}

/// Reads a reply to the text form of `q`.
pub fn parse(q: &Questionnaire, mail: &str) -> Result<Reply, ReplyErrors> {
    parse_signed(q, mail, &Signer::default())
}

/// Everything read from a reply, usable or not: the valid answers (an item with a problem
/// has none), which of them stand in quoted text, and every problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The valid answers, by item.
    pub answers: BTreeMap<ItemId, Answer>,
    /// The items whose answer stands in quoted text.
    pub quoted: BTreeSet<ItemId>,
    /// Every problem found.
    pub errors: Vec<ReplyError>,
    /// Answers to the same items found in other parts of the mail (e.g. written into the
    /// quoted original below top-posted answers) that differ from `answers`. A copy of what
    /// a letter showed or what is stored is harmless; anything else is a second answer, and
    /// only the caller, who knows those, can tell.
    pub elsewhere: BTreeMap<ItemId, Answer>,
}

/// Reads a reply to the text form of `q` written by `signer`: all answers, or every problem.
pub fn parse_signed(q: &Questionnaire, mail: &str, signer: &Signer) -> Result<Reply, ReplyErrors> {
    let reading = read_signed(q, mail, signer);
    let mut reply = finish(q, reading.answers, reading.errors, ReplyError::NoAnswers)?;
    reply.quoted = reading.quoted;
    Ok(reply)
}

/// Reads a reply to the text form of `q` written by `signer`, keeping the valid answers
/// beside the problems (to fill them in again when the expert is asked to fix the rest).
pub fn read_signed(q: &Questionnaire, mail: &str, signer: &Signer) -> Reading {
    let parts = split_parts(q, mail, signer);
    let has_markers = |p: &Part| !p.entries.is_empty() || !p.unknown.is_empty();
    let answered =
        |p: &Part| p.entries.iter().any(|e| q.item(&e.id).is_some_and(|item| !matches!(value(item, e), Ok(None))));
    let candidates = || parts.iter().filter(|p| !p.own);
    let mut reading =
        Reading { answers: BTreeMap::new(), quoted: BTreeSet::new(), errors: Vec::new(), elsewhere: BTreeMap::new() };
    let Some(part) = candidates().find(|p| answered(p)).or_else(|| candidates().find(|p| has_markers(p))) else {
        let error = if parts.iter().any(has_markers) { ReplyError::NoAnswers } else { ReplyError::NoForm };
        reading.errors.push(error);
        return reading;
    };
    for (marker, line) in &part.unknown {
        reading.errors.push(ReplyError::UnknownItem { marker: marker.clone(), line: *line });
    }
    let unplaced = unplaced(q, part);
    let mut answers: BTreeMap<ItemId, (usize, Answer)> = BTreeMap::new();
    let mut refused: BTreeSet<String> = unplaced.iter().filter_map(|e| e.item().map(str::to_owned)).collect();
    reading.errors.extend(unplaced);
    for entry in &part.entries {
        let Some(item) = q.item(&entry.id) else { continue };
        let prompt = item.prompt.clone();
        match value(item, entry) {
            Ok(None) => {}
            Ok(Some(answer)) => match answers.get(&item.id) {
                Some((first, earlier)) if *earlier != answer => {
                    refused.insert(item.id.to_string());
                    reading.errors.push(ReplyError::Twice {
                        item: item.id.to_string(),
                        prompt,
                        lines: Some((*first, entry.line)),
                    });
                }
                Some(_) => {}
                None => {
                    if entry.depth > 0 || part.below_header {
                        reading.quoted.insert(item.id.clone());
                    }
                    answers.insert(item.id.clone(), (entry.line, answer));
                }
            },
            Err(error) => {
                refused.insert(item.id.to_string());
                reading.errors.push(ReplyError::Answer {
                    item: item.id.to_string(),
                    prompt,
                    line: Some(entry.line),
                    error,
                });
            }
        }
    }
    reading.answers =
        answers.into_iter().filter(|(id, _)| !refused.contains(id.as_str())).map(|(id, (_, a))| (id, a)).collect();
    reading.quoted.retain(|id| reading.answers.contains_key(id));
    for other in candidates().filter(|p| !std::ptr::eq(*p, part)) {
        for entry in &other.entries {
            let Some(item) = q.item(&entry.id) else { continue };
            if let Ok(Some(answer)) = value(item, entry)
                && reading.answers.get(&item.id).is_some_and(|chosen| *chosen != answer)
            {
                reading.elsewhere.entry(item.id.clone()).or_insert(answer);
            }
        }
    }
    reading
}

/// Values that stand apart from any marker (after the form's text, above an empty marker):
/// the expert meant them for some item, but which one only they can say.
fn unplaced(q: &Questionnaire, part: &Part) -> Vec<ReplyError> {
    if part.strays.is_empty() {
        return Vec::new();
    }
    // rendered only when needed: most replies have no stray lines
    let form = form_words(q);
    let mut errors = Vec::new();
    for stray in &part.strays {
        if is_form_fragment(&form, &stray.after, &stray.text) {
            continue;
        }
        let empty_neighbour = [Some(stray.next), stray.previous].into_iter().flatten().find_map(|index| {
            let entry = part.entries.get(index)?;
            let item = q.item(&entry.id)?;
            let empty = matches!(value(item, entry), Ok(None));
            let fits = matches!(parse_value(&item.answer, &normalise_symbols(stray.text.trim())), Ok(Some(_)));
            (empty && fits).then_some(item)
        });
        if let Some(item) = empty_neighbour {
            errors.push(ReplyError::Unplaced {
                value: stray.text.trim().to_owned(),
                item: item.id.to_string(),
                prompt: item.prompt.clone(),
                line: stray.line,
            });
        }
    }
    errors
}

/// The words of the form's own text (every `::` line), for telling a re-wrapped piece of
/// it from an expert's words.
fn form_words(q: &Questionnaire) -> String {
    let mut words = String::new();
    for line in crate::text::render(q).lines() {
        if let Some(text) = line.strip_prefix(crate::text::COMMENT) {
            words.push(' ');
            words.push_str(&text.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    words.push(' ');
    words
}

/// A line that is a piece of the form's own text, cut loose by a client that re-wrapped
/// the quote (`> Very high · ? don't know`): it continues the form line before it, or it
/// is long enough to be unmistakable on its own. A short piece alone ("5") could be an
/// expert's value, so it must continue its line.
fn is_form_fragment(form_words: &str, after: &str, line: &str) -> bool {
    let normal = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let piece = normal(line);
    let continued = format!(" {} {piece} ", normal(after));
    let long_enough = piece.chars().count() >= 12 || piece.chars().filter(|c| !c.is_ascii()).count() >= 6;
    form_words.contains(&continued) || (long_enough && form_words.contains(&piece))
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
    Ok(Reply { answers, unanswered, quoted: BTreeSet::new() })
}

/// The answer written in an entry's lines (the marker line's rest first).
fn value(item: &Item, entry: &Entry) -> Result<Option<Answer>, AnswerError> {
    let lines = &entry.lines;
    if item.answer == AnswerSpec::Text {
        // Line breaks are kept as the expert typed them (a client's soft breaks, format=flowed
        // or quoted-printable, were undone before the text got here).
        let joiner = "\n";
        let mut paragraphs: Vec<String> = Vec::new();
        let mut current: Vec<&str> = Vec::new();
        for line in lines.iter().map(|l| l.trim()) {
            if line.is_empty() {
                if !current.is_empty() {
                    paragraphs.push(current.join(joiner));
                    current.clear();
                }
            } else {
                current.push(line);
            }
        }
        if !current.is_empty() {
            paragraphs.push(current.join(joiner));
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
fn split_parts(q: &Questionnaire, mail: &str, signer: &Signer) -> Vec<Part> {
    let mail = mail.strip_prefix('\u{feff}').unwrap_or(mail).replace("\r\n", "\n").replace('\r', "\n");
    let quoted: Vec<(usize, String)> = mail.lines().map(unquote).collect();
    let depths: Vec<usize> = quoted.iter().map(|(d, _)| *d).collect();
    let lines: Vec<(usize, String)> = quoted.into_iter().enumerate().map(|(i, (_, l))| (i + 1, l)).collect();
    let kinds: Vec<Kind> = lines.iter().map(|(_, l)| classify(q, l, signer)).collect();
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
                if is_field_named(trimmed, &["from", "发件人"])
                    && signer.is_named_in(trimmed)
                    && let Some(part) = parts.last_mut()
                {
                    part.own = true;
                }
                continue;
            } else {
                in_headers = false;
            }
        }
        let outlook = is_field_named(line.trim(), &["from", "发件人"])
            && lines.get(i + 1).is_some_and(|(_, next)| is_header_field(next.trim()));
        if matches!(kind, Kind::Break) || outlook {
            // "On Mon, … <x@y>\nwrote:" wrapped by the client: the first half is no answer.
            let mut attribution = line.clone();
            if line.trim().to_lowercase().ends_with("wrote:")
                && !line.trim().starts_with("On ")
                && i > 0
                && lines[i - 1].1.trim().starts_with("On ")
            {
                attribution = format!("{} {line}", lines[i - 1].1);
                if let Some(part) = parts.last_mut() {
                    if let Some(entry) = part.entries.last_mut()
                        && entry.lines.last().is_some_and(|l| l.trim().starts_with("On "))
                    {
                        entry.lines.pop();
                    }
                    part.strays.retain(|s| s.line != lines[i - 1].0);
                }
            }
            parts.push(Part { below_header: true, own: signer.is_named_in(&attribution), ..Part::default() });
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
                if let Some(entry) = part.entries.last_mut().filter(|e| depth <= e.depth && !e.closed) {
                    entry.lines.push(String::new());
                }
            }
            Kind::Comment => {
                part.after_form_text = true;
                let text = line.trim().trim_start_matches("::").trim_start_matches("：：");
                part.last_text = text.to_owned();
                if let Some(entry) = part.entries.last_mut() {
                    entry.closed = true;
                }
            }
            Kind::Break => {}
            Kind::Stop => part.stopped = true,
            // A closing, a name or a phone line ends the answers when it follows one (an
            // answer still open at this depth); elsewhere, e.g. a "best" cut loose from the
            // form's own text by a re-wrap, it is an ordinary line.
            Kind::SignOff(text) => {
                if part.entries.last().is_some_and(|e| !e.closed && depth <= e.depth) {
                    part.stopped = true;
                } else if part.after_form_text {
                    part.push_stray(*number, text);
                }
            }
            Kind::Marker { id, rest } => {
                part.after_form_text = false;
                if q.item(id).is_some() {
                    part.entries.push(Entry {
                        id: id.clone(),
                        line: *number,
                        depth,
                        lines: vec![rest.clone()],
                        closed: false,
                    });
                } else {
                    part.unknown.push((id.clone(), *number));
                }
            }
            Kind::Content(text) => {
                let open = part.entries.last_mut().filter(|e| depth <= e.depth && !e.closed);
                match open {
                    Some(entry) => entry.lines.push(text.clone()),
                    None if part.after_form_text => {
                        part.push_stray(*number, text);
                    }
                    None => {}
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
        match trimmed.strip_prefix(['>', '＞']) {
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

fn classify(q: &Questionnaire, line: &str, signer: &Signer) -> Kind {
    let trimmed = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}');
    if trimmed.is_empty() {
        return Kind::Blank;
    }
    if trimmed.starts_with("::") || trimmed.starts_with("：：") {
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
        // A known item's marker needs no space after it (`［protocols.benefit］４`); an
        // unknown one does, so that `[1]` or `[sic]` in a text stays text.
        if id_like && (known || (separated && token.contains(['.', '-', '_']))) {
            // `:` after a marker is decoration; so is `=`, except before a text answer
            // (which may well start with one)
            let text = q.item(&token).is_some_and(|i| i.answer == AnswerSpec::Text);
            let separators: &[char] = if text { &[':', '：'] } else { &[':', '：', '='] };
            let rest = rest.trim_start().strip_prefix(separators).unwrap_or(rest);
            return Kind::Marker { id: token, rest: rest.to_owned() };
        }
    }
    if is_closing(trimmed) || signer.is_name(trimmed) || is_contact_line(trimmed) {
        return Kind::SignOff(line.to_owned());
    }
    Kind::Content(line.to_owned())
}

/// A closing on a line of its own, maybe with a short name after it ("Best regards,",
/// "Thanks, J.", "Cheers, Sam", "此致", "祝好！").
fn is_closing(trimmed: &str) -> bool {
    const CLOSINGS: [&str; 44] = [
        "best",
        "best regards",
        "kind regards",
        "warm regards",
        "warmest regards",
        "with best regards",
        "with kind regards",
        "best wishes",
        "all best",
        "all the best",
        "regards",
        "many thanks",
        "thanks",
        "thanks again",
        "thanks so much",
        "thank you",
        "thank you again",
        "thank you very much",
        "thanks and regards",
        "thanks & regards",
        "thx",
        "cheers",
        "sincerely",
        "yours sincerely",
        "sincerely yours",
        "yours",
        "yours truly",
        "respectfully",
        "take care",
        "mit freundlichen grüßen",
        "viele grüße",
        "cordialement",
        "此致",
        "敬礼",
        "此致敬礼",
        "祝好",
        "顺祝商祺",
        "顺颂商祺",
        "顺祝",
        "谢谢",
        "多谢",
        "祝工作顺利",
        "感谢",
        "非常感谢",
    ];
    let lower = trimmed.to_lowercase();
    let bare = lower.trim_end_matches(|c: char| ",.!;:，。！；：~".contains(c) || c.is_whitespace());
    if CLOSINGS.contains(&bare) {
        return true;
    }
    // "Thanks, J." / "Best, Sam" / "Cheers – Ana": a closing and at most three short words.
    let Some((head, tail)) = bare.split_once([',', '，', '–', '—']) else { return false };
    let words: Vec<&str> = tail.split_whitespace().collect();
    CLOSINGS.contains(&head.trim())
        && (1..=3).contains(&words.len())
        && words.iter().all(|w| w.chars().count() <= 15 && !w.chars().any(|c| c.is_ascii_digit()))
}

/// A telephone, fax or postal line of a signature block.
fn is_contact_line(trimmed: &str) -> bool {
    let lower = trimmed.to_lowercase();
    let phone_label =
        ["tel:", "tel.", "phone:", "mobile:", "mob:", "cell:", "fax:", "电话", "手机", "传真", "t:", "m:", "p:"]
            .iter()
            .any(|label| lower.starts_with(label));
    let address_label = ["address:", "地址：", "地址:", "addr:"].iter().any(|label| lower.starts_with(label));
    let digits = trimmed.chars().filter(char::is_ascii_digit).count();
    let phone_shaped = trimmed.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c))
        && digits >= 8
        && (trimmed.starts_with('+') || trimmed.contains(['-', '(']));
    address_label || (phone_label && digits >= 6) || phone_shaped
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
            // a full-width comma separates, it is never a decimal comma (`２０，２８，３５`)
            '，' => ';',
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
/// (ordinal `dk` = don't know), `id:p5` / `id:p50` / `id:p95` (one `id:pN` per quantile asked) for quantiles, `id:domain` →
/// rank for rankings. Unknown fields are ignored.
pub fn parse_form(q: &Questionnaire, fields: &[(String, String)]) -> Result<Reply, ReplyErrors> {
    let (answers, errors) = read_form(q, fields);
    finish(q, answers, errors, ReplyError::EmptyForm)
}

/// Reads the fields of the web form of `q` as far as they go: the valid answers (an item
/// with a problem has none) beside every problem, so that a refused submission can be kept
/// as a draft and shown again. A form with fields this page does not send yields its
/// problems and no answers at all: what it meant cannot be told.
pub fn read_form(q: &Questionnaire, fields: &[(String, String)]) -> (BTreeMap<ItemId, Answer>, Vec<ReplyError>) {
    let strays = stray_fields(q, fields);
    if !strays.is_empty() {
        return (BTreeMap::new(), strays);
    }
    let get = |name: &str| fields.iter().rev().find(|(n, _)| n == name).map(|(_, v)| normalise_symbols(v.trim()));
    let mut answers = BTreeMap::new();
    let mut errors = Vec::new();
    for item in &q.items {
        let id = item.id.as_str();
        let result = match &item.answer {
            AnswerSpec::Quantile { levels, .. } => {
                let parts: Vec<(u8, String)> =
                    levels.percents().map(|p| (p, get(&format!("{id}:p{p}")).unwrap_or_default())).collect();
                if parts.iter().all(|(_, v)| v.is_empty()) {
                    Ok(None)
                } else if parts.iter().any(|(_, v)| v.is_empty()) {
                    let found = parts.iter().filter(|(_, v)| !v.is_empty()).count();
                    Err(AnswerError::QuantileFields { found, levels: *levels })
                } else {
                    let labelled: Vec<String> = parts.iter().map(|(p, v)| format!("{p}%: {v}")).collect();
                    parse_value(&item.answer, &labelled.join("  "))
                }
            }
            AnswerSpec::Ranking { options, ties } => ranking_fields(options, *ties, |d| get(&format!("{id}:{d}"))),
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
            AnswerSpec::Numeric { .. } => get(id).map_or(Ok(None), |v| parse_value(&item.answer, &v)),
        };
        match result {
            Ok(Some(answer)) => {
                answers.insert(item.id.clone(), answer);
            }
            Ok(None) => {}
            Err(error) => {
                errors.push(ReplyError::Answer { item: id.to_owned(), prompt: item.prompt.clone(), line: None, error });
            }
        }
    }
    (answers, errors)
}

/// The fields of a web form that the questionnaire's page does not send, and those sent more
/// than once (each named once): such a form was not made by our page as it is, and guessing
/// what it meant could store an answer the expert never gave.
fn stray_fields(q: &Questionnaire, fields: &[(String, String)]) -> Vec<ReplyError> {
    let mut expected: BTreeMap<String, &Item> = BTreeMap::new();
    for item in &q.items {
        let id = item.id.as_str();
        match &item.answer {
            AnswerSpec::Quantile { levels, .. } => {
                for p in levels.percents() {
                    expected.insert(format!("{id}:p{p}"), item);
                }
            }
            AnswerSpec::Ranking { options, .. } => {
                for option in options {
                    expected.insert(format!("{id}:{}", option.id.as_str()), item);
                }
            }
            AnswerSpec::Ordinal { .. } | AnswerSpec::Numeric { .. } | AnswerSpec::Probability | AnswerSpec::Text => {
                expected.insert(id.to_owned(), item);
            }
        }
    }
    let mut seen = BTreeSet::new();
    let mut reported = BTreeSet::new();
    let mut errors = Vec::new();
    for (name, _) in fields {
        let first = seen.insert(name.as_str());
        if (first && expected.contains_key(name)) || !reported.insert(name.as_str()) {
            continue;
        }
        errors.push(match expected.get(name) {
            Some(item) => ReplyError::RepeatedField {
                name: name.clone(),
                item: item.id.as_str().to_owned(),
                prompt: item.prompt.clone(),
            },
            None => ReplyError::UnknownField { name: name.clone() },
        });
    }
    errors
}

/// A ranking from the web form's rank fields, one per option. Where the item allows ties,
/// options given the same number share a place (ranks 1, 2, 2, 4 or 1, 2, 2, 3 both tie the
/// second and third option); where it does not, a number given twice is refused.
fn ranking_fields(
    options: &[crate::DomainView],
    ties: bool,
    get: impl Fn(&str) -> Option<String>,
) -> Result<Option<Answer>, AnswerError> {
    // A rank that is no number of the list (only a tampered page sends one) counts as none.
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
    // Named by their titles: the expert chose ranks beside titles, never saw the ids.
    let missing: Vec<String> =
        ranks.iter().filter(|(_, rank, _)| rank.is_none()).map(|(i, _, _)| options[*i].title.clone()).collect();
    let mut by_rank: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, rank, _) in &ranks {
        if let Some(rank) = rank {
            by_rank.entry(*rank).or_default().push(*i);
        }
    }
    let shared: Vec<(usize, Vec<String>)> = by_rank
        .iter()
        .filter(|(_, holders)| holders.len() > 1 && !ties)
        .map(|(rank, holders)| (*rank, holders.iter().map(|i| options[*i].title.clone()).collect()))
        .collect();
    if !(missing.is_empty() && shared.is_empty()) {
        return Err(AnswerError::Ranks { shared, missing });
    }
    let tiers = by_rank
        .into_values()
        .filter_map(|holders| Tier::new(holders.into_iter().map(|i| options[i].id.clone()).collect()));
    Ok(Some(Answer::Ranking { order: RankOrder::new(tiers.collect()) }))
}
