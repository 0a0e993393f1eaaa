#!/usr/bin/env bash
# End to end: names and companies in Devanagari, Thai, an emoji family and
# with combining marks keep the inbox's columns in place in a real terminal
# (tmux), at 80, 100 and 160 columns, and in `leads list`. tmux itself is
# the ruler: each row's text up to the Latest column is printed in a
# scratch pane and tmux reports the column the cursor ends at, which must
# be the same for every row.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "e2e-layout: tmux is not installed (apt-get install tmux)" >&2; exit 1; }

work=$(mktemp -d)
sess="leads-layout-$$"
ruler="leads-ruler-$$"
trap 'tmux kill-session -t "$sess" 2>/dev/null || true; tmux kill-session -t "$ruler" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/leads" ./cmd/leads
db="$work/leads.db"
i=0
for who in "सुनीता|सरस्वती सॉफ्टवेयर प्रा. लि." "สมชาย|บริษัท สยามซอฟต์ จำกัด" "Zoë|The 👨‍👩‍👧 Family 👍🏽 Shop" \
  "Amélie|Café Crème Brûlée SARL" "Ann|Plain Company Limited"; do
  i=$((i + 1))
  printf '{"UserDetails": {"FirstName": "%s", "LastName": "Test", "Email": "p%d@layout.example", "Country": "IN", "Company": "%s"}, "LeadSource": "AppSource (SPZA)-PLT|contoso.inventory-pro", "ActionCode": "PLT", "OfferTitle": "Contoso Inventory Pro"}\n' \
    "${who%%|*}" "$i" "${who#*|}" >>"$work/leads.ndjson"
done
"$work/leads" --db "$db" import "$work/leads.ndjson" >/dev/null

# cells TEXT: how many cells tmux draws TEXT in.
tmux new-session -d -s "$ruler" -x 400 -y 5 "sleep 600"
cells() {
  tmux send-keys -t "$ruler" C-u
  printf '%s' "$1" >"$work/ruler.txt"
  tmux respawn-pane -k -t "$ruler" "printf '%s' \"\$(cat '$work/ruler.txt')\"; sleep 600"
  sleep 0.3
  tmux display -p -t "$ruler" '#{cursor_x}'
}
# same_column LABEL FILE REGEX: the text before REGEX on each line of FILE
# that has it ends at the same cell.
same_column() {
  local want="" got line n=0
  while IFS= read -r line; do
    grep -qE -- "$3" <<<"$line" || continue
    got=$(cells "$(sed -E "s#($3).*##" <<<"$line")")
    [ "$got" -gt 0 ] || { echo "e2e-layout: $1: nothing before the column on: $line" >&2; exit 1; }
    n=$((n + 1))
    if [ -z "$want" ]; then want=$got; elif [ "$got" != "$want" ]; then
      cat "$2" >&2
      echo "e2e-layout: $1: a column starts at cell $got instead of $want on: $line" >&2
      exit 1
    fi
  done <"$2"
  [ "$n" -ge 5 ] || { cat "$2" >&2; echo "e2e-layout: $1: found $n of the 5 rows" >&2; exit 1; }
}

for size in 80x24 100x30 160x45; do
  tmux kill-session -t "$sess" 2>/dev/null || true
  tmux new-session -d -s "$sess" -x "${size%x*}" -y "${size#*x}" "'$work/leads' --db '$db'; sleep 60"
  for _ in $(seq 200); do tmux capture-pane -p -t "$sess" | grep -qF "Ann Test" && break; sleep 0.05; done
  tmux capture-pane -p -t "$sess" >"$work/screen.txt"
  # The touches column (0/4) is last on every row; the status before it.
  same_column "inbox $size, status column" "$work/screen.txt" " new +0/4"
  tmux send-keys -t "$sess" q
done
# leads list at a terminal cuts and pads its cells (into a file or a pipe
# it writes values whole): run it in tmux, as a rep would.
tmux kill-session -t "$sess" 2>/dev/null || true
tmux new-session -d -s "$sess" -x 160 -y 20 "'$work/leads' --db '$db' list; sleep 60"
for _ in $(seq 200); do tmux capture-pane -p -t "$sess" | grep -qF "Ann Test" && break; sleep 0.05; done
tmux capture-pane -p -t "$sess" >"$work/list.txt"
same_column "leads list, company column" "$work/list.txt" "  Contact me|  PLT"
echo "e2e-layout: columns aligned at 80x24, 100x30, 160x45 and in leads list"
