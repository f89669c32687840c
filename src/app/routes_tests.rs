//! The routes view in the reducer: probe results laid over the snapshot,
//! navigation from a route and to a service's routes, operations on a
//! route's service.

use super::update_tests::act;
use super::*;
use crate::backend::BackendEvent;
use crate::domain::fixtures::routed;
use crate::domain::{RouteStatus, TargetRef};
use crate::routes::live::Live;
use crate::routes::probe::Probe;
use std::sync::Arc;
use view::View;

fn on_routes() -> AppState {
    let mut s = super::update_tests::state_with(false);
    update(
        &mut s,
        Msg::Backend(BackendEvent::Snapshot(Arc::new(routed()))),
    );
    act(&mut s, &[Action::ViewRoutes]);
    s
}

fn list(s: &AppState) -> &list::ListState {
    match s.screen() {
        Screen::List(l) => l,
        other => panic!("not a list: {other:?}"),
    }
}

#[test]
fn probe_results_change_the_shown_status_and_the_watching_follows_the_screen() {
    let mut s = on_routes();
    let w = routes::watching(&s);
    assert!(w.on);
    assert_eq!(w.visible, vec!["172.20.0.5:8080", "172.20.0.6:8080"]);
    let mut live = Live::default();
    for key in ["172.20.0.5:8080", "172.20.0.6:8080"] {
        live.probes.insert(
            key.into(),
            Probe {
                status: RouteStatus::Down,
                latency_ms: None,
                detail: "connection refused".into(),
            },
        );
    }
    update(&mut s, Msg::Routes(Arc::new(live)));
    let shop = s
        .snapshot
        .routes
        .iter()
        .find(|r| r.name == "shop")
        .expect("shop");
    assert_eq!(
        (shop.status, shop.status_detail.as_str()),
        (RouteStatus::Down, "connection refused")
    );
    // The backend's own snapshot is left as it was.
    assert_eq!(
        s.base
            .routes
            .iter()
            .find(|r| r.name == "shop")
            .map(|r| r.status),
        Some(RouteStatus::Up)
    );
    // A new backend snapshot keeps the probes laid over it.
    update(
        &mut s,
        Msg::Backend(BackendEvent::Snapshot(Arc::new(routed()))),
    );
    let shop = s
        .snapshot
        .routes
        .iter()
        .find(|r| r.name == "shop")
        .expect("shop");
    assert_eq!(shop.status, RouteStatus::Down);

    act(&mut s, &[Action::ViewContainers]);
    assert!(!routes::watching(&s).on, "no probes off the routes view");
}

#[test]
fn enter_on_a_route_lists_its_service_replicas_and_w_comes_back_to_routes() {
    let mut s = on_routes();
    // Sorted by host: grafana, shop, shop /api.
    act(&mut s, &[Action::Down, Action::Open]);
    let l = list(&s);
    assert_eq!(l.view, View::Containers);
    assert_eq!(l.scope.service.as_deref(), Some("shop/web"));
    assert_eq!(l.rows.len(), 2);
    act(&mut s, &[Action::ViewServices]);
    // Services sorted by name: db, grafana, …; grafana has one route.
    act(&mut s, &[Action::Down, Action::ShowRoutes]);
    let l = list(&s);
    assert_eq!(l.view, View::Routes);
    assert_eq!(l.scope.service.as_deref(), Some("monitoring/grafana"));
    assert_eq!(l.rows.len(), 1);
}

#[test]
fn an_operation_on_a_route_acts_on_its_service() {
    let mut s = on_routes();
    let cmds = act(&mut s, &[Action::Down, Action::Redeploy]);
    let target = cmds.iter().find_map(|c| match c {
        Command::Check { req } => Some(req.target.clone()),
        _ => None,
    });
    match target {
        Some(TargetRef::Service(svc)) => assert_eq!(svc.id, "shop/web"),
        other => panic!("expected the route's service as target, got {other:?}"),
    }
}
