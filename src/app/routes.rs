//! Routes in the app: the backend's snapshot with the route feed's probe
//! results and extra routes laid over it, and what the feed should watch.

use super::columns::Row;
use super::state::{AppState, Screen};
use super::view::View;
use crate::routes::feed::Watching;
use crate::routes::live::{self, Live};
use crate::routes::probe;
use std::sync::Arc;

/// Makes `state.snapshot` the backend's snapshot with `state.routes_live`
/// laid over its routes; shares the backend's snapshot when that changes
/// nothing.
pub fn recompose(state: &mut AppState) {
    let base = state.base.clone();
    if state.routes_live.is_empty() {
        state.snapshot = base;
        return;
    }
    let routes = live::compose(&base, &state.routes_live);
    if routes == base.routes {
        state.snapshot = base;
        return;
    }
    let mut snap = (*base).clone();
    snap.routes = routes;
    crate::routes::tell_services(&mut snap);
    state.snapshot = Arc::new(snap);
}

/// A new [`Live`] from the feed.
pub fn live(state: &mut AppState, live: Arc<Live>) {
    let notes_changed = live.notes != state.routes_live.notes;
    state.routes_live = live;
    if notes_changed && !state.routes_live.notes.is_empty() {
        let text = state.routes_live.notes.join("; ");
        state.notify(super::Level::Warn, text);
    }
    recompose(state);
}

/// The routes list on screen, if it is: the feed probes only then, and
/// the backends of the rows shown first.
pub fn watching(state: &AppState) -> Watching {
    let Screen::List(l) = state.screen() else {
        return Watching::default();
    };
    if l.view != View::Routes {
        return Watching::default();
    }
    let height = state.body_height();
    let mut visible: Vec<String> = l
        .rows
        .iter()
        .skip(l.offset)
        .take(height)
        .filter_map(|&i| match Row::get(&state.snapshot, View::Routes, i) {
            Some(Row::Route(r)) => Some(r),
            _ => None,
        })
        .flat_map(|r| r.backends.iter().map(|b| probe::key(&b.address, b.port)))
        .collect();
    visible.sort();
    visible.dedup();
    Watching { on: true, visible }
}
