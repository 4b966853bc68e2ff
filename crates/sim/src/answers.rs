//! How the simulated experts answer: their views per area and bloc, their drift toward the
//! feedback they are shown, their rationales, forecasts and drop-out.

use std::collections::BTreeMap;

use delphi_core::rng::Rng;
use delphi_core::study::{DomainId, QuantileLevels, is_chinese_code};
use delphi_survey::answer::{Answer, QuantileValues};
use delphi_survey::{AnswerSpec, DomainView, Item, Questionnaire};

use crate::panel::SimulatedExpert;

/// What an expert does in a round.
#[derive(Debug, Clone, PartialEq)]
pub enum Turn {
    /// Nothing: they dropped out in an earlier round.
    Gone,
    /// They drop out in this round, without answering.
    DropsOut,
    /// Their answers, by item id.
    Answers(BTreeMap<String, Answer>),
}

impl SimulatedExpert {
    /// The expert's turn in `round`: they drop out with chance `dropout` (per round, while
    /// they still answer), or answer `shown`, the questionnaire with the group's feedback.
    pub fn take_turn(&mut self, shown: &Questionnaire, round: u32, dropout: f64) -> Turn {
        let mut rng = Rng::stream(self.seed, &[self.index, u64::from(round), 1]);
        if self.dropped_out {
            return Turn::Gone;
        }
        if rng.chance(dropout) {
            self.dropped_out = true;
            return Turn::DropsOut;
        }
        Turn::Answers(self.answer(shown, round, &mut rng))
    }

    /// The expert's answers to `shown`, by item: the ratings first, since the rationales and
    /// the ranking follow from them.
    fn answer(&mut self, shown: &Questionnaire, round: u32, rng: &mut Rng) -> BTreeMap<String, Answer> {
        let mut answers = BTreeMap::new();
        for item in &shown.items {
            match &item.answer {
                AnswerSpec::Ordinal { min, max, dont_know, .. } => {
                    let rating = self.rating(item, (f64::from(*min), f64::from(*max)), *dont_know, rng);
                    answers.insert(item.id.as_str().to_owned(), rating);
                }
                AnswerSpec::Numeric { .. }
                | AnswerSpec::Quantile { .. }
                | AnswerSpec::Probability
                | AnswerSpec::Ranking { .. }
                | AnswerSpec::Text => {}
            }
        }
        for item in &shown.items {
            let key = item.id.as_str().to_owned();
            let answer = match &item.answer {
                AnswerSpec::Ordinal { .. } => continue,
                AnswerSpec::Text => match self.comment(item, shown, &answers, round, rng) {
                    Some(text) => Answer::Text { text },
                    None => continue,
                },
                AnswerSpec::Ranking { options, .. } => ranking(options, &answers, rng),
                // Forecasts and calibration answers are kept from round to round.
                AnswerSpec::Probability | AnswerSpec::Quantile { .. } | AnswerSpec::Numeric { .. }
                    if self.previous.contains_key(&key) =>
                {
                    self.previous[&key].clone()
                }
                AnswerSpec::Probability => {
                    let percent = (25.0 + 12.0 * rng.normal()).round().clamp(2.0, 90.0);
                    Answer::Probability { value: percent / 100.0 }
                }
                AnswerSpec::Quantile { min, max, levels, .. } => {
                    let bounds = (min.unwrap_or(0.0), max.unwrap_or(100.0));
                    Answer::Quantile(quantiles(&key, bounds, *levels, rng))
                }
                AnswerSpec::Numeric { min, max, .. } => {
                    let (low, high) = (min.unwrap_or(0.0), max.unwrap_or(100.0));
                    Answer::Numeric { value: (f64::midpoint(low, high) + rng.normal()).round().clamp(low, high) }
                }
            };
            answers.insert(key, answer);
        }
        self.previous = answers.clone();
        answers
    }

    /// A rating on `min..=max`: in round 1 (or for an item new in this round) the expert's own
    /// view; later, most move toward the median they were shown, holdouts stay.
    fn rating(&self, item: &Item, (min, max): (f64, f64), dont_know: bool, rng: &mut Rng) -> Answer {
        let median = item.feedback.as_ref().and_then(|f| f.median);
        match (self.previous.get(item.id.as_str()), median) {
            (None, _) | (Some(_), None) => {
                if dont_know && rng.chance(0.03) {
                    Answer::DontKnow
                } else {
                    let domain = item.domain.as_ref().map_or("", |d| d.as_str());
                    let criterion = item.criterion.as_ref().map_or("", |c| c.as_str());
                    let centre = view(domain, criterion, self.bloc).unwrap_or(f64::midpoint(min, max));
                    let point = (centre + 0.9 * rng.normal()).round().clamp(min, max);
                    Answer::Ordinal { point: point as i32 }
                }
            }
            (Some(previous), Some(median)) => match previous {
                Answer::Ordinal { point } if !self.holdout && rng.chance(0.65) => {
                    let point = f64::from(*point);
                    let step = (median - point) * 0.6;
                    let moved = if step.abs() < 0.5 && (median - point).abs() >= 1.0 {
                        point + step.signum()
                    } else {
                        (point + step).round()
                    };
                    Answer::Ordinal { point: moved.clamp(min, max) as i32 }
                }
                Answer::DontKnow if rng.chance(0.5) => Answer::Ordinal { point: median.round() as i32 },
                kept => kept.clone(),
            },
        }
    }

    /// What the expert writes in a text item, if anything: in an area, the reason for their
    /// ratings (a holdout whose recommendation is off the group's median says they keep it);
    /// outside the areas, in round 1 now and then, a proposal.
    fn comment(
        &self,
        item: &Item,
        shown: &Questionnaire,
        answers: &BTreeMap<String, Answer>,
        round: u32,
        rng: &mut Rng,
    ) -> Option<String> {
        let chinese = is_chinese_code(self.language);
        let Some(domain) = &item.domain else {
            let proposal = if chinese {
                "联合建立人工智能事件数据库。"
            } else {
                "A joint database of AI incidents."
            };
            return (round == 1 && rng.chance(0.2)).then(|| proposal.to_owned());
        };
        let because = reason(domain.as_str(), favour(answers, domain.as_str()) > 0.0, chinese);
        let anchor = format!("{}.recommendation", domain.as_str());
        let shown_median = shown
            .items
            .iter()
            .find(|i| i.id.as_str() == anchor)
            .and_then(|i| i.feedback.as_ref())
            .and_then(|f| f.median);
        let differs =
            shown_median.zip(point(answers, &anchor)).is_some_and(|(median, own)| (median - own).abs() >= 1.0);
        if round > 1 && self.holdout && differs {
            Some(if chinese {
                format!("看过小组反馈后我维持原评分：{because}")
            } else {
                format!("I keep my ratings after the feedback: {because}")
            })
        } else if round == 1 && rng.chance(0.5) {
            Some(because.to_owned())
        } else if round > 1 && rng.chance(0.15) {
            let moved = if chinese {
                "参考小组反馈后调整了评分。"
            } else {
                "I moved toward the group after reading the feedback."
            };
            Some(moved.to_owned())
        } else {
            None
        }
    }
}

/// The rating given to item `key`, if it is one.
fn point(answers: &BTreeMap<String, Answer>, key: &str) -> Option<f64> {
    match answers.get(key) {
        Some(Answer::Ordinal { point }) => Some(f64::from(*point)),
        _ => None,
    }
}

/// How favourable an area looks to an expert with these ratings: benefit against worst risk.
fn favour(answers: &BTreeMap<String, Answer>, domain: &str) -> f64 {
    let benefit = point(answers, &format!("{domain}.benefit")).unwrap_or(4.0);
    let risk = ["risk-capabilities", "risk-information", "risk-harm"]
        .iter()
        .filter_map(|c| point(answers, &format!("{domain}.{c}")))
        .fold(1.0, f64::max);
    benefit - risk
}

/// The areas ranked by how favourable they look, give or take a little.
fn ranking(options: &[DomainView], answers: &BTreeMap<String, Answer>, rng: &mut Rng) -> Answer {
    let mut scored: Vec<(f64, &DomainId)> =
        options.iter().map(|o| (favour(answers, o.id.as_str()) + 0.3 * rng.normal(), &o.id)).collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    Answer::Ranking { order: scored.into_iter().map(|(_, d)| d.clone()).collect() }
}

/// A quantity forecast at the item's `levels`, around a plausible centre for the shipped
/// study's questions, within `(low, high)`.
fn quantiles(key: &str, (low, high): (f64, f64), levels: QuantileLevels, rng: &mut Rng) -> QuantileValues {
    let centre = match key {
        "years-to-first-agreement" => 6.0,
        "seed-bletchley-countries" => 28.0,
        "seed-eo14110-threshold" => 26.0,
        _ => f64::midpoint(low, high),
    };
    let p50 = (centre * (1.0 + 0.25 * rng.normal())).round().clamp(low + 1.0, high - 1.0);
    let spread = (centre * (0.2 + 0.3 * rng.next_f64())).round().max(1.0);
    // each level as far from the median as it is from 50 %, within the bounds
    let values = levels
        .percents()
        .map(|p| {
            let v = p50 + spread * (f64::from(p) - 50.0) / 45.0;
            if p < 50 { v.max(low) } else { v.min(high) }
        })
        .collect();
    QuantileValues::new(levels, values).expect("one value per level")
}

/// Where an expert of `bloc` stands, in round 1 before their own noise, on `criterion` of
/// `domain` (on the criterion's scale: 1–7 for benefit and risks, 1–5 for the recommendation).
/// Verification and protocols: high benefit, low risk; evaluations: high risk; infrastructure:
/// in between. The rival blocs differ somewhat.
fn view(domain: &str, criterion: &str, bloc: &str) -> Option<f64> {
    let base = match (domain, criterion) {
        ("verification", "benefit") => 6.0,
        ("verification", "risk-capabilities") => 2.2,
        ("verification", "risk-information") => 2.6,
        ("verification", "risk-harm") => 2.4,
        ("verification", "recommendation") => 4.4,
        ("protocols", "benefit") => 5.6,
        ("protocols", "risk-capabilities") => 2.0,
        ("protocols", "risk-information") => 2.3,
        ("protocols", "risk-harm") => 2.2,
        ("protocols", "recommendation") => 4.3,
        ("infrastructure", "benefit") => 5.2,
        ("infrastructure", "risk-capabilities") => 3.6,
        ("infrastructure", "risk-information") => 4.6,
        ("infrastructure", "risk-harm") => 4.2,
        ("infrastructure", "recommendation") => 3.2,
        ("evaluations", "benefit") => 4.4,
        ("evaluations", "risk-capabilities") => 6.0,
        ("evaluations", "risk-information") => 5.2,
        ("evaluations", "risk-harm") => 4.8,
        ("evaluations", "recommendation") => 2.6,
        _ => return None,
    };
    let shift = match (bloc, domain, criterion) {
        ("US", "verification", "benefit") => 0.4,
        ("US", "evaluations", "risk-capabilities") => 0.5,
        ("US", "infrastructure", "risk-information") => 0.5,
        ("China", "verification", "risk-information") => 0.8,
        ("China", "verification", "benefit") => -0.5,
        ("China", "protocols", "benefit") => 0.4,
        ("China", "evaluations", "benefit") => 0.5,
        ("China", "infrastructure", "recommendation") => 0.6,
        ("Europe", "protocols", "benefit") => 0.3,
        ("Europe", "infrastructure", "benefit") => 0.4,
        _ => 0.0,
    };
    Some(base + shift)
}

/// Short, made-up reasons per area: for cooperation, and against it.
fn reason(domain: &str, favourable: bool, chinese: bool) -> &'static str {
    match (domain, favourable, chinese) {
        ("verification", true, false) => {
            "Hardware-based checks let each side verify claims without trusting the other."
        }
        ("verification", true, true) => "基于硬件的核查让双方无需互信即可验证对方的声明。",
        ("verification", false, false) => "Verification could expose sensitive details of chips and data centres.",
        ("verification", false, true) => "核查可能暴露芯片和数据中心的敏感细节。",
        ("protocols", true, false) => {
            "Shared incident formats and red-teaming protocols cost little and help everyone."
        }
        ("protocols", true, true) => "共享事件报告格式和红队测试规程成本低，对各方都有益。",
        ("protocols", false, false) => "Standards move slowly; an agreement may stay on paper.",
        ("protocols", false, true) => "标准制定进展缓慢，协议可能停留在纸面上。",
        ("infrastructure", true, false) => "Joint evaluation platforms would spread good practice.",
        ("infrastructure", true, true) => "联合评测平台有助于推广良好实践。",
        ("infrastructure", false, false) => "Shared infrastructure is a target for espionage and sabotage.",
        ("infrastructure", false, true) => "共享基础设施容易成为间谍和破坏活动的目标。",
        ("evaluations", true, false) => "Joint tests of dangerous capabilities would build trust.",
        ("evaluations", true, true) => "联合开展危险能力测试有助于建立信任。",
        ("evaluations", false, false) => "Joint capability tests could reveal what frontier models can do.",
        ("evaluations", false, true) => "联合能力测试可能泄露前沿模型的能力。",
        (_, _, false) => "No strong view either way.",
        (_, _, true) => "没有明确倾向。",
    }
}
