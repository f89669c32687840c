//! A short list to choose from, narrowed as you type: the contexts of
//! `:ctx` and the namespaces of `:ns`.

use crate::backend::kube::Contexts;

/// What is being chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickKind {
    /// A kubeconfig context (their namespaces come along).
    Context(Contexts),
    /// A namespace, or every namespace ([`ALL_NAMESPACES`]).
    Namespace,
}

/// The namespace picker's entry for every namespace (no namespace has a space).
pub const ALL_NAMESPACES: &str = "all namespaces";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub kind: PickKind,
    pub items: Vec<String>,
    /// The entry in force now, marked.
    pub current: Option<String>,
    /// Typed text: only entries containing it (any case) are shown.
    pub filter: String,
    /// Index into [`Picker::visible`].
    pub selected: usize,
}

impl Picker {
    /// Opens on the current entry.
    pub fn new(kind: PickKind, items: Vec<String>, current: Option<String>) -> Picker {
        let selected = current
            .as_ref()
            .and_then(|c| items.iter().position(|i| i == c))
            .unwrap_or(0);
        Picker {
            kind,
            items,
            current,
            filter: String::new(),
            selected,
        }
    }

    pub fn title(&self) -> &'static str {
        match self.kind {
            PickKind::Context(_) => "context",
            PickKind::Namespace => "namespace",
        }
    }

    pub fn visible(&self) -> Vec<&str> {
        let f = self.filter.to_lowercase();
        self.items
            .iter()
            .filter(|i| i.to_lowercase().contains(&f))
            .map(String::as_str)
            .collect()
    }

    pub fn chosen(&self) -> Option<String> {
        self.visible().get(self.selected).map(|s| (*s).to_owned())
    }

    pub fn move_by(&mut self, delta: isize) {
        let n = self.visible().len();
        if n == 0 {
            self.selected = 0;
            return;
        }
        self.selected = self.selected.saturating_add_signed(delta).min(n - 1);
    }

    /// The filter changed: keep the cursor on a shown entry.
    pub fn refilter(&mut self) {
        self.selected = 0;
    }
}
