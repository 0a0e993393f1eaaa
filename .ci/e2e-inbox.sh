#!/usr/bin/env bash
# End to end: the real binary in a real terminal (tmux) on the sample leads.
# Filter to Contact-me leads, log a touch, see its message give way to the
# key hints, cancel a note with ctrl+c without quitting, quit, reopen, and
# find the touch saved, both on screen and through the command line. Then draft an email
# in $EDITOR from the inbox and log it as a touch. Then sort by name, mark
# three rows, set their status in one key and undo it in one u.
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
until_text "touch 1 logged"
# The message gives way to the key hints by itself (a real tick, not a key).
for _ in $(seq 200); do screen | grep -qF "touch 1 logged" || break; sleep 0.05; done
screen | grep -qF "touch 1 logged" && { screen >&2; echo "e2e-inbox: the message did not expire" >&2; exit 1; }
until_text "open contact"
# ctrl+c in a note prompt cancels it and repeats the note; it does not quit.
keys 3
keys n
keys -l "call back friday"
keys C-c
until_text 'note not saved: "call back friday"'
screen | grep -qF EXITED && { echo "e2e-inbox: ctrl+c in a prompt quit the inbox" >&2; exit 1; }
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
# An email draft for Olu Adeyemi, opened in $EDITOR (a script that records
# the file it was given), then logged as a touch.
printf '#!/bin/sh\ncp "$1" "%s/edited.txt"\n' "$work" >"$work/editor.sh"
chmod +x "$work/editor.sh"
touches() { "$work/leads" --db "$db" list --json | grep -F 'Olu' | grep -oE '"touches":[0-9]+' || true; }
before=$(touches)
tmux kill-session -t "$sess"
tmux new-session -d -s "$sess" -x 100 -y 30 \
  "NO_COLOR=1 EDITOR='$work/editor.sh' VISUAL= XDG_CONFIG_HOME='$work/config' XDG_DATA_HOME='$work/data' '$work/leads' --db '$db'; echo EXITED \$?; sleep 60"
until_text "Scheduled"
keys 3                      # the "all" view: Olu may be scheduled after the touch above
until_text "Olu Adeyemi"
keys /
keys -l "Olu"
keys Enter
until_text "contacts match"
keys e
until_text "Draft · Olu Adeyemi"
keys E                      # the editor (the recording script) runs and returns
until_text "y/n"
grep -qF "Hi Olu," "$work/edited.txt" && grep -qE "^Subject: .+" "$work/edited.txt" \
  || { cat "$work/edited.txt" >&2 || true; echo "e2e-inbox: the editor did not get the draft" >&2; exit 1; }
keys y
until_text "logged"
keys q
until_text "EXITED 0"
after=$(touches)
[ -n "$after" ] && [ "$after" != "$before" ] || { echo "e2e-inbox: the draft's touch was not saved ($before -> $after)" >&2; exit 1; }


# Bulk: sort the All view by name, mark the first three rows with space,
# set their status in one key, undo all three with one u.
tmux kill-session -t "$sess"
start
until_text "Scheduled"
keys 3                      # the "all" view
until_text "Olu Adeyemi"
keys O                      # sort by name
until_text "Name ↑"
keys g
keys Space Space Space
until_text "3 marked"
marks=$(screen | grep -c "✓" || true)
[ "$marks" = 3 ] || { screen >&2; echo "e2e-inbox: $marks rows show a mark, want 3" >&2; exit 1; }
for n in "José" "Mei Lin" "Olu Adeyemi"; do
  screen | grep -F "$n" | grep -qF "✓" || { screen >&2; echo "e2e-inbox: $n is not marked" >&2; exit 1; }
done
keys s
until_text "Status of 3 marked"
keys q                      # qualified, for all three
until_text "status set to qualified on 3"
q=$(screen | grep -c "qualified " || true)
[ "$q" -ge 3 ] || { screen >&2; echo "e2e-inbox: $q rows qualified after the batch, want 3" >&2; exit 1; }
keys u
until_text "on 3 contacts undone"
screen | grep -F "✓" | grep -qF "qualified" && { screen >&2; echo "e2e-inbox: a row is still qualified after u" >&2; exit 1; }
keys Escape
for _ in $(seq 200); do screen | grep -qF "marked" || break; sleep 0.05; done
screen | grep -qF "✓" && { screen >&2; echo "e2e-inbox: esc left the marks" >&2; exit 1; }
keys q
until_text "EXITED 0"
[ -z "$("$work/leads" --db "$db" list --status qualified | grep -v '^ID' | grep -v 'no contacts match' || true)" ] \
  || { "$work/leads" --db "$db" list >&2; echo "e2e-inbox: the undone batch is still saved" >&2; exit 1; }

echo "e2e-inbox: filtered to Contact me, logged a touch on $first, reopened and found it saved; drafted for Olu in \$EDITOR and logged that touch; sorted by name, marked three rows, qualified them in one key and undid it in one u"
