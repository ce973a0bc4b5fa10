//! Each council's published layouts: the columns, date and money formats, encodings and file
//! splits that Stockport, Trafford and Rochdale use for spend, card and contracts files. This is
//! the only place that knows how a council writes things down; the world it renders is drawn in
//! [`super::world`].

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

use super::files::{CsvWriter, Encoding, GeneratedFile, PendingFile, Sink, plain_money, pound_money, short_money};
use super::vocab::{CATEGORIES, FAMILIES, MERCHANTS};
use super::world::{
    COUNCIL_NAMES, CardLine, CardMerchant, CardSampler, Contract, ROCHDALE, STOCKPORT, SpendLine, SpendSampler,
    TRAFFORD, World, financial_year,
};
use crate::catalog::SourceKind;
use crate::error::{Error, Result};

/// The header of Trafford's spend files, exactly as Trafford publishes it (the LGA layout).
pub const TRAFFORD_SPEND_HEADER: &[&str] = &[
    "OrganisationLabel",
    "OrganisationURI",
    "EffectiveDate",
    "OrganisationalUnit",
    "BeneficiaryName",
    "BeneficiaryOtherID",
    "PaymentDate",
    "TransactionNumber",
    "Amount",
    "IrrecoverableVATAmount",
    "Purpose",
    "ProclassLabel",
    "ProclassCode",
    "InvoiceNumber",
    "ProfitCentre",
    "VATRegistrationNumber",
];

/// The header of Trafford's procurement-card files, exactly as Trafford publishes it.
pub const TRAFFORD_CARD_HEADER: &[&str] = &[
    "OrganisationLabel",
    "OrganisationURI",
    "EffectiveDate",
    "OrganisationalUnit",
    "BeneficiaryName",
    "PaymentDate",
    "Amount",
    "IrrecoverableVATAmount",
    "Purpose",
    "CategoryInternalName",
    "MerchantCategoryCode",
    "CardTransaction",
];

/// Header row of generated Rochdale spend files, in column order.
pub const ROCHDALE_SPEND_HEADER: &[&str] = &[
    "Service Area",
    "Expenditure Category",
    "Date Paid",
    "Transaction No",
    "Supplier",
    "Supplier Ref",
    "Amount",
    "Procurement Category",
    "Purpose of Expenditure",
];

/// Header row of generated Rochdale card files, in column order.
pub const ROCHDALE_CARD_HEADER: &[&str] = &["Date", "Service Area", "Merchant", "Merchant Type", "Amount"];

/// Header row of generated Stockport spend files, in column order.
pub const STOCKPORT_SPEND_HEADER: &[&str] = &[
    "Directorate",
    "Cost Centre",
    "Expense Type",
    "Payment Date",
    "Payment Reference",
    "Supplier Name",
    "Supplier Number",
    "Company Number",
    "Net Amount",
    "Irrecoverable VAT",
    "ProClass Code",
    "ProClass Description",
    "Description",
];

/// Header row of generated Stockport card files, in column order.
pub const STOCKPORT_CARD_HEADER: &[&str] =
    &["Transaction Date", "Directorate", "Merchant Name", "Merchant Category", "MCC", "Amount", "Description"];

/// Modelled on Salford's published register, plus the columns a contracts analysis needs.
pub const CONTRACTS_HEADER: &[&str] = &[
    "Directorate Name",
    "Process Used",
    "Purchasing Body",
    "Contract Reference",
    "Contract Title",
    "Contract Description",
    "Supplier Company Name",
    "Supplier Postcode",
    "Annual Value",
    "Total Contract Value (including extensions)",
    "Irrecoverable VAT",
    "OJEU/FTS?",
    "Start Date",
    "End Date",
    "Review Date",
    "Contract Duration (months)",
    "Option to extend (months)",
    "How many extensions",
    "Extension 1 Taken?",
    "Extension 2 Taken?",
    "Current Expiry Date",
    "SME Supplier?",
    "VCSE?",
    "ProClass Classification",
    "ProClass Description",
    "Company Number",
    "Collaborative Councils",
    "Cashable Savings",
    "Non-Cashable Savings",
    "Social Value",
    "Responsible Officer",
    "Status",
    "Visibility",
];

const TRAFFORD_LABEL: &str = "Trafford Council";
const TRAFFORD_URI: &str = "https://opendatacommunities.org/id/metropolitan-district-council/trafford";
/// What each council writes instead of a person's name.
const REDACTED: [&str; 3] = ["Redacted - personal data", "Redacted", "REDACTED PERSONAL DATA"];
/// Data rows per xlsx file: a sheet holds 1,048,576 rows including the header.
pub const XLSX_ROWS_PER_FILE: u64 = 1_000_000;

fn fy_label(fy: i32) -> String {
    format!("{fy}-{:02}", (fy + 1) % 100)
}

fn month_end(date: NaiveDate) -> NaiveDate {
    let (y, m) = if date.month() == 12 { (date.year() + 1, 1) } else { (date.year(), date.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt()).unwrap_or(date)
}

fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn day_first(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

fn xlsx_error(path: &Path, err: XlsxError) -> Error {
    Error::io(format!("cannot write {}", path.display()), std::io::Error::other(err))
}

fn unit_name(council: usize, family: usize, unit: usize) -> &'static str {
    let f = &FAMILIES[family];
    match council {
        STOCKPORT => f.stockport_cost_centres.get(unit).copied().unwrap_or(f.stockport_directorate),
        TRAFFORD => f.trafford_units.get(unit).copied().unwrap_or(f.stockport_directorate),
        _ => f.rochdale_service,
    }
}

/// One open spend file in some council's layout.
trait SpendFile {
    fn write(&mut self, world: &World, line: &SpendLine) -> Result<()>;
    fn finish(self: Box<Self>) -> Result<()>;
}

struct TraffordSpend {
    csv: CsvWriter,
}

impl SpendFile for TraffordSpend {
    fn write(&mut self, world: &World, line: &SpendLine) -> Result<()> {
        let category = &CATEGORIES[line.category];
        let supplier = line.supplier.map(|i| &world.suppliers[i]);
        let unit = unit_name(TRAFFORD, category.family, line.unit);
        let profit_centre = 100_000 + category.family * 10_000 + line.unit * 1_000 + line.category;
        let mut purpose = line.purpose.to_uppercase();
        purpose.truncate(20);
        self.csv.record(&[
            TRAFFORD_LABEL,
            TRAFFORD_URI,
            &iso(month_end(line.date)),
            unit,
            &supplier.map_or_else(|| REDACTED[TRAFFORD].to_string(), |s| s.name_for(TRAFFORD)),
            &supplier.map_or_else(|| REDACTED[TRAFFORD].to_string(), |s| s.account[TRAFFORD].to_string()),
            &iso(line.date),
            &line.transaction.to_string(),
            &plain_money(line.amount_pence),
            &plain_money(line.irrecoverable_vat_pence),
            &purpose,
            category.label,
            category.code,
            &line.invoice.to_string(),
            &profit_centre.to_string(),
            supplier.and_then(|s| s.vat_number.as_deref()).unwrap_or("NA"),
        ])
    }

    fn finish(self: Box<Self>) -> Result<()> {
        self.csv.finish()
    }
}

struct RochdaleSpend {
    csv: CsvWriter,
}

impl SpendFile for RochdaleSpend {
    fn write(&mut self, world: &World, line: &SpendLine) -> Result<()> {
        let category = &CATEGORIES[line.category];
        let supplier = line.supplier.map(|i| &world.suppliers[i]);
        // Rochdale's finance system writes credits both ways, depending on how they were keyed.
        let accounting_credit = line.transaction.is_multiple_of(2);
        self.csv.record(&[
            FAMILIES[category.family].rochdale_service,
            line.expense_type,
            &day_first(line.date),
            &line.transaction.to_string(),
            &supplier.map_or_else(|| REDACTED[ROCHDALE].to_string(), |s| s.name_for(ROCHDALE)),
            &supplier.map(|s| format!("R{:06}", s.account[ROCHDALE])).unwrap_or_default(),
            &pound_money(line.amount_pence, accounting_credit),
            category.label,
            line.purpose,
        ])
    }

    fn finish(self: Box<Self>) -> Result<()> {
        self.csv.finish()
    }
}

struct StockportSpend {
    workbook: Workbook,
    temp: PathBuf,
    row: u32,
    date_format: Format,
    money_format: Format,
}

impl StockportSpend {
    fn open(pending: &PendingFile) -> Result<StockportSpend> {
        let temp = pending.temp_path().to_path_buf();
        let mut workbook = Workbook::new();
        // Keep the workbook's own temporary files beside the output, not in a small /tmp.
        if let Some(dir) = temp.parent() {
            workbook.set_tempdir(dir).map_err(|e| xlsx_error(&temp, e))?;
        }
        // A fixed creation time: the file's bytes must depend on the seed only.
        let created = ExcelDateTime::from_ymd(2024, 4, 1).map_err(|e| xlsx_error(&temp, e))?;
        workbook.set_properties(&DocProperties::new().set_creation_datetime(&created).set_author("spendql generate"));
        let header_format = Format::new().set_bold();
        let sheet = workbook.add_worksheet_with_constant_memory().map_err(|e| xlsx_error(&temp, e))?;
        sheet.set_name("Payments").map_err(|e| xlsx_error(&temp, e))?;
        for (col, (title, width)) in
            STOCKPORT_SPEND_HEADER.iter().zip([28, 24, 26, 13, 17, 40, 15, 15, 14, 14, 14, 38, 34]).enumerate()
        {
            sheet.set_column_width(col as u16, width).map_err(|e| xlsx_error(&temp, e))?;
            sheet.write_string_with_format(0, col as u16, *title, &header_format).map_err(|e| xlsx_error(&temp, e))?;
        }
        Ok(StockportSpend {
            workbook,
            temp,
            row: 0,
            date_format: Format::new().set_num_format("dd/mm/yyyy"),
            money_format: Format::new().set_num_format("#,##0.00"),
        })
    }
}

impl SpendFile for StockportSpend {
    fn write(&mut self, world: &World, line: &SpendLine) -> Result<()> {
        self.row += 1;
        let row = self.row;
        let temp = &self.temp;
        let category = &CATEGORIES[line.category];
        let family = &FAMILIES[category.family];
        let supplier = line.supplier.map(|i| &world.suppliers[i]);
        let date = ExcelDateTime::from_ymd(line.date.year() as u16, line.date.month() as u8, line.date.day() as u8)
            .map_err(|e| xlsx_error(temp, e))?;
        let sheet = self.workbook.worksheet_from_index(0).map_err(|e| xlsx_error(temp, e))?;
        let result = (|| -> std::result::Result<(), XlsxError> {
            sheet.write_string(row, 0, family.stockport_directorate)?;
            sheet.write_string(row, 1, unit_name(STOCKPORT, category.family, line.unit))?;
            sheet.write_string(row, 2, line.expense_type)?;
            sheet.write_datetime_with_format(row, 3, &date, &self.date_format)?;
            sheet.write_string(row, 4, format!("SMBC{}", line.transaction))?;
            match supplier {
                Some(s) => {
                    sheet.write_string(row, 5, s.name_for(STOCKPORT))?;
                    sheet.write_number(row, 6, f64::from(s.account[STOCKPORT]))?;
                    if let Some(number) = &s.company_number {
                        sheet.write_string(row, 7, number)?;
                    }
                }
                None => {
                    sheet.write_string(row, 5, REDACTED[STOCKPORT])?;
                }
            }
            // Pence / 100 as a double is exact to the penny far beyond any council payment.
            sheet.write_number_with_format(row, 8, line.amount_pence as f64 / 100.0, &self.money_format)?;
            sheet.write_number_with_format(row, 9, line.irrecoverable_vat_pence as f64 / 100.0, &self.money_format)?;
            sheet.write_string(row, 10, category.code)?;
            sheet.write_string(row, 11, category.label)?;
            sheet.write_string(row, 12, line.purpose)?;
            Ok(())
        })();
        result.map_err(|e| xlsx_error(temp, e))
    }

    fn finish(mut self: Box<Self>) -> Result<()> {
        let temp = self.temp.clone();
        self.workbook.save(&temp).map_err(|e| xlsx_error(&temp, e))
    }
}

fn spend_file_name(council: usize, fy: i32, part: Option<u64>) -> String {
    let part = part.map(|p| format!("-part{p}")).unwrap_or_default();
    let fy = fy_label(fy);
    match council {
        STOCKPORT => format!("stockport-spend-{fy}{part}.xlsx"),
        TRAFFORD => format!("trafford-supplier-spend-{fy}{part}.zip"),
        _ => format!("rochdale-payments-over-500-{fy}{part}.csv"),
    }
}

fn open_spend(council: usize, pending: &PendingFile, expected_rows: u64) -> Result<Box<dyn SpendFile>> {
    let file = || pending.create();
    Ok(match council {
        STOCKPORT => Box::new(StockportSpend::open(pending)?),
        TRAFFORD => {
            let name = pending.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let member = name.replace(".zip", ".csv");
            let sink = Sink::zip(file()?, &member, expected_rows.saturating_mul(320))?;
            let mut csv = CsvWriter::new(sink, Encoding::Utf8, true, pending.path.clone());
            csv.record(TRAFFORD_SPEND_HEADER)?;
            Box::new(TraffordSpend { csv })
        }
        _ => {
            let mut csv = CsvWriter::new(Sink::Plain(file()?), Encoding::Windows1252, true, pending.path.clone());
            csv.record(ROCHDALE_SPEND_HEADER)?;
            Box::new(RochdaleSpend { csv })
        }
    })
}

/// Writes council `council`'s spend files, one per financial year (split further for xlsx, whose
/// sheets are limited in size), streaming lines in date order.
pub fn write_spend(world: &World, council: usize, dir: &Path) -> Result<Vec<GeneratedFile>> {
    let per_file_limit = if council == STOCKPORT { XLSX_ROWS_PER_FILE } else { u64::MAX };
    write_spend_split(world, council, dir, per_file_limit)
}

/// [`write_spend`] with an explicit cap on data rows per file, so splitting can be tested small.
fn write_spend_split(world: &World, council: usize, dir: &Path, per_file_limit: u64) -> Result<Vec<GeneratedFile>> {
    let total = world.spend_rows[council];
    let mut rows_per_year: Vec<(i32, u64)> = Vec::new();
    for (date, n) in world.daily_counts(total) {
        let fy = financial_year(date);
        match rows_per_year.last_mut() {
            Some((y, count)) if *y == fy => *count += n,
            _ => rows_per_year.push((fy, n)),
        }
    }
    let mut sampler = SpendSampler::new(world, council);
    let mut written = Vec::new();
    let mut open: Option<(PendingFile, Box<dyn SpendFile>, u64)> = None;
    let mut current_year = None;
    let mut part = 0u64;
    for (date, n) in world.daily_counts(total) {
        for _ in 0..n {
            let fy = financial_year(date);
            let full = open.as_ref().is_some_and(|(_, _, rows)| *rows >= per_file_limit);
            if current_year != Some(fy) || full {
                if let Some((pending, file, rows)) = open.take() {
                    file.finish()?;
                    written.push(GeneratedFile {
                        council: COUNCIL_NAMES[council].to_string(),
                        kind: SourceKind::Spend,
                        path: pending.commit()?,
                        rows,
                    });
                }
                part = if current_year == Some(fy) { part + 1 } else { 1 };
                current_year = Some(fy);
                let year_rows = rows_per_year.iter().find(|(y, _)| *y == fy).map_or(0, |(_, n)| *n);
                let split = year_rows > per_file_limit;
                let pending = PendingFile::new(dir.join(spend_file_name(council, fy, split.then_some(part))));
                let file = open_spend(council, &pending, year_rows.min(per_file_limit))?;
                open = Some((pending, file, 0));
            }
            let line = sampler.next_line(date);
            if let Some((_, file, rows)) = open.as_mut() {
                file.write(world, &line)?;
                *rows += 1;
            }
        }
    }
    if let Some((pending, file, rows)) = open.take() {
        file.finish()?;
        written.push(GeneratedFile {
            council: COUNCIL_NAMES[council].to_string(),
            kind: SourceKind::Spend,
            path: pending.commit()?,
            rows,
        });
    }
    Ok(written)
}

/// The merchant's name, category, category code and what is usually bought.
fn merchant_fields(world: &World, council: usize, line: &CardLine) -> (String, &'static str, &'static str, String) {
    match line.merchant {
        CardMerchant::Merchant(i) => {
            let (name, mcc, category, what) = MERCHANTS[i];
            (name.to_string(), category, mcc, what.to_string())
        }
        CardMerchant::Supplier(i) => {
            let supplier = &world.suppliers[i];
            let purpose = CATEGORIES[supplier.category].purposes.first().copied().unwrap_or("services");
            (supplier.name_for(council), "Business Services", "7399", purpose.to_lowercase())
        }
    }
}

fn card_record(world: &World, council: usize, line: &CardLine) -> Vec<String> {
    let (merchant, category, mcc, what) = merchant_fields(world, council, line);
    let unit = unit_name(council, line.family, line.unit);
    match council {
        TRAFFORD => {
            // Trafford's card system cuts beneficiary names at 25 characters.
            let beneficiary: String = merchant.chars().take(25).collect();
            vec![
                TRAFFORD_LABEL.to_string(),
                TRAFFORD_URI.to_string(),
                iso(month_end(line.date)),
                unit.to_string(),
                beneficiary.clone(),
                iso(line.date),
                short_money(line.amount_pence),
                "0".to_string(),
                format!("Purchase {beneficiary} for {what}"),
                category.to_string(),
                mcc.to_string(),
                "GPC".to_string(),
            ]
        }
        STOCKPORT => vec![
            line.date.format("%d-%b-%Y").to_string(),
            FAMILIES[line.family].stockport_directorate.to_string(),
            merchant,
            category.to_string(),
            mcc.to_string(),
            plain_money(line.amount_pence),
            what,
        ],
        _ => vec![
            day_first(line.date),
            unit.to_string(),
            merchant,
            category.to_string(),
            pound_money(line.amount_pence, false),
        ],
    }
}

/// Writes council `council`'s procurement-card transactions: Trafford one file per financial
/// year, as it publishes them; the others one file for the whole period.
pub fn write_cards(world: &World, council: usize, dir: &Path) -> Result<Vec<GeneratedFile>> {
    let (header, encoding, crlf) = match council {
        TRAFFORD => (TRAFFORD_CARD_HEADER, Encoding::Utf8, false),
        STOCKPORT => (STOCKPORT_CARD_HEADER, Encoding::Utf8, true),
        _ => (ROCHDALE_CARD_HEADER, Encoding::Windows1252, true),
    };
    let file_name = |fy: i32| match council {
        TRAFFORD => format!("trafford-gpc-{}.csv", fy_label(fy)),
        STOCKPORT => "stockport-purchase-card-transactions.csv".to_string(),
        _ => "rochdale-procurement-cards.csv".to_string(),
    };
    let mut sampler = CardSampler::new(world, council);
    let mut written = Vec::new();
    let mut open: Option<(PendingFile, CsvWriter, u64, i32)> = None;
    let finish = |(pending, csv, rows, _): (PendingFile, CsvWriter, u64, i32)| -> Result<GeneratedFile> {
        csv.finish()?;
        Ok(GeneratedFile {
            council: COUNCIL_NAMES[council].to_string(),
            kind: SourceKind::Card,
            path: pending.commit()?,
            rows,
        })
    };
    for (date, n) in world.daily_counts(world.card_rows[council]) {
        for _ in 0..n {
            let fy = financial_year(date);
            let new_file = match &open {
                None => true,
                Some((_, _, _, year)) => council == TRAFFORD && *year != fy,
            };
            if new_file {
                if let Some(done) = open.take() {
                    written.push(finish(done)?);
                }
                let pending = PendingFile::new(dir.join(file_name(fy)));
                let mut csv = CsvWriter::new(Sink::Plain(pending.create()?), encoding, crlf, pending.path.clone());
                csv.record(header)?;
                open = Some((pending, csv, 0, fy));
            }
            let line = sampler.next_line(date);
            if let Some((_, csv, rows, _)) = open.as_mut() {
                csv.record(&card_record(world, council, &line))?;
                *rows += 1;
            }
        }
    }
    if let Some(done) = open.take() {
        written.push(finish(done)?);
    }
    Ok(written)
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "Yes" } else { "No" }
}

fn contract_record(world: &World, contract: &Contract) -> Vec<String> {
    let supplier = &world.suppliers[contract.supplier];
    let category = &CATEGORIES[contract.category];
    let family = &FAMILIES[category.family];
    let lead = contract.lead;
    let (directorate, body) = match lead {
        STOCKPORT => (family.stockport_directorate, "Stockport Metropolitan Borough Council"),
        TRAFFORD => (family.stockport_directorate, "Trafford Council"),
        _ => (family.rochdale_service, "Rochdale Borough Council"),
    };
    let money = |p: Option<i64>| p.map(plain_money).unwrap_or_default();
    let (ext1, ext2) = match contract.extensions {
        0 => ("N/A", "N/A"),
        1 => (yes_no(contract.extension_taken), "N/A"),
        _ => (yes_no(contract.extension_taken), "No"),
    };
    let collaborative: Vec<&str> = contract.partners.iter().map(|c| COUNCIL_NAMES[*c]).collect();
    vec![
        directorate.to_string(),
        contract.procedure.to_string(),
        body.to_string(),
        contract.reference.clone(),
        contract.title.clone(),
        contract.description.clone(),
        supplier.name_for(lead),
        supplier.postcode.clone(),
        plain_money(contract.annual_pence),
        plain_money(contract.total_pence),
        plain_money(contract.irrecoverable_vat_pence),
        yes_no(contract.above_threshold).to_string(),
        iso(contract.start),
        iso(contract.end),
        iso(contract.review),
        contract.duration_months.to_string(),
        contract.extension_months.to_string(),
        contract.extensions.to_string(),
        ext1.to_string(),
        ext2.to_string(),
        iso(contract.expiry),
        yes_no(supplier.sme).to_string(),
        yes_no(supplier.vcse).to_string(),
        category.code.to_string(),
        category.label.to_string(),
        supplier.company_number.clone().unwrap_or_default(),
        collaborative.join(";"),
        money(contract.savings_cashable_pence),
        money(contract.savings_non_cashable_pence),
        money(contract.social_value_pence),
        contract.officer.to_string(),
        contract.status.to_string(),
        "Public".to_string(),
    ]
}

/// Writes council `council`'s contracts register: the contracts it let, collaborative ones
/// naming the other councils they cover.
pub fn write_contracts(world: &World, council: usize, dir: &Path) -> Result<GeneratedFile> {
    let name = format!("{}-contracts-register.csv", COUNCIL_NAMES[council].to_lowercase());
    let pending = PendingFile::new(dir.join(name));
    let encoding = if council == ROCHDALE { Encoding::Windows1252 } else { Encoding::Utf8 };
    let mut file = pending.create()?;
    if council == STOCKPORT {
        // Stockport's register is saved from Excel, with a byte-order mark, like Salford's.
        std::io::Write::write_all(&mut file, b"\xEF\xBB\xBF")
            .map_err(|e| Error::io(format!("cannot write {}", pending.path.display()), e))?;
    }
    let mut csv = CsvWriter::new(Sink::Plain(file), encoding, true, pending.path.clone());
    csv.record(CONTRACTS_HEADER)?;
    let mut rows = 0;
    for contract in world.contracts.iter().filter(|c| c.lead == council) {
        csv.record(&contract_record(world, contract))?;
        rows += 1;
    }
    csv.finish()?;
    Ok(GeneratedFile {
        council: COUNCIL_NAMES[council].to_string(),
        kind: SourceKind::Contracts,
        path: pending.commit()?,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_end_handles_december_and_february() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(month_end(d(2023, 12, 5)), d(2023, 12, 31));
        assert_eq!(month_end(d(2024, 2, 1)), d(2024, 2, 29));
        assert_eq!(month_end(d(2023, 2, 28)), d(2023, 2, 28));
    }

    #[test]
    fn financial_year_labels_wrap_the_century() {
        assert_eq!(fy_label(2021), "2021-22");
        assert_eq!(fy_label(2099), "2099-00");
    }

    #[test]
    fn a_year_too_big_for_one_sheet_is_split_into_parts_that_open() {
        let world = World::build(11, 6_000).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let files = write_spend_split(&world, STOCKPORT, dir.path(), 500).unwrap();
        let names: Vec<String> =
            files.iter().map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned()).collect();
        // 2,220 rows, about 740 a year: each year needs two files.
        assert_eq!(files.len(), 6, "{names:?}");
        assert_eq!(names[0], "stockport-spend-2021-22-part1.xlsx");
        assert_eq!(names[1], "stockport-spend-2021-22-part2.xlsx");
        assert!(files.iter().all(|f| f.rows <= 500));
        assert_eq!(files.iter().map(|f| f.rows).sum::<u64>(), world.spend_rows[STOCKPORT]);
        for file in &files {
            use calamine::Reader;
            let mut workbook = calamine::open_workbook_auto(&file.path).unwrap();
            let sheet = workbook.worksheet_range_at(0).unwrap().unwrap();
            assert_eq!(sheet.height() as u64, file.rows + 1, "{}", file.path.display());
        }
    }

    #[test]
    fn contracts_header_has_one_field_per_record_field() {
        let world = World::build(11, 5_000).unwrap();
        let contract = world.contracts.first().unwrap();
        assert_eq!(contract_record(&world, contract).len(), CONTRACTS_HEADER.len());
    }
}
