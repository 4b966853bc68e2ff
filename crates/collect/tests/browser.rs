//! A real browser fills in the form: headless Chromium, driven through chromedriver's
//! WebDriver protocol, opens an expert's personal link, answers, submits, and the answers
//! are in the store. A screenshot of the form is kept in tests/artifacts/ for a person to
//! look at. Needs Debian's `chromium` and `chromium-driver` (scripts/test installs them).

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use chrono::Utc;
use delphi_collect::{Service, ServiceConfig, Writer, serve};
use delphi_core::Study;
use delphi_core::panel::Panel;
use delphi_store::Store;
use delphi_survey::FrozenRound;
use serde_json::{Value, json};

const STUDY: &str = include_str!("../../../surveys/ai-safety-cooperation.toml");
const PANEL: &str = include_str!("../../../surveys/ai-safety-cooperation.panel.csv");
const ID: &str = "ai-safety-cooperation";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// chromedriver on a free port, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start_driver(http: &reqwest::Client) -> Driver {
    let port = free_port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver is installed (apt-get install chromium chromium-driver; scripts/test does it)");
    let driver = Driver { child, url: format!("http://127.0.0.1:{port}") };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = http.get(format!("{}/status", driver.url)).send().await
            && r.status().is_success()
        {
            return driver;
        }
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn call(http: &reqwest::Client, method: reqwest::Method, url: String, body: Option<Value>) -> Value {
    let request = http.request(method, &url);
    let request = match body {
        Some(body) => request.json(&body),
        None => request,
    };
    let response = request.send().await.unwrap();
    let status = response.status();
    let value: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{url}: {status} {value}");
    value["value"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_fills_in_the_form_and_the_answers_are_stored() {
    // The server, on a real SQLite file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("delphi.sqlite");
    let study = Study::from_toml(STUDY, "study.toml").unwrap();
    let mut store = Store::open(&path).unwrap();
    let now = Utc::now();
    store.register_study(ID, STUDY, now).unwrap();
    store.import_panel(ID, &Panel::from_csv(PANEL, "panel.csv", &study).unwrap(), now).unwrap();
    let frozen = serde_json::to_string(&FrozenRound::build(&study, 1, None).unwrap()).unwrap();
    store.open_round(ID, 1, 3, &frozen, now + chrono::Duration::hours(1), now).unwrap();
    let token = store.issue_token(ID, 1, "E01", now).unwrap().expose().to_owned();
    let (writer, _thread) = Writer::spawn(Store::open(&path).unwrap());
    let service =
        Service::new(ServiceConfig::new(ID), vec![Store::open(&path).unwrap(), Store::open(&path).unwrap()], writer);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, service, std::future::pending::<()>()));

    // The browser.
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
    let link = format!("http://{address}/s/{token}");
    call(&http, reqwest::Method::POST, format!("{session}/url"), Some(json!({"url": link}))).await;

    let find = |css: String| {
        let (http, session) = (http.clone(), session.clone());
        async move {
            let found = call(
                &http,
                reqwest::Method::POST,
                format!("{session}/element"),
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
            found[ELEMENT].as_str().unwrap().to_owned()
        }
    };
    let click = |element: String| {
        let (http, session) = (http.clone(), session.clone());
        async move {
            call(&http, reqwest::Method::POST, format!("{session}/element/{element}/click"), Some(json!({}))).await;
        }
    };
    // A screenshot of the empty form, for a person to look at.
    let png = call(&http, reqwest::Method::GET, format!("{session}/screenshot"), None).await;
    let png = base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap()).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    std::fs::write(artifacts.join("web-form.png"), &png).unwrap();

    // Answer with the keyboard and mouse, as an expert would.
    click(find("input[name='verification.benefit'][value='6']".into()).await).await;
    click(find("input[name='verification.risk-harm'][value='dk']".into()).await).await;
    let rationale = find("textarea[name='verification.rationale']".into()).await;
    call(
        &http,
        reqwest::Method::POST,
        format!("{session}/element/{rationale}/value"),
        Some(json!({"text": "Checks <b>build</b> trust."})),
    )
    .await;
    click(find("button[type='submit']".into()).await).await;

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let source = call(&http, reqwest::Method::GET, format!("{session}/source"), None).await;
        if source.as_str().unwrap().contains("Your answers are saved") {
            break;
        }
        assert!(Instant::now() < deadline, "the saved page did not appear");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = http.delete(&session).send().await;

    let stored = Store::open(&path).unwrap().current_answers(ID, 1).unwrap();
    let by_item: Vec<(&str, Value)> = stored.iter().map(|a| (a.item_id.as_str(), a.value.clone())).collect();
    assert_eq!(
        by_item,
        [
            ("verification.benefit", json!({"kind": "ordinal", "point": 6})),
            ("verification.rationale", json!({"kind": "text", "text": "Checks <b>build</b> trust."})),
            ("verification.risk-harm", json!({"kind": "dont-know"})),
        ]
    );
}
