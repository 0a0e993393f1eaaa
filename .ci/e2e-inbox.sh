#!/usr/bin/env bash
# Inbox e2e with the real binary in tmux: on generated sample leads, filter
# the inbox to Contact-me leads in the filter panel, open the top contact,
# log a touch, quit; then reopen the database and find the touch saved
# (in 'leads show' and in the reopened inbox's Scheduled view).
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
sess="leads-inbox-$$"
trap 'tmux kill-session -t "$sess" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/leads" ./cmd/leads
db="$work/leads.db"
L() { "$work/leads" --db "$db" "$@"; }
fail() { echo "e2e-inbox: $*" >&2; tmux capture-pane -p -t "$sess" >&2 2>/dev/null || true; exit 1; }
screen() { tmux capture-pane -p -t "$sess"; }
until_text() { # wait up to 5 s for $1 on screen
  for _ in $(seq 100); do grep -qF -- "$1" <<<"$(screen)" && return 0; sleep 0.05; done
  fail "'$1' not on screen"
}
key() { tmux send-keys -t "$sess" "$@"; sleep 0.15; }

L gen --rows 1500 --seed 7 --now "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --out "$work/leads.csv"
L import "$work/leads.csv" >/dev/null
export XDG_STATE_HOME="$work/state"

tmux new-session -d -s "$sess" -x 100 -y 30 "$work/leads --db $db"
until_text "? help"

# Filter panel, action dimension: move down to "Contact me" and choose it.
key f
until_text "tab/h/l dimension"
key Tab
until_text "Contact me"
row=$(screen | sed -n '/tab\/h\/l dimension/,$p' | tail -n +2 | grep -n "Contact me" | head -1 | cut -d: -f1 || true)
[ -n "$row" ] || fail "no Contact me choice"
for _ in $(seq 2 "$row"); do key j; done
key Enter
key Escape
until_text "Filter: action=Contact me"

# Open the top contact, note its ID, go back and log a touch.
key Enter
until_text "Funnel"
id=$(screen | grep -o 'ID [0-9a-f]\{16\}' | head -1 | cut -c4- || true)
[ -n "$id" ] || fail "no contact ID on the detail screen"
grep -q "Contact me" <<<"$(screen)" || fail "the opened contact has no Contact me lead"
key Escape
key t
until_text "touch 1 logged"
key q
for _ in $(seq 50); do tmux has-session -t "$sess" 2>/dev/null || break; sleep 0.1; done
tmux has-session -t "$sess" 2>/dev/null && fail "the inbox did not quit"

# Reopened: the touch is saved.
shown=$(L show "$id")
grep -q "Status:  contacted" <<<"$shown" || { echo "$shown" >&2; fail "touch not saved for $id"; }
tmux new-session -d -s "$sess" -x 100 -y 30 "$work/leads --db $db"
until_text "? help"
key 2
until_text "1/1 "
grep -q "1/4" <<<"$(screen)" || fail "the reopened inbox does not show the touch"
key q
echo "e2e-inbox: filter, touch, quit, reopen: ok"
