//! Every question as the experts saw it (issue 14, point 2), over the real binary: a
//! coordinator runs the shipped study with one rating question added outside the areas,
//! rewords two questions between the rounds — one in place, one replaced by a new item that
//! continues it — and reports. The PDFs (read with `pdftotext`), the HTML and the Markdown, in
//! English and Chinese, show a probability's median as a percentage and its IQR in
//! percentage points, a quantile pool at the documented precision, the rating question with a
//! criterion's figures, and an appendix listing each round's questions with their wording,
//! marking the reworded ones and naming the question no longer asked.

use std::path::Path;
use std::process::Command;

use crate::util::{answer, init_example, ok};

const STUDY: &str = "questionnaire-test";
const PANEL: &str = include_str!("../../surveys/ai-safety-cooperation.panel.csv");

/// The rating question added outside the areas, as first worded and as reworded in place.
const FEASIBLE: (&str, &str) =
    ("A joint evaluation centre is feasible within five years.", "五年内建立联合评测中心是可行的。");
const FEASIBLE_2: (&str, &str) = (
    "A joint evaluation centre, staffed by both sides, is feasible within five years.",
    "由双方派员的联合评测中心在五年内是可行的。",
);
/// The probability question's replacement in round 2.
const REWORDED: (&str, &str) = (
    "Reworded: will US and Chinese institutions jointly evaluate a frontier model by 2030?",
    "改写：到 2030 年中美机构是否会联合评测前沿模型？",
);

/// The probabilities the twelve experts give the reworded question in round 2, in percent:
/// the median is 84 % (the 6th and 7th of twelve are both 84), the quartiles about 74 and 90,
/// so the IQR, above 10 points, puts the second significant digit at the units.
const PROBABILITIES: [u32; 12] = [60, 65, 70, 75, 84, 84, 84, 84, 90, 92, 95, 98];

/// Expert `i`'s answers in `round`: a rating of the first area, the rating question, the
/// probability (the original in round 1, its replacement in round 2) and the years quantiles.
fn reply(i: usize, round: u32) -> String {
    let probability = if round == 1 {
        format!("[p-joint-evaluation-2030] {}%", 20 + i)
    } else {
        format!("[p-joint-evaluation-2030-v2] {}%", PROBABILITIES[i])
    };
    [
        format!("[verification.benefit] {}", 5 + i % 3),
        format!("[joint-centre-feasible] {}", [4, 4, 5, 3][i % 4]),
        probability,
        format!("[years-to-first-agreement] 5%: {} 50%: {} 95%: {}", 1 + i % 2, 4 + i % 5, 12 + 3 * i),
    ]
    .join("\n")
}

/// The PDF's text, words separated by single spaces.
fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext").arg("-layout").arg(pdf).arg("-").output().expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext {}", pdf.display());
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` without any white space: ids and words that typst broke across lines join up again.
fn squeezed(text: &str) -> String {
    text.split_whitespace().collect()
}

/// The text between the first `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("{start:?} missing from {text}"));
    let rest = &text[from + start.len()..];
    rest.find(end).map_or(rest, |to| &rest[..to])
}

/// The rounding rule the report documents, worked out here on its own: to the place of the
/// second significant digit of the spread.
fn to_spread(value: f64, spread: f64) -> String {
    let place = spread.log10().floor() - 1.0;
    if place >= 0.0 {
        let step = 10f64.powf(place);
        format!("{:.0}", (value / step).round() * step)
    } else {
        let decimals = (-place) as usize;
        format!("{value:.decimals$}")
    }
}

#[test]
fn each_question_shows_its_wording_probabilities_as_percent_pools_to_their_precision_and_the_appendix_each_round() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    init_example(root, STUDY, |study| {
        format!(
            "{study}\n[[items]]\nid = \"joint-centre-feasible\"\nkind = \"ordinal\"\nscale = \"agree5\"\n\
             prompt.en = \"{}\"\nprompt.zh = \"{}\"\n",
            FEASIBLE.0, FEASIBLE.1
        )
    });
    let experts: Vec<&str> = PANEL.lines().skip(1).map(|l| l.split(',').next().unwrap()).take(12).collect();
    ok(root, &["round", "open"]);
    for (i, expert) in experts.iter().enumerate() {
        answer(root, expert, &reply(i, 1));
    }
    ok(root, &["round", "close"]);

    // Between the rounds the coordinator rewords the rating question in place, and replaces
    // the probability question by a reworded one that continues it.
    let file = root.join("study/study.toml");
    let study = std::fs::read_to_string(&file).unwrap();
    assert!(study.contains(FEASIBLE.0) && study.contains(FEASIBLE.1));
    let study = study.replace(FEASIBLE.0, FEASIBLE_2.0).replace(FEASIBLE.1, FEASIBLE_2.1)
        + &format!(
            "\n[[items]]\nid = \"p-joint-evaluation-2030-v2\"\nkind = \"probability\"\nfirst_round = 2\n\
             continues = \"p-joint-evaluation-2030\"\nprompt.en = \"{}\"\nprompt.zh = \"{}\"\n\n\
             [[revisions]]\nround = 2\ndrop = [\"p-joint-evaluation-2030\"]\n",
            REWORDED.0, REWORDED.1
        );
    std::fs::write(&file, study).unwrap();
    ok(root, &["validate"]);
    ok(root, &["round", "open"]);
    for (i, expert) in experts.iter().enumerate() {
        answer(root, expert, &reply(i, 2));
    }
    ok(root, &["round", "close"]);
    ok(root, &["report"]);

    let out = root.join(format!("reports/{STUDY}/round-2"));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let result = |item: &str, round: u64| {
        summary["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["item"] == item && i["round"] == round)
            .unwrap_or_else(|| panic!("{item} in round {round}: {summary}"))["result"]
            .clone()
    };
    // The engine's figures for the reworded probability: the median of the twelve answers.
    let p = result("p-joint-evaluation-2030-v2", 2);
    assert_eq!(p["median"].as_f64(), Some(0.84), "{p}");
    let iqr = p["iqr"].as_f64().unwrap();
    assert!(iqr > 0.10 && iqr < 0.20, "quartiles near 74 and 90: {p}");
    let iqr_points = format!("{:.0}", 100.0 * iqr);
    // The years' pool in round 2, and its figures as the documented rule prints them.
    let years = result("years-to-first-agreement", 2);
    let pool = &years["pool"];
    let (q05, q50, q95) = (pool["q05"].as_f64().unwrap(), pool["q50"].as_f64().unwrap(), pool["q95"].as_f64().unwrap());
    let pooled: Vec<String> = [q05, q50, q95].iter().map(|v| to_spread(*v, q95 - q05)).collect();
    assert!(
        pooled.iter().all(|t| !t.contains('.')),
        "a range of {} years rounds to whole years: {pooled:?}",
        q95 - q05
    );
    assert_ne!(pooled[1], format!("{q50:.2}"), "the pool's median has more digits than the report prints");

    for (language, words) in [("en", &English as &dyn Words), ("zh", &Chinese)] {
        let dir = out.join(language);
        // A figure and its unit are joined by a no-break space; read it as a space.
        let text = pdf_text(&dir.join("report.pdf")).replace('\u{a0}', " ");
        let markdown = std::fs::read_to_string(dir.join("report.md")).unwrap().replace('\u{a0}', " ");
        let html = std::fs::read_to_string(dir.join("report.html")).unwrap().replace('\u{a0}', " ");

        // The numeric table: the reworded question with its wording, its median in percent
        // and its IQR in percentage points; never the raw proportion.
        let numeric = between(&text, words.numeric(), words.precision());
        // (round 1's question had a median of 25.5 %: 84 % is the reworded one's)
        assert!(squeezed(numeric).contains(&squeezed(words.reworded())), "{language}: {numeric}");
        assert!(numeric.contains("84 %"), "{language}: the median as a percentage: {numeric}");
        assert!(numeric.contains(&format!("{iqr_points} {}", words.points())), "{language}: IQR {iqr}: {numeric}");
        assert!(!numeric.contains("0.84"), "{language}: {numeric}");
        // no row for a round the question was not asked in (the replacement in round 1, the
        // replaced question in round 2)
        assert!(!numeric.contains("—–—"), "{language}: {numeric}");
        for rendered in [&markdown, &html] {
            assert!(rendered.contains("84 %") && rendered.contains(words.points()), "{language}");
            assert!(rendered.contains(words.reworded()), "{language}: the wording beside the figures");
        }

        // The quantile pool, with its question's wording, at the precision of its 5–95 % range.
        let quantiles = between(&text, words.quantiles(), words.numeric());
        assert!(squeezed(quantiles).contains(&squeezed(words.years())), "{language}: {quantiles}");
        let row = format!("2 12 {} {} {}", pooled[0], pooled[1], pooled[2]);
        assert!(quantiles.contains(&row), "{language}: {row:?} in {quantiles}");
        assert!(markdown.contains(&format!("| {} | {} | {} |", pooled[0], pooled[1], pooled[2])), "{language}");

        // The rating question outside the areas gets a criterion's row: median, quartiles,
        // agreement and verdict, under its wording as reworded.
        let ratings = between(&text, words.ratings(), words.next_after_ratings());
        assert!(squeezed(ratings).contains(&squeezed(words.feasible().1)), "{language}: {ratings}");
        assert!(
            squeezed(ratings).contains(&squeezed(words.agree_scale())),
            "{language}: the scale's labels: {ratings}"
        );
        assert!(ratings.contains("4.0") && ratings.contains(words.consensus()), "{language}: {ratings}");

        // The consensus over rounds names it by its question too.
        let consensus = between(&text, words.consensus_over_rounds(), words.quantiles());
        assert!(squeezed(consensus).contains(&squeezed(words.feasible().1)), "{language}: {consensus}");

        // The appendix: each round's questions with their wording; the rewordings marked, the
        // dropped question named.
        let appendix = text.rsplit(words.appendix()).next().unwrap();
        let round_1 = squeezed(between(appendix, &words.round(1), &words.round(2)));
        let round_2 = squeezed(appendix.split(&words.round(2)).nth(1).unwrap());
        for (round, asked) in [(&round_1, 1), (&round_2, 2)] {
            // the questions as the round's form asked them: one `[id]` line each
            let questions: Vec<String> = ok(root, &["round", "show", &asked.to_string(), "--format", "text"])
                .lines()
                .filter_map(|l| l.strip_prefix('[')?.split_once(']').map(|(id, _)| id.to_owned()))
                .filter(|id| id != "end")
                .collect();
            assert!(questions.len() > 20, "{questions:?}");
            for id in &questions {
                assert!(
                    round.contains(&format!("{id}:")) || round.contains(&format!("{id}(")),
                    "{language}: {id} in round {asked}"
                );
            }
        }
        assert!(round_1.contains(&squeezed(words.feasible().0)), "{language}: round 1 as first worded");
        assert!(!round_1.contains(&squeezed(words.reworded())), "{language}");
        assert!(round_1.contains("p-joint-evaluation-2030:"), "{language}");
        let mark = squeezed(&format!("{} [{}]", words.feasible().1, words.reworded_mark()));
        assert!(round_2.contains(&mark), "{language}: {mark} in {round_2}");
        let replaced = squeezed(&format!("{} [{}]", words.reworded(), words.replaces("p-joint-evaluation-2030")));
        assert!(round_2.contains(&replaced), "{language}: {replaced} in {round_2}");
        assert!(round_2.contains(&squeezed(&words.dropped("p-joint-evaluation-2030"))), "{language}: {round_2}");
        assert!(!round_2.contains("p-joint-evaluation-2030:"), "{language}: dropped in round 2");
        for rendered in [&markdown, &html] {
            assert!(
                rendered.contains(words.appendix())
                    && rendered.contains(words.replaces("p-joint-evaluation-2030").as_str()),
                "{language}"
            );
        }

        // Nobody is named.
        for line in PANEL.lines().skip(1) {
            let fields: Vec<&str> = line.split(',').collect();
            for identity in [fields[1], fields[2]] {
                for rendered in [&text, &markdown, &html] {
                    assert!(!rendered.contains(identity), "{language}: {identity}");
                }
            }
        }
    }
}

/// The words the test looks for, in one report language.
trait Words {
    fn consensus_over_rounds(&self) -> &'static str;
    fn numeric(&self) -> &'static str;
    fn quantiles(&self) -> &'static str;
    fn precision(&self) -> &'static str;
    fn ratings(&self) -> &'static str;
    fn next_after_ratings(&self) -> &'static str;
    fn points(&self) -> &'static str;
    fn consensus(&self) -> &'static str;
    fn agree_scale(&self) -> &'static str;
    fn appendix(&self) -> &'static str;
    fn round(&self, n: u32) -> String;
    fn feasible(&self) -> (&'static str, &'static str);
    fn reworded(&self) -> &'static str;
    fn years(&self) -> &'static str;
    fn reworded_mark(&self) -> &'static str;
    fn replaces(&self, item: &str) -> String;
    fn dropped(&self, item: &str) -> String;
}

struct English;
struct Chinese;

impl Words for English {
    fn consensus_over_rounds(&self) -> &'static str {
        "Consensus over rounds"
    }
    fn numeric(&self) -> &'static str {
        "Numeric items"
    }
    fn quantiles(&self) -> &'static str {
        "Quantile items: pooled distribution"
    }
    fn precision(&self) -> &'static str {
        "Pooled estimates, medians and quartiles of numbers are rounded"
    }
    fn ratings(&self) -> &'static str {
        "Other rated questions"
    }
    fn next_after_ratings(&self) -> &'static str {
        "Methods"
    }
    fn points(&self) -> &'static str {
        "pp"
    }
    fn consensus(&self) -> &'static str {
        "consensus"
    }
    fn agree_scale(&self) -> &'static str {
        "1 = Strongly disagree · 2 = Disagree"
    }
    fn appendix(&self) -> &'static str {
        "Appendix: the questionnaire of each round"
    }
    fn round(&self, n: u32) -> String {
        format!("Round {n} ")
    }
    fn feasible(&self) -> (&'static str, &'static str) {
        (FEASIBLE.0, FEASIBLE_2.0)
    }
    fn reworded(&self) -> &'static str {
        REWORDED.0
    }
    fn years(&self) -> &'static str {
        "How many years from today until the first formal US–China agreement"
    }
    fn reworded_mark(&self) -> &'static str {
        "reworded"
    }
    fn replaces(&self, item: &str) -> String {
        format!("reworded: replaces {item}")
    }
    fn dropped(&self, item: &str) -> String {
        format!("No longer asked: {item}.")
    }
}

impl Words for Chinese {
    fn consensus_over_rounds(&self) -> &'static str {
        "各轮共识情况"
    }
    fn numeric(&self) -> &'static str {
        "数值题目"
    }
    fn quantiles(&self) -> &'static str {
        "分位数题目：等权合并分布"
    }
    fn precision(&self) -> &'static str {
        "数值的汇总估计、中位数和四分位数"
    }
    fn ratings(&self) -> &'static str {
        "其他评分题目"
    }
    fn next_after_ratings(&self) -> &'static str {
        "方法"
    }
    fn points(&self) -> &'static str {
        "个百分点"
    }
    fn consensus(&self) -> &'static str {
        "达成共识"
    }
    fn agree_scale(&self) -> &'static str {
        "1 = 非常不同意 · 2 = 不同意"
    }
    fn appendix(&self) -> &'static str {
        "附录：各轮问卷"
    }
    fn round(&self, n: u32) -> String {
        format!("轮次 {n}")
    }
    fn feasible(&self) -> (&'static str, &'static str) {
        (FEASIBLE.1, FEASIBLE_2.1)
    }
    fn reworded(&self) -> &'static str {
        REWORDED.1
    }
    fn years(&self) -> &'static str {
        "从今天起，还需要多少年中美才会就某项技术性人工智能安全措施达成第一份正式协议"
    }
    fn reworded_mark(&self) -> &'static str {
        "措辞已修改"
    }
    fn replaces(&self, item: &str) -> String {
        format!("措辞已修改：替代 {item}")
    }
    fn dropped(&self, item: &str) -> String {
        format!("不再提问：{item}。")
    }
}
