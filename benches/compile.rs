//! Criterion benchmark of the language front half: parse + resolve + plan for each of
//! the issue's example queries on the fixture dataset (target: under 1 ms each).
//! Execution is not included; see `benches/queries.sh` for end-to-end timings.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use spendql::catalog::Dataset;
use spendql::exec::Engine;

const EXAMPLES: &[&str] = &[
    "spend by council",
    "spend, transactions, suppliers by council, fy",
    r#"top 10 suppliers by spend where council = "Salford" and fy = FY2021/22"#,
    r#"spend by month where council = "Trafford" and date between 2021-04-01 and 2021-09-30"#,
    r#"spend by category where supplier ~ "amey""#,
    "spend share by category within council",
    "spend by council compare FY2022/23 with FY2021/22",
    "spend by category across council",
    "spend by supplier where amount >= £25k and not redacted order by spend desc limit 20",
    "transactions, average payment by department where date in last 3 months",
    "spend card by council, quarter",
];

fn compile(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    spendql::fixture::write_spend_fixture(dir.path()).expect("fixture");
    let engine = Engine::open(&Dataset::new(dir.path())).expect("engine");
    // Warm the value and date caches, as a session would after its first query.
    for q in EXAMPLES {
        engine.plan_query(q).expect("example plans");
    }
    let mut group = c.benchmark_group("parse+resolve+plan");
    for q in EXAMPLES {
        group.bench_function(*q, |b| b.iter(|| black_box(engine.plan_query(black_box(q)).expect("plans"))));
    }
    group.finish();
}

criterion_group!(benches, compile);
criterion_main!(benches);
