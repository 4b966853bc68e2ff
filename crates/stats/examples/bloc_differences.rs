//! Where do the blocs of a panel differ? An analyst's own aggregation over delphi's answers,
//! in Rust with polars (`delphi_stats::frame`, feature `frame`).
//!
//! Run: `cargo run -p delphi-stats --features frame --example bloc_differences`
//!
//! It takes a synthetic study (400 experts in four blocs, 12 items, 2 rounds), turns its
//! answers into a polars `DataFrame` (one row per answer, with each expert's bloc), computes
//! per bloc, item and round the number of answers, the median and the share in the top third
//! of the scale, and lists the items whose blocs differ most in that share in the last round.
//! Swap in your own study's `AnswerTable` (the CLI builds one from the store) and your own
//! aggregation.
//!
//! As a check, every bloc median it computes is compared with the statistics engine's own
//! group figures (`groups_frame`); a difference ends the example with an error.

use std::collections::BTreeMap;

use delphi_stats::frame::{answers_frame, groups_frame};
use delphi_stats::summarise;
use delphi_stats::synthetic::synthetic_study;
use polars::prelude::{ChunkQuantile, Column, DataFrame, PolarsResult};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let study = synthetic_study(400, 12, 2, 2504)?;
    let summary = summarise(&study.table, &study.config)?;
    let answers = answers_frame(&study.table)?;
    let columns: Vec<&str> = answers.get_column_names().into_iter().map(|c| c.as_str()).collect();
    println!("{} answers, columns: {}", answers.height(), columns.join(", "));

    let per_bloc = answers.group_by(["bloc", "item", "round"])?.apply(|group| bloc_figures(&group))?;
    let per_bloc = per_bloc.sort(["item", "round", "bloc"], Default::default())?;

    // Per item in the last round: how far apart the blocs' shares in the top third lie.
    let last = *study.table.rounds().last().ok_or("no rounds")?;
    let mut by_item: BTreeMap<String, Vec<BlocRow>> = BTreeMap::new();
    for row in rows(&per_bloc)? {
        if row.round == last {
            by_item.entry(row.item.clone()).or_default().push(row);
        }
    }
    let mut gaps: Vec<(f64, String)> = by_item
        .iter()
        .map(|(item, blocs)| {
            let lowest = blocs.iter().min_by(|a, b| a.top_third.total_cmp(&b.top_third)).expect("a bloc");
            let highest = blocs.iter().max_by(|a, b| a.top_third.total_cmp(&b.top_third)).expect("a bloc");
            let said = format!(
                "{item:<8} {:>5.1} % ({}, median {}) … {:>5.1} % ({}, median {})",
                100.0 * lowest.top_third,
                lowest.bloc,
                lowest.median,
                100.0 * highest.top_third,
                highest.bloc,
                highest.median
            );
            (highest.top_third - lowest.top_third, said)
        })
        .collect();
    gaps.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("round {last}: the items whose blocs differ most in their share of answers in the top third of the scale");
    for (gap, said) in gaps.iter().take(5) {
        println!("  {said}   {:.1} points apart", 100.0 * gap);
    }

    check_against_the_engine(&per_bloc, &groups_frame(&summary)?)?;
    println!("every bloc median equals the statistics engine's");
    Ok(())
}

/// One bloc's answers to one item in one round → `bloc, item, round, n, median, top_third`.
fn bloc_figures(group: &DataFrame) -> PolarsResult<DataFrame> {
    let answered = group.column("value")?.f64()?;
    let values: Vec<f64> = (0..answered.len()).filter_map(|i| answered.get(i)).collect();
    let n = u32::try_from(values.len()).unwrap_or(u32::MAX);
    let median = answered.median();
    // The item's scale, e.g. 1–9: its top third is the points above 1 + 8 · 2/3.
    let low = f64::from(group.column("scale_min")?.i32()?.get(0).unwrap_or_default());
    let high = f64::from(group.column("scale_max")?.i32()?.get(0).unwrap_or_default());
    let top_third = values.iter().filter(|&&v| v > low + (high - low) * 2.0 / 3.0).count();
    let share = if values.is_empty() { None } else { Some(top_third as f64 / values.len() as f64) };
    DataFrame::new(
        1,
        vec![
            group.column("bloc")?.head(Some(1)),
            group.column("item")?.head(Some(1)),
            group.column("round")?.head(Some(1)),
            Column::new("n".into(), [n]),
            Column::new("median".into(), [median]),
            Column::new("top_third".into(), [share]),
        ],
    )
}

struct BlocRow {
    bloc: String,
    item: String,
    round: u32,
    n: u32,
    median: f64,
    top_third: f64,
}

fn rows(frame: &DataFrame) -> PolarsResult<Vec<BlocRow>> {
    let bloc = frame.column("bloc")?.str()?;
    let item = frame.column("item")?.str()?;
    let round = frame.column("round")?.u32()?;
    let n = frame.column("n")?.u32()?;
    let median = frame.column("median")?.f64()?;
    let top_third = frame.column("top_third")?.f64()?;
    Ok((0..frame.height())
        .filter_map(|i| {
            Some(BlocRow {
                bloc: bloc.get(i)?.to_owned(),
                item: item.get(i)?.to_owned(),
                round: round.get(i)?,
                n: n.get(i)?,
                median: median.get(i)?,
                top_third: top_third.get(i)?,
            })
        })
        .collect())
}

/// Every bloc median of a bloc the engine shows (not suppressed as too small) equals the
/// engine's.
fn check_against_the_engine(per_bloc: &DataFrame, engine: &DataFrame) -> Result<(), Box<dyn std::error::Error>> {
    let attribute = engine.column("attribute")?.str()?;
    let item = engine.column("item")?.str()?;
    let round = engine.column("round")?.u32()?;
    let group = engine.column("group")?.str()?;
    let measure = engine.column("measure")?.str()?;
    let value = engine.column("value")?.f64()?;
    let mut theirs = BTreeMap::new();
    for i in 0..engine.height() {
        if attribute.get(i) == Some("bloc") && measure.get(i) == Some("median") {
            let key =
                (group.get(i).unwrap_or_default(), item.get(i).unwrap_or_default(), round.get(i).unwrap_or_default());
            theirs.insert(key, value.get(i));
        }
    }
    let mut compared = 0;
    for row in rows(per_bloc)? {
        if let Some(expected) = theirs.get(&(row.bloc.as_str(), row.item.as_str(), row.round)) {
            if *expected != Some(row.median) {
                return Err(format!(
                    "bloc {} on {} in round {}: median {} here, {expected:?} in the engine ({} answers)",
                    row.bloc, row.item, row.round, row.median, row.n
                )
                .into());
            }
            compared += 1;
        }
    }
    if compared == 0 || compared != theirs.len() {
        return Err(format!("compared {compared} bloc medians of the engine's {}", theirs.len()).into());
    }
    Ok(())
}
