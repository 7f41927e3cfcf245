package notify

import "testing"

// FuzzParseConfig: the notifications file decoder never panics, and a
// config it accepts validates, builds and makes a Dispatcher.
func FuzzParseConfig(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			return
		}
		routes, err := c.Build(BuildOptions{LookupEnv: func(string) (string, bool) { return "https://h.example/robot?key=k", true }})
		if err != nil {
			return
		}
		// What the file accepts, the Dispatcher accepts (group, rate).
		if _, err := NewDispatcher(Options{}, routes); err != nil {
			t.Fatalf("NewDispatcher refused a valid file: %v", err)
		}
	})
}
