package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/store/view"
)

// claimKey is c on one contact: an unowned contact becomes the rep's at
// once; releasing the rep's own, or taking over another rep's, asks y/n
// first, as both take a claim away from someone. Every change goes
// through the undo stack.
func (m *Model) claimKey(p int32) tea.Cmd {
	if m.me == "" {
		m.msg, m.msgErr = "no rep name to claim with: set name in the [team] section of the config", true
		return nil
	}
	who := m.nameOf(p)
	if who == "" {
		who = "this contact"
	}
	switch owner := m.x.ownerOf(p); owner {
	case "":
		return m.claimCmd(p, false)
	case m.me:
		m.prompt = prompt{kind: promptConfirmRelease, pos: p,
			label: "You own " + who + ": release it? Nobody will own it. (y/n)"}
	default:
		m.prompt = prompt{kind: promptConfirmTakeover, pos: p,
			label: safetext.Clean(owner) + " owns this: take it over? (y/n)"}
	}
	return nil
}

// claimCmd claims contact p for the rep; force takes it over from
// another rep. A claim another process made meanwhile is refused by the
// store and said on the message line.
func (m *Model) claimCmd(p int32, force bool) tea.Cmd {
	st, me := m.st, m.me
	what := "claimed by " + me
	if prev := m.x.ownerOf(p); force && prev != "" {
		what = me + " took over from " + safetext.Clean(prev)
	}
	return m.changeAs(p, what+" (u undoes)", "claim", func(id string, at time.Time) (store.Triage, error) {
		return st.Claim(id, me, force, at)
	})
}

// confirmOwnerKey answers the y/n of a release or a takeover.
func (m *Model) confirmOwnerKey(k tea.KeyPressMsg) tea.Cmd {
	p := m.prompt
	switch k.String() {
	case "y", "Y":
		m.closePrompt()
		if p.kind == promptConfirmTakeover {
			return m.claimCmd(p.pos, true)
		}
		st, me := m.st, m.me
		return m.changeAs(p.pos, "released by "+me+" (u undoes)", "release", func(id string, at time.Time) (store.Triage, error) {
			return st.Release(id, me, false, at)
		})
	case "n", "N", "esc", "q":
		m.closePrompt()
		if owner := m.x.ownerOf(p.pos); owner != "" {
			m.say("still " + safetext.Clean(owner) + "'s")
		} else {
			m.say("nothing changed")
		}
	}
	return nil
}

// batchClaim is c with rows marked: the marked contacts nobody owns
// become the rep's; those another rep owns are skipped and counted (take
// them over one at a time), and so are the rep's own.
func (m *Model) batchClaim() tea.Cmd {
	if m.me == "" {
		m.msg, m.msgErr = "no rep name to claim with: set name in the [team] section of the config", true
		return nil
	}
	b := m.gather(func(p int32) string {
		switch o := m.x.ownerOf(p); {
		case m.x.dg[p].Test():
			return "test lead"
		case o == m.me:
			return "already yours"
		case o != "":
			return "another rep's"
		}
		return ""
	})
	st, me := m.st, m.me
	return m.runBatch(b, "claimed by "+me, func(int32) (string, changeFn) {
		return "claim", func(id string, at time.Time) (store.Triage, error) {
			return st.Claim(id, me, false, at)
		}
	})
}

// ownerTag is the owner cell of a row, "@Ana" (the row cuts it to its
// column); "" for a contact nobody owns.
func ownerTag(owner string) string {
	if owner == "" {
		return ""
	}
	return "@" + safetext.Clean(owner)
}

// ownerSty colours the owner cell: the rep's own stand out, other reps'
// are dim.
func ownerSty(m *Model, i int32) *lipgloss.Style {
	if m.x.tri[i].Owned == view.OwnedMine {
		return &m.sty.ok
	}
	return &m.sty.dim
}
