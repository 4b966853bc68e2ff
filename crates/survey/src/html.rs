//! The web form: one self-contained HTML page that works without JavaScript, with every
//! input labelled, items as fieldsets with legends, large touch targets on a phone, and
//! the previous round's feedback beside each item as a small inline SVG bar chart with its
//! numbers. Every text is escaped with [`escape`]. The field names are those
//! [`crate::reply::parse_form`] reads.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use delphi_core::study::{ItemId, Language};

use crate::answer::{Answer, fraction_to_percent, num};
use crate::common::{
    bounds_hint, describe, figure_lines, line_range, option_title, own_place, own_values, pooled_range,
    quantile_field_label, quantile_help, sections, stat, ties_note,
};
use crate::feedback::{Grouped, GroupedRationale, ItemFeedback, OwnAnswer, Pooled, Shown};
use crate::reply::ReplyError;
use crate::ui::{Ui, fill, ui};
use crate::{AnswerSpec, Item, Questionnaire};

/// Escapes text for HTML element content and double- or single-quoted attribute values,
/// control characters and bidi overrides dropped: [`delphi_markup::escape::html`], the one
/// escaper of every page.
pub fn escape(text: &str) -> String {
    delphi_markup::escape::html(text)
}

const STYLE: &str = "body{font:1rem/1.5 system-ui,-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',sans-serif;\
margin:0 auto;max-width:46rem;padding:1rem;color:#1a1a1a;background:#fff}\
h1{font-size:1.5rem;line-height:1.25}h2{font-size:1.25rem;margin-top:2rem;border-bottom:2px solid #ccc}\
fieldset{border:1px solid #bbb;border-radius:.5rem;margin:1rem 0;padding:.75rem 1rem}\
legend{font-weight:600;padding:0 .25rem}\
.choices label{display:block;padding:.4rem .25rem;min-height:2.75rem;box-sizing:border-box}\
.choices input{margin-right:.5rem;width:1.25rem;height:1.25rem;vertical-align:middle}\
.field{margin:.5rem 0}.field label{display:block;font-weight:500}\
input[type=number],select,textarea{font:inherit;padding:.4rem;max-width:100%;box-sizing:border-box}\
textarea{width:100%;min-height:6rem}\
.help{color:#444;font-size:.9rem;margin:.25rem 0}\
.feedback{background:#f3f6fa;border-left:4px solid #4a6fa5;padding:.5rem .75rem;margin:.75rem 0;font-size:.9rem}\
.feedback svg{max-width:100%;height:auto;display:block}\
.feedback blockquote{margin:.25rem 0 .25rem 1rem;white-space:pre-wrap}\
button{font:inherit;font-weight:600;padding:.75rem 1.5rem;margin:1rem 0;border-radius:.5rem;border:0;\
background:#24528f;color:#fff}\
:focus-visible{outline:3px solid #c60;outline-offset:2px}\
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}\
@media (min-width:40rem){.choices label{display:inline-block;margin-right:1rem}}\
.notice{border-left:4px solid #24528f;padding:.25rem 1rem;background:#eef3fa}\
.notice.errors{border-color:#b00020;background:#fdecee}\
fieldset.invalid{border:2px solid #b00020}.problem{color:#8a0018;font-weight:600}.problem p{margin:.25rem 0}\
.legend{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:.25rem 0;font-size:.85rem}\
.key{display:inline-block;width:1rem;height:.75rem;margin-right:.3rem;vertical-align:middle}\
.key.own{background:#24528f}.key.median{border-left:3px dashed #c60;width:0}.key.middle{background:#c9d6ea}\
.key.pooled{border-top:2px solid #555;height:0}\
.feedback table{border-collapse:collapse;margin:.25rem 0}.feedback th,.feedback td{padding:.15rem .5rem;text-align:right}\
.feedback th:first-child,.feedback td:first-child{text-align:left}\
.feedback ul{margin:.25rem 0;padding-left:1.25rem}.count{color:#444}\
.feedback .mark{display:block;font-size:.85em;color:#444;font-style:italic}\
.feedback .untranslated{color:#444;font-style:italic}\
.feedback .original{display:block;margin-top:.25rem;padding-left:.5rem;border-left:2px solid #bbb;color:#333}\
.pages>.page{display:none}.pages>.page:first-child,.pages>.page:target{display:block}\
.pages:has(>.page:target)>.page:first-child:not(:target){display:none}\
.pager{display:flex;flex-wrap:wrap;gap:.25rem;margin:.5rem 0}\
.pager a{display:inline-block;min-width:2.75rem;min-height:2.75rem;box-sizing:border-box;padding:.6rem .5rem;\
text-align:center;border:1px solid #bbb;border-radius:.35rem;color:#24528f}\
.pager a[aria-current]{background:#24528f;color:#fff;border-color:#24528f}";

/// The stylesheet every page carries inline (a server's Content-Security-Policy allows it
/// by its hash, so no other style or script can run).
pub fn stylesheet() -> &'static str {
    STYLE
}

/// What a page says above the form after a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The answers were stored.
    Saved,
    /// The answers were refused; nothing was stored. Messages speak to the expert.
    Refused(Vec<String>),
    /// The page shows a draft: answers a refused submission left, not counted yet.
    Draft,
}

/// A problem of a refused submission, for the page: where it goes and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The item it is about (the message then also sits beside that question).
    pub item: Option<ItemId>,
    /// The message in the list above the form, in the question's own words.
    pub summary: String,
    /// The message beside the question.
    pub beside: String,
}

impl Problem {
    /// The problems of a refused submission in the questionnaire's language.
    pub fn all(q: &Questionnaire, errors: &[ReplyError]) -> Vec<Self> {
        errors
            .iter()
            .map(|e| Self {
                item: e.item().and_then(|id| q.item(id)).map(|i| i.id.clone()),
                summary: e.message(&q.language),
                beside: e.message_beside(&q.language),
            })
            .collect()
    }
}

/// The values of the form's fields, by field name, as [`crate::reply::parse_form`] reads them.
pub type Fields = BTreeMap<String, String>;

/// The form page for `q`, posting to `action`, showing `current` answers (those already
/// saved in this round) as filled in, and the expert's carried-over answers where there are
/// none.
pub fn render(q: &Questionnaire, action: &str, current: &BTreeMap<ItemId, Answer>) -> String {
    render_with_notice(q, action, current, None)
}

/// A short page with a heading and a message (an invalid link, a passed deadline), in
/// the language of `language`'s UI and with the form's stylesheet.
pub fn message_page(language: &delphi_core::study::Language, heading: &str, message: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n<p>{}</p>\n</main>\n</body>\n</html>\n",
        escape(language.as_str()),
        escape(heading),
        escape(heading),
        escape(message)
    )
}

/// [`render`], with a notice after the heading: saved, or a draft.
pub fn render_with_notice(
    q: &Questionnaire,
    action: &str,
    current: &BTreeMap<ItemId, Answer>,
    notice: Option<&Notice>,
) -> String {
    page(q, action, &answer_fields(q, current), notice, &[])
}

/// The form again after a refused submission: every field as the expert sent it (`typed`,
/// invalid values too), the problems listed above the form and each beside its question.
pub fn render_refused(q: &Questionnaire, action: &str, typed: &[(String, String)], problems: &[Problem]) -> String {
    // The last value of a field is the one a browser means (a field sent twice is a problem
    // of its own, listed with the others).
    let fields: Fields = typed.iter().cloned().collect();
    let summary = problems.iter().map(|p| p.summary.clone()).collect();
    page(q, action, &fields, Some(&Notice::Refused(summary)), problems)
}

/// The fields of the form filled with `answers`, or for an item without one with the
/// expert's carried-over answer.
pub fn answer_fields(q: &Questionnaire, answers: &BTreeMap<ItemId, Answer>) -> Fields {
    let mut fields = Fields::new();
    for item in &q.items {
        let Some(answer) = answers.get(&item.id).or(item.prefill.as_ref()) else { continue };
        let id = item.id.as_str();
        match (&item.answer, answer) {
            (_, Answer::DontKnow) => {
                fields.insert(id.to_owned(), "dk".to_owned());
            }
            (_, Answer::Ordinal { point }) => {
                fields.insert(id.to_owned(), point.to_string());
            }
            (_, Answer::Numeric { value }) => {
                fields.insert(id.to_owned(), num(*value));
            }
            (_, Answer::Probability { value }) => {
                fields.insert(id.to_owned(), fraction_to_percent(*value));
            }
            (_, Answer::Quantile(q)) => {
                for (p, value) in q.pairs() {
                    fields.insert(format!("{id}:p{p}"), num(value));
                }
            }
            // Tied options share the number of the first place they share (1, 2, 2, 4), which
            // the form reads back as the same tie.
            (_, Answer::Ranking { order }) => {
                for (place, option) in order.places() {
                    fields.insert(format!("{id}:{option}"), place.first.to_string());
                }
            }
            (_, Answer::Text { text }) => {
                fields.insert(id.to_owned(), text.clone());
            }
        }
    }
    fields
}

fn page(q: &Questionnaire, action: &str, fields: &Fields, notice: Option<&Notice>, problems: &[Problem]) -> String {
    let ui = ui(&q.language);
    let mut h = String::new();
    let round = fill(ui.round, &[("round", &q.round.to_string())]);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} · {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(q.language.as_str()),
        escape(&q.title),
        escape(&round)
    );
    let _ = writeln!(h, "<h1>{}</h1>\n<p><strong>{}</strong></p>", escape(&q.title), escape(&round));
    match notice {
        Some(Notice::Saved) => {
            let _ = writeln!(h, "<div class=\"notice\" role=\"status\"><p>{}</p></div>", escape(ui.saved));
        }
        Some(Notice::Draft) => {
            let _ = writeln!(h, "<div class=\"notice errors\" role=\"status\"><p>{}</p></div>", escape(ui.draft));
        }
        Some(Notice::Refused(errors)) => {
            let _ = writeln!(
                h,
                "<div class=\"notice errors\" role=\"alert\" id=\"problems\"><p>{}</p><ul>",
                escape(ui.not_saved)
            );
            for (i, error) in errors.iter().enumerate() {
                match problems.get(i).and_then(|p| p.item.as_ref()) {
                    Some(item) => {
                        let _ =
                            writeln!(h, "<li><a href=\"#item-{}\">{}</a></li>", escape(item.as_str()), escape(error));
                    }
                    None => {
                        let _ = writeln!(h, "<li>{}</li>", escape(error));
                    }
                }
            }
            let _ = writeln!(h, "</ul></div>");
        }
        None => {}
    }
    let _ = writeln!(h, "<p>{}</p>\n<p class=\"help\">{}</p>", escape(&q.description), escape(ui.html_intro));
    if let Some(note) = q.carry_over_note(ui) {
        let _ = writeln!(h, "<p class=\"notice\">{}</p>", escape(note));
    }
    let _ = writeln!(h, "<form method=\"post\" action=\"{}\" accept-charset=\"utf-8\">", escape(action));
    let feedback_round = q.feedback_round.unwrap_or(q.round.saturating_sub(1));
    for (s, section) in sections(q, ui).into_iter().enumerate() {
        let _ = writeln!(
            h,
            "<section aria-labelledby=\"section-{s}\">\n<h2 id=\"section-{s}\">{}</h2>",
            escape(&section.title)
        );
        if let Some(description) = &section.description {
            let _ = writeln!(h, "<p class=\"help\">{}</p>", escape(description));
        }
        for item in section.items {
            let beside: Vec<&str> =
                problems.iter().filter(|p| p.item.as_ref() == Some(&item.id)).map(|p| p.beside.as_str()).collect();
            item_html(&mut h, item, fields, &beside, feedback_round, &q.language, ui);
        }
        h.push_str("</section>\n");
    }
    let _ = writeln!(h, "<button type=\"submit\">{}</button>\n</form>\n</main>\n</body>\n</html>", escape(ui.submit));
    h
}

#[allow(clippy::too_many_arguments)]
fn item_html(
    h: &mut String,
    item: &Item,
    fields: &Fields,
    problems: &[&str],
    feedback_round: u32,
    reader: &Language,
    ui: &Ui,
) {
    let id = escape(item.id.as_str());
    let mut described = Vec::new();
    if !problems.is_empty() {
        described.push(format!("problem-{id}"));
    }
    if item.feedback.is_some() {
        described.push(format!("fb-{id}"));
    }
    let described =
        if described.is_empty() { String::new() } else { format!(" aria-describedby=\"{}\"", described.join(" ")) };
    let invalid = if problems.is_empty() { "" } else { " class=\"invalid\"" };
    let _ = writeln!(h, "<fieldset id=\"item-{id}\"{invalid}{described}>\n<legend>{}</legend>", escape(&item.prompt));
    if !problems.is_empty() {
        let _ = writeln!(h, "<div class=\"problem\" id=\"problem-{id}\" role=\"alert\">");
        for problem in problems {
            let _ = writeln!(h, "<p>{}{}{}</p>", escape(ui.fix_this), ui.colon, escape(problem));
        }
        h.push_str("</div>\n");
    }
    if let Some(hint) = bounds_hint(&item.answer, ui) {
        let _ = writeln!(h, "<p class=\"help\">{}</p>", escape(&hint));
    }
    let value = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    match &item.answer {
        AnswerSpec::Ordinal { min, labels, dont_know, .. } => {
            h.push_str("<div class=\"choices\">\n");
            let chosen = value(item.id.as_str()).trim();
            let checked = |v: &str| if chosen == v { " checked" } else { "" };
            for (label, point) in labels.iter().zip(*min..) {
                let _ = writeln!(
                    h,
                    "<label><input type=\"radio\" name=\"{id}\" value=\"{point}\"{}> {point} {}</label>",
                    checked(&point.to_string()),
                    escape(label)
                );
            }
            if *dont_know {
                let _ = writeln!(
                    h,
                    "<label><input type=\"radio\" name=\"{id}\" value=\"dk\"{}> {}</label>",
                    checked("dk"),
                    escape(ui.dont_know)
                );
            }
            h.push_str("</div>\n");
        }
        AnswerSpec::Numeric { min, max, .. } => {
            number_input(h, &id, &id, ui.numeric_help, value(item.id.as_str()), *min, *max);
        }
        AnswerSpec::Quantile { min, max, levels, .. } => {
            let _ = writeln!(h, "<p class=\"help\">{}</p>", escape(&quantile_help(*levels, ui)));
            for p in levels.percents() {
                let name = format!("{}:p{p}", item.id);
                let label = quantile_field_label(*levels, p, ui);
                number_input(h, &escape(&name), &escape(&name), &label, value(&name), *min, *max);
            }
        }
        AnswerSpec::Probability => {
            number_input(h, &id, &id, ui.probability, value(item.id.as_str()), Some(0.0), Some(100.0));
        }
        AnswerSpec::Ranking { options, ties } => {
            let help = if *ties { ui.rank_help_web_ties } else { ui.rank_help_web };
            let _ = writeln!(h, "<p class=\"help\">{}</p>", escape(help));
            for option in options {
                let name = format!("{}:{}", item.id, option.id);
                let rank = value(&name).trim();
                let field = escape(&name);
                let _ = writeln!(
                    h,
                    "<div class=\"field\"><label for=\"{field}\">{} {}</label>\n<select id=\"{field}\" name=\"{field}\">\n<option value=\"\">{}</option>",
                    escape(ui.rank_of),
                    escape(&option.title),
                    escape(ui.rank_choose)
                );
                for r in 1..=options.len() {
                    let selected = if rank == r.to_string() { " selected" } else { "" };
                    let _ = writeln!(h, "<option value=\"{r}\"{selected}>{r}</option>");
                }
                h.push_str("</select></div>\n");
            }
        }
        AnswerSpec::Text => {
            let _ = writeln!(
                h,
                "<div class=\"field\"><label for=\"{id}\">{}</label>\n<textarea id=\"{id}\" name=\"{id}\" rows=\"5\">{}</textarea></div>",
                escape(ui.text_label),
                escape(value(item.id.as_str()))
            );
        }
    }
    if let Some(fb) = &item.feedback {
        feedback_html(h, item, fb, feedback_round, reader, ui);
    }
    h.push_str("</fieldset>\n");
}

fn number_input(h: &mut String, field: &str, name: &str, label: &str, value: &str, min: Option<f64>, max: Option<f64>) {
    let bound = |attr: &str, v: Option<f64>| v.map(|v| format!(" {attr}=\"{}\"", num(v))).unwrap_or_default();
    let _ = writeln!(
        h,
        "<div class=\"field\"><label for=\"{field}\">{}</label>\n<input type=\"number\" id=\"{field}\" name=\"{name}\" step=\"any\" inputmode=\"decimal\"{}{} value=\"{}\"></div>",
        escape(label),
        bound("min", min),
        bound("max", max),
        escape(value)
    );
}

fn feedback_html(h: &mut String, item: &Item, fb: &ItemFeedback, round: u32, reader: &Language, ui: &Ui) {
    let id = escape(item.id.as_str());
    let round_s = round.to_string();
    let mut figures = figure_lines(fb, &item.answer, ui).into_iter();
    let _ = writeln!(
        h,
        "<aside class=\"feedback\" id=\"fb-{id}\">\n<p><strong>{}</strong>{}{}</p>",
        escape(&fill(ui.group_previous, &[("round", &round_s)])),
        ui.colon,
        escape(&figures.next().unwrap_or_default())
    );
    if fb.ranks.is_empty() {
        for line in figures {
            let _ = writeln!(h, "<p>{}</p>", escape(&line));
        }
    }
    if !fb.distribution.is_empty() {
        chart(h, item, fb, ui);
        legend(h, ui, None);
    } else if !fb.ranks.is_empty() {
        ranking_table(h, item, fb, ui);
    } else if number_chart(h, item, fb, ui) {
        legend(h, ui, fb.pooled.as_ref());
    }
    let own = match &fb.own {
        OwnAnswer::Given { answer } => {
            Some(fill(ui.your_answer, &[("round", &round_s), ("answer", &describe(&item.answer, answer, ui))]))
        }
        OwnAnswer::Missing => Some(fill(ui.you_did_not_answer, &[("round", &round_s)])),
        OwnAnswer::NotPersonalised => None,
    };
    if let Some(own) = own {
        let _ = writeln!(h, "<p class=\"own\">{}</p>", escape(&own));
    }
    if !fb.proposals.is_empty() {
        let _ = writeln!(
            h,
            "<div class=\"proposals\"><p>{}{}</p>",
            escape(&fill(ui.proposals, &[("round", &round_s)])),
            ui.colon.trim_end()
        );
        grouped_list(h, &fb.proposals, ui);
        h.push_str("</div>\n");
    }
    if !fb.rationales.is_empty() {
        // Every rationale is on the web page; a long list starts folded so that the form
        // stays easy to go through (a <details> needs no script, which the CSP forbids).
        let grouped = fb.rationales.grouped();
        let total: usize = grouped.iter().map(Vec::len).sum();
        let open = if total <= FOLD_RATIONALES_ABOVE { " open" } else { "" };
        let _ = writeln!(
            h,
            "<details class=\"rationales\"{open}>\n<summary>{} ({total})</summary>",
            escape(&fill(ui.rationales, &[("round", &round_s)]))
        );
        let headings = [ui.below, ui.at, ui.above];
        let entries: Vec<(&str, &GroupedRationale)> = headings
            .into_iter()
            .zip(&grouped)
            .flat_map(|(heading, texts)| texts.iter().map(move |g| (heading, g)))
            .collect();
        let pages: Vec<&[(&str, &GroupedRationale)]> = entries.chunks(RATIONALES_PER_PAGE).collect();
        let paged = pages.len() > 1;
        if paged {
            h.push_str("<div class=\"pages\">\n");
        }
        for (number, page) in (1..).zip(&pages) {
            if paged {
                let _ = writeln!(
                    h,
                    "<section class=\"page\" id=\"{}\" aria-label=\"{}\">",
                    page_anchor(&id, number),
                    escape(&page_of(number, pages.len(), ui))
                );
            }
            let mut last_heading = None;
            for &(heading, grouped) in *page {
                // Each page names the side of the median its rationales stand on, also
                // when it goes on from the page before.
                if last_heading != Some(heading) {
                    let _ = writeln!(h, "<p>{}{}</p>", escape(heading), ui.colon.trim_end());
                    last_heading = Some(heading);
                }
                rationale_html(h, grouped, reader, ui);
            }
            if paged {
                pager(h, &id, number, pages.len(), ui);
                h.push_str("</section>\n");
            }
        }
        if paged {
            h.push_str("</div>\n");
        }
        h.push_str("</details>\n");
    }
    h.push_str("</aside>\n");
}

/// One rationale as a reader of `reader` sees it: in their language as written; else its
/// translation first, marked, with the original below; else as written, marked untranslated.
fn rationale_html(h: &mut String, grouped: &GroupedRationale, reader: &Language, ui: &Ui) {
    let count = count_note(grouped.count, ui);
    let language_name = |from: &Language| ui.language_name(from.as_str()).to_owned();
    match grouped.rationale.for_reader(reader) {
        Shown::AsWritten(text) => {
            let _ = writeln!(h, "<blockquote>{}{count}</blockquote>", escape(text));
        }
        Shown::Translated { translation, original, from } => {
            let _ = writeln!(
                h,
                "<blockquote class=\"translated\"><span class=\"mark\">{}</span>{}{count}\
                 <span class=\"original\" lang=\"{}\"><span class=\"mark\">{}</span>{}</span></blockquote>",
                escape(&fill(ui.translated_from, &[("language", &language_name(from))])),
                escape(translation),
                escape(from.as_str()),
                escape(&fill(ui.original, &[("language", &language_name(from))])),
                escape(original)
            );
        }
        Shown::Untranslated { text, from } => {
            let _ = writeln!(
                h,
                "<blockquote lang=\"{}\">{}{count} <span class=\"untranslated\">({})</span></blockquote>",
                escape(from.as_str()),
                escape(text),
                escape(ui.untranslated)
            );
        }
    }
}

/// Above this many rationales an item's list starts folded.
const FOLD_RATIONALES_ABOVE: usize = 10;

/// Rationales per page of the web form's list. One page shows at a time, chosen by the
/// page's anchor (`:target`) in CSS alone: going to another page neither reloads the form
/// nor loses what the expert has typed, and needs no script (the CSP allows none).
pub const RATIONALES_PER_PAGE: usize = 10;

/// The anchor of page `number` of an item's rationales (`id` already escaped).
fn page_anchor(id: &str, number: usize) -> String {
    format!("reasons-{id}-{number}")
}

fn page_of(number: usize, pages: usize, ui: &Ui) -> String {
    fill(ui.page_of, &[("page", &number.to_string()), ("pages", &pages.to_string())])
}

/// Links to every page of an item's rationales, the current one marked.
fn pager(h: &mut String, id: &str, current: usize, pages: usize, ui: &Ui) {
    let _ = write!(h, "<nav class=\"pager\" aria-label=\"{}\">", escape(ui.pages));
    for number in 1..=pages {
        let here = if number == current { " aria-current=\"page\"" } else { "" };
        let _ = write!(
            h,
            "<a href=\"#{}\"{here} title=\"{}\">{number}</a>",
            page_anchor(id, number),
            escape(&page_of(number, pages, ui))
        );
    }
    h.push_str("</nav>\n");
}

/// " (×3)" after a text several experts wrote, as HTML; empty for a single one.
fn count_note(count: u32, ui: &Ui) -> String {
    if count > 1 {
        format!(" <span class=\"count\">{}</span>", escape(&fill(ui.times, &[("n", &count.to_string())])))
    } else {
        String::new()
    }
}

fn grouped_list(h: &mut String, texts: &[Grouped], ui: &Ui) {
    h.push_str("<ul>\n");
    for grouped in texts {
        let _ = writeln!(h, "<li>{}{}</li>", escape(&grouped.text), count_note(grouped.count, ui));
    }
    h.push_str("</ul>\n");
}

/// What the marks of a chart mean: the expert's answer, the median, the middle half, and
/// for a quantile item the pooled 5–95 % range.
fn legend(h: &mut String, ui: &Ui, pooled: Option<&Pooled>) {
    let _ = write!(
        h,
        "<p class=\"legend\"><span class=\"visually-hidden\">{}{}</span><span><span class=\"key own\"></span>{}</span><span><span class=\"key median\"></span>{}</span><span><span class=\"key middle\"></span>{}</span>",
        escape(ui.legend),
        ui.colon.trim_end(),
        escape(ui.legend_own),
        escape(ui.legend_median),
        escape(ui.legend_middle)
    );
    if let Some(Pooled(pool)) = pooled {
        let range = pooled_range(pool.levels(), ui);
        let _ = write!(
            h,
            "<span><span class=\"key pooled\"></span>{}</span>",
            escape(&fill(ui.legend_pooled, &[("range", &range)]))
        );
    }
    h.push_str("</p>\n");
}

/// Each option's mean rank and how often it took each place, the expert's own place
/// beside it, best mean rank first.
fn ranking_table(h: &mut String, item: &Item, fb: &ItemFeedback, ui: &Ui) {
    let own_order = match fb.own.answer() {
        Some(Answer::Ranking { order }) => Some(order),
        _ => None,
    };
    let places = fb.ranks.iter().map(|r| r.positions.len()).max().unwrap_or(0);
    let _ = write!(
        h,
        "<table>\n<caption class=\"visually-hidden\">{}</caption>\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th>",
        escape(&item.prompt),
        escape(ui.option),
        escape(&fill(ui.mean_rank, &[("mean", "")])).trim()
    );
    for place in 1..=places {
        let _ = write!(h, "<th scope=\"col\">{}</th>", escape(&fill(ui.place, &[("place", &place.to_string())])));
    }
    if own_order.is_some() {
        let _ = write!(h, "<th scope=\"col\">{}</th>", escape(ui.your_place));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    let mut rows: Vec<_> = fb.ranks.iter().collect();
    rows.sort_by(|a, b| a.mean_rank.unwrap_or(f64::INFINITY).total_cmp(&b.mean_rank.unwrap_or(f64::INFINITY)));
    for option in rows {
        let _ = write!(
            h,
            "<tr><th scope=\"row\">{}</th><td>{}</td>",
            escape(&option_title(&item.answer, &option.option)),
            option.mean_rank.map_or_else(|| "–".to_owned(), |m| stat(&item.answer, Some(m)))
        );
        for count in &option.positions {
            let _ = write!(h, "<td>{count}</td>");
        }
        if let Some(order) = own_order {
            let _ = write!(h, "<td>{}</td>", own_place(order, &option.option));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    if let Some(note) = ties_note(&item.answer, ui) {
        let _ = writeln!(h, "<p class=\"help\">{}</p>", escape(note));
    }
}

/// A number line for numeric, probability and quantile items: the middle half as a band,
/// the median as a dashed line, the pooled 5–95 % range as a whisker and the expert's own
/// value(s) as dots. False (nothing drawn) without a median.
fn number_chart(h: &mut String, item: &Item, fb: &ItemFeedback, ui: &Ui) -> bool {
    let own = own_values(fb.own.answer());
    let (Some((lo, hi)), Some(median)) = (line_range(fb, &own), fb.median) else { return false };
    let (width, left, right) = (320.0, 10.0, 310.0);
    let x = |v: f64| left + (v - lo) / (hi - lo) * (right - left);
    let id = escape(item.id.as_str());
    let mut described = vec![summary_for_title(fb, item, ui)];
    for v in &own {
        described.push(format!("{}{}{}", ui.legend_own, ui.colon, stat(&item.answer, Some(*v))));
    }
    let _ = writeln!(
        h,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} 56\" width=\"{}\" height=\"112\" role=\"img\" aria-labelledby=\"chart-{id}\">\n<title id=\"chart-{id}\">{}</title>",
        width * 2.0,
        escape(&described.join("; "))
    );
    let _ = writeln!(h, "<line x1=\"{left}\" y1=\"30\" x2=\"{right}\" y2=\"30\" stroke=\"#888\"/>");
    if let Some(p) = &fb.pooled {
        let (low, high) = p.0.outer();
        let _ = writeln!(
            h,
            "<line class=\"pooled\" x1=\"{:.1}\" y1=\"44\" x2=\"{:.1}\" y2=\"44\" stroke=\"#555\" stroke-width=\"2\"/>",
            x(low),
            x(high)
        );
    }
    if let (Some(q1), Some(q3)) = (fb.q1, fb.q3) {
        let _ = writeln!(
            h,
            "<rect class=\"middle\" x=\"{:.1}\" y=\"20\" width=\"{:.1}\" height=\"20\" fill=\"#c9d6ea\"/>",
            x(q1),
            (x(q3) - x(q1)).max(1.0)
        );
    }
    let _ = writeln!(
        h,
        "<line class=\"median\" x1=\"{m:.1}\" y1=\"14\" x2=\"{m:.1}\" y2=\"46\" stroke=\"#c60\" stroke-width=\"2\" stroke-dasharray=\"4 2\"/>",
        m = x(median)
    );
    for v in &own {
        let _ = writeln!(h, "<circle class=\"own\" cx=\"{:.1}\" cy=\"30\" r=\"5\" fill=\"#24528f\"/>", x(*v));
    }
    for (v, anchor) in [(lo, "start"), (hi, "end")] {
        let _ = writeln!(
            h,
            "<text x=\"{:.1}\" y=\"10\" font-size=\"10\" text-anchor=\"{anchor}\">{}</text>",
            x(v),
            escape(&stat(&item.answer, Some(v)))
        );
    }
    h.push_str("</svg>\n");
    true
}

fn summary_for_title(fb: &ItemFeedback, item: &Item, ui: &Ui) -> String {
    figure_lines(fb, &item.answer, ui).join("; ")
}

/// A bar per scale point (and don't-know), the count above each bar, the point below;
/// the expert's own previous answer drawn darker, the median as a dashed line.
fn chart(h: &mut String, item: &Item, fb: &ItemFeedback, ui: &Ui) {
    let id = escape(item.id.as_str());
    let mut bars: Vec<(String, u32, bool)> = fb
        .distribution
        .iter()
        .map(|p| (p.point.to_string(), p.count, fb.own.answer() == Some(&Answer::Ordinal { point: p.point })))
        .collect();
    if fb.dont_know > 0 || fb.own.answer() == Some(&Answer::DontKnow) {
        bars.push(("?".to_owned(), fb.dont_know, fb.own.answer() == Some(&Answer::DontKnow)));
    }
    let (slot, top, plot, width) = (32u32, 16u32, 60u32, 32 * u32::try_from(bars.len()).unwrap_or(1));
    let height = top + plot + 18;
    let max = fb.max_count();
    let description: Vec<String> = bars.iter().map(|(label, count, _)| format!("{label}: {count}")).collect();
    let _ = writeln!(
        h,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{}\" height=\"{}\" role=\"img\" aria-labelledby=\"chart-{id}\">\n<title id=\"chart-{id}\">{}</title>",
        width * 2,
        height * 2,
        escape(&format!("{} — {}", ui.distribution, description.join(", ")))
    );
    if let (Some(q1), Some(q3), Some(first)) = (fb.q1, fb.q3, fb.distribution.first()) {
        let at = |v: f64| (v - f64::from(first.point)) * f64::from(slot) + f64::from(slot) / 2.0;
        let _ = writeln!(
            h,
            "<rect class=\"middle\" x=\"{:.1}\" y=\"{}\" width=\"{:.1}\" height=\"{}\" fill=\"#c9d6ea\"/>",
            at(q1) - 4.0,
            top - 4,
            at(q3) - at(q1) + 8.0,
            plot + 4
        );
    }
    for (i, (label, count, own)) in bars.iter().enumerate() {
        let x = u32::try_from(i).unwrap_or(0) * slot;
        let bar = count * plot / max;
        let y = top + plot - bar;
        let fill = if *own { "#24528f" } else { "#8fa9cf" };
        let _ = writeln!(
            h,
            "<rect x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{bar}\" fill=\"{fill}\"/><text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{count}</text><text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            x + 4,
            slot - 8,
            x + slot / 2,
            y.saturating_sub(3).max(10),
            x + slot / 2,
            height - 4,
            escape(label)
        );
    }
    if let (Some(median), Some(first)) = (fb.median, fb.distribution.first()) {
        let x = (median - f64::from(first.point)) * f64::from(slot) + f64::from(slot) / 2.0;
        let _ = writeln!(
            h,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#c60\" stroke-width=\"2\" stroke-dasharray=\"4 2\"/>",
            top - 4,
            top + plot
        );
    }
    h.push_str("</svg>\n");
}
