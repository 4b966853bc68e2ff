//! The rank tests in words: every comparison between groups of the panel (Mann–Whitney U,
//! Kruskal–Wallis H), every change between rounds (Wilcoxon signed-rank) and every drop-out
//! test (Mann–Whitney U of those who left against those who stayed), each as one line a
//! reader can use — what it found, its p-value, and whether that p-value is exact or an
//! approximation — in the report's language.
//!
//! Only groups the statistics engine showed take part (small groups are suppressed there and
//! never named here). The direction of a difference is read from the figures the test rests
//! on: the groups' medians, or, where they are equal, which side's rank sum is larger.

use delphi_core::study::{Language, Study};
use delphi_stats::groups::{GroupComparison, GroupFigures, GroupTest};
use delphi_stats::ranktests::{KruskalWallis, MANN_WHITNEY_EXACT_MAX, MannWhitney, TestMethod, WILCOXON_EXACT_MAX};
use delphi_stats::stability::Stability;
use delphi_stats::{Figure, StudySummary, Undefined};
use serde::Serialize;

use crate::model::{Num, fmt_number};

/// Below this a p-value is called significant. The report says so, and that about one test
/// in twenty falls below it by chance.
pub const SIGNIFICANCE: f64 = 0.05;

/// The tests of a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankTests {
    /// The words of the section (headings, column heads, notes).
    pub words: TestWords,
    /// How the p-values were computed, with the sizes up to which they are exact.
    pub method_note: String,
    /// Group comparisons of the last reported round, item by item.
    pub groups: Vec<TestLine>,
    /// Changes between consecutive rounds.
    pub stability: Vec<TestLine>,
    /// Drop-out tests, where experts left between rounds.
    pub dropouts: Vec<TestLine>,
}

/// One test, in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestLine {
    /// The item, as readers know it (the area and criterion, or the item's id).
    pub item: String,
    /// The round, or the two rounds compared ("1 → 2").
    pub round: String,
    /// What was compared ("bloc", "institution"), for group tests.
    pub between: String,
    /// The p-value (two-sided).
    pub p_value: Num,
    /// Exact, normal approximation, χ² approximation, exact binomial; empty when no p-value.
    pub method: String,
    /// Whether p < [`SIGNIFICANCE`].
    pub significant: bool,
    /// One line: what the test says about the answers.
    pub reading: String,
}

/// Fixed words of the section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestWords {
    /// Title of the section ("Tests between groups and between rounds").
    pub heading: String,
    /// Question above the table of differences between the panel's groups.
    pub groups_heading: String,
    /// Question above the table of shifts between rounds.
    pub stability_heading: String,
    /// Question above the table comparing those who left with those who stayed.
    pub dropouts_heading: String,
    /// Column header naming the item a line tests.
    pub item: String,
    /// Column header naming the round a line tests.
    pub round: String,
    /// Column header naming the groups compared (the group table only).
    pub between: String,
    /// Column header of the p-value.
    pub p_value: String,
    /// Column header of the method the p-value was computed by.
    pub method: String,
    /// Column header of the line's finding in words.
    pub reading: String,
    /// Said in place of a table that has no line.
    pub none: String,
    exact: String,
    normal: String,
    chi_square: String,
    exact_binomial: String,
    higher: String,
    no_difference: String,
    groups_differ: String,
    groups_alike: String,
    not_tested: String,
    moved_up: String,
    moved_down: String,
    no_shift: String,
    left_higher: String,
    left_lower: String,
    left_alike: String,
    method_note: String,
    expert: String,
    experts: String,
    #[serde(skip)]
    chinese: bool,
}

fn s(x: &str) -> String {
    x.to_owned()
}

impl TestWords {
    /// The words in `language` (Chinese for `zh…`, English otherwise).
    pub fn for_language(language: &str) -> Self {
        if delphi_core::study::is_chinese_code(language) { Self::chinese() } else { Self::english() }
    }

    fn english() -> Self {
        Self {
            heading: s("Tests between groups and between rounds"),
            groups_heading: s("Do the groups of the panel answer differently?"),
            stability_heading: s("Did the answers move between rounds?"),
            dropouts_heading: s("Did the experts who left answer differently?"),
            item: s("Item"),
            round: s("Round"),
            between: s("Groups"),
            p_value: s("p"),
            method: s("Method"),
            reading: s("What it says"),
            none: s("No test could be run."),
            exact: s("exact"),
            normal: s("normal approximation"),
            chi_square: s("χ² approximation"),
            exact_binomial: s("exact binomial"),
            higher: s("{high} rated it higher than {low} (medians {a} and {b})"),
            no_difference: s("no significant difference between {g1} and {g2} (medians {a} and {b})"),
            groups_differ: s("the {k} groups differ; the highest median is {high}'s ({a})"),
            groups_alike: s("no significant difference between the {k} groups"),
            not_tested: s("not tested: {reason}"),
            moved_up: s("answers moved up ({moved} of {pairs} changed)"),
            moved_down: s("answers moved down ({moved} of {pairs} changed)"),
            no_shift: s("no significant shift ({moved} of {pairs} changed)"),
            left_higher: s("the {n} {experts} who left had answered higher than the {stayers} who stayed"),
            left_lower: s("the {n} {experts} who left had answered lower than the {stayers} who stayed"),
            left_alike: s("the {n} {experts} who left had answered like the {stayers} who stayed"),
            method_note: s(
                "All p-values are two-sided; below {alpha} a line is marked significant. Mann–Whitney tests \
                 are exact (the permutation distribution, with mid-ranks for tied answers) up to {mw} answers \
                 in the two groups together, Wilcoxon tests up to {w} non-zero changes; beyond that they use \
                 the normal approximation with continuity correction. Kruskal–Wallis uses the χ² \
                 approximation. With many tests, about one in twenty falls below {alpha} by chance alone.",
            ),
            expert: s("expert"),
            experts: s("experts"),
            chinese: false,
        }
    }

    fn chinese() -> Self {
        Self {
            heading: s("组间与轮次间的检验"),
            groups_heading: s("专家组之间的回答是否不同？"),
            stability_heading: s("回答在轮次之间是否变化？"),
            dropouts_heading: s("退出的专家回答是否不同？"),
            item: s("条目"),
            round: s("轮次"),
            between: s("分组"),
            p_value: s("p"),
            method: s("方法"),
            reading: s("含义"),
            none: s("无法进行任何检验。"),
            exact: s("精确检验"),
            normal: s("正态近似"),
            chi_square: s("χ² 近似"),
            exact_binomial: s("精确二项检验"),
            higher: s("{high}的评分高于{low}（中位数 {a} 与 {b}）"),
            no_difference: s("{g1}与{g2}之间无显著差异（中位数 {a} 与 {b}）"),
            groups_differ: s("{k} 个组之间存在差异；中位数最高的是{high}（{a}）"),
            groups_alike: s("{k} 个组之间无显著差异"),
            not_tested: s("未检验：{reason}"),
            moved_up: s("回答整体上升（{pairs} 位中 {moved} 位改变了回答）"),
            moved_down: s("回答整体下降（{pairs} 位中 {moved} 位改变了回答）"),
            no_shift: s("无显著变化（{pairs} 位中 {moved} 位改变了回答）"),
            left_higher: s("退出的 {n} 位专家此前的评分高于留下的 {stayers} 位"),
            left_lower: s("退出的 {n} 位专家此前的评分低于留下的 {stayers} 位"),
            left_alike: s("退出的 {n} 位专家此前的回答与留下的 {stayers} 位相近"),
            method_note: s(
                "所有 p 值均为双侧；低于 {alpha} 的行标为显著。Mann–Whitney 检验在两组合计不超过 {mw} 个回答时为精确检验\
                 （置换分布，相同回答取平均秩），Wilcoxon 检验在非零变化不超过 {w} 个时为精确检验；超过时采用带连续性校正的\
                 正态近似。Kruskal–Wallis 检验采用 χ² 近似。检验较多时，约二十分之一的检验会仅因偶然而低于 {alpha}。",
            ),
            expert: s(""),
            experts: s(""),
            chinese: true,
        }
    }

    fn method(&self, method: TestMethod) -> String {
        match method {
            TestMethod::Exact => self.exact.clone(),
            TestMethod::Normal => self.normal.clone(),
            TestMethod::ChiSquare => self.chi_square.clone(),
            TestMethod::ExactBinomial => self.exact_binomial.clone(),
        }
    }

    /// Why a test could not be run, in the report's language (the statistics engine words its
    /// reasons in English).
    fn reason(&self, reason: Undefined) -> String {
        if !self.chinese {
            return reason.to_string();
        }
        match reason {
            Undefined::NoVariation => s("所有回答相同"),
            Undefined::TooFewGroups => s("足够大、可比较的组少于两个"),
            Undefined::NoChange => s("配对回答均未改变"),
            Undefined::NoPairs => s("没有专家在两轮都作答"),
            Undefined::NoAnswers => s("没有有效回答"),
            _ => reason.to_string(),
        }
    }

    /// "expert" or "experts" after a count (the Chinese sentences need none: a measure word
    /// stands there, the same for one and many).
    fn experts_word(&self, n: u64) -> &str {
        if n == 1 { &self.expert } else { &self.experts }
    }
}

/// The tests of `summary`, worded in `language`.
pub fn rank_tests(study: &Study, summary: &StudySummary, language: &Language) -> RankTests {
    let words = TestWords::for_language(language.as_str());
    let name = |item: &str| item_name(study, item, language);
    let last = summary.rounds.last().copied().unwrap_or_default();
    let groups = summary
        .groups
        .iter()
        .filter(|g| g.round == last)
        .map(|g| group_line(&words, g, &name(g.item.as_str())))
        .collect();
    let stability = summary.stability.iter().map(|s| stability_line(&words, s, &name(s.item.as_str()))).collect();
    let dropouts = summary
        .stability
        .iter()
        .filter(|s| s.attrition.dropouts > 0)
        .map(|s| dropout_line(&words, s, &name(s.item.as_str())))
        .collect();
    let method_note = words
        .method_note
        .replace("{alpha}", &fmt_number(SIGNIFICANCE, 2))
        .replace("{mw}", &MANN_WHITNEY_EXACT_MAX.to_string())
        .replace("{w}", &WILCOXON_EXACT_MAX.to_string());
    RankTests { method_note, groups, stability, dropouts, words }
}

/// An item as readers know it: "Verification mechanisms · benefit" for an area's criterion,
/// the item's id otherwise.
fn item_name(study: &Study, item: &str, language: &Language) -> String {
    let question = study.questions().into_iter().find(|q| q.id.as_str() == item);
    match question.as_ref().and_then(|q| q.domain.as_ref().zip(q.criterion.as_ref())) {
        Some((domain, criterion)) => {
            let title = study.domains.iter().find(|d| &d.id == domain).map_or_else(
                || domain.as_str().to_owned(),
                |d| d.title.get(language, study.default_language()).clone(),
            );
            format!("{title} · {}", criterion.as_str())
        }
        None => item.to_owned(),
    }
}

fn p_line(p: Figure, method: Option<TestMethod>, words: &TestWords) -> (Num, String, bool) {
    let significant = p.value().is_some_and(|v| v < SIGNIFICANCE);
    let method = method.filter(|_| p.value().is_some()).map(|m| words.method(m)).unwrap_or_default();
    (p_value(p), method, significant)
}

/// A p-value with three decimals, always (0.070, not 0.07 beside a 0.213), or `< 0.001`.
fn p_value(p: Figure) -> Num {
    match p.value() {
        Some(v) if v < 0.001 => Num { value: Some(v), text: "< 0.001".into(), note: None },
        Some(v) => Num { value: Some(v), text: format!("{v:.3}"), note: None },
        None => Num::of(p, 3),
    }
}

fn median_text(f: Figure) -> String {
    Num::of(f, 2).text
}

fn group_line(words: &TestWords, g: &GroupComparison, item: &str) -> TestLine {
    let shown: Vec<(&str, Figure)> = g
        .groups
        .iter()
        .filter_map(|r| match &r.figures {
            GroupFigures::Shown { median, .. } => Some((r.group.as_str(), *median)),
            GroupFigures::Suppressed => None,
        })
        .collect();
    let (p, method, reading) = match &g.test {
        // A test whose statistic is undefined (every answer the same) found nothing to compare.
        GroupTest::MannWhitney(MannWhitney { p_value, .. })
        | GroupTest::KruskalWallis(KruskalWallis { p_value, .. })
            if p_value.value().is_none() =>
        {
            let reason = p_value.reason().map(|r| words.reason(r)).unwrap_or_default();
            (*p_value, None, words.not_tested.replace("{reason}", &reason))
        }
        GroupTest::MannWhitney(m) => {
            let (first, second) = (shown[0], shown[1]);
            let significant = m.p_value.value().is_some_and(|v| v < SIGNIFICANCE);
            let reading = if significant {
                let ((high, a), (low, b)) =
                    if first_is_higher(first.1, second.1, m) { (first, second) } else { (second, first) };
                words
                    .higher
                    .replace("{high}", high)
                    .replace("{low}", low)
                    .replace("{a}", &median_text(a))
                    .replace("{b}", &median_text(b))
            } else {
                words
                    .no_difference
                    .replace("{g1}", first.0)
                    .replace("{g2}", second.0)
                    .replace("{a}", &median_text(first.1))
                    .replace("{b}", &median_text(second.1))
            };
            (m.p_value, Some(m.method), reading)
        }
        GroupTest::KruskalWallis(k) => {
            let significant = k.p_value.value().is_some_and(|v| v < SIGNIFICANCE);
            let reading = if significant {
                let (high, a) = shown
                    .iter()
                    .copied()
                    .max_by(|x, y| x.1.value().unwrap_or(f64::MIN).total_cmp(&y.1.value().unwrap_or(f64::MIN)))
                    .expect("a Kruskal–Wallis test has three shown groups or more");
                words
                    .groups_differ
                    .replace("{k}", &shown.len().to_string())
                    .replace("{high}", high)
                    .replace("{a}", &median_text(a))
            } else {
                words.groups_alike.replace("{k}", &shown.len().to_string())
            };
            (k.p_value, Some(TestMethod::ChiSquare), reading)
        }
        GroupTest::NotTested { reason } => {
            (Figure::undefined(*reason), None, words.not_tested.replace("{reason}", &words.reason(*reason)))
        }
    };
    let (p_value, method, significant) = p_line(p, method, words);
    TestLine {
        item: item.to_owned(),
        round: g.round.to_string(),
        between: g.attribute.clone(),
        p_value,
        method,
        significant,
        reading,
    }
}

/// Whether the first group answered higher: by the medians, or where they are equal (or
/// undefined) by U, which exceeds n₁n₂/2 when the first group's answers tend to be larger.
fn first_is_higher(first: Figure, second: Figure, m: &MannWhitney) -> bool {
    match (first.value(), second.value()) {
        (Some(a), Some(b)) if a != b => a > b,
        _ => m.u1.value().is_some_and(|u| u > (m.n1 * m.n2) as f64 / 2.0),
    }
}

fn stability_line(words: &TestWords, s: &Stability, item: &str) -> TestLine {
    let w = &s.wilcoxon;
    let significant = w.p_value.value().is_some_and(|v| v < SIGNIFICANCE);
    let template = match (significant, w.w_plus.value(), w.w_minus.value()) {
        (true, Some(up), Some(down)) if up > down => &words.moved_up,
        (true, Some(_), Some(_)) => &words.moved_down,
        _ => &words.no_shift,
    };
    let reading = template.replace("{moved}", &s.moved.to_string()).replace("{pairs}", &s.pairs.to_string());
    between_rounds(words, s, item, (w.p_value, w.method), reading)
}

/// A test between two rounds of one item: its rounds, p-value and method, and its reading.
fn between_rounds(
    words: &TestWords,
    s: &Stability,
    item: &str,
    (p, method): (Figure, Option<TestMethod>),
    reading: String,
) -> TestLine {
    let (p_value, method, significant) = p_line(p, method, words);
    TestLine {
        item: item.to_owned(),
        round: format!("{} → {}", s.from_round, s.to_round),
        between: String::new(),
        p_value,
        method,
        significant,
        reading,
    }
}

fn dropout_line(words: &TestWords, s: &Stability, item: &str) -> TestLine {
    let a = &s.attrition;
    let significant = a.test.p_value.value().is_some_and(|v| v < SIGNIFICANCE);
    // The test's first sample is the drop-outs' earlier answers.
    let higher = a.test.u1.value().is_some_and(|u| u > (a.test.n1 * a.test.n2) as f64 / 2.0);
    let template = match (significant, higher) {
        (true, true) => &words.left_higher,
        (true, false) => &words.left_lower,
        (false, _) => &words.left_alike,
    };
    let reading = template
        .replace("{n}", &a.dropouts.to_string())
        .replace("{stayers}", &a.stayers.to_string())
        .replace("{experts}", words.experts_word(a.dropouts));
    between_rounds(words, s, item, (a.test.p_value, Some(a.test.method)), reading)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mw(n1: u64, n2: u64, u1: f64, p: f64, method: TestMethod) -> MannWhitney {
        MannWhitney { n1, n2, u1: Figure::new(u1), z: Figure::new(0.0), p_value: Figure::new(p), method }
    }

    #[test]
    fn p_values_keep_three_decimals() {
        assert_eq!(p_value(Figure::new(0.07)).text, "0.070");
        assert_eq!(p_value(Figure::new(0.2137)).text, "0.214");
        assert_eq!(p_value(Figure::new(0.0004)).text, "< 0.001");
        assert_eq!(p_value(Figure::new(1.0)).text, "1.000");
    }

    #[test]
    fn equal_medians_take_their_direction_from_u() {
        let m = mw(4, 4, 13.0, 0.2, TestMethod::Exact);
        assert!(first_is_higher(Figure::new(4.0), Figure::new(4.0), &m), "U1 = 13 > 8");
        assert!(!first_is_higher(Figure::new(4.0), Figure::new(5.0), &m), "the medians decide where they differ");
    }

    #[test]
    fn one_expert_is_singular_in_english_and_chinese_has_no_plural_marker() {
        let en = TestWords::for_language("en");
        assert_eq!(en.experts_word(1), "expert");
        assert_eq!(en.experts_word(2), "experts");
        let zh = TestWords::for_language("zh");
        let line = zh.left_alike.replace("{n}", "1").replace("{stayers}", "9").replace("{experts}", zh.experts_word(1));
        assert_eq!(line, "退出的 1 位专家此前的回答与留下的 9 位相近");
        let line = en.left_alike.replace("{n}", "1").replace("{stayers}", "9").replace("{experts}", en.experts_word(1));
        assert_eq!(line, "the 1 expert who left had answered like the 9 who stayed");
    }

    #[test]
    fn the_method_note_states_the_exact_limits_of_the_engine() {
        let words = TestWords::for_language("en");
        let note = words
            .method_note
            .replace("{alpha}", &fmt_number(SIGNIFICANCE, 2))
            .replace("{mw}", &MANN_WHITNEY_EXACT_MAX.to_string())
            .replace("{w}", &WILCOXON_EXACT_MAX.to_string());
        assert!(note.contains("up to 50 answers") && note.contains("up to 50 non-zero changes"), "{note}");
        assert!(!note.contains('{'), "{note}");
    }
}
