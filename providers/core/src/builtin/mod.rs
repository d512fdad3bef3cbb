//! Resource types built into every run: local, no cloud behind them.

pub mod data;

pub use data::CoreProvider;
