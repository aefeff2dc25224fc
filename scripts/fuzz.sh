#!/usr/bin/env bash
# Fuzzes the Rust client with cargo-fuzz / libFuzzer: the protocol core's parsers (token,
# error_body, record, callback, answers) and the email and password rules (validate).
# Every target in fuzz/ runs for SECONDS each (default 5), one after the other, seeded
# from fuzz/corpus/<target>/.
#
#   bash scripts/fuzz.sh                # 5 s per target (a smoke run)
#   bash scripts/fuzz.sh 60             # 60 s per target
#   bash scripts/fuzz.sh 60 validate    # only these targets
#
# Environment: FUZZ_SANITIZER=address|none (default address; `none` runs 3-5x faster
# but only panics, aborts and timeouts are caught, which is all safe Rust can do),
# FUZZ_MAX_LEN (default 4096 bytes), FUZZ_TIMEOUT (seconds per input, default 10).
#
# Prints per target the executions run and whether a crash was found, and exits
# non-zero if any target crashed (or timed out, or ran out of memory). A crashing input
# is kept in fuzz/artifacts/<target>/; replay it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run -O <target> fuzz/artifacts/<target>/<file>
# and turn it into a regression test in src/.
#
# cargo-fuzz asks for a nightly compiler only for `-Zsanitizer=address`; the stable
# toolchain accepts that flag with RUSTC_BOOTSTRAP=1, which is set here for this script
# only. The corpus in git is never written to: each run works on a scratch copy.
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${1:-5}"
shift || true
case "$secs" in
  '' | *[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac
sanitizer="${FUZZ_SANITIZER:-address}"
max_len="${FUZZ_MAX_LEN:-4096}"
timeout="${FUZZ_TIMEOUT:-10}"

export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1
say() { printf 'fuzz: %s\n' "$*"; }

# Pinned so that every machine fuzzes with the same libFuzzer driver.
cargo_fuzz_version=0.13.2
if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "$cargo_fuzz_version" ]; then
  say "installing cargo-fuzz $cargo_fuzz_version (about 2 minutes, once)"
  cargo install --locked cargo-fuzz --version "$cargo_fuzz_version" \
    || cargo install --force cargo-fuzz --version "$cargo_fuzz_version"
fi

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

# One build for every target (fuzz/target; release with debug assertions and overflow
# checks, which is cargo-fuzz's default).
say "building ${targets[*]} (sanitizer: $sanitizer)"
cargo fuzz build -O --sanitizer "$sanitizer"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
rows=()
for t in "${targets[@]}"; do
  seeds="fuzz/corpus/$t"
  [ -d "$seeds" ] || { echo "fuzz: no seed corpus $seeds" >&2; exit 2; }
  corpus="$work/corpus-$t"
  mkdir -p "$corpus"
  cp "$seeds"/* "$corpus"/
  log="$work/$t.log"
  say "running $t for ${secs}s"
  # libFuzzer runs one process with one thread by default; -jobs/-workers are left at
  # their defaults (-jobs=1 would only add a supervising process and hide the output
  # in fuzz-0.log).
  set +e
  cargo fuzz run -O --sanitizer "$sanitizer" "$t" "$corpus" -- \
    -max_total_time="$secs" -max_len="$max_len" -timeout="$timeout" \
    -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1
  status=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n1)
  if [ "$status" -eq 0 ]; then
    result="no crash"
  else
    if grep -q 'panicked at' "$log"; then
      kind="panic"
    else
      kind=$(sed -n 's/.*ERROR: libFuzzer: \([a-z-]*\).*/\1/p' "$log" | head -n1)
    fi
    result="CRASH (${kind:-exit status $status}) ${artifact:-}"
    failed+=("$t")
    echo "---- $t: last lines of the log"
    grep -E 'panicked|assertion|left:|right:|ERROR|SUMMARY|Test unit|Base64' "$log" | head -n 20 || tail -n 30 "$log"
    echo "----"
  fi
  rows+=("$(printf '%-11s %12s execs %9s exec/s   %s' "$t" "${execs:-?}" "${speed:-?}" "$result")")
done

echo
echo "fuzz summary (${secs}s per target, sanitizer $sanitizer):"
printf '  %s\n' "${rows[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crash in ${failed[*]}: inputs are in fuzz/artifacts/; replay with"
  echo "  RUSTC_BOOTSTRAP=1 cargo fuzz run -O <target> <artifact>"
  exit 1
fi
echo "fuzz: no crash"
