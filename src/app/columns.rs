//! Column definitions of each list: title, width, cell text and sort order.
//! Sorting, filtering and drawing all read cells from here, so they agree.

use super::view::View;
use crate::domain::{Container, Node, Service, Snapshot, Stack};
use std::borrow::Cow;
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    /// Minimum width; the last flexible column takes the rest.
    pub width: u16,
    pub flex: bool,
    /// Numbers sort numerically and align right.
    pub numeric: bool,
    /// When the terminal is narrow, higher numbers are hidden first.
    pub drop: u8,
}

const fn col(title: &'static str, width: u16, drop: u8) -> Column {
    Column {
        title,
        width,
        flex: false,
        numeric: false,
        drop,
    }
}
/// A column that takes a share of the spare width.
const fn flex(title: &'static str, width: u16, drop: u8) -> Column {
    Column {
        flex: true,
        ..col(title, width, drop)
    }
}
/// A number: sorts by value, aligns right.
const fn num(title: &'static str, width: u16, drop: u8) -> Column {
    Column {
        numeric: true,
        ..col(title, width, drop)
    }
}

const NODES: &[Column] = &[
    flex("NAME", 16, 0),
    col("ROLE", 8, 2),
    col("STATE", 7, 0),
    col("ENGINE", 12, 3),
    col("OS/ARCH", 20, 4),
    num("CPUS", 4, 3),
    num("MEMORY", 8, 3),
    num("RUNNING", 7, 1),
    num("TOTAL", 5, 1),
];
const STACKS: &[Column] = &[
    flex("NAME", 16, 0),
    col("KIND", 8, 3),
    num("SERVICES", 8, 1),
    col("CONTAINERS", 10, 0),
    flex("PATH", 10, 2),
];
const SERVICES: &[Column] = &[
    flex("NAME", 16, 0),
    col("STACK", 12, 2),
    col("KIND", 9, 4),
    col("REPLICAS", 8, 0),
    flex("IMAGE", 14, 1),
    col("PORTS", 14, 3),
    num("AGE", 5, 1),
];
const CONTAINERS: &[Column] = &[
    flex("NAME", 18, 0),
    col("STATE", 10, 0),
    col("HEALTH", 9, 1),
    flex("IMAGE", 14, 3),
    flex("SERVICE", 14, 4),
    col("PORTS", 14, 5),
    num("RESTARTS", 8, 1),
    num("AGE", 5, 1),
    col("NODE", 10, 5),
];

pub fn columns(view: View) -> &'static [Column] {
    match view {
        View::Nodes => NODES,
        View::Stacks => STACKS,
        View::Services => SERVICES,
        View::Containers => CONTAINERS,
        View::Logs => &[],
    }
}

/// A row of a list: a borrowed domain item.
#[derive(Debug, Clone, Copy)]
pub enum Row<'a> {
    Node(&'a Node),
    Stack(&'a Stack),
    Service(&'a Service),
    Container(&'a Container),
}

impl<'a> Row<'a> {
    /// The `index`-th item of `view` in the snapshot.
    pub fn get(snap: &'a Snapshot, view: View, index: usize) -> Option<Row<'a>> {
        match view {
            View::Nodes => snap.nodes.get(index).map(Row::Node),
            View::Stacks => snap.stacks.get(index).map(Row::Stack),
            View::Services => snap.services.get(index).map(Row::Service),
            View::Containers => snap.containers.get(index).map(Row::Container),
            View::Logs => None,
        }
    }

    /// Stable identity across snapshots, to keep the cursor on the same item.
    pub fn key(&self) -> &'a str {
        match self {
            Row::Node(n) => &n.id,
            Row::Stack(s) => &s.name,
            Row::Service(s) => &s.id,
            Row::Container(c) => &c.id,
        }
    }

    /// Text of column `i`, as drawn. `now` is unix seconds (ages).
    pub fn cell(&self, i: usize, now: i64) -> Cow<'a, str> {
        match self {
            Row::Node(n) => match i {
                0 => n.name.as_str().into(),
                1 => n.role.as_str().into(),
                2 => n.state.as_str().into(),
                3 => n.engine_version.as_str().into(),
                4 => format!("{}/{}", n.os, n.arch).into(),
                5 => n.cpus.to_string().into(),
                6 => bytes(n.memory_bytes).into(),
                7 => n.containers_running.to_string().into(),
                8 => n.containers_total.to_string().into(),
                _ => "".into(),
            },
            Row::Stack(s) => match i {
                0 => s.name.as_str().into(),
                1 => s.kind.label().into(),
                2 => s.services.to_string().into(),
                3 => format!("{}/{}", s.containers_running, s.containers_total).into(),
                4 => s.working_dir.as_deref().unwrap_or("").into(),
                _ => "".into(),
            },
            Row::Service(s) => match i {
                0 => s.name.as_str().into(),
                1 => s.stack.as_deref().unwrap_or("-").into(),
                2 => s.kind.label().into(),
                3 => format!("{}/{}", s.replicas_running, s.replicas_desired).into(),
                4 => s.image.as_str().into(),
                5 => s.ports.as_str().into(),
                6 => age(s.created, now).into(),
                _ => "".into(),
            },
            Row::Container(c) => match i {
                0 => c.name.as_str().into(),
                1 => c.state.label().into(),
                2 => c.health.label().into(),
                3 => c.image.as_str().into(),
                4 => match (&c.stack, &c.service) {
                    (Some(st), Some(sv)) => format!("{st}/{sv}").into(),
                    _ => "-".into(),
                },
                5 => c.ports_text().into(),
                6 => c
                    .restart_count
                    .map(|n| n.to_string())
                    .unwrap_or_default()
                    .into(),
                7 => age(c.created, now).into(),
                8 => c.node.as_str().into(),
                _ => "".into(),
            },
        }
    }

    /// Order by column `i`: numbers by value, the rest by text; ties by name.
    pub fn compare(&self, other: &Row<'_>, i: usize) -> Ordering {
        self.compare_keyed(other, i, &self.sort_text(i), &other.sort_text(i))
    }

    /// The text `compare` orders column `i` by after its value: the cell,
    /// or nothing for numeric columns. Sorting makes it once per row.
    pub fn sort_text(&self, i: usize) -> Cow<'a, str> {
        if self.is_numeric_sort(i) {
            Cow::Borrowed("")
        } else {
            self.cell(i, 0)
        }
    }

    /// `compare`, given both rows' `sort_text(i)`: a cell such as
    /// `stack/service` is then not built twice per comparison.
    pub fn compare_keyed(
        &self,
        other: &Row<'_>,
        i: usize,
        text: &str,
        other_text: &str,
    ) -> Ordering {
        let primary = match (self, other) {
            (Row::Node(a), Row::Node(b)) => match i {
                5 => a.cpus.cmp(&b.cpus),
                6 => a.memory_bytes.cmp(&b.memory_bytes),
                7 => a.containers_running.cmp(&b.containers_running),
                8 => a.containers_total.cmp(&b.containers_total),
                _ => Ordering::Equal,
            },
            (Row::Stack(a), Row::Stack(b)) => match i {
                2 => a.services.cmp(&b.services),
                3 => (a.containers_running, a.containers_total)
                    .cmp(&(b.containers_running, b.containers_total)),
                _ => Ordering::Equal,
            },
            (Row::Service(a), Row::Service(b)) => match i {
                3 => (a.replicas_running, a.replicas_desired)
                    .cmp(&(b.replicas_running, b.replicas_desired)),
                // Older first reads as "largest age first" when reversed; keep age ascending = newest first.
                6 => b.created.cmp(&a.created),
                _ => Ordering::Equal,
            },
            (Row::Container(a), Row::Container(b)) => match i {
                1 => a.state.cmp(&b.state),
                2 => b.health.cmp(&a.health),
                6 => a.restart_count.cmp(&b.restart_count),
                7 => b.created.cmp(&a.created),
                _ => Ordering::Equal,
            },
            _ => Ordering::Equal,
        };
        primary
            .then_with(|| text.cmp(other_text))
            .then_with(|| self.cell(0, 0).cmp(&other.cell(0, 0)))
    }

    fn is_numeric_sort(&self, i: usize) -> bool {
        match self {
            Row::Node(_) => (5..=8).contains(&i),
            Row::Stack(_) => i == 2 || i == 3,
            Row::Service(_) => i == 3 || i == 6,
            Row::Container(_) => matches!(i, 1 | 2 | 6 | 7),
        }
    }
}

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

fn bytes(n: u64) -> String {
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

    #[test]
    fn every_column_of_every_view_has_a_cell() {
        use crate::domain::fixtures::{NOW, sample};
        let snap = sample();
        // Rows of the fixture with every field set (web has ports, health, restarts).
        let rows = [
            (View::Nodes, Row::Node(&snap.nodes[0])),
            (View::Stacks, Row::Stack(&snap.stacks[1])),
            (View::Services, Row::Service(&snap.services[4])),
            (View::Containers, Row::Container(&snap.containers[4])),
        ];
        for (view, row) in rows {
            for (i, col) in columns(view).iter().enumerate() {
                assert!(
                    !row.cell(i, NOW).is_empty(),
                    "{view:?} column {} has no cell",
                    col.title
                );
            }
            assert!(
                row.cell(columns(view).len(), NOW).is_empty(),
                "{view:?} has a cell without a column"
            );
        }
    }
}
