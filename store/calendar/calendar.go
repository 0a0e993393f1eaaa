// Package calendar writes the rep's scheduled follow-ups as an iCalendar
// file (RFC 5545) that a calendar program imports or subscribes to: one
// event per follow-up, with a UID that stays the same from one write to
// the next, so the program moves an event rather than adding a second
// one, and a cancelled event for a follow-up that was done or removed.
// 'leads calendar' and the inbox (with [calendar] rewrite) both write it
// through Write, so the two cannot disagree about what the file says.
package calendar

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/safetext"
)

// Slot is how long a follow-up event lasts: a calendar shows a timed
// event as a block, and a quarter of an hour is what one touch takes.
const Slot = 15 * time.Minute

// KeepCancelled is how long a cancelled event stays in the file after the
// follow-up was done or removed: long enough for a program that reads the
// file now and then to see the cancellation, short enough that the file
// does not grow with every follow-up ever done.
const KeepCancelled = 30 * 24 * time.Hour

// ProductID names leads as the file's writer; forget checks it before it
// rewrites a file, so that it never rewrites another program's calendar.
const ProductID = "-//leads//Lead follow-ups//EN"

// maxField is how many characters of a name, company or offer an event
// shows: a calendar has no use for a 40 KB name a stranger typed.
const maxField = 200

// Options is what a write needs besides the store.
type Options struct {
	// Now is the time of the write (DTSTAMP of changed events, and when
	// a follow-up counts as cancelled).
	Now time.Time
	// Zone is the rep's time zone name (X-WR-TIMEZONE); the times
	// themselves are in UTC. "" leaves it out.
	Zone string
	// IncludeEmail puts the contact's address in each event ([calendar]
	// include_email).
	IncludeEmail bool
	// Cadence gives the follow-up plan for a contact whose latest lead
	// is of an action, for "touch N of M"; nil means the default plan.
	Cadence func(action string) store.Cadence
}

// Result says what a write put in the file.
type Result struct {
	Events    int // scheduled follow-ups
	Cancelled int // cancelled events kept for calendar programs to see
}

// event is one VEVENT to write.
type event struct {
	uid              string
	entry            store.CalendarEntry
	summary, details string
}

// Write writes the follow-ups of s to path as an iCalendar file, in one
// rename (mode 0600; a symbolic link at path stays a link and the file it
// points to is replaced), remembers in s what it wrote, and puts the file
// on the database's list of copies, so that forgetting a person later
// rewrites it without them.
func Write(s *store.Store, path string, opt Options) (Result, error) {
	if path == "" {
		return Result{}, fmt.Errorf("no calendar file given: set [calendar] path in the config or give --out FILE")
	}
	if err := checkTarget(path, s.Path()); err != nil {
		return Result{}, err
	}
	now := opt.Now.UTC().Truncate(time.Second)
	type scheduled struct {
		id, summary, details string
		due                  time.Time
	}
	var due []scheduled
	err := s.ScheduledContacts(func(c *store.Contact) error {
		summary, details := describe(c, opt)
		due = append(due, scheduled{c.ID, summary, details, c.Triage.NextFollowUp.UTC().Truncate(time.Second)})
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	var res Result
	err = s.UpdateCalendar(func(prev map[string]store.CalendarEntry, uid func(string) string) (map[string]store.CalendarEntry, error) {
		next := map[string]store.CalendarEntry{}
		var events []event
		for _, d := range due {
			sum := textSum(d.summary, d.details)
			e, had := prev[d.id]
			switch {
			case !had:
				e = store.CalendarEntry{Due: d.due, Sum: sum, Modified: now}
			case !e.Cancelled.IsZero() || !e.Due.Equal(d.due) || e.Sum != sum:
				e.Sequence++
				e.Due, e.Sum, e.Modified, e.Cancelled = d.due, sum, now, time.Time{}
			}
			next[d.id] = e
			events = append(events, event{uid: uid(d.id), entry: e, summary: d.summary, details: d.details})
		}
		res.Events = len(events)
		for id, e := range prev {
			if _, ok := next[id]; ok {
				continue
			}
			if e.Cancelled.IsZero() {
				e.Sequence++
				e.Cancelled, e.Modified, e.Sum = now, now, ""
			} else if now.Sub(e.Cancelled) > KeepCancelled {
				continue
			}
			next[id] = e
			events = append(events, event{uid: uid(id), entry: e})
			res.Cancelled++
		}
		slices.SortFunc(events, func(a, b event) int {
			return cmp.Or(a.entry.Due.Compare(b.entry.Due), strings.Compare(a.uid, b.uid))
		})
		cal := build(events, opt.Zone)
		if err := store.ReplaceFile(path, func(f *os.File) error { return serialize(cal, f) }); err != nil {
			return nil, fmt.Errorf("cannot write the calendar %s (%v): check that its folder exists and that you may write there", safetext.Clean(path), unwrapPath(err))
		}
		return next, nil
	})
	if err != nil {
		return res, err
	}
	return res, record(s.Path(), path)
}

// checkTarget refuses to put a calendar in place of something else: the
// database itself, a folder, FIFO or device, or a file that is not a
// calendar (a mistyped --out notes.txt). A calendar, an empty file or no
// file at all is fine; a link is judged by what it points to.
func checkTarget(path, dbPath string) error {
	p := safetext.Clean(path)
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot write the calendar %s (%v): check the path", p, unwrapPath(err))
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file (a folder, FIFO or device): give the calendar another name", p)
	}
	if dfi, err := os.Stat(dbPath); err == nil && os.SameFile(fi, dfi) {
		return fmt.Errorf("%s is the database itself: give the calendar another name, such as follow-ups.ics", p)
	}
	if fi.Size() == 0 {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot read %s (%v) to check that it is a calendar: give the calendar another name", p, unwrapPath(err))
	}
	defer f.Close()
	head := make([]byte, 64)
	n, _ := io.ReadFull(f, head)
	if !bytes.HasPrefix(bytes.TrimPrefix(head[:n], []byte("\xef\xbb\xbf")), []byte("BEGIN:VCALENDAR")) {
		return fmt.Errorf("%s exists and is not a calendar file, so it is left as it is: give another name, or delete it first", p)
	}
	return nil
}

// record puts the calendar file on the database's list of copies unless
// it is there already: the inbox rewrites it after every change, and the
// list would otherwise grow by a line each time.
func record(dbPath, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	copies, err := store.Copies(dbPath)
	if err != nil {
		return fmt.Errorf("the calendar is written but the list of copies beside the database cannot be read (%v), so forgetting a person will not reach it", unwrapPath(err))
	}
	for _, c := range copies {
		if c.Path == abs && c.Kind == store.CopyCalendar {
			return nil
		}
	}
	if err := store.RecordCopy(dbPath, store.Copy{Path: abs, Kind: store.CopyCalendar}); err != nil {
		return fmt.Errorf("the calendar is written but could not be put on the list of copies (%v), so forgetting a person will not reach it: check that the database's directory is writable", unwrapPath(err))
	}
	return nil
}

// describe is an event's title and text. Every value came from a
// stranger's form: it is cleaned to one line of visible text and cut to
// maxField characters; the iCalendar escaping of commas, semicolons,
// backslashes and line breaks is the library's.
func describe(c *store.Contact, opt Options) (summary, details string) {
	name := field(c.Name())
	if name == "" {
		name = "(no name)"
	}
	summary = "Follow up: " + name
	if co := field(c.Customer.Company); co != "" {
		summary += " (" + co + ")"
	}
	var lines []string
	offer := field(cmp.Or(c.LatestOfferName, c.LatestOfferID))
	if offer != "" {
		lines = append(lines, "Offer: "+offer)
	}
	cad := store.DefaultCadence
	if opt.Cadence != nil {
		cad = opt.Cadence(c.LatestAction)
	}
	touch := "Touch " + strconv.Itoa(c.Triage.Touches+1)
	if c.Triage.Touches+1 <= cad.Total() {
		touch += " of " + strconv.Itoa(cad.Total())
	}
	lines = append(lines, touch, "Status: "+string(c.Triage.Status))
	if opt.IncludeEmail && c.Email != "" {
		lines = append(lines, "Email: "+field(c.Email))
	}
	return summary, strings.Join(lines, "\n")
}

// field cleans one value for an event and cuts it to maxField characters.
func field(s string) string {
	s = strings.TrimSpace(safetext.Clean(s))
	if utf8.RuneCountInString(s) <= maxField {
		return s
	}
	n := 0
	for i := range s {
		if n == maxField-1 {
			return strings.TrimSpace(s[:i]) + "…"
		}
		n++
	}
	return s
}

// textSum is a short hash of an event's text: a changed text is a change
// for the calendar program, and the entry keeps the hash, not the text.
func textSum(summary, details string) string {
	h := sha256.Sum256([]byte(summary + "\x00" + details))
	return hex.EncodeToString(h[:8])
}

// build makes the calendar. An unchanged event is written exactly as
// before (its DTSTAMP is when it last changed), so two writes with
// nothing changed give the same bytes.
func build(events []event, zone string) *ics.Calendar {
	cal := ics.NewCalendar()
	cal.SetProductId(ProductID)
	cal.SetCalscale("GREGORIAN")
	cal.SetMethod(ics.MethodPublish)
	cal.SetXWRCalName("Lead follow-ups")
	if zone != "" {
		cal.SetXWRTimezone(zone)
	}
	for _, ev := range events {
		e := cal.AddEvent(ev.uid)
		e.SetDtStampTime(ev.entry.Modified)
		e.SetModifiedAt(ev.entry.Modified)
		e.SetSequence(ev.entry.Sequence)
		e.SetStartAt(ev.entry.Due)
		e.SetEndAt(ev.entry.Due.Add(Slot))
		if ev.entry.Cancelled.IsZero() {
			e.SetSummary(ev.summary)
			e.SetDescription(ev.details)
			e.SetStatus(ics.ObjectStatusConfirmed)
		} else {
			// A cancelled event says no more than that: the person's
			// name stays out of a file that may be shared.
			e.SetSummary("Follow-up cancelled")
			e.SetStatus(ics.ObjectStatusCancelled)
		}
	}
	return cal
}

// serialize writes the calendar with the CRLF line ends RFC 5545 asks for
// (the library's default on Unix is LF).
func serialize(cal *ics.Calendar, w io.Writer) error {
	return cal.SerializeTo(w, ics.WithNewLineWindows)
}

// Without rewrites the calendar file at path without the event uid (a
// forgotten person's) and returns how many events went. A file that is
// not a calendar leads wrote is not touched.
func Without(path, uid string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, unwrapPath(err)
	}
	cal, err := ics.ParseCalendar(io.LimitReader(f, 1<<30))
	f.Close()
	if err != nil {
		return 0, fmt.Errorf("it is no longer the calendar leads wrote: %v", err)
	}
	if p := cal.CalendarProperties; !slices.ContainsFunc(p, func(p ics.CalendarProperty) bool {
		return p.IANAToken == string(ics.PropertyProductId) && p.Value == ProductID
	}) {
		return 0, fmt.Errorf("it is not a calendar leads wrote (its PRODID is not leads')")
	}
	n := 0
	keep := cal.Components[:0]
	for _, c := range cal.Components {
		if e, ok := c.(*ics.VEvent); ok && e.Id() == uid {
			n++
			continue
		}
		keep = append(keep, c)
	}
	cal.Components = keep
	if n == 0 {
		return 0, nil
	}
	return n, store.ReplaceFile(path, func(f *os.File) error { return serialize(cal, f) })
}

// ZoneName is the rep's time zone as an IANA name ("Europe/Paris"), for
// the calendar program to show the times in: $TZ when it names a zone,
// else the zone /etc/localtime links to; "" when neither says.
func ZoneName(getenv func(string) string) string {
	if tz := strings.TrimPrefix(getenv("TZ"), ":"); tz != "" {
		if _, err := time.LoadLocation(tz); err == nil && !strings.HasPrefix(tz, "/") {
			return tz
		}
		if _, name, ok := strings.Cut(tz, "zoneinfo/"); ok {
			return name
		}
	}
	if l, err := os.Readlink("/etc/localtime"); err == nil {
		if _, name, ok := strings.Cut(l, "zoneinfo/"); ok {
			return name
		}
	}
	return ""
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
