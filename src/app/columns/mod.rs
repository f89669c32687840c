//! Columns of each list. Every resource kind lists its columns — title,
//! width, cell text, sort order and tone — as a typed enum in its own file;
//! sorting, filtering, drawing and `berth ls` all read them through [`Row`],
//! so they agree and nothing else counts column positions.

mod container;
mod format;
mod node;
mod part;
mod route;
mod service;
mod stack;

pub use container::ContainerColumn;
pub use format::age;
pub use node::NodeColumn;
pub use part::PartColumn;
pub use route::{RouteColumn, status_text};
pub use service::ServiceColumn;
pub use stack::StackColumn;

use super::view::View;
use crate::domain::{Container, ContainerPart, Node, Route, Service, Snapshot, Stack};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::LazyLock;

/// How a column is laid out.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    /// Minimum width; the last flexible column takes the rest.
    pub width: u16,
    pub flex: bool,
    /// Numbers align right.
    pub numeric: bool,
    /// When the terminal is narrow, higher numbers are hidden first.
    pub drop: u8,
    /// Hidden while every row on screen leaves it empty: a column one
    /// backend fills and another has no use for (PATH, APPS, REV).
    pub optional: bool,
}

pub const fn col(title: &'static str, width: u16, drop: u8) -> Column {
    Column {
        title,
        width,
        flex: false,
        numeric: false,
        drop,
        optional: false,
    }
}
/// A column that takes a share of the spare width.
pub const fn flex(title: &'static str, width: u16, drop: u8) -> Column {
    Column {
        flex: true,
        ..col(title, width, drop)
    }
}
/// A number: aligns right.
pub const fn num(title: &'static str, width: u16, drop: u8) -> Column {
    Column {
        numeric: true,
        ..col(title, width, drop)
    }
}

/// A column shown only when a row on screen fills it.
pub const fn optional(c: Column) -> Column {
    Column {
        optional: true,
        ..c
    }
}

/// What a cell means, for the UI to colour; the app knows no theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Base,
    Ok,
    Warn,
    Error,
    Transient,
    Stopped,
    Unhealthy,
}

/// `running` of `desired` copies: none is an error, some a warning.
pub fn replicas_tone(running: u32, desired: u32) -> Tone {
    if desired > 0 && running == 0 {
        Tone::Error
    } else if running < desired {
        Tone::Warn
    } else {
        Tone::Ok
    }
}

/// How a column orders rows.
pub enum Sort<T> {
    /// By the cell's text.
    Text,
    /// By value (numbers, states, ages); the text is not compared.
    Value(fn(&T, &T) -> Ordering),
}

/// The columns of one resource kind, in display order.
pub trait KindColumn: Copy + 'static {
    type Item;
    const ALL: &'static [Self];
    fn spec(self) -> Column;
    /// The text drawn. `now` is unix seconds (ages).
    fn cell(self, item: &Self::Item, now: i64) -> Cow<'_, str>;
    fn sort(self) -> Sort<Self::Item> {
        Sort::Text
    }
    fn tone(self, _item: &Self::Item) -> Tone {
        Tone::Base
    }
    /// The text `berth ls` prints; the drawn cell unless a kind says otherwise.
    fn plain(self, item: &Self::Item, now: i64) -> Cow<'_, str> {
        self.cell(item, now)
    }
    /// Where this column is drawn.
    fn position(self) -> Option<usize>
    where
        Self: PartialEq,
    {
        Self::ALL.iter().position(|c| *c == self)
    }
}

fn specs<C: KindColumn>() -> Vec<Column> {
    C::ALL.iter().map(|c| c.spec()).collect()
}

pub fn columns(view: View) -> &'static [Column] {
    static NODES: LazyLock<Vec<Column>> = LazyLock::new(specs::<NodeColumn>);
    static STACKS: LazyLock<Vec<Column>> = LazyLock::new(specs::<StackColumn>);
    static SERVICES: LazyLock<Vec<Column>> = LazyLock::new(specs::<ServiceColumn>);
    static CONTAINERS: LazyLock<Vec<Column>> = LazyLock::new(specs::<ContainerColumn>);
    static PARTS: LazyLock<Vec<Column>> = LazyLock::new(specs::<PartColumn>);
    static ROUTES: LazyLock<Vec<Column>> = LazyLock::new(specs::<RouteColumn>);
    match view {
        View::Nodes => &NODES,
        View::Stacks => &STACKS,
        View::Services => &SERVICES,
        View::Containers => &CONTAINERS,
        View::Parts => &PARTS,
        View::Routes => &ROUTES,
        View::Logs => &[],
    }
}

/// A pod's container is row `pod << PART_BITS | part`: one index names
/// both, as every other row's index names its item.
const PART_BITS: u32 = 16;

/// The row index of the `part`-th container of the `pod`-th pod.
pub fn part_index(pod: usize, part: usize) -> usize {
    (pod << PART_BITS) | (part & ((1 << PART_BITS) - 1))
}

/// A row of a list: a borrowed domain item.
#[derive(Debug, Clone, Copy)]
pub enum Row<'a> {
    Node(&'a Node),
    Stack(&'a Stack),
    Service(&'a Service),
    Container(&'a Container),
    /// One container of a pod, beside its pod.
    Part(&'a Container, &'a ContainerPart),
    Route(&'a Route),
}

/// Runs `$f` with the row's item and its kind's column `$i`, or gives `$none`
/// past the last column.
macro_rules! with_column {
    ($row:expr, $i:expr, $none:expr, |$c:ident, $item:ident| $f:expr) => {
        match $row {
            Row::Node($item) => NodeColumn::ALL.get($i).map_or($none, |&$c| $f),
            Row::Stack($item) => StackColumn::ALL.get($i).map_or($none, |&$c| $f),
            Row::Service($item) => ServiceColumn::ALL.get($i).map_or($none, |&$c| $f),
            Row::Container($item) => ContainerColumn::ALL.get($i).map_or($none, |&$c| $f),
            Row::Part(_, $item) => PartColumn::ALL.get($i).map_or($none, |&$c| $f),
            Row::Route($item) => RouteColumn::ALL.get($i).map_or($none, |&$c| $f),
        }
    };
}

impl<'a> Row<'a> {
    /// The `index`-th item of `view` in the snapshot.
    pub fn get(snap: &'a Snapshot, view: View, index: usize) -> Option<Row<'a>> {
        match view {
            View::Nodes => snap.nodes.get(index).map(Row::Node),
            View::Stacks => snap.stacks.get(index).map(Row::Stack),
            View::Services => snap.services.get(index).map(Row::Service),
            View::Containers => snap.containers.get(index).map(Row::Container),
            View::Parts => {
                let pod = snap.containers.get(index >> PART_BITS)?;
                let part = pod.parts.get(index & ((1 << PART_BITS) - 1))?;
                Some(Row::Part(pod, part))
            }
            View::Routes => snap.routes.get(index).map(Row::Route),
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
            // Unique within its pod, the one scope it is listed in.
            Row::Part(_, p) => &p.name,
            Row::Route(r) => &r.id,
        }
    }

    /// The item's own name (not `stack/service`): the last sort key.
    pub fn name(&self) -> &'a str {
        match self {
            Row::Node(n) => &n.name,
            Row::Stack(s) => &s.name,
            Row::Service(s) => &s.name,
            Row::Container(c) => &c.name,
            Row::Part(_, p) => &p.name,
            Row::Route(r) => &r.name,
        }
    }

    /// Text of column `i`, as drawn. `now` is unix seconds (ages).
    pub fn cell(&self, i: usize, now: i64) -> Cow<'a, str> {
        with_column!(*self, i, Cow::Borrowed(""), |c, item| c.cell(item, now))
    }

    /// Text of column `i` as `berth ls` prints it.
    pub fn plain_cell(&self, i: usize, now: i64) -> Cow<'a, str> {
        with_column!(*self, i, Cow::Borrowed(""), |c, item| c.plain(item, now))
    }

    /// What column `i` of this row means, for colouring.
    pub fn tone(&self, i: usize) -> Tone {
        with_column!(*self, i, Tone::Base, |c, item| c.tone(item))
    }

    /// Order by column `i`: values or text; ties by name.
    pub fn compare(&self, other: &Row<'_>, i: usize) -> Ordering {
        self.compare_keyed(other, i, &self.sort_text(i), &other.sort_text(i))
    }

    /// The text `compare` orders column `i` by after its value: the cell,
    /// or nothing for columns sorted by value. Sorting makes it once per row.
    pub fn sort_text(&self, i: usize) -> Cow<'a, str> {
        let by_value = with_column!(*self, i, false, |c, _item| matches!(
            c.sort(),
            Sort::Value(_)
        ));
        if by_value {
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
        let primary = match (*self, *other) {
            (Row::Node(a), Row::Node(b)) => by_value::<NodeColumn>(a, b, i),
            (Row::Stack(a), Row::Stack(b)) => by_value::<StackColumn>(a, b, i),
            (Row::Service(a), Row::Service(b)) => by_value::<ServiceColumn>(a, b, i),
            (Row::Container(a), Row::Container(b)) => by_value::<ContainerColumn>(a, b, i),
            (Row::Part(_, a), Row::Part(_, b)) => by_value::<PartColumn>(a, b, i),
            (Row::Route(a), Row::Route(b)) => by_value::<RouteColumn>(a, b, i),
            _ => Ordering::Equal,
        };
        primary
            .then_with(|| text.cmp(other_text))
            .then_with(|| self.name().cmp(other.name()))
    }
}

fn by_value<C: KindColumn>(a: &C::Item, b: &C::Item, i: usize) -> Ordering {
    match C::ALL.get(i).map(|c| c.sort()) {
        Some(Sort::Value(order)) => order(a, b),
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kubernetes_namespace_and_workload_fill_their_optional_columns() {
        use crate::domain::{ServiceKind, StackKind};
        let ns = Stack {
            name: "shop".into(),
            kind: StackKind::Namespace,
            apps: vec!["cache".into(), "shop (helm web-1.2.0)".into()],
            ..Stack::default()
        };
        let web = Service {
            id: "shop/deployment/web".into(),
            name: "web".into(),
            kind: ServiceKind::Workload,
            revision: Some("3".into()),
            ..Service::default()
        };
        let cell = |view: View, row: &Row, title: &str| {
            let i = columns(view).iter().position(|c| c.title == title);
            i.map(|i| row.cell(i, 0).into_owned())
        };
        let (s, w) = (Row::Stack(&ns), Row::Service(&web));
        assert_eq!(
            cell(View::Stacks, &s, "APPS").as_deref(),
            Some("cache, shop (helm web-1.2.0)")
        );
        assert_eq!(cell(View::Stacks, &s, "PATH").as_deref(), Some(""));
        assert_eq!(cell(View::Services, &w, "REV").as_deref(), Some("3"));
        assert_eq!(
            cell(View::Services, &w, "KIND").as_deref(),
            Some("deployment")
        );
    }

    #[test]
    fn every_column_of_every_view_has_a_cell() {
        use crate::domain::fixtures::{NOW, sample, swarm};
        let snap = swarm();
        let compose = sample();
        // Rows of the swarm fixture with every field set: a node with
        // labels, a service mid-update with failing tasks, a failed task.
        let rows = [
            (View::Nodes, Row::Node(&snap.nodes[0])),
            // A compose project has a path.
            (View::Stacks, Row::Stack(&compose.stacks[1])),
            (View::Services, Row::Service(&snap.services[0])),
            (View::Containers, Row::Container(&snap.containers[2])),
        ];
        for (view, row) in rows {
            // Optional columns belong to other backends (below).
            for (i, col) in columns(view)
                .iter()
                .enumerate()
                .filter(|(_, c)| !c.optional)
            {
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

    #[test]
    fn titles_are_unique_within_a_kind() {
        for view in [View::Nodes, View::Stacks, View::Services, View::Containers] {
            let cols = columns(view);
            for (i, c) in cols.iter().enumerate() {
                assert!(
                    cols[..i].iter().all(|o| o.title != c.title),
                    "{view:?} repeats {}",
                    c.title
                );
            }
        }
    }
}
