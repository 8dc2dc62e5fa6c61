//! Fenced code blocks (CommonMark rules): lines inside them never start a section.

/// An open fenced code block: its character and length (CommonMark rules).
#[derive(Debug, Clone, Copy)]
pub(super) struct Fence {
    marker: u8,
    len: usize,
}

impl Fence {
    fn parse(line: &str) -> Option<(Fence, &str)> {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if indent > 3 {
            return None;
        }
        let rest = &line[indent..];
        let marker = *rest.as_bytes().first()?;
        if marker != b'`' && marker != b'~' {
            return None;
        }
        let len = rest.len() - rest.trim_start_matches(marker as char).len();
        (len >= 3).then(|| (Fence { marker, len }, &rest[len..]))
    }

    pub(super) fn opened_by(line: &str) -> Option<Fence> {
        let (fence, info) = Fence::parse(line)?;
        (fence.marker == b'~' || !info.contains('`')).then_some(fence)
    }

    pub(super) fn is_closed_by(self, line: &str) -> bool {
        Fence::parse(line).is_some_and(|(closing, rest)| {
            closing.marker == self.marker && closing.len >= self.len && rest.trim().is_empty()
        })
    }
}
