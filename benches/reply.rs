//! Reply parsing throughput: `parse_reply` on replies of 10 KB, 1 MB and 14 MB, 12 MB of long
//! bullet lines and 12.6 MB of 70-byte ones, against a floor measured in the same run: one pass
//! of `str::lines()` that finds heading lines.
//!
//! Run with `cargo bench --bench reply`; divan prints the time and MB/s of each. Figures and
//! the ratio to the floor are in BENCHMARKS.md.

use divan::counter::BytesCount;
use divan::{black_box, Bencher};

#[agentbind::agent("examples/agents/backend-engineer-golang.md")]
mod golang {}

const SIZES: [usize; 3] = [10_000, 1_000_000, 14_000_000];

fn main() {
    divan::main();
}

/// A reply of about `size` bytes: the five required sections once each, every body made of
/// prose lines, `###` sub-headings, bullet lists and fenced code (with `##` lines inside).
fn reply(size: usize) -> String {
    let headings = ["## Summary", "## Implementation", "## Files Changed", "## Testing", "## Next Steps"];
    let per_section = size / headings.len();
    let mut out = String::with_capacity(size + 1024);
    for heading in headings {
        out.push_str(heading);
        out.push_str("\n\n");
        let start = out.len();
        let mut line = 0;
        while out.len() - start < per_section {
            match line % 20 {
                0 => out.push_str(&format!("### Detail {line}\n")),
                5 => out.push_str(
                    "```go\n// ## Testing is not a heading in here\nfunc f() error { return nil }\n```\n",
                ),
                9 | 10 => out.push_str(&format!("- item {line} with `code` and **bold** text\n")),
                _ => out.push_str(&format!(
                    "Line {line} of prose that explains what changed and why it matters.\n"
                )),
            }
            line += 1;
        }
        out.push('\n');
    }
    out
}

#[divan::bench(args = SIZES)]
fn parse_reply(bencher: Bencher, size: usize) {
    let reply = reply(size);
    let dispatch = golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
        task_description: "task".into(),
        requirements: "requirements".into(),
    }));
    bencher
        .counter(BytesCount::of_str(&reply))
        .bench(|| dispatch.parse_reply(black_box(&reply)).expect("the reply is complete"));
}

#[divan::bench(args = SIZES)]
fn floor_lines(bencher: Bencher, size: usize) {
    let reply = reply(size);
    bencher
        .counter(BytesCount::of_str(&reply))
        .bench(|| black_box(&reply).lines().filter(|line| line.starts_with('#')).count());
}

/// A 12 MB reply whose sections hold long bullet lines (about 2 KB each): the shape that
/// exposed per-line costs before line ends were found with memchr.
fn long_bullets() -> String {
    let headings = ["## Summary", "## Implementation", "## Files Changed", "## Testing", "## Next Steps"];
    let bullet = format!("- {}\n", "a long bullet item with `code`, **bold** and words ".repeat(40));
    let mut out = String::with_capacity(12_100_000);
    for heading in headings {
        out.push_str(heading);
        out.push_str("\n\n");
        while out.len()
            < 12_000_000 / headings.len() * (headings.iter().position(|h| *h == heading).unwrap_or(0) + 1)
        {
            out.push_str(&bullet);
        }
        out.push('\n');
    }
    out
}

mod long_bullet_lines {
    use super::*;

    #[divan::bench]
    fn parse_reply(bencher: Bencher) {
        let reply = long_bullets();
        let dispatch = golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
            task_description: "task".into(),
            requirements: "requirements".into(),
        }));
        bencher
            .counter(BytesCount::of_str(&reply))
            .bench(|| dispatch.parse_reply(black_box(&reply)).expect("the reply is complete"));
    }

    #[divan::bench]
    fn floor_lines(bencher: Bencher) {
        let reply = long_bullets();
        bencher
            .counter(BytesCount::of_str(&reply))
            .bench(|| black_box(&reply).lines().filter(|line| line.starts_with('#')).count());
    }
}

/// 12.6 MB of 70-byte `- ` bullet lines under the five `## ` headings: the shape of issue 19,
/// item 13, where copying each section into a new `String` cost 1.7x to 5.4x the floor
/// depending on whether the fresh copies page-faulted.
fn short_bullets() -> String {
    let headings = ["## Summary", "## Implementation", "## Files Changed", "## Testing", "## Next Steps"];
    let bullet = "- a bullet item of a long list, with `code` and **bold** words in it.\n";
    assert_eq!(bullet.len(), 70);
    let per_section = 12_600_000 / headings.len();
    let mut out = String::with_capacity(12_700_000);
    for heading in headings {
        out.push_str(heading);
        out.push_str("\n\n");
        let start = out.len();
        while out.len() - start < per_section {
            out.push_str(bullet);
        }
        out.push('\n');
    }
    out
}

mod short_bullet_lines {
    use super::*;

    #[divan::bench]
    fn parse_reply(bencher: Bencher) {
        let reply = short_bullets();
        let dispatch = golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
            task_description: "task".into(),
            requirements: "requirements".into(),
        }));
        bencher
            .counter(BytesCount::of_str(&reply))
            .bench(|| dispatch.parse_reply(black_box(&reply)).expect("the reply is complete"));
    }

    /// The reply given owned (a `ReplyStr`, as a `String` would be): no copy of it at all.
    #[divan::bench]
    fn parse_reply_owned(bencher: Bencher) {
        let reply = agentbind::ReplyStr::from(short_bullets());
        let dispatch = golang::Agent::dispatch(golang::Input::from(golang::RequiredInput {
            task_description: "task".into(),
            requirements: "requirements".into(),
        }));
        bencher
            .counter(BytesCount::of_str(&reply))
            .bench(|| dispatch.parse_reply(black_box(reply.clone())).expect("the reply is complete"));
    }

    #[divan::bench]
    fn floor_lines(bencher: Bencher) {
        let reply = short_bullets();
        bencher
            .counter(BytesCount::of_str(&reply))
            .bench(|| black_box(&reply).lines().filter(|line| line.starts_with('#')).count());
    }
}
