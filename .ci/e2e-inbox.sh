#!/usr/bin/env bash
# End to end: the real binary in a real terminal (tmux) on the sample leads.
# Filter to Contact-me leads, log a touch, quit, reopen, and find the touch
# saved, both on screen and through the command line.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "e2e-inbox: tmux is not installed (apt-get install tmux)" >&2; exit 1; }

work=$(mktemp -d)
sess="leads-e2e-$$"
trap 'tmux kill-session -t "$sess" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/leads" ./cmd/leads
db="$work/leads.db"
"$work/leads" --db "$db" import cmd/leads/testdata/storage-explorer-export.csv

screen() { tmux capture-pane -p -t "$sess"; }
# until TEXT: wait up to 10 s for TEXT on screen.
until_text() {
  for _ in $(seq 200); do screen | grep -qF -- "$1" && return 0; sleep 0.05; done
  echo "e2e-inbox: '$1' not on screen after 10 s; the screen was:" >&2; screen >&2; exit 1
}
keys() { tmux send-keys -t "$sess" "$@"; sleep 0.3; }
start() {
  tmux new-session -d -s "$sess" -x 100 -y 30 "NO_COLOR=1 '$work/leads' --db '$db'; echo EXITED \$?; sleep 60"
}

start
until_text "Olu Adeyemi"
keys 3                      # the "all" view
keys f                      # filter panel
until_text "tab/h/l dimension"
keys Tab                    # action
until_text "Contact me"
keys Enter                  # choose Contact me
keys Escape                 # close the panel
until_text "Contact me"
view=$(screen)
# Only the two Contact-me contacts remain: Mei Lin (whose funnel began with
# Contact me) and Olu Adeyemi; José (Create) and Priya (DNC) are filtered out.
grep -qF "Olu Adeyemi" <<<"$view" && grep -qF "Mei Lin" <<<"$view" || { echo "$view" >&2; echo "e2e-inbox: filter lost a Contact-me lead" >&2; exit 1; }
if grep -qF "José" <<<"$view" || grep -qF "Priya" <<<"$view"; then echo "$view" >&2; echo "e2e-inbox: filter kept other leads" >&2; exit 1; fi
keys g                      # first row
first=$(screen | grep -oE "Olu Adeyemi|Mei Lin" | head -1)
keys t                      # log a touch on it
until_text "1/4"
keys q
until_text "EXITED 0"
tmux kill-session -t "$sess"

# Reopen: the touch is there.
start
until_text "Scheduled 1"
keys 2                      # scheduled view
until_text "$first"
screen | grep -F "$first" | grep -qF "1/4" || { screen >&2; echo "e2e-inbox: touch not shown after reopening" >&2; exit 1; }
keys q
until_text "EXITED 0"

"$work/leads" --db "$db" list --json --status contacted | grep -q '"touches":1' \
  || { echo "e2e-inbox: the touch was not saved in the database" >&2; exit 1; }
echo "e2e-inbox: filtered to Contact me, logged a touch on $first, reopened and found it saved"
