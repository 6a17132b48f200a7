package temgraph

import (
	"time"

	"github.com/temgraph/temgraph/odata"
)

// TicksPerSecond is the number of 100-nanosecond ticks in a second, the
// resolution at which Graph (a .NET service) stores DateTimeOffset values.
const TicksPerSecond = 10_000_000

// minTime is the earliest instant a DateTimeOffset can hold.
var minTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)

// ZeroTime is the value of an unset non-nullable DateTimeOffset,
// 0001-01-01T00:00:00Z.
var ZeroTime = minTime

// ParseDateTimeOffset parses an Edm.DateTimeOffset literal: RFC 3339 with a
// "Z" or a ±hh:mm offset and 0 to 12 fractional digits. The instant is
// rounded to the nearest 100 ns and returned in UTC. A value without an
// offset, or outside years 0001 to 9999 once in UTC, is rejected. Bodies
// and $filter literals share these rules, so a value a client can store is
// a value it can filter on.
func ParseDateTimeOffset(s string) (time.Time, bool) {
	return odata.ParseDateTimeOffset(s)
}

// AppendDateTimeOffset appends t in Graph's output form: UTC, a "Z" suffix
// and up to 7 fractional digits with trailing zeros dropped.
func AppendDateTimeOffset(b []byte, t time.Time) []byte {
	t = t.UTC()
	b = t.AppendFormat(b, "2006-01-02T15:04:05")
	ticks := t.Nanosecond() / 100
	if ticks != 0 {
		var frac [8]byte
		frac[0] = '.'
		for i := 7; i >= 1; i-- {
			frac[i] = byte('0' + ticks%10)
			ticks /= 10
		}
		n := 8
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, 'Z')
}

// FormatDateTimeOffset returns t in Graph's output form.
func FormatDateTimeOffset(t time.Time) string {
	return string(AppendDateTimeOffset(make([]byte, 0, 28), t))
}

// Ticks returns t as the number of 100 ns ticks since 0001-01-01T00:00:00Z,
// the form in which storage keeps instants so that they sort as integers.
func Ticks(t time.Time) int64 {
	t = t.UTC()
	secs := t.Unix() - minTime.Unix()
	return secs*TicksPerSecond + int64(t.Nanosecond()/100)
}

// FromTicks is the inverse of Ticks.
func FromTicks(ticks int64) time.Time {
	secs, rem := ticks/TicksPerSecond, ticks%TicksPerSecond
	return time.Unix(minTime.Unix()+secs, rem*100).UTC()
}
