//! The single integration-test binary: each area's tests are a module here.

mod syntax_errors;
