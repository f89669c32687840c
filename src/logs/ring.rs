//! Bounded log buffer. (stub: helper fills in)
use super::LogLine;
use std::collections::VecDeque;

#[derive(Debug, Default)]
pub struct LogRing {
    lines: VecDeque<LogLine>,
    cap: usize,
    dropped: u64,
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
        if self.lines.len() == self.cap {
            self.lines.pop_front();
            self.dropped += 1;
        }
        self.lines.push_back(line);
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
    /// Lines pushed out of the front since creation.
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
