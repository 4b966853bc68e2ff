//! The `delphi` binary as the end-to-end tests run it on a study in a temporary folder
//! (`study/study.toml`, data in `data/`), and what experts send it: the web form as a browser
//! posts it, an email reply to an invitation in the outbox.

// Each test file includes the module and uses a part of it.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// `delphi` on the study in `dir`.
pub fn delphi(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_delphi"));
    command.args(["--study", "study/study.toml", "--data-dir", "data"]).current_dir(dir);
    command
}

/// `delphi init study` in a fresh directory: the starter study (five experts, English) in
/// `study/`.
pub fn starter() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out =
        Command::new(env!("CARGO_BIN_EXE_delphi")).args(["init", "study"]).current_dir(dir.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    dir
}

/// Runs `delphi args` on the study in `dir`, which must succeed; its output.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = delphi(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "delphi {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Sends `reply` to `delphi answer --expert expert` on its standard input, as a coordinator
/// records a reply by hand; it must be accepted.
pub fn answer(dir: &Path, expert: &str, reply: &str) {
    use std::io::Write;
    let mut child = delphi(dir)
        .args(["answer", "--expert", expert])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(reply.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "answer {expert}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Writes the shipped AI-safety study as study `id` into `root/study` (`delphi init`), changed
/// by `edit` (the study file's text in, the study to run out), and imports its panel.
pub fn init_example(root: &Path, id: &str, edit: impl FnOnce(&str) -> String) {
    let init = Command::new(env!("CARGO_BIN_EXE_delphi"))
        .args(["init", "study", "--id", id, "--example", "ai-safety"])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    let file = root.join("study/study.toml");
    let written = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, edit(&written)).unwrap();
    ok(root, &["validate"]);
    ok(root, &["panel", "import"]);
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
