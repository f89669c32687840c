//! A swarm service's published ports, read once with the engine's defaults
//! (tcp, the ingress routing mesh) for the services listing and for a
//! rollback plan's differences, which word them apart.

use bollard::models::EndpointPortConfig;

/// One port of a service's endpoint.
pub struct Published {
    /// The port on the nodes; None when the target is not published.
    port: Option<i64>,
    target: i64,
    proto: String,
    /// "ingress" (the routing mesh) or "host" (each node's own port).
    mode: String,
}

impl Published {
    pub fn of(p: &EndpointPortConfig) -> Published {
        Published {
            port: p.published_port.filter(|n| *n > 0),
            target: p.target_port.unwrap_or_default(),
            proto: p
                .protocol
                .map(|p| p.to_string())
                .unwrap_or_else(|| "tcp".into()),
            mode: p
                .publish_mode
                .map(|m| m.to_string())
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "ingress".into()),
        }
    }

    /// "80/tcp": the port in the task's containers.
    fn target(&self) -> String {
        format!("{}/{}", self.target, self.proto)
    }

    /// As the listing shows it, like `docker service ls`: "8080->80/tcp",
    /// marked only when it bypasses the routing mesh.
    pub fn listed(&self) -> String {
        match self.port {
            Some(p) if self.mode == "host" => format!("{p}->{} (host)", self.target()),
            Some(p) => format!("{p}->{}", self.target()),
            None => self.target(),
        }
    }

    /// As a rollback's differences word it, the mode always said: a change
    /// of mode alone is a difference. "8080:80/tcp (ingress)".
    pub fn in_spec(&self) -> String {
        match self.port {
            Some(p) => format!("{p}:{} ({})", self.target(), self.mode),
            None => format!("{} ({})", self.target(), self.mode),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::EndpointPortConfigPublishModeEnum as M;

    #[test]
    fn the_listing_marks_host_mode_and_the_spec_words_name_every_mode() {
        let port = |published, mode| {
            Published::of(&EndpointPortConfig {
                published_port: published,
                target_port: Some(80),
                publish_mode: mode,
                ..Default::default()
            })
        };
        let host = port(Some(8080), Some(M::HOST));
        assert_eq!(host.listed(), "8080->80/tcp (host)");
        assert_eq!(host.in_spec(), "8080:80/tcp (host)");
        let mesh = port(Some(8080), None);
        assert_eq!(mesh.listed(), "8080->80/tcp");
        assert_eq!(mesh.in_spec(), "8080:80/tcp (ingress)");
        let unpublished = port(Some(0), Some(M::INGRESS));
        assert_eq!(unpublished.listed(), "80/tcp");
        assert_eq!(unpublished.in_spec(), "80/tcp (ingress)");
    }
}
