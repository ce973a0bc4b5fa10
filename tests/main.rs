//! The single integration-test binary (each test binary links DataFusion, so there is one);
//! each area's tests are a module here. `autotests = false` in Cargo.toml keeps cargo from
//! building the module files as test binaries of their own.

mod support;

mod architecture;
mod as_published;
mod check;
mod classification;
mod contract_id;
mod contracts;
mod features;
mod generate;
mod ingest;
mod language;
mod local_suppliers;
mod metrics;
mod on_off_contract;
mod payment_checks;
mod printing;
mod progress;
mod readers;
mod real_totals;
mod reject_threshold;
mod report;
mod report_pages;
mod shipped_reports;
mod supplier_identity;
mod supplier_key;
mod suppliers;
mod syntax_errors;
mod upgrade;
mod workbench;
mod workplan;
