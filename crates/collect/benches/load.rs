//! Load benchmark (bounded, loopback only): concurrent clients submit full questionnaires
//! through the JSON API of a real server over a real SQLite file. Reports acknowledged
//! (durably committed) submissions per second and latency percentiles, next to the raw rate
//! of fsync-ed single-row SQLite commits on the same disk, measured in the same run.
//!
//! `cargo bench -p delphi-collect` · knobs: DELPHI_BENCH_CLIENTS (256), DELPHI_BENCH_SECONDS (10),
//! DELPHI_BENCH_CLIENT (`raw`, the light HTTP/1.1 load generator, or `reqwest`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use chrono::Utc;
use delphi_collect::{Service, ServiceConfig, Writer, serve};
use delphi_core::Study;
use delphi_core::panel::Panel;
use delphi_core::study::StudyId;
use delphi_store::Store;
use delphi_survey::answer::{Answer, QuantileValues};
use delphi_survey::{AnswerSpec, FrozenRound};

const STUDY: &str = include_str!("../../../surveys/ai-safety-cooperation.toml");
static ID: LazyLock<StudyId> = LazyLock::new(|| StudyId::parse("ai-safety-cooperation").unwrap());

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A valid answer to every item of the questionnaire.
fn full_answers(frozen: &FrozenRound, seed: u64) -> serde_json::Value {
    let q = frozen.in_language("en");
    let mut answers = BTreeMap::new();
    for item in &q.items {
        let answer = match &item.answer {
            AnswerSpec::Ordinal { min, max, .. } => {
                Answer::Ordinal { point: min + i32::try_from(seed % u64::try_from(max - min + 1).unwrap()).unwrap() }
            }
            AnswerSpec::Numeric { .. } => Answer::Numeric { value: 1.0 },
            AnswerSpec::Quantile { .. } => Answer::Quantile(QuantileValues::five_fifty_ninety_five(1.0, 5.0, 20.0)),
            AnswerSpec::Probability => Answer::Probability { value: 0.4 },
            AnswerSpec::Ranking { options, .. } => {
                Answer::Ranking { order: options.iter().map(|o| o.id.clone()).collect() }
            }
            AnswerSpec::Text => Answer::Text { text: format!("Reasons, take {seed}.") },
        };
        answers.insert(item.id.to_string(), answer);
    }
    serde_json::json!({ "answers": answers })
}

/// The light load generator: one keep-alive HTTP/1.1 connection per client, each request
/// written whole from bytes prepared before the clock starts, the response read just far
/// enough to know its status and length. It leaves more of the two cores to the server
/// than reqwest does (`DELPHI_BENCH_CLIENT=reqwest` measures with reqwest instead).
async fn raw_client_loop(address: SocketAddr, token: &str, bodies: &[String], until: Instant) -> (Vec<Duration>, u64) {
    // Readiness plus non-blocking reads and writes (tokio's `net`, no `io-util` needed).
    async fn write_all(stream: &tokio::net::TcpStream, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            stream.writable().await.unwrap();
            match stream.try_write(bytes) {
                Ok(written) => bytes = &bytes[written..],
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => panic!("write: {e}"),
            }
        }
    }
    async fn read_some(stream: &tokio::net::TcpStream, buffer: &mut Vec<u8>) {
        let mut chunk = [0_u8; 4096];
        loop {
            stream.readable().await.unwrap();
            match stream.try_read(&mut chunk) {
                Ok(0) => panic!("the server closed the connection"),
                Ok(read) => return buffer.extend_from_slice(&chunk[..read]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => panic!("read: {e}"),
            }
        }
    }
    let requests: Vec<Vec<u8>> = bodies
        .iter()
        .map(|body| {
            format!(
                "POST /api/v1/s/{token} HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\n\
                 content-length: {}\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
        })
        .collect();
    let mut latencies = Vec::new();
    let mut failures = 0_u64;
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let mut buffer = Vec::with_capacity(4096);
    let mut n = 0_usize;
    while Instant::now() < until {
        let sent = Instant::now();
        write_all(&stream, &requests[n % requests.len()]).await;
        n += 1;
        // Read the head, then as much of the body as it announces.
        buffer.clear();
        let (head_end, status, length) = loop {
            read_some(&stream, &mut buffer).await;
            if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&buffer[..end]).unwrap().to_ascii_lowercase();
                let status: u16 = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
                let length: usize = head
                    .lines()
                    .find_map(|line| line.strip_prefix("content-length:"))
                    .map(|v| v.trim().parse().unwrap())
                    .expect("the server sends a content-length");
                break (end + 4, status, length);
            }
        };
        while buffer.len() < head_end + length {
            read_some(&stream, &mut buffer).await;
        }
        if (200..300).contains(&status) {
            latencies.push(sent.elapsed());
        } else {
            failures += 1;
        }
    }
    (latencies, failures)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

/// CPU time (user + system) used so far by this process and by its thread named `thread`,
/// from /proc (Linux; zero elsewhere), in seconds.
fn cpu_seconds(thread: &str) -> (f64, f64) {
    // Fields after the command name: state is the 1st, utime the 12th, stime the 13th.
    fn ticks(stat: &str) -> Option<(String, f64)> {
        let (head, rest) = stat.rsplit_once(')')?;
        let name = head.split_once('(')?.1.to_owned();
        let fields: Vec<&str> = rest.split_whitespace().collect();
        Some((name, fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?))
    }
    let per_second = 100.0; // USER_HZ on Linux
    let process = std::fs::read_to_string("/proc/self/stat").ok().and_then(|s| ticks(&s)).map_or(0.0, |(_, t)| t);
    let named = std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("stat")).ok().and_then(|s| ticks(&s)))
        .filter(|(name, _)| name == thread)
        .map(|(_, t)| t)
        .sum::<f64>();
    (process / per_second, named / per_second)
}

fn main() {
    let clients = usize::try_from(env_or("DELPHI_BENCH_CLIENTS", 256)).unwrap();
    let seconds = env_or("DELPHI_BENCH_SECONDS", 10);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("delphi.sqlite");
    let (frozen, tokens) = open_round_for(&path, clients);

    let raw_rate = delphi_store::measure_commit_rate(dir.path(), 300).unwrap();

    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (writer, writer_thread) = Writer::spawn(Store::open(&path).unwrap());
    let mut config = ServiceConfig::new(ID.clone());
    config.requests_per_minute = u32::MAX;
    // Every simulated expert connects from 127.0.0.1: one address, as many connections.
    config.connections.max_connections_per_client = clients;
    config.connections.max_connections = config.connections.max_connections.max(clients);
    let service = Service::new(config, (0..4).map(|_| Store::open(&path).unwrap()).collect(), writer);
    let (address, stop, server) = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, service, async {
            let _ = stopped.await;
        }));
        (address, stop, server)
    });

    let client = reqwest::Client::builder().pool_max_idle_per_host(clients).build().unwrap();
    let raw_client = std::env::var("DELPHI_BENCH_CLIENT").map_or(true, |c| c != "reqwest");
    // Bodies serialised once, so the load generator spends its share of the CPU on HTTP only.
    let bodies: Arc<Vec<String>> = Arc::new((0..7).map(|s| full_answers(&frozen, s).to_string()).collect());
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let cpu_before = cpu_seconds("delphi-writer");
    let tasks: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            let (client, bodies) = (client.clone(), bodies.clone());
            let url = format!("http://{address}/api/v1/s/{token}");
            runtime.spawn(async move {
                if raw_client {
                    return raw_client_loop(address, &token, &bodies, until).await;
                }
                reqwest_client_loop(&client, &url, &bodies, until).await
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut failures = 0;
    for task in tasks {
        let (l, f) = runtime.block_on(task).unwrap();
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu_after = cpu_seconds("delphi-writer");
    let _ = stop.send(());
    runtime.block_on(server).unwrap().unwrap();
    drop(runtime);
    writer_thread.join().unwrap();

    let stored = Store::open(&path).unwrap().status(&ID, &[]).unwrap()[0].submissions;
    latencies.sort_unstable();
    let run = Run { clients, seconds, raw_client, elapsed, failures, raw_rate };
    print_results(&run, &latencies, stored, (cpu_before, cpu_after));
    assert_eq!(u64::from(stored), latencies.len() as u64, "every acknowledged submission is stored");
}

/// A store at `path` with the study, a panel of `clients` experts and round 1 open: the
/// round's questionnaire and each expert's token.
fn open_round_for(path: &std::path::Path, clients: usize) -> (FrozenRound, Vec<String>) {
    let study = Study::from_toml(STUDY, "study.toml").unwrap();
    let mut csv = String::from("id,name,email,institution,country,bloc,language,expertise\n");
    for i in 0..clients {
        csv.push_str(&format!(
            "X{i:04},Expert {i},x{i}@example.org,Institute {},XX,{},en,t\n",
            i % 10,
            ["US", "China", "Europe", "Other"][i % 4]
        ));
    }
    let mut store = Store::open(path).unwrap();
    let now = Utc::now();
    store.register_study(&ID, STUDY, now).unwrap();
    store.import_panel(&ID, &Panel::from_csv(&csv, "panel.csv", &study).unwrap(), now).unwrap();
    let frozen = FrozenRound::build(&study, 1, None).unwrap();
    store
        .open_round(&ID, 1, 3, &serde_json::to_string(&frozen).unwrap(), now + chrono::Duration::hours(2), now)
        .unwrap();
    let tokens: Vec<String> = (0..clients)
        .map(|i| store.issue_token(&ID, 1, &format!("X{i:04}"), now).unwrap().expose().to_owned())
        .collect();
    (frozen, tokens)
}

/// One client through reqwest: submissions one after another until `until`; the latency of
/// each acknowledged one, and the number that failed.
async fn reqwest_client_loop(
    client: &reqwest::Client,
    url: &str,
    bodies: &[String],
    until: Instant,
) -> (Vec<Duration>, u64) {
    let mut latencies = Vec::new();
    let mut failures = 0_u64;
    let mut n = 0_usize;
    while Instant::now() < until {
        let sent = Instant::now();
        let response = client
            .post(url)
            .header("content-type", "application/json")
            .body(bodies[n % bodies.len()].clone())
            .send()
            .await;
        match response {
            Ok(r) if r.status().is_success() => latencies.push(sent.elapsed()),
            _ => failures += 1,
        }
        n += 1;
    }
    (latencies, failures)
}

/// How the benchmark ran, for its report.
struct Run {
    clients: usize,
    seconds: u64,
    raw_client: bool,
    /// Seconds from the first request to the last answer.
    elapsed: f64,
    failures: u64,
    /// Raw fsync-ed single-row SQLite commits per second.
    raw_rate: f64,
}

/// Prints the rates, the latency percentiles (`latencies` sorted) and the CPU time per
/// acknowledged submission (`cpu`: [`cpu_seconds`] before and after).
fn print_results(run: &Run, latencies: &[Duration], stored: u32, cpu: ((f64, f64), (f64, f64))) {
    let Run { clients, seconds, raw_client, elapsed, failures, raw_rate } = *run;
    let (cpu_before, cpu_after) = cpu;
    let rate = latencies.len() as f64 / elapsed;
    println!(
        "delphi-collect load benchmark: {clients} concurrent clients ({}), {seconds} s, full questionnaires (30 answers each)",
        if raw_client { "light HTTP/1.1 client" } else { "reqwest" }
    );
    println!("  acknowledged durable submissions: {} ({rate:.0}/s), failures: {failures}", latencies.len());
    println!("  stored submissions in the store:  {stored}");
    println!(
        "  latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(latencies, 0.50).as_secs_f64() * 1e3,
        percentile(latencies, 0.90).as_secs_f64() * 1e3,
        percentile(latencies, 0.99).as_secs_f64() * 1e3,
        percentile(latencies, 1.0).as_secs_f64() * 1e3
    );
    let per_submission = |seconds: f64| seconds / latencies.len().max(1) as f64 * 1e6;
    println!(
        "  CPU per acknowledged submission: {:.0} µs in all (server, SQLite and load generator), {:.0} µs of it on the writer thread",
        per_submission(cpu_after.0 - cpu_before.0),
        per_submission(cpu_after.1 - cpu_before.1)
    );
    println!("  raw fsync-ed single-row SQLite commits on the same disk: {raw_rate:.0}/s");
    println!("  group commit / raw commit rate: {:.1}×", rate / raw_rate);
}
