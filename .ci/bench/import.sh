#!/usr/bin/env bash
# Import benchmark, side by side in one run on the same file, in rounds:
#   sqlite3 .import of a leads gen CSV into a new database file (the anchor)
#   leads import of the same file into a new database, then a second time
#   leads list --json over the result (streaming: peak memory should stay flat)
# once for each row order (and shape) of the generated file: the default
# generated order writes a person's leads together, which flatters the
# import; a real Storage Explorer export lists the table by PartitionKey
# (the day), then RowKey, so a person's leads lie far apart.
#
# Usage: [ROUNDS=4] [ORDERS="..."] .ci/bench/import.sh [ROWS]
#   ROWS    rows per file (default 1000000; the ROWS variable works too)
#   ROUNDS  side-by-side rounds per file (default 4); medians are reported
#   ORDERS  files to run, each an order (generated, table, shuffled) with
#           an optional shape joined by + (spread+table is --order table
#           --shape spread); default "generated table shuffled spread+table"
# Needs sqlite3 and GNU time.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-${ROWS:-1000000}}
rounds=${ROUNDS:-4}
orders=${ORDERS:-generated table shuffled spread+table}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v sqlite3 >/dev/null || { echo "bench: apt-get install sqlite3" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: apt-get install time" >&2; exit 2; }

# Check every item before spending minutes on the first.
for item in $orders; do
  for part in ${item//+/ }; do
    case $part in
      generated | table | shuffled | compact | spread) ;;
      *) echo "bench: ORDERS item '$item': '$part' is neither an order (generated, table, shuffled) nor a shape (compact, spread)" >&2; exit 2 ;;
    esac
  done
done

go build -o "$work/leads" ./cmd/leads

# measure LABEL CMD...: wall time and peak RSS (GNU time), with nothing else
# running: leads uses both cores, so a sampler beside it would slow it and
# not sqlite3, which uses one. Leaves the figures in $secs and $kb.
measure() {
  local label=$1; shift
  sync; sleep 2
  /usr/bin/time -f "%e %M %U %S" -o "$work/t" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  local usr sys
  read -r secs kb usr sys <"$work/t"
  printf "%-24s %7.2f s  (cpu %5.2f user %5.2f sys)  peak RSS %5d MB   %s\n" "$label" "$secs" "$usr" "$sys" $((kb / 1024)) "$(tail -n1 "$work/out")"
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

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
maximum() { printf '%s\n' "$@" | sort -g | tail -n1; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1048576 }'; }

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
anchor() {
  rm -f "$work/sq.db" "$work/leads.db"
  measure "sqlite3 .import" sqlite3 "$work/sq.db" -cmd ".mode csv" ".import $work/leads.csv leads"
  sq+=("$secs")
  sq_bytes=$(stat -c %s "$work/sq.db")
}
ours() {
  rm -f "$work/sq.db" "$work/leads.db"
  measure "leads import (first)" "$work/leads" --db "$work/leads.db" import "$work/leads.csv"
  first+=("$secs"); first_kb+=("$kb")
  measure "leads import (again)" "$work/leads" --db "$work/leads.db" import "$work/leads.csv"
  again+=("$secs"); again_kb+=("$kb")
  leads_bytes=$(stat -c %s "$work/leads.db")
}

summary="$work/summary"
printf '%-22s %8s %8s %8s %10s %10s %8s %8s %8s %8s\n' "file" "sqlite3" "first" "again" "first/sq3" "again/1st" "db/CSV" "sq3/CSV" "RSS 1st" "RSS 2nd" >"$summary"
for item in $orders; do
  order=generated shape=compact
  for part in ${item//+/ }; do
    case $part in
      compact | spread) shape=$part ;;
      *) order=$part ;;
    esac
  done
  echo
  echo "== $item: leads gen --order $order --shape $shape, $rows rows, $rounds rounds"
  measure "leads gen" "$work/leads" gen --rows "$rows" --seed 7 --now 2026-11-24T09:00:00Z \
    --order "$order" --shape "$shape" --out "$work/leads.csv"
  csv_bytes=$(stat -c %s "$work/leads.csv")
  echo "input: $rows rows, $(mb "$csv_bytes")"

  sq=() first=() again=() first_kb=() again_kb=()
  for i in $(seq "$rounds"); do
    if [ $((i % 2)) = 1 ]; then anchor; ours; else ours; anchor; fi
  done
  rm -f "$work/sq.db" "$work/leads.db" "$work/mem.db"
  anon "leads import (first)" "$work/leads" --db "$work/mem.db" import "$work/leads.csv"
  anon "leads import (again)" "$work/leads" --db "$work/mem.db" import "$work/leads.csv"
  anon "leads list --json" "$work/leads" --db "$work/mem.db" list --json
  measure "leads list --json" sh -c "'$work/leads' --db '$work/mem.db' list --json | wc -l"
  rm -f "$work/mem.db" "$work/leads.csv"

  m_sq=$(median "${sq[@]}"); m_first=$(median "${first[@]}"); m_again=$(median "${again[@]}")
  p_first=$(maximum "${first_kb[@]}"); p_again=$(maximum "${again_kb[@]}")
  echo "database: $(mb "$leads_bytes"), sqlite: $(mb "$sq_bytes"), CSV: $(mb "$csv_bytes")"
  awk -v a="$m_sq" -v b="$m_first" -v c="$m_again" -v n="$rounds" -v item="$item" \
    -v db="$leads_bytes" -v sqb="$sq_bytes" -v csv="$csv_bytes" -v pf="$p_first" -v pa="$p_again" -v out="$summary" '
    BEGIN {
      printf "%s: medians of %d rounds: sqlite3 %.2f s, first import %.2f s, again %.2f s\n", item, n, a, b, c
      printf "%s: ratio first import / sqlite3: %.2f (target <= 1.0)\n", item, b / a
      printf "%s: ratio second / first import: %.2f (target <= 0.5)\n", item, c / b
      printf "%s: database / CSV size: %.2f (sqlite3 %.2f); peak RSS first import %d MB, again %d MB\n", item, db / csv, sqb / csv, pf / 1024, pa / 1024
      printf "%-22s %7.2fs %7.2fs %7.2fs %10.2f %10.2f %8.2f %8.2f %5d MB %5d MB\n", item, a, b, c, b / a, c / b, db / csv, sqb / csv, pf / 1024, pa / 1024 >>out
    }'
done
echo
echo "summary: $rows rows, medians of $rounds rounds (peak RSS: the largest of the rounds); load average $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$summary"
