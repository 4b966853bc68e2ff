//! DELPHISTAR and ACCORD in the study report (issue 14, point 4), over the real binary: a
//! coordinator runs the shipped study for two rounds with a panel that thins out, sends
//! reminders, writes two of the `[reporting]` notes, and reports. The PDF's appendix lists every
//! guideline item; each item the tool fills points to a page that holds its answer (checked
//! with `pdftotext` on that page, in English and Chinese); the flow diagram counts the experts
//! the store holds answers from.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::util::{answer, init_example, ok};

const STUDY: &str = "guidelines-test";
const PANEL: &str = include_str!("../../surveys/ai-safety-cooperation.panel.csv");
const FUNDING: (&str, &str) =
    ("Funded by the Example Foundation, grant 17; the funder had no role.", "由示例基金会资助；资助方未参与研究。");
/// The aim as the coordinator states it for readers (not the description written to experts).
const AIM: (&str, &str) =
    ("To find where rival blocs agree on technical AI safety.", "找出对立阵营在技术性人工智能安全上的共识所在。");
/// A note as a coordinator may type it, with characters typst would read as markup.
const TEAM: (&str, &str) = (
    "Two political scientists and a statistician (*lead*: #set page(width: 1pt) $x$ <b>).",
    "两位政治学者和一位统计学者（*负责人*：#set page(width: 1pt)）。",
);

/// Who did not answer: three experts in round 1 (one of them back in round 2), three more
/// dropping out in round 2.
const SILENT_IN_ROUND_1: [&str; 3] = ["E05", "E12", "E20"];
const SILENT_IN_ROUND_2: [&str; 5] = ["E05", "E12", "E03", "E09", "E17"];

/// Expert `i`'s reply: their reply form (`round show --expert`) filled in as the form's hints
/// ask, benefits rated high and risks low, with some spread between experts (none when every
/// expert is `0`).
fn fill(form: &str, i: usize) -> String {
    let spread = [0, 1, -1, 0][i % 4];
    let mut hint: Vec<&str> = Vec::new();
    let mut reply = Vec::new();
    for line in form.lines() {
        if let Some(comment) = line.strip_prefix("::") {
            hint.push(comment);
            continue;
        }
        let Some(marker) = line.strip_prefix('[').and_then(|l| l.split(']').next()).filter(|m| *m != "end") else {
            continue;
        };
        let said = hint.join(" ");
        // the options of a ranking, one to a line, indented: "  1 verification (…)"
        let options: Vec<&str> = hint
            .iter()
            .filter(|l| l.starts_with("   "))
            .filter_map(|l| l.trim().split_once(' '))
            .filter_map(|(n, rest)| n.parse::<u32>().ok().and(rest.split_whitespace().next()))
            .collect();
        let scale = ["Write the number of your answer:", "请写下所选答案的数字："]
            .iter()
            .find_map(|hint| said.split(hint).nth(1));
        let answer = if let Some(points) = scale {
            // the points end at "? don't know"; the group's figures may follow from round 2 on
            let points = points.split('?').next().unwrap();
            let max: i32 = points.split(|c: char| !c.is_ascii_digit()).filter_map(|t| t.parse().ok()).max().unwrap();
            let base = if marker.contains("risk") { 2 } else { max - 1 };
            (base + spread).clamp(1, max).to_string()
        } else if !options.is_empty() {
            options.join(", ")
        } else if said.contains("Write a percentage") || said.contains("百分数") {
            format!("{}%", 20 + i)
        } else if line.contains("5%:") {
            let range = ["range ", "范围 "].iter().find_map(|r| said.split(r).nth(1)).unwrap();
            let (lo, hi) = range.split_once('–').unwrap();
            let lo: f64 = lo.trim().parse().unwrap();
            let hi: f64 = hi.split(|c: char| !c.is_ascii_digit() && c != '.').next().unwrap().parse().unwrap();
            let at = |share: f64| lo + (hi - lo) * share;
            let own = 0.01 * (i % 5) as f64;
            format!("5%: {} 50%: {} 95%: {}", at(0.1), at(0.3 + own), at(0.8))
        } else {
            format!("View {i} on {marker}.")
        };
        reply.push(format!("[{marker}] {answer}"));
        hint.clear();
    }
    reply.join("\n")
}

/// (id, bloc) of every panel member.
fn panel() -> Vec<(String, String)> {
    PANEL
        .lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            // the bloc counted from the end: a quoted institution may hold a comma
            (cells[0].to_owned(), cells[cells.len() - 4].to_owned())
        })
        .collect()
}

fn tool(name: &str, args: &[&str]) -> String {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| panic!("{name} not runnable ({e})"));
    assert!(out.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Without whitespace: pdftotext spaces CJK text and wrapped lines its own way.
fn dense(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn page_text(pdf: &Path, page: u32) -> String {
    let n = page.to_string();
    tool("pdftotext", &["-layout", "-f", &n, "-l", &n, pdf.to_str().unwrap(), "-"])
}

fn pages(pdf: &Path) -> u32 {
    let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap()
}

/// Runs the study and reports it, expert `i` filling in their form as expert `answers(i)`
/// would; the report directory of round 2.
fn run_study(root: &Path, answers: fn(usize) -> usize) -> std::path::PathBuf {
    init_example(root, STUDY, |text| {
        // a bloc of three is now below the minimum and must not be named
        let text = text.replace("min_group_size = 3", "min_group_size = 4");
        format!(
            "{text}\n[reporting]\nfunding = {{ en = \"{}\", zh = \"{}\" }}\nteam = {{ en = \"{}\", zh = \"{}\" }}\naim = {{ en = \"{}\", zh = \"{}\" }}\n",
            FUNDING.0, FUNDING.1, TEAM.0, TEAM.1, AIM.0, AIM.1
        )
    });
    for round in 1..=2 {
        ok(root, &["round", "open"]);
        let silent: &[&str] = if round == 1 { &SILENT_IN_ROUND_1 } else { &SILENT_IN_ROUND_2 };
        for (i, (expert, _)) in panel().iter().enumerate() {
            if !silent.contains(&expert.as_str()) {
                let form = ok(root, &["round", "show", "--format", "text", "--expert", expert]);
                answer(root, expert, &fill(&form, answers(i)));
            }
        }
        if round == 1 {
            // the coordinator nudges those who have not answered yet
            ok(root, &["remind", "--now"]);
        }
        ok(root, &["round", "close"]);
        if round == 1 {
            // between the rounds the coordinator drops an item and rewords another
            let file = root.join("study/study.toml");
            let mut study = std::fs::read_to_string(&file).unwrap();
            study.push_str(
                "\n[[items]]\nid = \"p-joint-evaluation-2030-v2\"\nkind = \"probability\"\nfirst_round = 2\n\
                 continues = \"p-joint-evaluation-2030\"\nprompt.en = \"Reworded: a joint evaluation by 2030?\"\n\
                 prompt.zh = \"改写后的问题\"\n\n[[revisions]]\nround = 2\n\
                 drop = [\"verification.recommendation\", \"p-joint-evaluation-2030\"]\n",
            );
            std::fs::write(&file, study).unwrap();
        }
    }
    ok(root, &["report", "--out", "reports"]);
    root.join("reports").join(STUDY).join("round-2")
}

/// The page each checklist row names, read from the appendix's text: for each item id, the
/// page number printed on its row, or `None` for "to be written by the coordinator".
fn printed_pages(text: &str, ids: &[String], page_word: &str, to_be_written: &str) -> BTreeMap<String, Option<u32>> {
    let (before, after) = page_word.split_once("{n}").unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut found = BTreeMap::new();
    for id in ids {
        let at = lines
            .iter()
            .position(|l| l.split_whitespace().next() == Some(id.as_str()) && l.split_whitespace().count() > 1)
            .unwrap_or_else(|| panic!("checklist item {id} is listed:\n{text}"));
        // a wrapped topic puts the page on the row's first line, or the next
        let next = lines.get(at + 1).copied().unwrap_or("");
        let continues = next.split_whitespace().next().is_some_and(|first| !ids.iter().any(|i| i == first));
        let row = if continues { format!("{} {next}", lines[at]) } else { lines[at].to_owned() };
        let page = row.split(before.trim()).skip(1).find_map(|rest| {
            let digits: String = rest.trim_start().chars().take_while(char::is_ascii_digit).collect();
            let tail = rest.trim_start()[digits.len()..].trim_start();
            (!digits.is_empty() && tail.starts_with(after.trim())).then(|| digits.parse().unwrap())
        });
        if page.is_none() {
            assert!(dense(&row).contains(&dense(to_be_written)), "item {id} has a page or is to be written: {row}");
        }
        found.insert(id.clone(), page);
    }
    found
}

fn check_language(dir: &Path, lang: &str) {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(lang).join("report.json")).unwrap()).unwrap();
    let g = &json["guidelines"];
    let pdf = dir.join(lang).join("report.pdf");
    let n = pages(&pdf);
    let texts: Vec<String> = (1..=n).map(|p| page_text(&pdf, p)).collect();

    // The checklist: every DELPHISTAR item 1–38 and every ACCORD item of the reference.
    let checklists = g["checklists"].as_array().unwrap();
    let delphistar: Vec<String> =
        checklists[0]["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(delphistar, (1..=38).map(|k| k.to_string()).collect::<Vec<_>>());
    let accord: Vec<String> =
        checklists[1]["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect();
    for id in ["I1", "I2", "I3", "M1", "M8", "M10", "M11", "M12", "M13", "M14", "M17", "M18", "M19", "M20", "M21"]
        .into_iter()
        .chain(["R1", "R2", "R3", "R4", "R5", "O1", "O2", "O3", "D1", "D2"])
    {
        assert!(accord.iter().any(|a| a == id), "ACCORD {id} is listed: {accord:?}");
    }

    // The appendix as printed: the pages after its heading.
    let heading = g["words"]["checklist_heading"].as_str().unwrap();
    let first = texts.iter().position(|t| dense(t).contains(&dense(heading))).expect("the appendix is printed");
    let appendix = texts[first..].join("\n");
    let (delphistar_part, accord_part) = appendix.split_once("ACCORD (Gattrell").expect("the ACCORD list follows");
    let word = g["words"]["page"].as_str().unwrap();
    let to_be_written = g["words"]["to_be_written"].as_str().unwrap();
    let printed = printed_pages(delphistar_part, &delphistar, word, to_be_written);
    let accord_printed = printed_pages(accord_part, &accord, word, to_be_written);

    // Each item the tool fills names a page that holds its answer's heading.
    let entries: BTreeMap<&str, &str> = g["facts"]
        .as_array()
        .unwrap()
        .iter()
        .chain(g["notes"].as_array().unwrap())
        .map(|e| (e["anchor"].as_str().unwrap(), e["title"].as_str().unwrap()))
        .collect();
    let mut filled = 0;
    for (list, pages) in [(&checklists[0], &printed), (&checklists[1], &accord_printed)] {
        for item in list["items"].as_array().unwrap() {
            let id = item["id"].as_str().unwrap();
            let page = pages[id];
            match item["anchor"].as_str() {
                None => assert_eq!(page, None, "{lang}: item {id} is to be written by the coordinator"),
                Some(anchor) => {
                    let page = page.unwrap_or_else(|| panic!("{lang}: item {id} names a page"));
                    let title = entries[anchor];
                    assert!(
                        dense(&texts[page as usize - 1]).contains(&dense(title)),
                        "{lang}: item {id} points to page {page}, which does not hold “{title}”"
                    );
                    filled += 1;
                }
            }
        }
    }
    assert!(filled >= 35, "{lang}: the tool fills most items ({filled})");

    // The notes the coordinator wrote are printed and answer their items; the others are
    // marked to be written.
    let all = dense(&texts.join("\n"));
    let (funding, team) = if lang == "zh" { (FUNDING.1, TEAM.1) } else { (FUNDING.0, TEAM.0) };
    assert!(all.contains(&dense(funding)) && all.contains(&dense(team)), "{lang}: the notes are printed, literally");
    assert!(printed["4"].is_some() && printed["5"].is_some(), "{lang}: funding and team are answered");
    // The aim is the coordinator's, not the text written to the experts.
    let aim = if lang == "zh" { AIM.1 } else { AIM.0 };
    assert!(all.contains(&dense(aim)), "{lang}: the stated aim is printed");
    assert_eq!((printed["13"], printed["17"], printed["36"]), (None, None, None), "{lang}: unwritten notes");

    // No expert is named anywhere in the part.
    for line in PANEL.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        assert!(!all.contains(&dense(cells[1])) && !all.contains(cells[2]), "{lang}: {} appears", cells[0]);
    }
}

#[test]
fn the_report_answers_every_guideline_item_it_can_on_the_page_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let reports = run_study(root, |i| i);
    // the reports stay beside the page PNGs, to read
    let kept = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/artifacts/report/guidelines");
    std::fs::create_dir_all(&kept).unwrap();
    for lang in ["en", "zh"] {
        std::fs::copy(reports.join(lang).join("report.pdf"), kept.join(format!("report-{lang}.pdf"))).unwrap();
    }
    check_language(&reports, "en");
    check_language(&reports, "zh");

    // The flow diagram counts what the store holds: per round and bloc, experts asked and
    // experts with an answer; the bloc of three (below the minimum of four) counted unnamed.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("en/report.json")).unwrap()).unwrap();
    let db = rusqlite::Connection::open(root.join("data").join(STUDY).join("delphi.sqlite")).unwrap();
    let answered_in = |round: u32| -> Vec<String> {
        let mut statement = db.prepare("SELECT DISTINCT expert_id FROM submissions WHERE round = ?1").unwrap();
        statement.query_map([round], |r| r.get::<_, String>(0)).unwrap().map(Result::unwrap).collect()
    };
    let blocs = panel();
    let flow = json["guidelines"]["flow"]["rounds"].as_array().unwrap();
    assert_eq!(flow.len(), 2);
    for (k, round) in flow.iter().enumerate() {
        let number = u32::try_from(k + 1).unwrap();
        let answered = answered_in(number);
        let silent: &[&str] = if number == 1 { &SILENT_IN_ROUND_1 } else { &SILENT_IN_ROUND_2 };
        assert_eq!(answered.len(), 20 - silent.len(), "the store holds the answers the experts sent");
        assert_eq!(
            (
                round["total"]["invited"].as_u64(),
                round["total"]["answered"].as_u64(),
                round["total"]["dropped"].as_u64()
            ),
            (Some(20), Some(answered.len() as u64), Some(silent.len() as u64)),
            "round {number}"
        );
        for bloc in round["blocs"].as_array().unwrap() {
            let name = bloc["group"].as_str().unwrap();
            assert_ne!(name, "Other", "a bloc below the minimum group size is not named");
            let members: Vec<&str> = if blocs.iter().any(|(_, b)| b == name) {
                blocs.iter().filter(|(_, b)| b == name).map(|(id, _)| id.as_str()).collect()
            } else {
                blocs.iter().filter(|(_, b)| b == "Other").map(|(id, _)| id.as_str()).collect()
            };
            let answering = members.iter().filter(|m| answered.iter().any(|a| a == *m)).count();
            assert_eq!(
                (bloc["invited"].as_u64(), bloc["answered"].as_u64()),
                (Some(members.len() as u64), Some(answering as u64)),
                "round {number}, {name}"
            );
        }
    }

    // The same numbers in the PDF's diagram, and the reminders the coordinator sent.
    let pdf = reports.join("en/report.pdf");
    let texts: Vec<String> = (1..=pages(&pdf)).map(|p| page_text(&pdf, p)).collect();
    let flow_page = texts.iter().find(|t| t.contains("Flow of participants") && t.contains("Did not answer")).unwrap();
    for (answered, silent) in [(17, 3), (15, 5)] {
        assert!(flow_page.contains(&format!("Answered: {answered}")), "{flow_page}");
        assert!(flow_page.contains(&format!("Did not answer: {silent}")), "{flow_page}");
    }
    let all = texts.join("\n").split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(all.contains("Reminders sent: round 1: 3; round 2: 0."), "reminders per round");
    assert!(all.contains("The stopping rule"), "whether the stopping rule was met is said");
    assert!(
        all.contains("Reworded in round 2: p-joint-evaluation-2030-v2 continues p-joint-evaluation-2030.")
            && all.contains("From round 2, no longer asked: verification.recommendation, p-joint-evaluation-2030."),
        "the revisions with their round"
    );

    // Page PNGs to look at: the flow diagram and the first checklist page, in both languages.
    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/artifacts/report");
    std::fs::create_dir_all(&artifacts).unwrap();
    for lang in ["en", "zh"] {
        let pdf = reports.join(lang).join("report.pdf");
        let texts: Vec<String> = (1..=pages(&pdf)).map(|p| page_text(&pdf, p)).collect();
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(reports.join(lang).join("report.json")).unwrap()).unwrap();
        let w = &json["guidelines"]["words"];
        let first = artifacts.join(format!("guidelines-page-1-{lang}"));
        tool(
            "pdftoppm",
            &["-r", "60", "-png", "-singlefile", "-f", "1", "-l", "1", pdf.to_str().unwrap(), first.to_str().unwrap()],
        );
        for (name, heading) in [("flow", &w["flow_heading"]), ("checklist", &w["checklist_heading"])] {
            let heading = dense(heading.as_str().unwrap());
            let page = texts.iter().position(|t| dense(t).contains(&heading)).unwrap() + 1;
            let prefix = artifacts.join(format!("guidelines-{name}-{lang}"));
            let n = page.to_string();
            tool(
                "pdftoppm",
                &[
                    "-r",
                    "60",
                    "-png",
                    "-singlefile",
                    "-f",
                    &n,
                    "-l",
                    &n,
                    pdf.to_str().unwrap(),
                    prefix.to_str().unwrap(),
                ],
            );
        }
    }
}

/// A panel that answers alike from the start reaches consensus on every rated item in round
/// 1; the rule asks for at least two rounds, so it is met in round 2, and the report says so.
#[test]
fn a_panel_agreeing_from_the_start_meets_the_stopping_rule_in_round_2() {
    let dir = tempfile::tempdir().unwrap();
    let reports = run_study(dir.path(), |_| 0);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(reports.join("en/report.json")).unwrap()).unwrap();
    let fact = |anchor: &str| {
        json["guidelines"]["facts"].as_array().unwrap().iter().find(|f| f["anchor"] == anchor).unwrap()["text"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(fact("fact-stopping").ends_with("The stopping rule was met in round 2."), "{}", fact("fact-stopping"));
    assert!(
        fact("fact-agreement").contains("Round 1: 20 of 20 rated items reached consensus."),
        "{}",
        fact("fact-agreement")
    );
    assert!(fact("fact-findings").starts_with("In round 2, consensus was reached on: verification.benefit,"));
    let pdf = reports.join("en/report.pdf");
    let text: String = (1..=pages(&pdf)).map(|p| page_text(&pdf, p)).collect::<Vec<_>>().join(" ");
    assert!(dense(&text).contains("Thestoppingrulewasmetinround2."));
}
