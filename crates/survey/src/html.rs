//! HTML form.
