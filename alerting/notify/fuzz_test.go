package notify

import "testing"

// FuzzParseConfig: the notifications file decoder never panics, and a
// config it accepts validates and builds without panicking.
func FuzzParseConfig(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			return
		}
		_, _ = c.Build(BuildOptions{LookupEnv: func(string) (string, bool) { return "secret", true }})
	})
}
