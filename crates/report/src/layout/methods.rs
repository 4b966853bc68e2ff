//! The methods: the rules behind every verdict, and how each round ran.

use delphi_markup::{Block, Heading, Inline, Table};

use super::{count, list, num};
use crate::model::Report;

pub(super) fn methods(report: &Report) -> Vec<Block> {
    let l = &report.labels;
    let m = &report.methods;
    let mut reliability = Vec::new();
    for (i, x) in m.reliability.iter().enumerate() {
        if i > 0 {
            reliability.push("; ".into());
        }
        reliability.extend([format!("{}: ", x.name).into(), num(&x.value)]);
    }
    // What the values mean sits beside them: a coefficient alone tells a reader nothing.
    reliability.extend([Inline::Break, l.reliability_reading.as_str().into()]);
    let groups =
        format!("{}; {}: {}. {}", m.group_attributes.join(", "), l.min_group_size, m.min_group_size, l.suppressed_note);
    let entries: [(&str, Vec<Inline>); 8] = [
        (&l.consensus_definition_heading, vec![m.consensus_definition.as_str().into()]),
        (&l.quantile_method, vec![m.quantile_method.as_str().into()]),
        (&l.dont_know_heading, vec![m.dont_know.as_str().into()]),
        (&l.stability_heading, vec![m.stability.as_str().into()]),
        (&l.stopping_heading, vec![m.stopping.as_str().into()]),
        (
            &l.rounds_reported,
            vec![format!("{}{}", list(&m.rounds), l.max_rounds.replace("{max}", &m.max_rounds.to_string())).into()],
        ),
        (&l.groups_heading, vec![groups.into()]),
        (&l.reliability, reliability),
    ];
    let items = entries
        .into_iter()
        .map(|(key, value)| {
            let mut item = vec![Inline::strong(format!("{key}:")), " ".into()];
            item.extend(value);
            item
        })
        .collect();
    vec![
        Heading::new(2, l.methods.as_str()).into(),
        Block::Paragraph(vec![report.study.description.as_str().into()]),
        Block::List(items),
        Heading::new(3, l.rounds_conducted.as_str()).into(),
        Table::new([l.round.as_str(), &l.opened, &l.deadline, &l.closed, &l.fed_back])
            .with_rows(m.conducted.iter().map(|r| {
                [
                    count(r.round),
                    r.opened.as_str().into(),
                    r.deadline.as_str().into(),
                    r.closed.as_str().into(),
                    r.feedback.as_str().into(),
                ]
            }))
            .into(),
    ]
}
