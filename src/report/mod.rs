//! Reports for managers (`spendql report`): a report file's sections, KPIs and queries run
//! for a period, its previous period and the same period last year, per council and for
//! the service, with targets, RAG statuses, trends and the analysis of change. The typed
//! result ([`ReportOutput`]) is rendered elsewhere: as tables on a terminal, as HTML, as a
//! workbook.

mod model;

pub use model::{
    Block, Contribution, ContributorKind, Decimal, Direction, Figure, KpiResult, KpiRow, KpiUnit, LoadedSummary,
    PeriodInfo, Polarity, ReportKind, ReportOutput, Scope, Status, TrendPoint,
};
