//! The integration test binary: each module runs the real `spendql` binary.

mod workbench;
