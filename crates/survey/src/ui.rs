//! The renderers' own words, per language. A study may use languages this table does not
//! know: their study texts come from the study file, and the UI falls back to English.
//! Placeholders in braces (`{round}`, `{n}`) are filled by [`fill`].

use delphi_core::study::Language;

/// The words a renderer puts around the study's own texts, in one language.
#[derive(Debug)]
pub struct Ui {
    /// What follows a label: `": "` or `"："`.
    pub colon: &'static str,
    /// A round's heading (`{round}`).
    pub round: &'static str,
    /// Heading of the text form in an email.
    pub reply_form: &'static str,
    /// How to answer by replying, above the text form.
    pub how_to_reply: &'static str,
    /// Heading of the extra items outside the domains.
    pub general: &'static str,
    /// Heading of the calibration (seed) questions.
    pub calibration: &'static str,
    /// Under that heading: why seeds show no group results.
    pub calibration_note: &'static str,
    /// The "don't know" answer as shown on forms.
    pub dont_know: &'static str,
    /// Beside an answer: leaving it empty skips the item.
    pub skip_note: &'static str,
    /// How to answer an ordinal item in the text form.
    pub scale_help: &'static str,
    /// How to answer a numeric item in the text form.
    pub numeric_help: &'static str,
    /// How to answer a quantile item in the text form (`{n}`, `{levels}`, `{low_sure}`,
    /// `{high_sure}`).
    pub quantile_help: &'static str,
    /// How to answer a probability item in the text form.
    pub probability_help: &'static str,
    /// How to answer a ranking item in the text form.
    pub ranking_help: &'static str,
    /// Under the ranking help where the item allows ties: how to write one.
    pub ranking_ties_help: &'static str,
    /// How to answer a text item in the text form.
    pub text_help: &'static str,
    /// Label of a text item's field on the web form.
    pub text_label: &'static str,
    /// A numeric item's bounds (`{min}`, `{max}`).
    pub range: &'static str,
    /// An item's unit (`{unit}`).
    pub unit: &'static str,
    /// Heading of the group's results from the round fed back (`{round}`).
    pub group_previous: &'static str,
    /// An item's median, middle half and count of answers in one line.
    pub summary: &'static str,
    /// Said where an item got no answers.
    pub no_answers: &'static str,
    /// A count of answers (`{n}`).
    pub answers: &'static str,
    /// Heading of an ordinal item's answers per point.
    pub distribution: &'static str,
    /// The expert's own answer in the round fed back (`{round}`, `{answer}`).
    pub your_answer: &'static str,
    /// Marks the expert's own point in a distribution.
    pub you: &'static str,
    /// Said when the expert left the item empty in the round fed back (`{round}`).
    pub you_did_not_answer: &'static str,
    /// Shown after answers were stored.
    pub saved: &'static str,
    /// Shown above the errors of a refused submission.
    pub not_saved: &'static str,
    /// Heading of the anonymous rationales from the round fed back (`{round}`).
    pub rationales: &'static str,
    /// Heading of the rationales of experts who answered below the median.
    pub below: &'static str,
    /// Heading of the rationales of experts who answered at the median.
    pub at: &'static str,
    /// Heading of the rationales of experts who answered above the median.
    pub above: &'static str,
    /// The web form's submit button.
    pub submit: &'static str,
    /// A percent: `{p} %`.
    pub percent: &'static str,
    /// How many numbers to write, as a word (`three`), from [`crate::answer`]'s words.
    pub count_in_words: fn(usize) -> String,
    /// Between figures of one line: `5 % 1.5, 50 % 7`.
    pub figure_comma: &'static str,
    /// Joining a list: `a, b and c`.
    pub list_comma: &'static str,
    /// Before a list's last element.
    pub list_and: &'static str,
    /// The pooled range where quantity items ask different quantiles.
    pub pooled_range_any: &'static str,
    /// The web form's field of a quantile item's lowest quantile, its median, its highest,
    /// and any other (`{p}` the percent).
    pub quantile_low: &'static str,
    /// The web form's field of a quantile item's median.
    pub quantile_median: &'static str,
    /// The web form's field of a quantile item's highest quantile (`{p}`).
    pub quantile_high: &'static str,
    /// The web form's field of any other quantile (`{p}`).
    pub quantile_level: &'static str,
    /// The web form's field of a probability, in percent.
    pub probability: &'static str,
    /// Before an option's name at its rank list on the web form.
    pub rank_of: &'static str,
    /// The empty choice of a rank list.
    pub rank_choose: &'static str,
    /// Under the web form's title: what to answer and that answers can change until the deadline.
    pub html_intro: &'static str,
    /// Marks the coordinator's Markdown preview.
    pub preview: &'static str,
    /// Label of an item's id in the preview.
    pub item: &'static str,
    /// Label of how an item is answered in the preview.
    pub answer_with: &'static str,
    /// The text form's last line.
    pub end: &'static str,
    /// The web form's ranking help (each option gets a rank from a list).
    pub rank_help_web: &'static str,
    /// The same where the item allows ties: options may share a rank.
    pub rank_help_web_ties: &'static str,
    /// Beside the feedback of a ranking that allows ties: how a tie is counted.
    pub ties_note: &'static str,
    /// Above a form whose fields come filled in with the expert's own earlier answers.
    pub carried_over: &'static str,
    /// Above a form whose study asks for earlier answers to be given again.
    pub reconfirm: &'static str,
    /// Above a form showing a draft: answers sent before that needed fixing.
    pub draft: &'static str,
    /// Before a problem shown beside its question.
    pub fix_this: &'static str,
    /// A chart's legend: the expert's own answer, the median, the middle half (Q1–Q3).
    pub legend: &'static str,
    /// In a chart's legend: the expert's own answer.
    pub legend_own: &'static str,
    /// In a chart's legend: the median.
    pub legend_median: &'static str,
    /// In a chart's legend: the middle half of the answers.
    pub legend_middle: &'static str,
    /// The range of a quantile item's pool from its lowest to its highest quantile
    /// (`{range}`, e.g. 5 %–95 %), in a chart's legend.
    pub legend_pooled: &'static str,
    /// The text form's legend of a number line, its marks explained.
    pub legend_text: &'static str,
    /// The text form's legend of an ordinal distribution.
    pub legend_bars: &'static str,
    /// A quantile item's pool in words (`{values}`).
    pub pooled: &'static str,
    /// The spread of the experts' best estimates (`{median}`, `{q1}`, `{q3}`).
    pub medians_spread: &'static str,
    /// An option's mean rank (`{mean}`).
    pub mean_rank: &'static str,
    /// Header of the options' column in a ranking's results.
    pub option: &'static str,
    /// Header of a place's column in a ranking's results (`{place}`).
    pub place: &'static str,
    /// Header of the column marking the expert's own place.
    pub your_place: &'static str,
    /// How often an option took each place, in words.
    pub places: &'static str,
    /// Heading of the shared answers of a text item, e.g. proposals (`{round}`).
    pub proposals: &'static str,
    /// After a text that several experts wrote the same: how many.
    pub times: &'static str,
    /// Below the rationales an email shows when the web page has more.
    pub more_on_web: &'static str,
    /// The navigation between pages of a long list of rationales on the web form.
    pub pages: &'static str,
    /// One page of such a list, `{page}` of `{pages}`.
    pub page_of: &'static str,
    /// Above a rationale shown in the coordinator's translation (`{language}`: the original's).
    pub translated_from: &'static str,
    /// Before the original text under its translation.
    pub original: &'static str,
    /// Beside a rationale in another language that has no translation yet.
    pub untranslated: &'static str,
    /// The names of languages in this UI's language, by code.
    pub language_names: &'static [(&'static str, &'static str)],
}

impl Ui {
    /// The name of the language `code` in this UI's language; the code itself when unknown.
    pub fn language_name<'a>(&self, code: &'a str) -> &'a str {
        let primary = code.split('-').next().unwrap_or(code);
        self.language_names.iter().find(|(c, _)| *c == primary).map_or(code, |(_, name)| name)
    }
}

/// English, and the words of any language without a table of its own.
pub const EN: Ui = Ui {
    colon: ": ",
    round: "Round {round}",
    reply_form: "Reply form",
    how_to_reply: "How to answer: reply to this email and write each answer after its [item] marker, on the same line. Keep the markers. Lines starting with \"::\" are ignored. Leave an answer empty to skip the item. A text answer may take several lines, up to the next marker. You may reply more than once before the deadline; your latest reply counts.",
    general: "General questions",
    calibration: "Calibration questions",
    calibration_note: "These questions have known answers; they measure how well calibrated estimates are. No group results are shown for them.",
    dont_know: "don't know",
    skip_note: "Leave empty to skip.",
    scale_help: "Write the number of your answer",
    numeric_help: "Write a number (with a decimal point, e.g. 2.5)",
    quantile_help: "Write {n} numbers, each larger than the one before: your {levels} quantiles (a low value you are {low_sure} % sure the truth exceeds, your best estimate, a high value you are {high_sure} % sure it stays below)",
    probability_help: "Write a percentage from 0 to 100",
    ranking_help: "List every option once, in your order (first place first), by name or number, separated by commas",
    ranking_ties_help: "Options you rank equal may share a place: join them with =, as in 2, 1 = 4, 3 (1 and 4 share second place).",
    text_help: "Write as many lines as you like, up to the next marker",
    text_label: "Your answer",
    range: "range {min}–{max}",
    unit: "unit: {unit}",
    group_previous: "The group in round {round}",
    summary: "median {median}, middle half {q1}–{q3}, {n} answers",
    no_answers: "no answers",
    answers: "{n} answers",
    distribution: "Answers per point",
    your_answer: "Your answer in round {round}: {answer}",
    you: "← you",
    you_did_not_answer: "You did not answer this item in round {round}.",
    saved: "Your answers are saved. You can change them until the deadline; your latest answers count.",
    not_saved: "Your answers were not sent yet; everything you entered is kept below. Please fix what is marked and send the form again:",
    rationales: "Reasons given in round {round} (anonymous)",
    below: "Answers below the median",
    at: "Answers at the median",
    above: "Answers above the median",
    submit: "Submit answers",
    percent: "{p} %",
    count_in_words: crate::answer::in_words,
    figure_comma: ", ",
    list_comma: ", ",
    list_and: " and ",
    pooled_range_any: "lowest–highest quantile",
    quantile_low: "{p} % quantile (low)",
    quantile_median: "50 % quantile (best estimate)",
    quantile_high: "{p} % quantile (high)",
    quantile_level: "{p} % quantile",
    probability: "Probability in %",
    rank_of: "Rank of",
    rank_choose: "choose a rank",
    html_intro: "Answer what you can; you may leave any question empty. Your answers can be changed until the deadline. Group results are anonymous.",
    preview: "Coordinator preview",
    item: "item",
    answer_with: "answer with",
    end: "end of the form",
    rank_help_web: "Give each option a different rank: 1 for first place.",
    rank_help_web_ties: "Give each option a rank: 1 for first place. Options you rank equal may share a rank (a tie): give them the same number.",
    ties_note: "Tied options share their places: a tie for places 2–3 counts as rank 2.5 in the mean, and as place 2 in the counts per place.",
    carried_over: "The answers filled in are your own latest answers from earlier rounds. Change any you like; sent unchanged, they count as your answers in this round.",
    reconfirm: "Your answer in the previous round is shown beside each question. To keep it, give it again: only answers given in this round count.",
    draft: "These answers were not sent yet: some of them needed fixing. Check the answers marked below and send the form; until then, nothing of them counts.",
    fix_this: "Please fix",
    legend: "Legend",
    legend_own: "your answer",
    legend_median: "median",
    legend_middle: "middle half of the answers",
    legend_pooled: "pooled {range} range",
    legend_text: "on a number line, [ ] the middle half of the answers, | the median, * your answer, ( ) the pooled {range} range",
    legend_bars: "in the group's results, # shows the answers per point and ← you your own answer",
    pooled: "all experts pooled: {values}",
    medians_spread: "the experts' best estimates (50 %): median {median}, middle half {q1}–{q3}",
    mean_rank: "mean rank {mean}",
    option: "Option",
    place: "Place {place}",
    your_place: "your place",
    places: "times in places 1–{k}: {counts}",
    proposals: "Proposals made in round {round} (anonymous; identical ones shown once, with their count)",
    times: "(×{n})",
    more_on_web: "Not shown here: {n} more, all on your personal web page (the link in this email).",
    pages: "Pages of reasons",
    page_of: "Page {page} of {pages}",
    translated_from: "Translated from {language}",
    original: "Original ({language})",
    untranslated: "untranslated",
    language_names: delphi_core::study::LANGUAGE_NAMES_EN,
};

/// Chinese, for `zh` and its variants.
pub const ZH: Ui = Ui {
    colon: "：",
    round: "第 {round} 轮",
    reply_form: "回复表",
    how_to_reply: "作答方法：回复本邮件，在每个 [item] 标记后的同一行写下答案，并保留这些标记。以“::”开头的行会被忽略。如需跳过某题，留空即可。文字答案可以写多行，直到下一个标记为止。截止日期前可以多次回复，以最后一次回复为准。",
    general: "综合问题",
    calibration: "校准问题",
    calibration_note: "这些问题的答案是已知的，用于衡量估计的校准程度。这些问题不显示小组结果。",
    dont_know: "不知道",
    skip_note: "留空即跳过。",
    scale_help: "请写下所选答案的数字",
    numeric_help: "请写一个数字（小数用小数点，例如 2.5）",
    quantile_help: "请写{n}个数字，每个都大于前一个：您的 {levels} 分位数（您有 {low_sure}% 把握真实值高于的低值、最佳估计、您有 {high_sure}% 把握真实值低于的高值）",
    probability_help: "请写一个 0 到 100 之间的百分数",
    ranking_help: "请按您的顺序（第一名在前）列出每个选项一次（名称或编号），用逗号分隔",
    ranking_ties_help: "您认为不分先后的选项可以并列同一名次：用 = 连接，例如 2, 1 = 4, 3（1 和 4 并列第二）。",
    text_help: "可写多行，直到下一个标记为止",
    text_label: "您的回答",
    range: "范围 {min}–{max}",
    unit: "单位：{unit}",
    group_previous: "第 {round} 轮的小组结果",
    summary: "中位数 {median}，中间一半 {q1}–{q3}，共 {n} 个回答",
    no_answers: "无回答",
    answers: "共 {n} 个回答",
    distribution: "各选项的回答数",
    your_answer: "您在第 {round} 轮的答案：{answer}",
    you: "← 您",
    you_did_not_answer: "您在第 {round} 轮未回答此题。",
    saved: "您的答案已保存。截止日期前您可以修改答案，以最后一次提交为准。",
    not_saved: "您的答案尚未提交；您填写的内容都保留在下方。请修改标出的问题后重新提交：",
    rationales: "第 {round} 轮的理由（匿名）",
    below: "低于中位数的回答",
    at: "等于中位数的回答",
    above: "高于中位数的回答",
    submit: "提交答案",
    percent: "{p}%",
    count_in_words: crate::answer::in_words_zh,
    figure_comma: "，",
    list_comma: "、",
    list_and: " 和 ",
    pooled_range_any: "最低–最高分位数",
    quantile_low: "{p}% 分位数（低值）",
    quantile_median: "50% 分位数（最佳估计）",
    quantile_high: "{p}% 分位数（高值）",
    quantile_level: "{p}% 分位数",
    probability: "概率（%）",
    rank_of: "排序：",
    rank_choose: "选择名次",
    html_intro: "请尽量作答；任何问题都可以留空。截止日期前可以修改答案。小组结果是匿名的。",
    preview: "协调人预览",
    item: "题目",
    answer_with: "作答格式",
    end: "表格结束",
    rank_help_web: "请给每个选项一个不同的名次：1 表示第一名。",
    rank_help_web_ties: "请给每个选项一个名次：1 表示第一名。您认为不分先后的选项可以并列：给它们相同的名次。",
    ties_note: "并列的选项平分所占的名次：并列第 2–3 名在平均名次中按 2.5 计，在各名次的次数中按第 2 名计。",
    carried_over: "已填入的是您在之前各轮中最新的答案。您可以修改任何一项；如不修改直接提交，它们即作为您本轮的答案。",
    reconfirm: "每题旁边显示了您上一轮的答案。如要保留，请再次作答：只有本轮给出的答案才会计入。",
    draft: "这些答案尚未提交：其中有些需要修改。请检查下方标出的答案并提交表格；在此之前，它们都不会计入。",
    fix_this: "请修改",
    legend: "图例",
    legend_own: "您的答案",
    legend_median: "中位数",
    legend_middle: "中间一半的回答",
    legend_pooled: "合并的 {range} 区间",
    legend_text: "数轴上，[ ] 为中间一半的回答，| 为中位数，* 为您的答案，( ) 为合并的 {range} 区间",
    legend_bars: "小组结果中，# 表示每个选项的回答数，← 您 表示您自己的答案",
    pooled: "全体专家合并：{values}",
    medians_spread: "专家的最佳估计（50%）：中位数 {median}，中间一半 {q1}–{q3}",
    mean_rank: "平均名次 {mean}",
    option: "选项",
    place: "第 {place} 名",
    your_place: "您的名次",
    places: "排在第 1–{k} 名的次数：{counts}",
    proposals: "第 {round} 轮提出的建议（匿名；相同的建议只显示一次，并注明次数）",
    times: "（×{n}）",
    translated_from: "译自{language}",
    original: "原文（{language}）",
    untranslated: "未翻译",
    language_names: delphi_core::study::LANGUAGE_NAMES_ZH,
    more_on_web: "此处未列出的另有 {n} 条，全部见您的个人网页（本邮件中的链接）。",
    pages: "理由分页",
    page_of: "第 {page} 页，共 {pages} 页",
};

/// The UI texts for `language`: Chinese for `zh` and its variants, English otherwise.
pub fn ui(language: &Language) -> &'static Ui {
    if is_chinese(language) { &ZH } else { &EN }
}

/// Whether `language` is Chinese (`zh` or a variant): which of the tool's own texts to use.
pub fn is_chinese(language: &Language) -> bool {
    language.is_chinese()
}

/// Replaces `{name}` by its value for every pair.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}
