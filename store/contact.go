package store

import (
	"encoding/binary"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leads-inbox/leads/store/search"
	"github.com/leads-inbox/leads/store/view"
)

// Contact is one person: every lead with the same normalised email, or a
// single lead without one. Its fields are merged from its leads, newest
// non-empty value first; Leads, Triage and History are filled only by the
// calls that say so.
type Contact struct {
	ID       string
	Seq      uint64
	Email    string // normalised; empty for a lead without an address
	Customer Customer

	First     time.Time // created time of the earliest lead
	Last      time.Time // created time of the newest lead
	LeadCount int

	LatestSource    string
	LatestAction    string
	LatestOfferID   string
	LatestOfferName string

	Sources   []string // distinct, sorted
	Actions   []string
	Offers    []string // offer IDs
	Countries []string
	// Combos are the distinct (source, action, offer) of the leads, sorted:
	// a filter on several of them must match within one lead.
	Combos []LeadCombo

	IsTest bool // every lead is a Microsoft test lead
	IsDNC  bool // at least one lead is a do-not-contact notice
	NoPII  bool // no lead carries personal data

	// Search is lower-cased text (names, email, company, title, the newest
	// descriptions) for free-text search, capped in size.
	Search string

	Leads   []Lead  // in time order, when loaded
	Triage  Triage  // the user's state for this contact
	History []Event // oldest first, when loaded

	refs []leadRef // the contact's leads, oldest first
	hot  int64     // Unix time of the newest Contact me / Test Drive lead
	// descs are descriptions merged since Search was last built, in merge
	// order: building the search text lower-cases every field, so it is
	// done once per contact when the record is written, not once per lead.
	descs []pendingDesc
}

type pendingDesc struct {
	text   string // lower-cased and trimmed
	newest bool
}

// LeadCombo is what one lead says about where it came from: its source,
// action and offer ID.
type LeadCombo struct {
	Source, Action, Offer string
}

func cmpCombo(a, b LeadCombo) int {
	if c := strings.Compare(a.Source, b.Source); c != 0 {
		return c
	}
	if c := strings.Compare(a.Action, b.Action); c != 0 {
		return c
	}
	return strings.Compare(a.Offer, b.Offer)
}

// addCombo adds one lead's combination, keeping Combos sorted and distinct.
func (c *Contact) addCombo(k LeadCombo) {
	if k == (LeadCombo{}) {
		return
	}
	i, found := slices.BinarySearchFunc(c.Combos, k, cmpCombo)
	if !found {
		c.Combos = slices.Insert(c.Combos, i, k)
	}
}

// Name returns "First Last", trimmed.
func (c *Contact) Name() string {
	return strings.TrimSpace(c.Customer.FirstName + " " + c.Customer.LastName)
}

// Contactable reports whether the rep may reach out to this contact: it has
// an address, is not a test lead, and no lead asked not to be contacted.
func (c *Contact) Contactable() bool {
	return c.Email != "" && !c.IsTest && !c.IsDNC && !c.NoPII
}

// merge folds one lead into the contact. Leads may arrive in any order, so
// the "latest" fields follow the lead with the newest created time. It
// reports whether the contact must be rebuilt from its leads in time
// order instead: an older lead with a value where the contact has a
// different one cannot tell whether that came from a newer lead (which
// wins) or an older one (which it beats).
func (c *Contact) merge(l *Lead) (rebuild bool) {
	first := c.LeadCount == 0
	c.LeadCount++
	when := l.When()
	newest := first || !when.Before(c.Last)
	if first || when.Before(c.First) {
		c.First = when
	}
	if l.Action == ActionContactMe || l.Action == ActionStartTestDrive {
		c.hot = max(c.hot, unixOrZero(when))
	}
	if newest {
		c.Last = when
		c.LatestSource, c.LatestAction = l.Source, l.Action
		c.LatestOfferID, c.LatestOfferName = l.OfferID, l.OfferName
	}
	cu, lc := &c.Customer, &l.Customer
	pick := func(dst *string, v string) {
		switch {
		case v == "":
		case newest || *dst == "":
			*dst = v
		case *dst != v:
			rebuild = true
		}
	}
	pick(&cu.FirstName, lc.FirstName)
	pick(&cu.LastName, lc.LastName)
	if email := strings.TrimSpace(lc.Email); email != "" && !newest && cu.Email != "" && email != cu.Email {
		rebuild = true
	} else if email != "" && (newest || cu.Email == "") && email != cu.Email {
		cu.Email = email
		// Email is always the normalised form of Customer.Email.
		if p := l.prepFull(); p != nil {
			c.Email = p.email
		} else {
			c.Email = NormalizeEmail(email)
		}
	}
	pick(&cu.Phone, lc.Phone)
	pick(&cu.Country, lc.Country)
	pick(&cu.Company, lc.Company)
	pick(&cu.Title, lc.Title)

	c.Sources = addSorted(c.Sources, l.Source)
	c.Actions = addSorted(c.Actions, l.Action)
	c.Offers = addSorted(c.Offers, l.OfferID)
	c.Countries = addSorted(c.Countries, lc.Country)
	c.addCombo(LeadCombo{l.Source, l.Action, l.OfferID})
	if first {
		c.IsTest, c.NoPII = l.IsTest, l.NoPII
	} else {
		c.IsTest = c.IsTest && l.IsTest
		c.NoPII = c.NoPII && l.NoPII
	}
	c.IsDNC = c.IsDNC || l.IsDNC()
	// The search text is built once per contact as the record is written
	// (finishSearch), on the writer, which at a first import is the busier
	// goroutine: the description it keeps was lower-cased while the lead
	// was prepared, where there is one.
	var desc string
	if p := l.prepFull(); p != nil {
		desc = p.desc
	} else {
		desc = search.Description(l.Description)
	}
	if desc != "" && !newest && c.hasDescs() {
		// Descriptions are kept newest first: one older than the newest
		// lead goes among the others, which only a rebuild in time order
		// can place (it also decides which fit in the search text).
		rebuild = true
	}
	c.descs = append(c.descs, pendingDesc{desc, newest})
	return rebuild
}

// hasDescs reports whether any description is in the contact's search
// text or waiting to join it.
func (c *Contact) hasDescs() bool {
	for _, d := range c.descs {
		if d.text != "" {
			return true
		}
	}
	i := strings.IndexByte(c.Search, search.DescSep)
	return i >= 0 && strings.Trim(c.Search[i+1:], string(rune(search.FieldSep))) != ""
}

// finishSearch brings Search up to date with the merged leads.
func (c *Contact) finishSearch() {
	if len(c.descs) == 0 && c.Search != "" {
		return
	}
	cu := &c.Customer
	if c.Search == "" && len(c.descs) == 1 {
		// A new contact, most often of one lead: the text in one
		// allocation, as search.Rebuild would make it from nothing.
		var buf [256]byte
		head := search.AppendHead(buf[:0], cu.FirstName, cu.LastName, c.Email, cu.Company, cu.Title)
		d := c.descs[0]
		var sb strings.Builder
		sb.Grow(len(head) + 1 + len(d.text))
		sb.Write(head)
		sb.WriteByte(search.DescSep)
		sb.WriteString(d.text)
		c.Search = search.Cap(sb.String())
		c.descs = c.descs[:0]
		return
	}
	head := search.Head(cu.FirstName, cu.LastName, c.Email, cu.Company, cu.Title)
	if len(c.descs) == 0 {
		c.Search = search.Rebuild(c.Search, head, "", false)
		return
	}
	for _, d := range c.descs {
		c.Search = search.Rebuild(c.Search, head, d.text, d.newest)
	}
	c.descs = c.descs[:0]
}

func addSorted(ss []string, v string) []string {
	if v == "" {
		return ss
	}
	i, found := slices.BinarySearch(ss, v)
	if found {
		return ss
	}
	return slices.Insert(ss, i, v)
}

// leadRef points from a contact to one of its leads, in time order.
type leadRef struct {
	when int64 // Unix nanoseconds of the lead's effective time
	seq  uint64
}

// addRef inserts a reference keeping time order.
func (c *Contact) addRef(r leadRef) {
	i, _ := slices.BinarySearchFunc(c.refs, r, cmpRef)
	c.refs = slices.Insert(c.refs, i, r)
}

// dropRef removes the reference to lead seq.
func (c *Contact) dropRef(seq uint64) {
	c.refs = slices.DeleteFunc(c.refs, func(r leadRef) bool { return r.seq == seq })
}

func cmpRef(a, b leadRef) int {
	if a.when != b.when {
		if a.when < b.when {
			return -1
		}
		return 1
	}
	switch {
	case a.seq < b.seq:
		return -1
	case a.seq > b.seq:
		return 1
	}
	return 0
}

// contactRecordVersion tags the contact encoding. Version 3 writes the
// latest offer name as a dictionary code and the customer's address only
// where it differs from the normalised one. Version 4 (schema 5) writes
// in the digest the contact's countries and each distinct (source,
// action, offer) of its leads, where versions 2 and 3 wrote one flat set
// of every code; those are still read, for the upgrade.
const contactRecordVersion = 4

// knownContactRecord reports whether b starts with a contact record version
// this build reads.
func knownContactRecord(b []byte) bool {
	return len(b) >= 9 && b[0] >= 2 && b[0] <= contactRecordVersion
}

// encodeContact writes a contact as one record: first the digest (what the
// inbox keeps in memory for every contact), then the display fields, then
// the references to its leads. Keeping all three in one record means one
// write per contact per import batch.
func encodeContact(c *Contact, dt *dictTx, a *arena) []byte {
	c.finishSearch()
	var e enc
	e.b = a.take(160 + len(c.Search) + len(c.Customer.FirstName) + len(c.Customer.LastName) + 2*len(c.Customer.Email) +
		len(c.Customer.Company) + len(c.Customer.Title) + len(c.Customer.Phone) + len(c.LatestOfferName) + 20*len(c.refs))
	e.b = append(e.b, contactRecordVersion)
	id := idBytes(c.ID)
	e.b = append(e.b, id[:]...)
	e.varint(unixOrZero(c.First))
	e.varint(unixOrZero(c.Last))
	e.varint(c.hot)
	e.uvarint(uint64(c.LeadCount))
	var flags uint8
	if c.IsTest {
		flags |= view.FlagTest
	}
	if c.IsDNC {
		flags |= view.FlagDNC
	}
	if c.NoPII {
		flags |= view.FlagNoPII
	}
	if c.Email != "" {
		flags |= view.FlagEmail
	}
	e.b = append(e.b, flags)
	e.uvarint(uint64(dt.code(view.KindSource, c.LatestSource)))
	e.uvarint(uint64(dt.code(view.KindAction, c.LatestAction)))
	e.uvarint(uint64(dt.code(view.KindOffer, c.LatestOfferID)))
	e.uvarint(uint64(dt.code(view.KindCountry, c.Customer.Country)))
	// The countries, then the lead combinations (view.Digest.Codes). A
	// country the dictionary could not code is left out: in memory a 0
	// ends the countries.
	var countries [8]Code
	cc := countries[:0]
	for _, s := range c.Countries {
		if code := dt.code(view.KindCountry, s); code != 0 {
			cc = append(cc, code)
		}
	}
	e.uvarint(uint64(len(cc)))
	for _, code := range cc {
		e.uvarint(uint64(code))
	}
	e.uvarint(uint64(len(c.Combos)))
	for _, k := range c.Combos {
		e.uvarint(uint64(dt.code(view.KindSource, k.Source)))
		e.uvarint(uint64(dt.code(view.KindAction, k.Action)))
		e.uvarint(uint64(dt.code(view.KindOffer, k.Offer)))
	}
	e.str(c.Search)
	// Display part.
	e.str(c.Email)
	cu := &c.Customer
	// The address as received is nearly always the normalised one: then it
	// is written empty (an empty address normalises to empty too).
	email := cu.Email
	if email == c.Email {
		email = ""
	}
	for _, s := range []string{cu.FirstName, cu.LastName, email, cu.Phone, cu.Country, cu.Company, cu.Title} {
		e.str(s)
	}
	e.time(c.First)
	e.time(c.Last)
	// A few offers' names repeat across every contact: a code, or 0 and
	// the name when the dictionary is full.
	code := dt.code(view.KindOfferName, c.LatestOfferName)
	e.uvarint(uint64(code))
	if code == 0 {
		e.str(c.LatestOfferName)
	}
	// Lead references, oldest first, times as deltas.
	e.uvarint(uint64(len(c.refs)))
	var prev int64
	for _, r := range c.refs {
		e.varint(r.when - prev)
		prev = r.when
		e.uvarint(r.seq)
	}
	return a.keep(e.b)
}

// decodeContact reads a contact record; names is the dictionary (code ->
// kind:name) to turn codes back into names.
func decodeContact(seq uint64, b []byte, names view.Names) (Contact, error) {
	var c Contact
	var dg Digest
	rest, err := decodeDigestPart(seq, b, &dg)
	if err != nil {
		return c, err
	}
	c.Search = dg.Search
	err = c.decodeRest(&dg, b, rest, names, true)
	return c, err
}

// decodeContactBrief reads a contact record for a listing that writes
// the contact out: without the lists of its sources, actions, offers,
// countries and lead combinations or its search text, which a listing
// has matched on already and does not show. slab is reused for the
// digest's codes and returned.
func decodeContactBrief(seq uint64, b []byte, names view.Names, c *Contact, slab []Code) ([]Code, error) {
	var dg Digest
	_, rest, slab, err := decodeDigest(seq, b, &dg, slab[:0])
	if err != nil {
		return slab, err
	}
	*c = Contact{}
	return slab, c.decodeRest(&dg, b, rest, names, false)
}

// decodeRest fills c from its record b: from its digest dg, and from
// rest, the record after the digest. full says whether to name the
// digest's lists of codes too.
func (c *Contact) decodeRest(dg *Digest, b, rest []byte, names view.Names, full bool) error {
	c.Seq = dg.Seq
	c.ID = dg.IDString()
	c.LeadCount = int(dg.Leads)
	c.hot = dg.Hot
	c.IsTest, c.IsDNC, c.NoPII = dg.Flags&view.FlagTest != 0, dg.Flags&view.FlagDNC != 0, dg.Flags&view.FlagNoPII != 0
	name := names.Name
	c.LatestSource, c.LatestAction, c.LatestOfferID = name(dg.LatestSource), name(dg.LatestAction), name(dg.LatestOffer)
	if full {
		c.nameCodes(dg, names)
	}
	d := dec{b: rest}
	c.Email = d.str()
	cu := &c.Customer
	for _, p := range []*string{&cu.FirstName, &cu.LastName, &cu.Email, &cu.Phone, &cu.Country, &cu.Company, &cu.Title} {
		*p = d.str()
	}
	if b[0] >= 3 && cu.Email == "" {
		cu.Email = c.Email
	}
	c.First = d.time()
	c.Last = d.time()
	if b[0] >= 3 {
		if code := d.code(); code != 0 {
			c.LatestOfferName = name(code)
		} else {
			c.LatestOfferName = d.str()
		}
	} else {
		c.LatestOfferName = d.str()
	}
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		return errCorrupt
	}
	c.refs = make([]leadRef, n)
	var prev int64
	for i := range c.refs {
		prev += d.varint()
		c.refs[i] = leadRef{when: prev, seq: d.uvarint()}
	}
	return d.err
}

// contactLeadSeqs appends to seqs the keys of the leads of contact
// record b, walking the record as decodeRest reads it but copying none of
// it: how a listing finds a contact's leads before it decodes the contact.
func contactLeadSeqs(b []byte, seqs []uint64) ([]uint64, error) {
	rest, err := skipDigest(b)
	if err != nil {
		return seqs, err
	}
	d := dec{b: rest}
	for range 8 { // the address and the customer's seven fields
		d.skipStr()
	}
	d.varint() // first
	d.varint() // last
	if b[0] < 3 || d.code() == 0 {
		d.skipStr() // the newest offer's name, when it has no code
	}
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		return seqs, errCorrupt
	}
	for range n {
		d.varint() // when
		seqs = append(seqs, d.uvarint())
	}
	return seqs, d.err
}

// skipDigest returns contact record b after its digest (as decodeDigest
// reads it), finding where each number ends without decoding it: a
// digest holds a code for every country, source, action and offer of the
// contact's leads, and a listing that already matched them has no use for
// them. Decoding the record in full checks what this passes over.
func skipDigest(b []byte) ([]byte, error) {
	if !knownContactRecord(b) {
		return nil, errCorrupt
	}
	r := b[9:]
	var ok bool
	// First, Last, Hot and the number of leads; then the flags.
	if r, ok = skipVarints(r, 4); !ok || len(r) == 0 {
		return nil, errCorrupt
	}
	r = r[1:]
	// The newest source, action and offer, the country, then the
	// countries, and from version 4 the lead combinations.
	if r, ok = skipVarints(r, 4); !ok {
		return nil, errCorrupt
	}
	lists := 1
	if b[0] >= 4 {
		lists = 2
	}
	for l := range lists {
		n, k := binary.Uvarint(r)
		if k <= 0 || n > uint64(len(r)) {
			return nil, errCorrupt
		}
		if l == 1 {
			n *= 3
		}
		if r, ok = skipVarints(r[k:], n); !ok {
			return nil, errCorrupt
		}
	}
	// The search text.
	m, k := binary.Uvarint(r)
	if k <= 0 || m > uint64(len(r)-k) {
		return nil, errCorrupt
	}
	return r[k+int(m):], nil
}

// skipVarints returns b after its first n varints, or false when b ends
// sooner.
func skipVarints(b []byte, n uint64) ([]byte, bool) {
	if n == 0 {
		return b, true
	}
	for i, c := range b {
		if c < 0x80 {
			if n--; n == 0 {
				return b[i+1:], true
			}
		}
	}
	return nil, false
}

// nameCodes fills the contact's lists of names from its digest's codes.
func (c *Contact) nameCodes(dg *Digest, names view.Names) {
	name := names.Name
	combos, _ := dg.LeadCombos()
	for i := 0; i+3 <= len(combos); i += 3 {
		c.Combos = append(c.Combos, LeadCombo{name(combos[i]), name(combos[i+1]), name(combos[i+2])})
	}
	slices.SortFunc(c.Combos, cmpCombo)
	c.Combos = slices.Compact(c.Combos)
	for _, code := range dg.Codes {
		if code == 0 {
			continue
		}
		v := name(code)
		switch names.Kind(code) {
		case view.KindSource:
			c.Sources = append(c.Sources, v)
		case view.KindAction:
			c.Actions = append(c.Actions, v)
		case view.KindOffer:
			c.Offers = append(c.Offers, v)
		case view.KindCountry:
			c.Countries = append(c.Countries, v)
		}
	}
	// A code shows once per lead combination that holds it.
	for _, p := range []*[]string{&c.Sources, &c.Actions, &c.Offers, &c.Countries} {
		slices.Sort(*p)
		*p = slices.Compact(*p)
	}
}

// searchAheadMin is the fewest contacts whose search texts a write builds
// on a goroutine of its own.
var searchAheadMin = 1024

// searchAhead builds the search texts of cs on another goroutine, in
// chunks, ahead of a writer that encodes them in order: the text is a
// third of encoding a contact, and needs nothing of the transaction, so
// the writer's goroutine (the slower half of a first import) need not
// build it. wait(i) returns once cs[i]'s text is built; done must be
// called before cs is used again for anything else, also on an early
// return. Each contact's fields must not change meanwhile.
func searchAhead(cs []*Contact) (wait func(i int), done func()) {
	if len(cs) < searchAheadMin {
		return func(int) {}, func() {}
	}
	const chunk = 256
	chunks := (len(cs) + chunk - 1) / chunk
	ready := make(chan struct{}, chunks)
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for k := range chunks {
			if stop.Load() {
				return
			}
			for _, c := range cs[k*chunk : min((k+1)*chunk, len(cs))] {
				c.finishSearch()
			}
			ready <- struct{}{}
		}
	}()
	got := 0
	wait = func(i int) {
		for got <= i/chunk {
			<-ready
			got++
		}
	}
	done = func() {
		stop.Store(true)
		wg.Wait()
	}
	return wait, done
}
