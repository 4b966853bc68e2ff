//! The plain-text form that an expert answers by replying to an email.
//!
//! Every line the form prints starts with `::` (the parser ignores such lines), except the
//! answer lines: one per item, `[item-id]` followed by the answer, and a closing `[end]`.
//! Lines are pre-wrapped to [`COLUMNS`] columns (wide characters count two) so that mail
//! clients have no reason to re-wrap them, even when quoted a few levels deep; anything the
//! form shows (rationales of other experts included) sits behind `::` and can never be
//! mistaken for an answer. See [`crate::reply`] for what the parser accepts.
//!
//! The form travels by email to every expert, so its feedback is bounded whatever the size
//! of the panel: the figures in full, but at most [`EMAIL_RATIONALES_PER_ITEM`] rationales
//! per item (identical ones grouped with a count), the rest on the expert's web page.

use std::collections::BTreeMap;

use delphi_core::study::{ItemId, Language};

use crate::answer::{Answer, format_value};
use crate::common::{
    bounds_hint, clean, describe, figure_lines, line_range, own_values, pooled_range, quantile_help, sections, wrap,
};
use crate::feedback::{Grouped, GroupedRationale, ItemFeedback, OwnAnswer, Shown};
use crate::ui::{Ui, fill, ui};
use crate::{AnswerSpec, Item, Questionnaire};

/// The width of the form's lines, in columns, without the `:: ` prefix.
pub const COLUMNS: usize = 60;
/// The prefix of every line that is not an answer.
pub const COMMENT: &str = "::";
/// The marker after the last item.
pub const END_MARKER: &str = "[end]";
/// The most rationales (after grouping identical ones) the form shows per item: taken in
/// turn from below, at and above the median, evenly through each group's text order, so a
/// panel of any size sees each side argued; the web form shows them all.
pub const EMAIL_RATIONALES_PER_ITEM: usize = 5;
/// The most proposals (after grouping identical ones) the form shows per item, the most
/// often made first; the web form shows them all.
pub const EMAIL_PROPOSALS_PER_ITEM: usize = 20;
/// The width of a number line in the feedback, in columns.
const LINE_COLUMNS: usize = 40;

struct Out(String);

impl Out {
    fn say(&mut self, text: &str) {
        self.say_indented(text, "");
    }

    fn say_indented(&mut self, text: &str, indent: &str) {
        for line in wrap(text, COLUMNS.saturating_sub(indent.chars().count())) {
            self.raw(&format!("{COMMENT} {indent}{line}"));
        }
    }

    fn blank_comment(&mut self) {
        self.raw(COMMENT);
    }

    fn raw(&mut self, line: &str) {
        self.0.push_str(line.trim_end());
        self.0.push('\n');
    }
}

/// The form, in the questionnaire's language, lines ending in `\n`; in an expert's own copy,
/// filled in with their carried-over answers.
pub fn render(q: &Questionnaire) -> String {
    render_filled(q, &BTreeMap::new())
}

/// The form with `answers` written after their markers, as the parser reads them back
/// (for a receipt, or a reminder that shows what was saved); an item without one shows the
/// expert's carried-over answer ([`Item::prefill`]) if their copy has one, so that replying
/// unchanged keeps it.
pub fn render_filled(q: &Questionnaire, answers: &BTreeMap<ItemId, Answer>) -> String {
    form(q, answers, Figures::InTheForm)
}

/// The form for a letter that draws the group's figures apart (an email's HTML part, see
/// [`crate::mail_html`]): without the legend, the charts, the figures and the expert's own
/// previous answer; the rationales and proposals stay behind `::`, where a quoting reply
/// can never turn them into answers.
pub fn render_filled_figures_apart(q: &Questionnaire, answers: &BTreeMap<ItemId, Answer>) -> String {
    form(q, answers, Figures::DrawnApart)
}

/// Whether the form carries the group's figures or a letter draws them elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Figures {
    InTheForm,
    DrawnApart,
}

fn form(q: &Questionnaire, answers: &BTreeMap<ItemId, Answer>, figures: Figures) -> String {
    let ui = ui(&q.language);
    let mut out = Out(String::new());
    out.say(&q.title);
    out.say(&format!("{} · {}", fill(ui.round, &[("round", &q.round.to_string())]), ui.reply_form));
    out.blank_comment();
    out.say(ui.how_to_reply);
    out.blank_comment();
    if let Some(note) = q.carry_over_note(ui) {
        out.say(note);
        out.blank_comment();
    }
    if figures == Figures::InTheForm && q.items.iter().any(|i| i.feedback.is_some()) {
        // Said once, not beside every chart: the form travels to every expert by email.
        let range = pooled_range_of(q, ui);
        let legend_text = fill(ui.legend_text, &[("range", &range)]);
        out.say(&format!("{}{}{}; {legend_text}.", ui.legend, ui.colon, ui.legend_bars));
        out.blank_comment();
    }
    out.say(&q.description);
    for section in sections(q, ui) {
        out.raw("");
        out.say(&format!("======== {} ========", section.title));
        if let Some(description) = &section.description {
            out.say(description);
        }
        for item in section.items {
            out.raw("");
            let round = q.feedback_round.unwrap_or(q.round.saturating_sub(1));
            let answer = answers.get(&item.id).or(item.prefill.as_ref());
            item_text(&mut out, item, answer, round, (&q.language, figures), ui);
        }
    }
    out.raw("");
    out.raw(END_MARKER);
    out.say(ui.end);
    out.0
}

fn item_text(
    out: &mut Out,
    item: &Item,
    answer: Option<&Answer>,
    round: u32,
    (reader, figures): (&Language, Figures),
    ui: &Ui,
) {
    out.say(&item.prompt);
    match &item.answer {
        AnswerSpec::Ordinal { min, labels, dont_know, .. } => {
            let mut points: Vec<String> =
                labels.iter().zip(*min..).map(|(label, point)| format!("{point} {label}")).collect();
            if *dont_know {
                points.push(format!("? {}", ui.dont_know));
            }
            out.say(&format!("{}{}{}", ui.scale_help, ui.colon, points.join(" · ")));
        }
        AnswerSpec::Numeric { .. } => hint(out, ui.numeric_help, &item.answer, ui),
        AnswerSpec::Quantile { levels, .. } => hint(out, &quantile_help(*levels, ui), &item.answer, ui),
        AnswerSpec::Probability => out.say(ui.probability_help),
        AnswerSpec::Ranking { options, ties } => {
            out.say(&format!("{}{}", ui.ranking_help, ui.colon.trim_end()));
            for (i, option) in options.iter().enumerate() {
                out.say_indented(&format!("{} {} ({})", i + 1, option.id, option.title), "  ");
            }
            if *ties {
                out.say(ui.ranking_ties_help);
            }
        }
        AnswerSpec::Text => out.say(ui.text_help),
    }
    if let Some(feedback) = &item.feedback {
        feedback_text(out, feedback, round, &item.answer, (reader, figures), ui);
    }
    let Some(answer) = answer else {
        let template = match &item.answer {
            AnswerSpec::Quantile { levels, .. } => {
                format!(" {}", levels.percents().map(|p| format!("{p}%:")).collect::<Vec<_>>().join("  "))
            }
            AnswerSpec::Ordinal { .. }
            | AnswerSpec::Numeric { .. }
            | AnswerSpec::Probability
            | AnswerSpec::Ranking { .. }
            | AnswerSpec::Text => String::new(),
        };
        out.raw(&format!("[{}]{template}", item.id));
        return;
    };
    let value = clean(&format_value(answer));
    let mut lines = value.lines();
    out.raw(&format!("[{}] {}", item.id, lines.next().unwrap_or_default()));
    for line in lines {
        out.raw(line);
    }
}

fn hint(out: &mut Out, help: &str, spec: &AnswerSpec, ui: &Ui) {
    match bounds_hint(spec, ui) {
        Some(bounds) => out.say(&format!("{help} — {bounds}.")),
        None => out.say(&format!("{help}.")),
    }
}

/// The pooled range the legend explains: that of the quantile items fed back when they
/// share their lowest and highest quantile (as they do in a study with seeds).
fn pooled_range_of(q: &Questionnaire, ui: &Ui) -> String {
    let mut outer = q.items.iter().filter_map(|i| i.feedback.as_ref()?.pooled.as_ref()).map(|p| p.0.levels());
    let Some(first) = outer.next() else { return pooled_range(Default::default(), ui) };
    if outer.all(|l| l.outer() == first.outer()) { pooled_range(first, ui) } else { ui.pooled_range_any.to_owned() }
}

/// The previous round's feedback as `::` lines.
fn feedback_text(
    out: &mut Out,
    fb: &ItemFeedback,
    round: u32,
    spec: &AnswerSpec,
    (reader, figures): (&Language, Figures),
    ui: &Ui,
) {
    let round = round.to_string();
    if figures == Figures::InTheForm {
        figures_text(out, fb, &round, spec, ui);
    }
    texts_of_the_group(out, fb, &round, reader, ui);
}

/// The group's figures, a chart of them and the expert's own previous answer.
fn figures_text(out: &mut Out, fb: &ItemFeedback, round: &str, spec: &AnswerSpec, ui: &Ui) {
    let mut figures = figure_lines(fb, spec, ui).into_iter();
    let heading = fill(ui.group_previous, &[("round", round)]);
    out.say(&format!("{heading}{}{}", ui.colon, figures.next().unwrap_or_default()));
    for line in figures {
        out.say_indented(&line, "  ");
    }
    if !fb.distribution.is_empty() {
        let max = fb.max_count();
        let bar = |count: u32| "#".repeat(usize::try_from(count * 20 / max).unwrap_or(0).max(usize::from(count > 0)));
        let you = |own: bool| if own { format!("  {}", ui.you) } else { String::new() };
        for p in &fb.distribution {
            let own = you(fb.own.answer() == Some(&Answer::Ordinal { point: p.point }));
            out.raw(&format!("{COMMENT} {:>4} {:<20} {}{own}", p.point, bar(p.count), p.count));
        }
        if fb.dont_know > 0 || fb.own.answer() == Some(&Answer::DontKnow) {
            let own = you(fb.own.answer() == Some(&Answer::DontKnow));
            out.raw(&format!("{COMMENT} {:>4} {:<20} {}{own}", "?", bar(fb.dont_know), fb.dont_know));
        }
    } else if let Some(line) = number_line(fb, spec) {
        out.raw(&format!("{COMMENT} {line}"));
    }
    match &fb.own {
        OwnAnswer::Given { answer } => {
            out.say(&fill(ui.your_answer, &[("round", round), ("answer", &describe(spec, answer, ui))]));
        }
        OwnAnswer::Missing => out.say(&fill(ui.you_did_not_answer, &[("round", round)])),
        OwnAnswer::NotPersonalised => {}
    }
}

/// What the group wrote: proposals and rationales, within the email's bounds.
fn texts_of_the_group(out: &mut Out, fb: &ItemFeedback, round: &str, reader: &Language, ui: &Ui) {
    if !fb.proposals.is_empty() {
        out.say(&format!("{}{}", fill(ui.proposals, &[("round", round)]), ui.colon.trim_end()));
        let (shown, more) = crate::feedback::select(&fb.proposals, EMAIL_PROPOSALS_PER_ITEM);
        bullets(out, &shown, ui);
        if more > 0 {
            out.say_indented(&fill(ui.more_on_web, &[("n", &more.to_string())]), "  ");
        }
    }
    if !fb.rationales.is_empty() {
        out.say(&format!("{}{}", fill(ui.rationales, &[("round", round)]), ui.colon.trim_end()));
        let (shown, more) = fb.rationales.selection(EMAIL_RATIONALES_PER_ITEM);
        for (heading, texts) in [ui.below, ui.at, ui.above].into_iter().zip(&shown) {
            if texts.is_empty() {
                continue;
            }
            out.say_indented(&format!("{heading}{}", ui.colon.trim_end()), "  ");
            for grouped in texts {
                let (text, original) = rationale_text(grouped, reader, ui);
                bullet(out, &text, original.as_deref());
            }
        }
        if more > 0 {
            out.say_indented(&fill(ui.more_on_web, &[("n", &more.to_string())]), "  ");
        }
    }
}

/// Texts as a wrapped list, each with its count when several experts wrote it.
fn bullets(out: &mut Out, texts: &[Grouped], ui: &Ui) {
    for grouped in texts {
        bullet(out, &counted(&grouped.text, grouped.count, ui), None);
    }
}

/// `text` with `(×n)` after it when several experts wrote it.
fn counted(text: &str, count: u32, ui: &Ui) -> String {
    if count > 1 { format!("{text} {}", fill(ui.times, &[("n", &count.to_string())])) } else { text.to_owned() }
}

/// One entry of a wrapped list, and under it, indented further, a second text (the original
/// of a translation).
fn bullet(out: &mut Out, text: &str, under: Option<&str>) {
    let mut first = true;
    for line in wrap(text, COLUMNS - 6) {
        out.raw(&format!("{COMMENT}   {} {line}", if first { "-" } else { " " }));
        first = false;
    }
    for line in under.map(|u| wrap(u, COLUMNS - 8)).unwrap_or_default() {
        out.raw(&format!("{COMMENT}       {line}"));
    }
}

/// A rationale for a reader of `reader`: the line to show (a translation marked as one, or a
/// text in another language marked untranslated) and, under a translation, the original.
fn rationale_text(grouped: &GroupedRationale, reader: &Language, ui: &Ui) -> (String, Option<String>) {
    let name = |from: &Language| ui.language_name(from.as_str()).to_owned();
    match grouped.rationale.for_reader(reader) {
        Shown::AsWritten(text) => (counted(text, grouped.count, ui), None),
        Shown::Translated { translation, original, from } => (
            format!(
                "[{}] {}",
                fill(ui.translated_from, &[("language", &name(from))]),
                counted(translation, grouped.count, ui)
            ),
            Some(format!("{}{}{original}", fill(ui.original, &[("language", &name(from))]), ui.colon)),
        ),
        Shown::Untranslated { text, .. } => {
            (format!("{} [{}]", counted(text, grouped.count, ui), ui.untranslated), None)
        }
    }
}

/// A number item's figures on one line of text between its ends: `(` `)` the pooled
/// 5–95 % range, `[` `]` the middle half, `|` the median, `*` the expert's own value(s).
fn number_line(fb: &ItemFeedback, spec: &AnswerSpec) -> Option<String> {
    let own = own_values(fb.own.answer());
    let (lo, hi) = line_range(fb, &own)?;
    let column = |v: f64| {
        let at = ((v - lo) / (hi - lo) * (LINE_COLUMNS - 1) as f64).round();
        // In range by construction of `line_range`; clamped against rounding.
        (at.max(0.0) as usize).min(LINE_COLUMNS - 1)
    };
    let mut line = vec!['-'; LINE_COLUMNS];
    if let Some(p) = &fb.pooled {
        let (low, high) = p.0.outer();
        line[column(low)] = '(';
        line[column(high)] = ')';
    }
    if let (Some(q1), Some(q3)) = (fb.q1, fb.q3) {
        line[column(q1)] = '[';
        line[column(q3)] = ']';
    }
    line[column(fb.median?)] = '|';
    for v in own {
        line[column(v)] = '*';
    }
    let end = |v: f64| crate::common::stat(spec, Some(v));
    Some(format!("{} {} {}", end(lo), line.into_iter().collect::<String>(), end(hi)))
}
