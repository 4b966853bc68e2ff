//! `delphi cooke`: Cooke's classical model on an existing expert-judgment case, without a
//! study or a store. It reads what EXCALIBUR users bring (a `.dtt` file of assessments and a
//! `.rls` file of realisations, or ANDURYL's JSON), runs `delphi_stats::classical`, prints
//! the experts' scores and the decision makers, and writes the results as JSON, CSV and
//! Parquet, and a PDF of the model's tables (`delphi_report::cooke`) with the typst files and
//! JSON that recompile it.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use delphi_core::text::for_terminal;
use delphi_report::PdfOptions;
use delphi_report::cooke::{COOKE_TEMPLATE, build_cooke, information_text, render_cooke_pdf, score_text};
use delphi_report::tidy::{Column, Table, Values};
use delphi_stats::classical::{
    CaseModel, CookeCase, CookeOptions, DEFAULT_OVERSHOOT, RobustnessRow, Weighting, robustness_experts,
    robustness_items,
};
use delphi_stats::excalibur::read_excalibur;

use crate::atomic;
use crate::render::table;

#[derive(Debug, Args)]
#[command(after_help = "Writes into the output folder (default cooke/<case name>/):
  cooke.pdf                        the model's tables: the case and options, the decision makers
                                   against the best expert and any warning on page 1, then every
                                   expert's scores and weight, both decision makers' quantiles per
                                   item, the robustness tables, and the method
  cooke.typ, cooke.json,           its typst template and data, to edit and recompile with
  style.typ, cooke-tables.typ      `typst compile cooke.typ` (skipped with --no-pdf)
  model.json                       every number, exact
  experts.csv/.parquet             per expert: seeds answered, calibration, information, weight
  decision-makers.csv/.parquet     per item, decision maker and quantile: its value
  robustness.csv/.parquet          with --robustness

Example: delphi cooke Arkansas.dtt Arkansas.rls --robustness")]
pub(crate) struct CookeArgs {
    /// The case: EXCALIBUR's `CASE.dtt CASE.rls` (assessments, then realisations), or one
    /// ANDURYL `.json` project file.
    #[arg(required = true, num_args = 1..=2, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// How the decision maker weighs the experts: `global` (calibration × information over
    /// the seeds, the same on every item), `item` (calibration × information on each item),
    /// or `equal`.
    #[arg(long, value_enum, default_value_t = WeightsArg::Global)]
    weights: WeightsArg,
    /// A fixed significance level α: experts calibrated below it get no weight. Without it α
    /// is optimised (the decision maker's calibration × information, counted only when its
    /// own calibration is at least α, as EXCALIBUR does).
    #[arg(long)]
    alpha: Option<f64>,
    /// How far the intrinsic range of each item reaches beyond the lowest and highest value
    /// anyone gave, as a share of that span.
    #[arg(long, default_value_t = DEFAULT_OVERSHOOT)]
    overshoot: f64,
    /// Also run the model once without each seed item and once without each expert, and
    /// report the decision maker's scores for each (robustness tables).
    #[arg(long)]
    robustness: bool,
    /// Where to write cooke.pdf, model.json, experts.csv/.parquet,
    /// decision-makers.csv/.parquet (and robustness.csv/.parquet). Default:
    /// `cooke/<case name>/`.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Skip the PDF (and its typst template and data): only the JSON, CSV and Parquet files.
    #[arg(long)]
    no_pdf: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum WeightsArg {
    Global,
    Item,
    Equal,
}

impl From<WeightsArg> for Weighting {
    fn from(weights: WeightsArg) -> Self {
        match weights {
            WeightsArg::Global => Self::Global,
            WeightsArg::Item => Self::Item,
            WeightsArg::Equal => Self::Equal,
        }
    }
}

/// Runs the model on the case named by `args` and writes its results.
pub(crate) fn run(args: &CookeArgs) -> Result<()> {
    let (case, name) = read_case(&args.files)?;
    let options = CookeOptions { weighting: args.weights.into(), alpha: args.alpha, overshoot: args.overshoot };
    let model = delphi_stats::classical::run(&case, &options)
        .with_context(|| format!("cannot run the classical model on {name}"))?;
    let robustness = if args.robustness {
        let items = robustness_items(&case, &options).context("the robustness table over the seed items")?;
        let experts = robustness_experts(&case, &options).context("the robustness table over the experts")?;
        Some((items, experts))
    } else {
        None
    };
    print_model(&case, &model, &name);
    if let Some((items, experts)) = &robustness {
        print_robustness("without each seed item", items);
        print_robustness("without each expert", experts);
    }

    let out = args.out.clone().unwrap_or_else(|| Path::new("cooke").join(&name));
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let json = serde_json::json!({
        "case": name,
        "options": options,
        "quantiles": case.quantiles(),
        "items": case.items(),
        "model": model,
        "robustness": robustness.as_ref().map(|(items, experts)| serde_json::json!({ "items": items, "experts": experts })),
    });
    atomic::write(&out.join("model.json"), serde_json::to_string_pretty(&json)?.as_bytes())?;
    let mut tables =
        vec![("experts", experts_table(&model)?), ("decision-makers", decision_makers_table(&case, &model)?)];
    if let Some((items, experts)) = &robustness {
        tables.push(("robustness", robustness_table(items, experts)?));
    }
    for (file, table) in &tables {
        atomic::write(&out.join(format!("{file}.csv")), &table.to_csv()?)?;
        atomic::write(&out.join(format!("{file}.parquet")), &table.to_parquet()?)?;
    }
    println!("written to {}: model.json, {}", out.display(), files_written(&tables));
    if !args.no_pdf {
        let robustness = robustness.as_ref().map(|(items, experts)| (items.as_slice(), experts.as_slice()));
        let report = build_cooke(&name, &case, &options, &model, robustness);
        let pdf = while_saying("compiling cooke.pdf…", || render_cooke_pdf(&report, &PdfOptions::default()))
            .context("cannot make the PDF")?;
        atomic::write(&out.join("cooke.pdf"), &pdf.pdf)?;
        atomic::write(&out.join(COOKE_TEMPLATE.main.name), pdf.template.as_bytes())?;
        for file in pdf.imports {
            atomic::write(&out.join(file.name), file.source.as_bytes())?;
        }
        atomic::write(&out.join(COOKE_TEMPLATE.data_file), pdf.json.as_bytes())?;
        println!(
            "written to {}: cooke.pdf ({} pages); edit cooke.typ and recompile with `typst compile cooke.typ`",
            out.display(),
            pdf.pages
        );
        for warning in &pdf.warnings {
            eprintln!("  note: {warning}");
        }
    }
    Ok(())
}

/// Runs `work`, saying `what` on stderr if it takes more than a second.
fn while_saying<T>(what: &str, work: impl FnOnce() -> T) -> T {
    let (done, wait) = channel::<()>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            if matches!(wait.recv_timeout(Duration::from_secs(1)), Err(RecvTimeoutError::Timeout)) {
                eprintln!("{what}");
            }
        });
        let result = work();
        drop(done);
        result
    })
}

fn files_written(tables: &[(&str, Table)]) -> String {
    tables.iter().map(|(file, _)| format!("{file}.csv + .parquet")).collect::<Vec<_>>().join(", ")
}

/// The case and its name (the file name without extension). EXCALIBUR files come from
/// Windows programs: text that is not UTF-8 is read as Latin-1, byte for byte.
fn read_case(files: &[PathBuf]) -> Result<(CookeCase, String)> {
    let name = files[0].file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "case".into());
    let text = |path: &Path| -> Result<String> {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok(String::from_utf8(bytes).unwrap_or_else(|e| e.as_bytes().iter().map(|&b| char::from(b)).collect()))
    };
    let extension = |path: &Path| path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    let case = match files {
        [json] if extension(json) == "json" => delphi_stats::anduryl::read_anduryl_json(&text(json)?)
            .with_context(|| format!("{} is not a usable ANDURYL case", json.display()))?,
        [dtt, rls] => read_excalibur(&text(dtt)?, &text(rls)?)
            .with_context(|| format!("{} + {} are not a usable EXCALIBUR case", dtt.display(), rls.display()))?,
        [other] => bail!(
            "{} is neither an ANDURYL .json file nor half of an EXCALIBUR case; give `CASE.dtt CASE.rls`",
            other.display()
        ),
        _ => bail!("give `CASE.dtt CASE.rls` or one ANDURYL `.json` file"),
    };
    Ok((case, name))
}

fn print_model(case: &CookeCase, model: &CaseModel, name: &str) {
    let quantiles: Vec<String> = case.quantiles().iter().map(|q| format!("{q} %")).collect();
    println!(
        "case {}: {} experts, {} seed items, {} items in all; quantiles {}",
        for_terminal(name),
        case.experts().len(),
        model.seeds,
        case.items().len(),
        quantiles.join(", ")
    );
    for warning in &model.warnings {
        println!("warning: {}", for_terminal(warning));
    }
    let header = ["expert", "seeds", "calibration", "information (seeds)", "information (all)", "weight"];
    let mut rows = Vec::new();
    for expert in &model.experts {
        rows.push(vec![
            for_terminal(&expert.name).into_owned(),
            expert.scores.answered_seeds().to_string(),
            score_text(expert.scores.calibration),
            information_text(expert.scores.information_seeds),
            information_text(expert.scores.information_all),
            score_text(expert.weight),
        ]);
    }
    for (label, dm) in [("decision maker", &model.dm), ("equal weights", &model.equal_dm)] {
        rows.push(vec![
            label.to_owned(),
            dm.scores.answered_seeds().to_string(),
            score_text(dm.scores.calibration),
            information_text(dm.scores.information_seeds),
            information_text(dm.scores.information_all),
            String::new(),
        ]);
    }
    print!("{}", table(&header, &rows));
    match model.dm.alpha {
        Some(alpha) => println!("α = {} ({} weights)", score_text(alpha), weighting_word(model.dm.weighting)),
        None => println!("({} weights)", weighting_word(model.dm.weighting)),
    }
}

fn weighting_word(weighting: Weighting) -> &'static str {
    match weighting {
        Weighting::Global => "global",
        Weighting::Item => "item",
        Weighting::Equal => "equal",
    }
}

fn print_robustness(title: &str, rows: &[RobustnessRow]) {
    println!("robustness, {title}:");
    let header = ["left out", "DM calibration", "DM information (seeds)", "DM information (all)"];
    let mut lines = Vec::new();
    for row in rows {
        lines.push(vec![
            for_terminal(&row.left_out).into_owned(),
            score_text(row.calibration),
            information_text(row.information_seeds),
            information_text(row.information_all),
        ]);
    }
    print!("{}", table(&header, &lines));
}

fn experts_table(model: &CaseModel) -> Result<Table> {
    let experts = &model.experts;
    let number = |f: fn(&delphi_stats::classical::ExpertResult) -> f64| {
        Values::OptionalNumbers(experts.iter().map(|e| Some(f(e))).collect())
    };
    Ok(Table::new(vec![
        Column { name: "expert", values: Values::Texts(experts.iter().map(|e| e.name.clone()).collect()) },
        Column {
            name: "seeds_answered",
            values: Values::Integers(
                experts.iter().map(|e| i64::try_from(e.scores.answered_seeds()).unwrap_or(i64::MAX)).collect(),
            ),
        },
        Column { name: "calibration", values: number(|e| e.scores.calibration) },
        Column { name: "information_seeds", values: number(|e| e.scores.information_seeds) },
        Column { name: "information_all", values: number(|e| e.scores.information_all) },
        Column { name: "weight", values: number(|e| e.weight) },
    ])?)
}

/// Both decision makers' quantiles on every item, one row per item, maker and quantile.
fn decision_makers_table(case: &CookeCase, model: &CaseModel) -> Result<Table> {
    let (mut item, mut maker, mut quantile, mut value, mut realisation) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (label, dm) in [("performance", &model.dm), ("equal", &model.equal_dm)] {
        for (case_item, values) in case.items().iter().zip(&dm.quantiles) {
            for (k, &q) in case.quantiles().iter().enumerate() {
                item.push(case_item.id.clone());
                maker.push(label.to_owned());
                quantile.push(i64::from(q));
                value.push(values.as_ref().and_then(|v| v.get(k).copied()));
                realisation.push(case_item.realisation);
            }
        }
    }
    Ok(Table::new(vec![
        Column { name: "item", values: Values::Texts(item) },
        Column { name: "decision_maker", values: Values::Texts(maker) },
        Column { name: "quantile_percent", values: Values::Integers(quantile) },
        Column { name: "value", values: Values::OptionalNumbers(value) },
        Column { name: "realisation", values: Values::OptionalNumbers(realisation) },
    ])?)
}

fn robustness_table(items: &[RobustnessRow], experts: &[RobustnessRow]) -> Result<Table> {
    let rows: Vec<(&str, &RobustnessRow)> =
        items.iter().map(|r| ("seed item", r)).chain(experts.iter().map(|r| ("expert", r))).collect();
    let number = |f: fn(&RobustnessRow) -> f64| Values::OptionalNumbers(rows.iter().map(|(_, r)| Some(f(r))).collect());
    Ok(Table::new(vec![
        Column { name: "left_out_kind", values: Values::Texts(rows.iter().map(|(k, _)| (*k).to_owned()).collect()) },
        Column { name: "left_out", values: Values::Texts(rows.iter().map(|(_, r)| r.left_out.clone()).collect()) },
        Column { name: "dm_calibration", values: number(|r| r.calibration) },
        Column { name: "dm_information_seeds", values: number(|r| r.information_seeds) },
        Column { name: "dm_information_all", values: number(|r| r.information_all) },
    ])?)
}
