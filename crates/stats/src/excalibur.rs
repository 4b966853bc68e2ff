//! A reader for EXCALIBUR case files: text in, a validated [`CookeCase`] out.
//!
//! `.dtt` (assessments): a header `* CLASS ASCII OUTPUT FILE. NQ= n QU= q1 … qn` (the
//! quantiles, in %), then one fixed-width line per expert and item: expert number (columns
//! 1–5), expert name (6–14), item number (15–19), item id (20–35), scale `UNI`/`LOG` (37–39,
//! any case), then the n quantile values (Fortran `E` notation) and the question.
//! `.rls` (realisations): item number (1–5), item id (6–20), the realisation, the scale.
//!
//! A value ≤ −995 means "no answer" (an expert's blank item; an item without realisation,
//! i.e. a target). Realisations are matched to the items by id, not by number: the `.rls` of
//! a case may list only some of the `.dtt`'s items, in another order (TU Delft's San Diego
//! case lists 30 of 45); an item absent from the `.rls` is a target.

use std::collections::HashMap;

use crate::StatsError;
use crate::classical::{CaseExpert, CaseItem, CookeCase, Scale};

/// Values at or below this mean "no answer".
pub const NO_ANSWER: f64 = -995.0;

fn error(file: &'static str, line: usize, message: impl Into<String>) -> StatsError {
    StatsError::CaseFile { file, line, message: message.into() }
}

/// Columns `a..b` of a line, which must be there (whole characters).
fn field<'l>(file: &'static str, n: usize, line: &'l str, a: usize, b: usize) -> Result<&'l str, StatsError> {
    line.get(a..b.min(line.len()))
        .filter(|_| line.len() > a)
        .ok_or_else(|| error(file, n, format!("too short or not plain text in columns {}–{b}", a + 1)))
}

fn number(file: &'static str, n: usize, text: &str) -> Result<f64, StatsError> {
    text.parse::<f64>().map_err(|_| error(file, n, format!("{text:?} is not a number")))
}

fn answer(value: f64) -> Option<f64> {
    (value > NO_ANSWER).then_some(value)
}

/// The quantiles of a `.dtt` header line.
fn header(line: &str) -> Result<Vec<u32>, StatsError> {
    let after = |key: &str| line.split_once(key).map(|(_, rest)| rest);
    let bad = |m: &str| error("dtt", 1, format!("{m} (expected `* CLASS ASCII OUTPUT FILE. NQ= n QU= q1 … qn`)"));
    let nq: usize = after("NQ=")
        .and_then(|r| r.split_whitespace().next())
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| bad("no number of quantiles"))?;
    let quantiles: Vec<u32> = after("QU=")
        .ok_or_else(|| bad("no quantiles"))?
        .split_whitespace()
        .take(nq)
        .map(|t| t.parse().map_err(|_| bad(&format!("quantile {t:?} is not a whole percent"))))
        .collect::<Result<_, _>>()?;
    if quantiles.len() != nq {
        return Err(bad(&format!("NQ = {nq} but {} quantiles", quantiles.len())));
    }
    Ok(quantiles)
}

fn scale(file: &'static str, n: usize, text: &str) -> Result<Scale, StatsError> {
    match text.trim().to_ascii_uppercase().as_str() {
        "UNI" => Ok(Scale::Uniform),
        "LOG" => Ok(Scale::Log),
        other => Err(error(file, n, format!("scale {other:?} is neither UNI nor LOG"))),
    }
}

/// One expert's answers while reading, by item index.
type AnswersByItem = HashMap<usize, Option<Vec<f64>>>;

/// One `.dtt` line.
struct Assessment<'l> {
    expert: &'l str,
    item: &'l str,
    scale: Scale,
    values: Option<Vec<f64>>,
}

fn assessment(n: usize, line: &str, nq: usize) -> Result<Assessment<'_>, StatsError> {
    let expert = field("dtt", n, line, 5, 14)?.trim();
    let item = field("dtt", n, line, 19, 35)?.trim();
    let scale = scale("dtt", n, field("dtt", n, line, 35, 39)?)?;
    let rest = line.get(39..).unwrap_or("");
    let values: Vec<f64> = rest.split_whitespace().take(nq).map(|t| number("dtt", n, t)).collect::<Result<_, _>>()?;
    if values.len() != nq {
        return Err(error("dtt", n, format!("{} values for {nq} quantiles", values.len())));
    }
    if expert.is_empty() || item.is_empty() {
        return Err(error("dtt", n, "no expert name or no item id"));
    }
    let values = values.iter().map(|&v| answer(v)).collect::<Option<Vec<f64>>>();
    Ok(Assessment { expert, item, scale, values })
}

/// Realisations by item id.
fn realisations(rls: &str) -> Result<HashMap<String, Option<f64>>, StatsError> {
    let mut out = HashMap::new();
    for (i, line) in rls.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let n = i + 1;
        let id = field("rls", n, line, 5, 20)?.trim().to_owned();
        let value = line
            .get(20..)
            .and_then(|r| r.split_whitespace().next())
            .ok_or_else(|| error("rls", n, "no realisation"))?;
        if out.insert(id.clone(), answer(number("rls", n, value)?)).is_some() {
            return Err(error("rls", n, format!("item {id:?} is listed twice")));
        }
    }
    Ok(out)
}

/// Reads an EXCALIBUR case from the text of its `.dtt` and `.rls` files.
///
/// Every expert needs one line per item; an id in the `.rls` that no `.dtt` line has is an
/// error (it would silently lose a seed).
pub fn read_excalibur(dtt: &str, rls: &str) -> Result<CookeCase, StatsError> {
    let mut lines = dtt.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, first) = lines.next().ok_or_else(|| error("dtt", 1, "the file is empty"))?;
    let quantiles = header(first)?;
    let mut items: Vec<CaseItem> = Vec::new();
    let mut item_index: HashMap<&str, usize> = HashMap::new();
    let mut experts: Vec<(String, AnswersByItem)> = Vec::new();
    for (i, line) in lines {
        let n = i + 1;
        let a = assessment(n, line, quantiles.len())?;
        let k = *item_index.entry(a.item).or_insert_with(|| {
            items.push(CaseItem { id: a.item.to_owned(), scale: a.scale, realisation: None });
            items.len() - 1
        });
        if items[k].scale != a.scale {
            return Err(error("dtt", n, format!("item {:?} has two scales", a.item)));
        }
        if experts.last().is_none_or(|(name, _)| name != a.expert) {
            if experts.iter().any(|(name, _)| name == a.expert) {
                return Err(error("dtt", n, format!("expert {:?} appears in two separate blocks", a.expert)));
            }
            experts.push((a.expert.to_owned(), HashMap::new()));
        }
        let answers = &mut experts.last_mut().expect("pushed above").1;
        if answers.insert(k, a.values).is_some() {
            return Err(error("dtt", n, format!("expert {:?} answers item {:?} twice", a.expert, a.item)));
        }
    }
    let mut known = realisations(rls)?;
    for item in &mut items {
        item.realisation = known.remove(&item.id).flatten();
    }
    if let Some(id) = known.keys().next() {
        return Err(error("rls", 0, format!("item {id:?} has a realisation but no assessments in the .dtt")));
    }
    let experts = experts
        .into_iter()
        .map(|(name, mut by_item)| {
            let answers = (0..items.len())
                .map(|k| by_item.remove(&k).ok_or_else(|| invalid_missing(&name, &items[k].id)))
                .collect::<Result<_, _>>()?;
            Ok(CaseExpert { name, answers })
        })
        .collect::<Result<Vec<_>, StatsError>>()?;
    CookeCase::new(quantiles, items, experts)
}

fn invalid_missing(expert: &str, item: &str) -> StatsError {
    StatsError::InvalidInput(format!("expert {expert:?} has no line for item {item:?} in the .dtt"))
}
