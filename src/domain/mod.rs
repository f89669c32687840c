//! Plain data shared by backends, the app core and the UI. No I/O here.

mod container;
#[doc(hidden)]
pub mod fixtures;
mod node;
mod service;
mod snapshot;
mod stack;

pub use container::{Container, ContainerState, Health, PortMapping};
pub use node::Node;
pub use service::{Service, ServiceKind};
pub use snapshot::Snapshot;
pub use stack::{Stack, StackKind};
