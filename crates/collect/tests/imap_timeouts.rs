//! An IMAP server that stops answering ends `each_imap_message` with a timeout error that
//! names the step and the server, within a bounded time, instead of hanging it. The
//! "servers" are TCP listeners on 127.0.0.1 that answer as scripted, then say nothing more
//! (holding the connection open). Those that speak TLS use the test CA of
//! `tests/support/mail_servers.rs`, which the client trusts through `SSL_CERT_FILE`: such a
//! test runs itself again as a child process with that variable set.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use delphi_collect::mail::{ImapSettings, ImapTimeouts, MailboxError, MailboxMessage, Marking, each_imap_message};
use tokio_native_tls::native_tls;

#[path = "../../../tests/support/mail_servers.rs"]
mod mail_servers;

/// The short deadline the tests configure for every step.
const LIMIT: Duration = Duration::from_millis(300);
/// How long a run may take in all before the test calls it a hang.
const BOUND: Duration = Duration::from_secs(10);

/// A listener on 127.0.0.1 that hands each accepted connection to `serve` on a thread of
/// its own; `serve` returns the connection, which is then held open, unanswered.
fn server<S: Send + 'static>(serve: impl Fn(TcpStream) -> S + Send + Sync + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let serve = std::sync::Arc::new(serve);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let serve = serve.clone();
            std::thread::spawn(move || {
                let held = serve(stream);
                std::thread::sleep(BOUND * 2);
                drop(held);
            });
        }
    });
    port
}

/// Plays a scripted IMAP server on `stream`: the greeting (if `greet`), then for each
/// command the client sends, the next answer of `script` (`{tag}` stands for the command's
/// tag), as long as the command starts with the word expected. Returns when the script is
/// done.
fn play<S: Read + Write>(stream: &mut S, greet: bool, script: &[(&str, &str)]) {
    if greet {
        stream.write_all(b"* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] test server ready\r\n").unwrap();
        stream.flush().unwrap();
    }
    for (expected, answer) in script {
        let mut line = Vec::new();
        let mut byte = [0u8];
        while !line.ends_with(b"\r\n") {
            if stream.read(&mut byte).unwrap_or(0) == 0 {
                return;
            }
            line.push(byte[0]);
        }
        let line = String::from_utf8_lossy(&line);
        let (tag, command) = line.trim_end().split_once(' ').unwrap_or(("*", ""));
        assert!(command.to_ascii_uppercase().starts_with(expected), "expected {expected}, got {line:?}");
        stream.write_all(answer.replace("{tag}", tag).as_bytes()).unwrap();
        stream.flush().unwrap();
    }
}

/// A server with the test CA's certificate for 127.0.0.1, playing `script` over TLS and
/// then going silent: TLS from the first byte, or (`starttls`) after a greeting and
/// STARTTLS in plain text.
fn tls_server(starttls: bool, script: &'static [(&'static str, &'static str)]) -> u16 {
    let ca = mail_servers::test_ca();
    let identity = native_tls::Identity::from_pkcs8(
        &std::fs::read(&ca.cert).expect("the test certificate"),
        &std::fs::read(&ca.key).expect("its key"),
    )
    .expect("a TLS identity");
    let acceptor = native_tls::TlsAcceptor::new(identity).expect("a TLS acceptor");
    server(move |mut stream| {
        if starttls {
            play(&mut stream, true, &[("STARTTLS", "{tag} OK begin TLS now\r\n")]);
        }
        let mut tls = acceptor.accept(stream).expect("the TLS handshake");
        play(&mut tls, !starttls, script);
        tls
    })
}

fn settings(port: u16, starttls: bool) -> ImapSettings {
    let scheme = if starttls { "imap" } else { "imaps" };
    let mut settings =
        ImapSettings::parse(&format!("{scheme}://delphi@127.0.0.1:{port}/INBOX"), Some("pw".into())).unwrap();
    settings.timeouts = ImapTimeouts { connect: LIMIT, command: LIMIT, fetch: LIMIT };
    settings
}

/// Runs `each_imap_message` on a thread of its own and returns its outcome, how many
/// messages it handed over, and how long it took; fails the test if it has not ended
/// within [`BOUND`] (the thread is left behind).
fn run(settings: ImapSettings) -> (Result<usize, MailboxError>, usize, Duration) {
    let (done, outcome) = mpsc::channel();
    std::thread::spawn(move || {
        let started = Instant::now();
        let mut processed = 0;
        let result = each_imap_message(&settings, Marking::Mark, |_: &MailboxMessage| {
            processed += 1;
            Ok::<(), MailboxError>(())
        });
        let _ = done.send((result, processed, started.elapsed()));
    });
    match outcome.recv_timeout(BOUND) {
        Ok(outcome) => outcome,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("each_imap_message still waits after {BOUND:?}: it hangs"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("each_imap_message panicked"),
    }
}

fn assert_timed_out(result: Result<usize, MailboxError>, took: Duration, port: u16, expected: &str) {
    let error = result.expect_err("a silent server is an error");
    let message = error.to_string();
    eprintln!("{message} (returned after {took:?})");
    match &error {
        MailboxError::ImapTimeout { server, what, after } => {
            assert_eq!(server, &format!("127.0.0.1:{port}"));
            assert_eq!(what, expected);
            assert_eq!(*after, LIMIT);
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_eq!(message, format!("IMAP server 127.0.0.1:{port}: {expected} within 0.3 s"));
    assert!(took >= LIMIT, "it waited the deadline ({took:?})");
    assert!(took < LIMIT * 10, "and not much longer ({took:?})");
}

/// True in the child process that trusts the test CA: the test should run. In the parent,
/// runs the test `name` again in a child with `SSL_CERT_FILE` set, checks it passed, and
/// returns false.
fn trusting_the_test_ca(name: &str) -> bool {
    let bundle = &mail_servers::test_ca().bundle;
    if std::env::var_os("SSL_CERT_FILE").is_some_and(|file| file == bundle.as_os_str()) {
        return true;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", name, "--nocapture", "--test-threads=1"])
        .env("SSL_CERT_FILE", bundle)
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("1 passed"), "the test ran in the child: {stdout}");
    eprint!("{stderr}");
    false
}

#[test]
fn a_server_that_accepts_and_never_answers_times_out_waiting_for_its_greeting() {
    let port = server(|stream| stream);
    let (result, processed, took) = run(settings(port, true));
    assert_timed_out(result, took, port, "no greeting");
    assert_eq!(processed, 0);
}

#[test]
fn an_imaps_server_that_accepts_and_never_answers_times_out_in_the_tls_handshake() {
    let port = server(|stream| stream);
    let (result, _, took) = run(settings(port, false));
    assert_timed_out(result, took, port, "no TLS handshake");
}

#[test]
fn a_server_that_greets_and_ignores_starttls_times_out_naming_starttls() {
    let port = server(|mut stream| {
        play(&mut stream, true, &[]);
        stream
    });
    let (result, _, took) = run(settings(port, true));
    assert_timed_out(result, took, port, "no answer to STARTTLS");
}

#[test]
fn a_server_that_greets_and_goes_silent_after_login_times_out_naming_login() {
    if !trusting_the_test_ca("a_server_that_greets_and_goes_silent_after_login_times_out_naming_login") {
        return;
    }
    let port = tls_server(false, &[("LOGIN", "")]);
    let (result, _, took) = run(settings(port, false));
    assert_timed_out(result, took, port, "no answer to LOGIN");
}

#[test]
fn after_starttls_a_server_silent_after_login_times_out_naming_login() {
    if !trusting_the_test_ca("after_starttls_a_server_silent_after_login_times_out_naming_login") {
        return;
    }
    let port = tls_server(true, &[("LOGIN", "")]);
    let (result, _, took) = run(settings(port, true));
    assert_timed_out(result, took, port, "no answer to LOGIN");
}

#[test]
fn a_server_that_stalls_in_a_fetch_times_out_naming_the_message_after_the_earlier_ones_are_processed() {
    if !trusting_the_test_ca(
        "a_server_that_stalls_in_a_fetch_times_out_naming_the_message_after_the_earlier_ones_are_processed",
    ) {
        return;
    }
    let port = tls_server(
        false,
        &[
            ("LOGIN", "{tag} OK logged in\r\n"),
            ("SELECT", "* 2 EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n{tag} OK [READ-WRITE] selected\r\n"),
            ("UID SEARCH", "* SEARCH 9 4\r\n{tag} OK searched\r\n"),
            ("UID FETCH 4 ", "* 1 FETCH (UID 4 BODY[] {12}\r\nSubject: a\r\n)\r\n{tag} OK fetched\r\n"),
            ("UID STORE 4 ", "{tag} OK stored\r\n"),
            ("UID FETCH 9 ", ""),
        ],
    );
    let (result, processed, took) = run(settings(port, false));
    assert_timed_out(result, took, port, "no answer to UID FETCH 9");
    assert_eq!(processed, 1, "message 4 (the older) was processed and marked before 9 stalled");
}
