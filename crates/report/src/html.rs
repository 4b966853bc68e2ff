//! One self-contained HTML file: inline CSS, inline SVG charts, no scripts, no external
//! resources. Every text is escaped; the output is also well-formed XML.

use std::fmt::Write;

use delphi_core::text::for_report;

use crate::model::{BenefitRiskPoint, Distribution, DomainRound, Num, Report, VerdictCell};

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "body{font-family:serif;max-width:60em;margin:2em auto;padding:0 1em;color:#000;background:#fff}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #aaa;padding:2px 6px;text-align:left;vertical-align:top}\
th{background:#eee}.met{font-weight:bold}.undefined{font-style:italic}.small{font-size:85%}\
.notice{border:2px solid #000;padding:.5em;font-weight:bold}.dist{display:inline-block;margin:0 1em 1em 0;vertical-align:top}\
svg text{font-family:serif;font-size:10px}";

/// Every text of the report, expert text included: control characters and bidi overrides
/// dropped (`delphi_core::text::for_report`), then escaped.
fn e(s: &str) -> String {
    escape(&for_report(s))
}

fn verdict(v: Option<&VerdictCell>) -> String {
    match v {
        None => "—".into(),
        Some(v) => format!(
            "<span class=\"{}\" title=\"{}\">{}</span>",
            e(&v.outcome).replace('_', "-"),
            e(&v.reason),
            e(&v.label)
        ),
    }
}

fn row(out: &mut String, cells: &[String], header: bool) {
    let tag = if header { "th" } else { "td" };
    out.push_str("<tr>");
    for c in cells {
        let _ = write!(out, "<{tag}>{c}</{tag}>");
    }
    out.push_str("</tr>\n");
}

fn table(out: &mut String, head: &[&str], rows: &[Vec<String>]) {
    out.push_str("<table>\n");
    row(out, &head.iter().map(|h| e(h)).collect::<Vec<_>>(), true);
    for r in rows {
        row(out, r, false);
    }
    out.push_str("</table>\n");
}

fn distribution_svg(out: &mut String, d: &Distribution, round_word: &str) {
    let bar_w = 120.0;
    let row_h = 14.0;
    let label_w = 30.0;
    let col_w = bar_w + 40.0;
    #[allow(clippy::cast_precision_loss)]
    let (w, h) = (label_w + col_w * d.rounds.len() as f64, row_h * (d.points.len() as f64 + 1.5));
    let _ = write!(
        out,
        "<div class=\"dist\"><div><b>{}</b></div><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\">",
        e(&d.criterion)
    );
    for (j, (r, n)) in d.rounds.iter().zip(&d.n).enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let x = label_w + col_w * j as f64;
        let _ = write!(out, "<text x=\"{x}\" y=\"10\">{} {r} (n = {n})</text>", e(round_word));
    }
    for (i, p) in d.points.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let y = row_h * (i as f64 + 1.0) + 2.0;
        let _ = write!(out, "<text x=\"0\" y=\"{}\">{}{}</text>", y + 9.0, p.point, if p.agree { " (+)" } else { "" });
        for (j, c) in p.counts.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let x = label_w + col_w * j as f64;
            #[allow(clippy::cast_precision_loss)]
            let len = if d.max_count > 0 { bar_w * *c as f64 / d.max_count as f64 } else { 0.0 };
            let fill = if p.agree { "#282828" } else { "#afafaf" };
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{len:.1}\" height=\"10\" fill=\"{fill}\" stroke=\"#282828\" stroke-width=\"0.5\"/><text x=\"{:.1}\" y=\"{}\">{c}</text>",
                x + len + 3.0,
                y + 9.0
            );
        }
    }
    out.push_str("</svg></div>\n");
}

fn scatter_svg(out: &mut String, points: &[BenefitRiskPoint], benefit_axis: &str, risk_axis: &str) {
    let (ox, oy, s) = (30.0, 20.0, 260.0);
    let pos = |r: f64, b: f64| (ox + s * r, oy + s * (1.0 - b));
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" height=\"320\" viewBox=\"0 0 320 320\" role=\"img\">\
<rect x=\"{ox}\" y=\"{oy}\" width=\"{s}\" height=\"{s}\" fill=\"none\" stroke=\"#000\"/>\
<line x1=\"{}\" y1=\"{oy}\" x2=\"{}\" y2=\"{}\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>\
<line x1=\"{ox}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>\
<text x=\"0\" y=\"12\">↑ {}</text><text x=\"{ox}\" y=\"310\">{} →</text>",
        ox + s / 2.0,
        ox + s / 2.0,
        oy + s,
        oy + s / 2.0,
        ox + s,
        oy + s / 2.0,
        e(benefit_axis),
        e(risk_axis)
    );
    for p in points {
        let (Some(b), Some(r)) = (p.benefit.value, p.risk.value) else { continue };
        let (x, y) = pos(r, b);
        if let (Some(q1), Some(q3)) = (p.risk_q1.value, p.risk_q3.value) {
            let _ = write!(
                out,
                "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#555\"/>",
                pos(q1, b).0,
                pos(q3, b).0
            );
        }
        if let (Some(q1), Some(q3)) = (p.benefit_q1.value, p.benefit_q3.value) {
            let _ = write!(
                out,
                "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#555\"/>",
                pos(r, q1).1,
                pos(r, q3).1
            );
        }
        let _ = write!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"#000\"/><text x=\"{:.1}\" y=\"{:.1}\" font-weight=\"bold\">{}</text>",
            x + 5.0 + 10.0 * f64::from(u32::try_from(p.stack).unwrap_or(0)),
            y - 5.0,
            p.marker
        );
    }
    out.push_str("</svg>\n");
}

fn t(n: &Num) -> String {
    e(&n.text)
}

fn domain_round(out: &mut String, report: &Report, title: &str, r: &DomainRound) {
    let l = &report.labels;
    let _ = writeln!(out, "<h3>{} — {} {}</h3>", e(title), e(&l.round), r.round);
    let _ = writeln!(out, "<h4>{}</h4>", e(&l.criteria));
    let rows: Vec<Vec<String>> = r
        .criteria
        .iter()
        .map(|c| {
            vec![
                format!("<span title=\"{}\">{}</span>", e(&c.question), e(&c.criterion)),
                c.n.to_string(),
                c.dont_know.to_string(),
                t(&c.median),
                format!("{}–{}", t(&c.q1), t(&c.q3)),
                t(&c.iqr),
                t(&c.agreement),
                verdict(c.verdict.as_ref()),
                format!(
                    "<span class=\"small\">{}</span>",
                    c.verdict.as_ref().map(|v| e(&v.reason)).unwrap_or_default()
                ),
            ]
        })
        .collect();
    table(
        out,
        &[&l.criterion, &l.n, &l.dont_know, &l.median, &l.quartiles, &l.iqr, &l.agreement, &l.verdict, &l.reason],
        &rows,
    );
    if !r.distributions.is_empty() {
        let _ = writeln!(out, "<h4>{}</h4><p class=\"small\">{}</p>", e(&l.distribution), e(&l.distribution_note));
        for d in &r.distributions {
            distribution_svg(out, d, &l.round);
        }
    }
    if !r.stability.is_empty() {
        let _ = writeln!(out, "<h4>{}</h4>", e(&l.stability));
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
                    format!("<span class=\"small\">{}</span>", e(&s.verdict.reason)),
                ]
            })
            .collect();
        table(out, &[&l.criterion, &l.from_round, &l.pairs, &l.moved, &l.iqr_change, &l.verdict, &l.reason], &rows);
    }
    for g in &r.groups {
        let _ = writeln!(out, "<h4>{}: {}</h4>", e(&l.groups), e(&g.attribute));
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
                        format!("<i>{}</i>", e(&l.suppressed))
                    } else {
                        format!("{} / {} ({})", t(&c.median), t(&c.iqr), c.n)
                    }
                }));
                v.push(verdict(Some(&row.cross_group)));
                v
            })
            .collect();
        table(out, &head, &rows);
        let _ = writeln!(out, "<p class=\"small\">{}</p>", e(&g.note));
    }
    if let Some(s) = &r.synthesis {
        let _ = writeln!(out, "<h4>{}</h4>", e(&l.synthesis));
        let mut rows = vec![vec![e(&l.benefit), t(&s.benefit), t(&s.benefit_normalised)]];
        rows.extend(s.risks.iter().map(|k| vec![e(&k.criterion), t(&k.median), t(&k.normalised)]));
        table(out, &[&l.criterion, &l.median, "0–1"], &rows);
        let _ = writeln!(
            out,
            "<p><b>{}:</b> {} — {}<br/>{}: {} ({} %, {}: {})</p>",
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
        let _ = writeln!(out, "<h4>{}</h4>", e(&l.rationales));
        for g in &r.rationales {
            let _ = writeln!(out, "<p><b>{}: {}</b></p><ul>", e(&g.criterion), e(&g.position));
            for r in &g.texts {
                let note =
                    r.note.as_deref().map(|n| format!(" <em class=\"mark\">({})</em>", e(n))).unwrap_or_default();
                let original = r
                    .original
                    .as_ref()
                    .map(|o| format!("<br/><span class=\"original\"><em>{}:</em> {}</span>", e(&o.label), e(&o.text)))
                    .unwrap_or_default();
                let _ = writeln!(out, "<li>{}{note}{original}</li>", e(&r.text));
            }
            out.push_str("</ul>\n");
        }
    }
}

/// Renders the report as one self-contained HTML file.
pub fn render_html(report: &Report) -> String {
    let l = &report.labels;
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        e(&report.language),
        e(&report.study.title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", e(&report.study.title));
    let rounds: Vec<String> = report.rounds.iter().map(u32::to_string).collect();
    let _ = writeln!(
        out,
        "<p>{} · {} · {}: {}</p>",
        e(&l.report),
        e(&report.study.id),
        e(&l.rounds_reported),
        rounds.join(", ")
    );
    for n in &report.notices {
        let _ = writeln!(out, "<p class=\"notice\">{}</p>", e(n));
    }
    let _ = writeln!(out, "<p>{}</p>\n<p class=\"small\"><i>{}</i></p>", e(&report.study.description), e(&l.anonymity));

    let o = &report.overview;
    let _ = writeln!(out, "<h2>{}</h2>\n<h3>{}</h3>", e(&l.overview), e(&l.response));
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
        let _ = writeln!(out, "<h3>{}</h3>", e(&l.composition));
        let heads: Vec<String> = report.rounds.iter().map(|r| format!("{} {r}", l.round)).collect();
        for c in &o.composition {
            let mut head: Vec<&str> = vec![&c.label];
            head.extend(heads.iter().map(String::as_str));
            let rows: Vec<Vec<String>> = c
                .rows
                .iter()
                .map(|g| {
                    let (open, close) = match g.kind.as_str() {
                        "smaller" => ("<i>", "</i>"),
                        "total" => ("<b>", "</b>"),
                        _ => ("", ""),
                    };
                    let mut v = vec![format!("{open}{}{close}", e(&g.group))];
                    v.extend(g.counts.iter().map(|x| e(&x.text)));
                    v
                })
                .collect();
            table(&mut out, &head, &rows);
        }
        let _ = writeln!(out, "<p class=\"small\">{}</p>", e(&o.composition_note));
    }

    let _ = writeln!(out, "<h3>{}</h3>", e(&l.consensus_over_rounds));
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
        let _ = writeln!(
            out,
            "<h3>{} ({} {})</h3>",
            e(&l.benefit_risk),
            e(&l.round),
            o.benefit_risk_round.unwrap_or_default()
        );
        scatter_svg(&mut out, &o.benefit_risk, &l.benefit_axis, &l.risk_axis);
        let rows: Vec<Vec<String>> = o
            .benefit_risk
            .iter()
            .map(|p| {
                vec![
                    p.marker.to_string(),
                    e(&p.title),
                    t(&p.benefit),
                    format!("{} {}", t(&p.risk), e(p.worst_risk.as_deref().unwrap_or(""))),
                    e(p.placement.as_deref().unwrap_or("—")),
                    format!("{} ({} %)", e(&p.certainty), t(&p.agreement)),
                ]
            })
            .collect();
        table(&mut out, &["#", &l.domain, &l.benefit, &l.worst_risk, &l.placement, &l.certainty], &rows);
        let _ = writeln!(out, "<h3>{}</h3>", e(&l.placements_over_rounds));
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
        let _ = writeln!(out, "<h3>{}</h3>", e(&l.ranking));
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
        let _ = writeln!(out, "<h3>{}</h3>", e(&l.quantiles));
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
        let _ = writeln!(out, "<h3>{}</h3>", e(&l.numeric));
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
    let _ = writeln!(out, "<h2>{}</h2>", e(&l.methods));
    let rounds_m: Vec<String> = m.rounds.iter().map(u32::to_string).collect();
    let rel: Vec<String> = m.reliability.iter().map(|x| format!("{}: {}", e(&x.name), t(&x.value))).collect();
    let rows = vec![
        vec![e(&l.consensus_definition_heading), e(&m.consensus_definition)],
        vec![e(&l.quantile_method), e(&m.quantile_method)],
        vec![e(&l.dont_know_heading), e(&m.dont_know)],
        vec![e(&l.stability_heading), e(&m.stability)],
        vec![e(&l.stopping_heading), e(&m.stopping)],
        vec![e(&l.rounds_reported), format!("{} (max. {})", rounds_m.join(", "), m.max_rounds)],
        vec![
            e(&l.groups_heading),
            format!(
                "{}; {}: {}. {}",
                e(&m.group_attributes.join(", ")),
                e(&l.min_group_size),
                m.min_group_size,
                e(&l.suppressed_note)
            ),
        ],
        vec![e(&l.reliability), rel.join("; ")],
    ];
    table(&mut out, &["", ""], &rows);
    let _ = writeln!(out, "<h3>{}</h3>", e(&l.rounds_conducted));
    let rows: Vec<Vec<String>> = m
        .conducted
        .iter()
        .map(|r| vec![r.round.to_string(), e(&r.opened), e(&r.deadline), e(&r.closed), e(&r.feedback)])
        .collect();
    table(&mut out, &[&l.round, &l.opened, &l.deadline, &l.closed, &l.fed_back], &rows);

    for d in &report.domains {
        let _ = writeln!(out, "<h2>{}</h2>\n<p>{}</p>", e(&d.title), e(&d.description));
        for r in &d.rounds {
            domain_round(&mut out, report, &d.title, r);
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_the_five_characters() {
        assert_eq!(escape(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert_eq!(escape("中文 — ok"), "中文 — ok");
    }
}
