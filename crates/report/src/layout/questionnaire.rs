//! The appendix holding each round's questionnaire: every question as the experts read it,
//! grouped by domain, each marked when it was new, reworded or replaced an earlier one, and
//! the questions the round no longer asked.

use delphi_markup::{Block, Heading, Inline};

use crate::model::{AppendixQuestion, Report};

pub(super) fn questionnaire(report: &Report) -> Vec<Block> {
    let l = &report.labels;
    if report.questionnaire.is_empty() {
        return Vec::new();
    }
    let mut blocks = vec![
        Heading::new(2, l.questionnaire_appendix.as_str()).into(),
        Block::Note(vec![l.questionnaire_note.as_str().into()]),
    ];
    for round in &report.questionnaire {
        blocks.push(Heading::new(3, format!("{} {}", l.round, round.round)).into());
        if let Some(heading) = &round.changes_heading {
            blocks.push(Block::Paragraph(vec![
                Inline::strong(heading.as_str()),
                " ".into(),
                round.changes.join(" ").into(),
            ]));
        }
        // One list per section: a domain's questions under its title, then the others.
        let mut start = 0;
        while start < round.questions.len() {
            let section = &round.questions[start].domain;
            let end = round.questions[start..]
                .iter()
                .position(|q| &q.domain != section)
                .map_or(round.questions.len(), |k| start + k);
            blocks.push(Heading::new(4, section.as_deref().unwrap_or(&l.other_questions)).into());
            blocks.push(Block::List(round.questions[start..end].iter().map(|q| question(q, &l.seed)).collect()));
            start = end;
        }
    }
    blocks
}

fn question(q: &AppendixQuestion, seed: &str) -> Vec<Inline> {
    let id = if q.seed { format!("{} ({seed}):", q.item) } else { format!("{}:", q.item) };
    let mut item = vec![Inline::strong(id), " ".into(), q.wording.as_str().into()];
    if let Some(change) = &q.change {
        item.extend([" ".into(), Inline::emphasis(format!("[{change}]"))]);
    }
    if let Some(answer) = &q.answer {
        item.extend([Inline::Break, Inline::muted(answer.as_str())]);
    }
    item
}
