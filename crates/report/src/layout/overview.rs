//! The overview: response, the panel's composition, consensus and placements over rounds, the
//! benefit–risk chart, rankings, quantile, numeric and rating items outside the domains, each
//! with its wording as the experts read it.

use delphi_markup::{Block, Heading, Inline, Table};

use super::{charts, count, num, or_dash, rating_cells, rating_heads, verdict};
use crate::labels::Labels;
use crate::model::{CompositionRowKind, ItemText, Overview, Report};

/// An item's cell: its id, and on the first of its rows the question and how it was
/// answered (the rows of its later rounds follow it).
fn question_cell(q: &ItemText, first: bool, mark: Option<&str>) -> Vec<Inline> {
    let id = match mark {
        Some(mark) => format!("{} ({mark})", q.item),
        None => q.item.clone(),
    };
    let mut cell = vec![Inline::strong(id)];
    if first {
        cell.extend([Inline::Break, q.wording.as_str().into()]);
        if let Some(answer) = &q.answer {
            cell.extend([Inline::Break, Inline::muted(answer.as_str())]);
        }
    }
    cell
}

/// Whether row `i` is the first of its item's rows.
fn first_of<T>(rows: &[T], i: usize, item: impl Fn(&T) -> &str) -> bool {
    i == 0 || item(&rows[i - 1]) != item(&rows[i])
}

pub(super) fn overview(report: &Report) -> Vec<Block> {
    let l = &report.labels;
    let o = &report.overview;
    let round_heads: Vec<String> = report.rounds.iter().map(|r| format!("{} {r}", l.round)).collect();
    let mut blocks: Vec<Block> =
        vec![Heading::new(2, l.overview.as_str()).into(), Heading::new(3, l.response.as_str()).into()];
    blocks.push(response(l, o));
    blocks.extend(composition(l, o, &round_heads));
    blocks.extend(consensus(l, o, &round_heads));
    blocks.extend(benefit_risk(l, o, &round_heads));
    blocks.extend(rankings(l, o));
    blocks.extend(quantiles(l, o));
    blocks.extend(numeric(l, o));
    if !o.quantiles.is_empty() || !o.numeric.is_empty() {
        blocks.push(Block::Note(vec![o.precision_note.as_str().into()]));
    }
    blocks.extend(ratings(l, o));
    blocks
}

/// Invited, answered and the response rate per round.
fn response(l: &Labels, o: &Overview) -> Block {
    Table::new([&l.round, &l.invited, &l.responded, &l.rate])
        .with_rows(o.response.iter().map(|r| {
            [count(r.round), r.invited.map_or_else(|| Inline::text("—"), count), count(r.responded), num(&r.rate)]
        }))
        .into()
}

/// The panel by institution and by bloc per round, small groups counted together.
fn composition(l: &Labels, o: &Overview, round_heads: &[String]) -> Vec<Block> {
    let mut blocks = Vec::new();
    if !o.composition.is_empty() {
        blocks.push(Heading::new(3, l.composition.as_str()).into());
        for c in &o.composition {
            let head = std::iter::once(c.label.as_str()).chain(round_heads.iter().map(String::as_str));
            let rows = c.rows.iter().map(|g| {
                let group = match g.kind {
                    CompositionRowKind::Named => Inline::text(g.group.as_str()),
                    CompositionRowKind::Smaller => Inline::muted(g.group.as_str()),
                    CompositionRowKind::Total => Inline::strong(g.group.as_str()),
                };
                std::iter::once(group).chain(g.counts.iter().map(|x| Inline::text(x.text.as_str()))).collect::<Vec<_>>()
            });
            blocks.push(Table::new(head).with_rows(rows).into());
        }
        blocks.push(Block::Note(vec![o.composition_note.as_str().into()]));
    }
    blocks
}

/// Every rated item's median and verdict round by round.
fn consensus(l: &Labels, o: &Overview, round_heads: &[String]) -> Vec<Block> {
    let mut blocks = vec![Heading::new(3, l.consensus_over_rounds.as_str()).into()];
    let head = [l.domain.as_str(), l.criterion.as_str()].into_iter().chain(round_heads.iter().map(String::as_str));
    let rows = o.consensus.iter().map(|c| {
        let mut v = vec![
            match &c.question {
                Some(q) => question_cell(q, true, None),
                None => vec![Inline::text(c.domain.as_deref().unwrap_or(&c.item))],
            },
            vec![Inline::text(c.criterion.as_deref().unwrap_or(""))],
        ];
        v.extend(c.rounds.iter().map(|x| match x {
            None => vec![Inline::text("—")],
            Some(x) => vec![num(&x.median), " · ".into(), verdict(Some(&x.verdict))],
        }));
        v
    });
    blocks.push(Table::new(head).with_rows(rows).into());
    blocks
}

/// The benefit–risk chart and its table, then the placements over rounds.
fn benefit_risk(l: &Labels, o: &Overview, round_heads: &[String]) -> Vec<Block> {
    let mut blocks = Vec::new();
    if !o.benefit_risk.is_empty() {
        blocks.push(
            Heading::new(3, format!("{} ({} {})", l.benefit_risk, l.round, o.benefit_risk_round.unwrap_or_default()))
                .into(),
        );
        blocks.push(charts::benefit_risk(&o.benefit_risk, &l.benefit_axis, &l.risk_axis).into());
        let rows = o.benefit_risk.iter().map(|p| {
            vec![
                vec![p.title.as_str().into()],
                vec![num(&p.benefit), " (".into(), num(&p.benefit_q1), "–".into(), num(&p.benefit_q3), ")".into()],
                vec![
                    num(&p.risk),
                    " (".into(),
                    num(&p.risk_q1),
                    "–".into(),
                    num(&p.risk_q3),
                    format!(") {}", p.worst_risk.as_deref().unwrap_or("")).into(),
                ],
                vec![or_dash(p.placement.as_deref())],
                vec![format!("{} (", p.certainty).into(), num(&p.agreement), " %)".into()],
            ]
        });
        blocks.push(
            Table::new([l.domain.as_str(), &l.benefit, &l.worst_risk, &l.placement, &l.certainty])
                .with_rows(rows)
                .into(),
        );
        blocks.push(Heading::new(3, l.placements_over_rounds.as_str()).into());
        let head = std::iter::once(l.domain.as_str()).chain(round_heads.iter().map(String::as_str));
        let rows = o.placements.iter().map(|p| {
            std::iter::once(Inline::text(p.title.as_str()))
                .chain(p.rounds.iter().map(|x| or_dash(x.as_deref())))
                .collect::<Vec<_>>()
        });
        blocks.push(Table::new(head).with_rows(rows).into());
    }
    blocks
}

/// Kendall's W and the mean ranks of every ranking item per round.
fn rankings(l: &Labels, o: &Overview) -> Vec<Block> {
    let mut blocks = Vec::new();
    if !o.rankings.is_empty() {
        blocks.push(Heading::new(3, l.ranking.as_str()).into());
        let wp = format!("{} ({})", l.kendall_w, l.p_value);
        let rows = o.rankings.iter().enumerate().map(|(i, k)| {
            let mut ranks = Vec::new();
            for (i, m) in k.mean_ranks.iter().enumerate() {
                if i > 0 {
                    ranks.push("; ".into());
                }
                ranks.extend([format!("{}: ", m.name).into(), num(&m.value)]);
            }
            vec![
                question_cell(&k.question, first_of(&o.rankings, i, |x| &x.item), None),
                vec![count(k.round)],
                vec![count(k.n)],
                vec![num(&k.w), " (".into(), num(&k.p_value), ")".into()],
                ranks,
            ]
        });
        blocks.push(Table::new([l.item.as_str(), &l.round, &l.n, &wp, &l.mean_rank]).with_rows(rows).into());
    }
    blocks
}

/// The pooled quantiles of every quantile item per round.
fn quantiles(l: &Labels, o: &Overview) -> Vec<Block> {
    let mut blocks = Vec::new();
    if !o.quantiles.is_empty() {
        blocks.push(Heading::new(3, l.quantiles.as_str()).into());
        let rows = o.quantiles.iter().enumerate().map(|(i, q)| {
            let first = first_of(&o.quantiles, i, |x| &x.item);
            vec![
                question_cell(&q.question, first, q.seed.then_some(l.seed.as_str())),
                vec![Inline::text(q.unit.as_deref().unwrap_or(""))],
                vec![count(q.round)],
                vec![count(q.n)],
                vec![num(&q.q05)],
                vec![num(&q.q50)],
                vec![num(&q.q95)],
            ]
        });
        blocks
            .push(Table::new([l.item.as_str(), &l.unit, &l.round, &l.n, "5 %", "50 %", "95 %"]).with_rows(rows).into());
    }
    blocks
}

/// The median and quartiles of every numeric and probability item per round.
fn numeric(l: &Labels, o: &Overview) -> Vec<Block> {
    let mut blocks = Vec::new();
    if !o.numeric.is_empty() {
        blocks.push(Heading::new(3, l.numeric.as_str()).into());
        let rows = o.numeric.iter().enumerate().map(|(i, q)| {
            vec![
                question_cell(&q.question, first_of(&o.numeric, i, |x| &x.item), None),
                vec![count(q.round)],
                vec![count(q.n)],
                vec![num(&q.median)],
                vec![num(&q.q1), "–".into(), num(&q.q3)],
                vec![num(&q.iqr)],
            ]
        });
        blocks.push(
            Table::new([l.item.as_str(), &l.round, &l.n, &l.median, &l.quartiles, &l.iqr]).with_rows(rows).into(),
        );
    }
    blocks
}

/// The rating items outside the domains per round, with a criterion's columns.
fn ratings(l: &Labels, o: &Overview) -> Vec<Block> {
    let mut blocks = Vec::new();
    if !o.ratings.is_empty() {
        blocks.push(Heading::new(3, l.other_ratings.as_str()).into());
        let rows = o.ratings.iter().enumerate().map(|(i, r)| {
            let first = first_of(&o.ratings, i, |x| &x.question.item);
            [question_cell(&r.question, first, None), vec![count(r.round)]]
                .into_iter()
                .chain(rating_cells(&r.figures))
                .collect::<Vec<_>>()
        });
        let head = [l.item.as_str(), &l.round].into_iter().chain(rating_heads(l));
        blocks.push(Table::new(head).with_rows(rows).into());
    }
    blocks
}
