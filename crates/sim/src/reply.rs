//! An expert's reply to their invitation, written as a person does in a mail client.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use delphi_core::study::is_chinese_code;
use delphi_survey::answer::{Answer, format_value};

use crate::panel::SimulatedExpert;

/// What an expert needs of the invitation they were sent (read from it by the caller).
#[derive(Debug, Clone)]
pub struct Invitation {
    /// The token of the personal link `…/s/<token>` in the text.
    pub link_token: String,
    /// The reply address, `delphi+<token>@…`.
    pub reply_to: String,
    /// Its subject.
    pub subject: String,
    /// Its Message-ID, without angle brackets.
    pub message_id: String,
    /// The sender's address.
    pub from: String,
    /// The text part: the letter and the reply form.
    pub text: String,
}

/// A plain-text reply as a mail client makes it, sent at `now`: a greeting in the expert's
/// language, then the invitation quoted with the answers written after the `[item]` markers
/// (as Gmail users do). Its Message-ID names the demo's `seed`, `round` and the expert.
pub fn email_reply(
    expert: &SimulatedExpert,
    invitation: &Invitation,
    answers: &BTreeMap<String, Answer>,
    round: u32,
    seed: u64,
    now: DateTime<Utc>,
) -> Vec<u8> {
    let mut quoted = String::new();
    for line in invitation.text.lines() {
        let marker = line.trim().strip_prefix('[').and_then(|rest| rest.split_once(']')).map(|(item, _)| item);
        match marker.and_then(|item| answers.get(item).map(|answer| (item, answer))) {
            Some((item, answer)) => quoted.push_str(&format!("> [{item}] {}\r\n", format_value(answer))),
            None if line.is_empty() => quoted.push_str(">\r\n"),
            None => quoted.push_str(&format!("> {line}\r\n")),
        }
    }
    let greeting = if is_chinese_code(expert.language) {
        "您好，\r\n\r\n我的答案写在下面的表格中。"
    } else {
        "Hello,\r\n\r\nmy answers are in the form below."
    };
    format!(
        "From: {} <{}>\r\nTo: {}\r\nSubject: Re: {}\r\nMessage-ID: <demo-{seed}-r{round}-{}@panel.example.org>\r\n\
         In-Reply-To: <{}>\r\nReferences: <{}>\r\nDate: {}\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         {greeting}\r\n\r\n{}\r\n\r\nOn {}, {} wrote:\r\n{quoted}",
        expert.name,
        expert.email,
        invitation.reply_to,
        invitation.subject,
        expert.id.to_lowercase(),
        invitation.message_id,
        invitation.message_id,
        now.to_rfc2822(),
        expert.name,
        now.format("%a, %e %b %Y at %H:%M"),
        invitation.from,
    )
    .into_bytes()
}
