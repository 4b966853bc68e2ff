//! Markdown (CommonMark with GFM tables). Every text is escaped so that it renders literally:
//! ASCII punctuation gets a backslash, line breaks become spaces (a cell stays one line).

use std::fmt::Write;

use delphi_core::text::for_report;

use crate::model::{DomainRound, Num, Report, VerdictCell};

/// Escapes text so that a Markdown renderer shows it literally, also inside a table cell:
/// inline markup characters get a backslash, as do a leading `-`, `+`, `=` or the `.` / `)`
/// of a leading number (lists, setext headings); line breaks become spaces.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut leading_digits = true;
    for (i, c) in s.chars().enumerate() {
        match c {
            '\r' | '\n' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' | '~' | '&' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '-' | '+' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            '.' | ')' if leading_digits && i > 0 => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        leading_digits = leading_digits && c.is_ascii_digit();
    }
    out
}

/// Every text of the report, expert text included: control characters and bidi overrides
/// dropped (`delphi_core::text::for_report`), then escaped.
fn e(s: &str) -> String {
    escape(&for_report(s))
}

/// Our own figures (digits, `.`, `-`, `—`) need no escaping; in table cells they cannot start a list.
fn t(n: &Num) -> String {
    n.text.clone()
}

fn verdict(v: Option<&VerdictCell>) -> String {
    match v {
        None => "—".into(),
        Some(v) if v.outcome == "met" => format!("**{}**", e(&v.label)),
        Some(v) if v.outcome == "undefined" => format!("*{}*", e(&v.label)),
        Some(v) => e(&v.label),
    }
}

fn table(out: &mut String, head: &[&str], rows: &[Vec<String>]) {
    let head: Vec<String> = head.iter().map(|h| e(h)).collect();
    let _ = writeln!(out, "\n| {} |", head.join(" | "));
    let _ = writeln!(out, "|{}|", vec!["---"; head.len()].join("|"));
    for r in rows {
        let _ = writeln!(out, "| {} |", r.join(" | "));
    }
    out.push('\n');
}

fn bar(count: u64, max: u64) -> String {
    let n = (count * 20).checked_div(max).map_or(0, |n| usize::try_from(n).unwrap_or(20));
    format!("`{}{}` {count}", "█".repeat(n), " ".repeat(20 - n.min(20)))
}

fn domain_round(out: &mut String, report: &Report, title: &str, r: &DomainRound) {
    let l = &report.labels;
    let _ = writeln!(out, "### {} — {} {}\n", e(title), e(&l.round), r.round);
    let _ = writeln!(out, "#### {}", e(&l.criteria));
    let rows: Vec<Vec<String>> = r
        .criteria
        .iter()
        .map(|c| {
            vec![
                e(&c.criterion),
                c.n.to_string(),
                c.dont_know.to_string(),
                t(&c.median),
                format!("{}–{}", t(&c.q1), t(&c.q3)),
                t(&c.iqr),
                t(&c.agreement),
                verdict(c.verdict.as_ref()),
                c.verdict.as_ref().map(|v| e(&v.reason)).unwrap_or_default(),
            ]
        })
        .collect();
    table(
        out,
        &[&l.criterion, &l.n, &l.dont_know, &l.median, &l.quartiles, &l.iqr, &l.agreement, &l.verdict, &l.reason],
        &rows,
    );
    if !r.distributions.is_empty() {
        let _ = writeln!(out, "#### {}\n\n{}", e(&l.distribution), e(&l.distribution_note));
        for d in &r.distributions {
            let mut head = vec![d.criterion.clone()];
            head.extend(d.rounds.iter().zip(&d.n).map(|(r, n)| format!("{} {r} (n = {n})", l.round)));
            let head: Vec<&str> = head.iter().map(String::as_str).collect();
            let rows: Vec<Vec<String>> = d
                .points
                .iter()
                .map(|p| {
                    let mut v = vec![format!("{} {}{}", p.point, e(&p.label), if p.agree { " (+)" } else { "" })];
                    v.extend(p.counts.iter().map(|&c| bar(c, d.max_count)));
                    v
                })
                .collect();
            table(out, &head, &rows);
        }
    }
    if !r.stability.is_empty() {
        let _ = writeln!(out, "#### {}", e(&l.stability));
        let rows: Vec<Vec<String>> = r
            .stability
            .iter()
            .map(|s| {
                vec![
                    e(&s.criterion),
                    s.from_round.to_string(),
                    s.pairs.to_string(),
                    format!("{} ({} %)", s.moved, t(&s.moved_percent)),
                    t(&s.iqr_change),
                    verdict(Some(&s.verdict)),
                    e(&s.verdict.reason),
                ]
            })
            .collect();
        table(out, &[&l.criterion, &l.from_round, &l.pairs, &l.moved, &l.iqr_change, &l.verdict, &l.reason], &rows);
    }
    for g in &r.groups {
        let _ = writeln!(out, "#### {}: {}", e(&l.groups), e(&g.attribute));
        let mut head: Vec<&str> = vec![&l.criterion];
        head.extend(g.groups.iter().map(String::as_str));
        head.push(&l.cross_group);
        let rows: Vec<Vec<String>> = g
            .rows
            .iter()
            .map(|row| {
                let mut v = vec![e(&row.criterion)];
                v.extend(row.cells.iter().map(|c| {
                    if c.suppressed {
                        format!("*{}*", e(&l.suppressed))
                    } else {
                        format!("{} / {} ({})", t(&c.median), t(&c.iqr), c.n)
                    }
                }));
                v.push(verdict(Some(&row.cross_group)));
                v
            })
            .collect();
        table(out, &head, &rows);
        let _ = writeln!(out, "{}\n", e(&g.note));
    }
    if let Some(s) = &r.synthesis {
        let _ = writeln!(out, "#### {}", e(&l.synthesis));
        let mut rows = vec![vec![e(&l.benefit), t(&s.benefit), t(&s.benefit_normalised)]];
        rows.extend(s.risks.iter().map(|k| vec![e(&k.criterion), t(&k.median), t(&k.normalised)]));
        table(out, &[&l.criterion, &l.median, "0–1"], &rows);
        let _ = writeln!(
            out,
            "**{}:** {} — {}  \n{}: {} ({} %, {}: {})\n",
            e(&l.placement),
            e(s.placement.as_deref().unwrap_or("—")),
            e(&s.reason),
            e(&l.certainty),
            e(&s.certainty),
            t(&s.placement_agreement),
            e(&l.experts_placed),
            s.experts_placed
        );
    }
    if !r.rationales.is_empty() {
        let _ = writeln!(out, "#### {}\n", e(&l.rationales));
        for g in &r.rationales {
            let _ = writeln!(out, "**{}: {}**\n", e(&g.criterion), e(&g.position));
            for r in &g.texts {
                let note = r.note.as_deref().map(|n| format!(" *({})*", e(n))).unwrap_or_default();
                let _ = writeln!(out, "- {}{note}", e(&r.text));
                if let Some(o) = &r.original {
                    let _ = writeln!(out, "  *{}:* {}", e(&o.label), e(&o.text));
                }
            }
            out.push('\n');
        }
    }
}

/// Renders the report as Markdown.
pub fn render_markdown(report: &Report) -> String {
    let l = &report.labels;
    let mut out = String::with_capacity(32 * 1024);
    let rounds: Vec<String> = report.rounds.iter().map(u32::to_string).collect();
    let _ = writeln!(
        out,
        "# {}\n\n{} · {} · {}: {}\n",
        e(&report.study.title),
        e(&l.report),
        e(&report.study.id),
        e(&l.rounds_reported),
        rounds.join(", ")
    );
    for n in &report.notices {
        let _ = writeln!(out, "> **{}**\n", e(n));
    }
    let _ = writeln!(out, "{}\n\n*{}*\n", e(&report.study.description), e(&l.anonymity));

    let o = &report.overview;
    let _ = writeln!(out, "## {}\n\n### {}", e(&l.overview), e(&l.response));
    let rows: Vec<Vec<String>> = o
        .response
        .iter()
        .map(|r| {
            vec![
                r.round.to_string(),
                r.invited.map_or_else(|| "—".into(), |i| i.to_string()),
                r.responded.to_string(),
                t(&r.rate),
            ]
        })
        .collect();
    table(&mut out, &[&l.round, &l.invited, &l.responded, &l.rate], &rows);

    if !o.composition.is_empty() {
        let _ = writeln!(out, "### {}", e(&l.composition));
        let heads: Vec<String> = report.rounds.iter().map(|r| format!("{} {r}", l.round)).collect();
        for c in &o.composition {
            let mut head: Vec<&str> = vec![&c.label];
            head.extend(heads.iter().map(String::as_str));
            let rows: Vec<Vec<String>> = c
                .rows
                .iter()
                .map(|g| {
                    let group = match g.kind.as_str() {
                        "smaller" => format!("*{}*", e(&g.group)),
                        "total" => format!("**{}**", e(&g.group)),
                        _ => e(&g.group),
                    };
                    let mut v = vec![group];
                    v.extend(g.counts.iter().map(|x| e(&x.text)));
                    v
                })
                .collect();
            table(&mut out, &head, &rows);
        }
        let _ = writeln!(out, "{}\n", e(&o.composition_note));
    }

    let _ = writeln!(out, "### {}", e(&l.consensus_over_rounds));
    let round_heads: Vec<String> = report.rounds.iter().map(|r| format!("{} {r}", l.round)).collect();
    let mut head: Vec<&str> = vec![&l.domain, &l.criterion];
    head.extend(round_heads.iter().map(String::as_str));
    let rows: Vec<Vec<String>> = o
        .consensus
        .iter()
        .map(|c| {
            let mut v = vec![e(c.domain.as_deref().unwrap_or(&c.item)), e(c.criterion.as_deref().unwrap_or(""))];
            v.extend(c.rounds.iter().map(|x| match x {
                None => "—".into(),
                Some(x) => format!("{} · {}", t(&x.median), verdict(Some(&x.verdict))),
            }));
            v
        })
        .collect();
    table(&mut out, &head, &rows);

    if !o.benefit_risk.is_empty() {
        let _ =
            writeln!(out, "### {} ({} {})", e(&l.benefit_risk), e(&l.round), o.benefit_risk_round.unwrap_or_default());
        let rows: Vec<Vec<String>> = o
            .benefit_risk
            .iter()
            .map(|p| {
                vec![
                    p.marker.to_string(),
                    e(&p.title),
                    format!("{} ({}–{})", t(&p.benefit), t(&p.benefit_q1), t(&p.benefit_q3)),
                    format!(
                        "{} ({}–{}) {}",
                        t(&p.risk),
                        t(&p.risk_q1),
                        t(&p.risk_q3),
                        e(p.worst_risk.as_deref().unwrap_or(""))
                    ),
                    e(p.placement.as_deref().unwrap_or("—")),
                    format!("{} ({} %)", e(&p.certainty), t(&p.agreement)),
                ]
            })
            .collect();
        table(&mut out, &["#", &l.domain, &l.benefit, &l.worst_risk, &l.placement, &l.certainty], &rows);
        let _ = writeln!(out, "### {}", e(&l.placements_over_rounds));
        let mut head: Vec<&str> = vec![&l.domain];
        head.extend(round_heads.iter().map(String::as_str));
        let rows: Vec<Vec<String>> = o
            .placements
            .iter()
            .map(|p| {
                let mut v = vec![e(&p.title)];
                v.extend(p.rounds.iter().map(|x| e(x.as_deref().unwrap_or("—"))));
                v
            })
            .collect();
        table(&mut out, &head, &rows);
    }
    if !o.rankings.is_empty() {
        let _ = writeln!(out, "### {}", e(&l.ranking));
        let rows: Vec<Vec<String>> = o
            .rankings
            .iter()
            .map(|k| {
                let ranks: Vec<String> =
                    k.mean_ranks.iter().map(|m| format!("{}: {}", e(&m.name), t(&m.value))).collect();
                vec![
                    e(&k.item),
                    k.round.to_string(),
                    k.n.to_string(),
                    format!("{} ({})", t(&k.w), t(&k.p_value)),
                    ranks.join("; "),
                ]
            })
            .collect();
        let wp = format!("{} ({})", l.kendall_w, l.p_value);
        table(&mut out, &[&l.item, &l.round, &l.n, &wp, &l.mean_rank], &rows);
    }
    if !o.quantiles.is_empty() {
        let _ = writeln!(out, "### {}", e(&l.quantiles));
        let rows: Vec<Vec<String>> = o
            .quantiles
            .iter()
            .map(|q| {
                vec![
                    format!("{}{}", e(&q.item), if q.seed { format!(" ({})", e(&l.seed)) } else { String::new() }),
                    e(q.unit.as_deref().unwrap_or("")),
                    q.round.to_string(),
                    q.n.to_string(),
                    t(&q.q05),
                    t(&q.q50),
                    t(&q.q95),
                ]
            })
            .collect();
        table(&mut out, &[&l.item, &l.unit, &l.round, &l.n, "5 %", "50 %", "95 %"], &rows);
    }

    if !o.numeric.is_empty() {
        let _ = writeln!(out, "### {}", e(&l.numeric));
        let rows: Vec<Vec<String>> = o
            .numeric
            .iter()
            .map(|q| {
                vec![
                    e(&q.item),
                    q.round.to_string(),
                    q.n.to_string(),
                    t(&q.median),
                    format!("{}–{}", t(&q.q1), t(&q.q3)),
                    t(&q.iqr),
                ]
            })
            .collect();
        table(&mut out, &[&l.item, &l.round, &l.n, &l.median, &l.quartiles, &l.iqr], &rows);
    }

    let m = &report.methods;
    let _ = writeln!(out, "## {}\n", e(&l.methods));
    let rounds_m: Vec<String> = m.rounds.iter().map(u32::to_string).collect();
    let rel: Vec<String> = m.reliability.iter().map(|x| format!("{}: {}", e(&x.name), t(&x.value))).collect();
    for (k, v) in [
        (&l.consensus_definition_heading, e(&m.consensus_definition)),
        (&l.quantile_method, e(&m.quantile_method)),
        (&l.dont_know_heading, e(&m.dont_know)),
        (&l.stability_heading, e(&m.stability)),
        (&l.stopping_heading, e(&m.stopping)),
        (&l.rounds_reported, format!("{} (max. {})", rounds_m.join(", "), m.max_rounds)),
        (
            &l.groups_heading,
            format!(
                "{}; {}: {}. {}",
                e(&m.group_attributes.join(", ")),
                e(&l.min_group_size),
                m.min_group_size,
                e(&l.suppressed_note)
            ),
        ),
        (&l.reliability, rel.join("; ")),
    ] {
        let _ = writeln!(out, "- **{}:** {}", e(k), v);
    }
    let _ = writeln!(out, "\n### {}", e(&l.rounds_conducted));
    let rows: Vec<Vec<String>> = m
        .conducted
        .iter()
        .map(|r| vec![r.round.to_string(), e(&r.opened), e(&r.deadline), e(&r.closed), e(&r.feedback)])
        .collect();
    table(&mut out, &[&l.round, &l.opened, &l.deadline, &l.closed, &l.fed_back], &rows);
    out.push('\n');

    for d in &report.domains {
        let _ = writeln!(out, "## {}\n\n{}\n", e(&d.title), e(&d.description));
        for r in &d.rounds {
            domain_round(&mut out, report, &d.title, r);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_inline_markup_and_line_starts() {
        assert_eq!(
            escape("**b** _i_ `c` [l](u) <h> | # ! ~ & $ \\"),
            r"\*\*b\*\* \_i\_ \`c\` \[l\](u) \<h\> \| \# \! \~ \& \$ \\"
        );
        assert_eq!(escape("- item"), r"\- item");
        assert_eq!(escape("1. item"), r"1\. item");
        assert_eq!(escape("risk-harm 5.0"), "risk-harm 5.0");
        assert_eq!(escape("a\nb"), "a b");
    }
}
