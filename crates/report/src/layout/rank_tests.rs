//! The group, stability and drop-out tests: one table each, every line in words with its
//! p-value (strong when below the significance level) and its method.

use delphi_markup::{Block, Heading, Inline, Table};

use super::num;
use crate::model::Report;
use crate::rank_tests::{TestLine, TestWords};

pub(super) fn rank_tests(report: &Report) -> Vec<Block> {
    let t = &report.rank_tests;
    let w = &t.words;
    let mut blocks = vec![Heading::new(3, w.heading.as_str()).into(), Block::Note(vec![t.method_note.as_str().into()])];
    for (heading, lines, with_groups) in [
        (&w.groups_heading, &t.groups, true),
        (&w.stability_heading, &t.stability, false),
        (&w.dropouts_heading, &t.dropouts, false),
    ] {
        blocks.push(Heading::new(4, heading.as_str()).into());
        blocks.push(table(w, lines, with_groups));
    }
    blocks
}

fn table(w: &TestWords, lines: &[TestLine], with_groups: bool) -> Block {
    if lines.is_empty() {
        return Block::Paragraph(vec![Inline::emphasis(w.none.as_str())]);
    }
    let mut head = vec![w.item.as_str(), &w.round];
    if with_groups {
        head.push(&w.between);
    }
    head.extend([w.p_value.as_str(), &w.method, &w.reading]);
    Table::new(head)
        .with_rows(lines.iter().map(|l| {
            let p = if l.significant { Inline::strong(vec![num(&l.p_value)]) } else { num(&l.p_value) };
            let mut row: Vec<Inline> = vec![l.item.as_str().into(), l.round.as_str().into()];
            if with_groups {
                row.push(l.between.as_str().into());
            }
            row.extend([p, l.method.as_str().into(), l.reading.as_str().into()]);
            row
        }))
        .into()
}
