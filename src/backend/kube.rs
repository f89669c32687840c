//! Kubernetes backend: arrives with its own issue. Until then selecting it
//! says so plainly instead of half-working.
