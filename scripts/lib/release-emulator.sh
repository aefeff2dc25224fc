# Sourced by the benchmark and load scripts: wrk (installed from Debian if missing) and a
# release emulator on a free loopback port with a throwaway database. Sets `base` (its
# URL), `pid` and `work` (a temp folder), and stops everything on exit.

if ! command -v wrk >/dev/null 2>&1; then
  echo "== installing wrk (Debian package)"
  if ! apt-get install -y wrk >/dev/null 2>&1; then
    apt-get update >/dev/null
    apt-get install -y wrk >/dev/null
  fi
fi

echo "== building the optimised emulator (profile emulator)"
cargo build --profile emulator -p cocobase-emulator
BIN="${CARGO_TARGET_DIR:-target}/emulator/cocobase-emulator"

work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

mkfifo "$work/stdout"
"$BIN" --port 0 --db :memory: --tier enterprise --files "$work/files" >"$work/stdout" 2>"$work/stderr" &
pid=$!
exec 3<"$work/stdout"
read -r first_line <&3
base="${first_line#cocobase-emulator listening on }"
if [ "$base" = "$first_line" ]; then
  echo "unexpected first line from the emulator: $first_line" >&2
  exit 1
fi
echo "== emulator at $base (pid $pid)"
