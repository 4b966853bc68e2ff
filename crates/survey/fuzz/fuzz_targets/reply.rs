//! Any bytes as a reply to the round-2 text form (with feedback) of the shipped study:
//! the parser must not panic, and whatever it accepts must be valid answers.
#![no_main]

use std::sync::OnceLock;

use delphi_core::Study;
use delphi_survey::{Questionnaire, RoundFeedback, answer, questionnaire, reply};
use libfuzzer_sys::fuzz_target;

fn form() -> &'static Questionnaire {
    static FORM: OnceLock<Questionnaire> = OnceLock::new();
    FORM.get_or_init(|| {
        let study = Study::from_toml(include_str!("../../../../surveys/ai-safety-cooperation.toml"), "study.toml")
            .expect("the shipped study is valid");
        let feedback = RoundFeedback { round: 1, items: Default::default() };
        questionnaire(&study, 2, Some(&feedback), study.default_language()).expect("round 2")
    })
}

fuzz_target!(|data: &[u8]| {
    let q = form();
    let mail = String::from_utf8_lossy(data);
    if let Ok(reply) = reply::parse(q, &mail) {
        assert!(!reply.answers.is_empty());
        for (id, a) in &reply.answers {
            let item = q.items.iter().find(|i| &i.id == id).expect("answers are to items of the form");
            answer::validate(&item.answer, a).expect("accepted answers are valid");
        }
    }
    // the web form's fields, split from the same bytes
    let fields: Vec<(String, String)> =
        mail.lines().filter_map(|l| l.split_once('=').map(|(n, v)| (n.to_owned(), v.to_owned()))).collect();
    if let Ok(reply) = reply::parse_form(q, &fields) {
        for (id, a) in &reply.answers {
            let item = q.items.iter().find(|i| &i.id == id).expect("answers are to items of the form");
            answer::validate(&item.answer, a).expect("accepted answers are valid");
        }
    }
});
