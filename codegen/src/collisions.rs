//! Checks across agent files: two files bound together must not share a module name or a
//! `name:` (the name that routing, Task calls and the registry look agents up by).
//!
//! Both the [`Builder`](crate::Builder) and `agentbind check` run these checks, so a folder
//! that `check` accepts is one the build script accepts.

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::model::AgentSpec;
use crate::source::{Pos, Source};

/// One agent file about to be bound: its module name, the file and its validated model.
#[derive(Debug, Clone, Copy)]
pub struct Binding<'a> {
    /// The module the file becomes.
    pub module: &'a str,
    /// The file as read.
    pub source: &'a Source,
    /// The file, validated.
    pub spec: &'a AgentSpec,
}

/// A file that clashes with an earlier one, and the diagnostics that say so at both files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collision {
    /// The index (in the slice given to [`collisions`]) of the earlier file.
    pub first: usize,
    /// The index of the later file: the one to leave out to resolve the clash.
    pub second: usize,
    /// One diagnostic at each file.
    pub diagnostics: [Diagnostic; 2],
}

/// Every clash between `bindings`, in order of the later file: two files that would be one
/// module, or two agents with one `name`. A file is compared with the earlier files that do
/// not clash themselves, so three files with one name give two collisions, not three.
pub fn collisions(bindings: &[Binding<'_>]) -> Vec<Collision> {
    let mut found = Vec::new();
    let mut modules: BTreeMap<&str, usize> = BTreeMap::new();
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    let mut variants: BTreeMap<String, usize> = BTreeMap::new();
    for (index, binding) in bindings.iter().enumerate() {
        if let Some(&first) = modules.get(binding.module) {
            found.push(module_collision(bindings, first, index));
            continue;
        }
        let variant = any_agent_variant(binding.module);
        if let Some(&first) = variants.get(&variant) {
            found.push(variant_collision(bindings, first, index, &variant));
            continue;
        }
        if let Some(&first) = names.get(binding.spec.name.as_str()) {
            found.push(name_collision(bindings, first, index));
            continue;
        }
        modules.insert(binding.module, index);
        names.insert(&binding.spec.name, index);
        variants.insert(variant, index);
    }
    found
}

fn module_collision(bindings: &[Binding<'_>], first: usize, second: usize) -> Collision {
    renaming_collision(bindings, first, second, |binding, other| {
        format!(
            "`{}` and `{}` would both be module `{}`",
            binding.source.display_path, other.source.display_path, binding.module
        )
    })
}

/// The `AnyAgent` variant of module `module` (as the builder's registry names it).
pub(crate) fn any_agent_variant(module: &str) -> String {
    crate::naming::camel(module).unwrap_or_else(|| module.to_owned())
}

fn variant_collision(bindings: &[Binding<'_>], first: usize, second: usize, variant: &str) -> Collision {
    renaming_collision(bindings, first, second, |binding, other| {
        format!(
            "`{}` (module `{}`) and `{}` (module `{}`) would both be `AnyAgent::{variant}`",
            binding.source.display_path, binding.module, other.source.display_path, other.module
        )
    })
}

/// A clash that renaming a module resolves: `message` of each file (and the other), at the
/// start of each file.
fn renaming_collision(
    bindings: &[Binding<'_>],
    first: usize,
    second: usize,
    message: impl Fn(&Binding<'_>, &Binding<'_>) -> String,
) -> Collision {
    let (a, b) = (&bindings[first], &bindings[second]);
    let help = "give one of them another module name (`Builder::module_name` in a build script)";
    let at = |binding: &Binding<'_>, other: &Binding<'_>| {
        binding.source.diagnostic(Pos::START, message(binding, other), Some(help.to_owned()))
    };
    Collision { first, second, diagnostics: [at(a, b), at(b, a)] }
}

fn name_collision(bindings: &[Binding<'_>], first: usize, second: usize) -> Collision {
    let (a, b) = (&bindings[first], &bindings[second]);
    let name = &a.spec.name;
    let help = "agents are routed by `name`: rename one, or leave one file out";
    let at = |binding: &Binding<'_>, other: &Binding<'_>| {
        let elsewhere = format!(
            "{}:{}:{}",
            other.source.display_path, other.spec.name_pos.line, other.spec.name_pos.column
        );
        binding.source.diagnostic(
            binding.spec.name_pos,
            format!("agent name `{name}` is also the name of the agent at {elsewhere}"),
            Some(help.to_owned()),
        )
    };
    Collision { first, second, diagnostics: [at(a, b), at(b, a)] }
}
