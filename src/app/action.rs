//! The one vocabulary of things a user can ask for. Keymaps bind key strings
//! to these names (snake_case); variants that carry data are not bindable.

use crate::domain::OpKind;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    // global
    Quit,
    Help,
    Command,
    Filter,
    Back,
    ToggleLogPane,
    // movement
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Left,
    Right,
    // lists
    Open,
    Logs,
    PreviousLogs,
    SortNext,
    SortReverse,
    ClearFilter,
    // views
    ViewNodes,
    ViewStacks,
    ViewServices,
    ViewContainers,
    ViewRoutes,
    /// The routes of the selected service (or container's service, stack).
    ShowRoutes,
    // logs
    ToggleFollow,
    ToggleTimestamps,
    ToggleWrap,
    ToggleColors,
    ToggleSource,
    Search,
    SearchNext,
    SearchPrev,
    SaveLogs,
    // operations (mutating: hidden and refused with --read-only)
    Scale,
    Restart,
    Stop,
    Start,
    Redeploy,
    Rollback,
    DrainNode,
    PauseNode,
    ActivateNode,
    // confirmation and progress
    Confirm,
    Cancel,
    Operations,
    CancelOperation,
}

impl Action {
    /// Every bindable action, for help screens and for checking keymaps.
    pub const ALL: &'static [Action] = &[
        Action::Quit,
        Action::Help,
        Action::Command,
        Action::Filter,
        Action::Back,
        Action::ToggleLogPane,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Home,
        Action::End,
        Action::Left,
        Action::Right,
        Action::Open,
        Action::Logs,
        Action::PreviousLogs,
        Action::SortNext,
        Action::SortReverse,
        Action::ClearFilter,
        Action::ViewNodes,
        Action::ViewStacks,
        Action::ViewServices,
        Action::ViewContainers,
        Action::ViewRoutes,
        Action::ShowRoutes,
        Action::ToggleFollow,
        Action::ToggleTimestamps,
        Action::ToggleWrap,
        Action::ToggleColors,
        Action::ToggleSource,
        Action::Search,
        Action::SearchNext,
        Action::SearchPrev,
        Action::SaveLogs,
        Action::Scale,
        Action::Restart,
        Action::Stop,
        Action::Start,
        Action::Redeploy,
        Action::Rollback,
        Action::DrainNode,
        Action::PauseNode,
        Action::ActivateNode,
        Action::Confirm,
        Action::Cancel,
        Action::Operations,
        Action::CancelOperation,
    ];

    /// The operation an action asks for, if it changes the cluster.
    pub fn op_kind(self) -> Option<OpKind> {
        Some(match self {
            Action::Scale => OpKind::Scale,
            Action::Restart => OpKind::Restart,
            Action::Stop => OpKind::Stop,
            Action::Start => OpKind::Start,
            Action::Redeploy => OpKind::Redeploy,
            Action::Rollback => OpKind::Rollback,
            Action::DrainNode => OpKind::Drain,
            Action::PauseNode => OpKind::Pause,
            Action::ActivateNode => OpKind::Activate,
            _ => return None,
        })
    }

    /// The name used in keymap files.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// A short description for the help screen.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "quit berth",
            Action::Help => "show this help",
            Action::Command => "command mode (:containers, :stacks, :q ...)",
            Action::Filter => "filter rows / log lines",
            Action::Back => "close the notice or the filter, go back",
            Action::ToggleLogPane => "show berth's own log",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Home => "first row",
            Action::End => "last row",
            Action::Left => "scroll left",
            Action::Right => "scroll right",
            Action::Open => "open (drill down)",
            Action::Logs => "follow logs of the selection",
            Action::PreviousLogs => "previous run's logs, before a crash (Kubernetes)",
            Action::SortNext => "sort by next column",
            Action::SortReverse => "reverse sort order",
            Action::ClearFilter => "clear the filter",
            Action::ViewNodes => "nodes",
            Action::ViewStacks => "stacks",
            Action::ViewServices => "services",
            Action::ViewContainers => "containers",
            Action::ViewRoutes => "routes: which host and path reach which service",
            Action::ShowRoutes => "routes of the selected service or stack",
            Action::ToggleFollow => "pause / resume follow",
            Action::ToggleTimestamps => "show timestamps",
            Action::ToggleWrap => "wrap long lines",
            Action::ToggleColors => "show the container's own colours",
            Action::ToggleSource => "show the source of each line",
            Action::Search => "search in logs",
            Action::SearchNext => "next match",
            Action::SearchPrev => "previous match",
            Action::SaveLogs => "save the buffer to a file",
            Action::Scale => "scale the service (asks for the replica count)",
            Action::Restart => "restart the service or container",
            Action::Stop => "stop the service or container",
            Action::Start => "start the service or container",
            Action::Redeploy => "redeploy: pull the image, replace the containers",
            Action::Rollback => "roll back to the previous spec / image",
            Action::DrainNode => "drain the node: its tasks or pods move to others",
            Action::PauseNode => "pause (cordon) the node: no new tasks; own stay",
            Action::ActivateNode => "activate (uncordon) the node: takes tasks again",
            Action::Confirm => "go ahead with the operation",
            Action::Cancel => "do not do it",
            Action::Operations => "operations of this session and their progress",
            Action::CancelOperation => "cancel the selected operation at a safe point",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_serde() {
        for a in Action::ALL {
            let name = a.name();
            let back: Action = serde_json::from_value(serde_json::Value::String(name.clone()))
                .expect("name parses back");
            assert_eq!(*a, back, "{name}");
        }
        assert_eq!(Action::SearchNext.name(), "search_next");
        assert_eq!(Action::ViewContainers.name(), "view_containers");
        assert_eq!(Action::DrainNode.name(), "drain_node");
    }
}
