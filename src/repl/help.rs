//! The language's help topics (`\h TOPIC`): text for people, whose `  > ` lines are example
//! queries that a test runs. Held apart so the command list, the completer and the meta-command
//! runner all read it without depending on each other.

/// Help topics. Lines starting with `  > ` are examples; a test runs every one of them
/// on the fixture dataset, so they stay true.
pub const TOPICS: &[(&str, &str)] = &[
    (
        "measures",
        "A query starts with one or more measures, separated by commas.\n\
         Modifiers after a measure restrict it: card, on-contract, off-contract; share makes it a %.\n\
         \\d lists every measure with what it adds up.\n\
         \x20 > spend\n\
         \x20 > spend, transactions, suppliers by council\n\
         \x20 > spend card, credits by council\n\
         \x20 > average payment, largest payment by category\n",
    ),
    (
        "dimensions",
        "`by` groups a measure by one or more dimensions: council, supplier, category,\n\
         department, expense type, and the time dimensions date, month, quarter, year,\n\
         fy (financial year, April-March) and fq (financial quarter).\n\
         \x20 > spend by council\n\
         \x20 > spend by council, fy\n\
         \x20 > transactions by month\n\
         \x20 > top 3 suppliers by spend\n",
    ),
    (
        "periods",
        "Periods name spans of time: 2021-04-01 (a day), 2021-04 (a month), 2021Q2, FY2021/22,\n\
         2021 (a year), and relative ones counted back from the as-of date (the latest payment,\n\
         or \\as-of DATE): last 3 months, this fy, previous fy.\n\
         \x20 > spend by council where fy = FY2021/22\n\
         \x20 > spend by month where date in 2022\n\
         \x20 > transactions where date between 2021-04-01 and 2021-09-30\n\
         \x20 > spend by council where date in last 12 months\n",
    ),
    (
        "conditions",
        "`where` keeps the rows that match before measuring; `having` keeps groups after.\n\
         Tests: = != < <= > >=, in (...), between ... and ..., ~ \"text\" (contains, any case),\n\
         is missing, is not missing, and flags such as redacted and card. Combine with and, or, not.\n\
         \x20 > spend by supplier where amount >= £1k\n\
         \x20 > transactions by council where category is missing\n\
         \x20 > transactions, spend by council where redacted\n\
         \x20 > spend by council where supplier ~ \"ltd\" and not card\n\
         \x20 > spend by council having spend > £10k\n",
    ),
    (
        "shaping",
        "top/bottom N rank a dimension by the first measure; share shows % of a total (within\n\
         groups); compare puts two periods side by side with the change; across pivots a\n\
         dimension's values into columns; order by and limit sort and cut; as chart draws it.\n\
         \x20 > top 2 suppliers by spend\n\
         \x20 > spend share by category within council\n\
         \x20 > spend by council compare FY2022/23 with FY2021/22\n\
         \x20 > spend by category across council\n\
         \x20 > spend by council order by council limit 2\n\
         \x20 > spend by council as chart\n",
    ),
    (
        "files",
        "Saved query files (.spql) hold parameters, definitions, includes and titled queries:\n\
         \n\
         \x20   param min = £1k\n\
         \x20   define measure big payments = transactions where amount >= $min\n\
         \x20   include \"common.spql\"\n\
         \x20   query \"Big payments by council\" = big payments by council\n\
         \n\
         Run one with \\i FILE here, or `spendql run FILE --param min=£5k` (add\n\
         --output report.xlsx for one worksheet per query). Parameters are used as $NAME.\n",
    ),
];
