//! The one harness of the end-to-end tests: the `delphi` binary as they run it on a study in a
//! temporary folder (`study/study.toml`, data in `data/`), what experts send it (a reply recorded
//! by hand, the web form as a browser posts it, an email reply to an invitation in the outbox),
//! and `delphi serve` started with a page fetched from it as a browser asks for one.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The `delphi` binary this test binary was built with, no argument yet.
pub fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_delphi"))
}

/// The `delphi` binary run in `dir` with no argument yet: for `init`, `demo`, `cooke`, or a
/// study file named on the command line.
pub fn bare(dir: &Path) -> Command {
    let mut command = binary();
    command.current_dir(dir);
    command
}

/// Runs `delphi args` in `dir` with no study options; its output, whether it succeeded or not.
pub fn run_bare(dir: &Path, args: &[&str]) -> Output {
    bare(dir).args(args).output().expect("delphi runs")
}

/// `delphi` on the study in `dir`.
pub fn delphi(dir: &Path) -> Command {
    let mut command = bare(dir);
    command.args(["--study", "study/study.toml", "--data-dir", "data"]);
    command
}

/// Runs `delphi args` on the study in `dir`; its output, whether it succeeded or not.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    delphi(dir).args(args).output().expect("delphi runs")
}

/// Runs `delphi args` on the study in `dir` with `stdin` on its standard input (closed after
/// it, or at once); its output, whether it succeeded or not.
pub fn run_with(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = delphi(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("delphi runs");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.unwrap_or_default().as_bytes()).expect("stdin written");
    drop(input);
    child.wait_with_output().expect("delphi finishes")
}

/// `out` of `delphi args`, which must have succeeded; its standard output.
pub fn succeeded(args: &[&str], out: &Output) -> String {
    assert!(
        out.status.success(),
        "delphi {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs `delphi args` on the study in `dir`, which must succeed; its output.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    succeeded(args, &run(dir, args))
}

/// Runs `delphi args` on the study in `dir` with `stdin` on its standard input, which must
/// succeed; its output.
pub fn ok_with(dir: &Path, args: &[&str], stdin: Option<&str>) -> String {
    succeeded(args, &run_with(dir, args, stdin))
}

/// `delphi init study` with `extra` options in `dir`, which must succeed.
pub fn init(dir: &Path, extra: &[&str]) {
    let out = bare(dir).args(["init", "study"]).args(extra).output().expect("delphi runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `delphi init study` in a fresh directory: the starter study (five experts, English) in
/// `study/`.
pub fn starter() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), &[]);
    dir
}

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Sends `reply` to `delphi answer --expert expert` on its standard input, as a coordinator
/// records a reply by hand; it must be accepted.
pub fn answer(dir: &Path, expert: &str, reply: &str) {
    let out = run_with(dir, &["answer", "--expert", expert], Some(reply));
    assert!(out.status.success(), "answer {expert}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Writes the shipped AI-safety study as study `id` into `root/study` (`delphi init`), changed
/// by `edit` (the study file's text in, the study to run out), and imports its panel.
pub fn init_example(root: &Path, id: &str, edit: impl FnOnce(&str) -> String) {
    init(root, &["--id", id, "--example", "ai-safety"]);
    let file = root.join("study/study.toml");
    let written = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, edit(&written)).unwrap();
    ok(root, &["validate"]);
    ok(root, &["panel", "import"]);
}

/// A study `id` from the shipped example in a new temporary folder, its panel imported and
/// round 1 open.
pub fn open_study(id: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), &["--id", id, "--example", "ai-safety"]);
    ok(dir.path(), &["panel", "import"]);
    ok(dir.path(), &["round", "open"]);
    dir
}

/// A plain-text email reply to the invitation in `invitation` (raw), with `answers` on top;
/// `n` makes its Message-ID unique.
pub fn email_reply(invitation: &[u8], answers: &str, n: usize) -> Vec<u8> {
    let message = mail_parser::MessageParser::default().parse(invitation).expect("a MIME message");
    let address = |a: Option<&mail_parser::Address<'_>>| {
        a.and_then(|a| a.first()).and_then(|a| a.address()).expect("an address").to_owned()
    };
    let (to, reply_to) = (address(message.to()), address(message.reply_to()));
    let message_id = message.message_id().expect("a Message-ID");
    format!(
        "From: {to}\r\nTo: {reply_to}\r\nSubject: Re: round 1\r\nMessage-ID: <reply-{n}@example.org>\r\nIn-Reply-To: <{message_id}>\r\n\
         Date: Sat, 28 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n{}\r\n",
        answers.replace('\n', "\r\n")
    )
    .into_bytes()
}

/// Posts `fields` to `link` as a browser sends the form.
pub async fn post_form(client: &reqwest::Client, link: &str, fields: &[(String, String)]) -> reqwest::Response {
    let body = form_body(fields);
    client.post(link).header("content-type", "application/x-www-form-urlencoded").body(body).send().await.unwrap()
}

/// `fields` as a browser posts a form: `application/x-www-form-urlencoded`.
pub fn form_body(fields: &[(String, String)]) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
                b' ' => "+".to_owned(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    fields.iter().map(|(name, value)| format!("{}={}", encode(name), encode(value))).collect::<Vec<_>>().join("&")
}

/// `delphi serve` of the study in `root` (`study/study.toml`, data in `data/`) on `port`, once
/// it accepts connections; killed when dropped.
pub struct Server(Child);

impl Server {
    pub fn start(root: &Path, port: u16) -> Self {
        Self::start_with(root, port, &[])
    }

    /// The same, with `serve`'s own options added (e.g. `--requests-per-minute`).
    pub fn start_with(root: &Path, port: u16, options: &[&str]) -> Self {
        let child = delphi(root)
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .args(options)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Self(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A plain HTTP/1.1 GET as a browser sends it; the status line and the body.
pub fn get(port: u16, path: &str) -> (String, String) {
    send(port, "GET", path, None)
}

/// One HTTP/1.1 request as a browser (or a mail gateway's link scanner) sends it, with a body
/// of the given content type if any: the status line and the body.
pub fn send(port: u16, method: &str, path: &str, content: Option<(&str, &str)>) -> (String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let body = content.map_or("", |(_, body)| body);
    let content = content
        .map_or_else(String::new, |(kind, body)| format!("Content-Type: {kind}\r\nContent-Length: {}\r\n", body.len()));
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/html\r\n{content}Connection: close\r\n\r\n{body}"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}
