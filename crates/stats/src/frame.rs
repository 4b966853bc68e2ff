//! Tidy polars frames of a [`StudySummary`] (feature `frame`).
//!
//! Long format, one row per figure: an undefined figure has a null `value` and its reason in
//! `undefined`; a defined one has a null `undefined`. Suppressed groups have no rows at all.

use polars::prelude::{Column, DataFrame, PolarsResult};

use crate::groups::GroupFigures;
use crate::{Figure, StudySummary};

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
        #[allow(clippy::cast_precision_loss)]
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
            #[allow(clippy::cast_precision_loss)]
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
