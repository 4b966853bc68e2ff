//! `delphi submit`: an expert's answers sent through their personal link's JSON API, over
//! http or https (native-tls: the system's OpenSSL and its certificate store), with a
//! deadline on connecting and on the whole exchange.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use sha2::{Digest, Sha256};

use crate::render::line_for_terminal;

#[derive(Debug, Args)]
pub(crate) struct SubmitArgs {
    /// The expert's personal link (https://…/s/<token>).
    link: String,
    /// A JSON file {"answers": {"<item id>": <answer>, …}}; `-` reads standard input.
    file: PathBuf,
    /// A CA certificate (PEM) to trust besides the system's, for a server whose certificate
    /// a private CA signed. (OpenSSL's SSL_CERT_FILE, which replaces the system's store, works
    /// too.)
    #[arg(long, env = "DELPHI_CA_CERT")]
    ca_cert: Option<PathBuf>,
    /// Seconds to wait for the whole exchange (connecting, sending, the server's answer)
    /// before giving up; connecting alone gets at most 10 of them.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    timeout: u64,
}

/// The longest wait for a connection, whatever `--timeout` says.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends answers through the JSON API of a personal link. The request carries an
/// idempotency key made from the answers, so sending the same file twice stores it once.
pub(crate) fn run(args: &SubmitArgs) -> Result<()> {
    let body = read_input(&args.file)?;
    let parsed: serde_json::Value = serde_json::from_str(&body).context("the answers are not valid JSON")?;
    if !parsed.get("answers").is_some_and(serde_json::Value::is_object) {
        bail!("the file must hold {{\"answers\": {{\"<item id>\": <answer>, …}}}}");
    }
    let api = api_url(&args.link)?;
    let key: String = Sha256::digest(body.as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect();
    let timeout = Duration::from_secs(args.timeout);
    let client = client(args.ca_cert.as_deref(), timeout)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (status, reply) = runtime
        .block_on(async {
            let response = client.post(&api).header("idempotency-key", key).json(&parsed).send().await?;
            let status = response.status();
            let reply: serde_json::Value = response.json().await.unwrap_or(serde_json::Value::Null);
            Ok::<_, reqwest::Error>((status, reply))
        })
        .map_err(|error| explain(&error, &api, args.timeout))?;
    if status.is_success() {
        let duplicate = if reply["duplicate"] == true { " (already stored before: nothing new)" } else { "" };
        let submission = &reply["submission"];
        let submission = submission.as_str().map_or_else(|| submission.to_string(), str::to_owned);
        println!("stored {} answers as submission {}{duplicate}", reply["recorded"], line_for_terminal(&submission));
        return Ok(());
    }
    let mut message =
        format!("the server refused the answers ({status}): {}", reply["error"].as_str().unwrap_or("no reason given"));
    for problem in reply["problems"].as_array().into_iter().flatten() {
        message.push_str(&format!("\n  - {}", problem.as_str().unwrap_or_default()));
    }
    bail!(message)
}

/// An HTTP(S) client with the deadlines, trusting `ca_cert` besides the system's CAs.
fn client(ca_cert: Option<&Path>, timeout: Duration) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder().connect_timeout(CONNECT_TIMEOUT.min(timeout)).timeout(timeout);
    if let Some(path) = ca_cert {
        let pem = std::fs::read(path).with_context(|| format!("cannot read the CA certificate {}", path.display()))?;
        let certificate = reqwest::Certificate::from_pem(&pem)
            .with_context(|| format!("{} is not a PEM certificate", path.display()))?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build().context("cannot set up the HTTPS client (OpenSSL)")
}

/// What went wrong talking to the server, said so that the person can act on it.
fn explain(error: &reqwest::Error, api: &str, timeout: u64) -> anyhow::Error {
    let chain = error_chain(error);
    if chain.contains("certificate verify failed") || chain.contains("self-signed certificate") {
        return anyhow::anyhow!(
            "the server's certificate is not trusted ({api}): {chain}\n  if a private CA signed it, give that CA with --ca-cert FILE"
        );
    }
    if error.is_timeout() {
        return anyhow::anyhow!(
            "no answer from {api} within {timeout} s (--timeout); the answers may or may not be stored: sending the same file again is safe"
        );
    }
    if error.is_connect() {
        return anyhow::anyhow!("cannot connect to {api}: {chain}");
    }
    anyhow::anyhow!("cannot reach {api}: {chain}")
}

/// An error and its causes on one line (reqwest's own message names only the URL).
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

fn read_input(path: &Path) -> Result<String> {
    if path == Path::new("-") {
        std::io::read_to_string(std::io::stdin()).context("cannot read standard input")
    } else {
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
    }
}

/// `http://host/s/<token>` → `http://host/api/v1/s/<token>`.
fn api_url(link: &str) -> Result<String> {
    let (base, token) = link.trim().rsplit_once("/s/").context("a personal link ends in /s/<token>")?;
    if token.is_empty() || token.contains('/') {
        bail!("a personal link ends in /s/<token>");
    }
    Ok(format!("{base}/api/v1/s/{token}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn personal_links_map_to_the_api() {
        assert_eq!(super::api_url("http://127.0.0.1:8080/s/abc").unwrap(), "http://127.0.0.1:8080/api/v1/s/abc");
        assert_eq!(
            super::api_url("https://delphi.example.org/s/abc").unwrap(),
            "https://delphi.example.org/api/v1/s/abc"
        );
        assert!(super::api_url("http://127.0.0.1:8080/x/abc").is_err());
        assert!(super::api_url("http://127.0.0.1:8080/s/").is_err());
    }
}
