//! Filter and search patterns. (stub: helper fills in)

#[derive(Debug, Clone)]
pub struct Filter {
    pattern: String,
}

impl Filter {
    pub fn new(pattern: &str) -> Filter {
        Filter {
            pattern: pattern.to_owned(),
        }
    }
    pub fn pattern(&self) -> &str {
        &self.pattern
    }
    pub fn is_regex(&self) -> bool {
        false
    }
    /// Why the pattern was taken as plain text although it looked like a regex.
    pub fn error(&self) -> Option<&str> {
        None
    }
    pub fn is_match(&self, text: &str) -> bool {
        text.contains(&self.pattern)
    }
    /// Byte ranges of matches in `text`, for highlighting.
    pub fn find_ranges(&self, text: &str) -> Vec<(usize, usize)> {
        text.match_indices(&self.pattern)
            .map(|(i, m)| (i, i + m.len()))
            .collect()
    }
}
