//! One list screen: which rows (scoped, filtered, sorted), the cursor, and
//! the first drawn row. Rows are indices into the snapshot, rebuilt only
//! when the snapshot, the filter or the sort changes; drawing reads a window.

use super::columns::{Row, columns, part_index};
use super::view::{Scope, View};
use crate::domain::Snapshot;
use crate::logs::Filter;
use std::borrow::Cow;

#[derive(Debug, Clone)]
pub struct ListState {
    pub view: View,
    pub scope: Scope,
    /// Indices into the snapshot's vector for `view`, in display order.
    pub rows: Vec<usize>,
    pub cursor: usize,
    /// First row drawn (the table is virtualised: only a window is drawn).
    pub offset: usize,
    pub sort_col: usize,
    pub sort_desc: bool,
    pub filter: Option<Filter>,
    /// Key of the row under the cursor, so it stays put when rows move.
    selected_key: Option<String>,
    /// Rows in scope before the text filter, for the title's "shown/total".
    pub total_in_scope: usize,
}

impl ListState {
    pub fn new(view: View, scope: Scope) -> Self {
        ListState {
            view,
            scope,
            rows: Vec::new(),
            cursor: 0,
            offset: 0,
            sort_col: 0,
            sort_desc: false,
            filter: None,
            selected_key: None,
            total_in_scope: 0,
        }
    }

    /// Recomputes rows after a new snapshot, filter or sort; keeps the cursor on its item.
    pub fn rebuild(&mut self, snap: &Snapshot, now: i64, height: usize) {
        let ncols = columns(self.view).len();
        let mut in_scope = 0;
        let rows: Vec<usize> = self
            .candidates(snap)
            .into_iter()
            .filter(|&i| {
                Row::get(snap, self.view, i).is_some_and(|r| {
                    let scoped = self.in_scope(&r);
                    in_scope += usize::from(scoped);
                    scoped
                        && self
                            .filter
                            .as_ref()
                            .is_none_or(|f| (0..ncols).any(|c| f.is_match(&r.cell(c, now))))
                })
            })
            .collect();
        self.total_in_scope = in_scope;
        let col = self.sort_col;
        let desc = self.sort_desc;
        // Every kept index has a row (the filter above checked). Each row's
        // sort text is made once here, not twice per comparison.
        let mut keyed: Vec<(usize, Row<'_>, Cow<'_, str>)> = rows
            .into_iter()
            .filter_map(|i| {
                let r = Row::get(snap, self.view, i)?;
                Some((i, r, r.sort_text(col)))
            })
            .collect();
        keyed.sort_by(|(_, ra, ta), (_, rb, tb)| {
            let o = ra.compare_keyed(rb, col, ta, tb);
            if desc { o.reverse() } else { o }
        });
        self.rows = keyed.into_iter().map(|(i, _, _)| i).collect();
        let found = self.selected_key.as_deref().and_then(|key| {
            self.rows
                .iter()
                .position(|&i| Row::get(snap, self.view, i).is_some_and(|r| r.key() == key))
        });
        if let Some(pos) = found {
            self.cursor = pos;
        }
        self.clamp(height);
        self.remember(snap);
    }

    /// Indices of the items this view may show. A pod's containers are
    /// those of the scoped pod only: its one index is found, not every pod's
    /// containers walked.
    fn candidates(&self, snap: &Snapshot) -> Vec<usize> {
        let n = match self.view {
            View::Nodes => snap.nodes.len(),
            View::Stacks => snap.stacks.len(),
            View::Services => snap.services.len(),
            View::Containers => snap.containers.len(),
            View::Parts => {
                let pods = snap
                    .containers
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| self.scope.pod.as_ref().is_none_or(|(id, _)| c.id == *id));
                return pods
                    .flat_map(|(i, c)| (0..c.parts.len()).map(move |j| part_index(i, j)))
                    .collect();
            }
            View::Routes => snap.routes.len(),
            View::Logs => 0,
        };
        (0..n).collect()
    }

    fn in_scope(&self, row: &Row<'_>) -> bool {
        let s = &self.scope;
        match row {
            Row::Container(c) => {
                s.service.as_ref().is_none_or(|k| c.service_id == *k)
                    && s.stack
                        .as_ref()
                        .is_none_or(|st| c.stack.as_ref() == Some(st))
                    && s.node.as_ref().is_none_or(|n| c.node == *n)
            }
            Row::Part(pod, _) => s.pod.as_ref().is_none_or(|(id, _)| pod.id == *id),
            Row::Service(svc) => s
                .stack
                .as_ref()
                .is_none_or(|st| svc.stack.as_ref() == Some(st)),
            Row::Route(r) => {
                s.service.as_ref().is_none_or(|k| r.service_id == *k)
                    && s.stack
                        .as_ref()
                        .is_none_or(|st| r.stack.as_ref() == Some(st))
            }
            _ => true,
        }
    }

    /// Whether a row on screen reads differently at `now` than at `before`
    /// (an age went from 5m to 6m): a minute's tick redraws only then.
    pub fn shown_text_changes(
        &self,
        snap: &Snapshot,
        before: i64,
        now: i64,
        height: usize,
    ) -> bool {
        let ncols = columns(self.view).len();
        self.rows.iter().skip(self.offset).take(height).any(|&i| {
            Row::get(snap, self.view, i)
                .is_some_and(|r| (0..ncols).any(|c| r.cell(c, before) != r.cell(c, now)))
        })
    }

    pub fn selected<'a>(&self, snap: &'a Snapshot) -> Option<Row<'a>> {
        self.rows
            .get(self.cursor)
            .and_then(|&i| Row::get(snap, self.view, i))
    }

    /// Moves the cursor by `delta` rows (clamped) and scrolls it into view.
    pub fn move_by(&mut self, delta: isize, snap: &Snapshot, height: usize) {
        let last = self.rows.len().saturating_sub(1) as isize;
        self.cursor = (self.cursor as isize + delta).clamp(0, last.max(0)) as usize;
        self.clamp(height);
        self.remember(snap);
    }

    pub fn move_to(&mut self, pos: usize, snap: &Snapshot, height: usize) {
        self.cursor = pos.min(self.rows.len().saturating_sub(1));
        self.clamp(height);
        self.remember(snap);
    }

    fn remember(&mut self, snap: &Snapshot) {
        self.selected_key = self.selected(snap).map(|r| r.key().to_owned());
    }

    /// Keeps cursor and offset valid for a window of `height` rows.
    pub fn clamp(&mut self, height: usize) {
        let height = height.max(1);
        if self.rows.is_empty() {
            self.cursor = 0;
            self.offset = 0;
            return;
        }
        self.cursor = self.cursor.min(self.rows.len() - 1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(height));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Container, ContainerState};

    fn snap(names: &[&str]) -> Snapshot {
        Snapshot {
            containers: names
                .iter()
                .map(|n| Container {
                    id: format!("id-{n}"),
                    name: n.to_string(),
                    state: ContainerState::Running,
                    ..Container::default()
                })
                .collect(),
            ..Snapshot::default()
        }
    }

    #[test]
    fn cursor_follows_its_item_when_rows_move() {
        let mut l = ListState::new(View::Containers, Scope::default());
        let s1 = snap(&["b", "c"]);
        l.rebuild(&s1, 0, 10);
        l.move_by(1, &s1, 10);
        assert_eq!(l.selected(&s1).map(|r| r.key()), Some("id-c"));
        let s2 = snap(&["a", "b", "c"]);
        l.rebuild(&s2, 0, 10);
        assert_eq!(l.selected(&s2).map(|r| r.key()), Some("id-c"));
        assert_eq!(l.cursor, 2);
    }

    #[test]
    fn window_scrolls_to_keep_the_cursor_visible() {
        let names: Vec<String> = (0..100).map(|i| format!("c{i:03}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let s = snap(&refs);
        let mut l = ListState::new(View::Containers, Scope::default());
        l.rebuild(&s, 0, 10);
        l.move_by(25, &s, 10);
        assert_eq!((l.cursor, l.offset), (25, 16));
        l.move_by(-20, &s, 10);
        assert_eq!((l.cursor, l.offset), (5, 5));
        l.move_by(1000, &s, 10);
        assert_eq!((l.cursor, l.offset), (99, 90));
    }

    #[test]
    fn every_sort_orders_as_compare_does() {
        use crate::domain::fixtures::{NOW, many, sample};
        let mut snaps = vec![sample(), many(300)];
        // Ties on every column but the name, and a name tie broken by order.
        snaps[1].containers[7].name = snaps[1].containers[8].name.clone();
        for snap in &snaps {
            for view in [View::Nodes, View::Stacks, View::Services, View::Containers] {
                for col in 0..columns(view).len() {
                    for desc in [false, true] {
                        let mut l = ListState::new(view, Scope::default());
                        (l.sort_col, l.sort_desc) = (col, desc);
                        l.rebuild(snap, NOW, 10);
                        let mut want: Vec<usize> = l.rows.clone();
                        want.sort_unstable();
                        want.sort_by(|&a, &b| {
                            let (ra, rb) = (Row::get(snap, view, a), Row::get(snap, view, b));
                            let o = ra
                                .zip(rb)
                                .map_or(std::cmp::Ordering::Equal, |(ra, rb)| ra.compare(&rb, col));
                            if desc { o.reverse() } else { o }
                        });
                        assert_eq!(l.rows, want, "{view:?} col {col} desc {desc}");
                    }
                }
            }
        }
    }

    #[test]
    fn filter_and_reverse_sort() {
        let s = snap(&["web-1", "db-1", "web-2"]);
        let mut l = ListState::new(View::Containers, Scope::default());
        l.filter = Some(Filter::new("web"));
        l.sort_desc = true;
        l.rebuild(&s, 0, 10);
        let names: Vec<String> = l
            .rows
            .iter()
            .filter_map(|&i| Row::get(&s, View::Containers, i).map(|r| r.name().to_owned()))
            .collect();
        assert_eq!(names, ["web-2", "web-1"]);
        assert_eq!(l.total_in_scope, 3);
    }
}
