//! A ranking item that allows ties (`ties = true`): how an expert gives a tie by email and on
//! the web form, how the form says so, and how their tied answer comes back to them in round 2
//! (shown as a tie, filled in as a tie). Replies are written as people type them.

mod fixture;

use std::collections::BTreeMap;

use delphi_core::study::ItemId;
use delphi_survey::answer::AnswerError;
use delphi_survey::reply::{ReplyError, parse, parse_form};
use delphi_survey::{
    Answer, Questionnaire, RankOrder, Tier, html, mail_html, markdown, personalise, questionnaire, text,
};

fn round1(language: &str) -> Questionnaire {
    let study = fixture::study_with_ties();
    questionnaire(&study, 1, None, &fixture::language(&study, language)).expect("round 1")
}

fn area_ranking(q: &Questionnaire) -> ItemId {
    q.item("area-ranking").expect("asked").id.clone()
}

/// `places` best first, each a list of domain ids sharing it.
fn ranking(q: &Questionnaire, places: &[&[&str]]) -> Answer {
    let domain = |id: &str| q.domains.iter().find(|d| d.id.as_str() == id).expect("a domain").id.clone();
    let tiers = places.iter().map(|p| Tier::new(p.iter().map(|id| domain(id)).collect()).expect("a place"));
    Answer::Ranking { order: RankOrder::new(tiers.collect()) }
}

/// Verification first, protocols and evaluations tied for second, infrastructure last.
fn tied(q: &Questionnaire) -> Answer {
    ranking(q, &[&["verification"], &["protocols", "evaluations"], &["infrastructure"]])
}

fn only(q: &Questionnaire, answer: Answer) -> BTreeMap<ItemId, Answer> {
    BTreeMap::from([(area_ranking(q), answer)])
}

#[test]
fn the_forms_say_how_to_give_a_tie_only_where_one_is_allowed() {
    let with_ties = text::render(&round1("en"));
    let joined = with_ties.replace("\n:: ", " ");
    assert!(
        joined.contains("Options you rank equal may share a place: join them with =, as in 2, 1 = 4, 3"),
        "{with_ties}"
    );
    let zh = text::render(&round1("zh")).replace("\n:: ", "").replace(' ', "");
    assert!(zh.contains("用=连接，例如2,1=4,3（1和4并列第二）。"), "{zh}");
    let strict = text::render(&fixture::round1("en"));
    assert!(!strict.contains("join them with ="), "{strict}");

    let page = html::render(&round1("en"), "/s/t", &BTreeMap::new());
    assert!(page.contains("Options you rank equal may share a rank (a tie): give them the same number."), "{page}");
    let preview = markdown::render(&round1("en"));
    assert!(preview.contains("join them with =, as in 2, 1 = 4, 3"), "{preview}");
    let strict_page = html::render(&fixture::round1("en"), "/s/t", &BTreeMap::new());
    assert!(strict_page.contains("Give each option a different rank") && !strict_page.contains("a tie"));
}

#[test]
fn a_tie_typed_in_a_reply_as_people_type_it_is_read_as_a_tie() {
    let q = round1("en");
    let want = only(&q, tied(&q));
    for line in [
        "[area-ranking] verification, protocols = evaluations, infrastructure",
        "[area-ranking] 1, 2=4, 3",
        "[area-ranking]   1 2 = 4 3  ",
        "[area-ranking] Verification mechanisms > Protocols and shared standards = Evaluations > Infrastructure",
        "[area-ranking]: verification; protocols = evaluations; infrastructure",
    ] {
        let reply = parse(&q, line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(reply.answers, want, "{line}");
    }
    // A Chinese keyboard: full-width brackets, comma and equals sign, titles in Chinese.
    let zh = round1("zh");
    for line in ["［area-ranking］验证机制，规程与共享标准＝评测，基础设施", "[area-ranking]：１，２＝４，３"]
    {
        let reply = parse(&zh, line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(reply.answers, only(&zh, tied(&zh)), "{line}");
    }
}

#[test]
fn a_tie_written_into_the_form_quoted_below_an_outlook_header_is_read() {
    let q = round1("en");
    let form = text::render(&q).replace("[area-ranking]\n", "[area-ranking] 1, 2 = 4, 3\n");
    let mail = format!(
        "Hello, my answers are in the form below.\r\n\r\n\
         From: Delphi coordinator <delphi@example.org>\r\nSent: Monday, 30 November 2026 09:00\r\n\
         To: Ana Expert <ana@example.org>\r\nSubject: Round 1\r\n\r\n{}",
        form.replace('\n', "\r\n")
    );
    let reply = parse(&q, &mail).expect("parses");
    assert_eq!(reply.answers, only(&q, tied(&q)));
    // and quoted with `>` by a client that quotes, the expert's line in the quote
    let quoted: String = form.lines().map(|l| format!("> {l}\n")).collect();
    let reply = parse(&q, &format!("See below.\n\nOn Mon, 30 Nov 2026, Delphi wrote:\n{quoted}")).expect("parses");
    assert_eq!(reply.answers, only(&q, tied(&q)));
}

#[test]
fn a_tie_typed_above_its_marker_is_asked_about_never_moved() {
    let q = round1("en");
    let form = text::render(&q).replace("[area-ranking]\n", "1, 2 = 4, 3\n[area-ranking]\n");
    let errors = parse(&q, &form).unwrap_err();
    assert!(
        errors.0.iter().any(|e| matches!(e, ReplyError::Unplaced { item, value, .. } if item == "area-ranking" && value == "1, 2 = 4, 3")),
        "{errors}"
    );
}

#[test]
fn a_tie_on_an_item_that_asks_for_a_strict_order_is_refused_in_the_experts_words() {
    let q = fixture::round1("en");
    let errors = parse(&q, "[area-ranking] 1, 2 = 4, 3").unwrap_err();
    assert_eq!(
        errors.0[0].message(&q.language),
        "“Rank the four areas from the most promising (first) to the least promising (last) for US–China cooperation \
         on technical AI safety.”: this question asks for a strict order, without ties: evaluations and protocols \
         share a place; give each option a place of its own"
    );
    let zh = fixture::round1("zh");
    let errors = parse(&zh, "[area-ranking] 1，2＝4，3").unwrap_err();
    assert!(errors.message(&zh.language).contains("不能并列"), "{}", errors.message(&zh.language));
    // A lone `=` says what it is for.
    let errors = parse(&round1("en"), "[area-ranking] 1, 2, 4, 3 =").unwrap_err();
    assert!(matches!(&errors.0[0], ReplyError::Answer { error: AnswerError::LoneTie, .. }), "{errors}");
}

fn rank_fields(ranks: [&str; 4]) -> Vec<(String, String)> {
    ["verification", "protocols", "infrastructure", "evaluations"]
        .iter()
        .zip(ranks)
        .map(|(d, r)| (format!("area-ranking:{d}"), r.to_owned()))
        .collect()
}

#[test]
fn on_the_web_form_the_same_rank_twice_is_a_tie_where_ties_are_allowed_and_refused_where_not() {
    let q = round1("en");
    // Competition ranks (1, 2, 2, 4) and dense ranks (1, 2, 2, 3) say the same.
    for ranks in [["1", "2", "4", "2"], ["1", "2", "3", "2"]] {
        let reply = parse_form(&q, &rank_fields(ranks)).unwrap_or_else(|e| panic!("{ranks:?}: {e}"));
        assert_eq!(reply.answers, only(&q, tied(&q)), "{ranks:?}");
    }
    // A rank left out is still a problem, said without asking for different ranks.
    let errors = parse_form(&q, &rank_fields(["1", "2", "", "2"])).unwrap_err();
    assert_eq!(errors.0[0].message_beside(&q.language), "Infrastructure has no rank yet; give each option a rank");
    let strict = fixture::round1("en");
    let errors = parse_form(&strict, &rank_fields(["1", "2", "4", "2"])).unwrap_err();
    assert_eq!(
        errors.0[0].message_beside(&strict.language),
        "Protocols and shared standards and Evaluations both have rank 2; give each option a different rank"
    );
}

#[test]
fn a_tied_answer_fills_the_web_form_with_a_shared_rank_and_a_refused_form_keeps_what_was_typed() {
    let q = round1("en");
    let fields = html::answer_fields(&q, &only(&q, tied(&q)));
    let ranks: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        ranks,
        [
            ("area-ranking:evaluations", "2"),
            ("area-ranking:infrastructure", "4"),
            ("area-ranking:protocols", "2"),
            ("area-ranking:verification", "1")
        ]
    );
    // What the form shows reads back as the same tie.
    let sent: Vec<(String, String)> = fields.into_iter().collect();
    assert_eq!(parse_form(&q, &sent).expect("reads").answers, only(&q, tied(&q)));
    // A refused submission (a rank missing) comes back with the ranks as typed.
    let typed = rank_fields(["1", "2", "", "2"]);
    let (_, errors) = delphi_survey::reply::read_form(&q, &typed);
    let page = html::render_refused(&q, "/s/t", &typed, &html::Problem::all(&q, &errors));
    let selected = |option: &str, rank: &str| {
        let select = page.split(&format!("name=\"area-ranking:{option}\"")).nth(1).expect("a select");
        let select = &select[..select.find("</select>").expect("closed")];
        select.contains(&format!("<option value=\"{rank}\" selected>"))
    };
    assert!(selected("verification", "1") && selected("protocols", "2") && selected("evaluations", "2"), "{page}");
    assert!(page.contains("Infrastructure has no rank yet"), "{page}");
}

/// Round 2 of the ties study, made out to an expert whose round-1 answer was `tied`.
fn personal_round2(language: &str) -> Questionnaire {
    let study = fixture::study_with_ties();
    let feedback = fixture::feedback(&study);
    let shared = questionnaire(&study, 2, Some(&feedback), &fixture::language(&study, language)).expect("round 2");
    let previous = only(&shared, tied(&shared));
    personalise(&shared, &previous)
}

#[test]
fn an_experts_own_tied_answer_comes_back_as_a_tie_shown_and_filled_in() {
    let q = personal_round2("en");
    let form = text::render(&q);
    let read = form.replace("\n::   ", " ").replace("\n:: ", " ");
    assert!(
        read.contains(
            "Your answer in round 1: Verification mechanisms > Evaluations = Protocols and shared standards > Infrastructure"
        ),
        "{form}"
    );
    assert!(
        form.contains("\n[area-ranking] verification, evaluations = protocols, infrastructure\n"),
        "filled in: {form}"
    );
    assert!(read.contains("a tie for places 2–3 counts as rank 2.5 in the mean"), "{form}");
    // Sent back unchanged, the form keeps the tie.
    assert_eq!(parse(&q, &form).expect("parses").answers, only(&q, tied(&q)));

    // The web form: the expert's own places in the table (2–3 for the tie), ranks filled in.
    let page = html::render(&q, "/s/t", &BTreeMap::new());
    let table = &page[page.find("<table>").expect("the ranking table")..];
    let row = |title: &str| {
        let row = table.split(&format!("<th scope=\"row\">{title}</th>")).nth(1).expect("a row");
        row[..row.find("</tr>").expect("closed")].to_owned()
    };
    assert!(row("Protocols and shared standards").ends_with("<td>2–3</td>"), "{table}");
    assert!(row("Evaluations").ends_with("<td>2–3</td>"), "{table}");
    assert!(row("Verification mechanisms").ends_with("<td>1</td>"), "{table}");
    assert!(page.contains("<option value=\"2\" selected>2</option>"), "{page}");

    // The email's HTML part: the same places.
    let mail = mail_html::figures(&q).expect("figures");
    assert_eq!(mail.matches(">2–3</td>").count(), 2, "{mail}");
    assert!(mail.contains("a tie for places 2–3 counts as rank 2.5"), "{mail}");

    // In Chinese too.
    let zh = text::render(&personal_round2("zh")).replace("\n::   ", "").replace("\n:: ", "").replace(' ', "");
    assert!(zh.contains("验证机制>评测=规程与共享标准>基础设施"), "{zh}");
}
