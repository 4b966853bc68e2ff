//! Markdown (CommonMark with GFM tables): [`crate::layout::layout`] encoded by
//! [`delphi_markup::markdown`], which escapes every text so that it renders literally.

use crate::layout::layout;
use crate::model::Report;

/// Renders the report as Markdown.
pub fn render_markdown(report: &Report) -> String {
    delphi_markup::markdown::encode(&layout(report))
}
