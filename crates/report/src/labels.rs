//! Headings and fixed words of the report, in English and Chinese. They travel inside the
//! report model, so the Typst template and the HTML and Markdown renderers hold no language.

use delphi_stats::synthesis::{Certainty, Placement};
use serde::Serialize;

/// The fixed words of a report in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
// Most of the ~170 fields are a heading or a column header whose English value (in `en`) says
// what it is for; a doc line each would restate the name. Fields with placeholders, or whose
// place in the report is not obvious, are documented.
#[allow(missing_docs)]
pub struct Labels {
    pub report: String,
    pub overview: String,
    pub response: String,
    pub round: String,
    pub invited: String,
    pub responded: String,
    pub rate: String,
    pub consensus_over_rounds: String,
    pub item: String,
    pub domain: String,
    pub criterion: String,
    pub ranking: String,
    pub kendall_w: String,
    pub p_value: String,
    pub mean_rank: String,
    pub benefit_risk: String,
    pub benefit_axis: String,
    pub risk_axis: String,
    pub placement: String,
    pub placements_over_rounds: String,
    pub certainty: String,
    pub agreement: String,
    pub quantiles: String,
    pub unit: String,
    pub numeric: String,
    pub seed: String,
    pub methods: String,
    pub consensus_definition_heading: String,
    /// The consensus rule when only the agree set counts.
    pub consensus_definition: Counted,
    /// The consensus rule when the box holding the median counts (the default).
    pub consensus_definition_median_box: Counted,
    pub quantile_method: String,
    pub dont_know_heading: String,
    pub dont_know_exclude: String,
    pub dont_know_count: String,
    pub stability_heading: String,
    pub stability_definition: String,
    pub stopping_heading: String,
    pub stop_min_rounds: Counted,
    pub stop_max_rounds: String,
    pub stop_consensus: String,
    pub stop_stable: String,
    pub stop_consensus_or_stable: String,
    pub rounds_reported: String,
    /// Right after the rounds reported (its own leading space, if any): the study's maximum, `{max}`.
    pub max_rounds: String,
    pub groups_heading: String,
    pub min_group_size: String,
    pub reliability: String,
    pub criteria: String,
    pub n: String,
    pub dont_know: String,
    pub median: String,
    pub iqr: String,
    pub quartiles: String,
    pub verdict: String,
    pub reason: String,
    pub distribution: String,
    pub distribution_note: String,
    pub stability: String,
    pub from_round: String,
    pub pairs: String,
    pub moved: String,
    pub iqr_change: String,
    pub groups: String,
    pub cross_group: String,
    pub suppressed: String,
    pub suppressed_note: String,
    pub synthesis: String,
    pub benefit: String,
    pub worst_risk: String,
    pub experts_placed: String,
    pub rationales: String,
    /// Rationales of experts who rated below the panel's median, `{median}`.
    pub rationales_below: String,
    /// Rationales of experts who rated at the panel's median, `{median}`.
    pub rationales_at: String,
    /// Rationales of experts who rated above the panel's median, `{median}`.
    pub rationales_above: String,
    pub no_rationales: String,
    pub none: String,
    pub met: String,
    pub not_met: String,
    pub undefined: String,
    /// A verdict on fewer valid answers than the consensus rule's minimum.
    pub too_few_answers: String,
    pub stable: String,
    pub not_stable: String,
    pub stable_heading: String,
    pub placement_reason: Counted,
    pub questions_heading: String,
    pub stability_reason: Counted,
    pub stability_no_pairs: String,
    pub placement_reason_undefined: String,
    pub promising: String,
    pub needs_safeguards: String,
    pub avoid: String,
    pub certainty_high: String,
    pub certainty_moderate: String,
    pub certainty_low: String,
    pub certainty_undefined: String,
    pub anonymity: String,
    pub cjk_font_missing: String,
    pub composition: String,
    /// Under the composition tables; `{n}` is the minimum group size.
    pub composition_note: Counted,
    pub rule_changed: String,
    pub institution: String,
    pub bloc: String,
    /// The row counting small groups together; `{k}` groups, each below `{n}`.
    pub smaller_groups: Counted,
    pub total: String,
    pub rounds_conducted: String,
    pub opened: String,
    pub deadline: String,
    pub closed: String,
    pub fed_back: String,
    pub not_recorded: String,
    /// A study file without a stopping rule; `{max}` is its maximum of rounds.
    pub stop_none: Counted,
    pub feedback_first_round: String,
    /// `{round}` fed back, but no item carried feedback.
    pub feedback_nothing: String,
    /// `{round}`, `{with}` of `{asked}` items, then `{parts}`.
    pub feedback_from: Counted,
    /// `{n}` items.
    pub feedback_items: Counted,
    /// What was shown, `{what}`, on how many items, `{items}`.
    pub feedback_part: String,
    pub feedback_distribution: String,
    pub feedback_median_quartiles: String,
    pub feedback_median: String,
    pub feedback_quartiles: String,
    pub feedback_own_answer: String,
    /// `{n}` rationales.
    pub feedback_rationales: Counted,
    /// From round 2 on, under the study's carry-over rule `confirm`.
    pub carried_over_confirm: String,
    /// From round 2 on, under the study's carry-over rule `reconfirm`.
    pub carried_over_reconfirm: String,
    pub list_separator: String,
    /// Under a group table; `{k}` groups were too small in every row and are left out.
    pub groups_hidden: Counted,
    /// Beside a rationale shown in translation; `{language}` is the original's.
    pub translated_from: String,
    /// Before the original under its translation; `{language}` is the original's.
    pub original: String,
    /// Beside a rationale in another language that has no translation.
    pub untranslated: String,
    /// Language names in this language, by code.
    #[serde(skip)]
    pub language_names: Vec<(String, String)>,
    /// After an IQR of probabilities: percentage points.
    pub percentage_points: String,
    /// Under the overview's tables of numbers: how pooled estimates and medians are rounded.
    pub precision_note: String,
    /// An answer form with its unit: `{answer}`, `{unit}`.
    pub answer_in_unit: String,
    pub answer_number: String,
    /// `{levels}`: `5/50/95 %`.
    pub answer_quantiles: String,
    pub answer_probability: String,
    pub answer_ranking: String,
    pub answer_text: String,
    /// Heading of the table of rating items outside the domains.
    pub other_ratings: String,
    /// The appendix holding each round's questionnaire.
    pub questionnaire_appendix: String,
    pub questionnaire_note: String,
    /// `{round}`: the round before.
    pub changes_since: String,
    /// Beside a question first asked in this round.
    pub change_new: String,
    /// Beside a question whose wording differs from the round before.
    pub change_reworded: String,
    /// Beside a question replacing an earlier one: `{item}`.
    pub change_continues: String,
    /// `{items}`: questions of the round before not asked any more.
    pub change_dropped: String,
    pub change_none: String,
    /// One changed question: `{item}`, `{change}`.
    pub change_item: String,
    /// The changed questions: `{list}` of [`Labels::change_item`]s.
    pub change_list: String,
    /// The appendix's heading over the questions outside the domains.
    pub other_questions: String,
    /// How to read Krippendorff's α, after its values in the methods.
    pub reliability_reading: String,
    /// A consensus verdict's reason: `{iqr} {iqr_cmp} {iqr_max}`, `{share}{within} {share_cmp} {share_min}`.
    pub reason_rule: String,
    /// The box judged under the median-box rule, a range (`{lo}–{hi}`) and a single point.
    pub reason_within_range: String,
    pub reason_within_point: String,
    /// Fewer valid answers than a consensus needs.
    pub reason_too_few: Counted,
    /// A median between two boxes of the scale.
    pub reason_between_boxes: String,
    /// The verdict across groups: groups left out as too small (`{suppressed}`, `{min}`).
    pub across_suppressed: String,
    pub across_no_group: String,
    pub across_undefined: String,
    pub across_not_overall: String,
    pub across_all: String,
    pub across_failing: String,
    pub across_list_separator: String,
    /// A group with consensus on another box than the panel's (`{name}`, `{group}`, `{panel}`).
    pub across_other_box: String,
    /// A group without consensus, and why (`{name}`, `{why}`).
    pub across_not_met: String,
    /// A box of the scale: a range, a point, none.
    pub box_range: String,
    pub box_point: String,
    pub box_none: String,
}

/// Words that hold a count, in each form the language needs: English says "1 item" and
/// "2 items"; Chinese has one form for every count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counted {
    /// For a count of one.
    pub one: String,
    /// For any other count.
    pub other: String,
}

impl Counted {
    fn new(one: &str, other: &str) -> Self {
        Self { one: one.to_owned(), other: other.to_owned() }
    }

    /// Words a language writes the same for every count.
    fn same(words: &str) -> Self {
        Self::new(words, words)
    }

    /// The form for `n`, its placeholders still to be filled.
    pub fn of(&self, n: impl Into<u64>) -> &str {
        if n.into() == 1 { &self.one } else { &self.other }
    }
}

fn s(x: &str) -> String {
    x.to_owned()
}

fn names(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(code, name)| (s(code), s(name))).collect()
}

impl Labels {
    /// Chinese for `zh`, `zh-…`; English otherwise.
    pub fn for_language(code: &str) -> Self {
        if delphi_core::study::is_chinese_code(code) { Self::zh() } else { Self::en() }
    }

    /// The name of the language `code` in these labels' language; the code when unknown.
    pub fn language_name<'a>(&'a self, code: &'a str) -> &'a str {
        let primary = code.split('-').next().unwrap_or(code);
        self.language_names.iter().find(|(c, _)| c == primary).map_or(code, |(_, name)| name.as_str())
    }

    /// A placement's name.
    pub fn placement(&self, p: Placement) -> &str {
        match p {
            Placement::Promising => &self.promising,
            Placement::NeedsSafeguards => &self.needs_safeguards,
            Placement::Avoid => &self.avoid,
        }
    }

    /// A certainty's name.
    pub fn certainty(&self, c: Certainty) -> &str {
        match c {
            Certainty::High => &self.certainty_high,
            Certainty::Moderate => &self.certainty_moderate,
            Certainty::Low => &self.certainty_low,
            _ => &self.certainty_undefined,
        }
    }

    /// English.
    pub fn en() -> Self {
        Self {
            report: s("Delphi report"),
            overview: s("Overview"),
            response: s("Response per round"),
            round: s("Round"),
            invited: s("Invited"),
            responded: s("Responded"),
            rate: s("Rate (%)"),
            consensus_over_rounds: s("Consensus over rounds"),
            item: s("Item"),
            domain: s("Domain"),
            criterion: s("Criterion"),
            ranking: s("Ranking of the domains"),
            kendall_w: s("Kendall's W"),
            p_value: s("p"),
            mean_rank: s("Mean rank"),
            benefit_risk: s("Benefit and worst risk of each domain"),
            benefit_axis: s("Benefit (normalised median)"),
            risk_axis: s("Worst risk (normalised median)"),
            placement: s("Placement"),
            placements_over_rounds: s("Placement over rounds"),
            certainty: s("Certainty"),
            agreement: s("Agreement (%)"),
            quantiles: s("Quantile items: pooled distribution (equal weights)"),
            unit: s("Unit"),
            numeric: s("Numeric items"),
            seed: s("calibration"),
            methods: s("Methods"),
            consensus_definition_heading: s("Consensus"),
            consensus_definition: Counted::new(
                "An ordinal item reaches consensus when its interquartile range is at most {iqr} scale points and at least {agreement} % of the answers lie in the scale's agree set. It needs at least {min} valid answer; with fewer, however they agree, the verdict is “too few answers”.",
                "An ordinal item reaches consensus when its interquartile range is at most {iqr} scale points and at least {agreement} % of the answers lie in the scale's agree set. It needs at least {min} valid answers; with fewer, however they agree, the verdict is “too few answers”.",
            ),
            consensus_definition_median_box: Counted::new(
                "An ordinal item reaches consensus when its interquartile range is at most {iqr} scale points and at least {agreement} % of the answers lie in the part of the scale that holds the median: the agree set, its mirror at the other end of the scale, or the points between. A panel united on a low rating has consensus too. It needs at least {min} valid answer; with fewer, however they agree, the verdict is “too few answers”.",
                "An ordinal item reaches consensus when its interquartile range is at most {iqr} scale points and at least {agreement} % of the answers lie in the part of the scale that holds the median: the agree set, its mirror at the other end of the scale, or the points between. A panel united on a low rating has consensus too. It needs at least {min} valid answers; with fewer, however they agree, the verdict is “too few answers”.",
            ),
            quantile_method: s("Quantile method"),
            dont_know_heading: s("\"Don't know\""),
            dont_know_exclude: s("\"Don't know\" answers are left out of the agreement's denominator."),
            dont_know_count: s("\"Don't know\" answers count in the agreement's denominator as not agreeing."),
            stability_heading: s("Stability"),
            stability_definition: s(
                "Answers are stable between two rounds when at most {change} % of the experts answering in both changed their answer.",
            ),
            stopping_heading: s("Stopping rule"),
            stop_min_rounds: Counted::new("At least {n} round;", "At least {n} rounds;"),
            stop_max_rounds: s("then every round up to the maximum is run."),
            stop_consensus: s("then stop once every ordinal item reached consensus."),
            stop_stable: s("then stop once answers are stable."),
            stop_consensus_or_stable: s("then stop once every item reached consensus or is stable."),
            rounds_reported: s("Rounds reported"),
            max_rounds: s(" (max. {max})"),
            groups_heading: s("Group comparison"),
            min_group_size: s("Minimum group size"),
            reliability: s("Krippendorff's alpha (ordinal)"),
            criteria: s("Criteria"),
            n: s("n"),
            dont_know: s("Don't know"),
            median: s("Median"),
            iqr: s("IQR"),
            quartiles: s("Q1–Q3"),
            verdict: s("Consensus"),
            reason: s("Reason"),
            distribution: s("Distribution of answers by round"),
            distribution_note: s(
                "Bars: answers per scale point and round; points in the agree set are marked (+) and drawn dark.",
            ),
            stability: s("Stability since the previous round"),
            from_round: s("From round"),
            pairs: s("Pairs"),
            moved: s("Moved"),
            iqr_change: s("IQR change"),
            groups: s("Groups"),
            cross_group: s("Cross-group consensus"),
            suppressed: s("suppressed"),
            suppressed_note: s("Groups with fewer valid answers than the minimum group size are suppressed."),
            synthesis: s("Benefit–risk synthesis"),
            benefit: s("Benefit"),
            worst_risk: s("Worst risk"),
            experts_placed: s("Experts placed"),
            translated_from: s("Translated from {language}"),
            original: s("Original ({language})"),
            untranslated: s("untranslated"),
            language_names: names(delphi_core::study::LANGUAGE_NAMES_EN),
            rationales: s("Rationales (anonymous)"),
            rationales_below: s("below the median ({median})"),
            rationales_at: s("at the median ({median})"),
            rationales_above: s("above the median ({median})"),
            no_rationales: s("No rationales in this round."),
            none: s("none"),
            met: s("consensus"),
            not_met: s("no consensus"),
            undefined: s("undefined"),
            too_few_answers: s("too few answers"),
            stable: s("stable"),
            not_stable: s("not stable"),
            stable_heading: s("Stable?"),
            placement_reason: Counted::new(
                "benefit median {benefit} ({b} of the scale) against the worst risk, {risk}, median {risk_median} ({r}); {agreed} of {total} criterion reached consensus",
                "benefit median {benefit} ({b} of the scale) against the worst risk, {risk}, median {risk_median} ({r}); {agreed} of {total} criteria reached consensus",
            ),
            placement_reason_undefined: s("not placed: a median is undefined or no risk was rated"),
            questions_heading: s("The questions, as the experts read them"),
            stability_reason: Counted::new(
                "{moved} of {pairs} expert answering both rounds changed their answer ({percent} %); stable means at most {max} %",
                "{moved} of {pairs} experts answering both rounds changed their answer ({percent} %); stable means at most {max} %",
            ),
            stability_no_pairs: s("no expert answered in both rounds"),
            promising: s("promising"),
            needs_safeguards: s("needs safeguards"),
            avoid: s("avoid"),
            certainty_high: s("high"),
            certainty_moderate: s("moderate"),
            certainty_low: s("low"),
            certainty_undefined: s("undefined"),
            anonymity: s(
                "Anonymous: no expert is named or otherwise identified. Figures are counts and group figures; Cooke's tables list experts by pseudonym only (p- followed by random letters and digits, never the panel's ids), as the data exports do; groups smaller than the minimum group size are not shown.",
            ),
            cjk_font_missing: s(
                "No CJK font was available: Chinese, Japanese and Korean characters may be missing from this PDF. The HTML and Markdown reports hold the full text.",
            ),
            composition: s("Panel composition"),
            rule_changed: s(
                "The consensus rule was edited after round {round} opened: `{setting}` was {before} and is now {after}. This report applies the new rule to every round.",
            ),
            composition_note: Counted::new(
                "Experts who answered / experts asked, per round. Groups with fewer than {n} expert are counted together, without their names.",
                "Experts who answered / experts asked, per round. Groups with fewer than {n} experts are counted together, without their names.",
            ),
            institution: s("Institution"),
            bloc: s("Bloc"),
            smaller_groups: Counted::new(
                "{k} smaller group (fewer than {n})",
                "{k} smaller groups (fewer than {n} each)",
            ),
            total: s("Total"),
            rounds_conducted: s("Rounds: dates and feedback"),
            opened: s("Opened"),
            deadline: s("Deadline"),
            closed: s("Closed"),
            fed_back: s("Fed back to the experts"),
            not_recorded: s("not recorded"),
            stop_none: Counted::new(
                "The study defines no stopping rule; it runs at most {max} round.",
                "The study defines no stopping rule; it runs at most {max} rounds.",
            ),
            feedback_first_round: s("Nothing (first round)."),
            feedback_nothing: s("Nothing from round {round}."),
            feedback_from: Counted::new(
                "From round {round}, on {with} of {asked} item: {parts}.",
                "From round {round}, on {with} of {asked} items: {parts}.",
            ),
            feedback_items: Counted::new("{n} item", "{n} items"),
            feedback_part: s("{what} ({items})"),
            feedback_distribution: s("the distribution of the group's answers"),
            feedback_median_quartiles: s("the group's median and quartiles"),
            feedback_median: s("the group's median"),
            feedback_quartiles: s("the group's quartiles"),
            feedback_own_answer: s("each expert's own previous answer, to them alone"),
            feedback_rationales: Counted::new("{n} anonymous rationale", "{n} anonymous rationales"),
            carried_over_confirm: s(
                "Each expert's form came filled in with their own latest answers, and an answer they left unchanged was carried over as confirmed.",
            ),
            carried_over_reconfirm: s(
                "Each expert saw their own latest answers beside the questions, but an answer counted only when they gave it again.",
            ),
            list_separator: s("; "),
            groups_hidden: Counted::new(
                "{k} group too small in every row is left out, unnamed.",
                "{k} groups too small in every row are left out, unnamed.",
            ),
            percentage_points: s("pp"),
            precision_note: s(
                "Pooled estimates, medians and quartiles of numbers are rounded to the second significant digit of their spread (the interquartile range, or the 5–95 % range of a pool); probabilities are shown as percentages, their IQR in percentage points (pp).",
            ),
            answer_in_unit: s("{answer}, in {unit}"),
            answer_number: s("a number"),
            answer_quantiles: s("quantiles {levels}"),
            answer_probability: s("a probability, as a percentage (0–100 %)"),
            answer_ranking: s("a ranking of the areas, best first"),
            answer_text: s("free text"),
            other_ratings: s("Other rated questions"),
            questionnaire_appendix: s("Appendix: the questionnaire of each round"),
            questionnaire_note: s(
                "Every question as the experts read it in each round, in this report's language, with what changed since the round before.",
            ),
            changes_since: s("Changes since round {round}:"),
            change_new: s("new in this round"),
            change_reworded: s("reworded"),
            change_continues: s("reworded: replaces {item}"),
            change_dropped: s("No longer asked: {items}."),
            change_none: s("No question was added, dropped or reworded."),
            change_item: s("{item} ({change})"),
            change_list: s("{list}."),
            other_questions: s("Other questions"),
            reliability_reading: s(
                "How to read α: 1 is perfect agreement and 0 agreement no better than chance; at least 0.8, the ratings are reliable; 0.667 to 0.8, tentative conclusions only; below 0.667, little agreement beyond chance (Krippendorff 2004). One α per rating scale.",
            ),
            reason_rule: s("IQR {iqr} {iqr_cmp} {iqr_max} and {share} %{within} {share_cmp} {share_min} %"),
            reason_within_range: s(" in {lo}–{hi}"),
            reason_within_point: s(" at {lo}"),
            reason_too_few: Counted::new(
                "{valid} valid answer, fewer than the {needed} a consensus needs",
                "{valid} valid answers, fewer than the {needed} a consensus needs",
            ),
            reason_between_boxes: s("the median {median} lies between two boxes of the scale"),
            across_suppressed: s(" ({suppressed} suppressed, fewer than {min} answers)"),
            across_no_group: s("no group large enough to show{note}"),
            across_undefined: s("consensus undefined overall or in a group{note}"),
            across_not_overall: s("no consensus overall ({why}){note}"),
            across_all: s("consensus overall and in all {shown} shown groups{note}"),
            across_failing: s("no consensus in {groups}{note}"),
            across_list_separator: s(", "),
            across_other_box: s("{name} (consensus {group}, the panel's {panel})"),
            across_not_met: s("{name} ({why})"),
            box_range: s("in {lo}–{hi}"),
            box_point: s("at {lo}"),
            box_none: s("undetermined"),
        }
    }

    /// Chinese (simplified).
    pub fn zh() -> Self {
        Self {
            report: s("德尔菲研究报告"),
            overview: s("概览"),
            response: s("各轮回复情况"),
            round: s("轮次"),
            invited: s("受邀人数"),
            responded: s("回复人数"),
            rate: s("回复率（%）"),
            consensus_over_rounds: s("各轮共识情况"),
            item: s("题目"),
            domain: s("领域"),
            criterion: s("标准"),
            ranking: s("领域排序"),
            kendall_w: s("肯德尔 W"),
            p_value: s("p"),
            mean_rank: s("平均排名"),
            benefit_risk: s("各领域的益处与最高风险"),
            benefit_axis: s("益处（标准化中位数）"),
            risk_axis: s("最高风险（标准化中位数）"),
            placement: s("定位"),
            placements_over_rounds: s("各轮定位"),
            certainty: s("确定程度"),
            agreement: s("一致比例（%）"),
            quantiles: s("分位数题目：等权合并分布"),
            unit: s("单位"),
            numeric: s("数值题目"),
            seed: s("校准题"),
            methods: s("方法"),
            consensus_definition_heading: s("共识"),
            consensus_definition: Counted::same(
                "当一个定序题目的四分位距不超过 {iqr} 个量表点，且至少 {agreement}% 的回答落在量表的同意区间内时，视为达成共识。至少需要 {min} 个有效回答；少于此数时，无论回答是否一致，结论均为“回答太少”。",
            ),
            consensus_definition_median_box: Counted::same(
                "当一个定序题目的四分位距不超过 {iqr} 个量表点，且至少 {agreement}% 的回答落在中位数所在的量表区间（同意区间、量表另一端与之对称的区间，或两者之间的点）内时，视为达成共识。专家一致给出低评分同样视为共识。至少需要 {min} 个有效回答；少于此数时，无论回答是否一致，结论均为“回答太少”。",
            ),
            quantile_method: s("分位数方法"),
            dont_know_heading: s("“不知道”"),
            dont_know_exclude: s("“不知道”的回答不计入一致比例的分母。"),
            dont_know_count: s("“不知道”的回答计入一致比例的分母，视为不同意。"),
            stability_heading: s("稳定性"),
            stability_definition: s("若两轮均作答的专家中修改答案者不超过 {change}%，则视为两轮之间答案稳定。"),
            stopping_heading: s("停止规则"),
            stop_min_rounds: Counted::same("至少进行 {n} 轮；"),
            stop_max_rounds: s("之后进行至最大轮数。"),
            stop_consensus: s("之后在所有定序题目达成共识时停止。"),
            stop_stable: s("之后在答案稳定时停止。"),
            stop_consensus_or_stable: s("之后在每个题目达成共识或稳定时停止。"),
            rounds_reported: s("报告的轮次"),
            max_rounds: s("（最多 {max} 轮）"),
            groups_heading: s("分组比较"),
            min_group_size: s("最小分组人数"),
            reliability: s("Krippendorff alpha（定序）"),
            criteria: s("标准"),
            n: s("n"),
            dont_know: s("不知道"),
            median: s("中位数"),
            iqr: s("四分位距"),
            quartiles: s("Q1–Q3"),
            verdict: s("共识"),
            reason: s("理由"),
            distribution: s("各轮回答分布"),
            distribution_note: s("条形表示各轮每个量表点的回答数；同意区间内的量表点标有 (+) 并以深色显示。"),
            stability: s("与上一轮相比的稳定性"),
            from_round: s("起始轮次"),
            pairs: s("配对数"),
            moved: s("改变数"),
            iqr_change: s("四分位距变化"),
            groups: s("分组"),
            cross_group: s("跨组共识"),
            suppressed: s("已隐去"),
            suppressed_note: s("有效回答少于最小分组人数的分组不予显示。"),
            synthesis: s("益处与风险综合"),
            benefit: s("益处"),
            worst_risk: s("最高风险"),
            experts_placed: s("参与定位的专家数"),
            translated_from: s("译自{language}"),
            original: s("原文（{language}）"),
            untranslated: s("未翻译"),
            language_names: names(delphi_core::study::LANGUAGE_NAMES_ZH),
            rationales: s("理由（匿名）"),
            rationales_below: s("低于中位数（{median}）"),
            rationales_at: s("等于中位数（{median}）"),
            rationales_above: s("高于中位数（{median}）"),
            no_rationales: s("本轮没有理由说明。"),
            none: s("无"),
            met: s("达成共识"),
            not_met: s("未达成共识"),
            undefined: s("无法判定"),
            too_few_answers: s("回答太少"),
            stable: s("稳定"),
            not_stable: s("不稳定"),
            stable_heading: s("是否稳定"),
            placement_reason: Counted::same(
                "收益中位数 {benefit}（量表的 {b}），最高风险 {risk} 的中位数 {risk_median}（{r}）；{total} 项标准中 {agreed} 项达成共识",
            ),
            placement_reason_undefined: s("未定位：有中位数无法判定，或没有风险评分"),
            questions_heading: s("专家所见的问题"),
            stability_reason: Counted::same(
                "两轮均作答的 {pairs} 位专家中有 {moved} 位修改了回答（{percent}%）；不超过 {max}% 即为稳定",
            ),
            stability_no_pairs: s("没有专家在两轮都作答"),
            promising: s("有前景"),
            needs_safeguards: s("需要保障措施"),
            avoid: s("应避免"),
            certainty_high: s("高"),
            certainty_moderate: s("中"),
            certainty_low: s("低"),
            certainty_undefined: s("无法判定"),
            anonymity: s(
                "匿名：报告不列出任何专家的姓名或其他身份信息。统计数字均为人数和分组统计；Cooke 经典模型的表格只以化名（p- 加随机字母和数字，从不使用专家名单中的编号）列出专家，与数据导出文件相同；人数少于最小分组人数的分组不予显示。",
            ),
            cjk_font_missing: s(
                "No CJK font was available: Chinese, Japanese and Korean characters may be missing from this PDF. The HTML and Markdown reports hold the full text.",
            ),
            composition: s("专家组构成"),
            rule_changed: s(
                "第 {round} 轮开启后，共识规则被修改：`{setting}` 原为 {before}，现为 {after}。本报告对所有轮次均采用新规则。",
            ),
            composition_note: Counted::same("各轮作答人数 / 受邀人数。人数少于 {n} 人的分组合并计数，不列出名称。"),
            institution: s("机构"),
            bloc: s("阵营"),
            smaller_groups: Counted::same("{k} 个较小分组（各少于 {n} 人）"),
            total: s("合计"),
            rounds_conducted: s("轮次：日期与反馈"),
            opened: s("开始"),
            deadline: s("截止"),
            closed: s("结束"),
            fed_back: s("反馈给专家的内容"),
            not_recorded: s("未记录"),
            stop_none: Counted::same("本研究未规定停止规则；最多进行 {max} 轮。"),
            feedback_first_round: s("无（第一轮）。"),
            feedback_nothing: s("未反馈第 {round} 轮的内容。"),
            feedback_from: Counted::same("第 {round} 轮的结果，涉及 {asked} 个题目中的 {with} 个：{parts}。"),
            feedback_items: Counted::same("{n} 个题目"),
            feedback_part: s("{what}（{items}）"),
            feedback_distribution: s("小组回答的分布"),
            feedback_median_quartiles: s("小组的中位数和四分位数"),
            feedback_median: s("小组的中位数"),
            feedback_quartiles: s("小组的四分位数"),
            feedback_own_answer: s("专家本人上一轮的回答，仅本人可见"),
            feedback_rationales: Counted::same("{n} 条匿名理由"),
            carried_over_confirm: s("每位专家的问卷已预先填入其本人最近的回答；未作修改的回答视为确认并沿用。"),
            carried_over_reconfirm: s("每位专家可在题目旁看到其本人最近的回答，但只有再次作答的回答才计入。"),
            list_separator: s("；"),
            groups_hidden: Counted::same("另有 {k} 个分组在每一行都人数不足，未予列出，也不列出名称。"),
            percentage_points: s("个百分点"),
            precision_note: s(
                "数值的汇总估计、中位数和四分位数按其离散程度（四分位距，或汇总分布的 5–95% 区间）的第二位有效数字取整；概率以百分比显示，其四分位距以百分点表示。",
            ),
            answer_in_unit: s("{answer}，单位：{unit}"),
            answer_number: s("数值"),
            answer_quantiles: s("分位数 {levels}"),
            answer_probability: s("概率，以百分比填写（0–100%）"),
            answer_ranking: s("对各领域排序，最优者在前"),
            answer_text: s("自由文本"),
            other_ratings: s("其他评分题目"),
            questionnaire_appendix: s("附录：各轮问卷"),
            questionnaire_note: s("各轮中专家所见的全部问题（以本报告的语言列出），以及相对上一轮的变化。"),
            changes_since: s("相对第 {round} 轮的变化："),
            change_new: s("本轮新增"),
            change_reworded: s("措辞已修改"),
            change_continues: s("措辞已修改：替代 {item}"),
            change_dropped: s("不再提问：{items}。"),
            change_none: s("未增加、删除或修改任何问题。"),
            change_item: s("{item}（{change}）"),
            change_list: s("{list}。"),
            other_questions: s("其他问题"),
            reliability_reading: s(
                "α 的解读：1 表示完全一致，0 表示一致程度不超过偶然；不低于 0.8 表示评分可靠；0.667 至 0.8 之间只能得出初步结论；低于 0.667 表示超出偶然的一致程度很低（Krippendorff 2004）。每个评分量表各有一个 α。",
            ),
            reason_rule: s("四分位距 {iqr} {iqr_cmp} {iqr_max}；{within}回答占比 {share}% {share_cmp} {share_min}%"),
            reason_within_range: s("{lo}–{hi} 分的"),
            reason_within_point: s("{lo} 分的"),
            reason_too_few: Counted::same("有效回答 {valid} 个，少于达成共识所需的 {needed} 个"),
            reason_between_boxes: s("中位数 {median} 落在量表两个区间之间"),
            across_suppressed: s("（另有 {suppressed} 个分组回答少于 {min} 个，未列出）"),
            across_no_group: s("没有回答足够多、可以列出的分组{note}"),
            across_undefined: s("总体或某一分组的共识无法判定{note}"),
            across_not_overall: s("总体未达成共识（{why}）{note}"),
            across_all: s("总体及全部 {shown} 个分组均达成共识{note}"),
            across_failing: s("以下分组未达成共识：{groups}{note}"),
            across_list_separator: s("；"),
            across_other_box: s("{name}（共识位于 {group}，全体专家的共识位于 {panel}）"),
            across_not_met: s("{name}（{why}）"),
            box_range: s("{lo}–{hi} 分"),
            box_point: s("{lo} 分"),
            box_none: s("无法确定"),
        }
    }
}
