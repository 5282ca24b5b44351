#!/usr/bin/env bash
# Sets up everything sijil needs on this machine and starts the local stack:
#   system packages (Debian), a virtualenv in .venv with sijil installed,
#   Elasticsearch + sijil's analysis plugin, MinIO, Prefect, veraPDF (`sijil stack up`),
#   checks (`sijil doctor`), then the bundled sample batch made, ingested and searched.
# Safe to run again: what is already there is kept.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n== %s\n' "$*"; }

say "System packages"
mapfile -t wanted < <(grep -v '^\s*#' deploy/debian-packages.txt | grep -v '^\s*$')
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    echo "installed: ${missing[*]}"
  else
    echo "Missing Debian packages: ${missing[*]}" >&2
    echo "Install them as root:  apt-get install ${missing[*]}" >&2
    exit 1
  fi
else
  echo "all present"
fi
if ! command -v go >/dev/null && [ ! -x /usr/local/go/bin/go ]; then
  echo "Go (1.24 or later) is needed once, to build MinIO; install it or put a minio binary in the cache (see README)." >&2
fi
export PATH="$PATH:/usr/local/go/bin"

say "Python environment (.venv)"
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || { echo "Python 3.11 or later is needed (found $("$PYTHON" --version))" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
echo "$(.venv/bin/sijil version) installé / installed"

say "Local stack"
.venv/bin/sijil stack up

say "Checks"
.venv/bin/sijil doctor

say "Sample batch: generate and ingest"
SAMPLE=.sample/batch
[ -f "$SAMPLE/batch.toml" ] || .venv/bin/sijil synth sample "$SAMPLE"
.venv/bin/sijil ingest "$SAMPLE"

say "Search the sample (French, then Arabic)"
.venv/bin/sijil search "BENALI" --size 2
.venv/bin/sijil search "بن علي" --size 2

HOME_DIR=$(.venv/bin/python -c 'from sijil.settings import load_settings; print(load_settings().home)')
cat <<EOF

Where to look:
  MinIO console   http://127.0.0.1:9001   (bucket sijil-masters: the scans; sijil-archive: the PDF/A and its veraPDF report)
  Prefect UI      http://127.0.0.1:4200   (flow run "ingest ...")
  Credentials     $HOME_DIR/credentials.env
  Try             .venv/bin/sijil search "Alger-Centre"     .venv/bin/sijil stack status
EOF
