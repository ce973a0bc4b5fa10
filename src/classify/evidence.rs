//! The classifier's input rows (a payment, a contract, a classified payment as the
//! contract tiers read it), apart from the tiers so that every tier's file can name them
//! without importing the module that runs them.

/// What the classifier knows about one payment. Every text field is as published; absent
/// or placeholder values are `None`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Evidence<'a> {
    /// The council's name.
    pub council: &'a str,
    /// The supplier key (`suppliers::supplier_key`, after aliases); empty when redacted or
    /// unknown, which turns the supplier tier off for the row.
    pub supplier_key: &'a str,
    /// The payee's name as published, to recognise public bodies.
    pub supplier_name: Option<&'a str>,
    /// The amount in pence; credits are evidence too, weighed by their size.
    pub pence: i128,
    /// The category the council published (its own or a ProClass label).
    pub published_category: Option<&'a str>,
    /// The category code the council published.
    pub published_code: Option<&'a str>,
    /// The expense type (ledger description).
    pub expense_type: Option<&'a str>,
    /// The payment's purpose, free text.
    pub purpose: Option<&'a str>,
    /// The department or service area.
    pub department: Option<&'a str>,
    /// The account code, when published.
    pub account_code: Option<&'a str>,
    /// The ProClass code the council's contracts register gives the contract the payment is
    /// linked to (`spend.contract_id`), as published there.
    pub contract_code: Option<&'a str>,
    /// That contract's category label, as published in the register.
    pub contract_category: Option<&'a str>,
}

/// [`Evidence`] with owned text, for callers that collect a dataset's rows before classifying
/// them (the ingest pass, the measurement example): one record type rather than one each.
#[derive(Debug, Clone, Default)]
pub struct EvidenceRecord {
    /// The council's name.
    pub council: String,
    /// The supplier key; empty when redacted or unknown.
    pub supplier_key: String,
    /// The payee's name as published.
    pub supplier_name: Option<String>,
    /// The amount in pence.
    pub pence: i128,
    /// The category the council published.
    pub published_category: Option<String>,
    /// The category code the council published.
    pub published_code: Option<String>,
    /// The expense type.
    pub expense_type: Option<String>,
    /// The payment's purpose.
    pub purpose: Option<String>,
    /// The department or service area.
    pub department: Option<String>,
    /// The linked contract's ProClass code, as the register published it.
    pub contract_code: Option<String>,
    /// The linked contract's category label, as the register published it.
    pub contract_category: Option<String>,
}

impl EvidenceRecord {
    /// The record as the classifier reads it.
    pub fn evidence(&self) -> Evidence<'_> {
        Evidence {
            council: &self.council,
            supplier_key: &self.supplier_key,
            supplier_name: self.supplier_name.as_deref(),
            pence: self.pence,
            published_category: self.published_category.as_deref(),
            published_code: self.published_code.as_deref(),
            expense_type: self.expense_type.as_deref(),
            purpose: self.purpose.as_deref(),
            department: self.department.as_deref(),
            account_code: None,
            contract_code: self.contract_code.as_deref(),
            contract_category: self.contract_category.as_deref(),
        }
    }
}

/// What the classifier knows about one contract. Every text field is as published; absent
/// or placeholder values are `None`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContractEvidence<'a> {
    /// The council's name.
    pub council: &'a str,
    /// The contract's key, as `spend.contract_id` links to it.
    pub contract_id: Option<&'a str>,
    /// The supplier key (after aliases); empty when unknown.
    pub supplier_key: &'a str,
    /// The category the register published.
    pub published_category: Option<&'a str>,
    /// The category code the register published.
    pub published_code: Option<&'a str>,
    /// The department or directorate.
    pub department: Option<&'a str>,
    /// The contract title.
    pub title: Option<&'a str>,
    /// What the contract is for.
    pub description: Option<&'a str>,
}

/// A payment as the contract tiers read it: what it is linked to and how it was classified.
#[derive(Debug, Clone, Copy)]
pub struct ClassifiedPayment<'a> {
    /// The contract covering it, if any.
    pub contract_id: Option<&'a str>,
    /// The supplier key; empty when redacted or unknown.
    pub supplier_key: &'a str,
    /// The amount in pence.
    pub pence: i128,
    /// Its harmonised category, none when unclassified.
    pub category: Option<crate::taxonomy::Category>,
}
