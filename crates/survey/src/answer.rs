//! Answers, their validation, and the one syntax in which an expert writes them (the text
//! form; the HTML form's fields use the same syntax field by field).
//!
//! - ordinal: the point's number (`5`), optionally followed by its label (`5 Somewhat high`),
//!   or the label alone;
//!   `?`, `dk`, `don't know` or `不知道` for don't-know where the scale allows it;
//! - numeric: a number with a decimal point (`2.5`, `-3`, `1e6`), optionally followed by the unit;
//! - quantile: three numbers, the 5 %, 50 % and 95 % quantiles, in that order or labelled
//!   (`5%: 2  50%: 5  95%: 15`, or `2 5 15`, or `2; 5; 15`);
//! - probability: a percentage from 0 to 100 (`30`, `30%`, `0.5%`); a bare fraction such as
//!   `0.3` is refused as ambiguous (write `30` for 30 % or `0.3%` for 0.3 %); stored in 0..=1;
//! - ranking: every option once, most preferred first, by id, title or number in the list
//!   (`protocols, verification, evaluations, infrastructure`, `2 1 4 3`, or `规程与共享标准、验证机制、…`);
//! - text: anything.
//!
//! A decimal comma (`2,5`) is refused rather than guessed.

use delphi_core::study::DomainId;
use serde::{Deserialize, Serialize};

use crate::AnswerSpec;

/// One expert's answer to one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", from = "StrictAnswer")]
pub enum Answer {
    Ordinal {
        point: i32,
    },
    DontKnow,
    Numeric {
        value: f64,
    },
    Quantile {
        p5: f64,
        p50: f64,
        p95: f64,
    },
    /// In 0..=1.
    Probability {
        value: f64,
    },
    /// Every option once, most preferred first.
    Ranking {
        order: Vec<DomainId>,
    },
    Text {
        text: String,
    },
}

/// An answer as read: a field that is not the answer's own is refused, never dropped (a
/// client that sends `{"kind": "ordinal", "point": 5, "comment": "…"}` must learn that its
/// comment was not kept). serde lets a unit variant of a tagged enum ignore any field, so
/// "don't know" is read as an empty struct here.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
enum StrictAnswer {
    Ordinal { point: i32 },
    DontKnow {},
    Numeric { value: f64 },
    Quantile { p5: f64, p50: f64, p95: f64 },
    Probability { value: f64 },
    Ranking { order: Vec<DomainId> },
    Text { text: String },
}

impl From<StrictAnswer> for Answer {
    fn from(read: StrictAnswer) -> Self {
        match read {
            StrictAnswer::Ordinal { point } => Self::Ordinal { point },
            StrictAnswer::DontKnow {} => Self::DontKnow,
            StrictAnswer::Numeric { value } => Self::Numeric { value },
            StrictAnswer::Quantile { p5, p50, p95 } => Self::Quantile { p5, p50, p95 },
            StrictAnswer::Probability { value } => Self::Probability { value },
            StrictAnswer::Ranking { order } => Self::Ranking { order },
            StrictAnswer::Text { text } => Self::Text { text },
        }
    }
}

/// Why a value is not a valid answer to its item. Messages speak to the expert.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnswerError {
    #[error("write a number from {min} to {max}{}, found “{found}”", if *.dont_know { " or ? for don't know" } else { "" })]
    NotAPoint { found: String, min: i32, max: i32, dont_know: bool },
    #[error("{value} is outside {min}–{max}")]
    OutsideScale { value: i64, min: i32, max: i32 },
    #[error("“don't know” is not an option here; leave the answer empty to skip the item")]
    DontKnowNotAllowed,
    #[error("write a number, found “{found}”")]
    NotANumber { found: String },
    #[error("write decimals with a point (2.5, not 2,5) and no thousands separators, found “{found}”")]
    DecimalComma { found: String },
    #[error("{value} is outside {}", range(*.min, *.max))]
    OutOfBounds { value: String, min: Option<f64>, max: Option<f64> },
    #[error("give three numbers, the 5 %, 50 % and 95 % quantiles (for example 5%: 2  50%: 5  95%: 15), found {found}")]
    QuantileCount { found: usize },
    #[error("the quantiles must be ordered 5 % ≤ 50 % ≤ 95 %, found {} ≤ {} ≤ {}", num(*.p5), num(*.p50), num(*.p95))]
    QuantileOrder { p5: f64, p50: f64, p95: f64 },
    #[error("{percent} % is outside 0–100 %")]
    ProbabilityRange { percent: String },
    #[error(
        "write the probability as a percentage from 0 to 100: 30 for 30 % (or 0.3% if you mean 0.3 %), found “{found}”"
    )]
    ProbabilityFraction { found: String },
    #[error("{}", ranking_message(.unknown, .duplicates, .missing))]
    Ranking { unknown: Vec<String>, duplicates: Vec<String>, missing: Vec<String> },
    /// On the web form, where each quantile has a field of its own: some left empty.
    #[error("fill in all three quantiles, 5 %, 50 % and 95 % (filled in: {found} of 3)")]
    QuantileFields { found: usize },
    /// On the web form, where each option gets a rank from a list: ranks given to more than
    /// one option, and options without a rank (by their titles).
    #[error("{}", ranks_message(.shared, .missing))]
    Ranks { shared: Vec<(usize, Vec<String>)>, missing: Vec<String> },
    #[error("expected {expected}")]
    WrongKind { expected: &'static str },
}

impl AnswerError {
    /// The message in `language` (Chinese for `zh*`, English otherwise).
    pub fn message(&self, language: &delphi_core::study::Language) -> String {
        if !crate::ui::is_chinese(language) {
            return self.to_string();
        }
        match self {
            Self::NotAPoint { found, min, max, dont_know } => {
                let dk = if *dont_know { "，或写 ? 表示不知道" } else { "" };
                format!("请写 {min} 到 {max} 之间的数字{dk}，收到的是“{found}”")
            }
            Self::OutsideScale { value, min, max } => format!("{value} 超出了 {min}–{max} 的范围"),
            Self::DontKnowNotAllowed => "此题没有“不知道”选项；如需跳过，请留空".to_owned(),
            Self::NotANumber { found } => format!("请写一个数字，收到的是“{found}”"),
            Self::DecimalComma { found } => {
                format!("小数请用小数点（2.5，而不是 2,5），且不要使用千位分隔符，收到的是“{found}”")
            }
            Self::OutOfBounds { value, min, max } => {
                let range = match (min, max) {
                    (Some(a), Some(b)) => format!("{}–{}", num(*a), num(*b)),
                    (Some(a), None) => format!("允许的范围（至少 {}）", num(*a)),
                    (None, Some(b)) => format!("允许的范围（至多 {}）", num(*b)),
                    (None, None) => "允许的范围".to_owned(),
                };
                format!("{value} 超出了 {range}")
            }
            Self::QuantileCount { found } => {
                format!("请写三个数字，即 5%、50% 和 95% 分位数（例如 5%: 2  50%: 5  95%: 15），收到了 {found} 个")
            }
            Self::QuantileOrder { p5, p50, p95 } => {
                format!("分位数须满足 5% ≤ 50% ≤ 95%，收到的是 {} ≤ {} ≤ {}", num(*p5), num(*p50), num(*p95))
            }
            Self::ProbabilityRange { percent } => format!("{percent}% 超出了 0–100% 的范围"),
            Self::ProbabilityFraction { found } => {
                format!("请用 0 到 100 的百分数表示概率：30 表示 30%（如指 0.3%，请写 0.3%），收到的是“{found}”")
            }
            Self::Ranking { unknown, duplicates, missing } => {
                let mut parts = Vec::new();
                if !unknown.is_empty() {
                    parts.push(format!("“{}”不是选项", unknown.join("”、“")));
                }
                if !duplicates.is_empty() {
                    parts.push(format!("{} 出现了不止一次", duplicates.join("、")));
                }
                if !missing.is_empty() {
                    parts.push(format!("缺少 {}", missing.join("、")));
                }
                format!("{}；请将每个选项按您的顺序恰好列出一次", parts.join("；"))
            }
            Self::QuantileFields { found } => {
                format!("请填写全部三个分位数（5%、50% 和 95%）：目前只填写了 {found} 个")
            }
            Self::Ranks { shared, missing } => {
                let mut parts: Vec<String> =
                    shared.iter().map(|(rank, titles)| format!("“{}”的名次都是 {rank}", titles.join("”和“"))).collect();
                if !missing.is_empty() {
                    parts.push(format!("“{}”还没有名次", missing.join("”、“")));
                }
                format!("{}；请给每个选项一个不同的名次", parts.join("；"))
            }
            Self::WrongKind { .. } => self.to_string(),
        }
    }
}

fn range(min: Option<f64>, max: Option<f64>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("{}–{}", num(a), num(b)),
        (Some(a), None) => format!("the allowed range (at least {})", num(a)),
        (None, Some(b)) => format!("the allowed range (at most {})", num(b)),
        (None, None) => "the allowed range".to_owned(),
    }
}

fn ranking_message(unknown: &[String], duplicates: &[String], missing: &[String]) -> String {
    let mut parts = Vec::new();
    if !unknown.is_empty() {
        parts.push(format!("“{}” is not one of the options", unknown.join("”, “")));
    }
    if !duplicates.is_empty() {
        parts.push(format!("{} is listed more than once", duplicates.join(", ")));
    }
    if !missing.is_empty() {
        parts.push(format!("{} is missing", missing.join(", ")));
    }
    format!("{}; list every option exactly once, in your order", parts.join("; "))
}

fn ranks_message(shared: &[(usize, Vec<String>)], missing: &[String]) -> String {
    let mut parts: Vec<String> = shared
        .iter()
        .map(|(rank, titles)| {
            let (last, rest) = titles.split_last().map_or(("", &[][..]), |(l, r)| (l.as_str(), r));
            let all = if rest.len() == 1 { "both" } else { "all" };
            format!("{} and {last} {all} have rank {rank}", rest.join(", "))
        })
        .collect();
    if !missing.is_empty() {
        let verb = if missing.len() == 1 { "has" } else { "have" };
        parts.push(format!("{} {verb} no rank yet", missing.join(", ")));
    }
    format!("{}; give each option a different rank", parts.join("; "))
}

/// A number as experts write it: shortest form that reads back exactly (`5`, `2.5`).
pub fn num(value: f64) -> String {
    format!("{value}")
}

/// Checks an answer against its item (kind and range).
pub fn validate(spec: &AnswerSpec, answer: &Answer) -> Result<(), AnswerError> {
    match (spec, answer) {
        (AnswerSpec::Ordinal { min, max, .. }, Answer::Ordinal { point }) => {
            if (*min..=*max).contains(point) {
                Ok(())
            } else {
                Err(AnswerError::OutsideScale { value: i64::from(*point), min: *min, max: *max })
            }
        }
        (AnswerSpec::Ordinal { dont_know, .. }, Answer::DontKnow) => {
            if *dont_know {
                Ok(())
            } else {
                Err(AnswerError::DontKnowNotAllowed)
            }
        }
        (AnswerSpec::Numeric { min, max, .. }, Answer::Numeric { value }) => bounded(*value, *min, *max),
        (AnswerSpec::Quantile { min, max, .. }, Answer::Quantile { p5, p50, p95 }) => {
            for v in [*p5, *p50, *p95] {
                bounded(v, *min, *max)?;
            }
            if p5 <= p50 && p50 <= p95 {
                Ok(())
            } else {
                Err(AnswerError::QuantileOrder { p5: *p5, p50: *p50, p95: *p95 })
            }
        }
        (AnswerSpec::Probability, Answer::Probability { value }) => {
            if value.is_finite() && (0.0..=1.0).contains(value) {
                Ok(())
            } else {
                Err(AnswerError::ProbabilityRange { percent: fraction_to_percent(*value) })
            }
        }
        (AnswerSpec::Ranking { options }, Answer::Ranking { order }) => {
            let names: Vec<String> = order.iter().map(ToString::to_string).collect();
            check_ranking(options, &names, Vec::new())
        }
        (AnswerSpec::Text, Answer::Text { .. }) => Ok(()),
        (spec, _) => Err(AnswerError::WrongKind { expected: kind_name(spec) }),
    }
}

fn kind_name(spec: &AnswerSpec) -> &'static str {
    match spec {
        AnswerSpec::Ordinal { .. } => "a point on the scale",
        AnswerSpec::Numeric { .. } => "a number",
        AnswerSpec::Quantile { .. } => "three quantiles",
        AnswerSpec::Probability => "a probability",
        AnswerSpec::Ranking { .. } => "a ranking",
        AnswerSpec::Text => "text",
    }
}

fn bounded(value: f64, min: Option<f64>, max: Option<f64>) -> Result<(), AnswerError> {
    let ok = value.is_finite() && min.is_none_or(|m| value >= m) && max.is_none_or(|m| value <= m);
    if ok { Ok(()) } else { Err(AnswerError::OutOfBounds { value: num(value), min, max }) }
}

fn check_ranking(options: &[crate::DomainView], names: &[String], unknown: Vec<String>) -> Result<(), AnswerError> {
    let mut duplicates = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) && !duplicates.contains(name) {
            duplicates.push(name.clone());
        }
    }
    let missing: Vec<String> =
        options.iter().map(|o| o.id.to_string()).filter(|id| !names.iter().any(|n| n == id)).collect();
    if unknown.is_empty() && duplicates.is_empty() && missing.is_empty() {
        Ok(())
    } else {
        Err(AnswerError::Ranking { unknown, duplicates, missing })
    }
}

const DONT_KNOW: [&str; 9] =
    ["?", "dk", "don't know", "dont know", "don’t know", "do not know", "不知道", "不确定", "无法判断"];

/// Reads an answer written in the text syntax. `Ok(None)`: left empty (not answered).
pub fn parse_value(spec: &AnswerSpec, value: &str) -> Result<Option<Answer>, AnswerError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let answer = match spec {
        AnswerSpec::Ordinal { min, max, labels, dont_know } => parse_ordinal(value, *min, *max, labels, *dont_know)?,
        AnswerSpec::Numeric { min, max, unit } => {
            let token = strip_unit(value, unit.as_deref());
            let v = parse_number(token)?;
            bounded(v, *min, *max)?;
            Answer::Numeric { value: v }
        }
        AnswerSpec::Quantile { min, max, unit } => {
            let Some([p5, p50, p95]) = parse_quantiles(value, unit.as_deref())? else { return Ok(None) };
            let answer = Answer::Quantile { p5, p50, p95 };
            for v in [p5, p50, p95] {
                bounded(v, *min, *max)?;
            }
            validate(spec, &answer)?;
            answer
        }
        AnswerSpec::Probability => parse_probability(value)?,
        AnswerSpec::Ranking { options } => parse_ranking(value, options)?,
        AnswerSpec::Text => Answer::Text { text: value.to_owned() },
    };
    Ok(Some(answer))
}

fn is_dont_know(value: &str) -> bool {
    let lower = value.to_lowercase();
    let lower = lower.trim_end_matches(['.', '!']);
    DONT_KNOW.contains(&lower)
}

fn parse_ordinal(value: &str, min: i32, max: i32, labels: &[String], dont_know: bool) -> Result<Answer, AnswerError> {
    if is_dont_know(value) {
        return if dont_know { Ok(Answer::DontKnow) } else { Err(AnswerError::DontKnowNotAllowed) };
    }
    let not_a_point = || AnswerError::NotAPoint { found: shorten(value), min, max, dont_know };
    let sign = usize::from(value.starts_with(['-', '+']));
    let digits = value[sign..].bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        // the label alone, as written on the form
        let lower = value.trim_end_matches('.').to_lowercase();
        return match labels.iter().position(|l| l.to_lowercase() == lower) {
            Some(i) => Ok(Answer::Ordinal { point: min + i32::try_from(i).map_err(|_| not_a_point())? }),
            None => Err(not_a_point()),
        };
    }
    let (number, rest) = value.split_at(sign + digits);
    let point: i64 = number.parse().map_err(|_| not_a_point())?;
    let rest = rest.trim_matches(|c: char| c.is_whitespace() || "-–—:=()（）.".contains(c));
    if !rest.is_empty() {
        let label = usize::try_from(point - i64::from(min)).ok().and_then(|i| labels.get(i));
        if label.is_none_or(|l| l.to_lowercase() != rest.to_lowercase()) {
            return Err(not_a_point());
        }
    }
    if point < i64::from(min) || point > i64::from(max) {
        return Err(AnswerError::OutsideScale { value: point, min, max });
    }
    Ok(Answer::Ordinal { point: i32::try_from(point).map_err(|_| not_a_point())? })
}

fn shorten(value: &str) -> String {
    let mut s: String = value.chars().take(40).collect();
    if s.len() < value.len() {
        s.push('…');
    }
    s
}

fn has_decimal_comma(value: &str) -> bool {
    let chars: Vec<char> = value.chars().collect();
    chars.windows(3).any(|w| w[0].is_ascii_digit() && w[1] == ',' && w[2].is_ascii_digit())
}

fn strip_unit<'a>(value: &'a str, unit: Option<&str>) -> &'a str {
    let value = value.trim();
    match unit {
        Some(unit) if !unit.is_empty() && value.len() > unit.len() => {
            let cut = value.len() - unit.len();
            if value.is_char_boundary(cut) && value[cut..].eq_ignore_ascii_case(unit) {
                value[..cut].trim()
            } else {
                value
            }
        }
        _ => value,
    }
}

/// A finite number in plain or scientific notation.
pub fn parse_number(token: &str) -> Result<f64, AnswerError> {
    let token = token.trim();
    if has_decimal_comma(token) {
        return Err(AnswerError::DecimalComma { found: shorten(token) });
    }
    let plain = token.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
        && token.bytes().any(|b| b.is_ascii_digit())
        && !token.starts_with(['e', 'E']);
    match token.parse::<f64>() {
        Ok(v) if plain && v.is_finite() => Ok(if v == 0.0 { 0.0 } else { v }),
        _ => Err(AnswerError::NotANumber { found: shorten(token) }),
    }
}

fn quantile_label(token: &str) -> Option<usize> {
    match token.to_lowercase().as_str() {
        "5%" | "p5" | "p05" | "q5" | "q05" => Some(0),
        "50%" | "p50" | "q50" => Some(1),
        "95%" | "p95" | "q95" => Some(2),
        _ => None,
    }
}

fn parse_quantiles(value: &str, unit: Option<&str>) -> Result<Option<[f64; 3]>, AnswerError> {
    if has_decimal_comma(value) {
        return Err(AnswerError::DecimalComma { found: shorten(value) });
    }
    let spaced = value.replace([',', ';', '|'], " ");
    let mut slots: [Option<f64>; 3] = [None; 3];
    let mut pending: Option<usize> = None;
    let mut numbers = 0usize;
    let mut overfull = false;
    for raw in spaced.split_whitespace() {
        let (label, rest) = match raw.split_once([':', '=']) {
            Some((l, r)) => (Some(l), r),
            None => (None, raw),
        };
        if let Some(label) = label {
            match quantile_label(label) {
                Some(slot) => pending = Some(slot),
                None => return Err(AnswerError::NotANumber { found: shorten(raw) }),
            }
        } else if let Some(slot) = quantile_label(rest) {
            pending = Some(slot);
            continue;
        }
        if rest.is_empty() || unit.is_some_and(|u| rest.eq_ignore_ascii_case(u)) {
            continue;
        }
        let rest = unit.filter(|u| !u.is_empty()).and_then(|u| rest.strip_suffix(u)).unwrap_or(rest);
        let v = parse_number(rest)?;
        numbers += 1;
        let slot = pending.take().or_else(|| slots.iter().position(Option::is_none));
        match slot {
            Some(s) if slots[s].is_none() => slots[s] = Some(v),
            _ => overfull = true,
        }
    }
    if numbers == 0 {
        return Ok(None);
    }
    match slots {
        [Some(a), Some(b), Some(c)] if !overfull => Ok(Some([a, b, c])),
        _ => Err(AnswerError::QuantileCount { found: numbers }),
    }
}

fn parse_probability(value: &str) -> Result<Answer, AnswerError> {
    let percent_sign = value.ends_with('%');
    let token = value.trim_end_matches('%').trim();
    if token.is_empty() {
        return Err(AnswerError::NotANumber { found: shorten(value) });
    }
    let v = parse_number(token)?;
    if !percent_sign && token.contains('.') && v > 0.0 && v < 1.0 {
        return Err(AnswerError::ProbabilityFraction { found: shorten(value) });
    }
    if !(0.0..=100.0).contains(&v) {
        return Err(AnswerError::ProbabilityRange { percent: num(v) });
    }
    let fraction = percent_to_fraction(token).unwrap_or(v / 100.0);
    Ok(Answer::Probability { value: fraction })
}

/// Moves the decimal point of a plain decimal two places left, so that `7` reads as
/// exactly the `f64` nearest to 0.07 (division by 100 would not always be).
fn percent_to_fraction(token: &str) -> Option<f64> {
    let token = token.trim_start_matches('+');
    if !token.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let (int, frac) = token.split_once('.').unwrap_or((token, ""));
    let int = format!("{int:0>3}");
    let (head, tail) = int.split_at(int.len() - 2);
    format!("{head}.{tail}{frac}").parse().ok()
}

/// A probability in 0..=1 as the percentage an expert writes: `0.07` → `7`, exactly.
pub fn fraction_to_percent(value: f64) -> String {
    let s = num(value);
    if s.contains(['e', 'E', 'N', 'i']) || s.starts_with('-') {
        return num(value * 100.0);
    }
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let frac = format!("{frac:0<2}");
    let (moved, rest) = frac.split_at(2);
    let int = format!("{int}{moved}");
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let rest = rest.trim_end_matches('0');
    if rest.is_empty() { int.to_owned() } else { format!("{int}.{rest}") }
}

fn parse_ranking(value: &str, options: &[crate::DomainView]) -> Result<Answer, AnswerError> {
    // titles as written on the form (they may contain spaces) become their ids first
    let mut value = value.to_lowercase();
    let mut by_length: Vec<&crate::DomainView> = options.iter().collect();
    by_length.sort_by_key(|o| std::cmp::Reverse(o.title.chars().count()));
    for option in by_length {
        let title = option.title.to_lowercase();
        if !title.is_empty() {
            value = value.replace(&title, &format!(" {} ", option.id));
        }
    }
    let mut order = Vec::new();
    let mut names = Vec::new();
    let mut unknown = Vec::new();
    for token in value.split(|c: char| c.is_whitespace() || ",;>/、".contains(c)) {
        // `1.` or `2)` enumerate the list; they are not option numbers
        let enumerator = token.ends_with(['.', ')']) && token.trim_end_matches(['.', ')']).parse::<usize>().is_ok();
        let token = token.trim_end_matches(['.', ')']).trim_start_matches('(');
        if token.is_empty() || enumerator {
            continue;
        }
        let by_number = token.parse::<usize>().ok().and_then(|n| n.checked_sub(1)).and_then(|i| options.get(i));
        let found = by_number.or_else(|| options.iter().find(|o| o.id.as_str().eq_ignore_ascii_case(token)));
        match found {
            Some(option) => {
                order.push(option.id.clone());
                names.push(option.id.to_string());
            }
            None => unknown.push(shorten(token)),
        }
    }
    check_ranking(options, &names, unknown)?;
    Ok(Answer::Ranking { order })
}

/// An answer written in the text syntax, so that [`parse_value`] reads it back exactly.
pub fn format_value(answer: &Answer) -> String {
    match answer {
        Answer::Ordinal { point } => point.to_string(),
        Answer::DontKnow => "?".to_owned(),
        Answer::Numeric { value } => num(*value),
        Answer::Quantile { p5, p50, p95 } => format!("5%: {}  50%: {}  95%: {}", num(*p5), num(*p50), num(*p95)),
        Answer::Probability { value } => format!("{}%", fraction_to_percent(*value)),
        Answer::Ranking { order } => order.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
        Answer::Text { text } => text.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_with_a_field_of_its_own_kind_only_is_read_and_any_other_field_is_refused() {
        let read = |json: &str| serde_json::from_str::<Answer>(json);
        assert_eq!(read(r#"{"kind": "ordinal", "point": 5}"#).unwrap(), Answer::Ordinal { point: 5 });
        assert_eq!(read(r#"{"kind": "dont-know"}"#).unwrap(), Answer::DontKnow);
        for extra in [
            r#"{"kind": "ordinal", "point": 5, "comment": "kept?"}"#,
            r#"{"kind": "dont-know", "point": 5}"#,
            r#"{"kind": "probability", "value": 0.2, "p50": 0.3}"#,
            r#"{"kind": "text", "text": "a", "html": "<b>a</b>"}"#,
        ] {
            let error = read(extra).expect_err(extra).to_string();
            assert!(error.contains("unknown field"), "{extra}: {error}");
        }
    }

    fn ordinal() -> AnswerSpec {
        AnswerSpec::Ordinal {
            min: 1,
            max: 7,
            labels: ["Very low", "Low", "Somewhat low", "Moderate", "Somewhat high", "High", "Very high"]
                .map(String::from)
                .to_vec(),
            dont_know: true,
        }
    }

    #[test]
    fn ordinal_values() {
        let spec = ordinal();
        assert_eq!(parse_value(&spec, " 5 "), Ok(Some(Answer::Ordinal { point: 5 })));
        assert_eq!(parse_value(&spec, "5 (Somewhat high)"), Ok(Some(Answer::Ordinal { point: 5 })));
        assert_eq!(parse_value(&spec, "?"), Ok(Some(Answer::DontKnow)));
        assert_eq!(parse_value(&spec, "Don't know."), Ok(Some(Answer::DontKnow)));
        assert_eq!(parse_value(&spec, ""), Ok(None));
        assert_eq!(parse_value(&spec, "9").unwrap_err().to_string(), "9 is outside 1–7");
        assert!(parse_value(&spec, "5.5").is_err());
        assert!(parse_value(&spec, "5 High").is_err());
        assert!(parse_value(&spec, "hig").is_err());
        assert_eq!(parse_value(&spec, "somewhat high"), Ok(Some(Answer::Ordinal { point: 5 })));
    }

    #[test]
    fn numbers_within_bounds_with_an_optional_unit() {
        let spec = AnswerSpec::Numeric { min: Some(0.0), max: None, unit: Some("papers".into()) };
        assert_eq!(parse_value(&spec, "12 papers"), Ok(Some(Answer::Numeric { value: 12.0 })));
        assert_eq!(parse_value(&spec, "1.5e3"), Ok(Some(Answer::Numeric { value: 1500.0 })));
        assert_eq!(parse_value(&spec, "-0"), Ok(Some(Answer::Numeric { value: 0.0 })));
        assert!(matches!(parse_value(&spec, "-1"), Err(AnswerError::OutOfBounds { .. })));
        assert!(matches!(parse_value(&spec, "1,000"), Err(AnswerError::DecimalComma { .. })));
        assert!(matches!(parse_value(&spec, "NaN"), Err(AnswerError::NotANumber { .. })));
        assert!(matches!(parse_value(&spec, "inf"), Err(AnswerError::NotANumber { .. })));
        assert_eq!(parse_value(&spec, "-1").unwrap_err().to_string(), "-1 is outside the allowed range (at least 0)");
    }

    #[test]
    fn percentages_convert_exactly() {
        for (text, fraction) in
            [("7", 0.07), ("30%", 0.3), ("0.5%", 0.005), ("100", 1.0), ("0", 0.0), ("12.25", 0.1225)]
        {
            assert_eq!(parse_value(&AnswerSpec::Probability, text), Ok(Some(Answer::Probability { value: fraction })));
        }
        for fraction in [0.07, 0.3, 0.005, 1.0, 0.0, 0.1225, 0.123_456_789, 1e-9] {
            let text = format_value(&Answer::Probability { value: fraction });
            assert_eq!(parse_value(&AnswerSpec::Probability, &text), Ok(Some(Answer::Probability { value: fraction })));
        }
        assert!(matches!(parse_value(&AnswerSpec::Probability, "0.3"), Err(AnswerError::ProbabilityFraction { .. })));
        assert!(matches!(parse_value(&AnswerSpec::Probability, "130"), Err(AnswerError::ProbabilityRange { .. })));
    }

    #[test]
    fn quantiles_labelled_or_in_order() {
        let spec = AnswerSpec::Quantile { min: Some(0.0), max: Some(50.0), unit: Some("years".into()) };
        let q = Some(Answer::Quantile { p5: 2.0, p50: 5.0, p95: 15.5 });
        assert_eq!(parse_value(&spec, "5%: 2  50%: 5  95%: 15.5"), Ok(q.clone()));
        assert_eq!(parse_value(&spec, "2; 5; 15.5 years"), Ok(q.clone()));
        assert_eq!(parse_value(&spec, "95%=15.5 5%=2 50%=5"), Ok(q.clone()));
        let zh = AnswerSpec::Quantile { min: Some(0.0), max: Some(50.0), unit: Some("年".into()) };
        assert_eq!(parse_value(&zh, "2年 5年 15.5年"), Ok(q));
        assert_eq!(parse_value(&spec, "5%:  50%:  95%: "), Ok(None));
        assert!(matches!(parse_value(&spec, "5%: 2 50%: 95%:"), Err(AnswerError::QuantileCount { found: 1 })));
        assert!(matches!(parse_value(&spec, "10 5 20"), Err(AnswerError::QuantileOrder { .. })));
        assert!(matches!(parse_value(&spec, "1 5 80"), Err(AnswerError::OutOfBounds { .. })));
        assert!(matches!(parse_value(&spec, "2,5 5 10"), Err(AnswerError::DecimalComma { .. })));
    }
}
