package tui

import (
	"fmt"
	"image/color"
	"math"
	"reflect"
	"testing"
	"unsafe"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// xterm256 converts a colour of the xterm 256-colour palette to sRGB: the
// 16 system colours as xterm draws them, the 6×6×6 cube and the grey ramp.
func xterm256(i int) (r, g, b uint8) {
	system := [16][3]uint8{{0, 0, 0}, {205, 0, 0}, {0, 205, 0}, {205, 205, 0}, {0, 0, 238}, {205, 0, 205},
		{0, 205, 205}, {229, 229, 229}, {127, 127, 127}, {255, 0, 0}, {0, 255, 0}, {255, 255, 0},
		{92, 92, 255}, {255, 0, 255}, {0, 255, 255}, {255, 255, 255}}
	switch {
	case i < 16:
		return system[i][0], system[i][1], system[i][2]
	case i < 232:
		i -= 16
		level := func(n int) uint8 {
			if n == 0 {
				return 0
			}
			return uint8(55 + 40*n)
		}
		return level(i / 36), level(i / 6 % 6), level(i % 6)
	}
	v := uint8(8 + 10*(i-232))
	return v, v, v
}

// srgb reads a colour as the terminal shows it: palette colours through
// the xterm palette, true colours as they are.
func srgb(c color.Color) (r, g, b uint8) {
	switch c := c.(type) {
	case ansi.IndexedColor:
		return xterm256(int(c))
	case ansi.BasicColor:
		return xterm256(int(c))
	}
	r32, g32, b32, _ := c.RGBA()
	return uint8(r32 >> 8), uint8(g32 >> 8), uint8(b32 >> 8)
}

// luminance is WCAG 2's relative luminance of an sRGB colour.
func luminance(c color.Color) float64 {
	r, g, b := srgb(c)
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is WCAG 2's contrast ratio, 1 to 21.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// styleFields lists every style of a styles value by field name, read by
// reflection so that a style added later is checked too.
func styleFields(s *styles) map[string]lipgloss.Style {
	out := map[string]lipgloss.Style{}
	v := reflect.ValueOf(s).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Type() != reflect.TypeOf(lipgloss.Style{}) {
			continue
		}
		out[v.Type().Field(i).Name] = *(*lipgloss.Style)(unsafe.Pointer(f.UnsafeAddr()))
	}
	return out
}

// TestEveryTextColourMeetsWCAGAA: every foreground the screens draw, on
// the background it is drawn on (its own, or the terminal's: black on a
// dark theme, white on a light one), has a contrast ratio of at least
// 4.5:1. The key hints were 2.5:1 on black and 2.1:1 on white.
func TestEveryTextColourMeetsWCAGAA(t *testing.T) {
	for _, th := range []struct {
		dark   bool
		bg, fg color.Color
	}{
		{true, color.Black, color.White},
		{true, lipgloss.Color("#1E1E1E"), lipgloss.Color("#D4D4D4")}, // a common dark grey theme
		{false, color.White, color.Black},
	} {
		dark, termBg, termFg := th.dark, th.bg, th.fg
		theme := "light"
		if dark {
			theme = "dark " + hexOf(termBg)
		}
		m := New(nil, Options{})
		m.dark = dark
		m.setStyles()
		all := styleFields(&m.sty)
		h := m.help.Styles
		for name, st := range map[string]lipgloss.Style{"help.ShortKey": h.ShortKey, "help.ShortDesc": h.ShortDesc,
			"help.ShortSeparator": h.ShortSeparator, "help.Ellipsis": h.Ellipsis, "help.FullKey": h.FullKey,
			"help.FullDesc": h.FullDesc, "help.FullSeparator": h.FullSeparator} {
			all[name] = st
		}
		if len(all) < 20 {
			t.Fatalf("found only %d styles", len(all))
		}
		for name, st := range all {
			fg, bg := st.GetForeground(), st.GetBackground()
			if _, none := fg.(lipgloss.NoColor); none || fg == nil {
				fg = termFg
			}
			if _, none := bg.(lipgloss.NoColor); none || bg == nil {
				bg = termBg
			}
			if st.GetBorderTopForeground() != nil {
				if _, none := st.GetBorderTopForeground().(lipgloss.NoColor); !none {
					if r := contrast(st.GetBorderTopForeground(), termBg); r < 3 {
						t.Errorf("%s theme: %s border %s is %.2f:1 on the terminal background, want 3:1", theme, name, hexOf(st.GetBorderTopForeground()), r)
					}
				}
			}
			if r := contrast(fg, bg); r < 4.5 {
				t.Errorf("%s theme: %s %s on %s is %.2f:1, want at least 4.5:1", theme, name, hexOf(fg), hexOf(bg), r)
			}
			// A 256-colour terminal (tmux's default) gets the nearest
			// palette colours; they must keep the contrast too.
			fg256, bg256 := colorprofile.ANSI256.Convert(fg), bg
			if st.GetBackground() != nil {
				if _, none := st.GetBackground().(lipgloss.NoColor); !none {
					bg256 = colorprofile.ANSI256.Convert(bg)
				}
			}
			if fg == termFg {
				fg256 = termFg
			}
			if r := contrast(fg256, bg256); r < 4.5 {
				t.Errorf("%s theme, 256 colours: %s %s on %s is %.2f:1, want at least 4.5:1", theme, name, hexOf(fg256), hexOf(bg256), r)
			}
		}
	}
}

func hexOf(c color.Color) string {
	r, g, b := srgb(c)
	return fmt.Sprintf("#%02X%02X%02X", r, g, b)
}

// TestContrastFormula checks the arithmetic on known pairs: black on white
// is 21:1, and the hint colour of the bug report, xterm 239 on black, is
// about 2.5:1.
func TestContrastFormula(t *testing.T) {
	if r := contrast(color.Black, color.White); math.Abs(r-21) > 0.01 {
		t.Fatalf("black on white = %.2f", r)
	}
	if r := contrast(ansi.IndexedColor(239), color.Black); r < 2.3 || r > 2.7 {
		t.Fatalf("239 on black = %.2f", r)
	}
	if r := contrast(ansi.IndexedColor(249), color.White); r < 1.9 || r > 2.3 {
		t.Fatalf("249 on white = %.2f", r)
	}
}
