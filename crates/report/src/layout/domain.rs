//! One domain: its description and its questions as the experts read them, then each round's criteria, distributions, stability, group
//! comparisons, benefit–risk synthesis and anonymous rationales.

use delphi_markup::{Block, Class, Heading, Inline, Table};

use super::{charts, count, num, or_dash, rating_cells, rating_heads, reason, verdict};
use crate::model::{DomainReport, DomainRound, RationaleGroup, RationaleText, Report};

const MARK: Class = Class::new("mark");
const ORIGINAL: Class = Class::new("original");
const COUNT: Class = Class::new("count");

pub(super) fn domain(report: &Report, d: &DomainReport) -> Vec<Block> {
    let mut blocks =
        vec![Heading::new(2, d.title.as_str()).into(), Block::Paragraph(vec![d.description.as_str().into()])];
    if !d.questions.is_empty() {
        blocks.push(Heading::new(3, report.labels.questions_heading.as_str()).into());
        blocks.push(Block::List(
            d.questions
                .iter()
                .map(|q| {
                    let mut item =
                        vec![Inline::strong(format!("{}:", q.criterion)), " ".into(), q.wording.as_str().into()];
                    if let Some(scale) = &q.scale {
                        item.extend([Inline::Break, Inline::muted(scale.as_str())]);
                    }
                    item
                })
                .collect(),
        ));
    }
    for r in &d.rounds {
        blocks.extend(round(report, &d.title, r));
    }
    blocks
}

fn round(report: &Report, title: &str, r: &DomainRound) -> Vec<Block> {
    let l = &report.labels;
    let mut blocks: Vec<Block> = vec![
        Heading::new(3, format!("{title} — {} {}", l.round, r.round)).into(),
        Heading::new(4, l.criteria.as_str()).into(),
    ];
    let rows = r.criteria.iter().map(|c| {
        std::iter::once(vec![Inline::plain(c.criterion.as_str()).with_hint(c.question.as_str())])
            .chain(rating_cells(c))
            .collect::<Vec<_>>()
    });
    let head = std::iter::once(l.criterion.as_str()).chain(rating_heads(l));
    blocks.push(Table::new(head).with_rows(rows).into());

    if !r.distributions.is_empty() {
        blocks.push(Heading::new(4, l.distribution.as_str()).into());
        blocks.push(Block::Note(vec![l.distribution_note.as_str().into()]));
        blocks.extend(r.distributions.iter().map(|d| charts::distribution(d, &l.round).into()));
    }

    if !r.stability.is_empty() {
        blocks.push(Heading::new(4, l.stability.as_str()).into());
        let rows = r.stability.iter().map(|s| {
            vec![
                vec![s.criterion.as_str().into()],
                vec![count(s.from_round)],
                vec![count(s.pairs)],
                vec![format!("{} (", s.moved).into(), num(&s.moved_percent), " %)".into()],
                vec![num(&s.iqr_change)],
                vec![verdict(Some(&s.verdict))],
                vec![reason(Some(&s.verdict))],
            ]
        });
        blocks.push(
            Table::new([
                l.criterion.as_str(),
                &l.from_round,
                &l.pairs,
                &l.moved,
                &l.iqr_change,
                &l.stable_heading,
                &l.reason,
            ])
            .with_rows(rows)
            .into(),
        );
    }

    for g in &r.groups {
        blocks.push(Heading::new(4, format!("{}: {}", l.groups, g.attribute)).into());
        let head = std::iter::once(l.criterion.as_str())
            .chain(g.groups.iter().map(String::as_str))
            .chain([l.cross_group.as_str()]);
        let rows = g.rows.iter().map(|row| {
            let mut v = vec![vec![Inline::text(row.criterion.as_str())]];
            v.extend(row.cells.iter().map(|c| {
                if c.suppressed {
                    vec![Inline::muted(l.suppressed.as_str())]
                } else {
                    vec![num(&c.median), " / ".into(), num(&c.iqr), format!(" ({})", c.n).into()]
                }
            }));
            v.push(vec![verdict(Some(&row.cross_group))]);
            v
        });
        blocks.push(Table::new(head).with_rows(rows).into());
        blocks.push(Block::Note(vec![g.note.as_str().into()]));
    }

    if let Some(s) = &r.synthesis {
        blocks.push(Heading::new(4, l.synthesis.as_str()).into());
        let benefit = [Inline::text(l.benefit.as_str()), num(&s.benefit), num(&s.benefit_normalised)];
        let risks = s.risks.iter().map(|k| [Inline::text(k.criterion.as_str()), num(&k.median), num(&k.normalised)]);
        blocks.push(
            Table::new([l.criterion.as_str(), &l.median, "0–1"])
                .with_rows(std::iter::once(benefit).chain(risks))
                .into(),
        );
        blocks.push(Block::Paragraph(vec![
            Inline::strong(format!("{}:", l.placement)),
            " ".into(),
            or_dash(s.placement.as_deref()),
            format!(" — {}", s.reason).into(),
            Inline::Break,
            format!("{}: {} (", l.certainty, s.certainty).into(),
            num(&s.placement_agreement),
            format!(" %, {}: {})", l.experts_placed, s.experts_placed).into(),
        ]));
    }

    if !r.rationales.is_empty() {
        blocks.push(Heading::new(4, l.rationales.as_str()).into());
        for g in &r.rationales {
            blocks.extend(rationales(g));
        }
    }
    blocks
}

/// A position's rationales: each as its reader reads it first, `×n` beside one several experts
/// wrote, marked when translated or untranslated, the original under a translation.
fn rationales(g: &RationaleGroup) -> [Block; 2] {
    [
        Block::Paragraph(vec![Inline::strong(format!("{}: {}", g.criterion, g.position))]),
        Block::List(g.texts.iter().map(rationale).collect()),
    ]
}

fn rationale(r: &RationaleText) -> Vec<Inline> {
    let mut item = vec![Inline::text(r.text.as_str())];
    if let Some(note) = &r.note {
        item.extend([" ".into(), Inline::emphasis(format!("({note})")).with_class(MARK)]);
    }
    if r.count > 1 {
        item.extend([" ".into(), Inline::strong(format!("×{}", r.count)).with_class(COUNT)]);
    }
    if let Some(o) = &r.original {
        item.extend([
            Inline::Break,
            Inline::plain([Inline::emphasis(format!("{}:", o.label)), " ".into(), o.text.as_str().into()])
                .with_class(ORIGINAL),
        ]);
    }
    item
}
