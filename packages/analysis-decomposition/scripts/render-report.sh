#!/usr/bin/env bash
# Renders a report to PNG with headless Chromium (Debian's `chromium` package).
#   scripts/render-report.sh <report.html | input.json | --example> <out.png> [width] [height]
# A JSON input (a ReportInput) is first rendered to HTML next to the PNG.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
input="${1:?usage: render-report.sh <report.html|input.json|--example> <out.png> [width] [height]}"
out="${2:?missing output png}"
width="${3:-1280}"
height="${4:-2400}"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "render-report: chromium not found (apt-get install -y chromium)" >&2
  exit 3
fi
case "$input" in
  *.html) html="$(realpath "$input")" ;;
  *)
    html="$(realpath -m "${out%.png}.html")"
    (cd "$here/.." && npx tsx scripts/render-html.ts "$input" "$html")
    ;;
esac
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars \
  --screenshot="$(realpath -m "$out")" --window-size="${width},${height}" "file://$html" 2>/dev/null
echo "wrote $out" >&2
