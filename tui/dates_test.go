package tui

import (
	"slices"
	"testing"
	"time"
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
