//! The messages the tool sends, as pure functions from what to say to a MIME message:
//! plain text (with the reply form) and HTML alternatives, in the expert's language.
//!
//! Every message that invites an answer carries a token twice: in the personal link and
//! in the reply address (`local+token@domain`), so a reply finds its expert even when the
//! quoted text is cut. Nothing an expert wrote reaches HTML unescaped.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use delphi_core::Study;
use delphi_core::study::{ItemId, Language, Localised};
use delphi_survey::Questionnaire;
use delphi_survey::answer::Answer;
use delphi_survey::html::escape;
use lettre::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};

use super::words::{Words, fill, words};

/// Who the messages come from, and where replies go.
#[derive(Debug, Clone)]
pub struct Sender {
    /// The From header: the study's sending name and address (`--from`).
    pub from: Mailbox,
    /// The address replies go to; each message adds `+token` to its local part.
    pub reply_to: lettre::Address,
    /// The web server's address as experts reach it, for personal links (`{base}/s/{token}`).
    pub base_url: String,
    /// What every invitation and reminder says about who asks, why, and what is done with
    /// the answers.
    pub notice: StudyNotice,
}

/// Who runs the study, why the expert was asked, and the privacy statement, from the study
/// file: what lets a person trust a letter from someone they may never have met.
#[derive(Debug, Clone, Default)]
pub struct StudyNotice {
    /// The coordinator's name and address (`study.contact`).
    pub contact: Option<String>,
    /// Why the expert was asked (`study.why_asked`), said in every invitation and reminder.
    pub why_asked: Option<Localised>,
    /// How their answers and address are used (`study.privacy`).
    pub privacy: Option<Localised>,
}

impl StudyNotice {
    /// The notice the study file gives.
    pub fn of(study: &Study) -> Self {
        Self { contact: study.contact.clone(), why_asked: study.why_asked.clone(), privacy: study.privacy.clone() }
    }
}

impl Sender {
    /// `local+token@domain`: the reply address that names the expert.
    pub fn reply_address(&self, token: &str) -> Result<lettre::Address, ComposeError> {
        let address = format!("{}+{token}@{}", self.reply_to.user(), self.reply_to.domain());
        address.parse().map_err(|_| ComposeError::Address(address))
    }

    /// The expert's personal web page: `{base}/s/{token}`.
    pub fn link(&self, token: &str) -> String {
        format!("{}/s/{token}", self.base_url.trim_end_matches('/'))
    }

    /// The personal page on which the expert withdraws from the study.
    pub fn withdraw_link(&self, token: &str) -> String {
        format!("{}/withdraw", self.link(token))
    }
}

/// The expert a message goes to.
#[derive(Debug, Clone)]
pub struct Addressee {
    /// Their name, for the salutation and the To header.
    pub name: String,
    /// Their address.
    pub email: String,
    /// Their IANA time zone (the panel's `time_zone`): deadlines are given in it too.
    pub time_zone: Option<String>,
}

/// What a message says.
#[derive(Debug, Clone, Copy)]
pub enum Letter<'a> {
    /// The round is open: the link, the deadline and the form.
    Invitation {
        /// The expert's copy of the round's questionnaire.
        questionnaire: &'a Questionnaire,
        /// The round's deadline.
        deadline: DateTime<Utc>,
    },
    /// A reminder to someone who has not answered yet.
    Reminder {
        /// The expert's copy of the round's questionnaire.
        questionnaire: &'a Questionnaire,
        /// The round's deadline.
        deadline: DateTime<Utc>,
    },
    /// The answers of a reply were stored: what was recorded, as the form filled in.
    Receipt {
        /// The expert's copy of the round's questionnaire.
        questionnaire: &'a Questionnaire,
        /// The answers stored from the reply, by item.
        recorded: &'a BTreeMap<ItemId, Answer>,
        /// How many questions the reply left empty.
        unanswered: usize,
        /// Questions (in their wording) whose answer in the reply was older than one the
        /// expert gave later, which stands.
        kept_newer: &'a [String],
        /// The round's deadline.
        deadline: DateTime<Utc>,
    },
    /// A reply could not be read: what to fix, and the form with every answer that could
    /// be read (and every answer recorded before) filled in. Nothing was stored.
    Problems {
        /// The expert's copy of the round's questionnaire.
        questionnaire: &'a Questionnaire,
        /// Each problem, in words for the expert.
        problems: &'a [String],
        /// The answers that could be read, and those recorded before, to fill the form in.
        filled: &'a BTreeMap<ItemId, Answer>,
        /// The round's deadline.
        deadline: DateTime<Utc>,
    },
    /// A reply held no answer of its own (all as recorded, copied from a letter of ours,
    /// or older than later answers): nothing was stored; what stands is shown.
    Unchanged {
        /// The expert's copy of the round's questionnaire.
        questionnaire: &'a Questionnaire,
        /// The answers that stand, by item.
        recorded: &'a BTreeMap<ItemId, Answer>,
        /// Questions (in their wording) whose answer in the reply was older than one the expert
        /// gave later, which stands.
        kept_newer: &'a [String],
        /// The round's deadline.
        deadline: DateTime<Utc>,
    },
    /// A message from a panel member that carries no token of theirs: it could not be
    /// tied to their invitation. A fresh link and reply address come with this notice.
    Untied {
        /// The expert's copy of the open round's questionnaire.
        questionnaire: &'a Questionnaire,
        /// The round's deadline.
        deadline: DateTime<Utc>,
    },
    /// The round no longer accepts answers.
    Refused {
        /// The expert's copy of the round's questionnaire.
        questionnaire: &'a Questionnaire,
        /// Why, in words for the expert.
        reason: &'a str,
    },
    /// A reply to round `closed`, which has closed, while the questionnaire's round is open:
    /// nothing was recorded; a fresh link and reply address for the open round come with it.
    Late {
        /// The expert's copy of the open round's questionnaire.
        questionnaire: &'a Questionnaire,
        /// The closed round the reply was to.
        closed: u32,
        /// The open round's deadline.
        deadline: DateTime<Utc>,
    },
    /// A reply to the questionnaire's round, which has closed, while no round is open.
    BetweenRounds {
        /// The questionnaire of the closed round the reply was to.
        questionnaire: &'a Questionnaire,
    },
}

impl Letter<'_> {
    fn questionnaire(&self) -> &Questionnaire {
        match self {
            Self::Invitation { questionnaire, .. }
            | Self::Reminder { questionnaire, .. }
            | Self::Receipt { questionnaire, .. }
            | Self::Problems { questionnaire, .. }
            | Self::Unchanged { questionnaire, .. }
            | Self::Untied { questionnaire, .. }
            | Self::Refused { questionnaire, .. }
            | Self::Late { questionnaire, .. }
            | Self::BetweenRounds { questionnaire } => questionnaire,
        }
    }

    /// Whether the message is an automatic answer to the expert's own message (RFC 3834).
    fn answers_a_reply(&self) -> bool {
        matches!(
            self,
            Self::Receipt { .. }
                | Self::Problems { .. }
                | Self::Unchanged { .. }
                | Self::Untied { .. }
                | Self::Refused { .. }
                | Self::Late { .. }
                | Self::BetweenRounds { .. }
        )
    }
}

/// Headers that tie a message into its thread and identify it.
#[derive(Debug, Clone)]
pub struct Threading {
    /// The message's own Message-ID, kept across attempts.
    pub message_id: String,
    /// The Message-ID of the expert's reply a receipt answers.
    pub in_reply_to: Option<String>,
    /// The Date header.
    pub date: DateTime<Utc>,
}

/// Why a message could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// A reply address that is not a valid address (the address).
    #[error("`{0}` is not a valid email address")]
    Address(String),
    /// lettre refused the message.
    #[error("the message cannot be built: {0}")]
    Build(#[from] lettre::error::Error),
}

/// Builds the message. `token` (when the letter invites an answer) goes into the link and
/// the reply address; without one, replies go to the plain reply address.
pub fn compose(
    letter: &Letter<'_>,
    sender: &Sender,
    to: &Addressee,
    token: Option<&str>,
    threading: &Threading,
) -> Result<Message, ComposeError> {
    let q = letter.questionnaire();
    let w = words(&q.language);
    let round = q.round.to_string();
    let to_address: lettre::Address = to.email.parse().map_err(|_| ComposeError::Address(to.email.clone()))?;
    let reply_to = match token {
        Some(token) => sender.reply_address(token)?,
        None => sender.reply_to.clone(),
    };
    let link = token.map(|t| sender.link(t));
    let subject = match letter {
        Letter::Invitation { deadline, .. } => {
            fill(w.invitation_subject, &[("round", &round), ("title", &q.title), ("deadline", &day(*deadline))])
        }
        Letter::Reminder { deadline, .. } => {
            fill(w.reminder_subject, &[("round", &round), ("title", &q.title), ("deadline", &day(*deadline))])
        }
        Letter::Receipt { .. } => fill(w.receipt_subject, &[("round", &round), ("title", &q.title)]),
        Letter::Problems { .. } => fill(w.problems_subject, &[("round", &round), ("title", &q.title)]),
        Letter::Unchanged { .. } => fill(w.unchanged_subject, &[("round", &round), ("title", &q.title)]),
        Letter::Untied { .. } => fill(w.untied_subject, &[("round", &round), ("title", &q.title)]),
        Letter::Refused { .. } => fill(w.refused_subject, &[("round", &round), ("title", &q.title)]),
        Letter::Late { closed, .. } => {
            fill(w.late_subject, &[("closed", &closed.to_string()), ("round", &round), ("title", &q.title)])
        }
        Letter::BetweenRounds { .. } => fill(w.between_rounds_subject, &[("round", &round), ("title", &q.title)]),
    };
    let withdraw = token.map(|t| sender.withdraw_link(t));
    let context = Context {
        name: &to.name,
        link: link.as_deref(),
        withdraw: withdraw.as_deref(),
        time_zone: to.time_zone.as_deref().and_then(|zone| zone.parse().ok()),
        notice: &sender.notice,
    };
    let body = Body::of(letter, w, &context);
    let mut builder = Message::builder()
        .from(sender.from.clone())
        .reply_to(Mailbox::new(sender.from.name.clone(), reply_to))
        .to(Mailbox::new(Some(to.name.clone()), to_address))
        .subject(subject)
        .message_id(Some(threading.message_id.clone()))
        .date(threading.date.into());
    if let Some(reply) = &threading.in_reply_to {
        builder = builder.in_reply_to(reply.clone()).references(reply.clone());
    }
    if letter.answers_a_reply() {
        // So that an expert's own auto-responder does not answer back (RFC 3834).
        builder = builder
            .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("Auto-Submitted"), "auto-replied".into()));
    }
    let message = builder.multipart(
        MultiPart::alternative()
            .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(body.text))
            .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(body.html)),
    )?;
    Ok(message)
}

/// The deadline as a date and time in UTC, e.g. `2026-12-14 17:00 UTC`.
fn day(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The deadline in UTC and, when the expert's time zone is known, in their local time
/// (`2026-12-14 17:00 UTC (2026-12-15 01:00 in Asia/Shanghai)`): an expert far from UTC
/// should not have to work out whether "the 14th" is already over where they live.
fn deadline_for(at: DateTime<Utc>, zone: Option<chrono_tz::Tz>, w: &Words) -> String {
    match zone {
        Some(zone) if zone != chrono_tz::UTC => {
            let local = at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string();
            format!("{} ({})", day(at), fill(w.local_time, &[("time", &local), ("zone", zone.name())]))
        }
        _ => day(at),
    }
}

/// Who a message goes to and what it links to.
struct Context<'a> {
    name: &'a str,
    link: Option<&'a str>,
    withdraw: Option<&'a str>,
    time_zone: Option<chrono_tz::Tz>,
    notice: &'a StudyNotice,
}

/// The text and HTML of a message, said once as paragraphs and the form.
struct Body {
    text: String,
    html: String,
}

/// A piece of a message.
enum Block {
    /// A section's heading (HTML only: the text reads as paragraphs).
    Heading(String),
    Para(String),
    Link(String),
    /// The personal link, drawn as a button in HTML.
    Button {
        label: String,
        link: String,
    },
    /// Small print at the foot: who to write to, how to withdraw.
    Note(String),
    List(Vec<String>),
    /// The reply form (or the form filled in), kept verbatim.
    Form(String),
    /// The group's figures drawn for the HTML part (the text part has them in its form).
    Figures(String),
    /// The reply form of a letter whose HTML part draws the figures apart: `text` with
    /// them, for the text part, `html` without them.
    FormFiguresApart {
        text: String,
        html: String,
    },
}

impl Body {
    fn of(letter: &Letter<'_>, w: &Words, context: &Context<'_>) -> Self {
        let q = letter.questionnaire();
        let round = q.round.to_string();
        let link = context.link;
        let mut blocks = vec![Block::Para(fill(w.greeting, &[("name", context.name)]))];
        match letter {
            Letter::Invitation { deadline, .. } => {
                blocks.push(Block::Para(fill(w.invitation, &[("round", &round), ("title", &q.title)])));
                if q.feedback_round.is_some() {
                    blocks.push(Block::Para(w.feedback_included.to_owned()));
                }
                about(&mut blocks, w, context, &q.language);
                let (figures, form) = reply_form(q);
                answer_ways(&mut blocks, w, context, *deadline, figures);
                blocks.push(form);
            }
            Letter::Reminder { deadline, .. } => {
                blocks.push(Block::Para(fill(w.reminder, &[("round", &round), ("title", &q.title)])));
                about(&mut blocks, w, context, &q.language);
                let (figures, form) = reply_form(q);
                answer_ways(&mut blocks, w, context, *deadline, figures);
                blocks.push(form);
            }
            Letter::Receipt { recorded, unanswered, kept_newer, deadline, .. } => {
                let count = recorded.len().to_string();
                blocks.push(Block::Para(fill(w.receipt, &[("count", &count), ("round", &round)])));
                if !kept_newer.is_empty() {
                    blocks.push(Block::Para(w.kept_newer.to_owned()));
                    blocks.push(Block::List(kept_newer.to_vec()));
                }
                if *unanswered > 0 {
                    blocks.push(Block::Para(fill(w.receipt_unanswered, &[("n", &unanswered.to_string())])));
                }
                blocks.push(Block::Para(fill(
                    w.receipt_change,
                    &[("deadline", &deadline_for(*deadline, context.time_zone, w))],
                )));
                if let Some(link) = link {
                    blocks.push(Block::Link(link.to_owned()));
                }
                blocks.push(Block::Form(delphi_survey::text::render_filled(q, recorded)));
            }
            Letter::Problems { problems, filled, deadline, .. } => {
                blocks.push(Block::Para(w.problems.to_owned()));
                blocks.push(Block::List(problems.to_vec()));
                blocks.push(Block::Para(w.problems_fix.to_owned()));
                answer_ways(&mut blocks, w, context, *deadline, None);
                blocks.push(Block::Form(delphi_survey::text::render_filled(q, filled)));
            }
            Letter::Unchanged { recorded, kept_newer, deadline, .. } => {
                blocks.push(Block::Para(w.unchanged.to_owned()));
                if !kept_newer.is_empty() {
                    blocks.push(Block::Para(w.kept_newer.to_owned()));
                    blocks.push(Block::List(kept_newer.to_vec()));
                }
                blocks.push(Block::Para(fill(
                    w.receipt_change,
                    &[("deadline", &deadline_for(*deadline, context.time_zone, w))],
                )));
                if let Some(link) = link {
                    blocks.push(Block::Link(link.to_owned()));
                }
                blocks.push(Block::Form(delphi_survey::text::render_filled(q, recorded)));
            }
            Letter::Untied { deadline, .. } => {
                blocks.push(Block::Para(w.untied.to_owned()));
                let (figures, form) = reply_form(q);
                answer_ways(&mut blocks, w, context, *deadline, figures);
                blocks.push(form);
            }
            Letter::Refused { reason, .. } => {
                blocks.push(Block::Para(w.refused.to_owned()));
                blocks.push(Block::Para((*reason).to_owned()));
            }
            Letter::Late { closed, deadline, .. } => {
                blocks.push(Block::Para(fill(w.late, &[("closed", &closed.to_string()), ("round", &round)])));
                let (figures, form) = reply_form(q);
                answer_ways(&mut blocks, w, context, *deadline, figures);
                blocks.push(form);
            }
            Letter::BetweenRounds { .. } => {
                blocks.push(Block::Para(fill(w.between_rounds, &[("round", &round)])));
            }
        }
        // Every letter says whom to write to, and every letter with a token of the expert's
        // carries their way out.
        trailer(&mut blocks, w, context);
        let signature = context.notice.contact.as_ref().map_or_else(
            || w.signature.to_owned(),
            |contact| fill(w.signed, &[("coordinator", coordinator_name(contact))]),
        );
        blocks.push(Block::Para(signature));
        Self { text: text_of(&blocks), html: html_of(&blocks, &q.title, &q.language) }
    }
}

/// The form to reply with, and the figures the HTML part draws apart from it (when the
/// questionnaire has figures to draw).
fn reply_form(q: &Questionnaire) -> (Option<Block>, Block) {
    match delphi_survey::mail_html::figures(q) {
        Some(figures) => (
            Some(Block::Figures(figures)),
            Block::FormFiguresApart {
                text: delphi_survey::text::render(q),
                html: delphi_survey::text::render_filled_figures_apart(q, &BTreeMap::new()),
            },
        ),
        None => (None, Block::Form(delphi_survey::text::render(q))),
    }
}

/// Until when and how to answer: on the web (the personal link as a button, when there is
/// one), then the figures, then by reply.
fn answer_ways(
    blocks: &mut Vec<Block>,
    w: &Words,
    context: &Context<'_>,
    deadline: DateTime<Utc>,
    figures: Option<Block>,
) {
    blocks.push(Block::Para(fill(w.closes, &[("deadline", &deadline_for(deadline, context.time_zone, w))])));
    if let Some(link) = context.link {
        blocks.push(Block::Para(w.answer_on_the_web.to_owned()));
        blocks.push(Block::Button { label: w.open_form.to_owned(), link: link.to_owned() });
    }
    blocks.extend(figures);
    blocks.push(Block::Heading(w.reply_heading.to_owned()));
    blocks.push(Block::Para(w.answer_by_reply.to_owned()));
}

/// Why the expert was asked, that answers are anonymous, and the privacy statement with
/// the consent line, in the questionnaire's `language`.
fn about(blocks: &mut Vec<Block>, w: &Words, context: &Context<'_>, language: &Language) {
    if let Some(why) = &context.notice.why_asked {
        blocks.push(Block::Para(fill(w.why_asked, &[("why", why.get(language, language))])));
    }
    blocks.push(Block::Para(w.anonymity.to_owned()));
    if let Some(privacy) = &context.notice.privacy {
        blocks.push(Block::Heading(w.privacy_heading.to_owned()));
        blocks.push(Block::Para(privacy.get(language, language).clone()));
        blocks.push(Block::Para(w.consent.to_owned()));
    }
}

/// The small print: whom to write to, and the expert's way out.
fn trailer(blocks: &mut Vec<Block>, w: &Words, context: &Context<'_>) {
    if let Some(contact) = &context.notice.contact {
        blocks.push(Block::Note(fill(w.contact, &[("contact", contact)])));
    }
    if let Some(withdraw) = context.withdraw {
        blocks.push(Block::Note(w.withdraw.to_owned()));
        blocks.push(Block::Link(withdraw.to_owned()));
    }
}

fn text_of(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Heading(text) => out.push_str(&format!("{text}\n{}", "-".repeat(text.chars().count()))),
            Block::Para(text) | Block::Link(text) | Block::Note(text) => out.push_str(text),
            Block::Button { label, link } => out.push_str(&format!("{label}: {link}")),
            Block::List(items) => {
                let lines: Vec<String> = items.iter().map(|item| format!("  - {item}")).collect();
                out.push_str(&lines.join("\n"));
            }
            Block::Form(form) | Block::FormFiguresApart { text: form, .. } => out.push_str(form.trim_end()),
            Block::Figures(_) => continue,
        }
        out.push_str("\n\n");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// The name in a contact line (`Ana Lima <ana@example.org>` → `Ana Lima`), or the line.
fn coordinator_name(contact: &str) -> &str {
    match contact.split_once('<') {
        Some((name, _)) if !name.trim().is_empty() => name.trim().trim_matches('"'),
        _ => contact,
    }
}

/// Colours with a contrast of at least 7:1 against their background (WCAG AAA for text).
const INK: &str = "#1a1a1a";
const MUTED: &str = "#444444";
const ACCENT: &str = "#0b4f8a";

/// The HTML part: a page of its own (language, title, headings, a button to the personal
/// form), with inline styles only, as mail clients drop style sheets. The reply form is
/// there too, line by line, so that a reply from an HTML mail client quotes it.
fn html_of(blocks: &[Block], title: &str, language: &Language) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title></head>\n\
         <body style=\"margin:0; padding:0; background:#ffffff; color:{INK}; font-family: Helvetica, Arial, sans-serif; font-size:16px; line-height:1.5\">\n\
         <main style=\"max-width:40em; margin:0 auto; padding:1.5em 1em\">\n\
         <h1 style=\"font-size:1.4em; line-height:1.3; margin:0 0 1em 0; color:{INK}\">{title}</h1>\n",
        lang = escape(language.as_str()),
        title = escape(title),
    );
    for block in blocks {
        match block {
            Block::Heading(text) => out.push_str(&format!(
                "<h2 style=\"font-size:1.15em; margin:1.5em 0 0.5em 0; color:{INK}\">{}</h2>\n",
                escape(text)
            )),
            Block::Para(text) => out.push_str(&format!("<p style=\"margin:0 0 1em 0\">{}</p>\n", escape(text))),
            Block::Note(text) => out.push_str(&format!(
                "<p style=\"margin:1em 0 0.25em 0; font-size:0.9em; color:{MUTED}\">{}</p>\n",
                escape(text)
            )),
            Block::Link(link) => {
                let link = escape(link);
                out.push_str(&format!(
                    "<p style=\"margin:0 0 1em 0; font-size:0.9em\"><a href=\"{link}\" style=\"color:{ACCENT}\">{link}</a></p>\n"
                ));
            }
            Block::Button { label, link } => {
                let (label, link) = (escape(label), escape(link));
                out.push_str(&format!(
                    "<p style=\"margin:1em 0 1.5em 0\"><a href=\"{link}\" role=\"button\" \
                     style=\"display:inline-block; padding:0.75em 1.5em; background:{ACCENT}; color:#ffffff; \
                     font-weight:bold; text-decoration:none; border-radius:6px\">{label}</a></p>\n\
                     <p style=\"margin:0 0 1em 0; font-size:0.9em; color:{MUTED}\">{link}</p>\n"
                ));
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for item in items {
                    out.push_str(&format!("<li>{}</li>\n", escape(item)));
                }
                out.push_str("</ul>\n");
            }
            Block::Figures(figures) => out.push_str(figures),
            Block::Form(form) | Block::FormFiguresApart { html: form, .. } => out.push_str(&form_html(form)),
        }
    }
    out.push_str("</main>\n</body></html>\n");
    out
}

/// The reply form in the HTML part, line for line.
fn form_html(form: &str) -> String {
    // `<br>` ends each line for mail clients that quote a reply as HTML (and for html2text
    // reading it back); `pre-wrap` keeps the form's spaces. A newline after each `<br>`
    // would be a second, visible line break under `pre-wrap`.
    let lines: Vec<String> = form.trim_end().lines().map(escape).collect();
    format!(
        "<div style=\"margin:0 0 1.5em 0; padding:1em; border-left:4px solid {ACCENT}; background:#f4f6f8; \
         font-family: Menlo, Consolas, monospace; font-size:0.9em; white-space:pre-wrap\">{}</div>\n",
        lines.join("<br>")
    )
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use delphi_core::Study;
    use delphi_survey::FrozenRound;

    use super::*;

    fn questionnaire(language: &str) -> Questionnaire {
        let study =
            Study::from_toml(include_str!("../../../../surveys/ai-safety-cooperation.toml"), "study.toml").unwrap();
        FrozenRound::build(&study, 1, None).unwrap().in_language(language).clone()
    }

    fn sender() -> Sender {
        Sender {
            from: "Delphi <delphi@study.example>".parse().unwrap(),
            reply_to: "delphi@study.example".parse().unwrap(),
            base_url: "https://study.example/".into(),
            notice: StudyNotice::default(),
        }
    }

    fn threading() -> Threading {
        let date = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).single().unwrap();
        Threading { message_id: "<m1@study.example>".into(), in_reply_to: None, date }
    }

    fn raw(letter: &Letter<'_>, name: &str, token: Option<&str>) -> String {
        let to = Addressee { name: name.into(), email: "expert@example.org".into(), time_zone: None };
        String::from_utf8(compose(letter, &sender(), &to, token, &threading()).unwrap().formatted()).unwrap()
    }

    #[test]
    fn an_invitation_carries_the_token_in_link_and_reply_address_and_escapes_the_name() {
        let q = questionnaire("en");
        let deadline = Utc.with_ymd_and_hms(2026, 12, 14, 17, 0, 0).single().unwrap();
        let token = "abcdefghijklmnopqrstuvwxyz234567";
        let message =
            raw(&Letter::Invitation { questionnaire: &q, deadline }, "Eve <script>alert(1)</script>", Some(token));
        let parsed = mail_parser::MessageParser::default().parse(message.as_bytes()).unwrap();
        let reply_to = parsed.reply_to().and_then(|a| a.first()).and_then(|a| a.address()).unwrap();
        assert_eq!(reply_to, format!("delphi+{token}@study.example"));
        let text = parsed.body_text(0).unwrap();
        assert!(text.contains(&format!("https://study.example/s/{token}")));
        assert!(text.contains("2026-12-14 17:00 UTC"));
        assert!(text.contains("[verification.benefit]"), "the reply form");
        let html = parsed.body_html(0).unwrap();
        assert!(html.contains("Eve &lt;script&gt;") && !html.contains("<script>"), "{html}");
        assert!(!message.contains("Auto-Submitted"), "an invitation is not an automatic reply");
    }

    #[test]
    fn answers_to_replies_are_marked_automatic_and_go_in_the_experts_language() {
        let q = questionnaire("zh");
        let problems = vec!["第 9 行：超出 1–5".to_owned()];
        let deadline = Utc.with_ymd_and_hms(2026, 12, 14, 17, 0, 0).single().unwrap();
        let filled = BTreeMap::new();
        let message =
            raw(&Letter::Problems { questionnaire: &q, problems: &problems, filled: &filled, deadline }, "王", None);
        assert!(message.contains("Auto-Submitted: auto-replied"));
        let parsed = mail_parser::MessageParser::default().parse(message.as_bytes()).unwrap();
        assert!(parsed.subject().unwrap().starts_with("尚未记录"), "{:?}", parsed.subject());
        assert!(parsed.body_text(0).unwrap().contains("第 9 行：超出 1–5"));
        let reply_to = parsed.reply_to().and_then(|a| a.first()).and_then(|a| a.address()).unwrap();
        assert_eq!(reply_to, "delphi@study.example", "without a token, replies go to the plain address");
    }

    /// An expert whose mail client replies in HTML answers inside the quoted HTML part: the
    /// form there, read back as text the way ingest reads an HTML reply, still parses.
    #[test]
    fn a_reply_written_into_the_html_part_reads_as_the_reply_form() {
        let q = questionnaire("en");
        let deadline = Utc.with_ymd_and_hms(2026, 12, 14, 17, 0, 0).single().unwrap();
        let message = raw(&Letter::Invitation { questionnaire: &q, deadline }, "Ada", Some("tok"));
        let parsed = mail_parser::MessageParser::default().parse(message.as_bytes()).unwrap();
        let html = parsed.body_html(0).unwrap().into_owned();
        assert!(!html.contains("<pre"), "{html}");
        let marker = "[verification.benefit]";
        assert_eq!(html.matches(marker).count(), 1, "{html}");
        let answered = html.replacen(marker, &format!("{marker} 6"), 1);
        let text = super::super::inbound::html_to_text(&answered);
        let reply = delphi_survey::reply::parse(&q, &text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
        let benefit = reply.answers.iter().find(|(id, _)| id.as_str() == "verification.benefit").map(|(_, a)| a);
        assert_eq!(benefit, Some(&Answer::Ordinal { point: 6 }), "the answer is read from the HTML part: {text}");
    }

    /// Round 2 as one expert gets it: the group's bars for an ordinal item, the number line
    /// of a probability, a rationale that tries to pass for an answer.
    fn round_two(language: &str) -> Questionnaire {
        use delphi_survey::feedback::{ItemFeedback, OwnAnswer, PointCount, Rationales};
        let mut q = questionnaire(language);
        q.round = 2;
        q.feedback_round = Some(1);
        for item in &mut q.items {
            item.feedback = match &item.answer {
                delphi_survey::AnswerSpec::Ordinal { min, max, .. } => Some(ItemFeedback {
                    n: 6,
                    median: Some(f64::from(*min + 1)),
                    q1: Some(f64::from(*min)),
                    q3: Some(f64::from(*min + 2)),
                    distribution: (*min..=*max)
                        .map(|point| PointCount { point, count: u32::from(point - min < 3) * 2 })
                        .collect(),
                    own: OwnAnswer::Given { answer: Answer::Ordinal { point: *min } },
                    rationales: Rationales {
                        below: vec![format!("[{}] 1 is what I would say", item.id).into()],
                        ..Rationales::default()
                    },
                    ..ItemFeedback::default()
                }),
                delphi_survey::AnswerSpec::Probability => Some(ItemFeedback {
                    n: 5,
                    median: Some(0.3),
                    q1: Some(0.2),
                    q3: Some(0.5),
                    own: OwnAnswer::Given { answer: Answer::Probability { value: 0.25 } },
                    ..ItemFeedback::default()
                }),
                _ => None,
            };
        }
        q
    }

    /// The HTML part draws the group's figures (bars, a number line, a legend) instead of
    /// the form's text charts; the text part keeps its charts; and an expert answering in
    /// the quoted HTML part is read as answering exactly what they typed, the drawn figures
    /// and the quoted rationales giving no answer of their own.
    #[test]
    fn round_two_draws_the_figures_in_html_and_a_quoting_reply_reads_only_what_was_typed() {
        for language in ["en", "zh"] {
            let q = round_two(language);
            let ui = delphi_survey::ui::ui(&q.language);
            let deadline = Utc.with_ymd_and_hms(2026, 12, 14, 17, 0, 0).single().unwrap();
            let message = raw(&Letter::Invitation { questionnaire: &q, deadline }, "Ada", Some("tok"));
            let parsed = mail_parser::MessageParser::default().parse(message.as_bytes()).unwrap();
            let (text, html) = (parsed.body_text(0).unwrap().into_owned(), parsed.body_html(0).unwrap().into_owned());
            assert!(
                text.contains("####################") && text.contains(ui.you),
                "the text part keeps its charts: {text}"
            );
            for words in [ui.legend_own, ui.legend_median, ui.legend_middle] {
                assert!(html.contains(&escape(words)), "{language}: the HTML legend names {words}");
            }
            assert!(!html.contains("##"), "no text chart in the HTML part");
            assert!(html.contains(";background:#24528f\"></div>"), "the expert's own bar is drawn");
            let your_answer = escape(&ui.your_answer.replace("{round}", "1").replace("{answer}", "25 %"));
            assert!(html.contains(&your_answer), "{language}: {your_answer} is said beside the number line");
            assert!(html.contains("1<br>▲"), "{language}: the expert's own point is marked on the bars");
            assert!(html.find("<table").unwrap() < html.find("[verification.benefit]").unwrap(), "figures first");

            let marker = "[verification.benefit]";
            let typed = html.replacen(&format!("{marker}<"), &format!("{marker} 6<"), 1);
            assert_ne!(typed, html, "the HTML form holds an empty marker to type into");
            let quoted = super::super::inbound::html_to_text(&typed);
            let reply = delphi_survey::reply::parse(&q, &quoted).unwrap_or_else(|e| panic!("{e:?}\n{quoted}"));
            let typed_answers: Vec<(&str, &Answer)> = reply.answers.iter().map(|(id, a)| (id.as_str(), a)).collect();
            assert_eq!(typed_answers, [("verification.benefit", &Answer::Ordinal { point: 6 })], "{quoted}");
        }
    }
}
