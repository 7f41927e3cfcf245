package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"strings"
)

// entry is one label of the UI in both languages.
type entry struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// dictionary is every label of the UI by key (assets/i18n.json). The
// templates render the Chinese, the pages' JavaScript swaps in either
// language from the same dictionary.
type dictionary map[string]entry

// loadDictionary reads assets/i18n.json strictly: every key needs both
// languages.
func loadDictionary() (dictionary, error) {
	b, err := assetFS.ReadFile("assets/i18n.json")
	if err != nil {
		return nil, fmt.Errorf("web: dictionary: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var d dictionary
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("web: dictionary: %w", err)
	}
	var errs []error
	for k, e := range d {
		if strings.TrimSpace(e.ZH) == "" || strings.TrimSpace(e.EN) == "" {
			errs = append(errs, fmt.Errorf("web: dictionary: %s needs zh and en", k))
		}
	}
	return d, errors.Join(errs...)
}

// zh returns the Chinese of key; an unknown key is an error, so that a
// template naming one fails when New parses and renders it.
func (d dictionary) zh(key string) (string, error) {
	e, ok := d[key]
	if !ok {
		return "", fmt.Errorf("web: no label %q in the dictionary", key)
	}
	return e.ZH, nil
}

// en returns the English of key (pages that show both languages at once:
// a refusal, Chinese first).
func (d dictionary) en(key string) (string, error) {
	e, ok := d[key]
	if !ok {
		return "", fmt.Errorf("web: no label %q in the dictionary", key)
	}
	return e.EN, nil
}

// span renders the label key as a span the JavaScript translates.
func (d dictionary) span(key string) (template.HTML, error) {
	zh, err := d.zh(key)
	if err != nil {
		return "", err
	}
	return template.HTML(`<span data-i18n="` + template.HTMLEscapeString(key) + `">` +
		template.HTMLEscapeString(zh) + `</span>`), nil
}
