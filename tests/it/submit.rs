//! `delphi submit` as an expert runs it: over https to `delphi serve` behind a real TLS
//! terminator (socat with a certificate of the test CA, made by `openssl`), trusting the CA
//! given with `--ca-cert` or OpenSSL's `SSL_CERT_FILE`; refused with a clear error when the
//! certificate is not trusted; and ended by its deadline when a server accepts the
//! connection but never answers.
//!
//! Needs `socat` and `openssl` (scripts/test installs both).

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::util::{delphi, free_port, ok, open_study};

/// `delphi` on the study in `dir`, blind to the machine's own OpenSSL settings: they must not
/// decide what these tests see.
fn delphi_without_machine_ca(dir: &Path) -> Command {
    let mut command = delphi(dir);
    command.env_remove("SSL_CERT_FILE").env_remove("SSL_CERT_DIR").env_remove("DELPHI_CA_CERT");
    command
}

fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A child process stopped when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `command`, failing the test instead of hanging if it has not ended after `limit`.
fn run_within(command: &mut Command, limit: Duration) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{command:?} was still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let elapsed = started.elapsed();
    (child.wait_with_output().unwrap(), elapsed)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn submit_over_https_behind_a_tls_terminator_stores_once_and_refuses_an_untrusted_certificate() {
    let dir = open_study("tls");
    let root = dir.path();
    let ca = crate::servers::test_ca();
    let (http_port, https_port) = (free_port(), free_port());

    let _server = Running(
        delphi_without_machine_ca(root)
            .args(["serve", "--bind", &format!("127.0.0.1:{http_port}"), "--requests-per-minute", "100000"])
            .env("DELPHI_COORDINATOR_TOKEN", "test-coordinator-0123456789abcdef")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for_port(http_port, "delphi serve");
    // The TLS terminator a coordinator puts in front: TLS outside, plain HTTP to delphi.
    let listen = format!(
        "OPENSSL-LISTEN:{https_port},bind=127.0.0.1,reuseaddr,fork,verify=0,cert={},key={}",
        ca.cert.display(),
        ca.key.display()
    );
    let _terminator = Running(
        Command::new("socat")
            .args([listen.as_str(), &format!("TCP:127.0.0.1:{http_port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("socat is installed (scripts/test installs it)"),
    );
    wait_for_port(https_port, "socat");

    let links =
        ok(root, &["round", "links", "--expert", "E01", "--base-url", &format!("https://localhost:{https_port}")]);
    let link = links.trim().split_once('\t').unwrap().1.to_owned();
    assert!(link.starts_with("https://localhost:"), "{link}");
    std::fs::write(
        root.join("answers.json"),
        r#"{"answers": {"verification.benefit": {"kind": "ordinal", "point": 5}}}"#,
    )
    .unwrap();
    let bundle = ca.bundle.to_str().unwrap();
    let limit = Duration::from_secs(60);

    let (first, _) =
        run_within(delphi_without_machine_ca(root).args(["submit", &link, "answers.json", "--ca-cert", bundle]), limit);
    assert!(first.status.success(), "{}{}", text(&first.stdout), text(&first.stderr));
    assert!(text(&first.stdout).contains("stored 1 answers as submission"), "{}", text(&first.stdout));
    let stored = || {
        let conn = rusqlite::Connection::open(root.join("data/tls/delphi.sqlite")).unwrap();
        let count: i64 =
            conn.query_row("SELECT COUNT(*) FROM submissions WHERE expert_id = 'E01'", [], |r| r.get(0)).unwrap();
        let value: String = conn
            .query_row(
                "SELECT value FROM current_answers WHERE expert_id = 'E01' AND item_id = 'verification.benefit'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        (count, value)
    };
    assert_eq!(stored(), (1, r#"{"kind":"ordinal","point":5}"#.to_owned()), "the answer is in the store");

    let (again, _) =
        run_within(delphi_without_machine_ca(root).args(["submit", &link, "answers.json", "--ca-cert", bundle]), limit);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(text(&again.stdout).contains("already stored before"), "{}", text(&again.stdout));
    assert_eq!(stored().0, 1, "the same file sent twice is stored once");

    // Without the CA, the test CA's certificate is one nobody vouched for.
    let (untrusted, _) = run_within(delphi_without_machine_ca(root).args(["submit", &link, "answers.json"]), limit);
    assert_eq!(untrusted.status.code(), Some(1), "{}", text(&untrusted.stdout));
    let error = text(&untrusted.stderr);
    assert!(error.contains("certificate is not trusted") && error.contains("--ca-cert"), "{error}");
    assert!(error.contains("certificate verify failed"), "OpenSSL's reason is kept: {error}");

    // OpenSSL's own variable works too (it replaces the system's store).
    std::fs::write(
        root.join("changed.json"),
        r#"{"answers": {"verification.benefit": {"kind": "ordinal", "point": 3}}}"#,
    )
    .unwrap();
    let (by_env, _) = run_within(
        delphi_without_machine_ca(root).args(["submit", &link, "changed.json"]).env("SSL_CERT_FILE", bundle),
        limit,
    );
    assert!(by_env.status.success(), "{}", text(&by_env.stderr));
    assert_eq!(stored(), (2, r#"{"kind":"ordinal","point":3}"#.to_owned()));
}

#[test]
fn submit_to_a_server_that_never_answers_gives_up_at_its_deadline_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Accepts every connection and reads nothing, answers nothing: a hung server or proxy.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
        }
    });
    std::fs::write(
        root.join("answers.json"),
        r#"{"answers": {"verification.benefit": {"kind": "ordinal", "point": 5}}}"#,
    )
    .unwrap();
    let link = format!("http://127.0.0.1:{port}/s/abcdefghijklmnopqrstuvwxyz234567");
    let (out, elapsed) = run_within(
        delphi_without_machine_ca(root).args(["submit", &link, "answers.json", "--timeout", "2"]),
        Duration::from_secs(60),
    );
    assert_eq!(out.status.code(), Some(1));
    let error = text(&out.stderr);
    assert!(error.contains("no answer from") && error.contains("within 2 s"), "{error}");
    assert!(error.contains("sending the same file again is safe"), "{error}");
    assert!(elapsed >= Duration::from_secs(2), "it waited its deadline: {elapsed:?}");
}
