//! Tidy polars frames of the answers and of a [`StudySummary`] (feature `frame`), for analysts
//! who want their own aggregations in Rust: `crates/stats/examples/bloc_differences.rs` is one
//! to copy (where do the blocs of the panel differ, item by item).
//!
//! - [`answers_frame`]: one row per answer, by pseudonym, with the expert's group attributes.
//! - [`items_frame`], [`stability_frame`], [`groups_frame`]: long format, one row per figure:
//!   an undefined figure has a null `value` and its reason in `undefined`; a defined one has a
//!   null `undefined`. Suppressed groups have no rows at all.

use std::collections::BTreeSet;

use polars::prelude::{Column, DataFrame, PolarsResult};

use crate::groups::GroupFigures;
use crate::input::{AnswerTable, ItemKind, Stored};
use crate::{Figure, StudySummary};

/// One row per answer: `round, item, kind, expert` (the pseudonym), one column per group
/// attribute (null where the expert has none), `value` (the point of an ordinal answer or
/// the number of a numeric one), `dont_know`, `scale_min, scale_max` (an ordinal item's
/// scale), and `q05, q50, q95` for a quantile answer. Ranking answers have a row with a null
/// `value`.
pub fn answers_frame(table: &AnswerTable) -> PolarsResult<DataFrame> {
    let attributes: BTreeSet<&str> = table.experts.iter().flat_map(|(_, g)| g.attributes()).collect();
    let h = table.rows.len();
    let (mut round, mut item, mut kind, mut expert) =
        (Vec::with_capacity(h), Vec::with_capacity(h), Vec::with_capacity(h), Vec::with_capacity(h));
    let (mut value, mut dont_know) = (Vec::with_capacity(h), Vec::with_capacity(h));
    let (mut scale_min, mut scale_max) = (Vec::with_capacity(h), Vec::with_capacity(h));
    let mut quantiles: [Vec<Option<f64>>; 3] = Default::default();
    let mut groups: Vec<Vec<Option<&str>>> = attributes.iter().map(|_| Vec::with_capacity(h)).collect();
    for row in &table.rows {
        let spec = &table.items[row.item as usize];
        let (pseudonym, expert_groups) = &table.experts[row.expert as usize];
        round.push(row.round);
        item.push(spec.id.as_str());
        kind.push(spec.kind.name());
        expert.push(pseudonym.as_str());
        for (column, attribute) in groups.iter_mut().zip(&attributes) {
            column.push(expert_groups.get(attribute));
        }
        let q = match row.value {
            Stored::Quantiles(i) => Some(&table.quantiles[i as usize]),
            Stored::Ordinal(_) | Stored::DontKnow | Stored::Number(_) | Stored::Ranking(_) => None,
        };
        // 5/50/95 %: empty where the item asks other quantiles (the median it always asks).
        for (column, percent) in quantiles.iter_mut().zip([5, 50, 95]) {
            column.push(q.and_then(|q| q.at(percent)));
        }
        value.push(match row.value {
            Stored::Ordinal(x) => Some(f64::from(x)),
            Stored::Number(x) => Some(x),
            Stored::DontKnow | Stored::Quantiles(_) | Stored::Ranking(_) => None,
        });
        dont_know.push(row.value == Stored::DontKnow);
        let scale = match spec.kind {
            ItemKind::Ordinal { scale, .. } => Some(scale),
            ItemKind::Numeric | ItemKind::Quantile { .. } | ItemKind::Ranking => None,
        };
        scale_min.push(scale.map(|s| s.min()));
        scale_max.push(scale.map(|s| s.max()));
    }
    let mut columns = vec![
        Column::new("round".into(), round),
        Column::new("item".into(), item),
        Column::new("kind".into(), kind),
        Column::new("expert".into(), expert),
    ];
    columns.extend(attributes.iter().zip(groups).map(|(name, values)| Column::new((*name).into(), values)));
    columns.push(Column::new("value".into(), value));
    columns.push(Column::new("dont_know".into(), dont_know));
    columns.push(Column::new("scale_min".into(), scale_min));
    columns.push(Column::new("scale_max".into(), scale_max));
    for (name, values) in ["q05", "q50", "q95"].into_iter().zip(quantiles) {
        columns.push(Column::new(name.into(), values));
    }
    DataFrame::new(h, columns)
}

#[derive(Default)]
struct Long {
    value: Vec<Option<f64>>,
    undefined: Vec<Option<String>>,
    measure: Vec<&'static str>,
}

impl Long {
    fn push(&mut self, measure: &'static str, f: Figure) {
        self.measure.push(measure);
        self.value.push(f.value());
        self.undefined.push(f.reason().map(|r| r.to_string()));
    }

    fn finish(self, mut keys: Vec<Column>) -> PolarsResult<DataFrame> {
        let h = self.measure.len();
        keys.push(Column::new("measure".into(), self.measure));
        keys.push(Column::new("value".into(), self.value));
        keys.push(Column::new("undefined".into(), self.undefined));
        DataFrame::new(h, keys)
    }
}

/// Per item and round: `item, round, kind, measure, value, undefined`.
pub fn items_frame(s: &StudySummary) -> PolarsResult<DataFrame> {
    let mut long = Long::default();
    let (mut item, mut round, mut kind) = (Vec::new(), Vec::new(), Vec::new());
    for ir in &s.items {
        for (m, f) in ir.result.measures() {
            item.push(ir.item.as_str().to_owned());
            round.push(ir.round);
            kind.push(ir.result.kind());
            long.push(m, f);
        }
    }
    long.finish(vec![
        Column::new("item".into(), item),
        Column::new("round".into(), round),
        Column::new("kind".into(), kind),
    ])
}

/// Per item and pair of rounds: `item, from_round, to_round, measure, value, undefined`.
pub fn stability_frame(s: &StudySummary) -> PolarsResult<DataFrame> {
    let mut long = Long::default();
    let (mut item, mut from, mut to) = (Vec::new(), Vec::new(), Vec::new());
    for st in &s.stability {
        let rows = [
            ("pairs", Figure::new(st.pairs as f64)),
            ("moved_percent", st.moved_percent),
            ("wilcoxon_statistic", st.wilcoxon.statistic),
            ("wilcoxon_p_value", st.wilcoxon.p_value),
            ("mcnemar_p_value", st.mcnemar.map_or(Figure::undefined(crate::Undefined::NoPairs), |m| m.p_value)),
            ("cv_change", st.cv_change),
            ("iqr_change", st.iqr_change),
            ("dropouts", Figure::new(st.attrition.dropouts as f64)),
            ("attrition_p_value", st.attrition.test.p_value),
        ];
        for (m, f) in rows {
            item.push(st.item.as_str().to_owned());
            from.push(st.from_round);
            to.push(st.to_round);
            long.push(m, f);
        }
    }
    long.finish(vec![
        Column::new("item".into(), item),
        Column::new("from_round".into(), from),
        Column::new("to_round".into(), to),
    ])
}

/// Per attribute, item, round and shown group: `attribute, item, round, group, measure,
/// value, undefined`. Suppressed groups are absent.
pub fn groups_frame(s: &StudySummary) -> PolarsResult<DataFrame> {
    let mut long = Long::default();
    let (mut attr, mut item, mut round, mut group) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for g in &s.groups {
        for gr in &g.groups {
            let GroupFigures::Shown { n, median, q1, q3, iqr, agreement_percent, .. } = &gr.figures else {
                continue;
            };
            let rows = [
                ("n", Figure::new(*n as f64)),
                ("median", *median),
                ("q1", *q1),
                ("q3", *q3),
                ("iqr", *iqr),
                ("agreement_percent", *agreement_percent),
            ];
            for (m, f) in rows {
                attr.push(g.attribute.clone());
                item.push(g.item.as_str().to_owned());
                round.push(g.round);
                group.push(gr.group.clone());
                long.push(m, f);
            }
        }
    }
    long.finish(vec![
        Column::new("attribute".into(), attr),
        Column::new("item".into(), item),
        Column::new("round".into(), round),
        Column::new("group".into(), group),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summarise;
    use crate::synthetic::synthetic_study;

    #[test]
    fn the_answers_frame_has_one_row_per_answer_with_the_experts_groups() {
        let st = synthetic_study(40, 3, 2, 7).unwrap();
        let f = answers_frame(&st.table).unwrap();
        assert_eq!(f.height(), st.table.len());
        let names: Vec<&str> = f.get_column_names().into_iter().map(|n| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "round",
                "item",
                "kind",
                "expert",
                "bloc",
                "institution",
                "value",
                "dont_know",
                "scale_min",
                "scale_max",
                "q05",
                "q50",
                "q95"
            ]
        );
        // Every answer of the synthetic study is ordinal: a value, or "don't know".
        let value = f.column("value").unwrap();
        let dont_know = f.column("dont_know").unwrap().bool().unwrap();
        assert_eq!(value.null_count(), dont_know.sum().unwrap() as usize);
        assert_eq!(f.column("bloc").unwrap().null_count(), 0, "every synthetic expert has a bloc");
    }

    #[test]
    fn frames_have_one_row_per_figure_and_no_suppressed_group() {
        let st = synthetic_study(40, 3, 2, 7).unwrap();
        let s = summarise(&st.table, &st.config).unwrap();
        let f = items_frame(&s).unwrap();
        let per_item: usize = s.items.iter().map(|i| i.result.measures().len()).sum();
        assert_eq!(f.height(), per_item);
        assert_eq!(f.width(), 6);
        let v = f.column("value").unwrap();
        let u = f.column("undefined").unwrap();
        // exactly one of value / undefined is set on every row
        assert_eq!(v.null_count() + u.null_count(), f.height());
        let st_f = stability_frame(&s).unwrap();
        assert_eq!(st_f.height(), s.stability.len() * 9);
        let g = groups_frame(&s).unwrap();
        let shown: usize =
            s.groups.iter().flat_map(|g| &g.groups).filter(|g| matches!(g.figures, GroupFigures::Shown { .. })).count();
        assert_eq!(g.height(), shown * 6);
        // 40 experts over 10 institutions: 4 per institution < 5, all suppressed
        assert!(s.groups.iter().filter(|g| g.attribute == "institution").all(|g| g.suppressed == g.groups.len()));
    }
}
