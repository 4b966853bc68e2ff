//! The feedback a round freezes: the previous round's group figures and anonymous
//! rationales, built from the statistics engine's summary (the frozen questionnaires
//! themselves are `delphi_survey::FrozenRound`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::{Context, Result};
use delphi_core::Study;
use delphi_core::study::{CriterionId, DomainId, ItemId, Language, QuantileLevels, ResponseKind, StudyId};
use delphi_stats::StudySummary;
use delphi_stats::item::numeric_summary;
use delphi_stats::summarise::ItemResult;
use delphi_store::{CurrentAnswer, Store};
use delphi_survey::FrozenRound;
use delphi_survey::answer::{Answer, QuantileValues, RankOrder};
use delphi_survey::feedback::{
    ItemFeedback, OptionRanks, OwnAnswer, PointCount, Pooled, Rationale, Rationales, RoundFeedback, group_identical,
    rationale_id,
};

/// What a round's rationales carry besides their text, read from the store: the language
/// each author answered in (by pseudonym, only to tell the language), the coordinator's
/// imported translations and featured rationales (by rationale id).
#[derive(Debug, Default)]
pub(crate) struct RationaleContext {
    languages: HashMap<String, Language>,
    translations: HashMap<String, BTreeMap<Language, String>>,
    featured: BTreeSet<String>,
}

impl RationaleContext {
    /// The context of round `round`'s rationales.
    pub(crate) fn load(store: &Store, study_id: &StudyId, round: u32) -> Result<Self> {
        let languages = store
            .languages_by_pseudonym(study_id)?
            .into_iter()
            .filter_map(|(pseudonym, code)| Some((pseudonym, Language::parse(&code)?)))
            .collect();
        let mut translations: HashMap<String, BTreeMap<Language, String>> = HashMap::new();
        for t in store.translations(study_id, round)? {
            if let Some(language) = Language::parse(&t.language) {
                translations.entry(t.rationale_id).or_default().insert(language, t.text);
            }
        }
        Ok(Self { languages, translations, featured: store.featured_rationales(study_id, round)? })
    }

    /// The rationale `text`, written to `item` by `pseudonym`, with its language, translations
    /// and featured mark.
    pub(crate) fn rationale(&self, item: &ItemId, pseudonym: &str, text: String) -> Rationale {
        let id = rationale_id(item.as_str(), &text);
        Rationale {
            language: self.languages.get(pseudonym).cloned(),
            translations: self.translations.get(&id).cloned().unwrap_or_default(),
            featured: self.featured.contains(&id),
            text,
        }
    }
}

/// One rationale as written: the text item it answers, its author's pseudonym (never shown;
/// only to place it and tell its language) and its trimmed, non-empty text.
pub(crate) struct WrittenRationale<'a> {
    pub(crate) item: ItemId,
    pub(crate) pseudonym: &'a str,
    pub(crate) text: String,
}

/// A domain's rationales as written in a round: the answers to its free-text criteria.
pub(crate) fn written_rationales<'a>(
    study: &Study,
    answers: &'a [CurrentAnswer],
    domain: &DomainId,
) -> Vec<WrittenRationale<'a>> {
    let mut written = Vec::new();
    for criterion in study.criteria.iter().filter(|c| c.response == ResponseKind::Text) {
        let item = ItemId::for_domain_criterion(domain, &criterion.id);
        for answer in answers.iter().filter(|a| a.item_id == item.as_str()) {
            let Ok(Answer::Text { text }) = serde_json::from_value::<Answer>(answer.value.clone()) else { continue };
            let text = text.trim();
            if !text.is_empty() {
                written.push(WrittenRationale {
                    item: item.clone(),
                    pseudonym: &answer.pseudonym,
                    text: text.to_owned(),
                });
            }
        }
    }
    written
}

/// Loads the frozen questionnaires of a round.
pub(crate) fn load(store: &Store, study_id: &StudyId, round: u32) -> Result<FrozenRound> {
    let json = store.questionnaire(study_id, round)?.with_context(|| format!("round {round} does not exist"))?;
    serde_json::from_str(&json).with_context(|| format!("the frozen questionnaire of round {round} is unreadable"))
}

/// The group feedback of round `round` (no expert's own answer): per ordinal and numeric
/// item the distribution, median and quartiles; per quantile item the pool and the spread
/// of the experts' medians; per ranking item the mean ranks and positions; per shared text
/// item the answers, deduplicated; per domain the rationales, grouped by where their
/// author's rating of the synthesis' recommendation (or benefit) criterion lay.
pub(crate) fn group_feedback(
    study: &Study,
    summary: &StudySummary,
    answers: &[CurrentAnswer],
    round: u32,
    context: &RationaleContext,
) -> RoundFeedback {
    // Feedback goes to the items of the next round: an item asked again gets its own
    // figures, a rewording or split part gets those of the item it continues.
    let next = study.questions_in_round(round + 1);
    let count = |x: u64| u32::try_from(x).unwrap_or(u32::MAX);
    let mut items = BTreeMap::new();
    for question in &next {
        if let Some(shared) = shared_answers(study, answers, question.continues.as_ref().unwrap_or(&question.id)) {
            items.insert(question.id.clone(), shared);
            continue;
        }
        // An item the summary lists for the round without any answer (a rewording first
        // asked in the next round) takes its figures from the item it continues.
        let listed = |id: &ItemId| summary.items.iter().find(|i| i.round == round && i.item.as_str() == id.as_str());
        let answered_before = |id: &ItemId| listed(id).filter(|i| answered(&i.result));
        let Some(item_round) = answered_before(&question.id)
            .or_else(|| question.continues.as_ref().and_then(answered_before))
            .or_else(|| listed(&question.id))
        else {
            continue;
        };
        let feedback = match (&item_round.result, &question.response) {
            (ItemResult::Ordinal(o), ResponseKind::Ordinal { scale }) => {
                let Some(scale) = study.scale(scale) else { continue };
                ItemFeedback {
                    n: count(o.n + o.dont_know),
                    median: o.median.value(),
                    q1: o.q1.value(),
                    q3: o.q3.value(),
                    distribution: scale
                        .points()
                        .zip(&o.counts)
                        .map(|(point, &n)| PointCount { point, count: count(n) })
                        .collect(),
                    dont_know: count(o.dont_know),
                    own: OwnAnswer::NotPersonalised,
                    rationales: Rationales::default(),
                    ..ItemFeedback::default()
                }
            }
            (ItemResult::Numeric(n), _) => ItemFeedback {
                n: count(n.n + n.dont_know),
                median: n.median.value(),
                q1: n.q1.value(),
                q3: n.q3.value(),
                dont_know: count(n.dont_know),
                ..ItemFeedback::default()
            },
            (ItemResult::Quantile(q), _) => {
                let mut medians: Vec<f64> = answers_to(answers, item_round.item.as_str())
                    .filter_map(|a| match a {
                        Answer::Quantile(q) => Some(q.median()),
                        _ => None,
                    })
                    .collect();
                // The same quantile definition as the report's numeric figures.
                let spread = numeric_summary(&mut medians, q.dont_know, &study.consensus, None);
                // The pool at the quantiles the item asks, as the expert answers them.
                let levels =
                    QuantileLevels::new(&q.pool.asked.iter().map(|a| i64::from(a.percent)).collect::<Vec<_>>());
                let values: Option<Vec<f64>> = q.pool.asked.iter().map(|a| a.value.value()).collect();
                let pooled = match (levels, values) {
                    (Ok(levels), Some(values)) => QuantileValues::new(levels, values).map(Pooled),
                    _ => None,
                };
                ItemFeedback {
                    n: count(q.n + q.dont_know),
                    median: spread.median.value(),
                    q1: spread.q1.value(),
                    q3: spread.q3.value(),
                    dont_know: count(q.dont_know),
                    pooled,
                    ..ItemFeedback::default()
                }
            }
            (ItemResult::Ranking(r), _) => ItemFeedback {
                n: count(r.n + r.dont_know),
                dont_know: count(r.dont_know),
                ranks: option_ranks(
                    &r.kendall.mean_ranks,
                    answers_to(answers, item_round.item.as_str()).filter_map(|a| match a {
                        Answer::Ranking { order } => Some(order),
                        _ => None,
                    }),
                ),
                ..ItemFeedback::default()
            },
            // A distribution is drawn over the points of the question's scale.
            (
                ItemResult::Ordinal(_),
                ResponseKind::Numeric { .. }
                | ResponseKind::Quantile { .. }
                | ResponseKind::Probability
                | ResponseKind::RankingOfDomains { .. }
                | ResponseKind::Text,
            ) => continue,
        };
        items.insert(question.id.clone(), feedback);
    }
    attach_rationales(study, answers, context, &mut items);
    RoundFeedback { round, items }
}

/// Whether anyone answered the item in the round (don't-know included).
fn answered(result: &ItemResult) -> bool {
    let (n, dont_know) = match result {
        ItemResult::Ordinal(o) => (o.n, o.dont_know),
        ItemResult::Numeric(n) => (n.n, n.dont_know),
        ItemResult::Quantile(q) => (q.n, q.dont_know),
        ItemResult::Ranking(r) => (r.n, r.dont_know),
    };
    n + dont_know > 0
}

/// The valid answers of a round to item `id`.
fn answers_to<'a>(answers: &'a [CurrentAnswer], id: &'a str) -> impl Iterator<Item = Answer> + 'a {
    answers.iter().filter(move |a| a.item_id == id).filter_map(|a| serde_json::from_value(a.value.clone()).ok())
}

/// The answers to a text item the study shares (`share_answers`), grouped; `None` for any
/// other item.
fn shared_answers(study: &Study, answers: &[CurrentAnswer], id: &ItemId) -> Option<ItemFeedback> {
    study.items.iter().find(|i| &i.id == id && i.share_answers && i.response == ResponseKind::Text)?;
    let texts: Vec<String> = answers_to(answers, id.as_str())
        .filter_map(|a| match a {
            Answer::Text { text } => Some(text),
            _ => None,
        })
        .collect();
    let proposals = group_identical(texts.iter().map(String::as_str));
    let n = u32::try_from(texts.len()).unwrap_or(u32::MAX);
    Some(ItemFeedback { n, proposals, ..ItemFeedback::default() })
}

/// Each option's mean rank (the statistics engine's, by option id: a tie counts as the mean
/// of the places it shares) and how many of `rankings` put it in each place (a tie at the
/// first place it shares, so that each option's counts still add up to the experts who
/// ranked it).
fn option_ranks(
    mean_ranks: &[(String, delphi_stats::Figure)],
    rankings: impl Iterator<Item = RankOrder>,
) -> Vec<OptionRanks> {
    let mut ranks: Vec<OptionRanks> = mean_ranks
        .iter()
        .map(|(option, mean)| OptionRanks {
            option: option.clone(),
            mean_rank: mean.value(),
            positions: vec![0; mean_ranks.len()],
        })
        .collect();
    for order in rankings {
        for (place, option) in order.places() {
            if let Some(slot) = ranks
                .iter_mut()
                .find(|r| r.option == option.as_str())
                .and_then(|r| r.positions.get_mut(place.first - 1))
            {
                *slot += 1;
            }
        }
    }
    ranks
}

/// Puts each domain's free-text rationales on the domain's anchor item, by position.
fn attach_rationales(
    study: &Study,
    answers: &[CurrentAnswer],
    context: &RationaleContext,
    items: &mut BTreeMap<ItemId, ItemFeedback>,
) {
    for domain in &study.domains {
        let Some(criterion) = rationale_anchor(study) else { return };
        let anchor = ItemId::for_domain_criterion(&domain.id, criterion);
        let Some(feedback) = items.get_mut(&anchor) else { continue };
        let Some(median) = feedback.median else { continue };
        feedback.rationales = rationales_by_position(study, answers, &domain.id, median, context);
    }
}

/// The criterion a domain's rationales are placed by: the synthesis' recommendation, or
/// else its benefit; without a `[synthesis]`, the first ordinal criterion (none: no anchor).
pub(crate) fn rationale_anchor(study: &Study) -> Option<&CriterionId> {
    match &study.synthesis {
        Some(s) => Some(s.recommendation.as_ref().unwrap_or(&s.benefit)),
        None => study.criteria.iter().find(|c| matches!(c.response, ResponseKind::Ordinal { .. })).map(|c| &c.id),
    }
}

/// A domain's free-text rationales, grouped by where their author's rating of the anchor
/// criterion lay against the panel's `median`, each group sorted by text so the order
/// says nothing about who wrote what; each with its language, translations and featured mark.
pub(crate) fn rationales_by_position(
    study: &Study,
    answers: &[CurrentAnswer],
    domain: &DomainId,
    median: f64,
    context: &RationaleContext,
) -> Rationales {
    let Some(criterion) = rationale_anchor(study) else { return Rationales::default() };
    let anchor = ItemId::for_domain_criterion(domain, criterion);
    // Each author's rating looked up once: a scan per rationale made feedback quadratic in
    // the panel's size.
    let ratings: HashMap<&str, f64> = answers
        .iter()
        .filter(|a| a.item_id == anchor.as_str())
        .filter_map(|a| match serde_json::from_value::<Answer>(a.value.clone()) {
            Ok(Answer::Ordinal { point }) => Some((a.pseudonym.as_str(), f64::from(point))),
            _ => None,
        })
        .collect();
    let rating = |pseudonym: &str| ratings.get(pseudonym).copied();
    let mut rationales = Rationales::default();
    for written in written_rationales(study, answers, domain) {
        let side = match rating(written.pseudonym) {
            Some(r) if r < median => &mut rationales.below,
            Some(r) if r > median => &mut rationales.above,
            _ => &mut rationales.at,
        };
        side.push(context.rationale(&written.item, written.pseudonym, written.text));
    }
    for side in [&mut rationales.below, &mut rationales.at, &mut rationales.above] {
        side.sort_by(|a, b| a.text.cmp(&b.text).then_with(|| a.language.cmp(&b.language)));
    }
    rationales
}
