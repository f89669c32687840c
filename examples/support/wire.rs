//! Probe traffic on the wire, counted by the kernel: two iptables chains
//! that only count (no verdict), jumped to for TCP between this host and a
//! subnet's port. Requests are the SYNs going out (berth opens one
//! connection per probe, `Connection: close`); bytes are IP packet lengths
//! both ways. The program measured runs with its own primary group
//! ([`PROBE_GID`], see [`Counters::command_prefix`]): its connections are
//! marked and counted apart from everyone else's (other users of a shared
//! engine run `berth ls routes`, which probes every route on it).
//! `#[path]`-included by the bench drivers.

use super::measure::run_ok;
use anyhow::{Context, Result};
use std::process::Command;

/// The chains; `scripts/bench` removes them too, however a run ends.
pub const OUT_CHAIN: &str = "BERTH-BENCH-RT-OUT";
pub const IN_CHAIN: &str = "BERTH-BENCH-RT-IN";
/// The group the measured program runs with (its uid stays: root reaches
/// everything it needs whatever its group).
pub const PROBE_GID: u32 = 47_310;
/// The connection mark of its connections, in bits no other user sets.
const MARK: &str = "0x5b0000/0xff0000";

/// Counters read at one instant: the measured program's connections,
/// and everyone's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counted {
    pub ours: Traffic,
    pub all: Traffic,
}

impl Counted {
    pub fn until(self, later: Counted) -> Counted {
        Counted {
            ours: self.ours.until(later.ours),
            all: self.all.until(later.all),
        }
    }

    /// Requests to the subnet by others than the measured program.
    pub fn others_requests(&self) -> u64 {
        self.all.requests.saturating_sub(self.ours.requests)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Connections opened towards the subnet's port (SYN without ACK).
    pub requests: u64,
    pub packets_out: u64,
    pub bytes_out: u64,
    pub packets_in: u64,
    pub bytes_in: u64,
}

impl Traffic {
    /// What happened between `self` (earlier) and `later`.
    pub fn until(self, later: Traffic) -> Traffic {
        Traffic {
            requests: later.requests - self.requests,
            packets_out: later.packets_out - self.packets_out,
            bytes_out: later.bytes_out - self.bytes_out,
            packets_in: later.packets_in - self.packets_in,
            bytes_in: later.bytes_in - self.bytes_in,
        }
    }

    pub fn bytes(&self) -> u64 {
        self.bytes_out + self.bytes_in
    }
}

/// Counting chains for TCP to `subnet`:`port` and back; removed on drop.
pub struct Counters {
    jumps: Vec<Vec<String>>,
}

fn iptables(args: &[&str]) -> Result<String> {
    run_ok(Command::new("iptables").arg("-w").args(args))
}

impl Counters {
    pub fn install(subnet: &str, port: u16) -> Result<Counters> {
        remove_chains();
        let port = port.to_string();
        iptables(&["-N", OUT_CHAIN]).context("iptables (root and iptables are needed)")?;
        iptables(&["-N", IN_CHAIN])?;
        // Out: rule 1 marks the measured program's connections, 2 and 3
        // count their new connections and packets, 4 and 5 everyone's.
        // In: the marked connections' packets, then everyone's.
        let gid = PROBE_GID.to_string();
        iptables(&[
            "-A",
            OUT_CHAIN,
            "-m",
            "owner",
            "--gid-owner",
            &gid,
            "-j",
            "CONNMARK",
            "--set-xmark",
            MARK,
        ])?;
        iptables(&[
            "-A", OUT_CHAIN, "-m", "connmark", "--mark", MARK, "-p", "tcp", "--syn",
        ])?;
        iptables(&[
            "-A", OUT_CHAIN, "-m", "connmark", "--mark", MARK, "-p", "tcp",
        ])?;
        iptables(&["-A", OUT_CHAIN, "-p", "tcp", "--syn"])?;
        iptables(&["-A", OUT_CHAIN, "-p", "tcp"])?;
        iptables(&[
            "-A", IN_CHAIN, "-m", "connmark", "--mark", MARK, "-p", "tcp",
        ])?;
        iptables(&["-A", IN_CHAIN, "-p", "tcp"])?;
        let jumps: Vec<Vec<String>> = [
            [
                "OUTPUT", "-d", subnet, "-p", "tcp", "--dport", &port, "-j", OUT_CHAIN,
            ],
            [
                "INPUT", "-s", subnet, "-p", "tcp", "--sport", &port, "-j", IN_CHAIN,
            ],
        ]
        .iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect();
        // Installed jumps are kept as they go: a failure halfway drops them.
        let mut counters = Counters { jumps: Vec::new() };
        for rule in &jumps {
            let mut args: Vec<&str> = vec!["-I", rule[0].as_str(), "1"];
            args.extend(rule[1..].iter().map(String::as_str));
            iptables(&args)?;
            counters.jumps.push(rule.clone());
        }
        Ok(counters)
    }

    pub fn read(&self) -> Result<Counted> {
        let out = chain_counts(OUT_CHAIN)?;
        let inn = chain_counts(IN_CHAIN)?;
        let at = |v: &[(u64, u64)], i: usize| v.get(i).copied().context("a counting rule is gone");
        let traffic = |o: usize, i: usize| -> Result<Traffic> {
            Ok(Traffic {
                requests: at(&out, o)?.0,
                packets_out: at(&out, o + 1)?.0,
                bytes_out: at(&out, o + 1)?.1,
                packets_in: at(&inn, i)?.0,
                bytes_in: at(&inn, i)?.1,
            })
        };
        Ok(Counted {
            ours: traffic(1, 0)?,
            all: traffic(3, 1)?,
        })
    }

    /// What to run the measured program through so that its connections
    /// are counted as its own: `setpriv` with the group [`PROBE_GID`].
    pub fn command_prefix() -> Vec<String> {
        [
            "setpriv",
            "--regid",
            &PROBE_GID.to_string(),
            "--keep-groups",
            "--",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }
}

impl Drop for Counters {
    fn drop(&mut self) {
        for rule in &self.jumps {
            let mut args: Vec<&str> = vec!["-D"];
            args.extend(rule.iter().map(String::as_str));
            let _ = iptables(&args);
        }
        remove_chains();
    }
}

/// (packets, bytes) of each rule of `chain`, in order.
fn chain_counts(chain: &str) -> Result<Vec<(u64, u64)>> {
    let text = iptables(&["-n", "-v", "-x", "-L", chain])?;
    text.lines()
        .skip(2)
        .map(|l| {
            let mut f = l.split_whitespace();
            let p = f.next().context("no packet count")?.parse()?;
            let b = f.next().context("no byte count")?.parse()?;
            Ok((p, b))
        })
        .collect()
}

/// Removes the chains and every jump to them (a run killed before its
/// drop leaves them behind).
pub fn remove_chains() {
    for chain in [OUT_CHAIN, IN_CHAIN] {
        for base in ["OUTPUT", "INPUT"] {
            let Ok(rules) = iptables(&["-S", base]) else {
                continue;
            };
            for rule in rules
                .lines()
                .filter(|r| r.ends_with(&format!("-j {chain}")))
            {
                let Some(spec) = rule.strip_prefix("-A ") else {
                    continue;
                };
                let mut args = vec!["-D"];
                args.extend(spec.split_whitespace());
                let _ = iptables(&args);
            }
        }
        let _ = iptables(&["-F", chain]);
        let _ = iptables(&["-X", chain]);
    }
}
