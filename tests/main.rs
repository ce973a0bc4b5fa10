//! The single integration-test binary (each test binary links DataFusion, so there is one).

mod support;

mod language;
