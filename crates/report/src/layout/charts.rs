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
    let mut svg = Svg::new(label_w + col_w * d.rounds.len() as f64, row_h * (d.points.len() as f64 + 1.5));
    let heads: Vec<String> = d.rounds.iter().zip(&d.n).map(|(r, n)| format!("{round_word} {r} (n = {n})")).collect();
    for (j, head) in heads.iter().enumerate() {
        svg.text(label_w + col_w * j as f64, TEXT, head, Weight::Regular);
    }
    for (i, p) in d.points.iter().enumerate() {
        let y = row_h * (i as f64 + 1.0) + 4.0;
        let baseline = y + bar_h - 2.0;
        svg.text(0.0, baseline, &format!("{}{}", p.point, agree_mark(p.agree)), Weight::Regular);
        for (j, c) in p.counts.iter().enumerate() {
            let x = label_w + col_w * j as f64;
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
/// its name beside it: right of the point where there is room, else left, above or below, else
/// further down with a leader line — never over another name or point (see [`place_labels`]).
/// The table that follows gives the numbers, so text formats show nothing here.
pub(super) fn benefit_risk(points: &[BenefitRiskPoint], benefit_axis: &str, risk_axis: &str) -> Figure {
    // As wide as the distributions (about 450 units), so that on a phone its text shrinks no
    // more than theirs.
    let (ox, oy, s) = (2.5 * TEXT, 2.0 * TEXT, 260.0);
    let room = 9.0 * TEXT;
    let pos = |r: f64, b: f64| (ox + s * r, oy + s * (1.0 - b));
    let (width, height) = (ox + s + room, oy + s + 2.5 * TEXT);
    let mut svg = Svg::new(width, height);
    svg.rect(ox, oy, s, s, None, Some(Stroke::new(Grey::BLACK)));
    let guide = Stroke::new(Grey(0x88)).dashed(4.0, 3.0);
    svg.line((ox + s / 2.0, oy), (ox + s / 2.0, oy + s), guide);
    svg.line((ox, oy + s / 2.0), (ox + s, oy + s / 2.0), guide);
    svg.text(0.0, TEXT, &format!("↑ {benefit_axis}"), Weight::Regular);
    svg.text(ox, oy + s + 1.75 * TEXT, &format!("{risk_axis} →"), Weight::Regular);
    let bars = Stroke::new(Grey(0x55));
    let mut shown = Vec::new();
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
        shown.push(((x, y), p.title.as_str()));
    }
    let axis_labels = [
        Rect::new(0.0, 0.0, text_width(benefit_axis) + 2.0 * TEXT, 1.3 * TEXT),
        Rect::new(ox, oy + s + 0.5 * TEXT, s, 1.5 * TEXT),
    ];
    for (label, ((x, y), title)) in place_labels(&shown, &axis_labels, (width, height)).into_iter().zip(&shown) {
        if label.leader {
            svg.line((*x, *y), (label.rect.x0, label.rect.y0 + 0.6 * TEXT), Stroke::new(Grey(0x88)));
        }
        svg.text(label.rect.x0, label.rect.y1 - 0.3 * TEXT, title, Weight::Bold);
    }
    Figure { caption: None, svg, fallback: Vec::<Block>::new() }
}

/// An axis-aligned box in drawing units.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rect {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Rect {
    fn new(x: f64, y: f64, width: f64, height: f64) -> Self {
        Self { x0: x, y0: y, x1: x + width, y1: y + height }
    }

    fn overlaps(&self, other: &Self) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }

    fn inside(&self, (width, height): (f64, f64)) -> bool {
        self.x0 >= 0.0 && self.y0 >= 0.0 && self.x1 <= width && self.y1 <= height
    }
}

/// Where a name goes, and whether it sits away from its point (a leader line joins them).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Label {
    rect: Rect,
    leader: bool,
}

/// The width a name takes in bold text of size [`TEXT`]: wide (CJK) characters a full em, the
/// others 0.65 em — an estimate that errs wide (bold Libertinus averages about 0.6), so names keep clear of each other.
fn text_width(text: &str) -> f64 {
    text.chars().map(|c| if u32::from(c) >= 0x2e80 { TEXT } else { 0.65 * TEXT }).sum()
}

/// Places each point's name: the first of right, left, above, below that stays inside the
/// drawing and overlaps no point, axis label or name placed before; failing all, the nearest
/// free place a half line at a time further down or up (right of the point, left of it, or
/// moved in to fit), joined to the point by a leader line.
fn place_labels(points: &[((f64, f64), &str)], fixed: &[Rect], size: (f64, f64)) -> Vec<Label> {
    let dots: Vec<Rect> = points.iter().map(|((x, y), _)| Rect::new(x - 6.0, y - 6.0, 12.0, 12.0)).collect();
    let mut taken: Vec<Rect> = fixed.iter().copied().chain(dots.iter().copied()).collect();
    let mut labels = Vec::new();
    for (i, ((x, y), title)) in points.iter().enumerate() {
        let (w, h) = (text_width(title), 1.3 * TEXT);
        let near = [
            Rect::new(x + 8.0, y - h / 2.0, w, h),
            Rect::new(x - 8.0 - w, y - h / 2.0, w, h),
            Rect::new(x - w / 2.0, y - 8.0 - h, w, h),
            Rect::new(x - w / 2.0, y + 8.0, w, h),
        ];
        let own = fixed.len() + i;
        let free = |r: &Rect| r.inside(size) && taken.iter().enumerate().all(|(k, t)| k == own || !r.overlaps(t));
        let moved = (1..=2 * (size.1 / h).ceil() as i32).flat_map(|step| [step, -step]).flat_map(|step| {
            let top = y - h / 2.0 + f64::from(step) * h / 2.0;
            let fitted = (x + 8.0).min(size.0 - w).max(0.0);
            [x + 8.0, x - 8.0 - w, fitted].map(|left| Rect::new(left, top, w, h))
        });
        let label = near
            .iter()
            .copied()
            .find(|r| free(r))
            .map(|rect| Label { rect, leader: false })
            .or_else(|| moved.clone().find(|r| free(r)).map(|rect| Label { rect, leader: true }))
            // A chart too crowded for every name: the last one goes where it least collides.
            .unwrap_or(Label { rect: near[0], leader: false });
        taken.push(label.rect);
        labels.push(label);
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four areas on one spot and two close by, as a panel that rates alike would place them:
    /// every name is inside the drawing, and no two names or a name and a point overlap.
    #[test]
    fn names_of_points_on_the_same_spot_never_overlap() {
        let points = [
            ((200.0, 120.0), "Verification mechanisms"),
            ((200.0, 120.0), "Protocols and shared standards"),
            ((200.0, 120.0), "Infrastructure"),
            ((200.0, 120.0), "Evaluations"),
            ((210.0, 128.0), "验证机制"),
            ((50.0, 280.0), "A name at the lower left corner"),
        ];
        let size = (40.0 + 260.0 + 9.0 * TEXT, 32.0 + 260.0 + 40.0);
        let labels = place_labels(&points, &[], size);
        for (i, a) in labels.iter().enumerate() {
            assert!(a.rect.inside(size), "{} outside", points[i].1);
            for b in &labels[i + 1..] {
                assert!(!a.rect.overlaps(&b.rect), "{a:?} and {b:?}");
            }
            for ((x, y), _) in &points {
                assert!(!a.rect.overlaps(&Rect::new(x - 6.0, y - 6.0, 12.0, 12.0)), "{} covers a point", points[i].1);
            }
        }
        assert!(labels.iter().any(|l| l.leader), "a crowded spot moves a name away, with a leader line");
    }
}
