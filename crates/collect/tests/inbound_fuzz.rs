//! Fuzzing the whole inbound path, raw bytes → what the reply says: mail-parser, the
//! charset and transfer decodings, the HTML-to-text conversion, format=flowed, token
//! search, automatic-message detection and the reply parser (in both languages). Seeds are
//! the reply corpus; each case mutates one seed (bytes flipped, inserted, deleted or cut,
//! and fragments that once broke readers spliced in: entities beside multi-byte text,
//! stray `&`, brackets, markers, quoting). Nothing may panic.
//!
//! Bounded so it runs in the test command: `DELPHI_FUZZ_CASES` (default 3,000) cases or
//! `DELPHI_FUZZ_SECS` seconds, whichever ends first; a long run sets both high.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use delphi_collect::mail::inbound::read;
use delphi_core::Study;
use delphi_core::rng::Rng;
use delphi_survey::reply::{Signer, read_signed};
use delphi_survey::{FrozenRound, Questionnaire};

const FRAGMENTS: [&str; 24] = [
    "&amp;",
    "&gt; 写道：",
    "&nbsp; 中文",
    "&#20013;",
    "&#x4e2d;",
    "&mdash;",
    "&",
    "&#",
    "&#x;",
    "&amp",
    "<p>",
    "</p>",
    "<br>",
    "<blockquote>",
    "</blockquote>",
    "<pre>",
    "<td>",
    "［protocols.benefit］４",
    "[verification.benefit] ",
    "\r\n> ",
    "\r\n:: ",
    "=E2=80",
    "=\r\n",
    "\u{feff}",
];

fn seeds() -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/replies");
    let mut seeds: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .map(|p| {
            let raw = std::fs::read(&p).unwrap();
            (p, raw)
        })
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 30, "the reply corpus is the seed corpus");
    seeds
}

fn questionnaires() -> Vec<Questionnaire> {
    let study = Study::from_toml(include_str!("../../../surveys/ai-safety-cooperation.toml"), "study.toml").unwrap();
    let frozen = FrozenRound::build(&study, 1, None).unwrap();
    vec![frozen.in_language("en").clone(), frozen.in_language("zh").clone()]
}

fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut bytes = seed.to_vec();
    for _ in 0..=rng.index(8) {
        let at = rng.index(bytes.len() + 1);
        match rng.index(6) {
            0 if !bytes.is_empty() => {
                let at = at.min(bytes.len() - 1);
                bytes[at] ^= 1 << rng.index(8);
            }
            1 => bytes.insert(at, u8::try_from(rng.index(256)).unwrap()),
            2 if at < bytes.len() => {
                let end = (at + rng.index(64)).min(bytes.len());
                bytes.drain(at..end);
            }
            3 => bytes.truncate(at),
            _ => {
                let fragment = FRAGMENTS[rng.index(FRAGMENTS.len())].as_bytes();
                bytes.splice(at..at, fragment.iter().copied());
            }
        }
    }
    bytes
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
fn no_input_makes_the_inbound_path_panic() {
    let seeds = seeds();
    let questionnaires = questionnaires();
    let signer = Signer::new("Avery Placeholder", "avery.placeholder@example.org");
    let cases = env_number("DELPHI_FUZZ_CASES", 3_000);
    let budget = Duration::from_secs(env_number("DELPHI_FUZZ_SECS", 60));
    let started = Instant::now();
    // The project's seeded generator, so a failing case is named by its number.
    let mut rng = Rng::new(0x5eed_d31f_0000_0001);
    let mut tried = 0_u64;
    let mut recorded = 0_u64;
    // Every seed as it is first, then mutants.
    let mut inputs = seeds.iter().map(|(path, raw)| (path.clone(), raw.clone())).collect::<Vec<_>>().into_iter();
    while tried < cases && started.elapsed() < budget {
        let (path, input) = inputs.next().unwrap_or_else(|| {
            let (path, raw) = &seeds[rng.index(seeds.len())];
            (path.clone(), mutate(raw, &mut rng))
        });
        let outcome = std::panic::catch_unwind(|| {
            let incoming = read(&input);
            let q = &questionnaires[usize::from(incoming.text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))];
            read_signed(q, &incoming.text, &signer).errors.is_empty()
        });
        match outcome {
            Ok(readable) => recorded += u64::from(readable),
            Err(_) => panic!(
                "case {tried} (a mutant of {}) panicked; its bytes:\n{:?}",
                path.display(),
                String::from_utf8_lossy(&input)
            ),
        }
        tried += 1;
    }
    eprintln!(
        "inbound fuzz: {tried} inputs in {:.1} s, 0 panics ({recorded} read as valid answers)",
        started.elapsed().as_secs_f64()
    );
    assert!(tried >= seeds.len() as u64, "every seed ran");
}
