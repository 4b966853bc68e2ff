//! The reporting guidelines (DELPHISTAR, ACCORD): the coordinator's notes, the flow of
//! participants, what the tool recorded, and the checklist, whose items link to the entry
//! that answers them (the PDF gives page numbers instead).

use delphi_markup::{Anchor, Block, Heading, Inline, Table};

use crate::guidelines::{Entry, Flow, Guidelines, Words};
use crate::model::Report;

pub(super) fn guidelines(report: &Report) -> Vec<Block> {
    let g = &report.guidelines;
    let w = &g.words;
    let mut blocks = vec![Heading::new(2, w.heading).into(), Block::Paragraph(vec![w.intro.into()])];
    blocks.push(Heading::new(3, w.study_information).into());
    blocks.extend(g.notes.iter().flat_map(entry));
    blocks.push(Heading::new(3, w.facts_heading).into());
    for f in &g.facts {
        blocks.extend(entry(f));
        if f.anchor == "fact-flow" {
            blocks.push(flow(&g.flow, w));
            blocks.push(Block::Note(vec![g.flow.note.as_str().into()]));
        }
    }
    blocks.extend(checklists(g));
    blocks
}

fn anchor(name: &str) -> Anchor {
    Anchor::derived("guideline", name)
}

fn entry(e: &Entry) -> Vec<Block> {
    let text = if e.written { Inline::text(e.text.as_str()) } else { Inline::emphasis(e.text.as_str()) };
    let mut blocks =
        vec![Heading::new(4, e.title.as_str()).with_anchor(anchor(e.anchor)).into(), Block::Paragraph(vec![text])];
    if let Some((head, rows)) = e.table.split_first().filter(|(_, rows)| !rows.is_empty()) {
        blocks.push(
            Table::new(head.iter().map(String::as_str))
                .with_rows(rows.iter().map(|r| r.iter().map(String::as_str)))
                .into(),
        );
    }
    blocks
}

/// The flow as a table: per round and group, invited → answered / did not answer.
fn flow(flow: &Flow, w: &Words) -> Block {
    let rows = flow.rounds.iter().flat_map(|r| {
        std::iter::once(&r.total).chain(&r.blocs).map(move |c| {
            [r.round.to_string(), c.group.clone(), c.invited.to_string(), c.answered.to_string(), c.dropped.to_string()]
        })
    });
    Table::new([w.round, w.total, w.invited, w.answered, w.dropped]).with_rows(rows).into()
}

fn checklists(g: &Guidelines) -> Vec<Block> {
    let w = &g.words;
    let mut blocks =
        vec![Heading::new(2, w.checklist_heading).into(), Block::Paragraph(vec![w.checklist_intro.into()])];
    for c in &g.checklists {
        blocks.push(Heading::new(3, c.title.as_str()).into());
        let rows = c.items.iter().map(|i| {
            let answered: Vec<Inline> = match i.anchor {
                None => vec![Inline::emphasis(w.to_be_written)],
                Some(to) => {
                    let title =
                        g.notes.iter().chain(&g.facts).find(|e| e.anchor == to).map_or(to, |e| e.title.as_str());
                    let mut cell = vec![Inline::Link { to: anchor(to), content: vec![title.into()] }];
                    if i.reasons_by_coordinator {
                        cell.push(Inline::emphasis(w.reasons_by_coordinator));
                    }
                    cell
                }
            };
            vec![vec![Inline::text(i.id)], vec![Inline::text(i.topic)], answered]
        });
        blocks.push(Table::new([w.item, w.topic, w.answered_at]).with_rows(rows).into());
    }
    blocks
}
