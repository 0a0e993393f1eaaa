package store

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/store/search"
	"github.com/leads-inbox/leads/store/view"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Customer holds the seven customer fields Microsoft sends with a lead.
// Any of them may be empty (a .edu customer arrives with none).
type Customer struct {
	FirstName string
	LastName  string
	Email     string
	Phone     string
	Country   string
	Company   string
	Title     string
}

// Field is one named value of a raw record, kept in the order it arrived.
type Field struct {
	Name  string
	Value string
}

// Origin says where a lead came from: a file and line, or an Azure Table
// entity. A Storage Explorer export carries PartitionKey and RowKey too, which
// is what lets a CSV import and a later table sync meet as the same lead.
type Origin struct {
	File         string
	Line         int
	Account      string
	Table        string
	PartitionKey string
	RowKey       string
}

// Lead is one event as Microsoft sent it: a customer acted on one offer.
type Lead struct {
	// ID is the lead's stable identity; see ComputeID. The store fills it in
	// when empty.
	ID     string
	Origin Origin

	// LeadSource and ActionCode are the raw strings as received.
	LeadSource string
	ActionCode string

	// Source is normalised (AzureMarketplace, AzurePortal, AppSource,
	// TestDrive) or the raw token; Action stays as Microsoft spells it.
	Source    string
	Action    string
	OfferID   string
	OfferName string

	// Created is when the customer acted; Timestamp is the table's last
	// modification time when the data has one.
	Created   time.Time
	Timestamp time.Time
	// Received is when this store first saw the lead. It stands in for
	// Created when the data has no date (webhook payloads carry none).
	Received    time.Time
	Description string
	Customer    Customer

	// IsTest marks Microsoft's MSFT_TEST lead; NoPII a lead that arrived
	// without personal data (.edu customers).
	IsTest bool
	NoPII  bool

	// Extra holds properties and columns the importers do not know, verbatim.
	Extra []Field
	// Raw is the record as received, field by field (CSV columns without the
	// @type columns, or top-level JSON keys with nested values as JSON text).
	Raw []Field

	prep *prepared // set by PrepareBatch
}

// prepared is the part of storing a lead that depends on the lead alone.
type prepared struct {
	idKey     [8]byte
	contactID string
	cidKey    [8]byte
	rec       []byte // the encoded record, with Received filled in
	email     string // normalised
	// known leads (already stored when prepared) get only their ID and
	// content, which is all an unchanged lead needs; full says the rest is
	// there too.
	content []byte
	sum     uint64 // contentSum(content)
	full    bool
	desc    string // as the search text holds it (search.Description)
	// From a Preparer: the how-manieth lead it prepared, and where the
	// writer says how far it has written (see Preparer).
	serial  uint64
	written *atomic.Uint64
}

// Encoded reports whether a Preparer encoded the whole lead into its
// record. Upsert then reads nothing from Raw, so a reader may let go of
// those fields, or reuse their memory, as soon as the lead is prepared:
// until the lead is written, a million-row import would otherwise keep
// every row's fields twice.
func (l *Lead) Encoded() bool { return l.prepFull() != nil }

// prepFull returns the lead's prepared data when all of it was prepared.
func (l *Lead) prepFull() *prepared {
	if l.prep != nil && l.prep.full {
		return l.prep
	}
	return nil
}

// PrepareBatch does the part of storing leads that needs nothing but the
// leads themselves: IDs, contact IDs and the encoded records. An importer
// calls it on its own goroutine so that the one writer, which must do the
// rest in order, has less to do. A lead changed after PrepareBatch must not
// be given to Upsert without preparing it again. Received is set to now
// where it is empty, as Upsert would.
func PrepareBatch(leads []Lead, now time.Time) { newPreparer(now, nil).Prepare(leads) }

// PrepareBatch is the package's PrepareBatch for leads on their way into
// this store: a lead it already holds gets only what telling whether it
// changed needs, so that importing the same file again costs little more
// than reading it. Whatever this guesses, Upsert stores the same.
func (s *Store) PrepareBatch(leads []Lead, now time.Time) { s.NewPreparer(now).Prepare(leads) }

// Preparer is PrepareBatch for a reader that prepares its leads a few at a
// time, each group soon after building it: at a million leads, going back
// over a whole batch once it is built costs a cache miss per lead. One
// Preparer is for one goroutine; its records are laid out in shared blocks,
// which is why it is kept from group to group.
//
// Its blocks and slabs are used again once Upsert has written every lead
// in them: Upsert notes the last prepared lead of each batch it wrote, and
// batches are written in the order they were prepared. A prepared lead is
// therefore good for one Upsert; Upsert forgets what was prepared, so that
// a lead given to it again is taken as it is.
type Preparer struct {
	now   time.Time
	known func(keys [][8]byte, out []bool)
	a     arena
	buf   leadScratch
	ps    []prepared // room for the next groups' prepared data
	keys  [][8]byte
	isKn  []bool
	// serial counts the leads prepared; written is the serial of the
	// last lead Upsert has written.
	serial  uint64
	written atomic.Uint64
	// Full blocks and slabs, oldest first, each with the serial of the
	// last lead that may use it, and cleared slabs to hand out again.
	blocks    []inUse[[]byte]
	slabs     []inUse[[]prepared]
	freeSlabs [][]prepared
}

// inUse is a block of a Preparer's memory that leads up to serial last may
// still refer to.
type inUse[T any] struct {
	mem  T
	last uint64
}

// preparerKeep is the most blocks, and slabs, a Preparer keeps to reuse:
// a batch on its way to the writer and the next being prepared need about
// twenty of each.
const preparerKeep = 32

// NewPreparer returns a Preparer for leads on their way into this store.
func (s *Store) NewPreparer(now time.Time) *Preparer { return newPreparer(now, s.knownLeads) }

func newPreparer(now time.Time, known func(keys [][8]byte, out []bool)) *Preparer {
	pr := &Preparer{now: now.UTC(), known: known}
	pr.a.full = func(b []byte) { pr.blocks = append(pr.blocks, inUse[[]byte]{b, pr.serial}) }
	return pr
}

// reclaim takes back the blocks and slabs of leads that have been written.
func (pr *Preparer) reclaim() {
	w := pr.written.Load()
	i := 0
	for ; i < len(pr.blocks) && pr.blocks[i].last <= w; i++ {
		if len(pr.a.free) < preparerKeep {
			pr.a.free = append(pr.a.free, pr.blocks[i].mem[:0])
		}
	}
	pr.blocks = pr.blocks[:copy(pr.blocks, pr.blocks[i:])]
	i = 0
	for ; i < len(pr.slabs) && pr.slabs[i].last <= w; i++ {
		if len(pr.freeSlabs) < preparerKeep {
			sl := pr.slabs[i].mem
			clear(sl)
			pr.freeSlabs = append(pr.freeSlabs, sl)
		}
	}
	pr.slabs = pr.slabs[:copy(pr.slabs, pr.slabs[i:])]
}

// Prepare prepares leads as PrepareBatch does.
func (pr *Preparer) Prepare(leads []Lead) {
	n := len(leads)
	pr.reclaim()
	if len(pr.ps) < n {
		// Leads point into this slab until they are written.
		if k := len(pr.freeSlabs); k > 0 && n <= slabLeads {
			pr.ps = pr.freeSlabs[k-1]
			pr.freeSlabs[k-1] = nil
			pr.freeSlabs = pr.freeSlabs[:k-1]
		} else {
			pr.ps = make([]prepared, max(n, slabLeads))
		}
		if len(pr.ps) == slabLeads {
			pr.slabs = append(pr.slabs, inUse[[]prepared]{pr.ps, pr.serial + uint64(slabLeads)})
		}
	}
	ps := pr.ps[:n:n]
	pr.ps = pr.ps[n:]
	if cap(pr.keys) < n {
		pr.keys, pr.isKn = make([][8]byte, n), make([]bool, n)
	}
	keys, isKnown := pr.keys[:n], pr.isKn[:n]
	clear(isKnown)
	for i := range leads {
		l := &leads[i]
		if l.ID == "" {
			l.ID = l.ComputeID()
		}
		if l.Received.IsZero() {
			l.Received = pr.now
		}
		keys[i] = idBytes(l.ID)
	}
	if pr.known != nil {
		pr.known(keys, isKnown)
	}
	a := &pr.a
	for i := range leads {
		l, p := &leads[i], &ps[i]
		pr.serial++
		p.serial, p.written = pr.serial, &pr.written
		p.idKey = keys[i]
		l.prep = p
		if isKnown[i] {
			p.content = a.keep(encodeContent(a.take(512), l))
			p.sum = contentSum(p.content)
			continue
		}
		p.full = true
		cu := &l.Customer
		p.email = NormalizeEmail(cu.Email)
		p.contactID = l.contactID(p.email)
		p.cidKey = idBytes(p.contactID)
		p.rec = encodeLead(&pr.buf, l, a)
		p.content, _ = leadContent(p.rec)
		p.sum = contentSum(p.content)
		p.desc = search.Description(l.Description)
	}
}

// slabLeads is how many leads' prepared data one slab holds.
const slabLeads = 1024

// wrote tells the Preparer of p that the leads it prepared up to p are
// written, and their memory free to use again.
func (p *prepared) wrote() {
	if p == nil || p.written == nil {
		return
	}
	for {
		w := p.written.Load()
		if p.serial <= w || p.written.CompareAndSwap(w, p.serial) {
			return
		}
	}
}

// Well-known action codes, as the read model defines them (view.StageOf
// says what each means for the funnel).
const (
	ActionInstall        = view.ActionInstall
	ActionContactMe      = view.ActionContactMe
	ActionDoNotContact   = view.ActionDoNotContact
	ActionCreate         = view.ActionCreate
	ActionStartTestDrive = view.ActionStartTestDrive
)

// Normalised source names.
const (
	SourceAzureMarketplace = view.SourceAzureMarketplace
	SourceAzurePortal      = view.SourceAzurePortal
	SourceAppSource        = view.SourceAppSource
	SourceTestDrive        = view.SourceTestDrive
)

// When returns the lead's effective time: Created, else Received.
func (l *Lead) When() time.Time {
	if !l.Created.IsZero() {
		return l.Created
	}
	return l.Received
}

// NormalizeEmail returns an address's identity, so that the same person's
// leads group into one contact whatever form a web form or an export gave
// the address: characters that show as nothing (zero-width, bidi marks,
// default-ignorable code points, controls) are removed, the rest is put in
// Unicode NFC and case-folded, and surrounding space is trimmed. Two
// addresses that look the same on screen are one person, so show, forget
// and the forgotten-list find a contact by what the inbox shows.
func NormalizeEmail(s string) string {
	if plainASCII(s) {
		return strings.ToLower(strings.TrimSpace(s))
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r == utf8.RuneError || invisible(r) {
			continue
		}
		b = utf8.AppendRune(b, r)
	}
	// A Caser keeps state: one per call, as imports normalise on several
	// goroutines at once.
	folded := norm.NFC.String(cases.Fold().String(norm.NFC.String(string(b))))
	// NFC puts a combining grapheme joiner into a run of more than 30
	// combining marks (Unicode's stream-safe format): take it out again,
	// or a combining flood would keep an invisible character.
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if invisible(r) {
			return -1
		}
		return r
	}, folded))
}

// plainASCII reports text with nothing for NormalizeEmail to remove or
// fold beyond ASCII case: nearly every address, which keeps the fast path.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x7f || c < 0x20 {
			return false
		}
	}
	return true
}

// invisible reports a character that takes no place on screen: what the
// sanitiser removes (controls, bidi controls, zero-width, format and the
// other default-ignorable code points, such as the combining grapheme
// joiner, variation selectors and Hangul fillers). It is the sanitiser's
// own definition: an address's identity depends on it, so it must not
// change, and TestInvisibleIsTheSchema4Set holds it to the set contacts
// were filed under.
func invisible(r rune) bool { return safetext.Hidden(r) }

// legacyNormalizeEmail is the identity before schema 4: trimmed and
// lower-cased. A lead's own ID (ComputeID) keeps using it, so a lead file
// imported again still finds its leads; a forgotten address recorded then
// is checked in this form too.
func legacyNormalizeEmail(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// HasTableKey reports whether the lead carries an Azure Table identity.
func (l *Lead) HasTableKey() bool {
	return l.Origin.PartitionKey != "" || l.Origin.RowKey != ""
}

// ComputeID returns the lead's identity. Leads with PartitionKey and RowKey
// are identified by those alone (account and table are not in a CSV export,
// and both paths must meet); others by a hash of the normalised record, so
// the same row from two copies of a file is still one lead.
func (l *Lead) ComputeID() string {
	if l.HasTableKey() {
		// The common case, hashed from a stack buffer: this runs for every
		// lead imported.
		var buf [256]byte
		b := append(buf[:0], "t\x00"...)
		b = append(b, l.Origin.PartitionKey...)
		b = append(b, 0)
		b = append(b, l.Origin.RowKey...)
		sum := sha256.Sum256(b)
		return hex.EncodeToString(sum[:8])
	}
	h := sha256.New()
	h.Write([]byte("r\x00"))
	for _, s := range []string{
		l.Source, l.Action, l.OfferID, l.OfferName,
		l.Created.UTC().Format(time.RFC3339Nano), l.Description,
		strings.TrimSpace(l.Customer.FirstName), strings.TrimSpace(l.Customer.LastName),
		legacyNormalizeEmail(l.Customer.Email), strings.TrimSpace(l.Customer.Phone),
		strings.TrimSpace(l.Customer.Country), strings.TrimSpace(l.Customer.Company),
		strings.TrimSpace(l.Customer.Title),
	} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	sum := h.Sum(nil)
	return hex.EncodeToString(sum[:8])
}

// ContactID returns the contact this lead belongs to (16 hex digits): a hash
// of the normalised email, or, for a lead without one, a contact of its own.
func (l *Lead) ContactID() string { return l.contactID(NormalizeEmail(l.Customer.Email)) }

// contactID is ContactID with the email already normalised.
func (l *Lead) contactID(email string) string {
	if email == "" {
		id := l.ID
		if id == "" {
			id = l.ComputeID()
		}
		sum := sha256.Sum256([]byte("l\x00" + id))
		return hex.EncodeToString(sum[:8])
	}
	var buf [256]byte
	sum := sha256.Sum256(append(append(buf[:0], "e\x00"...), email...))
	return hex.EncodeToString(sum[:8])
}

// ContactIDForEmail returns the contact ID that leads with this address share.
func ContactIDForEmail(email string) string {
	sum := sha256.Sum256([]byte("e\x00" + NormalizeEmail(email)))
	return hex.EncodeToString(sum[:8])
}

// IsDNC reports whether this lead is a do-not-contact notice.
func (l *Lead) IsDNC() bool { return strings.EqualFold(l.Action, ActionDoNotContact) }

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
