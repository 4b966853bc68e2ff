//! The overview: response, the panel's composition, consensus and placements over rounds, the
//! benefit–risk chart, rankings, quantile and numeric items.

use delphi_markup::{Block, Heading, Inline, Table};

use super::{charts, count, num, or_dash, verdict};
use crate::model::Report;

pub(super) fn overview(report: &Report) -> Vec<Block> {
    let l = &report.labels;
    let o = &report.overview;
    let round_heads: Vec<String> = report.rounds.iter().map(|r| format!("{} {r}", l.round)).collect();
    let mut blocks: Vec<Block> =
        vec![Heading::new(2, l.overview.as_str()).into(), Heading::new(3, l.response.as_str()).into()];
    blocks.push(
        Table::new([&l.round, &l.invited, &l.responded, &l.rate])
            .with_rows(o.response.iter().map(|r| {
                [count(r.round), r.invited.map_or_else(|| Inline::text("—"), count), count(r.responded), num(&r.rate)]
            }))
            .into(),
    );

    if !o.composition.is_empty() {
        blocks.push(Heading::new(3, l.composition.as_str()).into());
        for c in &o.composition {
            let head = std::iter::once(c.label.as_str()).chain(round_heads.iter().map(String::as_str));
            let rows = c.rows.iter().map(|g| {
                let group = match g.kind.as_str() {
                    "smaller" => Inline::muted(g.group.as_str()),
                    "total" => Inline::strong(g.group.as_str()),
                    _ => Inline::text(g.group.as_str()),
                };
                std::iter::once(group).chain(g.counts.iter().map(|x| Inline::text(x.text.as_str()))).collect::<Vec<_>>()
            });
            blocks.push(Table::new(head).with_rows(rows).into());
        }
        blocks.push(Block::Note(vec![o.composition_note.as_str().into()]));
    }

    blocks.push(Heading::new(3, l.consensus_over_rounds.as_str()).into());
    let head = [l.domain.as_str(), l.criterion.as_str()].into_iter().chain(round_heads.iter().map(String::as_str));
    let rows = o.consensus.iter().map(|c| {
        let mut v = vec![
            vec![Inline::text(c.domain.as_deref().unwrap_or(&c.item))],
            vec![Inline::text(c.criterion.as_deref().unwrap_or(""))],
        ];
        v.extend(c.rounds.iter().map(|x| match x {
            None => vec![Inline::text("—")],
            Some(x) => vec![num(&x.median), " · ".into(), verdict(Some(&x.verdict))],
        }));
        v
    });
    blocks.push(Table::new(head).with_rows(rows).into());

    if !o.benefit_risk.is_empty() {
        blocks.push(
            Heading::new(3, format!("{} ({} {})", l.benefit_risk, l.round, o.benefit_risk_round.unwrap_or_default()))
                .into(),
        );
        blocks.push(charts::benefit_risk(&o.benefit_risk, &l.benefit_axis, &l.risk_axis).into());
        let rows = o.benefit_risk.iter().map(|p| {
            vec![
                vec![count(p.marker)],
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
            Table::new(["#", &l.domain, &l.benefit, &l.worst_risk, &l.placement, &l.certainty]).with_rows(rows).into(),
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

    if !o.rankings.is_empty() {
        blocks.push(Heading::new(3, l.ranking.as_str()).into());
        let wp = format!("{} ({})", l.kendall_w, l.p_value);
        let rows = o.rankings.iter().map(|k| {
            let mut ranks = Vec::new();
            for (i, m) in k.mean_ranks.iter().enumerate() {
                if i > 0 {
                    ranks.push("; ".into());
                }
                ranks.extend([format!("{}: ", m.name).into(), num(&m.value)]);
            }
            vec![
                vec![k.item.as_str().into()],
                vec![count(k.round)],
                vec![count(k.n)],
                vec![num(&k.w), " (".into(), num(&k.p_value), ")".into()],
                ranks,
            ]
        });
        blocks.push(Table::new([l.item.as_str(), &l.round, &l.n, &wp, &l.mean_rank]).with_rows(rows).into());
    }

    if !o.quantiles.is_empty() {
        blocks.push(Heading::new(3, l.quantiles.as_str()).into());
        let rows = o.quantiles.iter().map(|q| {
            let item = if q.seed { format!("{} ({})", q.item, l.seed) } else { q.item.clone() };
            [
                item.into(),
                Inline::text(q.unit.as_deref().unwrap_or("")),
                count(q.round),
                count(q.n),
                num(&q.q05),
                num(&q.q50),
                num(&q.q95),
            ]
        });
        blocks
            .push(Table::new([l.item.as_str(), &l.unit, &l.round, &l.n, "5 %", "50 %", "95 %"]).with_rows(rows).into());
    }

    if !o.numeric.is_empty() {
        blocks.push(Heading::new(3, l.numeric.as_str()).into());
        let rows = o.numeric.iter().map(|q| {
            vec![
                vec![q.item.as_str().into()],
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
