//! Markdown: CommonMark with GFM tables. Blocks are separated by one blank line; every text is
//! escaped ([`MarkdownLine`]) so that a renderer shows it literally, with the escapes a line
//! start needs only where a text starts a line.
//!
//! Strong is `**…**`, emphasis and muted `*…*`, a notice a quoted strong paragraph, small print
//! a paragraph, a figure its fallback (a drawing has no Markdown), a section its blocks. A
//! line break is a hard break (`␠␠` at the line's end) in a paragraph or list item and a space
//! in a table cell or heading, which must stay on one line.

use crate::doc::{Align, Block, Document, Inline, Style, text_blocks};
use crate::escape::{MarkdownLine, clean};

/// The document as Markdown.
pub fn encode(doc: &Document) -> String {
    let mut out = String::with_capacity(32 * 1024);
    for (k, b) in text_blocks(&doc.blocks).into_iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        block(&mut out, b);
    }
    out
}

/// Where inlines are written: what a line break becomes there.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context<'a> {
    /// A paragraph or list item whose continuation lines start with this indent.
    Lines(&'a str),
    /// A heading: one line.
    OneLine,
    /// A table cell: one line, and a `|` even in a code span is escaped, as GFM splits cells
    /// before it reads spans.
    Cell,
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Heading(h) => {
            out.push_str(&"#".repeat(usize::from(h.level())));
            out.push(' ');
            inlines(out, &h.content, Context::OneLine, &mut MarkdownLine::inside());
            out.push('\n');
        }
        Block::Paragraph(c) | Block::Note(c) => {
            inlines(out, c, Context::Lines(""), &mut MarkdownLine::start());
            out.push('\n');
        }
        Block::Notice(c) => {
            out.push_str("> **");
            inlines(out, c, Context::Lines("> "), &mut MarkdownLine::inside());
            out.push_str("**\n");
        }
        Block::Table(t) => {
            if let Some(c) = t.caption() {
                out.push('*');
                inlines(out, c, Context::OneLine, &mut MarkdownLine::inside());
                out.push_str("*\n\n");
            }
            row(out, t.header());
            out.push('|');
            for a in t.align() {
                out.push_str(match a {
                    Align::Left => "---|",
                    Align::Right => "---:|",
                    Align::Centre => ":---:|",
                });
            }
            out.push('\n');
            for r in t.rows() {
                row(out, r);
            }
        }
        Block::List(items) => {
            for item in items {
                out.push_str("- ");
                inlines(out, item, Context::Lines("  "), &mut MarkdownLine::start());
                out.push('\n');
            }
        }
        Block::Verbatim(text) => {
            let text = clean(text);
            let fence = "`".repeat(longest_run(&text, '`').max(2) + 1);
            out.push_str(&fence);
            out.push('\n');
            out.push_str(&text);
            if !text.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&fence);
            out.push('\n');
        }
        Block::Figure(_) | Block::Section(_) => unreachable!("opened up by text_blocks()"),
    }
}

fn row(out: &mut String, cells: &[Vec<Inline>]) {
    out.push('|');
    for cell in cells {
        out.push(' ');
        inlines(out, cell, Context::Cell, &mut MarkdownLine::inside());
        out.push_str(" |");
    }
    out.push('\n');
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for x in text.chars() {
        run = if x == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

fn inlines(out: &mut String, list: &[Inline], ctx: Context<'_>, line: &mut MarkdownLine) {
    for i in list {
        inline(out, i, ctx, line);
    }
}

fn wrapped(out: &mut String, mark: &str, content: &[Inline], ctx: Context<'_>, line: &mut MarkdownLine) {
    out.push_str(mark);
    line.moved_on();
    inlines(out, content, ctx, line);
    out.push_str(mark);
}

fn inline(out: &mut String, i: &Inline, ctx: Context<'_>, line: &mut MarkdownLine) {
    match i {
        Inline::Text(t) => line.push(out, t),
        Inline::Span(s) => match s.style {
            Style::Plain => inlines(out, &s.content, ctx, line),
            Style::Strong => wrapped(out, "**", &s.content, ctx, line),
            Style::Emphasis | Style::Muted => wrapped(out, "*", &s.content, ctx, line),
        },
        Inline::Code(t) => {
            let mut t = clean(t).replace(['\n', '\r'], " ");
            if ctx == Context::Cell {
                t = t.replace('|', "\\|");
            }
            let fence = "`".repeat(longest_run(&t, '`') + 1);
            // a space keeps a backtick at either end from joining the fence
            let pad = if t.starts_with('`') || t.ends_with('`') { " " } else { "" };
            out.push_str(&format!("{fence}{pad}{t}{pad}{fence}"));
            line.moved_on();
        }
        Inline::Link { to, content } => {
            out.push('[');
            line.moved_on();
            inlines(out, content, ctx, line);
            out.push_str("](#");
            out.push_str(to.as_str());
            out.push(')');
        }
        Inline::Break => match ctx {
            Context::Lines(indent) => {
                out.push_str("  \n");
                out.push_str(indent);
                *line = MarkdownLine::start();
            }
            Context::OneLine | Context::Cell => {
                out.push(' ');
                line.moved_on();
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Figure, Heading, Section, Table};
    use crate::svg::Svg;

    /// What a CommonMark renderer shows of escaped text: backslash escapes undone.
    fn shown(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            match (c, c == '\\') {
                (_, true) => match chars.next() {
                    Some(n) if n.is_ascii_punctuation() => out.push(n),
                    Some(n) => {
                        out.push('\\');
                        out.push(n);
                    }
                    None => out.push('\\'),
                },
                (c, false) => out.push(c),
            }
        }
        out
    }

    #[test]
    fn blocks_are_separated_by_one_blank_line() {
        let mut doc = Document::new();
        doc.push(Heading::new(2, "Title"));
        doc.push(Block::Paragraph(vec!["a".into()]));
        doc.push(Section { anchor: None, blocks: vec![Block::Note(vec!["b".into()])] });
        doc.push(Block::List(vec![vec!["x".into()], vec!["y".into(), Inline::Break, "- z".into()]]));
        doc.push(Block::Notice(vec!["look".into()]));
        doc.push(Figure { caption: None, svg: Svg::new(1.0, 1.0), fallback: vec![Block::Verbatim("a ``` b".into())] });
        assert_eq!(encode(&doc), "## Title\n\na\n\nb\n\n- x\n- y  \n  \\- z\n\n> **look**\n\n````\na ``` b\n````\n");
    }

    #[test]
    fn a_table_cell_holds_its_pipe_and_its_line_break_on_one_line() {
        let mut t = Table::new(["a|b", "n"]).with_align(1, Align::Right);
        t.push_row(vec![
            vec![Inline::text("one\ntwo | three"), Inline::Code("a|b".into())],
            vec![Inline::text("-1.5"), Inline::Break, "x".into()],
        ]);
        let mut doc = Document::new();
        doc.push(t);
        let md = encode(&doc);
        assert_eq!(md, "| a\\|b | n |\n|---|---:|\n| one two \\| three`a\\|b` | -1.5 x |\n");
        assert_eq!(md.lines().count(), 3);
    }

    #[test]
    fn markup_in_text_is_shown_literally_and_line_starts_are_escaped_where_they_start_a_line() {
        let hostile = "# h\n*b* _i_ `c` [l](u) <b>x</b> | 1. \u{1b}[2J\u{202E}";
        let mut doc = Document::new();
        doc.push(Block::Paragraph(vec![hostile.into()]));
        doc.push(Block::Paragraph(vec!["1. not a list".into()]));
        doc.push(Block::Paragraph(vec![Inline::strong("Key:"), " - 1. mid-line".into()]));
        doc.push(Block::List(vec![vec!["- nested?".into()]]));
        let md = encode(&doc);
        assert!(md.starts_with("\\# h \\*b\\* \\_i\\_ \\`c\\` \\[l\\](u) \\<b\\>x\\</b\\> \\| 1. \\[2J\n"), "{md}");
        assert!(md.contains("\n1\\. not a list\n"));
        assert!(md.contains("\n**Key:** - 1. mid-line\n"));
        assert!(md.contains("\n- \\- nested?\n"));
        assert!(shown(&md).contains("# h *b* _i_ `c` [l](u) <b>x</b> | 1. [2J"));
        assert!(!md.contains(['\u{1b}', '\u{202E}']));
    }

    #[test]
    fn nesting_and_code_spans() {
        let mut doc = Document::new();
        doc.push(Block::Paragraph(vec![
            Inline::strong([Inline::text("a "), Inline::emphasis("b*")]),
            Inline::Code("x ` y".into()),
            " ".into(),
            Inline::Code("`z".into()),
            Inline::plain("c").with_hint("hidden"),
        ]));
        assert_eq!(encode(&doc), "**a *b\\****``x ` y`` `` `z ``c\n");
    }
}
