//! `delphi serve` as the end-to-end tests start it, and a page fetched from it as a browser
//! asks for one: shared by the tests that read what an expert sees over HTTP.

// Each test file includes the module and uses a part of it.
#![allow(dead_code)]

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
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
        let child = Command::new(env!("CARGO_BIN_EXE_delphi"))
            .args([
                "--study",
                "study/study.toml",
                "--data-dir",
                "data",
                "serve",
                "--bind",
                &format!("127.0.0.1:{port}"),
            ])
            .args(options)
            .current_dir(root)
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
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/html\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}
