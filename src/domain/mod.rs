//! Plain data shared by backends, the app core and the UI. No I/O here.

mod container;
#[doc(hidden)]
pub mod fixtures;
mod node;
mod operation;
mod resolve;
mod route;
mod service;
mod snapshot;
mod stack;

pub use container::{
    Container, ContainerPart, ContainerState, Health, PartState, PortMapping, TaskInfo,
};
pub use node::Node;
pub use operation::{
    Capabilities, ContainerRef, NodeRef, OpEvent, OpKind, OpRequest, Operation, Outcome, Plan,
    ReplicaProgress, ServiceRef, Step, TargetRef,
};
pub use resolve::{container_ref, resolve};
pub use route::{Backend, Route, RouteSource, RouteStatus};
pub use service::{Service, ServiceKind, ServiceMode, UpdateState};
pub use snapshot::Snapshot;
pub use stack::{Stack, StackKind};
