//! `berth ls KIND [-o table|json]`.

use crate::app::columns::{Row, columns};
use crate::app::runtime::unix_now;
use crate::app::view::View;
use crate::backend::Backend;
use crate::cli::{Kind, Output};
use crate::domain::Snapshot;
use crate::routes::feed::{self, FeedConfig};
use crate::routes::live::{self, Live};
use crate::ui::text;
use std::io::Write;
use unicode_width::UnicodeWidthStr;

pub async fn ls(
    backend: &dyn Backend,
    kind: Kind,
    output: Output,
    routes: &FeedConfig,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let mut snap = backend.snapshot().await?;
    if kind == Kind::Routes {
        // Routes with their status: every backend probed once.
        let mut live = Live::default();
        let shared = std::sync::Arc::new(snap.clone());
        feed::probe_once(backend, routes, &shared, &mut live).await;
        for n in &live.notes {
            eprintln!("berth: {n}");
        }
        snap.routes = live::compose(&snap, &live);
    }
    // The rest is listed; what the backend could not see is said apart.
    for p in &snap.problems {
        eprintln!("berth: {p}");
    }
    match output {
        Output::Json => {
            let value = match kind {
                Kind::Nodes => serde_json::to_value(&snap.nodes)?,
                Kind::Stacks => serde_json::to_value(&snap.stacks)?,
                Kind::Services => serde_json::to_value(&snap.services)?,
                Kind::Containers => serde_json::to_value(&snap.containers)?,
                Kind::Routes => serde_json::to_value(&snap.routes)?,
            };
            serde_json::to_writer_pretty(&mut *out, &value)?;
            writeln!(out)?;
        }
        Output::Table => table(&snap, view_of(kind), out)?,
    }
    Ok(())
}

fn view_of(kind: Kind) -> View {
    match kind {
        Kind::Nodes => View::Nodes,
        Kind::Stacks => View::Stacks,
        Kind::Services => View::Services,
        Kind::Containers => View::Containers,
        Kind::Routes => View::Routes,
    }
}

/// The console's columns, sized to their content.
fn table(snap: &Snapshot, view: View, out: &mut impl Write) -> std::io::Result<()> {
    let cols = columns(view);
    let now = unix_now();
    let rows: Vec<Vec<String>> = (0..)
        .map_while(|i| Row::get(snap, view, i))
        .map(|r| {
            (0..cols.len())
                .map(|c| r.plain_cell(c, now).into_owned())
                .collect()
        })
        .collect();
    let widths: Vec<usize> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter()
                .map(|r| r[i].width())
                .chain([c.title.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| -> String {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .zip(cols)
            .map(|((s, w), c)| text::cell(s, *w, c.numeric))
            .collect();
        parts.join("  ").trim_end().to_owned()
    };
    writeln!(
        out,
        "{}",
        line(cols.iter().map(|c| c.title.to_owned()).collect())
    )?;
    for r in rows {
        writeln!(out, "{}", line(r))?;
    }
    Ok(())
}
