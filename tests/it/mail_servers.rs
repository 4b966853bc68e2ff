//! The test mail servers of `tests/support/mail_servers.rs` work: the SMTP sink keeps
//! what clients send, in order, with the security each mode promises; Dovecot serves
//! what was delivered over imaps only, to the right password only. Talks to them with
//! std (raw SMTP) and `curl` (TLS, AUTH, IMAP).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use crate::servers::{Dovecot, SmtpSecurity, SmtpSink, test_ca};

const WAIT: Duration = Duration::from_secs(20);

/// A raw SMTP conversation over plain TCP.
struct Smtp {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Smtp {
    fn connect(port: u16) -> (Smtp, String) {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        let mut smtp = Smtp { reader: BufReader::new(stream.try_clone().unwrap()), writer: stream };
        let banner = smtp.reply();
        (smtp, banner)
    }

    /// One reply, all its lines (`250-…` continued, `250 …` last).
    fn reply(&mut self) -> String {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            assert!(self.reader.read_line(&mut line).unwrap() > 0, "the server closed the connection after {all:?}");
            all.push_str(&line);
            if line.len() < 4 || line.as_bytes()[3] != b'-' {
                return all;
            }
        }
    }

    fn command(&mut self, line: &str) -> String {
        self.writer.write_all(format!("{line}\r\n").as_bytes()).unwrap();
        self.reply()
    }

    fn send(&mut self, from: &str, to: &[&str], message: &[u8]) -> String {
        assert!(self.command(&format!("MAIL FROM:<{from}>")).starts_with("250"));
        for rcpt in to {
            assert!(self.command(&format!("RCPT TO:<{rcpt}>")).starts_with("250"));
        }
        assert!(self.command("DATA").starts_with("354"));
        let mut stuffed = Vec::new();
        for line in message.split_inclusive(|b| *b == b'\n') {
            if line.starts_with(b".") {
                stuffed.push(b'.');
            }
            stuffed.extend_from_slice(line);
        }
        stuffed.extend_from_slice(b".\r\n");
        self.writer.write_all(&stuffed).unwrap();
        self.reply()
    }
}

fn message(n: usize) -> Vec<u8> {
    format!(
        "From: Delphi study <delphi@replies.example.org>\r\nTo: expert{n}@example.org\r\n\
         Subject: Round 1 ({n})\r\nMessage-ID: <m{n}@replies.example.org>\r\n\r\n\
         Dear expert,\r\n.a line that starts with a dot\r\n..and two\r\nmessage {n}\r\n"
    )
    .into_bytes()
}

fn curl(args: &[&str]) -> Output {
    Command::new("curl")
        .args(["--silent", "--show-error", "--max-time", "20"])
        .args(args)
        .output()
        .expect("curl is needed for this test (scripts/test installs it)")
}

fn write_temp(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

#[test]
fn the_ca_signs_a_certificate_for_localhost() {
    let ca = test_ca();
    let out = Command::new("openssl")
        .args(["verify", "-CAfile"])
        .arg(&ca.bundle)
        .args(["-verify_hostname", "localhost", "-verify_ip", "127.0.0.1"])
        .arg(&ca.cert)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr));
    assert!(std::ptr::eq(ca, test_ca()), "made once per process");
}

#[test]
fn plain_sink_keeps_messages_raw_with_their_envelope() {
    let sink = SmtpSink::start(SmtpSecurity::Plain);
    let (mut smtp, banner) = Smtp::connect(sink.port);
    assert!(banner.starts_with("220 localhost"), "{banner}");
    let ehlo = smtp.command("EHLO client.example.org");
    assert!(ehlo.starts_with("250-localhost"), "{ehlo}");
    assert!(!ehlo.contains("AUTH") && !ehlo.contains("STARTTLS"), "plain: neither AUTH nor STARTTLS: {ehlo}");
    let reply = smtp.send("delphi@replies.example.org", &["a@example.org", "B@Example.org"], &message(1));
    assert!(reply.starts_with("250"), "{reply}");
    let reply = smtp.send("bounces@replies.example.org", &["c@example.org"], &message(2));
    assert!(reply.starts_with("250"), "{reply}");
    assert!(smtp.command("QUIT").starts_with("221"));

    let messages = sink.wait_for(2, WAIT);
    assert_eq!(messages, vec![message(1), message(2)], "byte for byte, dot-stuffing undone");
    assert_eq!(sink.envelope_recipients(), ["a@example.org", "B@Example.org", "c@example.org"]);
    assert_eq!(sink.envelopes()[1].0, "bounces@replies.example.org");
    assert_eq!(sink.lettre_url(), format!("smtp://localhost:{}", sink.port));
}

#[test]
#[should_panic(expected = "expected at least 1 messages")]
fn wait_for_panics_when_nothing_arrives() {
    let sink = SmtpSink::start(SmtpSecurity::Plain);
    sink.wait_for(1, Duration::from_millis(200));
}

#[test]
fn messages_of_parallel_connections_all_arrive_each_connection_in_order() {
    let sink = SmtpSink::start(SmtpSecurity::Plain);
    let (connections, each) = (4, 50);
    std::thread::scope(|s| {
        for c in 0..connections {
            let port = sink.port;
            s.spawn(move || {
                let (mut smtp, _) = Smtp::connect(port);
                smtp.command("EHLO pool");
                for i in 0..each {
                    let to = format!("c{c}@example.org");
                    assert!(smtp.send("delphi@replies.example.org", &[&to], &message(c * 1000 + i)).starts_with("250"));
                }
                smtp.command("QUIT");
            });
        }
    });
    let messages = sink.wait_for(connections * each, WAIT);
    assert_eq!(messages.len(), connections * each);
    let envelopes = sink.envelopes();
    assert_eq!(envelopes.len(), messages.len());
    for c in 0..connections {
        let to = vec![format!("c{c}@example.org")];
        let mine: Vec<&Vec<u8>> = messages.iter().zip(&envelopes).filter(|(_, e)| e.1 == to).map(|(m, _)| m).collect();
        let sent: Vec<Vec<u8>> = (0..each).map(|i| message(c * 1000 + i)).collect();
        assert_eq!(mine, sent.iter().collect::<Vec<_>>(), "connection {c}: every message, in the order sent");
    }
    let recipients = sink.envelope_recipients();
    assert_eq!(recipients.len(), connections * each);
}

#[test]
fn starttls_sink_requires_tls_then_auth() {
    let sink = SmtpSink::start(SmtpSecurity::StartTls);
    let (mut smtp, _) = Smtp::connect(sink.port);
    let ehlo = smtp.command("EHLO client.example.org");
    assert!(ehlo.contains("STARTTLS"), "{ehlo}");
    assert!(!ehlo.contains("AUTH"), "no AUTH before TLS: {ehlo}");
    let refused = smtp.command("MAIL FROM:<delphi@replies.example.org>");
    assert!(refused.starts_with("530"), "MAIL before STARTTLS: {refused}");
    drop(smtp);

    let dir = tempfile::tempdir().unwrap();
    let file = write_temp(dir.path(), "m.eml", &message(7));
    let ca = test_ca().bundle.display().to_string();
    let url = format!("smtp://localhost:{}", sink.port);
    let send = |extra: &[&str]| {
        let mut args = vec!["--url", &url, "--ssl-reqd", "--mail-from", "delphi@replies.example.org"];
        args.extend(["--mail-rcpt", "avery.placeholder@example.org", "--upload-file", &file]);
        args.extend(extra);
        curl(&args)
    };
    let untrusted = send(&["--user", "delphi:s3cret-pass"]);
    assert!(!untrusted.status.success(), "the test CA is not trusted by default, so TLS is real");
    let wrong = send(&["--cacert", &ca, "--user", "delphi:wrong"]);
    assert!(!wrong.status.success(), "a wrong password is refused");
    let anonymous = send(&["--cacert", &ca]);
    assert!(!anonymous.status.success(), "AUTH is required");
    let good = send(&["--cacert", &ca, "--user", "delphi:s3cret-pass"]);
    assert!(good.status.success(), "curl: {}", String::from_utf8_lossy(&good.stderr));

    assert_eq!(sink.wait_for(1, WAIT), vec![message(7)]);
    assert_eq!(sink.envelope_recipients(), ["avery.placeholder@example.org"]);
    assert_eq!(sink.lettre_url(), format!("smtp://delphi:s3cret-pass@localhost:{}?tls=required", sink.port));
}

#[test]
fn implicit_tls_sink_requires_auth() {
    let sink = SmtpSink::start(SmtpSecurity::ImplicitTls);
    let dir = tempfile::tempdir().unwrap();
    let file = write_temp(dir.path(), "m.eml", &message(9));
    let ca = test_ca().bundle.display().to_string();
    let url = format!("smtps://localhost:{}", sink.port);
    let send = |extra: &[&str]| {
        let mut args = vec!["--url", &url, "--cacert", &ca, "--mail-from", "delphi@replies.example.org"];
        args.extend(["--mail-rcpt", "x@example.org", "--upload-file", &file]);
        args.extend(extra);
        curl(&args)
    };
    assert!(!send(&[]).status.success(), "AUTH is required");
    let good = send(&["--user", "delphi:s3cret-pass"]);
    assert!(good.status.success(), "curl: {}", String::from_utf8_lossy(&good.stderr));
    assert_eq!(sink.wait_for(1, WAIT), vec![message(9)]);
    // a plain-text client gets no banner: the port speaks TLS
    let stream = TcpStream::connect(("127.0.0.1", sink.port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    let mut line = String::new();
    let _ = BufReader::new(stream).read_line(&mut line);
    assert!(!line.starts_with("220"), "{line}");
}

#[test]
fn dovecot_serves_delivered_mail_over_imaps() {
    let dovecot = Dovecot::start();
    assert_eq!(dovecot.message_count("INBOX"), 0);
    let first = message(1);
    dovecot.deliver(&first);
    dovecot.deliver(&message(2));
    assert_eq!(dovecot.message_count("INBOX"), 2);
    assert_eq!(dovecot.unseen_count("INBOX"), 2);

    let ca = test_ca().bundle.display().to_string();
    let login = format!("{}:{}", dovecot.user, dovecot.password);
    let fetched = curl(&["--cacert", &ca, "--user", &login, &format!("{};UID=1", dovecot.url("INBOX"))]);
    assert!(fetched.status.success(), "curl: {}\n{}", String::from_utf8_lossy(&fetched.stderr), dovecot.log());
    assert_eq!(fetched.stdout, first, "the message as delivered, CRLF");
    assert_eq!(dovecot.unseen_count("INBOX"), 1, "fetching BODY[] sets \\Seen");

    let wrong = curl(&["--cacert", &ca, "--user", &format!("{}:wrong", dovecot.user), &dovecot.url("INBOX")]);
    assert!(!wrong.status.success(), "a wrong password is refused");
    let untrusted = curl(&["--user", &login, &dovecot.url("INBOX")]);
    assert!(!untrusted.status.success(), "the test CA is not trusted by default, so TLS is real");
    let plain = curl(&["--user", &login, &format!("imap://localhost:{}/INBOX", dovecot.port)]);
    assert!(!plain.status.success(), "no plain IMAP");

    dovecot.deliver_to("Delphi/Processed", &message(3));
    assert!(dovecot.folders().contains(&"Delphi/Processed".to_owned()), "{:?}", dovecot.folders());
    assert_eq!(dovecot.message_count("Delphi/Processed"), 1);
    assert_eq!(dovecot.url("INBOX"), format!("imaps://localhost:{}/INBOX", dovecot.port));
}

#[test]
fn two_dovecots_run_side_by_side() {
    let a = Dovecot::start();
    let b = Dovecot::start();
    assert_ne!(a.port, b.port);
    a.deliver(&message(1));
    assert_eq!((a.message_count("INBOX"), b.message_count("INBOX")), (1, 0));
}
