//! `delphi report`: the reports of a study's rounds so far — PDF (with its Typst template
//! and data beside it, to edit and recompile), HTML and Markdown, in each study language —
//! and the tidy exports of their figures and answers (CSV and Parquet) and summary (JSON).
//! With `--format json`, the files written as one [`ReportRun`] document.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use delphi_core::study::{PanelAttribute, StudyId};
use delphi_report::tidy::{self, AnswerRow};
use delphi_report::{
    AnswerForm, AskedQuestion, Conduct, DATA_FILE, FeedbackGiven, FrozenQuestions, PanelCount, PdfOptions,
    RoundConduct, RuleChange, build, render_html, render_markdown, render_pdf,
};
use delphi_stats::summarise::ItemResult;
use delphi_store::{RoundState, Store};
use delphi_survey::feedback::OwnAnswer;
use serde::Serialize;

use super::Format;
use crate::analysis;
use crate::render::{Refused, print_json};
use crate::workspace::Workspace;

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// Report rounds 1..N; by default up to the last closed round.
    #[arg(long)]
    round: Option<u32>,
    /// Only these languages; by default every language of the study.
    #[arg(long = "language")]
    languages: Vec<String>,
    /// Where reports go: <out>/<study-id>/round-<N>/<language>/.
    #[arg(long, default_value = "reports", env = "DELPHI_REPORTS_DIR")]
    out: PathBuf,
    /// A font file with Chinese/Japanese/Korean glyphs for the PDF. By default the system's
    /// fonts are searched (on Linux fontconfig's folders, on macOS and Windows their Fonts
    /// folders) for Noto Sans/Serif CJK SC, Source Han, PingFang, Microsoft YaHei, SimSun or
    /// WenQuanYi, else any font with Chinese glyphs (Debian: apt-get install fonts-noto-cjk).
    #[arg(long, env = "DELPHI_CJK_FONT")]
    cjk_font: Option<PathBuf>,
    /// Report although the study file's consensus rule was edited after a round opened
    /// under the old one. Without it `delphi report` refuses and lists what changed; with
    /// it every round is judged by today's rule and the report says, at the top, which
    /// setting changed, from what to what, and since which round.
    #[arg(long)]
    accept_changed_rules: bool,
    /// A line per folder for a person, or one JSON document for a script: {"study",
    /// "round", "exports", "reports"}, every file written by its path (docs/scripting.md).
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// What a run of `report` wrote, as `--format json` prints it (docs/scripting.md).
#[derive(Debug, Serialize)]
struct ReportRun {
    study: StudyId,
    /// The report covers rounds 1 to this one.
    round: u32,
    exports: Exports,
    /// One per language, in the study's order.
    reports: Vec<LanguageReport>,
}

/// The tidy exports, in `<out>/<study>/round-<N>/`.
#[derive(Debug, Serialize)]
struct Exports {
    dir: PathBuf,
    /// Rows of figures.csv (figures.parquet has the same).
    figures: usize,
    /// Rows of answers.csv (answers.parquet has the same), pseudonymous.
    answers: usize,
    files: Vec<PathBuf>,
}

/// One language's report, in `<out>/<study>/round-<N>/<language>/`.
#[derive(Debug, Serialize)]
struct LanguageReport {
    language: String,
    dir: PathBuf,
    /// Pages of report.pdf.
    pages: usize,
    files: Vec<PathBuf>,
    /// What typst noted while laying out the PDF (also on standard error).
    notes: Vec<String>,
}

impl ReportArgs {
    /// Every closed round, every language, into `out`, with the system's CJK font.
    pub(crate) fn all_to(out: PathBuf) -> Self {
        Self {
            round: None,
            languages: Vec::new(),
            out,
            cjk_font: None,
            accept_changed_rules: false,
            format: Format::Text,
        }
    }
}

pub(crate) fn run(workspace: &Workspace, args: &ReportArgs) -> Result<()> {
    let (loaded, store) = workspace.open()?;
    let study = &loaded.study;
    let id = &study.id;
    let closed: Vec<u32> =
        store.rounds(id)?.iter().filter(|r| matches!(r.state, RoundState::Closed { .. })).map(|r| r.number).collect();
    let last = match args.round {
        Some(round) if closed.contains(&round) => round,
        Some(round) => bail!("round {round} is not closed; reports cover closed rounds (closed so far: {closed:?})"),
        None => *closed.last().context("no round is closed yet; close one with `delphi round close`")?,
    };
    let rules_changed = rules_changed(study, &store, last)?;
    if !rules_changed.is_empty() && !args.accept_changed_rules {
        let list: Vec<String> = rules_changed
            .iter()
            .map(|c| {
                format!("  round {}: `{}` was {}, the study file now says {}", c.round, c.setting, c.before, c.after)
            })
            .collect();
        return Err(Refused(format!(
            "the study file's consensus rule was edited after rounds opened under the old one:\n{}\n\
             a report would judge those rounds by the new rule. Restore the old setting, or run \
             `delphi report --accept-changed-rules` to report with the new rule (the report says what changed)",
            list.join("\n")
        ))
        .into());
    }
    let summary = analysis::summarise(study, &store, last)?;
    let options = PdfOptions { fonts: cjk_font(args.cjk_font.as_deref())?.into_iter().collect() };
    let languages: Vec<_> = study
        .languages
        .iter()
        .filter(|l| args.languages.is_empty() || args.languages.iter().any(|a| a == l.as_str()))
        .collect();
    if languages.is_empty() {
        bail!("none of {:?} is a language of the study", args.languages);
    }
    let round_dir = args.out.join(id.as_str()).join(format!("round-{last}"));
    std::fs::create_dir_all(&round_dir).with_context(|| format!("cannot create {}", round_dir.display()))?;
    let mut written = Written::default();
    let figures = tidy::figures(&summary);
    written.write(&round_dir.join("figures.csv"), &figures.to_csv()?)?;
    written.write(&round_dir.join("figures.parquet"), &figures.to_parquet()?)?;
    written.write(&round_dir.join("figures.md"), tidy::dictionary().as_bytes())?;
    let answers = tidy::answers(&answer_rows(&store, id, last)?);
    written.write(&round_dir.join("answers.csv"), &answers.to_csv()?)?;
    written.write(&round_dir.join("answers.parquet"), &answers.to_parquet()?)?;
    written.write(&round_dir.join("summary.json"), serde_json::to_string_pretty(&summary)?.as_bytes())?;
    args.format.say(format_args!(
        "{}: figures.csv + .parquet ({} figures, defined in figures.md), answers.csv + .parquet ({} pseudonymous answers), summary.json",
        round_dir.display(),
        figures.rows(),
        answers.rows()
    ));
    let exports = Exports { dir: round_dir, figures: figures.rows(), answers: answers.rows(), files: written.take() };
    let mut reports = Vec::new();
    let conduct = Conduct { rules_changed, ..conduct(study, &store, last)? };
    for language in languages {
        let dir = args.out.join(id.as_str()).join(format!("round-{last}")).join(language.as_str());
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let mut model = build(study, &summary, &conduct, language)?;
        add_rationales(study, &store, &summary, &mut model)?;
        let pdf = render_pdf(&model, &options)?;
        written.write(&dir.join("report.pdf"), &pdf.pdf)?;
        written.write(&dir.join("report.typ"), pdf.template.as_bytes())?;
        for file in pdf.imports {
            written.write(&dir.join(file.name), file.source.as_bytes())?;
        }
        written.write(&dir.join(DATA_FILE), pdf.json.as_bytes())?;
        written.write(&dir.join("report.html"), render_html(&model).as_bytes())?;
        written.write(&dir.join("report.md"), render_markdown(&model).as_bytes())?;
        args.format.say(format_args!(
            "{}: report.pdf ({} pages), report.html, report.md; edit report.typ and recompile with `typst compile report.typ`",
            dir.display(),
            pdf.pages
        ));
        for warning in &pdf.warnings {
            eprintln!("  note: {warning}");
        }
        reports.push(LanguageReport {
            language: language.as_str().to_owned(),
            dir,
            pages: pdf.pages,
            files: written.take(),
            notes: pdf.warnings.iter().map(ToString::to_string).collect(),
        });
    }
    if args.format == Format::Json {
        print_json(&ReportRun { study: id.clone(), round: last, exports, reports })?;
    }
    Ok(())
}

/// The files a run has written so far, in the order written.
#[derive(Default)]
struct Written(Vec<PathBuf>);

impl Written {
    fn write(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        write(path, bytes)?;
        self.0.push(path.to_path_buf());
        Ok(())
    }

    /// The files written since the last call.
    fn take(&mut self) -> Vec<PathBuf> {
        std::mem::take(&mut self.0)
    }
}

/// Each file whole or not at all: a report killed half-way leaves no half a PDF behind.
fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    crate::atomic::write(path, bytes)
}

/// The CJK font for the PDF: the file named, else the best one installed
/// ([`delphi_report::best_cjk_font`] of the system's fonts, as typst-kit finds them).
fn cjk_font(chosen: Option<&Path>) -> Result<Option<Vec<u8>>> {
    if let Some(path) = chosen {
        return Ok(Some(std::fs::read(path).with_context(|| format!("cannot read the font {}", path.display()))?));
    }
    let faces: Vec<_> = typst_kit::fonts::system().collect();
    let found = delphi_report::best_cjk_font(faces.iter().map(|(font, info)| (&font.path, info)));
    Ok(found.and_then(|path| std::fs::read(path).ok()))
}

/// Each domain's anonymous rationales of each round, grouped by the position of their
/// authors' rating of the anchor criterion against the panel's median.
fn add_rationales(
    study: &delphi_core::Study,
    store: &delphi_store::Store,
    summary: &delphi_stats::StudySummary,
    model: &mut delphi_report::Report,
) -> Result<()> {
    let Some(anchor) = crate::frozen::rationale_anchor(study) else { return Ok(()) };
    // Each round's answers (and its rationales' translations) read once, not once per area: a
    // read ranks every answer.
    let mut answers_of_round = std::collections::BTreeMap::new();
    let mut context_of_round = std::collections::BTreeMap::new();
    for domain_report in &mut model.domains {
        let Some(domain) = study.domains.iter().find(|d| d.id.as_str() == domain_report.id) else { continue };
        let anchor_id = delphi_core::study::ItemId::for_domain_criterion(&domain.id, anchor);
        for round in &mut domain_report.rounds {
            let median = summary
                .items
                .iter()
                .find(|i| i.round == round.round && i.item.as_str() == anchor_id.as_str())
                .and_then(|i| match &i.result {
                    ItemResult::Ordinal(o) => o.median.value(),
                    ItemResult::Numeric(_) | ItemResult::Quantile(_) | ItemResult::Ranking(_) => None,
                });
            let Some(median) = median else { continue };
            let answers = match answers_of_round.entry(round.round) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(store.current_answers(&study.id, round.round)?)
                }
            };
            let context = match context_of_round.entry(round.round) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => {
                    e.insert(crate::frozen::RationaleContext::load(store, &study.id, round.round)?)
                }
            };
            let grouped = crate::frozen::rationales_by_position(study, answers, &domain.id, median, context);
            let language = model.language.as_str();
            let for_report = |side: Vec<delphi_survey::feedback::Rationale>| rationale_texts(&side, language);
            for (side, texts) in [
                (delphi_report::Side::Below, for_report(grouped.below)),
                (delphi_report::Side::At, for_report(grouped.at)),
                (delphi_report::Side::Above, for_report(grouped.above)),
            ] {
                if !texts.is_empty() {
                    round.rationales.push(delphi_report::RationaleGroup::beside_median(
                        &model.labels,
                        anchor.as_str(),
                        side,
                        median,
                        texts,
                    ));
                }
            }
        }
    }
    Ok(())
}

/// One side's rationales as the report shows them: identical ones (the survey's grouping —
/// case and runs of whitespace ignored) once, with how many experts wrote them, in text order
/// (which says nothing of who wrote what). A group reads in the report's language when any of
/// its members carries a translation into it: identical texts share one translation.
fn rationale_texts(side: &[delphi_survey::feedback::Rationale], language: &str) -> Vec<delphi_report::RationaleText> {
    use delphi_survey::feedback::{group_identical, normalised};
    let report_language = delphi_core::study::Language::parse(language);
    let translation = |r: &delphi_survey::feedback::Rationale| -> Option<String> {
        report_language.as_ref().and_then(|l| r.translations.get(l)).cloned()
    };
    group_identical(side.iter().map(|r| r.text.as_str()))
        .into_iter()
        .filter_map(|group| {
            let key = normalised(&group.text);
            let members: Vec<_> = side.iter().filter(|r| normalised(&r.text) == key).collect();
            let shown = members.iter().find(|r| translation(r).is_some()).or_else(|| members.first())?;
            let written_in = shown.language.as_ref().map(|l| l.as_str());
            let text =
                delphi_report::RationaleText::new(&group.text, written_in, translation(shown).as_deref(), language);
            Some(text.written_by(group.count))
        })
        .collect()
}

/// Every answer that counts in rounds 1..=last, by pseudonym (never a name or email).
fn answer_rows(store: &Store, study_id: &StudyId, last: u32) -> Result<Vec<AnswerRow>> {
    let mut rows = Vec::new();
    for round in 1..=last {
        for answer in store.current_answers(study_id, round)? {
            rows.push(AnswerRow {
                round,
                pseudonym: answer.pseudonym,
                item: answer.item_id,
                answer: answer.value.to_string(),
                revision: answer.revision,
            });
        }
    }
    Ok(rows)
}

/// How rounds 1..=last ran, from the store: their dates, what each questionnaire fed back
/// (counted from the questionnaire as frozen), the panel per institution and bloc, and the
/// reminders sent in each round.
fn conduct(study: &delphi_core::Study, store: &Store, last: u32) -> Result<Conduct> {
    let id = &study.id;
    let mut rounds = Vec::new();
    let mut questionnaires = Vec::new();
    for round in store.rounds(id)?.into_iter().filter(|r| r.number <= last) {
        let (opened_at, deadline, closed_at) = match round.state {
            RoundState::Closed { opened_at, deadline, closed_at } => (opened_at, deadline, Some(closed_at)),
            RoundState::Open { opened_at, deadline } => (opened_at, deadline, None),
            RoundState::Draft => continue,
        };
        let frozen = crate::frozen::load(store, id, round.number)?;
        questionnaires.push(FrozenQuestions {
            round: round.number,
            by_language: frozen
                .questionnaires
                .iter()
                .map(|(language, q)| (language.as_str().to_owned(), asked_questions(q)))
                .collect(),
        });
        rounds.push(RoundConduct {
            round: round.number,
            opened_at,
            deadline,
            closed_at,
            feedback: feedback_given(round.number, frozen.in_language(study.default_language().as_str())),
        });
    }
    let panel = store
        .status(id, &[PanelAttribute::Institution, PanelAttribute::Bloc])?
        .into_iter()
        .filter(|s| s.round.number <= last)
        .flat_map(|s| {
            let round = s.round.number;
            s.groups.into_iter().map(move |g| PanelCount {
                attribute: g.attribute,
                group: g.value,
                round,
                invited: g.invited,
                responded: g.responded,
            })
        })
        .collect();
    let mut reminders_sent = std::collections::BTreeMap::new();
    for round in rounds.iter().map(|r| r.round) {
        let sent = store.mail_counts(id, round)?.into_iter().find(|(kind, _, _)| kind == "reminder");
        reminders_sent.insert(round, sent.map_or(0, |(_, sent, _)| sent));
    }
    Ok(Conduct {
        rounds,
        panel,
        stopping_rule_stated: study.stopping_stated,
        rules_changed: Vec::new(),
        reminders_sent,
        questionnaires,
    })
}

/// A frozen questionnaire's questions as the report's appendix lists them: each with its
/// wording and how it was answered, as the experts read them.
fn asked_questions(questionnaire: &delphi_survey::Questionnaire) -> Vec<AskedQuestion> {
    use delphi_survey::AnswerSpec;
    questionnaire
        .items
        .iter()
        .map(|item| AskedQuestion {
            item: item.id.as_str().to_owned(),
            domain: item
                .domain
                .as_ref()
                .and_then(|d| questionnaire.domains.iter().find(|v| &v.id == d))
                .map(|v| v.title.clone()),
            seed: item.is_seed,
            wording: item.prompt.clone(),
            answer: match &item.answer {
                AnswerSpec::Ordinal { min, labels, .. } => {
                    AnswerForm::Scale { points: (*min..).zip(labels.iter().cloned()).collect() }
                }
                AnswerSpec::Numeric { unit, .. } => AnswerForm::Number { unit: unit.clone() },
                AnswerSpec::Quantile { unit, levels, .. } => {
                    AnswerForm::Quantiles { levels: levels.to_string(), unit: unit.clone() }
                }
                AnswerSpec::Probability => AnswerForm::Probability,
                AnswerSpec::Ranking { .. } => AnswerForm::Ranking,
                AnswerSpec::Text => AnswerForm::Text,
            },
            continues: item.continues.as_ref().map(|c| c.as_str().to_owned()),
        })
        .collect()
}

/// The settings of the consensus rule that differ between the study file now and the rule
/// each of rounds 1..=last was opened under (rounds opened before the store kept the rule
/// have nothing to compare with and are left out). Compared setting by setting as JSON,
/// so that a setting added to the rule later is compared too.
fn rules_changed(study: &delphi_core::Study, store: &Store, last: u32) -> Result<Vec<RuleChange>> {
    let now = serde_json::to_value(study.consensus)?;
    let mut changes = Vec::new();
    for (round, rules) in store.round_rules(&study.id)? {
        let Some(rules) = rules.filter(|_| round <= last) else { continue };
        let then: serde_json::Value = serde_json::from_str(&rules)
            .with_context(|| format!("the rule recorded for round {round} is not JSON: the store is damaged"))?;
        let (Some(now), Some(then)) = (now.as_object(), then.as_object()) else { continue };
        for (setting, after) in now {
            // A setting the round's record lacks was added to the rule later, with the default
            // the round was in fact judged by; only a recorded value can have been edited.
            let Some(before) = then.get(setting) else { continue };
            if !same_setting(before, after) {
                changes.push(RuleChange {
                    round,
                    setting: setting.clone(),
                    before: setting_text(before),
                    after: setting_text(after),
                });
            }
        }
    }
    Ok(changes)
}

/// Equal settings: numbers by value (1 and 1.0 are the same IQR), the rest as written.
fn same_setting(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn setting_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What a frozen questionnaire shows of the round before. The shared copy leaves each item's
/// own answer `NotPersonalised`; every expert's copy gets their own previous answer there
/// (`delphi_survey::personalise`, used by the web forms and `round show --expert`).
fn feedback_given(round: u32, questionnaire: &delphi_survey::Questionnaire) -> FeedbackGiven {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let shown: Vec<_> = questionnaire.items.iter().filter_map(|i| i.feedback.as_ref()).collect();
    FeedbackGiven {
        // a later round whose items show no feedback still came after the round before
        from_round: questionnaire.feedback_round.or_else(|| round.checked_sub(1).filter(|&r| r > 0)),
        items_asked: count(questionnaire.items.len()),
        items_with_feedback: count(shown.len()),
        distributions: count(shown.iter().filter(|f| !f.distribution.is_empty()).count()),
        medians: count(shown.iter().filter(|f| f.median.is_some()).count()),
        quartiles: count(shown.iter().filter(|f| f.q1.is_some() && f.q3.is_some()).count()),
        own_answers: count(shown.iter().filter(|f| f.own == OwnAnswer::NotPersonalised).count()),
        rationales: count(
            shown.iter().map(|f| f.rationales.below.len() + f.rationales.at.len() + f.rationales.above.len()).sum(),
        ),
        // The first round has nothing to carry over.
        carry_over: (round > 1).then_some(questionnaire.carry_over),
    }
}

#[cfg(test)]
mod tests {
    use delphi_core::study::Language;
    use delphi_survey::feedback::Rationale;

    fn written(text: &str, language: &str, translation: Option<(&str, &str)>) -> Rationale {
        Rationale {
            text: text.into(),
            language: Language::parse(language),
            translations: translation.map(|(l, t)| (Language::parse(l).unwrap(), t.to_owned())).into_iter().collect(),
            featured: false,
        }
    }

    /// Three English experts wrote one reason (spacing and case aside); the translator
    /// translated one spelling. A Chinese reader reads the translation once, for all three.
    #[test]
    fn identical_rationales_are_one_entry_with_their_count_and_share_a_translation() {
        let side = [
            written("Verification builds trust.", "en", None),
            written("Inspections are hard.", "en", None),
            written("verification  builds trust.", "en", Some(("zh", "核查建立信任。"))),
            written("VERIFICATION builds trust.", "en", None),
        ];
        let zh = super::rationale_texts(&side, "zh");
        assert_eq!(zh.len(), 2, "{zh:?}");
        let shared = zh.iter().find(|r| r.count == 3).expect("the shared reason, counted 3");
        assert_eq!(shared.text, "核查建立信任。");
        assert_eq!(shared.original.as_ref().map(|o| o.text.as_str()), Some("VERIFICATION builds trust."));
        let single = zh.iter().find(|r| r.count == 1).unwrap();
        assert_eq!((single.text.as_str(), single.note.as_deref()), ("Inspections are hard.", Some("未翻译")));

        let en = super::rationale_texts(&side, "en");
        let texts: Vec<(&str, u32)> = en.iter().map(|r| (r.text.as_str(), r.count)).collect();
        assert_eq!(texts, [("Inspections are hard.", 1), ("VERIFICATION builds trust.", 3)]);
        assert!(en.iter().all(|r| r.note.is_none() && r.original.is_none()));
    }
}
