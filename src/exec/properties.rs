//! Property test: random queries built from the grammar's constructs and the model's real
//! names compile and run on the linked fixture without panicking. Any of them may be
//! rejected (`spend by officer` is a diagnostic), but then with a message and a span inside
//! the query.

use proptest::prelude::*;

use super::{Cancel, Engine};
use crate::catalog::Dataset;
use crate::semantic::model;

fn measure() -> impl Strategy<Value = String> {
    let names: Vec<String> = model::MEASURES
        .iter()
        .map(|m| m.name.to_string())
        .chain(model::MEASURE_SETS.iter().map(|(n, _, _)| n.to_string()))
        .collect();
    let modifiers: Vec<&'static str> = model::MODIFIERS.iter().map(|(w, _, _)| *w).collect();
    (prop::sample::select(names), prop::collection::vec(prop::sample::select(modifiers), 0..2))
        .prop_map(|(name, mods)| if mods.is_empty() { name } else { format!("{name} {}", mods.join(" ")) })
}

fn dimension() -> impl Strategy<Value = String> {
    prop::sample::select(model::DIMENSIONS.iter().map(|d| d.name.to_string()).collect::<Vec<_>>())
}

fn condition() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "council = \"Trafford\"",
        "council in (\"Salford\", \"Stockport\")",
        "amount >= £500",
        "amount between 0 and £10k",
        "date in last 3 months",
        "date between 2021-04-01 and 2022-03-31",
        "fy = FY2021/22",
        "year = 2022",
        "month = 2021-06",
        "supplier ~ \"am\"",
        "category is missing",
        "department is not missing",
        "redacted",
        "card",
        "on-contract",
        "sme",
        "value > £10k",
        "officer = \"Ann\"",
        "procedure = \"Quotation\"",
        "collaborative is not missing",
        "contract = \"Trafford/T-AMEY\"",
    ]);
    (atoms.clone(), prop::option::of((prop::sample::select(vec!["and", "or"]), any::<bool>(), atoms))).prop_map(
        |(a, rest)| match rest {
            None => a.to_string(),
            Some((joiner, negate, b)) => format!("{a} {joiner} {}{b}", if negate { "not " } else { "" }),
        },
    )
}

fn clause() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(dimension(), 1..3).prop_map(|d| format!("by {}", d.join(", "))),
        condition().prop_map(|c| format!("where {c}")),
        measure().prop_map(|m| format!("having {m} > 0")),
        prop_oneof![dimension(), (1u32..13).prop_map(|n| format!("{n} months"))].prop_map(|w| format!("within {w}")),
        prop::sample::select(vec!["council", "fy", "sme", "category"]).prop_map(|d| format!("across {d}")),
        Just("compare FY2022/23 with FY2021/22".to_string()),
        measure().prop_map(|m| format!("order by {m} desc")),
        (1u64..20).prop_map(|n| format!("limit {n}")),
    ]
}

fn query() -> impl Strategy<Value = String> {
    let rank = prop::option::of((prop::sample::select(vec!["top", "bottom"]), 1u64..5, dimension()));
    let report = prop::sample::select(model::REPORTS.iter().map(|r| r.name.to_string()).collect::<Vec<_>>());
    prop_oneof![
        4 => (rank, prop::collection::vec(measure(), 1..3), prop::collection::vec(clause(), 0..4)).prop_map(
            |(rank, measures, clauses)| {
                let mut text = String::new();
                if let Some((direction, n, dim)) = rank {
                    text.push_str(&format!("{direction} {n} {dim} by "));
                }
                text.push_str(&measures.join(", "));
                let mut seen = Vec::new();
                for c in clauses {
                    let kind = c.split(' ').next().unwrap_or_default().to_string();
                    if !seen.contains(&kind) {
                        seen.push(kind);
                        text.push(' ');
                        text.push_str(&c);
                    }
                }
                text
            }
        ),
        1 => (report, prop::option::of(condition()), prop::option::of(1u64..10)).prop_map(|(r, c, l)| {
            let mut text = r;
            if let Some(c) = c {
                text.push_str(&format!(" where {c}"));
            }
            if let Some(l) = l {
                text.push_str(&format!(" limit {l}"));
            }
            text
        }),
    ]
}

fn engine() -> &'static (tempfile::TempDir, std::sync::Mutex<Engine>) {
    static ENGINE: std::sync::OnceLock<(tempfile::TempDir, std::sync::Mutex<Engine>)> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        crate::fixture::write_linked_fixture(dir.path()).expect("fixture");
        let engine = Engine::open(&Dataset::new(dir.path())).expect("engine");
        (dir, std::sync::Mutex::new(engine))
    })
}

proptest! {
    // 96 cases in CI; `PROPTEST_CASES=2000` for a longer hunt.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(96),
        ..ProptestConfig::default()
    })]

    #[test]
    fn queries_from_the_model_compile_and_run_without_panicking(text in query()) {
        let engine = engine().1.lock().expect("engine lock");
        match engine.query(&text, Cancel::Never) {
            Ok(result) => prop_assert!(!result.schema.fields().is_empty(), "{text}: no columns"),
            Err(err) => {
                prop_assert!(!err.message.is_empty(), "{text}: empty message");
                if let Some(span) = &err.span {
                    prop_assert!(span.start <= span.end && span.end <= text.len(), "{text}: span {span:?}");
                }
            }
        }
    }
}
