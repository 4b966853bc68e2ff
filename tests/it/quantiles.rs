//! A study that asks 10/50/90 % quantiles (`quantiles = [10, 50, 90]` on its seeds and its
//! quantity item), run through the real binary: experts read forms that ask exactly those
//! quantiles in their language, answer on the web form (HTTP), through the JSON API and by
//! email (a Maildir reply), and the round's Cooke figures equal those of `delphi cooke` on
//! the same answers written as an EXCALIBUR case.

use std::collections::BTreeMap;

use crate::util::{Server, email_reply, free_port, init_example, ok, post_form, run_bare};

const SEEDS: usize = 8;

/// The study `delphi init` wrote (`written`) asking 10/50/90 %, with six more seeds (eight
/// in all, so Cooke's model has no reason to warn); their realisations are 10, 20, … 60.
fn study_source(written: &str) -> String {
    let mut source = written
        .replace("Give your 5 %, 50 % and 95 % quantiles.", "Give your 10 %, 50 % and 90 % quantiles.")
        .replace("请给出您估计的 5%、50% 和 95% 分位数", "请给出您估计的 10%、50% 和 90% 分位数")
        .replacen("realisation = 28.0", "realisation = 28.0\nquantiles = [10, 50, 90]", 1)
        .replacen("realisation = 26.0", "realisation = 26.0\nquantiles = [10, 50, 90]", 1)
        .replacen("kind = \"quantile\"", "kind = \"quantile\"\nquantiles = [10, 50, 90]", 1);
    let analysis = source.find("# ---------------------------------------------------------------- analysis").unwrap();
    let extra: String = (3..=SEEDS)
        .map(|k| {
            format!(
                "[[seeds]]\nid = \"seed-{k}\"\nprompt.en = \"Calibration question {k}.\"\nprompt.zh = \"校准问题 {k}。\"\nmin = 0\nmax = 100\nquantiles = [10, 50, 90]\nrealisation = {}\n\n",
                10 * (k - 2)
            )
        })
        .collect();
    source.insert_str(analysis, &extra);
    source
}

/// The seed items in the study's order, with their realisations.
fn seeds() -> Vec<(String, f64)> {
    let mut all = vec![("seed-bletchley-countries".to_owned(), 28.0), ("seed-eo14110-threshold".to_owned(), 26.0)];
    all.extend((3..=SEEDS).map(|k| (format!("seed-{k}"), (10 * (k - 2)) as f64)));
    all
}

/// Expert `e`'s 10/50/90 % on seed `s` (with realisation `x`): some experts well calibrated,
/// some too sure, some off-centre, so that the weights differ.
fn answer(e: usize, s: usize, x: f64) -> [f64; 3] {
    let centre = x * (1.0 + 0.05 * ((e * 7 + s * 3) % 9) as f64 - 0.2);
    let width = [0.5, 1.0, 3.0, 8.0][e % 4] + (s % 3) as f64;
    let centre = (centre * 4.0).round() / 4.0;
    // within what the form allows (min 0; max 40 on the EO 14110 seed, 100 or more on the others)
    let max = if s == 1 { 40.0 } else { 100.0 };
    [(centre - width).max(0.0), centre, (centre + width * 1.5).min(max)]
}

/// Expert `e`'s 10/50/90 % on the target (years to a first agreement).
fn target(e: usize) -> [f64; 3] {
    let m = 3.0 + (e % 5) as f64;
    [m - 1.5, m, m + 4.0 + (e % 3) as f64]
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1e-9)
}

fn number(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("a number, found {v}"))
}

#[test]
fn a_study_asking_10_50_90_is_answered_on_the_web_through_the_api_and_by_email_and_its_cooke_figures_are_excalibur_s() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    init_example(root, "tenfifty", study_source);
    ok(root, &["round", "open", "--days", "14"]);

    // Personal links for the web and the API (made first: an invitation carries the live token).
    let port = free_port();
    let links: BTreeMap<String, String> =
        ok(root, &["round", "links", "--base-url", &format!("http://127.0.0.1:{port}")])
            .lines()
            .map(|l| {
                let (expert, link) = l.split_once('\t').unwrap();
                (expert.to_owned(), link.to_owned())
            })
            .collect();
    // The emailed form asks for 10/50/90 %, in words and in the reply template.
    ok(root, &["invite"]);
    let outbox = root.join("data/tenfifty/outbox");
    let invitations: BTreeMap<String, Vec<u8>> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("-invitation-"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let expert = name.split("-invitation-").nth(1).unwrap()[..3].to_owned();
            (expert, std::fs::read(&p).unwrap())
        })
        .collect();
    assert_eq!(invitations.len(), 20, "{:?}", invitations.keys());
    let english = mail_parser::MessageParser::default()
        .parse(&invitations["E01"])
        .expect("a MIME message")
        .body_text(0)
        .expect("a text part")
        .into_owned();
    assert!(english.contains("[seed-4] 10%:  50%:  90%:"), "{english}");
    // The form's `::` lines as one text, as the expert reads them.
    let read = english.replace("\r\n", "\n").replace("\n:: ", " ");
    assert!(read.contains("Write three numbers, each larger than the one before: your 10 %, 50 % and 90 % quantiles (a low value you are 90 % sure"), "{english}");
    assert!(!english.contains("95 %"), "nothing of 5/50/95 is left: {english}");

    let server = Server::start_with(root, port, &["--requests-per-minute", "100000"]);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let experts: Vec<String> = links.keys().cloned().collect();
    let seeds = seeds();
    let mut maildir_count = 0;
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(root.join("maildir").join(sub)).unwrap();
    }
    for (e, expert) in experts.iter().enumerate() {
        let link = &links[expert];
        match e % 3 {
            // On the web form: a field per quantile, labelled in the expert's language.
            0 => runtime.block_on(async {
                let page = client.get(link).send().await.unwrap().text().await.unwrap();
                assert!(page.contains("name=\"seed-4:p10\"") && page.contains("name=\"seed-4:p90\""), "{page}");
                assert!(!page.contains("seed-4:p95"), "{page}");
                assert!(
                    page.contains("10 % quantile (low)") || page.contains("10% 分位数（低值）"),
                    "labelled in the expert's language: {page}"
                );
                // A first try with the 90 % below the median is refused with what to fix.
                let mut fields: Vec<(String, String)> = vec![
                    ("seed-4:p10".into(), "5".into()),
                    ("seed-4:p50".into(), "20".into()),
                    ("seed-4:p90".into(), "15".into()),
                ];
                let refused = post_form(&client, link, &fields).await;
                assert_eq!(refused.status(), 422);
                let page = refused.text().await.unwrap();
                assert!(
                    page.contains("each value must be larger than the one before")
                        || page.contains("每个数值都必须大于前一个"),
                    "{page}"
                );
                fields.clear();
                for (s, (id, x)) in seeds.iter().enumerate() {
                    for (p, v) in [10, 50, 90].into_iter().zip(answer(e, s, *x)) {
                        fields.push((format!("{id}:p{p}"), v.to_string()));
                    }
                }
                for (p, v) in [10, 50, 90].into_iter().zip(target(e)) {
                    fields.push((format!("years-to-first-agreement:p{p}"), v.to_string()));
                }
                let saved = post_form(&client, link, &fields).await;
                assert_eq!(saved.status(), 303, "{}", saved.text().await.unwrap());
            }),
            // Through the JSON API, in the `values` shape; the 5/50/95 shape is refused here.
            1 => runtime.block_on(async {
                let api = link.replace("/s/", "/api/v1/s/");
                let old = serde_json::json!({"answers": {"seed-4": {"kind": "quantile", "p5": 1, "p50": 2, "p95": 3}}});
                let refused = client.post(&api).json(&old).send().await.unwrap();
                assert_eq!(refused.status(), 422);
                let body = refused.text().await.unwrap();
                assert!(body.contains("asks the 10 %, 50 % and 90 % quantiles"), "{body}");
                let mut answers = serde_json::Map::new();
                for (s, (id, x)) in seeds.iter().enumerate() {
                    let [a, b, c] = answer(e, s, *x);
                    answers.insert(
                        id.clone(),
                        serde_json::json!({"kind": "quantile", "values": {"10": a, "50": b, "90": c}}),
                    );
                }
                let [a, b, c] = target(e);
                answers.insert(
                    "years-to-first-agreement".into(),
                    serde_json::json!({"kind": "quantile", "values": {"10": a, "50": b, "90": c}}),
                );
                let saved = client.post(&api).json(&serde_json::json!({"answers": answers})).send().await.unwrap();
                assert!(saved.status().is_success(), "{}", saved.text().await.unwrap());
            }),
            // By email, labelled as the form's template has it.
            _ => {
                let mut lines: Vec<String> = seeds
                    .iter()
                    .enumerate()
                    .map(|(s, (id, x))| {
                        let [a, b, c] = answer(e, s, *x);
                        format!("[{id}] 10%: {a}  50%: {b}  90%: {c}")
                    })
                    .collect();
                let [a, b, c] = target(e);
                lines.push(format!("[years-to-first-agreement] {a} {b} {c}"));
                maildir_count += 1;
                let raw = email_reply(&invitations[expert], &lines.join("\n"), maildir_count);
                let name = format!("{maildir_count}.reply");
                std::fs::write(root.join("maildir/tmp").join(&name), raw).unwrap();
                std::fs::rename(root.join("maildir/tmp").join(&name), root.join("maildir/new").join(&name)).unwrap();
            }
        }
    }
    drop(server);
    let ingested = ok(root, &["ingest", "--maildir", "maildir"]);
    assert!(ingested.contains(&format!("; {maildir_count} recorded,")), "{ingested}");
    ok(root, &["round", "close"]);

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("data/tenfifty/round-1/summary.json")).unwrap())
            .unwrap();
    let cooke = &summary["cooke"][0];
    assert_eq!(cooke["model"]["quantiles"], serde_json::json!([10, 50, 90]), "{cooke}");
    assert_eq!(cooke["model"]["experts"].as_array().unwrap().len(), 20, "every expert answered every seed");
    assert!(cooke["warnings"].as_array().unwrap().is_empty(), "eight seeds: {}", cooke["warnings"]);
    // The pool fed back is at the item's own quantiles.
    let years = summary["items"].as_array().unwrap().iter().find(|i| i["item"] == "years-to-first-agreement").unwrap();
    let asked: Vec<u64> =
        years["result"]["pool"]["asked"].as_array().unwrap().iter().map(|a| a["percent"].as_u64().unwrap()).collect();
    assert_eq!(asked, [10, 50, 90], "{years}");

    // The same answers as an EXCALIBUR case: experts E01…, seeds S1…, the target T1.
    let case = root.join("case");
    std::fs::create_dir_all(&case).unwrap();
    let mut dtt = String::from("* CLASS ASCII OUTPUT FILE. NQ=   3   QU=  10  50  90\n");
    for (e, expert) in experts.iter().enumerate() {
        let items = seeds.iter().enumerate().map(|(s, (_, x))| (format!("S{}", s + 1), answer(e, s, *x)));
        for (k, (id, q)) in items.chain([("T1".to_owned(), target(e))]).enumerate() {
            dtt.push_str(&format!(
                "{:>5}{:>9}{:>5} {:<15}UNI {:e} {:e} {:e}\n",
                e + 1,
                expert,
                k + 1,
                id,
                q[0],
                q[1],
                q[2]
            ));
        }
    }
    let rls: String = seeds
        .iter()
        .enumerate()
        .map(|(s, (_, x))| format!("{:>5} {:<14} {:e} UNI\n", s + 1, format!("S{}", s + 1), x))
        .collect();
    std::fs::write(case.join("web.dtt"), dtt).unwrap();
    std::fs::write(case.join("web.rls"), rls).unwrap();
    let out = run_bare(root, &["cooke", "case/web.dtt", "case/web.rls", "--out", "excalibur"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("excalibur/model.json")).unwrap()).unwrap();
    let model = &model["model"];

    // Experts are pseudonymous in the study and named in the case: compare the sorted scores.
    let mut ours: Vec<[f64; 3]> = cooke["model"]["experts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| [number(&x["calibration"]), number(&x["information"]), number(&x["weight"])])
        .collect();
    let mut theirs: Vec<[f64; 3]> = model["experts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| [number(&x["scores"]["calibration"]), number(&x["scores"]["information_seeds"]), number(&x["weight"])])
        .collect();
    ours.sort_by(|a, b| a.partial_cmp(b).unwrap());
    theirs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(ours.len(), theirs.len());
    for (a, b) in ours.iter().zip(&theirs) {
        assert!(a.iter().zip(b).all(|(x, y)| close(*x, *y)), "study {a:?} / case {b:?}");
    }
    let distinct = ours.iter().map(|s| format!("{:.6}", s[0])).collect::<std::collections::BTreeSet<_>>().len();
    assert!(distinct >= 3, "the answers tell experts apart: {ours:?}");
    assert!(ours.iter().any(|s| s[2] > 0.0) && ours.iter().any(|s| s[2] == 0.0), "the cut-off weighs: {ours:?}");
    assert!(close(number(&cooke["model"]["alpha"]), number(&model["dm"]["alpha"])));
    let dm = &cooke["model"]["performance_dm"];
    assert!(close(number(&dm["calibration"]), number(&model["dm"]["scores"]["calibration"])), "{dm} / {}", model["dm"]);
    assert!(close(number(&dm["information"]), number(&model["dm"]["scores"]["information_seeds"])));
    let equal = &cooke["model"]["equal_dm"];
    assert!(close(number(&equal["calibration"]), number(&model["equal_dm"]["scores"]["calibration"])));
    // The decision maker's 10/50/90 % on the target, as in the case's decision-makers.csv.
    let performance: Vec<f64> =
        cooke["model"]["targets"][0]["performance"].as_array().unwrap().iter().map(number).collect();
    let mut csv = csv::Reader::from_path(root.join("excalibur/decision-makers.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let on_target: Vec<f64> =
        rows.iter().filter(|r| &r[0] == "T1" && &r[1] == "performance").map(|r| r[3].parse().unwrap()).collect();
    assert_eq!(on_target.len(), 3, "{rows:?}");
    for (a, b) in performance.iter().zip(&on_target) {
        assert!(close(*a, *b), "{performance:?} / {on_target:?}");
    }
}
