package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// Password rules of Hash.
const (
	HashCost          = 12 // bcrypt cost of new hashes
	MinPasswordLength = 10 // characters
	MaxPasswordBytes  = 72 // bcrypt ignores anything longer, so it is refused
)

// hashCost is the cost Hash uses; tests lower it, as cost 12 takes
// seconds under the race detector.
var hashCost = HashCost

// ErrWeakPassword is returned by Hash for a password that is too short or
// too long.
var ErrWeakPassword = errors.New("auth: password too short or too long")

// Hash returns the bcrypt hash (cost HashCost) of password, for the
// password_hash of users.yaml. The password needs at least
// MinPasswordLength characters and at most MaxPasswordBytes bytes.
func Hash(password string) (string, error) {
	if n := utf8.RuneCountInString(password); n < MinPasswordLength {
		return "", fmt.Errorf("%w: want at least %d characters, got %d", ErrWeakPassword, MinPasswordLength, n)
	}
	if len(password) > MaxPasswordBytes {
		return "", fmt.Errorf("%w: want at most %d bytes, got %d", ErrWeakPassword, MaxPasswordBytes, len(password))
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), hashCost)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether password matches the bcrypt hash. A
// password longer than MaxPasswordBytes never matches (bcrypt would
// compare only its first 72 bytes).
func CheckPassword(hash, password string) bool {
	match := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
	return match && len(password) <= MaxPasswordBytes
}

// tokenPrefix marks campusguard token secrets, for secret scanners and for
// people reading a config.
const tokenPrefix = "cgt_"

// NewToken returns a new API token: the secret to hand to the integration
// (shown once, never stored: "cgt_" and 32 random bytes in base64url) and
// its hash for the token_hash of users.yaml ("sha256:<hex>").
func NewToken() (secret, hash string) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	secret = tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, TokenHash(secret)
}

// TokenHash returns the token_hash of a token secret.
func TokenHash(secret string) string {
	d := sha256.Sum256([]byte(secret))
	return tokenHashPrefix + hex.EncodeToString(d[:])
}

// randomID returns 32 random bytes in base64url: session ids and CSRF
// tokens.
func randomID() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
