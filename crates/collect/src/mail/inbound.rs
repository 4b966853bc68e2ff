//! Reading a reply: what kind of message it is (an answer, an auto-reply, a bounce),
//! who sent it, which tokens it carries, and its text, whatever its MIME shape and charset
//! (quoted-printable, base64, HTML only, GB2312, windows-1252, …).

use mail_parser::{HeaderValue, MessageParser};
use sha2::{Digest, Sha256};

/// A message that is not an expert's answer, set aside without a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Automatic {
    /// An out-of-office or other automatic reply.
    AutoReply,
    /// A delivery failure report.
    Bounce,
}

/// What a raw message says, as far as the email channel cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// The Message-ID, or `sha256:<hash of the raw bytes>` when it has none: the key that
    /// makes processing a message twice impossible.
    pub key: String,
    /// The sender's address, lower-cased.
    pub from: Option<String>,
    pub automatic: Option<Automatic>,
    /// Token-shaped strings found in the recipient addresses (`+token@`), then the subject
    /// and text (`/s/token`), in that order, without repeats.
    pub tokens: Vec<String>,
    /// The body as plain text (the HTML turned into text when there is no plain part).
    pub text: String,
}

/// Length of a token: 160 bits in base32.
const TOKEN_LEN: usize = 32;

/// Reads a raw message. A message that is not MIME at all still gets a key and its bytes
/// as text, so it is dealt with (and set aside) like any other.
pub fn read(raw: &[u8]) -> Incoming {
    let fallback_key = || format!("sha256:{}", hex(&Sha256::digest(raw)));
    let Some(message) = MessageParser::default().parse(raw) else {
        let text = String::from_utf8_lossy(raw).into_owned();
        return Incoming { key: fallback_key(), from: None, automatic: None, tokens: tokens_in_text(&text), text };
    };
    let key = message
        .message_id()
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map_or_else(fallback_key, |id| format!("<{}>", id.trim_matches(['<', '>'])));
    let from = message.from().and_then(|a| a.first()).and_then(|a| a.address()).map(str::to_ascii_lowercase);
    let subject = message.subject().unwrap_or_default().to_owned();
    // An HTML-only reply is turned into text here rather than by mail-parser, whose
    // conversion runs block elements together: a marker must start its own line, and a
    // <blockquote> is quoting.
    let text = match message.text_part(0) {
        Some(part) if part.is_text_html() => html_to_text(&message.body_html(0).unwrap_or_default()),
        _ => message.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
    };

    let mut tokens = Vec::new();
    let recipients = ["To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"];
    for name in recipients {
        if let Some(value) = message.header(name) {
            for address in addresses_in(value) {
                tokens.extend(token_in_address(&address));
            }
        }
    }
    tokens.extend(tokens_in_text(&subject));
    tokens.extend(tokens_in_text(&text));
    let mut seen = std::collections::HashSet::new();
    tokens.retain(|t| seen.insert(t.clone()));

    let header = |name: &str| message.header_raw(name).map(|v| v.trim().to_ascii_lowercase());
    let automatic = automatic_kind(
        &header,
        &subject,
        from.as_deref(),
        message.return_address().is_some_and(|r| r.trim().is_empty() || r.trim() == "<>"),
    );
    Incoming { key, from, automatic, tokens, text }
}

/// Plain text of an HTML body: block elements and `<br>` end lines, `<blockquote>` quotes
/// its lines with `> `, entities are decoded, runs of white space collapse as a browser
/// collapses them, and `<head>`, `<style>` and `<script>` are dropped.
pub fn html_to_text(html: &str) -> String {
    const BLOCKS: [&str; 17] = [
        "p",
        "div",
        "br",
        "tr",
        "li",
        "ul",
        "ol",
        "table",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "blockquote",
    ];
    let mut lines: Vec<(usize, String)> = vec![(0, String::new())];
    let mut depth = 0_usize;
    let mut hidden = 0_usize;
    let mut rest = html;
    let new_line = |lines: &mut Vec<(usize, String)>, depth: usize| {
        if lines.last().is_some_and(|(_, l)| !l.trim().is_empty()) {
            lines.push((depth, String::new()));
        } else if let Some(last) = lines.last_mut() {
            last.0 = depth;
        }
    };
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('<') {
            let end = after.find('>').map_or(after.len(), |i| i + 1);
            let tag = &after[..end.saturating_sub(1)];
            rest = &after[end.min(after.len())..];
            let closing = tag.starts_with('/');
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase();
            match name.as_str() {
                "head" | "style" | "script" | "title" => {
                    hidden = if closing { hidden.saturating_sub(1) } else { hidden + 1 };
                }
                "blockquote" => {
                    depth = if closing { depth.saturating_sub(1) } else { depth + 1 };
                    new_line(&mut lines, depth);
                }
                name if BLOCKS.contains(&name) => {
                    // `<br>` ends a line even when the line is empty (a blank line in the text).
                    if name == "br" && lines.last().is_some_and(|(_, l)| l.trim().is_empty()) {
                        lines.push((depth, String::new()));
                    } else {
                        new_line(&mut lines, depth);
                    }
                }
                _ => {}
            }
            continue;
        }
        let end = rest.find('<').unwrap_or(rest.len());
        let (chunk, after) = rest.split_at(end);
        rest = after;
        if hidden > 0 {
            continue;
        }
        let decoded = decode_entities(chunk);
        let Some((_, line)) = lines.last_mut() else { continue };
        for word in decoded.split(|c: char| c.is_ascii_whitespace()) {
            if word.is_empty() {
                if !line.ends_with(' ') && !line.is_empty() {
                    line.push(' ');
                }
                continue;
            }
            line.push_str(word);
            line.push(' ');
        }
        // A run of text keeps its last space only if more text follows on the line.
        if !decoded.ends_with(|c: char| c.is_ascii_whitespace()) && line.ends_with(' ') {
            line.pop();
        }
    }
    while lines.len() > 1 && lines.last().is_some_and(|(_, l)| l.trim().is_empty()) {
        lines.pop();
    }
    let mut out = String::new();
    for (depth, line) in lines {
        out.push_str(&"> ".repeat(depth));
        out.push_str(line.trim().replace('\u{a0}', " ").trim());
        out.push('\n');
    }
    out
}

fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(semi) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn addresses_in(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Address(address) => address.iter().filter_map(|a| a.address()).map(str::to_owned).collect(),
        HeaderValue::Text(text) => vec![text.to_string()],
        HeaderValue::TextList(list) => list.iter().map(ToString::to_string).collect(),
        _ => Vec::new(),
    }
}

/// `delphi+<token>@host` → the token.
fn token_in_address(address: &str) -> Option<String> {
    let local = address.trim().trim_matches(['<', '>']).rsplit_once('@')?.0;
    let (_, tag) = local.split_once('+')?;
    is_token(tag).then(|| tag.to_ascii_lowercase())
}

/// Tokens in personal links (`/s/<token>`) and reply addresses written out in a text.
fn tokens_in_text(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (marker, _) in text.match_indices("/s/").chain(text.match_indices('+')) {
        let start = marker + if text[marker..].starts_with("/s/") { 3 } else { 1 };
        let candidate: String = text[start..].chars().take_while(char::is_ascii_alphanumeric).collect();
        if is_token(&candidate) {
            found.push(candidate.to_ascii_lowercase());
        }
    }
    found
}

fn is_token(text: &str) -> bool {
    text.len() == TOKEN_LEN && text.bytes().all(|b| matches!(b.to_ascii_lowercase(), b'a'..=b'z' | b'2'..=b'7'))
}

/// Recognises automatic messages by the headers RFC 3834 and the common mail systems set,
/// and by the subjects of auto-responders that set none.
fn automatic_kind(
    header: &dyn Fn(&str) -> Option<String>,
    subject: &str,
    from: Option<&str>,
    null_return_path: bool,
) -> Option<Automatic> {
    let content_type = header("Content-Type").unwrap_or_default();
    let from_daemon = from.is_some_and(|f| {
        let local = f.split('@').next().unwrap_or_default();
        local.eq_ignore_ascii_case("mailer-daemon") || local.eq_ignore_ascii_case("postmaster")
    });
    if (content_type.starts_with("multipart/report") && content_type.contains("delivery-status"))
        || from_daemon
        || header("X-Failed-Recipients").is_some()
    {
        return Some(Automatic::Bounce);
    }
    let auto_submitted = header("Auto-Submitted").is_some_and(|v| !v.starts_with("no"));
    let precedence = header("Precedence").is_some_and(|v| matches!(v.as_str(), "auto_reply" | "bulk" | "junk"));
    let flagged = ["X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress-Autoreply", "X-Autogenerated"]
        .iter()
        .any(|name| header(name).is_some())
        || header("X-Auto-Response-Suppress").is_some_and(|v| v.contains("oof") || v.contains("autoreply"));
    let subject = subject.trim().to_lowercase();
    let by_subject = [
        "automatic reply",
        "auto-reply",
        "autoreply",
        "auto reply",
        "out of office",
        "out of the office",
        "abwesenheitsnotiz",
        "réponse automatique",
        "自动回复",
        "自動回覆",
        "外出",
    ]
    .iter()
    .any(|p| subject.starts_with(p) || subject.contains(&format!(": {p}")) || subject.contains(&format!("[{p}")));
    if auto_submitted || precedence || flagged || by_subject {
        return Some(Automatic::AutoReply);
    }
    if null_return_path && content_type.starts_with("multipart/report") {
        return Some(Automatic::Bounce);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "abcdefghijklmnopqrstuvwxyz234567";

    #[test]
    fn tokens_are_found_in_reply_addresses_links_and_subjects() {
        assert_eq!(token_in_address(&format!("delphi+{TOKEN}@replies.example.org")).as_deref(), Some(TOKEN));
        assert_eq!(token_in_address(&format!("<Delphi+{}@x>", TOKEN.to_uppercase())).as_deref(), Some(TOKEN));
        assert_eq!(token_in_address("delphi+short@x"), None);
        assert_eq!(token_in_address("delphi@x"), None);
        let text = format!("see http://127.0.0.1:8080/s/{TOKEN} and /s/{TOKEN}1 and /s/tooshort");
        assert_eq!(tokens_in_text(&text), [TOKEN]);
    }

    #[test]
    fn html_replies_keep_their_lines_and_quoting() {
        let html = "<html><head><style>p{}</style></head><body><div>Dear team, below. Best, T</div>\
                    <p>[a.b] 6<br>[c.d] 5%:&nbsp;3&nbsp; 50%: 8<br>[e] x &gt; y; R&amp;D</p>\
                    <blockquote>Dear T,<br>\n<br>\n:: form<br>[a.b]</blockquote><p>after</p></body></html>";
        let text = html_to_text(html);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "Dear team, below. Best, T",
                "[a.b] 6",
                "[c.d] 5%: 3  50%: 8",
                "[e] x > y; R&D",
                "> Dear T,",
                "> ",
                "> :: form",
                "> [a.b]",
                "after"
            ],
            "{text}"
        );
    }

    #[test]
    fn a_message_without_message_id_is_keyed_by_its_content() {
        let a = read(b"From: a@x\r\nSubject: hi\r\n\r\nbody one\r\n");
        let b = read(b"From: a@x\r\nSubject: hi\r\n\r\nbody two\r\n");
        assert!(a.key.starts_with("sha256:"));
        assert_ne!(a.key, b.key);
        let c = read(b"From: A@X\r\nMessage-ID: <m1@x>\r\nSubject: hi\r\n\r\nbody\r\n");
        assert_eq!((c.key.as_str(), c.from.as_deref()), ("<m1@x>", Some("a@x")));
    }

    #[test]
    fn auto_replies_and_bounces_are_recognised_by_headers_and_subjects() {
        let auto = read(b"From: a@x\r\nAuto-Submitted: auto-replied\r\nSubject: Re: Round 1\r\n\r\nI am away\r\n");
        assert_eq!(auto.automatic, Some(Automatic::AutoReply));
        let by_subject = read(b"From: a@x\r\nSubject: Out of Office: Round 1\r\n\r\nI am away\r\n");
        assert_eq!(by_subject.automatic, Some(Automatic::AutoReply));
        let not_auto = read(b"From: a@x\r\nAuto-Submitted: no\r\nSubject: Re: about the office\r\n\r\n[x] 1\r\n");
        assert_eq!(not_auto.automatic, None);
        let bounce = read(
            b"From: MAILER-DAEMON@mx.example\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\n\r\nfailed\r\n--b--\r\n",
        );
        assert_eq!(bounce.automatic, Some(Automatic::Bounce));
    }
}
