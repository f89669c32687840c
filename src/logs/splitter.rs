//! Reassembles lines from chunks. (stub: helper fills in)

#[derive(Debug)]
pub struct LineSplitter {
    buf: Vec<u8>,
    max: usize,
}

impl LineSplitter {
    pub fn new(max_line_bytes: usize) -> Self {
        LineSplitter {
            buf: Vec::new(),
            max: max_line_bytes,
        }
    }
    /// Calls `out` with each complete line (no `\n`, no trailing `\r`).
    pub fn push(&mut self, chunk: &[u8], out: &mut impl FnMut(&[u8])) {
        let _ = self.max;
        for b in chunk {
            if *b == b'\n' {
                out(&self.buf);
                self.buf.clear();
            } else {
                self.buf.push(*b);
            }
        }
    }
    /// Emits what is left as a last line.
    pub fn flush(&mut self, out: &mut impl FnMut(&[u8])) {
        if !self.buf.is_empty() {
            out(&self.buf);
            self.buf.clear();
        }
    }
}
