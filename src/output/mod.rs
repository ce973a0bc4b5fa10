//! Writing query results: tables for people, CSV/JSON/NDJSON/Parquet/XLSX for programs.
