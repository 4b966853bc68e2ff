//! One self-contained HTML file: inline CSS, inline SVG charts, no scripts, no external
//! resources. The page is [`crate::layout::layout`] encoded by [`delphi_markup::html`], which
//! escapes every text; the output is also well-formed XML.

use delphi_markup::escape;

use crate::layout::layout;
use crate::model::Report;

/// The report's own styles; [`delphi_markup::html::STYLE`] follows for the encoder's classes.
///
/// Text keeps a measure of about 75 characters (40 in Chinese, whose characters are twice as
/// wide) while tables and figures may use the page's width. Chart text is set at the body's
/// size in the drawing's units, so a chart drawn at its own width reads like the text beside
/// it and scales down with the drawing on a phone. Fonts fall back to CJK faces, so Chinese
/// text (and Chinese quoted in an English report) never shows as boxes. Verdicts differ in
/// weight and style as well as colour, so they read the same on grey paper.
const CSS: &str = concat!(
    ":root{color-scheme:light}",
    "html{-webkit-text-size-adjust:100%;text-size-adjust:100%}",
    "body{margin:0 auto;max-width:72rem;padding:1rem clamp(1rem,4vw,2.5rem) 3rem;color:#1a1a1a;background:#fff;",
    "font-family:Charter,'Bitstream Charter','Noto Serif',Georgia,'Times New Roman','Noto Serif CJK SC','Source Han Serif SC',",
    "'Songti SC',SimSun,'Noto Sans CJK SC','Microsoft YaHei',serif;font-size:1rem;line-height:1.55;overflow-wrap:break-word}",
    "html:lang(zh) body{font-family:'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Hiragino Sans GB',",
    "'Microsoft YaHei','WenQuanYi Micro Hei',system-ui,sans-serif;line-height:1.7}",
    "p,ul,ol,h3,h4,h5,h6{max-width:58ch}html:lang(zh) :is(p,ul,ol,h3,h4,h5,h6){max-width:38em}",
    "li{margin:.2rem 0}",
    // Chinese breaks after any character: on a narrow screen a table would squeeze its
    // columns to one character a line; headers (short labels) stay whole and cells keep four
    // characters a line on a screen, so the table scrolls instead; on paper it must fit.
    "html:lang(zh) th{word-break:keep-all}@media screen{html:lang(zh) td{min-width:4em}}",
    "h1,h2,h3,h4,h5,h6{line-height:1.25;margin:1.6em 0 .5em}",
    "h1{font-size:1.9rem;margin-top:.5em}h2{font-size:1.45rem;border-top:1px solid #bbb;padding-top:.8em}",
    "h3{font-size:1.2rem}h4{font-size:1.05rem}",
    "a{color:#1a4f9c}code{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:.9em}",
    ".met{font-weight:700;color:#17612b}.not-met{color:#8a1c1c}",
    ".too-few-answers,.undefined{font-style:italic;color:#555}",
    // a reason in a table keeps a readable width: a phone scrolls the table rather than
    // stacking the reason a word a line (on paper the table must fit the page)
    "@media screen{td>.small{display:inline-block;min-width:14em}}",
    ".mark{color:#555}.original{display:inline-block;margin-top:.2rem;color:#444}",
    "svg text{font-family:inherit;font-size:1rem;fill:#1a1a1a}",
    // Chinese has no italic: a slanted CJK face is a distorted one, so emphasis keeps its colour
    "html:lang(zh) :is(em,i,.too-few-answers,.undefined){font-style:normal}html:lang(zh) i{color:#555}",
    "@media print{",
    "@page{margin:18mm 16mm}",
    "body{max-width:none;padding:0;font-size:10.5pt;color:#000;background:none}",
    "h1,h2,h3,h4,h5,h6{break-after:avoid;page-break-after:avoid;break-inside:avoid}",
    "h2{border-top:none}a{color:inherit;text-decoration:none}",
    ".met,.not-met,.mark,.original,.too-few-answers,.undefined{color:#000}",
    "}",
);

/// Renders the report as one self-contained HTML file.
pub fn render_html(report: &Report) -> String {
    let body = delphi_markup::html::encode(&layout(report));
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>{}</title>\n<style>{CSS}{}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape::html(&report.language),
        escape::html(&report.study.title),
        delphi_markup::html::STYLE
    )
}
