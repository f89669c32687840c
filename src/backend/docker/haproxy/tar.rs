//! Just enough of the tar format for the engine's archives: ustar
//! headers, PAX and GNU long names, symlinks.

const BLOCK: usize = 512;

#[derive(Debug, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Link(String),
    Other,
}

#[derive(Debug)]
pub struct Entry<'a> {
    pub name: String,
    pub kind: Kind,
    pub data: &'a [u8],
}

fn text(field: &[u8]) -> String {
    let end = field.iter().position(|b| *b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(field.get(..end).unwrap_or_default()).into_owned()
}

/// An octal size, or GNU's base-256 one for large files.
fn size(field: &[u8]) -> Result<usize, String> {
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        let mut n: usize = 0;
        for (i, b) in field.iter().enumerate() {
            let b = if i == 0 { b & 0x7f } else { *b };
            n = n
                .checked_mul(256)
                .and_then(|n| n.checked_add(usize::from(b)))
                .ok_or("a tar entry's size overflows")?;
        }
        return Ok(n);
    }
    let s = text(field);
    let s = s.trim_matches(|c: char| c == ' ' || c == '\0');
    if s.is_empty() {
        return Ok(0);
    }
    usize::from_str_radix(s, 8).map_err(|_| format!("a tar entry's size {s:?} is no number"))
}

/// `LEN key=value\n` records: the `path` one.
fn pax_path(data: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(data);
    text.lines()
        .filter_map(|l| l.split_once(' ').map(|(_, kv)| kv))
        .find_map(|kv| kv.strip_prefix("path=").map(str::to_owned))
}

pub fn entries(tar: &[u8]) -> Result<Vec<Entry<'_>>, String> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut long_name: Option<String> = None;
    while let Some(header) = tar.get(at..at + BLOCK) {
        if header.iter().all(|b| *b == 0) {
            break;
        }
        let field = |a: usize, b: usize| header.get(a..b).unwrap_or_default();
        let len = size(field(124, 136))?;
        let start = at + BLOCK;
        let data = tar
            .get(start..start.saturating_add(len))
            .ok_or("the archive ends inside an entry")?;
        at = start + len.div_ceil(BLOCK) * BLOCK;
        let flag = header.get(156).copied().unwrap_or(0);
        match flag {
            b'x' => {
                long_name = pax_path(data).or(long_name);
                continue;
            }
            b'L' => {
                long_name = Some(text(data));
                continue;
            }
            b'g' | b'K' => continue,
            _ => {}
        }
        let name = long_name.take().unwrap_or_else(|| {
            let prefix = text(field(345, 500));
            let name = text(field(0, 100));
            if prefix.is_empty() || field(257, 262) != b"ustar" {
                name
            } else {
                format!("{prefix}/{name}")
            }
        });
        let kind = match flag {
            b'0' | 0 | b'7' => Kind::File,
            b'5' => Kind::Dir,
            b'2' => Kind::Link(text(field(157, 257))),
            _ => Kind::Other,
        };
        out.push(Entry { name, kind, data });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, flag: u8, len: usize, link: &str) -> Vec<u8> {
        let mut h = vec![0u8; BLOCK];
        h[..name.len()].copy_from_slice(name.as_bytes());
        let size = format!("{len:011o}");
        h[124..135].copy_from_slice(size.as_bytes());
        h[156] = flag;
        h[157..157 + link.len()].copy_from_slice(link.as_bytes());
        h[257..262].copy_from_slice(b"ustar");
        h
    }

    fn with_data(mut h: Vec<u8>, data: &[u8]) -> Vec<u8> {
        h.extend_from_slice(data);
        h.resize(h.len().div_ceil(BLOCK) * BLOCK, 0);
        h
    }

    #[test]
    fn reads_files_dirs_links_and_long_names() {
        let mut tar = header("conf.d/", b'5', 0, "");
        tar.extend(with_data(header("conf.d/a.cfg", b'0', 5, ""), b"hello"));
        let pax = b"30 path=conf.d/very/long.cfg\n";
        tar.extend(with_data(header("PaxHeaders/x", b'x', pax.len(), ""), pax));
        tar.extend(with_data(header("short", b'0', 2, ""), b"hi"));
        tar.extend(header("conf.d/l.cfg", b'2', 0, "../x.cfg"));
        tar.extend(vec![0u8; BLOCK * 2]);
        let e = entries(&tar).expect("a good archive");
        assert_eq!(e.len(), 4);
        assert_eq!((e[0].name.as_str(), &e[0].kind), ("conf.d/", &Kind::Dir));
        assert_eq!(e[1].data, b"hello");
        assert_eq!(e[2].name, "conf.d/very/long.cfg");
        assert_eq!(e[2].data, b"hi");
        assert_eq!(e[3].kind, Kind::Link("../x.cfg".into()));
    }

    #[test]
    fn a_cut_archive_is_an_error_not_a_panic() {
        let tar = header("a.cfg", b'0', 4096, "");
        assert_eq!(
            entries(&tar).map(|e| e.len()),
            Err("the archive ends inside an entry".to_owned())
        );
        let mut bad = header("a.cfg", b'0', 0, "");
        bad[124..135].copy_from_slice(b"zzzzzzzzzzz");
        assert!(entries(&bad).is_err());
        assert_eq!(entries(&[1, 2, 3]).map(|e| e.len()), Ok(0));
    }
}
