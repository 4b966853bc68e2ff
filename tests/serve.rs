//! `delphi serve` as a process: experts answer through their personal links while the
//! server is killed with SIGKILL several times and restarted. Every answer that was
//! acknowledged (2xx) is in the store afterwards, and none is stored twice. SIGTERM stops
//! the server cleanly.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn delphi(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_delphi"));
    command.args(["--study", "study/study.toml", "--data-dir", "data"]).current_dir(dir);
    command
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = delphi(dir).args(args).output().unwrap();
    assert!(out.status.success(), "delphi {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn start_server(dir: &Path, port: u16) -> Child {
    let child = delphi(dir)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}"), "--requests-per-minute", "100000"])
        .env("DELPHI_COORDINATOR_TOKEN", "test-coordinator-0123456789abcdef")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// A study `id` with the shipped panel and round 1 open.
fn open_study(id: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let init = Command::new(env!("CARGO_BIN_EXE_delphi"))
        .args(["init", "study", "--id", id])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(init.status.success());
    ok(dir.path(), &["panel", "import"]);
    ok(dir.path(), &["round", "open"]);
    dir
}

/// Runs a command that must end by itself (here: refuse to start); a server that starts
/// anyway is stopped after 10 s and the test fails instead of hanging.
fn refused(command: &mut Command) -> String {
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{command:?} started instead of refusing");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success(), "{command:?} must fail");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn acknowledged_answers_survive_sigkill_and_none_is_stored_twice() {
    let dir = open_study("crash");
    let root = dir.path().to_path_buf();
    let port = free_port();
    let links: Vec<(String, String)> =
        ok(&root, &["round", "links", "--base-url", &format!("http://127.0.0.1:{port}")])
            .lines()
            .map(|l| {
                let (expert, link) = l.split_once('\t').unwrap();
                (expert.to_owned(), link.replace("/s/", "/api/v1/s/"))
            })
            .collect();
    assert_eq!(links.len(), 20);

    let server = Arc::new(Mutex::new(start_server(&root, port)));
    let acknowledged = Arc::new(Mutex::new(BTreeSet::<(String, u32)>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let clients: Vec<_> = links
        .iter()
        .take(8)
        .cloned()
        .map(|(expert, api)| {
            let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
            runtime.spawn(async move {
                let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
                let mut seq = 0_u32;
                while !stop.load(Ordering::Relaxed) {
                    let body = serde_json::json!({"answers": {"verification.benefit": {"kind": "ordinal", "point": 1 + seq % 7}}});
                    // A client retries the same request (same key) until it is acknowledged.
                    let sent = client.post(&api).header("idempotency-key", format!("k{seq}")).json(&body).send().await;
                    match sent {
                        Ok(response) if response.status().is_success() => {
                            acknowledged.lock().unwrap().insert((expert.clone(), seq));
                            seq += 1;
                        }
                        Ok(response) => panic!("{expert}: unexpected {}", response.status()),
                        Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                    }
                }
            })
        })
        .collect();

    for kill in 0..4 {
        std::thread::sleep(Duration::from_millis(300 + 70 * kill));
        let mut child = server.lock().unwrap();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        *child = start_server(&root, port);
    }
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        runtime.block_on(client).unwrap();
    }

    // SIGTERM: the server finishes and says so.
    let child = Arc::try_unwrap(server).unwrap().into_inner().unwrap();
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("every acknowledged answer is stored"));

    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > 20, "the clients got answers through: {}", acknowledged.len());
    let db = rusqlite::Connection::open(store_path(&root)).unwrap();
    let mut statement =
        db.prepare("SELECT expert_id, source_ref FROM submissions WHERE source_ref LIKE 'api:%'").unwrap();
    let stored: Vec<(String, String)> =
        statement.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
    let distinct: BTreeSet<&(String, String)> = stored.iter().collect();
    assert_eq!(distinct.len(), stored.len(), "an answer was stored twice");
    for (expert, seq) in &acknowledged {
        let source_ref = format!("api:{expert}:k{seq}");
        assert!(stored.iter().any(|(e, r)| e == expert && r == &source_ref), "acknowledged {source_ref} is missing");
    }
}

fn store_path(root: &Path) -> PathBuf {
    root.join("data/crash/delphi.sqlite")
}

#[test]
fn an_empty_or_short_coordinator_token_is_refused_at_start() {
    let dir = open_study("tokens");
    let root = dir.path().to_path_buf();
    let port = free_port().to_string();
    for token in ["", "   ", "short-guessable"] {
        let stderr = refused(delphi(&root).args([
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--coordinator-token",
            token,
        ]));
        assert!(stderr.contains("at least 32 characters"), "a token of {token:?}: {stderr}");
    }
    // The same through the environment.
    let stderr = refused(
        delphi(&root).args(["serve", "--bind", &format!("127.0.0.1:{port}")]).env("DELPHI_COORDINATOR_TOKEN", "x"),
    );
    assert!(stderr.contains("at least 32 characters"), "{stderr}");
}
