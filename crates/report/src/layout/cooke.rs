//! Cooke's classical model, per round with seed questions: the experts' scores by pseudonym,
//! the decision makers, and their quantiles on every target beside its wording.

use delphi_markup::{Block, Heading, Inline, Table};

use super::num;
use crate::model::Report;
use crate::study_cooke::CookeRoundSection;

pub(super) fn cooke(report: &Report) -> Vec<Block> {
    let Some(c) = &report.cooke else { return Vec::new() };
    let mut blocks = vec![Heading::new(2, c.heading.as_str()).into()];
    blocks.extend(c.reading.iter().map(|p| Block::Paragraph(vec![p.as_str().into()])));
    for r in &c.rounds {
        blocks.extend(round(c, r));
    }
    blocks
}

fn round(c: &crate::study_cooke::CookeSection, r: &CookeRoundSection) -> Vec<Block> {
    let l = &c.labels;
    let mut blocks = vec![
        Heading::new(3, r.heading.as_str()).into(),
        Block::Paragraph(vec![format!("{} {} = {}", r.counts, l.alpha, r.alpha_text).into()]),
    ];
    blocks.extend(r.warnings.iter().map(|w| Block::Notice(vec![format!("{}: {w}", l.warning).into()])));
    blocks.push(Heading::new(4, l.experts_heading.as_str()).into());
    blocks.push(
        Table::new([l.expert.as_str(), &l.calibration, &l.information_seeds, &l.combined, &l.weight])
            .with_rows(r.experts.iter().map(|e| {
                let name = if e.weighted { Inline::strong(e.name.as_str()) } else { e.name.as_str().into() };
                [name, num(&e.calibration), num(&e.information_seeds), num(&e.combined), num(&e.weight)]
            }))
            .into(),
    );
    blocks.push(Block::Note(vec![l.experts_note.as_str().into()]));
    blocks.push(Heading::new(4, l.decision_makers.as_str()).into());
    blocks.push(
        Table::new([l.decision_maker.as_str(), &l.calibration, &l.information_seeds, &l.combined])
            .with_rows(
                r.decision_makers.iter().map(|d| {
                    [d.label.as_str().into(), num(&d.calibration), num(&d.information_seeds), num(&d.combined)]
                }),
            )
            .into(),
    );
    if !r.items.is_empty() {
        blocks.push(Heading::new(4, l.target_items.as_str()).into());
        let mut head = vec![l.item.clone()];
        for d in &r.decision_makers {
            head.extend(r.quantiles.iter().map(|q| format!("{} {q}", d.label)));
        }
        blocks.push(
            Table::new(head)
                .with_rows(r.items.iter().map(|i| {
                    let mut item = vec![Inline::text(i.wording.as_str())];
                    if let Some(unit) = &i.unit {
                        item.extend([Inline::Break, Inline::muted(unit.as_str())]);
                    }
                    let mut row = vec![item];
                    row.extend(i.quantiles.iter().flatten().map(|q| vec![num(q)]));
                    row
                }))
                .into(),
        );
    }
    blocks
}
