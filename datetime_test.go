package temgraph_test

import (
	"testing"
	"time"

	"github.com/temgraph/temgraph"
)

func TestParseDateTimeOffset(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	valid := []struct {
		name string
		in   string
		want time.Time
	}{
		{"Z", "2016-12-31T23:58:36Z", utc(2016, 12, 31, 23, 58, 36, 0)},
		{"LowerCaseZ", "2016-12-31t23:58:36z", utc(2016, 12, 31, 23, 58, 36, 0)},
		{"SeedOffset", "2016-12-31T23:58:36.6670033-08:00", utc(2017, 1, 1, 7, 58, 36, 667_003_300)},
		{"PositiveOffset", "2017-01-01T05:30:00+05:30", utc(2017, 1, 1, 0, 0, 0, 0)},
		{"ZeroOffset", "2017-01-01T00:00:00+00:00", utc(2017, 1, 1, 0, 0, 0, 0)},
		{"NegativeZeroOffset", "2017-01-01T00:00:00-00:00", utc(2017, 1, 1, 0, 0, 0, 0)},
		{"Offset14", "2017-01-01T14:00:00+14:00", utc(2017, 1, 1, 0, 0, 0, 0)},
		{"OffsetMinus14", "2017-01-01T00:00:00-14:00", utc(2017, 1, 1, 14, 0, 0, 0)},
		{"Frac1", "2017-01-01T00:00:00.5Z", utc(2017, 1, 1, 0, 0, 0, 500_000_000)},
		{"Frac2", "2017-01-01T00:00:00.25Z", utc(2017, 1, 1, 0, 0, 0, 250_000_000)},
		{"Frac3", "2017-01-01T00:00:00.123Z", utc(2017, 1, 1, 0, 0, 0, 123_000_000)},
		{"Frac6", "2017-01-01T00:00:00.123456Z", utc(2017, 1, 1, 0, 0, 0, 123_456_000)},
		{"Frac7", "2017-01-01T00:00:00.1234567Z", utc(2017, 1, 1, 0, 0, 0, 123_456_700)},
		{"Frac8RoundsDown", "2017-01-01T00:00:00.12345674Z", utc(2017, 1, 1, 0, 0, 0, 123_456_700)},
		{"Frac8RoundsUp", "2017-01-01T00:00:00.12345675Z", utc(2017, 1, 1, 0, 0, 0, 123_456_800)},
		{"Frac9", "2017-01-01T00:00:00.123456789Z", utc(2017, 1, 1, 0, 0, 0, 123_456_800)},
		{"Frac12", "2017-01-01T00:00:00.123456749999Z", utc(2017, 1, 1, 0, 0, 0, 123_456_700)},
		{"FracZeros", "2017-01-01T00:00:00.000000000000Z", utc(2017, 1, 1, 0, 0, 0, 0)},
		{"RoundsIntoNextSecond", "2017-01-01T00:00:00.99999999Z", utc(2017, 1, 1, 0, 0, 1, 0)},
		{"RoundsIntoNextYear", "2016-12-31T23:59:59.999999951Z", utc(2017, 1, 1, 0, 0, 0, 0)},
		{"LeapDay", "2016-02-29T12:00:00Z", utc(2016, 2, 29, 12, 0, 0, 0)},
		{"LeapDay2000", "2000-02-29T12:00:00Z", utc(2000, 2, 29, 12, 0, 0, 0)},
		{"Min", "0001-01-01T00:00:00Z", utc(1, 1, 1, 0, 0, 0, 0)},
		{"MinWithNegativeOffset", "0001-01-01T00:00:00-01:00", utc(1, 1, 1, 1, 0, 0, 0)},
		{"Max", "9999-12-31T23:59:59.9999999Z", utc(9999, 12, 31, 23, 59, 59, 999_999_900)},
		{"MaxWithPositiveOffset", "9999-12-31T23:59:59+01:00", utc(9999, 12, 31, 22, 59, 59, 0)},
		{"DayWrapsWithOffset", "2017-03-01T01:00:00+02:00", utc(2017, 2, 28, 23, 0, 0, 0)},
	}
	for _, tt := range valid {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := temgraph.ParseDateTimeOffset(tt.in)
			if !ok {
				t.Fatalf("ParseDateTimeOffset(%q) refused, want %v", tt.in, tt.want)
			}
			if !got.Equal(tt.want) {
				t.Errorf("ParseDateTimeOffset(%q)=%v, want %v", tt.in, got, tt.want)
			}
			if got.Location() != time.UTC {
				t.Errorf("ParseDateTimeOffset(%q) location=%v, want UTC", tt.in, got.Location())
			}
			if got.Nanosecond()%100 != 0 {
				t.Errorf("ParseDateTimeOffset(%q)=%v, not a whole number of 100 ns ticks", tt.in, got)
			}
		})
	}

	invalid := []struct {
		name string
		in   string
	}{
		{"Empty", ""},
		{"DateOnly", "2017-01-01"},
		{"NoOffset", "2017-01-01T00:00:00"},
		{"NoOffsetWithFraction", "2016-12-31T23:58:36.6670033"},
		{"SpaceSeparator", "2017-01-01 00:00:00Z"},
		{"Feb30", "2017-02-30T00:00:00Z"},
		{"Feb29NotLeap", "2017-02-29T00:00:00Z"},
		{"Feb29Year1900", "1900-02-29T00:00:00Z"},
		{"Apr31", "2017-04-31T00:00:00Z"},
		{"Month0", "2017-00-01T00:00:00Z"},
		{"Month13", "2017-13-01T00:00:00Z"},
		{"Day0", "2017-01-00T00:00:00Z"},
		{"Day32", "2017-01-32T00:00:00Z"},
		{"Year0000", "0000-01-01T00:00:00Z"},
		{"Hour24", "2017-01-01T24:00:00Z"},
		{"Minute60", "2017-01-01T00:60:00Z"},
		{"LeapSecond", "2016-12-31T23:59:60Z"},
		{"Offset14h01", "2017-01-01T00:00:00+14:01"},
		{"Offset15", "2017-01-01T00:00:00+15:00"},
		{"OffsetMinus15", "2017-01-01T00:00:00-15:00"},
		{"OffsetMinute60", "2017-01-01T00:00:00+01:60"},
		{"OffsetNoColon", "2017-01-01T00:00:00+0100"},
		{"OffsetHourOnly", "2017-01-01T00:00:00+01"},
		{"OffsetSeconds", "2017-01-01T00:00:00+01:00:00"},
		{"BelowMinAfterOffset", "0001-01-01T00:00:00+00:01"},
		{"AboveMaxAfterOffset", "9999-12-31T23:59:59-00:01"},
		{"RoundsAboveMax", "9999-12-31T23:59:59.99999999Z"},
		{"EmptyFraction", "2017-01-01T00:00:00.Z"},
		{"Frac13", "2017-01-01T00:00:00.1234567890123Z"},
		{"FractionWithoutOffset", "2017-01-01T00:00:00.5"},
		{"ShortYear", "217-01-01T00:00:00Z"},
		{"FiveDigitYear", "10000-01-01T00:00:00Z"},
		{"SignedYear", "+2017-01-01T00:00:00Z"},
		{"SingleDigitMonth", "2017-1-01T00:00:00Z"},
		{"NonDigit", "2017-0a-01T00:00:00Z"},
		{"TrailingSpace", "2017-01-01T00:00:00Z "},
		{"TrailingGarbage", "2017-01-01T00:00:00Zx"},
		{"DoubleZ", "2017-01-01T00:00:00ZZ"},
		{"UnixSeconds", "1483228800"},
		{"Words", "yesterday at noon, PST"},
	}
	for _, tt := range invalid {
		t.Run("Err"+tt.name, func(t *testing.T) {
			if got, ok := temgraph.ParseDateTimeOffset(tt.in); ok {
				t.Errorf("ParseDateTimeOffset(%q)=%v, want refused", tt.in, got)
			}
		})
	}
}

func TestFormatDateTimeOffset(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"Zero", temgraph.ZeroTime, "0001-01-01T00:00:00Z"},
		{"WholeSecond", time.Date(2017, 1, 1, 7, 58, 36, 0, time.UTC), "2017-01-01T07:58:36Z"},
		{"SevenDigits", time.Date(2017, 1, 1, 7, 58, 36, 667_003_300, time.UTC), "2017-01-01T07:58:36.6670033Z"},
		{"TrailingZerosDropped", time.Date(2024, 5, 15, 14, 13, 19, 376_941_000, time.UTC), "2024-05-15T14:13:19.376941Z"},
		{"OneDigit", time.Date(2026, 7, 17, 10, 45, 28, 200_000_000, time.UTC), "2026-07-17T10:45:28.2Z"},
		{"OneTick", time.Date(2017, 1, 1, 0, 0, 0, 100, time.UTC), "2017-01-01T00:00:00.0000001Z"},
		{"SubTickDropped", time.Date(2017, 1, 1, 0, 0, 0, 99, time.UTC), "2017-01-01T00:00:00Z"},
		{"ConvertedToUTC", time.Date(2016, 12, 31, 23, 58, 36, 667_003_300, time.FixedZone("PST", -8*3600)),
			"2017-01-01T07:58:36.6670033Z"},
		{"Max", time.Date(9999, 12, 31, 23, 59, 59, 999_999_900, time.UTC), "9999-12-31T23:59:59.9999999Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := temgraph.FormatDateTimeOffset(tt.in); got != tt.want {
				t.Errorf("FormatDateTimeOffset(%v)=%q, want %q", tt.in, got, tt.want)
			}
			prefix := []byte(`"x":`)
			got := temgraph.AppendDateTimeOffset(prefix, tt.in)
			if want := `"x":` + tt.want; string(got) != want {
				t.Errorf("AppendDateTimeOffset=%q, want %q", got, want)
			}
		})
	}
}

// TestFormatDateTimeOffset_RoundTrip checks that every output parses back to
// the same instant.
func TestFormatDateTimeOffset_RoundTrip(t *testing.T) {
	for _, in := range []string{
		"0001-01-01T00:00:00Z",
		"2016-12-31T23:58:36.6670033-08:00",
		"2017-01-01T00:00:00.0000001+14:00",
		"9999-12-31T23:59:59.9999999Z",
		"2020-02-29T12:34:56.789-05:45",
	} {
		t.Run(in, func(t *testing.T) {
			t1, ok := temgraph.ParseDateTimeOffset(in)
			if !ok {
				t.Fatalf("ParseDateTimeOffset(%q) refused", in)
			}
			out := temgraph.FormatDateTimeOffset(t1)
			t2, ok := temgraph.ParseDateTimeOffset(out)
			if !ok {
				t.Fatalf("ParseDateTimeOffset(%q) refused its own output", out)
			}
			if !t2.Equal(t1) {
				t.Errorf("round trip of %q: %q parses as %v, want %v", in, out, t2, t1)
			}
		})
	}
}

func TestTicks(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want int64
	}{
		{"Zero", temgraph.ZeroTime, 0},
		{"OneTick", temgraph.ZeroTime.Add(100 * time.Nanosecond), 1},
		{"OneSecond", temgraph.ZeroTime.Add(time.Second), temgraph.TicksPerSecond},
		// .NET's DateTime.UnixEpoch.Ticks.
		{"UnixEpoch", time.Unix(0, 0), 621_355_968_000_000_000},
		{"Seed", time.Date(2017, 1, 1, 7, 58, 36, 667_003_300, time.UTC), 636_188_543_166_670_033},
		{"Max", time.Date(9999, 12, 31, 23, 59, 59, 999_999_900, time.UTC), 3_155_378_975_999_999_999},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := temgraph.Ticks(tt.in); got != tt.want {
				t.Errorf("Ticks(%v)=%d, want %d", tt.in, got, tt.want)
			}
			got := temgraph.FromTicks(tt.want)
			if !got.Equal(tt.in) || got.Location() != time.UTC {
				t.Errorf("FromTicks(%d)=%v, want %v in UTC", tt.want, got, tt.in.UTC())
			}
		})
	}
}

// TestTicks_Order checks that ticks sort as the instants do, which storage
// relies on for ordering and keyset paging.
func TestTicks_Order(t *testing.T) {
	times := []string{
		"0001-01-01T00:00:00Z",
		"1969-12-31T23:59:59.9999999Z",
		"1970-01-01T00:00:00Z",
		"1970-01-01T00:00:00.0000001Z",
		"2016-12-31T23:58:36.6670033-08:00",
		"9999-12-31T23:59:59.9999999Z",
	}
	var prev int64 = -1
	for _, s := range times {
		tm, ok := temgraph.ParseDateTimeOffset(s)
		if !ok {
			t.Fatalf("ParseDateTimeOffset(%q) refused", s)
		}
		ticks := temgraph.Ticks(tm)
		if ticks <= prev {
			t.Errorf("Ticks(%s)=%d, want more than %d", s, ticks, prev)
		}
		if back := temgraph.FromTicks(ticks); !back.Equal(tm) {
			t.Errorf("FromTicks(Ticks(%s))=%v, want %v", s, back, tm)
		}
		prev = ticks
	}
}
