//! The HTML report as readers open it: in headless Chromium (driven through chromedriver's
//! WebDriver protocol) on a 1280 px desktop window and on a phone 375 px wide (Chromium's
//! mobile emulation, which honours the page's viewport), in English and in Chinese. The report
//! is the render tests' fixture: the shipped study, 40 experts, three rounds, with rationales
//! holding what experts paste (a long link, a long word, a long number).
//!
//! - on the phone the page never scrolls sideways: wide tables scroll inside their own box;
//! - on the desktop every chart's text is drawn at (nearly) the size of the body text, and on
//!   the phone it shrinks with its chart without becoming unreadable;
//! - on paper (Chromium's own print to A4) no table runs off the page;
//! - on the desktop an English paragraph keeps a readable measure (about 70–80 characters)
//!   and a Chinese one about 40 characters.
//!
//! Screenshots of both widths (the top of the report, its charts, pasted rationales) are written
//! to tests/artifacts/report/browser-* for a person to look at, beside the page and its print.
//! Needs Debian's `chromium` and `chromium-driver`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::report_common as common;
use crate::webdriver::{Driver, call, start_driver};
use base64::Engine as _;
use delphi_report::{RationaleGroup, Side, build, render_html};
use serde_json::{Value, json};

/// A chart of answers per scale point (the benefit–risk chart has no caption).
const DISTRIBUTION: &str = "figure:has(figcaption)";

/// What the page says about itself, measured in the browser: the body's font size, the
/// viewport and the page's scroll width, each chart text's drawn size, and the widest
/// paragraph's width in its own average characters (Chinese: in ems).
const MEASURE: &str = r"
const body = parseFloat(getComputedStyle(document.body).fontSize);
const texts = [...document.querySelectorAll('figure svg text')].map(t => {
  const scale = t.ownerSVGElement.getScreenCTM().a;
  return {
    text: t.textContent,
    drawn: parseFloat(getComputedStyle(t).fontSize) * scale,
    box: t.getBoundingClientRect().height,
  };
});
const canvas = document.createElement('canvas').getContext('2d');
const measures = [...document.querySelectorAll('p')].map(p => {
  const style = getComputedStyle(p);
  canvas.font = style.font;
  const text = p.textContent;
  const average = canvas.measureText(text).width / text.length;
  const width = p.getBoundingClientRect().width;
  return { chars: width / average, ems: width / parseFloat(style.fontSize), length: text.length };
}).filter(m => m.length > 400);
const right = css => [...document.querySelectorAll(css)].map(t => t.getBoundingClientRect().right);
const boxes = right('.table-scroll');
const tables = [...document.querySelectorAll('table')].map(t => ({
  right: t.getBoundingClientRect().right,
  head: t.rows[0].textContent,
}));
const lastCells = [...document.querySelectorAll('tr')].map(r => r.cells[r.cells.length - 1].textContent);
return {
  body, texts, measures, boxes, tables, lastCells,
  inner: innerWidth,
  scroll: document.scrollingElement.scrollWidth,
};
";

/// One headless Chromium window: a desktop window or an emulated phone.
struct Window {
    http: reqwest::Client,
    session: String,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

impl Window {
    async fn open(args: &[&str], mobile: Option<Value>) -> Self {
        let http = reqwest::Client::new();
        let driver = start_driver(&http).await;
        let profile = tempfile::tempdir().unwrap();
        let mut chrome = json!({"binary": "/usr/bin/chromium", "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            format!("--user-data-dir={}", profile.path().display()),
        ]});
        for a in args {
            chrome["args"].as_array_mut().unwrap().push(json!(a));
        }
        if let Some(m) = mobile {
            chrome["mobileEmulation"] = m;
        }
        let capabilities =
            json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": chrome}}});
        let created = call(&http, reqwest::Method::POST, format!("{}/session", driver.url), Some(capabilities)).await;
        let session = format!("{}/session/{}", driver.url, created["sessionId"].as_str().unwrap());
        Self { http, session, _driver: driver, _profile: profile }
    }

    async fn desktop() -> Self {
        Self::open(&["--window-size=1280,1400"], None).await
    }

    async fn phone() -> Self {
        Self::open(&[], Some(json!({"deviceMetrics": {"width": 375, "height": 812, "pixelRatio": 2.0}}))).await
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        call(&self.http, reqwest::Method::POST, format!("{}/{path}", self.session), Some(body)).await
    }

    async fn show(&self, file: &Path) {
        self.post("url", json!({"url": format!("file://{}", file.display())})).await;
    }

    async fn measure(&self) -> Value {
        self.post("execute/sync", json!({"script": MEASURE, "args": []})).await
    }

    /// The viewport with an element matching `css` at its top, saved as `name`: the `which`th
    /// (a number) or the first holding `which` (a text).
    async fn screenshot(&self, css: &str, which: Value, name: &str) {
        let script = "const [css, which] = arguments; const all = [...document.querySelectorAll(css)];
            const e = typeof which === 'number' ? all[which] : all.find(e => e.textContent.includes(which));
            if (!e) return false; e.scrollIntoView(); return true;";
        let found = self.post("execute/sync", json!({"script": script, "args": [css, which]})).await;
        assert_eq!(found, json!(true), "no {css} {which} to show in {name}");
        let png = call(&self.http, reqwest::Method::GET, format!("{}/screenshot", self.session), None).await;
        let png = base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap()).unwrap();
        assert_eq!(&png[1..4], b"PNG");
        std::fs::write(artifacts().join(name), &png).unwrap();
    }

    /// [`MEASURE`] with the page laid out for print, `width` CSS pixels wide.
    async fn measure_as_printed(&self, width: f64) -> Value {
        let cdp = |cmd: &str, params: Value| self.post("goog/cdp/execute", json!({"cmd": cmd, "params": params}));
        cdp("Emulation.setEmulatedMedia", json!({"media": "print"})).await;
        let metrics = json!({"width": width.floor(), "height": 1000, "deviceScaleFactor": 1, "mobile": false});
        cdp("Emulation.setDeviceMetricsOverride", metrics).await;
        let m = self.measure().await;
        cdp("Emulation.clearDeviceMetricsOverride", json!({})).await;
        cdp("Emulation.setEmulatedMedia", json!({"media": ""})).await;
        m
    }

    /// The page printed on A4 as Chromium prints it, as `pdftotext` reads it: only what is
    /// on the paper (text past a page's edge is cut off).
    async fn print(&self, name: &str) -> String {
        let pdf = self.post("print", json!({"page": {"width": 21.0, "height": 29.7}, "shrinkToFit": false})).await;
        let pdf = base64::engine::general_purpose::STANDARD.decode(pdf.as_str().unwrap()).unwrap();
        let file = artifacts().join(name);
        std::fs::write(&file, &pdf).unwrap();
        let out = Command::new("pdftotext").arg(&file).arg("-").output().expect("pdftotext is installed");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    async fn close(self) {
        let _ = self.http.delete(&self.session).send().await;
    }
}

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/artifacts/report");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The fixture's report in `lang`, written where the screenshots go (a reader can open it).
fn report_file(lang: &str) -> PathBuf {
    let study = common::shipped();
    let summary = common::summary(&study, 40, 3);
    let conduct = common::conduct(&study, 3, true);
    let language = study.languages.iter().find(|l| l.as_str() == lang).unwrap();
    let mut report = build(&study, &summary, &conduct, language).unwrap();
    // What experts paste into a rationale: a long link, a long compound word, a long number.
    let pasted = vec![
        "The draft is at https://standards.example.org/working-groups/ai-safety/verification-mechanisms/drafts/2026-03-02/compute-accounting-protocol-v3.pdf".into(),
        "Rechenleistungsnachweisverifikationsprotokollentwurf — see the annex.".into(),
        "核查协议草案见附件：https://standards.example.org/zh/核查机制/草案/计算量核算协议第三版".into(),
        "123456789012345678901234567890123456789012345678901234567890 FLOP".into(),
    ];
    let group = RationaleGroup::beside_median(&report.labels, "benefit", Side::Above, 5.0, pasted);
    report.domains[0].rounds[1].rationales.push(group);
    let html = render_html(&report);
    let file = artifacts().join(format!("browser-{lang}.html"));
    std::fs::write(&file, html).unwrap();
    file.canonicalize().unwrap()
}

fn number(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The smallest drawn size of any chart text, with the text.
fn smallest_chart_text(m: &Value) -> (f64, f64, String) {
    let texts = m["texts"].as_array().unwrap();
    assert!(texts.len() > 100, "the report's charts have texts: {}", texts.len());
    texts
        .iter()
        .map(|t| (number(&t["drawn"]), number(&t["box"]), t["text"].as_str().unwrap().to_owned()))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_report_reads_on_a_desktop_and_on_a_phone() {
    let files = [("en", report_file("en")), ("zh", report_file("zh"))];

    let desktop = Window::desktop().await;
    for (lang, file) in &files {
        desktop.show(file).await;
        let m = desktop.measure().await;
        let body = number(&m["body"]);
        assert!((15.0..=20.0).contains(&body), "{lang}: body text {body} px");
        let (drawn, box_height, text) = smallest_chart_text(&m);
        assert!(
            drawn >= 0.9 * body && box_height >= 0.9 * body,
            "{lang}, 1280 px: chart text “{text}” drawn at {drawn:.1} px (box {box_height:.1} px), body {body} px"
        );
        let measures = m["measures"].as_array().unwrap();
        assert!(!measures.is_empty(), "{lang}: the study's description is a long paragraph");
        for p in measures {
            if *lang == "en" {
                let chars = number(&p["chars"]);
                assert!((65.0..=85.0).contains(&chars), "{lang}: a paragraph {chars:.0} characters wide");
            } else {
                let ems = number(&p["ems"]);
                assert!((30.0..=42.0).contains(&ems), "{lang}: a paragraph {ems:.1} characters wide");
            }
        }
        eprintln!("{lang} 1280 px: body {body} px, smallest chart text {drawn:.1} px (“{text}”)");
        // On paper, at full size, every table fits its page: the last cell of each row is there
        // to read (pdftotext reads only what is on the paper; a cell past the edge is lost).
        let printed: String = desktop.print(&format!("browser-{lang}.pdf")).await.split_whitespace().collect();
        for cell in m["lastCells"].as_array().unwrap() {
            let cell = cell.as_str().unwrap();
            // its two ends: pdftotext reads a cell that wraps interleaved with its neighbours
            let chars: Vec<char> = cell.chars().filter(|c| !c.is_whitespace()).collect();
            let (start, end) = (&chars[..chars.len().min(3)], &chars[chars.len().saturating_sub(3)..]);
            for part in [start, end] {
                let part: String = part.iter().collect();
                assert!(printed.contains(&part), "{lang}: “{cell}” is cut off the paper");
            }
        }
        // and laid out as for print on A4's 178 mm between the margins, no table is wider
        let on_paper = desktop.measure_as_printed(178.0 / 25.4 * 96.0).await;
        for table in on_paper["tables"].as_array().unwrap() {
            let (right, head) = (number(&table["right"]), &table["head"]);
            assert!(right <= number(&on_paper["inner"]), "{lang}: the table headed {head} runs to {right} px on paper");
        }
        desktop.screenshot("h1", json!(0), &format!("browser-{lang}-1280.png")).await;
        desktop.screenshot("figure", json!(0), &format!("browser-{lang}-charts-1280.png")).await;
        // the first domain's round 3: distributions over three rounds, the widest charts
        desktop.screenshot(DISTRIBUTION, json!(10), &format!("browser-{lang}-distributions-1280.png")).await;
    }
    desktop.close().await;

    let phone = Window::phone().await;
    for (lang, file) in &files {
        phone.show(file).await;
        let m = phone.measure().await;
        let (inner, scroll, body) = (number(&m["inner"]), number(&m["scroll"]), number(&m["body"]));
        // a page wider than the phone also widens the phone's viewport (zoomed out to fit)
        assert!(
            inner == 375.0 && scroll <= inner,
            "{lang}, 375 px: the page scrolls sideways ({scroll} px wide, viewport {inner} px)"
        );
        for right in m["boxes"].as_array().unwrap() {
            assert!(number(right) <= inner, "{lang}: a table's scrolling box ends at {right} px");
        }
        let (drawn, _, text) = smallest_chart_text(&m);
        assert!(drawn >= 0.6 * body, "{lang}, 375 px: chart text “{text}” shrinks to {drawn:.1} px");
        eprintln!("{lang} 375 px: page {scroll} px wide, smallest chart text {drawn:.1} px (“{text}”)");
        phone.screenshot("h1", json!(0), &format!("browser-{lang}-375.png")).await;
        phone.screenshot("figure", json!(0), &format!("browser-{lang}-charts-375.png")).await;
        phone.screenshot(DISTRIBUTION, json!(10), &format!("browser-{lang}-distributions-375.png")).await;
        phone.screenshot("li", json!("standards.example.org"), &format!("browser-{lang}-pasted-375.png")).await;
    }
    phone.close().await;
}
