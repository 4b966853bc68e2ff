//! The reply corpus (`tests/data/replies`) read without a server, a store or the binary: each
//! message through the email channel's reader (`delphi_collect::mail::inbound::read`: MIME,
//! charsets, HTML, format=flowed, tokens, automatic messages) and the reply parser
//! (`delphi_survey::reply::read_signed`, signed by the expert the case names, in their
//! questionnaire's language). What the reader makes of every message is written out and
//! compared with `tests/data/replies/reading.txt`, so any change in reading shows as a diff
//! (`UPDATE_EXPECT=1 cargo test --test it reply_corpus` rewrites it). What ingest then decides
//! (spoofed, duplicate, unchanged, a newer answer kept) needs the store: `mail.rs` runs the
//! corpus through the binary over a Maildir and a real Dovecot for that.
//!
//! Placeholders are filled as the server-bound runs fill them, with stand-ins: a token of 32
//! base32 letters made from the expert's id, and for a quoted receipt the expert's blank text
//! form quoted with `> ` (the receipt itself exists only once the tool has sent it).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use delphi_collect::mail::inbound::{Automatic, read};
use delphi_core::Study;
use delphi_survey::reply::{Signer, read_signed};
use delphi_survey::{FrozenRound, Questionnaire};
use expect_test::expect_file;

/// One case of `cases.toml`, as far as the reader is concerned.
#[derive(Debug, serde::Deserialize)]
struct Case {
    file: String,
    expert: Option<String>,
    other_expert: Option<String>,
    /// What ingest must make of it (README.md), written beside the reading for the reader.
    outcome: String,
}

#[derive(Debug, serde::Deserialize)]
struct Corpus {
    case: Vec<Case>,
}

/// A panel member of the corpus panel.
struct Member {
    name: String,
    email: String,
    language: String,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/replies")
}

fn panel() -> BTreeMap<String, Member> {
    let mut reader = csv::Reader::from_path(corpus_dir().join("panel.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (id, name, email, language) = (column("id"), column("name"), column("email"), column("language"));
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            let member = Member {
                name: record[name].to_owned(),
                email: record[email].to_owned(),
                language: record[language].to_owned(),
            };
            (record[id].to_owned(), member)
        })
        .collect()
}

/// A token-shaped stand-in for `expert`'s token: 32 base32 letters (digits become letters).
fn stand_in_token(expert: &str) -> String {
    let letters: String = expert
        .to_lowercase()
        .chars()
        .map(|c| c.to_digit(10).map_or(c, |d| char::from(b'a' + u8::try_from(d).unwrap())))
        .collect();
    format!("{letters:z<32}")
}

/// `{{RECEIPT_QUOTED}}` / `{{RECEIPT_QUOTED|[item] value}}`: the blank form quoted with `> `,
/// CRLF, the line of `[item]` replaced by the edit.
fn quoted_form(form: &str, edit: Option<&str>) -> String {
    let marker = edit.map(|e| e.split(']').next().unwrap());
    let mut replaced = false;
    let quoted: Vec<String> = form
        .lines()
        .map(|line| {
            let line = match (edit, marker) {
                (Some(edit), Some(marker)) if !replaced && line.trim_start().starts_with(marker) => {
                    replaced = true;
                    edit
                }
                _ => line,
            };
            if line.is_empty() { ">".to_owned() } else { format!("> {line}") }
        })
        .collect();
    assert!(edit.is_none() || replaced, "the form has no line for {edit:?}");
    quoted.join("\r\n")
}

/// `haystack` with every `from` replaced by `to`, byte for byte (a message's other bytes may
/// be in any charset).
fn replace_bytes(haystack: &[u8], from: &str, to: &str) -> Vec<u8> {
    let from = from.as_bytes();
    let mut out = Vec::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(at) = rest.windows(from.len()).position(|w| w == from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to.as_bytes());
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// The raw message of `case` with its placeholders filled.
fn filled(raw: &[u8], case: &Case, form: &str) -> Vec<u8> {
    let expert = case.expert.as_deref().unwrap_or("none");
    let mut raw = replace_bytes(raw, "{{TOKEN}}", &stand_in_token(expert));
    if let Some(other) = &case.other_expert {
        raw = replace_bytes(&raw, "{{TOKEN_OTHER}}", &stand_in_token(other));
    }
    raw = replace_bytes(&raw, "{{RECEIPT_ID}}", &format!("receipt-{expert}@replies.example.org"));
    const QUOTED: &[u8] = b"{{RECEIPT_QUOTED";
    while let Some(at) = raw.windows(QUOTED.len()).position(|w| w == QUOTED) {
        let end = at + raw[at..].windows(2).position(|w| w == b"}}").unwrap() + 2;
        let inner = String::from_utf8_lossy(&raw[at + 2..end - 2]).into_owned();
        let edit = inner.split_once('|').map(|(_, e)| e.to_owned());
        raw.splice(at..end, quoted_form(form, edit.as_deref()).into_bytes());
    }
    raw
}

/// What the reader makes of `raw`, written out for a person to read.
fn reading(
    raw: &[u8],
    case: &Case,
    questionnaire: &Questionnaire,
    signer: &Signer,
    experts: &BTreeMap<String, String>,
) -> String {
    let incoming = read(raw);
    let mut out = String::new();
    let automatic = match incoming.automatic {
        None => "no",
        Some(Automatic::AutoReply) => "auto-reply",
        Some(Automatic::Bounce) => "bounce",
    };
    let tokens: Vec<&str> = incoming.tokens.iter().map(|t| experts.get(t).map_or("unknown", String::as_str)).collect();
    let _ = writeln!(
        out,
        "  automatic: {automatic}, reads like an out-of-office: {}, readable: {}, tokens: [{}]",
        incoming.reads_like_auto_reply,
        incoming.readable,
        tokens.join(", ")
    );
    if case.expert.is_none() {
        return out;
    }
    let reading = read_signed(questionnaire, &incoming.text, signer);
    for (item, answer) in &reading.answers {
        let quoted = if reading.quoted.contains(item) { " (quoted)" } else { "" };
        let _ = writeln!(out, "  {item} = {}{quoted}", serde_json::to_string(answer).unwrap());
    }
    for (item, answer) in &reading.elsewhere {
        let _ = writeln!(out, "  elsewhere: {item} = {}", serde_json::to_string(answer).unwrap());
    }
    for error in &reading.errors {
        let _ = writeln!(out, "  problem: {error}");
    }
    out
}

#[test]
fn every_message_of_the_corpus_reads_as_before() {
    let corpus: Corpus = toml::from_str(&std::fs::read_to_string(corpus_dir().join("cases.toml")).unwrap()).unwrap();
    assert!(corpus.case.len() >= 100, "the corpus holds at least 100 replies");
    let study = Study::from_toml(include_str!("../../surveys/ai-safety-cooperation.toml"), "study.toml").unwrap();
    let frozen = FrozenRound::build(&study, 1, None).unwrap();
    let panel = panel();
    let experts: BTreeMap<String, String> = panel.keys().map(|id| (stand_in_token(id), id.clone())).collect();

    let mut written = String::new();
    for case in &corpus.case {
        let member = case.expert.as_ref().map(|id| &panel[id]);
        let language = member.map_or("en", |m| m.language.as_str());
        let questionnaire = frozen.in_language(language);
        let signer = member.map_or_else(Signer::default, |m| Signer::new(&m.name, &m.email));
        let raw = std::fs::read(corpus_dir().join(&case.file)).unwrap();
        let raw = filled(&raw, case, &delphi_survey::text::render(questionnaire));
        let _ = writeln!(
            written,
            "{} ({}, expected {})",
            case.file,
            case.expert.as_deref().unwrap_or("no expert"),
            case.outcome
        );
        written.push_str(&reading(&raw, case, questionnaire, &signer, &experts));
    }
    expect_file!["../data/replies/reading.txt"].assert_eq(&written);
}
