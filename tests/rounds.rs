//! Two Delphi rounds through the real binary: experts' replies are recorded, closing a
//! round summarises it (consensus per item, the benefit–risk placement of each domain),
//! and the next round's questionnaire feeds the group's answers and rationales back —
//! without naming anyone, and with expert text inert.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const PANEL: &str = include_str!("../surveys/ai-safety-cooperation.panel.csv");

fn delphi(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_delphi"))
        .args(["--study", "study/study.toml", "--data-dir", "data"])
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("delphi runs");
    if let Some(text) = stdin {
        child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("reply written");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("delphi finishes")
}

fn ok(dir: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let out = delphi(dir, args, stdin);
    assert!(out.status.success(), "delphi {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Expert `i`'s ratings: verification and protocols beneficial and low-risk, evaluations
/// risky, infrastructure in between; a little spread between experts.
fn reply(i: usize, round: u32) -> String {
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

#[test]
fn two_rounds_summarise_place_the_domains_and_feed_back_anonymously() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let init = Command::new(env!("CARGO_BIN_EXE_delphi"))
        .args(["init", "study", "--id", "rounds-test"])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(init.status.success());
    ok(root, &["panel", "import"], None);
    ok(root, &["round", "open"], None);

    let experts: Vec<&str> = PANEL.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    for (i, expert) in experts.iter().enumerate().take(18) {
        let out = ok(root, &["answer", "--expert", expert], Some(&reply(i, 1)));
        assert!(out.contains("recorded 29 answers") && out.contains("(1 item left empty)"), "{expert}: {out}");
    }

    // A bad reply is refused whole, with messages the expert can act on.
    let bad =
        delphi(root, &["answer", "--expert", "E19"], Some("[verification.benefit] 9\n[protocols.benefit] high-ish\n"));
    assert_eq!(bad.status.code(), Some(3));
    let errors = String::from_utf8_lossy(&bad.stderr);
    assert!(errors.contains("item verification.benefit: 9 is outside 1–7"), "{errors}");
    assert!(errors.contains("nothing was recorded"), "{errors}");
    let status: serde_json::Value = serde_json::from_str(&ok(root, &["status", "--format", "json"], None)).unwrap();
    assert_eq!(status["rounds"][0]["responded"], 18, "the refused reply stored nothing");

    let closed = ok(root, &["round", "close"], None);
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
    let late = delphi(root, &["answer", "--expert", "E01"], Some(&reply(0, 1)));
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
    ok(root, &["round", "open"], None);
    let form = ok(root, &["round", "show", "--format", "text"], None);
    assert!(!form.contains("[verification.recommendation]") && !form.contains("[p-joint-evaluation-2030]"), "{form}");
    assert!(form.contains("[p-joint-evaluation-2030-v2]") && form.contains("Reworded: a joint evaluation"), "{form}");
    let reworded = form.split("Reworded: a joint evaluation").nth(1).unwrap().split("[p-joint").next().unwrap();
    assert!(reworded.contains("round 1"), "the reworded item gets the old item's feedback: {reworded}");
    let preview = ok(root, &["round", "show", "--format", "markdown"], None);
    assert!(preview.contains("Round 2"), "{preview}");
    assert!(preview.contains("Expert view"), "rationales are fed back:\n{preview}");
    assert!(
        !preview.contains("You did not answer") && !preview.contains("Your answer in round"),
        "the shared copy names no one's answers"
    );
    // Each expert's copy carries their own previous answer, in their language.
    let e01 = ok(root, &["round", "show", "--format", "text", "--expert", "E01"], None);
    assert!(e01.contains("Your answer in round 1: 6"), "{e01}");
    let e20 = ok(root, &["round", "show", "--format", "text", "--expert", "E20"], None);
    assert!(e20.contains("You did not answer this item in round 1."), "{e20}");
    let e07 = ok(root, &["round", "show", "--format", "text", "--expert", "E07"], None);
    assert!(e07.contains("您在第 1 轮"), "E07 reads Chinese: {e07}");
    let html = ok(root, &["round", "show", "--format", "html"], None);
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
        ok(root, &["answer", "--expert", expert], Some(&answers));
    }
    let closed = ok(root, &["round", "close"], None);
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
    let reported = ok(root, &["report", "--out", "reports"], None);
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
    assert!(figures.starts_with("round,item,measure,value,undefined_because\n"), "{figures}");
    assert!(
        figures.lines().any(|l| l.starts_with("2,verification.benefit,median,6,")),
        "the round-2 median is exported"
    );
    let answers = std::fs::read_to_string(root.join("reports/rounds-test/round-2/answers.csv")).unwrap();
    assert!(
        answers.lines().skip(1).all(|l| l.split(',').nth(1).is_some_and(|p| p.starts_with("p-"))),
        "pseudonyms only"
    );
    assert!(answers.lines().all(|l| !l.split(',').any(|cell| cell.starts_with('='))), "a formula cell");
    assert!(answers.contains("=cmd|"), "the hostile rationale is exported, inside its JSON");
    // The methods section states the rule the verdicts used.
    let model = std::fs::read_to_string(root.join("reports/rounds-test/round-2/en/report.json")).unwrap();
    assert!(model.contains("the part of the scale that holds the median"), "the methods name the consensus rule");
    let zh = root.join("reports/rounds-test/round-2/zh/report.pdf");
    let info = Command::new("pdfinfo").arg(&zh).output().unwrap();
    assert!(String::from_utf8_lossy(&info.stdout).contains("Pages:"), "the Chinese PDF is a PDF");
    for identity in ["Avery", "example.org", "\"E01\""] {
        let json = std::fs::read_to_string(root.join("reports/rounds-test/round-2/en/report.json")).unwrap();
        assert!(!json.contains(identity) && !text.contains(identity), "{identity} in the report");
        assert!(!answers.contains(identity) && !figures.contains(identity), "{identity} in the exports");
    }
}
