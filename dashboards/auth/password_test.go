package auth

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestHash(t *testing.T) {
	if HashCost != 12 {
		t.Fatalf("HashCost %d, want 12", HashCost)
	}
	for _, tc := range []struct {
		name, pw string
		ok       bool
	}{
		{"ten characters", "0123456789", true},
		{"ten Chinese characters", "校园安全四个百分百啊", true},
		{"nine characters", "012345678", false},
		{"empty", "", false},
		{"72 bytes", strings.Repeat("x", 72), true},
		{"73 bytes", strings.Repeat("x", 73), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := Hash(tc.pw)
			if !tc.ok {
				if !errors.Is(err, ErrWeakPassword) {
					t.Fatalf("error %v, want ErrWeakPassword", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cost, err := bcrypt.Cost([]byte(h)); err != nil || cost != hashCost {
				t.Fatalf("cost %d %v", cost, err)
			}
			if !CheckPassword(h, tc.pw) {
				t.Fatal("the password does not match its hash")
			}
			if CheckPassword(h, tc.pw+"x") || CheckPassword(h, "") {
				t.Fatal("another password matches")
			}
		})
	}
	a, _ := Hash("the same password")
	b, _ := Hash("the same password")
	if a == b {
		t.Fatal("no salt")
	}
}

func TestNewToken(t *testing.T) {
	secret, hash := NewToken()
	if !regexp.MustCompile(`^cgt_[A-Za-z0-9_-]{43}$`).MatchString(secret) {
		t.Fatalf("secret %q", secret)
	}
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(hash) || hash != TokenHash(secret) {
		t.Fatalf("hash %q", hash)
	}
	if _, err := parseTokenHash(hash); err != nil {
		t.Fatal(err)
	}
	if s2, _ := NewToken(); s2 == secret {
		t.Fatal("two tokens alike")
	}
}
