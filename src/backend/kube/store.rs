//! A kind's objects as the watcher keeps them (already slimmed), by
//! `namespace/name`. In place of kube-rs's reflector store: it holds what
//! berth reads, not whole objects, and says when the first page of a
//! listing is in so that the console can draw it at once.

use kube::ResourceExt;
use kube::runtime::watcher::Event;
use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard};

/// What an event did to the store, as far as the snapshot cares.
#[derive(Debug, PartialEq, Eq)]
pub enum Applied {
    /// Nothing to show yet (a listing under way).
    Nothing,
    /// Objects changed after the listing.
    Changed,
    /// The first listing has brought this many objects, a page at a time.
    Page(usize),
    /// A listing is complete.
    Listed,
}

pub struct Inner<K> {
    live: HashMap<String, K>,
    /// A re-listing (after a 410 Gone or a reconnection) gathers here and
    /// replaces `live` when complete, so objects deleted meanwhile go.
    relist: Option<HashMap<String, K>>,
    /// A first page fetched on its own while the first listing runs, shown
    /// until that listing has brought more.
    preview: Vec<K>,
    listed: bool,
}

pub struct Store<K>(Arc<RwLock<Inner<K>>>);

impl<K> Clone for Store<K> {
    fn clone(&self) -> Self {
        Store(self.0.clone())
    }
}

fn key<K: ResourceExt>(o: &K) -> String {
    match o.namespace() {
        Some(ns) => format!("{ns}/{}", o.name_any()),
        None => o.name_any(),
    }
}

impl<K: ResourceExt + PartialEq> Store<K> {
    pub fn new() -> Store<K> {
        Store(Arc::new(RwLock::new(Inner {
            live: HashMap::new(),
            relist: None,
            preview: Vec::new(),
            listed: false,
        })))
    }

    /// The objects, for one snapshot.
    pub fn read(&self) -> RwLockReadGuard<'_, Inner<K>> {
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Applies one watcher event; `page` objects make a page of a listing.
    pub fn apply(&self, ev: Event<K>, page: usize) -> Applied {
        let mut o = self.0.write().unwrap_or_else(|e| e.into_inner());
        match ev {
            Event::Apply(obj) => {
                let k = key(&obj);
                // Slimmed to what berth reads, an update may change nothing
                // berth shows (an Endpoints' leader-election annotation).
                if o.live.get(&k) == Some(&obj) {
                    return Applied::Nothing;
                }
                o.live.insert(k, obj);
                Applied::Changed
            }
            Event::Delete(obj) => {
                o.live.remove(&key(&obj));
                Applied::Changed
            }
            // The first listing fills the (empty) store as pages come, so
            // that the first page can be shown; a re-listing is gathered
            // aside.
            Event::Init => {
                if o.listed {
                    o.relist = Some(HashMap::with_capacity(o.live.len()));
                } else {
                    o.live.clear();
                }
                Applied::Nothing
            }
            Event::InitApply(obj) => {
                let k = key(&obj);
                match o.relist.as_mut() {
                    Some(r) => {
                        r.insert(k, obj);
                        Applied::Nothing
                    }
                    None => {
                        o.live.insert(k, obj);
                        let n = o.live.len();
                        if n > o.preview.len() {
                            o.preview = Vec::new();
                        }
                        if n.is_multiple_of(page.max(1)) {
                            Applied::Page(n)
                        } else {
                            Applied::Nothing
                        }
                    }
                }
            }
            Event::InitDone => {
                if let Some(r) = o.relist.take() {
                    o.live = r;
                }
                o.listed = true;
                o.preview = Vec::new();
                Applied::Listed
            }
        }
    }
}

impl<K: ResourceExt> Store<K> {
    /// A first page from a request of its own: shown until the listing is
    /// complete or has brought more. False when it came too late.
    pub fn preview(&self, page: Vec<K>) -> bool {
        let mut o = self.0.write().unwrap_or_else(|e| e.into_inner());
        if o.listed || o.live.len() >= page.len() {
            return false;
        }
        o.preview = page;
        true
    }
}

impl<K> Inner<K> {
    /// The objects shown (during a re-listing, the ones from before it).
    pub fn iter(&self) -> Box<dyn Iterator<Item = &K> + '_> {
        if self.preview.is_empty() {
            Box::new(self.live.values())
        } else {
            Box::new(self.preview.iter())
        }
    }

    pub fn len(&self) -> usize {
        self.live.len().max(self.preview.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;

    fn pod(name: &str, phase: &str) -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "namespace": "ns"},
            "status": {"phase": phase}
        }))
        .expect("pod")
    }

    fn names(s: &Store<Pod>) -> Vec<String> {
        let mut v: Vec<String> = s.read().iter().map(|p| p.name_any()).collect();
        v.sort();
        v
    }

    #[test]
    fn the_first_listing_shows_each_page_as_it_comes() {
        let s = Store::new();
        assert_eq!(s.apply(Event::Init, 2), Applied::Nothing);
        assert_eq!(
            s.apply(Event::InitApply(pod("a", "Pending")), 2),
            Applied::Nothing
        );
        assert_eq!(
            s.apply(Event::InitApply(pod("b", "Pending")), 2),
            Applied::Page(2)
        );
        assert_eq!(names(&s), ["a", "b"]);
        assert_eq!(
            s.apply(Event::InitApply(pod("c", "Pending")), 2),
            Applied::Nothing
        );
        assert_eq!(s.apply(Event::InitDone, 2), Applied::Listed);
        assert_eq!(
            s.apply(Event::Apply(pod("a", "Running")), 2),
            Applied::Changed
        );
        assert_eq!(
            s.apply(Event::Delete(pod("b", "Running")), 2),
            Applied::Changed
        );
        assert_eq!(names(&s), ["a", "c"]);
        let a = s.read().iter().find(|p| p.name_any() == "a").cloned();
        assert_eq!(
            a.and_then(|p| p.status).and_then(|st| st.phase).as_deref(),
            Some("Running")
        );
    }

    #[test]
    fn an_update_that_leaves_the_slimmed_object_as_it_was_changes_nothing() {
        let s = Store::new();
        s.apply(Event::Init, 500);
        s.apply(Event::InitApply(pod("a", "Running")), 500);
        s.apply(Event::InitDone, 500);
        assert_eq!(
            s.apply(Event::Apply(pod("a", "Running")), 500),
            Applied::Nothing
        );
        assert_eq!(
            s.apply(Event::Apply(pod("a", "Failed")), 500),
            Applied::Changed
        );
    }

    #[test]
    fn a_first_page_fetched_aside_shows_until_the_listing_brings_more() {
        let s = Store::new();
        s.apply(Event::Init, 500);
        assert!(s.preview(vec![pod("a", "Pending"), pod("b", "Pending")]));
        assert_eq!(names(&s), ["a", "b"]);
        s.apply(Event::InitApply(pod("x", "Pending")), 500);
        assert_eq!(names(&s), ["a", "b"]);
        s.apply(Event::InitApply(pod("y", "Pending")), 500);
        s.apply(Event::InitApply(pod("z", "Pending")), 500);
        assert_eq!(names(&s), ["x", "y", "z"]);
        s.apply(Event::InitDone, 500);
        // Too late: the listing is in.
        assert!(!s.preview(vec![pod("a", "Pending")]));
        assert_eq!(names(&s), ["x", "y", "z"]);
    }

    #[test]
    fn a_relisting_replaces_the_store_when_done_dropping_what_was_deleted_meanwhile() {
        let s = Store::new();
        s.apply(Event::Init, 500);
        for n in ["a", "b", "c"] {
            s.apply(Event::InitApply(pod(n, "Running")), 500);
        }
        s.apply(Event::InitDone, 500);
        // A 410 Gone: the watcher lists again; "b" went while it was away.
        s.apply(Event::Init, 500);
        assert_eq!(
            s.apply(Event::InitApply(pod("a", "Running")), 1),
            Applied::Nothing
        );
        s.apply(Event::InitApply(pod("c", "Running")), 500);
        s.apply(Event::InitApply(pod("d", "Running")), 500);
        // Until the listing is complete the console keeps what it had.
        assert_eq!(names(&s), ["a", "b", "c"]);
        assert_eq!(s.apply(Event::InitDone, 500), Applied::Listed);
        assert_eq!(names(&s), ["a", "c", "d"]);
    }
}
