package devices

// RequiredGuards returns how many licensed full-time guards the school needs
// on duty (docs/rules.md "Guards"): fewer than 100 pupils 1; 100-999 pupils 2;
// 1,000 or more 3 plus 1 per further full 500 pupils (1,499 → 3, 1,500 → 4,
// 2,000 → 5); boarding schools 1 more per full 200 boarders.
func (s *School) RequiredGuards() int {
	return requiredGuards(s.Pupils, s.Boarders)
}

func requiredGuards(pupils, boarders int) int {
	n := 1
	switch {
	case pupils >= 1000:
		n = 3 + (pupils-1000)/500
	case pupils >= 100:
		n = 2
	}
	if boarders > 0 {
		n += boarders / 200
	}
	return n
}
