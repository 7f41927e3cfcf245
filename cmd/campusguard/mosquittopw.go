package main

import (
	"bufio"
	"bytes"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// Mosquitto 2 password hashes: "$7$<iterations>$<base64 salt>$<base64 hash>",
// PBKDF2-HMAC-SHA512 with a 12-byte salt and a 64-byte key, exactly what
// mosquitto_passwd 2.0 writes (101 iterations by default; 2.0.11 as packaged
// by Debian reads any iteration count). Generated passwords are 192 random
// bits, so the low iteration count costs no strength for them and keeps the
// broker's check cheap when the whole city reconnects.
const (
	mosqHashType   = 7
	mosqIterations = 101
	mosqSaltLen    = 12
	mosqKeyLen     = 64
)

// mosquittoHash returns the password-file hash of password with a fresh salt.
func mosquittoHash(password string) (string, error) {
	salt := make([]byte, mosqSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	return mosquittoHashSalt(password, salt, mosqIterations)
}

func mosquittoHashSalt(password string, salt []byte, iterations int) (string, error) {
	key, err := pbkdf2.Key(sha512.New, password, salt, iterations, mosqKeyLen)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("$%d$%d$%s$%s", mosqHashType, iterations,
		base64.StdEncoding.EncodeToString(salt), base64.StdEncoding.EncodeToString(key)), nil
}

// mosquittoCheck reports whether hash (a "$7$" entry) matches password.
func mosquittoCheck(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 5 || parts[0] != "" || parts[1] != strconv.Itoa(mosqHashType) {
		return false
	}
	iter, err := strconv.Atoi(parts[2])
	if err != nil || iter < 1 {
		return false
	}
	salt, err := base64.StdEncoding.DecodeString(parts[3])
	if err != nil {
		return false
	}
	got, err := mosquittoHashSalt(password, salt, iter)
	return err == nil && got == hash
}

// newPassword returns a random password: 24 bytes, base64url (32 characters,
// no ':' or whitespace, so it fits both files and a device's config form).
func newPassword() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// readUserLines reads "user:value" lines (a Mosquitto password file, or a
// plain-text credentials file); blank lines and # comments are skipped. A
// missing file is empty when missingOK.
func readUserLines(path string, missingOK bool) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && missingOK {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		user, val, ok := strings.Cut(line, ":")
		if !ok || user == "" || val == "" {
			return nil, fmt.Errorf("%s:%d: want user:value", path, n)
		}
		if _, dup := m[user]; dup {
			return nil, fmt.Errorf("%s:%d: user %q twice", path, n, user)
		}
		m[user] = val
	}
	return m, sc.Err()
}
