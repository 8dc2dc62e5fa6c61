#!/usr/bin/env bash
# The real Claude Code CLI for agentbind-run's tests (run/tests/claude_code_cli.rs), which drive
# it against the in-process scripted Messages server: the pinned @anthropic-ai/claude-code
# from the npm registry.
#
#   scripts/claude-code.sh up        # install, once (the same as `install`)
#   scripts/claude-code.sh path      # print the absolute path of `claude`; exit 1 if not installed
#   scripts/claude-code.sh status    # say whether it is installed
#
# Everything goes to ${AGENTBIND_CACHE:-$HOME/.cache/agentbind}/claude-code/<version> (about
# 400 MB: the package brings a native binary as an optional dependency); nothing goes into the
# repository. Only the npm registry is used. Needs node and npm; the CLI itself does not need
# node to run.
set -euo pipefail

version="2.1.332"
package="@anthropic-ai/claude-code@$version"
dir="${AGENTBIND_CACHE:-$HOME/.cache/agentbind}/claude-code/$version"
[[ "$dir" == /* ]] || dir="$PWD/$dir"
bin="$dir/node_modules/.bin/claude"

log() { echo "claude-code: $*" >&2; }

# Whether `$1` runs and reports the pinned version.
works() {
    [[ -x "$1" ]] || return 1
    local reported
    reported="$("$1" --version 2>/dev/null)" || return 1
    [[ "$reported" == "$version"* ]]
}

# The binary, when installed and working.
binary() {
    works "$bin" && echo "$bin"
}

# Points npm's link at the platform package's binary when the package's postinstall (which
# copies that binary over the link's placeholder) did not run, as a future npm may not.
repair_link() {
    works "$bin" && return
    local candidate
    for candidate in "$dir"/node_modules/@anthropic-ai/claude-code-*/claude; do
        if works "$candidate"; then
            log "the postinstall did not run: linking $bin to $candidate"
            ln -sf "$candidate" "$bin"
            return
        fi
    done
}

install() {
    if binary >/dev/null; then
        log "$version already installed in $dir"
        return
    fi
    local tool
    for tool in node npm; do
        if ! command -v "$tool" >/dev/null; then
            log "$tool is not on PATH: install Node.js (with npm) to install Claude Code $version"
            exit 1
        fi
    done
    # Installed beside the final folder, then moved into place: an interrupted install never
    # looks installed.
    local staging="$dir.partial.$$"
    rm -rf "$staging"
    mkdir -p "$staging"
    trap 'rm -rf "$staging"' EXIT
    log "installing $package from the npm registry into $dir"
    # The package asks for node >= 22; npm only warns under older versions, and the CLI is a
    # native binary that does not run on node.
    if ! npm install --prefix "$staging" --save-exact --no-audit --no-fund --loglevel=error "$package" >&2; then
        log "npm install failed"
        exit 1
    fi
    rm -rf "$dir"
    mv "$staging" "$dir"
    trap - EXIT
    repair_link
    if ! binary >/dev/null; then
        log "installed, but neither $bin nor the platform package's binary reports $version"
        exit 1
    fi
    log "installed: $bin"
}

case "${1:-up}" in
    up | install) install ;;
    path)
        if ! binary; then
            log "Claude Code $version is not installed in $dir: run '$0 up'"
            exit 1
        fi
        ;;
    status)
        if found="$(binary)"; then echo "installed: $found"; else echo "not installed"; exit 1; fi
        ;;
    *) echo "usage: $0 up|install|path|status" >&2; exit 2 ;;
esac
