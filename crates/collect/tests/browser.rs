//! A real browser fills in the form: headless Chromium, driven through chromedriver's
//! WebDriver protocol, opens an expert's personal link, answers, submits, and the answers
//! are in the store. Screenshots of the form are kept in tests/artifacts/ for a person to
//! look at. Needs Debian's `chromium` and `chromium-driver` (scripts/test installs them).
//!
//! - the empty form of round 1, answered and stored;
//! - a ranking that allows ties: two areas given the same rank, stored as a tie;
//! - a refused submission (two ranks of 1, quantiles out of order): every value typed stays
//!   on the page, each problem sits beside its question, the valid answers wait as a draft
//!   (shown again on the next visit, never counted), and the corrected form is stored;
//! - round 2 comes filled in with the expert's round-1 answers, and submitting it unchanged
//!   records every one of them for round 2;
//! - round 2 feeds back every kind of question — a ranking's mean ranks and places, a
//!   quantile item's pool and spread of medians, a probability's median and quartiles, the
//!   round-1 proposals — each beside the expert's own earlier answer, charts with a legend;
//! - a long list of rationales comes in pages of ten, and going from page to page keeps
//!   what the expert has typed.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::{DateTime, Utc};
use delphi_collect::{Service, ServiceConfig, Writer, serve};
use delphi_core::Study;
use delphi_core::panel::Panel;
use delphi_core::study::StudyId;
use delphi_store::Store;
use delphi_survey::QuantileValues;
use delphi_survey::feedback::{Grouped, OptionRanks, Pooled, Rationale, Rationales};
use delphi_survey::{FrozenRound, ItemFeedback, PointCount, RoundFeedback};
use serde_json::{Value, json};

const STUDY: &str = include_str!("../../../surveys/ai-safety-cooperation.toml");
const PANEL: &str = include_str!("../../../surveys/ai-safety-cooperation.panel.csv");
static ID: LazyLock<StudyId> = LazyLock::new(|| StudyId::parse("ai-safety-cooperation").unwrap());
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

#[path = "../../../tests/support/webdriver.rs"]
mod webdriver;

use webdriver::{Driver, call, start_driver};

/// One headless Chromium session, with what a test does in it.
struct Browser {
    http: reqwest::Client,
    session: String,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn start() -> Self {
        let http = reqwest::Client::new();
        let driver = start_driver(&http).await;
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=900,1400", format!("--user-data-dir={}", profile.path().display()),
            ]},
        }}});
        let session = call(&http, reqwest::Method::POST, format!("{}/session", driver.url), Some(capabilities)).await;
        let session = format!("{}/session/{}", driver.url, session["sessionId"].as_str().unwrap());
        Self { http, session, _driver: driver, _profile: profile }
    }

    async fn get(&self, path: &str) -> Value {
        call(&self.http, reqwest::Method::GET, format!("{}/{path}", self.session), None).await
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        call(&self.http, reqwest::Method::POST, format!("{}/{path}", self.session), Some(body)).await
    }

    async fn open(&self, url: &str) {
        self.post("url", json!({"url": url})).await;
    }

    async fn find(&self, css: &str) -> String {
        let found = self.post("element", json!({"using": "css selector", "value": css})).await;
        found[ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}")).to_owned()
    }

    async fn count(&self, css: &str) -> usize {
        self.post("elements", json!({"using": "css selector", "value": css})).await.as_array().unwrap().len()
    }

    async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.post(&format!("element/{element}/click"), json!({})).await;
    }

    async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.post(&format!("element/{element}/value"), json!({"text": text})).await;
    }

    /// A choice in a dropdown, picked as a person does: the option is clicked.
    async fn choose(&self, select: &str, value: &str) {
        self.click(&format!("select[name='{select}'] option[value='{value}']")).await;
    }

    /// A live property of an element (`checked`, `value`), as the page holds it now.
    async fn property(&self, css: &str, name: &str) -> Value {
        let element = self.find(css).await;
        self.get(&format!("element/{element}/property/{name}")).await
    }

    /// Whether a person would see the element (WebDriver's "is displayed").
    async fn displayed(&self, css: &str) -> bool {
        let element = self.find(css).await;
        self.get(&format!("element/{element}/displayed")).await.as_bool().unwrap()
    }

    async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        self.get(&format!("element/{element}/text")).await.as_str().unwrap().to_owned()
    }

    async fn wait_for(&self, words: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let source = self.get("source").await;
            if source.as_str().unwrap().contains(words) {
                return;
            }
            assert!(Instant::now() < deadline, "the page never said “{words}”");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// A screenshot of the viewport with `css` scrolled into view, for a person to look at.
    async fn screenshot(&self, css: &str, name: &str) {
        let element = self.find(css).await;
        self.post("execute/sync", json!({"script": "arguments[0].scrollIntoView()", "args": [{ELEMENT: element}]}))
            .await;
        let png = self.get("screenshot").await;
        let png = base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap()).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/artifacts");
        std::fs::create_dir_all(&artifacts).unwrap();
        std::fs::write(artifacts.join(name), &png).unwrap();
    }

    async fn close(self) {
        let _ = self.http.delete(&self.session).send().await;
    }
}

/// The shipped study and panel on a real SQLite file, round 1 open.
fn study_store(now: DateTime<Utc>) -> (tempfile::TempDir, PathBuf, Study) {
    study_store_of(STUDY, now)
}

/// The study of `source` (the shipped one, changed) with the shipped panel, round 1 open.
fn study_store_of(source: &str, now: DateTime<Utc>) -> (tempfile::TempDir, PathBuf, Study) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("delphi.sqlite");
    let study = Study::from_toml(source, "study.toml").unwrap();
    let mut store = Store::open(&path).unwrap();
    store.register_study(&ID, source, now).unwrap();
    store.import_panel(&ID, &Panel::from_csv(PANEL, "panel.csv", &study).unwrap(), now).unwrap();
    let frozen = serde_json::to_string(&FrozenRound::build(&study, 1, None).unwrap()).unwrap();
    store.open_round(&ID, 1, 3, &frozen, now + chrono::Duration::hours(1), now).unwrap();
    (dir, path, study)
}

/// The web collector on the store, on a loopback port.
async fn start_server(path: &Path) -> SocketAddr {
    let (writer, _thread) = Writer::spawn(Store::open(path).unwrap());
    let service = Service::new(
        ServiceConfig::new(ID.clone()),
        vec![Store::open(path).unwrap(), Store::open(path).unwrap()],
        writer,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, service, std::future::pending::<()>()));
    address
}

fn stored(path: &Path, round: u32) -> Vec<(String, Value)> {
    Store::open(path).unwrap().current_answers(&ID, round).unwrap().into_iter().map(|a| (a.item_id, a.value)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_fills_in_the_form_and_the_answers_are_stored() {
    let now = Utc::now();
    let (_dir, path, _) = study_store(now);
    let token = Store::open(&path).unwrap().issue_token(&ID, 1, "E01", now).unwrap().expose().to_owned();
    let address = start_server(&path).await;
    let browser = Browser::start().await;
    browser.open(&format!("http://{address}/s/{token}")).await;
    // A screenshot of the empty form, for a person to look at.
    browser.screenshot("h1", "web-form.png").await;

    // Answer with the keyboard and mouse, as an expert would.
    browser.click("input[name='verification.benefit'][value='6']").await;
    browser.click("input[name='verification.risk-harm'][value='dk']").await;
    browser.type_into("textarea[name='verification.rationale']", "Checks <b>build</b> trust.").await;
    browser.click("button[type='submit']").await;
    browser.wait_for("Your answers are saved").await;
    browser.close().await;

    assert_eq!(
        stored(&path, 1),
        [
            ("verification.benefit".to_owned(), json!({"kind": "ordinal", "point": 6})),
            ("verification.rationale".to_owned(), json!({"kind": "text", "text": "Checks <b>build</b> trust."})),
            ("verification.risk-harm".to_owned(), json!({"kind": "dont-know"})),
        ]
    );
}

/// Where the ranking allows ties (`ties = true`), the expert picks the same rank for two
/// areas and the tie is stored as one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_gives_two_areas_the_same_rank_where_ties_are_allowed_and_the_tie_is_stored() {
    let now = Utc::now();
    let source = STUDY.replacen("of = \"domains\"\n", "of = \"domains\"\nties = true\n", 1);
    let (_dir, path, _) = study_store_of(&source, now);
    let token = Store::open(&path).unwrap().issue_token(&ID, 1, "E01", now).unwrap().expose().to_owned();
    let address = start_server(&path).await;
    let browser = Browser::start().await;
    browser.open(&format!("http://{address}/s/{token}")).await;
    browser.wait_for("Options you rank equal may share a rank (a tie): give them the same number.").await;
    for (area, rank) in [("verification", "1"), ("protocols", "2"), ("evaluations", "2"), ("infrastructure", "4")] {
        browser.choose(&format!("area-ranking:{area}"), rank).await;
    }
    browser.click("button[type='submit']").await;
    browser.wait_for("Your answers are saved").await;
    browser.close().await;
    assert_eq!(
        stored(&path, 1),
        [(
            "area-ranking".to_owned(),
            json!({"kind": "ranking", "order": ["verification", ["evaluations", "protocols"], "infrastructure"]})
        )]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_submission_keeps_every_typed_value_with_each_problem_beside_its_question() {
    let now = Utc::now();
    let (_dir, path, _) = study_store(now);
    let token = Store::open(&path).unwrap().issue_token(&ID, 1, "E01", now).unwrap().expose().to_owned();
    let address = start_server(&path).await;
    let browser = Browser::start().await;
    let link = format!("http://{address}/s/{token}");
    browser.open(&link).await;

    // An expert answers a good part of the form, gives two areas rank 1 and writes the
    // quantiles of one question out of order.
    browser.click("input[name='verification.benefit'][value='6']").await;
    browser.click("input[name='protocols.benefit'][value='dk']").await;
    browser.type_into("textarea[name='verification.rationale']", "Shared checks build trust.").await;
    browser.type_into("input[name='years-to-first-agreement:p5']", "9").await;
    browser.type_into("input[name='years-to-first-agreement:p50']", "4").await;
    browser.type_into("input[name='years-to-first-agreement:p95']", "20").await;
    browser.type_into("input[name='p-joint-evaluation-2030']", "35").await;
    for (option, rank) in [("verification", "1"), ("protocols", "1"), ("infrastructure", "2"), ("evaluations", "3")] {
        browser.choose(&format!("area-ranking:{option}"), rank).await;
    }
    browser.click("button[type='submit']").await;
    browser.wait_for("everything you entered is kept below").await;
    browser.screenshot("#item-area-ranking", "web-form-refused.png").await;

    // Every value is still there, as typed.
    assert_eq!(browser.property("input[name='verification.benefit'][value='6']", "checked").await, json!(true));
    assert_eq!(browser.property("input[name='protocols.benefit'][value='dk']", "checked").await, json!(true));
    assert_eq!(
        browser.property("textarea[name='verification.rationale']", "value").await,
        json!("Shared checks build trust.")
    );
    for (field, value) in [
        ("years-to-first-agreement:p5", "9"),
        ("years-to-first-agreement:p50", "4"),
        ("years-to-first-agreement:p95", "20"),
        ("p-joint-evaluation-2030", "35"),
    ] {
        assert_eq!(browser.property(&format!("input[name='{field}']"), "value").await, json!(value), "{field}");
    }
    for (option, rank) in [("verification", "1"), ("protocols", "1"), ("infrastructure", "2"), ("evaluations", "3")] {
        let select = format!("select[name='area-ranking:{option}']");
        assert_eq!(browser.property(&select, "value").await, json!(rank), "{option}");
    }
    // Each problem sits in its own question's box, in words the page shows; nothing else is
    // marked, and no internal id or email-form instruction is in sight.
    assert_eq!(browser.count("fieldset .problem").await, 2);
    let ranking = browser.text("#item-area-ranking .problem").await;
    assert!(
        ranking.contains("Verification mechanisms and Protocols and shared standards both have rank 1"),
        "{ranking}"
    );
    let quantiles = browser.text("#item-years-to-first-agreement .problem").await;
    assert!(
        quantiles.contains("each value must be larger than the one before, found 5 %: 9, 50 %: 4, 95 %: 20"),
        "{quantiles}"
    );
    let shown = browser.text("main").await;
    for internal in ["area-ranking", "years-to-first-agreement", "separated by commas", "most promising first"] {
        assert!(!shown.contains(internal), "the page shows “{internal}”");
    }
    assert!(stored(&path, 1).is_empty(), "a refused submission stores no answer");
    let draft = Store::open(&path).unwrap().draft(&ID, 1, "E01").unwrap();
    let kept: Vec<&str> = draft.iter().map(|(item, _)| item.as_str()).collect();
    assert_eq!(
        kept,
        ["p-joint-evaluation-2030", "protocols.benefit", "verification.benefit", "verification.rationale"],
        "the valid answers wait as a draft"
    );

    // Coming back later, the expert finds the draft.
    browser.open(&link).await;
    browser.wait_for("These answers were not sent yet").await;
    assert_eq!(browser.property("input[name='verification.benefit'][value='6']", "checked").await, json!(true));
    assert_eq!(
        browser.property("textarea[name='verification.rationale']", "value").await,
        json!("Shared checks build trust.")
    );

    // Fixed and sent, everything counts and the draft is gone.
    for (option, rank) in [("verification", "1"), ("protocols", "2"), ("infrastructure", "3"), ("evaluations", "4")] {
        browser.choose(&format!("area-ranking:{option}"), rank).await;
    }
    browser.click("button[type='submit']").await;
    browser.wait_for("Your answers are saved").await;
    browser.close().await;
    let items: Vec<String> = stored(&path, 1).into_iter().map(|(item, _)| item).collect();
    assert_eq!(
        items,
        [
            "area-ranking",
            "p-joint-evaluation-2030",
            "protocols.benefit",
            "verification.benefit",
            "verification.rationale"
        ]
    );
    assert!(Store::open(&path).unwrap().draft(&ID, 1, "E01").unwrap().is_empty());
}

/// Round 1 of expert E01: answers of every kind, as any channel stores them; the round
/// is then closed.
fn record_round_1(path: &Path, now: DateTime<Utc>) -> BTreeMap<&'static str, Value> {
    let round1: BTreeMap<&str, Value> = BTreeMap::from([
        ("verification.benefit", json!({"kind": "ordinal", "point": 5})),
        ("protocols.benefit", json!({"kind": "dont-know"})),
        ("verification.rationale", json!({"kind": "text", "text": "Trust, but verify.\nTwice."})),
        ("years-to-first-agreement", json!({"kind": "quantile", "p5": 2.0, "p50": 4.5, "p95": 12.0})),
        ("p-joint-evaluation-2030", json!({"kind": "probability", "value": 0.35})),
        (
            "area-ranking",
            json!({"kind": "ranking", "order": ["protocols", "verification", "evaluations", "infrastructure"]}),
        ),
    ]);
    let mut store = Store::open(path).unwrap();
    let answers = round1
        .iter()
        .map(|(item, value)| delphi_store::Answer {
            item_id: (*item).to_owned(),
            value: value.clone(),
            rationale: None,
        })
        .collect();
    let submission = delphi_store::Submission {
        study_id: ID.clone(),
        round: 1,
        expert_id: "E01".into(),
        channel: delphi_store::Channel::Cli,
        source_ref: None,
        answers,
    };
    store.record_submission(&submission, now).unwrap();
    store.close_round(&ID, 1, now).unwrap();
    round1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_2_comes_filled_in_and_submitting_it_unchanged_confirms_every_answer() {
    let now = Utc::now();
    let (_dir, path, study) = study_store(now);
    let round1 = record_round_1(&path, now);
    // Round 2, with the group's round-1 figures for one item.
    let mut store = Store::open(&path).unwrap();
    let mut feedback = RoundFeedback { round: 1, items: BTreeMap::new() };
    let distribution = (1..=7).map(|point| PointCount { point, count: u32::from(point == 5) }).collect();
    let benefit = study.questions().into_iter().find(|q| q.id.as_str() == "verification.benefit").unwrap().id;
    feedback.items.insert(
        benefit,
        ItemFeedback { n: 1, median: Some(5.0), q1: Some(5.0), q3: Some(5.0), distribution, ..ItemFeedback::default() },
    );
    let frozen = serde_json::to_string(&FrozenRound::build(&study, 2, Some(&feedback)).unwrap()).unwrap();
    store.open_round(&ID, 2, 3, &frozen, now + chrono::Duration::hours(1), now).unwrap();
    let token = store.issue_token(&ID, 2, "E01", now).unwrap().expose().to_owned();
    drop(store);

    let address = start_server(&path).await;
    let browser = Browser::start().await;
    browser.open(&format!("http://{address}/s/{token}")).await;
    browser.wait_for("The answers filled in are your own").await;
    browser.screenshot("#item-verification\\.benefit", "web-form-round2-prefilled.png").await;
    assert_eq!(browser.property("input[name='verification.benefit'][value='5']", "checked").await, json!(true));
    assert_eq!(browser.property("select[name='area-ranking:protocols']", "value").await, json!("1"));
    assert!(browser.text("#fb-verification\\.benefit").await.contains("Your answer in round 1: 5"));

    // Nothing changed: one click.
    browser.click("button[type='submit']").await;
    browser.wait_for("Your answers are saved").await;
    browser.close().await;
    let round2: BTreeMap<String, Value> = stored(&path, 2).into_iter().collect();
    let round1: BTreeMap<String, Value> = round1.into_iter().map(|(item, value)| (item.to_owned(), value)).collect();
    assert_eq!(round2, round1, "round 2 holds the expert's round-1 answers, every one");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_2_feeds_back_rankings_quantiles_probabilities_and_proposals_beside_the_experts_own() {
    let now = Utc::now();
    let (_dir, path, study) = study_store(now);
    record_round_1(&path, now);
    // The group's round-1 figures as the coordinator's `round open` freezes them.
    let id = |name: &str| study.questions().into_iter().find(|q| q.id.as_str() == name).unwrap().id;
    let ranks = |option: &str, mean: f64, positions: [u32; 4]| OptionRanks {
        option: option.into(),
        mean_rank: Some(mean),
        positions: positions.to_vec(),
    };
    let mut feedback = RoundFeedback { round: 1, items: BTreeMap::new() };
    feedback.items.insert(
        id("area-ranking"),
        ItemFeedback {
            n: 4,
            ranks: vec![
                ranks("evaluations", 2.75, [0, 1, 3, 0]),
                ranks("infrastructure", 3.5, [0, 0, 1, 3]),
                ranks("protocols", 1.5, [3, 0, 0, 1]),
                ranks("verification", 2.25, [1, 3, 0, 0]),
            ],
            ..ItemFeedback::default()
        },
    );
    feedback.items.insert(
        id("years-to-first-agreement"),
        ItemFeedback {
            n: 4,
            median: Some(5.0),
            q1: Some(3.5),
            q3: Some(8.0),
            pooled: Some(Pooled(QuantileValues::five_fifty_ninety_five(1.5, 6.0, 20.0))),
            ..ItemFeedback::default()
        },
    );
    feedback.items.insert(
        id("p-joint-evaluation-2030"),
        ItemFeedback { n: 4, median: Some(0.4), q1: Some(0.25), q3: Some(0.6), ..ItemFeedback::default() },
    );
    feedback.items.insert(
        id("proposals"),
        ItemFeedback {
            n: 4,
            proposals: vec![
                Grouped { text: "A joint incident database".into(), count: 3 },
                Grouped { text: "Shared red-teaming <b>exercises</b>".into(), count: 1 },
            ],
            ..ItemFeedback::default()
        },
    );
    let mut store = Store::open(&path).unwrap();
    let frozen = serde_json::to_string(&FrozenRound::build(&study, 2, Some(&feedback)).unwrap()).unwrap();
    store.open_round(&ID, 2, 3, &frozen, now + chrono::Duration::hours(1), now).unwrap();
    let token = store.issue_token(&ID, 2, "E01", now).unwrap().expose().to_owned();
    drop(store);

    let address = start_server(&path).await;
    let browser = Browser::start().await;
    browser.open(&format!("http://{address}/s/{token}")).await;
    browser.wait_for("fb-area-ranking").await;

    // Ranking: every option's mean rank and places, best first, with the expert's own place.
    browser.screenshot("#fb-area-ranking", "web-feedback-ranking.png").await;
    assert_eq!(browser.count("#fb-area-ranking tbody tr").await, 4);
    let best = browser.text("#fb-area-ranking tbody tr:first-child").await;
    assert!(best.contains("1.5") && best.contains("3 0 0 1"), "{best}");
    assert!(best.ends_with(" 1"), "the expert ranked this option first in round 1: {best}");
    assert!(browser.text("#fb-area-ranking").await.contains("your place"));

    // Quantile: the pool, the spread of the experts' medians, their own three values drawn.
    browser.screenshot("#fb-years-to-first-agreement", "web-feedback-quantile.png").await;
    let quantile = browser.text("#fb-years-to-first-agreement").await;
    assert!(quantile.contains("all experts pooled: 5 % 1.5, 50 % 6, 95 % 20"), "{quantile}");
    assert!(quantile.contains("best estimates (50 %): median 5, middle half 3.5–8"), "{quantile}");
    assert!(quantile.contains("Your answer in round 1: 5 %: 2, 50 %: 4.5, 95 %: 12 years"), "{quantile}");
    assert_eq!(browser.count("#fb-years-to-first-agreement svg circle.own").await, 3);
    for key in ["your answer", "median", "middle half of the answers", "pooled 5 %–95 % range"] {
        assert!(quantile.contains(key), "the legend names “{key}”: {quantile}");
    }

    // Probability: median and quartiles in percent, and the expert's own.
    browser.screenshot("#fb-p-joint-evaluation-2030", "web-feedback-probability.png").await;
    let probability = browser.text("#fb-p-joint-evaluation-2030").await;
    assert!(probability.contains("median 40 %, middle half 25 %–60 %, 4 answers"), "{probability}");
    assert!(probability.contains("Your answer in round 1: 35 %"), "{probability}");
    assert_eq!(browser.count("#fb-p-joint-evaluation-2030 svg rect.middle").await, 1);

    // Proposals: anonymous, identical ones once with their count, markup shown as text.
    browser.screenshot("#fb-proposals", "web-feedback-proposals.png").await;
    assert_eq!(browser.count("#fb-proposals li").await, 2);
    let proposals = browser.text("#fb-proposals").await;
    assert!(proposals.contains("A joint incident database (×3)"), "{proposals}");
    assert!(proposals.contains("Shared red-teaming <b>exercises</b>"), "{proposals}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chinese_reader_sees_an_english_rationale_translated_with_its_original_and_an_untranslated_one_marked() {
    let now = Utc::now();
    let (_dir, path, study) = study_store(now);
    record_round_1(&path, now);
    let language = |code: &str| delphi_core::study::Language::parse(code).unwrap();
    let english = |text: &str| Rationale { text: text.into(), language: Some(language("en")), ..Rationale::default() };
    let mut translated = english("Verification builds trust, step by step.");
    translated.translations.insert(language("zh"), "核查能逐步建立信任，一步一步来。".into());
    let anchor = study.questions().into_iter().find(|q| q.id.as_str() == "verification.recommendation").unwrap().id;
    let distribution = (1..=5).map(|point| PointCount { point, count: u32::from(point >= 3) }).collect();
    let mut feedback = RoundFeedback { round: 1, items: BTreeMap::new() };
    feedback.items.insert(
        anchor,
        ItemFeedback {
            n: 3,
            median: Some(4.0),
            q1: Some(3.0),
            q3: Some(5.0),
            distribution,
            rationales: Rationales {
                below: vec![Rationale {
                    text: "核查需要共同的技术标准。".into(),
                    language: Some(language("zh")),
                    ..Rationale::default()
                }],
                at: vec![translated],
                above: vec![english("On-site inspections are politically hard.")],
            },
            ..ItemFeedback::default()
        },
    );
    let mut store = Store::open(&path).unwrap();
    let frozen = serde_json::to_string(&FrozenRound::build(&study, 2, Some(&feedback)).unwrap()).unwrap();
    store.open_round(&ID, 2, 3, &frozen, now + chrono::Duration::hours(1), now).unwrap();
    // E07 reads Chinese (the panel's language column).
    let token = store.issue_token(&ID, 2, "E07", now).unwrap().expose().to_owned();
    drop(store);

    let address = start_server(&path).await;
    let browser = Browser::start().await;
    browser.open(&format!("http://{address}/s/{token}")).await;
    browser.wait_for("fb-verification.recommendation").await;
    browser.screenshot("#fb-verification\\.recommendation details", "web-feedback-translated.png").await;
    let shown = browser.text("#fb-verification\\.recommendation blockquote.translated").await;
    let (translation, original) =
        (shown.find("核查能逐步建立信任").unwrap(), shown.find("Verification builds trust").unwrap());
    assert!(shown.starts_with("译自英文") && translation < original, "the translation first, marked: {shown}");
    assert!(shown.contains("原文（英文）"), "{shown}");
    let all = browser.text("#fb-verification\\.recommendation").await;
    assert!(all.contains("On-site inspections are politically hard. (未翻译)"), "{all}");
    assert!(all.contains("核查需要共同的技术标准。"), "{all}");
    browser.close().await;
}

/// Twenty-three rationales on one item: three pages. The expert starts typing their own
/// reason, reads on to page 2 and page 3, and what they typed is still there; each page
/// names the side of the median its rationales stand on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_list_of_rationales_comes_in_pages_and_reading_them_keeps_what_was_typed() {
    let now = Utc::now();
    let (_dir, path, study) = study_store(now);
    record_round_1(&path, now);
    let reasons = |side: &str, n: usize| -> Vec<Rationale> {
        (1..=n).map(|i| Rationale { text: format!("{side} reason {i:02}"), ..Rationale::default() }).collect()
    };
    let anchor = study.questions().into_iter().find(|q| q.id.as_str() == "verification.recommendation").unwrap().id;
    let distribution = (1..=5).map(|point| PointCount { point, count: 4 + u32::from(point == 3) * 3 }).collect();
    let mut feedback = RoundFeedback { round: 1, items: BTreeMap::new() };
    feedback.items.insert(
        anchor,
        ItemFeedback {
            n: 23,
            median: Some(3.0),
            q1: Some(2.0),
            q3: Some(4.0),
            distribution,
            rationales: Rationales { below: reasons("Low", 8), at: reasons("Middle", 9), above: reasons("High", 6) },
            ..ItemFeedback::default()
        },
    );
    let mut store = Store::open(&path).unwrap();
    let frozen = serde_json::to_string(&FrozenRound::build(&study, 2, Some(&feedback)).unwrap()).unwrap();
    store.open_round(&ID, 2, 3, &frozen, now + chrono::Duration::hours(1), now).unwrap();
    let token = store.issue_token(&ID, 2, "E02", now).unwrap().expose().to_owned();
    drop(store);

    let address = start_server(&path).await;
    let browser = Browser::start().await;
    browser.open(&format!("http://{address}/s/{token}")).await;
    browser.wait_for("fb-verification.recommendation").await;
    let list = "#fb-verification\\.recommendation";
    browser.click(&format!("{list} details summary")).await;
    let page = |n: usize| format!("{list} section.page:nth-of-type({n})");
    assert_eq!(browser.count(&format!("{list} section.page")).await, 3);
    let typed = "Verification first, then joint evaluations.";
    browser.type_into("textarea[name='verification.rationale']", typed).await;

    assert!(browser.displayed(&page(1)).await && !browser.displayed(&page(2)).await);
    let first = browser.text(&page(1)).await;
    assert!(first.contains("Low reason 01") && first.contains("Middle reason 02"), "{first}");
    assert!(!first.contains("Middle reason 03"), "ten per page: {first}");
    browser.click(&format!("{} nav a:nth-child(2)", page(1))).await;
    assert!(browser.displayed(&page(2)).await && !browser.displayed(&page(1)).await, "page 2 replaces page 1");
    let second = browser.text(&page(2)).await;
    assert!(second.starts_with("Answers at the median"), "the side is named again: {second}");
    assert!(second.contains("Middle reason 03") && second.contains("High reason 03"), "{second}");
    browser.screenshot(&page(2), "web-feedback-rationales-page-2.png").await;
    browser.click(&format!("{} nav a:nth-child(3)", page(2))).await;
    let third = browser.text(&page(3)).await;
    assert!(third.starts_with("Answers above the median") && third.contains("High reason 04"), "{third}");
    assert!(third.contains("High reason 06") && !third.contains("High reason 03"), "{third}");
    assert_eq!(browser.property("textarea[name='verification.rationale']", "value").await, json!(typed));
    browser.close().await;
}
