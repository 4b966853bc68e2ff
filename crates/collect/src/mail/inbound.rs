//! Reading a reply: what kind of message it is (an answer, an auto-reply, a bounce),
//! who sent it, which tokens it carries, and its text, whatever its MIME shape and charset
//! (quoted-printable, base64, HTML only, GB2312, windows-1252, …).

use chrono::{DateTime, Utc};
use mail_parser::{HeaderValue, MessageParser, MimeHeaders};
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
    /// An automatic reply or a bounce, as its headers, its sender or a stock subject line show.
    pub automatic: Option<Automatic>,
    /// No RFC 3834 header says so, but the subject or the message's own opening lines read
    /// like an out-of-office (English or Chinese): set aside as an automatic reply unless
    /// it also carries answers of its own (a person who writes "I'm away next week, here
    /// are my answers" is recorded).
    pub reads_like_auto_reply: bool,
    /// Token-shaped strings found in the recipient addresses (`+token@`), then the subject
    /// and text (`/s/token`), in that order, without repeats.
    pub tokens: Vec<String>,
    /// The body as plain text (the HTML turned into text when there is no plain part;
    /// format=flowed lines joined again).
    pub text: String,
    /// When the sender's client says it was written (the Date header), if readable.
    pub written: Option<DateTime<Utc>>,
    /// The Message-IDs this message answers (In-Reply-To, then References), each `<…>`.
    pub replies_to: Vec<String>,
    /// Whether it has a body to read at all (a text or HTML part); Outlook's rich text sent
    /// as a winmail.dat attachment alone has none.
    pub readable: bool,
}

/// Length of a token: 160 bits in base32.
const TOKEN_LEN: usize = 32;

/// Reads a raw message. A message that is not MIME at all still gets a key and its bytes
/// as text, so it is dealt with (and set aside) like any other.
pub fn read(raw: &[u8]) -> Incoming {
    let fallback_key = || content_key(raw);
    let Some(message) = MessageParser::default().parse(raw) else {
        let text = String::from_utf8_lossy(raw).into_owned();
        return Incoming {
            key: fallback_key(),
            from: None,
            automatic: None,
            reads_like_auto_reply: reads_like_auto_reply("", &text),
            tokens: tokens_in_text(&text),
            text,
            written: None,
            replies_to: Vec::new(),
            readable: true,
        };
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
    let readable = message.text_part(0).is_some() || message.html_part(0).is_some();
    let text = match message.text_part(0) {
        Some(part) if part.is_text_html() => html_to_text(&message.body_html(0).unwrap_or_default()),
        Some(part) => {
            let body = message.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
            let content_type = part.content_type();
            let attribute = |name| content_type.and_then(|c| c.attribute(name)).map(str::to_ascii_lowercase);
            if attribute("format").as_deref() == Some("flowed") {
                unflow(&body, attribute("delsp").as_deref() == Some("yes"))
            } else {
                body
            }
        }
        None => String::new(),
    };
    let written = message.date().and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0));
    let mut replies_to: Vec<String> = Vec::new();
    for value in [message.in_reply_to(), message.references()] {
        let ids: Vec<String> = match value {
            HeaderValue::Text(id) => vec![id.to_string()],
            HeaderValue::TextList(ids) => ids.iter().map(ToString::to_string).collect(),
            _ => Vec::new(),
        };
        for id in ids {
            let id = format!("<{}>", id.trim().trim_matches(['<', '>']));
            if !replies_to.contains(&id) {
                replies_to.push(id);
            }
        }
    }

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
    // A link in an HTML part carries its token in the address, not in the text shown.
    if let Some(html) = message.body_html(0) {
        tokens.extend(tokens_in_text(&html));
    }
    let mut seen = std::collections::HashSet::new();
    tokens.retain(|t| seen.insert(t.clone()));

    let header = |name: &str| message.header_raw(name).map(|v| v.trim().to_ascii_lowercase());
    let automatic = automatic_kind(
        &header,
        &subject,
        from.as_deref(),
        message.return_address().is_some_and(|r| r.trim().is_empty() || r.trim() == "<>"),
    );
    let reads_like_auto_reply = automatic.is_none() && reads_like_auto_reply(&subject, &text);
    Incoming { key, from, automatic, reads_like_auto_reply, tokens, text, written, replies_to, readable }
}

/// Joins the lines of a format=flowed body (RFC 3676) that the sender's client broke: a
/// line ending in a space continues on the next line of the same quoting depth. Space
/// stuffing is undone; the signature separator `-- ` stays a line of its own.
fn unflow(body: &str, delete_space: bool) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut open: Option<usize> = None;
    for line in body.lines() {
        let depth = line.chars().take_while(|c| *c == '>').count();
        let content = &line[depth..];
        let content = content.strip_prefix(' ').unwrap_or(content);
        let prefix = if depth > 0 { format!("{} ", ">".repeat(depth)) } else { String::new() };
        let continues = open == Some(depth);
        let soft = content.ends_with(' ') && content != "-- ";
        let piece = if soft && delete_space { &content[..content.len() - 1] } else { content };
        match out.last_mut() {
            Some(last) if continues => last.push_str(piece),
            _ => out.push(format!("{prefix}{piece}")),
        }
        open = soft.then_some(depth);
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// Plain text of an HTML body, through html2text (html5ever underneath: any HTML a mail
/// client writes, every HTML5 entity): block elements and `<br>` end lines, `<pre>` keeps
/// its lines, table cells stand side by side on their row's line, `<blockquote>` quotes its
/// lines with `> `. Links, emphasis and images add nothing (no `[link]` brackets that could
/// pass for markers). Lines are never wrapped.
pub fn html_to_text(html: &str) -> String {
    const NO_WRAP: usize = 100_000;
    let rendered = html2text::config::with_decorator(Bare)
        .no_table_borders()
        .allow_width_overflow()
        .string_from_read(html.as_bytes(), NO_WRAP);
    let text = match rendered {
        Ok(text) => text,
        // A table too wide even for NO_WRAP: the cells one per line, still readable.
        Err(_) => html2text::config::with_decorator(Bare)
            .raw_mode(true)
            .string_from_read(html.as_bytes(), NO_WRAP)
            .unwrap_or_default(),
    };
    text.lines().map(|line| line.trim_end().replace('\u{a0}', " ")).collect::<Vec<_>>().join("\n") + "\n"
}

/// html2text's decorations for a reply: only quoting is shown.
#[derive(Debug, Clone, Copy)]
struct Bare;

impl html2text::render::TextDecorator for Bare {
    type Annotation = ();

    fn decorate_link_start(&mut self, _url: &str) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_link_end(&mut self) -> String {
        String::new()
    }
    fn decorate_em_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_em_end(&self) -> String {
        String::new()
    }
    fn decorate_strong_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_strong_end(&self) -> String {
        String::new()
    }
    fn decorate_strikeout_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_strikeout_end(&self) -> String {
        String::new()
    }
    fn decorate_code_start(&self) -> (String, ()) {
        (String::new(), ())
    }
    fn decorate_code_end(&self) -> String {
        String::new()
    }
    fn decorate_preformat_first(&self) {}
    fn decorate_preformat_cont(&self) {}
    fn decorate_image(&mut self, _src: &str, _title: &str) -> (String, ()) {
        (String::new(), ())
    }
    fn header_prefix(&self, _level: usize) -> String {
        String::new()
    }
    fn quote_prefix(&self) -> String {
        "> ".to_owned()
    }
    fn unordered_item_prefix(&self) -> String {
        "- ".to_owned()
    }
    fn ordered_item_prefix(&self, i: i64) -> String {
        format!("{i}. ")
    }
    fn make_subblock_decorator(&self) -> Self {
        Bare
    }
}

/// The key of a message without a Message-ID: `sha256:<hash of the raw bytes>`.
pub fn content_key(raw: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(raw)))
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

/// Subject words of out-of-office replies: Outlook/Exchange ("Automatic reply:", "Out of
/// Office:"), Gmail and other vacation responders, QQ Mail and 163/126 ("自动回复", often as
/// "【自动回复】"), Foxmail and Chinese Exchange ("休假", "外出", "出差", "不在办公室").
const AWAY_SUBJECT: &[&str] = &[
    "out of office",
    "out of the office",
    "out-of-office",
    "automatic reply",
    "automatic response",
    "auto response",
    "autoresponse",
    "auto-reply",
    "autoreply",
    "auto reply",
    "vacation",
    "on leave",
    "annual leave",
    "away from",
    "自动回复",
    "自動回覆",
    "自動回复",
    "自动答复",
    "休假",
    "年假",
    "外出",
    "出差",
    "不在办公室",
    "不在辦公室",
];

/// Phrases of the opening lines of out-of-office replies, as Outlook, Gmail, Exchange,
/// QQ Mail, 163/126 and the usual vacation responders word them (apostrophes straightened,
/// lower case).
const AWAY_TEXT: &[&str] = &[
    "out of the office",
    "out of office",
    "out-of-office",
    "away from the office",
    "away from my desk",
    "i am away",
    "i'm away",
    "i am currently away",
    "i am on leave",
    "i'm on leave",
    "on annual leave",
    "on parental leave",
    "on maternity leave",
    "on paternity leave",
    "on sick leave",
    "on vacation",
    "on holiday",
    "limited access to email",
    "limited access to e-mail",
    "limited access to my email",
    "no access to email",
    "without access to email",
    "not be checking email",
    "not be checking my email",
    "won't be checking",
    "when i return",
    "upon my return",
    "until my return",
    "this is an automatic reply",
    "this is an automated reply",
    "this is an automatic response",
    "this is an automated response",
    "automatic reply",
    "auto-reply",
    "autoreply",
    "your message has been received",
    "your email has been received",
    "自动回复",
    "自動回覆",
    "自动答复",
    "休假",
    "年假",
    "请假",
    "外出",
    "出差",
    "不在办公室",
    "不在辦公室",
    "回来后",
    "回來後",
    "返回后",
    "邮件已收到",
    "来信已收到",
    "这是一封自动",
    "此邮件为自动",
    "本邮件为自动",
];

/// Whether a message without automatic-reply headers reads like an out-of-office: by its
/// subject, or by its own opening lines (what precedes the quoted or forwarded message, at
/// most 20 lines: a responder's note is short, and a quoted letter of ours must not count).
fn reads_like_auto_reply(subject: &str, text: &str) -> bool {
    let subject = subject.to_lowercase();
    if AWAY_SUBJECT.iter().any(|p| subject.contains(p)) {
        return true;
    }
    let opening: String = text
        .lines()
        .map(str::trim)
        .take_while(|line| !line.starts_with('>') && !starts_a_quoted_message(line))
        .filter(|line| !line.is_empty())
        .take(20)
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .replace(['\u{2019}', '\u{2018}'], "'");
    AWAY_TEXT.iter().any(|p| opening.contains(p))
}

/// The first line of a quoted or forwarded message below a reply's own text.
fn starts_a_quoted_message(line: &str) -> bool {
    let lower = line.to_lowercase();
    (lower.starts_with("on ") && lower.ends_with("wrote:"))
        || lower.starts_with("-----original message")
        || lower.starts_with("from:")
        || line.starts_with("发件人")
        || line.starts_with("寄件者")
        || line.ends_with("写道：")
        || line.ends_with("写道:")
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
                "",
                "[a.b] 6",
                "[c.d] 5%: 3  50%: 8",
                "[e] x > y; R&D",
                "",
                "> Dear T,",
                ">",
                "> :: form",
                "> [a.b]",
                "",
                "after"
            ],
            "{text}"
        );
    }

    #[test]
    fn html_tables_pre_blocks_and_entities_beside_multibyte_text_read_as_a_person_reads_them() {
        let html = "<p>Re R&amp;D – “verification” first.&nbsp;中文&hellip; &#20013;&mdash;ok &amp</p>\
                    <table><tr><td>[verification.benefit]</td><td>5</td></tr>\
                    <tr><td>[verification.rationale]</td><td>line one<br>line two</td></tr></table>\
                    <pre>[a.b] 6\n:: text\n[c.d] 7</pre><p>see <a href=\"https://x.example/s/t\">my link</a></p>\
                    <p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Wei<o:p></o:p></p>";
        let text = html_to_text(html);
        let lines: Vec<&str> = text.lines().map(str::trim_end).filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines[0], "Re R&D – “verification” first. 中文… 中—ok &", "{text}");
        let cells: Vec<String> =
            lines[1..4].iter().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
        assert_eq!(cells, ["[verification.benefit] 5", "[verification.rationale] line one", "line two"], "{text}");
        assert_eq!(&lines[4..7], ["[a.b] 6", ":: text", "[c.d] 7"], "{text}");
        assert_eq!(&lines[7..], ["see my link", "Wei"], "no [link] brackets that could pass for markers: {text}");
    }

    #[test]
    fn format_flowed_lines_are_joined_again() {
        let body = "[verification.rationale] Chip-level mechanisms are the only \ncredible path.\nA new line.\n> quoted and \n> joined\n-- \nsig\n";
        assert_eq!(
            unflow(body, false),
            "[verification.rationale] Chip-level mechanisms are the only credible path.\nA new line.\n> quoted and joined\n-- \nsig\n"
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
    fn out_of_office_replies_without_headers_read_like_auto_replies_in_english_and_chinese() {
        let reads = |subject: &str, body: &str| {
            let raw =
                format!("From: a@x\r\nSubject: {subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}");
            let incoming = read(raw.as_bytes());
            assert_eq!(incoming.automatic, None, "no header says so: {subject} / {body}");
            incoming.reads_like_auto_reply
        };
        assert!(reads("Re: Round 1", "Thank you for your email. I\u{2019}m away until 4 January with limited access."));
        assert!(reads("Re: Round 1", "I am out of the office until 14 December.\r\n\r\nGreta"));
        assert!(reads("=?utf-8?b?44CQ6Ieq5Yqo5Zue5aSN44CRUm91bmQgMQ==?=", "您好"), "【自动回复】 as QQ Mail writes it");
        assert!(reads("Re: Round 1", "您好！我正在休假，12月10日返回，回来后会尽快回复您。"));
        assert!(reads("Re: Round 1", "我目前不在办公室。"));
        // An answer that mentions an office, and a form quoted below its own lines, do not.
        assert!(!reads("Re: Round 1", "[verification.benefit] 5\r\nThe office of the treaty matters."));
        assert!(!reads(
            "Re: Round 1",
            "[verification.benefit] 5\r\n\r\nOn Monday the study wrote:\r\n> I am out of the office"
        ));
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
