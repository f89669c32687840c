//! Reassembles lines from chunks.
//!
//! Engines hand out log data in chunks that split lines anywhere. Complete
//! lines inside a chunk are passed on as slices of it; only the unfinished
//! tail is copied, and it never grows past the line limit, so a container
//! that never writes a newline cannot make us buffer without bound.

#[derive(Debug)]
pub struct LineSplitter {
    buf: Vec<u8>,
    max: usize,
}

impl LineSplitter {
    pub fn new(max_line_bytes: usize) -> Self {
        LineSplitter {
            buf: Vec::new(),
            // A piece must be able to hold at least one byte.
            max: max_line_bytes.max(1),
        }
    }

    /// Calls `out` with each complete line (no `\n`, no trailing `\r`).
    /// Lines longer than the limit come out in pieces of at most that size.
    pub fn push(&mut self, chunk: &[u8], out: &mut impl FnMut(&[u8])) {
        let mut rest = chunk;
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            let line = &rest[..nl];
            if self.buf.is_empty() {
                emit_line(line, self.max, out);
            } else {
                self.buf.extend_from_slice(line);
                emit_line(&self.buf, self.max, out);
                self.buf.clear();
            }
            rest = &rest[nl + 1..];
        }
        if rest.is_empty() {
            return;
        }
        self.buf.extend_from_slice(rest);
        // Keep at most `max` bytes pending: a full line of exactly `max`
        // bytes still waits for its newline, so it is not cut needlessly. A
        // trailing CR is not counted, as it may yet turn out to be a CRLF.
        let content = self.buf.len() - usize::from(self.buf.last() == Some(&b'\r'));
        if content > self.max {
            let mut done = 0;
            while content - done > self.max {
                let cut = cut_point(&self.buf[done..], self.max);
                out(&self.buf[done..done + cut]);
                done += cut;
            }
            self.buf.drain(..done);
        }
    }

    /// Emits what is left as a last line.
    pub fn flush(&mut self, out: &mut impl FnMut(&[u8])) {
        if !self.buf.is_empty() {
            emit_line(&self.buf, self.max, out);
            self.buf.clear();
        }
    }
}

/// Emits a complete line, without one trailing CR, in pieces of at most `max`.
fn emit_line(line: &[u8], max: usize, out: &mut impl FnMut(&[u8])) {
    let mut line = line.strip_suffix(b"\r").unwrap_or(line);
    while line.len() > max {
        let cut = cut_point(line, max);
        out(&line[..cut]);
        line = &line[cut..];
    }
    out(line);
}

/// Where to cut `bytes` (longer than `max`): at most `max`, moved back to a
/// UTF-8 character start when one is within reach.
fn cut_point(bytes: &[u8], max: usize) -> usize {
    let is_continuation = |b: u8| b & 0xC0 == 0x80;
    let mut cut = max;
    // A UTF-8 sequence has at most three continuation bytes.
    for _ in 0..3 {
        if cut > 0 && is_continuation(bytes[cut]) {
            cut -= 1;
        } else {
            break;
        }
    }
    if cut == 0 || is_continuation(bytes[cut]) {
        max
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(max: usize, chunks: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut s = LineSplitter::new(max);
        let mut lines = Vec::new();
        for c in chunks {
            s.push(c, &mut |l| lines.push(l.to_vec()));
        }
        s.flush(&mut |l| lines.push(l.to_vec()));
        lines
    }

    fn strs(lines: &[Vec<u8>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect()
    }

    #[test]
    fn whole_lines_in_one_chunk() {
        assert_eq!(
            strs(&split(100, &[b"a\nbb\n\nccc\n"])),
            ["a", "bb", "", "ccc"]
        );
    }

    #[test]
    fn partial_line_waits_for_its_end() {
        let mut s = LineSplitter::new(100);
        let mut lines: Vec<Vec<u8>> = Vec::new();
        s.push(b"hel", &mut |l| lines.push(l.to_vec()));
        assert!(lines.is_empty());
        s.push(b"lo\nwor", &mut |l| lines.push(l.to_vec()));
        assert_eq!(strs(&lines), ["hello"]);
        s.push(b"ld", &mut |l| lines.push(l.to_vec()));
        s.flush(&mut |l| lines.push(l.to_vec()));
        assert_eq!(strs(&lines), ["hello", "world"]);
        // Nothing left after a flush.
        s.flush(&mut |l| lines.push(l.to_vec()));
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn chunk_boundaries_anywhere() {
        let input: &[u8] = "one\r\ntwo\n\nthree 日本\r\nfour\rx\nfive".as_bytes();
        let expected = split(1000, &[input]);
        assert_eq!(
            strs(&expected),
            ["one", "two", "", "three 日本", "four\rx", "five"]
        );
        for a in 0..=input.len() {
            for b in a..=input.len() {
                let got = split(1000, &[&input[..a], &input[a..b], &input[b..]]);
                assert_eq!(got, expected, "cut at {a},{b}");
            }
        }
        // Byte by byte.
        let bytes: Vec<&[u8]> = input.chunks(1).collect();
        assert_eq!(split(1000, &bytes), expected);
    }

    #[test]
    fn crlf_split_across_chunks() {
        assert_eq!(strs(&split(100, &[b"a\r", b"\nb\r", b"\n"])), ["a", "b"]);
        // Only one CR goes.
        assert_eq!(strs(&split(100, &[b"a\r\r\n"])), ["a\r"]);
        assert_eq!(strs(&split(100, &[b"\r\n"])), [""]);
    }

    #[test]
    fn flush_strips_trailing_cr_too() {
        assert_eq!(strs(&split(100, &[b"tail\r"])), ["tail"]);
    }

    #[test]
    fn overlong_lines_come_in_pieces() {
        assert_eq!(
            strs(&split(4, &[b"abcdefghij\nxy\n"])),
            ["abcd", "efgh", "ij", "xy"]
        );
        // Exactly the limit is one piece.
        assert_eq!(strs(&split(4, &[b"abcd\n"])), ["abcd"]);
        assert_eq!(strs(&split(4, &[b"ab", b"cd", b"\n"])), ["abcd"]);
    }

    #[test]
    fn overlong_partial_is_bounded() {
        let mut s = LineSplitter::new(8);
        let mut lines: Vec<Vec<u8>> = Vec::new();
        for _ in 0..100 {
            s.push(b"abc", &mut |l| lines.push(l.to_vec()));
            assert!(s.buf.len() <= 8);
        }
        s.push(b"\n", &mut |l| lines.push(l.to_vec()));
        assert!(lines.iter().all(|l| l.len() <= 8));
        assert_eq!(lines.concat(), b"abc".repeat(100));
    }

    #[test]
    fn overlong_pieces_are_the_same_whatever_the_chunking() {
        let input = b"0123456789abcdefghijklmnopqrstuvwxyz\nend\nfghij\r\nabcdefghij\r\n";
        let expected = split(5, &[input]);
        for a in 0..=input.len() {
            assert_eq!(split(5, &[&input[..a], &input[a..]]), expected, "cut {a}");
        }
    }

    #[test]
    fn pieces_do_not_split_utf8() {
        let line = "aé日🚀bcdéé".as_bytes();
        let mut input = line.to_vec();
        input.push(b'\n');
        for max in 4..12 {
            let lines = split(max, &[&input]);
            assert_eq!(lines.concat(), line, "max {max}");
            for l in &lines {
                assert!(l.len() <= max);
                assert!(std::str::from_utf8(l).is_ok(), "max {max}: {l:?}");
            }
        }
    }

    #[test]
    fn tiny_limit_still_makes_progress() {
        let lines = split(1, &["é\n".as_bytes()]);
        assert_eq!(lines.concat(), "é".as_bytes());
        assert!(lines.iter().all(|l| l.len() == 1));
        let lines = split(0, &[b"ab\n"]);
        assert_eq!(strs(&lines), ["a", "b"]);
    }
}
