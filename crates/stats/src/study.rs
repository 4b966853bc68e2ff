//! A study's questions and rules as the engine's inputs: which items have figures (text has
//! none), their scales and agree sets, their lineage, and the consensus, group and synthesis
//! settings.

use std::collections::BTreeMap;

use delphi_core::Study;
use delphi_core::study::{QuantityScale, ResponseKind};

use crate::StatsError;
use crate::input::{AgreeSet, Finite, ItemId, ItemKind, ItemSpec, OrdinalScale};
use crate::summarise::{StatsConfig, SynthesisSpec};

/// The item specs of every question of the study that has figures, in the study's order.
pub fn item_specs(study: &Study) -> Result<Vec<ItemSpec>, StatsError> {
    let mut specs = Vec::new();
    for question in study.questions() {
        let kind = match &question.response {
            ResponseKind::Ordinal { scale } => {
                let Some(scale) = study.scale(scale) else { continue };
                let points = OrdinalScale::new(scale.min, scale.max)?;
                let (lo, hi) = scale.agree_range();
                ItemKind::Ordinal { scale: points, agree: AgreeSet::new(points, lo, hi)? }
            }
            ResponseKind::Numeric { .. } | ResponseKind::Probability => ItemKind::Numeric,
            ResponseKind::Quantile { scale, quantiles, .. } => {
                let realisation = study.seeds.iter().find(|s| s.id == question.id).map(|s| s.realisation());
                ItemKind::Quantile {
                    realisation: realisation.map(Finite::new).transpose()?,
                    log: *scale == QuantityScale::Log,
                    levels: *quantiles,
                }
            }
            ResponseKind::RankingOfDomains { .. } => ItemKind::Ranking,
            ResponseKind::Text => continue,
        };
        let mut spec = ItemSpec::new(ItemId::new(question.id.as_str())?, kind);
        if let (Some(domain), Some(criterion)) = (&question.domain, &question.criterion) {
            spec = spec.in_domain(domain.as_str(), criterion.as_str());
        }
        if let Some(earlier) = &question.continues {
            spec = spec.continuing(ItemId::new(earlier.as_str())?);
        }
        specs.push(spec);
    }
    Ok(specs)
}

/// The study's consensus rule, groups and synthesis; `invited` is the number of experts
/// asked per round (for response rates).
pub fn config(study: &Study, invited: BTreeMap<u32, u64>) -> StatsConfig {
    StatsConfig {
        rule: study.consensus,
        invited,
        group_attributes: study.subgroups.attributes.iter().map(|a| a.name().to_owned()).collect(),
        min_group_size: u64::from(study.subgroups.min_group_size),
        synthesis: study.synthesis.as_ref().map(|s| SynthesisSpec {
            benefit: s.benefit.to_string(),
            risks: s.risks.iter().map(ToString::to_string).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_study_maps_every_rated_question_and_skips_text() {
        let source = include_str!("../../../surveys/ai-safety-cooperation.toml");
        let study = Study::from_toml(source, "study.toml").expect("valid");
        let specs = item_specs(&study).expect("specs");
        let texts = study.questions().iter().filter(|q| q.response == ResponseKind::Text).count();
        assert_eq!(specs.len(), study.questions().len() - texts);
        let benefit = specs.iter().find(|s| s.id.as_str() == "verification.benefit").expect("benefit");
        assert_eq!((benefit.domain.as_deref(), benefit.criterion.as_deref()), (Some("verification"), Some("benefit")));
        assert!(matches!(benefit.kind, ItemKind::Ordinal { agree, .. } if (agree.lo(), agree.hi()) == (5, 7)));
        let seed = specs.iter().find(|s| s.id.as_str() == study.seeds[0].id.as_str()).expect("seed");
        assert!(matches!(seed.kind, ItemKind::Quantile { realisation: Some(_), .. }));
        let config = config(&study, BTreeMap::from([(1, 20)]));
        assert_eq!(config.synthesis.map(|s| s.risks.len()), Some(3));
        assert_eq!(config.min_group_size, 3);
    }
}
