package devices

import "testing"

func TestRequiredGuards(t *testing.T) {
	tests := []struct {
		pupils, boarders, want int
	}{
		{0, 0, 1},
		{99, 0, 1},
		{100, 0, 2},
		{999, 0, 2},
		{1000, 0, 3},
		{1499, 0, 3},
		{1500, 0, 4},
		{1999, 0, 4},
		{2000, 0, 5},
		{3800, 0, 8},
		{500, 199, 2}, // fewer than 200 boarders add nothing
		{500, 200, 3}, // +1 per full 200 boarders
		{2400, 1200, 11},
		{90, 90, 1},
	}
	for _, tt := range tests {
		s := School{Pupils: tt.pupils, Boarders: tt.boarders}
		if got := s.RequiredGuards(); got != tt.want {
			t.Errorf("RequiredGuards(pupils %d, boarders %d) = %d, want %d", tt.pupils, tt.boarders, got, tt.want)
		}
	}
}
