package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckCommand(t *testing.T) {
	_, regPath := testRegistry(t, 3)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(good, []byte("defaults:\n  post_min_staff: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("defaults:\n  rules:\n    gate_foo: {enabled: false}\nschools:\n  no-such-school: {post_min_staff: 3}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr []string
		wantOut string
	}{
		{"registry and rules ok", []string{"check", "-registry", regPath, "-rules", good}, nil, "规则文件校验通过"},
		{"sample rules file ok", []string{"check", "-registry", regPath, "-rules", "../../testdata/rules/rules.sample.yaml"}, nil, "ok"},
		{"unknown rule id", []string{"check", "-registry", regPath, "-rules", bad}, []string{"bad.yaml:3", `unknown rule "gate_foo"`}, ""},
		{"missing registry", []string{"check", "-registry", filepath.Join(dir, "none.yaml")}, []string{"none.yaml"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := dispatch(context.Background(), tc.args, &out, &errb)
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("error: %v", err)
				}
				if !strings.Contains(out.String(), tc.wantOut) {
					t.Fatalf("output %q lacks %q", out.String(), tc.wantOut)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
