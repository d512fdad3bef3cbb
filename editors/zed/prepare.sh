#!/usr/bin/env bash
# Writes editors/zed/extension.toml for a dev install of the Zed extension from this clone
# (Zed: Extensions > Install Dev Extension > this folder). Zed builds a grammar from a git
# repository at a commit, so the manifest points at this clone (file://) and its HEAD: commit
# grammar changes before running this. Usage: editors/zed/prepare.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rev="$(git -C "$root" rev-parse HEAD)"
cat >"$here/extension.toml" <<TOML
id = "infra"
name = "infra"
description = "The .infra infrastructure language: tree-sitter highlighting and the infra lsp language server"
version = "0.1.0"
schema_version = 1
authors = ["infra contributors"]
repository = "file://$root"

[grammars.infra]
repository = "file://$root"
rev = "$rev"
path = "editors/tree-sitter"

[language_servers.infra]
name = "infra lsp"
languages = ["infra"]
TOML
echo "wrote $here/extension.toml (grammar from $root at $rev)"
