#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build (make fuzz) for a share of the
# time budget, starting from its seeds and the corpus earlier runs grew.
#   scripts/fuzz.sh BUILD_DIR TOTAL_SECONDS [TARGET...]
# Inputs that crash land in BUILD_DIR/fuzz-artifacts/<target>/; copy each one
# into tests/fuzz/crashers/<target>/ once it is fixed, so that `make test`
# replays it from then on. Prints executions per target; exit 1 on a crash.
set -euo pipefail
build=${1:?usage: scripts/fuzz.sh BUILD_DIR TOTAL_SECONDS [TARGET...]}
total=${2:?usage: scripts/fuzz.sh BUILD_DIR TOTAL_SECONDS [TARGET...]}
shift 2
cd "$(dirname "$0")/.."
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in "$build"/tests/fuzz/fuzz_*; do
    [ -x "$f" ] && targets+=("$(basename "$f" | sed 's/^fuzz_//')")
  done
fi
[ ${#targets[@]} -gt 0 ] || { echo "fuzz.sh: no fuzz targets in $build/tests/fuzz" >&2; exit 1; }
per=$(( total / ${#targets[@]} ))
[ "$per" -ge 1 ] || per=1
status=0
printf '%-18s %10s %8s %8s  %s\n' target executions exec/s corpus result
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/fuzz_$t"
  corpus="$build/fuzz-corpus/$t"
  artifacts="$build/fuzz-artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  seeds=()
  while IFS= read -r s; do [ -n "$s" ] && seeds+=("$s"); done < "$build/tests/fuzz/seeds_$t.txt"
  # Folders only: libFuzzer reads every file in each (single files are copied in).
  dirs=("$corpus")
  for s in "${seeds[@]}"; do
    if [ -d "$s" ]; then dirs+=("$s"); elif [ -f "$s" ]; then cp -f "$s" "$corpus/"; fi
  done
  log="$build/fuzz-artifacts/$t.log"
  set +e
  # New inputs go into the first folder, the run's own corpus.
  "$bin" -max_total_time="$per" -timeout=60 -rss_limit_mb=4096 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "${dirs[@]}" > "$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  size=$(find "$corpus" -type f | wc -l)
  if [ $rc -eq 0 ]; then
    result=ok
  else
    result="CRASH (rc $rc): $(ls "$artifacts" | head -3 | tr '\n' ' ')see $log"
    status=1
  fi
  printf '%-18s %10s %8s %8s  %s\n' "$t" "$execs" "$rate" "$size" "$result"
done
exit $status
