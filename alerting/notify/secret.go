package notify

// Secret is a credential that never prints: String, GoString, MarshalText
// and MarshalJSON yield "[REDACTED]" (or "" when it is empty). Use
// string(s) where the value is needed.
type Secret string

const redacted = "[REDACTED]"

// String implements fmt.Stringer without revealing the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps the secret out of %#v.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// MarshalText keeps the secret out of YAML and text dumps.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalJSON keeps the secret out of JSON dumps and structured logs.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }
