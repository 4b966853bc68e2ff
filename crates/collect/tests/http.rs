//! The HTTP service against a real server on an ephemeral loopback port and a real SQLite
//! file: personal links, saving and editing answers, refusals (late, wrong token, invalid,
//! oversized, malformed), the JSON API, the coordinator endpoint, limits and concurrency;
//! and the service under abuse: half-sent requests, idle and trickling connections, one
//! address holding many connections, a flood behind a trusted proxy, guessing the
//! coordinator's token, tampered forms and idempotency keys.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::LazyLock;

use chrono::{Duration, Utc};
use delphi_collect::{Service, ServiceConfig, TrustedProxies, Writer, serve};
use delphi_core::Study;
use delphi_core::panel::Panel;
use delphi_core::study::{PanelAttribute, StudyId};
use delphi_store::Store;
use delphi_survey::FrozenRound;
use delphi_survey::answer::{Answer, QuantileValues, RankOrder};
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::{Value, json};

const STUDY: &str = include_str!("../../../surveys/ai-safety-cooperation.toml");
const PANEL: &str = include_str!("../../../surveys/ai-safety-cooperation.panel.csv");
static ID: LazyLock<StudyId> = LazyLock::new(|| StudyId::parse("ai-safety-cooperation").unwrap());
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
        Self::start_with(deadline_in, |config| config.requests_per_minute = requests_per_minute).await
    }

    /// The same, with the service configured by `configure` (after the defaults of the tests).
    async fn start_with(deadline_in: Duration, configure: impl FnOnce(&mut ServiceConfig)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("delphi.sqlite");
        let study = Study::from_toml(STUDY, "study.toml").unwrap();
        let mut store = Store::open(&path).unwrap();
        let now = Utc::now();
        store.register_study(&ID, STUDY, now).unwrap();
        store.import_panel(&ID, &Panel::from_csv(PANEL, "panel.csv", &study).unwrap(), now).unwrap();
        let frozen = serde_json::to_string(&FrozenRound::build(&study, 1, None).unwrap()).unwrap();
        store.open_round(&ID, 1, 3, &frozen, now + deadline_in, now).unwrap();

        let (writer, _thread) = Writer::spawn(Store::open(&path).unwrap());
        let mut config = ServiceConfig::new(ID.clone());
        config.coordinator_token = Some(COORDINATOR.into());
        config.group_attributes = vec![PanelAttribute::Bloc];
        configure(&mut config);
        let service = Service::new(config, vec![Store::open(&path).unwrap(), Store::open(&path).unwrap()], writer);
        // On every loopback address, so that tests can be clients from 127.0.0.1 and 127.0.0.2.
        let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
        let address = SocketAddr::from(([127, 0, 0, 1], listener.local_addr().unwrap().port()));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, service, async {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
        Self { _dir: dir, path, base: format!("http://{address}"), client, stop: Some(stop), task: Some(task) }
    }

    fn token(&self, expert: &str) -> String {
        Store::open(&self.path).unwrap().issue_token(&ID, 1, expert, Utc::now()).unwrap().expose().to_owned()
    }

    fn stored(&self) -> Vec<(String, String, Value, u32)> {
        let store = Store::open(&self.path).unwrap();
        store
            .current_answers(&ID, 1)
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
    assert!(html.contains("9 is outside 1–7") && html.contains("were not sent yet"), "{html}");
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
    Store::open(&server.path).unwrap().close_round(&ID, 1, Utc::now()).unwrap();
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
    let status = store.status(&ID, &[]).unwrap();
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
    for answer in one_answer_of_each_kind() {
        let kind = serde_json::to_value(&answer).unwrap()["kind"].as_str().unwrap().to_owned();
        assert!(kinds.contains(&format!("[\"{kind}\"]")), "{kind} undocumented");
    }
    server.stop().await;
}

/// One answer of each kind the API takes. The match lists every kind of `Answer` so that a new
/// kind is a compiler error here, where it joins this list and `src/openapi.json`.
fn one_answer_of_each_kind() -> Vec<Answer> {
    let answers = vec![
        Answer::Ordinal { point: 1 },
        Answer::DontKnow,
        Answer::Numeric { value: 1.0 },
        Answer::Quantile(QuantileValues::five_fifty_ninety_five(1.0, 2.0, 3.0)),
        Answer::Probability { value: 0.5 },
        Answer::Ranking { order: RankOrder::default() },
        Answer::Text { text: String::new() },
    ];
    for answer in &answers {
        match answer {
            Answer::Ordinal { .. }
            | Answer::DontKnow
            | Answer::Numeric { .. }
            | Answer::Quantile(_)
            | Answer::Probability { .. }
            | Answer::Ranking { .. }
            | Answer::Text { .. } => {}
        }
    }
    answers
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
        .import_panel(&ID, &Panel::from_csv(&without_e02, "panel.csv", &study).unwrap(), Utc::now())
        .unwrap();
    assert_eq!(post(e02.clone(), good()).await.unwrap().status(), StatusCode::NOT_FOUND, "deactivated expert");

    // The round closes: the cached token of E01 stops working too.
    Store::open(&server.path).unwrap().close_round(&ID, 1, Utc::now()).unwrap();
    assert_eq!(post(newer, good()).await.unwrap().status(), StatusCode::NOT_FOUND, "closed round");
    let submissions = Store::open(&server.path).unwrap().status(&ID, &[]).unwrap()[0].submissions;
    assert_eq!(submissions, 5, "only the accepted ones were stored");
    server.stop().await;
}

/// A raw connection from `local` (an address of the loopback block) to the server.
async fn connect_from(local: &str, server: &Server) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{local}:0").parse().unwrap()).unwrap();
    let port: u16 = server.base.rsplit_once(':').unwrap().1.parse().unwrap();
    socket.connect(SocketAddr::from(([127, 0, 0, 1], port))).await.unwrap()
}

/// What the server sends until it closes the connection, or `None` if it still has not
/// closed it after `wait`.
async fn until_closed(connection: &mut tokio::net::TcpStream, wait: std::time::Duration) -> Option<String> {
    use tokio::io::AsyncReadExt as _;
    let mut received = Vec::new();
    let read = tokio::time::timeout(wait, async {
        let mut buffer = [0_u8; 4096];
        loop {
            match connection.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    read.ok().map(|()| String::from_utf8_lossy(&received).into_owned())
}

async fn send_raw(connection: &mut tokio::net::TcpStream, bytes: &[u8]) {
    use tokio::io::AsyncWriteExt as _;
    connection.write_all(bytes).await.unwrap();
}

fn short_timeouts(config: &mut ServiceConfig) {
    config.connections.header_timeout = std::time::Duration::from_secs(1);
    config.connections.body_timeout = std::time::Duration::from_secs(1);
}

/// A slowloris client: a head that never ends, a kept-alive connection left idle, a body
/// trickled byte by byte. Each is closed after its timeout (1 s here), and the trickled
/// answers are not stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_head_an_idle_connection_and_a_trickled_body_are_cut_off() {
    let server = Server::start_with(Duration::hours(1), short_timeouts).await;
    let token = server.token("E01");
    let patience = std::time::Duration::from_secs(4);

    let mut half_sent = connect_from("127.0.0.1", &server).await;
    send_raw(&mut half_sent, b"GET /healthz HTTP/1.1\r\nHost: delphi\r\nX-Slow: 1").await;
    assert!(until_closed(&mut half_sent, patience).await.is_some(), "a head that never ends is cut off");

    // One whole request, answered; then nothing: the server closes the idle connection.
    let mut idle = connect_from("127.0.0.1", &server).await;
    send_raw(&mut idle, b"GET /healthz HTTP/1.1\r\nHost: delphi\r\n\r\n").await;
    let answered = until_closed(&mut idle, patience).await.expect("the idle connection is closed");
    assert!(answered.starts_with("HTTP/1.1 200") && answered.ends_with("ok"), "{answered}");

    let mut trickled = connect_from("127.0.0.1", &server).await;
    let body = r#"{"answers": {"verification.benefit": {"kind": "ordinal", "point": 5}}}"#;
    let head = format!(
        "POST /api/v1/s/{token} HTTP/1.1\r\nHost: delphi\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    send_raw(&mut trickled, head.as_bytes()).await;
    send_raw(&mut trickled, &body.as_bytes()[..10]).await;
    let refused = until_closed(&mut trickled, patience).await.expect("a trickled body is cut off");
    assert!(refused.is_empty() || refused.starts_with("HTTP/1.1 4"), "{refused}");
    assert!(server.stored().is_empty(), "nothing of a body that did not arrive is stored");
    // A request sent at a normal pace is not affected.
    let fine = server.client.get(format!("{}/s/{token}", server.base)).send().await.unwrap();
    assert_eq!(fine.status(), StatusCode::OK);
    server.stop().await;
}

/// One address opens connections until it is refused: it gets its own share only, and an
/// expert on another address still gets in. A trusted proxy carries many clients and is
/// not held to that share.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_take_every_connection_but_a_trusted_proxy_is_not_capped() {
    let server = Server::start_with(Duration::hours(1), |config| {
        config.connections.max_connections = 40;
        config.connections.max_connections_per_client = 8;
        config.trusted_proxies = TrustedProxies::new(vec!["127.0.0.3".parse().unwrap()]);
    })
    .await;
    let token = server.token("E01");
    let quick = std::time::Duration::from_millis(300);

    // Which of `count` half-sent connections from `local` the server keeps open: after a
    // second to settle, a refused one has been closed (its end of file is there to read).
    let hold = |local: &'static str, count: usize| {
        let server = &server;
        async move {
            use tokio::io::AsyncWriteExt as _;
            let mut kept = Vec::new();
            for _ in 0..count {
                let mut connection = connect_from(local, server).await;
                // A refused connection may be closed before this is written; that is fine.
                let _ = connection.write_all(b"GET /healthz HTTP/1.1\r\nHost: delphi\r\n").await;
                kept.push(connection);
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            let mut open = Vec::new();
            for mut connection in kept {
                if until_closed(&mut connection, std::time::Duration::from_millis(20)).await.is_none() {
                    open.push(connection);
                }
            }
            open
        }
    };
    let attacker = hold("127.0.0.1", 30).await;
    assert_eq!(attacker.len(), 8, "one address holds its share only");
    let client = reqwest::Client::builder()
        .local_address(Some("127.0.0.2".parse().unwrap()))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let page = client.get(format!("{}/s/{token}", server.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK, "another address is served");
    drop(page);
    tokio::time::sleep(quick).await; // its connection is closed, its place free again
    let proxy = hold("127.0.0.3", 28).await;
    assert_eq!(proxy.len(), 28, "a trusted proxy is not capped per address");
    // The global cap (40) holds: 8 + 28 open, so of 8 more from yet another address only 4
    // fit.
    let third = hold("127.0.0.4", 8).await;
    assert_eq!(third.len(), 4, "the global cap: 40 at once");
    drop((attacker, proxy, third));
    server.stop().await;
}

/// Behind a trusted reverse proxy every request comes from the proxy's address; the client
/// is read from X-Forwarded-For. One client flooding gets refused, another is served. A peer
/// that is not trusted cannot dodge its limit with a forged header.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_one_flooding_client_does_not_get_another_expert_refused() {
    let server = Server::start_with(Duration::hours(1), |config| {
        config.requests_per_minute = 5;
        config.trusted_proxies = TrustedProxies::new(vec!["127.0.0.1/32".parse().unwrap()]);
    })
    .await;
    let token = server.token("E01");
    let get = |path: String, forwarded_for: &'static str| {
        server.client.get(format!("{}{path}", server.base)).header("x-forwarded-for", forwarded_for).send()
    };
    let mut flood = Vec::new();
    for i in 0..12 {
        // What a proxy appends after the client's own (forged) value.
        flood.push(get(format!("/s/flood-{i}"), "198.51.100.1, 203.0.113.66").await.unwrap().status());
    }
    assert_eq!(flood[..5], [StatusCode::NOT_FOUND; 5]);
    assert_eq!(flood[5..], [StatusCode::TOO_MANY_REQUESTS; 7], "the flooding client is refused");
    let expert = get(format!("/s/{token}"), "203.0.113.7").await.unwrap();
    assert_eq!(expert.status(), StatusCode::OK, "another expert behind the same proxy is served");

    // An untrusted peer's header is not believed: a new forged address each time does not help.
    let untrusted = reqwest::Client::builder().local_address(Some("127.0.0.2".parse().unwrap())).build().unwrap();
    let mut statuses = Vec::new();
    for i in 0..7 {
        let forged = format!("192.0.2.{i}");
        let sent = untrusted.get(format!("{}/s/spoof-{i}", server.base)).header("x-forwarded-for", forged);
        statuses.push(sent.send().await.unwrap().status());
    }
    assert_eq!(statuses[5..], [StatusCode::TOO_MANY_REQUESTS; 2], "{statuses:?}");
    server.stop().await;
}

/// Every 429 says when to come back, pages and API alike; the coordinator's endpoint counts
/// every attempt, a wrong token too, so its token cannot be guessed at speed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_429_says_when_to_retry_and_guessing_the_coordinator_token_is_limited() {
    let server = Server::start(Duration::hours(1), 3).await;
    let token = server.token("E01");
    let page = format!("{}/s/{token}", server.base);
    let api = format!("{}/api/v1/s/{token}", server.base);
    for _ in 0..3 {
        server.client.get(&page).send().await.unwrap();
    }
    for refused in [server.client.get(&page).send().await.unwrap(), server.client.get(&api).send().await.unwrap()] {
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.headers()["retry-after"], "60");
    }
    let answers = json!({"answers": {"verification.benefit": {"kind": "ordinal", "point": 5}}});
    let posted = server.client.post(&api).json(&answers).send().await.unwrap();
    assert_eq!(
        (posted.status(), posted.headers()["retry-after"].clone()),
        (StatusCode::TOO_MANY_REQUESTS, "60".parse().unwrap())
    );

    let status = format!("{}/api/v1/status", server.base);
    for guess in ["a", "b", "c"] {
        let wrong = server.client.get(&status).bearer_auth(guess).send().await.unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    }
    let limited = server.client.get(&status).bearer_auth("d").send().await.unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers()["retry-after"], "60");
    let right = server.client.get(&status).bearer_auth(COORDINATOR).send().await.unwrap();
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS, "the allowance is the address's, whatever it sends");
    server.stop().await;
}

/// A receipt names the submission among the expert's own: what others send in between does
/// not move it, and a retry gets the same name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_does_not_move_with_other_experts_submissions() {
    let server = Server::start(Duration::hours(1), 1000).await;
    let (first, second) = (server.token("E01"), server.token("E02"));
    let submit = |token: &str, key: &str| {
        let body = json!({"answers": {"verification.benefit": {"kind": "ordinal", "point": 4}}});
        let request = server.client.post(format!("{}/api/v1/s/{token}", server.base)).json(&body);
        request.header("idempotency-key", key).send()
    };
    let receipt = |response: reqwest::Response| async move { response.json::<Value>().await.unwrap() };
    let own_first = receipt(submit(&first, "a").await.unwrap()).await;
    assert_eq!(own_first["submission"], "r1-1");
    for key in ["x", "y", "z"] {
        assert_eq!(receipt(submit(&second, key).await.unwrap()).await["submission"].as_str().unwrap().len(), 4);
    }
    let retried = receipt(submit(&first, "a").await.unwrap()).await;
    assert_eq!((retried["submission"].clone(), retried["duplicate"].clone()), (json!("r1-1"), json!(true)));
    let own_second = receipt(submit(&first, "b").await.unwrap()).await;
    assert_eq!(own_second["submission"], "r1-2", "E02's three submissions are not counted");
    let others_last = receipt(submit(&second, "w").await.unwrap()).await;
    assert_eq!(others_last["submission"], "r1-4");
    server.stop().await;
}

/// An Idempotency-Key the service cannot keep as sent is refused; ignoring it would store
/// every retry anew.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overlong_or_invisible_idempotency_key_is_refused_and_a_retry_stores_nothing() {
    let server = Server::start(Duration::hours(1), 1000).await;
    let token = server.token("E01");
    let send = |key: String| {
        let body = json!({"answers": {"verification.benefit": {"kind": "ordinal", "point": 4}}});
        server
            .client
            .post(format!("{}/api/v1/s/{token}", server.base))
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };
    let submissions = || Store::open(&server.path).unwrap().status(&ID, &[]).unwrap()[0].submissions;
    for key in ["k".repeat(129), "with space".to_owned(), "tab\tkey".to_owned()] {
        for _attempt in 0..2 {
            let refused = send(key.clone()).await.unwrap();
            assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{key:?}");
            let body: Value = refused.json().await.unwrap();
            assert!(body["error"].as_str().unwrap().contains("Idempotency-Key must be 1 to 128"), "{body}");
        }
    }
    assert_eq!(submissions(), 0);
    let longest = "k".repeat(128);
    assert_eq!(send(longest.clone()).await.unwrap().status(), StatusCode::OK);
    let retry: Value = send(longest).await.unwrap().json().await.unwrap();
    assert_eq!(retry["duplicate"], true);
    assert_eq!(submissions(), 1, "the longest key is kept: its retry is stored once");
    server.stop().await;
}

/// An answer carrying a field of no answer kind is refused, not stored without it; a web form
/// with a field twice or a field it does not have is shown again with the problem.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_or_repeated_fields_are_refused_with_a_reason_and_nothing_is_stored() {
    let server = Server::start(Duration::hours(1), 1000).await;
    let token = server.token("E01");
    for answer in
        [json!({"kind": "ordinal", "point": 5, "comment": "is this kept?"}), json!({"kind": "dont-know", "point": 5})]
    {
        let refused = server
            .client
            .post(format!("{}/api/v1/s/{token}", server.base))
            .json(&json!({"answers": {"verification.benefit": answer}}))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        let text = refused.text().await.unwrap();
        assert!(text.contains("unknown field"), "{text}");
    }
    let twice = server.post_form(&token, &[("verification.benefit", "2"), ("verification.benefit", "6")]).await;
    assert_eq!(twice.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = twice.text().await.unwrap();
    assert!(html.contains("was sent twice") && html.contains("were not sent yet"), "{html}");
    let unknown = server.post_form(&token, &[("verification.benefit", "2"), ("verification.benfit", "6")]).await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.text().await.unwrap().contains("verification.benfit"));
    assert!(server.stored().is_empty());
    server.stop().await;
}

/// A refused web form leaves a draft for the expert's page only: the API, like every
/// count, gives out saved answers alone, and the page shows the draft until a submission
/// is accepted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_forms_draft_is_shown_on_the_page_only_and_goes_with_the_next_submission() {
    let server = Server::start(Duration::hours(1), 1000).await;
    let token = server.token("E03");
    let refused = server.post_form(&token, &[("verification.benefit", "6"), ("protocols.benefit", "9")]).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let page = server.client.get(format!("{}/s/{token}", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("These answers were not sent yet"), "{page}");
    assert!(page.contains("name=\"verification.benefit\" value=\"6\" checked"), "the valid answer is back");
    let api: serde_json::Value =
        server.client.get(format!("{}/api/v1/s/{token}", server.base)).send().await.unwrap().json().await.unwrap();
    assert_eq!(api["answers"], json!({}), "a draft is no answer");
    assert!(server.stored().is_empty());

    let accepted = server.post_form(&token, &[("protocols.benefit", "3")]).await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    let page = server.client.get(format!("{}/s/{token}", server.base)).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("These answers were not sent yet") && !page.contains("value=\"6\" checked"), "{page}");
    server.stop().await;
}
