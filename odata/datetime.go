package odata

import "time"

// minTime and maxTime bound the instants an Edm.DateTimeOffset can hold.
var (
	minTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 999_999_900, time.UTC)
)

// ParseDateTimeOffset parses an Edm.DateTimeOffset literal: RFC 3339 with a
// "Z" or a ±hh:mm offset (at most 14:00) and 0 to 12 fractional digits. The
// instant is rounded to the nearest 100 ns and returned in UTC. A value
// without an offset, or outside years 0001 to 9999 once in UTC, is rejected.
// The rules are those the entity's JSON reader applies, so a value a client
// can store is a value it can filter on.
func ParseDateTimeOffset(s string) (time.Time, bool) {
	// yyyy-mm-ddThh:mm:ss is 19 bytes; the shortest offset is "Z".
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
		s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || year < 1 || month < 1 || month > 12 ||
		day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}

	rest := s[19:]
	var nanos int64
	if rest[0] == '.' {
		n := 1
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		frac := rest[1:n]
		if len(frac) == 0 || len(frac) > 12 {
			return time.Time{}, false
		}
		nanos = roundFraction(frac)
		rest = rest[n:]
	}

	offset, ok := parseOffset(rest)
	if !ok {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	t = t.Add(time.Duration(nanos)).Add(-time.Duration(offset) * time.Second)
	if t.Before(minTime) || t.After(maxTime) {
		return time.Time{}, false
	}
	return t, true
}

// roundFraction turns the digits after the decimal point into nanoseconds
// rounded to the nearest 100 ns tick.
func roundFraction(frac string) int64 {
	var ticks int64
	for i := 0; i < 7; i++ {
		ticks *= 10
		if i < len(frac) {
			ticks += int64(frac[i] - '0')
		}
	}
	if len(frac) > 7 && frac[7] >= '5' {
		ticks++
	}
	return ticks * 100
}

// parseOffset parses "Z" or "±hh:mm" and returns the offset in seconds.
func parseOffset(s string) (int, bool) {
	if s == "Z" || s == "z" {
		return 0, true
	}
	if len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' {
		return 0, false
	}
	h, ok1 := digits(s[1:3])
	m, ok2 := digits(s[4:6])
	if !ok1 || !ok2 || m > 59 || h*60+m > 14*60 {
		return 0, false
	}
	off := (h*60 + m) * 60
	if s[0] == '-' {
		off = -off
	}
	return off, true
}

// digits parses a run of ASCII digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysIn returns the number of days in the month.
func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
