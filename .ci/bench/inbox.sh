#!/usr/bin/env bash
# Inbox benchmark, side by side in one run on the same leads:
#   leads (the inbox) on a database of ROWS generated leads: time from launch
#   to the first complete frame (ranked rows on screen), resident memory
#   sqlite3 (the anchor), a new process answering the inbox's question over
#   the same leads imported into a table once before timing: newest lead of
#   each address, the 40 most recent
# in ROUNDS rounds, which tool goes first alternating, medians reported;
# then visidata (a second anchor, once, if installed) opening the same
# leads as CSV: time to the first rows and to the whole file loaded
# (before that it cannot sort or filter all of it), resident memory;
# then the in-process Go benchmarks (first frame, filter change, search key).
# Usage: [ROUNDS=3] [ORDER=table] [SHAPE=spread] .ci/bench/inbox.sh [ROWS]
#   ROWS (default 1000000); ORDER and SHAPE are leads gen's --order and
#   --shape for the generated file (default generated and compact, the
#   file earlier figures were measured on). Needs tmux, sqlite3 and bc;
#   visidata is skipped, with a message, when it is not installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-1000000}
order=${ORDER:-generated}
shape=${SHAPE:-compact}
rounds=${ROUNDS:-3}
work=$(mktemp -d)
sess="leads-bench-$$"
trap 'tmux kill-session -t "$sess" 2>/dev/null || true; rm -rf "$work"' EXIT
for tool in tmux sqlite3 bc; do
  command -v "$tool" >/dev/null || { echo "bench: apt-get install $tool" >&2; exit 2; }
done
have_vd=1
command -v vd >/dev/null || have_vd=0

go build -o "$work/leads" ./cmd/leads
"$work/leads" gen --rows "$rows" --seed 1 --now 2026-11-24T09:00:00Z --order "$order" --shape "$shape" --out "$work/leads.csv"
"$work/leads" --db "$work/leads.db" import "$work/leads.csv" >/dev/null
sqlite3 "$work/sq.db" -cmd ".mode csv" ".import $work/leads.csv leads"
echo "input: $rows rows (--order $order --shape $shape), CSV $(du -h "$work/leads.csv" | cut -f1), database $(du -h "$work/leads.db" | cut -f1), sqlite $(du -h "$work/sq.db" | cut -f1)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
now() { date +%s.%N; }
screen() { tmux capture-pane -p -t "$sess" 2>/dev/null || true; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
maximum() { printf '%s\n' "$@" | sort -g | tail -n1; }
# mem PATTERN FIELD: FIELD (VmRSS, VmHWM, RssAnon) in MB of the newest
# process matching PATTERN
mem() {
  local pid; pid=$(pgrep -n -f "$1" || true)
  [ -n "$pid" ] && awk -v f="$2:" '$1 == f {printf "%.0f", $2/1024}' "/proc/$pid/status" || echo "?"
}
# wait_for PATTERN SECONDS: until the screen shows PATTERN (grep -E)
wait_for() {
  local deadline; deadline=$(echo "$(now) + $2" | bc)
  until grep -qE "$1" <<<"$(screen)"; do
    if [ "$(echo "$(now) > $deadline" | bc)" = 1 ]; then
      echo "bench: no '$1' on screen after $2 s; the screen:" >&2; screen >&2; exit 1
    fi
    sleep 0.01
  done
}

# leads: a frame is complete when a ranked row is drawn (its clock column).
# The first frame comes from the rank column while the digests still load
# behind it, so memory is read once the inbox's log says the load is done
# (then 1 s more, for what follows it): resident (VmRSS; bbolt reads
# through mmap, so it counts cached pages of the database file too), its
# peak (VmHWM) and the anonymous part (RssAnon), the memory leads really
# holds.
inbox() {
  local t0; t0=$(now)
  local log="$work/state/leads/leads.log"
  local before=0; [ -f "$log" ] && before=$(grep -c 'loaded .* contacts in' "$log" || true)
  tmux new-session -d -s "$sess" -x 100 -y 30 "XDG_STATE_HOME=$work/state $work/leads --db $work/leads.db"
  wait_for ' (left|late|over|ago) ' 120
  local t; t=$(echo "$(now) - $t0" | bc)
  local waited=0
  until [ -f "$log" ] && [ "$(grep -c 'loaded .* contacts in' "$log" || true)" -gt "$before" ]; do
    sleep 0.1; waited=$((waited + 1))
    if [ "$waited" -gt 1200 ]; then echo "bench: the inbox did not log its load within 120 s" >&2; exit 1; fi
  done
  sleep 1
  local rss hwm anon
  rss=$(mem "$work/leads --db" VmRSS); hwm=$(mem "$work/leads --db" VmHWM); anon=$(mem "$work/leads --db" RssAnon)
  tmux send-keys -t "$sess" q
  sleep 0.5
  tmux kill-session -t "$sess" 2>/dev/null || true
  leads_t+=("$t"); leads_rss+=("$rss"); leads_hwm+=("$hwm"); leads_anon+=("$anon")
  printf '  %-30s %7.2f s  RSS %5s MB  peak %5s MB  anonymous %5s MB\n' "leads: first complete frame" "$t" "$rss" "$hwm" "$anon"
}

# sqlite3: a new process, launch to exit, the answer written to a file.
query="SELECT lower(trim(json_extract(CustomerInfo, '\$.Email'))) e, max(Timestamp) t, count(*) FROM leads GROUP BY e ORDER BY t DESC LIMIT 40"
anchor() {
  local t0; t0=$(now)
  /usr/bin/time -f "%M" -o "$work/sq.time" sqlite3 "$work/sq.db" "$query" >"$work/sq.out" 2>"$work/sq.err" \
    || { echo "bench: sqlite3 query failed:" >&2; cat "$work/sq.err" >&2; exit 1; }
  local t; t=$(echo "$(now) - $t0" | bc)
  local kb; kb=$(tail -n1 "$work/sq.time")
  sq_t+=("$t"); sq_rss+=($((kb / 1024)))
  printf '  %-30s %7.2f s  RSS %5s MB  (%d rows)\n' "sqlite3: the inbox's question" "$t" $((kb / 1024)) "$(wc -l <"$work/sq.out")"
}

echo "== $rounds rounds, which goes first alternating"
leads_t=() leads_rss=() leads_hwm=() leads_anon=() sq_t=() sq_rss=()
for i in $(seq "$rounds"); do
  echo "round $i"
  if [ $((i % 2)) = 1 ]; then inbox; anchor; else anchor; inbox; fi
done
m_leads=$(median "${leads_t[@]}"); m_sq=$(median "${sq_t[@]}")
m_rss=$(median "${leads_rss[@]}"); p_hwm=$(maximum "${leads_hwm[@]}"); m_anon=$(median "${leads_anon[@]}")
m_sq_rss=$(median "${sq_rss[@]}")

# visidata: first rows, then the row count reaching the file's. Once, not
# in rounds: loading the whole file takes it far longer than either above.
if [ "$have_vd" = 1 ]; then
  t0=$(now)
  tmux new-session -d -s "$sess" -x 100 -y 30 "vd $work/leads.csv"
  wait_for "PartitionKey" 120
  vd_first=$(echo "$(now) - $t0" | bc)
  wait_for " $rows rows" "${VD_TIMEOUT:-900}"
  vd_all=$(echo "$(now) - $t0" | bc)
  vd_rss=$(mem "vd $work/leads.csv" VmRSS)
  tmux kill-session -t "$sess" 2>/dev/null || true
else
  echo "bench: visidata (vd) is not installed, so its part is skipped (apt-get install visidata)"
fi

echo
echo "summary: $rows rows (--order $order --shape $shape), medians of $rounds rounds"
printf '%-34s %8s %8s\n' "" "seconds" "RSS MB"
printf '%-34s %8.2f %8s\n' "leads: first complete frame" "$m_leads" "$m_rss"
printf '%-34s %8.2f %8s\n' "sqlite3: the inbox's question" "$m_sq" "$m_sq_rss"
if [ "$have_vd" = 1 ]; then
  printf '%-34s %8.2f %8s\n' "visidata: first rows" "$vd_first" ""
  printf '%-34s %8.2f %8s\n' "visidata: all rows loaded" "$vd_all" "$vd_rss"
fi
awk -v l="$m_leads" -v s="$m_sq" -v r="$m_rss" -v h="$p_hwm" -v a="$m_anon" 'BEGIN {
  printf "ratio leads first frame / sqlite3 query: %.3f (target <= 0.25)\n", l / s
  printf "leads resident memory: %d MB (target <= 300), peak %d MB, anonymous %d MB\n", r, h, a
}'
[ "$have_vd" = 1 ] && echo "ratio (visidata fully loaded / leads first frame): $(echo "scale=1; $vd_all / $m_leads" | bc)x"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

LEADS_BENCH_DB="$work/leads.db" go test ./tui -run '^$' -bench . -benchtime 100x
