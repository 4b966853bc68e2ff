//! delphi-survey: turns (study, round, previous-round summary, expert) into a frozen
//! questionnaire and renders it as an HTML form, a plain-text email form (with its
//! parser) and Markdown. Pure: values in, values out.
//!
//! Not built yet (see issue 4); the crate exists so the workspace has its final shape.
