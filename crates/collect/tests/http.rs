//! The HTTP service against a real server on an ephemeral loopback port and a real SQLite
//! file: personal links, saving and editing answers, refusals (late, wrong token, invalid,
//! oversized, malformed), the JSON API, the coordinator endpoint, limits and concurrency.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{Duration, Utc};
use delphi_collect::{Service, ServiceConfig, Writer, serve};
use delphi_core::Study;
use delphi_core::panel::Panel;
use delphi_core::study::PanelAttribute;
use delphi_store::Store;
use delphi_survey::FrozenRound;
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::{Value, json};

const STUDY: &str = include_str!("../../../surveys/ai-safety-cooperation.toml");
const PANEL: &str = include_str!("../../../surveys/ai-safety-cooperation.panel.csv");
const ID: &str = "ai-safety-cooperation";
const COORDINATOR: &str = "coordinator-secret-for-tests";

struct Server {
    _dir: tempfile::TempDir,
    path: PathBuf,
    base: String,
    client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Server {
    /// A store with the shipped study and panel, round 1 open until `deadline_in`, and a
    /// server on it.
    async fn start(deadline_in: Duration, requests_per_minute: u32) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("delphi.sqlite");
        let study = Study::from_toml(STUDY, "study.toml").unwrap();
        let mut store = Store::open(&path).unwrap();
        let now = Utc::now();
        store.register_study(ID, STUDY, now).unwrap();
        store.import_panel(ID, &Panel::from_csv(PANEL, "panel.csv", &study).unwrap(), now).unwrap();
        let frozen = serde_json::to_string(&FrozenRound::build(&study, 1, None).unwrap()).unwrap();
        store.open_round(ID, 1, 3, &frozen, now + deadline_in, now).unwrap();

        let (writer, _thread) = Writer::spawn(Store::open(&path).unwrap());
        let mut config = ServiceConfig::new(ID);
        config.coordinator_token = Some(COORDINATOR.into());
        config.group_attributes = vec![PanelAttribute::Bloc];
        config.requests_per_minute = requests_per_minute;
        let service = Service::new(config, vec![Store::open(&path).unwrap(), Store::open(&path).unwrap()], writer);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, service, async {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
        Self { _dir: dir, path, base: format!("http://{address}"), client, stop: Some(stop), task: Some(task) }
    }

    fn token(&self, expert: &str) -> String {
        Store::open(&self.path).unwrap().issue_token(ID, 1, expert, Utc::now()).unwrap().expose().to_owned()
    }

    fn stored(&self) -> Vec<(String, String, Value, u32)> {
        let store = Store::open(&self.path).unwrap();
        store
            .current_answers(ID, 1)
            .unwrap()
            .into_iter()
            .map(|a| (a.pseudonym, a.item_id, a.value, a.revision))
            .collect()
    }

    async fn post_form(&self, token: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let body: String =
            fields.iter().map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))).collect::<Vec<_>>().join("&");
        self.client
            .post(format!("{}/s/{token}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap().unwrap();
    }
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expert_opens_the_link_saves_and_edits_answers() {
    let server = Server::start(Duration::hours(1), 1000).await;
    let token = server.token("E01");
    let page = server.client.get(format!("{}/s/{token}", server.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let headers = page.headers().clone();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("style-src 'sha256-"), "{csp}");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    let html = page.text().await.unwrap();
    assert!(html.contains("Verification mechanisms") && html.contains("<form method=\"post\""), "{html}");

    let saved = server.post_form(&token, &[("verification.benefit", "6"), ("protocols.benefit", "5")]).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    assert_eq!(saved.headers()["location"], format!("/s/{token}?saved=1"));
    let stored = server.stored();
    assert_eq!(stored.len(), 2, "{stored:?}");
    let again =
        server.client.get(format!("{}/s/{token}?saved=1", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(again.contains("Your answers are saved"), "the saved page says so");

    // An edit: the latest answer counts, the earlier one is kept as a revision.
    let edited = server.post_form(&token, &[("verification.benefit", "4")]).await;
    assert_eq!(edited.status(), StatusCode::SEE_OTHER);
    let benefit: Vec<_> = server.stored().into_iter().filter(|a| a.1 == "verification.benefit").collect();
    assert_eq!((benefit[0].2.clone(), benefit[0].3), (json!({"kind": "ordinal", "point": 4}), 2));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_answers_wrong_tokens_and_bad_bodies_are_refused_clearly() {
    let server = Server::start(Duration::hours(1), 1000).await;
    let token = server.token("E02");

    let invalid = server.post_form(&token, &[("verification.benefit", "9")]).await;
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = invalid.text().await.unwrap();
    assert!(html.contains("9 is outside 1–7") && html.contains("Nothing was saved"), "{html}");
    assert!(server.stored().is_empty(), "nothing of an invalid form is stored");

    let unknown = server.client.get(format!("{}/s/{}", server.base, "a".repeat(32))).send().await.unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let unknown_page = unknown.text().await.unwrap();
    assert!(unknown_page.contains("This link is not valid"));
    let posted = server.post_form("nonsense", &[("verification.benefit", "5")]).await;
    assert_eq!(posted.status(), StatusCode::NOT_FOUND);

    let oversized = "x".repeat(200 * 1024);
    let big = server.post_form(&token, &[("proposals", &oversized)]).await;
    assert_eq!(big.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let malformed = server
        .client
        .post(format!("{}/api/v1/s/{token}", server.base))
        .header("content-type", "application/json")
        .body("{\"answers\": {\"verification.benefit\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert!(!malformed.text().await.unwrap().is_empty(), "the refusal says why");
    let wrong_type = server
        .client
        .post(format!("{}/api/v1/s/{token}", server.base))
        .json(&json!({"answers": {"verification.benefit": {"kind": "ordinal", "point": 12}, "nope": {"kind": "dont-know"}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = wrong_type.json().await.unwrap();
    let problems = body["problems"].to_string();
    assert!(problems.contains("verification.benefit") && problems.contains("nope is not an item"), "{body}");
    assert!(server.stored().is_empty());

    // A closed round's link looks exactly like an unknown one.
    Store::open(&server.path).unwrap().close_round(ID, 1, Utc::now()).unwrap();
    let closed = server.client.get(format!("{}/s/{token}", server.base)).send().await.unwrap();
    assert_eq!(closed.status(), StatusCode::NOT_FOUND);
    assert_eq!(closed.text().await.unwrap(), unknown_page);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_submission_is_refused_and_nothing_is_stored() {
    let server = Server::start(Duration::milliseconds(1500), 1000).await;
    let token = server.token("E03");
    tokio::time::sleep(std::time::Duration::from_millis(1700)).await;
    let late = server.post_form(&token, &[("verification.benefit", "5")]).await;
    assert_eq!(late.status(), StatusCode::GONE);
    assert!(late.text().await.unwrap().contains("The deadline has passed"));
    let api = server
        .client
        .post(format!("{}/api/v1/s/{token}", server.base))
        .json(&json!({"answers": {"verification.benefit": {"kind": "ordinal", "point": 5}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::GONE);
    assert!(server.stored().is_empty());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_api_answers_once_per_idempotency_key_in_the_experts_language() {
    let server = Server::start(Duration::hours(1), 1000).await;
    let token = server.token("E07");
    let got: Value =
        server.client.get(format!("{}/api/v1/s/{token}", server.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(got["language"], "zh");
    assert_eq!(got["round"], 1);
    assert!(
        got["questionnaire"]["domains"][0]["title"].as_str().unwrap().contains("验证"),
        "{}",
        got["questionnaire"]["domains"][0]
    );

    let answers = json!({"answers": {
        "verification.benefit": {"kind": "ordinal", "point": 6},
        "p-joint-evaluation-2030": {"kind": "probability", "value": 0.25},
        "years-to-first-agreement": {"kind": "quantile", "p5": 1.0, "p50": 4.0, "p95": 12.0},
    }});
    let send = || {
        server
            .client
            .post(format!("{}/api/v1/s/{token}", server.base))
            .header("idempotency-key", "retry-7")
            .json(&answers)
            .send()
    };
    let first: Value = send().await.unwrap().json().await.unwrap();
    let retry: Value = send().await.unwrap().json().await.unwrap();
    assert_eq!((first["recorded"].as_u64(), first["duplicate"].as_bool()), (Some(3), Some(false)));
    assert_eq!((retry["submission"].clone(), retry["duplicate"].as_bool()), (first["submission"].clone(), Some(true)));
    assert_eq!(server.stored().len(), 3, "stored once");

    let again: Value =
        server.client.get(format!("{}/api/v1/s/{token}", server.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(again["answers"]["verification.benefit"], json!({"kind": "ordinal", "point": 6}));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_coordinator_sees_counts_only_with_the_token() {
    let server = Server::start(Duration::hours(1), 1000).await;
    let token = server.token("E01");
    server.post_form(&token, &[("verification.benefit", "6")]).await;
    let url = format!("{}/api/v1/status", server.base);
    let anonymous = server.client.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let wrong = server.client.get(&url).bearer_auth("guess").send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let basic = server.client.get(&url).header("Authorization", format!("Basic {COORDINATOR}")).send().await.unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED, "only the bearer scheme");
    // The scheme is case-insensitive (RFC 7235): `bearer` is `Bearer`.
    let lower = server.client.get(&url).header("Authorization", format!("bearer {COORDINATOR}")).send().await.unwrap();
    assert_eq!(lower.status(), StatusCode::OK);
    let status = server.client.get(&url).bearer_auth(COORDINATOR).send().await.unwrap();
    assert_eq!(status.status(), StatusCode::OK);
    let text = status.text().await.unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    assert_eq!((json["rounds"][0]["invited"].as_u64(), json["rounds"][0]["responded"].as_u64()), (Some(20), Some(1)));
    for identity in ["E01", "Avery", "example.org", "p-"] {
        assert!(!text.contains(identity), "{identity} in the status: {text}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_beyond_the_limit_are_refused_for_a_while() {
    let server = Server::start(Duration::hours(1), 5).await;
    let token = server.token("E04");
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(server.client.get(format!("{}/s/{token}", server.base)).send().await.unwrap().status());
    }
    assert_eq!(statuses[..5], [StatusCode::OK; 5]);
    assert_eq!(statuses[5..], [StatusCode::TOO_MANY_REQUESTS; 2]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_submissions_are_all_acknowledged_and_stored() {
    let server = Arc::new(Server::start(Duration::hours(1), 10_000).await);
    let experts: Vec<String> = (1..=20).map(|i| format!("E{i:02}")).collect();
    let tokens: Vec<String> = experts.iter().map(|e| server.token(e)).collect();
    let mut tasks = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        for point in 1..=5 {
            let (server, token) = (server.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                let body = json!({"answers": {"verification.benefit": {"kind": "ordinal", "point": point}}});
                let response = server
                    .client
                    .post(format!("{}/api/v1/s/{token}", server.base))
                    .header("idempotency-key", format!("{i}-{point}"))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                response.status()
            }));
        }
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), StatusCode::OK);
    }
    let store = Store::open(&server.path).unwrap();
    let status = store.status(ID, &[]).unwrap();
    assert_eq!(
        (status[0].responded, status[0].submissions),
        (20, 100),
        "every acknowledged submission is stored, once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_is_described_by_an_openapi_document_that_matches_its_routes() {
    let server = Server::start(Duration::hours(1), 1000).await;
    let spec: Value =
        server.client.get(format!("{}/api/v1/openapi.json", server.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(spec["openapi"], "3.0.3");
    let paths: Vec<&str> = spec["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(paths, ["/api/v1/s/{token}", "/api/v1/status"]);
    // Every kind of answer the API takes is documented.
    let kinds = spec["components"]["schemas"]["Answer"]["oneOf"].to_string();
    for kind in ["ordinal", "dont-know", "numeric", "quantile", "probability", "ranking", "text"] {
        assert!(kinds.contains(&format!("[\"{kind}\"]")), "{kind} undocumented");
    }
    server.stop().await;
}

/// The service remembers tokens it has seen valid; a replaced token, a deactivated expert
/// or a closed round must still stop submissions at once, and invalid answers sent with a
/// replaced token get the invalid-link answer, not a list of problems.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replaced_token_or_a_deactivated_expert_stops_api_submissions_at_once() {
    let server = Server::start(Duration::hours(1), 1000).await;
    let post = |token: String, answers: Value| {
        server.client.post(format!("{}/api/v1/s/{token}", server.base)).json(&answers).send()
    };
    let good = || json!({"answers": {"verification.benefit": {"kind": "ordinal", "point": 6}}});
    let bad = || json!({"answers": {"verification.benefit": {"kind": "ordinal", "point": 99}}});

    let old = server.token("E01");
    assert_eq!(post(old.clone(), good()).await.unwrap().status(), StatusCode::OK);
    assert_eq!(post(old.clone(), good()).await.unwrap().status(), StatusCode::OK, "served from the cache");
    let new = server.token("E01");
    assert_eq!(post(old.clone(), good()).await.unwrap().status(), StatusCode::NOT_FOUND, "replaced token");
    assert_eq!(post(old.clone(), bad()).await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(post(new.clone(), good()).await.unwrap().status(), StatusCode::OK);
    assert_eq!(post(new.clone(), bad()).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    // A replaced token whose entry is still cached, with invalid answers: still not found.
    let newer = server.token("E01");
    assert_eq!(post(new.clone(), bad()).await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(post(newer.clone(), good()).await.unwrap().status(), StatusCode::OK);

    // E02 answers, then leaves the panel: the cached token stops working.
    let e02 = server.token("E02");
    assert_eq!(post(e02.clone(), good()).await.unwrap().status(), StatusCode::OK);
    let study = Study::from_toml(STUDY, "study.toml").unwrap();
    let without_e02: String =
        PANEL.lines().filter(|line| !line.starts_with("E02,")).map(|l| format!("{l}\n")).collect();
    Store::open(&server.path)
        .unwrap()
        .import_panel(ID, &Panel::from_csv(&without_e02, "panel.csv", &study).unwrap(), Utc::now())
        .unwrap();
    assert_eq!(post(e02.clone(), good()).await.unwrap().status(), StatusCode::NOT_FOUND, "deactivated expert");

    // The round closes: the cached token of E01 stops working too.
    Store::open(&server.path).unwrap().close_round(ID, 1, Utc::now()).unwrap();
    assert_eq!(post(newer, good()).await.unwrap().status(), StatusCode::NOT_FOUND, "closed round");
    let submissions = Store::open(&server.path).unwrap().status(ID, &[]).unwrap()[0].submissions;
    assert_eq!(submissions, 5, "only the accepted ones were stored");
    server.stop().await;
}
