//! Money as text, both ways, in one place: reading the amounts councils publish into
//! integer pence ([`parse_amount`]), and writing pence for programs ([`format_pence`],
//! `-1234.56`) and for people ([`money_text`], `-£1,234.56`). Money never passes through a
//! float here, so what is printed is what was summed, to the penny; `Decimal128(18,2)`
//! holds the same integer pence.

/// Why an amount cell could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountError {
    /// The cell holds no amount (blank once trimmed).
    Empty,
    /// The cell is not a number in any accepted form.
    Malformed,
    /// The amount has more than two decimal places.
    TooPrecise,
    /// The amount exceeds [`MAX_PENCE`].
    TooLarge,
}

impl AmountError {
    /// A short lower-case phrase for diagnostics, e.g. "amount is not a number".
    pub fn reason(self) -> &'static str {
        match self {
            AmountError::Empty => "no amount",
            AmountError::Malformed => "amount is not a number",
            AmountError::TooPrecise => "amount has fractions of a penny",
            AmountError::TooLarge => "amount is too large",
        }
    }
}

/// The largest magnitude `Decimal128(18,2)` holds, in pence.
pub const MAX_PENCE: i128 = 999_999_999_999_999_999;

/// Parse `1234.56`, `1,234.56`, `£1,234.56`, `(1,234.56)`, `-1234.56`, `1234.56-` (with
/// surrounding spaces) to pence. `£` may be UTF-8 (`C2 A3`) or Windows-1252 (`A3`).
pub fn parse_amount(raw: &[u8]) -> Result<i128, AmountError> {
    let mut s = trim(raw);
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    let mut negative = false;
    if let [b'(', inner @ .., b')'] = s {
        negative = true;
        s = trim(inner);
    }
    if let [b'-', rest @ ..] = s {
        negative = !negative;
        s = trim(rest);
    } else if let [rest @ .., b'-'] = s {
        negative = !negative;
        s = trim(rest);
    } else if let [b'+', rest @ ..] = s {
        s = trim(rest);
    }
    s = strip_pound(s);
    // `£-12.00` puts the sign after the symbol.
    if let [b'-', rest @ ..] = s {
        negative = !negative;
        s = rest;
    }
    if s.is_empty() {
        return Err(AmountError::Malformed);
    }
    let mut pence: i128 = 0;
    let mut digits = 0usize;
    let mut fraction_digits: Option<u32> = None;
    let mut previous_was_digit = false;
    for (i, &b) in s.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                let d = i128::from(b - b'0');
                match fraction_digits {
                    Some(n) if n >= 2 => {
                        if d != 0 {
                            return Err(AmountError::TooPrecise);
                        }
                    }
                    Some(n) => {
                        pence = pence * 10 + d;
                        fraction_digits = Some(n + 1);
                    }
                    None => {
                        pence = pence * 10 + d;
                        digits += 1;
                        if digits > 16 {
                            return Err(AmountError::TooLarge);
                        }
                    }
                }
                previous_was_digit = true;
            }
            // Thousands separators only between digits of the whole part.
            b',' if fraction_digits.is_none() && previous_was_digit && s.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                previous_was_digit = false;
            }
            b'.' if fraction_digits.is_none() => {
                fraction_digits = Some(0);
                previous_was_digit = false;
            }
            _ => return Err(AmountError::Malformed),
        }
    }
    if digits == 0 && fraction_digits.is_none_or(|n| n == 0) {
        return Err(AmountError::Malformed);
    }
    let scale = match fraction_digits.unwrap_or(0) {
        0 => 100,
        1 => 10,
        _ => 1,
    };
    let pence = pence * scale;
    if pence > MAX_PENCE {
        return Err(AmountError::TooLarge);
    }
    Ok(if negative { -pence } else { pence })
}

fn strip_pound(s: &[u8]) -> &[u8] {
    let s = s.strip_prefix(b"\xC2\xA3").or_else(|| s.strip_prefix(b"\xA3")).unwrap_or(s);
    trim(s)
}

/// `s` without leading and trailing spaces, tabs, line breaks and non-breaking spaces.
pub fn trim(mut s: &[u8]) -> &[u8] {
    loop {
        match s {
            [b' ' | b'\t' | b'\r' | b'\n', rest @ ..] => s = rest,
            [rest @ .., b' ' | b'\t' | b'\r' | b'\n'] => s = rest,
            // Non-breaking spaces, in UTF-8 and Windows-1252.
            [0xC2, 0xA0, rest @ ..] => s = rest,
            [rest @ .., 0xC2, 0xA0] => s = rest,
            [0xA0, rest @ ..] => s = rest,
            [rest @ .., 0xA0] if !rest.ends_with(&[0xC2]) => s = rest,
            _ => return s,
        }
    }
}

/// Pence as a plain decimal, `-1234.56`: for CSV, JSON and every file a program reads.
pub fn format_pence(pence: i128) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let abs = pence.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Pence as people read money: a pound sign, thousands separators and two decimals; the
/// sign goes before the pound sign.
///
/// ```
/// assert_eq!(spendql::money::money_text(123_456), "£1,234.56");
/// assert_eq!(spendql::money::money_text(-5), "-£0.05");
/// ```
pub fn money_text(pence: i128) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let a = pence.unsigned_abs();
    format!("{sign}£{}.{:02}", group_thousands(a / 100), a % 100)
}

/// A scaled integer (a `Decimal128` value and its scale) as plain decimal text.
pub fn decimal_text(value: i128, scale: i8) -> String {
    if scale <= 0 {
        return value.to_string();
    }
    let div = 10u128.pow(u32::from(scale.unsigned_abs()));
    let sign = if value < 0 { "-" } else { "" };
    let a = value.unsigned_abs();
    format!("{sign}{}.{:0width$}", a / div, a % div, width = scale as usize)
}

/// `1234567` → `1,234,567`: the separators of [`money_text`], for counts too.
pub fn group_thousands(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_amounts_keep_their_sign_whatever_their_size() {
        assert_eq!(format_pence(-50), "-0.50");
        assert_eq!(money_text(-50), "-£0.50");
        assert_eq!(format_pence(-150), "-1.50");
        assert_eq!(money_text(-150), "-£1.50");
        assert_eq!(format_pence(-1), "-0.01");
        assert_eq!(money_text(-123_456_789), "-£1,234,567.89");
        assert_eq!(format_pence(0), "0.00");
        assert_eq!(money_text(0), "£0.00");
    }

    #[test]
    fn the_largest_decimal_18_2_prints_every_digit_without_rounding() {
        // 18 nines: what Decimal128(18,2) holds at most; a float would print 1e16.
        assert_eq!(format_pence(MAX_PENCE), "9999999999999999.99");
        assert_eq!(money_text(MAX_PENCE), "£9,999,999,999,999,999.99");
        assert_eq!(money_text(-MAX_PENCE), "-£9,999,999,999,999,999.99");
        // A total whose float would round: 2^53 + 1 pence.
        assert_eq!(format_pence(9_007_199_254_740_993), "90071992547409.93");
    }

    #[test]
    fn formatting_and_parsing_round_trip_to_the_penny() {
        for p in [0i128, 1, -1, 50, -50, 99, -100, 123_456, -123_456, MAX_PENCE, -MAX_PENCE] {
            assert_eq!(parse_amount(format_pence(p).as_bytes()), Ok(p), "{p}");
            assert_eq!(parse_amount(money_text(p).as_bytes()), Ok(p), "{p}");
        }
        assert_eq!(parse_amount(b"-0.50"), Ok(-50));
        assert_eq!(parse_amount(b"(0.50)"), Ok(-50));
    }

    #[test]
    fn decimals_of_other_scales_and_counts() {
        assert_eq!(decimal_text(-150, 2), "-1.50");
        assert_eq!(decimal_text(-5, 1), "-0.5");
        assert_eq!(decimal_text(1000, 1), "100.0");
        assert_eq!(decimal_text(42, 0), "42");
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1_000), "1,000");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
    }
}
