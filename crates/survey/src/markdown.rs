//! The coordinator's preview of a round, as Markdown. Every text from the study or from
//! experts is escaped with [`escape`], so that markup in it (Markdown, HTML, Typst's `#`)
//! shows as written and does nothing.

use std::fmt::Write as _;

use delphi_core::study::Language;

use crate::answer::Answer;
use crate::common::{bounds_hint, describe, figure_lines, sections, summary};
use crate::feedback::{ItemFeedback, OwnAnswer, Shown};
use crate::ui::{Ui, fill, ui};
use crate::{AnswerSpec, Item, Questionnaire};

/// Backslash-escapes the characters that Markdown (CommonMark, GFM), inline HTML and
/// Typst give meaning to, and the ones that start a block at the beginning of a line;
/// line breaks become spaces (each text stays on its line of the preview); control
/// characters and bidi overrides dropped: [`delphi_markup::escape::markdown`], the one
/// escaper of every page.
pub fn escape(text: &str) -> String {
    delphi_markup::escape::markdown(text)
}

/// The preview of `q` (one language; feedback as the expert will see it).
pub fn render(q: &Questionnaire) -> String {
    let ui = ui(&q.language);
    let mut m = String::new();
    let round = fill(ui.round, &[("round", &q.round.to_string())]);
    let _ = writeln!(m, "# {}\n", escape(&q.title));
    let _ = writeln!(m, "*{} · {} · `{}`*\n", escape(&round), escape(ui.preview), q.language);
    let _ = writeln!(m, "{}\n", escape(&q.description));
    let feedback_round = q.feedback_round.unwrap_or(q.round.saturating_sub(1));
    let mut number = 0;
    for section in sections(q, ui) {
        let _ = writeln!(m, "## {}\n", escape(&section.title));
        if let Some(description) = &section.description {
            let _ = writeln!(m, "{}\n", escape(description));
        }
        for item in section.items {
            number += 1;
            item_md(&mut m, number, item, feedback_round, &q.language, ui);
        }
    }
    m
}

fn item_md(m: &mut String, number: usize, item: &Item, feedback_round: u32, reader: &Language, ui: &Ui) {
    let _ = writeln!(m, "### {number}\\. {}\n", escape(&item.prompt));
    let answer_with = match &item.answer {
        AnswerSpec::Ordinal { min, labels, dont_know, .. } => {
            let mut points: Vec<String> =
                labels.iter().zip(*min..).map(|(label, point)| format!("{point} {}", escape(label))).collect();
            if *dont_know {
                points.push(format!("? {}", escape(ui.dont_know)));
            }
            points.join(" · ")
        }
        AnswerSpec::Numeric { .. } => escape(ui.numeric_help),
        AnswerSpec::Quantile { levels, .. } => escape(&crate::common::quantile_help(*levels, ui)),
        AnswerSpec::Probability => escape(ui.probability_help),
        AnswerSpec::Ranking { options, ties } => {
            let list: Vec<String> = options.iter().map(|o| format!("`{}` {}", o.id, escape(&o.title))).collect();
            let tie = if *ties { format!(" — {}", escape(ui.ranking_ties_help)) } else { String::new() };
            format!("{}{}{}{tie}", escape(ui.ranking_help), ui.colon, list.join(", "))
        }
        AnswerSpec::Text => escape(ui.text_help),
    };
    let _ = writeln!(m, "- {}{}`{}`", escape(ui.item), ui.colon, item.id);
    let _ = writeln!(m, "- {}{}{answer_with}", escape(ui.answer_with), ui.colon);
    if let Some(hint) = bounds_hint(&item.answer, ui) {
        let _ = writeln!(m, "- {}", escape(&hint));
    }
    m.push('\n');
    if let Some(fb) = &item.feedback {
        feedback_md(m, item, fb, feedback_round, reader, ui);
    }
}

fn feedback_md(m: &mut String, item: &Item, fb: &ItemFeedback, round: u32, reader: &Language, ui: &Ui) {
    let round_s = round.to_string();
    let _ = writeln!(
        m,
        "> **{}**{}{}",
        escape(&fill(ui.group_previous, &[("round", &round_s)])),
        ui.colon,
        escape(&summary(fb, &item.answer, ui))
    );
    // The kind's own figures (pool, experts' medians, mean ranks), after the summary line.
    for line in figure_lines(fb, &item.answer, ui).into_iter().skip(1) {
        let _ = writeln!(m, ">\n> {}", escape(&line));
    }
    if !fb.distribution.is_empty() {
        let max = fb.max_count();
        let _ = writeln!(m, ">\n> | | {} |\n> |---:|:---|", escape(ui.distribution));
        let bar = |count: u32| "█".repeat(usize::try_from(count * 12 / max).unwrap_or(0));
        let you = |own: bool| if own { format!(" {}", escape(ui.you)) } else { String::new() };
        for p in &fb.distribution {
            let label = item.answer.label(p.point).map(escape).unwrap_or_default();
            let own = you(fb.own.answer() == Some(&Answer::Ordinal { point: p.point }));
            let _ = writeln!(m, "> | {} {label} | {} {}{own} |", p.point, bar(p.count), p.count);
        }
        if fb.dont_know > 0 || fb.own.answer() == Some(&Answer::DontKnow) {
            let own = you(fb.own.answer() == Some(&Answer::DontKnow));
            let _ = writeln!(m, "> | ? {} | {} {}{own} |", escape(ui.dont_know), bar(fb.dont_know), fb.dont_know);
        }
    }
    let own = match &fb.own {
        OwnAnswer::Given { answer } => {
            Some(fill(ui.your_answer, &[("round", &round_s), ("answer", &describe(&item.answer, answer, ui))]))
        }
        OwnAnswer::Missing => Some(fill(ui.you_did_not_answer, &[("round", &round_s)])),
        OwnAnswer::NotPersonalised => None,
    };
    if let Some(own) = own {
        let _ = writeln!(m, ">\n> {}", escape(&own));
    }
    if !fb.proposals.is_empty() {
        let _ = writeln!(m, ">\n> **{}**\n>", escape(&fill(ui.proposals, &[("round", &round_s)])));
        for grouped in &fb.proposals {
            let count = if grouped.count > 1 {
                format!(" {}", fill(ui.times, &[("n", &grouped.count.to_string())]))
            } else {
                String::new()
            };
            let _ = writeln!(m, "> - {}{}", escape(&grouped.text), escape(&count));
        }
    }
    if !fb.rationales.is_empty() {
        let _ = writeln!(m, ">\n> **{}**", escape(&fill(ui.rationales, &[("round", &round_s)])));
        for (heading, texts) in [ui.below, ui.at, ui.above].into_iter().zip(fb.rationales.grouped()) {
            if texts.is_empty() {
                continue;
            }
            let _ = writeln!(m, ">\n> *{}*\n>", escape(heading));
            for grouped in texts {
                let count = if grouped.count > 1 {
                    format!(" {}", fill(ui.times, &[("n", &grouped.count.to_string())]))
                } else {
                    String::new()
                };
                let name = |from: &Language| ui.language_name(from.as_str()).to_owned();
                match grouped.rationale.for_reader(reader) {
                    Shown::AsWritten(text) => {
                        let _ = writeln!(m, "> - {}{}", escape(text), escape(&count));
                    }
                    Shown::Translated { translation, original, from } => {
                        let _ = writeln!(
                            m,
                            "> - *{}:* {}{}\n>   *{}:* {}",
                            escape(&fill(ui.translated_from, &[("language", &name(from))])),
                            escape(translation),
                            escape(&count),
                            escape(&fill(ui.original, &[("language", &name(from))])),
                            escape(original)
                        );
                    }
                    Shown::Untranslated { text, .. } => {
                        let _ = writeln!(m, "> - {}{} *({})*", escape(text), escape(&count), escape(ui.untranslated));
                    }
                }
            }
        }
    }
    m.push('\n');
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(escape("<script>x</script>"), "\\<script\\>x\\</script\\>");
        assert_eq!(escape("#set *b* [l](x)"), "\\#set \\*b\\* \\[l\\](x)");
        assert_eq!(escape("=cmd|' /C calc'!A0"), "\\=cmd\\|' /C calc'\\!A0");
        assert_eq!(escape("1. a - b"), "1\\. a - b");
        assert_eq!(escape("- item\n+ x"), "\\- item + x");
    }
}
