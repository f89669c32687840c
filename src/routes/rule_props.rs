//! Properties of both rule parsers: no input panics or takes long, and a
//! well-formed rule gives back exactly the hosts that were put in it.

use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::rule::{RuleError, RuleInfo, Syntax, parse_v1, parse_v2};

type Parser = dyn Fn(&str) -> Result<RuleInfo, RuleError>;

/// Generous for a debug build on a shared machine; a loop would never end.
const QUICK: Duration = Duration::from_secs(2);

/// Runs every parser on `input` and checks each returns quickly, with an
/// error position inside the input.
fn parses_quickly(input: &str) -> Result<(), TestCaseError> {
    let len = input.chars().count();
    let runs: [(&str, &Parser); 3] = [
        ("v2", &|r| parse_v2(r, Syntax::V2)),
        ("v3", &|r| parse_v2(r, Syntax::V3)),
        ("v1", &parse_v1),
    ];
    for (which, parse) in runs {
        let started = Instant::now();
        let result = parse(input);
        prop_assert!(
            started.elapsed() < QUICK,
            "{which} took {:?}",
            started.elapsed()
        );
        if let Err(e) = result {
            prop_assert!(e.pos <= len, "{which}: pos {} past the end ({len})", e.pos);
            prop_assert!(!e.message.is_empty());
        }
    }
    Ok(())
}

/// Pieces of both grammars, so generated strings get deep into the parsers.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Host(".to_string()),
        Just("PathPrefix(".to_string()),
        Just("HostRegexp(".to_string()),
        Just("Host:".to_string()),
        Just("HostRegexp:".to_string()),
        Just("PathPrefixStrip:".to_string()),
        Just("`".to_string()),
        Just("\"".to_string()),
        Just("\\".to_string()),
        Just("\\x".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("&&".to_string()),
        Just("||".to_string()),
        Just("&".to_string()),
        Just("!".to_string()),
        Just(";".to_string()),
        Just(":".to_string()),
        Just(",".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("é".to_string()),
        Just("日本".to_string()),
        Just("🦀".to_string()),
        Just("\u{301}".to_string()),
        "[a-zA-Z./0-9]{1,8}",
    ]
}

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(token(), 0..80).prop_map(|parts| parts.concat())
}

/// A well-formed v2/v3 rule, as a tree.
#[derive(Debug, Clone)]
enum Rule {
    Host(Vec<String>),
    Prefix(String),
    Method,
    And(Box<Rule>, Box<Rule>),
    Or(Box<Rule>, Box<Rule>),
    Not(Box<Rule>),
}

impl Rule {
    fn render(&self, backticks: bool) -> String {
        let quote = |v: &str| {
            if backticks {
                format!("`{v}`")
            } else {
                format!("\"{v}\"")
            }
        };
        match self {
            Rule::Host(hosts) => {
                let values: Vec<String> = hosts.iter().map(|h| quote(h)).collect();
                format!("Host({})", values.join(", "))
            }
            Rule::Prefix(p) => format!("PathPrefix({})", quote(p)),
            Rule::Method => format!("Method({})", quote("GET")),
            Rule::And(a, b) => format!("({}) && ({})", a.render(backticks), b.render(backticks)),
            Rule::Or(a, b) => format!("{} || {}", a.render(backticks), b.render(backticks)),
            Rule::Not(a) => format!("!({})", a.render(backticks)),
        }
    }

    /// Hosts outside any `!`, lowercased, in order of first appearance.
    fn hosts(&self, negated: bool, out: &mut Vec<String>) {
        match self {
            Rule::Host(hosts) if !negated => {
                for h in hosts {
                    let h = h.to_lowercase();
                    if !out.contains(&h) {
                        out.push(h);
                    }
                }
            }
            Rule::And(a, b) | Rule::Or(a, b) => {
                a.hosts(negated, out);
                b.hosts(negated, out);
            }
            Rule::Not(a) => a.hosts(!negated, out),
            _ => {}
        }
    }
}

fn host_name() -> impl Strategy<Value = String> {
    "[a-zA-Z][a-z0-9-]{0,8}(\\.[a-zA-Z]{2,5}){0,2}"
}

/// `max_hosts`: values per Host matcher (1 for v3).
fn rule(max_hosts: usize) -> impl Strategy<Value = Rule> {
    let leaf = prop_oneof![
        3 => prop::collection::vec(host_name(), 1..=max_hosts).prop_map(Rule::Host),
        1 => "/[a-z]{0,6}".prop_map(Rule::Prefix),
        1 => Just(Rule::Method),
    ];
    leaf.prop_recursive(6, 40, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Rule::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Rule::Or(Box::new(a), Box::new(b))),
            inner.prop_map(|a| Rule::Not(Box::new(a))),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_strings_never_panic_or_hang(input in any::<String>()) {
        parses_quickly(&input)?;
    }

    #[test]
    fn grammar_token_soup_never_panics_or_hangs(input in token_soup()) {
        parses_quickly(&input)?;
    }

    #[test]
    fn well_formed_v3_rules_list_their_hosts(rule in rule(1), backticks in any::<bool>()) {
        let text = rule.render(backticks);
        let mut expected = Vec::new();
        rule.hosts(false, &mut expected);
        for syntax in [Syntax::V2, Syntax::V3] {
            let info = parse_v2(&text, syntax);
            prop_assert!(info.is_ok(), "{text} ({syntax:?}): {info:?}");
            prop_assert_eq!(info.map(|i| i.hosts).unwrap_or_default(), expected.clone(), "{}", text);
        }
    }

    #[test]
    fn well_formed_v2_rules_list_their_hosts(rule in rule(3), backticks in any::<bool>()) {
        let text = rule.render(backticks);
        let mut expected = Vec::new();
        rule.hosts(false, &mut expected);
        let info = parse_v2(&text, Syntax::V2);
        prop_assert!(info.is_ok(), "{text}: {info:?}");
        prop_assert_eq!(info.map(|i| i.hosts).unwrap_or_default(), expected, "{}", text);
    }

    #[test]
    fn well_formed_v1_rules_list_their_hosts(
        hosts in prop::collection::vec(prop::collection::vec(host_name(), 1..4), 1..3),
        prefix in prop::option::of("/[a-z]{1,6}"),
        spaced in any::<bool>(),
    ) {
        let sep = if spaced { " , " } else { "," };
        let mut parts: Vec<String> =
            hosts.iter().map(|group| format!("Host:{}", group.join(sep))).collect();
        if let Some(p) = &prefix {
            parts.push(format!("PathPrefixStrip:{p}"));
        }
        let text = parts.join(";");
        let mut expected: Vec<String> = Vec::new();
        for h in hosts.iter().flatten().map(|h| h.to_lowercase()) {
            if !expected.contains(&h) {
                expected.push(h);
            }
        }
        let info = parse_v1(&text);
        prop_assert!(info.is_ok(), "{text}: {info:?}");
        let info = info.unwrap_or_default();
        prop_assert_eq!(info.hosts, expected, "{}", text);
        prop_assert_eq!(info.paths, prefix.map(|p| vec![format!("{p}*")]).unwrap_or_default());
    }
}

#[test]
fn pathological_inputs_are_refused_quickly() {
    let inputs = [
        "(".repeat(200_000),
        ")".repeat(200_000),
        "!".repeat(200_000),
        "`".repeat(200_001),
        "\"".repeat(200_001),
        "{".repeat(200_000),
        format!("Host:{}", ",".repeat(200_000)),
        format!(
            "Host(`a`{})",
            (0..50_000).map(|i| format!(", `h{i}`")).collect::<String>()
        ),
        format!("{}Host(`a`)", "!(".repeat(100_000)),
        "Host(`a`) && ".repeat(20_000),
        "\\u".repeat(100_000),
    ];
    for input in inputs {
        let started = Instant::now();
        let _ = parse_v2(&input, Syntax::V3);
        let _ = parse_v2(&input, Syntax::V2);
        let _ = parse_v1(&input);
        assert!(started.elapsed() < QUICK * 3, "{:?}", started.elapsed());
    }
}
