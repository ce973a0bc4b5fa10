//! The interactive REPL. Its logic (validator, completer, meta-commands) is plain functions.
