//! HTML: the blocks of a `<body>`, well-formed XML too (void elements closed, attributes
//! quoted, every text escaped with [`crate::escape::html`]).
//!
//! Strong is `<b>`, emphasis `<em>`, muted `<i>`; small print is `<p class="small">`, a notice
//! `<p class="notice">`, a right-aligned cell `class="right"`, and each table sits in a
//! `<div class="table-scroll">` of its own, its header row a `<thead>` (printed again at the
//! top of each page the table runs onto): [`STYLE`] styles them.

use std::fmt::Write as _;

use crate::doc::{Align, Block, Document, Inline, Style};
use crate::escape::push_html;

/// CSS for the elements and classes the encoder writes. A table scrolls sideways inside its
/// own box (`div.table-scroll`) so that a wide one never widens a phone's page; a figure
/// shrinks its drawing to the width available (the `viewBox` keeps its proportions) and never
/// grows it past its own size. On paper rows, figures and notices stay whole.
pub const STYLE: &str = concat!(
    ".small{font-size:.875rem;color:#444}",
    ".notice{border-left:.3rem solid #9a5b00;background:#fff6e5;padding:.6rem .9rem;font-weight:600;max-width:58ch}",
    ".table-scroll{overflow-x:auto;max-width:100%;margin:.75rem 0 1.25rem}",
    "table{border-collapse:collapse;font-size:.9375rem;font-variant-numeric:tabular-nums}",
    "caption{caption-side:top;text-align:left;font-weight:600;padding:0 0 .35rem}",
    "th,td{border-bottom:1px solid #ccc;padding:.35rem .6rem;text-align:left;vertical-align:top}",
    "th{border-bottom:2px solid #555;background:#f2f2f2;font-weight:600}",
    "td.right,th.right{text-align:right}td.centre,th.centre{text-align:center}",
    "figure{display:inline-block;vertical-align:top;max-width:100%;margin:0 1.5rem 1.25rem 0}",
    "figcaption{font-weight:600;margin-bottom:.25rem}",
    "figure svg{display:block;max-width:100%;height:auto}",
    "pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f6f6;padding:.5rem .75rem}",
    // on a phone a figure takes the whole width: no margin beside it to shrink it further
    "@media (max-width:40rem){figure{margin-right:0}}",
    "@media print{",
    ".notice{background:none;border:1pt solid #000;border-left-width:3pt}",
    ".table-scroll{overflow:visible}",
    "th,pre{background:none}",
    "tr,figure,.notice{break-inside:avoid;page-break-inside:avoid}",
    "caption,figcaption,thead{break-after:avoid;page-break-after:avoid}",
    "}",
);

/// The document's blocks as HTML, each starting on a line of its own.
pub fn encode(doc: &Document) -> String {
    let mut out = String::with_capacity(64 * 1024);
    blocks(&mut out, &doc.blocks);
    out
}

fn blocks(out: &mut String, list: &[Block]) {
    for b in list {
        block(out, b);
    }
}

fn block(out: &mut String, b: &Block) {
    match b {
        Block::Heading(h) => {
            let n = h.level();
            let _ = write!(out, "<h{n}");
            if let Some(a) = &h.anchor {
                let _ = write!(out, " id=\"{}\"", a.as_str());
            }
            out.push('>');
            inlines(out, &h.content);
            let _ = writeln!(out, "</h{n}>");
        }
        Block::Paragraph(c) => paragraph(out, "<p>", c),
        Block::Note(c) => paragraph(out, "<p class=\"small\">", c),
        Block::Notice(c) => paragraph(out, "<p class=\"notice\">", c),
        Block::Table(t) => {
            out.push_str("<div class=\"table-scroll\">\n<table>\n");
            if let Some(c) = t.caption() {
                paragraph_in(out, "<caption>", c, "</caption>");
            }
            out.push_str("<thead>");
            row(out, "th", t.header(), t.align());
            out.push_str("</thead>\n<tbody>\n");
            for r in t.rows() {
                row(out, "td", r, t.align());
            }
            out.push_str("</tbody>\n</table>\n</div>\n");
        }
        Block::List(items) => {
            out.push_str("<ul>\n");
            for item in items {
                paragraph_in(out, "<li>", item, "</li>");
            }
            out.push_str("</ul>\n");
        }
        Block::Figure(f) => {
            out.push_str("<figure>");
            if let Some(c) = &f.caption {
                out.push_str("<figcaption>");
                inlines(out, c);
                out.push_str("</figcaption>");
            }
            f.svg.write(out);
            out.push_str("</figure>\n");
        }
        Block::Verbatim(text) => {
            out.push_str("<pre>");
            push_html(out, text);
            out.push_str("</pre>\n");
        }
        Block::Section(s) => match &s.anchor {
            Some(a) => {
                let _ = writeln!(out, "<section id=\"{}\">", a.as_str());
                blocks(out, &s.blocks);
                out.push_str("</section>\n");
            }
            None => blocks(out, &s.blocks),
        },
    }
}

fn paragraph(out: &mut String, open: &str, content: &[Inline]) {
    paragraph_in(out, open, content, "</p>");
}

fn paragraph_in(out: &mut String, open: &str, content: &[Inline], close: &str) {
    out.push_str(open);
    inlines(out, content);
    out.push_str(close);
    out.push('\n');
}

fn row(out: &mut String, tag: &str, cells: &[Vec<Inline>], align: &[Align]) {
    out.push_str("<tr>");
    for (cell, a) in cells.iter().zip(align) {
        match a {
            Align::Left => {
                let _ = write!(out, "<{tag}>");
            }
            Align::Right => {
                let _ = write!(out, "<{tag} class=\"right\">");
            }
            Align::Centre => {
                let _ = write!(out, "<{tag} class=\"centre\">");
            }
        }
        inlines(out, cell);
        let _ = write!(out, "</{tag}>");
    }
    out.push_str("</tr>\n");
}

fn inlines(out: &mut String, list: &[Inline]) {
    for i in list {
        inline(out, i);
    }
}

fn inline(out: &mut String, i: &Inline) {
    match i {
        Inline::Text(t) => push_html(out, t),
        Inline::Span(s) => {
            let tag = match s.style {
                Style::Plain => "span",
                Style::Strong => "b",
                Style::Emphasis => "em",
                Style::Muted => "i",
            };
            out.push('<');
            out.push_str(tag);
            if let Some(c) = s.class {
                let _ = write!(out, " class=\"{}\"", c.as_str());
            }
            if let Some(h) = &s.hint {
                out.push_str(" title=\"");
                push_html(out, h);
                out.push('"');
            }
            out.push('>');
            inlines(out, &s.content);
            let _ = write!(out, "</{tag}>");
        }
        Inline::Code(t) => {
            out.push_str("<code>");
            push_html(out, t);
            out.push_str("</code>");
        }
        Inline::Link { to, content } => {
            let _ = write!(out, "<a href=\"#{}\">", to.as_str());
            inlines(out, content);
            out.push_str("</a>");
        }
        Inline::Break => out.push_str("<br/>"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Anchor, Class, Figure, Heading, Section, Table};
    use crate::svg::{Svg, Weight};

    const HOSTILE: &str = "<b>x</b> & \"q\" 'a' \u{1b}[2J\u{202E}rev\u{0}";

    fn sample() -> Document {
        let mut doc = Document::new();
        doc.push(Heading::new(1, HOSTILE).with_anchor(Anchor::new("top").unwrap()));
        doc.push(Block::Paragraph(vec![
            Inline::text("a "),
            Inline::strong([Inline::emphasis(HOSTILE), Inline::text(" b")]),
            Inline::Break,
            Inline::muted("none"),
            Inline::Code("<x>".into()),
            Inline::Link { to: Anchor::new("top").unwrap(), content: vec!["up".into()] },
            Inline::strong("ok").with_class(Class::new("met")).with_hint(HOSTILE),
        ]));
        let mut t = Table::new(["a|b", "n"]).with_caption("cap <i>").with_align(1, Align::Right);
        t.push_row(["line\nbreak", "1"]);
        doc.push(t);
        doc.push(Block::List(vec![vec![HOSTILE.into()], vec!["two".into(), Inline::Break, "lines".into()]]));
        let mut svg = Svg::new(10.0, 10.0);
        svg.text(0.0, 9.0, HOSTILE, Weight::Regular);
        doc.push(Figure { caption: Some(vec![HOSTILE.into()]), svg, fallback: vec![] });
        doc.push(Section { anchor: Some(Anchor::new("s").unwrap()), blocks: vec![Block::Verbatim("a\n  <b>".into())] });
        doc
    }

    #[test]
    fn every_text_is_escaped_and_the_page_is_well_formed() {
        let html = encode(&sample());
        let xml = format!("<body>{html}</body>");
        let parsed = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}\n{html}"));
        let shown = "<b>x</b> & \"q\" 'a' [2Jrev";
        let texts: Vec<&str> = parsed.descendants().filter_map(|n| n.text()).collect();
        assert!(texts.iter().filter(|t| **t == shown).count() >= 4, "heading, emphasis, list, svg: {texts:?}");
        let met = parsed.descendants().find(|n| n.attribute("class") == Some("met")).unwrap();
        assert_eq!((met.tag_name().name(), met.attribute("title")), ("b", Some(shown)));
        assert!(!html.contains(['\u{1b}', '\u{202E}', '\0']));
        assert!(html.contains("<h1 id=\"top\">"));
        assert!(html.contains("<tr><td>line\nbreak</td><td class=\"right\">1</td></tr>"));
        assert!(html.contains("<div class=\"table-scroll\">\n<table>\n<caption>"), "a table scrolls in its own box");
        assert!(
            html.contains("<thead><tr><th>a|b</th><th class=\"right\">n</th></tr>\n</thead>\n<tbody>\n<tr><td>line")
        );
        assert!(html.contains("<li>two<br/>lines</li>"));
        assert!(html.contains("<pre>a\n  &lt;b&gt;</pre>"));
        assert!(html.contains("<section id=\"s\">"));
    }
}
