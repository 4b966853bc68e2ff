//! The study report's section on Cooke's classical model: for every round with seed
//! questions, each pseudonym's calibration, information and weight, the optimised α, the
//! performance-weighted and equal-weight decision makers with their scores, and their
//! quantiles on every target item beside the item's wording and unit, in the report's
//! language ([`CookeSection`], built by [`section`] from the summary's
//! [`CookeRound`]s).
//!
//! Every round with seeds is shown, not only the last: from round 2 on, experts have seen the
//! group's answers to the seeds, so the first round's scores are the least influenced by the
//! panel and the last round's quantiles are its final judgement; a reader needs both.
//!
//! Numbers are printed by `delphi cooke`'s rules ([`score_text`], [`information_text`],
//! [`value_text`]) and laid out by `cooke-tables.typ`, so both PDFs read alike. Experts appear
//! under the store's pseudonyms only, as in the tidy exports.

use delphi_core::Study;
use delphi_core::study::{Language, QuantityScale, ResponseKind};
use delphi_stats::Figure;
use delphi_stats::classical::{FEW_SEEDS, Scale};
use delphi_stats::cooke::DmScore;
use delphi_stats::summarise::CookeRound;
use serde::Serialize;

use crate::cooke::{information_text, optional, score_text, value_text};
use crate::model::Num;
use crate::pdf::TypstFile;

/// The section's template: one function, `cooke-section`, that `report.typ` calls.
pub const COOKE_SECTION: TypstFile = TypstFile { name: "cooke-section.typ", source: include_str!("cooke-section.typ") };

/// Cooke's classical model in the study report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CookeSection {
    /// The section's heading.
    pub heading: String,
    /// How to read it, a few sentences.
    pub reading: Vec<String>,
    /// Every round with seed questions, in order.
    pub rounds: Vec<CookeRoundSection>,
    /// The words of the tables, under the names `cooke-tables.typ` reads.
    pub labels: CookeWords,
}

/// The model of one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CookeRoundSection {
    /// The round.
    pub round: u32,
    /// Its heading (`Round 1`).
    pub heading: String,
    /// Experts, seeds and targets in words.
    pub counts: String,
    /// Seed items the model scored on.
    pub seeds: usize,
    /// Whether there are fewer than [`FEW_SEEDS`] seeds.
    pub few_seeds: bool,
    /// Experts who answered targets but no seed, left out of the model.
    pub experts_excluded: usize,
    /// The warnings (few seeds, experts left out), in the report's language.
    pub warnings: Vec<String>,
    /// The optimised α.
    pub alpha: Num,
    /// α and where it came from, in words.
    pub alpha_text: String,
    /// The quantiles of the targets, as printed (`5 %`).
    pub quantiles: Vec<String>,
    /// Each scored expert, by pseudonym.
    pub experts: Vec<ExpertScoreRow>,
    /// The performance-weighted, then the equal-weight decision maker.
    pub decision_makers: Vec<DecisionMakerRow>,
    /// The target items, each with both decision makers' quantiles.
    pub items: Vec<TargetRow>,
}

/// One expert's scores and weight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpertScoreRow {
    /// The store's pseudonym.
    pub name: String,
    /// Calibration score.
    pub calibration: Num,
    /// Mean information over the seeds.
    pub information_seeds: Num,
    /// Calibration × information.
    pub combined: Num,
    /// The normalised weight at α.
    pub weight: Num,
    /// Whether the expert carries weight.
    pub weighted: bool,
}

/// A decision maker's scores on the seeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionMakerRow {
    /// Its name in the report's language.
    pub label: String,
    /// Calibration score.
    pub calibration: Num,
    /// Mean information over the seeds.
    pub information_seeds: Num,
    /// Calibration × information.
    pub combined: Num,
}

/// A target item with the decision makers' quantiles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetRow {
    /// The item's id.
    pub id: String,
    /// Always `false`: `cooke-tables.typ` reads targets by it.
    pub seed: bool,
    /// Its background measure.
    pub scale: Scale,
    /// The question as the experts read it, in the report's language.
    pub wording: String,
    /// Its unit, with the word for unit (`Unit: years`).
    pub unit: Option<String>,
    /// Per decision maker (in [`CookeRoundSection::decision_makers`]' order), its quantiles.
    pub quantiles: Vec<Vec<Num>>,
}

/// The section's words in one language; the fields shared with `cooke-tables.typ` carry the
/// names it reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CookeWords {
    /// Title of the section.
    pub heading: String,
    /// How to read the section: the seeds, the weights, the two decision makers compared.
    pub reading: [String; 3],
    /// Heading of one round's part, `{round}` its number.
    pub round: String,
    /// The round's experts, seeds and targets in one sentence (`{experts}`, `{seeds}`,
    /// `{targets}`).
    pub counts: String,
    /// Warning that the seeds are fewer than Cooke recommends (`{seeds}`, `{few}`).
    pub few_seeds: String,
    /// Warning naming how many experts answered no seed and are left out (`{experts}`).
    pub excluded: String,
    /// Symbol of the cut-off α, before its value.
    pub alpha: String,
    /// The cut-off as optimised for the performance-weighted decision maker (`{alpha}`).
    pub alpha_optimised: String,
    /// Shown for α when no cut-off gives a decision maker.
    pub alpha_undefined: String,
    /// Heading above the table of experts' scores.
    pub experts_heading: String,
    /// Column header of the pseudonyms in the experts' table.
    pub expert: String,
    /// Column header of the calibration score (key read by `cooke-tables.typ`).
    pub calibration: String,
    /// Column header of information over the seeds (key read by `cooke-tables.typ`).
    pub information_seeds: String,
    /// Column header of calibration × information (key read by `cooke-tables.typ`).
    pub combined: String,
    /// Column header of the normalised weight (key read by `cooke-tables.typ`).
    pub weight: String,
    /// Note under the experts' table: pseudonyms, bold for weight, what C × I is.
    pub experts_note: String,
    /// Heading above the decision makers' scores.
    pub decision_makers: String,
    /// Column header naming the decision maker of a row.
    pub decision_maker: String,
    /// Name of the performance-weighted decision maker.
    pub performance: String,
    /// Name of the equal-weight decision maker.
    pub equal: String,
    /// Heading above the decision makers' quantiles on the targets.
    pub target_items: String,
    /// Column header of the target's wording.
    pub item: String,
    /// A target's unit under its wording (`{unit}`).
    pub unit: String,
    /// Column header of an item's scale (uniform or log); the section leaves it out.
    pub scale: String,
    /// Name of the uniform background measure.
    pub uniform: String,
    /// Name of the log-uniform background measure.
    pub log: String,
    /// Column header of a seed's true value; the section shows targets only.
    pub realisation: String,
    /// Run-in label of each warning box.
    pub warning: String,
    /// Counts take a measure word, not a plural.
    #[serde(skip)]
    chinese: bool,
}

impl CookeWords {
    /// The words in `code` (Chinese for `zh` and `zh-…`, else English).
    pub fn for_language(code: &str) -> Self {
        if delphi_core::study::is_chinese_code(code) { Self::zh() } else { Self::en() }
    }

    fn en() -> Self {
        let s = str::to_owned;
        Self {
            heading: s("Cooke's classical model (seed questions)"),
            reading: [
                s("Seed questions have answers the coordinator knows and the experts did not. Cooke's classical \
                   model scores each expert on them: calibration is the p-value of the hypothesis that the true \
                   values fall between the expert's quantiles as often as the quantiles say (near 1 is good, \
                   10⁻⁵ and below means the true values fell mostly outside the ranges); information is how \
                   narrow the ranges are."),
                s("An expert's weight is calibration × information, set to 0 below the cut-off α, which is chosen \
                   to give the performance-weighted decision maker its best score; the equal-weight decision \
                   maker gives every expert the same weight. Both decision makers are scored on the seeds like \
                   experts."),
                s("Compare the two decision makers' C × I: the higher one is the pooled judgement the seeds \
                   support better. The target table sets their quantiles side by side."),
            ],
            round: s("Round {round}"),
            counts: s("{experts} scored on {seeds}; {targets}."),
            few_seeds: s("Only {seeds}: Cooke recommends about 10, and with fewer than {few} the calibration scores \
                          separate good from poor assessors weakly. Read the weights as indicative."),
            excluded: s("Left out of the model: {experts} who answered no seed question (their answers to the \
                         targets are not pooled here)."),
            alpha: s("α"),
            alpha_optimised: s("{alpha} (optimised: the cut-off that gives the performance-weighted decision maker \
                                its best score)"),
            alpha_undefined: s("— (undefined: no cut-off gives a decision maker)"),
            experts_heading: s("Experts"),
            expert: s("Expert"),
            calibration: s("Calibration"),
            information_seeds: s("Information (seeds)"),
            combined: s("C × I"),
            weight: s("Weight"),
            experts_note: s("Experts by pseudonym, as in the exports. Experts in bold carry weight. C × I: \
                             calibration × information over the seeds."),
            decision_makers: s("Decision makers"),
            decision_maker: s("Decision maker"),
            performance: s("Performance weights"),
            equal: s("Equal weights"),
            target_items: s("Target items"),
            item: s("Item"),
            unit: s("Unit: {unit}"),
            scale: s("Scale"),
            uniform: s("uniform"),
            log: s("log"),
            realisation: s("Realisation"),
            warning: s("Warning"),
            chinese: false,
        }
    }

    fn zh() -> Self {
        let s = str::to_owned;
        Self {
            heading: s("Cooke 经典模型（种子问题）"),
            reading: [
                s("种子问题的答案协调人已知而专家不知。Cooke 经典模型据此为每位专家评分：校准分数是“真实值落在专家\
                   各分位数之间的频率与分位数所述相符”这一假设的 p 值（接近 1 为好，10⁻⁵ 及以下表示真实值大多落在\
                   区间之外）；信息量衡量区间的窄度。"),
                s("专家的权重为校准 × 信息量，校准低于阈值 α 的专家权重为 0；α 的取值使绩效加权决策者得分最高。\
                   等权重决策者给予每位专家相同权重。两个决策者都像专家一样在种子问题上评分。"),
                s("请比较两个决策者的 C × I：较高者是种子问题更支持的汇总判断。目标问题表将二者的分位数并列。"),
            ],
            round: s("第 {round} 轮"),
            counts: s("{experts}，按 {seeds}评分；{targets}。"),
            few_seeds: s("仅有 {seeds}：Cooke 建议约 10 道；少于 {few} 道时，校准分数区分优劣评估者的能力较弱，\
                          权重仅供参考。"),
            excluded: s("未纳入模型：{experts}未回答任何种子问题（其对目标问题的回答不在此汇总）。"),
            alpha: s("α"),
            alpha_optimised: s("{alpha}（优化所得：使绩效加权决策者得分最高的阈值）"),
            alpha_undefined: s("—（无定义：没有阈值能得出决策者）"),
            experts_heading: s("专家"),
            expert: s("专家（化名）"),
            calibration: s("校准"),
            information_seeds: s("信息量（种子问题）"),
            combined: s("C × I"),
            weight: s("权重"),
            experts_note: s("专家以化名列出，与导出数据一致。粗体专家具有权重。C × I：种子问题上的校准 × 信息量。"),
            decision_makers: s("决策者"),
            decision_maker: s("决策者"),
            performance: s("绩效加权"),
            equal: s("等权重"),
            target_items: s("目标问题"),
            item: s("问题"),
            unit: s("单位：{unit}"),
            scale: s("尺度"),
            uniform: s("均匀"),
            log: s("对数"),
            realisation: s("真实值"),
            warning: s("警告"),
            chinese: true,
        }
    }

    /// `n` of a thing, with the right plural in English (Chinese counts with a measure word).
    fn count(&self, n: usize, english: (&str, &str), chinese: &str) -> String {
        if self.chinese {
            format!("{n} {chinese}")
        } else {
            format!("{n} {}", if n == 1 { english.0 } else { english.1 })
        }
    }

    fn experts(&self, n: usize) -> String {
        self.count(n, ("expert", "experts"), "位专家")
    }

    fn seeds(&self, n: usize) -> String {
        self.count(n, ("seed question", "seed questions"), "道种子问题")
    }

    fn targets(&self, n: usize) -> String {
        self.count(n, ("target item", "target items"), "道目标问题")
    }
}

/// A summary figure as printed by `text`; undefined ones as `—` with their reason.
fn figure(f: Figure, text: fn(f64) -> String) -> Num {
    Num { note: f.reason().map(|r| r.to_string()), ..optional(f.value(), text) }
}

fn decision_maker(label: &str, s: &DmScore) -> DecisionMakerRow {
    DecisionMakerRow {
        label: label.to_owned(),
        calibration: figure(s.calibration, score_text),
        information_seeds: figure(s.information, information_text),
        combined: figure(s.combined, score_text),
    }
}

/// A target's wording, unit and scale in the report's language.
fn target_row(study: &Study, language: &Language, words: &CookeWords, id: &str, quantiles: Vec<Vec<Num>>) -> TargetRow {
    let text = |t: &delphi_core::study::Localised| t.get(language, study.default_language()).clone();
    let item = study.items.iter().find(|i| i.id.as_str() == id);
    let (unit, scale) = match item.map(|i| &i.response) {
        Some(ResponseKind::Quantile { unit, scale, .. }) => (unit.as_ref(), *scale),
        Some(
            ResponseKind::Ordinal { .. }
            | ResponseKind::Numeric { .. }
            | ResponseKind::Probability
            | ResponseKind::RankingOfDomains { .. }
            | ResponseKind::Text,
        )
        | None => (None, QuantityScale::Uniform),
    };
    TargetRow {
        id: id.to_owned(),
        seed: false,
        scale: match scale {
            QuantityScale::Uniform => Scale::Uniform,
            QuantityScale::Log => Scale::Log,
        },
        wording: item.map_or_else(|| id.to_owned(), |i| text(&i.prompt)),
        unit: unit.map(|u| words.unit.replace("{unit}", &text(u))),
        quantiles,
    }
}

fn round_section(study: &Study, language: &Language, words: &CookeWords, c: &CookeRound) -> CookeRoundSection {
    let m = &c.model;
    let few_seeds = m.seeds < FEW_SEEDS;
    let mut warnings = Vec::new();
    if few_seeds {
        warnings
            .push(words.few_seeds.replace("{seeds}", &words.seeds(m.seeds)).replace("{few}", &FEW_SEEDS.to_string()));
    }
    if c.experts_excluded > 0 {
        warnings.push(words.excluded.replace("{experts}", &words.experts(c.experts_excluded)));
    }
    let alpha = figure(m.alpha, score_text);
    let alpha_text = match alpha.value {
        Some(_) => words.alpha_optimised.replace("{alpha}", &alpha.text),
        None => words.alpha_undefined.clone(),
    };
    let items = c
        .target_items
        .iter()
        .zip(&m.targets)
        .map(|(id, t)| {
            let printed = |qs: &[Figure]| qs.iter().map(|&q| figure(q, value_text)).collect();
            target_row(study, language, words, id.as_str(), vec![printed(&t.performance), printed(&t.equal)])
        })
        .collect();
    CookeRoundSection {
        round: c.round,
        heading: words.round.replace("{round}", &c.round.to_string()),
        counts: words
            .counts
            .replace("{experts}", &words.experts(m.experts.len()))
            .replace("{seeds}", &words.seeds(m.seeds))
            .replace("{targets}", &words.targets(c.target_items.len())),
        seeds: m.seeds,
        few_seeds,
        experts_excluded: c.experts_excluded,
        warnings,
        alpha,
        alpha_text,
        quantiles: m.quantiles.iter().map(|q| format!("{q} %")).collect(),
        experts: m
            .experts
            .iter()
            .map(|e| ExpertScoreRow {
                name: e.expert.clone(),
                calibration: figure(e.calibration, score_text),
                information_seeds: figure(e.information, information_text),
                combined: figure(e.combined, score_text),
                weight: figure(e.weight, score_text),
                weighted: e.weight.value().is_some_and(|w| w > 0.0),
            })
            .collect(),
        decision_makers: vec![
            decision_maker(&words.performance, &m.performance_dm),
            decision_maker(&words.equal, &m.equal_dm),
        ],
        items,
    }
}

/// The section for the study's rounds with seed questions (`rounds`, from the summary), in
/// `language`; `None` when no round has any.
pub fn section(study: &Study, rounds: &[CookeRound], language: &Language) -> Option<CookeSection> {
    if rounds.is_empty() {
        return None;
    }
    let words = CookeWords::for_language(language.as_str());
    Some(CookeSection {
        heading: words.heading.clone(),
        reading: words.reading.to_vec(),
        rounds: rounds.iter().map(|c| round_section(study, language, &words, c)).collect(),
        labels: words,
    })
}

#[cfg(test)]
mod tests {
    use delphi_stats::cooke::{ClassicalModel, ExpertScore, TargetQuantiles};
    use delphi_stats::input::ItemId;

    use super::*;

    const SHIPPED: &str = include_str!("../../../surveys/ai-safety-cooperation.toml");

    /// A round whose model scored `experts` on `seeds` seeds (one expert carrying all the
    /// weight), `excluded` more left out, and the shipped study's forecast as its target.
    fn round(seeds: usize, experts: usize, excluded: usize) -> CookeRound {
        let score =
            DmScore { calibration: Figure::new(0.5), information: Figure::new(1.0), combined: Figure::new(0.5) };
        CookeRound {
            round: 1,
            seed_items: Vec::new(),
            target_items: vec![ItemId::new("years-to-first-agreement").unwrap()],
            experts_excluded: excluded,
            warnings: Vec::new(),
            model: ClassicalModel {
                seeds,
                experts: (0..experts)
                    .map(|k| ExpertScore {
                        expert: format!("p-{k}"),
                        calibration: Figure::new(0.5),
                        information: Figure::new(1.0),
                        combined: Figure::new(0.5),
                        weight: Figure::new(if k == 0 { 1.0 } else { 0.0 }),
                    })
                    .collect(),
                alpha: Figure::new(0.5),
                performance_dm: score,
                equal_dm: score,
                quantiles: vec![5, 50, 95],
                targets: vec![TargetQuantiles {
                    performance: vec![Figure::new(1.0), Figure::new(2.0), Figure::new(3.0)],
                    equal: vec![Figure::new(0.5), Figure::new(2.0), Figure::new(8.0)],
                }],
            },
        }
    }

    fn shown(seeds: usize, experts: usize, excluded: usize, language: &str) -> CookeRoundSection {
        let study = Study::from_toml(SHIPPED, "ai-safety-cooperation.toml").unwrap();
        let language = Language::parse(language).unwrap();
        section(&study, &[round(seeds, experts, excluded)], &language).unwrap().rounds.remove(0)
    }

    #[test]
    fn seven_seeds_warn_eight_do_not_and_only_experts_left_out_are_counted() {
        assert_eq!(shown(7, 5, 0, "en").warnings.len(), 1);
        assert!(shown(7, 5, 0, "en").warnings[0].starts_with("Only 7 seed questions: Cooke recommends about 10"));
        assert!(shown(8, 5, 0, "en").warnings.is_empty());
        assert_eq!(
            shown(8, 5, 2, "en").warnings,
            ["Left out of the model: 2 experts who answered no seed question (their answers to the targets are not \
              pooled here)."]
        );
        assert!(shown(1, 1, 1, "en").warnings[0].starts_with("Only 1 seed question:"));
        assert_eq!(shown(8, 1, 0, "en").counts, "1 expert scored on 8 seed questions; 1 target item.");
        assert_eq!(shown(2, 19, 1, "zh").counts, "19 位专家，按 2 道种子问题评分；1 道目标问题。");
        assert!(shown(2, 19, 1, "zh").warnings[1].starts_with("未纳入模型：1 位专家未回答任何种子问题"));
    }

    #[test]
    fn targets_carry_their_wording_unit_and_both_decision_makers_in_the_report_s_language() {
        let zh = shown(8, 3, 0, "zh");
        let target = &zh.items[0];
        assert!(target.wording.starts_with("从今天起，还需要多少年中美才会"), "{}", target.wording);
        assert_eq!(target.unit.as_deref(), Some("单位：年"));
        let printed: Vec<Vec<&str>> =
            target.quantiles.iter().map(|qs| qs.iter().map(|q| q.text.as_str()).collect()).collect();
        assert_eq!(printed, [["1", "2", "3"], ["0.5", "2", "8"]]);
        let makers: Vec<&str> = zh.decision_makers.iter().map(|d| d.label.as_str()).collect();
        assert_eq!(makers, ["绩效加权", "等权重"]);
        assert_eq!(zh.alpha.text, "0.500");
        assert_eq!(zh.experts.iter().filter(|e| e.weighted).count(), 1);
    }
}
