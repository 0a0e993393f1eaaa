#!/usr/bin/env bash
# Fault e2e with the real inbox: while 'leads inbox' runs in tmux (holding
# bbolt's exclusive lock), a second inbox must be refused within two
# seconds with one clear line (other commands borrow the file: see
# .ci/e2e-multi.sh), 'leads backup' must still make a verified copy, and
# once the inbox quits an import goes through with nothing lost.
# The kill -9 loops, damaged files and disk-full cases run in Go tests
# (cmd/leads/faults_test.go, store/faults_test.go) under .ci/test.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
sess="leads-faults-$$"
trap 'tmux kill-session -t "$sess" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/leads" ./cmd/leads
db="$work/leads.db"
L() { "$work/leads" --db "$db" "$@"; }
fail() { echo "e2e-faults: $*" >&2; exit 1; }

L gen --rows 2000 --seed 3 --now 2026-11-24T09:00:00Z --out "$work/a.csv"
L gen --rows 500 --seed 4 --now 2026-11-24T09:00:00Z --out "$work/b.csv"
L import "$work/a.csv" >/dev/null
before=$(L list --json --include-test | wc -l)

tmux new-session -d -s "$sess" -x 120 -y 30 "$work/leads --db $db inbox"
for _ in $(seq 50); do
  tmux capture-pane -p -t "$sess" | grep -q . && break
  sleep 0.1
done
sleep 0.5
tmux capture-pane -p -t "$sess" | grep -q . || fail "the inbox did not start"

start=$(date +%s%N)
set +e
L inbox >"$work/out" 2>"$work/err" </dev/null
code=$?
set -e
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$code" = 1 ] || fail "second inbox: exit $code"
[ "$ms" -lt 2000 ] || fail "second inbox took ${ms} ms to give up"
[ "$(wc -l <"$work/err")" = 1 ] || fail "want one error line, got: $(cat "$work/err")"
grep -q "leads.db is open in another leads inbox" "$work/err" || fail "message: $(cat "$work/err")"
grep -qi "goroutine\|panic" "$work/err" && fail "panic trace: $(cat "$work/err")"

L backup "$work/copy.db" | grep -q verified || fail "backup beside the inbox"
[ "$(stat -c %a "$work/copy.db")" = 600 ] || fail "backup mode"
[ "$("$work/leads" --db "$work/copy.db" list --json --include-test | wc -l)" = "$before" ] || fail "backup content"

tmux send-keys -t "$sess" q
for _ in $(seq 50); do
  tmux has-session -t "$sess" 2>/dev/null || break
  sleep 0.1
done
tmux has-session -t "$sess" 2>/dev/null && fail "the inbox did not quit"
L import "$work/b.csv" >/dev/null || fail "import after the inbox quit"
after=$(L list --json --include-test | wc -l)
[ "$after" -gt "$before" ] || fail "nothing imported after the inbox quit"
echo "e2e-faults: inbox + second inbox refused in ${ms} ms, backup verified, import after quit ok"
