//! The log screen's state. Lines live in a bounded ring; with a filter, a
//! second bounded index lists the matching lines. Scrolling is anchored to a
//! line's sequence number so the view holds still while new lines arrive.

use crate::logs::{Filter, LogEvent, LogLine, LogRing, LogTarget};
use std::collections::VecDeque;
use std::sync::Arc;

#[derive(Debug)]
pub struct LogView {
    pub session: u64,
    pub title: String,
    pub target: LogTarget,
    pub ring: LogRing,
    pub follow: bool,
    pub timestamps: bool,
    pub wrap: bool,
    pub colors: bool,
    pub show_source: bool,
    pub filter: Option<Filter>,
    /// Sequence numbers of lines matching `filter`, oldest first.
    matches: VecDeque<u64>,
    pub search: Option<Filter>,
    /// The line the last search step landed on.
    pub search_hit: Option<u64>,
    /// When not following: sequence number of the bottom line.
    anchor: Option<u64>,
    /// Columns scrolled right (no-wrap mode).
    pub hscroll: usize,
    /// Sources seen, in order of arrival; index picks a colour.
    pub sources: Vec<Arc<str>>,
    /// The previous run's logs (Kubernetes), not the current ones.
    pub previous: bool,
    pub ended: bool,
    pub error: Option<String>,
}

impl LogView {
    pub fn new(session: u64, title: String, target: LogTarget, capacity: usize) -> Self {
        let show_source = matches!(target, LogTarget::Service(_));
        LogView {
            session,
            title,
            target,
            ring: LogRing::new(capacity),
            follow: true,
            timestamps: false,
            wrap: false,
            colors: false,
            show_source,
            filter: None,
            matches: VecDeque::new(),
            search: None,
            search_hit: None,
            anchor: None,
            hscroll: 0,
            sources: Vec::new(),
            previous: false,
            ended: false,
            error: None,
        }
    }

    /// Takes what the backend sent.
    pub fn apply(&mut self, event: LogEvent) {
        match event {
            LogEvent::Lines(lines) => {
                for line in lines {
                    self.push(line);
                }
                let first = self.ring.first_seq();
                while self.matches.front().is_some_and(|&s| s < first) {
                    self.matches.pop_front();
                }
            }
            LogEvent::SourceJoined(name) => {
                self.note_source(&name);
                self.error = None;
            }
            LogEvent::SourceLeft(_) => {}
            LogEvent::Error(e) => self.error = Some(e),
            LogEvent::Ended => self.ended = true,
        }
    }

    fn push(&mut self, line: LogLine) {
        self.note_source(&line.source);
        let seq = self.ring.total();
        if self.filter.as_ref().is_some_and(|f| f.is_match(&line.text)) {
            self.matches.push_back(seq);
        }
        self.ring.push(line);
    }

    fn note_source(&mut self, name: &Arc<str>) {
        if !self.sources.iter().any(|s| s == name) {
            self.sources.push(name.clone());
            // A pod's containers merged: which one said it matters (once;
            // `o` hides it again).
            if self.sources.len() == 2 {
                self.show_source = true;
            }
        }
    }

    /// Lines shown (all, or those matching the filter).
    pub fn visible_len(&self) -> usize {
        if self.filter.is_some() {
            self.matches.len()
        } else {
            self.ring.len()
        }
    }

    /// The `i`-th shown line, with its sequence number.
    pub fn visible(&self, i: usize) -> Option<(u64, &LogLine)> {
        let seq = if self.filter.is_some() {
            *self.matches.get(i)?
        } else {
            self.ring.first_seq() + i as u64
        };
        let idx = seq.checked_sub(self.ring.first_seq())? as usize;
        self.ring.get(idx).map(|l| (seq, l))
    }

    /// Position among shown lines of the first line with sequence >= `seq`.
    fn position_of(&self, seq: u64) -> usize {
        if self.filter.is_some() {
            self.matches.partition_point(|&s| s < seq)
        } else {
            seq.saturating_sub(self.ring.first_seq()) as usize
        }
    }

    /// Position of the bottom line drawn; `None` when nothing is shown.
    pub fn bottom(&self) -> Option<usize> {
        let len = self.visible_len();
        if len == 0 {
            return None;
        }
        Some(match (self.follow, self.anchor) {
            (false, Some(a)) => self.position_of(a).min(len - 1),
            _ => len - 1,
        })
    }

    fn anchor_at(&mut self, pos: usize) {
        self.anchor = self.visible(pos).map(|(s, _)| s);
    }

    /// Scrolls by `delta` lines (negative is up); scrolling pauses follow.
    pub fn scroll(&mut self, delta: isize) {
        let Some(bottom) = self.bottom() else { return };
        let last = self.visible_len() - 1;
        let pos = (bottom as isize + delta).clamp(0, last as isize) as usize;
        self.follow = false;
        self.anchor_at(pos);
    }

    pub fn home(&mut self, height: usize) {
        if self.visible_len() == 0 {
            return;
        }
        self.follow = false;
        let pos = height.saturating_sub(1).min(self.visible_len() - 1);
        self.anchor_at(pos);
    }

    pub fn end(&mut self) {
        self.follow = true;
        self.anchor = None;
    }

    pub fn toggle_follow(&mut self) {
        if self.follow {
            let bottom = self.bottom();
            self.follow = false;
            if let Some(b) = bottom {
                self.anchor_at(b);
            }
        } else {
            self.end();
        }
    }

    /// Sets or clears the filter and rebuilds the index of matches.
    pub fn set_filter(&mut self, filter: Option<Filter>) {
        let keep = self.bottom().and_then(|b| self.visible(b)).map(|(s, _)| s);
        self.filter = filter.filter(|f| !f.pattern().is_empty());
        self.matches.clear();
        if let Some(f) = &self.filter {
            let first = self.ring.first_seq();
            self.matches.extend(
                self.ring
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| f.is_match(&l.text))
                    .map(|(i, _)| first + i as u64),
            );
        }
        if !self.follow {
            self.anchor = keep;
        }
    }

    /// Jumps to the next (or previous) line matching the search, from the
    /// last hit or the bottom line. Returns false when there is none.
    pub fn search_step(&mut self, forward: bool, height: usize) -> bool {
        let Some(search) = self.search.clone() else {
            return false;
        };
        let len = self.visible_len();
        if len == 0 {
            return false;
        }
        let from = match self.search_hit {
            Some(hit) => self.position_of(hit).min(len - 1),
            None => self.bottom().unwrap_or(0),
        };
        let hit_pos = if forward {
            let start = if self.search_hit.is_some() {
                from + 1
            } else {
                from
            };
            (start..len).find(|&i| {
                self.visible(i)
                    .is_some_and(|(_, l)| search.is_match(&l.text))
            })
        } else {
            let end = if self.search_hit.is_some() {
                from
            } else {
                from + 1
            };
            (0..end).rev().find(|&i| {
                self.visible(i)
                    .is_some_and(|(_, l)| search.is_match(&l.text))
            })
        };
        let Some(pos) = hit_pos else {
            return false;
        };
        self.search_hit = self.visible(pos).map(|(s, _)| s);
        // Show the hit with context below it.
        self.follow = false;
        self.anchor_at((pos + height / 2).min(len - 1));
        true
    }

    /// The colour slot of a source: stable for the name, whatever the arrival order.
    pub fn source_slot(name: &str) -> usize {
        // FNV-1a: tiny, and the same on every run.
        let mut h: u32 = 0x811c_9dc5;
        for b in name.bytes() {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
        h as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::LogStream;

    fn line(text: &str) -> LogLine {
        LogLine::from_raw(Arc::from("c1"), LogStream::Stdout, None, text.as_bytes())
    }

    fn view_with(n: usize, cap: usize) -> LogView {
        let mut v = LogView::new(1, "t".into(), LogTarget::Container("c1".into()), cap);
        v.apply(LogEvent::Lines(
            (0..n).map(|i| line(&format!("line {i}"))).collect(),
        ));
        v
    }

    #[test]
    fn paused_view_holds_still_while_lines_arrive() {
        let mut v = view_with(100, 1000);
        v.scroll(-10);
        assert_eq!(v.bottom(), Some(89));
        v.apply(LogEvent::Lines(vec![line("new")]));
        assert_eq!(v.bottom(), Some(89));
        v.end();
        assert_eq!(v.bottom(), Some(100));
    }

    #[test]
    fn ring_bounds_memory_and_counts_drops() {
        let v = view_with(250, 100);
        assert_eq!(v.ring.len(), 100);
        assert_eq!(v.ring.dropped(), 150);
        assert_eq!(
            v.visible(0).map(|(_, l)| l.text.to_string()),
            Some("line 150".into())
        );
    }

    #[test]
    fn filter_index_survives_drops() {
        let mut v = view_with(10, 10);
        v.set_filter(Some(Filter::new("line 1")));
        assert_eq!(v.visible_len(), 1);
        v.apply(LogEvent::Lines(
            (10..25).map(|i| line(&format!("line {i}"))).collect(),
        ));
        // lines 15..24 remain; of those, "line 1x" match: 15..19
        let shown: Vec<String> = (0..v.visible_len())
            .filter_map(|i| v.visible(i))
            .map(|(_, l)| l.text.to_string())
            .collect();
        assert_eq!(
            shown,
            ["line 15", "line 16", "line 17", "line 18", "line 19"]
        );
    }

    #[test]
    fn search_moves_between_hits() {
        let mut v = view_with(50, 100);
        v.search = Some(Filter::new("line 4"));
        assert!(v.search_step(false, 10));
        assert_eq!(v.search_hit, Some(49));
        assert!(v.search_step(false, 10));
        assert_eq!(v.search_hit, Some(48));
        assert!(v.search_step(true, 10));
        assert_eq!(v.search_hit, Some(49));
        assert!(!v.search_step(true, 10), "no hit after the last");
    }

    #[test]
    fn source_slots_are_stable() {
        assert_eq!(LogView::source_slot("web-1"), LogView::source_slot("web-1"));
        assert_ne!(LogView::source_slot("web-1"), LogView::source_slot("web-2"));
    }
}
