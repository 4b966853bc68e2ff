//! A reader for ANDURYL project files (`.json`): text in, a validated [`CookeCase`] out.
//!
//! Two layouts exist. Version 1.2.1 (`"version": "1.2.1"`): each item lists its quantiles as
//! fractions, and each assessment is a list of values, one per quantile. Version 1.2.0 (no
//! version): each assessment maps a quantile (`"0.05"`) to its value, and missing numbers
//! were written as the bare token `NaN`, which is not JSON; it is read as `null`. In both, a
//! `null` realisation makes a target, and an assessment with any `null` value is a blank
//! answer. Experts and items keep the file's order. Per-item user bounds and overshoots
//! (ANDURYL's `bounds`, `overshoots`) are refused rather than ignored.

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};

use crate::StatsError;
use crate::classical::{CaseExpert, CaseItem, CookeCase, Scale};

fn error(message: impl Into<String>) -> StatsError {
    StatsError::InvalidInput(format!("ANDURYL project: {}", message.into()))
}

/// A JSON object's entries in the file's order.
struct Ordered<T>(Vec<(String, T)>);

struct Entries<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for Entries<T> {
    type Value = Ordered<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry()? {
            entries.push(entry);
        }
        Ok(Ordered(entries))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(Entries(std::marker::PhantomData))
    }
}

#[derive(Deserialize)]
struct Project {
    version: Option<String>,
    experts: Ordered<serde::de::IgnoredAny>,
    items: Ordered<Item>,
    assessments: Ordered<Ordered<Assessment>>,
}

#[derive(Deserialize)]
struct Item {
    realization: Option<f64>,
    scale: String,
    quantiles: Option<Vec<f64>>,
    bounds: Option<Vec<Option<f64>>>,
    overshoots: Option<Vec<Option<f64>>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Assessment {
    /// 1.2.1: one value per quantile.
    List(Vec<Option<f64>>),
    /// 1.2.0: quantile → value.
    ByQuantile(Ordered<Option<f64>>),
}

/// Replaces the bare token `NaN` outside strings with `null` (ANDURYL 1.2.0 wrote Python's
/// `json.dump` output, which is not JSON).
fn nan_to_null(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if !in_string && rest.starts_with("NaN") {
            out.push_str("null");
            rest = &rest[3..];
            continue;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// A fraction (0.05) as a whole percent (5).
fn percent(q: f64) -> Result<u32, StatsError> {
    let p = (q * 100.0).round();
    if (q * 100.0 - p).abs() > 1e-9 || !(1.0..=99.0).contains(&p) {
        return Err(error(format!("quantile {q} is not a whole percent between 1 and 99 %")));
    }
    Ok(p as u32)
}

fn quantile_key(key: &str) -> Result<f64, StatsError> {
    key.trim().parse().map_err(|_| error(format!("quantile {key:?} is not a number")))
}

/// The case's quantiles (fractions): the items' own (1.2.1, all equal) or the assessments'
/// keys (1.2.0).
fn quantiles(project: &Project) -> Result<Vec<f64>, StatsError> {
    let listed: Vec<&Vec<f64>> = project.items.0.iter().filter_map(|(_, i)| i.quantiles.as_ref()).collect();
    if let Some(first) = listed.first() {
        if listed.iter().any(|q| q != first) {
            return Err(error("items ask for different quantiles; the classical model needs one set"));
        }
        return Ok((*first).clone());
    }
    let mut keys: Vec<f64> = Vec::new();
    for (_, by_item) in &project.assessments.0 {
        for (_, a) in &by_item.0 {
            if let Assessment::ByQuantile(values) = a {
                for (k, _) in &values.0 {
                    let q = quantile_key(k)?;
                    if !keys.contains(&q) {
                        keys.push(q);
                    }
                }
            }
        }
    }
    keys.sort_by(f64::total_cmp);
    Ok(keys)
}

fn answer(a: &Assessment, quantiles: &[f64]) -> Result<Option<Vec<f64>>, StatsError> {
    let values: Vec<Option<f64>> = match a {
        Assessment::List(v) => v.clone(),
        Assessment::ByQuantile(m) => {
            let keyed = m.0.iter().map(|(k, v)| Ok((quantile_key(k)?, *v))).collect::<Result<Vec<_>, StatsError>>()?;
            if keyed.len() != quantiles.len() {
                return Err(error(format!("{} values for {} quantiles", keyed.len(), quantiles.len())));
            }
            quantiles.iter().map(|q| keyed.iter().find(|(k, _)| k == q).and_then(|(_, v)| *v)).collect()
        }
    };
    if values.len() != quantiles.len() {
        return Err(error(format!("{} values for {} quantiles", values.len(), quantiles.len())));
    }
    Ok(values.into_iter().collect())
}

fn item(id: &str, item: &Item) -> Result<CaseItem, StatsError> {
    let set = |b: &Option<Vec<Option<f64>>>| b.as_ref().is_some_and(|v| v.iter().any(Option::is_some));
    if set(&item.bounds) || set(&item.overshoots) {
        return Err(error(format!("item {id:?} sets its own bounds or overshoots, which delphi does not apply")));
    }
    let scale = match item.scale.to_ascii_lowercase().as_str() {
        "uni" => Scale::Uniform,
        "log" => Scale::Log,
        other => return Err(error(format!("item {id:?}: scale {other:?} is neither uni nor log"))),
    };
    Ok(CaseItem { id: id.to_owned(), scale, realisation: item.realization })
}

/// Reads an ANDURYL project file's experts, items and assessments (results are ignored).
/// An item an expert has no entry for is a blank answer.
pub fn read_anduryl_json(text: &str) -> Result<CookeCase, StatsError> {
    let project: Project = serde_json::from_str(&nan_to_null(text)).map_err(|e| error(e.to_string()))?;
    if let Some(v) = project.version.as_deref().filter(|v| *v != "1.2.1") {
        return Err(error(format!("version {v} is not one this reader knows (1.2.0 without a version, 1.2.1)")));
    }
    let fractions = quantiles(&project)?;
    let percents = fractions.iter().map(|&q| percent(q)).collect::<Result<Vec<_>, _>>()?;
    let items = project.items.0.iter().map(|(id, i)| item(id, i)).collect::<Result<Vec<_>, _>>()?;
    let experts = project
        .experts
        .0
        .iter()
        .map(|(name, _)| {
            let (_, by_item) = project
                .assessments
                .0
                .iter()
                .find(|(e, _)| e == name)
                .ok_or_else(|| error(format!("expert {name:?} has no assessments")))?;
            let answers = items
                .iter()
                .map(|it| by_item.0.iter().find(|(i, _)| *i == it.id).map_or(Ok(None), |(_, a)| answer(a, &fractions)))
                .collect::<Result<_, _>>()?;
            Ok(CaseExpert { name: name.clone(), answers })
        })
        .collect::<Result<Vec<_>, StatsError>>()?;
    CookeCase::new(percents, items, experts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_outside_strings_becomes_null() {
        assert_eq!(
            nan_to_null(r#"{"a": NaN, "NaN": "x NaN \" NaN", "b": [NaN]}"#),
            r#"{"a": null, "NaN": "x NaN \" NaN", "b": [null]}"#
        );
    }

    #[test]
    fn fractions_must_be_whole_percents() {
        assert_eq!(percent(0.05).unwrap(), 5);
        assert_eq!(percent(0.95).unwrap(), 95);
        assert!(percent(0.125).is_err());
        assert!(percent(1.0).is_err());
    }
}
