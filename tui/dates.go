package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/tui/config"
)

// dueHour is the hour of day a follow-up set by date falls due: a rep who
// says "tomorrow" means tomorrow's working morning, not midnight.
const dueHour = 9

// ParseWhen is ParseWhenIn with the month-first order of a C locale.
func ParseWhen(s string, now time.Time) (time.Time, error) {
	return ParseWhenIn(s, now, config.MonthDay)
}

// dateHint lists what the follow-up prompt accepts, for its errors.
const dateHint = "try tomorrow, 3d, in 2 weeks, fri, next mon, dec 10, 2026-12-01, 9am or tomorrow 3pm"

// ParseWhenIn turns the rep's follow-up input into a time, relative to now
// (in now's location). It accepts, in any case:
//
//	today, tomorrow (tmr), 3d, +3d, 2w, 1mo, 4h, "3 days", "in 3 days",
//	mon..sun (the next such day, 1 to 7 days ahead), "next fri" (a week
//	after "fri"), next week, next month, 2026-12-01, "dec 10", "10 dec",
//	"december 10 2027", 10/12, 10.12, 10-12 and 10/12/2027,
//
// each optionally followed by a time of day (9am, 3pm, 9:30, 15:00, noon,
// "at 3pm"); a time alone is its next occurrence. Two numbers are read in
// order (day/month or month/day) unless only one reading is a date: 24/12
// is 24 December either way. A date without a year that has passed this
// year is next year's. Day-based answers without a time fall due at 09:00
// local time; hour-based ones at now plus the hours.
func ParseWhenIn(s string, now time.Time, order config.DateOrder) (time.Time, error) {
	in := strings.ToLower(strings.Join(strings.Fields(s), " "))
	if in == "" {
		return time.Time{}, fmt.Errorf("give a date: %s", dateHint)
	}
	bad := func() (time.Time, error) {
		return time.Time{}, fmt.Errorf("%q is not a date I know: %s", safetext.Clean(s), dateHint)
	}
	datePart, hh, mm, hasTime := splitTime(in)
	if hasTime && datePart == "" {
		t := time.Date(now.Year(), now.Month(), now.Day(), hh, mm, 0, 0, now.Location())
		if !t.After(now) {
			t = t.AddDate(0, 0, 1)
		}
		return t, nil
	}
	if hasTime && (datePart == "today" || datePart == "tod") {
		t := time.Date(now.Year(), now.Month(), now.Day(), hh, mm, 0, 0, now.Location())
		if !t.After(now) {
			return time.Time{}, fmt.Errorf("%s is in the past", formatWhen(t, now))
		}
		return t, nil
	}
	d, exact, err := parseDay(datePart, now, order)
	if err != nil {
		return time.Time{}, err
	}
	if d.IsZero() {
		return bad()
	}
	if exact {
		if hasTime {
			return time.Time{}, fmt.Errorf("%q: a time of day goes with a day, not with hours from now", safetext.Clean(s))
		}
		return d, nil
	}
	if hasTime {
		d = time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, d.Location())
		if !d.After(now) {
			return time.Time{}, fmt.Errorf("%s is in the past", formatWhen(d, now))
		}
	}
	return d, nil
}

// parseDay reads the date part. It returns the zero time when it does not
// know the form, and exact when the answer is a moment (today, 4h) rather
// than a day that falls due at dueHour.
func parseDay(in string, now time.Time, order config.DateOrder) (time.Time, bool, error) {
	loc := now.Location()
	day := func(t time.Time) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day(), dueHour, 0, 0, 0, loc)
	}
	today := day(now)
	switch in {
	case "today", "tod":
		return now.Truncate(time.Minute), true, nil
	case "tomorrow", "tmr", "tom":
		return day(now.AddDate(0, 0, 1)), false, nil
	}
	next := false
	if rest, ok := strings.CutPrefix(in, "next "); ok {
		next, in = true, rest
	}
	if wd, ok := weekday(in); ok {
		ahead := (int(wd) - int(now.Weekday()) + 7) % 7
		if ahead == 0 {
			ahead = 7
		}
		if next {
			ahead += 7
		}
		return day(now.AddDate(0, 0, ahead)), false, nil
	}
	if next {
		switch in {
		case "week":
			return day(now.AddDate(0, 0, 7)), false, nil
		case "month":
			return day(now.AddDate(0, 1, 0)), false, nil
		}
		return time.Time{}, false, fmt.Errorf("%q: after \"next\" give a weekday, week or month", in)
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(in, "in "), "+")
	if t, hours, ok := parseRelative(rel, now, day); ok {
		return t, hours, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", in, loc); err == nil {
		t = day(t)
		if t.Before(today) {
			return time.Time{}, false, fmt.Errorf("%s is in the past", in)
		}
		return t, false, nil
	}
	y, mo, d, hasYear, ok, err := parseCalendar(in, order)
	if err != nil || !ok {
		return time.Time{}, false, err
	}
	if !hasYear {
		y = now.Year()
	}
	t := time.Date(y, time.Month(mo), d, dueHour, 0, 0, 0, loc)
	if t.Day() != d {
		return time.Time{}, false, fmt.Errorf("%s has no day %d", time.Month(mo), d)
	}
	if t.Before(today) {
		if hasYear {
			return time.Time{}, false, fmt.Errorf("%s is in the past", formatWhen(t, now))
		}
		t = t.AddDate(1, 0, 0) // passed this year: next year's
	}
	return t, false, nil
}

// parseCalendar reads a day and month, and maybe a year: "dec 10",
// "10 december", "10/12", "10.12.2027". ok is false when in is no such
// form; err says what is wrong when it is one but names no date.
func parseCalendar(in string, order config.DateOrder) (y, mo, d int, hasYear, ok bool, err error) {
	in = strings.TrimSuffix(strings.ReplaceAll(in, ",", " "), ".")
	f := strings.Fields(in)
	// Month names: "dec 10", "10 dec", with an optional year after.
	if len(f) == 2 || len(f) == 3 {
		if m, isM := monthName(f[0]); isM {
			if n, isN := dayNum(f[1]); isN {
				mo, d, ok = m, n, true
			}
		} else if m, isM := monthName(f[1]); isM {
			if n, isN := dayNum(f[0]); isN {
				mo, d, ok = m, n, true
			}
		}
		if ok && len(f) == 3 {
			if y, err = strconv.Atoi(f[2]); err != nil || y < 2000 || y > 2200 {
				return 0, 0, 0, false, false, nil
			}
			hasYear = true
		}
		return y, mo, d, hasYear, ok, nil
	}
	if len(f) != 1 {
		return 0, 0, 0, false, false, nil
	}
	parts := strings.FieldsFunc(f[0], func(r rune) bool { return r == '/' || r == '.' || r == '-' })
	if len(parts) < 2 || len(parts) > 3 {
		return 0, 0, 0, false, false, nil
	}
	nums := make([]int, len(parts))
	for i, p := range parts {
		n, e := strconv.Atoi(p)
		if e != nil || len(p) > 4 {
			return 0, 0, 0, false, false, nil
		}
		nums[i] = n
	}
	a, b := nums[0], nums[1]
	if len(nums) == 3 {
		y, hasYear = nums[2], true
		if y < 100 {
			y += 2000
		}
	}
	dm := a >= 1 && a <= 31 && b >= 1 && b <= 12 // a is the day
	md := a >= 1 && a <= 12 && b >= 1 && b <= 31 // a is the month
	switch {
	case dm && md && order == config.DayMonth, dm && !md:
		return y, b, a, hasYear, true, nil
	case md:
		return y, a, b, hasYear, true, nil
	}
	return 0, 0, 0, false, true, fmt.Errorf("%s is no date: neither %d nor %d is a month", f[0], a, b)
}

func dayNum(s string) (int, bool) {
	s = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(s, "th"), "st"), "nd"), "rd")
	s = strings.TrimSuffix(s, ".")
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= 31
}

// monthName reads an English month name or its first three letters.
func monthName(s string) (int, bool) {
	s = strings.TrimSuffix(s, ".")
	if len(s) < 3 {
		return 0, false
	}
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		if s == name || s == name[:3] || (len(s) >= 3 && strings.HasPrefix(name, s)) {
			return int(m), true
		}
	}
	if s == "sept" {
		return 9, true
	}
	return 0, false
}

// splitTime takes a time of day off the end of in: "9am", "3 pm",
// "9:30", "15:00", "noon", each maybe after "at". It returns the rest.
func splitTime(in string) (rest string, h, m int, ok bool) {
	f := strings.Fields(in)
	if len(f) == 0 {
		return in, 0, 0, false
	}
	last := f[len(f)-1]
	n := 1
	if (last == "am" || last == "pm") && len(f) >= 2 {
		last, n = f[len(f)-2]+last, 2
	}
	h, m, ok = clockTime(last)
	if !ok {
		return in, 0, 0, false
	}
	f = f[:len(f)-n]
	if len(f) > 0 && f[len(f)-1] == "at" {
		f = f[:len(f)-1]
	}
	return strings.Join(f, " "), h, m, true
}

// clockTime reads 9am, 12pm, 9:30am, 09:30, 15:00, noon, midnight. A bare
// number is not a time (it could be a day).
func clockTime(s string) (int, int, bool) {
	switch s {
	case "noon":
		return 12, 0, true
	case "midnight":
		return 0, 0, true
	}
	suffix := ""
	for _, sf := range []string{"am", "pm", "a.m.", "p.m."} {
		if rest, ok := strings.CutSuffix(s, sf); ok {
			s, suffix = rest, sf[:1]
			break
		}
	}
	hs, ms, colon := strings.Cut(s, ":")
	if !colon && suffix == "" {
		return 0, 0, false
	}
	h, err := strconv.Atoi(hs)
	if err != nil || len(hs) > 2 {
		return 0, 0, false
	}
	m := 0
	if colon {
		if len(ms) != 2 {
			return 0, 0, false
		}
		if m, err = strconv.Atoi(ms); err != nil || m > 59 {
			return 0, 0, false
		}
	}
	switch suffix {
	case "a", "p":
		if h < 1 || h > 12 {
			return 0, 0, false
		}
		h %= 12
		if suffix == "p" {
			h += 12
		}
	default:
		if h > 23 {
			return 0, 0, false
		}
	}
	return h, m, true
}

// parseRelative reads "3d", "2w", "4h", "1mo", "3 days"; hours says the
// answer is a moment, not a day.
func parseRelative(in string, now time.Time, day func(time.Time) time.Time) (time.Time, bool, bool) {
	i := 0
	for i < len(in) && in[i] >= '0' && in[i] <= '9' {
		i++
	}
	if i == 0 || i > 4 {
		return time.Time{}, false, false
	}
	n, _ := strconv.Atoi(in[:i])
	unit := strings.TrimSpace(in[i:])
	switch unit {
	case "h", "hr", "hrs", "hour", "hours":
		return now.Add(time.Duration(n) * time.Hour).Truncate(time.Minute), true, true
	case "d", "day", "days":
		return day(now.AddDate(0, 0, n)), false, true
	case "w", "wk", "week", "weeks":
		return day(now.AddDate(0, 0, 7*n)), false, true
	case "mo", "mon", "month", "months":
		return day(now.AddDate(0, n, 0)), false, true
	}
	return time.Time{}, false, false
}

func weekday(s string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		if s == name || (len(s) >= 3 && strings.HasPrefix(name, s)) {
			return d, true
		}
	}
	return 0, false
}

// compactDuration renders a duration (sign ignored) for narrow columns: 45m, 5h,
// 3d, 6w, 2y.
func compactDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	case d < 14*24*time.Hour:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	case d < 365*24*time.Hour:
		return strconv.Itoa(int(d/(7*24*time.Hour))) + "w"
	}
	return strconv.Itoa(int(d/(365*24*time.Hour))) + "y"
}

// The inbox writes every date one way, with the month as a word so that
// no reader mistakes day for month: "Fri 4 Dec 2026 09:00", dropping what
// the context makes plain (the year this year, the date within the week).

// formatWhen is a moment in full, without the year when it is this year's:
// "Fri 4 Dec 09:00". The follow-up prompt and messages use it.
func formatWhen(t, now time.Time) string {
	t = t.In(now.Location())
	if t.Year() == now.Year() {
		return t.Format("Mon 2 Jan 15:04")
	}
	return t.Format("Mon 2 Jan 2006 15:04")
}

// shortDate renders a date close to now without noise, for columns: "Fri
// 09:00" within the week, "4 Dec" within the year, else "4 Dec 2027".
func shortDate(t, now time.Time) string {
	t = t.In(now.Location())
	d := t.Sub(now)
	switch {
	case d > -6*24*time.Hour && d < 6*24*time.Hour:
		return t.Format("Mon 15:04")
	case t.Year() == now.Year():
		return t.Format("2 Jan")
	}
	return t.Format("2 Jan 2006")
}

// longDate is for the detail screen, where there is room; the day is
// padded so that lists of dates stay aligned.
func longDate(t time.Time, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(now.Location()).Format("Mon _2 Jan 2006 15:04")
}

// SnoozeDue is when a snooze of days moves a follow-up to: that many days
// after the later of now and the current due time (dueUnix, 0 if none), at
// the hour follow-ups set by date fall due. The inbox's z and Z and 'leads
// mark --snooze' share it, so both move a contact to the same time.
func SnoozeDue(now time.Time, dueUnix int64, days int) time.Time {
	from := now
	if dueUnix > from.Unix() {
		from = time.Unix(dueUnix, 0).In(now.Location())
	}
	return time.Date(from.Year(), from.Month(), from.Day()+days, dueHour, 0, 0, 0, from.Location())
}
