//! Helpers the renderers share: sections, wording of answers and statistics, wrapping.

use delphi_core::study::QuantileLevels;

use crate::answer::{Answer, RankOrder, fraction_to_percent, num};
use crate::feedback::ItemFeedback;
use crate::ui::{Ui, fill};
use crate::{AnswerSpec, Item, Questionnaire};

/// A run of consecutive items under one heading.
#[derive(Debug)]
pub(crate) struct Section<'a> {
    pub title: String,
    pub description: Option<String>,
    pub items: Vec<&'a Item>,
}

pub(crate) fn sections<'a>(q: &'a Questionnaire, ui: &Ui) -> Vec<Section<'a>> {
    let mut out: Vec<Section<'a>> = Vec::new();
    let mut last_key: Option<String> = None;
    for item in &q.items {
        let key = match (&item.domain, item.is_seed) {
            (Some(d), _) => format!("domain:{d}"),
            (None, true) => "seeds".to_owned(),
            (None, false) => "general".to_owned(),
        };
        if last_key.as_ref() != Some(&key) {
            let (title, description) = match (&item.domain, item.is_seed) {
                (Some(d), _) => match q.domain(d) {
                    Some(view) => (view.title.clone(), Some(view.description.clone())),
                    None => (d.to_string(), None),
                },
                (None, true) => (ui.calibration.to_owned(), Some(ui.calibration_note.to_owned())),
                (None, false) => (ui.general.to_owned(), None),
            };
            out.push(Section { title, description, items: Vec::new() });
            last_key = Some(key);
        }
        if let Some(section) = out.last_mut() {
            section.items.push(item);
        }
    }
    out
}

/// A statistic of an item in the unit the expert answers in (percent for probabilities).
pub(crate) fn stat(spec: &AnswerSpec, value: Option<f64>) -> String {
    match value {
        None => "–".to_owned(),
        Some(v) if matches!(spec, AnswerSpec::Probability) => format!("{} %", round2(v * 100.0)),
        Some(v) => round2(v),
    }
}

pub(crate) fn round2(v: f64) -> String {
    num((v * 100.0).round() / 100.0)
}

pub(crate) fn summary(fb: &ItemFeedback, spec: &AnswerSpec, ui: &Ui) -> String {
    if fb.n == 0 {
        return ui.no_answers.to_owned();
    }
    if fb.median.is_none() {
        return fill(ui.answers, &[("n", &fb.n.to_string())]);
    }
    fill(
        ui.summary,
        &[
            ("median", &stat(spec, fb.median)),
            ("q1", &stat(spec, fb.q1)),
            ("q3", &stat(spec, fb.q3)),
            ("n", &fb.n.to_string()),
        ],
    )
}

/// The figures of an item's feedback in words, one line each: the group summary, then what
/// the item's kind adds (the pool and the experts' medians of a quantile item, each
/// option's mean rank and places of a ranking item).
pub(crate) fn figure_lines(fb: &ItemFeedback, spec: &AnswerSpec, ui: &Ui) -> Vec<String> {
    if let Some(pooled) = &fb.pooled {
        let medians = fill(
            ui.medians_spread,
            &[("median", &stat(spec, fb.median)), ("q1", &stat(spec, fb.q1)), ("q3", &stat(spec, fb.q3))],
        );
        let pool = fill(
            ui.pooled,
            &[(
                "values",
                &pooled
                    .0
                    .pairs()
                    .map(|(p, v)| format!("{} {}", percent(p, ui), stat(spec, Some(v))))
                    .collect::<Vec<_>>()
                    .join(ui.figure_comma),
            )],
        );
        return vec![fill(ui.answers, &[("n", &fb.n.to_string())]), pool, medians];
    }
    let mut lines = vec![summary(fb, spec, ui)];
    for option in &fb.ranks {
        let mean = option.mean_rank.map_or_else(|| "–".to_owned(), round2);
        let places: Vec<String> = option.positions.iter().map(u32::to_string).collect();
        let places = fill(ui.places, &[("k", &option.positions.len().to_string()), ("counts", &places.join(", "))]);
        lines.push(format!(
            "{}{}{}; {places}",
            option_title(spec, &option.option),
            ui.colon,
            fill(ui.mean_rank, &[("mean", &mean)]),
        ));
    }
    if !fb.ranks.is_empty()
        && let Some(note) = ties_note(spec, ui)
    {
        lines.push(note.to_owned());
    }
    lines
}

/// How the figures of a ranking that allows ties count a tie; `None` for any other item.
pub(crate) fn ties_note(spec: &AnswerSpec, ui: &Ui) -> Option<&'static str> {
    matches!(spec, AnswerSpec::Ranking { ties: true, .. }).then_some(ui.ties_note)
}

/// The place(s) `option` holds in an expert's own ranking (`2`, or `2–3` in a tie), `–` if
/// it holds none.
pub(crate) fn own_place(order: &RankOrder, option: &str) -> String {
    order.place_of(option).map_or_else(|| "–".to_owned(), |place| place.to_string())
}

/// A ranking option's title, or its id if the item has no such option.
pub(crate) fn option_title(spec: &AnswerSpec, option: &str) -> String {
    match spec {
        AnswerSpec::Ranking { options, .. } => {
            options.iter().find(|o| o.id.as_str() == option).map_or_else(|| option.to_owned(), |o| o.title.clone())
        }
        AnswerSpec::Ordinal { .. }
        | AnswerSpec::Numeric { .. }
        | AnswerSpec::Quantile { .. }
        | AnswerSpec::Probability
        | AnswerSpec::Text => option.to_owned(),
    }
}

/// Where an answer lies on a number line, in the unit the charts draw (percent for a
/// probability): the expert's own value, or the three values of their quantiles.
pub(crate) fn own_values(answer: Option<&Answer>) -> Vec<f64> {
    match answer {
        Some(Answer::Numeric { value } | Answer::Probability { value }) => vec![*value],
        Some(Answer::Quantile(q)) => q.values().to_vec(),
        Some(Answer::Ordinal { .. } | Answer::DontKnow | Answer::Ranking { .. } | Answer::Text { .. }) | None => {
            Vec::new()
        }
    }
}

/// The range a number line of the feedback spans: every figure drawn and the expert's
/// own values, out to round numbers (the line's ends are labelled); `None` without a median.
pub(crate) fn line_range(fb: &ItemFeedback, own: &[f64]) -> Option<(f64, f64)> {
    let median = fb.median?;
    let pooled = fb.pooled.as_ref().map_or([median; 2], |p| <[f64; 2]>::from(p.0.outer()));
    let all =
        [median, fb.q1.unwrap_or(median), fb.q3.unwrap_or(median)].into_iter().chain(pooled).chain(own.iter().copied());
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if hi <= lo {
        let pad = lo.abs().max(1.0) * 0.1;
        return Some((lo - pad, hi + pad));
    }
    let step = 10f64.powf((hi - lo).log10().floor());
    Some(((lo / step).floor() * step, (hi / step).ceil() * step))
}

/// An answer in words, for "your answer in round n".
pub(crate) fn describe(spec: &AnswerSpec, answer: &Answer, ui: &Ui) -> String {
    let unit = match spec {
        AnswerSpec::Numeric { unit, .. } | AnswerSpec::Quantile { unit, .. } => {
            unit.as_ref().map_or_else(String::new, |u| format!(" {u}"))
        }
        AnswerSpec::Ordinal { .. } | AnswerSpec::Probability | AnswerSpec::Ranking { .. } | AnswerSpec::Text => {
            String::new()
        }
    };
    match answer {
        Answer::Ordinal { point } => match spec.label(*point) {
            Some(label) => format!("{point} ({label})"),
            None => point.to_string(),
        },
        Answer::DontKnow => ui.dont_know.to_owned(),
        Answer::Numeric { value } => format!("{}{unit}", num(*value)),
        Answer::Quantile(q) => {
            let values: Vec<String> = q.pairs().map(|(p, v)| format!("{}: {}", percent(p, ui), num(v))).collect();
            format!("{}{unit}", values.join(", "))
        }
        Answer::Probability { value } => format!("{} %", fraction_to_percent(*value)),
        // `A > B = C > D`: B and C tied for second place
        Answer::Ranking { order } => {
            let places: Vec<String> = order
                .tiers()
                .iter()
                .map(|tier| {
                    let titles: Vec<String> = tier.options().iter().map(|id| option_title(spec, id.as_str())).collect();
                    titles.join(" = ")
                })
                .collect();
            places.join(" > ")
        }
        Answer::Text { text } => format!("“{text}”"),
    }
}

/// A percent in the expert's language: `10 %`.
pub(crate) fn percent(p: u8, ui: &Ui) -> String {
    fill(ui.percent, &[("p", &p.to_string())])
}

/// `5 %, 50 % and 95 %`.
pub(crate) fn percent_list(levels: QuantileLevels, ui: &Ui) -> String {
    let all: Vec<String> = levels.percents().map(|p| percent(p, ui)).collect();
    let (last, rest) = all.split_last().expect("levels are never empty");
    format!("{}{}{last}", rest.join(ui.list_comma), ui.list_and)
}

/// What to write for a quantile item: how many numbers, which quantiles, what they mean.
pub(crate) fn quantile_help(levels: QuantileLevels, ui: &Ui) -> String {
    let (low, high) = levels.outer();
    fill(
        ui.quantile_help,
        &[
            ("n", &(ui.count_in_words)(levels.len())),
            ("levels", &percent_list(levels, ui)),
            ("low_sure", &(100 - low).to_string()),
            ("high_sure", &high.to_string()),
        ],
    )
}

/// The web form's label of the field for the `p` % quantile.
pub(crate) fn quantile_field_label(levels: QuantileLevels, p: u8, ui: &Ui) -> String {
    let (low, high) = levels.outer();
    let template = match p {
        50 => ui.quantile_median,
        _ if p == low => ui.quantile_low,
        _ if p == high => ui.quantile_high,
        _ => ui.quantile_level,
    };
    fill(template, &[("p", &p.to_string())])
}

/// The pooled range from the lowest to the highest quantile asked: `5 %–95 %`.
pub(crate) fn pooled_range(levels: QuantileLevels, ui: &Ui) -> String {
    let (low, high) = levels.outer();
    format!("{}–{}", percent(low, ui), percent(high, ui))
}

/// The range (and unit) hint of numeric and quantile items.
pub(crate) fn bounds_hint(spec: &AnswerSpec, ui: &Ui) -> Option<String> {
    let (min, max, unit) = match spec {
        AnswerSpec::Numeric { min, max, unit } | AnswerSpec::Quantile { min, max, unit, .. } => (min, max, unit),
        AnswerSpec::Ordinal { .. } | AnswerSpec::Probability | AnswerSpec::Ranking { .. } | AnswerSpec::Text => {
            return None;
        }
    };
    let mut parts = Vec::new();
    if min.is_some() || max.is_some() {
        let show = |v: &Option<f64>| v.map_or_else(|| "…".to_owned(), num);
        parts.push(fill(ui.range, &[("min", &show(min)), ("max", &show(max))]));
    }
    if let Some(unit) = unit {
        parts.push(fill(ui.unit, &[("unit", unit)]));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Terminal columns of a character: 2 for East Asian wide characters.
pub(crate) fn char_width(c: char) -> usize {
    let cp = u32::from(c);
    let wide = matches!(cp,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
    if wide { 2 } else { 1 }
}

pub(crate) fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Wraps text to `columns`, breaking at spaces and between wide characters; line breaks
/// in the text are kept.
pub(crate) fn wrap(text: &str, columns: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in clean(text).split('\n') {
        let mut line = String::new();
        let mut used = 0;
        let mut atoms: Vec<(bool, String)> = Vec::new();
        let mut space = false;
        let mut word = String::new();
        let mut chars = paragraph.chars().peekable();
        while let Some(c) = chars.next() {
            // "5 %" stays on one line: a percent sign never starts one
            if c == ' ' && !word.is_empty() && chars.peek() == Some(&'%') {
                word.push(c);
            } else if c.is_whitespace() {
                if !word.is_empty() {
                    atoms.push((space, std::mem::take(&mut word)));
                }
                space = true;
            } else if char_width(c) == 2 {
                if !word.is_empty() {
                    atoms.push((space, std::mem::take(&mut word)));
                    space = false;
                }
                atoms.push((space, c.to_string()));
                space = false;
            } else {
                word.push(c);
            }
        }
        if !word.is_empty() {
            atoms.push((space, word));
        }
        for (space, atom) in atoms {
            let w = width(&atom);
            let add = if line.is_empty() { w } else { w + usize::from(space) };
            if used + add > columns && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line.push_str(&atom);
                used = w;
            } else {
                if space && !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(&atom);
                used += add;
            }
        }
        lines.push(line);
    }
    lines
}

/// Line breaks made `\n`, every other control character (and the Unicode line and
/// paragraph separators) a space, so that no text can start a line of its own.
pub(crate) fn clean(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '\n' => '\n',
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => ' ',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_between_wide_characters() {
        assert_eq!(wrap("aaa bbb ccc", 7), ["aaa bbb", "ccc"]);
        assert_eq!(wrap("验证机制很好", 6), ["验证机", "制很好"]);
        assert_eq!(wrap("a\n\nb", 10), ["a", "", "b"]);
    }
}
