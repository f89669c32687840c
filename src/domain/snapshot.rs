use super::{Container, Node, Route, Service, Stack};
use serde::Serialize;

/// Everything a backend knows at one moment. Backends send a fresh snapshot
/// after each coalesced batch of changes; the app never patches it by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    pub nodes: Vec<Node>,
    pub stacks: Vec<Stack>,
    pub services: Vec<Service>,
    pub containers: Vec<Container>,
    /// What the backend cannot see, in its words ("forbidden: list pods
    /// in kube-system"): the rest is shown, this is said.
    pub problems: Vec<String>,
    /// Routes declared by labels or objects the backend watches.
    pub routes: Vec<Route>,
}

impl Snapshot {
    pub fn containers_of_service<'a>(
        &'a self,
        key: &'a str,
    ) -> impl Iterator<Item = &'a Container> {
        self.containers.iter().filter(move |c| c.service_id == key)
    }
}
