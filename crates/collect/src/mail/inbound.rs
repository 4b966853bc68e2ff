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
    let text = message.body_text(0).map(|t| t.into_owned()).unwrap_or_default();

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
