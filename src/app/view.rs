//! Which screen is shown, and how far the user drilled down.

/// The kinds of list, plus the log view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    Nodes,
    Stacks,
    Services,
    Containers,
    /// A pod's containers (Kubernetes), one level below the pod.
    Parts,
    Routes,
    Logs,
}

impl View {
    pub fn name(self) -> &'static str {
        match self {
            View::Nodes => "nodes",
            View::Stacks => "stacks",
            View::Services => "services",
            View::Containers => "containers",
            View::Parts => "containers",
            View::Routes => "routes",
            View::Logs => "logs",
        }
    }

    /// Names and short forms accepted in `:` command mode.
    pub fn parse(s: &str) -> Option<View> {
        let s = s.trim().to_ascii_lowercase();
        let all = [
            View::Nodes,
            View::Stacks,
            View::Services,
            View::Containers,
            View::Routes,
        ];
        let aliases: &[(&str, View)] = &[
            ("no", View::Nodes),
            ("node", View::Nodes),
            ("st", View::Stacks),
            ("stack", View::Stacks),
            ("projects", View::Stacks),
            ("svc", View::Services),
            ("service", View::Services),
            ("co", View::Containers),
            ("container", View::Containers),
            ("ps", View::Containers),
            ("tasks", View::Containers),
            ("pods", View::Containers),
            ("ro", View::Routes),
            ("route", View::Routes),
            ("ingress", View::Routes),
            ("ing", View::Routes),
        ];
        if let Some((_, v)) = aliases.iter().find(|(a, _)| *a == s) {
            return Some(*v);
        }
        let hits: Vec<View> = all
            .into_iter()
            .filter(|v| !s.is_empty() && v.name().starts_with(&s))
            .collect();
        match hits.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }
}

/// A drill-down restriction on a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub stack: Option<String>,
    /// A service key (`stack/service` or a standalone container's name).
    pub service: Option<String>,
    pub node: Option<String>,
    /// A pod: its id (what the rows are scoped by) and its name (the title).
    pub pod: Option<(String, String)>,
}

impl Scope {
    pub fn describe(&self) -> Option<String> {
        self.pod
            .as_ref()
            .map(|(_, name)| format!("pod {name}"))
            .or_else(|| self.service.clone())
            .or_else(|| self.stack.clone())
            .or_else(|| self.node.as_ref().map(|n| format!("node {n}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_names_and_prefixes() {
        assert_eq!(View::parse("containers"), Some(View::Containers));
        assert_eq!(View::parse("co"), Some(View::Containers));
        assert_eq!(View::parse("stac"), Some(View::Stacks));
        assert_eq!(View::parse("svc"), Some(View::Services));
        assert_eq!(View::parse("s"), None, "ambiguous");
        assert_eq!(View::parse("n"), Some(View::Nodes));
        assert_eq!(View::parse("bogus"), None);
    }
}
