#![doc = include_str!("../ARCHITECTURE.md")]

pub mod catalog;
pub mod check;
pub mod classify;
pub mod cli;
pub mod dates;
pub mod demo;
pub mod diagnostic;
pub mod error;
pub mod exec;
#[cfg(any(test, feature = "test-support"))]
#[doc(hidden)]
pub mod fixture;
pub mod generate;
pub mod ingest;
pub mod money;
pub mod output;
pub mod pages;
pub mod plan;
pub mod repl;
pub mod report;
pub mod schema;
pub mod semantic;
pub mod sources;
pub mod suppliers;
pub mod syntax;
pub mod taxonomy;
pub mod workplan;

pub use error::{Error, ErrorKind, Result};
