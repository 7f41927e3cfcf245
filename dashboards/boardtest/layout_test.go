package boardtest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/campusguard/campusguard/alerting"
	"github.com/campusguard/campusguard/devices"
	"github.com/campusguard/campusguard/internal/browsertest"
)

// settleScript counts the page's fetches in flight and when the last one
// ended, so that a test can wait until a board has drawn its data (a
// condition in the page, not a sleep).
const settleScript = `(() => {
  let pending = 0;
  window.__cgLastFetch = performance.now();
  const f = window.fetch;
  window.fetch = function (...args) {
    pending++;
    return f.apply(this, args).finally(() => { pending--; window.__cgLastFetch = performance.now(); });
  };
  window.__cgPending = () => pending;
})();`

// settled is true once the page has loaded in the language asked for, no
// fetch is in flight, and neither a fetch has ended nor the number of
// table rows changed for 400 ms (a board's chained requests: session,
// then data; the stream's snapshot).
const settled = `document.readyState === "complete" && document.documentElement.lang === %q &&
  !!window.__cgPending && window.__cgPending() === 0 && (() => {
    const now = performance.now(), rows = document.querySelectorAll('main tr').length;
    if (rows !== window.__cgRows) { window.__cgRows = rows; window.__cgRowsAt = now; return false; }
    return now - window.__cgRowsAt > 400 && now - window.__cgLastFetch > 400;
  })()`

// layoutProbe measures what the test asserts: the page's width against
// the viewport, and every table cell with text narrower than two
// characters of its own font (the one-character column wrapping).
const layoutProbe = `(() => {
  const de = document.documentElement;
  const out = { scroll: Math.max(de.scrollWidth, document.body.scrollWidth), inner: window.innerWidth, narrow: [], cells: 0, wide: [] };
  for (const c of document.querySelectorAll('main th, main td')) {
    const text = (c.innerText || '').trim();
    const r = c.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || [...text].length < 2) continue;
    out.cells++;
    const st = getComputedStyle(c);
    const content = r.width - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight);
    const em = parseFloat(st.fontSize);
    if (content < 1.8 * em && out.narrow.length < 5) {
      out.narrow.push(c.tagName + ' "' + text.slice(0, 20) + '" ' + Math.round(content) + 'px, font ' + em + 'px');
    }
  }
  // Tables that scroll inside their box (allowed, but not on the wall
  // screen: nobody scrolls a wall).
  out.inner_scroll = [];
  for (const t of document.querySelectorAll('main table')) {
    let p = t.parentElement;
    while (p && p !== document.body && !['auto', 'scroll'].includes(getComputedStyle(p).overflowX)) p = p.parentElement;
    const box = p && p !== document.body ? p : t;
    if (box.scrollWidth > box.clientWidth + 1 && t.getBoundingClientRect().height > 0 && out.inner_scroll.length < 5) {
      out.inner_scroll.push((t.id ? '#' + t.id : 'table') + ' ' + box.scrollWidth + '/' + box.clientWidth + 'px');
    }
  }
  // What sticks out: elements whose right edge passes the viewport and
  // that are not inside a container that scrolls by itself.
  if (out.scroll > window.__cgScreen) {
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right <= window.__cgScreen + 1 || r.width === 0) continue;
      let p = el.parentElement, clipped = false;
      while (p && p !== document.body) {
        const ox = getComputedStyle(p).overflowX;
        if (ox === 'auto' || ox === 'scroll' || ox === 'hidden') { clipped = true; break; }
        p = p.parentElement;
      }
      if (!clipped && getComputedStyle(el).position !== 'fixed' && out.wide.length < 5) {
        out.wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') + ' right ' + Math.round(r.right));
      }
    }
  }
  return out;
})()`

type layoutResult struct {
	Scroll int      `json:"scroll"`
	Inner  int      `json:"inner"`
	Narrow []string `json:"narrow"`
	Cells  int      `json:"cells"`
	Wide   []string `json:"wide"`
	// InnerScroll lists tables wider than their box (which scrolls).
	InnerScroll []string `json:"inner_scroll"`
}

// TestLayout: every board at the wall screen (1920×1080), a laptop
// (1366×768) and a phone (390×844), in Chinese and in English, has no
// horizontal overflow of the page (a table may scroll inside its own
// panel) and no table cell squeezed below two characters.
func TestLayout(t *testing.T) {
	c := newCity(t, cityOptions{Schools: 200})
	seedLayoutAlerts(t, c)
	browser := startBrowser(t)
	type board struct{ user, path string }
	boards := []board{
		{"police", "/board/police"},
		{"education", "/board/education"},
		{"market", "/board/market"},
		{"market", "/board/market/report"},
		{"school", "/board/school"},
		{"admin", "/silences"},
		{"", "/login"},
	}
	tabs := map[string]*browsertest.Tab{}
	tab := func(user string) *browsertest.Tab {
		if tb, ok := tabs[user]; ok {
			return tb
		}
		var tb *browsertest.Tab
		if user == "" {
			tb = browsertest.NewTab(t, browser, c.URL, "anonymous", browsertest.Wall)
		} else {
			tb = c.open(browser, user, browsertest.Wall)
		}
		tb.AddInitScript("count fetches", settleScript)
		tabs[user] = tb
		return tb
	}
	checked := 0
	for _, v := range []browsertest.Viewport{browsertest.Wall, browsertest.Laptop, browsertest.Phone} {
		for _, b := range boards {
			tb := tab(b.user)
			tb.SetViewport(v)
			for _, lang := range []string{"zh", "en"} {
				tb.Navigate(b.path)
				browsertest.Eval[bool](tb, fmt.Sprintf(`(localStorage.setItem('campusguard.lang', %q), true)`, lang))
				tb.Navigate(b.path)
				want := map[string]string{"zh": "zh-CN", "en": "en"}[lang]
				tb.WaitJS(fmt.Sprintf("%s %s %s settles", b.path, v, lang), fmt.Sprintf(settled, want))
				r := browsertest.Eval[layoutResult](tb, fmt.Sprintf("(window.__cgScreen = %d, %s)", v.W, layoutProbe))
				checked++
				where := fmt.Sprintf("%s at %s in %s", b.path, v, lang)
				t.Logf("%s: page %d px wide in a %d px viewport, %d table cells", where, r.Scroll, r.Inner, r.Cells)
				// A phone widens its layout viewport to fit what overflows
				// (innerWidth grows): the page must fit the device's width.
				if r.Scroll > v.W || r.Inner > v.W {
					t.Errorf("%s: the page is %d px wide (layout viewport %d px) on a %d px screen (horizontal overflow): %s",
						where, r.Scroll, r.Inner, v.W, strings.Join(r.Wide, "; "))
				}
				if len(r.InnerScroll) > 0 {
					t.Logf("%s: tables scrolling inside their box: %s", where, strings.Join(r.InnerScroll, "; "))
					if v == browsertest.Wall {
						t.Errorf("%s: on the wall screen a table is wider than its box (clipped, nobody scrolls a wall): %s",
							where, strings.Join(r.InnerScroll, "; "))
					}
				}
				if len(r.Narrow) > 0 {
					t.Errorf("%s: table cells narrower than two characters: %s", where, strings.Join(r.Narrow, "; "))
				}
				if b.path != "/login" && r.Cells == 0 {
					t.Errorf("%s: no table cell drawn", where)
				}
			}
		}
	}
	if checked != 3*7*2 {
		t.Errorf("checked %d layouts, want 42", checked)
	}
}

// seedLayoutAlerts opens alerts of several kinds (no panic: the takeover
// covers the wall and has its own tests) so that every board's tables
// have rows, the school user's school among them.
func seedLayoutAlerts(t *testing.T, c *city) {
	t.Helper()
	n := 0
	for i := range c.Reg.Schools {
		s := &c.Reg.Schools[i]
		if s.Region != c.School.Region && n > 12 {
			continue
		}
		if n > 30 {
			break
		}
		for _, d := range s.Devices {
			switch d.Kind {
			case devices.KindAccess:
				c.Fire(alerting.GateForced, s.ID, "", d.ID)
				n += 2
			case devices.KindKitchenCam:
				c.Fire(alerting.KitchenViolation, s.ID, d.ID+":smoking:e"+fmt.Sprint(n), d.ID)
				n += 2
			case devices.KindAlarm:
				c.Fire(alerting.AlarmTrouble, s.ID, "", d.ID)
				n++
			}
		}
	}
	c.Settle()
}
