//! The `spendql` binary: everything it does is in [`spendql::cli`], so it can be read and
//! tested as library code.

fn main() -> std::process::ExitCode {
    spendql::cli::main()
}
