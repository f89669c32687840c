//! Middlewares as an operator reads them: by kind, never their secrets.
//! "basic auth (2 users)", "redirect to https", "strip prefix /api".

/// One middleware from its `(option, value)` labels: options are what
/// follows `traefik.http.middlewares.<name>.`, lowercased
/// (`basicauth.users`). Returns the text and what is wrong with it.
pub fn describe(options: &[(String, String)]) -> (String, Vec<String>) {
    let kind = options
        .first()
        .map(|(k, _)| k.split('.').next().unwrap_or_default())
        .unwrap_or_default();
    let get = |key: &str| {
        options
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let mut problems = Vec::new();
    let text = match kind {
        "basicauth" => match get("basicauth.users") {
            Some(users) => {
                problems.extend(basic_auth_problems(users));
                users_text("basic auth", users)
            }
            None if get("basicauth.usersfile").is_some() => "basic auth (users file)".into(),
            None => "basic auth".into(),
        },
        "digestauth" => "digest auth".into(),
        "forwardauth" => match get("forwardauth.address") {
            Some(a) => format!("forward auth {a}"),
            None => "forward auth".into(),
        },
        "redirectscheme" => match get("redirectscheme.scheme") {
            Some(s) => format!("redirect to {s}"),
            None => "redirect scheme".into(),
        },
        "redirectregex" => "redirect regex".into(),
        "stripprefix" => match get("stripprefix.prefixes") {
            Some(p) => format!("strip prefix {p}"),
            None => "strip prefix".into(),
        },
        "stripprefixregex" => "strip prefix regex".into(),
        "addprefix" => match get("addprefix.prefix") {
            Some(p) => format!("add prefix {p}"),
            None => "add prefix".into(),
        },
        "replacepath" => "replace path".into(),
        "replacepathregex" => "replace path regex".into(),
        "ipwhitelist" | "ipallowlist" => {
            let ranges = get(&format!("{kind}.sourcerange"))
                .map(|r| r.split(',').filter(|s| !s.trim().is_empty()).count())
                .unwrap_or(0);
            format!("IP allow list ({ranges} ranges)")
        }
        "ratelimit" => "rate limit".into(),
        "inflightreq" => "in-flight limit".into(),
        "compress" => "compress".into(),
        "headers" => "headers".into(),
        "chain" => match get("chain.middlewares") {
            Some(m) => format!("chain {m}"),
            None => "chain".into(),
        },
        "retry" => "retry".into(),
        "circuitbreaker" => "circuit breaker".into(),
        "buffering" => "buffering".into(),
        "errors" => "error pages".into(),
        "" => "middleware".into(),
        other => other.to_owned(),
    };
    (text, problems)
}

/// "basic auth (2 users)" from `user:hash,user:hash`.
pub fn users_text(kind: &str, users: &str) -> String {
    let n = users.split(',').filter(|u| !u.trim().is_empty()).count();
    let s = if n == 1 { "" } else { "s" };
    format!("{kind} ({n} user{s})")
}

/// What is wrong with `user:hash,…` as it arrived in the label. In a
/// compose file every `$` must be written `$$`; a single one is read as a
/// variable and the hash arrives cut. A `$$` that reached the label was
/// doubled where nothing interpolates (`docker run -l`).
pub fn basic_auth_problems(users: &str) -> Vec<String> {
    let mut out = Vec::new();
    for entry in users.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (user, hash) = entry.split_once(':').unwrap_or((entry, ""));
        if hash.contains("$$") {
            out.push(format!(
                "basic auth user {user}: the hash has '$$': it was doubled where nothing \
                 interpolates it; write each $ once there (only a compose file needs $$)"
            ));
        } else if !is_htpasswd_hash(hash) {
            out.push(format!(
                "basic auth user {user}: the password is not an htpasswd hash (apr1, bcrypt, \
                 SHA): in a compose file every $ must be written $$"
            ));
        }
    }
    out
}

/// MD5 (`$apr1$salt$hash`), bcrypt (`$2y$10$…`, 60 characters) or SHA1
/// (`{SHA}base64`): the forms Traefik checks passwords against.
fn is_htpasswd_hash(hash: &str) -> bool {
    let b64 = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '+' | '='))
    };
    if let Some(rest) = hash.strip_prefix("$apr1$") {
        let mut parts = rest.split('$');
        let (salt, digest) = (parts.next(), parts.next());
        return parts.next().is_none()
            && salt.is_some_and(b64)
            && digest.is_some_and(|d| d.len() == 22 && b64(d));
    }
    if ["$2y$", "$2a$", "$2b$"].iter().any(|p| hash.starts_with(p)) {
        return hash.len() == 60 && b64(hash.get(7..).unwrap_or_default());
    }
    if let Some(rest) = hash.strip_prefix("{SHA}") {
        return rest.len() == 28 && b64(rest);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    // htpasswd -nb test test / admin admin, as they appear once compose
    // has turned $$ into $.
    const APR1: &str = "test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/";
    const BCRYPT: &str = "admin:$2y$05$6BMq2yZWxDv4mPV2Ilf28eX.9sHqkCWv7Ds6KUBMfeDcyy51sz8OK";

    #[test]
    fn basic_auth_counts_users_and_never_shows_hashes() {
        let (text, problems) = describe(&opts(&[("basicauth.users", &format!("{APR1},{BCRYPT}"))]));
        assert_eq!(text, "basic auth (2 users)");
        assert!(problems.is_empty(), "{problems:?}");
        assert!(!text.contains('$'));
    }

    #[test]
    fn a_hash_cut_by_compose_interpolation_is_named() {
        // `test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/` written with single
        // $ in a compose file: $apr1, $H6uskkkW and $IgXLP6… are variables.
        let p = basic_auth_problems("test:/");
        assert_eq!(p.len(), 1);
        assert!(p[0].contains("user test") && p[0].contains("$$"), "{p:?}");
        let doubled = basic_auth_problems("test:$$apr1$$H6uskkkW$$IgXLP6ewTrSuBkTrqE8wj/");
        assert!(doubled[0].contains("doubled"), "{doubled:?}");
        assert!(basic_auth_problems("u:{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=").is_empty());
    }

    #[test]
    fn other_kinds_by_their_main_option() {
        assert_eq!(
            describe(&opts(&[("redirectscheme.scheme", "https")])).0,
            "redirect to https"
        );
        assert_eq!(
            describe(&opts(&[("stripprefix.prefixes", "/api")])).0,
            "strip prefix /api"
        );
        assert_eq!(
            describe(&opts(&[(
                "ipallowlist.sourcerange",
                "10.0.0.0/8, 192.168.0.0/16"
            )]))
            .0,
            "IP allow list (2 ranges)"
        );
        assert_eq!(describe(&opts(&[("plugin.x.y", "1")])).0, "plugin");
    }
}
