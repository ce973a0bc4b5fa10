//! The single path by which the REPL, query files and `-c`/`query` run a query.
