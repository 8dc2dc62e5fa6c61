#!/usr/bin/env bash
# Times `agentbind hook` as Claude Code runs it (a whole process per event, through `sh`) on a
# project whose .claude/agents holds the 45 Ring agents and the hook fixtures, release build.
#
#   scripts/hook-bench.sh [runs]     # default 300 runs per event
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-300}"
cargo build --release -q -p agentbind-cli
bin="$(pwd)/target/release/agentbind"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/project/.claude/agents"
find tests/corpus/ring -name '*.md' -path '*/agents/*' -exec cp {} "$work/project/.claude/agents/" \;
cp cli/tests/hook-project/.claude/agents/code-checker.md "$work/project/.claude/agents/"
agents=$(ls "$work/project/.claude/agents" | wc -l)
prompt='## Change\n\nThe login form.\n\n## Acceptance Criteria\n\n- rejects empty passwords'
printf '{"type":"user","message":{"role":"user","content":"%s"}}\n' "$prompt" > "$work/transcript.jsonl"
cat > "$work/pre-allow.json" <<JSON
{"hook_event_name":"PreToolUse","cwd":"$work/project","tool_name":"Agent","tool_input":{"description":"d","prompt":"$prompt","subagent_type":"code-checker"}}
JSON
cat > "$work/pre-deny.json" <<JSON
{"hook_event_name":"PreToolUse","cwd":"$work/project","tool_name":"Agent","tool_input":{"description":"d","prompt":"check it","subagent_type":"code-checker"}}
JSON
cat > "$work/stop-block.json" <<JSON
{"hook_event_name":"SubagentStop","cwd":"$work/project","agent_id":"a1","agent_type":"code-checker","agent_transcript_path":"$work/transcript.jsonl","last_assistant_message":"## Findings\nnone","stop_hook_active":false}
JSON
cat > "$work/stop-pass.json" <<JSON
{"hook_event_name":"SubagentStop","cwd":"$work/project","agent_id":"a1","agent_type":"code-checker","agent_transcript_path":"$work/transcript.jsonl","last_assistant_message":"## Findings\nnone\n\n## VERDICT: PASS","stop_hook_active":false}
JSON
echo "agentbind hook, $agents agent files, $runs runs per event (ms per event, through sh)"
for event in pre-allow pre-deny stop-block stop-pass; do
    start=$(date +%s%N)
    for _ in $(seq "$runs"); do
        CLAUDE_PROJECT_DIR="$work/project" sh -c "exec '$bin' hook < '$work/$event.json'" > /dev/null
    done
    end=$(date +%s%N)
    start_sh=$(date +%s%N)
    for _ in $(seq "$runs"); do sh -c "exec true" > /dev/null; done
    end_sh=$(date +%s%N)
    awk -v t=$((end - start)) -v s=$((end_sh - start_sh)) -v n="$runs" -v e="$event" \
        'BEGIN { printf "%-10s %.2f ms (sh alone %.2f ms, the hook %.2f ms)\n", e, t / n / 1e6, s / n / 1e6, (t - s) / n / 1e6 }'
done
