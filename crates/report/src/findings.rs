//! The findings in words that open the report: per area where it was placed and how certain,
//! whether the panel and every bloc agreed, how views moved between rounds and where blocs
//! differ significantly; then one paragraph of method.
//!
//! Each sentence is a [`Sentence`]: what it claims, as data with the figures it rests on
//! ([`Claim`]), and its text in the report's language, worded from those figures alone. A
//! reader of the JSON (or a test) can check every claim against the answers without parsing
//! prose. A sentence never says more than its figures: a verdict the rule could not give is
//! worded as such ("too few answers", "not shown (groups too small)"), never as agreement.

use delphi_core::Study;
use delphi_core::study::{ItemId, Language, PanelAttribute};
use delphi_stats::groups::{GroupComparison, GroupFigures, GroupTest};
use delphi_stats::item::Outcome;
use delphi_stats::ranktests::TestMethod;
use delphi_stats::summarise::ItemResult;
use delphi_stats::synthesis::{Certainty, DomainSynthesis, Placement};
use delphi_stats::{Figure, StudySummary};
use serde::Serialize;

use crate::labels::Labels;
use crate::model::{Methods, Num, ResponseRound};

/// A difference between groups is reported when its p-value is below this.
pub const SIGNIFICANCE: f64 = 0.05;

/// The findings section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Findings {
    /// "Findings".
    pub heading: String,
    /// The round the findings are of (the last reported).
    pub round: u32,
    /// One paragraph per area (domain), in the study's order.
    pub areas: Vec<AreaFindings>,
    /// What closes an area's title before its sentences (". " or "：").
    pub title_stop: String,
    /// What goes between two sentences (a space, or nothing in Chinese).
    pub joiner: String,
    /// "Method".
    pub method_heading: String,
    /// The paragraph of method.
    pub method: Vec<Sentence>,
}

/// The sentences on one area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaFindings {
    /// Domain id.
    pub domain: String,
    /// Its title in the report's language.
    pub title: String,
    /// The sentences, in reading order.
    pub sentences: Vec<Sentence>,
}

/// One sentence: what it claims and its text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sentence {
    /// What the sentence says, with the figures it rests on.
    pub claim: Claim,
    /// The sentence in the report's language.
    pub text: String,
}

/// What a sentence claims.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Claim {
    /// The area's benefit–risk placement and how many experts place it the same way.
    Placement {
        /// `promising`, `needs_safeguards`, `avoid`; none when a median is undefined.
        placement: Option<Placement>,
        /// The benefit's median.
        benefit_median: Num,
        /// The risk criterion with the highest median.
        worst_risk: Option<String>,
        /// Its median.
        worst_risk_median: Num,
        /// Experts who rated the benefit and every risk.
        experts_placed: u64,
        /// Of them, those whose own placement is the panel's.
        experts_same: u64,
        /// `high`, `moderate`, `low`, `undefined`.
        certainty: Certainty,
    },
    /// The consensus verdict of each of the area's ordinal criteria.
    Consensus {
        /// Per criterion.
        criteria: Vec<CriterionOutcome>,
    },
    /// Whether every group of an attribute reached the panel's consensus, per criterion.
    AcrossGroups {
        /// The attribute (`bloc`).
        attribute: String,
        /// Per criterion: `met`, `not_met`, `not_shown` (every group too small), `undefined`.
        criteria: Vec<CriterionOutcome>,
    },
    /// Medians from the previous round to this one, and the stability verdicts.
    Movement {
        /// The earlier round.
        from_round: u32,
        /// This round.
        to_round: u32,
        /// Per criterion.
        criteria: Vec<Move>,
    },
    /// Only one round: nothing moved yet.
    FirstRound,
    /// Two groups' ratings of a criterion differ (p < [`SIGNIFICANCE`]).
    GroupDifference {
        /// The attribute (`bloc`).
        attribute: String,
        /// The criterion.
        criterion: String,
        /// Mann–Whitney (two groups) or Kruskal–Wallis (more).
        test: GroupTestKind,
        /// Groups compared.
        groups: usize,
        /// The group rating higher (of two), or the groups sharing the highest median (of more).
        higher: Vec<String>,
        /// Its median.
        higher_median: Num,
        /// The group rating lower, or the groups sharing the lowest median.
        lower: Vec<String>,
        /// Its median.
        lower_median: Num,
        /// The p-value.
        p_value: Num,
        /// How it was computed (`exact`, `normal`, `chi_square`).
        method: TestMethod,
    },
    /// Groups were compared on these criteria and none differed significantly.
    NoGroupDifference {
        /// The attribute.
        attribute: String,
        /// Criteria tested.
        tested: Vec<String>,
    },
    /// No two groups were large enough to compare.
    GroupsNotCompared {
        /// The attribute.
        attribute: String,
    },
    /// Rounds, panel and response.
    Response {
        /// Per round.
        rounds: Vec<RoundResponse>,
    },
    /// The consensus rule, as the methods word it.
    ConsensusRule {
        /// The rule in words.
        rule: String,
    },
}

/// A verdict as a sentence reports it: the rule's outcome, or that no group was shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Judged {
    /// The rule is met.
    Met,
    /// The rule is not met.
    NotMet,
    /// Fewer valid answers than the rule needs.
    TooFewAnswers,
    /// The rule could not be applied.
    Undefined,
    /// Across groups: every group too small to show.
    NotShown,
}

impl From<Outcome> for Judged {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Met => Self::Met,
            Outcome::NotMet => Self::NotMet,
            Outcome::TooFewAnswers => Self::TooFewAnswers,
            Outcome::Undefined => Self::Undefined,
        }
    }
}

/// The test between groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupTestKind {
    /// Two groups.
    MannWhitney,
    /// More than two.
    KruskalWallis,
}

/// A criterion's verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionOutcome {
    /// Criterion id.
    pub criterion: String,
    /// The verdict.
    pub outcome: Judged,
}

/// A criterion's median in two rounds and its stability verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Move {
    /// Criterion id.
    pub criterion: String,
    /// Median in the earlier round.
    pub from: Num,
    /// Median in this round.
    pub to: Num,
    /// The stability verdict (`met`: stable).
    pub stability: Judged,
}

/// Experts asked and answering in a round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundResponse {
    /// Round.
    pub round: u32,
    /// Experts asked, if known.
    pub invited: Option<u64>,
    /// Experts who answered.
    pub responded: u64,
    /// Percentage.
    pub rate: Num,
}

/// The words of the findings in one language. Templates hold `{name}` slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    heading: &'static str,
    method_heading: &'static str,
    title_stop: &'static str,
    joiner: &'static str,
    stable_all: &'static str,
    stable_none: &'static str,
    list: &'static str,
    clauses: &'static str,
    stop: &'static str,
    placed: &'static str,
    not_placed: &'static str,
    certainty: &'static str,
    certainty_undefined: &'static str,
    consensus_on: &'static str,
    consensus_on_none: &'static str,
    consensus_on_all: &'static str,
    no_consensus_on: &'static str,
    too_few_on: &'static str,
    undefined_on: &'static str,
    across: &'static str,
    across_met: &'static str,
    across_not_met: &'static str,
    across_not_shown: &'static str,
    across_undefined: &'static str,
    not_shown_all: &'static str,
    moved: &'static str,
    moved_none: &'static str,
    unchanged: &'static str,
    change: &'static str,
    stable: &'static str,
    not_stable: &'static str,
    stability_undetermined: &'static str,
    first_round: &'static str,
    differ_two: &'static str,
    differ_more: &'static str,
    differ_equal: &'static str,
    quotes: (&'static str, &'static str),
    no_difference: &'static str,
    not_compared: &'static str,
    exact: &'static str,
    normal: &'static str,
    chi_square: &'static str,
    response_rounds: &'static str,
    response_round: &'static str,
    response_round_uninvited: &'static str,
    rule: &'static str,
    /// Singular and plural of "criterion", "expert", "round", and of the group attributes.
    criterion: (&'static str, &'static str),
    expert: (&'static str, &'static str),
    round: (&'static str, &'static str),
    bloc: (&'static str, &'static str),
    institution: (&'static str, &'static str),
    country: (&'static str, &'static str),
}

impl Words {
    /// The words for `code` (Chinese for `zh…`, English otherwise).
    pub fn for_language(code: &str) -> Self {
        if delphi_core::study::is_chinese_code(code) { Self::zh() } else { Self::en() }
    }

    fn en() -> Self {
        Self {
            heading: "Findings",
            method_heading: "Method",
            title_stop: ".",
            joiner: " ",
            stable_all: "views were stable on all {n} {criteria}",
            stable_none: "views were not stable on any of the {n} {criteria}",
            list: ", ",
            clauses: "; ",
            stop: ".",
            placed: "Placed as “{placement}”: benefit median {benefit}, highest risk ({risk}) median {risk_median}",
            not_placed: "Not placed: a median is undefined",
            certainty: "certainty {certainty}, as {same} of {n} {experts} placed it so ({percent} %)",
            certainty_undefined: "certainty undefined, as no expert rated every criterion",
            consensus_on: "The panel reached consensus on {k} of {n} {criteria} ({names})",
            consensus_on_none: "The panel reached consensus on none of the {n} {criteria}",
            consensus_on_all: "The panel reached consensus on all {n} {criteria} ({names})",
            no_consensus_on: "no consensus on {names}",
            too_few_on: "too few answers to judge {names}",
            undefined_on: "no verdict on {names}",
            across: "Across {groups}: ",
            across_met: "consensus overall and in every {group} shown on {names}",
            across_not_met: "short of consensus overall or in some {group} on {names}",
            across_not_shown: "not shown (groups too small) on {names}",
            across_undefined: "no verdict on {names}",
            not_shown_all: "not shown (groups too small)",
            moved: "From round {from} to round {to} medians moved: {changes}",
            moved_none: "From round {from} to round {to} no median moved",
            unchanged: "{k} unchanged",
            change: "{criterion} {from} → {to}",
            stable: "views were stable on {k} of {n} {criteria}",
            not_stable: "not stable on {names}",
            stability_undetermined: "undetermined on {names}",
            first_round: "Only one round so far: no change between rounds to report.",
            differ_two: "{Group} {higher} rated {criterion} higher than {group} {lower} (median {a} vs {b}, {p}, {method}).",
            differ_more: "{Groups} differ on {criterion} ({p}, Kruskal–Wallis, {method}): {group_higher} {higher} rated it highest, {group_lower} {lower} lowest (median {a} vs {b}).",
            differ_equal: "{Groups} differ on {criterion} ({p}, {method}), though their medians are equal ({a}).",
            quotes: ("", ""),
            no_difference: "No two {groups} differ significantly (p < 0.05) on any of the {n} {criteria} compared.",
            not_compared: "{Groups} not compared: not two groups large enough to show.",
            exact: "exact test",
            normal: "normal approximation",
            chi_square: "chi-square approximation",
            response_rounds: "The study ran {n} {rounds}",
            response_round: "in round {round}, {responded} of the {invited} {experts} asked answered ({rate} %)",
            response_round_uninvited: "in round {round}, {responded} {experts} answered",
            rule: "Consensus rule: {rule}",
            criterion: ("criterion", "criteria"),
            expert: ("expert", "experts"),
            round: ("round", "rounds"),
            bloc: ("bloc", "blocs"),
            institution: ("institution", "institutions"),
            country: ("country", "countries"),
        }
    }

    fn zh() -> Self {
        Self {
            heading: "主要发现",
            method_heading: "方法",
            title_stop: "：",
            joiner: "",
            stable_all: "{n} 项标准的意见均已稳定",
            stable_none: "{n} 项标准的意见均未稳定",
            list: "、",
            clauses: "；",
            stop: "。",
            placed: "定位为“{placement}”（益处中位数 {benefit}，最高风险 {risk} 中位数 {risk_median}）",
            not_placed: "未能定位：有中位数无定义",
            certainty: "确定性{certainty}，{n} 位专家中有 {same} 位作此定位（{percent}%）",
            certainty_undefined: "确定性无法判定，因为没有专家评定了全部标准",
            consensus_on: "专家组在 {n} 项标准中的 {k} 项上达成共识（{names}）",
            consensus_on_none: "专家组在 {n} 项标准上均未达成共识",
            consensus_on_all: "专家组在全部 {n} 项标准上达成共识（{names}）",
            no_consensus_on: "未达成共识：{names}",
            too_few_on: "有效回答太少，无法判定：{names}",
            undefined_on: "无法判定：{names}",
            across: "分{groups}看，",
            across_met: "整体及每个显示的{group}均达成共识的有 {names}",
            across_not_met: "整体或某个{group}未达成共识的有 {names}",
            across_not_shown: "未显示（分组过小）的有 {names}",
            across_undefined: "无法判定的有 {names}",
            not_shown_all: "未显示（分组过小）",
            moved: "从第 {from} 轮到第 {to} 轮，中位数有变化：{changes}",
            moved_none: "从第 {from} 轮到第 {to} 轮，中位数均无变化",
            unchanged: "{k} 项未变",
            change: "{criterion} {from} → {to}",
            stable: "{n} 项标准中 {k} 项意见稳定",
            not_stable: "不稳定：{names}",
            stability_undetermined: "无法判定：{names}",
            first_round: "目前仅有一轮，尚无轮次间的变化可报告。",
            differ_two: "{group}{higher}对 {criterion} 的评分高于{group}{lower}（中位数 {a} 对 {b}，{p}，{method}）。",
            differ_more: "各{groups}对 {criterion} 的评分存在显著差异（{p}，Kruskal–Wallis 检验，{method}）：{group}{higher}最高，{group}{lower}最低（中位数 {a} 对 {b}）。",
            differ_equal: "各{groups}对 {criterion} 的评分存在显著差异（{p}，{method}），但中位数相同（{a}）。",
            quotes: ("“", "”"),
            no_difference: "在比较的 {n} 项标准上，各{groups}之间均无显著差异（p < 0.05）。",
            not_compared: "未比较各{groups}：足以显示的分组不到两个。",
            exact: "精确检验",
            normal: "正态近似",
            chi_square: "卡方近似",
            response_rounds: "研究共进行 {n} 轮",
            response_round: "第 {round} 轮：邀请 {invited} 位，{responded} 位作答（{rate}%）",
            response_round_uninvited: "第 {round} 轮：{responded} 位作答",
            rule: "共识规则：{rule}",
            // Chinese has no plural: the same word for one and many.
            criterion: ("标准", "标准"),
            expert: ("专家", "专家"),
            round: ("轮", "轮"),
            bloc: ("阵营", "阵营"),
            institution: ("机构", "机构"),
            country: ("国家", "国家"),
        }
    }

    /// The noun for `n` of them.
    fn noun(form: (&'static str, &'static str), n: usize) -> &'static str {
        if n == 1 { form.0 } else { form.1 }
    }

    fn group_words(&self, attribute: &str) -> (&'static str, &'static str) {
        match attribute {
            "bloc" => self.bloc,
            "institution" => self.institution,
            "country" => self.country,
            _ => ("group", "groups"),
        }
    }

    fn method(&self, m: TestMethod) -> &'static str {
        match m {
            TestMethod::Exact | TestMethod::ExactBinomial => self.exact,
            TestMethod::Normal => self.normal,
            TestMethod::ChiSquare => self.chi_square,
        }
    }

    /// Clauses joined and closed: "A; b; c."
    fn sentence(&self, clauses: &[String]) -> String {
        format!("{}{}", clauses.join(self.clauses), self.stop)
    }
}

/// Fills `{name}` slots of `template`.
fn fill(template: &str, slots: &[(&str, &str)]) -> String {
    slots.iter().fold(template.to_owned(), |t, (name, value)| t.replace(&format!("{{{name}}}"), value))
}

/// `text` with its first letter in upper case (a sentence opening with a group word).
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// A p-value as a sentence prints it: `p = 0.0123` or `p < 0.0001`.
fn p_text(p: &Num) -> String {
    if p.text.starts_with('<') { format!("p {}", p.text) } else { format!("p = {}", p.text) }
}

/// What the findings are built from.
pub(crate) struct Sources<'a> {
    pub study: &'a Study,
    pub summary: &'a StudySummary,
    pub language: &'a Language,
    pub labels: &'a Labels,
    pub response: &'a [ResponseRound],
    pub methods: &'a Methods,
}

/// The findings of the last reported round.
pub(crate) fn findings(src: &Sources<'_>) -> Findings {
    let words = Words::for_language(src.language.as_str());
    let round = src.summary.rounds.last().copied().unwrap_or_default();
    let areas = src
        .study
        .domains
        .iter()
        .map(|d| AreaFindings {
            domain: d.id.as_str().to_owned(),
            title: d.title.get(src.language, src.study.default_language()).to_owned(),
            sentences: area_sentences(src, &words, d.id.as_str(), round),
        })
        .collect();
    Findings {
        heading: words.heading.to_owned(),
        round,
        title_stop: words.title_stop.to_owned(),
        joiner: words.joiner.to_owned(),
        areas,
        method_heading: words.method_heading.to_owned(),
        method: method_sentences(src, &words),
    }
}

/// The area's ordinal criteria asked in `round`, in the study's order: (criterion, item).
fn ordinal_criteria<'s>(src: &'s Sources<'_>, domain: &str, round: u32) -> Vec<(String, &'s ItemResult)> {
    let Some(d) = src.study.domains.iter().find(|d| d.id.as_str() == domain) else { return Vec::new() };
    src.study
        .criteria
        .iter()
        .filter_map(|c| {
            let id = ItemId::for_domain_criterion(&d.id, &c.id);
            let it = src.summary.items.iter().find(|i| i.item.as_str() == id.as_str() && i.round == round)?;
            match it.result {
                ItemResult::Ordinal(_) => Some((c.id.as_str().to_owned(), &it.result)),
                ItemResult::Numeric(_) | ItemResult::Quantile(_) | ItemResult::Ranking(_) => None,
            }
        })
        .collect()
}

fn item_id(domain: &str, criterion: &str) -> String {
    format!("{domain}.{criterion}")
}

fn area_sentences(src: &Sources<'_>, w: &Words, domain: &str, round: u32) -> Vec<Sentence> {
    let mut out = Vec::new();
    if let Some(s) = src.summary.synthesis.iter().find(|x| x.round == round && x.domain == domain) {
        out.push(placement_sentence(src, w, s));
    }
    let criteria = ordinal_criteria(src, domain, round);
    if criteria.is_empty() {
        return out;
    }
    out.push(consensus_sentence(w, &criteria));
    let attribute = compared_attribute(src.study);
    if let Some(attribute) = attribute {
        let comparisons: Vec<&GroupComparison> = criteria
            .iter()
            .filter_map(|(c, _)| {
                src.summary
                    .groups
                    .iter()
                    .find(|g| g.round == round && g.attribute == attribute && g.item.as_str() == item_id(domain, c))
            })
            .collect();
        if !comparisons.is_empty() {
            out.push(across_sentence(w, attribute, &comparisons, domain));
        }
    }
    out.push(movement_sentence(src, w, domain, round, &criteria));
    if let Some(attribute) = attribute {
        out.extend(difference_sentences(src, w, attribute, domain, round, &criteria));
    }
    out
}

/// The attribute groups are compared by in the findings: blocs if the study compares them,
/// else its first attribute.
fn compared_attribute(study: &Study) -> Option<&'static str> {
    let attributes = &study.subgroups.attributes;
    if attributes.contains(&PanelAttribute::Bloc) {
        Some(PanelAttribute::Bloc.name())
    } else {
        attributes.first().map(|a| a.name())
    }
}

fn placement_sentence(src: &Sources<'_>, w: &Words, s: &DomainSynthesis) -> Sentence {
    let worst = s.worst_risk.as_deref().and_then(|c| s.risks.iter().find(|r| r.criterion == c));
    let worst_median = worst
        .map_or_else(|| Num::of(Figure::undefined(delphi_stats::Undefined::NoAnswers), 2), |r| Num::of(r.median, 2));
    let benefit = Num::of(s.benefit.median, 2);
    let same = s.placement_agreement.value().map_or(0, |a| (a * s.experts_placed as f64).round() as u64);
    let first = match (s.placement, &s.worst_risk) {
        (Some(p), Some(risk)) => fill(
            w.placed,
            &[
                ("placement", src.labels.placement(p)),
                ("benefit", &benefit.text),
                ("risk", risk),
                ("risk_median", &worst_median.text),
            ],
        ),
        _ => w.not_placed.to_owned(),
    };
    let certainty = match (s.placement, s.certainty) {
        (Some(_), c) if c != Certainty::Undefined && s.experts_placed > 0 => {
            let percent = Num::of(s.placement_agreement.map(|x| 100.0 * x), 1);
            let n = s.experts_placed as usize;
            Some(fill(
                w.certainty,
                &[
                    ("certainty", src.labels.certainty(c)),
                    ("same", &same.to_string()),
                    ("n", &s.experts_placed.to_string()),
                    ("experts", Words::noun(w.expert, n)),
                    ("percent", &percent.text),
                ],
            ))
        }
        (Some(_), _) => Some(w.certainty_undefined.to_owned()),
        (None, _) => None,
    };
    let text = w.sentence(&std::iter::once(first).chain(certainty).collect::<Vec<_>>());
    Sentence {
        claim: Claim::Placement {
            placement: s.placement,
            benefit_median: benefit,
            worst_risk: s.worst_risk.clone(),
            worst_risk_median: worst_median,
            experts_placed: s.experts_placed,
            experts_same: same,
            certainty: s.certainty,
        },
        text,
    }
}

/// The criteria whose outcome is `key`, listed.
fn names_with(w: &Words, outcomes: &[CriterionOutcome], key: Judged) -> Option<(usize, String)> {
    let names: Vec<&str> = outcomes.iter().filter(|o| o.outcome == key).map(|o| o.criterion.as_str()).collect();
    (!names.is_empty()).then(|| (names.len(), names.join(w.list)))
}

fn consensus_sentence(w: &Words, criteria: &[(String, &ItemResult)]) -> Sentence {
    let outcomes: Vec<CriterionOutcome> = criteria
        .iter()
        .filter_map(|(c, r)| match r {
            ItemResult::Ordinal(o) => {
                Some(CriterionOutcome { criterion: c.clone(), outcome: o.consensus.outcome.into() })
            }
            ItemResult::Numeric(_) | ItemResult::Quantile(_) | ItemResult::Ranking(_) => None,
        })
        .collect();
    let n = outcomes.len();
    let total = n.to_string();
    let mut clauses = vec![match names_with(w, &outcomes, Judged::Met) {
        Some((k, names)) => fill(
            if k == n && n > 1 { w.consensus_on_all } else { w.consensus_on },
            &[("k", &k.to_string()), ("n", &total), ("criteria", Words::noun(w.criterion, n)), ("names", &names)],
        ),
        None => fill(w.consensus_on_none, &[("n", &total), ("criteria", Words::noun(w.criterion, n))]),
    }];
    for (key, template) in [
        (Judged::NotMet, w.no_consensus_on),
        (Judged::TooFewAnswers, w.too_few_on),
        (Judged::Undefined, w.undefined_on),
    ] {
        if let Some((_, names)) = names_with(w, &outcomes, key) {
            clauses.push(fill(template, &[("names", &names)]));
        }
    }
    Sentence { claim: Claim::Consensus { criteria: outcomes }, text: w.sentence(&clauses) }
}

fn across_sentence(w: &Words, attribute: &str, comparisons: &[&GroupComparison], domain: &str) -> Sentence {
    let (one, many) = w.group_words(attribute);
    let outcomes: Vec<CriterionOutcome> = comparisons
        .iter()
        .map(|g| {
            let all_suppressed = g.groups.iter().all(|x| matches!(x.figures, GroupFigures::Suppressed));
            let criterion = g.item.as_str().strip_prefix(&format!("{domain}.")).unwrap_or(g.item.as_str()).to_owned();
            let outcome = if all_suppressed { Judged::NotShown } else { g.cross_group.outcome.into() };
            CriterionOutcome { criterion, outcome }
        })
        .collect();
    let mut clauses = Vec::new();
    for (key, template) in [
        (Judged::Met, w.across_met),
        (Judged::NotMet, w.across_not_met),
        (Judged::NotShown, w.across_not_shown),
        (Judged::TooFewAnswers, w.across_undefined),
        (Judged::Undefined, w.across_undefined),
    ] {
        if let Some((_, names)) = names_with(w, &outcomes, key) {
            clauses.push(fill(template, &[("group", one), ("names", &names)]));
        }
    }
    let text = if outcomes.iter().all(|o| o.outcome == Judged::NotShown) {
        format!("{}{}{}", fill(w.across, &[("groups", many)]), w.not_shown_all, w.stop)
    } else {
        format!("{}{}", fill(w.across, &[("groups", many)]), w.sentence(&clauses))
    };
    Sentence { claim: Claim::AcrossGroups { attribute: attribute.to_owned(), criteria: outcomes }, text }
}

fn median_of(src: &Sources<'_>, item: &str, round: u32) -> Num {
    match src.summary.items.iter().find(|i| i.item.as_str() == item && i.round == round).map(|i| &i.result) {
        Some(ItemResult::Ordinal(o)) => Num::of(o.median, 2),
        Some(ItemResult::Numeric(_) | ItemResult::Quantile(_) | ItemResult::Ranking(_)) | None => {
            Num::of(Figure::undefined(delphi_stats::Undefined::NoAnswers), 2)
        }
    }
}

fn movement_sentence(
    src: &Sources<'_>,
    w: &Words,
    domain: &str,
    round: u32,
    criteria: &[(String, &ItemResult)],
) -> Sentence {
    let moves: Vec<(u32, Move)> = criteria
        .iter()
        .filter_map(|(c, _)| {
            let id = item_id(domain, c);
            let st = src.summary.stability.iter().find(|s| s.item.as_str() == id && s.to_round == round)?;
            let earlier = st.continues.as_ref().map_or(id.as_str(), |e| e.as_str()).to_owned();
            Some((
                st.from_round,
                Move {
                    criterion: c.clone(),
                    from: median_of(src, &earlier, st.from_round),
                    to: median_of(src, &id, round),
                    stability: st.verdict.outcome.into(),
                },
            ))
        })
        .collect();
    let Some(from_round) = moves.iter().map(|m| m.0).min() else {
        return Sentence { claim: Claim::FirstRound, text: w.first_round.to_owned() };
    };
    let moves: Vec<Move> = moves.into_iter().map(|m| m.1).collect();
    let (from, to) = (from_round.to_string(), round.to_string());
    let changed: Vec<&Move> = moves.iter().filter(|m| m.from.value != m.to.value).collect();
    let mut first = if changed.is_empty() {
        fill(w.moved_none, &[("from", &from), ("to", &to)])
    } else {
        let changes: Vec<String> = changed
            .iter()
            .map(|m| fill(w.change, &[("criterion", &m.criterion), ("from", &m.from.text), ("to", &m.to.text)]))
            .collect();
        fill(w.moved, &[("from", &from), ("to", &to), ("changes", &changes.join(w.list))])
    };
    let unchanged = moves.len() - changed.len();
    if !changed.is_empty() && unchanged > 0 {
        first = format!("{first}{}{}", w.list, fill(w.unchanged, &[("k", &unchanged.to_string())]));
    }
    let outcomes: Vec<CriterionOutcome> =
        moves.iter().map(|m| CriterionOutcome { criterion: m.criterion.clone(), outcome: m.stability }).collect();
    let stable = outcomes.iter().filter(|o| o.outcome == Judged::Met).count();
    let not_stable = names_with(w, &outcomes, Judged::NotMet);
    let (n, k) = (moves.len(), stable.to_string());
    let counts = [("k", k.as_str()), ("n", &n.to_string()), ("criteria", Words::noun(w.criterion, n))];
    let mut clauses = vec![first];
    match &not_stable {
        _ if stable == n => clauses.push(fill(w.stable_all, &counts)),
        Some((k, _)) if *k == n => clauses.push(fill(w.stable_none, &counts)),
        Some((_, names)) => {
            clauses.push(fill(w.stable, &counts));
            clauses.push(fill(w.not_stable, &[("names", names)]));
        }
        None => clauses.push(fill(w.stable, &counts)),
    }
    let undetermined: Vec<&str> = outcomes
        .iter()
        .filter(|o| matches!(o.outcome, Judged::Undefined | Judged::TooFewAnswers))
        .map(|o| o.criterion.as_str())
        .collect();
    if !undetermined.is_empty() {
        clauses.push(fill(w.stability_undetermined, &[("names", &undetermined.join(w.list))]));
    }
    Sentence { claim: Claim::Movement { from_round, to_round: round, criteria: moves }, text: w.sentence(&clauses) }
}

/// The shown groups of a comparison with their medians, in the comparison's order.
fn shown_medians(g: &GroupComparison) -> Vec<(&str, Figure)> {
    g.groups
        .iter()
        .filter_map(|x| match &x.figures {
            GroupFigures::Shown { median, .. } => Some((x.group.as_str(), *median)),
            GroupFigures::Suppressed => None,
        })
        .collect()
}

fn difference_sentences(
    src: &Sources<'_>,
    w: &Words,
    attribute: &str,
    domain: &str,
    round: u32,
    criteria: &[(String, &ItemResult)],
) -> Vec<Sentence> {
    let (one, many) = w.group_words(attribute);
    let mut tested = Vec::new();
    let mut out = Vec::new();
    for (c, _) in criteria {
        let id = item_id(domain, c);
        let Some(g) =
            src.summary.groups.iter().find(|g| g.round == round && g.attribute == attribute && g.item.as_str() == id)
        else {
            continue;
        };
        let shown = shown_medians(g);
        let median = |x: &(&str, Figure)| x.1.value().unwrap_or(f64::NAN);
        let (p, method, test, higher, lower) = match g.test {
            GroupTest::MannWhitney(mw) if shown.len() == 2 => {
                // U of the first group above its mean: the first group's answers rank higher.
                let first_higher = mw.u1.value().is_some_and(|u| u > (mw.n1 * mw.n2) as f64 / 2.0);
                let (hi, lo) = if first_higher { (shown[0], shown[1]) } else { (shown[1], shown[0]) };
                (mw.p_value, mw.method, GroupTestKind::MannWhitney, vec![hi], vec![lo])
            }
            GroupTest::KruskalWallis(kw) if shown.len() > 2 => {
                let top = shown.iter().map(median).fold(f64::MIN, f64::max);
                let bottom = shown.iter().map(median).fold(f64::MAX, f64::min);
                // every group sharing the highest (lowest) median, so none is singled out wrongly
                let at = |m: f64| shown.iter().copied().filter(|x| median(x) == m).collect::<Vec<_>>();
                (kw.p_value, TestMethod::ChiSquare, GroupTestKind::KruskalWallis, at(top), at(bottom))
            }
            _ => continue,
        };
        tested.push(c.clone());
        if !p.value().is_some_and(|v| v < SIGNIFICANCE) || higher.is_empty() || lower.is_empty() {
            continue;
        }
        let (p_num, a, b) = (Num::p_value(p), Num::of(higher[0].1, 2), Num::of(lower[0].1, 2));
        let template = if a.value == b.value {
            w.differ_equal
        } else if test == GroupTestKind::MannWhitney {
            w.differ_two
        } else {
            w.differ_more
        };
        let names = |groups: &[(&str, Figure)]| -> String {
            groups.iter().map(|x| format!("{}{}{}", w.quotes.0, x.0, w.quotes.1)).collect::<Vec<_>>().join(w.list)
        };
        let text = fill(
            template,
            &[
                ("Group", &capitalised(one)),
                ("Groups", &capitalised(many)),
                ("group_higher", Words::noun((one, many), higher.len())),
                ("group_lower", Words::noun((one, many), lower.len())),
                ("group", one),
                ("groups", many),
                ("higher", &names(&higher)),
                ("lower", &names(&lower)),
                ("criterion", c),
                ("a", &a.text),
                ("b", &b.text),
                ("p", &p_text(&p_num)),
                ("method", w.method(method)),
            ],
        );
        let owned = |groups: &[(&str, Figure)]| groups.iter().map(|x| x.0.to_owned()).collect();
        out.push(Sentence {
            claim: Claim::GroupDifference {
                attribute: attribute.to_owned(),
                criterion: c.clone(),
                test,
                groups: shown.len(),
                higher: owned(&higher),
                higher_median: a,
                lower: owned(&lower),
                lower_median: b,
                p_value: p_num,
                method,
            },
            text,
        });
    }
    if !out.is_empty() {
        return out;
    }
    let text = if tested.is_empty() {
        fill(w.not_compared, &[("Groups", &capitalised(many))])
    } else {
        fill(
            w.no_difference,
            &[("groups", many), ("n", &tested.len().to_string()), ("criteria", Words::noun(w.criterion, tested.len()))],
        )
    };
    let claim = if tested.is_empty() {
        Claim::GroupsNotCompared { attribute: attribute.to_owned() }
    } else {
        Claim::NoGroupDifference { attribute: attribute.to_owned(), tested }
    };
    vec![Sentence { claim, text }]
}

fn method_sentences(src: &Sources<'_>, w: &Words) -> Vec<Sentence> {
    let rounds: Vec<RoundResponse> = src
        .response
        .iter()
        .map(|r| RoundResponse { round: r.round, invited: r.invited, responded: r.responded, rate: r.rate.clone() })
        .collect();
    let n = rounds.len();
    let mut clauses = vec![fill(w.response_rounds, &[("n", &n.to_string()), ("rounds", Words::noun(w.round, n))])];
    for r in &rounds {
        let text = match r.invited {
            Some(invited) => fill(
                w.response_round,
                &[
                    ("round", &r.round.to_string()),
                    ("responded", &r.responded.to_string()),
                    ("invited", &invited.to_string()),
                    ("experts", Words::noun(w.expert, invited as usize)),
                    ("rate", &r.rate.text),
                ],
            ),
            None => fill(
                w.response_round_uninvited,
                &[
                    ("round", &r.round.to_string()),
                    ("responded", &r.responded.to_string()),
                    ("experts", Words::noun(w.expert, r.responded as usize)),
                ],
            ),
        };
        clauses.push(text);
    }
    let response = Sentence { claim: Claim::Response { rounds }, text: w.sentence(&clauses) };
    let rule = &src.methods.consensus_definition;
    let rule_text = fill(w.rule, &[("rule", rule)]);
    let rule_text = if rule_text.ends_with(['.', '。']) { rule_text } else { format!("{rule_text}{}", w.stop) };
    vec![response, Sentence { claim: Claim::ConsensusRule { rule: rule.clone() }, text: rule_text }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_filled_and_nouns_agree_with_their_number() {
        let en = Words::for_language("en");
        assert_eq!(Words::noun(en.expert, 1), "expert");
        assert_eq!(Words::noun(en.expert, 2), "experts");
        assert_eq!(Words::noun(en.criterion, 0), "criteria");
        let zh = Words::for_language("zh");
        assert_eq!(Words::noun(zh.expert, 2), "专家");
        assert_eq!(fill("{a} and {b}", &[("a", "x"), ("b", "y")]), "x and y");
        assert_eq!(en.sentence(&["A".into(), "b".into()]), "A; b.");
        assert_eq!(zh.sentence(&["甲".into(), "乙".into()]), "甲；乙。");
        assert_eq!(capitalised("bloc"), "Bloc");
    }

    #[test]
    fn no_chinese_template_marks_a_plural() {
        let zh = Words::zh();
        let all = format!("{zh:?}");
        assert!(!all.contains("们"), "Chinese has no plural: {all}");
    }

    #[test]
    fn p_values_read_as_comparisons() {
        assert_eq!(p_text(&Num::p_value(Figure::new(0.01234))), "p = 0.0123");
        assert_eq!(p_text(&Num::p_value(Figure::new(0.000_01))), "p < 0.0001");
    }
}
