//! Cell values as councils write them → typed values: amounts straight to integer pence
//! (never through a float, so totals reconcile to the penny) and dates to days since the
//! Unix epoch (Arrow `Date32`). Works on bytes so the hot loop allocates nothing.

use std::fmt;

pub use crate::money::{AmountError, MAX_PENCE, format_pence, parse_amount, trim};

/// A float from a spreadsheet cell, rounded to the nearest penny (half away from zero).
pub fn float_to_pence(value: f64) -> Option<i128> {
    let pence = (value * 100.0).round();
    (pence.is_finite() && pence.abs() <= MAX_PENCE as f64).then_some(pence as i128)
}

/// An identifier cell with its spacing and punctuation gone, upper-cased: how the three
/// registers' numbers are compared (`sc 012 345` and `SC012345` are one number).
fn compact_identifier(text: &str) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

/// Whether an identifier cell is only zeros (`0`, `00000000`): finance systems' "none".
pub fn is_zero_identifier(text: &str) -> bool {
    let compact = compact_identifier(text);
    !compact.is_empty() && compact.bytes().all(|b| b == b'0')
}

/// A Companies House number in its registered form, or `None` when the text is not shaped
/// like one. Eight characters: up to eight digits padded with zeros (`123456` →
/// `00123456`), or a two-letter register prefix and up to six digits (`SC12345` →
/// `SC012345`, `OC301234`, `NI012345`), or an old-style `IP`/`RS` society number ending in a
/// letter (`IP28574R`). The padded form is the one `suppliers::normalise_company_number`
/// keeps unchanged, so spend, contracts and the supplier identity agree.
pub fn company_number(text: &str) -> Option<String> {
    let compact = compact_identifier(text);
    let bytes = compact.as_bytes();
    if compact.is_empty() || bytes.iter().all(|&b| b == b'0') {
        return None;
    }
    if bytes.iter().all(u8::is_ascii_digit) {
        return (bytes.len() <= 8).then(|| format!("{compact:0>8}"));
    }
    // A registered society's number as the FCA's mutuals register writes it (`20014R`),
    // which Salford's register uses for housing associations.
    if let Some(digits) = compact.strip_suffix('R')
        && (4..=6).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        return Some(compact);
    }
    let (prefix, rest) = compact.split_at_checked(2)?;
    if !prefix.bytes().all(|b| b.is_ascii_alphabetic()) || rest.is_empty() {
        return None;
    }
    if rest.bytes().all(|b| b.is_ascii_digit()) && rest.len() <= 6 && !rest.bytes().all(|b| b == b'0') {
        return Some(format!("{prefix}{rest:0>6}"));
    }
    let (digits, letter) = rest.split_at(rest.len() - 1);
    let society = digits.len() == 5 && digits.bytes().all(|b| b.is_ascii_digit()) && letter == "R";
    society.then_some(compact)
}

/// A charity registration number in one spelling, or `None` when the text is not shaped
/// like one: the Charity Commission's number (5 to 8 digits, leading zeros dropped) with
/// `-N` for a subsidiary or linked charity (`1234567-1`, published as `1234567-01` or
/// `1234567/1` too), or a Scottish (`SC012345`) or Northern Irish (`NIC100002`) one. A
/// `CHC` prefix, as some matched data sets write, is dropped.
pub fn charity_number(text: &str) -> Option<String> {
    let upper = text.trim().to_ascii_uppercase();
    let upper = upper.strip_prefix("CHC").map_or(upper.as_str(), |rest| rest.trim_start_matches([' ', '-', ':']));
    let compact: String = upper.chars().filter(|c| !matches!(c, ' ' | '.')).collect();
    for (prefix, len) in [("SC", 6), ("NIC", 6)] {
        if let Some(digits) = compact.strip_prefix(prefix) {
            let ok = digits.len() == len && digits.bytes().all(|b| b.is_ascii_digit());
            return ok.then(|| compact.clone());
        }
    }
    let (main, subsidiary) = match compact.split_once(['-', '/']) {
        Some((main, sub)) => (main, Some(sub)),
        None => (compact.as_str(), None),
    };
    let digits_only = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits_only(main) || !(5..=8).contains(&main.len()) {
        return None;
    }
    let main = main.trim_start_matches('0');
    if main.len() < 5 {
        return None;
    }
    match subsidiary {
        None => Some(main.to_string()),
        Some(sub) if digits_only(sub) && sub.len() <= 2 => {
            let sub: u8 = sub.parse().ok()?;
            Some(format!("{main}-{sub}"))
        }
        Some(_) => None,
    }
}

/// A UK VAT registration number in one spelling, or `None` when the text is not shaped like
/// one: nine digits (twelve for a branch), without the `GB` (or Northern Ireland `XI`)
/// prefix; government departments' `GD` and health authorities' `HA` numbers (three digits)
/// keep their prefix.
pub fn vat_number(text: &str) -> Option<String> {
    let compact = compact_identifier(text);
    let digits = compact.strip_prefix("GB").or_else(|| compact.strip_prefix("XI")).unwrap_or(&compact);
    let all_digits = digits.bytes().all(|b| b.is_ascii_digit());
    if let Some(short) = digits.strip_prefix("GD").or_else(|| digits.strip_prefix("HA")) {
        let ok = short.len() == 3 && short.bytes().all(|b| b.is_ascii_digit());
        return ok.then(|| digits.to_string());
    }
    let valid = all_digits && matches!(digits.len(), 9 | 12) && !digits.bytes().all(|b| b == b'0');
    valid.then(|| digits.to_string())
}

/// Which of two small numbers in a numeric date is the day. Profiles name it
/// `day-first` or `month-first`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateOrder {
    /// `01/04/2021` is 1 April: the UK convention, and the default.
    DayFirst,
    /// `04/01/2021` is 1 April.
    MonthFirst,
}

/// The shape of the dates in a file, reported to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateShape {
    Iso,
    Numeric,
    MonthName,
    ExcelSerial,
    Compact,
}

impl fmt::Display for DateShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DateShape::Iso => "yyyy-mm-dd",
            DateShape::Numeric => "numeric nn/nn/yyyy",
            DateShape::MonthName => "dd-Mon-yyyy",
            DateShape::ExcelSerial => "Excel serial numbers",
            DateShape::Compact => "yyyymmdd",
        })
    }
}

/// Evidence about day/month order collected over a file's dates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OrderEvidence {
    /// Values that can only be day-first (`13/04/2021`).
    pub day_first: u64,
    /// Values that can only be month-first (`04/13/2021`).
    pub month_first: u64,
}

impl OrderEvidence {
    pub fn observe(&mut self, raw: &[u8]) {
        if let Some((a, b)) = numeric_pair(raw) {
            if a > 12 && b <= 12 {
                self.day_first += 1;
            } else if b > 12 && a <= 12 {
                self.month_first += 1;
            }
        }
    }

    /// UK day-first wins unless the file proves month-first and never contradicts it.
    pub fn order(&self) -> DateOrder {
        if self.month_first > 0 && self.day_first == 0 { DateOrder::MonthFirst } else { DateOrder::DayFirst }
    }
}

/// The first two fields of an all-numeric three-part date (`a/b/yyyy`), if it is one.
fn numeric_pair(raw: &[u8]) -> Option<(u32, u32)> {
    let mut tokens = Tokens::new(date_part(trim(raw)));
    let a = tokens.next()?;
    let b = tokens.next()?;
    let c = tokens.next()?;
    if tokens.next().is_some() || a.len() > 2 || b.len() > 2 || !(c.len() == 2 || c.len() == 4) {
        return None;
    }
    Some((number(a)?, number(b)?))
}

/// The shape of one date value, if it parses in some order.
pub fn date_shape(raw: &[u8]) -> Option<DateShape> {
    let s = date_part(trim(raw));
    if excel_serial(s).is_some() {
        return Some(DateShape::ExcelSerial);
    }
    if s.len() == 8 && s.iter().all(u8::is_ascii_digit) {
        return Some(DateShape::Compact);
    }
    let mut tokens = Tokens::new(s);
    let first = tokens.next()?;
    let second = tokens.next()?;
    if first.len() == 4 && first.iter().all(u8::is_ascii_digit) {
        Some(DateShape::Iso)
    } else if second.iter().all(u8::is_ascii_alphabetic) || first.iter().all(u8::is_ascii_alphabetic) {
        Some(DateShape::MonthName)
    } else {
        Some(DateShape::Numeric)
    }
}

/// Parse a date cell to days since 1970-01-01. Accepts ISO `2021-04-01` (with an optional
/// time), `01/04/2021`, `1/4/21`, `01-Apr-2021`, `01 Apr 2021`, `Apr 1 2021`, `20210401`
/// and Excel serial numbers (`44287`).
pub fn parse_date(raw: &[u8], order: DateOrder) -> Option<i32> {
    let s = date_part(trim(raw));
    if s.is_empty() {
        return None;
    }
    if let Some(days) = excel_serial(s) {
        return Some(days);
    }
    if s.len() == 8 && s.iter().all(u8::is_ascii_digit) {
        return civil_to_days(number(&s[..4])? as i32, number(&s[4..6])?, number(&s[6..])?);
    }
    let mut tokens = Tokens::new(s);
    let a = tokens.next()?;
    let b = tokens.next()?;
    let c = tokens.next()?;
    if tokens.next().is_some() {
        return None;
    }
    let all_digits = |t: &[u8]| t.iter().all(u8::is_ascii_digit);
    if a.len() == 4 && all_digits(a) {
        let month = if all_digits(b) { number(b)? } else { month_number(b)? };
        return civil_to_days(number(a)? as i32, month, number(c)?);
    }
    let (day, month, year) = if !all_digits(b) {
        (number(a)?, month_number(b)?, c)
    } else if !all_digits(a) {
        (number(b)?, month_number(a)?, c)
    } else {
        let (x, y) = (number(a)?, number(b)?);
        match order {
            DateOrder::DayFirst => (x, y, c),
            DateOrder::MonthFirst => (y, x, c),
        }
    };
    if a.len() > 2 && all_digits(a) || !all_digits(year) {
        return None;
    }
    let year = match year.len() {
        4 => number(year)? as i32,
        // Two-digit years: spend data is recent, so 00-69 is 20xx.
        2 => {
            let y = number(year)? as i32;
            if y < 70 { 2000 + y } else { 1900 + y }
        }
        _ => return None,
    };
    civil_to_days(year, month, day)
}

/// The date without a trailing time of day (`2021-04-01T00:00:00`, `01/04/2021 09:30`).
fn date_part(s: &[u8]) -> &[u8] {
    let Some(colon) = s.iter().position(|&b| b == b':') else { return s };
    let cut = s[..colon].iter().rposition(|&b| b == b' ' || b == b'T').unwrap_or(0);
    trim(&s[..cut])
}

/// Excel's 1900 date system: serial 25569 is 1970-01-01. Only whole-looking numbers in a
/// plausible range, so a bare year or a yyyymmdd value is never read as a serial.
fn excel_serial(s: &[u8]) -> Option<i32> {
    let (whole, fraction) = match s.iter().position(|&b| b == b'.') {
        Some(dot) => (&s[..dot], &s[dot + 1..]),
        None => (s, &[][..]),
    };
    if whole.len() != 5 || !whole.iter().all(u8::is_ascii_digit) || !fraction.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let serial = number(whole)? as i32;
    (10_000..=99_999).contains(&serial).then_some(serial - 25_569)
}

fn number(digits: &[u8]) -> Option<u32> {
    if digits.is_empty() || digits.len() > 9 {
        return None;
    }
    digits.iter().try_fold(0u32, |n, &b| b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0')))
}

/// A month's name as ledgers and exports write it (`Jun`, `June`, `Sept`, any case) → 1–12.
pub(super) fn month_number(name: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8]; 12] =
        [b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov", b"dec"];
    if name.len() < 3 || !name.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let prefix = [name[0].to_ascii_lowercase(), name[1].to_ascii_lowercase(), name[2].to_ascii_lowercase()];
    let index = MONTHS.iter().position(|m| **m == prefix)?;
    // `Sept` is common; otherwise the full name or its three-letter form.
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let lower = name.to_ascii_lowercase();
    let ok = name.len() == 3 || FULL[index].as_bytes() == lower.as_slice() || lower == b"sept";
    ok.then_some(index as u32 + 1)
}

/// Date tokens: runs of digits or letters, split on `-`, `/`, `.`, space and comma.
struct Tokens<'a> {
    rest: &'a [u8],
}

impl<'a> Tokens<'a> {
    fn new(s: &'a [u8]) -> Self {
        Tokens { rest: s }
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let start = self.rest.iter().position(|b| !matches!(b, b'-' | b'/' | b'.' | b' ' | b','))?;
        let rest = &self.rest[start..];
        let first_is_digit = rest[0].is_ascii_digit();
        let len = rest.iter().position(|b| b.is_ascii_digit() != first_is_digit || !b.is_ascii_alphanumeric());
        let len = len.unwrap_or(rest.len());
        if len == 0 {
            // A character that is neither separator nor alphanumeric: not a date.
            self.rest = &[];
            return Some(&rest[..1]);
        }
        self.rest = &rest[len..];
        Some(&rest[..len])
    }
}

/// Days since 1970-01-01 for a valid calendar date (Howard Hinnant's `days_from_civil`).
pub fn civil_to_days(year: i32, month: u32, day: u32) -> Option<i32> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) || !(1800..=2200).contains(&year) {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The calendar date of a day number: (year, month, day).
pub fn days_to_civil(days: i32) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i32::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// The UK financial year (April to March) a day falls in, as its starting calendar year.
pub fn financial_year(days: i32) -> i32 {
    let (year, month, _) = days_to_civil(days);
    if month >= 4 { year } else { year - 1 }
}

/// `2021-22` for the financial year starting in April 2021.
pub fn financial_year_label(start_year: i32) -> String {
    format!("{start_year}-{:02}", (start_year + 1).rem_euclid(100))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pence(s: &str) -> Result<i128, AmountError> {
        parse_amount(s.as_bytes())
    }

    /// Days since 1970-01-01 by chrono's calendar, not this module's: an oracle that shares
    /// no code with `civil_to_days` or `days_in_month` (issue 9).
    fn day(y: i32, m: u32, d: u32) -> i32 {
        let date = chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a real date");
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch");
        i32::try_from((date - epoch).num_days()).expect("fits a Date32")
    }

    #[test]
    fn issue_10_company_numbers_are_read_in_their_registered_form_or_not_at_all() {
        for (text, expected) in [
            ("2535986", "02535986"),
            ("02535986", "02535986"),
            (" 0253 5986 ", "02535986"),
            ("123456", "00123456"),
            ("SC012345", "SC012345"),
            ("sc 12345", "SC012345"),
            ("OC301234", "OC301234"),
            ("NI-012345", "NI012345"),
            ("IP28574R", "IP28574R"),
            ("20014R", "20014R"),
        ] {
            assert_eq!(company_number(text).as_deref(), Some(expected), "{text:?}");
        }
        for text in [
            "",
            "0",
            "00000000",
            "123456789",
            "ABC123",
            "S1234567",
            "SC1234567",
            "SC000000",
            "12345X",
            "Ltd",
            "GBML4119704",
            "CHA1049226",
            "AIG 10737370\nQBE 02641728",
        ] {
            assert_eq!(company_number(text), None, "{text:?}");
        }
        assert!(is_zero_identifier(" 0000 ") && !is_zero_identifier("") && !is_zero_identifier("0101"));
    }

    #[test]
    fn issue_10_charity_numbers_keep_their_subsidiary_suffix() {
        for (text, expected) in [
            ("1234567", "1234567"),
            (" 220949 ", "220949"),
            ("0220949", "220949"),
            ("1234567-1", "1234567-1"),
            ("1234567-01", "1234567-1"),
            ("1234567/2", "1234567-2"),
            ("CHC-1089464", "1089464"),
            ("SC012345", "SC012345"),
            ("sc012345", "SC012345"),
            ("NIC100002", "NIC100002"),
        ] {
            assert_eq!(charity_number(text).as_deref(), Some(expected), "{text:?}");
        }
        for text in ["", "1234", "123456789", "1234567-123", "1234567-", "SC12345", "Charity", "12a4567", "00001234"] {
            assert_eq!(charity_number(text), None, "{text:?}");
        }
    }

    #[test]
    fn issue_10_vat_numbers_lose_their_country_prefix_and_nothing_else() {
        for (text, expected) in [
            ("GB812311285", "812311285"),
            ("812 3112 85", "812311285"),
            ("gb 812311285", "812311285"),
            ("XI812311285", "812311285"),
            ("GB812311285001", "812311285001"),
            ("GD123", "GD123"),
            ("GBHA599", "HA599"),
        ] {
            assert_eq!(vat_number(text).as_deref(), Some(expected), "{text:?}");
        }
        // Trafford publishes some ten- and eight-digit ones: not VAT numbers as written.
        for text in ["GB2488629263", "GB28165358", "000000000", "", "GD12", "VAT123456789"] {
            assert_eq!(vat_number(text), None, "{text:?}");
        }
    }

    #[test]
    fn amounts_in_every_published_form() {
        assert_eq!(pence("1234.56"), Ok(123_456));
        assert_eq!(pence("1,234.56"), Ok(123_456));
        assert_eq!(pence("£1,234.56"), Ok(123_456));
        assert_eq!(parse_amount(b"\xA31,234.56"), Ok(123_456), "Windows-1252 pound sign");
        assert_eq!(pence("(1,234.56)"), Ok(-123_456));
        assert_eq!(pence("-1234.56"), Ok(-123_456));
        assert_eq!(pence("  -1234.56  "), Ok(-123_456));
        assert_eq!(pence("-£1,234.56"), Ok(-123_456));
        assert_eq!(pence("£-1,234.56"), Ok(-123_456));
        assert_eq!(pence("(£12.00)"), Ok(-1200));
        assert_eq!(pence("1234.56-"), Ok(-123_456));
        assert_eq!(pence("700"), Ok(70_000));
        assert_eq!(pence("313.4"), Ok(31_340));
        assert_eq!(pence(".5"), Ok(50));
        assert_eq!(pence("0.00"), Ok(0));
        assert_eq!(pence("12.500"), Ok(1250), "trailing zeros are not fractions of a penny");
        assert_eq!(pence("1,234,567.89"), Ok(123_456_789));
    }

    #[test]
    fn bad_amounts_say_why() {
        assert_eq!(pence(""), Err(AmountError::Empty));
        assert_eq!(pence("   "), Err(AmountError::Empty));
        assert_eq!(pence("NA"), Err(AmountError::Malformed));
        assert_eq!(pence("12.34.56"), Err(AmountError::Malformed));
        assert_eq!(pence("1,,234"), Err(AmountError::Malformed));
        assert_eq!(pence(",123"), Err(AmountError::Malformed));
        assert_eq!(pence("£"), Err(AmountError::Malformed));
        assert_eq!(pence("-"), Err(AmountError::Malformed));
        assert_eq!(pence("."), Err(AmountError::Malformed));
        assert_eq!(pence("12.345"), Err(AmountError::TooPrecise));
        assert_eq!(pence("12345678901234567.00"), Err(AmountError::TooLarge));
        assert_eq!(pence("1e5"), Err(AmountError::Malformed));
    }

    #[test]
    fn pence_format_round_trips() {
        for p in [0i128, 1, -1, 99, -100, 123_456, -123_456, 999_999_999_999_999_999] {
            assert_eq!(pence(&format_pence(p)), Ok(p));
        }
        assert_eq!(format_pence(-5), "-0.05");
    }

    #[test]
    fn spreadsheet_floats_round_to_the_penny() {
        assert_eq!(float_to_pence(1234.56), Some(123_456));
        assert_eq!(float_to_pence(0.1 + 0.2), Some(30));
        assert_eq!(float_to_pence(-12.345_6), Some(-1235));
        assert_eq!(float_to_pence(f64::NAN), None);
    }

    #[test]
    fn dates_in_every_published_form() {
        let d = |s: &str| parse_date(s.as_bytes(), DateOrder::DayFirst);
        let april_first = Some(day(2021, 4, 1));
        assert_eq!(d("2021-04-01"), april_first);
        assert_eq!(d("2021-04-01T00:00:00"), april_first);
        assert_eq!(d("2021-04-01 00:00:00"), april_first);
        assert_eq!(d("01/04/2021"), april_first);
        assert_eq!(d("01/04/2021 09:30"), april_first);
        assert_eq!(d("1/4/21"), april_first);
        assert_eq!(d("01-Apr-2021"), april_first);
        assert_eq!(d("01 Apr 2021"), april_first);
        assert_eq!(d("1 April 2021"), april_first);
        assert_eq!(d("01-APR-21"), april_first);
        assert_eq!(d("Apr 1, 2021"), april_first);
        assert_eq!(d("01.04.2021"), april_first);
        assert_eq!(d("20210401"), april_first);
        assert_eq!(d("44287"), april_first, "Excel serial");
        assert_eq!(d("44287.0"), april_first);
        assert_eq!(d(" 2021-04-01 "), april_first);
        assert_eq!(d("29/02/2024"), Some(day(2024, 2, 29)));
        assert_eq!(d("1 Sept 2021"), Some(day(2021, 9, 1)));
    }

    #[test]
    fn impossible_dates_are_rejected() {
        let d = |s: &str| parse_date(s.as_bytes(), DateOrder::DayFirst);
        for bad in [
            "",
            "TBC",
            "31/04/2021",
            "29/02/2023",
            "2021-13-01",
            "00/01/2021",
            "01/13/2021",
            "2021",
            "1/4",
            "01-Foo-2021",
            "01/04/202",
            "12:30",
        ] {
            assert_eq!(d(bad), None, "{bad}");
        }
    }

    #[test]
    fn day_month_order_is_uk_unless_the_file_proves_otherwise() {
        let mut evidence = OrderEvidence::default();
        for v in ["01/04/2021", "05/06/2021"] {
            evidence.observe(v.as_bytes());
        }
        assert_eq!(evidence.order(), DateOrder::DayFirst, "ambiguous values stay day-first");
        evidence.observe(b"04/13/2021");
        assert_eq!(evidence.order(), DateOrder::MonthFirst, "a second field over 12 proves month-first");
        assert_eq!(parse_date(b"04/01/2021", evidence.order()), Some(day(2021, 4, 1)));
        evidence.observe(b"13/04/2021");
        assert_eq!(evidence.order(), DateOrder::DayFirst, "contradictory evidence falls back to the UK order");
        let mut iso = OrderEvidence::default();
        iso.observe(b"2021-04-13");
        assert_eq!(iso, OrderEvidence::default(), "ISO dates are not evidence");
    }

    #[test]
    fn date_shapes_are_named() {
        assert_eq!(date_shape(b"2021-04-01"), Some(DateShape::Iso));
        assert_eq!(date_shape(b"01/04/2021"), Some(DateShape::Numeric));
        assert_eq!(date_shape(b"01-Apr-2021"), Some(DateShape::MonthName));
        assert_eq!(date_shape(b"44287"), Some(DateShape::ExcelSerial));
    }

    #[test]
    fn calendar_arithmetic_round_trips_and_financial_years_start_in_april() {
        for days in (-30_000..60_000).step_by(17) {
            let (y, m, d) = days_to_civil(days);
            if (1800..=2200).contains(&y) {
                assert_eq!(civil_to_days(y, m, d), Some(days));
                // And both agree with an outside calendar, not just with each other.
                assert_eq!(day(y, m, d), days, "{y}-{m}-{d}");
            }
        }
        for (y, m, expected) in [(2024, 2, 29), (2023, 2, 28), (1900, 2, 28), (2000, 2, 29), (2021, 4, 30)] {
            assert_eq!(days_in_month(y, m), expected, "{y}-{m}");
        }
        assert_eq!(civil_to_days(1970, 1, 1), Some(0));
        assert_eq!(financial_year(day(2022, 3, 31)), 2021);
        assert_eq!(financial_year(day(2022, 4, 1)), 2022);
        assert_eq!(financial_year_label(2021), "2021-22");
        assert_eq!(financial_year_label(1999), "1999-00");
    }
}
