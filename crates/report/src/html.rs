//! One self-contained HTML file: inline CSS, inline SVG charts, no scripts, no external
//! resources. The page is [`crate::layout::layout`] encoded by [`delphi_markup::html`], which
//! escapes every text; the output is also well-formed XML.

use delphi_markup::escape;

use crate::layout::layout;
use crate::model::Report;

/// The report's own styles; [`delphi_markup::html::STYLE`] follows for the encoder's classes.
const CSS: &str = "body{font-family:serif;max-width:60em;margin:2em auto;padding:0 1em;color:#000;background:#fff}\
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #aaa;padding:2px 6px;text-align:left;vertical-align:top}\
th{background:#eee}.met{font-weight:bold}.undefined{font-style:italic}\
svg text{font-family:serif;font-size:10px}";

/// Renders the report as one self-contained HTML file.
pub fn render_html(report: &Report) -> String {
    let body = delphi_markup::html::encode(&layout(report));
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>{}</title>\n<style>{CSS}{}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape::html(&report.language),
        escape::html(&report.study.title),
        delphi_markup::html::STYLE
    )
}
