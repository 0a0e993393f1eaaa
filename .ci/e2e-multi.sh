#!/usr/bin/env bash
# Several processes, one database, end to end: the real inbox open in tmux
# on the sample leads while 'leads import' of another file and 'leads mark
# --touch' run from this shell. The inbox must show both within a second
# (the new contacts marked "+"), a second inbox is refused in one line,
# and imports killed with kill -9 at a few moments leave the file checking
# clean with nothing committed lost.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "e2e-multi: tmux is not installed (apt-get install tmux)" >&2; exit 1; }

work=$(mktemp -d)
sess="leads-multi-$$"
trap 'tmux kill-session -t "$sess" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/leads" ./cmd/leads
db="$work/leads.db"
export XDG_RUNTIME_DIR="$work/run" XDG_STATE_HOME="$work/state"
mkdir -m 700 "$XDG_RUNTIME_DIR"
L() { "$work/leads" --db "$db" "$@"; }
fail() { echo "e2e-multi: $*" >&2; screen >&2 || true; exit 1; }
screen() { tmux capture-pane -p -t "$sess"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# shown_within MS PATTERN: poll the screen until PATTERN (a grep -E
# pattern) is on it; fail after MS milliseconds. Prints how long it took.
shown_within() {
  local start=$1 limit=$2 pat=$3
  while :; do
    screen | grep -qE -- "$pat" && { echo $(( $(now_ms) - start )); return 0; }
    [ $(( $(now_ms) - start )) -gt "$limit" ] && fail "'$pat' not on screen ${limit} ms after the command began"
    sleep 0.02
  done
}

L import cmd/leads/testdata/storage-explorer-export.csv >/dev/null
tmux new-session -d -s "$sess" -x 120 -y 30 \
  "NO_COLOR=1 XDG_RUNTIME_DIR='$XDG_RUNTIME_DIR' XDG_STATE_HOME='$XDG_STATE_HOME' '$work/leads' --db '$db'; echo EXITED \$?; sleep 60"
for _ in $(seq 200); do screen | grep -qF "Olu Adeyemi" && break; sleep 0.05; done
screen | grep -qF "Olu Adeyemi" || fail "the inbox did not start"
sleep 0.3

# An import of another file: its two contacts appear, marked as new.
start=$(now_ms)
L import cmd/leads/testdata/webhook-leads.ndjson >"$work/out" 2>"$work/err" || fail "import beside the inbox: $(cat "$work/err")"
[ -s "$work/err" ] && fail "import beside the inbox said: $(cat "$work/err")"
imp_ms=$(shown_within "$start" 1000 '\+ Kenji Sato')
shown_within "$start" 1000 '\+ Some One' >/dev/null

# A touch from the command line: Olu leaves "Action" for "Scheduled".
screen | grep -qE '2 Scheduled 0 ' || fail "a follow-up was scheduled before the mark"
start=$(now_ms)
L mark olu@tailspin.example --touch >/dev/null 2>"$work/err" || fail "mark beside the inbox: $(cat "$work/err")"
mark_ms=$(shown_within "$start" 1000 '1 Action 4 +2 Scheduled 1 ')
screen | grep -qF "Olu Adeyemi" && fail "Olu is still among the leads to act on"
tmux send-keys -t "$sess" 2; sleep 0.3
screen | grep -qE 'Olu Adeyemi .* contacted +1/4' || fail "Olu is not scheduled, contacted, 1 touch"
tmux send-keys -t "$sess" 1

# Readers too, and nothing of theirs leaves a note behind.
L list >"$work/out" && grep -qF "Kenji Sato" "$work/out" || fail "list beside the inbox"
L show olu@tailspin.example >"$work/out" && grep -qi "touch" "$work/out" || fail "show beside the inbox"

# A second inbox is refused in one line.
set +e
L inbox >"$work/out" 2>"$work/err" </dev/null
code=$?
set -e
[ "$code" = 1 ] || fail "second inbox: exit $code"
[ "$(wc -l <"$work/err")" = 1 ] || fail "second inbox: want one line, got: $(cat "$work/err")"
grep -q "leads.db is open in another leads inbox (pid [0-9]*)" "$work/err" || fail "second inbox said: $(cat "$work/err")"

# kill -9 of an import at a few moments: what it committed stays, the
# inbox takes the file back each time.
L gen --rows 100000 --seed 5 --now 2026-11-24T09:00:00Z --out "$work/big.csv"
count() { L list --json --include-test | wc -l; }
last=$(count)
counts=$last
# Killed before its first batch, after the first, after the third and
# after the last (while it files the leads into contacts).
for after in 0 1 3 5; do
  "$work/leads" --db "$db" import --progress "$work/big.csv" >/dev/null 2>"$work/progress" &
  pid=$!
  if [ "$after" = 0 ]; then
    sleep 0.2
  else
    for _ in $(seq 600); do [ "$(grep -c "rows stored" "$work/progress")" -ge "$after" ] && break; sleep 0.01; done
  fi
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  n=$(count)
  [ "$n" -ge "$last" ] || fail "after kill -9 after $after batches: $n contacts, $last before"
  last=$n counts="$counts $n"
done
screen | grep -qF EXITED && fail "the inbox ended"
L show olu@tailspin.example >"$work/out" && grep -qi "touch" "$work/out" || fail "the touch was lost"
# While an import runs the status bar says who has the file.
"$work/leads" --db "$db" import "$work/big.csv" >/dev/null 2>"$work/err" &
pid=$!
shown_within "$(now_ms)" 5000 "leads import \(pid $pid\) is writing; changes wait" >/dev/null
wait "$pid" || fail "import after the kills: $(cat "$work/err")"
for _ in $(seq 250); do screen | grep -qF "is writing" || break; sleep 0.02; done
screen | grep -qF "is writing" && fail "the status bar still says another process writes"
[ "$(count)" -ge "$last" ] || fail "contacts lost by the last import"

# The file checks clean: a backup beside the inbox copies it byte for
# byte and runs bbolt's consistency check of every page on the copy.
L backup "$work/copy.db" >"$work/out" && grep -q "verified" "$work/out" || fail "the file does not check clean"
tmux send-keys -t "$sess" q
for _ in $(seq 100); do screen | grep -qF "EXITED" && break; sleep 0.05; done
screen | grep -qF "EXITED 0" || fail "the inbox did not quit cleanly"
[ "$(count)" -ge "$last" ] || fail "contacts lost after the inbox quit"

# kill -9 of the inbox itself: right after a touch it saved, while an
# import has the file, and just as it takes the file back from a mark.
# Each time the file checks clean and what was committed is there.
inbox_pid() { pgrep -f -x "$work/leads --db $db" | head -n1; }
start_inbox() {
  tmux respawn-pane -k -t "$sess" \
    "NO_COLOR=1 XDG_RUNTIME_DIR='$XDG_RUNTIME_DIR' XDG_STATE_HOME='$XDG_STATE_HOME' '$work/leads' --db '$db'; echo EXITED \$?; sleep 60"
  for _ in $(seq 200); do screen | grep -qE "[0-9]+ Action" && break; sleep 0.05; done
  screen | grep -qE "[0-9]+ Action" || fail "the inbox did not start again after a kill -9"
}
kill_inbox() {
  local pid
  pid=$(inbox_pid)
  [ -n "$pid" ] || fail "no inbox process to kill"
  kill -9 "$pid"
  for _ in $(seq 100); do screen | grep -qF EXITED && break; sleep 0.05; done
}
touches() { L show kenji@litware.example | grep -aci "touch" || true; }
# checked_clean WHEN: a new inbox opens the file (Open checks it) and a
# backup beside it runs bbolt's check of every page on the copy.
checked_clean() {
  start_inbox
  L backup --force "$work/copy.db" >"$work/out" 2>&1 && grep -q "verified" "$work/out" || fail "the file does not check clean after $1: $(cat "$work/out")"
}
start_inbox
before=$(touches)
tmux send-keys -t "$sess" 3 / k e n j i @ l i t w a r e Enter; sleep 0.5
screen | grep -qF "Kenji Sato" || fail "search for Kenji in the inbox"
tmux send-keys -t "$sess" t
shown_within "$(now_ms)" 3000 "[Tt]ouch 1" >/dev/null
kill_inbox
[ "$(touches)" -gt "$before" ] || fail "the touch the inbox said it saved was lost to kill -9"
checked_clean "kill -9 of the inbox after a touch"

start_inbox
"$work/leads" --db "$db" import "$work/big.csv" >/dev/null 2>"$work/err" &
pid=$!
shown_within "$(now_ms)" 5000 "is writing; changes wait" >/dev/null
kill_inbox
wait "$pid" || fail "the import beside an inbox killed with kill -9 failed: $(cat "$work/err")"
[ "$(count)" -ge "$last" ] || fail "contacts lost when the inbox was killed during an import"
checked_clean "kill -9 of the inbox during an import"

L mark kenji@litware.example --note "after the kill" >/dev/null 2>"$work/err" || fail "mark: $(cat "$work/err")"
kill_inbox
L show kenji@litware.example >"$work/out" 2>&1; grep -aqF "after the kill" "$work/out" || fail "the note of a mark was lost when the inbox was killed taking the file back: $(tail -n 8 "$work/out")"
checked_clean "kill -9 of the inbox as it took the file back"
tmux send-keys -t "$sess" q
echo "e2e-multi: import shown in ${imp_ms} ms, mark shown in ${mark_ms} ms; second inbox refused; 4 kill -9 of an import (contacts: $counts) and 3 of the inbox, nothing lost, file clean"
