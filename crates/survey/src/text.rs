//! The plain-text form that an expert answers by replying to an email.
//!
//! Every line the form prints starts with `::` (the parser ignores such lines), except the
//! answer lines: one per item, `[item-id]` followed by the answer, and a closing `[end]`.
//! Lines are pre-wrapped to [`COLUMNS`] columns (wide characters count two) so that mail
//! clients have no reason to re-wrap them, even when quoted a few levels deep; anything the
//! form shows (rationales of other experts included) sits behind `::` and can never be
//! mistaken for an answer. See [`crate::reply`] for what the parser accepts.

use std::collections::BTreeMap;

use delphi_core::study::ItemId;

use crate::answer::{Answer, format_value};
use crate::common::{bounds_hint, clean, describe, sections, summary, wrap};
use crate::feedback::{ItemFeedback, OwnAnswer};
use crate::ui::{Ui, fill, ui};
use crate::{AnswerSpec, Item, Questionnaire};

/// The width of the form's lines, in columns, without the `:: ` prefix.
pub const COLUMNS: usize = 60;
/// The prefix of every line that is not an answer.
pub const COMMENT: &str = "::";
/// The marker after the last item.
pub const END_MARKER: &str = "[end]";

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
            item_text(&mut out, item, answers.get(&item.id).or(item.prefill.as_ref()), round, ui);
        }
    }
    out.raw("");
    out.raw(END_MARKER);
    out.say(ui.end);
    out.0
}

fn item_text(out: &mut Out, item: &Item, answer: Option<&Answer>, round: u32, ui: &Ui) {
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
        AnswerSpec::Quantile { .. } => hint(out, ui.quantile_help, &item.answer, ui),
        AnswerSpec::Probability => out.say(ui.probability_help),
        AnswerSpec::Ranking { options } => {
            out.say(&format!("{}{}", ui.ranking_help, ui.colon.trim_end()));
            for (i, option) in options.iter().enumerate() {
                out.say_indented(&format!("{} {} ({})", i + 1, option.id, option.title), "  ");
            }
        }
        AnswerSpec::Text => out.say(ui.text_help),
    }
    if let Some(feedback) = &item.feedback {
        feedback_text(out, feedback, round, &item.answer, ui);
    }
    let Some(answer) = answer else {
        let template = match item.answer {
            AnswerSpec::Quantile { .. } => " 5%:  50%:  95%:",
            _ => "",
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

/// The previous round's feedback as `::` lines.
fn feedback_text(out: &mut Out, fb: &ItemFeedback, round: u32, spec: &AnswerSpec, ui: &Ui) {
    let round = round.to_string();
    out.say(&format!("{}{}{}", fill(ui.group_previous, &[("round", &round)]), ui.colon, summary(fb, spec, ui)));
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
    }
    match &fb.own {
        OwnAnswer::Given { answer } => {
            out.say(&fill(ui.your_answer, &[("round", &round), ("answer", &describe(spec, answer, ui))]));
        }
        OwnAnswer::Missing => out.say(&fill(ui.you_did_not_answer, &[("round", &round)])),
        OwnAnswer::NotPersonalised => {}
    }
    if !fb.rationales.is_empty() {
        out.say(&format!("{}{}", fill(ui.rationales, &[("round", &round)]), ui.colon.trim_end()));
        for (heading, texts) in
            [(ui.below, &fb.rationales.below), (ui.at, &fb.rationales.at), (ui.above, &fb.rationales.above)]
        {
            if texts.is_empty() {
                continue;
            }
            out.say_indented(&format!("{heading}{}", ui.colon.trim_end()), "  ");
            for text in texts {
                let mut first = true;
                for line in wrap(text, COLUMNS - 6) {
                    out.raw(&format!("{COMMENT}   {} {line}", if first { "-" } else { " " }));
                    first = false;
                }
            }
        }
    }
}
