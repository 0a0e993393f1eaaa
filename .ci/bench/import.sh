#!/usr/bin/env bash
# Import benchmark, side by side in one run on the same file, in rounds:
#   sqlite3 .import of a leads gen CSV into a new database file (the anchor)
#   leads import of the same file into a new database, then a second time
#   leads list --json over the result (streaming: peak memory should stay flat)
# Usage: .ci/bench/import.sh [ROWS]   (default 1000000; needs sqlite3 and GNU time)
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v sqlite3 >/dev/null || { echo "bench: apt-get install sqlite3" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: apt-get install time" >&2; exit 2; }

go build -o "$work/leads" ./cmd/leads
"$work/leads" gen --rows "$rows" --seed 7 --now 2026-11-24T09:00:00Z --out "$work/leads.csv"
echo "input: $rows rows, $(du -h "$work/leads.csv" | cut -f1)"
sync

# measure LABEL CMD...: wall time and peak RSS (GNU time), with nothing else
# running: leads uses both cores, so a sampler beside it would slow it and
# not sqlite3, which uses one.
measure() {
  local label=$1; shift
  sync; sleep 2
  /usr/bin/time -f "%e %M %U %S" -o "$work/t" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r secs kb usr sys <"$work/t"
  printf "%-24s %7.2f s  (cpu %5.2f user %5.2f sys)  peak RSS %5d MB   %s\n" "$label" "$secs" "$usr" "$sys" $((kb / 1024)) "$(tail -n1 "$work/out")"
  eval "${label//[^a-z0-9]/_}=$secs"
}

# anon LABEL CMD...: peak anonymous memory, sampled from /proc in a separate
# run. bbolt reads through mmap, so RSS also counts the database file's
# cached pages, which the kernel can drop at any time; the anonymous part
# is the memory the process really holds.
anon() {
  local label=$1; shift
  "$@" >/dev/null 2>"$work/err" &
  local tp=$! peak=0 a pid
  while kill -0 "$tp" 2>/dev/null; do
    for pid in $tp $(pgrep -P "$tp" 2>/dev/null); do
      a=$(awk '/^RssAnon/{print $2}' "/proc/$pid/status" 2>/dev/null || true)
      [ -n "$a" ] && [ "$a" -gt "$peak" ] && peak=$a
    done
    sleep 0.05
  done
  wait "$tp" || { cat "$work/err" >&2; exit 1; }
  printf '%-24s peak anonymous memory %5d MB\n' "$label" $((peak / 1024))
}

# Rounds of the anchor and leads side by side on fresh files; the median
# of each is reported, which keeps one noisy run on a shared machine from
# deciding the ratio either way.
#
# Which tool goes first alternates from round to round, and each import
# starts with the other tool's database deleted. On a virtual machine that
# hands idle memory back to its host, memory freed moments ago is several
# times cheaper to fill than memory the host has taken back (about 1.3 us
# against 6-8 us a 4 KiB page, measured here): the tool that always ran
# right after the last round's files were deleted, with the other's file
# gone, would always get the cheap memory.
rounds=${ROUNDS:-4}
anchor() {
  rm -f "$work/sq.db" "$work/leads.db"
  measure "sqlite3 .import" sqlite3 "$work/sq.db" -cmd ".mode csv" ".import $work/leads.csv leads"; sq[i]=$sqlite3__import
  sq_size=$(du -h "$work/sq.db" | cut -f1)
}
ours() {
  rm -f "$work/sq.db" "$work/leads.db"
  measure "leads import (first)" "$work/leads" --db "$work/leads.db" import "$work/leads.csv"; first[i]=$leads_import__first_
  measure "leads import (again)" "$work/leads" --db "$work/leads.db" import "$work/leads.csv"; again[i]=$leads_import__again_
  leads_size=$(du -h "$work/leads.db" | cut -f1)
}
for i in $(seq "$rounds"); do
  if [ $((i % 2)) = 1 ]; then anchor; ours; else ours; anchor; fi
done
rm -f "$work/sq.db" "$work/leads.db"
anon "leads import (first)" "$work/leads" --db "$work/mem.db" import "$work/leads.csv"
anon "leads import (again)" "$work/leads" --db "$work/mem.db" import "$work/leads.csv"
anon "leads list --json" "$work/leads" --db "$work/mem.db" list --json
measure "leads list --json" sh -c "'$work/leads' --db '$work/mem.db' list --json | wc -l"
echo "database: $leads_size, sqlite: $sq_size"
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
m_sq=$(median "${sq[@]}"); m_first=$(median "${first[@]}"); m_again=$(median "${again[@]}")
awk -v a="$m_sq" -v b="$m_first" -v c="$m_again" -v n="$rounds" \
  'BEGIN { printf "medians of %d rounds: sqlite3 %.2f s, first import %.2f s, again %.2f s\nratio first import / sqlite3: %.2f (target <= 1.0)\nratio second / first import: %.2f (target <= 0.5)\n", n, a, b, c, b/a, c/b }'
