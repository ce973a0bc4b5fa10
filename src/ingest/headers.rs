//! Which source column feeds which harmonised field, found from the header alone: a synonym
//! table per field, matched on normalised names (case, spaces, punctuation and byte-order
//! marks ignored) and, failing that, by edit distance so misspelt headers
//! (`Expenditure Catergory`) still map. A `--profile` can override any choice. Spend files
//! map onto [`Target`]s, contracts registers onto `contracts::ContractField`s; detection is
//! the same for both, through the [`Field`] trait.

use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;

/// A set of harmonised fields that header columns can be mapped onto.
pub trait Field: Copy + Eq + Hash + Ord + fmt::Display + 'static {
    /// Every field; when two claims on a column score the same, the earlier field wins.
    const FIELDS: &'static [Self];
    /// The harmonised column name; profiles use the same names.
    fn field_name(self) -> &'static str;
    /// Header names meaning this field, best first, already [`normalise`]d.
    fn header_synonyms(self) -> &'static [&'static str];

    /// Whether the field is a classification councils publish at several levels (ProClass
    /// level 1 and level 2, `Category Level 1` / `Category Level 2`, or the same header
    /// twice): then the finest level published feeds the field and the coarser ones are
    /// kept in `extras`, because the finer level says more and implies the coarser one.
    fn is_classification(self) -> bool {
        false
    }

    fn from_field_name(name: &str) -> Option<Self> {
        Self::FIELDS.iter().copied().find(|f| f.field_name() == name)
    }
}

impl Field for Target {
    const FIELDS: &'static [Target] = &Target::ALL;

    fn field_name(self) -> &'static str {
        self.name()
    }

    fn header_synonyms(self) -> &'static [&'static str] {
        self.synonyms()
    }

    fn is_classification(self) -> bool {
        matches!(self, Target::Category | Target::CategoryCode)
    }
}

/// A harmonised field a source column can feed. `CardFlag` is not a column: it sets
/// `is_card` for rows a file marks as card transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    TransactionId,
    PaymentDate,
    Amount,
    IrrecoverableVat,
    SupplierName,
    SupplierId,
    CompanyNumber,
    CharityNumber,
    VatNumber,
    Department,
    ExpenseType,
    Category,
    CategoryCode,
    Purpose,
    CardFlag,
}

impl Target {
    pub const ALL: [Target; 15] = [
        Target::TransactionId,
        Target::PaymentDate,
        Target::Amount,
        Target::IrrecoverableVat,
        Target::SupplierName,
        Target::SupplierId,
        Target::CompanyNumber,
        Target::CharityNumber,
        Target::VatNumber,
        Target::Department,
        Target::ExpenseType,
        Target::Category,
        Target::CategoryCode,
        Target::Purpose,
        Target::CardFlag,
    ];

    /// The harmonised column name (see `schema::spend`; the published category's two are
    /// stored with a `published_` prefix); the profile uses the same names.
    pub fn name(self) -> &'static str {
        use crate::schema::spend;
        match self {
            Target::TransactionId => spend::TRANSACTION_ID,
            Target::PaymentDate => spend::PAYMENT_DATE,
            Target::Amount => spend::AMOUNT,
            Target::IrrecoverableVat => spend::IRRECOVERABLE_VAT,
            Target::SupplierName => spend::SUPPLIER_NAME,
            Target::SupplierId => spend::SUPPLIER_ID,
            Target::CompanyNumber => spend::COMPANY_NUMBER,
            Target::CharityNumber => spend::CHARITY_NUMBER,
            Target::VatNumber => spend::VAT_NUMBER,
            Target::Department => spend::DEPARTMENT,
            Target::ExpenseType => spend::EXPENSE_TYPE,
            // Stored as `published_category(_code)` (the harmonised `category` is derived);
            // profiles and mapping reports keep the short names they always had.
            Target::Category => "category",
            Target::CategoryCode => "category_code",
            Target::Purpose => spend::PURPOSE,
            Target::CardFlag => spend::IS_CARD,
        }
    }

    /// Header names meaning this field, best first, already normalised. Salford's
    /// `Gross,VAT,Net` maps `Net` to the amount; gross is never taken for it.
    // A data table: one match arm of header synonyms per field, not logic to split up.
    #[allow(clippy::too_many_lines)]
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Target::TransactionId => &[
                "transactionnumber",
                "transactionid",
                "transactionno",
                "transactionref",
                "transactionreference",
                "documentno",
                "documentnumber",
                "docno",
                "documentid",
                "paymentreference",
                "paymentref",
                "paymentnumber",
                "paymentid",
                "reference",
                "ref",
                "journalnumber",
            ],
            Target::PaymentDate => &[
                "paymentdate",
                "invoicepaymentdate",
                "dateofpayment",
                "datepaid",
                "paiddate",
                "transactiondate",
                "date",
                "postingdate",
                "paymentdateddmmyyyy",
            ],
            Target::Amount => &[
                "amount",
                "netamount",
                "net",
                "netvalue",
                "amountexcludingvat",
                "amountexclvat",
                "amountexvat",
                "netamountexcludingvat",
                "transactionamount",
                "paymentamount",
                "amountpaid",
                "lineamount",
                "value",
                "amountgbp",
                "total",
            ],
            Target::IrrecoverableVat => &["irrecoverablevatamount", "irrecoverablevat", "irrecoverablevatamountgbp"],
            Target::SupplierName => &[
                "suppliername",
                "supplier",
                "beneficiaryname",
                "beneficiary",
                "vendorname",
                "vendor",
                "payeename",
                "payee",
                "merchantname",
                "merchant",
                "creditorname",
                "creditor",
                "suppliersname",
            ],
            Target::SupplierId => &[
                "supplierid",
                "beneficiaryotherid",
                "beneficiaryid",
                "suppliernumber",
                "suppliercode",
                "supplierref",
                "vendorid",
                "vendornumber",
                "vendorcode",
                "creditornumber",
                "creditorid",
            ],
            Target::CompanyNumber => &[
                "companynumber",
                "companyregistrationnumber",
                "registeredcompanynumber",
                "beneficiaryregisteredcompanynumber",
                "companieshousenumber",
                "companyno",
                "companyregno",
                "suppliercompanynumber",
                "companyregistration",
                "companyregnumber",
                "companyregistrationno",
                "registeredcompanyno",
                "companieshouseno",
                "companieshouseregistrationnumber",
            ],
            Target::CharityNumber => CHARITY_NUMBER_SYNONYMS,
            Target::VatNumber => &[
                "vatregistrationnumber",
                "vatnumber",
                "vatregno",
                "vatregnumber",
                "suppliervatnumber",
                "vatregistrationno",
            ],
            Target::Department => &[
                "organisationalunit",
                "department",
                "servicearea",
                "directorate",
                "service",
                "servicedivision",
                "serviceunit",
                "departmentname",
                "directoratename",
                "costcentredescription",
                "costcentrename",
                "businessunit",
            ],
            Target::ExpenseType => &[
                "expensetype",
                "expensestype",
                "expendituretype",
                "gldescription",
                "accountdescription",
                "expensedescription",
                "subjectivedescription",
                "expenditurecode",
                "expensearea",
                "accountname",
            ],
            // A card network's merchant category (MCC) classifies the merchant's trade, which
            // is what a card purchase buys: the card file's counterpart of a payment's
            // procurement category, not an account code (`expense_type`). Trafford's card
            // file publishes it beside `MerchantCategoryCode`, which is the category code.
            Target::Category => &[
                "proclasslabel",
                "proclassdescription",
                "expenditurecategory",
                "category",
                "procurementcategory",
                "procurementclassification",
                "classification",
                "classificationdescription",
                "categoryinternalname",
                "merchantcategory",
                "merchantcategorydescription",
                "merchantcategoryname",
                "servicecategorylabel",
                "mcccategory",
                "mccdescription",
            ],
            Target::CategoryCode => &[
                "proclasscode",
                "proclass",
                "categorycode",
                "merchantcategorycode",
                "mcc",
                "mcccode",
                "expenditurecategorycode",
                "servicecategorycode",
                "classcode",
                "classificationcode",
                "procurementclassificationcode",
            ],
            Target::Purpose => &[
                "purpose",
                "purposeofspend",
                "description",
                "narrative",
                "transactiondescription",
                "paymentdescription",
                "details",
                "itemdescription",
                "linedescription",
            ],
            Target::CardFlag => &["cardtransaction", "cardpayment", "paymentmethod", "paymenttype", "transactiontype"],
        }
    }
}

/// Header names of a charity registration number, for spend files and registers alike.
pub const CHARITY_NUMBER_SYNONYMS: &[&str] = &[
    "charitynumber",
    "registeredcharitynumber",
    "charityregistrationnumber",
    "charityregistration",
    "charityno",
    "registeredcharityno",
    "charityregno",
    "charityregnumber",
    "charityregistrationno",
    "charitycommissionnumber",
    "suppliercharitynumber",
    "beneficiarycharitynumber",
];

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A header name reduced to lower-case letters and digits, with a byte-order mark (real or
/// mis-encoded as `ï»¿`) removed, so `Supplier Name`, `SUPPLIER_NAME` and `supplier-name`
/// compare equal.
pub fn normalise(header: &str) -> String {
    let header = strip_byte_order_marks(header);
    header.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// A header without any leading byte-order mark: a real one (`U+FEFF`), one mis-encoded once
/// (its UTF-8 bytes read as Windows-1252 and saved as UTF-8 again: `ï»¿`, the bytes
/// `C3 AF C2 BB C2 BF`, as Salford's contracts register starts), the same mis-encoded one in a
/// file read as Windows-1252 (`Ã¯Â»Â¿`), or a replacement character where a mark was lost.
fn strip_byte_order_marks(header: &str) -> &str {
    let mut header = header;
    loop {
        let next = ["\u{feff}", "ï»¿", "Ã¯Â»Â¿", "\u{fffd}"].iter().find_map(|mark| header.strip_prefix(mark));
        match next {
            Some(rest) => header = rest,
            None => return header,
        }
    }
}

/// How far a normalised header may be from a synonym and still count as a misspelling:
/// short names must match exactly, or `net` would match `vat`.
fn allowed_distance(len: usize) -> usize {
    match len {
        0..=5 => 0,
        6..=9 => 1,
        _ => 2,
    }
}

/// The chosen source column (index into the header) for each field, and the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping<F: Field = Target> {
    pub headers: Vec<String>,
    pub columns: HashMap<F, usize>,
    /// Columns no field took, kept in `extras`: (index, header name).
    pub extras: Vec<(usize, String)>,
    /// Fields that were mapped by a misspelling, for the report: (field, header).
    pub fuzzy: Vec<(F, String)>,
}

impl<F: Field> Mapping<F> {
    pub fn column(&self, field: F) -> Option<usize> {
        self.columns.get(&field).copied()
    }

    /// `(harmonised field, source header)` pairs in schema order, for the manifest.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut pairs: Vec<_> = self.columns.iter().map(|(t, &i)| (*t, i)).collect();
        pairs.sort();
        pairs.into_iter().map(|(t, i)| (t.field_name().to_string(), self.headers[i].clone())).collect()
    }
}

impl Mapping<Target> {
    /// Whether both columns a spend row cannot do without were found.
    pub fn is_loadable(&self) -> bool {
        self.columns.contains_key(&Target::Amount) && self.columns.contains_key(&Target::PaymentDate)
    }
}

/// Map a spend file's header row. `overrides` (from a profile) name a source header per
/// field; an empty name leaves the field unmapped.
pub fn detect(headers: &[String], overrides: &HashMap<Target, String>) -> Result<Mapping, String> {
    detect_fields(headers, overrides)
}

/// Map a header row onto any set of fields (see [`detect`]).
pub fn detect_fields<F: Field>(headers: &[String], overrides: &HashMap<F, String>) -> Result<Mapping<F>, String> {
    let normalised: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
    let names = display_names(headers, &normalised);
    let levels = classification_levels(&normalised);
    let mut columns: HashMap<F, usize> = HashMap::new();
    let mut taken = vec![false; headers.len()];
    for (&target, wanted) in overrides {
        if wanted.trim().is_empty() {
            continue;
        }
        // A repeated header is named by its position (`Class Code (2)`); its bare name
        // means the first.
        let key = normalise(wanted);
        let Some(index) =
            names.iter().position(|n| normalise(n) == key).or_else(|| normalised.iter().position(|n| *n == key))
        else {
            return Err(format!("the profile maps {target} to column '{wanted}', which is not in the header"));
        };
        columns.insert(target, index);
        taken[index] = true;
    }

    // Every plausible (field, column) pair with a score; the best pairs are taken first so a
    // column exactly named for one field is never lost to a weaker claim from another. Among
    // equal claims the first column wins, except that a classification takes its finest level.
    let mut candidates: Vec<Candidate<F>> = Vec::new();
    for &target in F::FIELDS {
        if overrides.contains_key(&target) {
            continue;
        }
        for (index, full_name) in normalised.iter().enumerate() {
            let (name, coarseness) = match (&levels[index], target.is_classification()) {
                (Some((base, level)), true) => (base, u32::MAX - level),
                // A later column of the same name means the same as the first, which any
                // other field takes: it is kept in `extras`, never read as a near-miss of
                // another field's name.
                _ if normalised[..index].contains(full_name) => continue,
                _ => (full_name, 0),
            };
            if name.is_empty() {
                continue;
            }
            for (rank, synonym) in target.header_synonyms().iter().enumerate() {
                if name == synonym {
                    candidates.push(((0, rank), target, coarseness, index, false));
                } else {
                    let allowed = allowed_distance(synonym.len());
                    if allowed > 0 && name.len().abs_diff(synonym.len()) <= allowed {
                        let distance = strsim::damerau_levenshtein(name, synonym);
                        if distance <= allowed {
                            candidates.push(((distance, rank), target, coarseness, index, true));
                        }
                    }
                }
            }
        }
    }
    candidates.sort_by_key(|(score, target, coarseness, index, _)| (*score, *target, *coarseness, *index));
    let mut fuzzy = Vec::new();
    for (_, target, _, index, is_fuzzy) in candidates {
        if taken[index] || columns.contains_key(&target) {
            continue;
        }
        columns.insert(target, index);
        taken[index] = true;
        if is_fuzzy {
            fuzzy.push((target, names[index].clone()));
        }
    }
    let extras = names.iter().enumerate().filter(|(i, _)| !taken[*i]).map(|(i, h)| (i, h.clone())).collect();
    fuzzy.sort();
    Ok(Mapping { headers: names, columns, extras, fuzzy })
}

/// A claim of a field on a column: (edit distance, synonym rank), the field, how coarse a
/// classification level the column is (0 for other fields), the column, and whether the
/// claim is a misspelling.
type Candidate<F> = ((usize, usize), F, u32, usize, bool);

/// Each column's name as shown and as its `extras` key: the [`clean_header`], `column N` for
/// an empty one, and for a name the header repeats, its occurrence (`Class Code (1)`, `Class
/// Code (2)`), so two columns never share a key and neither is lost.
fn display_names(headers: &[String], normalised: &[String]) -> Vec<String> {
    let mut seen: HashMap<&str, u32> = HashMap::new();
    headers
        .iter()
        .zip(normalised)
        .enumerate()
        .map(|(i, (header, key))| {
            let name = clean_header(header);
            if name.is_empty() {
                return format!("column {}", i + 1);
            }
            let repeats = normalised.iter().filter(|n| *n == key).count();
            if repeats < 2 || key.is_empty() {
                return name;
            }
            let occurrence = seen.entry(key.as_str()).or_insert(0);
            *occurrence += 1;
            format!("{name} ({occurrence})")
        })
        .collect()
}

/// For each column, the name it has at classification level `n` and `n`, when it is one
/// level of a classification: a repeated name is level 1 at its first occurrence, 2 at its
/// second (councils publish level 1 then level 2); otherwise a level in the name
/// ([`split_level`]).
fn classification_levels(normalised: &[String]) -> Vec<Option<(String, u32)>> {
    let mut seen: HashMap<&str, u32> = HashMap::new();
    normalised
        .iter()
        .map(|name| {
            if let Some(split) = split_level(name) {
                return Some(split);
            }
            if name.is_empty() || normalised.iter().filter(|n| *n == name).count() < 2 {
                return None;
            }
            let occurrence = seen.entry(name.as_str()).or_insert(0);
            *occurrence += 1;
            Some((name.clone(), *occurrence))
        })
        .collect()
}

/// A normalised header without its level (`categorylevel2code` → `categorycode`, 2;
/// `proclasslvl1`, `tier2category`, `categoryl2`), when it names one.
fn split_level(name: &str) -> Option<(String, u32)> {
    for word in ["level", "lvl", "tier"] {
        let Some(at) = name.find(word) else { continue };
        let after = &name[at + word.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 2 {
            continue;
        }
        let base = format!("{}{}", &name[..at], &after[digits..]);
        return (!base.is_empty()).then(|| (base, after[..digits].parse().unwrap_or(0)));
    }
    // A bare `L2` at either end: `CategoryL2`, `L1 Category`.
    let bytes = name.as_bytes();
    let n = bytes.len();
    if n > 3 && bytes[n - 2] == b'l' && bytes[n - 1].is_ascii_digit() && !bytes[n - 3].is_ascii_digit() {
        return Some((name[..n - 2].to_string(), u32::from(bytes[n - 1] - b'0')));
    }
    if n > 3 && bytes[0] == b'l' && bytes[1].is_ascii_digit() && !bytes[2].is_ascii_digit() {
        return Some((name[2..].to_string(), u32::from(bytes[1] - b'0')));
    }
    None
}

/// What is wrong with a set of fields' synonym tables that header detection cannot notice
/// for itself: a synonym not already [`normalise`]d never equals a normalised header (at
/// best it matches as a misspelling), and one listed under two fields leaves the column's
/// field to tie-breaking. Empty when the tables are sound.
#[cfg(test)]
pub fn synonym_problems<F: Field>() -> Vec<String> {
    let mut problems = Vec::new();
    let mut owner: HashMap<&str, F> = HashMap::new();
    for &field in F::FIELDS {
        for &synonym in field.header_synonyms() {
            let normalised = normalise(synonym);
            if synonym.is_empty() || normalised != synonym {
                problems.push(format!("{field}: synonym '{synonym}' is not normalised ('{normalised}')"));
            }
            match owner.insert(synonym, field) {
                Some(other) if other != field => {
                    problems.push(format!("synonym '{synonym}' belongs to both {other} and {field}"));
                }
                Some(_) => problems.push(format!("{field}: synonym '{synonym}' is listed twice")),
                None => {}
            }
        }
    }
    problems
}

/// A header as shown to people and stored in `extras`: trimmed, without a byte-order mark.
pub fn clean_header(header: &str) -> String {
    strip_byte_order_marks(header).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(line: &str) -> Vec<String> {
        line.split(',').map(String::from).collect()
    }

    fn mapped(line: &str) -> HashMap<&'static str, String> {
        let m = detect(&headers(line), &HashMap::new()).unwrap();
        m.columns.iter().map(|(t, &i)| (t.name(), m.headers[i].clone())).collect()
    }

    #[test]
    fn trafford_layout() {
        let m = mapped(
            "OrganisationLabel,OrganisationURI,EffectiveDate,OrganisationalUnit,BeneficiaryName,BeneficiaryOtherID,PaymentDate,TransactionNumber,Amount,IrrecoverableVATAmount,Purpose,ProclassLabel,ProclassCode,InvoiceNumber,ProfitCentre,VATRegistrationNumber",
        );
        assert_eq!(m["supplier_name"], "BeneficiaryName");
        assert_eq!(m["supplier_id"], "BeneficiaryOtherID");
        assert_eq!(m["payment_date"], "PaymentDate");
        assert_eq!(m["transaction_id"], "TransactionNumber");
        assert_eq!(m["amount"], "Amount");
        assert_eq!(m["irrecoverable_vat"], "IrrecoverableVATAmount");
        assert_eq!(m["department"], "OrganisationalUnit");
        assert_eq!(m["category"], "ProclassLabel");
        assert_eq!(m["category_code"], "ProclassCode");
        assert_eq!(m["vat_number"], "VATRegistrationNumber");
        assert_eq!(m["purpose"], "Purpose");
        assert!(!m.values().any(|h| h == "EffectiveDate" || h == "InvoiceNumber"));
    }

    #[test]
    fn manchester_and_salford_layouts() {
        let m = mapped(
            "Body Name,Service Area,Expenses Type,Invoice Payment Date,Transaction Number,Net Amount,Supplier Name",
        );
        assert_eq!(m["supplier_name"], "Supplier Name");
        assert_eq!(m["amount"], "Net Amount");
        assert_eq!(m["payment_date"], "Invoice Payment Date");
        assert_eq!(m["department"], "Service Area");
        assert_eq!(m["expense_type"], "Expenses Type");

        let m =
            mapped("Authority Name,Date of Payment,DocumentNo,Gross,VAT,Net,Vendor Name,Service Area,GL Description");
        assert_eq!(m["amount"], "Net", "net, not gross, is the amount");
        assert_eq!(m["supplier_name"], "Vendor Name");
        assert_eq!(m["transaction_id"], "DocumentNo");
        assert_eq!(m["payment_date"], "Date of Payment");
        assert_eq!(m["expense_type"], "GL Description");
        assert!(!m.contains_key("irrecoverable_vat"), "VAT is not irrecoverable VAT");
        let m = mapped(
            "Authority Name,Date of Payment,Document Number,Gross,VAT,Net,Vendor Name,Service Area,GL Description",
        );
        assert_eq!(m["transaction_id"], "Document Number");
    }

    #[test]
    fn trafford_card_layout() {
        let m = mapped(
            "OrganisationLabel,OrganisationURI,EffectiveDate,OrganisationalUnit,BeneficiaryName,PaymentDate,Amount,IrrecoverableVATAmount,Purpose,CategoryInternalName,MerchantCategoryCode,CardTransaction",
        );
        assert_eq!(m["category"], "CategoryInternalName");
        assert_eq!(m["category_code"], "MerchantCategoryCode");
        assert_eq!(m["is_card"], "CardTransaction");
    }

    #[test]
    fn case_spacing_punctuation_and_byte_order_marks_are_ignored() {
        let m = mapped("\u{feff}SUPPLIER_NAME, payment-date ,AMOUNT (£)");
        assert_eq!(m["supplier_name"], "SUPPLIER_NAME");
        assert_eq!(m["payment_date"], "payment-date");
        assert_eq!(m["amount"], "AMOUNT (£)");
        let m = mapped("ï»¿Amount,Date");
        assert_eq!(m["amount"], "Amount", "mis-encoded BOM is stripped from the stored header");
        assert_eq!(normalise("ï»¿Directorate Name"), "directoratename");
    }

    #[test]
    fn misspelt_headers_map_by_edit_distance() {
        let m = detect(
            &headers("Organisatonal Unit,Expenditure Catergory,Paymnet Date,Amount,Supplier Nmae"),
            &HashMap::new(),
        )
        .unwrap();
        let named = |t| m.headers[m.column(t).unwrap()].clone();
        assert_eq!(named(Target::Department), "Organisatonal Unit");
        assert_eq!(named(Target::Category), "Expenditure Catergory");
        assert_eq!(named(Target::PaymentDate), "Paymnet Date");
        assert_eq!(named(Target::SupplierName), "Supplier Nmae");
        assert_eq!(m.fuzzy.len(), 4);
    }

    #[test]
    fn short_headers_need_an_exact_match() {
        let m = detect(&headers("Vat,Date,Gross"), &HashMap::new()).unwrap();
        assert_eq!(m.column(Target::Amount), None, "neither VAT nor Gross is the amount");
        assert!(!m.is_loadable());
        assert_eq!(m.extras.iter().map(|(_, h)| h.as_str()).collect::<Vec<_>>(), ["Vat", "Gross"]);
    }

    #[test]
    fn profile_overrides_win_and_can_unmap() {
        let mut overrides = HashMap::new();
        overrides.insert(Target::Amount, "gross".to_string());
        overrides.insert(Target::Department, String::new());
        let m = detect(&headers("Date,Gross,VAT,Net,Service Area"), &overrides).unwrap();
        assert_eq!(m.column(Target::Amount), Some(1));
        assert_eq!(m.column(Target::Department), None);
        assert!(m.extras.iter().any(|(_, h)| h == "Net"));
        let mut bad = HashMap::new();
        bad.insert(Target::Amount, "Total Paid".to_string());
        assert!(detect(&headers("Date,Net"), &bad).unwrap_err().contains("Total Paid"));
    }

    #[test]
    fn issue_10_a_classification_published_twice_feeds_the_category_from_its_second_level() {
        let m = detect(
            &headers(
                "Payment Date,Amount,Supplier Name,Procurement Classification,Class Code,Procurement Classification,Class Code",
            ),
            &HashMap::new(),
        )
        .unwrap();
        let named = |t| m.column(t).map(|c| m.headers[c].clone());
        assert_eq!(named(Target::Category).as_deref(), Some("Procurement Classification (2)"));
        assert_eq!(named(Target::CategoryCode).as_deref(), Some("Class Code (2)"));
        assert_eq!(m.column(Target::Category), Some(5), "the second occurrence, by position");
        assert_eq!(
            m.extras,
            [(3, "Procurement Classification (1)".to_string()), (4, "Class Code (1)".to_string())],
            "the coarser level is kept, under a name of its own"
        );
    }

    #[test]
    fn issue_10_named_levels_give_the_finest_one_whatever_the_column_order() {
        let m = mapped("Category Level 2,Payment Date,Category Level 1,Amount,Level 1 Code,Category Level 2 Code");
        assert_eq!(m["category"], "Category Level 2");
        assert_eq!(m["category_code"], "Category Level 2 Code");
        let m = mapped("Date,Net,ProClass L1,ProClass L2,ProClass Label Lvl 1,ProClass Label Lvl 2");
        assert_eq!(m["category_code"], "ProClass L2");
        assert_eq!(m["category"], "ProClass Label Lvl 2");
        assert_eq!(split_level("categorylevel2code"), Some(("categorycode".to_string(), 2)));
        assert_eq!(split_level("tier1category"), Some(("category".to_string(), 1)));
        assert_eq!(split_level("servicelevel"), None, "a level needs its number");
        assert_eq!(split_level("category"), None);
    }

    #[test]
    fn issue_10_other_repeated_headers_keep_the_first_and_store_the_second_apart() {
        let m = detect(&headers("Date,Amount,Description,Description,,"), &HashMap::new()).unwrap();
        assert_eq!(m.headers[m.column(Target::Purpose).unwrap()], "Description (1)");
        let extras: Vec<&str> = m.extras.iter().map(|(_, h)| h.as_str()).collect();
        assert_eq!(extras, ["Description (2)", "column 5", "column 6"], "every extras key is distinct");
        // A profile names a repeated column by its position, or means the first by its name.
        let mut overrides = HashMap::new();
        overrides.insert(Target::Purpose, "Description (2)".to_string());
        let m = detect(&headers("Date,Amount,Description,Description"), &overrides).unwrap();
        assert_eq!(m.column(Target::Purpose), Some(3));
        overrides.insert(Target::Purpose, "description".to_string());
        let m = detect(&headers("Date,Amount,Description,Description"), &overrides).unwrap();
        assert_eq!(m.column(Target::Purpose), Some(2));
    }

    #[test]
    fn issue_10_registration_numbers_and_merchant_categories_are_recognised() {
        for header in ["Company Registration", "Registered Company Number", "Company Reg No", "Company Reg. Number"] {
            assert_eq!(mapped(&format!("Date,Amount,{header}"))["company_number"], header, "{header}");
        }
        for header in ["Charity Registration", "Registered Charity Number", "Charity Number", "Charity No."] {
            assert_eq!(mapped(&format!("Date,Amount,{header}"))["charity_number"], header, "{header}");
        }
        let both = mapped("Date,Amount,Company Registration,Charity Registration");
        assert_eq!(
            (both["company_number"].as_str(), both["charity_number"].as_str()),
            ("Company Registration", "Charity Registration")
        );
        let card = mapped("Transaction Date,Amount,Merchant Name,Merchant Category,Merchant Category Code");
        assert_eq!(card["supplier_name"], "Merchant Name");
        assert_eq!(card["category"], "Merchant Category");
        assert_eq!(card["category_code"], "Merchant Category Code");
    }

    #[test]
    fn issue_9_every_spend_synonym_is_normalised_and_names_one_field() {
        let problems = synonym_problems::<Target>();
        assert!(problems.is_empty(), "{problems:#?}");
        // The guard looks at every field's list, not just the first.
        let checked: usize = Target::ALL.iter().map(|t| t.synonyms().len()).sum();
        assert!(checked > Target::ALL.len(), "{checked}");
    }

    /// A deliberately broken synonym table, to show the guard catches what it claims.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    enum Toy {
        Name,
        Code,
    }

    impl fmt::Display for Toy {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.field_name())
        }
    }

    impl Field for Toy {
        const FIELDS: &'static [Toy] = &[Toy::Name, Toy::Code];

        fn field_name(self) -> &'static str {
            match self {
                Toy::Name => "name",
                Toy::Code => "code",
            }
        }

        fn header_synonyms(self) -> &'static [&'static str] {
            match self {
                Toy::Name => &["Supplier Name", "ref", "name"],
                Toy::Code => &["ref", "code", "code"],
            }
        }
    }

    #[test]
    fn the_synonym_guard_reports_unnormalised_and_shared_synonyms() {
        assert_eq!(
            synonym_problems::<Toy>(),
            [
                "name: synonym 'Supplier Name' is not normalised ('suppliername')",
                "synonym 'ref' belongs to both name and code",
                "code: synonym 'code' is listed twice",
            ]
        );
    }
}
