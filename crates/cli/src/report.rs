//! `delphi report`: the reports of a study's rounds so far — PDF (with its Typst template
//! and data beside it, to edit and recompile), HTML and Markdown, in each study language.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use delphi_report::{DATA_FILE, PdfOptions, build, render_html, render_markdown, render_pdf};
use delphi_store::RoundState;

use crate::analysis;
use crate::workspace::Workspace;

/// Where CJK fonts usually are (Debian's fonts-noto-cjk, WenQuanYi); the first found is used.
const CJK_FONTS: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
];

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
    /// A font file with Chinese/Japanese/Korean glyphs for the PDF; by default a common
    /// system font (apt-get install fonts-noto-cjk) if one is installed.
    #[arg(long, env = "DELPHI_CJK_FONT")]
    cjk_font: Option<PathBuf>,
}

pub(crate) fn report(workspace: &Workspace, args: &ReportArgs) -> Result<()> {
    let (loaded, store) = workspace.open()?;
    let study = &loaded.study;
    let id = study.id.as_str();
    let closed: Vec<u32> =
        store.rounds(id)?.iter().filter(|r| matches!(r.state, RoundState::Closed { .. })).map(|r| r.number).collect();
    let last = match args.round {
        Some(round) if closed.contains(&round) => round,
        Some(round) => bail!("round {round} is not closed; reports cover closed rounds (closed so far: {closed:?})"),
        None => *closed.last().context("no round is closed yet; close one with `delphi round close`")?,
    };
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
    let round_dir = args.out.join(id).join(format!("round-{last}"));
    std::fs::create_dir_all(&round_dir).with_context(|| format!("cannot create {}", round_dir.display()))?;
    write_figures(&round_dir.join("figures.csv"), &summary)?;
    let answered = write_answers(&round_dir.join("answers.csv"), &store, id, last)?;
    write(&round_dir.join("summary.json"), serde_json::to_string_pretty(&summary)?.as_bytes())?;
    println!(
        "{}: figures.csv (every figure), answers.csv ({answered} pseudonymous answers), summary.json",
        round_dir.display()
    );
    for language in languages {
        let dir = args.out.join(id).join(format!("round-{last}")).join(language.as_str());
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let mut model = build(study, &summary, language)?;
        add_rationales(study, &store, &summary, &mut model)?;
        let pdf = render_pdf(&model, &options)?;
        write(&dir.join("report.pdf"), &pdf.pdf)?;
        write(&dir.join("report.typ"), pdf.template.as_bytes())?;
        write(&dir.join(DATA_FILE), pdf.json.as_bytes())?;
        write(&dir.join("report.html"), render_html(&model).as_bytes())?;
        write(&dir.join("report.md"), render_markdown(&model).as_bytes())?;
        println!(
            "{}: report.pdf ({} pages), report.html, report.md; edit report.typ and recompile with `typst compile report.typ`",
            dir.display(),
            pdf.pages
        );
        for warning in &pdf.warnings {
            eprintln!("  note: {warning}");
        }
    }
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

fn cjk_font(chosen: Option<&Path>) -> Result<Option<Vec<u8>>> {
    if let Some(path) = chosen {
        return Ok(Some(std::fs::read(path).with_context(|| format!("cannot read the font {}", path.display()))?));
    }
    Ok(CJK_FONTS.iter().map(Path::new).find(|p| p.is_file()).and_then(|p| std::fs::read(p).ok()))
}

/// Each domain's anonymous rationales of each round, grouped by the position of their
/// authors' rating of the anchor criterion against the panel's median.
fn add_rationales(
    study: &delphi_core::Study,
    store: &delphi_store::Store,
    summary: &delphi_stats::StudySummary,
    model: &mut delphi_report::Report,
) -> Result<()> {
    let anchor = crate::frozen::rationale_anchor(study);
    for domain_report in &mut model.domains {
        let Some(domain) = study.domains.iter().find(|d| d.id.as_str() == domain_report.id) else { continue };
        let anchor_id = delphi_core::study::ItemId::for_domain_criterion(&domain.id, anchor);
        for round in &mut domain_report.rounds {
            let median = summary
                .items
                .iter()
                .find(|i| i.round == round.round && i.item.as_str() == anchor_id.as_str())
                .and_then(|i| match &i.result {
                    delphi_stats::summarise::ItemResult::Ordinal(o) => o.median.value(),
                    _ => None,
                });
            let Some(median) = median else { continue };
            let answers = store.current_answers(study.id.as_str(), round.round)?;
            let grouped = crate::frozen::rationales_by_position(study, &answers, &domain.id, median);
            let shown = |m: f64| if m.fract() == 0.0 { format!("{m:.0}") } else { format!("{m:.1}") };
            for (position, texts) in [
                (format!("below the median ({})", shown(median)), grouped.below),
                (format!("at the median ({})", shown(median)), grouped.at),
                (format!("above the median ({})", shown(median)), grouped.above),
            ] {
                if !texts.is_empty() {
                    round.rationales.push(delphi_report::RationaleGroup {
                        criterion: anchor.to_string(),
                        position,
                        texts,
                    });
                }
            }
        }
    }
    Ok(())
}

/// A spreadsheet cell that cannot run as a formula: text starting with `=`, `+`, `-`, `@`
/// or a control character gets a leading apostrophe (expert text reaches these files).
fn inert_cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

/// Every figure of every item and round, one per row (tidy); undefined figures say why.
fn write_figures(path: &Path, summary: &delphi_stats::StudySummary) -> Result<()> {
    let mut out = csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    out.write_record(["round", "item", "measure", "value", "undefined_because"])?;
    for item in &summary.items {
        for (measure, figure) in item.result.measures() {
            let (value, why) = match figure.value() {
                Some(v) => (v.to_string(), String::new()),
                None => (String::new(), figure.reason().map(|r| r.to_string()).unwrap_or_default()),
            };
            out.write_record([item.round.to_string(), inert_cell(item.item.as_str()), measure.to_owned(), value, why])?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Every answer that counts in rounds 1..=last, by pseudonym (never a name or email).
fn write_answers(path: &Path, store: &delphi_store::Store, study_id: &str, last: u32) -> Result<usize> {
    let mut out = csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
    out.write_record(["round", "expert", "item", "answer", "revision"])?;
    let mut count = 0;
    for round in 1..=last {
        for answer in store.current_answers(study_id, round)? {
            out.write_record([
                round.to_string(),
                answer.pseudonym,
                inert_cell(&answer.item_id),
                inert_cell(&answer.value.to_string()),
                answer.revision.to_string(),
            ])?;
            count += 1;
        }
    }
    out.flush()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    #[test]
    fn cells_that_a_spreadsheet_would_run_are_made_inert() {
        assert_eq!(super::inert_cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(super::inert_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(super::inert_cell("-2"), "'-2");
        assert_eq!(super::inert_cell("plain"), "plain");
    }
}
