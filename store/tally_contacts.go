package store

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// factsWorthIt is the number of contacts from which TallyContactLeads
// counts every lead and keeps the facts rather than read the contacts'
// leads one by one: reading by reference costs several times more a
// lead than reading the file in order.
const factsWorthIt = 50_000

// TallyContactLeads counts, as TallyLeads does, the leads of the contacts
// with the given sequence numbers only, and of those only the leads keep
// accepts (nil keeps all): what the stats screen shows for a filtered
// view. It reads each contact's leads by reference, so it costs in
// proportion to the contacts in view, where TallyLeads reads every lead;
// the inbox uses this one for a narrowed view and TallyLeads for the whole.
// While the facts of a count ahead (PrepareTally) are current, it adds
// those up instead and reads nothing; for a view of many contacts it
// makes that count first.
func (s *Store) TallyContactLeads(seqs []uint64, since int64, weeks int, keep func(LeadGroup) bool) (LeadTally, error) {
	const week = 7 * 24 * 3600
	out, ok := s.tallyKept(seqs, since, weeks, keep)
	if !ok && len(seqs) >= factsWorthIt {
		// Counting every lead once, keeping the facts, costs less than
		// reading this many contacts' leads by reference.
		if _, err := s.tallyLeads(since, weeks, true); err != nil {
			return LeadTally{}, err
		}
		out, ok = s.tallyKept(seqs, since, weeks, keep)
	}
	if ok {
		sortGroups(out.Groups)
		return out, nil
	}
	out = LeadTally{Weeks: make([]int, weeks)}
	at := map[LeadGroup]int{} // key with Leads 0 → index in out.Groups
	names := s.names()
	err := s.db.View(func(tx *bolt.Tx) error {
		cb, lb := tx.Bucket(bContacts), leadBucket{tx.Bucket(bLeads)}
		for _, seq := range seqs {
			v := cb.Get(u64(seq))
			if v == nil {
				continue // forgotten since the view was built
			}
			c, err := decodeContact(seq, v, names)
			if err != nil {
				return err
			}
			leads, err := loadRefsRaw(lb, c.refs, false)
			if err != nil {
				return fmt.Errorf("contact %s: %w", c.ID, err)
			}
			for i := range leads {
				l := &leads[i]
				g := LeadGroup{Source: l.Source, Action: l.Action, OfferID: l.OfferID, OfferName: l.OfferName, Test: l.IsTest}
				if keep != nil && !keep(g) {
					continue
				}
				j, ok := at[g]
				if !ok {
					j = len(out.Groups)
					at[g] = j
					out.Groups = append(out.Groups, g)
				}
				out.Groups[j].Leads++
				if g.Test {
					continue
				}
				if w := l.When(); !w.IsZero() && w.Unix() >= since {
					if n := (w.Unix() - since) / week; n < int64(weeks) {
						out.Weeks[n]++
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return LeadTally{}, err
	}
	sortGroups(out.Groups)
	return out, nil
}

// sortGroups puts groups in the order TallyContactLeads returns them.
func sortGroups(groups []LeadGroup) {
	slices.SortFunc(groups, func(a, b LeadGroup) int {
		if c := strings.Compare(a.Source, b.Source); c != 0 {
			return c
		}
		if c := strings.Compare(a.Action, b.Action); c != 0 {
			return c
		}
		if c := strings.Compare(a.OfferID+"\x00"+a.OfferName, b.OfferID+"\x00"+b.OfferName); c != 0 {
			return c
		}
		// The leads that are not Microsoft's test leads first.
		if a.Test != b.Test {
			return cmp.Compare(b2i(a.Test), b2i(b.Test))
		}
		return 0
	})
}
