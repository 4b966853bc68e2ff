//! Synthetic studies for benchmarks and tests (deterministic, no external randomness).

use std::collections::BTreeMap;
use std::io::{self, Write};

use delphi_core::rng::Rng;

use crate::StatsError;
use crate::input::{
    AgreeSet, Answer, AnswerTable, AnswerTableBuilder, Groups, ItemId, ItemKind, ItemSpec, OrdinalScale, Pseudonym,
    Stored,
};
use crate::summarise::StatsConfig;

/// A synthetic study with its configuration.
#[derive(Debug, Clone)]
pub struct SyntheticStudy {
    /// The answers.
    pub table: AnswerTable,
    /// Rule, invitations, groups (bloc, institution), minimum group size 5.
    pub config: StatsConfig,
}

/// The scale of synthetic item `i`: even items 1–9 (agree 7–9), odd items 1–5 (agree 4–5).
pub fn synthetic_scale(i: usize) -> (i32, i32, i32, i32) {
    if i.is_multiple_of(2) { (1, 9, 7, 9) } else { (1, 5, 4, 5) }
}

/// `experts × items × rounds` ordinal answers. Each expert has a leaning per item; in later
/// rounds about a third of the experts move one point toward the middle of the panel; about
/// 5 % drop out per round and 2 % of answers are "don't know". Groups: 3 blocs, 10 institutions.
pub fn synthetic_study(experts: usize, items: usize, rounds: u32, seed: u64) -> Result<SyntheticStudy, StatsError> {
    let mut rng = Rng::new(seed);
    let specs: Vec<ItemSpec> = (0..items)
        .map(|i| {
            let (min, max, lo, hi) = synthetic_scale(i);
            let scale = OrdinalScale::new(min, max)?;
            Ok(ItemSpec::new(
                ItemId::new(format!("item{i:03}"))?,
                ItemKind::Ordinal { scale, agree: AgreeSet::new(scale, lo, hi)? },
            ))
        })
        .collect::<Result<_, StatsError>>()?;
    let mut b = AnswerTableBuilder::new(specs)?;
    b.reserve(experts * items * rounds as usize);
    let blocs = ["CN", "EU", "US"];
    let mut refs = Vec::with_capacity(experts);
    for e in 0..experts {
        let g = Groups::new().with("bloc", blocs[e % 3]).with("institution", format!("inst{:02}", e % 10));
        refs.push(b.expert(&Pseudonym::new(format!("E{e:05}"))?, &g)?);
    }
    let item_refs: Vec<_> =
        (0..items).map(|i| b.item(&ItemId::new(format!("item{i:03}"))?)).collect::<Result<_, _>>()?;
    let mut current: Vec<i32> = vec![0; experts * items];
    let mut active = vec![true; experts];
    let mut invited = BTreeMap::new();
    for r in 1..=rounds {
        invited.insert(r, active.iter().filter(|&&a| a).count() as u64);
        for (i, &item) in item_refs.iter().enumerate() {
            let (min, max, _, _) = synthetic_scale(i);
            let centre = min + (((i * 7) % 5) as i32 * (max - min)) / 4;
            for e in 0..experts {
                if !active[e] {
                    continue;
                }
                let slot = &mut current[e * items + i];
                if r == 1 {
                    let noise = rng.below(5) as i32 - 2;
                    *slot = (centre + noise).clamp(min, max);
                } else if rng.below(3) == 0 {
                    *slot += (centre - *slot).signum();
                }
                let answer = if rng.below(50) == 0 { Answer::DontKnow } else { Answer::Ordinal(*slot) };
                b.push(r, item, refs[e], answer)?;
            }
        }
        for a in &mut active {
            if *a && rng.below(20) == 0 {
                *a = false;
            }
        }
    }
    let config = StatsConfig {
        invited,
        group_attributes: vec!["bloc".into(), "institution".into()],
        min_group_size: 5,
        ..StatsConfig::default()
    };
    Ok(SyntheticStudy { table: b.build()?, config })
}

/// Writes the table as CSV (`round,item,expert,bloc,institution,value`, empty value for
/// "don't know") for the independent pandas benchmark. Ordinal items only.
pub fn write_csv(table: &AnswerTable, mut w: impl Write) -> io::Result<()> {
    writeln!(w, "round,item,expert,bloc,institution,value")?;
    for row in &table.rows {
        let (p, g) = &table.experts[row.expert as usize];
        let value = match row.value {
            Stored::Ordinal(x) => x.to_string(),
            Stored::DontKnow | Stored::Number(_) | Stored::Quantiles(_) | Stored::Ranking(_) => String::new(),
        };
        writeln!(
            w,
            "{},{},{},{},{},{}",
            row.round,
            table.items[row.item as usize].id.as_str(),
            p.as_str(),
            g.get("bloc").unwrap_or(""),
            g.get("institution").unwrap_or(""),
            value
        )?;
    }
    Ok(())
}
