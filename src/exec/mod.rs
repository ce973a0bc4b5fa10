//! The single path by which every front end (the `query`, `sql`, `explain` and `run`
//! commands, and the REPL) runs queries: one `SessionContext` per process with the
//! dataset's committed version registered as tables, and one function per kind of request.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::catalog::{Dataset, Snapshot};
use crate::dates::date_from_days;
use crate::error::{Error, ErrorKind, Result};
use crate::schema::{Table, contracts, spend};
use crate::semantic::model::{DimensionDef, DimensionKind};
use crate::semantic::{self, DataLookup, Definitions, Params, ResolvedQuery};
use crate::sources::{SourceId, Sources};
use crate::syntax;

pub mod files;
#[cfg(test)]
mod properties;

/// A finished query's rows.
#[derive(Debug, Clone)]
pub struct QueryResult {
    /// The result's columns.
    pub schema: SchemaRef,
    /// The result's rows, in order.
    pub batches: Vec<RecordBatch>,
    /// Wall-clock time the query took.
    pub elapsed: Duration,
    /// The query asked to be drawn (`as chart`).
    pub chart: bool,
}

impl QueryResult {
    /// Rows in the result.
    pub fn row_count(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

/// A result goes to the one printer with its chart request and its time; the printer does
/// not know the engine.
impl From<QueryResult> for crate::output::ResultSet {
    fn from(result: QueryResult) -> Self {
        crate::output::ResultSet {
            chart: result.chart,
            elapsed: Some(result.elapsed),
            ..crate::output::ResultSet::new(result.schema, result.batches)
        }
    }
}

/// How a query should end early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancel {
    /// Run to completion (the process's own Ctrl-C handling applies).
    Never,
    /// Stop with [`ErrorKind::Cancelled`] on Ctrl-C, keeping the process alive.
    OnCtrlC,
}

/// Runs queries over one dataset snapshot, keeping the session's definitions and parameters.
pub struct Engine {
    runtime: tokio::runtime::Runtime,
    ctx: SessionContext,
    snapshot: Snapshot,
    as_of: Option<NaiveDate>,
    cache: RefCell<LookupCache>,
    /// Every query text parsed and query file read, so errors can be drawn against them.
    sources: RefCell<Sources>,
    /// Measures and dimensions defined in this session.
    pub definitions: Definitions,
    /// Parameters (`$NAME`) set in this session.
    pub params: Params,
}

#[derive(Default)]
struct LookupCache {
    date_range: Option<(NaiveDate, NaiveDate)>,
    metrics: Option<Vec<(String, String)>>,
    values: HashMap<(Table, &'static str), Vec<String>>,
}

/// Session settings for this 2-core machine; see BENCHMARKS.md ("Session settings") for the
/// measurements behind them. `SPENDQL_TARGET_PARTITIONS` and `SPENDQL_PUSHDOWN_FILTERS`
/// (`0`/`1`) exist only so `benches/queries.py --configs` can compare alternatives.
fn session_config() -> SessionConfig {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    // Two partitions per core measured 24% faster than one (geometric mean over the example
    // queries at 10M rows): more files and row groups in flight hide decode stalls.
    let partitions = std::env::var("SPENDQL_TARGET_PARTITIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(cores * 2);
    let pushdown = std::env::var("SPENDQL_PUSHDOWN_FILTERS").map_or(true, |v| v != "0");
    let mut config = SessionConfig::new().with_target_partitions(partitions.max(1)).with_information_schema(true);
    let options = config.options_mut();
    options.execution.parquet.pushdown_filters = pushdown;
    options.execution.parquet.reorder_filters = pushdown;
    options.execution.parquet.pruning = true;
    config
}

impl Engine {
    /// Open the dataset's committed version and register its tables.
    pub fn open(dataset: &Dataset) -> Result<Engine> {
        let snapshot = dataset.snapshot()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::io("cannot start the query runtime", e))?;
        let ctx = SessionContext::new_with_config(session_config());
        for table in Table::ALL {
            let files = snapshot.table_files(table);
            if files.is_empty() && table == Table::Metrics {
                // Always there, empty until a metrics file is loaded: `metric "NAME"` then
                // says which metrics exist (none) rather than that a table is missing, and
                // `spendql sql` can name the table in any dataset.
                let empty = datafusion::datasource::MemTable::try_new(table.schema(), vec![vec![]])?;
                ctx.register_table(table.name(), Arc::new(empty))?;
                continue;
            }
            if files.is_empty() {
                continue;
            }
            let urls = files
                .iter()
                .map(|f| ListingTableUrl::parse(f.to_string_lossy()))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let options = ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
            let config = ListingTableConfig::new_with_multi_paths(urls).with_listing_options(options);
            let config = runtime.block_on(config.infer_schema(&ctx.state()))?;
            ctx.register_table(table.name(), Arc::new(ListingTable::try_new(config)?))?;
        }
        Ok(Engine {
            runtime,
            ctx,
            snapshot,
            as_of: None,
            cache: RefCell::new(LookupCache::default()),
            sources: RefCell::new(Sources::new()),
            definitions: Definitions::default(),
            params: Params::default(),
        })
    }

    /// The DataFusion context with the tables registered.
    pub fn context(&self) -> &SessionContext {
        &self.ctx
    }

    /// The dataset version the engine reads.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }

    /// Fix the date relative periods are measured from (default: the latest payment).
    pub fn set_as_of(&mut self, as_of: Option<NaiveDate>) {
        self.as_of = as_of;
    }

    /// The date relative periods are measured from: the one set, else the latest payment.
    pub fn as_of(&self) -> Result<NaiveDate> {
        match self.as_of {
            Some(d) => Ok(d),
            None => Ok(self.date_range()?.1),
        }
    }

    /// Whether the dataset holds `table`.
    pub fn has_table(&self, table: Table) -> bool {
        self.ctx.table_exist(table.name()).unwrap_or(false)
    }

    fn base_scan(&self, table: Table) -> Result<LogicalPlan> {
        if !self.has_table(table) && table.is_derived() {
            return Err(Error::dataset(format!("the dataset has no {} table", table.name()))
                .with_hint("it is rebuilt by every ingest; run `spendql link` to rebuild it now"));
        }
        if !self.has_table(table) {
            return Err(Error::dataset(format!("the dataset has no {} data", table.name())).with_hint(format!(
                "load some with `spendql ingest --council NAME FILE...` into {}",
                self.snapshot.dir.display()
            )));
        }
        let df = self.runtime.block_on(self.ctx.table(table.name()))?;
        Ok(df.into_unoptimized_plan())
    }

    /// The texts this engine's errors point into: render an error with
    /// [`crate::diagnostic::render`] against them.
    pub fn sources(&self) -> Sources {
        self.sources.borrow().clone()
    }

    /// Keep a text errors may point into (a query as `query`, a file under its path).
    fn add_source(&self, name: impl Into<String>, text: &str) -> SourceId {
        self.sources.borrow_mut().add(name, text)
    }

    /// Parse, resolve and plan a SpendQL query without running it.
    pub fn plan_query(&self, source: &str) -> Result<(ResolvedQuery, LogicalPlan)> {
        let id = self.add_source("query", source);
        let plan = || {
            let ast = syntax::parse_query(source)?;
            let resolved = semantic::resolve(&ast, &self.definitions, &self.params, self, self.as_of)?;
            let plan = crate::plan::build_plan(&resolved, &|t| self.base_scan(t))?;
            Ok((resolved, plan))
        };
        plan().map_err(|e: Error| e.in_source(id))
    }

    /// Run an already parsed query (a query file's statement, whose spans point into the file).
    pub fn run_query_ast(&self, query: &syntax::ast::Query, cancel: Cancel) -> Result<QueryResult> {
        let started = Instant::now();
        let resolved = semantic::resolve(query, &self.definitions, &self.params, self, self.as_of)?;
        let plan = crate::plan::build_plan(&resolved, &|t| self.base_scan(t))?;
        let mut result = self.execute(plan, cancel, started)?;
        result.chart = resolved.chart;
        Ok(result)
    }

    /// Resolve an already parsed query with `definitions` instead of the session's: a report
    /// builds each KPI's queries as syntax trees, with its measures defined for them alone.
    pub fn resolve_with(&self, query: &syntax::ast::Query, definitions: &Definitions) -> Result<ResolvedQuery> {
        semantic::resolve(query, definitions, &self.params, self, self.as_of)
    }

    /// Plan and run a resolved query.
    pub fn run_resolved(&self, resolved: &ResolvedQuery, cancel: Cancel) -> Result<QueryResult> {
        let started = Instant::now();
        let plan = crate::plan::build_plan(resolved, &|t| self.base_scan(t))?;
        let mut result = self.execute(plan, cancel, started)?;
        result.chart = resolved.chart;
        Ok(result)
    }

    /// Run a SpendQL query.
    pub fn query(&self, source: &str, cancel: Cancel) -> Result<QueryResult> {
        let started = Instant::now();
        let (resolved, plan) = self.plan_query(source)?;
        let mut result = self.execute(plan, cancel, started)?;
        result.chart = resolved.chart;
        Ok(result)
    }

    /// Run raw DataFusion SQL over the same tables: the escape hatch.
    pub fn sql(&self, sql: &str, cancel: Cancel) -> Result<QueryResult> {
        let started = Instant::now();
        let plan = self
            .runtime
            .block_on(self.ctx.state().create_logical_plan(sql))
            .map_err(|e| Error::new(ErrorKind::Execution, e.to_string()))?;
        self.execute(plan, cancel, started)
    }

    /// Run a plan to completion (or cancellation).
    pub fn execute(&self, plan: LogicalPlan, cancel: Cancel, started: Instant) -> Result<QueryResult> {
        let work = async {
            let df = self.ctx.execute_logical_plan(plan).await?;
            let schema: SchemaRef = Arc::new(df.schema().as_arrow().clone());
            let batches = df.collect().await?;
            Ok::<_, datafusion::error::DataFusionError>((schema, batches))
        };
        let (schema, batches) = match cancel {
            Cancel::Never => self.runtime.block_on(work)?,
            Cancel::OnCtrlC => self.runtime.block_on(async {
                tokio::select! {
                    r = work => r.map_err(Error::from),
                    _ = tokio::signal::ctrl_c() => Err(Error::new(ErrorKind::Cancelled, "query cancelled")),
                }
            })?,
        };
        Ok(QueryResult { schema, batches, elapsed: started.elapsed(), chart: false })
    }

    /// The resolved query in plain words, then the logical and physical plans (and SQL).
    pub fn explain(&self, source: &str, with_sql: bool) -> Result<String> {
        use std::fmt::Write;
        let (resolved, plan) = self.plan_query(source)?;
        let mut out = String::new();
        let _ = writeln!(out, "Query\n  {}\n", source.trim());
        let _ = writeln!(out, "Meaning");
        for line in semantic::describe(&resolved) {
            let _ = writeln!(out, "  {line}");
        }
        let optimized = self.ctx.state().optimize(&plan)?;
        let _ = writeln!(out, "\nLogical plan\n{}", indent(&optimized.display_indent().to_string()));
        let physical = self.runtime.block_on(self.ctx.state().create_physical_plan(&optimized))?;
        let displayed = datafusion::physical_plan::displayable(physical.as_ref()).indent(false).to_string();
        let _ = writeln!(out, "\nPhysical plan\n{}", indent(&displayed));
        if with_sql {
            match datafusion::sql::unparser::plan_to_sql(&plan) {
                Ok(sql) => {
                    let _ = writeln!(out, "\nSQL\n  {sql}");
                }
                Err(e) => {
                    let _ = writeln!(out, "\nSQL\n  (this plan has no SQL form: {e})");
                }
            }
        }
        Ok(out)
    }

    fn date_range(&self) -> Result<(NaiveDate, NaiveDate)> {
        if let Some(r) = self.cache.borrow().date_range {
            return Ok(r);
        }
        if let Some(range) = self.date_range_from_statistics() {
            self.cache.borrow_mut().date_range = Some(range);
            return Ok(range);
        }
        // A dataset of metrics alone counts relative periods back from its latest figure.
        let plan = if !self.has_table(Table::Spend) && !self.snapshot.table_files(Table::Metrics).is_empty() {
            crate::plan::lookup::metric_period_range(self.base_scan(Table::Metrics)?)?
        } else {
            crate::plan::lookup::payment_date_range(self.base_scan(Table::Spend)?)?
        };
        let result = self.execute(plan, Cancel::Never, Instant::now())?;
        let batch = result.batches.first().ok_or_else(|| Error::dataset("the spend table is empty"))?;
        let day = |i: usize| -> Option<NaiveDate> {
            let a = batch.column(i).as_primitive_opt::<datafusion::arrow::datatypes::Date32Type>()?;
            if a.is_null(0) {
                return None;
            }
            date_from_days(a.value(0))
        };
        let range = match (day(0), day(1)) {
            (Some(a), Some(b)) => (a, b),
            _ => return Err(Error::dataset("the spend table has no dated payments")),
        };
        self.cache.borrow_mut().date_range = Some(range);
        Ok(range)
    }

    /// The first and last payment dates from the footers' statistics: every relative period
    /// needs them, and scanning 10 million dates for two numbers cost more than many whole
    /// queries. `None` if any file lacks statistics.
    fn date_range_from_statistics(&self) -> Option<(NaiveDate, NaiveDate)> {
        use datafusion::parquet::file::statistics::Statistics;
        let mut range: Option<(i32, i32)> = None;
        self.snapshot.reader(Table::Spend).row_group_statistics("payment_date", |stats| {
            let Statistics::Int32(stats) = stats else { return None };
            let (low, high) = (*stats.min_opt()?, *stats.max_opt()?);
            range = Some(range.map_or((low, high), |(a, b)| (a.min(low), b.max(high))));
            Some(())
        })?;
        let (low, high) = range?;
        Some((date_from_days(low)?, date_from_days(high)?))
    }

    /// The distinct values of a column whose every row group holds one value (ingest writes
    /// one council per file), from the footers' statistics. `None` when any row group holds
    /// several values or lacks exact statistics: then the caller scans.
    fn single_values_from_statistics(&self, table: Table, column: &str) -> Option<Vec<String>> {
        use datafusion::parquet::file::statistics::Statistics;
        let mut values = std::collections::BTreeSet::new();
        self.snapshot.reader(table).row_group_statistics(column, |stats| {
            let Statistics::ByteArray(stats) = stats else { return None };
            let (low, high) = (stats.min_opt()?, stats.max_opt()?);
            if low != high || !stats.min_is_exact() || !stats.max_is_exact() {
                return None;
            }
            values.insert(low.as_utf8().ok()?.to_string());
            Some(())
        })?;
        Some(values.into_iter().collect())
    }

    /// Distinct non-null values of a text column, sorted; cached for the session.
    pub fn column_values(&self, table: Table, column: &'static str) -> Result<Vec<String>> {
        if let Some(v) = self.cache.borrow().values.get(&(table, column)) {
            return Ok(v.clone());
        }
        if column == spend::COUNCIL
            && let Some(councils) = self.single_values_from_statistics(table, column)
        {
            self.cache.borrow_mut().values.insert((table, column), councils.clone());
            return Ok(councils);
        }
        let plan = crate::plan::lookup::distinct_values(self.base_scan(table)?, column)?;
        let result = self.execute(plan, Cancel::Never, Instant::now())?;
        let mut values = Vec::new();
        for batch in &result.batches {
            let array = datafusion::arrow::compute::cast(batch.column(0), &DataType::Utf8)?;
            let strings = array.as_string::<i32>();
            for i in 0..strings.len() {
                if !strings.is_null(i) {
                    values.push(strings.value(i).to_string());
                }
            }
        }
        self.cache.borrow_mut().values.insert((table, column), values.clone());
        Ok(values)
    }
}

impl DataLookup for Engine {
    fn as_of(&self) -> Result<NaiveDate> {
        Engine::as_of(self)
    }

    fn first_date(&self) -> Result<NaiveDate> {
        Ok(self.date_range()?.0)
    }

    fn values(&self, dimension: &DimensionDef) -> Result<Vec<String>> {
        match dimension.kind {
            DimensionKind::Column(c) => self.column_values(dimension.home_table(), c),
            DimensionKind::Supplier => self.column_values(Table::Spend, spend::SUPPLIER_NAME),
            DimensionKind::Contract if self.has_table(Table::Contracts) => {
                self.column_values(Table::Contracts, contracts::CONTRACT_ID)
            }
            _ => Ok(Vec::new()),
        }
    }

    fn has_table(&self, table: Table) -> bool {
        Engine::has_table(self, table)
    }

    fn metrics(&self) -> Result<Vec<(String, String)>> {
        if let Some(cached) = self.cache.borrow().metrics.clone() {
            return Ok(cached);
        }
        let plan = crate::plan::lookup::metric_names(self.base_scan(Table::Metrics)?)?;
        let result = self.execute(plan, Cancel::Never, Instant::now())?;
        let mut pairs = Vec::new();
        for batch in &result.batches {
            let text = |i: usize| datafusion::arrow::compute::cast(batch.column(i), &DataType::Utf8);
            let (names, aggregations) = (text(0)?, text(1)?);
            let (names, aggregations) = (names.as_string::<i32>(), aggregations.as_string::<i32>());
            for row in 0..batch.num_rows() {
                pairs.push((names.value(row).to_string(), aggregations.value(row).to_string()));
            }
        }
        self.cache.borrow_mut().metrics = Some(pairs.clone());
        Ok(pairs)
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    //! Engine tests on the hand-checkable fixture, with ASTs built directly so that the
    //! query path is tested independently of the parser. Expected numbers are sums of the
    //! rows in `crate::fixture::ROWS`, worked out by hand.

    use super::*;
    use crate::syntax::ast::{self, Name, Query, Spanned};

    fn name(text: &str) -> Name {
        Name { words: text.split(' ').map(|w| Spanned::new(w.to_string(), 0..0)).collect(), span: 0..0 }
    }

    fn query(measures: &[&str], by: &[&str]) -> Query {
        Query {
            rank: None,
            measures: measures.iter().map(|m| ast::Measure::Named(name(m))).collect(),
            group_by: by.iter().map(|d| name(d)).collect(),
            within: None,
            across: None,
            compare: None,
            filter: None,
            having: None,
            order_by: vec![],
            limit: None,
            as_chart: false,
            span: 0..0,
        }
    }

    fn engine() -> (tempfile::TempDir, Engine) {
        let dir = tempfile::tempdir().unwrap();
        crate::fixture::write_spend_fixture(dir.path()).unwrap();
        let engine = Engine::open(&Dataset::new(dir.path())).unwrap();
        (dir, engine)
    }

    /// Run an AST and return rows as text cells (money as plain decimals).
    fn rows(engine: &Engine, q: &Query) -> Vec<Vec<String>> {
        let resolved = semantic::resolve(q, &engine.definitions, &engine.params, engine, None).unwrap();
        let plan = crate::plan::build_plan(&resolved, &|t| engine.base_scan(t)).unwrap();
        let result = engine.execute(plan, Cancel::Never, Instant::now()).unwrap();
        let mut out = Vec::new();
        for batch in &result.batches {
            for r in 0..batch.num_rows() {
                out.push(
                    batch.columns().iter().map(|c| crate::output::cell_text(c, r, false).unwrap_or_default()).collect(),
                );
            }
        }
        out
    }

    fn strings(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter().map(|r| r.iter().map(ToString::to_string).collect()).collect()
    }

    #[test]
    fn spend_by_council_sums_every_payment_largest_first() {
        let (_dir, engine) = engine();
        let got = rows(&engine, &query(&["spend"], &["council"]));
        assert_eq!(got, strings(&[&["Trafford", "31225.75"], &["Salford", "29400.00"], &["Stockport", "6600.00"]]));
    }

    #[test]
    fn financial_years_run_april_to_march() {
        let (_dir, engine) = engine();
        let got = rows(&engine, &query(&["spend", "transactions"], &["fy"]));
        assert_eq!(got, strings(&[&["2021/22", "32300.50", "9"], &["2022/23", "34925.25", "5"]]));
    }

    #[test]
    fn top_suppliers_are_grouped_by_key_and_labelled_by_commonest_name() {
        let (_dir, engine) = engine();
        let mut q = query(&["spend"], &[]);
        q.rank = Some(ast::Rank {
            direction: ast::RankDirection::Top,
            count: Spanned::new(3, 0..0),
            dimension: name("suppliers"),
            span: 0..0,
        });
        let got = rows(&engine, &q);
        assert_eq!(
            got,
            strings(&[&["Wates Construction Ltd", "56000.00"], &["Capita PLC", "5650.00"], &["Amey Ltd", "3650.50"]])
        );
    }

    #[test]
    fn card_modifier_and_credits_measure_restrict_rows() {
        let (_dir, engine) = engine();
        let got = rows(&engine, &query(&["spend card", "credits"], &["council"]));
        // Card: Trafford 75.25, Stockport 650.00; credits: Trafford -100, Stockport -50.
        assert_eq!(
            got,
            strings(&[&["Stockport", "650.00", "-50.00"], &["Trafford", "75.25", "-100.00"], &["Salford", "", ""]])
        );
    }

    #[test]
    fn compare_gives_columns_per_period_and_change() {
        let (_dir, engine) = engine();
        let mut q = query(&["spend"], &["council"]);
        let fy = |y| ast::Period { kind: ast::PeriodKind::FinancialYear { start_year: y }, span: 0..0 };
        q.compare = Some(ast::Compare { current: fy(2022), previous: fy(2021), span: 0..0 });
        let got = rows(&engine, &q);
        assert_eq!(got[0][..4], ["Salford", "900.00", "28500.00", "-27600.00"].map(String::from));
        let pct: f64 = got[0][4].parse().unwrap();
        assert!((pct - (-27600.0 / 28500.0 * 100.0)).abs() < 1e-9);
        assert_eq!(got[2][..4], ["Trafford", "30075.25", "1150.50", "28924.75"].map(String::from));
    }

    #[test]
    fn across_pivots_one_column_per_council() {
        let (_dir, engine) = engine();
        let mut q = query(&["spend"], &["category"]);
        q.across = Some(name("council"));
        let result = {
            let resolved = semantic::resolve(&q, &engine.definitions, &engine.params, &engine, None).unwrap();
            let plan = crate::plan::build_plan(&resolved, &|t| engine.base_scan(t)).unwrap();
            engine.execute(plan, Cancel::Never, Instant::now()).unwrap()
        };
        let names: Vec<&str> = result.schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, ["category", "Salford", "Stockport", "Trafford", "total"]);
        let got = rows(&engine, &q);
        let highways = got.iter().find(|r| r[0] == "Highways").unwrap();
        assert_eq!(highways[1..], ["500.00", "2000.00", "1150.50", "3650.50"].map(String::from));
    }

    #[test]
    fn share_within_council_is_percent_of_each_councils_total() {
        let (_dir, engine) = engine();
        let mut q = query(&["spend share"], &["category"]);
        q.within = Some(ast::Within::Dimension(name("council")));
        let got = rows(&engine, &q);
        let stockport_it = got.iter().find(|r| r[0] == "Stockport" && r[1] == "IT").unwrap();
        let share: f64 = stockport_it[2].parse().unwrap();
        assert!((share - 3950.0 / 6600.0 * 100.0).abs() < 1e-9, "{share}");
        let total: f64 = got.iter().filter(|r| r[0] == "Salford").map(|r| r[2].parse::<f64>().unwrap()).sum();
        assert!((total - 100.0).abs() < 1e-9);
    }

    #[test]
    fn amount_filter_and_having() {
        let (_dir, engine) = engine();
        let mut q = query(&["transactions"], &["council"]);
        q.filter = Some(ast::Expr::Compare {
            left: name("amount"),
            op: ast::CompareOp::GtEq,
            right: ast::Operand::Literal(Spanned::new(
                ast::Literal::Number { value: "25000".into(), money: true },
                0..0,
            )),
            span: 0..0,
        });
        let got = rows(&engine, &q);
        assert_eq!(got, strings(&[&["Salford", "1"], &["Trafford", "1"]]));

        let mut q = query(&["spend"], &["council"]);
        q.having = Some(ast::Expr::Compare {
            left: name("spend"),
            op: ast::CompareOp::Gt,
            right: ast::Operand::Literal(Spanned::new(
                ast::Literal::Number { value: "10000".into(), money: true },
                0..0,
            )),
            span: 0..0,
        });
        assert_eq!(rows(&engine, &q), strings(&[&["Trafford", "31225.75"], &["Salford", "29400.00"]]));
    }

    #[test]
    fn unknown_council_value_suggests_the_nearest() {
        let (_dir, engine) = engine();
        let mut q = query(&["spend"], &[]);
        q.filter = Some(ast::Expr::Compare {
            left: name("council"),
            op: ast::CompareOp::Eq,
            right: ast::Operand::Literal(Spanned::new(ast::Literal::String("Traford".into()), 5..14)),
            span: 0..0,
        });
        let err = semantic::resolve(&q, &engine.definitions, &engine.params, &engine, None).unwrap_err();
        assert_eq!(err.kind, ErrorKind::UnknownValue);
        assert_eq!(err.message, "no council named \"Traford\"");
        assert_eq!(err.hints, ["did you mean \"Trafford\"?"]);
        assert_eq!(err.span, Some(5..14));
    }

    #[test]
    fn footer_statistics_answer_the_date_range_and_councils_only_when_exact() {
        use datafusion::arrow::array::{ArrayRef, BooleanArray, Date32Array, Decimal128Array, Int64Array, StringArray};
        // The fixture's one file mixes councils: no single value per row group, so a scan.
        let (_dir, engine) = engine();
        assert_eq!(engine.single_values_from_statistics(Table::Spend, "council"), None);
        assert_eq!(engine.column_values(Table::Spend, "council").unwrap(), ["Salford", "Stockport", "Trafford"]);
        let day = |d: &str| {
            (d.parse::<NaiveDate>().unwrap() - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32
        };
        // The fixture's payments run from 2 April 2021 to 1 September 2022.
        assert_eq!(
            engine.date_range_from_statistics(),
            Some(("2021-04-02".parse().unwrap(), "2022-09-01".parse().unwrap()))
        );

        // One council per file, as ingest writes: the footers name them.
        let dir = tempfile::tempdir().unwrap();
        for (council, date) in [("Wigan", "2020-01-05"), ("Bolton", "2023-03-04")] {
            let n = 2;
            let columns: Vec<(&str, ArrayRef)> = vec![
                ("council", Arc::new(StringArray::from(vec![council; n]))),
                ("payment_date", Arc::new(Date32Array::from(vec![day(date); n]))),
                ("amount", Arc::new(Decimal128Array::from(vec![100i128; n]).with_precision_and_scale(18, 2).unwrap())),
                ("is_card", Arc::new(BooleanArray::from(vec![false; n]))),
                ("redacted", Arc::new(BooleanArray::from(vec![false; n]))),
                ("source_file", Arc::new(StringArray::from(vec!["f.csv"; n]))),
                ("source_row", Arc::new(Int64Array::from(vec![2i64, 3]))),
            ];
            let batch = crate::fixture::table_batch(Table::Spend, columns).unwrap();
            crate::fixture::write_table_batch(dir.path(), Table::Spend, council, "f.csv", &batch).unwrap();
        }
        let engine = Engine::open(&Dataset::new(dir.path())).unwrap();
        assert_eq!(
            engine.single_values_from_statistics(Table::Spend, "council"),
            Some(vec!["Bolton".to_string(), "Wigan".to_string()])
        );
        assert_eq!(
            engine.date_range_from_statistics(),
            Some(("2020-01-05".parse().unwrap(), "2023-03-04".parse().unwrap()))
        );
    }

    #[test]
    fn monthly_and_quarterly_labels() {
        let (_dir, engine) = engine();
        let got = rows(&engine, &query(&["transactions"], &["fq"]));
        // 2021/22: Q1 Apr–Jun 4 rows (Apr 15, May 20, Jun 1, Apr 2), Q2 1 (Sep 30),
        // Q3 1 (Dec 25), Q4 3 (Jan 15, Feb 14, Mar 31); 2022/23: Q1 2 (Apr 10, Apr 1),
        // Q2 3 (Jul 1, Aug 31, Sep 1).
        assert_eq!(
            got,
            strings(&[
                &["2021/22 Q1", "4"],
                &["2021/22 Q2", "1"],
                &["2021/22 Q3", "1"],
                &["2021/22 Q4", "3"],
                &["2022/23 Q1", "2"],
                &["2022/23 Q2", "3"],
            ])
        );
        let months = rows(&engine, &query(&["transactions"], &["month"]));
        assert_eq!(months[0], ["2021-04", "2"].map(String::from));
    }

    /// The spend fixture linked to [`crate::fixture::CONTRACTS`]. Every expected number
    /// below is worked out by hand from the two fixtures and the on/off-contract rule.
    mod contracts {
        use super::*;

        fn linked(as_of: Option<&str>) -> (tempfile::TempDir, Engine) {
            let dir = tempfile::tempdir().unwrap();
            crate::fixture::write_linked_fixture(dir.path()).unwrap();
            let mut engine = Engine::open(&Dataset::new(dir.path())).unwrap();
            engine.set_as_of(as_of.map(|d| d.parse().unwrap()));
            (dir, engine)
        }

        fn text_rows(engine: &Engine, source: &str) -> Vec<Vec<String>> {
            let result = engine.query(source, Cancel::Never).unwrap_or_else(|e| panic!("{source}: {e}"));
            let mut out = Vec::new();
            for batch in &result.batches {
                for r in 0..batch.num_rows() {
                    out.push(
                        batch
                            .columns()
                            .iter()
                            .map(|c| crate::output::cell_text(c, r, false).unwrap_or_default())
                            .collect(),
                    );
                }
            }
            out
        }

        #[test]
        fn on_and_off_contract_split_each_councils_spend_with_redacted_apart() {
            let (_dir, engine) = linked(None);
            // Trafford: on = 250.50 - 100.00 (Amey inside T-AMEY); off = 1000.00 (the day
            // before it starts) + 30000.00 (Wates, no Trafford contract) + 75.25 (Tesco).
            // Salford: on = 26000.00 (Wates inside S-WATES); off = 500 + 800 + 900; the
            // redacted 1200.00 is neither. Stockport: on = 2000.00 (Amey, collaborative
            // T-AMEY) + 4000.00 (K-CAPITA from its first day); off = 650.00 - 50.00.
            let got = text_rows(&engine, "spend, spend on-contract, spend off-contract by council order by council");
            assert_eq!(
                got,
                strings(&[
                    &["Salford", "29400.00", "26000.00", "2200.00"],
                    &["Stockport", "6600.00", "6000.00", "600.00"],
                    &["Trafford", "31225.75", "150.50", "31075.25"],
                ])
            );
        }

        #[test]
        fn on_contract_share_excludes_redacted_spend_from_the_base() {
            let (_dir, engine) = linked(None);
            let got = text_rows(&engine, "on-contract share by council order by council");
            let expected =
                [("Salford", 26000.00 / 28200.00), ("Stockport", 6000.00 / 6600.00), ("Trafford", 150.50 / 31225.75)];
            for (row, (council, share)) in got.iter().zip(expected) {
                assert_eq!(row[0], council);
                let value: f64 = row[1].parse().unwrap();
                assert!((value - share * 100.0).abs() < 1e-6, "{council}: {value}");
            }
        }

        #[test]
        fn contract_dimension_on_spend_names_the_covering_contract() {
            let (_dir, engine) = linked(None);
            let got = text_rows(&engine, "spend, transactions by contract where on-contract order by contract");
            assert_eq!(
                got,
                // Ids are council/reference: the fixture's registers repeat no reference.
                strings(&[
                    &["Salford/S-WATES", "26000.00", "1"],
                    &["Stockport/K-CAPITA", "4000.00", "1"],
                    &["Trafford/T-AMEY", "2150.50", "3"]
                ])
            );
        }

        #[test]
        fn issue_10_a_bare_reference_is_pointed_to_its_contract_ids() {
            let (_dir, engine) = linked(None);
            let err = engine.query(r#"spend by contract where contract = "t-amey""#, Cancel::Never).unwrap_err();
            assert_eq!(err.kind, ErrorKind::UnknownValue);
            assert_eq!(err.hints, ["contracts are named by council and reference: \"Trafford/T-AMEY\""]);
            let got = text_rows(&engine, r#"spend by contract where contract = "Trafford/T-AMEY""#);
            assert_eq!(got, strings(&[&["Trafford/T-AMEY", "2150.50"]]));
        }

        #[test]
        fn contract_measures_by_officer() {
            let (_dir, engine) = linked(None);
            let got =
                text_rows(&engine, "contracts, contract value, savings, social value by officer order by officer");
            // Ann: T-AMEY 50000 + K-CAPITA 30000, savings 1000 + 500, social value 2000.
            // Bob: S-WATES, savings 0 cashable (non-cashable missing counts 0). Cara: S-CATER.
            assert_eq!(
                got,
                strings(&[
                    &["Ann", "2", "80000.00", "1500.00", "2000.00"],
                    &["Bob", "1", "100000.00", "0.00", "5000.00"],
                    &["Cara", "1", "8000.00", "0.00", ""],
                ])
            );
        }

        #[test]
        fn contracts_expiring_within_a_window_after_the_as_of_date() {
            // As of 1 March 2022, the next 6 months run to 2 September: T-AMEY (30 April)
            // and S-WATES (31 March) expire in it; K-CAPITA and S-CATER later.
            let (_dir, engine) = linked(Some("2022-03-01"));
            let got = text_rows(&engine, "contracts expiring within 6 months by officer, category order by officer");
            assert_eq!(got, strings(&[&["Ann", "Highways", "1"], &["Bob", "Construction", "1"]]));
            // The default window is 6 months too; 3 months still holds both.
            assert_eq!(text_rows(&engine, "contracts expiring by council").len(), 2);
            let got = text_rows(&engine, "workload within 3 months by officer order by officer");
            assert_eq!(got, strings(&[&["Ann", "1", "50000.00"], &["Bob", "1", "100000.00"]]));
            // One month (2 March to 1 April) holds S-WATES alone; one week holds nothing.
            let got = text_rows(&engine, "contracts expiring within 1 month by officer");
            assert_eq!(got, strings(&[&["Bob", "1"]]));
            let none = text_rows(&engine, "contracts expiring within 1 week by officer");
            assert!(none.is_empty(), "{none:?}");
        }

        #[test]
        fn suppliers_shared_by_council_with_contract_cover_per_council() {
            let (_dir, engine) = linked(None);
            let got = text_rows(&engine, "suppliers shared by council");
            let result = engine.query("suppliers shared by council", Cancel::Never).unwrap();
            let headings: Vec<&str> = result.schema.fields().iter().map(|f| f.name().as_str()).collect();
            assert_eq!(
                headings,
                [
                    "supplier",
                    "councils",
                    "Salford spend",
                    "Salford contract",
                    "Stockport spend",
                    "Stockport contract",
                    "Trafford spend",
                    "Trafford contract",
                    "total spend"
                ]
            );
            // Every named supplier is bought by two or more councils. Tesco: Salford holds
            // S-CATER though it paid Tesco nothing; Amey: Stockport is covered by Trafford's
            // collaborative T-AMEY.
            assert_eq!(
                got,
                strings(&[
                    &["Wates Construction Ltd", "2", "26000.00", "yes", "", "no", "30000.00", "no", "56000.00"],
                    &["Capita PLC", "2", "1700.00", "no", "3950.00", "yes", "", "no", "5650.00"],
                    &["Amey Ltd", "3", "500.00", "no", "2000.00", "yes", "1150.50", "yes", "3650.50"],
                    &["Tesco Stores", "2", "", "yes", "650.00", "no", "75.25", "no", "725.25"],
                ])
            );
        }

        #[test]
        fn collaboration_opportunities_rank_off_contract_spend_bought_by_two_or_more() {
            let (_dir, engine) = linked(None);
            let got = text_rows(&engine, "collaboration opportunities");
            // Off-contract: Capita/IT Salford 1700 + Stockport -50; Amey/Highways Trafford
            // 1000 + Salford 500; Tesco/Catering Trafford 75.25 + Stockport 650. Wates is
            // off-contract in Trafford only, so it is no opportunity.
            let firsts: Vec<(String, String, String)> =
                got.iter().map(|r| (r[0].clone(), r[1].clone(), r[r.len() - 1].clone())).collect();
            let expected = [
                ("category", "IT", "1650.00"),
                ("supplier", "Capita PLC", "1650.00"),
                ("category", "Highways", "1500.00"),
                ("supplier", "Amey Ltd", "1500.00"),
                ("category", "Catering", "725.25"),
                ("supplier", "Tesco Stores", "725.25"),
            ];
            let expected: Vec<(String, String, String)> =
                expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect();
            assert_eq!(firsts, expected);
        }

        #[test]
        fn issue_3_a_hidden_measure_does_not_hide_a_shown_one_whose_name_it_starts() {
            // Found by the property test: `contract value` (hidden, for `having`) hid the
            // column `contract value share`, leaving a result with no columns.
            let (_dir, engine) = linked(None);
            let result =
                engine.query("contract value share by officer having contract value > £60k", Cancel::Never).unwrap();
            let headings: Vec<&str> = result.schema.fields().iter().map(|f| f.name().as_str()).collect();
            assert_eq!(headings, ["officer", "contract value share"]);
            // Ann £80,000 and Bob £100,000 pass `having`; each as a share of all four
            // contracts' £188,000.
            let got =
                text_rows(&engine, "contract value share by officer having contract value > £60k order by officer");
            assert_eq!(got.len(), 2);
            let share: f64 = got[0][1].parse().unwrap();
            assert!((share - 80_000.0 * 100.0 / 188_000.0).abs() < 1e-6, "{got:?}");
        }

        #[test]
        fn issue_5_aliases_regroup_suppliers_and_removing_them_splits_them_again() {
            let (dir, _) = linked(None);
            let dataset = Dataset::new(dir.path());
            let by_supplier = |dataset: &Dataset| {
                let engine = Engine::open(dataset).unwrap();
                (
                    text_rows(&engine, "spend by supplier order by supplier"),
                    text_rows(&engine, "spend on-contract by council order by council"),
                )
            };
            let (before, on_before) = by_supplier(&dataset);
            assert_eq!(
                before,
                strings(&[
                    &["Amey Ltd", "3650.50"],
                    &["Capita PLC", "5650.00"],
                    &["Redacted", "1200.00"],
                    &["Tesco Stores", "725.25"],
                    &["Wates Construction Ltd", "56000.00"],
                ])
            );
            // An (unlikely) alias: Capita is Amey. Keys are recomputed under it, so the two
            // group as one, labelled by the commonest name (4 each; ties go alphabetically).
            std::fs::write(dir.path().join("suppliers.toml"), "[aliases]\n\"Amey\" = [\"Capita PLC\"]\n").unwrap();
            crate::ingest::relink_dataset(&dataset, &mut Vec::new()).unwrap();
            let (merged, on_merged) = by_supplier(&dataset);
            assert_eq!(
                merged,
                strings(&[
                    &["Amey Ltd", "9300.50"],
                    &["Redacted", "1200.00"],
                    &["Tesco Stores", "725.25"],
                    &["Wates Construction Ltd", "56000.00"],
                ])
            );
            // K-CAPITA's own key moved with it, and no Capita payment falls inside T-AMEY,
            // so on-contract spend is unchanged.
            assert_eq!(on_merged, on_before);
            std::fs::remove_file(dir.path().join("suppliers.toml")).unwrap();
            crate::ingest::relink_dataset(&dataset, &mut Vec::new()).unwrap();
            assert_eq!(by_supplier(&dataset).0, before);
        }

        #[test]
        fn mixing_tables_and_misplaced_dimensions_are_diagnostics() {
            let (_dir, engine) = linked(None);
            let err = engine.query("spend, contracts by council", Cancel::Never).unwrap_err();
            assert_eq!(err.span, Some(7..16));
            assert!(err.message.contains("cannot be mixed"), "{}", err.message);
            let err = engine.query("spend by officer", Cancel::Never).unwrap_err();
            assert_eq!(err.message, "'officer' is not recorded in the spend table");
            // Found by the property test: a hidden measure of the other table in `order by`.
            let err = engine.query("contracts by officer order by suppliers desc", Cancel::Never).unwrap_err();
            assert_eq!(
                err.message,
                "'suppliers' is a measure of the spend table; this query reads the contracts table"
            );
            let err = engine.query("contracts by month within 6 months", Cancel::Never).unwrap_err();
            assert!(err.message.contains("`expiring`"), "{}", err.message);
        }

        #[test]
        fn without_a_register_contract_measures_say_how_to_load_one() {
            let (_dir, engine) = engine();
            for q in ["spend off-contract by council", "contracts by officer", "collaboration opportunities"] {
                let err = engine.query(q, Cancel::Never).unwrap_err();
                assert!(err.message.contains("needs a contracts register"), "{q}: {}", err.message);
            }
        }
    }
}
