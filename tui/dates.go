package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// dueHour is the hour of day a follow-up set by date falls due: a rep who
// says "tomorrow" means tomorrow's working morning, not midnight.
const dueHour = 9

// ParseWhen turns the rep's follow-up input into a time, relative to now
// (in now's location). It accepts:
//
//	today, tomorrow (tmr), 3d, +3d, 2w, 1mo, 4h, "3 days", "2 weeks",
//	mon..sun (the next such day, 1 to 7 days ahead), "next fri" (a week
//	after "fri"), 2026-12-01, and 12-01 / 12/01 (the next such date).
//
// Day-based answers fall due at 09:00 local time; hour-based ones at
// now plus the hours.
func ParseWhen(s string, now time.Time) (time.Time, error) {
	in := strings.ToLower(strings.Join(strings.Fields(s), " "))
	if in == "" {
		return time.Time{}, fmt.Errorf("give a date: tomorrow, 3d, 2w, fri, next mon or 2026-12-01")
	}
	day := func(t time.Time) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day(), dueHour, 0, 0, 0, t.Location())
	}
	switch in {
	case "today", "tod":
		return now.Truncate(time.Minute), nil
	case "tomorrow", "tmr", "tom":
		return day(now.AddDate(0, 0, 1)), nil
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
		return day(now.AddDate(0, 0, ahead)), nil
	}
	if next {
		switch in {
		case "week":
			return day(now.AddDate(0, 0, 7)), nil
		case "month":
			return day(now.AddDate(0, 1, 0)), nil
		}
		return time.Time{}, fmt.Errorf("%q: after \"next\" give a weekday, week or month", s)
	}
	if t, ok := parseRelative(strings.TrimPrefix(in, "+"), now, day); ok {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", in, now.Location()); err == nil {
		t = day(t)
		if t.Before(day(now)) {
			return time.Time{}, fmt.Errorf("%s is in the past", in)
		}
		return t, nil
	}
	for _, layout := range []string{"01-02", "1-2", "01/02", "1/2"} {
		if t, err := time.ParseInLocation(layout, in, now.Location()); err == nil {
			t = time.Date(now.Year(), t.Month(), t.Day(), dueHour, 0, 0, 0, now.Location())
			if t.Before(day(now)) {
				t = t.AddDate(1, 0, 0)
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date I know: try tomorrow, 3d, 2w, fri, next mon or 2026-12-01", s)
}

// parseRelative reads "3d", "2w", "4h", "1mo", "3 days".
func parseRelative(in string, now time.Time, day func(time.Time) time.Time) (time.Time, bool) {
	i := 0
	for i < len(in) && in[i] >= '0' && in[i] <= '9' {
		i++
	}
	if i == 0 || i > 4 {
		return time.Time{}, false
	}
	n, _ := strconv.Atoi(in[:i])
	unit := strings.TrimSpace(in[i:])
	switch unit {
	case "h", "hr", "hrs", "hour", "hours":
		return now.Add(time.Duration(n) * time.Hour).Truncate(time.Minute), true
	case "d", "day", "days":
		return day(now.AddDate(0, 0, n)), true
	case "w", "wk", "week", "weeks":
		return day(now.AddDate(0, 0, 7*n)), true
	case "mo", "mon", "month", "months":
		return day(now.AddDate(0, n, 0)), true
	}
	return time.Time{}, false
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

// shortDate renders a date close to now without noise: "Fri 09:00" within
// the week, "Dec 01" within the year, else "2027-01-05".
func shortDate(t, now time.Time) string {
	t = t.In(now.Location())
	d := t.Sub(now)
	switch {
	case d > -6*24*time.Hour && d < 6*24*time.Hour:
		return t.Format("Mon 15:04")
	case t.Year() == now.Year():
		return t.Format("Jan 02")
	}
	return t.Format("2006-01-02")
}

// longDate is for the detail screen, where there is room.
func longDate(t time.Time, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(now.Location()).Format("2006-01-02 15:04")
}
