//! Bounded log buffer.
use super::LogLine;
use std::collections::VecDeque;

/// The newest `capacity()` lines, with counters that give every line ever
/// pushed a stable absolute sequence number.
#[derive(Debug)]
pub struct LogRing {
    // Grows on demand: a big capacity costs nothing until lines arrive.
    lines: VecDeque<LogLine>,
    cap: usize,
    dropped: u64,
}

impl Default for LogRing {
    /// Same as `new(0)`: a derived default would have a zero bound, which
    /// `push` cannot honour.
    fn default() -> Self {
        LogRing::new(0)
    }
}

impl LogRing {
    pub fn new(cap: usize) -> Self {
        LogRing {
            lines: VecDeque::new(),
            cap: cap.max(1),
            dropped: 0,
        }
    }

    pub fn push(&mut self, line: LogLine) {
        if self.lines.len() >= self.cap {
            self.lines.pop_front();
            self.dropped += 1;
        }
        self.lines.push_back(line);
    }

    /// Pushes every line in order, as `push` would.
    pub fn extend<I: IntoIterator<Item = LogLine>>(&mut self, it: I) {
        for line in it {
            self.push(line);
        }
    }

    /// Changes the bound; shrinking drops the oldest lines (counted in `dropped`).
    pub fn set_capacity(&mut self, cap: usize) {
        self.cap = cap.max(1);
        if self.lines.len() > self.cap {
            let excess = self.lines.len() - self.cap;
            self.lines.drain(..excess);
            self.dropped += excess as u64;
        }
        // Give back memory after a large shrink, but not on every small one.
        if self.lines.capacity() > self.cap.saturating_mul(2) {
            self.lines.shrink_to(self.cap);
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// Lines pushed out of the front (or cleared) since creation.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Absolute sequence number of `get(0)`: lines ever pushed before it.
    pub fn first_seq(&self) -> u64 {
        self.dropped
    }

    /// Lines ever pushed.
    pub fn total(&self) -> u64 {
        self.dropped + self.lines.len() as u64
    }

    pub fn get(&self, i: usize) -> Option<&LogLine> {
        self.lines.get(i)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &LogLine> + ExactSizeIterator {
        self.lines.iter()
    }

    pub fn clear(&mut self) {
        self.dropped += self.lines.len() as u64;
        self.lines.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::LogStream;
    use std::sync::Arc;

    fn line(n: u64) -> LogLine {
        LogLine {
            source: Arc::from("c"),
            stream: LogStream::Stdout,
            ts: None,
            text: n.to_string().into_boxed_str(),
            spans: None,
            level: None,
        }
    }

    fn texts(r: &LogRing) -> Vec<String> {
        r.iter().map(|l| l.text.to_string()).collect()
    }

    #[test]
    fn empty_ring() {
        let r = LogRing::new(3);
        assert!(r.is_empty());
        assert_eq!(
            (r.len(), r.dropped(), r.first_seq(), r.total()),
            (0, 0, 0, 0)
        );
        assert!(r.get(0).is_none());
    }

    #[test]
    fn default_is_usable() {
        let mut r = LogRing::default();
        assert_eq!(r.capacity(), 1);
        r.push(line(1));
        assert_eq!((r.len(), r.dropped()), (1, 0));
    }

    #[test]
    fn zero_capacity_means_one() {
        let mut r = LogRing::new(0);
        assert_eq!(r.capacity(), 1);
        r.push(line(1));
        r.push(line(2));
        assert_eq!(texts(&r), ["2"]);
        assert_eq!(r.dropped(), 1);
    }

    #[test]
    fn wraps_around_keeping_the_newest() {
        let mut r = LogRing::new(3);
        for n in 0..10 {
            r.push(line(n));
        }
        assert_eq!(texts(&r), ["7", "8", "9"]);
        assert_eq!(r.len(), 3);
        assert_eq!(r.dropped(), 7);
        assert_eq!(r.first_seq(), 7);
        assert_eq!(r.total(), 10);
        assert_eq!(r.get(0).map(|l| &*l.text), Some("7"));
        assert_eq!(r.get(2).map(|l| &*l.text), Some("9"));
        assert!(r.get(3).is_none());
        assert_eq!(r.iter().next_back().map(|l| &*l.text), Some("9"));
        assert_eq!(r.iter().len(), 3);
    }

    #[test]
    fn sequence_number_of_get_i_is_first_seq_plus_i() {
        let mut r = LogRing::new(4);
        for n in 0..11 {
            r.push(line(n));
        }
        for i in 0..r.len() {
            let seq = r.first_seq() + i as u64;
            assert_eq!(r.get(i).map(|l| l.text.to_string()), Some(seq.to_string()));
        }
    }

    #[test]
    fn extend_behaves_like_push() {
        let mut r = LogRing::new(5);
        r.extend((0..3).map(line));
        assert_eq!(texts(&r), ["0", "1", "2"]);
        r.extend((3..12).map(line));
        assert_eq!(texts(&r), ["7", "8", "9", "10", "11"]);
        assert_eq!((r.dropped(), r.total()), (7, 12));
    }

    #[test]
    fn clear_counts_as_dropped() {
        let mut r = LogRing::new(5);
        r.extend((0..4).map(line));
        r.clear();
        assert!(r.is_empty());
        assert_eq!((r.dropped(), r.first_seq(), r.total()), (4, 4, 4));
        r.push(line(4));
        assert_eq!(r.first_seq(), 4);
        assert_eq!(r.total(), 5);
    }

    #[test]
    fn shrinking_drops_the_oldest() {
        let mut r = LogRing::new(10);
        r.extend((0..8).map(line));
        r.set_capacity(3);
        assert_eq!(r.capacity(), 3);
        assert_eq!(texts(&r), ["5", "6", "7"]);
        assert_eq!((r.dropped(), r.first_seq(), r.total()), (5, 5, 8));
        r.push(line(8));
        assert_eq!(texts(&r), ["6", "7", "8"]);
        r.set_capacity(0);
        assert_eq!(texts(&r), ["8"]);
        assert_eq!(r.dropped(), 8);
    }

    #[test]
    fn growing_keeps_everything() {
        let mut r = LogRing::new(2);
        r.extend((0..5).map(line));
        r.set_capacity(4);
        assert_eq!(texts(&r), ["3", "4"]);
        r.extend((5..7).map(line));
        assert_eq!(texts(&r), ["3", "4", "5", "6"]);
        assert_eq!(r.dropped(), 3);
    }

    #[test]
    fn large_capacity_is_not_preallocated() {
        let mut r = LogRing::new(100_000);
        r.extend((0..10).map(line));
        assert!(r.lines.capacity() < 1000, "{}", r.lines.capacity());
    }
}
