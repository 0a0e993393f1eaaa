package config

import "strings"

// DateOrder says how a date written with two numbers (01/12) is read.
type DateOrder uint8

// The orders. MonthDay is the zero value: it is how leads read such dates
// before the order could be set, and how a C or POSIX locale is read.
const (
	MonthDay DateOrder = iota // 01/12 is January 12
	DayMonth                  // 01/12 is 1 December
)

func (o DateOrder) String() string {
	if o == DayMonth {
		return "dmy"
	}
	return "mdy"
}

// monthFirst lists the territories whose people write the month before
// the day: the United States and a few others with month/day, and those
// that write year-month-day (where 12/1 is also December 1).
var monthFirst = map[string]bool{
	"US": true, "PH": true, "FM": true, "MH": true, "PW": true, "BZ": true, "CA": true,
	"CN": true, "JP": true, "KR": true, "TW": true, "HU": true, "MN": true, "LT": true,
}

// LocaleDateOrder reads the date order from the locale: LC_ALL, else
// LC_TIME, else LANG (POSIX precedence). It returns where the answer came
// from, e.g. "LC_TIME=de_DE.UTF-8", or "default" when no variable names a
// territory.
func LocaleDateOrder(getenv func(string) string) (DateOrder, string) {
	for _, v := range []string{"LC_ALL", "LC_TIME", "LANG"} {
		val := getenv(v)
		if val == "" {
			continue
		}
		terr, ok := territory(val)
		if !ok {
			// C or POSIX: the variable is set, so later ones do not count.
			return MonthDay, "default"
		}
		from := v + "=" + clean(val)
		if monthFirst[terr] {
			return MonthDay, from
		}
		return DayMonth, from
	}
	return MonthDay, "default"
}

// territory returns the CC of ll_CC[.codeset][@modifier].
func territory(loc string) (string, bool) {
	if i := strings.IndexAny(loc, ".@"); i >= 0 {
		loc = loc[:i]
	}
	_, cc, ok := strings.Cut(loc, "_")
	if !ok || len(cc) != 2 {
		return "", false
	}
	return strings.ToUpper(cc), true
}
