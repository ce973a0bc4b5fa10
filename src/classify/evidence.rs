//! The classifier's input row, apart from the tiers so that every tier's file can name it
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
}
