//! Resolving AST names against the semantic model of measures and dimensions.
