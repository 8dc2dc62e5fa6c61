//! Finding agent files in folders.

use std::path::{Path, PathBuf};

/// Every agent file under `dir` (resolved against `base`), recursively, sorted: the `*.md`
/// files that start with a `---` line. Other markdown (a README) is skipped. The paths returned
/// start with `dir`, as given.
pub fn agent_files(base: &Path, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    collect_markdown(base, dir, &mut found)?;
    found.sort();
    Ok(found)
}

fn collect_markdown(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(base.join(dir))? {
        let entry = entry?;
        let relative = dir.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            collect_markdown(base, &relative, out)?;
        } else if relative.extension().is_some_and(|e| e == "md") && has_frontmatter(&entry.path())? {
            out.push(relative);
        }
    }
    Ok(())
}

/// Whether the file starts with a `---` line: folders may hold other markdown (a README), which
/// is skipped; an agent file named explicitly with `agent()` is always read.
fn has_frontmatter(path: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let mut start = [0u8; 8];
    let mut file = std::fs::File::open(path)?;
    let read = file.read(&mut start)?;
    let start = &start[..read];
    let start = start.strip_prefix(b"\xef\xbb\xbf").unwrap_or(start);
    Ok(start.starts_with(b"---\n") || start.starts_with(b"---\r\n"))
}
