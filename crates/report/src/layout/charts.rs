//! The report's drawings: answers per scale point and round, and the benefit–risk chart.
//! Greys only, with the numbers beside the marks.

use delphi_markup::svg::{Grey, Stroke, Svg, Weight};
use delphi_markup::{Block, Figure, Inline, Table};

use crate::model::{BenefitRiskPoint, Distribution};

const INK: Grey = Grey(0x28);
const AGREE: Grey = INK;
const OTHER: Grey = Grey(0xaf);

/// Drawing units are CSS pixels at a chart's own width, where its text (1rem in the report's
/// stylesheet) is 16 units tall: every size below leaves room for text of that size.
const TEXT: f64 = 16.0;

/// Bars of answers per scale point, one column per round; points in the agree set dark and
/// marked (+). Without pictures: a table of the same counts, drawn in characters.
pub(super) fn distribution(d: &Distribution, round_word: &str) -> Figure {
    let (bar_w, bar_h, row_h, label_w) = (84.0, 15.0, TEXT + 6.0, 3.2 * TEXT);
    let col_w = bar_w + 3.0 * TEXT;
    #[allow(clippy::cast_precision_loss)]
    let mut svg = Svg::new(label_w + col_w * d.rounds.len() as f64, row_h * (d.points.len() as f64 + 1.5));
    let heads: Vec<String> = d.rounds.iter().zip(&d.n).map(|(r, n)| format!("{round_word} {r} (n = {n})")).collect();
    for (j, head) in heads.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        svg.text(label_w + col_w * j as f64, TEXT, head, Weight::Regular);
    }
    for (i, p) in d.points.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let y = row_h * (i as f64 + 1.0) + 4.0;
        let baseline = y + bar_h - 2.0;
        svg.text(0.0, baseline, &format!("{}{}", p.point, agree_mark(p.agree)), Weight::Regular);
        for (j, c) in p.counts.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let x = label_w + col_w * j as f64;
            #[allow(clippy::cast_precision_loss)]
            let len = if d.max_count > 0 { bar_w * *c as f64 / d.max_count as f64 } else { 0.0 };
            let fill = if p.agree { AGREE } else { OTHER };
            svg.rect(x, y, len, bar_h, Some(fill), Some(Stroke::new(INK).width(0.5)));
            svg.text(x + len + 4.0, baseline, &c.to_string(), Weight::Regular);
        }
    }
    let head = std::iter::once(d.criterion.clone()).chain(heads);
    let rows = d.points.iter().map(|p| {
        let mut row = vec![vec![Inline::text(format!("{} {}{}", p.point, p.label, agree_mark(p.agree)))]];
        row.extend(p.counts.iter().map(|&c| bar(c, d.max_count)));
        row
    });
    Figure {
        caption: Some(vec![Inline::text(d.criterion.as_str())]),
        svg,
        fallback: vec![Table::new(head).with_rows(rows).into()],
    }
}

fn agree_mark(agree: bool) -> &'static str {
    if agree { " (+)" } else { "" }
}

/// A bar of 20 characters at most, then the count.
fn bar(count: u64, max: u64) -> Vec<Inline> {
    let n = (count * 20).checked_div(max).map_or(0, |n| usize::try_from(n).unwrap_or(20));
    vec![Inline::Code(format!("{}{}", "█".repeat(n), " ".repeat(20 - n.min(20)))), Inline::text(format!(" {count}"))]
}

/// Each domain at its normalised worst risk (x) and benefit (y), with interquartile bars and
/// its marker number; a marker stacked on another is set aside. The table that follows gives
/// the numbers, so text formats show nothing here.
pub(super) fn benefit_risk(points: &[BenefitRiskPoint], benefit_axis: &str, risk_axis: &str) -> Figure {
    let (ox, oy, s) = (2.5 * TEXT, 2.0 * TEXT, 360.0);
    let pos = |r: f64, b: f64| (ox + s * r, oy + s * (1.0 - b));
    let mut svg = Svg::new(ox + s + 2.5 * TEXT, oy + s + 2.5 * TEXT);
    svg.rect(ox, oy, s, s, None, Some(Stroke::new(Grey::BLACK)));
    let guide = Stroke::new(Grey(0x88)).dashed(4.0, 3.0);
    svg.line((ox + s / 2.0, oy), (ox + s / 2.0, oy + s), guide);
    svg.line((ox, oy + s / 2.0), (ox + s, oy + s / 2.0), guide);
    svg.text(0.0, TEXT, &format!("↑ {benefit_axis}"), Weight::Regular);
    svg.text(ox, oy + s + 1.75 * TEXT, &format!("{risk_axis} →"), Weight::Regular);
    let bars = Stroke::new(Grey(0x55));
    for p in points {
        let (Some(b), Some(r)) = (p.benefit.value, p.risk.value) else { continue };
        let (x, y) = pos(r, b);
        if let (Some(q1), Some(q3)) = (p.risk_q1.value, p.risk_q3.value) {
            svg.line((pos(q1, b).0, y), (pos(q3, b).0, y), bars);
        }
        if let (Some(q1), Some(q3)) = (p.benefit_q1.value, p.benefit_q3.value) {
            svg.line((x, pos(r, q1).1), (x, pos(r, q3).1), bars);
        }
        svg.circle(x, y, 5.0, Grey::BLACK);
        let aside = TEXT * f64::from(u32::try_from(p.stack).unwrap_or(0));
        svg.text(x + 6.0 + aside, y - 6.0, &p.marker.to_string(), Weight::Bold);
    }
    Figure { caption: None, svg, fallback: Vec::<Block>::new() }
}
