package odata

import (
	"testing"
	"time"
)

func TestParseDateTimeOffset(t *testing.T) {
	tests := []struct {
		in    string
		valid bool
		want  time.Time
	}{
		{"2016-12-31T23:58:36.6670033-08:00", true, time.Date(2017, 1, 1, 7, 58, 36, 667003300, time.UTC)},
		{"2024-01-31T12:00:00Z", true, time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC)},
		{"2024-01-31t12:00:00z", true, time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC)},
		{"2024-01-31T12:00:00.00000005Z", true, time.Date(2024, 1, 31, 12, 0, 0, 100, time.UTC)},
		{"2024-01-31T12:00:00.00000004Z", true, time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC)},
		{"0001-01-01T00:00:00Z", true, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"9999-12-31T23:59:59.9999999Z", true, time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC)},
		{"2024-02-29T00:00:00+14:00", true, time.Date(2024, 2, 28, 10, 0, 0, 0, time.UTC)},
		{"9999-12-31T23:59:59.99999995Z", false, time.Time{}}, // rounds past the end
		{"0001-01-01T00:00:00+00:01", false, time.Time{}},
		{"2023-02-29T00:00:00Z", false, time.Time{}},
		{"2024-01-31T12:00:00", false, time.Time{}},
		{"2024-01-31T12:00:00.Z", false, time.Time{}},
		{"2024-01-31T12:00:00+14:01", false, time.Time{}},
		{"2024-01-31T24:00:00Z", false, time.Time{}},
		{"2024-01-31 12:00:00Z", false, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseDateTimeOffset(tt.in)
			if ok != tt.valid || !got.Equal(tt.want) {
				t.Errorf("ParseDateTimeOffset(%q) = %v, %t; want %v", tt.in, got, ok, tt.want)
			}
		})
	}
}
