package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every key the inbox answers to. It feeds the help overlay and
// the footer hints, so a key that is not in here does not exist. The key
// "e" is deliberately unbound: it is reserved for email drafts.
type KeyMap struct {
	// Movement in lists and screens.
	Up, Down, Top, Bottom, HalfDown, HalfUp, PageDown, PageUp key.Binding

	// Screens: open a contact, go back, quit, the help overlay, stats.
	Open, Back, Quit, Help, Stats key.Binding
	// Preview shows or hides the selected contact beside the list (wide
	// screens only).
	Preview key.Binding
	// On the contact screen: the next and previous contact of the list,
	// and copying the email address.
	NextContact, PrevContact, CopyEmail key.Binding

	// Views (lanes) of the inbox.
	NextView, PrevView                                                 key.Binding
	ViewAction, ViewScheduled, ViewAll, ViewClosed, ViewNoPII, ViewDNC key.Binding
	ViewTest, ViewReplied                                              key.Binding
	// The team's views (Mine, Unassigned, Team), shown in a team or once
	// a contact has an owner.
	ViewMine, ViewUnassigned, ViewTeam key.Binding

	// Finding: free-text search, the filter panel, clear both.
	Search, Filter, ClearAll key.Binding

	// Follow-up actions on the selected or open contact.
	Touch, FollowUp, Snooze1, Snooze3, Status, Note, Undo key.Binding

	// Redo applies again what undo took back; Messages opens the log of
	// recent messages, read whole however long they are.
	Redo, Messages key.Binding

	// Sync runs the Azure Table sync.
	Sync key.Binding

	// Marking rows for a batch action (selection.go): one row, a range
	// from the last marked row, every row of the view.
	Mark, MarkRange, MarkAll key.Binding
	// Sorting (sort.go): the next column, the other direction.
	SortNext, SortReverse key.Binding

	// ClearBounce clears the bouncing mark of the selected or open
	// contact's address, once the rep knows it works again.
	ClearBounce key.Binding
	// Claim claims the selected or open contact for the rep, or (after a
	// y/n) releases the rep's own or takes over another rep's.
	Claim key.Binding

	// Draft opens an email draft for the selected or open contact.
	Draft key.Binding

	// Session starts (or resumes) a follow-up session over the view
	// (session.go); in a session, SessionSend sends the draft shown and
	// SessionSkip moves on without doing anything.
	Session, SessionSend, SessionSkip key.Binding
	// On the draft screen: the outputs (editor, mailto, .eml, clipboard)
	// and the template picker.
	DraftEdit, DraftMailto, DraftEML, DraftCopy, DraftTemplate key.Binding
	// DraftSend sends the draft through the config's [mail] transport,
	// after a confirmation.
	DraftSend key.Binding
}

// DefaultKeyMap returns the standard bindings: vim movement plus arrows.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, k, help string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, help))
	}
	return KeyMap{
		Up:       b([]string{"k", "up"}, "k/↑", "up"),
		Down:     b([]string{"j", "down"}, "j/↓", "down"),
		Top:      b([]string{"g", "home"}, "g/home", "first"),
		Bottom:   b([]string{"G", "end"}, "G/end", "last"),
		HalfDown: b([]string{"ctrl+d"}, "ctrl+d", "half page down"),
		HalfUp:   b([]string{"ctrl+u"}, "ctrl+u", "half page up"),
		PageDown: b([]string{"pgdown", "ctrl+f"}, "pgdn/^f", "page down"),
		PageUp:   b([]string{"pgup", "ctrl+b"}, "pgup/^b", "page up"),

		Open:  b([]string{"enter", "o"}, "enter/o", "open contact"),
		Back:  b([]string{"esc"}, "esc", "back / cancel"),
		Quit:  b([]string{"q", "ctrl+c"}, "q/^c", "quit / back"),
		Help:  b([]string{"?"}, "?", "help"),
		Stats: b([]string{"i"}, "i", "stats"),

		Preview:     b([]string{"p"}, "p", "preview pane"),
		NextContact: b([]string{"J"}, "J", "next contact"),
		PrevContact: b([]string{"K"}, "K", "prev contact"),
		CopyEmail:   b([]string{"y"}, "y", "copy email"),

		NextView:      b([]string{"tab", "l", "right"}, "tab/l/→", "next view"),
		PrevView:      b([]string{"shift+tab", "h", "left"}, "S-tab/h/←", "previous view"),
		ViewAction:    b([]string{"1"}, "1", "needs action"),
		ViewScheduled: b([]string{"2"}, "2", "scheduled"),
		ViewAll:       b([]string{"3"}, "3", "all"),
		ViewClosed:    b([]string{"4"}, "4", "closed"),
		ViewNoPII:     b([]string{"5"}, "5", "no contact info"),
		ViewDNC:       b([]string{"6"}, "6", "do not contact"),
		ViewTest:      b([]string{"7"}, "7", "test leads"),
		ViewReplied:   b([]string{"8"}, "8", "replied"),
		// 9, 0 and - follow 8 along the keyboard's top row.
		ViewMine:       b([]string{"9"}, "9", "mine (claimed)"),
		ViewUnassigned: b([]string{"0"}, "0", "unassigned"),
		ViewTeam:       b([]string{"-"}, "-", "other reps'"),

		Search:   b([]string{"/"}, "/", "search"),
		Filter:   b([]string{"f"}, "f", "filter"),
		ClearAll: b([]string{"x"}, "x", "clear filters"),

		Touch:    b([]string{"t"}, "t", "log touch"),
		FollowUp: b([]string{"d"}, "d", "follow-up date"),
		Snooze1:  b([]string{"z"}, "z", "snooze +1d"),
		Snooze3:  b([]string{"Z"}, "Z", "snooze +3d"),
		Status:   b([]string{"s"}, "s", "set status"),
		Note:     b([]string{"n"}, "n", "add note"),
		Undo:     b([]string{"u"}, "u", "undo"),
		Redo:     b([]string{"ctrl+r"}, "ctrl+r", "redo"),
		Messages: b([]string{"M"}, "M", "message log"),

		Sync: b([]string{"S"}, "S", "sync Azure"),

		ClearBounce: b([]string{"B"}, "B", "clear bounce"),
		Claim:       b([]string{"c"}, "c", "claim / release"),

		Mark:        b([]string{"space"}, "space", "mark, move down"),
		MarkRange:   b([]string{"v"}, "v", "mark range"),
		MarkAll:     b([]string{"V", "ctrl+a"}, "V/^a", "mark all/clear"),
		SortNext:    b([]string{"O"}, "O", "sort by column"),
		SortReverse: b([]string{"R"}, "R", "reverse sort"),

		Draft:         b([]string{"e"}, "e", "email draft"),
		Session:       b([]string{"W"}, "W", "work session"),
		SessionSend:   b([]string{"y"}, "y", "send"),
		SessionSkip:   b([]string{"space"}, "space", "skip"),
		DraftEdit:     b([]string{"E", "enter"}, "E/enter", "open in $EDITOR"),
		DraftMailto:   b([]string{"m"}, "m", "mail app"),
		DraftEML:      b([]string{"w"}, "w", "save .eml"),
		DraftCopy:     b([]string{"c"}, "c", "copy"),
		DraftTemplate: b([]string{"t"}, "t", "template"),
		DraftSend:     b([]string{"s"}, "s", "send"),
	}
}

// ShortHelp is the footer hint.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Open, k.Draft, k.Touch, k.FollowUp, k.Status, k.Search, k.Filter, k.Help}
}

// FullHelp groups every binding for the help overlay.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Top, k.Bottom, k.HalfDown, k.HalfUp, k.PageDown, k.PageUp},
		{k.NextView, k.PrevView, k.ViewAction, k.ViewScheduled, k.ViewAll, k.ViewClosed, k.ViewNoPII, k.ViewDNC, k.ViewTest, k.ViewReplied, k.ViewMine, k.ViewUnassigned, k.ViewTeam},
		{k.Search, k.Filter, k.ClearAll, k.Open, k.Back, k.Stats, k.Preview, k.Sync, k.Messages, k.Help, k.Quit},
		{k.Touch, k.FollowUp, k.Snooze1, k.Snooze3, k.Status, k.Note, k.Undo, k.Redo, k.Draft, k.Session, k.Claim},
		{k.Mark, k.MarkRange, k.MarkAll, markedActs, marksClear, k.SortNext, k.SortReverse},
		{k.NextContact, k.PrevContact, k.CopyEmail, k.ClearBounce},
		{k.DraftSend, k.DraftEdit, k.DraftMailto, k.DraftEML, k.DraftCopy, k.DraftTemplate},
		{k.SessionSend, sessionEditHelp, sessionActsHelp, k.SessionSkip, sessionStopHelp},
	}
}

// Help lines of a follow-up session for keys that are bound elsewhere.
var (
	sessionEditHelp = key.NewBinding(key.WithKeys("E"), key.WithHelp("E/enter", "edit, then send"))
	sessionActsHelp = key.NewBinding(key.WithKeys("t"), key.WithHelp("t z Z s", "as in the inbox"))
	sessionStopHelp = key.NewBinding(key.WithKeys("q"), key.WithHelp("q/esc", "stop: summary"))
)

// markedActs is a help line, not a key: with rows marked, the follow-up
// keys act on every marked row, and esc clears the marks.
var markedActs = key.NewBinding(key.WithHelp("s t d z n", "on all marked"))

// marksClear is a help line for esc with rows marked.
var marksClear = key.NewBinding(key.WithHelp("esc", "clear marks"))

// fullHelpTitles names the groups of FullHelp.
var fullHelpTitles = []string{"Move", "Views", "Find & screens", "Follow up", "Mark & sort", "On a contact", "On a draft", "In a session"}
