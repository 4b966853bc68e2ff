//! The report's part for the reporting guidelines of Delphi studies: DELPHISTAR (Niederberger et
//! al. 2024, 38 items) and ACCORD (Gattrell et al. 2024). It states what the tool knows and
//! the report says nowhere else — a flow diagram of the panel per round, attrition and its
//! test, whether and when the stopping rule was met, the items added, dropped and reworded,
//! reminders, languages, how anonymity was kept — prints the coordinator's `[reporting]`
//! notes, and lists every guideline item with the place that answers it (the template looks
//! up the page) or "to be written by the coordinator".
//!
//! Everything is worded here, in the report's language; the template only lays it out.

use std::collections::BTreeMap;

use delphi_core::Study;
use delphi_core::study::{Language, Localised, PanelAttribute, ResponseKind, StopWhen};
use delphi_stats::StudySummary;
use delphi_stats::item::Outcome;
use delphi_stats::ranktests::TestMethod;
use delphi_stats::summarise::ItemResult;
use serde::Serialize;

use crate::labels::Labels;
use crate::model::{Composition, CompositionRowKind, Conduct, Methods, Num, Overview, RoundConduct, fmt_number};

/// The guidelines part of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guidelines {
    /// Headings and fixed words.
    pub words: Words,
    /// The coordinator's notes, each present or marked to be written.
    pub notes: Vec<Entry>,
    /// Participants per round, per bloc.
    pub flow: Flow,
    /// What the tool knows, one entry per topic.
    pub facts: Vec<Entry>,
    /// Every guideline item, DELPHISTAR then ACCORD.
    pub checklists: Vec<Checklist>,
}

/// One topic of the part: a heading, its text, and optionally a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// The key the checklist points at (the template finds the page by it).
    pub anchor: &'static str,
    /// Heading.
    pub title: String,
    /// Text; for a missing note, the words "to be written by the coordinator".
    pub text: String,
    /// Whether the text is there (notes can be missing; facts never are).
    pub written: bool,
    /// A table under the text, first row the header.
    pub table: Vec<Vec<String>>,
}

/// The flow of participants: per round the panel asked, the experts who answered and those
/// who did not, in total and per bloc (blocs below the minimum group size counted together).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flow {
    /// Per round.
    pub rounds: Vec<FlowRound>,
    /// What the boxes count.
    pub note: String,
}

/// One round of the flow diagram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowRound {
    /// Round.
    pub round: u32,
    /// The whole panel.
    pub total: FlowCount,
    /// Per bloc (named blocs, then the smaller ones together).
    pub blocs: Vec<FlowCount>,
}

/// Experts asked, answering and not answering in one round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowCount {
    /// The bloc, the words for the smaller blocs, or "total".
    pub group: String,
    /// Asked.
    pub invited: u32,
    /// Answered.
    pub answered: u32,
    /// Asked and did not answer.
    pub dropped: u32,
}

/// One guideline's items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checklist {
    /// The guideline and its reference.
    pub title: String,
    /// Items in the guideline's order.
    pub items: Vec<ChecklistItem>,
}

/// One guideline item and where the report answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistItem {
    /// The item's number in the guideline (`14`, `M12`).
    pub id: &'static str,
    /// Its topic, paraphrased.
    pub topic: &'static str,
    /// The entry that answers it; `None`: to be written by the coordinator.
    pub anchor: Option<&'static str>,
    /// The tool gives the facts, the coordinator adds the reasons.
    pub reasons_by_coordinator: bool,
}

/// What answers a guideline item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// An entry the tool always writes.
    Fact(Fact),
    /// A `[reporting]` note: answered if the study file has it.
    Note(Note),
    /// A fact the tool writes; the reasons are the coordinator's.
    Partly(Fact),
    /// Only the coordinator can write it.
    Coordinator,
}

/// The topics the tool writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fact {
    Aim,
    Flow,
    Variant,
    StoppingRule,
    WhoIsAsked,
    Invitations,
    Questionnaire,
    Rounds,
    Feedback,
    Statistics,
    Revisions,
    Consensus,
    Weighting,
    Response,
    AgreementPerRound,
    Findings,
    Attrition,
    Languages,
    Anonymity,
    Dates,
    Changes,
}

impl Fact {
    fn anchor(self) -> &'static str {
        match self {
            Self::Aim => "fact-aim",
            Self::Flow => "fact-flow",
            Self::Variant => "fact-variant",
            Self::StoppingRule => "fact-stopping",
            Self::WhoIsAsked => "fact-who-is-asked",
            Self::Invitations => "fact-invitations",
            Self::Questionnaire => "fact-questionnaire",
            Self::Rounds => "fact-rounds",
            Self::Feedback => "fact-feedback",
            Self::Statistics => "fact-statistics",
            Self::Revisions => "fact-revisions",
            Self::Consensus => "fact-consensus",
            Self::Weighting => "fact-weighting",
            Self::Response => "fact-response",
            Self::AgreementPerRound => "fact-agreement",
            Self::Findings => "fact-findings",
            Self::Attrition => "fact-attrition",
            Self::Languages => "fact-languages",
            Self::Anonymity => "fact-anonymity",
            Self::Dates => "fact-dates",
            Self::Changes => "fact-changes",
        }
    }
}

/// The coordinator's `[reporting]` notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Note {
    Team,
    ExpertDefinition,
    ExpertSelection,
    Ethics,
    Funding,
    ConflictsOfInterest,
    Limitations,
}

impl Note {
    const ALL: [Self; 7] = [
        Self::Team,
        Self::ExpertDefinition,
        Self::ExpertSelection,
        Self::Ethics,
        Self::Funding,
        Self::ConflictsOfInterest,
        Self::Limitations,
    ];

    fn anchor(self) -> &'static str {
        match self {
            Self::Team => "note-team",
            Self::ExpertDefinition => "note-expert-definition",
            Self::ExpertSelection => "note-expert-selection",
            Self::Ethics => "note-ethics",
            Self::Funding => "note-funding",
            Self::ConflictsOfInterest => "note-conflicts-of-interest",
            Self::Limitations => "note-limitations",
        }
    }

    fn of(self, study: &Study) -> Option<&Localised> {
        let n = &study.reporting;
        match self {
            Self::Team => n.team.as_ref(),
            Self::ExpertDefinition => n.expert_definition.as_ref(),
            Self::ExpertSelection => n.expert_selection.as_ref(),
            Self::Ethics => n.ethics.as_ref(),
            Self::Funding => n.funding.as_ref(),
            Self::ConflictsOfInterest => n.conflicts_of_interest.as_ref(),
            Self::Limitations => n.limitations.as_ref(),
        }
    }

    fn title(self, w: &Words) -> &'static str {
        match self {
            Self::Team => w.note_team,
            Self::ExpertDefinition => w.note_expert_definition,
            Self::ExpertSelection => w.note_expert_selection,
            Self::Ethics => w.note_ethics,
            Self::Funding => w.note_funding,
            Self::ConflictsOfInterest => w.note_conflicts,
            Self::Limitations => w.note_limitations,
        }
    }
}

/// A guideline item: number, topic in English and Chinese, and what answers it.
struct Item(&'static str, &'static str, &'static str, Source);

use Fact as F;
use Source::{Coordinator as C, Fact as A, Note as N, Partly as P};

/// DELPHISTAR's 38 items, paraphrased as `reporting-guidelines.md` does.
const DELPHISTAR: [Item; 38] = [
    Item("1", "Title names it a Delphi study", "标题注明为德尔菲研究", C),
    Item("2", "Abstract says why Delphi was chosen", "摘要说明为何选择德尔菲法", C),
    Item("3", "Structured abstract", "结构化摘要", C),
    Item("4", "Funding", "资助", N(Note::Funding)),
    Item("5", "Research team and its disciplines", "研究团队及其学科", N(Note::Team)),
    Item("6", "Methodological consulting", "方法学咨询", C),
    Item("7", "Embedding in a larger study", "与更大研究的关系", C),
    Item("8", "Protocol available at a link", "可在线获取的研究方案", C),
    Item("9", "Why Delphi suits the question", "德尔菲法为何适合本问题", C),
    Item("10", "Aim of the study", "研究目的", P(F::Aim)),
    Item("11", "Expert groups represented, and why", "代表的专家群体及原因", P(F::Flow)),
    Item("12", "How missing expert groups are handled", "如何处理缺失的专家群体", C),
    Item("13", "Definition of \"expert\"", "“专家”的定义", N(Note::ExpertDefinition)),
    Item("14", "Delphi variant", "德尔菲法的类型", A(F::Variant)),
    Item("15", "Decision rules set in advance", "事先规定的决策规则", A(F::StoppingRule)),
    Item("16", "Who is invited to each round", "每轮邀请哪些专家", A(F::WhoIsAsked)),
    Item("17", "How the experts were identified", "如何确定专家", N(Note::ExpertSelection)),
    Item("18", "How experts were informed and invited", "如何告知和邀请专家", A(F::Invitations)),
    Item("19", "Basis of the questionnaire", "问卷的依据", C),
    Item("20", "Questionnaire structure, items and free-text boxes", "问卷结构、题目与自由文本框", A(F::Questionnaire)),
    Item("21", "Number of rounds", "轮数", A(F::Rounds)),
    Item("22", "Aim of each round", "每轮的目的", C),
    Item("23", "Maximum number of rounds fixed in advance", "事先确定的最大轮数", A(F::Rounds)),
    Item("24", "Feedback given", "提供的反馈", A(F::Feedback)),
    Item("25", "Statistics reported", "报告的统计量", A(F::Statistics)),
    Item("26", "Feedback over all groups or per group", "反馈按全体还是按群体汇总", A(F::Feedback)),
    Item("27", "Dissent items presented again", "未达共识的题目是否再次提出", A(F::Revisions)),
    Item("28", "Analysis: quantitative, and of free text", "分析方法：定量与自由文本", P(F::Statistics)),
    Item("29", "Definition of consensus", "共识的定义", A(F::Consensus)),
    Item("30", "Weighting of groups in the analysis", "分析中各群体的权重", A(F::Weighting)),
    Item("31", "Flow chart of the study", "研究流程图", A(F::Flow)),
    Item("32", "Outside events that may have influenced answers", "可能影响回答的外部事件", C),
    Item("33", "Participants and response rate per round", "每轮参与人数与应答率", A(F::Response)),
    Item("34", "Agreement per round", "每轮的一致程度", A(F::AgreementPerRound)),
    Item("35", "Central findings", "主要结果", P(F::Findings)),
    Item("36", "Transferability and limits", "可推广性与局限", N(Note::Limitations)),
    Item("37", "Free text coded by two reviewers", "自由文本由两名评审独立编码", C),
    Item("38", "Reflection on panel composition", "对专家组构成的反思", P(F::Attrition)),
];

/// The ACCORD items `reporting-guidelines.md` lists, in the guideline's order; topics given
/// only for the items it paraphrases.
const ACCORD: [Item; 31] = [
    Item("I1", "Introduction (see the checklist)", "引言（见清单原文）", C),
    Item("I2", "Introduction (see the checklist)", "引言（见清单原文）", C),
    Item("I3", "Introduction (see the checklist)", "引言（见清单原文）", C),
    Item("M1", "Methods (see the checklist)", "方法（见清单原文）", C),
    Item("M2", "Methods (see the checklist)", "方法（见清单原文）", C),
    Item("M3", "Methods (see the checklist)", "方法（见清单原文）", C),
    Item("M4", "Methods (see the checklist)", "方法（见清单原文）", C),
    Item("M5", "Methods (see the checklist)", "方法（见清单原文）", C),
    Item("M6", "Methods (see the checklist)", "方法（见清单原文）", C),
    Item("M7", "Methods (see the checklist)", "方法（见清单原文）", C),
    Item("M8", "Methods (see the checklist)", "方法（见清单原文）", C),
    Item("M10", "The questionnaire as supplementary material", "问卷作为补充材料", A(F::Questionnaire)),
    Item("M11", "The steps of the process", "流程的各个步骤", A(F::Flow)),
    Item("M12", "Definition of consensus", "共识的定义", A(F::Consensus)),
    Item(
        "M13",
        "Whether items with consensus went on to later rounds",
        "已达共识的题目是否进入后续轮次",
        A(F::Revisions),
    ),
    Item("M14", "How responses were collected", "如何收集回答", A(F::Invitations)),
    Item("M17", "Feedback: quantitative or qualitative, anonymised", "反馈：定量或定性，是否匿名", A(F::Feedback)),
    Item("M18", "How anonymity was kept", "如何保持匿名", A(F::Anonymity)),
    Item("M19", "Whether the steering committee voted", "指导委员会是否参与投票", C),
    Item("M20", "Reminders sent", "发送的提醒", A(F::Invitations)),
    Item("M21", "Languages, and whether translations were available", "语言及是否提供翻译", A(F::Languages)),
    Item("R1", "When each step started and how long it took", "各步骤的开始时间与时长", A(F::Dates)),
    Item("R2", "Changes along the way", "过程中的变化", A(F::Changes)),
    Item("R3", "Panellists, response rate and make-up per step", "每步的专家人数、应答率和构成", A(F::Response)),
    Item("R4", "The final outcome", "最终结果", A(F::Findings)),
    Item("R5", "Items changed or removed, when and why", "修改或删除的题目、时间及原因", P(F::Revisions)),
    Item("O1", "Endorsers", "认可机构", C),
    Item("O2", "Conflicts of interest", "利益冲突", N(Note::ConflictsOfInterest)),
    Item("O3", "The funder's role", "资助方的作用", N(Note::Funding)),
    Item("D1", "Discussion (see the checklist)", "讨论（见清单原文）", C),
    Item("D2", "Discussion (see the checklist)", "讨论（见清单原文）", C),
];

/// Fixed words of the part in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Words {
    /// Title of the part.
    pub heading: &'static str,
    /// What the guidelines ask of a report and how this part answers it.
    pub intro: &'static str,
    /// Heading above the coordinator's notes.
    pub study_information: &'static str,
    /// Stands in for a note not written yet, and for checklist items only the coordinator answers.
    pub to_be_written: &'static str,
    /// Heading above what the tool recorded as the study ran.
    pub facts_heading: &'static str,
    /// Title of the entry holding the flow diagram.
    pub flow_heading: &'static str,
    /// Before a round's number, above its column of the flow diagram.
    pub round: &'static str,
    /// Box of the flow diagram counting those invited.
    pub invited: &'static str,
    /// Box of the flow diagram counting those who answered.
    pub answered: &'static str,
    /// Box of the flow diagram counting those who did not answer.
    pub dropped: &'static str,
    /// Name of the whole panel where the flow counts per bloc.
    pub total: &'static str,
    /// Title of the checklist appendix.
    pub checklist_heading: &'static str,
    /// How to read the checklist: items paraphrased, each with the page answering it.
    pub checklist_intro: &'static str,
    /// Column header of a guideline item's number.
    pub item: &'static str,
    /// Column header of what a guideline item asks.
    pub topic: &'static str,
    /// Column header of the page that answers an item.
    pub answered_at: &'static str,
    /// A page reference in the checklist (`{n}` the page).
    pub page: &'static str,
    /// Added to a page reference whose reasons only the coordinator can give.
    pub reasons_by_coordinator: &'static str,
    note_team: &'static str,
    note_expert_definition: &'static str,
    note_expert_selection: &'static str,
    note_ethics: &'static str,
    note_funding: &'static str,
    note_conflicts: &'static str,
    note_limitations: &'static str,
    flow_note: &'static str,
    list_separator: &'static str,
    gap: &'static str,
    comma: &'static str,
    stop: &'static str,
    kind_count: &'static str,
    feedback_round: &'static str,
    // facts: titles and texts; {placeholders} are filled in here
    aim: &'static str,
    aim_from_description: &'static str,
    variant: &'static str,
    variant_text: &'static str,
    stopping: &'static str,
    stopping_met: &'static str,
    stopping_not_met: &'static str,
    stopping_none: &'static str,
    who_is_asked: &'static str,
    who_is_asked_text: &'static str,
    invitations: &'static str,
    invitations_text: &'static str,
    reminders_in_round: &'static str,
    reminders_sent: &'static str,
    questionnaire: &'static str,
    questionnaire_text: &'static str,
    questionnaire_round: &'static str,
    kind_ordinal: &'static str,
    kind_numeric: &'static str,
    kind_quantile: &'static str,
    kind_probability: &'static str,
    kind_ranking: &'static str,
    kind_text: &'static str,
    rounds: &'static str,
    rounds_text: &'static str,
    feedback: &'static str,
    feedback_aggregation: &'static str,
    statistics: &'static str,
    statistics_text: &'static str,
    revisions: &'static str,
    revisions_none: &'static str,
    revision_dropped: &'static str,
    revision_added: &'static str,
    revision_continues: &'static str,
    consensus_items_asked_again: &'static str,
    consensus: &'static str,
    weighting: &'static str,
    weighting_text: &'static str,
    response: &'static str,
    response_round: &'static str,
    agreement: &'static str,
    agreement_round: &'static str,
    findings: &'static str,
    findings_text: &'static str,
    findings_none: &'static str,
    attrition: &'static str,
    attrition_text: &'static str,
    attrition_none: &'static str,
    attrition_header: [&'static str; 6],
    attrition_differs: &'static str,
    attrition_same: &'static str,
    attrition_untestable: &'static str,
    method_exact: &'static str,
    method_normal: &'static str,
    languages: &'static str,
    languages_text: &'static str,
    anonymity: &'static str,
    anonymity_text: &'static str,
    dates: &'static str,
    dates_round: &'static str,
    days_open: &'static str,
    changes: &'static str,
    changes_none: &'static str,
    change_panel: &'static str,
    change_rule: &'static str,
}

impl Words {
    /// The words in `language` (`zh…` Chinese, anything else English).
    pub fn for_language(language: &str) -> Self {
        if delphi_core::study::is_chinese_code(language) { Self::zh() } else { Self::en() }
    }

    /// English.
    pub fn en() -> Self {
        Self {
            heading: "Reporting guidelines: DELPHISTAR and ACCORD",
            intro: "What the reporting guidelines for Delphi and consensus studies ask of a report: first the study information only the coordinator can give, then what the tool recorded as the study ran, and in the appendix every item of DELPHISTAR (Niederberger et al., PLOS One 2024) and of ACCORD (Gattrell et al., PLoS Med 2024) with the page that answers it.",
            study_information: "Study information",
            to_be_written: "To be written by the coordinator.",
            facts_heading: "How the study ran",
            flow_heading: "Flow of participants",
            round: "Round",
            invited: "Invited",
            answered: "Answered",
            dropped: "Did not answer",
            total: "Panel",
            checklist_heading: "Appendix: reporting checklist",
            checklist_intro: "Each item of the two guidelines, paraphrased, with the page of this report that answers it. Items marked “to be written by the coordinator” need text only the coordinator can give.",
            item: "Item",
            topic: "Topic",
            answered_at: "Answered",
            page: "page {n}",
            reasons_by_coordinator: "; the reasons: to be written by the coordinator",
            note_team: "Research team and disciplines",
            note_expert_definition: "Who counts as an expert",
            note_expert_selection: "How the experts were identified and selected",
            note_ethics: "Ethics approval",
            note_funding: "Funding and the funder's role",
            note_conflicts: "Conflicts of interest",
            note_limitations: "Limitations and transferability",
            flow_note: "Per round: experts invited, experts who answered at least one item, and experts invited who did not answer, for the whole panel and per bloc. Blocs with fewer than {n} members are counted together, unnamed.",
            list_separator: "; ",
            gap: " ",
            comma: ", ",
            stop: ".",
            kind_count: "{name}: {n}",
            feedback_round: "Round {round}: {text}",
            aim: "Aim",
            aim_from_description: "As the experts were told (the study file's `[reporting] aim` would state it for readers): {text}",
            variant: "Delphi variant",
            variant_text: "A classic Delphi in rounds: each round's questionnaire is open for a fixed time, experts answer on the web form or by replying to the invitation email, and from the second round on the questionnaire feeds back the panel's answers to the round before. At most {max} rounds.",
            stopping: "Decision rules and stopping",
            stopping_met: "The stopping rule was met in round {round}.",
            stopping_not_met: "The stopping rule was not met in the rounds reported ({rounds}).",
            stopping_none: "No stopping rule was set in advance; the study runs at most {max} rounds.",
            who_is_asked: "Who is asked in each round",
            who_is_asked_text: "Every active member of the panel is invited to every round, whether or not they answered the round before. Experts who withdrew are asked nothing more.",
            invitations: "Invitations, collection and reminders",
            invitations_text: "Each expert received an email invitation with a personal link to the web form; they could answer on the form or by replying to the email. Reminders went to those who had not answered.",
            reminders_in_round: "round {round}: {n}",
            reminders_sent: "Reminders sent: {list}.",
            questionnaire: "Questionnaire",
            questionnaire_text: "Standardised items, each with its scale or answer format; ratings of the areas can carry a free-text rationale. The questionnaire of each round is frozen in the store as sent and can be printed with `delphi round show`.",
            questionnaire_round: "Round {round}: {items} items ({kinds})",
            kind_ordinal: "ratings on labelled scales",
            kind_numeric: "numbers",
            kind_quantile: "quantile estimates",
            kind_probability: "probabilities",
            kind_ranking: "rankings",
            kind_text: "free text",
            rounds: "Rounds",
            rounds_text: "{n} rounds reported ({rounds}); the maximum set in advance was {max}.",
            feedback: "Feedback to the experts",
            feedback_aggregation: "Feedback showed figures of the whole panel, not per group, and rationales without their authors.",
            statistics: "Statistics and analysis",
            statistics_text: "Per item: the number of valid and \"don't know\" answers, median, quartiles ({method}), interquartile range and the share in the scale's agree set; Kendall's W for rankings; Krippendorff's α per round; between rounds, Wilcoxon's signed-rank and McNemar's tests and the share of experts who changed; Mann–Whitney U for drop-outs; between groups, Mann–Whitney U or Kruskal–Wallis H. The free-text answers were not coded by the tool.",
            revisions: "Items added, dropped or reworded",
            revisions_none: "No item was added, dropped or reworded in the rounds reported.",
            revision_dropped: "From round {round}, no longer asked: {items}.",
            revision_added: "New in round {round}: {items}.",
            revision_continues: "Reworded in round {round}: {item} continues {earlier}.",
            consensus_items_asked_again: "Every other item, with or without consensus, was asked again in each round.",
            consensus: "Definition of consensus",
            weighting: "Weighting",
            weighting_text: "Every expert's answer weighs the same; groups are not weighted. Pooled quantile estimates use equal weights.",
            response: "Participants and response rate",
            response_round: "Round {round}: {answered} of {invited} experts answered ({rate} %).",
            agreement: "Agreement per round",
            agreement_round: "Round {round}: {met} of {items} rated items reached consensus.",
            findings: "Final outcome",
            findings_text: "In round {round}, consensus was reached on: {items}.",
            findings_none: "In round {round}, no rated item reached consensus.",
            attrition: "Attrition and its test",
            attrition_text: "A drop-out answered an item in one round and not in the next. Their earlier answers are compared with those of the experts who stayed (Mann–Whitney U, two-sided).",
            attrition_none: "No expert dropped out of any item between the rounds reported.",
            attrition_header: ["Item", "Rounds", "Dropped", "Stayed", "p (method)", "Reading"],
            attrition_differs: "the drop-outs had answered differently (p < 0.05)",
            attrition_same: "no significant difference",
            attrition_untestable: "not testable",
            method_exact: "exact",
            method_normal: "normal approx.",
            languages: "Languages",
            languages_text: "The study ran in {languages}: each expert received the questionnaire and letters in their language. Rationales written in another language are shown with their translation where one was made, and marked when untranslated.",
            anonymity: "How anonymity was kept",
            anonymity_text: "Experts are identified in the exports only by pseudonyms (p- followed by random letters and digits), never by the panel's ids; no name or email appears in any report or feedback. Groups smaller than {n} are never shown by name and are counted together. Rationales are shown without their authors, to the experts and in this report.",
            dates: "Dates",
            dates_round: "Round {round}: opened {opened}, deadline {deadline}, closed {closed}.",
            days_open: "It was open for {days} days.",
            changes: "Changes along the way",
            changes_none: "No change to the panel or to the rules was recorded.",
            change_panel: "Panel invited: {counts}.",
            change_rule: "The consensus rule's `{setting}` was {before} when round {round} opened, and is now {after}; every round is judged by the current rule.",
        }
    }

    /// Chinese.
    pub fn zh() -> Self {
        Self {
            heading: "报告规范：DELPHISTAR 与 ACCORD",
            intro: "德尔菲和共识研究的报告规范对报告的要求：先是只有协调人能提供的研究信息，然后是工具在研究过程中记录的内容，附录列出 DELPHISTAR（Niederberger 等，PLOS One 2024）和 ACCORD（Gattrell 等，PLoS Med 2024）的每一项及回答该项的页码。",
            study_information: "研究信息",
            to_be_written: "待协调人撰写。",
            facts_heading: "研究的实施",
            flow_heading: "参与者流程",
            round: "轮次",
            invited: "受邀",
            answered: "已回答",
            dropped: "未回答",
            total: "专家组",
            checklist_heading: "附录：报告清单",
            checklist_intro: "两项规范的每一项（意译），以及本报告中回答该项的页码。标为“待协调人撰写”的项目需要只有协调人能提供的内容。",
            item: "项目",
            topic: "主题",
            answered_at: "回答位置",
            page: "第 {n} 页",
            reasons_by_coordinator: "；原因：待协调人撰写",
            note_team: "研究团队及学科",
            note_expert_definition: "专家的定义",
            note_expert_selection: "专家的确定与遴选",
            note_ethics: "伦理审批",
            note_funding: "资助及资助方的作用",
            note_conflicts: "利益冲突",
            note_limitations: "局限与可推广性",
            flow_note: "每轮：受邀专家、至少回答一题的专家、受邀但未回答的专家，按全体和阵营统计。成员少于 {n} 人的阵营合并计数，不列名称。",
            list_separator: "；",
            gap: "",
            comma: "、",
            stop: "。",
            kind_count: "{name} {n} 个",
            feedback_round: "第 {round} 轮：{text}",
            aim: "研究目的",
            aim_from_description: "向专家说明的内容如下（可在研究文件的 `[reporting] aim` 中为读者另行写明）：{text}",
            variant: "德尔菲法类型",
            variant_text: "按轮次进行的经典德尔菲法：每轮问卷开放固定时间，专家通过网页表单或回复邀请邮件作答；从第二轮起，问卷反馈上一轮专家组的回答。最多 {max} 轮。",
            stopping: "决策规则与停止",
            stopping_met: "第 {round} 轮满足停止规则。",
            stopping_not_met: "所报告的轮次（{rounds}）未满足停止规则。",
            stopping_none: "未事先规定停止规则；研究最多进行 {max} 轮。",
            who_is_asked: "每轮邀请的专家",
            who_is_asked_text: "专家组的每位在册成员都受邀参加每一轮，无论其是否回答了上一轮。已退出的专家不再收到任何问卷。",
            invitations: "邀请、收集与提醒",
            invitations_text: "每位专家收到一封含个人网页表单链接的邀请邮件；可在表单上作答，也可回复邮件作答。未作答者会收到提醒。",
            reminders_in_round: "第 {round} 轮 {n} 封",
            reminders_sent: "发送的提醒：{list}。",
            questionnaire: "问卷",
            questionnaire_text: "标准化题目，各有量表或回答格式；对各领域的评分可附自由文本理由。每轮问卷按发送时的样子保存在数据库中，可用 `delphi round show` 打印。",
            questionnaire_round: "第 {round} 轮：{items} 个题目（{kinds}）",
            kind_ordinal: "带标签量表评分",
            kind_numeric: "数值",
            kind_quantile: "分位数估计",
            kind_probability: "概率",
            kind_ranking: "排序",
            kind_text: "自由文本",
            rounds: "轮数",
            rounds_text: "报告了 {n} 轮（{rounds}）；事先规定的最大轮数为 {max}。",
            feedback: "给专家的反馈",
            feedback_aggregation: "反馈显示的是整个专家组的数据，而非分群体的数据；理由不署作者。",
            statistics: "统计与分析",
            statistics_text: "每个题目：有效回答和“不知道”的数量、中位数、四分位数（{method}）、四分位距及落在量表同意区间的比例；排序题用 Kendall W；每轮计算 Krippendorff α；轮次之间用 Wilcoxon 符号秩检验、McNemar 检验及改变答案的专家比例；流失用 Mann–Whitney U；群体之间用 Mann–Whitney U 或 Kruskal–Wallis H。工具未对自由文本回答编码。",
            revisions: "新增、删除或改写的题目",
            revisions_none: "所报告的轮次中没有新增、删除或改写题目。",
            revision_dropped: "自第 {round} 轮起不再询问：{items}。",
            revision_added: "第 {round} 轮新增：{items}。",
            revision_continues: "第 {round} 轮改写：{item} 延续 {earlier}。",
            consensus_items_asked_again: "其他所有题目，无论是否达成共识，每轮都再次询问。",
            consensus: "共识的定义",
            weighting: "权重",
            weighting_text: "每位专家的回答权重相同；群体不加权。合并的分位数估计使用等权重。",
            response: "参与人数与应答率",
            response_round: "第 {round} 轮：{invited} 位专家中 {answered} 位作答（{rate} %）。",
            agreement: "每轮的一致程度",
            agreement_round: "第 {round} 轮：{items} 个评分题目中 {met} 个达成共识。",
            findings: "最终结果",
            findings_text: "第 {round} 轮达成共识的题目：{items}。",
            findings_none: "第 {round} 轮没有评分题目达成共识。",
            attrition: "流失及其检验",
            attrition_text: "流失者指在某一轮回答了某题、在下一轮未回答该题的专家。将其先前的回答与留下的专家比较（Mann–Whitney U，双侧）。",
            attrition_none: "所报告的轮次之间没有专家流失。",
            attrition_header: ["题目", "轮次", "流失", "留下", "p（方法）", "解读"],
            attrition_differs: "流失者先前的回答不同（p < 0.05）",
            attrition_same: "无显著差异",
            attrition_untestable: "无法检验",
            method_exact: "精确",
            method_normal: "正态近似",
            languages: "语言",
            languages_text: "研究使用 {languages}：每位专家以其语言收到问卷和信件。以其他语言写的理由在有译文时附译文显示，无译文时加以标注。",
            anonymity: "如何保持匿名",
            anonymity_text: "在导出数据中专家只以化名（p- 加随机字母和数字）出现，从不使用专家名单中的编号；任何报告或反馈中都不出现姓名或电子邮件。少于 {n} 人的群体从不列名称，而是合并计数。理由不署作者，对专家和在本报告中都是如此。",
            dates: "日期",
            dates_round: "第 {round} 轮：开放 {opened}，截止 {deadline}，关闭 {closed}。",
            days_open: "共开放 {days} 天。",
            changes: "过程中的变化",
            changes_none: "未记录专家组或规则的变化。",
            change_panel: "受邀专家：{counts}。",
            change_rule: "共识规则的 `{setting}` 在第 {round} 轮开放时为 {before}，现为 {after}；所有轮次均按现行规则判断。",
        }
    }
}

/// Everything the part needs, taken from the report being built.
pub(crate) struct Sources<'a> {
    pub study: &'a Study,
    pub summary: &'a StudySummary,
    pub conduct: &'a Conduct,
    pub language: &'a Language,
    pub labels: &'a Labels,
    pub overview: &'a Overview,
    pub methods: &'a Methods,
}

/// The guidelines part of the report.
pub(crate) fn build(s: &Sources<'_>) -> Guidelines {
    let words = Words::for_language(s.language.as_str());
    let zh = s.language.is_chinese();
    let notes = Note::ALL
        .iter()
        .map(|&note| {
            let text = note.of(s.study).map(|t| t.get(s.language, s.study.default_language()).to_owned());
            Entry {
                anchor: note.anchor(),
                title: note.title(&words).to_owned(),
                written: text.is_some(),
                text: text.unwrap_or_else(|| words.to_be_written.to_owned()),
                table: Vec::new(),
            }
        })
        .collect();
    let checklists =
        [("DELPHISTAR (Niederberger et al. 2024)", &DELPHISTAR[..]), ("ACCORD (Gattrell et al. 2024)", &ACCORD[..])]
            .into_iter()
            .map(|(title, items)| Checklist {
                title: title.to_owned(),
                items: items.iter().map(|item| checklist_item(item, s.study, zh)).collect(),
            })
            .collect();
    Guidelines { flow: flow(s, &words), facts: facts(s, &words), notes, checklists, words }
}

fn checklist_item(Item(id, en, zh_topic, source): &Item, study: &Study, zh: bool) -> ChecklistItem {
    let (anchor, reasons_by_coordinator) = match *source {
        Source::Fact(f) => (Some(f.anchor()), false),
        Source::Partly(f) => (Some(f.anchor()), true),
        Source::Note(n) => (n.of(study).map(|_| n.anchor()), false),
        Source::Coordinator => (None, false),
    };
    ChecklistItem { id, topic: if zh { zh_topic } else { en }, anchor, reasons_by_coordinator }
}

/// The flow per round from the bloc composition the overview already counted (small blocs
/// together, unnamed); without blocs, the panel's total only.
fn flow(s: &Sources<'_>, w: &Words) -> Flow {
    let blocs: Option<&Composition> = s.overview.composition.iter().find(|c| c.attribute == PanelAttribute::Bloc);
    let rounds = s
        .summary
        .rounds
        .iter()
        .enumerate()
        .map(|(k, &round)| {
            let count = |group: String, invited: u32, answered: u32| FlowCount {
                group,
                invited,
                answered,
                dropped: invited.saturating_sub(answered),
            };
            let (total, blocs) = match blocs {
                Some(c) => {
                    let mut total = None;
                    let mut rows = Vec::new();
                    for row in &c.rows {
                        let Some(cell) = row.counts.get(k) else { continue };
                        match row.kind {
                            CompositionRowKind::Total => {
                                total = Some(count(w.total.to_owned(), cell.invited, cell.responded));
                            }
                            // the smaller blocs' row keeps the overview's words, which count them
                            CompositionRowKind::Named | CompositionRowKind::Smaller => {
                                rows.push(count(row.group.clone(), cell.invited, cell.responded));
                            }
                        }
                    }
                    (total.unwrap_or_else(|| count(w.total.to_owned(), 0, 0)), rows)
                }
                None => {
                    let (invited, answered) = s
                        .conduct
                        .panel
                        .iter()
                        .filter(|p| p.round == round && p.attribute == PanelAttribute::Institution)
                        .fold((0, 0), |(i, a), p| (i + p.invited, a + p.responded));
                    (count(w.total.to_owned(), invited, answered), Vec::new())
                }
            };
            FlowRound { round, total, blocs }
        })
        .collect();
    Flow { rounds, note: w.flow_note.replace("{n}", &s.study.subgroups.min_group_size.to_string()) }
}

fn entry(fact: Fact, title: &str, text: String) -> Entry {
    Entry { anchor: fact.anchor(), title: title.to_owned(), text, written: true, table: Vec::new() }
}

fn rounds_text(rounds: &[u32]) -> String {
    rounds.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

/// Every fact the tool writes, in reading order.
fn facts(s: &Sources<'_>, w: &Words) -> Vec<Entry> {
    let study = s.study;
    let m = s.methods;
    let text = |t: &Localised| t.get(s.language, study.default_language()).to_owned();
    let last = s.summary.rounds.last().copied().unwrap_or(0);
    let mut facts = vec![
        entry(
            Fact::Aim,
            w.aim,
            study
                .reporting
                .aim
                .as_ref()
                .map_or_else(|| w.aim_from_description.replace("{text}", &text(&study.description)), text),
        ),
        entry(Fact::Variant, w.variant, w.variant_text.replace("{max}", &study.max_rounds.to_string())),
        entry(Fact::Rounds, w.rounds, {
            w.rounds_text
                .replace("{n}", &s.summary.rounds.len().to_string())
                .replace("{rounds}", &rounds_text(&s.summary.rounds))
                .replace("{max}", &study.max_rounds.to_string())
        }),
        entry(Fact::Dates, w.dates, {
            m.conducted
                .iter()
                .map(|r| {
                    let open = s.conduct.rounds.iter().find(|c| c.round == r.round).and_then(days_open);
                    let dates = w
                        .dates_round
                        .replace("{round}", &r.round.to_string())
                        .replace("{opened}", &r.opened)
                        .replace("{deadline}", &r.deadline)
                        .replace("{closed}", &r.closed);
                    match open {
                        Some(days) => format!("{dates}{}{}", w.gap, w.days_open.replace("{days}", &days)),
                        None => dates,
                    }
                })
                .collect::<Vec<_>>()
                .join(w.gap)
        }),
        entry(Fact::WhoIsAsked, w.who_is_asked, w.who_is_asked_text.to_owned()),
        entry(Fact::Invitations, w.invitations, {
            let reminders: Vec<String> = s
                .summary
                .rounds
                .iter()
                .map(|&r| {
                    let n = s.conduct.reminders_sent.get(&r).copied().unwrap_or(0);
                    w.reminders_in_round.replace("{round}", &r.to_string()).replace("{n}", &n.to_string())
                })
                .collect();
            format!(
                "{}{}{}",
                w.invitations_text,
                w.gap,
                w.reminders_sent.replace("{list}", &reminders.join(w.list_separator))
            )
        }),
        entry(Fact::Response, w.response, response(s, w)),
        entry(Fact::Questionnaire, w.questionnaire, questionnaire(s, w)),
        entry(Fact::Feedback, w.feedback, {
            let per_round: Vec<String> = m
                .conducted
                .iter()
                .map(|r| w.feedback_round.replace("{round}", &r.round.to_string()).replace("{text}", &r.feedback))
                .collect();
            format!("{}{}{}", per_round.join(w.gap), w.gap, w.feedback_aggregation)
        }),
        entry(Fact::Consensus, w.consensus, m.consensus_definition.clone()),
        entry(Fact::StoppingRule, w.stopping, format!("{}{}{}", m.stopping, w.gap, stopping_outcome(s, w))),
        entry(Fact::Statistics, w.statistics, w.statistics_text.replace("{method}", &m.quantile_method)),
        entry(Fact::Weighting, w.weighting, w.weighting_text.to_owned()),
        entry(Fact::AgreementPerRound, w.agreement, agreement(s, w)),
        entry(Fact::Findings, w.findings, findings(s, w, last)),
        entry(Fact::Revisions, w.revisions, revisions(s, w, last)),
        entry(Fact::Changes, w.changes, changes(s, w)),
        attrition(s, w),
        entry(Fact::Languages, w.languages, {
            let names: Vec<&str> = study.languages.iter().map(|l| s.labels.language_name(l.as_str())).collect();
            w.languages_text.replace("{languages}", &names.join(w.comma))
        }),
        entry(
            Fact::Anonymity,
            w.anonymity,
            w.anonymity_text.replace("{n}", &study.subgroups.min_group_size.to_string()),
        ),
    ];
    // The flow diagram is drawn by the template; its entry carries the note the diagram needs.
    facts.insert(0, entry(Fact::Flow, w.flow_heading, String::new()));
    facts
}

/// How long a closed round was open, in days with one decimal.
fn days_open(round: &RoundConduct) -> Option<String> {
    let closed = round.closed_at?;
    let days = (closed - round.opened_at).num_minutes() as f64 / (24.0 * 60.0);
    Some(fmt_number(days, 1))
}

fn response(s: &Sources<'_>, w: &Words) -> String {
    s.overview
        .response
        .iter()
        .map(|r| {
            let invited = r.invited.map_or_else(|| "—".to_owned(), |i| i.to_string());
            w.response_round
                .replace("{round}", &r.round.to_string())
                .replace("{answered}", &r.responded.to_string())
                .replace("{invited}", &invited)
                .replace("{rate}", &r.rate.text)
        })
        .collect::<Vec<_>>()
        .join(w.gap)
}

fn questionnaire(s: &Sources<'_>, w: &Words) -> String {
    let rounds: Vec<String> = s
        .summary
        .rounds
        .iter()
        .map(|&r| {
            let questions = s.study.questions_in_round(r);
            // Kinds in their place in the list, each with its count; a kind not asked is left out.
            let mut kinds: BTreeMap<u8, (&str, usize)> = BTreeMap::new();
            for q in &questions {
                let (place, name) = kind_in_words(w, &q.response);
                kinds.entry(place).or_insert((name, 0)).1 += 1;
            }
            let kinds: Vec<String> = kinds
                .values()
                .map(|(name, n)| w.kind_count.replace("{name}", name).replace("{n}", &n.to_string()))
                .collect();
            w.questionnaire_round
                .replace("{round}", &r.to_string())
                .replace("{items}", &questions.len().to_string())
                .replace("{kinds}", &kinds.join(w.comma))
        })
        .collect();
    format!("{}{}{}{}", w.questionnaire_text, w.gap, rounds.join(w.list_separator), w.stop)
}

/// A kind of question in the report's words, with its place in the list of kinds.
fn kind_in_words(w: &Words, response: &ResponseKind) -> (u8, &'static str) {
    match response {
        ResponseKind::Ordinal { .. } => (0, w.kind_ordinal),
        ResponseKind::Numeric { .. } => (1, w.kind_numeric),
        ResponseKind::Probability => (2, w.kind_probability),
        ResponseKind::Quantile { .. } => (3, w.kind_quantile),
        ResponseKind::RankingOfDomains { .. } => (4, w.kind_ranking),
        ResponseKind::Text => (5, w.kind_text),
    }
}

/// The rated (ordinal) items a round asked, with their consensus outcome. A dropped item can
/// still have an (empty) result in a later round's summary: it is not counted there.
fn rated<'a>(s: &Sources<'a>, round: u32) -> Vec<(&'a str, Outcome)> {
    let asked = s.study.questions_in_round(round);
    s.summary
        .items
        .iter()
        .filter(|i| i.round == round && asked.iter().any(|q| q.id.as_str() == i.item.as_str()))
        .filter_map(|i| match &i.result {
            ItemResult::Ordinal(o) => Some((i.item.as_str(), o.consensus.outcome)),
            ItemResult::Numeric(_) | ItemResult::Quantile(_) | ItemResult::Ranking(_) => None,
        })
        .collect()
}

/// Per round: rated items asked, and those that reached consensus.
fn consensus_counts<'a>(s: &Sources<'a>, round: u32) -> (usize, Vec<&'a str>) {
    let rated = rated(s, round);
    let met = rated.iter().filter(|x| x.1 == Outcome::Met).map(|x| x.0).collect();
    (rated.len(), met)
}

fn agreement(s: &Sources<'_>, w: &Words) -> String {
    s.summary
        .rounds
        .iter()
        .map(|&r| {
            let (items, met) = consensus_counts(s, r);
            w.agreement_round
                .replace("{round}", &r.to_string())
                .replace("{met}", &met.len().to_string())
                .replace("{items}", &items.to_string())
        })
        .collect::<Vec<_>>()
        .join(w.gap)
}

fn findings(s: &Sources<'_>, w: &Words, last: u32) -> String {
    let (_, met) = consensus_counts(s, last);
    if met.is_empty() {
        w.findings_none.replace("{round}", &last.to_string())
    } else {
        w.findings_text.replace("{round}", &last.to_string()).replace("{items}", &met.join(w.comma))
    }
}

/// The first reported round, from the rule's minimum on, in which the stopping rule holds.
/// Consensus: every rated item the round asked reached it. Stable: every item compared with
/// the round before is stable. Consensus or stable: each rated item one or the other, and
/// every other compared item (numbers, probabilities) stable.
fn stopping_met_in(s: &Sources<'_>) -> Option<u32> {
    let rule = s.study.stopping;
    s.summary.rounds.iter().copied().filter(|&r| r >= rule.min_rounds).find(|&r| {
        let rated = rated(s, r);
        let asked = s.study.questions_in_round(r);
        let compared: Vec<_> = s
            .summary
            .stability
            .iter()
            .filter(|x| x.to_round == r && asked.iter().any(|q| q.id.as_str() == x.item.as_str()))
            .collect();
        let stable = |item: &str| compared.iter().any(|x| x.item.as_str() == item && x.verdict.outcome == Outcome::Met);
        match rule.stop_when {
            StopWhen::MaxRounds => r >= s.study.max_rounds,
            StopWhen::Consensus => !rated.is_empty() && rated.iter().all(|x| x.1 == Outcome::Met),
            StopWhen::Stable => !compared.is_empty() && compared.iter().all(|x| x.verdict.outcome == Outcome::Met),
            StopWhen::ConsensusOrStable => {
                !rated.is_empty()
                    && rated.iter().all(|(item, outcome)| *outcome == Outcome::Met || stable(item))
                    && compared
                        .iter()
                        .filter(|x| !rated.iter().any(|(item, _)| *item == x.item.as_str()))
                        .all(|x| x.verdict.outcome == Outcome::Met)
            }
        }
    })
}

fn stopping_outcome(s: &Sources<'_>, w: &Words) -> String {
    if !s.conduct.stopping_rule_stated {
        return String::new();
    }
    match stopping_met_in(s) {
        Some(r) => w.stopping_met.replace("{round}", &r.to_string()),
        None => w.stopping_not_met.replace("{rounds}", &rounds_text(&s.summary.rounds)),
    }
}

fn revisions(s: &Sources<'_>, w: &Words, last: u32) -> String {
    let study = s.study;
    let mut lines = Vec::new();
    for round in 2..=last {
        let added: Vec<&str> = study
            .items
            .iter()
            .filter(|i| i.first_round == round && i.continues.is_none())
            .map(|i| i.id.as_str())
            .collect();
        if !added.is_empty() {
            lines
                .push(w.revision_added.replace("{round}", &round.to_string()).replace("{items}", &added.join(w.comma)));
        }
        for item in study.items.iter().filter(|i| i.first_round == round) {
            if let Some(earlier) = &item.continues {
                lines.push(
                    w.revision_continues
                        .replace("{item}", item.id.as_str())
                        .replace("{round}", &round.to_string())
                        .replace("{earlier}", earlier.as_str()),
                );
            }
        }
        for revision in study.revisions.iter().filter(|r| r.round == round) {
            let dropped: Vec<&str> = revision.drop.iter().map(|i| i.as_str()).collect();
            lines.push(
                w.revision_dropped.replace("{round}", &round.to_string()).replace("{items}", &dropped.join(w.comma)),
            );
        }
    }
    if lines.is_empty() {
        lines.push(w.revisions_none.to_owned());
    }
    lines.push(w.consensus_items_asked_again.to_owned());
    lines.join(w.gap)
}

fn changes(s: &Sources<'_>, w: &Words) -> String {
    let mut lines = Vec::new();
    let invited: Vec<(u32, u64)> = s.overview.response.iter().filter_map(|r| r.invited.map(|i| (r.round, i))).collect();
    if invited.windows(2).any(|p| p[0].1 != p[1].1) {
        let counts: Vec<String> = invited.iter().map(|(r, i)| format!("{} {r}: {i}", s.labels.round)).collect();
        lines.push(w.change_panel.replace("{counts}", &counts.join(w.list_separator)));
    }
    for c in &s.conduct.rules_changed {
        lines.push(
            w.change_rule
                .replace("{setting}", &c.setting)
                .replace("{round}", &c.round.to_string())
                .replace("{before}", &c.before)
                .replace("{after}", &c.after),
        );
    }
    if lines.is_empty() {
        lines.push(w.changes_none.to_owned());
    }
    lines.join(w.gap)
}

/// The drop-out test of every item with drop-outs, each with a reading.
fn attrition(s: &Sources<'_>, w: &Words) -> Entry {
    let rows: Vec<Vec<String>> = s
        .summary
        .stability
        .iter()
        .filter(|x| x.attrition.dropouts > 0)
        .map(|x| {
            let a = &x.attrition;
            let p = Num::p_value(a.test.p_value);
            let method = match a.test.method {
                TestMethod::Exact => w.method_exact,
                _ => w.method_normal,
            };
            let reading = match a.test.p_value.value() {
                Some(v) if v < 0.05 => w.attrition_differs,
                Some(_) => w.attrition_same,
                None => w.attrition_untestable,
            };
            vec![
                x.item.as_str().to_owned(),
                format!("{} → {}", x.from_round, x.to_round),
                a.dropouts.to_string(),
                a.stayers.to_string(),
                if p.value.is_some() { format!("{} ({method})", p.text) } else { p.text },
                reading.to_owned(),
            ]
        })
        .collect();
    let mut e = entry(Fact::Attrition, w.attrition, w.attrition_text.to_owned());
    if rows.is_empty() {
        e.text = format!("{}{}{}", e.text, w.gap, w.attrition_none);
    } else {
        e.table = std::iter::once(w.attrition_header.iter().map(|h| (*h).to_owned()).collect()).chain(rows).collect();
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_delphistar_item_is_listed_once_in_order() {
        let ids: Vec<&str> = DELPHISTAR.iter().map(|i| i.0).collect();
        let expected: Vec<String> = (1..=38).map(|n: u32| n.to_string()).collect();
        assert_eq!(ids, expected);
        let accord: Vec<&str> = ACCORD.iter().map(|i| i.0).collect();
        let mut sorted = accord.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), 31, "{accord:?}");
    }

    #[test]
    fn both_languages_have_a_topic_for_every_item() {
        for item in DELPHISTAR.iter().chain(&ACCORD) {
            assert!(!item.1.is_empty() && item.2.chars().any(|c| u32::from(c) > 0x2E80), "{}", item.0);
        }
    }

    #[test]
    fn a_round_open_from_monday_nine_to_the_tuesday_after_next_six_pm_was_open_eight_and_three_eighths_days() {
        use chrono::TimeZone;
        let opened_at = chrono::Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let closed_at = chrono::Utc.with_ymd_and_hms(2026, 3, 10, 18, 0, 0).unwrap();
        let round = |closed_at| RoundConduct {
            round: 1,
            opened_at,
            deadline: opened_at,
            closed_at,
            feedback: crate::model::FeedbackGiven::default(),
        };
        // 8 days and 9 hours = 8.375 days
        assert_eq!(days_open(&round(Some(closed_at))).as_deref(), Some("8.4"));
        assert_eq!(days_open(&round(None)), None, "an open round has no length yet");
    }
}
