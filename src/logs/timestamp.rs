//! Engine timestamps. (stub: helper fills in)

/// RFC 3339 (as Docker writes it, e.g. `2026-11-22T01:31:20.123456789Z`) to unix nanoseconds.
pub fn parse_docker_timestamp(_s: &str) -> Option<i64> {
    None
}

/// Splits the `TIMESTAMP ` prefix Docker puts on each line when asked for timestamps.
pub fn split_docker_timestamp(line: &[u8]) -> (Option<i64>, &[u8]) {
    (None, line)
}

/// `2026-11-22 01:31:20.123` (UTC).
pub fn format_timestamp(_nanos: i64) -> String {
    String::new()
}
