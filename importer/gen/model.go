package gen

import (
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// Action codes and source tokens as Microsoft writes them.
const (
	actINS    = "INS"
	actPLT    = "PLT"
	actTD     = "StartTestDrive"
	actCreate = "Create"
	actDNC    = "DNC"

	srcMarketplace = "AzureMarketplace"
	srcPortal      = "AzurePortal"
	srcAppSource   = "AppSource (SPZA)"
	srcSPZA        = "SPZA" // older data
	srcTestDrive   = "TestDrive"
)

// customer holds the seven CustomerInfo fields in Microsoft's order.
type customer struct {
	first, last, email, phone, country, company, title string
}

// lead is one generated event, independent of the output format: the same
// seed yields the same leads in every format.
type lead struct {
	id      [2]uint64 // RowKey / Lead ID; unique per generated (non-duplicate) lead
	created int64     // Unix seconds, UTC
	// stamp is the table Timestamp minus created, in 100 ns ticks: the
	// service writes the entity a few seconds after the customer acted.
	stamp  int64
	action string
	source string
	// sourceOnly makes LeadSource the bare source (the action only in
	// ActionCode), as test leads and some webhook payloads have it.
	sourceOnly bool
	// webhookSourceOnly does the same for the webhook format only, where
	// Microsoft sends it for ordinary leads too.
	webhookSourceOnly bool
	offer             *offer
	offerTitle        string
	cust              customer
	desc              string
	camel             bool // webhook: camelCase keys
	trial             bool // partner-center: INS shown as "Free trial"
	test              bool
}

// person is a customer who may come back for several leads.
type person struct {
	customer
	// localAt/domain split the canonical email so that funnel steps can
	// retype it with other casing.
	local, domain string
}

// funnel is a person's remaining planned steps on one offer.
type funnel struct {
	p       person
	offer   *offer
	actions [3]string
	at      [3]int64
	n, next int
}

const (
	ringSize = 64  // recent leads kept for exact duplicates
	maxOpen  = 256 // open funnels; bounds memory
	// uniqueAfter is the number of people after which emails get a number.
	uniqueAfter = 300
)

// generator produces the lead stream. Its memory is fixed: a ring of recent
// leads and a bounded set of open funnels.
type generator struct {
	r        rng
	now      int64 // Unix seconds
	span     int64 // seconds
	idBase   uint64
	seq      uint64
	persons  uint64 // people invented so far
	testAt   int    // row index forced to be a test lead, or -1
	hotAt    int    // row index forced to be a fresh Contact me lead, or -1
	ring     [ringSize]lead
	ringN    int
	open     []funnel
	cur      lead
	cultureW int
	offerW   int
	portal   []*offer
	// spread selects ShapeSpread. Every random draw it adds is taken only
	// when it is set, so the compact shape's stream, and bytes, stay as
	// they were.
	spread bool
}

func newGenerator(opt Options) *generator {
	g := &generator{
		r:      rng{s: mix64(uint64(opt.Seed) ^ 0x6c65616473)},
		now:    opt.Now.Unix(),
		span:   int64(opt.Span / 1e9),
		open:   make([]funnel, 0, maxOpen),
		testAt: -1,
		hotAt:  -1,
		spread: opt.Shape == ShapeSpread,
	}
	if g.span < 3600 {
		g.span = 3600
	}
	g.idBase = g.r.next()
	for i := range cultures {
		g.cultureW += cultures[i].weight
	}
	for i := range offers {
		g.offerW += offers[i].weight
		if offers[i].portal {
			g.portal = append(g.portal, &offers[i])
		}
	}
	// A few rows are placed, not drawn, so that even a small file shows
	// what a demo needs: a test lead to hide and a lead from today.
	if opt.Rows >= 20 {
		g.testAt = g.r.intn(opt.Rows)
	}
	if opt.Rows >= 1 {
		g.hotAt = g.r.intn(opt.Rows)
		if g.hotAt == g.testAt {
			g.hotAt = (g.hotAt + 1) % opt.Rows
		}
	}
	return g
}

// next returns row i's lead. The pointer stays valid until the next call.
func (g *generator) next(i int) *lead {
	switch {
	case i == g.testAt:
		g.testLead()
	case i == g.hotAt:
		// Contact me within the last day: the lead a demo should show on top.
		g.fresh(kindPLT, g.now-60-int64(g.r.intn(int(min(20*3600, g.span-120)))), false)
	default:
		x := g.r.float()
		if x < 0.012 && g.ringN > 0 {
			// An overlapping export repeats a row byte for byte.
			n := min(g.ringN, ringSize)
			g.cur = g.ring[(g.ringN-1-g.r.intn(n))%ringSize]
			return &g.cur
		}
		switch {
		case x < 0.012:
			g.fresh(g.pickKind(), -1, true)
		case x < 0.013:
			g.testLead()
		case x < 0.013+g.continueP():
			g.continueFunnel()
		default:
			g.fresh(g.pickKind(), -1, true)
		}
	}
	g.ring[g.ringN%ringSize] = g.cur
	g.ringN++
	return &g.cur
}

// continueP is the chance of emitting a pending funnel step. It grows with
// the number of open funnels, which keeps that number near a steady state.
func (g *generator) continueP() float64 {
	n := len(g.open)
	if n == 0 {
		return 0
	}
	return 0.3 * float64(n) / float64(n+16)
}

// Kinds of fresh leads, before funnels add their later steps.
const (
	kindINS = iota
	kindPLT
	kindTD
	kindCreate
	kindDNC
	kindNoPII
)

// kindWeights are tuned so that, with funnel steps added, the file comes out
// near INS 45%, PLT 20%, StartTestDrive 15%, Create 10%, DNC 3%, no-PII 5%.
var kindWeights = [...]int{kindINS: 250, kindPLT: 185, kindTD: 85, kindCreate: 95, kindDNC: 33, kindNoPII: 55}

func (g *generator) pickKind() int {
	total := 0
	for _, w := range kindWeights {
		total += w
	}
	x := g.r.intn(total)
	for k, w := range kindWeights {
		if x < w {
			return k
		}
		x -= w
	}
	return kindINS
}

// randomCreated draws a creation time in the span, denser towards now (a
// growing offer): offset = span * u^1.5 puts about 6% in the last 48 hours
// of a 120-day span.
func (g *generator) randomCreated(room int64) int64 {
	span := g.span - room - 30
	u := g.r.float()
	off := int64(float64(span) * u * math.Sqrt(u))
	return g.now - 30 - room - off
}

// fresh fills g.cur with a new lead of the given kind. created < 0 draws a
// time; mayFunnel lets PLT and Test Drive leads open a funnel.
func (g *generator) fresh(kind int, created int64, mayFunnel bool) {
	if kind == kindNoPII {
		g.noPII()
		return
	}
	p := g.newPerson()
	o := g.pickOffer(kind == kindCreate)
	var action string
	switch kind {
	case kindPLT:
		action = actPLT
	case kindTD:
		action = actTD
	case kindCreate:
		action = actCreate
	case kindDNC:
		action = actDNC
	default:
		action = actINS
	}
	if created < 0 && mayFunnel && (kind == kindPLT || kind == kindTD) && len(g.open) < maxOpen && g.r.chance(0.6) {
		g.startFunnel(p, o, action)
		return
	}
	if created < 0 {
		created = g.randomCreated(0)
	}
	g.fill(&p, o, action, created, 0)
}

// startFunnel plans a person's later steps and emits the first one now.
// Their times are fixed up front so the whole funnel fits before Now.
func (g *generator) startFunnel(p person, o *offer, first string) {
	f := funnel{p: p, offer: o}
	f.actions[0] = first
	f.n = 1
	if first == actPLT {
		switch x := g.r.intn(100); {
		case x < 45:
			f.actions[1], f.actions[2], f.n = actTD, actINS, 3
		case x < 75:
			f.actions[1], f.n = actINS, 2
		case x < 88:
			f.actions[1], f.n = actTD, 2
		default:
			f.actions[1], f.n = actPLT, 2 // pressed Contact me again
		}
	} else {
		f.actions[1], f.n = actINS, 2
	}
	var total int64
	gaps := [3]int64{}
	for s := 1; s < f.n; s++ {
		if g.spread {
			// A day to four weeks: people think it over, ask colleagues,
			// come back after a holiday.
			gaps[s] = 86400 + int64(g.r.intn(27*86400))
		} else {
			// Two hours to six days between steps.
			gaps[s] = 2*3600 + int64(g.r.intn(6*86400-2*3600))
		}
		total += gaps[s]
	}
	if total > g.span/2 {
		// A short span squeezes the funnel rather than pushing it past Now.
		for s := 1; s < f.n; s++ {
			gaps[s] = gaps[s] * (g.span / 2) / total
		}
		total = g.span / 2
	}
	f.at[0] = g.randomCreated(total)
	for s := 1; s < f.n; s++ {
		f.at[s] = f.at[s-1] + gaps[s]
	}
	f.next = 1
	g.fill(&f.p, o, first, f.at[0], 0)
	g.open = append(g.open, f)
}

// continueFunnel emits the next step of a random open funnel.
func (g *generator) continueFunnel() {
	k := g.r.intn(len(g.open))
	f := &g.open[k]
	step := f.next
	o := f.offer
	if f.actions[step] == actINS && g.r.chance(0.15) {
		// Some customers end up installing a sibling offer.
		o = g.pickOffer(false)
	}
	g.fill(&f.p, o, f.actions[step], f.at[step], step)
	f.next++
	if f.next >= f.n {
		last := len(g.open) - 1
		g.open[k] = g.open[last]
		g.open = g.open[:last]
	}
}

// fill sets g.cur for person p. step > 0 marks a funnel's later step, where
// the person retypes their email and often leaves the phone out; in the
// spread shape every lead has its own spelling of the address.
func (g *generator) fill(p *person, o *offer, action string, created int64, step int) {
	l := &g.cur
	*l = lead{}
	g.stampID(l, created)
	l.action = action
	l.source = g.pickSource(action)
	l.offer = o
	l.offerTitle = o.title
	l.cust = p.customer
	switch {
	case g.spread:
		// Every lead, the first too, gets its own spelling: in real data
		// no two of a person's leads can be assumed to match byte for byte.
		l.cust.email = g.respell(p)
	case step > 0:
		l.cust.email = g.retype(p)
	}
	if step > 0 && g.r.chance(0.5) {
		l.cust.phone = ""
	}
	l.desc = g.pickDescription(action)
	l.webhookSourceOnly = l.source == srcMarketplace && g.r.chance(0.5)
	l.camel = g.r.chance(0.12)
	l.trial = action == actINS && g.r.chance(0.4)
	if g.spread {
		g.spreadSource(l)
	}
}

// spreadSource makes some leads' LeadSource the bare source, the action
// only in ActionCode. Only actions a Partner Center export still names in
// its Call to action column are chosen: there a bare source would lose a
// Create (shown as "Get it now", like an install) or a DNC (no label).
func (g *generator) spreadSource(l *lead) {
	switch l.action {
	case actINS, actPLT, actTD:
		l.sourceOnly = g.r.chance(0.3)
	}
}

// stampID gives l a fresh id and its times.
func (g *generator) stampID(l *lead, created int64) {
	// mix64 is a bijection, so distinct sequence numbers give distinct ids.
	hi := mix64(g.idBase + g.seq)
	g.seq++
	l.id = [2]uint64{hi, mix64(hi ^ 0x5bd1e995)}
	l.created = created
	l.stamp = int64(1+g.r.intn(5))*1e7 + int64(g.r.intn(1e7))
}

// noPII fills g.cur with a .edu customer's lead: Microsoft passes only the
// country.
func (g *generator) noPII() {
	l := &g.cur
	*l = lead{}
	g.stampID(l, g.randomCreated(0))
	c := &cultures[g.pickCulture()]
	l.cust.country = c.countries[g.r.intn(len(c.countries))].code
	switch x := g.r.intn(10); {
	case x < 7:
		l.action = actINS
	case x < 9:
		l.action = actCreate
	default:
		l.action = actTD
	}
	l.source = g.pickSource(l.action)
	l.offer = g.pickOffer(l.action == actCreate)
	l.offerTitle = l.offer.title
	l.desc = g.pickDescription(l.action)
	l.webhookSourceOnly = l.source == srcMarketplace && g.r.chance(0.5)
	l.camel = g.r.chance(0.12)
	l.trial = l.action == actINS && g.r.chance(0.4)
	if g.spread {
		g.spreadSource(l)
	}
}

// testLead fills g.cur with Microsoft's validation lead: MSFT_TEST_<ticks>
// everywhere, the ticks being the .NET time it was sent.
func (g *generator) testLead() {
	l := &g.cur
	*l = lead{}
	g.stampID(l, g.randomCreated(0))
	tag := "MSFT_TEST_" + strconv.FormatInt(netTicks(l.created), 10)
	l.cust = customer{tag, tag, tag + "@test.com", "1234567890", "US", tag, tag}
	l.action = actINS
	l.source = srcMarketplace
	l.sourceOnly = true
	l.webhookSourceOnly = true
	l.offerTitle = testOfferTitle
	l.desc = tag
	l.test = true
}

// netTicks converts Unix seconds to .NET DateTime ticks (100 ns since 0001).
func netTicks(unix int64) int64 { return unix*1e7 + 621355968000000000 }

func (g *generator) pickCulture() int {
	x := g.r.intn(g.cultureW)
	for i := range cultures {
		if x < cultures[i].weight {
			return i
		}
		x -= cultures[i].weight
	}
	return 0
}

func (g *generator) pickOffer(portalOnly bool) *offer {
	if portalOnly {
		return g.portal[g.r.intn(len(g.portal))]
	}
	x := g.r.intn(g.offerW)
	for i := range offers {
		if x < offers[i].weight {
			return &offers[i]
		}
		x -= offers[i].weight
	}
	return &offers[0]
}

// pickSource chooses where an action came from, following which sources can
// produce it.
func (g *generator) pickSource(action string) string {
	x := g.r.intn(100)
	switch action {
	case actCreate:
		return srcPortal
	case actPLT, actDNC:
		if x < 85 {
			return srcAppSource
		}
		return srcSPZA
	case actTD:
		switch {
		case x < 50:
			return srcAppSource
		case x < 88:
			return srcMarketplace
		default:
			return srcTestDrive
		}
	default:
		switch {
		case x < 55:
			return srcMarketplace
		case x < 90:
			return srcAppSource
		default:
			return srcSPZA
		}
	}
}

// pickDescription returns empty, "Campaigns: ", a note or campaign JSON.
// Notes are mostly what Contact me leads carry.
func (g *generator) pickDescription(action string) string {
	if g.spread && g.r.chance(0.2) {
		// Forms that post the message and their tracking fields as one
		// JSON object; importers must keep it as text, not parse it away.
		return messageJSON[g.r.intn(len(messageJSON))]
	}
	x := g.r.intn(100)
	noteP := 4
	if action == actPLT {
		noteP = 45
	}
	switch {
	case x < noteP:
		return notes[g.r.intn(len(notes))]
	case x < noteP+15:
		return campaignJSON[g.r.intn(len(campaignJSON))]
	case x < noteP+40:
		return "Campaigns: "
	default:
		return ""
	}
}

// newPerson invents a customer.
func (g *generator) newPerson() person {
	c := &cultures[g.pickCulture()]
	fn := c.first[g.r.intn(len(c.first))]
	ln := c.last[g.r.intn(len(c.last))]
	ctry := c.countries[g.r.intn(len(c.countries))]
	co := globalCompanies[g.r.intn(len(globalCompanies))]
	if len(c.companies) > 0 && g.r.chance(0.4) {
		co = c.companies[g.r.intn(len(c.companies))]
	}
	title := titles[g.r.intn(len(titles))]
	if len(c.titles) > 0 && g.r.chance(0.4) {
		title = c.titles[g.r.intn(len(c.titles))]
	}

	var local string
	switch g.r.intn(5) {
	case 0, 1:
		local = fn.roman + "." + ln.roman
	case 2:
		local = fn.roman[:1] + ln.roman
	case 3:
		local = fn.roman
	default:
		local = fn.roman + "_" + ln.roman
	}
	domain := co.domain + ".example"
	free := g.r.chance(0.15)
	if free {
		domain = freeMail[g.r.intn(len(freeMail))]
	}
	// The name tables are small, so in a big file two invented people would
	// share an address and merge into one contact with two names. A number
	// keeps addresses apart: always on free mail (where real ones carry
	// one anyway), and at companies once the file is past demo size.
	if free || g.persons >= uniqueAfter {
		local += strconv.FormatUint(g.persons, 10)
	}
	g.persons++
	p := person{local: local, domain: domain}
	p.first, p.last = fn.native, ln.native
	p.email = local + "@" + domain
	p.phone = g.phone(ctry.dial)
	p.country = ctry.code
	p.company = co.name
	p.title = title
	return p
}

// retype returns the person's email as typed on a later visit: usually the
// same, sometimes capitalised, shouted or with a trailing space. Importers
// must still see one person.
func (g *generator) retype(p *person) string {
	switch x := g.r.intn(100); {
	case x < 55:
		return p.email
	case x < 75:
		return capitalize(p.local) + "@" + capitalize(p.domain)
	case x < 85:
		return p.email + " "
	case x < 95:
		return capitalize(p.local) + "@" + capitalize(p.domain) + " "
	default:
		return strings.ToUpper(p.email)
	}
}

// respell returns the person's email as typed for one lead in the spread
// shape: in one of several cases, and often with a space or two before or
// after it, as forms that do not trim pass them on. Trimmed and lower-cased
// it is always the person's address.
func (g *generator) respell(p *person) string {
	var e string
	switch x := g.r.intn(100); {
	case x < 35:
		e = p.email
	case x < 60:
		e = capitalize(p.local) + "@" + capitalize(p.domain)
	case x < 75:
		e = strings.ToUpper(p.email)
	case x < 90:
		e = p.local + "@" + strings.ToUpper(p.domain)
	default:
		e = capitalize(p.local) + "@" + p.domain
	}
	switch x := g.r.intn(100); {
	case x < 45:
	case x < 65:
		e += " "
	case x < 80:
		e = " " + e
	case x < 92:
		e = " " + e + " "
	default:
		e += "  "
	}
	return e
}

// capitalize upper-cases the first letter of each dot-separated part, the
// way people type "Mei.Lin@Northwind.example".
func capitalize(s string) string {
	b := []byte(s)
	up := true
	for i, c := range b {
		if up && 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == '.'
	}
	return string(b)
}

// phone returns a number in one of the shapes customers type, or nothing.
func (g *generator) phone(dial string) string {
	if g.r.chance(0.3) {
		return ""
	}
	var b [32]byte
	out := b[:0]
	digits := func(n int) {
		for range n {
			out = append(out, byte('0'+g.r.intn(10)))
		}
	}
	switch g.r.intn(3) {
	case 0: // +886 2 5550 1234
		out = append(out, '+')
		out = append(out, dial...)
		out = append(out, ' ')
		digits(1 + g.r.intn(2))
		out = append(out, ' ')
		digits(4)
		out = append(out, ' ')
		digits(4)
	case 1: // 34911234567
		out = append(out, dial...)
		digits(10 - len(dial) + 1)
	default:
		if dial == "1" { // (425) 555-0134
			out = append(out, '(')
			digits(3)
			out = append(out, ") 555-01"...)
			digits(2)
		} else { // 0911 234 567
			out = append(out, '0')
			digits(3)
			out = append(out, ' ')
			digits(3)
			out = append(out, ' ')
			digits(3)
		}
	}
	return string(out)
}

// rng is SplitMix64: tiny, fast and defined here, so that a seed produces the
// same file on every Go version (math/rand's algorithms may change).
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

// intn returns a value in [0, n) by multiply-shift, which avoids a division.
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}

func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

func (r *rng) chance(p float64) bool { return r.float() < p }

// mix64 is SplitMix64's finaliser; it is a bijection on uint64.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
