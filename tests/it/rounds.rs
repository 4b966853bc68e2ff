//! Two Delphi rounds through the real binary: experts' replies are recorded, closing a
//! round summarises it (consensus per item, the benefit–risk placement of each domain),
//! and the next round's questionnaire feeds the group's answers and rationales back —
//! without naming anyone, and with expert text inert. The reports hold the panel's
//! composition, the rounds' dates and feedback, and tidy exports in CSV and Parquet.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::util::{ok, ok_with, open_study, run, run_with};

const PANEL: &str = include_str!("../../surveys/ai-safety-cooperation.panel.csv");

/// Expert `i`'s ratings: verification and protocols beneficial and low-risk, evaluations
/// risky, infrastructure in between; a little spread between experts.
fn reply(i: usize, round: u32) -> String {
    reply_with(i, round, None)
}

/// What expert `i` proposes in round 1: most the same idea, typed with different case and
/// spacing (fed back once, with its count), a few ideas of their own.
fn proposal(i: usize) -> String {
    match i % 3 {
        0 => "A joint incident database".to_owned(),
        1 => "a JOINT  incident database ".to_owned(),
        _ => format!("Shared red-teaming exercise {i}"),
    }
}

/// [`reply`], with an answer to the proposals item.
fn reply_with(i: usize, round: u32, proposal: Option<String>) -> String {
    let spread = |base: i32| (base + [0, 1, -1, 0][i % 4]).clamp(1, 7);
    let mut lines = Vec::new();
    for (domain, benefit, risk, recommend) in
        [("verification", 6, 2, 5), ("protocols", 6, 2, 4), ("infrastructure", 4, 4, 3), ("evaluations", 4, 6, 2)]
    {
        lines.push(format!("[{domain}.benefit] {}", spread(benefit)));
        for criterion in ["risk-capabilities", "risk-information", "risk-harm"] {
            lines.push(format!("[{domain}.{criterion}] {}", spread(risk)));
        }
        let recommendation = if round == 2 { recommend } else { (recommend + [0, 1, -1, 0][i % 4]).clamp(1, 5) };
        lines.push(format!("[{domain}.recommendation] {recommendation}"));
        lines.push(format!("[{domain}.rationale] Expert view {i} on {domain}: <script>alert(1)</script> #set page(width: 1pt) =cmd|' /C calc'!A0"));
    }
    lines.push("[area-ranking] verification, protocols, infrastructure, evaluations".into());
    lines.push(format!("[years-to-first-agreement] 5%: {} 50%: {} 95%: {}", 1, 3 + i % 3, 10 + i));
    lines.push(format!("[p-joint-evaluation-2030] {}%", 20 + i));
    lines.push(format!("[seed-bletchley-countries] 5%: 15 50%: {} 95%: 40", 25 + i % 5));
    lines.push("[seed-eo14110-threshold] 5%: 23 50%: 25 95%: 27".into());
    lines.extend(proposal.map(|p| format!("[proposals] {p}")));
    let body = lines.join("\n");
    // Some experts quote the form in their reply, some write with CRLF and a signature.
    match i % 3 {
        0 => body,
        1 => format!(
            "On Mon, the coordinator wrote:\n{}\n",
            body.lines().map(|l| format!("> {l}")).collect::<Vec<_>>().join("\n")
        ),
        _ => format!("{}\r\n\r\n-- \r\nExpert {i}\r\n", body.replace('\n', "\r\n")),
    }
}

/// The header and rows of a Parquet file, read with the parquet crate's row reader.
fn parquet_rows(path: &Path) -> (Vec<String>, Vec<Vec<parquet::record::Field>>) {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader = SerializedFileReader::new(file).expect("a Parquet file");
    let names =
        reader.metadata().file_metadata().schema_descr().columns().iter().map(|c| c.name().to_owned()).collect();
    let rows = reader
        .get_row_iter(None)
        .unwrap()
        .map(|row| row.unwrap().get_column_iter().map(|(_, field)| field.clone()).collect())
        .collect();
    (names, rows)
}

/// The schema, row count and null count of `value` (figures) of the two Parquet exports in
/// `dir`, as Python polars (`pip install polars`, by scripts/test) reads them.
fn python_polars_schemas(dir: &Path) -> serde_json::Value {
    let script = r#"
import json, sys, polars as pl
out = {}
for name in ["figures", "answers"]:
    frame = pl.read_parquet(f"{sys.argv[1]}/{name}.parquet")
    entry = {"rows": frame.height, "schema": [[c, str(t)] for c, t in frame.schema.items()]}
    if name == "figures":
        entry["null_values"] = frame["value"].null_count()
    out[name] = entry
print(json.dumps(out))
"#;
    let out = Command::new("python3").arg("-c").arg(script).arg(dir).output().expect("python3 runs");
    assert!(out.status.success(), "polars could not read the exports: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON from the script")
}

/// Checks that `<name>.parquet` holds the header and rows of `<name>.csv` in `dir`, cell by
/// cell (CSV's empty cell is Parquet's null, CSV's texts are made inert); returns the rows.
fn parquet_matches_csv(dir: &Path, name: &str) -> Vec<Vec<parquet::record::Field>> {
    use parquet::record::Field;
    let (names, rows) = parquet_rows(&dir.join(format!("{name}.parquet")));
    let csv_text = std::fs::read_to_string(dir.join(format!("{name}.csv"))).unwrap();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), names, "{name}: columns");
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), rows.len(), "{name}: as many rows in Parquet as in CSV");
    for (record, row) in records.iter().zip(&rows) {
        let expected: Vec<String> = row
            .iter()
            .map(|field| match field {
                Field::Null => String::new(),
                Field::Long(x) => x.to_string(),
                Field::Double(x) => x.to_string(),
                Field::Str(x) => delphi_report::tidy::inert_cell(x),
                other => panic!("{name}: an unexpected Parquet type {other:?}"),
            })
            .collect();
        assert_eq!(record.iter().collect::<Vec<_>>(), expected, "{name}");
    }
    rows
}

#[test]
fn two_rounds_summarise_place_the_domains_and_feed_back_anonymously() {
    let dir = open_study("rounds-test");
    let root = dir.path();

    let experts: Vec<&str> = PANEL.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    for (i, expert) in experts.iter().enumerate().take(18) {
        let out = ok_with(root, &["answer", "--expert", expert], Some(&reply_with(i, 1, Some(proposal(i)))));
        assert!(out.contains("recorded 30 answers") && out.contains("(0 items left empty)"), "{expert}: {out}");
    }

    // A bad reply is refused whole, with messages the expert can act on.
    let bad = run_with(
        root,
        &["answer", "--expert", "E19"],
        Some("[verification.benefit] 9\n[protocols.benefit] high-ish\n"),
    );
    assert_eq!(bad.status.code(), Some(3));
    let errors = String::from_utf8_lossy(&bad.stderr);
    assert!(errors.contains("item verification.benefit: 9 is outside 1–7"), "{errors}");
    assert!(errors.contains("nothing was recorded"), "{errors}");
    let status: serde_json::Value = serde_json::from_str(&ok(root, &["status", "--format", "json"])).unwrap();
    assert_eq!(status["rounds"][0]["responded"], 18, "the refused reply stored nothing");

    let closed = ok(root, &["round", "close"]);
    assert!(closed.contains("18 of 20 experts answered"), "{closed}");
    let line_of = |item: &str| {
        closed.lines().find(|l| l.starts_with(item)).unwrap_or_else(|| panic!("{item} missing:\n{closed}")).to_owned()
    };
    // Benefit 6 ± 1 over 18 experts: median 6, most in the agree set 5–7.
    let benefit = line_of("verification.benefit ");
    assert!(
        benefit.contains(" 6.0 ") && benefit.ends_with("consensus") && !benefit.contains("no consensus"),
        "{benefit}"
    );
    // Risk rated low by nearly everyone is consensus too, on the bottom box of the scale.
    let low_risk = line_of("verification.risk-harm ");
    assert!(low_risk.contains(" 2.0 ") && low_risk.ends_with(" consensus") && low_risk.contains(" 0 % "), "{low_risk}");
    // The placements follow from the simulated ratings.
    let synthesis = closed.split("benefit against risk:").nth(1).expect("a benefit–risk section");
    let placement = |domain: &str| {
        synthesis
            .lines()
            .find(|l| l.starts_with(&format!("{domain} ")))
            .unwrap_or_else(|| panic!("{domain}:\n{closed}"))
            .to_owned()
    };
    assert!(placement("verification").contains(" promising "), "{closed}");
    assert!(placement("protocols").contains(" promising "), "{closed}");
    assert!(placement("evaluations").contains(" avoid "), "{closed}");
    let order: Vec<&str> = synthesis.lines().skip(2).filter_map(|l| l.split_whitespace().next()).take(4).collect();
    assert_eq!(order, ["verification", "protocols", "infrastructure", "evaluations"], "in the study's order");

    let summary = std::fs::read_to_string(root.join("data/rounds-test/round-1/summary.json")).unwrap();
    let parsed: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(parsed["rounds"], serde_json::json!([1]));
    for line in PANEL.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let (id, name, email) = (format!("\"{}\"", fields[0]), fields[1], fields[2]);
        for identity in [id.as_str(), name, email] {
            assert!(!summary.contains(identity), "{identity} in the summary");
        }
    }

    // Answers to a closed round are refused.
    let late = run_with(root, &["answer", "--expert", "E01"], Some(&reply(0, 1)));
    assert_eq!(late.status.code(), Some(4), "{}", String::from_utf8_lossy(&late.stderr));

    // Between the rounds the coordinator drops an item that reached consensus and rewords
    // another; the reworded item continues the old one.
    let study_file = root.join("study/study.toml");
    let mut study = std::fs::read_to_string(&study_file).unwrap();
    study.push_str(
        "\n[[items]]\nid = \"p-joint-evaluation-2030-v2\"\nkind = \"probability\"\nfirst_round = 2\n\
         continues = \"p-joint-evaluation-2030\"\nprompt.en = \"Reworded: a joint evaluation by 2030?\"\nprompt.zh = \"改写后的问题\"\n\n\
         [[revisions]]\nround = 2\ndrop = [\"verification.recommendation\", \"p-joint-evaluation-2030\"]\n",
    );
    std::fs::write(&study_file, study).unwrap();

    // Round 2 feeds back the group's answers and the rationales, inert.
    ok(root, &["round", "open"]);
    let form = ok(root, &["round", "show", "--format", "text"]);
    assert!(!form.contains("[verification.recommendation]") && !form.contains("[p-joint-evaluation-2030]"), "{form}");
    assert!(form.contains("[p-joint-evaluation-2030-v2]") && form.contains("Reworded: a joint evaluation"), "{form}");
    let reworded = form.split("Reworded: a joint evaluation").nth(1).unwrap().split("[p-joint").next().unwrap();
    assert!(reworded.contains("round 1"), "the reworded item gets the old item's feedback: {reworded}");
    let preview = ok(root, &["round", "show", "--format", "markdown"]);
    assert!(preview.contains("Round 2"), "{preview}");
    assert!(preview.contains("Expert view"), "rationales are fed back:\n{preview}");
    assert!(
        !preview.contains("You did not answer") && !preview.contains("Your answer in round"),
        "the shared copy names no one's answers"
    );
    // Each expert's copy carries their own previous answer, in their language.
    let e01 = ok(root, &["round", "show", "--format", "text", "--expert", "E01"]);
    assert!(e01.contains("Your answer in round 1: 6"), "{e01}");
    // Every kind of question is fed back, from the statistics engine's figures, beside
    // E01's own round-1 answer (E01 is expert 0).
    let flat: String = e01.lines().map(|l| l.trim_start_matches("::").trim()).collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("Verification mechanisms: mean rank 1; times in places 1–4: 18, 0, 0, 0"),
        "every expert ranked verification first: {e01}"
    );
    assert!(flat.contains("Evaluations: mean rank 4;"), "{e01}");
    assert!(flat.contains("Your answer in round 1: Verification mechanisms > Protocols"), "{e01}");
    assert!(flat.contains("all experts pooled: 5 % "), "the quantile item's pool: {e01}");
    assert!(
        flat.contains("the experts' best estimates (50 %): median 4, middle half 3–5"),
        "the experts' medians are 3, 4 and 5, six of each: {e01}"
    );
    assert!(flat.contains("Your answer in round 1: 5 %: 1, 50 %: 3, 95 %: 10 years"), "{e01}");
    let reworded = flat.split("Reworded: a joint evaluation").nth(1).unwrap();
    assert!(reworded.contains("median 28.5 %, middle half 24.25 %–32.75 %"), "20 %…37 %: {reworded}");
    assert!(reworded.contains("Your answer in round 1: 20 %"), "{reworded}");
    assert!(flat.contains("- A joint incident database (×12)"), "one idea, typed twelve ways, once: {e01}");
    assert_eq!(flat.matches("Shared red-teaming exercise").count(), 6, "{e01}");
    let e20 = ok(root, &["round", "show", "--format", "text", "--expert", "E20"]);
    assert!(e20.contains("You did not answer this item in round 1."), "{e20}");
    let e07 = ok(root, &["round", "show", "--format", "text", "--expert", "E07"]);
    assert!(e07.contains("您在第 1 轮"), "E07 reads Chinese: {e07}");
    let html = ok(root, &["round", "show", "--format", "html"]);
    assert!(!html.contains("<script>alert"), "expert text must be escaped in HTML");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the rationale is shown, escaped");
    for identity in ["E01", "Avery", "example.org"] {
        assert!(!html.contains(identity), "{identity} in the round 2 form");
    }

    for (i, expert) in experts.iter().enumerate().take(16) {
        let answers = reply(i, 2)
            .lines()
            .filter(|l| !l.contains("[verification.recommendation]"))
            .map(|l| l.replace("[p-joint-evaluation-2030]", "[p-joint-evaluation-2030-v2]"))
            .collect::<Vec<_>>()
            .join("\n");
        ok_with(root, &["answer", "--expert", expert], Some(&answers));
    }
    let closed = ok(root, &["round", "close"]);
    assert!(closed.contains("16 of 20 experts answered"), "{closed}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("data/rounds-test/round-2/summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["rounds"], serde_json::json!([1, 2]));
    let stability = summary["stability"].as_array().unwrap();
    assert!(!stability.is_empty(), "round-to-round stability is computed");
    let across =
        stability.iter().find(|s| s["item"] == "p-joint-evaluation-2030-v2").expect("stability across the rewording");
    assert_eq!(across["continues"], "p-joint-evaluation-2030");
    assert_eq!((across["from_round"].as_u64(), across["pairs"].as_u64()), (Some(1), Some(16)));

    // The reports of both rounds: the PDF holds the figures and the anonymous rationales,
    // literally (markup inert), in English and in Chinese.
    let reported = ok(root, &["report", "--out", "reports"]);
    assert!(reported.contains("round-2/en: report.pdf"), "{reported}");
    let pdf = root.join("reports/rounds-test/round-2/en/report.pdf");
    let text = Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Expert view 0 on verification: <script>alert(1)</script> #set page(width: 1pt)"),
        "rationale missing:\n{text}"
    );
    let benefit_row =
        text.lines().find(|l| l.contains("Verification mechanisms") && l.contains("benefit")).expect("a benefit row");
    assert!(benefit_row.contains("6.0"), "{benefit_row}");
    for file in ["report.typ", "report.json", "report.html", "report.md"] {
        assert!(root.join("reports/rounds-test/round-2/en").join(file).is_file(), "{file}");
    }
    // Tidy exports: every figure, and every answer by pseudonym; no cell can run as a formula.
    let figures = std::fs::read_to_string(root.join("reports/rounds-test/round-2/figures.csv")).unwrap();
    assert!(figures.starts_with("round,item,measure,value,undefined_because,scope,subject,method\n"), "{figures}");
    let dictionary = std::fs::read_to_string(root.join("reports/rounds-test/round-2/figures.md")).unwrap();
    assert!(dictionary.contains("| wilcoxon_p_value |"), "figures.md lies beside figures.csv:\n{dictionary}");
    assert!(
        figures.lines().any(|l| l.starts_with("2,verification.benefit,median,6,,item,,")),
        "the round-2 median is exported"
    );
    let answers = std::fs::read_to_string(root.join("reports/rounds-test/round-2/answers.csv")).unwrap();
    assert!(
        answers.lines().skip(1).all(|l| l.split(',').nth(1).is_some_and(|p| p.starts_with("p-"))),
        "pseudonyms only"
    );
    assert!(answers.lines().all(|l| !l.split(',').any(|cell| cell.starts_with('='))), "a formula cell");
    assert!(answers.contains("=cmd|"), "the hostile rationale is exported, inside its JSON");
    let model = std::fs::read_to_string(root.join("reports/rounds-test/round-2/en/report.json")).unwrap();
    // The report describes the pseudonyms as the exports write them.
    assert!(model.contains("pseudonym only (p- followed by random letters and digits, never the panel's ids)"));
    // Parquet beside each CSV: the same rows, typed; expert text verbatim, pseudonyms only.
    let round_dir = root.join("reports/rounds-test/round-2");
    let figure_rows = parquet_matches_csv(&round_dir, "figures");
    assert!(figure_rows.len() > 100, "{} figures", figure_rows.len());
    let answer_rows = parquet_matches_csv(&round_dir, "answers");
    assert_eq!(answer_rows.len(), answers.lines().count() - 1);
    // An analyst's reader, Python polars, loads both with the right types.
    let (figure_count, answer_count) = (figure_rows.len(), answer_rows.len());
    let undefined = figure_rows.iter().filter(|row| matches!(row[3], parquet::record::Field::Null)).count();
    let loaded = python_polars_schemas(&round_dir);
    assert_eq!(
        loaded["figures"],
        serde_json::json!({
            "rows": figure_count,
            "schema": [
                ["round", "Int64"],
                ["item", "String"],
                ["measure", "String"],
                ["value", "Float64"],
                ["undefined_because", "String"],
                ["scope", "String"],
                ["subject", "String"],
                ["method", "String"]
            ],
            "null_values": undefined,
        })
    );
    assert_eq!(
        loaded["answers"]["schema"],
        serde_json::json!([
            ["round", "Int64"],
            ["expert", "String"],
            ["item", "String"],
            ["answer", "String"],
            ["revision", "Int64"]
        ])
    );
    assert_eq!(loaded["answers"]["rows"], answer_count);
    let texts: Vec<String> = answer_rows.iter().map(|row| format!("{row:?}")).collect();
    assert!(texts.iter().any(|t| t.contains("=cmd|")), "the hostile rationale is exported");
    assert!(
        answer_rows.iter().all(|row| matches!(&row[1], parquet::record::Field::Str(p) if p.starts_with("p-"))),
        "pseudonyms only"
    );
    let cells: Vec<&str> = figure_rows
        .iter()
        .chain(&answer_rows)
        .flatten()
        .filter_map(|field| match field {
            parquet::record::Field::Str(text) => Some(text.as_str()),
            _ => None,
        })
        .collect();
    for identity in ["Avery", "example.org", "E01"] {
        assert!(!cells.iter().any(|cell| cell.contains(identity)), "{identity} in a Parquet export");
    }

    // The overview counts the panel by institution and bloc (groups below the minimum of 3
    // counted together, unnamed); the methods give each round's dates and feedback.
    let md = std::fs::read_to_string(root.join("reports/rounds-test/round-2/en/report.md")).unwrap();
    let pdf_dense: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let members: Vec<Vec<&str>> = PANEL.lines().skip(1).map(|l| split_csv_line(l)).collect();
    let answered = |round: u32, id: &str| experts.iter().take(if round == 1 { 18 } else { 16 }).any(|e| *e == id);
    for column in [3, 5] {
        let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for m in &members {
            groups.entry(m[column]).or_default().push(m[0]);
        }
        for (group, ids) in groups {
            let cells: Vec<String> = (1..=2)
                .map(|round| format!("{} / {}", ids.iter().filter(|id| answered(round, id)).count(), ids.len()))
                .collect();
            let row = format!("| {group} | {} |", cells.join(" | "));
            if ids.len() >= 3 {
                assert!(md.contains(&row), "{row} missing:\n{md}");
                let dense: String = row.chars().filter(|c| !c.is_whitespace() && *c != '|').collect();
                assert!(pdf_dense.contains(&dense), "{row} missing from the PDF");
            } else {
                assert!(!md.contains(group) && !text.contains(group) && !model.contains(group), "{group} is named");
            }
        }
    }
    assert!(md.contains("smaller groups (fewer than 3 each)"), "{md}");
    let listed: serde_json::Value = serde_json::from_str(&ok(root, &["round", "list", "--format", "json"])).unwrap();
    for round in listed.as_array().unwrap() {
        let dates = format!(
            "| {} | {} | {} | {} |",
            round["round"],
            round["opened"].as_str().unwrap(),
            round["deadline"].as_str().unwrap(),
            round["closed"].as_str().unwrap()
        );
        assert!(md.contains(&dates), "{dates} missing:\n{md}");
    }
    assert!(md.contains("| Nothing (first round). |"), "{md}");
    let methods = md.split("### Rounds: dates and feedback").nth(1).expect("the rounds of the methods");
    let fed_back = methods.lines().find(|l| l.starts_with("| 2 |")).expect("round 2's row");
    // The report says that earlier answers were carried over, and under which rule.
    assert!(
        fed_back.contains("filled in with their own latest answers") && fed_back.contains("carried over as confirmed"),
        "{fed_back}"
    );
    let first = methods.lines().find(|l| l.starts_with("| 1 |")).expect("round 1's row");
    assert!(!first.contains("carried over"), "round 1 carries nothing over: {first}");
    assert!(fed_back.contains("From round 1, on ") && fed_back.contains("own previous answer"), "{fed_back}");
    let shown = preview.matches("Expert view").count();
    assert!(shown > 0 && fed_back.contains(&format!("; {shown} anonymous rationales.")), "{shown}: {fed_back}");
    assert!(md.contains("At least 2 rounds;"), "the stopping rule of the study file");

    // The methods section states the rule the verdicts used.
    assert!(model.contains("the part of the scale that holds the median"), "the methods name the consensus rule");
    let zh = root.join("reports/rounds-test/round-2/zh/report.pdf");
    let info = Command::new("pdfinfo").arg(&zh).output().unwrap();
    assert!(String::from_utf8_lossy(&info.stdout).contains("Pages:"), "the Chinese PDF is a PDF");
    for identity in ["Avery", "example.org", "\"E01\""] {
        let json = std::fs::read_to_string(root.join("reports/rounds-test/round-2/en/report.json")).unwrap();
        assert!(!json.contains(identity) && !text.contains(identity), "{identity} in the report");
        assert!(!answers.contains(identity) && !figures.contains(identity), "{identity} in the exports");
    }

    // A study file without a stopping rule: the report says none was defined.
    let study = std::fs::read_to_string(&study_file).unwrap();
    let rule = study.find("[study.stopping]").expect("the shipped study states a stopping rule");
    let end = study[rule..].find("\n\n").map_or(study.len(), |n| rule + n);
    std::fs::write(&study_file, format!("{}{}", &study[..rule], &study[end..])).unwrap();
    ok(root, &["report", "--out", "reports-without-rule", "--language", "en"]);
    let md = std::fs::read_to_string(root.join("reports-without-rule/rounds-test/round-2/en/report.md")).unwrap();
    assert!(md.contains("The study defines no stopping rule; it runs at most 3 rounds."), "{md}");
}

/// The lines of `round close` that give an item's figures (`id n median … verdict`), by item.
fn item_lines(closed: &str, items: &[&str]) -> BTreeMap<String, String> {
    closed
        .lines()
        .filter_map(|line| {
            let first = line.split_whitespace().next()?;
            items
                .contains(&first)
                .then(|| (first.to_owned(), line.split_whitespace().skip(1).collect::<Vec<_>>().join(" ")))
        })
        .collect()
}

/// Round 2 starts from each expert's own answers: an expert who replies to their round-2
/// copy without changing anything keeps every answer (for a reworded item, the answer to the
/// item it continues), so every figure, verdict and placement of round 1 holds in round 2,
/// and the stability table sees no movement.
#[test]
fn experts_who_change_nothing_in_round_2_keep_their_answers_medians_and_placements() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    ok(root, &["init", "study", "--id", "carry-test", "--example", "ai-safety"]);
    ok(root, &["panel", "import"]);
    ok(root, &["round", "open"]);
    let experts: Vec<&str> = PANEL.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    for (i, expert) in experts.iter().enumerate().take(18) {
        ok_with(root, &["answer", "--expert", expert], Some(&reply(i, 1)));
    }
    let first = ok(root, &["round", "close"]);

    // Between the rounds an item is reworded: the new one continues the old.
    let study_file = root.join("study/study.toml");
    let mut study = std::fs::read_to_string(&study_file).unwrap();
    study.push_str(
        "\n[[items]]\nid = \"p-joint-evaluation-2030-v2\"\nkind = \"probability\"\nfirst_round = 2\n\
         continues = \"p-joint-evaluation-2030\"\nprompt.en = \"Reworded: a joint evaluation by 2030?\"\nprompt.zh = \"改写后的问题\"\n\n\
         [[revisions]]\nround = 2\ndrop = [\"p-joint-evaluation-2030\"]\n",
    );
    std::fs::write(&study_file, study).unwrap();
    ok(root, &["round", "open"]);
    // The emailed invitation carries the same filled-in form.
    ok(root, &["invite"]);
    let outbox = root.join("data/carry-test/outbox");
    let invitation = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("round-2-invitation-E01")))
        .unwrap_or_else(|| panic!("no invitation of E01 in {}", outbox.display()));
    let invitation = std::fs::read_to_string(invitation).unwrap();
    assert!(invitation.contains("[verification.benefit] 6") && invitation.contains("[area-ranking] verification"));

    // Each expert replies with their own copy of round 2, exactly as it came.
    for expert in experts.iter().take(18) {
        let copy = ok(root, &["round", "show", "--format", "text", "--expert", expert]);
        let says_theirs = copy.contains("The answers filled in are your own") || copy.contains("已填入的是您");
        assert!(says_theirs, "{expert}: the copy says the answers are theirs:\n{copy}");
        let out = ok_with(root, &["answer", "--expert", expert], Some(&copy));
        assert!(out.contains("recorded 29 answers"), "{expert}: {out}");
    }
    // An expert who did not answer round 1 gets an empty copy.
    let e20 = ok(root, &["round", "show", "--format", "text", "--expert", "E20"]);
    assert!(!e20.contains("The answers filled in are your own") && e20.contains("[verification.benefit]\n"), "{e20}");
    // What an expert changes in round 2 is what their copy (a reminder) shows from then on:
    // replying to it unchanged never takes the change back.
    ok_with(root, &["answer", "--expert", "E01"], Some("[verification.benefit] 1\n"));
    let copy = ok(root, &["round", "show", "--format", "text", "--expert", "E01"]);
    assert!(copy.contains("[verification.benefit] 1\n") && copy.contains("[protocols.benefit] 6\n"), "{copy}");
    ok_with(root, &["answer", "--expert", "E01"], Some("[verification.benefit] 6\n"));
    let second = ok(root, &["round", "close"]);
    assert!(second.contains("18 of 20 experts answered"), "{second}");

    // Every item's figures and verdict, and every placement, are those of round 1.
    let items: Vec<String> = ["verification", "protocols", "infrastructure", "evaluations"]
        .iter()
        .flat_map(|d| {
            ["benefit", "risk-capabilities", "risk-information", "risk-harm", "recommendation"]
                .iter()
                .map(move |c| format!("{d}.{c}"))
        })
        .collect();
    let items: Vec<&str> = items.iter().map(String::as_str).collect();
    let (before, after) = (item_lines(&first, &items), item_lines(&second, &items));
    assert_eq!(before.len(), items.len(), "{first}");
    assert_eq!(after, before, "round 2's figures differ from round 1's");
    let placements = |closed: &str| -> Vec<String> {
        let synthesis = closed.split("benefit against risk:").nth(1).expect("a benefit–risk section");
        synthesis.lines().skip(2).take(4).map(str::to_owned).collect()
    };
    assert_eq!(placements(&second), placements(&first));

    // The stability table: nobody moved.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("data/carry-test/round-2/summary.json")).unwrap())
            .unwrap();
    let stability = summary["stability"].as_array().unwrap();
    assert!(!stability.is_empty());
    for row in stability {
        assert!(row["pairs"].as_u64() > Some(0) && row["moved"].as_u64() == Some(0), "{row}");
    }
    let reworded = stability.iter().find(|s| s["item"] == "p-joint-evaluation-2030-v2").expect("the reworded item");
    assert_eq!((reworded["pairs"].as_u64(), reworded["moved"].as_u64()), (Some(18), Some(0)), "{reworded}");
}

/// The fields of a line of the panel CSV (quoted fields may hold commas).
fn split_csv_line(line: &str) -> Vec<&str> {
    let mut fields = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                fields.push(line[start..i].trim_matches('"'));
                start = i + 1;
            }
            _ => {}
        }
    }
    fields.push(line[start..].trim_matches('"'));
    fields
}

/// A coordinator loosens the consensus rule after round 1 ran: the report refuses to judge
/// round 1 by a rule it was not opened under until told to, and then says what changed.
#[test]
fn a_rule_edited_after_a_round_opened_is_refused_then_reported_when_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    ok(root, &["init", "study", "--id", "rules-test", "--example", "ai-safety"]);
    ok(root, &["panel", "import"]);
    ok(root, &["round", "open"]);
    let experts: Vec<&str> = PANEL.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    for (i, expert) in experts.iter().enumerate().take(12) {
        ok_with(root, &["answer", "--expert", expert], Some(&reply(i, 1)));
    }
    ok(root, &["round", "close"]);
    // Unchanged rules: the report is made.
    ok(root, &["report", "--language", "en"]);

    let study_file = root.join("study/study.toml");
    let study = std::fs::read_to_string(&study_file).unwrap();
    assert!(study.contains("\niqr_max = 1.0\n"), "the example states the IQR limit");
    std::fs::write(&study_file, study.replace("\niqr_max = 1.0\n", "\niqr_max = 2.0\n")).unwrap();
    let refused = run(root, &["report", "--language", "en"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("round 1: `iqr_max` was 1.0, the study file now says 2.0")
            && stderr.contains("--accept-changed-rules"),
        "{stderr}"
    );

    // Accepted: the report says which setting changed, from what to what, since which round.
    ok(root, &["report", "--language", "en", "--accept-changed-rules"]);
    let en = root.join("reports/rules-test/round-1/en");
    let markdown = std::fs::read_to_string(en.join("report.md")).unwrap();
    let notice = "The consensus rule was edited after round 1 opened: `iqr_max` was 1.0 and is now 2.0.";
    assert!(markdown.replace('\\', "").contains(notice), "{markdown}");
    let text = Command::new("pdftotext").args(["-layout"]).arg(en.join("report.pdf")).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("edited after round 1 opened") && text.contains("2.0"), "{text}");
    // Restoring the old setting makes the report plain again.
    std::fs::write(&study_file, study).unwrap();
    ok(root, &["report", "--language", "en"]);
    let markdown = std::fs::read_to_string(en.join("report.md")).unwrap();
    assert!(!markdown.contains("edited after round 1 opened"), "{markdown}");
}
