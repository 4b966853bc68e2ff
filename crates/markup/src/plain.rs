//! Plain text: headings underlined, table columns aligned (a CJK character counts two
//! columns), list items bulleted, styles dropped. Texts are [`clean`]ed; nothing else needs
//! escaping.

use crate::doc::{Align, Block, Document, Inline, text_blocks};
use crate::escape::clean;

/// The document as plain text, blocks separated by a blank line.
pub fn encode(doc: &Document) -> String {
    let mut out = String::new();
    for (k, b) in text_blocks(&doc.blocks).into_iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        block(&mut out, b);
    }
    out
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Heading(h) => {
            let text = line_of(&h.content);
            out.push_str(&text);
            out.push('\n');
            let rule = match h.level() {
                1 => Some('='),
                2 => Some('-'),
                _ => None,
            };
            if let Some(c) = rule {
                out.push_str(&c.to_string().repeat(width(&text)));
                out.push('\n');
            }
        }
        Block::Paragraph(c) | Block::Note(c) => lines(out, "", "", c),
        Block::Notice(c) => lines(out, "! ", "! ", c),
        Block::List(items) => {
            for item in items {
                lines(out, "- ", "  ", item);
            }
        }
        Block::Table(t) => {
            if let Some(c) = t.caption() {
                out.push_str(&line_of(c));
                out.push('\n');
            }
            let header: Vec<String> = t.header().iter().map(|c| line_of(c)).collect();
            let rows: Vec<Vec<String>> = t.rows().iter().map(|r| r.iter().map(|c| line_of(c)).collect()).collect();
            let widths: Vec<usize> = (0..header.len())
                .map(|j| rows.iter().map(|r| width(&r[j])).chain([width(&header[j])]).max().unwrap_or(0))
                .collect();
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            for r in [&header, &rule].into_iter().chain(&rows) {
                let cells: Vec<String> =
                    r.iter().zip(&widths).zip(t.align()).map(|((c, w), a)| pad(c, *w, *a)).collect();
                out.push_str(cells.join("  ").trim_end());
                out.push('\n');
            }
        }
        Block::Verbatim(text) => {
            for l in clean(text).lines() {
                out.push_str("    ");
                out.push_str(l);
                out.push('\n');
            }
        }
        Block::Figure(_) | Block::Section(_) => unreachable!("opened up by text_blocks()"),
    }
}

fn pad(cell: &str, w: usize, align: Align) -> String {
    let gap = w.saturating_sub(width(cell));
    match align {
        Align::Left => format!("{cell}{}", " ".repeat(gap)),
        Align::Right => format!("{}{cell}", " ".repeat(gap)),
        Align::Centre => format!("{}{cell}{}", " ".repeat(gap / 2), " ".repeat(gap - gap / 2)),
    }
}

/// Columns a text takes in a terminal: two for East Asian wide characters, one otherwise.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let wide = matches!(u32::from(c),
                0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
                | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
                | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F | 0x1F900..=0x1F9FF | 0x20000..=0x3FFFD);
            if wide { 2 } else { 1 }
        })
        .sum()
}

/// Inlines on one line (a table cell, a heading): line breaks are spaces.
fn line_of(content: &[Inline]) -> String {
    let mut out = String::new();
    text(&mut out, content, " ");
    out.replace(['\n', '\r'], " ")
}

/// A paragraph: its first line after `first`, the others after `rest`.
fn lines(out: &mut String, first: &str, rest: &str, content: &[Inline]) {
    let mut body = String::new();
    text(&mut body, content, "\n");
    for (k, l) in body.split('\n').enumerate() {
        out.push_str(if k == 0 { first } else { rest });
        out.push_str(l);
        out.push('\n');
    }
}

fn text(out: &mut String, content: &[Inline], line_break: &str) {
    for i in content {
        match i {
            Inline::Text(t) | Inline::Code(t) => out.push_str(&clean(t)),
            Inline::Span(s) => text(out, &s.content, line_break),
            Inline::Link { content, .. } => text(out, content, line_break),
            Inline::Break => out.push_str(line_break),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Heading, Table};

    #[test]
    fn headings_tables_and_lists_read_as_text() {
        let mut doc = Document::new();
        doc.push(Heading::new(1, "Report"));
        let mut t = Table::new(["Area", "n"]).with_align(1, Align::Right);
        t.push_row(["验证机制", "12"]);
        t.push_row(["a | b\nc", "7"]);
        doc.push(t);
        doc.push(Block::List(vec![vec![Inline::strong("x"), Inline::Break, "y\u{1b}[2J\u{202E}".into()]]));
        doc.push(Block::Notice(vec!["font missing".into()]));
        assert_eq!(
            encode(&doc),
            "Report\n======\n\nArea       n\n--------  --\n验证机制  12\na | b c    7\n\n- x\n  y[2J\n\n! font missing\n"
        );
    }
}
