//! delphi-store
