//! The findings in words on page 1 of the report, checked as a reader with a spreadsheet would:
//! `delphi demo` runs a 40-expert panel from four blocs through two rounds, and every sentence
//! of the findings (in `report.json`, each with the claim it makes) is recomputed from the
//! pseudonymous answers (`answers.csv`), the blocs of the panel CSV (joined through the store's
//! pseudonyms) and the study's rules as documented — medians (type 7), the median-box
//! consensus rule, each expert's own placement, the stability rule and Kruskal–Wallis with the
//! tie correction — never from the engine. The check can fail: one expert's answer changed in
//! the data it computes from makes it disagree. Page 1 of each PDF, English and Chinese, holds
//! every sentence.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use crate::rules::placement;
use crate::util::ok;
use serde_json::Value;

const STUDY: &str = "ai-safety-cooperation";
const RISKS: [&str; 3] = ["risk-capabilities", "risk-information", "risk-harm"];
const MIN_ANSWERS: usize = 5;
const MIN_GROUP: usize = 3;

/// The answers as the reader loads them: (round, pseudonym, item) → point (None: don't know).
type Answers = BTreeMap<(u32, String, String), Option<f64>>;

/// Every answer of `answers.csv`, and how many answers (any kind) each item got per round.
fn load(csv_path: &Path) -> (Answers, BTreeMap<(u32, String), usize>) {
    let mut answers = Answers::new();
    let mut per_item = BTreeMap::new();
    for row in csv::Reader::from_path(csv_path).unwrap().records() {
        let row = row.unwrap();
        let round: u32 = row[0].parse().unwrap();
        *per_item.entry((round, row[2].to_owned())).or_insert(0) += 1;
        let answer: Value = serde_json::from_str(&row[3]).unwrap();
        match answer["kind"].as_str() {
            Some("ordinal") => {
                answers.insert((round, row[1].to_owned(), row[2].to_owned()), answer["point"].as_f64());
            }
            Some("dont-know") => {
                answers.insert((round, row[1].to_owned(), row[2].to_owned()), None);
            }
            _ => {}
        }
    }
    (answers, per_item)
}

/// Type 7 quantile.
fn quantile(values: &[f64], p: f64) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let h = (v.len().checked_sub(1)? as f64) * p;
    let (lo, hi) = (v[h.floor() as usize], v[h.ceil() as usize]);
    Some(lo + (h - h.floor()) * (hi - lo))
}

/// The scale of a criterion: (min, max, agree set).
fn scale(criterion: &str) -> (f64, f64, (f64, f64)) {
    if criterion == "recommendation" { (1.0, 5.0, (4.0, 5.0)) } else { (1.0, 7.0, (5.0, 7.0)) }
}

/// The boxes of the scale: the agree set, its mirror and the points between.
fn median_box(criterion: &str, median: f64) -> Option<(f64, f64)> {
    let (min, max, (lo, hi)) = scale(criterion);
    let mirror = (min + max - hi, min + max - lo);
    [mirror, (mirror.1 + 1.0, lo - 1.0), (lo, hi)].into_iter().find(|(a, b)| median >= *a && median <= *b)
}

/// The consensus verdict of valid points by the study's rule, with the box judged on.
fn consensus(criterion: &str, points: &[f64]) -> (&'static str, Option<(f64, f64)>) {
    if points.is_empty() {
        return ("undefined", None);
    }
    if points.len() < MIN_ANSWERS {
        return ("too_few_answers", None);
    }
    let median = quantile(points, 0.5).unwrap();
    let Some(judged) = median_box(criterion, median) else { return ("not_met", None) };
    let inside = points.iter().filter(|p| **p >= judged.0 && **p <= judged.1).count();
    let iqr = quantile(points, 0.75).unwrap() - quantile(points, 0.25).unwrap();
    let agreement = 100.0 * inside as f64 / points.len() as f64;
    (if iqr <= 1.0 && agreement >= 70.0 { "met" } else { "not_met" }, Some(judged))
}

/// The regularised upper incomplete gamma Q(a, x) by its series, for the chi-square tail.
fn chi_square_tail(x: f64, df: usize) -> f64 {
    let a = df as f64 / 2.0;
    let z = x / 2.0;
    let mut gamma = if df.is_multiple_of(2) { 1.0 } else { std::f64::consts::PI.sqrt() };
    let mut k = if df.is_multiple_of(2) { 1.0 } else { 0.5 };
    while k < a + 1.0 - 1e-9 {
        gamma *= k;
        k += 1.0;
    }
    // gamma = Γ(a + 1)
    let (mut term, mut sum, mut n) = (1.0, 1.0, 1.0);
    while term > 1e-17 * sum {
        term *= z / (a + n);
        sum += term;
        n += 1.0;
    }
    1.0 - z.powf(a) * (-z).exp() / gamma * sum
}

/// Kruskal–Wallis p-value with the tie correction.
fn kruskal_wallis(groups: &[Vec<f64>]) -> f64 {
    let mut all: Vec<f64> = groups.iter().flatten().copied().collect();
    all.sort_by(f64::total_cmp);
    let n = all.len() as f64;
    let rank = |v: f64| {
        let below = all.iter().filter(|x| **x < v).count() as f64;
        let equal = all.iter().filter(|x| **x == v).count() as f64;
        below + (equal + 1.0) / 2.0
    };
    let h: f64 = groups.iter().map(|g| g.iter().map(|v| rank(*v)).sum::<f64>().powi(2) / g.len() as f64).sum::<f64>()
        * 12.0
        / (n * (n + 1.0))
        - 3.0 * (n + 1.0);
    let mut ties = BTreeMap::new();
    for v in &all {
        *ties.entry(v.to_bits()).or_insert(0.0) += 1.0;
    }
    let t: f64 = ties.values().map(|t: &f64| t.powi(3) - t).sum();
    chi_square_tail(h / (1.0 - t / (n.powi(3) - n)), groups.len() - 1)
}

/// Mann–Whitney's exact two-sided p-value of two samples, by enumerating every split of the
/// pooled values into groups of their sizes (ties count half): `min(1, 2 · smaller tail)`.
fn mann_whitney_exact(a: &[f64], b: &[f64]) -> f64 {
    let pooled: Vec<f64> = a.iter().chain(b).copied().collect();
    // 2U of the values at `chosen` against the rest: an integer, so tails compare exactly.
    let twice_u = |chosen: &[bool]| -> u64 {
        let side = |first: bool| pooled.iter().zip(chosen).filter(move |(_, c)| **c == first).map(|(v, _)| *v);
        side(true).map(|x| side(false).map(|y| if x > y { 2 } else { u64::from(x == y) }).sum::<u64>()).sum()
    };
    let mut chosen: Vec<bool> = (0..pooled.len()).map(|i| i < a.len()).collect();
    let observed = twice_u(&chosen);
    let (mut below, mut above, mut all) = (0u64, 0u64, 0u64);
    // every subset of a.len() positions, in lexicographic order of a bit mask
    fn next(chosen: &mut [bool]) -> bool {
        // the next combination: move the last movable `true` one step right, gather the rest after it
        let n = chosen.len();
        let mut trailing = 0;
        let mut i = n;
        while i > 0 && chosen[i - 1] {
            trailing += 1;
            i -= 1;
        }
        while i > 0 && !chosen[i - 1] {
            i -= 1;
        }
        if i == 0 {
            return false;
        }
        chosen[i - 1] = false;
        for (k, c) in chosen.iter_mut().enumerate().skip(i) {
            *c = k < i + trailing + 1;
        }
        true
    }
    loop {
        let u = twice_u(&chosen);
        all += 1;
        below += u64::from(u <= observed);
        above += u64::from(u >= observed);
        if !next(&mut chosen) {
            break;
        }
    }
    (2.0 * below.min(above) as f64 / all as f64).min(1.0)
}

/// What the reader knows besides the answers: each pseudonym's bloc, and per round how many
/// experts were asked.
struct Panel {
    bloc: BTreeMap<String, String>,
    invited: BTreeMap<u32, u64>,
}

/// Everything a claim is checked against, computed from the answers of the rounds up to `round`.
struct Reader<'a> {
    answers: &'a Answers,
    per_item: &'a BTreeMap<(u32, String), usize>,
    panel: &'a Panel,
    round: u32,
}

impl Reader<'_> {
    fn points(&self, round: u32, item: &str) -> Vec<(String, f64)> {
        self.answers
            .iter()
            .filter(|((r, _, i), _)| *r == round && i == item)
            .filter_map(|((_, p, _), v)| v.map(|v| (p.clone(), v)))
            .collect()
    }

    fn values(&self, round: u32, item: &str) -> Vec<f64> {
        self.points(round, item).into_iter().map(|x| x.1).collect()
    }

    fn median(&self, round: u32, item: &str) -> Option<f64> {
        quantile(&self.values(round, item), 0.5)
    }

    /// What disagrees between the claim and the answers; empty when all agrees.
    fn check(&self, domain: &str, claim: &Value) -> Vec<String> {
        let r = self.round;
        let item = |c: &str| format!("{domain}.{c}");
        let mut wrong = Vec::new();
        let mut expect = |what: &str, claimed: Value, computed: Value| {
            if claimed != computed {
                wrong.push(format!("{domain}: {what}: claimed {claimed}, the answers give {computed}"));
            }
        };
        match claim["kind"].as_str().unwrap() {
            "placement" => {
                let benefit = self.median(r, &item("benefit")).unwrap();
                let mut worst: Option<(&str, f64)> = None;
                for risk in RISKS {
                    let m = self.median(r, &item(risk)).unwrap();
                    if worst.is_none_or(|w| m > w.1) {
                        worst = Some((risk, m));
                    }
                }
                let (risk, risk_median) = worst.unwrap();
                let panel = placement(benefit, risk_median);
                // Each expert who rated the benefit and every risk, placed by their own answers.
                let own: Vec<&str> = self
                    .points(r, &item("benefit"))
                    .iter()
                    .filter_map(|(p, b)| {
                        let risks: Option<Vec<f64>> = RISKS
                            .iter()
                            .map(|k| self.answers.get(&(r, p.clone(), item(k))).copied().flatten())
                            .collect();
                        Some(placement(*b, risks?.into_iter().fold(f64::MIN, f64::max)))
                    })
                    .collect();
                let same = own.iter().filter(|p| **p == panel).count();
                let certainty = if 3 * same >= 2 * own.len() {
                    "high"
                } else if 2 * same >= own.len() {
                    "moderate"
                } else {
                    "low"
                };
                expect("placement", claim["placement"].clone(), panel.into());
                expect("benefit median", claim["benefit_median"]["value"].clone(), benefit.into());
                expect("worst risk", claim["worst_risk"].clone(), risk.into());
                expect("worst risk median", claim["worst_risk_median"]["value"].clone(), risk_median.into());
                expect("experts placed", claim["experts_placed"].clone(), own.len().into());
                expect("experts placing it so", claim["experts_same"].clone(), same.into());
                expect("certainty", claim["certainty"].clone(), certainty.into());
            }
            "consensus" => {
                for c in claim["criteria"].as_array().unwrap() {
                    let name = c["criterion"].as_str().unwrap();
                    let (verdict, _) = consensus(name, &self.values(r, &item(name)));
                    expect(&format!("consensus on {name}"), c["outcome"].clone(), verdict.into());
                }
            }
            "across_groups" => {
                for c in claim["criteria"].as_array().unwrap() {
                    let name = c["criterion"].as_str().unwrap();
                    let (overall, panel_box) = consensus(name, &self.values(r, &item(name)));
                    let by_bloc = self.by_bloc(r, &item(name));
                    let verdicts: Vec<_> = by_bloc.values().map(|v| consensus(name, v)).collect();
                    let computed = if by_bloc.is_empty() {
                        "not_shown"
                    } else if overall == "undefined"
                        || verdicts.iter().any(|v| v.0 == "undefined" || v.0 == "too_few_answers")
                    {
                        "undefined"
                    } else if overall == "not_met" || verdicts.iter().any(|v| v.0 != "met" || v.1 != panel_box) {
                        "not_met"
                    } else {
                        "met"
                    };
                    expect(&format!("across blocs on {name}"), c["outcome"].clone(), computed.into());
                }
            }
            "movement" => {
                let from = claim["from_round"].as_u64().unwrap() as u32;
                expect("rounds", claim["to_round"].clone(), r.into());
                for m in claim["criteria"].as_array().unwrap() {
                    let name = m["criterion"].as_str().unwrap();
                    let id = item(name);
                    expect(&format!("{name} before"), m["from"]["value"].clone(), self.median(from, &id).into());
                    expect(&format!("{name} after"), m["to"]["value"].clone(), self.median(r, &id).into());
                    let earlier: BTreeMap<String, f64> = self.points(from, &id).into_iter().collect();
                    let pairs: Vec<(f64, f64)> =
                        self.points(r, &id).iter().filter_map(|(p, v)| Some((earlier.get(p).copied()?, *v))).collect();
                    let moved = pairs.iter().filter(|(a, b)| a != b).count();
                    let stable = if pairs.is_empty() {
                        "undefined"
                    } else if 100.0 * moved as f64 / pairs.len() as f64 <= 15.0 {
                        "met"
                    } else {
                        "not_met"
                    };
                    expect(&format!("{name} stability"), m["stability"].clone(), stable.into());
                }
            }
            "first_round" => expect("rounds", r.into(), 1.into()),
            "group_difference" => {
                let name = claim["criterion"].as_str().unwrap();
                let blocs = self.by_bloc(r, &item(name));
                let samples: Vec<Vec<f64>> = blocs.values().cloned().collect();
                let (p, method) = if claim["test"] == "mann_whitney" {
                    (mann_whitney_exact(&samples[0], &samples[1]), "exact")
                } else {
                    (kruskal_wallis(&samples), "chi_square")
                };
                let medians: BTreeMap<&str, f64> =
                    blocs.iter().map(|(b, v)| (b.as_str(), quantile(v, 0.5).unwrap())).collect();
                let highest = medians.values().copied().fold(f64::MIN, f64::max);
                let lowest = medians.values().copied().fold(f64::MAX, f64::min);
                expect(&format!("{name}: p < 0.05"), (p < 0.05).into(), true.into());
                let printed: f64 = claim["p_value"]["text"].as_str().unwrap().parse().unwrap();
                expect(&format!("{name}: p as printed"), printed.into(), ((p * 1e4).round() / 1e4).into());
                let exact = claim["p_value"]["value"].as_f64().is_some_and(|v| (v - p).abs() < 1e-9);
                expect(&format!("{name}: p {p}"), exact.into(), true.into());
                expect(&format!("{name}: method"), claim["method"].clone(), method.into());
                expect(&format!("{name}: groups"), claim["groups"].clone(), blocs.len().into());
                let at = |m: f64| -> Value { medians.iter().filter(|(_, v)| **v == m).map(|(b, _)| *b).collect() };
                let sorted = |v: &Value| -> Value {
                    let mut names: Vec<&str> = v.as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
                    names.sort_unstable();
                    names.into()
                };
                expect(&format!("{name}: highest"), sorted(&claim["higher"]), at(highest));
                expect(&format!("{name}: lowest"), sorted(&claim["lower"]), at(lowest));
                expect(&format!("{name}: higher median"), claim["higher_median"]["value"].clone(), highest.into());
                expect(&format!("{name}: lower median"), claim["lower_median"]["value"].clone(), lowest.into());
            }
            "no_group_difference" => {
                for c in claim["tested"].as_array().unwrap() {
                    let name = c.as_str().unwrap();
                    let samples: Vec<Vec<f64>> = self.by_bloc(r, &item(name)).into_values().collect();
                    let p = if samples.len() == 2 {
                        mann_whitney_exact(&samples[0], &samples[1])
                    } else {
                        kruskal_wallis(&samples)
                    };
                    expect(&format!("{name}: no difference"), (p >= 0.05).into(), true.into());
                }
            }
            "groups_not_compared" => {
                for c in ["benefit", "risk-capabilities", "risk-information", "risk-harm", "recommendation"] {
                    let shown = self.by_bloc(r, &item(c)).len();
                    expect(&format!("{c}: blocs large enough to compare"), (shown < 2).into(), true.into());
                }
            }
            other => wrong.push(format!("{domain}: a claim the reader cannot check: {other}")),
        }
        wrong
    }

    /// The valid points of each bloc large enough to show.
    fn by_bloc(&self, round: u32, item: &str) -> BTreeMap<String, Vec<f64>> {
        let mut blocs: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for (p, v) in self.points(round, item) {
            blocs.entry(self.panel.bloc[&p].clone()).or_default().push(v);
        }
        blocs.retain(|_, v| v.len() >= MIN_GROUP);
        blocs
    }

    /// The method's claims: experts asked and answering per round.
    fn check_method(&self, claim: &Value) -> Vec<String> {
        let mut wrong = Vec::new();
        if claim["kind"] == "response" {
            for r in claim["rounds"].as_array().unwrap() {
                let round = r["round"].as_u64().unwrap() as u32;
                let responded = self.per_item.iter().filter(|((x, _), _)| *x == round).map(|(_, n)| *n).max();
                if r["responded"].as_u64() != responded.map(|n| n as u64) {
                    wrong.push(format!("round {round}: {} answered, the answers give {responded:?}", r["responded"]));
                }
                if r["invited"].as_u64() != self.panel.invited.get(&round).copied() {
                    wrong.push(format!("round {round}: {} asked", r["invited"]));
                }
            }
        }
        wrong
    }
}

/// Every disagreement between the findings of `report` and the answers.
fn disagreements(report: &Value, reader: &Reader<'_>) -> Vec<String> {
    let findings = &report["findings"];
    let mut wrong = Vec::new();
    for area in findings["areas"].as_array().unwrap() {
        let domain = area["domain"].as_str().unwrap();
        for s in area["sentences"].as_array().unwrap() {
            wrong.extend(reader.check(domain, &s["claim"]));
        }
    }
    for s in findings["method"].as_array().unwrap() {
        wrong.extend(reader.check_method(&s["claim"]));
    }
    wrong
}

/// Text without whitespace and hyphens, so that a sentence broken over lines still matches.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace() && *c != '-' && *c != '\u{ad}').collect()
}

fn page_one(pdf: &Path) -> String {
    let out = Command::new("pdftotext").args(["-f", "1", "-l", "1"]).arg(pdf).arg("-").output().expect("pdftotext");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

fn png_of_page_one(pdf: &Path, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/artifacts/report");
    std::fs::create_dir_all(&dir).unwrap();
    let status = Command::new("pdftoppm")
        .args(["-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf)
        .arg(dir.join(name))
        .status()
        .expect("pdftoppm");
    assert!(status.success());
}

/// The boxes of page 1's text lines that read exactly `text` (spaces aside), from
/// `pdftotext -bbox-layout`: (x0, y0, x1, y1) in points.
fn line_boxes(pdf: &Path, text: &str) -> Vec<[f64; 4]> {
    let out =
        Command::new("pdftotext").args(["-f", "1", "-l", "1", "-bbox-layout"]).arg(pdf).arg("-").output().unwrap();
    let xml = String::from_utf8(out.stdout).unwrap();
    let attribute = |tag: &str, name: &str| -> f64 {
        let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[start..].split('"').next().unwrap().parse().unwrap()
    };
    let wanted = squeezed(text);
    xml.split("<line ")
        .skip(1)
        .filter_map(|line| {
            let line = line.split("</line>").next().unwrap();
            let words: String =
                line.split("<word ").skip(1).map(|w| w.split('>').nth(1).unwrap().split('<').next().unwrap()).collect();
            (squeezed(&words) == wanted).then(|| {
                let tag = line.split('>').next().unwrap();
                [attribute(tag, "xMin"), attribute(tag, "yMin"), attribute(tag, "xMax"), attribute(tag, "yMax")]
            })
        })
        .collect()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The reader's panel of a demo in `root`: each pseudonym's bloc (the panel CSV by expert id,
/// the store's pseudonym per id) and the experts asked per round as the demo printed them
/// ("answered: round 1: 38/40 …").
fn demo_panel(root: &Path, stdout: &str) -> Panel {
    let panel_csv = std::fs::read_to_string(root.join("data/demo/panel.csv")).unwrap();
    let bloc_of_id: BTreeMap<&str, &str> = panel_csv
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0], f[5])
        })
        .collect();
    let db = rusqlite::Connection::open(root.join("data/demo").join(STUDY).join("delphi.sqlite")).unwrap();
    let mut query = db.prepare("SELECT id, pseudonym FROM experts").unwrap();
    let bloc = query
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .map(|(id, pseudonym)| (pseudonym, bloc_of_id[id.as_str()].to_owned()))
        .collect();
    let answered = stdout.lines().find(|l| l.starts_with("answered: ")).expect("the demo's answered line");
    let invited = answered
        .split("round ")
        .skip(1)
        .map(|part| {
            let (round, rest) = part.split_once(": ").unwrap();
            let asked = rest.split('/').nth(1).unwrap().split_whitespace().next().unwrap();
            (round.parse().unwrap(), asked.parse().unwrap())
        })
        .collect();
    Panel { bloc, invited }
}

#[test]
fn every_sentence_of_the_findings_follows_from_the_answers_and_page_one_holds_them_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // The demo: 40 experts in four blocs, two rounds, reports of round 2.
    let stdout = ok(root, &["demo", "--out", "reports", "--experts", "40", "--rounds", "2", "--seed", "11"]);
    // The coordinator's own commands on the demo's study: the report of round 1 too.
    std::fs::create_dir_all(root.join("study")).unwrap();
    std::fs::copy(root.join("data/demo/study.toml"), root.join("study/study.toml")).unwrap();
    std::os::unix::fs::symlink(root.join("data/demo").join(STUDY), root.join("data").join(STUDY)).unwrap();
    ok(root, &["report", "--round", "1", "--out", "reports"]);

    let panel = demo_panel(root, &stdout);

    let study_dir = root.join("reports").join(STUDY);
    let (answers, per_item) = load(&study_dir.join("round-2/answers.csv"));
    let mut kinds = BTreeSet::new();
    for round in [1, 2] {
        let round_dir = study_dir.join(format!("round-{round}"));
        let reader = Reader { answers: &answers, per_item: &per_item, panel: &panel, round };
        for language in ["en", "zh"] {
            let report = read_json(&round_dir.join(language).join("report.json"));
            let wrong = disagreements(&report, &reader);
            assert!(wrong.is_empty(), "round {round} ({language}): {wrong:#?}");
            // Page 1 holds every sentence, the area titles and the method.
            let page = squeezed(&page_one(&round_dir.join(language).join("report.pdf")));
            let findings = &report["findings"];
            assert!(page.contains(&squeezed(findings["heading"].as_str().unwrap())));
            for area in findings["areas"].as_array().unwrap() {
                assert!(page.contains(&squeezed(area["title"].as_str().unwrap())), "{}", area["title"]);
                for s in area["sentences"].as_array().unwrap() {
                    kinds.insert(s["claim"]["kind"].as_str().unwrap().to_owned());
                    let text = s["text"].as_str().unwrap();
                    assert!(page.contains(&squeezed(text)), "page 1 of round {round} ({language}) lacks: {text}");
                }
            }
            for s in findings["method"].as_array().unwrap() {
                assert!(page.contains(&squeezed(s["text"].as_str().unwrap())), "{}", s["text"]);
            }
            // The expert-facing description ("you will rate…") is no longer on page 1.
            assert!(!page.contains(&squeezed("you will rate")) && !page.contains("您将评估"), "{language}");
            // Plurals: Chinese has none; English counts agree with their nouns.
            let all: String = findings.to_string();
            assert!(!all.contains("位专家们") && !all.contains("1 experts") && !all.contains("1 criteria"));
            // The chart on page 1 names every area once, and no two names overlap.
            let titles: Vec<&str> = report["overview"]["benefit_risk"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["title"].as_str().unwrap())
                .collect();
            assert_eq!(titles.len(), 4, "every area is on the chart");
            let boxes: Vec<[f64; 4]> = titles
                .iter()
                .map(|t| {
                    let found = line_boxes(&round_dir.join(language).join("report.pdf"), t);
                    assert_eq!(found.len(), 1, "round {round} ({language}): the chart names {t} once: {found:?}");
                    found[0]
                })
                .collect();
            for (i, a) in boxes.iter().enumerate() {
                for b in &boxes[i + 1..] {
                    let apart = a[2] <= b[0] || b[2] <= a[0] || a[3] <= b[1] || b[3] <= a[1];
                    assert!(apart, "round {round} ({language}): names overlap: {a:?} {b:?}");
                }
            }
            png_of_page_one(
                &round_dir.join(language).join("report.pdf"),
                &format!("findings-round-{round}-{language}"),
            );
        }
    }
    // The demo's blocs differ in round 1 and its views move in round 2: every kind of
    // sentence was checked, the significant differences among them.
    for kind in ["placement", "consensus", "across_groups", "movement", "first_round", "group_difference"] {
        assert!(kinds.contains(kind), "no {kind} sentence was checked: {kinds:?}");
    }

    // The check can fail: an expert who placed verification as the panel did rates its
    // benefit 1 instead; the same claims no longer follow from the changed answers.
    let report = read_json(&study_dir.join("round-2/en/report.json"));
    let mut changed = answers.clone();
    let expert = changed
        .iter()
        .filter(|((r, _, item), v)| *r == 2 && item == "verification.benefit" && v.is_some_and(|v| v >= 6.0))
        .map(|((_, p, _), _)| p.clone())
        .find(|p| {
            RISKS.iter().all(|k| {
                answers.get(&(2, p.clone(), format!("verification.{k}"))).is_some_and(|v| v.is_some_and(|v| v < 4.0))
            })
        })
        .expect("an expert rating verification's benefit high");
    changed.insert((2, expert, "verification.benefit".into()), Some(1.0));
    let reader = Reader { answers: &changed, per_item: &per_item, panel: &panel, round: 2 };
    let wrong = disagreements(&report, &reader);
    assert!(wrong.iter().any(|w| w.starts_with("verification: ")), "the changed answer went unnoticed: {wrong:?}");
    assert!(wrong.iter().all(|w| w.starts_with("verification: ")), "only verification changed: {wrong:?}");
}

/// Four experts in two blocs, one round: every bloc too small to show, every criterion short
/// of the five answers a consensus needs. The findings say so, and claim nothing more.
#[test]
fn a_small_panel_gets_too_few_answers_and_blocs_not_shown_never_agreement() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let stdout =
        ok(root, &["demo", "--out", "reports", "--experts", "4", "--rounds", "1", "--blocs", "2", "--seed", "3"]);
    let panel = demo_panel(root, &stdout);
    let round_dir = root.join("reports").join(STUDY).join("round-1");
    let (answers, per_item) = load(&round_dir.join("answers.csv"));
    let reader = Reader { answers: &answers, per_item: &per_item, panel: &panel, round: 1 };
    for (language, too_few, not_shown) in [
        ("en", "too few answers to judge", "Across blocs: not shown (groups too small)."),
        ("zh", "有效回答太少", "分阵营看，未显示（分组过小）。"),
    ] {
        let report = read_json(&round_dir.join(language).join("report.json"));
        let wrong = disagreements(&report, &reader);
        assert!(wrong.is_empty(), "{language}: {wrong:#?}");
        let page = squeezed(&page_one(&round_dir.join(language).join("report.pdf")));
        assert!(page.contains(&squeezed(too_few)), "{language}: {page}");
        assert!(page.contains(&squeezed(not_shown)), "{language}: {page}");
        let findings = report["findings"].to_string();
        assert!(
            !findings.contains("reached consensus on 1") && !findings.contains("\"outcome\":\"met\""),
            "{findings}"
        );
    }
}

/// Two blocs of ten: the difference between two blocs is Mann–Whitney's, exact at this size,
/// recomputed by enumerating every split of the answers; the direction is the one the
/// medians show.
#[test]
fn two_blocs_differ_by_the_exact_test_in_the_direction_their_answers_show() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let stdout =
        ok(root, &["demo", "--out", "reports", "--experts", "20", "--rounds", "1", "--blocs", "2", "--seed", "11"]);
    let panel = demo_panel(root, &stdout);
    let round_dir = root.join("reports").join(STUDY).join("round-1");
    let (answers, per_item) = load(&round_dir.join("answers.csv"));
    let reader = Reader { answers: &answers, per_item: &per_item, panel: &panel, round: 1 };
    let report = read_json(&round_dir.join("en/report.json"));
    let wrong = disagreements(&report, &reader);
    assert!(wrong.is_empty(), "{wrong:#?}");
    let differences: Vec<&Value> = report["findings"]["areas"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["sentences"].as_array().unwrap())
        .filter(|s| s["claim"]["kind"] == "group_difference")
        .collect();
    assert!(!differences.is_empty(), "the demo's blocs differ in round 1");
    let page = squeezed(&page_one(&round_dir.join("en/report.pdf")));
    for s in differences {
        assert_eq!(s["claim"]["test"], "mann_whitney");
        let text = s["text"].as_str().unwrap();
        assert!(text.ends_with("exact test)."), "{text}");
        assert!(page.contains(&squeezed(text)), "page 1 lacks: {text}");
    }
}
