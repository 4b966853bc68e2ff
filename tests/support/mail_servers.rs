//! Real mail servers for the email channel's integration tests, each a child process on
//! an ephemeral loopback port with its own temporary directory, stopped on drop:
//!
//! - [`SmtpSink`]: an SMTP server (aiosmtpd, `smtp_sink.py` next to this file) that keeps
//!   every message raw, in arrival order; plain, STARTTLS or implicit TLS, and with TLS
//!   AUTH PLAIN/LOGIN is required (user `delphi`, password `s3cret-pass`);
//! - [`Dovecot`]: a private Dovecot IMAP server (imaps only) serving one user whose INBOX
//!   is filled with [`Dovecot::deliver`] (`doveadm save`, Dovecot's own delivery);
//! - [`test_ca`]: the certificate authority both servers' certificate for `localhost` and
//!   127.0.0.1 is signed by. A `delphi` process trusts it with `SSL_CERT_FILE=bundle`
//!   (native-tls over OpenSSL reads that variable; it then trusts only that file).
//!
//! Include it with `#[path = "support/mail_servers.rs"] mod mail_servers;`. It uses std
//! and `tempfile` only; it needs `python3` with `aiosmtpd`, `openssl`, and Dovecot
//! (`dovecot-imapd`), all of which `scripts/test` installs.
#![allow(dead_code)] // every test crate uses a different part

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The SMTP user and password the TLS modes of [`SmtpSink`] require.
pub const SMTP_USER: &str = "delphi";
pub const SMTP_PASSWORD: &str = "s3cret-pass";
/// The IMAP user and password of [`Dovecot`].
pub const IMAP_USER: &str = "delphi";
pub const IMAP_PASSWORD: &str = "s3cret-imap";

const SINK_SCRIPT: &str = include_str!("smtp_sink.py");

/// A certificate authority and a server certificate it signed for `localhost`,
/// `127.0.0.1` and `::1`, made with the `openssl` command.
#[derive(Debug)]
pub struct TestCa {
    /// The CA certificate (PEM): what a client must trust (`SSL_CERT_FILE`, `--cacert`).
    pub bundle: PathBuf,
    /// The server certificate (PEM), signed by the CA.
    pub cert: PathBuf,
    /// The server certificate's private key (PEM, unencrypted).
    pub key: PathBuf,
}

/// The test CA, made on first use in `CARGO_TARGET_TMPDIR/delphi-test-ca` and kept there
/// for later test runs (it is valid for ten years): made in a temporary directory and
/// renamed into place, so test processes running at the same time agree on one.
pub fn test_ca() -> &'static TestCa {
    static CA: OnceLock<TestCa> = OnceLock::new();
    CA.get_or_init(|| {
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let dir = tmp.join("delphi-test-ca");
        if !dir.join("cert.pem").exists() {
            let new =
                tempfile::Builder::new().prefix("delphi-test-ca.").tempdir_in(tmp).expect("a temporary directory");
            make_ca(new.path());
            // fails if another process got there first: then its CA is used
            let _ = std::fs::rename(new.path(), &dir);
        }
        TestCa { bundle: dir.join("ca.pem"), cert: dir.join("cert.pem"), key: dir.join("key.pem") }
    })
}

fn make_ca(d: &Path) {
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    run(Command::new("openssl")
        .args(["req", "-x509"])
        .args(ec)
        .args(["-keyout", "ca.key", "-out", "ca.pem", "-days", "3650", "-subj", "/CN=delphi test CA"])
        .args(["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        .current_dir(d));
    run(Command::new("openssl")
        .arg("req")
        .args(ec)
        .args(["-keyout", "key.pem", "-out", "server.csr", "-subj", "/CN=localhost"])
        .current_dir(d));
    std::fs::write(
        d.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n\
         basicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature,keyEncipherment\n\
         extendedKeyUsage=serverAuth\n",
    )
    .expect("write server.ext");
    run(Command::new("openssl")
        .args(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"])
        .args(["-out", "cert.pem", "-days", "3650", "-extfile", "server.ext"])
        .current_dir(d));
    // the tempdir is 0700; Dovecot reads the key as root, the sink as this user
    set_mode(d, 0o755);
}

/// How an [`SmtpSink`] secures its connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// No TLS, no AUTH (AUTH is not offered).
    Plain,
    /// STARTTLS is required before MAIL; AUTH PLAIN/LOGIN is required, and offered only
    /// after STARTTLS.
    StartTls,
    /// TLS from the first byte (the port 465 way); AUTH PLAIN/LOGIN is required.
    ImplicitTls,
}

/// An SMTP server that accepts every message and keeps it raw, in arrival order.
#[derive(Debug)]
pub struct SmtpSink {
    pub port: u16,
    /// `localhost`: the name the certificate is for.
    pub host: String,
    pub security: SmtpSecurity,
    /// The credentials the TLS modes require ([`SMTP_USER`], [`SMTP_PASSWORD`]).
    pub user: String,
    pub password: String,
    spool: PathBuf,
    log: PathBuf,
    child: Child,
    /// Open while the sink should run: the sink exits when it closes.
    stdin: Option<ChildStdin>,
    dir: TempDir,
}

impl SmtpSink {
    /// Starts a sink (python3 with aiosmtpd; `DELPHI_TEST_PYTHON` names another Python).
    pub fn start(security: SmtpSecurity) -> SmtpSink {
        let dir = tempfile::Builder::new().prefix("delphi-smtp-sink.").tempdir().expect("a temporary directory");
        let spool = dir.path().join("spool");
        std::fs::create_dir(&spool).expect("create the spool");
        let script = dir.path().join("smtp_sink.py");
        std::fs::write(&script, SINK_SCRIPT).expect("write smtp_sink.py");
        let log = dir.path().join("sink.log");
        let python = std::env::var("DELPHI_TEST_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let mode = match security {
            SmtpSecurity::Plain => "plain",
            SmtpSecurity::StartTls => "starttls",
            SmtpSecurity::ImplicitTls => "tls",
        };
        let mut command = Command::new(&python);
        command.arg(&script).arg("--dir").arg(&spool).args(["--security", mode]);
        command.args(["--user", SMTP_USER, "--password", SMTP_PASSWORD]);
        if security != SmtpSecurity::Plain {
            let ca = test_ca();
            command.arg("--cert").arg(&ca.cert).arg("--key").arg(&ca.key);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("create sink.log"))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {python} (the SMTP sink needs python3 with aiosmtpd): {e}"));
        let mut first = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        BufReader::new(stdout).read_line(&mut first).expect("read the sink's port");
        let Ok(port) = first.trim().parse::<u16>() else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the SMTP sink did not start (is aiosmtpd installed? scripts/test installs it): {}",
                read_lossy(&log)
            );
        };
        let stdin = child.stdin.take();
        SmtpSink {
            port,
            host: "localhost".to_owned(),
            security,
            user: SMTP_USER.to_owned(),
            password: SMTP_PASSWORD.to_owned(),
            spool,
            log,
            child,
            stdin,
            dir,
        }
    }

    /// The server in lettre's URL syntax (`SmtpTransport::from_url`), with the
    /// credentials where the sink requires them.
    pub fn lettre_url(&self) -> String {
        let (user, password, port) = (&self.user, &self.password, self.port);
        match self.security {
            SmtpSecurity::Plain => format!("smtp://localhost:{port}"),
            SmtpSecurity::StartTls => format!("smtp://{user}:{password}@localhost:{port}?tls=required"),
            SmtpSecurity::ImplicitTls => format!("smtps://{user}:{password}@localhost:{port}"),
        }
    }

    /// The numbers of the messages stored so far: 1, 2, … without gaps (with several
    /// sink workers, message n+1 can be on disk a moment before message n).
    fn numbers(&self) -> Vec<u64> {
        let mut numbers: Vec<u64> = std::fs::read_dir(&self.spool)
            .expect("read the spool")
            .filter_map(|e| {
                let name = e.ok()?.file_name().into_string().ok()?;
                name.strip_suffix(".eml")?.parse().ok()
            })
            .collect();
        numbers.sort_unstable();
        numbers.into_iter().enumerate().take_while(|(i, n)| *n == *i as u64 + 1).map(|(_, n)| n).collect()
    }

    /// Every message received so far, raw (RFC 5322 bytes, CRLF, dot-stuffing undone),
    /// in arrival order.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        self.numbers()
            .into_iter()
            .map(|n| std::fs::read(self.spool.join(format!("{n:08}.eml"))).expect("read a stored message"))
            .collect()
    }

    /// The envelope of every message received so far, in arrival order: the MAIL FROM
    /// address and the RCPT TO addresses.
    pub fn envelopes(&self) -> Vec<(String, Vec<String>)> {
        self.numbers()
            .into_iter()
            .map(|n| {
                let env = read_lossy(&self.spool.join(format!("{n:08}.env")));
                let mut lines = env.lines().map(str::to_owned);
                let from = lines.next().unwrap_or_default();
                (from, lines.collect())
            })
            .collect()
    }

    /// The RCPT TO addresses of every message received so far, in order.
    pub fn envelope_recipients(&self) -> Vec<String> {
        self.envelopes().into_iter().flat_map(|(_, to)| to).collect()
    }

    /// Waits until at least `count` messages arrived and returns them all; panics if they
    /// do not within `timeout` or the sink dies.
    pub fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            if Instant::now() >= deadline {
                panic!(
                    "SMTP sink on port {}: expected at least {count} messages within {timeout:?}, received {}{}",
                    self.port,
                    messages.len(),
                    log_excerpt(&self.log)
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The sink's log (Python's stderr): empty unless something went wrong.
    pub fn log(&self) -> String {
        read_lossy(&self.log)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        drop(self.stdin.take()); // the sink exits when its stdin closes
        let _ = self.child.kill(); // its workers die with it (PR_SET_PDEATHSIG)
        let _ = self.child.wait();
    }
}

/// A private Dovecot IMAP server: own configuration, base_dir, log and Maildir, one user,
/// imaps (implicit TLS) on 127.0.0.1 only, certificate from [`test_ca`], AUTH PLAIN and
/// LOGIN over TLS, no system users.
#[derive(Debug)]
pub struct Dovecot {
    /// The imaps port (TLS from the first byte).
    pub port: u16,
    pub user: String,
    pub password: String,
    config: PathBuf,
    log: PathBuf,
    /// The user's Maildir.
    pub maildir: PathBuf,
    child: Child,
    dir: TempDir,
}

impl Dovecot {
    /// Starts Dovecot and waits until it accepts connections.
    pub fn start() -> Dovecot {
        assert!(
            Command::new("dovecot").arg("--version").output().is_ok_and(|o| o.status.success()),
            "Dovecot is not installed (scripts/test installs it: apt-get install dovecot-imapd)"
        );
        let ca = test_ca();
        let dir = tempfile::Builder::new().prefix("delphi-dovecot.").tempdir().expect("a temporary directory");
        let d = dir.path();
        // Dovecot's unprivileged processes (dovenull, dovecot) must reach base_dir
        set_mode(d, 0o755);
        let (uid, gid, login_user) = mail_owner();
        let home = d.join("home");
        let maildir = home.join("Maildir");
        std::fs::create_dir_all(&maildir).expect("create the Maildir");
        for p in [&home, &maildir] {
            std::os::unix::fs::chown(p, Some(uid), Some(gid)).expect("chown the Maildir to the mail user");
        }
        let passwd = d.join("passwd");
        std::fs::write(&passwd, format!("{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}::::::\n")).expect("write passwd");
        set_mode(&passwd, 0o644);
        let log = d.join("dovecot.log");
        let config = d.join("dovecot.conf");
        let mut last_log = String::new();
        for _attempt in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
            std::fs::write(&config, dovecot_config(d, port, &ca.cert, &ca.key, uid, gid, login_user.as_deref()))
                .expect("write dovecot.conf");
            let _ = std::fs::remove_file(&log);
            let mut child = Command::new("dovecot")
                .arg("-F")
                .arg("-c")
                .arg(&config)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(d.join("dovecot.stderr")).expect("create dovecot.stderr"))
                .spawn()
                .expect("run dovecot");
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                if let Some(status) = child.try_wait().expect("wait for dovecot") {
                    last_log = format!("{status}: {}{}", read_lossy(&d.join("dovecot.stderr")), read_lossy(&log));
                    break;
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Dovecot {
                        port,
                        user: IMAP_USER.to_owned(),
                        password: IMAP_PASSWORD.to_owned(),
                        config,
                        log,
                        maildir,
                        child,
                        dir,
                    };
                }
                if Instant::now() >= deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("Dovecot did not accept connections on port {port} within 20 s: {}", read_lossy(&log));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            if !last_log.contains("in use") {
                break;
            }
            // the port was taken between choosing and binding it: choose again
        }
        panic!("Dovecot did not start: {last_log}");
    }

    /// `imaps://localhost:PORT/FOLDER`.
    pub fn url(&self, folder: &str) -> String {
        format!("imaps://localhost:{}/{folder}", self.port)
    }

    fn doveadm(&self) -> Command {
        let mut command = Command::new("doveadm");
        command.arg("-c").arg(&self.config);
        command
    }

    /// Delivers a message into INBOX the way a mail server would (`doveadm save`: Dovecot
    /// stores it, assigns a UID, and IMAP serves it with CRLF line ends).
    pub fn deliver(&self, raw: &[u8]) {
        self.deliver_to("INBOX", raw);
    }

    /// Delivers a message into `folder` (created if missing).
    pub fn deliver_to(&self, folder: &str, raw: &[u8]) {
        if folder != "INBOX" && !self.folders().iter().any(|f| f == folder) {
            run(self.doveadm().args(["mailbox", "create", "-u", &self.user, folder]));
        }
        let mut child = self
            .doveadm()
            .args(["save", "-u", &self.user, "-m", folder])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run doveadm save");
        child.stdin.take().expect("piped stdin").write_all(raw).expect("write the message to doveadm save");
        let out = child.wait_with_output().expect("wait for doveadm save");
        assert!(out.status.success(), "doveadm save failed: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// Removes from `folder` the messages whose Message-ID header is `message_id` (`<…>`).
    pub fn expunge(&self, folder: &str, message_id: &str) {
        run(self.doveadm().args(["expunge", "-u", &self.user, "mailbox", folder, "header", "Message-ID", message_id]));
    }

    fn status(&self, folder: &str, field: &str) -> usize {
        let out = run(self.doveadm().args(["mailbox", "status", "-u", &self.user, field, folder]));
        // "INBOX messages=3" (the folder name, then field=value)
        out.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{field}=")).and_then(|v| v.parse().ok()))
            .unwrap_or_else(|| panic!("doveadm mailbox status: unexpected output {out:?}"))
    }

    /// How many messages `folder` holds.
    pub fn message_count(&self, folder: &str) -> usize {
        self.status(folder, "messages")
    }

    /// How many messages of `folder` are not \Seen.
    pub fn unseen_count(&self, folder: &str) -> usize {
        self.status(folder, "unseen")
    }

    /// The user's folders (`INBOX`, and any other, `/` separating levels).
    pub fn folders(&self) -> Vec<String> {
        run(self.doveadm().args(["mailbox", "list", "-u", &self.user])).lines().map(str::to_owned).collect()
    }

    /// Dovecot's log (logins, errors).
    pub fn log(&self) -> String {
        read_lossy(&self.log)
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its imap, auth and login processes
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The owner of the Maildir and the user Dovecot's own processes run as. As root: the
/// system's `mail` user (Dovecot refuses uid 0 for mail), with Dovecot's default
/// `dovenull`/`dovecot` users for its processes. Otherwise: this user for everything.
fn mail_owner() -> (u32, u32, Option<String>) {
    let status = std::fs::read_to_string("/proc/self/status").expect("read /proc/self/status");
    let id = |field: &str| -> u32 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .expect("a uid/gid in /proc/self/status")
    };
    let (uid, gid) = (id("Uid:"), id("Gid:"));
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let entries: Vec<Vec<&str>> =
        passwd.lines().map(|l| l.split(':').collect()).filter(|f: &Vec<&str>| f.len() > 3).collect();
    if uid == 0 {
        let mail = entries.iter().find(|f| f[0] == "mail").expect("a `mail` user in /etc/passwd");
        (mail[2].parse().expect("mail's uid"), mail[3].parse().expect("mail's gid"), None)
    } else {
        let name = entries.iter().find(|f| f[2] == uid.to_string()).map(|f| f[0].to_owned());
        (uid, gid, Some(name.expect("this user in /etc/passwd")))
    }
}

#[allow(clippy::too_many_arguments)]
fn dovecot_config(d: &Path, port: u16, cert: &Path, key: &Path, uid: u32, gid: u32, user: Option<&str>) -> String {
    let d = d.display();
    let mut c = String::new();
    let _ = write!(
        c,
        "# a private instance for one test; nothing from /etc/dovecot
protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
instance_name = delphi-test-{port}
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/home
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
    ssl = yes
  }}
}}
",
        cert = cert.display(),
        key = key.display(),
    );
    if let Some(user) = user {
        // not root: every process runs as this user
        let _ = write!(c, "default_login_user = {user}\ndefault_internal_user = {user}\n");
    }
    c
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Runs a command, panics with its stderr if it fails, returns its stdout.
fn run(command: &mut Command) -> String {
    let out = command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(out.status.success(), "{command:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn read_lossy(path: &Path) -> String {
    let mut bytes = Vec::new();
    if let Ok(mut f) = std::fs::File::open(path) {
        let _ = f.read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn log_excerpt(path: &Path) -> String {
    let log = read_lossy(path);
    if log.trim().is_empty() { String::new() } else { format!("; sink log:\n{log}") }
}
