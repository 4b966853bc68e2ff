//! The one escaper for text a reader sees: in a report, a form, an email, an export.
//!
//! Text is stored as written and neutralised on the way out, in two steps:
//! - [`clean`]: a page is read, not run. Control characters are dropped (line breaks and tabs
//!   kept) and so are the bidi embedding, override and isolate controls, which a page cannot
//!   keep balanced across the table cells and paragraphs it puts a text into: an unclosed
//!   U+202E would reverse whatever follows it. Right-to-left text itself (Arabic, Hebrew)
//!   needs no control to show correctly: the Unicode bidi algorithm orders it from the letters
//!   alone, so each text's direction stays its own;
//! - then the characters a format would act on: [`html`], [`markdown`].
//!
//! Ordinary text (accents, Chinese, emoji, zero-width joiners) passes unchanged.

use std::borrow::Cow;

/// Whether `c` is an explicit bidi control that opens or closes an embedding, override or
/// isolate (U+202A–U+202E, U+2066–U+2069): the ones that reorder text beyond their own word
/// when left unbalanced.
pub fn is_bidi_embedding(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text for a reader: control characters (C0, DEL, C1) dropped, except line feed and tab; a
/// CR before a line feed is dropped with the rest, a lone CR (old Mac line ends) and the
/// Unicode line and paragraph separators (U+2028, U+2029) become a line feed, so that every
/// format sees one kind of line break; bidi embedding, override and isolate controls dropped.
/// The implicit marks (LRM, RLM, ALM) stay: they are invisible, act on neighbouring
/// punctuation only, and are what a right-to-left writer may need. Borrowed when nothing
/// changes.
pub fn clean(text: &str) -> Cow<'_, str> {
    let changed = |c: char| {
        (c.is_control() && c != '\n' && c != '\t') || is_bidi_embedding(c) || matches!(c, '\u{2028}' | '\u{2029}')
    };
    if !text.chars().any(changed) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() != Some(&'\n') => out.push('\n'),
            '\u{2028}' | '\u{2029}' => out.push('\n'),
            c if changed(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// [`clean`] text for HTML (and XML) element content and double- or single-quoted attribute
/// values: `& < > " '` as entities.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    push_html(&mut out, text);
    out
}

pub(crate) fn push_html(out: &mut String, text: &str) {
    for c in clean(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// [`clean`] text that a Markdown renderer shows literally wherever it stands, at the start
/// of a line too, and inside a table cell: see [`MarkdownLine`].
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    MarkdownLine::start().push(&mut out, text);
    out
}

/// Where Markdown text is written: at the start of a line (where `-`, `+`, `=`, leading spaces
/// and `1.` / `1)` make lists, headings and code blocks) or after other text on its line. It
/// follows the text written, so that a text cut into pieces is escaped as a whole would be.
///
/// Every ASCII character with inline meaning in CommonMark, GFM or common extensions
/// (`` \ ` * _ { } [ ] # ! | < > & ~ ^ $ @ ``) gets a backslash anywhere; line breaks become
/// spaces, so a text stays on its line (and in its table cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkdownLine {
    at_start: bool,
    leading_digits: bool,
}

impl MarkdownLine {
    /// At the start of a line (or of a block).
    pub fn start() -> Self {
        Self { at_start: true, leading_digits: false }
    }

    /// After other text on the line: only inline markup is escaped.
    pub fn inside() -> Self {
        Self { at_start: false, leading_digits: false }
    }

    /// Something other than text (a `**`, a code span) was written.
    pub fn moved_on(&mut self) {
        *self = Self::inside();
    }

    /// Writes `text` escaped to `out`, and moves along the line.
    pub fn push(&mut self, out: &mut String, text: &str) {
        for c in clean(text).chars() {
            let c = if matches!(c, '\n' | '\r') { ' ' } else { c };
            let block_start = self.at_start && matches!(c, '-' | '+' | '=' | ' ');
            let list_number = self.leading_digits && matches!(c, '.' | ')');
            if matches!(
                c,
                '\\' | '`'
                    | '*'
                    | '_'
                    | '{'
                    | '}'
                    | '['
                    | ']'
                    | '#'
                    | '!'
                    | '|'
                    | '<'
                    | '>'
                    | '&'
                    | '~'
                    | '^'
                    | '$'
                    | '@'
            ) || (block_start && c != ' ')
                || list_number
            {
                out.push('\\');
            }
            // Leading spaces would make an indented code block or continue a list item.
            if !(block_start && c == ' ') {
                out.push(c);
            }
            self.leading_digits = (self.at_start || self.leading_digits) && c.is_ascii_digit();
            self.at_start = block_start && c == ' ';
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_the_five_characters_and_drops_controls() {
        assert_eq!(html(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert_eq!(html("中文 — ok"), "中文 — ok");
        assert_eq!(html("a\0b\x07c\x1b[2Jd\u{9b}e"), "abc[2Jde");
    }

    #[test]
    fn controls_and_bidi_overrides_are_dropped_but_lines_tabs_and_marks_stay() {
        assert_eq!(clean("a\0b\x07c\x1b[2Jd\u{85}e\u{202E}f\u{2066}g\u{2069}"), "abc[2Jdefg");
        assert_eq!(clean("one\r\ntwo\rthree\n\tfour\u{2028}five\u{2029}six"), "one\ntwo\nthree\n\tfour\nfive\nsix");
        assert_eq!(clean("ab\u{200F}c"), "ab\u{200F}c", "an implicit mark stays");
        // "txt.exe" shown as "exe.txt" by U+202E: the override goes, the letters stay in order.
        assert_eq!(html("file\u{202E}txt.exe"), "filetxt.exe");
        assert_eq!(markdown("\u{202E}evil"), "evil");
    }

    #[test]
    fn ordinary_unicode_is_not_copied() {
        let text = "Émilie 王伟 — “quoted” 👩‍🔬 שלום مرحبا";
        assert!(matches!(clean(text), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn markdown_escapes_inline_markup_anywhere() {
        assert_eq!(
            markdown("**b** _i_ `c` [l](u) <h> | # ! ~ & $ \\ @u {x} ^2"),
            r"\*\*b\*\* \_i\_ \`c\` \[l\](u) \<h\> \| \# \! \~ \& \$ \\ \@u \{x\} \^2"
        );
        assert_eq!(markdown("risk-harm 5.0 a+b=c"), "risk-harm 5.0 a+b=c");
        assert_eq!(markdown("a\nb\r\nc"), "a b c", "a text stays on its line");
    }

    #[test]
    fn markdown_escapes_what_starts_a_block_only_at_a_line_start() {
        assert_eq!(markdown("- item"), r"\- item");
        assert_eq!(markdown("+ item"), r"\+ item");
        assert_eq!(markdown("==="), r"\===");
        assert_eq!(markdown("1. item"), r"1\. item");
        assert_eq!(markdown("12) item"), r"12\) item");
        assert_eq!(markdown("# heading"), r"\# heading");
        assert_eq!(markdown("    code"), "code", "leading spaces would indent a code block");
        assert_eq!(markdown("  - item"), r"\- item");
        let mut inside = String::new();
        MarkdownLine::inside().push(&mut inside, "- 1. =");
        assert_eq!(inside, "- 1. =");
        // A text in pieces is escaped as a whole.
        let (mut out, mut line) = (String::new(), MarkdownLine::start());
        line.push(&mut out, "1");
        line.push(&mut out, "2. x - y");
        assert_eq!(out, r"12\. x - y");
    }
}
