//! Finding agent files in folders, and what about a file in a folder is a problem of that file
//! (rather than of the whole folder): an entry that cannot be read, a dangling link, a link
//! out of the folder, a name that is not UTF-8.

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;

/// What a folder holds: its agent files, and the entries that are agent files with a problem.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentFiles {
    /// The agent files (`*.md` files that start with a `---` line), sorted, starting with the
    /// folder as given.
    pub files: Vec<PathBuf>,
    /// One located problem per `*.md` entry that cannot be used: it cannot be read (a dangling
    /// link, no permission), it is a link to a file outside the folder, or its name is not
    /// UTF-8. Each is the problem of that file: a builder with `skip_invalid` leaves it out.
    pub problems: Vec<Diagnostic>,
}

/// Every agent file under `dir` (resolved against `base`), recursively, sorted: the `*.md`
/// files that start with a `---` line. Other markdown (a README) is skipped. The paths returned
/// start with `dir`, as given. Entries with a problem are left out; [`find_agent_files`] gives
/// them.
pub fn agent_files(base: &Path, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    Ok(find_agent_files(base, dir)?.files)
}

/// The agent files under `dir` (see [`agent_files`]) and the problems of the entries that
/// would be agent files. Links are followed inside the folder only. Fails only when `dir`
/// itself cannot be read.
pub fn find_agent_files(base: &Path, dir: &Path) -> std::io::Result<AgentFiles> {
    let root = std::fs::canonicalize(base.join(dir))?;
    let mut found = AgentFiles::default();
    collect_markdown(base, dir, &root, &mut found)?;
    found.files.sort();
    found.problems.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

fn collect_markdown(base: &Path, dir: &Path, root: &Path, out: &mut AgentFiles) -> std::io::Result<()> {
    for entry in std::fs::read_dir(base.join(dir))? {
        // An entry that vanished while the folder was read is no file of it.
        let Ok(entry) = entry else { continue };
        let relative = dir.join(entry.file_name());
        let is_markdown = relative.extension().is_some_and(|e| e == "md");
        let problem = |message: String, help: &str| Diagnostic {
            path: relative.to_string_lossy().replace('\\', "/"),
            line: 1,
            column: 1,
            message,
            help: Some(help.to_owned()),
            source_line: None,
        };
        let Ok(file_type) = entry.file_type() else {
            if is_markdown {
                out.problems
                    .push(problem("cannot read this entry of the folder".into(), "check its permissions"));
            }
            continue;
        };
        if file_type.is_dir() {
            // A folder that cannot be read is the problem of that folder's files: skipped.
            let _ = collect_markdown(base, &relative, root, out);
            continue;
        }
        if !is_markdown {
            continue;
        }
        if relative.to_str().is_none() {
            out.problems.push(problem(
                "the file name is not valid UTF-8, which the generated `include_str!` needs".into(),
                "rename the file",
            ));
            continue;
        }
        let path = entry.path();
        if file_type.is_symlink() {
            match std::fs::canonicalize(&path) {
                Err(e) => {
                    out.problems.push(problem(
                        format!("the link cannot be followed: {e}"),
                        "remove the link or fix its target",
                    ));
                    continue;
                }
                Ok(target) if !target.starts_with(root) => {
                    out.problems.push(problem(
                        "the file is a link to a file outside the agent folder, which is not followed".into(),
                        "copy the file into the folder, or name it with `Builder::agent`",
                    ));
                    continue;
                }
                Ok(target) if target.is_dir() => continue,
                Ok(_) => {}
            }
        }
        match has_frontmatter(&path) {
            Ok(true) => out.files.push(relative),
            Ok(false) => {}
            Err(e) => {
                out.problems.push(problem(format!("cannot read agent file: {e}"), "check its permissions"))
            }
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

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn entries_with_problems_are_problems_of_their_files_not_of_the_folder() {
        use std::os::unix::ffi::OsStrExt;
        let dir = std::env::temp_dir().join(format!("agentbind-discover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("agents/sub")).unwrap();
        std::fs::write(dir.join("agents/good.md"), "---\nname: good\n---\n").unwrap();
        std::fs::write(dir.join("agents/sub/inner.md"), "---\nname: inner\n---\n").unwrap();
        std::fs::write(dir.join("agents/README.md"), "# not an agent\n").unwrap();
        std::fs::write(dir.join("outside.md"), "---\nname: outside\n---\n").unwrap();
        std::os::unix::fs::symlink(dir.join("missing.md"), dir.join("agents/dangling.md")).unwrap();
        std::os::unix::fs::symlink(dir.join("outside.md"), dir.join("agents/escape.md")).unwrap();
        std::os::unix::fs::symlink(dir.join("agents/good.md"), dir.join("agents/alias.md")).unwrap();
        let bad_name = std::ffi::OsStr::from_bytes(b"bad-\xff.md");
        std::fs::write(dir.join("agents").join(bad_name), "---\nname: bad\n---\n").unwrap();

        let found = find_agent_files(&dir, Path::new("agents")).unwrap();
        let files: Vec<String> = found.files.iter().map(|f| f.to_string_lossy().into_owned()).collect();
        assert_eq!(files, ["agents/alias.md", "agents/good.md", "agents/sub/inner.md"]);
        let problems: Vec<String> =
            found.problems.iter().map(|d| format!("{}: {}", d.location(), d.message)).collect();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("agents/bad-\u{fffd}.md:1:1: the file name is not valid UTF-8")),
            "{problems:?}"
        );
        assert!(
            problems.iter().any(|p| p.starts_with("agents/dangling.md:1:1: the link cannot be followed")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("agents/escape.md:1:1: the file is a link to a file outside")),
            "{problems:?}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
