//! The previous round's figures drawn for an email's HTML part: bars and bands made of
//! table cells with inline styles, as mail clients drop style sheets and most drop SVG.
//!
//! Only figures are drawn here, never a text an expert wrote: an HTML reply quotes this
//! part, and a quoted rationale outside the form's `::` lines could be read back as an
//! answer. The rationales and proposals stay in the reply form (see [`crate::text`]).

use std::fmt::Write as _;

use crate::answer::Answer;
use crate::common::{
    describe, figure_lines, line_range, option_title, own_place, own_values, pooled_range, sections, stat, ties_note,
};
use crate::feedback::{ItemFeedback, OwnAnswer, Pooled};
use crate::html::escape;
use crate::ui::{Ui, fill, ui};
use crate::{Item, Questionnaire};

/// The colours of the web form's charts, so both read the same.
const OWN: &str = "#24528f";
const OTHERS: &str = "#8fa9cf";
const MIDDLE: &str = "#c9d6ea";
const MEDIAN: &str = "#c60";
const POOLED: &str = "#555555";
/// The height of a bar at the largest count, and the width of a number line, in CSS pixels.
const BAR_PX: u32 = 48;
const LINE_PX: f64 = 300.0;
/// The width of a column of the bars, in CSS pixels (a phone fits eleven points).
const COLUMN_PX: u32 = 26;

/// The group's figures of every item that has feedback, under one heading with one legend;
/// `None` when the questionnaire feeds nothing back.
pub fn figures(q: &Questionnaire) -> Option<String> {
    if q.items.iter().all(|i| i.feedback.is_none()) {
        return None;
    }
    let ui = ui(&q.language);
    let round = q.feedback_round.unwrap_or(q.round.saturating_sub(1)).to_string();
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<h2 style=\"font-size:1.15em; margin:1.5em 0 0.5em 0\">{}</h2>",
        escape(&fill(ui.group_previous, &[("round", &round)]))
    );
    let pooled = q.items.iter().find_map(|i| i.feedback.as_ref().and_then(|fb| fb.pooled.as_ref()));
    legend(&mut h, ui, pooled);
    for section in sections(q, ui) {
        let items: Vec<(&Item, &ItemFeedback)> =
            section.items.iter().filter_map(|item| item.feedback.as_ref().map(|fb| (*item, fb))).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(h, "<h3 style=\"font-size:1.05em; margin:1.25em 0 0.25em 0\">{}</h3>", escape(&section.title));
        for (item, fb) in items {
            item_figures(&mut h, item, fb, &round, ui);
        }
    }
    Some(h)
}

/// The marks explained once: the expert's answer, the median, the middle half, and the
/// pool where a quantile item has one.
fn legend(h: &mut String, ui: &Ui, pooled: Option<&Pooled>) {
    let key = |colour: &str, label: &str| {
        format!(
            "<span style=\"display:inline-block; width:0.9em; height:0.9em; background:{colour}; vertical-align:middle\"></span> {}",
            escape(label)
        )
    };
    let _ = writeln!(
        h,
        "<p style=\"margin:0 0 1em 0; font-size:0.9em\">{}{} {} &nbsp; {} &nbsp; {}{}</p>",
        escape(ui.legend),
        ui.colon.trim_end(),
        key(OWN, ui.legend_own),
        key(MEDIAN, ui.legend_median),
        key(MIDDLE, ui.legend_middle),
        pooled.map_or_else(String::new, |Pooled(pool)| {
            let range = pooled_range(pool.levels(), ui);
            format!(" &nbsp; {}", key(POOLED, &fill(ui.legend_pooled, &[("range", &range)])))
        })
    );
}

fn item_figures(h: &mut String, item: &Item, fb: &ItemFeedback, round: &str, ui: &Ui) {
    let _ = writeln!(h, "<p style=\"margin:1em 0 0\"><b>{}</b></p>", escape(&item.prompt));
    let lines = figure_lines(fb, &item.answer, ui);
    let shown = if fb.ranks.is_empty() { &lines[..] } else { &lines[..1] };
    let _ = writeln!(h, "<p style=\"margin:0;font-size:.9em\">{}</p>", escape(&shown.join("; ")));
    if !fb.distribution.is_empty() {
        bars(h, fb, ui);
    } else if !fb.ranks.is_empty() {
        ranking(h, item, fb, ui);
    } else {
        number_line(h, item, fb);
    }
    let own = match &fb.own {
        // A chart of the points marks the expert's own point (▲ in their colour).
        OwnAnswer::Given { answer: Answer::Ordinal { .. } | Answer::DontKnow } if !fb.distribution.is_empty() => None,
        OwnAnswer::Given { answer } => {
            Some(fill(ui.your_answer, &[("round", round), ("answer", &describe(&item.answer, answer, ui))]))
        }
        OwnAnswer::Missing => Some(fill(ui.you_did_not_answer, &[("round", round)])),
        OwnAnswer::NotPersonalised => None,
    };
    if let Some(own) = own {
        let _ = writeln!(h, "<p style=\"margin:0;font-size:.9em;color:{OWN}\">{}</p>", escape(&own));
    }
}

/// One column of [`bars`]: a scale point (or don't-know) and how it stands.
struct Column {
    label: String,
    count: u32,
    /// The expert's own answer.
    own: bool,
    /// Within the middle half (Q1–Q3).
    middle: bool,
    /// The median, or one of the two points it falls between.
    median: bool,
}

/// A column per scale point (and don't-know): its count above a bar as high as the count,
/// the point below. The expert's own point is drawn in their colour and marked ▲; the
/// points of the middle half stand on its band; the median's point (both points when it
/// falls between two) is written in the median's colour. Compact on purpose: every item's
/// chart goes to every expert, and an invitation stays under 100 KB at 1,000 experts.
fn bars(h: &mut String, fb: &ItemFeedback, ui: &Ui) {
    let max = fb.max_count();
    let own = fb.own.answer();
    let mut columns: Vec<Column> = fb
        .distribution
        .iter()
        .map(|p| {
            let point = f64::from(p.point);
            let middle = matches!((fb.q1, fb.q3), (Some(q1), Some(q3)) if q1 <= point && point <= q3);
            let median = fb.median.is_some_and(|m| (m - point).abs() <= 0.5);
            let own = own == Some(&Answer::Ordinal { point: p.point });
            Column { label: p.point.to_string(), count: p.count, own, middle, median }
        })
        .collect();
    if fb.dont_know > 0 || own == Some(&Answer::DontKnow) {
        let own = own == Some(&Answer::DontKnow);
        columns.push(Column { label: ui.dont_know.to_owned(), count: fb.dont_know, own, middle: false, median: false });
    }
    let count_of_columns = columns.len();
    let (mut bars, mut points) = (String::new(), String::new());
    for Column { label, count, own: is_own, middle, median } in columns {
        let height = (count * BAR_PX / max).max(u32::from(count > 0));
        let band = if middle { format!(" bgcolor=\"{MIDDLE}\"") } else { String::new() };
        let colour = if is_own { OWN } else { OTHERS };
        let _ = write!(bars, "<td{band}>{count}<div style=\"height:{height}px;background:{colour}\"></div></td>");
        let mark = match (is_own, median) {
            (true, _) => format!(" style=\"color:{OWN};font-weight:bold\""),
            (false, true) => format!(" style=\"color:{MEDIAN};font-weight:bold\""),
            (false, false) => String::new(),
        };
        let arrow = if is_own { "<br>▲" } else { "" };
        let _ = write!(points, "<td{mark}>{}{arrow}</td>", escape(&label));
    }
    let _ = writeln!(
        h,
        "<table cellpadding=\"2\" cellspacing=\"0\" width=\"{}\" style=\"table-layout:fixed;font-size:.85em;text-align:center\">\
         <tr valign=\"bottom\">{bars}</tr><tr valign=\"top\">{points}</tr></table>",
        COLUMN_PX * u32::try_from(count_of_columns).unwrap_or(u32::MAX)
    );
}

/// Each option's mean rank and the expert's own place, best mean rank first.
fn ranking(h: &mut String, item: &Item, fb: &ItemFeedback, ui: &Ui) {
    let own_order = match fb.own.answer() {
        Some(Answer::Ranking { order }) => Some(order),
        _ => None,
    };
    let cell = "padding:2px 8px; border-bottom:1px solid #dddddd";
    let _ = write!(
        h,
        "<table cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse; font-size:0.9em\">\
         <tr><th style=\"{cell}; text-align:left\">{}</th><th style=\"{cell}\">{}</th>",
        escape(ui.option),
        escape(fill(ui.mean_rank, &[("mean", "")]).trim())
    );
    if own_order.is_some() {
        let _ = write!(h, "<th style=\"{cell}; color:{OWN}\">{}</th>", escape(ui.your_place));
    }
    h.push_str("</tr>\n");
    let mut rows: Vec<_> = fb.ranks.iter().collect();
    rows.sort_by(|a, b| a.mean_rank.unwrap_or(f64::INFINITY).total_cmp(&b.mean_rank.unwrap_or(f64::INFINITY)));
    for option in rows {
        let _ = write!(
            h,
            "<tr><td style=\"{cell}\">{}</td><td style=\"{cell}; text-align:center\">{}</td>",
            escape(&option_title(&item.answer, &option.option)),
            option.mean_rank.map_or_else(|| "–".to_owned(), |m| stat(&item.answer, Some(m)))
        );
        if let Some(order) = own_order {
            let place = own_place(order, &option.option);
            let _ = write!(h, "<td style=\"{cell}; text-align:center; color:{OWN}\">{place}</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
    if let Some(note) = ties_note(&item.answer, ui) {
        let _ = writeln!(h, "<p style=\"margin:0;font-size:.85em\">{}</p>", escape(note));
    }
}

/// A number line of table cells: the middle half as a band split by the median, the pooled
/// 5–95 % range below it, the expert's own value(s) marked above, the line's ends labelled.
fn number_line(h: &mut String, item: &Item, fb: &ItemFeedback) {
    let own = own_values(fb.own.answer());
    let (Some((lo, hi)), Some(median)) = (line_range(fb, &own), fb.median) else { return };
    let x = |v: f64| ((v - lo) / (hi - lo)).clamp(0.0, 1.0) * LINE_PX;
    let _ = writeln!(
        h,
        "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:collapse\">"
    );
    if !own.is_empty() {
        let marks: Vec<f64> = own.iter().map(|v| x(*v)).collect();
        row(h, &points(&marks, OWN));
    }
    let (q1, q3) = (fb.q1.unwrap_or(median), fb.q3.unwrap_or(median));
    row(
        h,
        &[
            (0.0, x(q1), "#dddddd", 2),
            (x(q1), x(median), MIDDLE, 14),
            (x(median), x(median) + 3.0, MEDIAN, 14),
            (x(median) + 3.0, x(q3).max(x(median) + 3.0), MIDDLE, 14),
            (x(q3).max(x(median) + 3.0), LINE_PX, "#dddddd", 2),
        ],
    );
    if let Some(Pooled(pool)) = &fb.pooled {
        let (low, high) = pool.outer();
        row(h, &[(0.0, x(low), "transparent", 3), (x(low), x(high), POOLED, 3), (x(high), LINE_PX, "transparent", 3)]);
    }
    let _ = writeln!(
        h,
        "<tr><td style=\"font-size:0.8em; padding-top:2px\"><span style=\"float:right\">{}</span>{}</td></tr>",
        escape(&stat(&item.answer, Some(hi))),
        escape(&stat(&item.answer, Some(lo)))
    );
    h.push_str("</table>\n");
}

/// Segments marking `at` (each 6 px wide) in `colour` along the line.
fn points(at: &[f64], colour: &'static str) -> Vec<(f64, f64, &'static str, u32)> {
    let mut sorted = at.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut segments = Vec::new();
    let mut from = 0.0;
    for x in sorted {
        let start = (x - 3.0).clamp(from, LINE_PX - 6.0).max(from);
        segments.push((from, start, "transparent", 8));
        segments.push((start, start + 6.0, colour, 8));
        from = start + 6.0;
    }
    segments.push((from, LINE_PX, "transparent", 8));
    segments
}

/// One line of the chart: consecutive `(from, to, colour, height)` segments, in pixels
/// along the line, as a nested table (widths in pixels hold in every mail client).
fn row(h: &mut String, segments: &[(f64, f64, &str, u32)]) {
    let _ = write!(
        h,
        "<tr><td style=\"padding:1px 0\"><table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" width=\"{LINE_PX}\" style=\"border-collapse:collapse; width:{LINE_PX}px\"><tr>"
    );
    for &(from, to, colour, height) in segments {
        let width = (to - from).round();
        if width >= 1.0 {
            let _ = write!(
                h,
                "<td width=\"{width}\" style=\"width:{width}px; height:{height}px; background:{colour}; font-size:0; line-height:0\"></td>"
            );
        }
    }
    h.push_str("</tr></table></td></tr>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedback::PointCount;

    fn distribution(counts: &[(i32, u32)]) -> Vec<PointCount> {
        counts.iter().map(|&(point, count)| PointCount { point, count }).collect()
    }

    #[test]
    fn a_bar_is_as_high_as_its_count_and_the_experts_own_point_is_drawn_in_their_colour() {
        let fb = ItemFeedback {
            n: 6,
            median: Some(2.5),
            q1: Some(2.0),
            q3: Some(3.0),
            distribution: distribution(&[(1, 0), (2, 2), (3, 4)]),
            own: OwnAnswer::Given { answer: Answer::Ordinal { point: 2 } },
            ..ItemFeedback::default()
        };
        let mut h = String::new();
        bars(&mut h, &fb, &crate::ui::EN);
        let cells = |row: usize| -> Vec<String> {
            let row = h.split("<tr").nth(row + 1).unwrap();
            row.split("<td").skip(1).map(str::to_owned).collect()
        };
        let (bars, points) = (cells(0), cells(1));
        assert_eq!((bars.len(), points.len()), (3, 3), "{h}");
        assert!(bars[2].contains(&format!(">4<div style=\"height:{BAR_PX}px;background:{OTHERS}")), "{}", bars[2]);
        assert!(bars[1].contains(&format!(">2<div style=\"height:{}px;background:{OWN}", BAR_PX / 2)), "{}", bars[1]);
        assert!(bars[0].contains(">0<div style=\"height:0px"), "no answers, no bar: {}", bars[0]);
        // The middle half 2–3 stands on its band; the median 2.5 lies between points 2 and 3,
        // so both points are marked, point 1 is not.
        let banded: Vec<bool> = bars.iter().map(|b| b.starts_with(&format!(" bgcolor=\"{MIDDLE}\""))).collect();
        assert_eq!(banded, [false, true, true]);
        let marked: Vec<bool> = points.iter().map(|p| p.contains(MEDIAN)).collect();
        assert_eq!(marked, [false, false, true], "point 2 is the expert's own, in their colour");
        assert!(points[1].contains(OWN) && points[1].contains("2<br>▲"), "{}", points[1]);
        assert!(points[0].starts_with(">1<"), "{}", points[0]);
    }

    #[test]
    fn the_number_line_spans_its_width_whatever_the_figures() {
        for (median, q1, q3, own) in [(50.0, 40.0, 60.0, 45.0), (0.5, 0.5, 0.5, 0.5), (1e6, 1.0, 2e6, 3e6)] {
            let fb = ItemFeedback {
                n: 5,
                median: Some(median),
                q1: Some(q1),
                q3: Some(q3),
                own: OwnAnswer::Given { answer: Answer::Numeric { value: own } },
                ..ItemFeedback::default()
            };
            let item = Item {
                id: delphi_core::study::ItemId::parse("x").unwrap(),
                domain: None,
                criterion: None,
                is_seed: false,
                prompt: "How many?".to_owned(),
                answer: crate::AnswerSpec::Numeric { min: None, max: None, unit: None },
                feedback: Some(fb.clone()),
                continues: None,
                prefill: None,
            };
            let mut h = String::new();
            number_line(&mut h, &item, &fb);
            for line in h.lines().filter(|l| l.contains("<tr><td style=\"padding:1px 0\">")) {
                let widths: f64 = line
                    .split("<td width=\"")
                    .skip(1)
                    .map(|cell| cell.split('"').next().unwrap().parse::<f64>().unwrap())
                    .sum();
                assert!((widths - LINE_PX).abs() <= 3.0, "segments add up to the line ({widths}): {line}");
            }
        }
    }
}
