#!/usr/bin/env bash
# Inbox benchmark, side by side in one run on the same leads:
#   leads (the inbox) on a database of ROWS generated leads: time from launch
#   to the first complete frame (ranked rows on screen), resident memory
#   visidata (the anchor) opening the same leads as CSV: time to the first
#   rows and to the whole file loaded (before that it cannot sort or filter
#   all of it), resident memory
# then the in-process Go benchmarks (first frame, filter change, search key).
# Usage: [ORDER=table] [SHAPE=spread] .ci/bench/inbox.sh [ROWS]
#   ROWS (default 1000000); ORDER and SHAPE are leads gen's --order and
#   --shape for the generated file (default generated and compact, the
#   file earlier figures were measured on). Needs tmux and visidata.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-1000000}
order=${ORDER:-generated}
shape=${SHAPE:-compact}
work=$(mktemp -d)
sess="leads-bench-$$"
trap 'tmux kill-session -t "$sess" 2>/dev/null || true; rm -rf "$work"' EXIT
command -v tmux >/dev/null || { echo "bench: apt-get install tmux" >&2; exit 2; }
command -v vd >/dev/null || { echo "bench: apt-get install visidata" >&2; exit 2; }

go build -o "$work/leads" ./cmd/leads
"$work/leads" gen --rows "$rows" --seed 1 --now 2026-11-24T09:00:00Z --order "$order" --shape "$shape" --out "$work/leads.csv"
"$work/leads" --db "$work/leads.db" import "$work/leads.csv" >/dev/null
echo "input: $rows rows (--order $order --shape $shape), CSV $(du -h "$work/leads.csv" | cut -f1), database $(du -h "$work/leads.db" | cut -f1)"
now() { date +%s.%N; }
screen() { tmux capture-pane -p -t "$sess" 2>/dev/null || true; }
rss() { # resident MB of the newest process matching $1
  local pid; pid=$(pgrep -n -f "$1" || true)
  [ -n "$pid" ] && awk '/^VmRSS/{printf "%.0f", $2/1024}' "/proc/$pid/status" || echo "?"
}

# leads: a frame is complete when a ranked row is drawn (its clock column).
t0=$(now)
tmux new-session -d -s "$sess" -x 100 -y 30 "XDG_STATE_HOME=$work $work/leads --db $work/leads.db"
until grep -qE ' (left|late|over|ago) ' <<<"$(screen)"; do sleep 0.01; done
leads_first=$(echo "$(now) - $t0" | bc)
sleep 2
leads_rss=$(rss "$work/leads --db")
tmux send-keys -t "$sess" q
sleep 0.5
tmux kill-session -t "$sess" 2>/dev/null || true

# visidata: first rows, then the row count reaching the file's.
t0=$(now)
tmux new-session -d -s "$sess" -x 100 -y 30 "vd $work/leads.csv"
until grep -q "PartitionKey" <<<"$(screen)"; do sleep 0.01; done
vd_first=$(echo "$(now) - $t0" | bc)
until grep -q " $rows rows" <<<"$(screen)"; do sleep 0.05; done
vd_all=$(echo "$(now) - $t0" | bc)
vd_rss=$(rss "vd $work/leads.csv")
tmux kill-session -t "$sess" 2>/dev/null || true

printf '%-34s %8s %8s\n' "" "seconds" "RSS MB"
printf '%-34s %8.2f %8s\n' "leads: first complete frame" "$leads_first" "$leads_rss"
printf '%-34s %8.2f %8s\n' "visidata: first rows" "$vd_first" ""
printf '%-34s %8.2f %8s\n' "visidata: all rows loaded" "$vd_all" "$vd_rss"
echo "ratio (visidata fully loaded / leads first frame): $(echo "scale=1; $vd_all / $leads_first" | bc)x"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

LEADS_BENCH_DB="$work/leads.db" go test ./tui -run '^$' -bench . -benchtime 100x
