#!/usr/bin/env bash
# Compile cost of agentbind, measured in one run (see BENCHMARKS.md).
#
# Builds, under target/compile-bench/, three crates that bind all 45 Ring agents:
#   via-macro  one #[agentbind::agent] module per agent
#   via-build  build.rs with agentbind_codegen::Builder + include_agents!()
#   plain      the code the builder generated, pasted in as plain Rust
# and reports:
#   - `cargo check` of each crate alone (dependencies already built), median of N runs,
#     and the ratios macro/plain and build/plain (target: macro/plain <= 1.3);
#   - an incremental check of via-macro after editing one agent file, against a no-op check
#     (target: <= 2x);
#   - the cold build (`cargo build`, empty target folder) of a minimal crate with one agent
#     through the macro, side by side with a serde-derive + serde_json hello world, built in
#     turns (target: minimal / serde <= 1.4), and the size of agentbind's dependency tree.
#
# Usage: scripts/compile-bench.sh [runs]   (default 5 runs per figure)
set -euo pipefail
runs="${1:-5}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/target/compile-bench"
export CARGO_TARGET_DIR="$work/target"
corpus="$root/tests/corpus/ring"

rm -rf "$work/crates"
mkdir -p "$work/crates"

manifest() { # name [build-deps]
    cat <<TOML
[package]
name = "$1"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
agentbind = { path = "$root" }
TOML
    if [ "${2:-}" = build ]; then
        printf '\n[build-dependencies]\nagentbind-codegen = { path = "%s/codegen" }\n' "$root"
    fi
}

agent_files() { # the *.md files under the corpus whose first line is ---
    (cd "$corpus" && find . -name '*.md' | sort | while read -r f; do
        [ "$(head -n1 "$f")" = "---" ] && echo "${f#./}"
    done)
}

# via-macro
mkdir -p "$work/crates/via-macro/src"
manifest via-macro > "$work/crates/via-macro/Cargo.toml"
cp -r "$corpus" "$work/crates/via-macro/agents"
{
    echo '#![allow(dead_code)]'
    agent_files | while read -r f; do
        m="$(basename "$f" .md | tr '-' '_')"
        printf '#[agentbind::agent("agents/%s")]\npub mod %s {}\n' "$f" "$m"
    done
} > "$work/crates/via-macro/src/lib.rs"

# via-build
mkdir -p "$work/crates/via-build/src"
manifest via-build build > "$work/crates/via-build/Cargo.toml"
cat > "$work/crates/via-build/build.rs" <<RS
fn main() { agentbind_codegen::Builder::new().agents_dir("$corpus").generate().unwrap(); }
RS
printf '#![allow(dead_code)]\nagentbind::include_agents!();\n' > "$work/crates/via-build/src/lib.rs"

# minimal: one agent through the macro (for the cold build)
mkdir -p "$work/crates/minimal/src"
manifest minimal > "$work/crates/minimal/Cargo.toml"
cat > "$work/crates/minimal/src/lib.rs" <<RS
#![allow(dead_code)]
#[agentbind::agent("$root/examples/agents/backend-engineer-golang.md")]
pub mod golang {}
RS
# An absolute path joined to CARGO_MANIFEST_DIR stays absolute.

# hello-serde: the cold-build reference, a serde derive and serde_json
mkdir -p "$work/crates/hello-serde/src"
cat > "$work/crates/hello-serde/Cargo.toml" <<TOML
[package]
name = "hello-serde"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
serde = { version = "1", features = ["derive"] }
serde_json = "1"
TOML
cat > "$work/crates/hello-serde/src/lib.rs" <<RS
#[derive(serde::Serialize, serde::Deserialize, Debug)]
pub struct Input { pub task: String, pub requirements: String }
pub fn round_trip(input: &Input) -> Input { serde_json::from_str(&serde_json::to_string(input).unwrap()).unwrap() }
RS

printf '[workspace]\nmembers = ["crates/via-macro", "crates/via-build", "crates/minimal", "crates/plain", "crates/hello-serde"]\nresolver = "2"\n' > "$work/Cargo.toml"
mkdir -p "$work/crates/plain/src"
manifest plain > "$work/crates/plain/Cargo.toml"
echo '' > "$work/crates/plain/src/lib.rs"

cd "$work"
echo "building dependencies and the generated code..." >&2
cargo check -q -p via-build
generated="$(ls -t "$CARGO_TARGET_DIR"/debug/build/via-build-*/out/agentbind.rs | head -1)"
{ echo '#![allow(dead_code)]'; cat "$generated"; } > crates/plain/src/lib.rs
cargo check -q -p via-macro -p plain

now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# Time `cargo check -p <crate>` after touching what forces the crate (only) to be checked
# again. The crates are measured in turns (a, b, c, a, b, c...) so that all of them see the same
# load on a shared machine; prints one median per crate, in the order given.
check_times() { # crate:file-to-touch...
    local tmp; tmp="$(mktemp -d)"
    for _ in $(seq "$runs"); do
        for spec in "$@"; do
            local crate="${spec%%:*}" file="${spec#*:}"
            touch "$file"
            local t0 t1; t0=$(now); cargo check -q -p "$crate"; t1=$(now)
            calc "$t1 - $t0" >> "$tmp/$crate"
        done
    done
    for spec in "$@"; do median < "$tmp/${spec%%:*}"; done
    rm -rf "$tmp"
}
read -r macro build plain <<< "$(check_times via-macro:crates/via-macro/src/lib.rs \
    via-build:crates/via-build/src/lib.rs plain:crates/plain/src/lib.rs | tr '\n' ' ')"

# The same with the proc macro (and build scripts) compiled with optimizations, as users can
# set with `[profile.dev.build-override] opt-level = 3`.
export CARGO_PROFILE_DEV_BUILD_OVERRIDE_OPT_LEVEL=3
cargo check -q -p via-macro -p plain
read -r macro_opt plain_opt <<< "$(check_times via-macro:crates/via-macro/src/lib.rs \
    plain:crates/plain/src/lib.rs | tr '\n' ' ')"
unset CARGO_PROFILE_DEV_BUILD_OVERRIDE_OPT_LEVEL
cargo check -q -p via-macro

# A re-check with no change (touch), and a check after editing one agent file, in turns.
edited="crates/via-macro/agents/default/agents/code-reviewer.md"
tmp="$(mktemp -d)"
for i in $(seq "$runs"); do
    touch crates/via-macro/src/lib.rs
    t0=$(now); cargo check -q -p via-macro; t1=$(now); calc "$t1 - $t0" >> "$tmp/recheck"
    printf '\nEdited for the benchmark, run %s.\n' "$i" >> "$edited"
    t0=$(now); cargo check -q -p via-macro; t1=$(now); calc "$t1 - $t0" >> "$tmp/edit"
done
recheck=$(median < "$tmp/recheck")
incremental=$(median < "$tmp/edit")
rm -rf "$tmp"
noop=$(for _ in $(seq "$runs"); do t0=$(now); cargo check -q -p via-macro; t1=$(now); calc "$t1 - $t0"; done | median)

echo "cold builds of the minimal crate and of hello-serde, in turns..." >&2
cold_dir="$work/cold-target"
tmp="$(mktemp -d)"
for _ in $(seq "$runs"); do
    for crate in minimal hello-serde; do
        rm -rf "$cold_dir"
        t0=$(now); CARGO_TARGET_DIR="$cold_dir" cargo build -q -p "$crate" >/dev/null 2>&1; t1=$(now)
        calc "$t1 - $t0" >> "$tmp/$crate"
    done
done
cold=$(median < "$tmp/minimal")
cold_serde=$(median < "$tmp/hello-serde")
rm -rf "$tmp"
units=$(CARGO_TARGET_DIR="$cold_dir" cargo tree -q -p minimal -e normal,build --prefix none | sort -u | wc -l)

r() { printf '%.2f' "$(calc "$1")"; }
cat <<MD
| figure | seconds | ratio |
|---|---|---|
| \`cargo check\` via-macro (45 agents, macro) | $(r "$macro") | macro / plain = $(r "$macro / $plain") |
| \`cargo check\` via-build (45 agents, build.rs) | $(r "$build") | build / plain = $(r "$build / $plain") |
| \`cargo check\` plain (45 agents, generated code pasted) | $(r "$plain") | 1 |
| \`cargo check\` via-macro, proc macro built with opt-level 3 | $(r "$macro_opt") | macro / plain = $(r "$macro_opt / $plain_opt") |
| \`cargo check\` plain, same profile | $(r "$plain_opt") | 1 |
| no-op \`cargo check\` of via-macro (nothing changed: cargo only compares fingerprints) | $(r "$noop") | |
| re-check of via-macro with no change to its content (\`touch src/lib.rs\`) | $(r "$recheck") | 1 |
| incremental check after editing one agent file | $(r "$incremental") | edit / re-check = $(r "$incremental / $recheck"), edit / no-op = $(r "$incremental / $noop") |
| cold \`cargo build\` of a one-agent crate (whole tree, $units crates) | $(r "$cold") | minimal / serde = $(r "$cold / $cold_serde") |
| cold \`cargo build\` of a serde-derive + serde_json hello world | $(r "$cold_serde") | 1 |

runs per figure: $runs (median)
MD
