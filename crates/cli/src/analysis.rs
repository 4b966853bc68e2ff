//! The glue between the store and the statistics engine: the study's questions as the
//! engine's item specs, the stored answers as its long table (pseudonyms and group
//! attributes only), and the summary of the rounds so far.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use delphi_core::Study;
use delphi_stats::{
    Answer as StatsAnswer, AnswerTableBuilder, Finite, Groups, ItemId, Pseudonym, Quantiles, Ranking, StudySummary,
};
use delphi_store::Store;
use delphi_survey::answer::Answer;

/// A stored answer as the engine takes it; `None` for text, which has no figures.
fn stats_answer(answer: &Answer) -> Result<Option<StatsAnswer>> {
    Ok(Some(match answer {
        Answer::Ordinal { point } => StatsAnswer::Ordinal(*point),
        Answer::DontKnow => StatsAnswer::DontKnow,
        Answer::Numeric { value } | Answer::Probability { value } => StatsAnswer::Number(Finite::new(*value)?),
        Answer::Quantile(q) => StatsAnswer::Quantiles(Quantiles::at_levels(q.levels(), q.values().to_vec())?),
        // Tied options stay tied: the engine gives them mid-ranks and W its tie correction.
        Answer::Ranking { order } => StatsAnswer::Ranking(Ranking::with_ties(
            order.tiers().iter().map(|tier| tier.options().iter().map(ToString::to_string).collect()).collect(),
        )?),
        Answer::Text { .. } => return Ok(None),
    }))
}

/// Summarises rounds `1..=last` of the study from the answers that count in each.
pub(crate) fn summarise(study: &Study, store: &Store, last: u32) -> Result<StudySummary> {
    let id = &study.id;
    let specs = delphi_stats::study::item_specs(study)?;
    let mut builder = AnswerTableBuilder::new(specs)?;
    let mut invited = BTreeMap::new();
    for round in store.rounds(id)?.into_iter().filter(|r| r.number <= last && r.invited > 0) {
        invited.insert(round.number, u64::from(round.invited));
        let panel = store.round_panel(id, round.number, &study.subgroups.attributes)?;
        let groups: BTreeMap<&str, Groups> = panel
            .iter()
            .map(|m| (m.pseudonym.as_str(), m.groups.iter().map(|(a, v)| (a.name(), v.as_str())).collect()))
            .collect();
        for stored in store.current_answers(id, round.number)? {
            let answer: Answer = serde_json::from_value(stored.value.clone()).with_context(|| {
                format!("round {}: the stored answer to {} is unreadable", round.number, stored.item_id)
            })?;
            let Some(answer) = stats_answer(&answer)? else { continue };
            let pseudonym = Pseudonym::new(stored.pseudonym.as_str())?;
            let no_groups = Groups::new();
            let expert = builder.expert(&pseudonym, groups.get(stored.pseudonym.as_str()).unwrap_or(&no_groups))?;
            let item = builder.item(&ItemId::new(stored.item_id.as_str())?)?;
            builder.push(round.number, item, expert, answer)?;
        }
    }
    let config = delphi_stats::study::config(study, invited);
    Ok(delphi_stats::summarise(&builder.build()?, &config)?)
}
