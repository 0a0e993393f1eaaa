#!/usr/bin/env bash
# End to end: a follow-up session in a real terminal (tmux) over generated
# sample leads, sending through a recording sendmail-compatible script set
# as [mail] sendmail in a temporary config. Five contacts: send (with its
# From/To/Subject confirmation), snooze, skip, set a status, quit. Then
# the summary on screen, the stored state (leads list --json), the one
# message the script recorded, and 'leads session --resume' at the fifth.
# SUMMARY_OUT=FILE keeps the summary's screen (the README's capture).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "e2e-session: tmux is not installed (apt-get install tmux)" >&2; exit 1; }

work=$(mktemp -d)
sess="leads-session-$$"
trap 'tmux kill-session -t "$sess" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/leads" ./cmd/leads
db="$work/leads.db"
"$work/leads" gen --rows 60 --seed 18 --out "$work/leads.csv" 2>/dev/null
"$work/leads" --db "$db" import "$work/leads.csv" >/dev/null

mkdir -p "$work/config/leads" "$work/sent"
cat >"$work/sendmail.sh" <<SH
#!/bin/sh
# Records each message it is given, as a sendmail-compatible command would take it.
cat >"$work/sent/\$(date +%s%N).eml"
SH
chmod +x "$work/sendmail.sh"
cat >"$work/config/leads/config.toml" <<TOML
[sender]
name = "Sam Rep"
email = "sam@contoso.example"

[mail]
sendmail = "$work/sendmail.sh"
TOML

screen() { tmux capture-pane -p -t "$sess"; }
fail() { screen >&2 || true; echo "e2e-session: $1" >&2; exit 1; }
until_text() {
  for _ in $(seq 200); do grep -qF -- "$1" <<<"$(screen)" && return 0; sleep 0.05; done
  fail "'$1' not on screen after 10 s"
}
keys() { tmux send-keys -t "$sess" "$@"; sleep 0.2; }
# shown: the address of the contact the session shows (the draft's To:).
shown() { screen | sed -n 's/^To: .*<\([^>]*\)>.*/\1/p' | head -1; }
# next_contact OLD: wait until the session shows another contact than OLD.
next_contact() {
  for _ in $(seq 200); do
    local now; now=$(shown)
    [ -n "$now" ] && [ "$now" != "$1" ] && return 0
    grep -qF "Session summary" <<<"$(screen)" && fail "the queue ended early"
    sleep 0.05
  done
  fail "the session did not move on from $1"
}
start() {
  tmux new-session -d -s "$sess" -x 100 -y 30 \
    "XDG_CONFIG_HOME='$work/config' XDG_STATE_HOME='$work/state' NO_COLOR=1 '$work/leads' --db '$db' session $*; echo EXITED \$?; sleep 60"
}
# Output is captured before grep reads it: 'cmd | grep -q' lets grep exit
# at the first match, the command then dies of SIGPIPE, and pipefail
# fails the check that matched.
json() { local all; all=$("$work/leads" --db "$db" list --json); grep -F "\"email\":\"$1\"" <<<"$all"; }

start
until_text "Session · Action · 1 of"
until_text "To: "
c1=$(shown)
keys y
until_text "Send this message?"
until_text "From:    Sam Rep <sam@contoso.example>"
until_text "To:      $c1"
until_text "Via:     $work/sendmail.sh"
keys y
next_contact "$c1"
c2=$(shown)
keys z
next_contact "$c2"
c3=$(shown)
keys Space
next_contact "$c3"
c4=$(shown)
keys s
until_text "Status: "
keys q                      # q in the status prompt: qualified
next_contact "$c4"
c5=$(shown)
keys q                      # stop: the summary
until_text "Session summary · Action · stopped at"
sum=$(screen)
for want in "Sent              1" "Logged            0" "Snoozed           1" "Status changes    1" \
  "skipped by you" "Due next:" "leads session --resume"; do
  grep -qF -- "$want" <<<"$sum" || fail "the summary lacks '$want'"
done
[ -n "${SUMMARY_OUT:-}" ] && printf '%s\n' "$sum" >"$SUMMARY_OUT"
keys q                      # back to the inbox
until_text "W resumes it"
keys q
until_text "EXITED 0"
tmux kill-session -t "$sess"

# The stored state, contact by contact.
grep -q '"touches":1' <<<"$(json "$c1")" && grep -q '"status":"contacted"' <<<"$(json "$c1")" || { json "$c1" >&2; fail "the sent message was not logged as a touch"; }
grep -q '"next_follow_up":"' <<<"$(json "$c2")" && grep -q '"touches":0' <<<"$(json "$c2")" || { json "$c2" >&2; fail "the snooze was not saved"; }
grep -q '"touches":0' <<<"$(json "$c3")" && grep -q '"next_follow_up":null' <<<"$(json "$c3")" || { json "$c3" >&2; fail "the skipped contact changed"; }
grep -q '"status":"qualified"' <<<"$(json "$c4")" || { json "$c4" >&2; fail "the status was not saved"; }
shown1=$("$work/leads" --db "$db" show "$c1")
grep -qF "1 of 4 touches done" <<<"$shown1" || fail "leads show has no touch for $c1"
grep -qE '^  [0-9-]+ [0-9:]+  sent' <<<"$shown1" || { "$work/leads" --db "$db" show "$c1" >&2; fail "leads show has no sent message for $c1"; }

# The recording sendmail got exactly one message, the first contact's.
n=$(ls "$work/sent" | wc -l)
[ "$n" -eq 1 ] || fail "the sendmail script got $n messages, want 1"
msg=$(cat "$work/sent"/*.eml)
grep -qiF "To: " <<<"$msg" && grep -qF "$c1" <<<"$msg" && grep -qi "^Message-ID: <" <<<"$msg" \
  || { echo "$msg" >&2; fail "the message sent is not the first contact's draft"; }

# Resume where it stopped: the fifth contact worked.
start --resume
until_text "resumed the session on Action at"
until_text "To: "
[ "$(shown)" = "$c5" ] || fail "resumed on $(shown), want $c5"
keys q
until_text "Session summary"
keys q
keys q
until_text "EXITED 0"
echo "e2e-session: ok (sent to $c1, snoozed $c2, skipped $c3, qualified $c4, resumed at $c5)"
