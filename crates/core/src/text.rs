//! Text written by experts (replies, answers, rationales, names), made safe for where it
//! is shown. Expert text is stored exactly as written; it is neutralised on the way out.
//!
//! Two audiences, two rules:
//! - a terminal acts on control characters (ESC starts a sequence that can set the window
//!   title, clear the screen or move the cursor; BEL rings; CR overwrites the line) and a
//!   bidi control reorders what follows it, so a line can be made to read differently
//!   from what it holds. [`for_terminal`] shows each such character escaped and visible
//!   (`\e`, `\x07`, `\u{202E}`), so the coordinator sees that it was there;
//! - a report is read, not run: [`for_report`] drops control characters (keeping line
//!   breaks and tabs) and the bidi embedding, override and isolate controls, which a
//!   report cannot keep balanced across the table cells and paragraphs it puts the text
//!   into. Right-to-left text itself (Arabic, Hebrew) needs no control to show correctly:
//!   the Unicode bidi algorithm orders it from the letters alone.
//!
//! Ordinary text (accents, Chinese, emoji, zero-width joiners) passes unchanged.

use std::borrow::Cow;

/// Whether `c` is a control character: C0 (U+0000–U+001F, which includes NUL, BEL, CR,
/// LF, TAB and ESC), DEL, or C1 (U+0080–U+009F, of which U+009B is a one-character CSI
/// that some terminals act on).
pub fn is_control(c: char) -> bool {
    c.is_control()
}

/// Whether `c` is a bidirectional formatting character: the embeddings and overrides
/// (U+202A–U+202E), the isolates (U+2066–U+2069), and the implicit marks (U+200E LRM,
/// U+200F RLM, U+061C ALM).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Text for a terminal: every control character except line feed and tab, and every
/// bidi control, shown escaped (`\e` for ESC, `\r`, `\0`, `\x07`, `\x7f`, `\u{9b}`,
/// `\u{202e}`); everything else as it is. Borrowed when nothing needs escaping.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| (is_control(c) && c != '\n' && c != '\t') || is_bidi_control(c);
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// [`for_terminal`] for one line: a line feed or tab is escaped too (`\n`, `\t`), so a
/// value cannot start a line of its own that passes for the tool's output.
pub fn line_for_terminal(text: &str) -> Cow<'_, str> {
    if !text.contains(['\n', '\t']) {
        return for_terminal(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\t' => push_escaped(&mut out, c),
            c => out.push_str(&for_terminal(c.encode_utf8(&mut [0; 4]))),
        }
    }
    Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write as _;
    let _ = match c {
        '\u{1b}' => write!(out, "\\e"),
        '\r' => write!(out, "\\r"),
        '\n' => write!(out, "\\n"),
        '\t' => write!(out, "\\t"),
        '\0' => write!(out, "\\0"),
        c if u32::from(c) <= 0x7f => write!(out, "\\x{:02x}", u32::from(c)),
        c => write!(out, "\\u{{{:x}}}", u32::from(c)),
    };
}

/// Text for a report: control characters dropped (line feed and tab kept, a lone CR a line
/// feed) and bidi embedding, override and isolate controls dropped; borrowed when nothing
/// changes. See [`delphi_markup::escape::clean`].
pub use delphi_markup::escape::clean as for_report;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_shown_not_run() {
        // The window-title and clear-screen sequences a hostile reply carried in issue 16.
        let shown = for_terminal("a\x1b]0;pwned\x07b\x1b[2Jc");
        assert_eq!(shown, "a\\e]0;pwned\\x07b\\e[2Jc");
        assert!(!shown.contains(['\x1b', '\x07']));
    }

    #[test]
    fn every_control_but_line_feed_and_tab_is_escaped_for_the_terminal() {
        assert_eq!(for_terminal("x\0y\rz\x7f\u{9b}31m\u{85}"), "x\\0y\\rz\\x7f\\u{9b}31m\\u{85}");
        assert_eq!(for_terminal("two\nlines\tand a tab"), "two\nlines\tand a tab");
        assert_eq!(line_for_terminal("two\nlines\tand\x1b"), "two\\nlines\\tand\\e");
    }

    #[test]
    fn bidi_controls_are_escaped_for_the_terminal() {
        // "txt.exe" shown as "exe.txt" by U+202E.
        assert_eq!(for_terminal("file\u{202E}txt.exe"), "file\\u{202e}txt.exe");
        for c in ['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}'] {
            assert!(!for_terminal(&format!("a{c}b")).contains(c), "{:x}", u32::from(c));
        }
        for c in ['\u{200E}', '\u{200F}', '\u{061C}'] {
            assert!(!for_terminal(&format!("a{c}b")).contains(c), "{:x}", u32::from(c));
        }
    }

    #[test]
    fn ordinary_unicode_passes_unchanged_and_unborrowed_text_is_not_copied() {
        let text = "Émilie 王伟 — “quoted” 👩‍🔬 שלום مرحبا";
        assert!(matches!(for_terminal(text), Cow::Borrowed(t) if t == text));
        assert!(matches!(for_report(text), Cow::Borrowed(t) if t == text));
    }
}
