//! delphi-stats: long table of pseudonymous answers in, per-item, per-round and
//! per-group statistics out. polars and statrs live here and nowhere else.
//! Pure: values in, values out.
