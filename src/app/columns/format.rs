//! Compact cell text shared by several kinds.

/// "42s", "5m", "3h", "12d".
pub fn age(created: i64, now: i64) -> String {
    if created <= 0 {
        return String::new();
    }
    let s = (now - created).max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// Memory in GiB with one decimal; nothing when unknown.
pub fn bytes(n: u64) -> String {
    const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
    if n == 0 {
        return String::new();
    }
    format!("{:.1}Gi", n as f64 / GIB)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_compact() {
        assert_eq!(age(100, 142), "42s");
        assert_eq!(age(0, 100), "");
        assert_eq!(age(100, 100 + 300), "5m");
        assert_eq!(age(100, 100 + 3 * 3600 + 5), "3h");
        assert_eq!(age(100, 100 + 12 * 86_400), "12d");
    }
}
