package store

import (
	"encoding/binary"
	"strconv"
	"time"
)

// errCorrupt is returned when a stored record cannot be decoded; it means the
// file was damaged or written by something else. It is an ErrDamaged, so
// that whoever shows it can name the way forward (salvage).
var errCorrupt error = corruptError{}

type corruptError struct{}

func (corruptError) Error() string        { return "damaged record" }
func (corruptError) Is(target error) bool { return target == ErrDamaged }

// enc appends a compact binary encoding. Records are written often (a
// million at import) and read often (every screen), so a hand-rolled format
// beats JSON by a wide margin in both time and size.
type enc struct {
	b     []byte
	names *leadScratch // for lead records; may be nil
}

func (e *enc) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *enc) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *enc) str(s string) {
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}
func (e *enc) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

// time encodes a time as Unix nanoseconds, with zero meaning "unknown".
func (e *enc) time(t time.Time) {
	if t.IsZero() {
		e.varint(0)
		return
	}
	e.varint(t.UnixNano())
}
func (e *enc) fields(fs []Field) {
	e.uvarint(uint64(len(fs)))
	for _, f := range fs {
		e.str(f.Name)
		e.str(f.Value)
	}
}

// dec reads what enc wrote. It copies strings out of the buffer, so a
// decoded value never points into bbolt's memory map after its transaction.
type dec struct {
	b   []byte
	err error
}

func (d *dec) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}
func (d *dec) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}
func (d *dec) str() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	return d.strN(n)
}

// strN reads a string of n bytes.
func (d *dec) strN(n uint64) string {
	if n > uint64(len(d.b)) {
		d.err = errCorrupt
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// bytes reads a string without copying it: the bytes belong to the
// record, valid while it is.
func (d *dec) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = errCorrupt
		return nil
	}
	b := d.b[:n:n]
	d.b = d.b[n:]
	return b
}

// skipStr advances past a string without allocating it.
func (d *dec) skipStr() {
	n := d.uvarint()
	if d.err != nil {
		return
	}
	if n > uint64(len(d.b)) {
		d.err = errCorrupt
		return
	}
	d.b = d.b[n:]
}
func (d *dec) bool() bool {
	if d.err != nil {
		return false
	}
	if len(d.b) < 1 {
		d.err = errCorrupt
		return false
	}
	v := d.b[0] != 0
	d.b = d.b[1:]
	return v
}
func (d *dec) time() time.Time {
	v := d.varint()
	if v == 0 || d.err != nil {
		return time.Time{}
	}
	return time.Unix(0, v).UTC()
}

// count reads a list's length, which cannot exceed the bytes left; 0 for
// an empty list or a damaged record (d.err says which).
func (d *dec) count() uint64 {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.b)) {
		d.err = errCorrupt
	}
	if d.err != nil {
		return 0
	}
	return n
}

func (d *dec) fields() []Field {
	n := d.count()
	if n == 0 {
		return nil
	}
	out := make([]Field, n)
	for i := range out {
		out[i].Name = d.str()
		out[i].Value = d.str()
	}
	return out
}

func u64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

// encodeContent appends the content part of a lead: the parsed fields,
// Timestamp and Extra, which decide whether a re-imported row changed.
func encodeContent(b []byte, l *Lead) []byte {
	c := enc{b: b}
	c.str(l.ID)
	c.str(l.LeadSource)
	c.str(l.ActionCode)
	c.str(l.Source)
	c.str(l.Action)
	c.str(l.OfferID)
	c.str(l.OfferName)
	c.time(l.Created)
	c.time(l.Timestamp)
	c.str(l.Description)
	cu := &l.Customer
	c.str(cu.FirstName)
	c.str(cu.LastName)
	c.str(cu.Email)
	c.str(cu.Phone)
	c.str(cu.Country)
	c.str(cu.Company)
	c.str(cu.Title)
	c.bool(l.IsTest)
	c.bool(l.NoPII)
	c.fields(l.Extra)
	return c.b
}

// leadRecordVersion tags the lead encoding so a later schema can change it.
// Version 1 wrote raw field names in full; version 2 writes the well-known
// ones as a code and can point at values it rebuilds from parsed fields.
const leadRecordVersion = 2

// encodeLead writes a lead as: version, content length, content, origin, raw.
// scratch is reused for the content part; the returned slice is always new,
// because bbolt holds on to a value given to Put until the commit.
// The content part (parsed fields, Timestamp, Extra) is what decides whether
// a re-imported row changed; origin and raw differ between a CSV export and a
// table sync of the same entity and must not make it look changed.
func encodeLead(scratch *leadScratch, l *Lead, a *arena) []byte {
	var c enc
	if scratch != nil {
		c.b = scratch.buf[:0]
		defer func() { scratch.buf = c.b }()
	}
	c.b = encodeContent(c.b, l)
	content := len(c.b)

	out := a.take(content + 64 + len(l.Origin.File) + len(l.Origin.Account) + len(l.Origin.Table) +
		len(l.Origin.PartitionKey) + len(l.Origin.RowKey) + rawSize(l))
	out = append(out, leadRecordVersion)
	out = binary.AppendUvarint(out, uint64(content))
	out = append(out, c.b...)
	e := enc{b: out, names: scratch}
	o := &l.Origin
	e.str(o.File)
	e.uvarint(uint64(o.Line))
	e.str(o.Account)
	e.str(o.Table)
	e.str(o.PartitionKey)
	e.rowKey(o.RowKey)
	e.time(l.Received)
	e.rawFields(l.Raw, content, l)
	return a.keep(e.b)
}

func rawSize(l *Lead) int {
	n := 0
	for _, f := range l.Raw {
		n += len(f.Name) + len(f.Value) + 4
	}
	return n
}

// leadContent returns the content part of an encoded lead.
func leadContent(b []byte) ([]byte, error) {
	if len(b) < 2 || b[0] < 1 || b[0] > leadRecordVersion {
		return nil, errCorrupt
	}
	n, k := binary.Uvarint(b[1:])
	if k <= 0 || uint64(len(b)-1-k) < n {
		return nil, errCorrupt
	}
	return b[1+k : 1+k+int(n)], nil
}

func decodeLead(b []byte) (Lead, error) { return decodeLeadRaw(b, true) }

// decodeLeadRaw decodes a lead, with its raw record only when withRaw:
// listings do not show it, and rebuilding it costs more than the rest.
func decodeLeadRaw(b []byte, withRaw bool) (Lead, error) {
	var l Lead
	content, err := leadContent(b)
	if err != nil {
		return l, err
	}
	d := dec{b: content}
	l.ID = d.str()
	l.LeadSource = d.str()
	l.ActionCode = d.str()
	l.Source = d.str()
	l.Action = d.str()
	l.OfferID = d.str()
	l.OfferName = d.str()
	l.Created = d.time()
	l.Timestamp = d.time()
	l.Description = d.str()
	cu := &l.Customer
	cu.FirstName = d.str()
	cu.LastName = d.str()
	cu.Email = d.str()
	cu.Phone = d.str()
	cu.Country = d.str()
	cu.Company = d.str()
	cu.Title = d.str()
	l.IsTest = d.bool()
	l.NoPII = d.bool()
	l.Extra = d.fields()
	if d.err != nil {
		return l, d.err
	}
	// The origin and the raw record follow the content.
	tail := b[contentEnd(b, content):]
	t := dec{b: tail}
	l.Origin = t.origin(b[0])
	l.Received = t.time()
	if withRaw {
		l.Raw = t.rawFields(&l, b[0])
	}
	return l, t.err
}

// decodeLeadBrief reads into l what a listing shows of a lead: its ID,
// LeadSource, Source, Action, offer, Created and Timestamp times and
// flags, not its description, customer fields, extra fields, origin or
// raw record. The names, which repeat from lead to lead, come from in.
func decodeLeadBrief(b []byte, l *Lead, in *interner) error {
	content, err := leadContent(b)
	if err != nil {
		return err
	}
	d := dec{b: content}
	*l = Lead{ID: d.str()}
	l.LeadSource = in.str(&d)
	d.skipStr() // ActionCode
	l.Source = in.str(&d)
	l.Action = in.str(&d)
	l.OfferID = in.str(&d)
	l.OfferName = in.str(&d)
	l.Created = d.time()
	l.Timestamp = d.time()
	for range 8 { // Description and the customer's seven fields
		d.skipStr()
	}
	l.IsTest = d.bool()
	l.NoPII = d.bool()
	return d.err
}

// interner hands out one string for each distinct short text it reads,
// so a listing of a million leads does not allocate their source,
// action and offer names a million times over. It holds at most
// internMax texts: past that (a stranger can type any number of distinct
// offer names) a text gets a string of its own.
type interner struct{ m map[string]string }

const (
	internMax    = 4096
	internMaxLen = 256
)

// str reads a string from d, as d.str does.
func (in *interner) str(d *dec) string {
	b := d.bytes()
	if d.err != nil || len(b) == 0 {
		return ""
	}
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(b) <= internMaxLen && len(in.m) < internMax {
		if in.m == nil {
			in.m = make(map[string]string)
		}
		in.m[s] = s
	}
	return s
}

// origin reads a lead record's origin, which follows its content; version
// is the record's first byte.
func (t *dec) origin(version byte) Origin {
	var o Origin
	o.File = t.str()
	o.Line = int(t.uvarint())
	o.Account = t.str()
	o.Table = t.str()
	o.PartitionKey = t.str()
	if version >= 2 {
		o.RowKey = t.rowKey()
	} else {
		o.RowKey = t.str()
	}
	return o
}

// contentEnd returns the offset just past the content part of b.
func contentEnd(b, content []byte) int {
	_, k := binary.Uvarint(b[1:])
	return 1 + k + len(content)
}

// rowKey writes a RowKey. Partner Center's are lower-case GUIDs: those
// are written as 0 and their 16 bytes, anything else as its length+1 and
// its bytes.
func (e *enc) rowKey(k string) {
	if g, ok := parseGUID(k); ok {
		e.b = append(e.b, 0)
		e.b = append(e.b, g[:]...)
		return
	}
	e.uvarint(uint64(len(k)) + 1)
	e.b = append(e.b, k...)
}

func (d *dec) rowKey() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n == 0 {
		if len(d.b) < 16 {
			d.err = errCorrupt
			return ""
		}
		s := formatGUID([16]byte(d.b[:16]))
		d.b = d.b[16:]
		return s
	}
	return d.strN(n - 1)
}

// parseGUID reads a lower-case GUID such as
// 3673c4e6-432c-0ab2-52af-203c43c12c61; anything else is not one.
func parseGUID(s string) (g [16]byte, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return g, false
	}
	j := 0
	for i := 0; i < 36; i += 2 {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i--
			continue
		}
		hi, lo := unhex(s[i]), unhex(s[i+1])
		if hi < 0 || lo < 0 {
			return g, false
		}
		g[j] = byte(hi<<4 | lo)
		j++
	}
	return g, j == 16
}

// unhex is the value of a lower-case hex digit, or -1.
func unhex(c byte) int { return int(unhexTable[c]) }

// unhexTable maps a byte to its value as a lower-case hex digit, or -1:
// a table, as this runs for 32 digits of every lead imported.
var unhexTable = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = int8(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = int8(c-'a') + 10
	}
	return t
}()

func formatGUID(g [16]byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, b := range g {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, digits[b>>4], digits[b&15])
	}
	return string(out)
}

// rawRefs lists the parsed strings a raw field may repeat verbatim. Most raw
// values (LeadSource, Description, the keys ...) are exactly one of them, so
// the raw record stores a one-byte reference instead of a second copy.
func rawRefs(l *Lead) [12]*string {
	return [12]*string{&l.LeadSource, &l.ActionCode, &l.OfferID, &l.OfferName, &l.Description,
		&l.Origin.PartitionKey, &l.Origin.RowKey, &l.Customer.FirstName, &l.Customer.LastName,
		&l.Customer.Email, &l.Customer.Company, &l.Customer.Title}
}

// Raw values that are rebuilt rather than stored: the CustomerInfo JSON as
// Microsoft writes it, and the two time formats of a Storage Explorer
// export. The encoder only uses them after checking that rebuilding gives
// back exactly the bytes received.
const (
	refCustomerJSON = 12 + iota
	refTimestamp
	refCreatedUS
	refCount
)

const (
	layoutTimestamp = "2006-01-02T15:04:05.0000000Z"
	layoutCreatedUS = "1/2/2006 3:04:05 PM"
)

// rebuildRaw returns the value a computed reference stands for.
func rebuildRaw(l *Lead, ref int) string {
	switch ref {
	case refCustomerJSON:
		return customerJSON(&l.Customer)
	case refTimestamp:
		if l.Timestamp.IsZero() {
			return ""
		}
		return l.Timestamp.UTC().Format(layoutTimestamp)
	case refCreatedUS:
		if l.Created.IsZero() {
			return ""
		}
		return l.Created.UTC().Format(layoutCreatedUS)
	}
	return ""
}

// appendTimestamp appends t as layoutTimestamp would format it, without
// time.Format's reading of the layout: it runs for every lead imported.
func appendTimestamp(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, layoutTimestamp)
	}
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	b = append(b, '.')
	b = appendDigits(b, t.Nanosecond()/100, 7)
	return append(b, 'Z')
}

// AppendCreatedTime appends t (in UTC) the way a Storage Explorer export
// writes CreatedTime, .NET's en-US general format: 11/2/2026 8:14:05 AM.
func AppendCreatedTime(b []byte, t time.Time) []byte { return appendCreatedUS(b, t) }

// appendCreatedUS appends t as layoutCreatedUS would format it.
func appendCreatedUS(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, layoutCreatedUS)
	}
	b = strconv.AppendInt(b, int64(month), 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, int64(day), 10)
	b = append(b, '/')
	b = appendDigits(b, year, 4)
	b = append(b, ' ')
	h12 := hour % 12
	if h12 == 0 {
		h12 = 12
	}
	b = strconv.AppendInt(b, int64(h12), 10)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	if hour < 12 {
		return append(b, " AM"...)
	}
	return append(b, " PM"...)
}

// appendDigits appends v zero-padded to width digits.
func appendDigits(b []byte, v, width int) []byte {
	var d [9]byte
	for i := width - 1; i >= 0; i-- {
		d[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, d[:width]...)
}

// customerJSON writes the customer the way Partner Center's CustomerInfo
// property does: the seven keys in this order, no spaces.
func customerJSON(c *Customer) string { return string(appendCustomerJSON(nil, c)) }

func appendCustomerJSON(b []byte, c *Customer) []byte {
	for i, f := range [7]struct{ k, v string }{{"FirstName", c.FirstName}, {"LastName", c.LastName}, {"Email", c.Email},
		{"Phone", c.Phone}, {"Country", c.Country}, {"Company", c.Company}, {"Title", c.Title}} {
		if i == 0 {
			b = append(b, '{')
		} else {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, f.k...)
		b = append(b, '"', ':', '"')
		// Values rarely need escaping: copy the runs between escapes whole,
		// as this runs for every lead imported.
		v := f.v
		for j := 0; j < len(v); j++ {
			ch := v[j]
			if ch >= 0x20 && ch != '"' && ch != '\\' {
				continue
			}
			b = append(b, v[:j]...)
			if ch < 0x20 {
				b = append(b, `\u00`...)
				b = append(b, "0123456789abcdef"[ch>>4], "0123456789abcdef"[ch&15])
			} else {
				b = append(b, '\\', ch)
			}
			v, j = v[j+1:], -1
		}
		b = append(b, v...)
		b = append(b, '"')
	}
	return append(b, '}')
}

// rawNames are the raw field names written as a one-byte code: the
// columns of a Storage Explorer export and the keys of a webhook payload.
var rawNames = []string{"PartitionKey", "RowKey", "Timestamp", "ActionCode", "CreatedTime", "CustomerInfo",
	"Description", "LeadSource", "OfferDisplayName", "UserDetails", "OfferTitle", "FirstName", "LastName",
	"Email", "Phone", "Country", "Company", "Title"}

// leadScratch is what encodeLead keeps from one lead to the next.
type leadScratch struct {
	buf []byte
	// The raw field names of one file are the same strings lead after lead
	// (the header's): each position's last name and code save a map lookup
	// per field.
	names [16]string
	codes [16]uint64
}

// rawNameCode returns the code of the i-th raw field's name, if it has one.
func (s *leadScratch) rawNameCode(i int, name string) (uint64, bool) {
	if s == nil || i >= len(s.names) {
		c, ok := rawNameCode[name]
		return c, ok
	}
	if s.names[i] != name || name == "" {
		s.names[i], s.codes[i] = name, rawNameCode[name]
	}
	return s.codes[i], s.codes[i] != 0
}

var rawNameCode = func() map[string]uint64 {
	m := make(map[string]uint64, len(rawNames))
	for i, n := range rawNames {
		m[n] = uint64(i) + 1
	}
	return m
}()

// rawFields writes raw fields. A name is its code in rawNames plus one, or
// 0 and the name. A value equal to a parsed field, or rebuilt exactly from
// them, is written as 0 and the reference; any other as its length+1 and
// its bytes.
func (e *enc) rawFields(fs []Field, _ int, l *Lead) {
	refs := rawRefs(l)
	e.uvarint(uint64(len(fs)))
	var scratch [256]byte
	for i, f := range fs {
		if c, ok := e.names.rawNameCode(i, f.Name); ok {
			e.uvarint(c)
		} else {
			e.uvarint(0)
			e.str(f.Name)
		}
		ref := -1
		if f.Value != "" {
			for i, p := range refs {
				if *p == f.Value {
					ref = i
					break
				}
			}
			if ref < 0 {
				// Rebuilt into a stack buffer and compared without
				// making a string: this runs for every lead imported.
				switch {
				case len(f.Value) > 2 && f.Value[0] == '{':
					if string(appendCustomerJSON(scratch[:0], &l.Customer)) == f.Value {
						ref = refCustomerJSON
					}
				case len(f.Value) == len(layoutTimestamp) && !l.Timestamp.IsZero() &&
					string(appendTimestamp(scratch[:0], l.Timestamp)) == f.Value:
					ref = refTimestamp
				case len(f.Value) >= 18 && len(f.Value) <= 22 && !l.Created.IsZero() &&
					string(appendCreatedUS(scratch[:0], l.Created)) == f.Value:
					ref = refCreatedUS
				}
			}
		}
		if ref >= 0 {
			e.b = append(e.b, 0, byte(ref))
			continue
		}
		e.uvarint(uint64(len(f.Value)) + 1)
		e.b = append(e.b, f.Value...)
	}
}

func (d *dec) rawFields(l *Lead, version byte) []Field {
	n := d.count()
	if n == 0 {
		return nil
	}
	refs := rawRefs(l)
	out := make([]Field, n)
	for i := range out {
		if version >= 2 {
			c := d.uvarint()
			switch {
			case d.err != nil:
				return nil
			case c == 0:
				out[i].Name = d.str()
			case c <= uint64(len(rawNames)):
				out[i].Name = rawNames[c-1]
			default:
				d.err = errCorrupt
				return nil
			}
		} else {
			out[i].Name = d.str()
		}
		m := d.uvarint()
		if d.err != nil {
			return nil
		}
		if m == 0 {
			if len(d.b) < 1 {
				d.err = errCorrupt
				return nil
			}
			r := int(d.b[0])
			d.b = d.b[1:]
			switch {
			case r < len(refs):
				out[i].Value = *refs[r]
			case version >= 2 && r < refCount:
				out[i].Value = rebuildRaw(l, r)
			default:
				d.err = errCorrupt
				return nil
			}
			continue
		}
		m--
		if m > uint64(len(d.b)) {
			d.err = errCorrupt
			return nil
		}
		out[i].Value = string(d.b[:m])
		d.b = d.b[m:]
	}
	return out
}

// arena hands out room for records at the tail of large blocks. bbolt keeps
// every value given to Put until the transaction commits, so an import
// batch needs one buffer per record; carving them from shared blocks saves
// a million small allocations (and the collector's work) per million leads.
// Once nothing points into its blocks any more (the writer's, after the
// commit), reset makes them reusable: an import then cycles through a few
// megabytes instead of allocating a block per megabyte written.
// A nil arena allocates normally.
type arena struct {
	buf []byte
	// reuse is set for an arena that will be reset: only then are its
	// full blocks remembered, as remembering them keeps them alive.
	reuse bool
	used  [][]byte // full blocks handed out since the last reset
	free  [][]byte // blocks to hand out again
	// full, when set, is given each block the arena is done with, for
	// an owner that knows when its records are no longer needed.
	full func([]byte)
}

const arenaBlock = 1 << 20

// arenaKeep is the most blocks reset keeps for reuse: more than one import
// batch needs, and little memory for a program that stays open.
const arenaKeep = 16

// take returns an empty slice with at least n bytes of room.
func (a *arena) take(n int) []byte {
	if a == nil {
		return make([]byte, 0, n)
	}
	if cap(a.buf)-len(a.buf) < n {
		a.next(n)
	}
	return a.buf[len(a.buf):len(a.buf):cap(a.buf)]
}

// next starts a new block with room for n bytes.
func (a *arena) next(n int) {
	if cap(a.buf) == arenaBlock {
		switch {
		case a.reuse:
			a.used = append(a.used, a.buf)
		case a.full != nil:
			a.full(a.buf)
		}
	}
	if k := len(a.free); k > 0 && n <= arenaBlock {
		a.buf = a.free[k-1][:0]
		a.free[k-1] = nil
		a.free = a.free[:k-1]
		return
	}
	a.buf = make([]byte, 0, max(n, arenaBlock))
}

// reset takes back every block handed out. Only for an arena whose records
// nothing refers to any more.
func (a *arena) reset() {
	if cap(a.buf) == arenaBlock {
		a.used = append(a.used, a.buf)
	}
	a.buf = nil
	for _, b := range a.used {
		if len(a.free) < arenaKeep {
			a.free = append(a.free, b[:0])
		}
	}
	clear(a.used)
	a.used = a.used[:0]
}

// keep marks b, built on the slice take returned, as used. A record that
// outgrew its room was moved by append and lives on its own.
func (a *arena) keep(b []byte) []byte {
	if a == nil || len(b) == 0 || cap(a.buf)-len(a.buf) < len(b) {
		return b
	}
	if tail := a.buf[len(a.buf) : len(a.buf)+1]; &tail[0] == &b[0] {
		a.buf = a.buf[:len(a.buf)+len(b)]
	}
	return b
}
