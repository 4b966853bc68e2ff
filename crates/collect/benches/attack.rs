//! Benchmark under attack (loopback only, bounded): experts load their pages and send
//! answers at a steady pace while, in a second phase of the same run, 200 clients flood the
//! server with unique long paths and 1,000 connections stay half-open (a request head begun
//! and never ended, re-opened whenever the server closes one). Reports each expert request
//! kind's p50 and p99 latency in the calm phase and under attack, and their ratio.
//!
//! The server runs with its defaults (connection caps, timeouts, the pause before a 429)
//! except `requests_per_minute = 600`, so that the measured experts (10 a second each, from
//! addresses of their own) stay within their allowance. Attackers and experts run on
//! runtimes of their own, on the same 2 cores as the server: the attack's own CPU is paid by
//! the server's machine here, which makes the figures harsher than a remote attack.
//!
//! `cargo bench -p delphi-collect --bench attack` · knobs: DELPHI_BENCH_SECONDS (15 per
//! phase), DELPHI_BENCH_FLOODERS (200), DELPHI_BENCH_HALF_OPEN (1000),
//! DELPHI_BENCH_REFUSAL_PAUSE_MS (the service's default, 1000; 0 shows what the pause buys).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use delphi_collect::{Service, ServiceConfig, Writer, serve};
use delphi_core::Study;
use delphi_core::panel::Panel;
use delphi_core::study::StudyId;
use delphi_store::Store;
use delphi_survey::FrozenRound;
use tokio::net::{TcpSocket, TcpStream};

const STUDY: &str = include_str!("../../../surveys/ai-safety-cooperation.toml");
const PANEL: &str = include_str!("../../../surveys/ai-safety-cooperation.panel.csv");
static ID: LazyLock<StudyId> = LazyLock::new(|| StudyId::parse("ai-safety-cooperation").unwrap());
const EXPERTS: usize = 16;
/// Each expert's pace: one request every 100 ms, alternately a page and a submission.
const PACE: Duration = Duration::from_millis(100);

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

async fn connect_from(local: Ipv4Addr, server: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(IpAddr::V4(local), 0))?;
    let stream = socket.connect(server).await?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

async fn write_all(stream: &TcpStream, mut bytes: &[u8]) -> std::io::Result<()> {
    while !bytes.is_empty() {
        stream.writable().await?;
        match stream.try_write(bytes) {
            Ok(written) => bytes = &bytes[written..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Reads one response (head and the body its content-length announces); its status.
async fn read_response(stream: &TcpStream, buffer: &mut Vec<u8>) -> std::io::Result<u16> {
    buffer.clear();
    let mut chunk = [0_u8; 16 * 1024];
    let mut wanted = None;
    loop {
        if let Some((end, status, length)) = wanted
            && buffer.len() >= end + length
        {
            return Ok(status);
        }
        stream.readable().await?;
        match stream.try_read(&mut chunk) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e),
        }
        if wanted.is_none()
            && let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n")
        {
            let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
            let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
            let length = head
                .lines()
                .find_map(|line| line.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            wanted = Some((end + 4, status, length));
        }
    }
}

/// What the experts measured in one phase.
#[derive(Debug, Default)]
struct Measured {
    pages: Vec<Duration>,
    submissions: Vec<Duration>,
    failures: u64,
}

/// Each expert, from an address of its own, alternately loads its page and sends an answer,
/// one request per `PACE`, on a kept-alive connection (re-opened if the server closes it).
async fn experts(server: SocketAddr, tokens: Vec<String>, seconds: u64) -> Measured {
    let until = Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(i, token)| {
            tokio::spawn(async move {
                let local = Ipv4Addr::new(127, 0, 1, u8::try_from(i + 1).unwrap());
                let page = format!("GET /s/{token} HTTP/1.1\r\nhost: delphi\r\n\r\n").into_bytes();
                let mut measured = Measured::default();
                let mut connection = None;
                let mut buffer = Vec::new();
                let mut tick = tokio::time::interval(PACE);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                let mut n = 0_u32;
                while Instant::now() < until {
                    tick.tick().await;
                    n += 1;
                    let submission = n.is_multiple_of(2);
                    let request = if submission {
                        let body = format!(
                            r#"{{"answers": {{"verification.benefit": {{"kind": "ordinal", "point": {}}}}}}}"#,
                            1 + n % 7
                        );
                        format!(
                            "POST /api/v1/s/{token} HTTP/1.1\r\nhost: delphi\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        )
                        .into_bytes()
                    } else {
                        page.clone()
                    };
                    let sent = Instant::now();
                    if connection.is_none() {
                        connection = connect_from(local, server).await.ok();
                    }
                    let Some(stream) = &connection else {
                        measured.failures += 1;
                        continue;
                    };
                    let status = match write_all(stream, &request).await {
                        Ok(()) => read_response(stream, &mut buffer).await,
                        Err(e) => Err(e),
                    };
                    match status {
                        Ok(200) if submission => measured.submissions.push(sent.elapsed()),
                        Ok(200) => measured.pages.push(sent.elapsed()),
                        _ => {
                            measured.failures += 1;
                            connection = None;
                        }
                    }
                }
                measured
            })
        })
        .collect();
    let mut all = Measured::default();
    for task in tasks {
        let one = task.await.unwrap();
        all.pages.extend(one.pages);
        all.submissions.extend(one.submissions);
        all.failures += one.failures;
    }
    all.pages.sort_unstable();
    all.submissions.sort_unstable();
    all
}

/// What the attack achieved.
#[derive(Debug, Default)]
struct Attack {
    answered: AtomicU64,
    refused_429: AtomicU64,
    connections_refused: AtomicU64,
    half_open_opened: AtomicU64,
}

/// A flooding client: as fast as answers come, a new unique 8–16 KB path each time, on a
/// kept-alive connection; a refused or closed connection is re-opened after 100 ms.
async fn flooder(server: SocketAddr, id: u64, attack: Arc<Attack>, stop: Arc<AtomicBool>) {
    let mut buffer = Vec::new();
    let mut n = 0_u64;
    while !stop.load(Ordering::Relaxed) {
        let Ok(stream) = connect_from(Ipv4Addr::LOCALHOST, server).await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        while !stop.load(Ordering::Relaxed) {
            n += 1;
            let length = 8_192 + usize::try_from((id * 7_919 + n * 104_729) % 8_192).unwrap();
            let path = format!("{id:04}{n:010}{}", "f".repeat(length));
            let request = format!("GET /s/{path} HTTP/1.1\r\nhost: delphi\r\n\r\n");
            let status = match write_all(&stream, request.as_bytes()).await {
                Ok(()) => read_response(&stream, &mut buffer).await,
                Err(e) => Err(e),
            };
            match status {
                Ok(429) => attack.refused_429.fetch_add(1, Ordering::Relaxed),
                Ok(_) => attack.answered.fetch_add(1, Ordering::Relaxed),
                Err(_) => {
                    attack.connections_refused.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    break;
                }
            };
        }
    }
}

/// A slowloris connection from one of 8 addresses: a head begun and never ended; when the
/// server closes it, it is opened again.
async fn half_open(server: SocketAddr, id: u64, attack: Arc<Attack>, stop: Arc<AtomicBool>) {
    let local = Ipv4Addr::new(127, 0, 2, u8::try_from(1 + id % 8).unwrap());
    let mut buffer = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let Ok(stream) = connect_from(local, server).await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        attack.half_open_opened.fetch_add(1, Ordering::Relaxed);
        if write_all(&stream, b"GET /s/slow HTTP/1.1\r\nhost: delphi\r\nx-slow: ").await.is_err() {
            continue;
        }
        tokio::select! {
            _ = read_response(&stream, &mut buffer) => {}
            () = async { while !stop.load(Ordering::Relaxed) { tokio::time::sleep(Duration::from_millis(200)).await } } => {}
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn resident_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024)
}

fn main() {
    let seconds = env_or("DELPHI_BENCH_SECONDS", 15);
    let flooders = env_or("DELPHI_BENCH_FLOODERS", 200);
    let half_opens = env_or("DELPHI_BENCH_HALF_OPEN", 1_000);
    delphi_collect::raise_open_file_limit();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("delphi.sqlite");
    let study = Study::from_toml(STUDY, "study.toml").unwrap();
    let mut store = Store::open(&path).unwrap();
    let now = Utc::now();
    store.register_study(&ID, STUDY, now).unwrap();
    store.import_panel(&ID, &Panel::from_csv(PANEL, "panel.csv", &study).unwrap(), now).unwrap();
    let frozen = FrozenRound::build(&study, 1, None).unwrap();
    store
        .open_round(&ID, 1, 3, &serde_json::to_string(&frozen).unwrap(), now + chrono::Duration::hours(2), now)
        .unwrap();
    let tokens: Vec<String> = (1..=EXPERTS)
        .map(|i| store.issue_token(&ID, 1, &format!("E{i:02}"), now).unwrap().expose().to_owned())
        .collect();
    drop(store);

    let server_runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (writer, writer_thread) = Writer::spawn(Store::open(&path).unwrap());
    let mut config = ServiceConfig::new(ID.clone());
    config.requests_per_minute = 600;
    if let Ok(pause) = std::env::var("DELPHI_BENCH_REFUSAL_PAUSE_MS") {
        config.refusal_pause = Duration::from_millis(pause.parse().expect("milliseconds"));
    }
    let refusal_pause = config.refusal_pause;
    let service = Service::new(config, (0..4).map(|_| Store::open(&path).unwrap()).collect(), writer);
    let (address, stop_server, server) = server_runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
        let address = SocketAddr::from(([127, 0, 0, 1], listener.local_addr().unwrap().port()));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, service, async {
            let _ = stopped.await;
        }));
        (address, stop, server)
    });
    let experts_runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let attack_runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();

    // Warm up (the questionnaire parsed and cached, the allocator's pools filled).
    experts_runtime.block_on(experts(address, tokens.clone(), 2));
    let calm = experts_runtime.block_on(experts(address, tokens.clone(), seconds));

    let attack = Arc::new(Attack::default());
    let stop = Arc::new(AtomicBool::new(false));
    let attack_thread = {
        let (attack, stop) = (attack.clone(), stop.clone());
        std::thread::spawn(move || {
            attack_runtime.block_on(async {
                let mut tasks = Vec::new();
                for id in 0..half_opens {
                    tasks.push(tokio::spawn(half_open(address, id, attack.clone(), stop.clone())));
                }
                for id in 0..flooders {
                    tasks.push(tokio::spawn(flooder(address, id, attack.clone(), stop.clone())));
                }
                for task in tasks {
                    let _ = task.await;
                }
            });
        })
    };
    std::thread::sleep(Duration::from_secs(2));
    let rss_attacked = resident_mib();
    let attacked = experts_runtime.block_on(experts(address, tokens, seconds));
    stop.store(true, Ordering::Relaxed);
    attack_thread.join().unwrap();
    let _ = stop_server.send(());
    server_runtime.block_on(server).unwrap().unwrap();
    drop(server_runtime);
    writer_thread.join().unwrap();

    println!(
        "delphi-collect under attack: {EXPERTS} experts, each one request per {} ms from its own address, {seconds} s per phase",
        PACE.as_millis()
    );
    println!(
        "  attack: {flooders} flooders (unique 8–16 KB paths, closed loop), {half_opens} half-open connections from 8 addresses; pause before a 429: {refusal_pause:?}"
    );
    for (kind, calm, attacked) in
        [("page loads", &calm.pages, &attacked.pages), ("submissions", &calm.submissions, &attacked.submissions)]
    {
        let (p50_calm, p99_calm) = (percentile(calm, 0.5), percentile(calm, 0.99));
        let (p50_attack, p99_attack) = (percentile(attacked, 0.5), percentile(attacked, 0.99));
        println!(
            "  {kind:<11} calm: n {} p50 {:.2} ms p99 {:.2} ms · attacked: n {} p50 {:.2} ms p99 {:.2} ms · ratio p50 {:.2}× p99 {:.2}×",
            calm.len(),
            ms(p50_calm),
            ms(p99_calm),
            attacked.len(),
            ms(p50_attack),
            ms(p99_attack),
            ms(p50_attack) / ms(p50_calm).max(1e-6),
            ms(p99_attack) / ms(p99_calm).max(1e-6),
        );
    }
    println!("  expert requests failed: calm {}, attacked {}", calm.failures, attacked.failures);
    println!(
        "  flood: {} answered (404), {} refused with 429, {} connections refused or closed; half-open connections opened: {}; process RSS under attack {} MiB",
        attack.answered.load(Ordering::Relaxed),
        attack.refused_429.load(Ordering::Relaxed),
        attack.connections_refused.load(Ordering::Relaxed),
        attack.half_open_opened.load(Ordering::Relaxed),
        rss_attacked
    );
}
