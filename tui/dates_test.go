package tui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leads-inbox/leads/tui/config"
)

func TestParseWhen(t *testing.T) {
	// Tuesday 24 November 2026, 12:00 UTC.
	now := testNow
	day := func(y int, mo time.Month, d int) time.Time { return time.Date(y, mo, d, dueHour, 0, 0, 0, time.UTC) }
	tests := []struct {
		in   string
		want time.Time
	}{
		{"tomorrow", day(2026, 11, 25)},
		{"Tomorrow", day(2026, 11, 25)},
		{"tmr", day(2026, 11, 25)},
		{"today", now},
		{"3d", day(2026, 11, 27)},
		{"+3d", day(2026, 11, 27)},
		{"3 days", day(2026, 11, 27)},
		{"1d", day(2026, 11, 25)},
		{"2w", day(2026, 12, 8)},
		{"1 week", day(2026, 12, 1)},
		{"1mo", day(2026, 12, 24)},
		{"4h", now.Add(4 * time.Hour)},
		{"fri", day(2026, 11, 27)},
		{"friday", day(2026, 11, 27)},
		{"tue", day(2026, 12, 1)}, // today is Tuesday: the next one
		{"mon", day(2026, 11, 30)},
		{"next mon", day(2026, 12, 7)},
		{"next fri", day(2026, 12, 4)},
		{"next week", day(2026, 12, 1)},
		{"2026-12-01", day(2026, 12, 1)},
		{"  2026-12-01 ", day(2026, 12, 1)},
		{"12-01", day(2026, 12, 1)},
		{"1/15", day(2027, 1, 15)}, // passed this year: next year
	}
	for _, tt := range tests {
		got, err := ParseWhen(tt.in, now)
		if err != nil {
			t.Errorf("ParseWhen(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("ParseWhen(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestParseWhenForms covers the forms a rep types besides the short ones,
// in both date orders, with a fixed now (Tuesday 24 November 2026, 12:00).
func TestParseWhenForms(t *testing.T) {
	now := testNow
	at := func(y int, mo time.Month, d, h, min int) time.Time {
		return time.Date(y, mo, d, h, min, 0, 0, time.UTC)
	}
	day := func(y int, mo time.Month, d int) time.Time { return at(y, mo, d, dueHour, 0) }
	dmy, mdy := config.DayMonth, config.MonthDay
	tests := []struct {
		in    string
		order config.DateOrder
		want  time.Time
	}{
		{"in 3 days", mdy, day(2026, 11, 27)},
		{"in 2 weeks", dmy, day(2026, 12, 8)},
		{"in 4 hours", dmy, now.Add(4 * time.Hour)},
		{"Dec 10", mdy, day(2026, 12, 10)},
		{"10 dec", dmy, day(2026, 12, 10)},
		{"December 10th", dmy, day(2026, 12, 10)},
		{"dec 10, 2027", mdy, day(2027, 12, 10)},
		{"jan 5", dmy, day(2027, 1, 5)},      // passed this year: next year's
		{"nov 24", dmy, day(2026, 11, 24)},   // today, 09:00, is still today's date
		{"nov 23", dmy, day(2027, 11, 23)},   // yesterday: a year ahead
		{"9am", dmy, at(2026, 11, 25, 9, 0)}, // 09:00 has passed today
		{"3pm", dmy, at(2026, 11, 24, 15, 0)},
		{"3 pm", dmy, at(2026, 11, 24, 15, 0)},
		{"12am", dmy, at(2026, 11, 25, 0, 0)},
		{"noon", dmy, at(2026, 11, 25, 12, 0)}, // now is noon: the next one
		{"15:30", dmy, at(2026, 11, 24, 15, 30)},
		{"today 5pm", dmy, at(2026, 11, 24, 17, 0)},
		{"tomorrow 3pm", dmy, at(2026, 11, 25, 15, 0)},
		{"tomorrow at 9:30am", mdy, at(2026, 11, 25, 9, 30)},
		{"fri 10am", dmy, at(2026, 11, 27, 10, 0)},
		{"dec 10 9am", mdy, at(2026, 12, 10, 9, 0)},
		{"in 3 days 2pm", mdy, at(2026, 11, 27, 14, 0)},
		// Two numbers: the order decides when both readings are dates...
		{"01/12", dmy, day(2026, 12, 1)},
		{"01/12", mdy, day(2027, 1, 12)},
		{"12/01", mdy, day(2026, 12, 1)},
		{"12.01", dmy, day(2027, 1, 12)},
		{"1/12/2027", dmy, day(2027, 12, 1)},
		{"12/1/27", mdy, day(2027, 12, 1)},
		// ...and when only one is, it is that one, whatever the order.
		{"24/12", mdy, day(2026, 12, 24)},
		{"12/24", dmy, day(2026, 12, 24)},
		{"30.11", mdy, day(2026, 11, 30)},
		{"2026-12-01", dmy, day(2026, 12, 1)},
	}
	for _, tt := range tests {
		got, err := ParseWhenIn(tt.in, now, tt.order)
		if err != nil {
			t.Errorf("ParseWhenIn(%q, %v): %v", tt.in, tt.order, err)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("ParseWhenIn(%q, %v) = %v, want %v", tt.in, tt.order, got, tt.want)
		}
	}
}

// A date that cannot be read says why, in one line.
func TestParseWhenFormsRejected(t *testing.T) {
	for in, want := range map[string]string{
		"13/13":          "neither 13 nor 13 is a month",
		"31/02":          "no day 31",
		"feb 30":         "February has no day 30",
		"1/1/2025":       "in the past",
		"today 9am":      "in the past",
		"4h 3pm":         "not with hours",
		"dec 10 2301":    "not a date I know",
		"25pm":           "not a date I know",
		"tomorrow 25:00": "not a date I know",
	} {
		_, err := ParseWhenIn(in, testNow, config.DayMonth)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseWhenIn(%q) = %v, want an error with %q", in, err, want)
		}
	}
}

func TestParseWhenRejects(t *testing.T) {
	for _, in := range []string{"", "soon", "next", "next blah", "2025-01-01", "d", "99999d", "3x", "2026-13-01"} {
		if got, err := ParseWhen(in, testNow); err == nil {
			t.Errorf("ParseWhen(%q) = %v, want an error", in, got)
		}
	}
}

func TestCompactDuration(t *testing.T) {
	tests := map[time.Duration]string{
		5 * time.Minute: "5m", 3 * time.Hour: "3h", 47 * time.Hour: "47h", 72 * time.Hour: "3d",
		20 * 24 * time.Hour: "2w", 400 * 24 * time.Hour: "1y", -2 * time.Hour: "2h",
	}
	for d, want := range tests {
		if got := compactDuration(d); got != want {
			t.Errorf("compactDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestRadixSort(t *testing.T) {
	keys := []uint64{5, 1 << 40, 3, 1<<63 | 7, 0, 1 << 20, 3, 1<<48 + 1}
	want := slices.Clone(keys)
	slices.Sort(want)
	got, _ := radixSort(slices.Clone(keys), make([]uint64, len(keys)))
	if !slices.Equal(got, want) {
		t.Fatalf("radixSort = %v, want %v", got, want)
	}
}
