#!/bin/sh
# Installs a pinned release of infra and verifies its SHA-256 before anything is unpacked:
#   curl -fsSL https://github.com/OWNER/infra/releases/download/vX.Y.Z/install.sh | sh -s -- X.Y.Z [DIR]
# DIR defaults to ~/.local/bin. INFRA_DOWNLOAD_BASE overrides where releases are fetched from
# (default https://github.com/OWNER/infra/releases/download; a mirror, or file:// in tests).
# INFRA_SHA256, when set, pins the archive's bytes too: it must equal the SHA256SUMS entry (copy it
# from the release's SHA256SUMS when bumping the version), so a release replaced after review is
# refused. INFRA_TARGET overrides the target detected from uname.
# Exit 0 installed; 1 on any error (no version, unsupported platform, download or checksum).
set -eu

version="${1:-}"
dir="${2:-$HOME/.local/bin}"
base="${INFRA_DOWNLOAD_BASE:-https://github.com/OWNER/infra/releases/download}"
fail() { echo "error: $*" >&2; exit 1; }
[ -n "$version" ] || fail "give the version to install (a pinned one): install.sh 0.1.0 [DIR]"
version="${version#v}"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=x86_64-unknown-linux-musl ;;
  Linux-aarch64 | Linux-arm64) target=aarch64-unknown-linux-musl ;;
  Darwin-x86_64) target=x86_64-apple-darwin ;;
  Darwin-arm64) target=aarch64-apple-darwin ;;
  *) fail "no release of infra for $(uname -s) $(uname -m); build it with cargo install --locked infra" ;;
esac
target="${INFRA_TARGET:-$target}"
name="infra-$version-$target"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
curl -fsSL "$base/v$version/$name.tar.gz" -o "$tmp/$name.tar.gz" \
  || fail "cannot download $base/v$version/$name.tar.gz"
curl -fsSL "$base/v$version/SHA256SUMS" -o "$tmp/SHA256SUMS" \
  || fail "cannot download $base/v$version/SHA256SUMS"
expected="$(awk -v f="$name.tar.gz" '$2 == f { print $1 }' "$tmp/SHA256SUMS")"
[ -n "$expected" ] || fail "SHA256SUMS of v$version lists no $name.tar.gz"
if command -v sha256sum >/dev/null 2>&1; then
  actual="$(sha256sum "$tmp/$name.tar.gz" | cut -d ' ' -f 1)"
else
  actual="$(shasum -a 256 "$tmp/$name.tar.gz" | cut -d ' ' -f 1)"
fi
[ "$actual" = "$expected" ] || fail "checksum mismatch for $name.tar.gz: expected $expected, got $actual; nothing was installed"
if [ -n "${INFRA_SHA256:-}" ] && [ "$actual" != "$INFRA_SHA256" ]; then
  fail "checksum mismatch for $name.tar.gz: the pinned INFRA_SHA256 is $INFRA_SHA256, the release has $actual; nothing was installed"
fi

tar -xzf "$tmp/$name.tar.gz" -C "$tmp"
mkdir -p "$dir"
install -m 0755 "$tmp/$name/infra" "$dir/infra"
echo "installed infra $version ($target) to $dir/infra"
