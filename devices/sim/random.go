package sim

import (
	"math"
	"math/rand/v2"
)

// splitmix is SplitMix64's finaliser: a cheap, well-mixed hash of x, used to
// derive stable pseudonymous ids and per-device constants from ids.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hashString is FNV-1a of s.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// uniform returns a uniform time in [lo, hi).
func uniform(r *rand.Rand, lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + r.Int64N(hi-lo)
}

// chance reports true with probability p.
func chance(r *rand.Rand, p float64) bool { return p > 0 && r.Float64() < p }

// poisson draws from a Poisson distribution of mean lambda (Knuth; lambda is
// small here).
func poisson(r *rand.Rand, lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// triangular maps u in [0,1] through the inverse CDF of the triangular
// distribution on [0,1] with mode c.
func triangular(u, c float64) float64 {
	if u < c {
		return math.Sqrt(u * c)
	}
	return 1 - math.Sqrt((1-u)*(1-c))
}

// nextOrderStat returns the next of n sorted uniforms on [0,1) given the
// previous one prev, when remaining of them are still to come: the minimum
// of remaining uniforms on (prev, 1). Drawing a whole day's arrival times in
// order this way needs no memory per arrival.
func nextOrderStat(r *rand.Rand, prev float64, remaining int) float64 {
	u := 1 - r.Float64() // (0, 1]
	return 1 - (1-prev)*math.Pow(u, 1/float64(remaining))
}

// coprime returns a random multiplier in [1, n) coprime with n (1 when n < 3),
// so that k -> (a*k + b) mod n is a permutation.
func coprime(r *rand.Rand, n int) int {
	if n < 3 {
		return 1
	}
	for {
		a := 1 + r.IntN(n-1)
		if gcd(a, n) == 1 {
			return a
		}
	}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
