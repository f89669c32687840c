//! Engine timestamps.
//!
//! Docker prefixes every line with an RFC 3339 timestamp when asked; parsing
//! that for every line has to be cheap, so this is a fixed-layout parser with
//! its own calendar arithmetic rather than a date library.

const NANOS_PER_SEC: i64 = 1_000_000_000;
const SECS_PER_DAY: i64 = 86_400;

/// Longest RFC 3339 timestamp Docker writes: `2006-01-02T15:04:05.999999999+07:00`.
const MAX_TIMESTAMP_LEN: usize = 35;

/// RFC 3339 (as Docker writes it, e.g. `2026-11-22T01:31:20.123456789Z`) to unix nanoseconds.
///
/// Also takes fewer (or more, truncated) fractional digits, no fraction, and
/// numeric offsets (`+02:00`, `-0530`). `None` for anything else or for
/// instants outside the `i64` nanosecond range (years 1677–2262).
pub fn parse_docker_timestamp(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let second = digits(b, 17, 2)?;
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    // 60 admits a leap second; it counts as the next minute's first.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }

    let mut i = 19;
    let mut frac = 0i64;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            // Digits past nanoseconds are read but dropped.
            if i - start < 9 {
                frac = frac * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        let n = i - start;
        if n == 0 {
            return None;
        }
        for _ in n..9 {
            frac *= 10;
        }
    }

    let offset = match b.get(i)? {
        b'Z' | b'z' => {
            i += 1;
            0
        }
        sign @ (b'+' | b'-') => {
            let oh = digits(b, i + 1, 2)?;
            let colon = usize::from(b.get(i + 3) == Some(&b':'));
            let om = digits(b, i + 3 + colon, 2)?;
            if oh > 23 || om > 59 {
                return None;
            }
            i += 5 + colon;
            let secs = oh * 3600 + om * 60;
            if *sign == b'-' { -secs } else { secs }
        }
        _ => return None,
    };
    if i != b.len() {
        return None;
    }

    let days = days_from_civil(year, month, day);
    let secs = days * SECS_PER_DAY + hour * 3600 + minute * 60 + second - offset;
    secs.checked_mul(NANOS_PER_SEC)?.checked_add(frac)
}

/// Splits the `TIMESTAMP ` prefix Docker puts on each line when asked for timestamps.
pub fn split_docker_timestamp(line: &[u8]) -> (Option<i64>, &[u8]) {
    // Cheap rejection of lines that cannot start with a year.
    if !line.first().is_some_and(u8::is_ascii_digit) {
        return (None, line);
    }
    let head = &line[..line.len().min(MAX_TIMESTAMP_LEN + 1)];
    let (token, rest) = match head.iter().position(|&b| b == b' ') {
        Some(sp) => (&line[..sp], &line[sp + 1..]),
        // An empty log line may come as the bare timestamp.
        None if line.len() <= MAX_TIMESTAMP_LEN => (line, &line[line.len()..]),
        None => return (None, line),
    };
    match std::str::from_utf8(token)
        .ok()
        .and_then(parse_docker_timestamp)
    {
        Some(ns) => (Some(ns), rest),
        None => (None, line),
    }
}

/// `2026-11-22 01:31:20.123` (UTC).
pub fn format_timestamp(nanos: i64) -> String {
    let secs = nanos.div_euclid(NANOS_PER_SEC);
    let millis = nanos.rem_euclid(NANOS_PER_SEC) / 1_000_000;
    let (year, month, day) = civil_from_days(secs.div_euclid(SECS_PER_DAY));
    let sod = secs.rem_euclid(SECS_PER_DAY);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{millis:03}",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )
}

/// `n` ASCII digits at `at` as a number.
fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    b.get(at..at + n)?.iter().try_fold(0i64, |acc, &d| {
        d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// The calendar repeats every 400 years (146 097 days). Counting years from
// March puts the leap day at the end of each year, so the day of the year
// follows from the month by a linear formula: the month lengths from March
// (31 30 31 30 31 31 30 31 30 31 31 28/29) fit `(153 * m + 2) / 5`.

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719 468 days from 0000-03-01 to 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// Inverse of `days_from_civil`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    // Undo the leap-day corrections to find the year within the era.
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = NANOS_PER_SEC;

    #[test]
    fn docker_nanosecond_timestamps() {
        assert_eq!(
            parse_docker_timestamp("2026-11-22T01:31:20.123456789Z"),
            Some(1_795_311_080 * S + 123_456_789)
        );
        assert_eq!(parse_docker_timestamp("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_docker_timestamp("1970-01-01T00:00:00.000000001Z"),
            Some(1)
        );
    }

    #[test]
    fn fewer_or_more_fraction_digits_and_none() {
        let base = 1_795_311_080 * S;
        assert_eq!(parse_docker_timestamp("2026-11-22T01:31:20Z"), Some(base));
        assert_eq!(
            parse_docker_timestamp("2026-11-22T01:31:20.5Z"),
            Some(base + 500_000_000)
        );
        assert_eq!(
            parse_docker_timestamp("2026-11-22T01:31:20.123Z"),
            Some(base + 123_000_000)
        );
        assert_eq!(
            parse_docker_timestamp("2026-11-22T01:31:20.1234567891234Z"),
            Some(base + 123_456_789)
        );
    }

    #[test]
    fn numeric_offsets() {
        let utc = parse_docker_timestamp("2026-11-22T01:31:20Z");
        assert_eq!(parse_docker_timestamp("2026-11-22T03:31:20+02:00"), utc);
        assert_eq!(parse_docker_timestamp("2026-11-21T20:01:20-05:30"), utc);
        assert_eq!(parse_docker_timestamp("2026-11-22T03:31:20+0200"), utc);
        assert_eq!(parse_docker_timestamp("2026-11-22T01:31:20+00:00"), utc);
        assert_eq!(
            parse_docker_timestamp("2026-11-22T03:31:20.25+02:00"),
            utc.map(|n| n + 250_000_000)
        );
    }

    #[test]
    fn known_dates() {
        assert_eq!(
            parse_docker_timestamp("2000-03-01T00:00:00Z"),
            Some(951_868_800 * S)
        );
        assert_eq!(
            parse_docker_timestamp("2024-02-29T23:59:59Z"),
            Some(1_709_251_199 * S)
        );
    }

    #[test]
    fn leap_years() {
        assert!(parse_docker_timestamp("2024-02-29T00:00:00Z").is_some());
        assert!(parse_docker_timestamp("2000-02-29T00:00:00Z").is_some());
        assert!(parse_docker_timestamp("2023-02-29T00:00:00Z").is_none());
        assert!(parse_docker_timestamp("2100-02-29T00:00:00Z").is_none());
        assert!(parse_docker_timestamp("2023-02-28T00:00:00Z").is_some());
        // The day after Feb 29 is March 1.
        let feb29 = parse_docker_timestamp("2024-02-29T00:00:00Z");
        let mar1 = parse_docker_timestamp("2024-03-01T00:00:00Z");
        assert_eq!(feb29.map(|n| n + 86_400 * S), mar1);
        // 2024 has 366 days, 2023 has 365.
        let y = |s: &str| parse_docker_timestamp(s).unwrap_or_default() / S / 86_400;
        assert_eq!(y("2025-01-01T00:00:00Z") - y("2024-01-01T00:00:00Z"), 366);
        assert_eq!(y("2024-01-01T00:00:00Z") - y("2023-01-01T00:00:00Z"), 365);
    }

    #[test]
    fn rejects_malformed() {
        for s in [
            "",
            "2026-11-22",
            "2026-11-22T01:31:20",
            "2026-11-22 01:31:20Z",
            "2026-13-22T01:31:20Z",
            "2026-00-22T01:31:20Z",
            "2026-11-31T01:31:20Z",
            "2026-11-00T01:31:20Z",
            "2026-11-22T24:00:00Z",
            "2026-11-22T01:60:00Z",
            "2026-11-22T01:31:61Z",
            "2026-11-22T01:31:20.Z",
            "2026-11-22T01:31:20Zx",
            "2026-11-22T01:31:20+2:00",
            "2026-11-22T01:31:20+24:00",
            "20x6-11-22T01:31:20Z",
            "2026/11/22T01:31:20Z",
            "9999-12-31T23:59:59Z",
        ] {
            assert_eq!(parse_docker_timestamp(s), None, "{s:?}");
        }
    }

    #[test]
    fn split_prefix() {
        let (ts, rest) = split_docker_timestamp(b"2026-11-22T01:31:20.123456789Z hello world");
        assert_eq!(ts, Some(1_795_311_080 * S + 123_456_789));
        assert_eq!(rest, b"hello world");
        // Only one separating space is removed.
        let (ts, rest) = split_docker_timestamp(b"2026-11-22T01:31:20Z   indented");
        assert!(ts.is_some());
        assert_eq!(rest, b"  indented");
        // Empty lines.
        assert_eq!(
            split_docker_timestamp(b"2026-11-22T01:31:20Z "),
            (Some(1_795_311_080 * S), &b""[..])
        );
        assert_eq!(
            split_docker_timestamp(b"2026-11-22T01:31:20Z"),
            (Some(1_795_311_080 * S), &b""[..])
        );
    }

    #[test]
    fn split_leaves_other_lines_alone() {
        for line in [
            &b"hello world"[..],
            b"",
            b"2026 was a good year",
            b"2026-11-22T01:31:20Zno-space-after-this-timestamp-at-all",
            b"\xff\xfe binary",
            b"12345678901234567890123456789012345678901234567890",
        ] {
            assert_eq!(split_docker_timestamp(line), (None, line));
        }
    }

    #[test]
    fn formats_utc_millis() {
        assert_eq!(
            format_timestamp(1_795_311_080 * S + 123_456_789),
            "2026-11-22 01:31:20.123"
        );
        assert_eq!(format_timestamp(0), "1970-01-01 00:00:00.000");
        assert_eq!(
            format_timestamp(1_709_251_199 * S + 999_999_999),
            "2024-02-29 23:59:59.999"
        );
        assert_eq!(format_timestamp(-1), "1969-12-31 23:59:59.999");
    }

    #[test]
    fn round_trip() {
        for s in [
            "1970-01-01T00:00:00.000Z",
            "2000-02-29T12:34:56.789Z",
            "2024-12-31T23:59:59.999Z",
            "2026-11-22T01:31:20.123Z",
            "2100-03-01T00:00:00.001Z",
            "2262-04-11T23:47:16.000Z",
        ] {
            let ns = parse_docker_timestamp(s);
            let shown = ns.map(format_timestamp);
            let expected = s.replace('T', " ").replace('Z', "");
            assert_eq!(shown.as_deref(), Some(expected.as_str()), "{s}");
        }
    }

    #[test]
    fn civil_days_round_trip_every_day() {
        // Every day from 1970 to 2300 converts back to itself.
        let mut expected = (1970, 1, 1);
        for days in 0..120_000 {
            assert_eq!(civil_from_days(days), expected, "day {days}");
            assert_eq!(days_from_civil(expected.0, expected.1, expected.2), days);
            let (y, m, d) = expected;
            expected = if d < days_in_month(y, m) {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
    }
}
