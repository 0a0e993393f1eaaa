package store

import (
	"slices"
	"time"
)

// TimelineItem is one step of a contact's funnel timeline: a lead that
// arrived (Lead set) or a message that went out or came back (Event set).
type TimelineItem struct {
	At    time.Time
	Lead  *Lead
	Event *Event
}

// IsMailEvent reports the events that belong in the timeline beside the
// leads: a message sent, a reply, a bounce and the rep clearing one.
func IsMailEvent(kind string) bool {
	switch kind {
	case EventSent, EventReply, EventBounce, EventBounceCleared:
		return true
	}
	return false
}

// Timeline merges the contact's leads and mail events, oldest first, so
// that the contact screen and 'leads show' tell the exchange in one
// order: the form, the message sent, the answer. At the same moment a
// lead comes before the mail about it. It needs Leads and History loaded.
func (c *Contact) Timeline() []TimelineItem {
	items := make([]TimelineItem, 0, len(c.Leads)+4)
	for i := range c.Leads {
		items = append(items, TimelineItem{At: c.Leads[i].When(), Lead: &c.Leads[i]})
	}
	for i := range c.History {
		if IsMailEvent(c.History[i].Kind) {
			items = append(items, TimelineItem{At: c.History[i].At, Event: &c.History[i]})
		}
	}
	slices.SortStableFunc(items, func(a, b TimelineItem) int { return a.At.Compare(b.At) })
	return items
}

// LatestReply is the contact's newest reply event, or nil. It needs
// History loaded.
func (c *Contact) LatestReply() *Event {
	for i := len(c.History) - 1; i >= 0; i-- {
		if c.History[i].Kind == EventReply {
			return &c.History[i]
		}
	}
	return nil
}
