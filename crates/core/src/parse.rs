//! Study files: TOML text in, a checked [`Study`] or every problem found out.
//!
//! The document is parsed into a spanned tree first, then every section and every
//! entry is decoded on its own, so one mistake does not hide the next: a typo in one
//! domain and a missing translation in another are both reported, each with its line.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::consensus::{ConsensusPosition, ConsensusRule, DontKnowPolicy, QuantileMethod};
use crate::problem::{ProblemSink, Problems, did_you_mean};
use crate::study::{
    CarryOver, Criterion, CriterionId, Domain, DomainId, ExtraItem, ID_RULE, ItemId, Language, Localised,
    PanelAttribute, QuantileLevels, QuantileLevelsError, QuantityScale, ReportingNotes, ResponseKind, Revision, Scale,
    ScaleId, SeedItem, StopWhen, StoppingRule, Study, StudyId, Subgroups, Synthesis, Withdrawal, is_valid_id,
    is_valid_language,
};

const SECTIONS: [&str; 11] = [
    "study",
    "scales",
    "domains",
    "criteria",
    "items",
    "seeds",
    "revisions",
    "consensus",
    "subgroups",
    "synthesis",
    "reporting",
];
const MAX_ROUNDS: i64 = 10;
const MAX_SCALE_POINTS: i64 = 11;

type RawText = Spanned<BTreeMap<String, Spanned<String>>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStudy {
    id: Spanned<String>,
    languages: Spanned<Vec<Spanned<String>>>,
    contact: Option<Spanned<String>>,
    max_rounds: Spanned<i64>,
    title: RawText,
    description: RawText,
    stopping: Option<RawStopping>,
    carry_over: Option<Spanned<String>>,
    why_asked: Option<RawText>,
    privacy: Option<RawText>,
    withdrawal: Option<Spanned<String>>,
}

/// `[reporting]`: what only the coordinator can write for a report that follows DELPHISTAR
/// and ACCORD. Every field is optional text in the study's languages.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReporting {
    aim: Option<RawText>,
    team: Option<RawText>,
    expert_definition: Option<RawText>,
    expert_selection: Option<RawText>,
    ethics: Option<RawText>,
    funding: Option<RawText>,
    conflicts_of_interest: Option<RawText>,
    limitations: Option<RawText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStopping {
    min_rounds: Option<Spanned<i64>>,
    stop_when: Option<StopWhen>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScale {
    min: Spanned<i64>,
    max: Spanned<i64>,
    labels: Spanned<BTreeMap<String, Spanned<Vec<String>>>>,
    agree: Spanned<Vec<Spanned<i64>>>,
    #[serde(default)]
    dont_know: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDomain {
    id: Spanned<String>,
    title: RawText,
    description: RawText,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: Spanned<String>,
    kind: Option<Spanned<String>>,
    scale: Option<Spanned<String>>,
    of: Option<Spanned<String>>,
    /// Ranking items only: experts may tie domains.
    ties: Option<Spanned<bool>>,
    min: Option<Spanned<f64>>,
    max: Option<Spanned<f64>>,
    unit: Option<RawText>,
    /// Quantity items only: the quantiles asked, in percent (default `[5, 50, 95]`).
    quantiles: Option<Spanned<Vec<Spanned<i64>>>>,
    prompt: RawText,
    /// Extra items only: the round the item is first asked in (default 1).
    first_round: Option<Spanned<i64>>,
    /// Extra items only: the earlier item this one continues (a rewording or a split).
    continues: Option<Spanned<String>>,
    /// Extra text items only: feed the round's answers back in the next one, anonymously.
    share_answers: Option<Spanned<bool>>,
}

/// A question's `kind` as the study file names it: each names one [`ResponseKind`], whose
/// other fields `response_kind` then reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keyword {
    Ordinal,
    Numeric,
    Quantile,
    Probability,
    Ranking,
    Text,
}

impl Keyword {
    /// Every kind an extra item may be, in the order hints list them.
    const ALL: [Self; 6] = [Self::Ordinal, Self::Numeric, Self::Quantile, Self::Probability, Self::Ranking, Self::Text];
    /// The kinds a criterion may be: it is asked of every domain, and the report's tables
    /// per domain show ratings and collect rationales.
    const OF_CRITERIA: [Self; 2] = [Self::Ordinal, Self::Text];

    fn as_str(self) -> &'static str {
        match self {
            Self::Ordinal => "ordinal",
            Self::Numeric => "numeric",
            Self::Quantile => "quantile",
            Self::Probability => "probability",
            Self::Ranking => "ranking",
            Self::Text => "text",
        }
    }

    fn listed(kinds: &[Self]) -> String {
        kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
    }

    /// The keyword a study file writes for `response`: a new kind of response needs a
    /// keyword, and an arm in `response_kind` that reads it.
    #[cfg(test)]
    fn of(response: &ResponseKind) -> Self {
        match response {
            ResponseKind::Ordinal { .. } => Self::Ordinal,
            ResponseKind::Numeric { .. } => Self::Numeric,
            ResponseKind::Quantile { .. } => Self::Quantile,
            ResponseKind::Probability => Self::Probability,
            ResponseKind::RankingOfDomains { .. } => Self::Ranking,
            ResponseKind::Text => Self::Text,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRevision {
    round: Spanned<i64>,
    drop: Spanned<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeed {
    id: Spanned<String>,
    prompt: RawText,
    unit: Option<RawText>,
    min: Option<Spanned<f64>>,
    max: Option<Spanned<f64>>,
    /// `"uniform"` (default) or `"log"`.
    scale: Option<Spanned<String>>,
    /// The quantiles asked, in percent (default `[5, 50, 95]`).
    quantiles: Option<Spanned<Vec<Spanned<i64>>>>,
    realisation: Spanned<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConsensus {
    iqr_max: Option<Spanned<f64>>,
    agreement_min_percent: Option<Spanned<f64>>,
    quantile_method: Option<QuantileMethod>,
    position: Option<ConsensusPosition>,
    dont_know: Option<DontKnowPolicy>,
    stability_max_change_percent: Option<Spanned<f64>>,
    min_answers: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubgroups {
    attributes: Spanned<Vec<Spanned<String>>>,
    min_group_size: Spanned<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSynthesis {
    benefit: Spanned<String>,
    risks: Spanned<Vec<Spanned<String>>>,
    recommendation: Option<Spanned<String>>,
}

/// The sections of a study file, each decoded on its own.
#[derive(Default)]
struct RawSections {
    /// Sections present in the file, decodable or not (so a broken section is not also "missing").
    present: BTreeSet<String>,
    study: Option<RawStudy>,
    scales: Vec<(Spanned<String>, RawScale)>,
    domains: Vec<RawDomain>,
    criteria: Vec<RawQuestion>,
    items: Vec<RawQuestion>,
    seeds: Vec<RawSeed>,
    revisions: Vec<RawRevision>,
    consensus: Option<RawConsensus>,
    subgroups: Option<RawSubgroups>,
    synthesis: Option<RawSynthesis>,
    reporting: Option<RawReporting>,
}

impl Study {
    /// Parses and validates a study file. `file` names it in problems.
    pub fn from_toml(source: &str, file: &str) -> Result<Self, Problems> {
        let mut sink = ProblemSink::new(file, source);
        let (document, syntax_errors) = DeTable::parse_recoverable(source);
        if !syntax_errors.is_empty() {
            for error in syntax_errors {
                sink.report(error.span().unwrap_or(0..0), "(syntax)", error.message().trim(), None);
            }
            return sink.finish(None);
        }
        let raw = decode_sections(document.into_inner(), &mut sink);
        let study = Checker { sink: &mut sink, languages: Vec::new() }.check(raw);
        sink.finish(study)
    }
}

fn decode_sections(document: DeTable<'_>, sink: &mut ProblemSink<'_>) -> RawSections {
    let mut raw = RawSections::default();
    for (key, value) in document {
        let span = key.span();
        raw.present.insert(key.get_ref().to_string());
        match key.get_ref().as_ref() {
            "study" => raw.study = decode(value, "study", sink),
            "scales" => {
                for (name, scale) in entries_of_table(value, "scales", sink) {
                    let path = format!("scales.{}", name.get_ref());
                    if let Some(decoded) = decode(scale, &path, sink) {
                        raw.scales.push((name, decoded));
                    }
                }
            }
            "domains" => raw.domains = decode_array(value, "domains", sink),
            "criteria" => raw.criteria = decode_array(value, "criteria", sink),
            "items" => raw.items = decode_array(value, "items", sink),
            "seeds" => raw.seeds = decode_array(value, "seeds", sink),
            "revisions" => raw.revisions = decode_array(value, "revisions", sink),
            "consensus" => raw.consensus = decode(value, "consensus", sink),
            "subgroups" => raw.subgroups = decode(value, "subgroups", sink),
            "synthesis" => raw.synthesis = decode(value, "synthesis", sink),
            "reporting" => raw.reporting = decode(value, "reporting", sink),
            other => sink.report(
                span,
                other,
                format!("unknown section `{other}`"),
                did_you_mean(other, SECTIONS).or_else(|| Some(format!("sections are: {}", SECTIONS.join(", ")))),
            ),
        }
    }
    raw
}

fn decode<T: DeserializeOwned>(value: Spanned<DeValue<'_>>, path: &str, sink: &mut ProblemSink<'_>) -> Option<T> {
    let span = value.span();
    match T::deserialize(ValueDeserializer::from(value)) {
        Ok(decoded) => Some(decoded),
        Err(error) => {
            let message = error.message().trim().to_owned();
            let hint = unknown_field_hint(&message);
            sink.report(error.span().unwrap_or(span), path, message, hint);
            None
        }
    }
}

/// serde says "unknown field `x`, expected one of `a`, `b`"; turn that into a suggestion.
fn unknown_field_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    did_you_mean(field, candidates.iter().copied())
}

fn decode_array<T: DeserializeOwned>(value: Spanned<DeValue<'_>>, path: &str, sink: &mut ProblemSink<'_>) -> Vec<T> {
    let span = value.span();
    match value.into_inner() {
        DeValue::Array(entries) => entries
            .into_iter()
            .enumerate()
            .filter_map(|(i, entry)| decode(entry, &format!("{path}[{i}]"), sink))
            .collect(),
        _ => {
            sink.report(span, path, format!("expected `[[{path}]]` entries"), None);
            Vec::new()
        }
    }
}

fn entries_of_table<'i>(
    value: Spanned<DeValue<'i>>,
    path: &str,
    sink: &mut ProblemSink<'_>,
) -> Vec<(Spanned<String>, Spanned<DeValue<'i>>)> {
    let span = value.span();
    match value.into_inner() {
        DeValue::Table(table) => table
            .into_iter()
            .map(|(key, value)| {
                let key_span = key.span();
                (Spanned::new(key_span, key.into_inner().into_owned()), value)
            })
            .collect(),
        _ => {
            sink.report(span, path, format!("expected a table `[{path}.<name>]`"), None);
            Vec::new()
        }
    }
}

/// Semantic checks over the decoded sections; reports every problem and builds the
/// study when there is enough to build it from.
struct Checker<'a, 's> {
    sink: &'a mut ProblemSink<'s>,
    languages: Vec<Language>,
}

impl<'s> Checker<'_, 's> {
    fn report(
        &mut self,
        span: Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        self.sink.report(span, field, message, hint);
    }

    fn check(mut self, raw: RawSections) -> Option<Study> {
        let Some(header) = raw.study else {
            if raw.present.contains("study") {
                return None;
            }
            self.report(
                0..0,
                "study",
                "missing the `[study]` section",
                Some("start the file with `[study]` and its `id`, `languages`, `title`".into()),
            );
            return None;
        };
        let id = self.id(&header.id, "study.id").map(StudyId::new_unchecked);
        self.languages = self.languages(&header.languages);
        let contact = self.contact(header.contact.as_ref());
        let title = self.text(&header.title, "study.title");
        let description = self.text(&header.description, "study.description");
        let max_rounds = self.int_in(&header.max_rounds, 1..=MAX_ROUNDS, "study.max_rounds");
        let stopping = self.stopping(header.stopping.as_ref(), max_rounds);
        let carry_over = self.carry_over(header.carry_over.as_ref());
        let why_asked = header.why_asked.as_ref().map(|raw| self.text(raw, "study.why_asked"));
        let privacy = header.privacy.as_ref().map(|raw| self.text(raw, "study.privacy"));
        let withdrawal = self.withdrawal(header.withdrawal.as_ref());
        let reporting = self.reporting(raw.reporting.as_ref());

        let scales = self.scales(&raw.scales);
        let domains = self.domains(&raw.domains);
        let criteria = self.questions(&raw.criteria, "criteria", &scales, true);
        let items = self.questions(&raw.items, "items", &scales, false);
        let seeds = self.seeds(&raw.seeds);
        self.unique_item_ids(&raw.items, &raw.seeds);
        self.same_quantiles(&raw.items, &raw.seeds);
        let grid: Vec<(String, Option<ResponseKind>)> = domains
            .iter()
            .flat_map(|d| {
                criteria.iter().map(move |(c, response, _)| (format!("{}.{c}", d.id), Some(response.clone())))
            })
            .collect();
        let lineage = self.lineage(&raw.items, &items, &grid, max_rounds);
        let revisions = self.revisions(&raw.revisions, &raw.items, &raw.seeds, &grid, max_rounds);
        let subgroups = self.subgroups(raw.subgroups.as_ref());
        // A group is shown from its minimum size on; a consensus verdict needs no fewer
        // answers than a group figure, or a verdict could stand on answers too few to show.
        let consensus = self.consensus(raw.consensus.as_ref()).map(|mut rule| {
            if let Some(groups) = &subgroups {
                rule.min_answers = rule.min_answers.max(groups.min_group_size);
            }
            rule
        });
        // `[synthesis]` is optional; present but undecodable, it has been reported already.
        let synthesis = match (&raw.synthesis, raw.present.contains("synthesis")) {
            (None, true) => None,
            (None, false) => Some(None),
            (Some(synthesis), _) => self.synthesis(synthesis, &raw.criteria, &criteria, &scales).map(Some),
        };

        if !raw.present.contains("domains") {
            self.report(
                0..0,
                "domains",
                "the study has no `[[domains]]`",
                Some("add at least one `[[domains]]` entry with `id` and `title`".into()),
            );
        }
        if !raw.present.contains("criteria") {
            self.report(
                0..0,
                "criteria",
                "the study has no `[[criteria]]`",
                Some("add at least one `[[criteria]]` entry, e.g. a benefit rating".into()),
            );
        }
        Some(Study {
            id: id?,
            languages: (!self.languages.is_empty()).then(|| self.languages.clone())?,
            title: title?,
            description: description?,
            max_rounds: max_rounds?,
            stopping: stopping?,
            stopping_stated: header.stopping.is_some(),
            carry_over: carry_over?,
            scales,
            domains,
            criteria: criteria
                .into_iter()
                .map(|(id, response, prompt)| Criterion { id: CriterionId::new_unchecked(id), response, prompt })
                .collect(),
            items: items
                .into_iter()
                .zip(lineage?)
                .zip(raw.items.iter().map(|r| r.share_answers.as_ref().is_some_and(|s| *s.get_ref())))
                .map(|(((id, response, prompt), (first_round, continues)), share_answers)| ExtraItem {
                    id: ItemId::new_unchecked(id),
                    response,
                    prompt,
                    first_round,
                    continues: continues.map(ItemId::new_unchecked),
                    share_answers,
                })
                .collect(),
            seeds,
            revisions: revisions?,
            consensus: consensus?,
            subgroups: subgroups?,
            synthesis: synthesis?,
            contact: contact?,
            why_asked: why_asked.map_or(Some(None), |text| text.map(Some))?,
            privacy: privacy.map_or(Some(None), |text| text.map(Some))?,
            withdrawal: withdrawal?,
            reporting: reporting?,
        })
    }

    /// `[reporting]`: each text checked like every other localised text (all the study's
    /// languages, nothing blank); absent fields stay absent, for the report to mark as "to be
    /// written by the coordinator".
    fn reporting(&mut self, raw: Option<&RawReporting>) -> Option<ReportingNotes> {
        let Some(raw) = raw else { return Some(ReportingNotes::default()) };
        let mut field = |text: &Option<RawText>, name: &str| match text {
            None => Some(None),
            Some(text) => self.text(text, &format!("reporting.{name}")).map(Some),
        };
        let aim = field(&raw.aim, "aim");
        let team = field(&raw.team, "team");
        let expert_definition = field(&raw.expert_definition, "expert_definition");
        let expert_selection = field(&raw.expert_selection, "expert_selection");
        let ethics = field(&raw.ethics, "ethics");
        let funding = field(&raw.funding, "funding");
        let conflicts_of_interest = field(&raw.conflicts_of_interest, "conflicts_of_interest");
        let limitations = field(&raw.limitations, "limitations");
        Some(ReportingNotes {
            aim: aim?,
            team: team?,
            expert_definition: expert_definition?,
            expert_selection: expert_selection?,
            ethics: ethics?,
            funding: funding?,
            conflicts_of_interest: conflicts_of_interest?,
            limitations: limitations?,
        })
    }

    /// `study.contact`: one line of text (a name and an address), or nothing.
    fn contact(&mut self, raw: Option<&Spanned<String>>) -> Option<Option<String>> {
        let Some(raw) = raw else { return Some(None) };
        let text = raw.get_ref().trim();
        let problem = if text.is_empty() {
            Some("is empty")
        } else if text.chars().any(char::is_control) {
            Some("contains a line break or another control character")
        } else if text.chars().count() > 200 {
            Some("is longer than 200 characters")
        } else {
            None
        };
        match problem {
            Some(problem) => {
                self.report(
                    raw.span(),
                    "study.contact",
                    format!("the contact {problem}"),
                    Some("write a name and an address on one line, e.g. \"Ana Lima <ana.lima@example.org>\", or leave `contact` out".into()),
                );
                None
            }
            None => Some(Some(text.to_owned())),
        }
    }

    fn id(&mut self, id: &Spanned<String>, field: &str) -> Option<String> {
        if is_valid_id(id.get_ref()) {
            Some(id.get_ref().clone())
        } else {
            self.report(id.span(), field, format!("`{}` is not a valid id", id.get_ref()), Some(ID_RULE.into()));
            None
        }
    }

    fn int_in(&mut self, value: &Spanned<i64>, range: std::ops::RangeInclusive<i64>, field: &str) -> Option<u32> {
        if range.contains(value.get_ref()) {
            u32::try_from(*value.get_ref()).ok()
        } else {
            self.report(
                value.span(),
                field,
                format!("{} is out of range", value.get_ref()),
                Some(format!("use a whole number from {} to {}", range.start(), range.end())),
            );
            None
        }
    }

    fn languages(&mut self, raw: &Spanned<Vec<Spanned<String>>>) -> Vec<Language> {
        if raw.get_ref().is_empty() {
            self.report(
                raw.span(),
                "study.languages",
                "the study needs at least one language",
                Some("e.g. `languages = [\"en\", \"zh\"]`".into()),
            );
        }
        let mut seen = BTreeSet::new();
        let mut languages = Vec::new();
        for code in raw.get_ref() {
            if !is_valid_language(code.get_ref()) {
                self.report(
                    code.span(),
                    "study.languages",
                    format!("`{}` is not a language code", code.get_ref()),
                    Some("use codes such as `en`, `zh` or `pt-BR`".into()),
                );
            } else if !seen.insert(code.get_ref().clone()) {
                self.report(code.span(), "study.languages", format!("`{}` is listed twice", code.get_ref()), None);
            } else {
                languages.push(Language::new_unchecked(code.get_ref().clone()));
            }
        }
        languages
    }

    /// Checks a localised text: present and non-empty in every study language, no others.
    fn text(&mut self, raw: &RawText, field: &str) -> Option<Localised> {
        self.localised(raw.span(), raw.get_ref(), field, |text| {
            (text.get_ref().trim().is_empty()).then(|| (text.span(), "is empty".to_owned()))
        })
        .map(|texts| Localised::new(texts.into_iter().map(|(l, t)| (l, t.into_inner())).collect()))
    }

    fn localised<T: Clone>(
        &mut self,
        span: Range<usize>,
        texts: &BTreeMap<String, T>,
        field: &str,
        check: impl Fn(&T) -> Option<(Range<usize>, String)>,
    ) -> Option<BTreeMap<Language, T>> {
        let mut ok = true;
        let mut out = BTreeMap::new();
        for (code, text) in texts {
            if !self.languages.iter().any(|l| l.as_str() == code) {
                let declared: Vec<&str> = self.languages.iter().map(Language::as_str).collect();
                self.report(
                    span.clone(),
                    format!("{field}.{code}"),
                    format!("`{code}` is not one of the study's languages ({})", declared.join(", ")),
                    Some("add it to `study.languages` or remove this text".into()),
                );
                ok = false;
            } else if let Some((bad_span, problem)) = check(text) {
                self.report(bad_span, format!("{field}.{code}"), problem, None);
                ok = false;
            } else {
                out.insert(Language::new_unchecked(code.clone()), text.clone());
            }
        }
        let missing: Vec<String> =
            self.languages.iter().filter(|l| !texts.contains_key(l.as_str())).map(ToString::to_string).collect();
        // The key as written inside its table: `title` for `domains[1].title`.
        let key = field.rsplit('.').next().unwrap_or(field);
        for code in &missing {
            self.report(
                span.clone(),
                format!("{field}.{code}"),
                format!("missing the `{code}` translation"),
                Some(format!("add `{key}.{code} = \"…\"` to this entry")),
            );
        }
        (ok && missing.is_empty() && !out.is_empty()).then_some(out)
    }

    fn stopping(&mut self, raw: Option<&RawStopping>, max_rounds: Option<u32>) -> Option<StoppingRule> {
        let stop_when = raw.and_then(|r| r.stop_when).unwrap_or(StopWhen::ConsensusOrStable);
        let min_rounds = match raw.and_then(|r| r.min_rounds.as_ref()) {
            None => max_rounds.unwrap_or(2).min(2),
            Some(value) => {
                let min = self.int_in(value, 1..=MAX_ROUNDS, "study.stopping.min_rounds")?;
                if max_rounds.is_some_and(|max| min > max) {
                    self.report(
                        value.span(),
                        "study.stopping.min_rounds",
                        format!("min_rounds {min} is more than max_rounds"),
                        Some("min_rounds must not exceed study.max_rounds".into()),
                    );
                    return None;
                }
                min
            }
        };
        Some(StoppingRule { min_rounds, stop_when })
    }

    fn carry_over(&mut self, raw: Option<&Spanned<String>>) -> Option<CarryOver> {
        let Some(raw) = raw else { return Some(CarryOver::default()) };
        match raw.get_ref().as_str() {
            "confirm" => Some(CarryOver::Confirm),
            "reconfirm" => Some(CarryOver::Reconfirm),
            other => {
                self.report(
                    raw.span(),
                    "study.carry_over",
                    format!("unknown carry_over rule “{other}”"),
                    Some(
                        "use \"confirm\" (an answer carried over and sent unchanged counts) or \"reconfirm\" \
                         (the expert must give it again)"
                            .into(),
                    ),
                );
                None
            }
        }
    }

    fn withdrawal(&mut self, raw: Option<&Spanned<String>>) -> Option<Withdrawal> {
        let Some(raw) = raw else { return Some(Withdrawal::default()) };
        let rule = Withdrawal::from_word(raw.get_ref());
        if rule.is_none() {
            self.report(
                raw.span(),
                "study.withdrawal",
                format!("unknown withdrawal rule “{}”", raw.get_ref()),
                Some(
                    "use \"keep-answers\" (a withdrawn expert's answers keep counting) or \"remove-answers\" \
                     (their answers to rounds not yet closed stop counting)"
                        .into(),
                ),
            );
        }
        rule
    }

    fn scales(&mut self, raw: &[(Spanned<String>, RawScale)]) -> Vec<Scale> {
        raw.iter().filter_map(|(name, scale)| self.scale(name, scale)).collect()
    }

    fn scale(&mut self, name: &Spanned<String>, raw: &RawScale) -> Option<Scale> {
        let path = format!("scales.{}", name.get_ref());
        let id = self.id(name, &path);
        let (min, max) = (*raw.min.get_ref(), *raw.max.get_ref());
        let points = max - min + 1;
        if !(2..=MAX_SCALE_POINTS).contains(&points) {
            self.report(
                raw.max.span(),
                format!("{path}.max"),
                format!("a scale from {min} to {max} has {points} points"),
                Some(format!("ordinal scales have 2 to {MAX_SCALE_POINTS} points, with max > min")),
            );
            return None;
        }
        let labels = self.localised(raw.labels.span(), raw.labels.get_ref(), &format!("{path}.labels"), |labels| {
            let count = i64::try_from(labels.get_ref().len()).unwrap_or(i64::MAX);
            (count != points)
                .then(|| (labels.span(), format!("has {count} labels for {points} points ({min}..={max})")))
        });
        let mut agree = Vec::new();
        if raw.agree.get_ref().is_empty() {
            self.report(
                raw.agree.span(),
                format!("{path}.agree"),
                "the agree set is empty",
                Some(format!("list the points that count as agreement, e.g. `agree = [{}, {max}]`", max - 1)),
            );
        }
        for point in raw.agree.get_ref() {
            match i32::try_from(*point.get_ref()) {
                Ok(p) if (min..=max).contains(point.get_ref()) => agree.push(p),
                _ => self.report(
                    point.span(),
                    format!("{path}.agree"),
                    format!("{} is not a point of this scale", point.get_ref()),
                    Some(format!("points run from {min} to {max}")),
                ),
            }
        }
        agree.sort_unstable();
        agree.dedup();
        // Agreement is a top (or bottom) box: a run of neighbouring points. A gap would make
        // "% agreement" mean something no reader of the report expects.
        if agree.windows(2).any(|pair| pair[1] != pair[0] + 1) {
            let listed: Vec<String> = agree.iter().map(ToString::to_string).collect();
            self.report(
                raw.agree.span(),
                format!("{path}.agree"),
                format!("the agree points {} are not consecutive", listed.join(", ")),
                Some(format!("list a run of neighbouring points, e.g. `agree = [{}, {max}]`", max - 1)),
            );
        }
        // A scale with bad labels or agree points is still returned, so that questions
        // referring to it do not report a knock-on "unknown scale"; the problems already
        // reported keep the study from being built.
        Some(Scale {
            id: ScaleId::new_unchecked(id?),
            min: i32::try_from(min).ok()?,
            max: i32::try_from(max).ok()?,
            labels: Localised::new(labels.unwrap_or_default().into_iter().map(|(l, v)| (l, v.into_inner())).collect()),
            agree,
            dont_know: raw.dont_know,
        })
    }

    fn domains(&mut self, raw: &[RawDomain]) -> Vec<Domain> {
        let mut seen = BTreeMap::new();
        raw.iter()
            .enumerate()
            .filter_map(|(i, domain)| {
                let path = format!("domains[{i}]");
                let id = self.unique_id(&domain.id, &format!("{path}.id"), &mut seen, "domain");
                let title = self.text(&domain.title, &format!("{path}.title"));
                let description = self.text(&domain.description, &format!("{path}.description"));
                Some(Domain { id: DomainId::new_unchecked(id?), title: title?, description: description? })
            })
            .collect()
    }

    /// Checks an id for syntax and uniqueness within `seen`.
    fn unique_id(
        &mut self,
        id: &Spanned<String>,
        field: &str,
        seen: &mut BTreeMap<String, usize>,
        what: &str,
    ) -> Option<String> {
        let valid = self.id(id, field)?;
        if let Some(first) = seen.get(&valid) {
            let (line, _, _) = crate::problem::line_and_column(self.sink_source(), *first);
            self.report(
                id.span(),
                field,
                format!("duplicate {what} id `{valid}`"),
                Some(format!("it is already used on line {line}; ids must be unique")),
            );
            return None;
        }
        seen.insert(valid.clone(), id.span().start);
        Some(valid)
    }

    fn sink_source(&self) -> &'s str {
        self.sink.source()
    }

    /// Criteria and extra items share a shape; criteria are limited to ordinal and text.
    fn questions(
        &mut self,
        raw: &[RawQuestion],
        section: &str,
        scales: &[Scale],
        is_criterion: bool,
    ) -> Vec<(String, ResponseKind, Localised)> {
        let mut seen = BTreeMap::new();
        raw.iter()
            .enumerate()
            .filter_map(|(i, question)| {
                let path = format!("{section}[{i}]");
                let id = self.unique_id(
                    &question.id,
                    &format!("{path}.id"),
                    &mut seen,
                    if is_criterion { "criterion" } else { "item" },
                );
                let response = self.response_kind(question, &path, scales, is_criterion);
                let prompt = self.text(&question.prompt, &format!("{path}.prompt"));
                if let Some(prompt) = &prompt {
                    self.placeholders(prompt, question.prompt.span(), &format!("{path}.prompt"), is_criterion);
                }
                Some((id?, response?, prompt?))
            })
            .collect()
    }

    fn placeholders(&mut self, prompt: &Localised, span: Range<usize>, field: &str, is_criterion: bool) {
        for language in self.languages.clone() {
            let text = prompt.get(&language, &language);
            for placeholder in text.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name)) {
                if !(is_criterion && placeholder == "domain") {
                    let hint = if is_criterion {
                        "the only placeholder is `{domain}`"
                    } else {
                        "extra items have no placeholders"
                    };
                    self.report(
                        span.clone(),
                        format!("{field}.{language}"),
                        format!("unknown placeholder `{{{placeholder}}}`"),
                        Some(hint.into()),
                    );
                }
            }
        }
    }

    fn response_kind(
        &mut self,
        raw: &RawQuestion,
        path: &str,
        scales: &[Scale],
        is_criterion: bool,
    ) -> Option<ResponseKind> {
        let written = match &raw.kind {
            Some(kind) => kind.clone(),
            None if raw.scale.is_some() => Spanned::new(raw.id.span(), Keyword::Ordinal.as_str().to_owned()),
            None => {
                self.report(
                    raw.id.span(),
                    format!("{path}.kind"),
                    "missing `kind`",
                    Some(format!("one of: {}", Keyword::listed(&Keyword::ALL))),
                );
                return None;
            }
        };
        let allowed: &[Keyword] = if is_criterion { &Keyword::OF_CRITERIA } else { &Keyword::ALL };
        let Some(kind) = allowed.iter().copied().find(|k| k.as_str() == written.get_ref()) else {
            let hint = did_you_mean(written.get_ref(), allowed.iter().map(|k| k.as_str()))
                .unwrap_or_else(|| format!("one of: {}", Keyword::listed(allowed)));
            self.report(
                written.span(),
                format!("{path}.kind"),
                format!("`{}` is not a kind of {}", written.get_ref(), if is_criterion { "criterion" } else { "item" }),
                Some(hint),
            );
            return None;
        };
        let extra = "extra items'";
        self.only_for(!is_criterion, raw.first_round.as_ref().map(Spanned::span), path, "first_round", extra);
        self.only_for(!is_criterion, raw.continues.as_ref().map(Spanned::span), path, "continues", extra);
        let shared = raw.share_answers.as_ref().map(Spanned::span);
        self.only_for(!is_criterion && kind == Keyword::Text, shared, path, "share_answers", "extra text");
        let scaled = matches!(kind, Keyword::Ordinal | Keyword::Quantile);
        self.only_for(scaled, raw.scale.as_ref().map(Spanned::span), path, "scale", "ordinal and quantile");
        let ranking = kind == Keyword::Ranking;
        self.only_for(ranking, raw.of.as_ref().map(Spanned::span), path, "of", "ranking");
        self.only_for(ranking, raw.ties.as_ref().map(Spanned::span), path, "ties", "ranking");
        let bounded = matches!(kind, Keyword::Numeric | Keyword::Quantile);
        self.only_for(bounded, raw.min.as_ref().map(Spanned::span), path, "min", "numeric and quantile");
        self.only_for(bounded, raw.max.as_ref().map(Spanned::span), path, "max", "numeric and quantile");
        self.only_for(bounded, raw.unit.as_ref().map(Spanned::span), path, "unit", "numeric and quantile");
        let quantile = kind == Keyword::Quantile;
        self.only_for(quantile, raw.quantiles.as_ref().map(Spanned::span), path, "quantiles", "quantile");
        match kind {
            Keyword::Ordinal => {
                let Some(scale) = &raw.scale else {
                    self.report(
                        raw.id.span(),
                        format!("{path}.scale"),
                        "an ordinal question needs a `scale`",
                        Some(scale_hint(scales)),
                    );
                    return None;
                };
                match scales.iter().find(|s| s.id.as_str() == scale.get_ref()) {
                    Some(found) => Some(ResponseKind::Ordinal { scale: found.id.clone() }),
                    None => {
                        let hint = did_you_mean(scale.get_ref(), scales.iter().map(|s| s.id.as_str()))
                            .unwrap_or_else(|| scale_hint(scales));
                        self.report(
                            scale.span(),
                            format!("{path}.scale"),
                            format!("unknown scale `{}`", scale.get_ref()),
                            Some(hint),
                        );
                        None
                    }
                }
            }
            Keyword::Numeric | Keyword::Quantile => {
                let (min, max) = self.bounds(raw.min.as_ref(), raw.max.as_ref(), path)?;
                let unit = match &raw.unit {
                    Some(unit) => Some(self.text(unit, &format!("{path}.unit"))?),
                    None => None,
                };
                Some(if kind == Keyword::Numeric {
                    ResponseKind::Numeric { min, max, unit }
                } else {
                    let scale = self.quantity_scale(raw.scale.as_ref(), min, path);
                    let quantiles = self.quantile_levels(raw.quantiles.as_ref(), path);
                    ResponseKind::Quantile { min, max, unit, scale: scale?, quantiles: quantiles? }
                })
            }
            Keyword::Probability => Some(ResponseKind::Probability),
            Keyword::Ranking => match raw.of.as_ref().map(|o| (o.span(), o.get_ref().as_str())) {
                Some((_, "domains")) => {
                    Some(ResponseKind::RankingOfDomains { ties: raw.ties.as_ref().is_some_and(|t| *t.get_ref()) })
                }
                Some((span, other)) => {
                    self.report(
                        span,
                        format!("{path}.of"),
                        format!("cannot rank `{other}`"),
                        Some("only `of = \"domains\"` is supported".into()),
                    );
                    None
                }
                None => {
                    self.report(
                        raw.id.span(),
                        format!("{path}.of"),
                        "a ranking needs `of`",
                        Some("add `of = \"domains\"`".into()),
                    );
                    None
                }
            },
            Keyword::Text => Some(ResponseKind::Text),
        }
    }

    /// `scale = "uniform" | "log"` of a quantity. A log scale needs a positive `min`, so that
    /// every answer (and the realisation) has a logarithm.
    fn quantity_scale(&mut self, raw: Option<&Spanned<String>>, min: Option<f64>, path: &str) -> Option<QuantityScale> {
        let Some(raw) = raw else { return Some(QuantityScale::Uniform) };
        match raw.get_ref().as_str() {
            "uniform" => Some(QuantityScale::Uniform),
            "log" if min.is_some_and(|m| m > 0.0) => Some(QuantityScale::Log),
            "log" => {
                self.report(
                    raw.span(),
                    format!("{path}.scale"),
                    "a log-scale quantity needs a positive `min`",
                    Some("add e.g. `min = 0.001`: every answer must have a logarithm".into()),
                );
                None
            }
            other => {
                self.report(
                    raw.span(),
                    format!("{path}.scale"),
                    format!("`{other}` is not a scale of a quantity"),
                    Some("use `scale = \"uniform\"` (default) or `scale = \"log\"`".into()),
                );
                None
            }
        }
    }

    /// `quantiles = [10, 50, 90]` of a quantity: see [`QuantileLevels::new`].
    fn quantile_levels(&mut self, raw: Option<&Spanned<Vec<Spanned<i64>>>>, path: &str) -> Option<QuantileLevels> {
        let Some(raw) = raw else { return Some(QuantileLevels::default()) };
        let percents: Vec<i64> = raw.get_ref().iter().map(|p| *p.get_ref()).collect();
        QuantileLevels::new(&percents)
            .map_err(|error| {
                // Point at the offending number where there is one.
                let at = |value: i64| raw.get_ref().iter().find(|p| *p.get_ref() == value).map(Spanned::span);
                let span = match error {
                    QuantileLevelsError::OutOfRange(p) => at(p),
                    QuantileLevelsError::NotIncreasing { .. } => {
                        raw.get_ref().windows(2).find(|w| w[0].get_ref() >= w[1].get_ref()).map(|w| w[1].span())
                    }
                    _ => None,
                };
                self.report(
                    span.unwrap_or_else(|| raw.span()),
                    format!("{path}.quantiles"),
                    error.to_string(),
                    Some("e.g. `quantiles = [10, 50, 90]` or `[5, 25, 50, 75, 95]`".into()),
                );
            })
            .ok()
    }

    /// Cooke's classical model weighs every quantity question by the experts' answers to the
    /// seeds, so a study with seeds asks the same quantiles everywhere.
    fn same_quantiles(&mut self, items: &[RawQuestion], seeds: &[RawSeed]) {
        let levels = |raw: Option<&Spanned<Vec<Spanned<i64>>>>| match raw {
            None => Some(QuantileLevels::default()),
            Some(raw) => QuantileLevels::new(&raw.get_ref().iter().map(|p| *p.get_ref()).collect::<Vec<_>>()).ok(),
        };
        let Some(first) = seeds.first() else { return };
        let Some(asked) = levels(first.quantiles.as_ref()) else { return };
        let quantity_items = items
            .iter()
            .enumerate()
            .filter(|(_, item)| item.kind.as_ref().is_some_and(|k| k.get_ref() == Keyword::Quantile.as_str()))
            .map(|(i, item)| (format!("items[{i}]"), &item.quantiles, item.id.span()));
        let other_seeds =
            seeds.iter().enumerate().skip(1).map(|(i, seed)| (format!("seeds[{i}]"), &seed.quantiles, seed.id.span()));
        let mut mismatches = Vec::new();
        for (path, raw, id_span) in other_seeds.chain(quantity_items) {
            if let Some(own) = levels(raw.as_ref())
                && own != asked
            {
                mismatches.push((path, raw.as_ref().map_or(id_span, Spanned::span), own));
            }
        }
        for (path, span, own) in mismatches {
            self.report(
                span,
                format!("{path}.quantiles"),
                format!("this question asks the {own} quantiles, but the first seed asks {asked}"),
                Some(
                    "Cooke's classical model weighs every quantity by the experts' answers to the seeds; give all seeds and quantile items the same `quantiles`"
                        .into(),
                ),
            );
        }
    }

    fn only_for(&mut self, applies: bool, present: Option<Range<usize>>, path: &str, field: &str, kinds: &str) {
        if let (false, Some(span)) = (applies, present) {
            self.report(
                span,
                format!("{path}.{field}"),
                format!("`{field}` only applies to {kinds} questions"),
                Some("remove it or change `kind`".into()),
            );
        }
    }

    fn bounds(
        &mut self,
        min: Option<&Spanned<f64>>,
        max: Option<&Spanned<f64>>,
        path: &str,
    ) -> Option<(Option<f64>, Option<f64>)> {
        for bound in [min, max].into_iter().flatten() {
            if !bound.get_ref().is_finite() {
                self.report(bound.span(), path, "bounds must be finite numbers", None);
                return None;
            }
        }
        if let (Some(lo), Some(hi)) = (min, max)
            && lo.get_ref() >= hi.get_ref()
        {
            self.report(
                hi.span(),
                format!("{path}.max"),
                format!("max {} is not above min {}", hi.get_ref(), lo.get_ref()),
                None,
            );
            return None;
        }
        Some((min.map(|v| *v.get_ref()), max.map(|v| *v.get_ref())))
    }

    fn seeds(&mut self, raw: &[RawSeed]) -> Vec<SeedItem> {
        let mut seen = BTreeMap::new();
        raw.iter()
            .enumerate()
            .filter_map(|(i, seed)| {
                let path = format!("seeds[{i}]");
                let id = self.unique_id(&seed.id, &format!("{path}.id"), &mut seen, "seed");
                let prompt = self.text(&seed.prompt, &format!("{path}.prompt"));
                let unit = seed.unit.as_ref().map(|unit| self.text(unit, &format!("{path}.unit")));
                let bounds = self.bounds(seed.min.as_ref(), seed.max.as_ref(), &path);
                let scale = self.quantity_scale(seed.scale.as_ref(), seed.min.as_ref().map(|m| *m.get_ref()), &path);
                let quantiles = self.quantile_levels(seed.quantiles.as_ref(), &path);
                let realisation = *seed.realisation.get_ref();
                let inside = bounds.is_some_and(|(lo, hi)| {
                    lo.is_none_or(|lo| realisation >= lo) && hi.is_none_or(|hi| realisation <= hi)
                });
                if !realisation.is_finite() || (bounds.is_some() && !inside) {
                    self.report(
                        seed.realisation.span(),
                        format!("{path}.realisation"),
                        format!("{realisation} is outside the seed's min/max"),
                        Some("the known answer must be a finite number within the bounds experts may answer".into()),
                    );
                    return None;
                }
                Some(SeedItem::new(
                    ItemId::new_unchecked(id?),
                    prompt?,
                    unit.map_or(Some(None), |u| u.map(Some))?,
                    bounds?,
                    (scale?, quantiles?),
                    realisation,
                ))
            })
            .collect()
    }

    /// Extra items and seeds share one namespace of item ids (domain items contain a dot, so never collide).
    fn unique_item_ids(&mut self, items: &[RawQuestion], seeds: &[RawSeed]) {
        let item_ids: BTreeMap<&str, usize> =
            items.iter().map(|i| (i.id.get_ref().as_str(), i.id.span().start)).collect();
        for seed in seeds {
            if let Some(first) = item_ids.get(seed.id.get_ref().as_str()) {
                let (line, _, _) = crate::problem::line_and_column(self.sink_source(), *first);
                self.report(
                    seed.id.span(),
                    "seeds.id",
                    format!("`{}` is already the id of an item (line {line})", seed.id.get_ref()),
                    Some("items and seeds share one namespace".into()),
                );
            }
        }
    }

    /// Each extra item's first round and the earlier item it continues. A continuation is
    /// answered the same way as the item it continues (so stability can pair them) and that
    /// item is asked in an earlier round.
    fn lineage(
        &mut self,
        raw: &[RawQuestion],
        items: &[(String, ResponseKind, Localised)],
        grid: &[(String, Option<ResponseKind>)],
        max_rounds: Option<u32>,
    ) -> Option<Vec<(u32, Option<String>)>> {
        let last = i64::from(max_rounds.unwrap_or(10));
        let first_round_of = |item: &RawQuestion| item.first_round.as_ref().map_or(1, |r| *r.get_ref());
        let mut lineage = Vec::new();
        let mut ok = true;
        for (i, item) in raw.iter().enumerate() {
            let path = format!("items[{i}]");
            let first = first_round_of(item);
            if !(1..=last).contains(&first) {
                let span = item.first_round.as_ref().map_or(item.id.span(), Spanned::span);
                self.report(
                    span,
                    format!("{path}.first_round"),
                    format!("round {first} is not a round of this study"),
                    Some(format!("use a round from 1 to {last} (study.max_rounds)")),
                );
                ok = false;
                continue;
            }
            let Some(continues) = &item.continues else {
                lineage.push((u32::try_from(first).ok()?, None));
                continue;
            };
            let name = continues.get_ref();
            let field = format!("{path}.continues");
            let earlier_item = raw.iter().position(|other| other.id.get_ref() == name);
            let earlier_kind = match earlier_item {
                Some(j) => Some((
                    first_round_of(&raw[j]),
                    items.iter().find(|(id, _, _)| id == name).map(|(_, r, _)| r.clone()),
                )),
                None => grid.iter().find(|(id, _)| id == name).map(|(_, r)| (1, r.clone())),
            };
            let own_kind = items.iter().find(|(id, _, _)| id == item.id.get_ref()).map(|(_, r, _)| r);
            match earlier_kind {
                None => {
                    let candidates =
                        raw.iter().map(|o| o.id.get_ref().as_str()).chain(grid.iter().map(|(id, _)| id.as_str()));
                    let hint = did_you_mean(name, candidates)
                        .unwrap_or_else(|| "name an extra item or a `<domain>.<criterion>` item".into());
                    self.report(continues.span(), field, format!("`{name}` is not an item of this study"), Some(hint));
                    ok = false;
                }
                Some(_) if name == item.id.get_ref() => {
                    self.report(continues.span(), field, "an item cannot continue itself", None);
                    ok = false;
                }
                Some((earlier_first, _)) if earlier_first >= first => {
                    self.report(
                        continues.span(),
                        field,
                        format!("`{name}` is first asked in round {earlier_first}, not before round {first}"),
                        Some("set `first_round` to a later round than the item it continues".into()),
                    );
                    ok = false;
                }
                Some((_, Some(earlier))) if own_kind.is_some_and(|own| *own != earlier) => {
                    self.report(continues.span(), field, format!("`{name}` is answered differently"), Some("a continuation keeps the kind and scale of the item it continues, so answers can be compared across rounds".into()));
                    ok = false;
                }
                Some(_) => lineage.push((u32::try_from(first).ok()?, Some(name.clone()))),
            }
        }
        ok.then_some(lineage)
    }

    /// Items dropped from a round on (e.g. once they reached consensus).
    fn revisions(
        &mut self,
        raw: &[RawRevision],
        items: &[RawQuestion],
        seeds: &[RawSeed],
        grid: &[(String, Option<ResponseKind>)],
        max_rounds: Option<u32>,
    ) -> Option<Vec<Revision>> {
        let last = i64::from(max_rounds.unwrap_or(10));
        let known = |name: &str| {
            items.iter().any(|i| i.id.get_ref() == name)
                || seeds.iter().any(|s| s.id.get_ref() == name)
                || grid.iter().any(|(id, _)| id == name)
        };
        let mut revisions = Vec::new();
        let mut ok = true;
        for (i, revision) in raw.iter().enumerate() {
            let path = format!("revisions[{i}]");
            let round = *revision.round.get_ref();
            if !(2..=last).contains(&round) {
                self.report(
                    revision.round.span(),
                    format!("{path}.round"),
                    format!("round {round} cannot be revised"),
                    Some(format!("revisions apply from round 2 to {last}")),
                );
                ok = false;
            }
            let mut drop = Vec::new();
            for name in revision.drop.get_ref() {
                if known(name.get_ref()) {
                    drop.push(ItemId::new_unchecked(name.get_ref().clone()));
                } else {
                    let candidates =
                        items.iter().map(|o| o.id.get_ref().as_str()).chain(grid.iter().map(|(id, _)| id.as_str()));
                    let hint = did_you_mean(name.get_ref(), candidates)
                        .unwrap_or_else(|| "name an item id, e.g. `verification.benefit`".into());
                    self.report(
                        name.span(),
                        format!("{path}.drop"),
                        format!("`{}` is not an item of this study", name.get_ref()),
                        Some(hint),
                    );
                    ok = false;
                }
            }
            revisions.push(Revision { round: u32::try_from(round).unwrap_or(0), drop });
        }
        ok.then_some(revisions)
    }

    fn consensus(&mut self, raw: Option<&RawConsensus>) -> Option<ConsensusRule> {
        let default = ConsensusRule::default();
        let Some(raw) = raw else { return Some(default) };
        let iqr_max = self.number_in(raw.iqr_max.as_ref(), 0.0..=100.0, "consensus.iqr_max", default.iqr_max);
        let agreement = self.number_in(
            raw.agreement_min_percent.as_ref(),
            0.0..=100.0,
            "consensus.agreement_min_percent",
            default.agreement_min_percent,
        );
        let stability = self.number_in(
            raw.stability_max_change_percent.as_ref(),
            0.0..=100.0,
            "consensus.stability_max_change_percent",
            default.stability_max_change_percent,
        );
        Some(ConsensusRule {
            iqr_max: iqr_max?,
            agreement_min_percent: agreement?,
            position: raw.position.unwrap_or_default(),
            quantile_method: raw.quantile_method.unwrap_or_default(),
            dont_know: raw.dont_know.unwrap_or_default(),
            stability_max_change_percent: stability?,
            min_answers: self.min_answers(raw.min_answers.as_ref())?,
        })
    }

    fn min_answers(&mut self, raw: Option<&Spanned<i64>>) -> Option<u32> {
        let Some(raw) = raw else { return Some(crate::consensus::DEFAULT_MIN_ANSWERS) };
        match u32::try_from(*raw.get_ref()) {
            Ok(n) if n >= 2 => Some(n),
            _ => {
                self.report(
                    raw.span(),
                    "consensus.min_answers",
                    format!("{} answers cannot show a consensus", raw.get_ref()),
                    Some("use 2 or more; 5 is the default".into()),
                );
                None
            }
        }
    }

    fn number_in(
        &mut self,
        raw: Option<&Spanned<f64>>,
        range: std::ops::RangeInclusive<f64>,
        field: &str,
        default: f64,
    ) -> Option<f64> {
        let Some(raw) = raw else { return Some(default) };
        if range.contains(raw.get_ref()) {
            Some(*raw.get_ref())
        } else {
            self.report(
                raw.span(),
                field,
                format!("{} is out of range", raw.get_ref()),
                Some(format!("use a number from {} to {}", range.start(), range.end())),
            );
            None
        }
    }

    fn subgroups(&mut self, raw: Option<&RawSubgroups>) -> Option<Subgroups> {
        let Some(raw) = raw else {
            return Some(Subgroups { attributes: vec![PanelAttribute::Bloc], min_group_size: 3 });
        };
        let names: Vec<&str> = PanelAttribute::ALL.iter().map(|a| a.name()).collect();
        let mut attributes = Vec::new();
        for name in raw.attributes.get_ref() {
            match PanelAttribute::from_name(name.get_ref()) {
                Some(attribute) if !attributes.contains(&attribute) => attributes.push(attribute),
                Some(_) => self.report(
                    name.span(),
                    "subgroups.attributes",
                    format!("`{}` is listed twice", name.get_ref()),
                    None,
                ),
                None => {
                    let hint = did_you_mean(name.get_ref(), names.iter().copied())
                        .unwrap_or_else(|| format!("panel attributes are: {}", names.join(", ")));
                    self.report(
                        name.span(),
                        "subgroups.attributes",
                        format!("`{}` is not a panel attribute", name.get_ref()),
                        Some(hint),
                    );
                }
            }
        }
        let size = raw.min_group_size.get_ref();
        if *size < 2 {
            self.report(
                raw.min_group_size.span(),
                "subgroups.min_group_size",
                format!("a minimum group size of {size} would expose single experts"),
                Some("use 2 or more (3 is common) so no group figure describes one person".into()),
            );
            return None;
        }
        Some(Subgroups { attributes, min_group_size: u32::try_from(*size).ok()? })
    }

    fn synthesis(
        &mut self,
        raw: &RawSynthesis,
        raw_criteria: &[RawQuestion],
        criteria: &[(String, ResponseKind, Localised)],
        scales: &[Scale],
    ) -> Option<Synthesis> {
        let ordinal_criterion = |this: &mut Self, name: &Spanned<String>, field: &str| -> Option<CriterionId> {
            let declared = raw_criteria.iter().any(|c| c.id.get_ref() == name.get_ref());
            if !declared {
                let hint = did_you_mean(name.get_ref(), raw_criteria.iter().map(|c| c.id.get_ref().as_str()));
                this.report(
                    name.span(),
                    field,
                    format!("unknown criterion `{}`", name.get_ref()),
                    hint.or_else(|| Some("name one of the `[[criteria]]` ids".into())),
                );
                return None;
            }
            match criteria.iter().find(|(id, _, _)| id == name.get_ref()) {
                Some((_, ResponseKind::Ordinal { scale }, _)) if scales.iter().any(|s| &s.id == scale) => {
                    Some(CriterionId::new_unchecked(name.get_ref().clone()))
                }
                Some(_) => {
                    this.report(
                        name.span(),
                        field,
                        format!("criterion `{}` is not an ordinal rating", name.get_ref()),
                        Some("the benefit–risk view needs criteria rated on a scale".into()),
                    );
                    None
                }
                None => None, // the criterion itself has a problem, reported where it is defined
            }
        };
        let benefit = ordinal_criterion(self, &raw.benefit, "synthesis.benefit");
        if raw.risks.get_ref().is_empty() {
            self.report(
                raw.risks.span(),
                "synthesis.risks",
                "no risk criteria named",
                Some("list the criteria that rate risks".into()),
            );
        }
        let risks: Vec<Option<CriterionId>> =
            raw.risks.get_ref().iter().map(|r| ordinal_criterion(self, r, "synthesis.risks")).collect();
        for risk in raw.risks.get_ref().iter().filter(|r| r.get_ref() == raw.benefit.get_ref()) {
            self.report(
                risk.span(),
                "synthesis.risks",
                format!("`{}` is both the benefit and a risk", risk.get_ref()),
                None,
            );
        }
        let recommendation = match &raw.recommendation {
            Some(name) => Some(ordinal_criterion(self, name, "synthesis.recommendation")?),
            None => None,
        };
        let risks: Option<Vec<CriterionId>> = risks.into_iter().collect();
        Some(Synthesis { benefit: benefit?, risks: risks.filter(|r| !r.is_empty())?, recommendation })
    }
}

fn scale_hint(scales: &[Scale]) -> String {
    if scales.is_empty() {
        "define one under `[scales.<name>]` and refer to it by name".into()
    } else {
        format!("defined scales: {}", scales.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An extra item of `kind` with the fields that kind needs, for the end of the starter study.
    fn item_of(kind: Keyword) -> String {
        let fields = match kind {
            Keyword::Ordinal => "scale = \"level5\"",
            Keyword::Numeric | Keyword::Quantile => "min = 0",
            Keyword::Ranking => "of = \"domains\"",
            Keyword::Probability | Keyword::Text => "",
        };
        format!("\n[[items]]\nid = \"probe\"\nkind = \"{}\"\n{fields}\nprompt.en = \"A probe?\"\n", kind.as_str())
    }

    #[test]
    fn every_keyword_reads_as_the_kind_it_names() {
        let starter = include_str!("../../../surveys/starter.toml");
        for kind in Keyword::ALL {
            let study = Study::from_toml(&format!("{starter}{}", item_of(kind)), "study.toml")
                .unwrap_or_else(|problems| panic!("{}: {problems:?}", kind.as_str()));
            let probe = study.items.iter().find(|i| i.id.as_str() == "probe").expect("the probe item");
            assert_eq!(Keyword::of(&probe.response), kind);
        }
    }
}
