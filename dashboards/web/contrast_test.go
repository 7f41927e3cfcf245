package web

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The contrast check reads app.css itself: the themes' custom properties
// (:root, and .theme-dark on top of it for the police wall screen) and
// every rule that sets a text colour, and computes the WCAG 2 contrast
// ratio of each text colour on the background it is drawn on. WCAG AA
// asks 4.5:1 for text; this check asks it of all text, large or not.
const minContrast = 4.5

// rgb is a colour; an alpha below 1 is composited over what lies below.
type rgb struct{ r, g, b, a float64 }

func (c rgb) String() string {
	return fmt.Sprintf("#%02x%02x%02x", int(math.Round(c.r)), int(math.Round(c.g)), int(math.Round(c.b)))
}

// over composites c over the opaque colour below.
func (c rgb) over(below rgb) rgb {
	return rgb{c.r*c.a + below.r*(1-c.a), c.g*c.a + below.g*(1-c.a), c.b*c.a + below.b*(1-c.a), 1}
}

// luminance is the WCAG relative luminance.
func (c rgb) luminance() float64 {
	lin := func(v float64) float64 {
		v /= 255
		if v <= 0.03928 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.r) + 0.7152*lin(c.g) + 0.0722*lin(c.b)
}

// contrast is the WCAG contrast ratio of two opaque colours.
func contrast(a, b rgb) float64 {
	la, lb := a.luminance(), b.luminance()
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

var (
	hexColour  = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)
	rgbaColour = regexp.MustCompile(`^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$`)
	varRef     = regexp.MustCompile(`var\((--[a-z0-9-]+)\)`)
	cssRule    = regexp.MustCompile(`([^{}]+)\{([^{}]*)\}`)
	cssComment = regexp.MustCompile(`(?s)/\*.*?\*/`)
)

// parseColour reads #rgb, #rrggbb, rgb(), rgba() and the names app.css
// uses; ok is false for anything else (gradients, currentColor...).
func parseColour(s string) (rgb, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "!important"))
	switch s {
	case "white":
		return rgb{255, 255, 255, 1}, true
	case "black":
		return rgb{0, 0, 0, 1}, true
	case "transparent":
		return rgb{0, 0, 0, 0}, true
	}
	if m := hexColour.FindStringSubmatch(s); m != nil {
		h := m[1]
		if len(h) == 3 {
			h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
		}
		v, _ := strconv.ParseUint(h, 16, 32)
		return rgb{float64(v >> 16 & 0xff), float64(v >> 8 & 0xff), float64(v & 0xff), 1}, true
	}
	if m := rgbaColour.FindStringSubmatch(s); m != nil {
		c := rgb{a: 1}
		c.r, _ = strconv.ParseFloat(m[1], 64)
		c.g, _ = strconv.ParseFloat(m[2], 64)
		c.b, _ = strconv.ParseFloat(m[3], 64)
		if m[4] != "" {
			c.a, _ = strconv.ParseFloat(m[4], 64)
		}
		return c, true
	}
	return rgb{}, false
}

// cssRuleSet is one rule of app.css: its selectors and declarations.
type cssRuleSet struct {
	selectors []string
	decl      map[string]string
}

// parseCSS reads the rules of css outside print and keyframes blocks
// (paper is not a screen; an animation's frames are checked where the
// rule names them: the takeover's pulse).
func parseCSS(css string) []cssRuleSet {
	css = cssComment.ReplaceAllString(css, "")
	css = dropBlocks(css, "@media print", "@keyframes")
	var out []cssRuleSet
	for _, m := range cssRule.FindAllStringSubmatch(css, -1) {
		r := cssRuleSet{decl: map[string]string{}}
		for _, s := range strings.Split(m[1], ",") {
			if s = strings.TrimSpace(s); s != "" {
				r.selectors = append(r.selectors, s)
			}
		}
		for _, d := range strings.Split(m[2], ";") {
			if k, v, ok := strings.Cut(d, ":"); ok {
				r.decl[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
		out = append(out, r)
	}
	return out
}

// dropBlocks removes every block (with its nested blocks) whose header
// starts with one of the prefixes.
func dropBlocks(css string, prefixes ...string) string {
	for _, p := range prefixes {
		for {
			i := strings.Index(css, p)
			if i < 0 {
				break
			}
			j, depth := strings.Index(css[i:], "{")+i, 0
			for k := j; k < len(css); k++ {
				switch css[k] {
				case '{':
					depth++
				case '}':
					depth--
				}
				if depth == 0 {
					css = css[:i] + css[k+1:]
					break
				}
			}
		}
	}
	return css
}

// theme is the custom properties in force on a page.
type theme struct {
	name string
	vars map[string]string
}

func (th theme) colour(t *testing.T, value string) (rgb, bool) {
	for i := 0; i < 5 && strings.Contains(value, "var("); i++ {
		value = varRef.ReplaceAllStringFunc(value, func(ref string) string {
			return th.vars[varRef.FindStringSubmatch(ref)[1]]
		})
	}
	return parseColour(value)
}

// themes returns the light theme (:root) and the wall's dark theme.
func themes(rules []cssRuleSet) []theme {
	light, dark := theme{"light", map[string]string{}}, theme{"dark", map[string]string{}}
	for _, r := range rules {
		for k, v := range r.decl {
			if !strings.HasPrefix(k, "--") {
				continue
			}
			if slices.Contains(r.selectors, ":root") {
				light.vars[k], dark.vars[k] = v, v
			}
		}
	}
	for _, r := range rules {
		for k, v := range r.decl {
			if strings.HasPrefix(k, "--") && slices.Contains(r.selectors, ".theme-dark") {
				dark.vars[k] = v
			}
		}
	}
	return []theme{light, dark}
}

// ownBackground lists the containers that paint their own background:
// text inside them is checked on it, not on the page or a panel.
var ownBackground = map[string]string{
	".topbar":               ".topbar",
	".p0-":                  ".p0-overlay",
	".stages":               ".p0-overlay",
	".message":              ".message",
	"#ack-button":           "",
	".alert-panel.embedded": ".p0-overlay",
	".dock-":                ".dock-item",
}

// notText lists rules whose colour paints a shape, not text (a status
// dot, a legend swatch, a day square): WCAG's 3:1 for graphics, not
// checked here.
var notText = []string{".light", ".conn", ".history-strip", ".swatch", ".chart-svg", ".series-"}

// contrastPairs collects, for a theme, every (text, background) pair the
// CSS draws: a rule's own colour on its own background (or on the
// background its base rule paints: ".badge.sev-P1" on ".badge"'s colour);
// a colour without a background on both the page and a panel, unless a
// container paints its own (then on that).
func contrastPairs(t *testing.T, rules []cssRuleSet, th theme) map[string][2]rgb {
	t.Helper()
	bg, _ := th.colour(t, "var(--bg)")
	panel, _ := th.colour(t, "var(--panel)")
	fg, _ := th.colour(t, "var(--fg)")
	bgOf := func(r cssRuleSet) (rgb, bool) {
		for _, k := range []string{"background", "background-color"} {
			if v, ok := r.decl[k]; ok {
				if c, ok := th.colour(t, v); ok {
					return c, true
				}
			}
		}
		return rgb{}, false
	}
	// Each selector's colour and background as declared.
	colourOf := map[string]string{}
	backOf := map[string]rgb{}
	for _, r := range rules {
		for _, s := range r.selectors {
			if v, ok := r.decl["color"]; ok {
				colourOf[s] = v
			}
			if c, ok := bgOf(r); ok {
				backOf[s] = c
			}
		}
	}
	containerBg := func(sel string) (rgb, bool) {
		for prefix, container := range ownBackground {
			if strings.Contains(sel, prefix) {
				if container == "" {
					return rgb{}, false
				}
				c, ok := backOf[container]
				return c.over(bg), ok
			}
		}
		return rgb{}, false
	}
	pairs := map[string][2]rgb{}
	add := func(what string, text, back rgb) {
		if back.a == 0 {
			return
		}
		back = back.over(panel)
		pairs[what] = [2]rgb{text.over(back), back}
	}
	for _, r := range rules {
		for _, sel := range r.selectors {
			if slices.ContainsFunc(notText, func(p string) bool { return strings.Contains(sel, p) }) ||
				sel == ":root" || sel == ".theme-dark" || (th.name == "light" && strings.Contains(sel, "theme-dark")) {
				continue
			}
			colourV, hasColour := r.decl["color"]
			back, hasBack := bgOf(r)
			if !hasColour && !hasBack {
				continue
			}
			if !hasColour { // the text colour of its own, or its base rule's (".badge" for ".badge.sev-P1"), else the theme's
				text := fg
				if v, ok := colourOf[sel]; ok {
					if c, ok := th.colour(t, v); ok { // not "inherit"
						text = c
					}
				}
				for base := sel; base != "" && colourOf[sel] == ""; {
					i := strings.LastIndexAny(base, ".#[")
					if i <= 0 {
						break
					}
					base = base[:i]
					if v, ok := colourOf[base]; ok {
						text, _ = th.colour(t, v)
						break
					}
				}
				if c, ok := containerBg(sel); ok && back.a < 1 {
					back = back.over(c)
				}
				add(sel+" (background)", text, back)
				continue
			}
			text, ok := th.colour(t, colourV)
			if !ok { // inherit, currentColor: the container's
				continue
			}
			switch {
			case hasBack:
				add(sel, text, back)
			case paintedVariants(rules, sel):
				// ".mini": its variants (".mini.sev-P0") paint its background.
			default:
				if c, ok := containerBg(sel); ok {
					add(sel+" on its container", text, c)
				} else if _, own := containerBg(sel); !own && !strings.Contains(sel, "#ack-button") {
					add(sel+" on the page", text, bg)
					add(sel+" on a panel", text, panel)
				}
			}
		}
	}
	return pairs
}

// paintedVariants reports whether rules paint the background of sel's
// variants (sel.x): then sel's own colour is drawn on those.
func paintedVariants(rules []cssRuleSet, sel string) bool {
	for _, r := range rules {
		_, b1 := r.decl["background"]
		_, b2 := r.decl["background-color"]
		for _, s := range r.selectors {
			if (b1 || b2) && strings.HasPrefix(s, sel+".") {
				return true
			}
		}
	}
	return false
}

// TestContrast: every text colour of app.css on every background it is
// drawn on meets WCAG AA (4.5:1), in the light theme and in the police
// wall's dark theme (where red on navy was 2.86:1 and the P1 badge
// 3.08:1).
func TestContrast(t *testing.T) {
	css := embedded(t)["assets/static/css/app.css"]
	rules := parseCSS(css)
	n := 0
	for _, th := range themes(rules) {
		pairs := contrastPairs(t, rules, th)
		keys := make([]string, 0, len(pairs))
		for k := range pairs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := pairs[k]
			n++
			if r := contrast(p[0], p[1]); r < minContrast {
				t.Errorf("%s theme: %s: %s on %s is %.2f:1, want %.1f:1", th.name, k, p[0], p[1], r, minContrast)
			}
		}
	}
	if n < 60 {
		t.Errorf("only %d colour pairs checked", n)
	}
	t.Logf("%d colour pairs checked", n)
}

// TestContrastFormula: the ratio is WCAG's (black on white 21:1) and
// catches the colours the tester measured.
func TestContrastFormula(t *testing.T) {
	c := func(s string) rgb { v, _ := parseColour(s); return v }
	for _, tc := range []struct {
		a, b string
		want float64
	}{
		{"#000", "#fff", 21}, {"#fff", "#fff", 1}, {"#c62828", "#152232", 2.86}, {"#fff", "#ef6c00", 3.08},
	} {
		if got := contrast(c(tc.a), c(tc.b)); math.Abs(got-tc.want) > 0.01 {
			t.Errorf("%s on %s: %.3f, want %.2f", tc.a, tc.b, got, tc.want)
		}
	}
}
