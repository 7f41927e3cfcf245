package browsertest

import (
	"context"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// longTaskJS starts, before any script of the page runs, a
// PerformanceObserver of main-thread long tasks (over 50 ms): the longest,
// their count and the total blocking time (the time over 50 ms of each),
// in window.__cgLongTasks. ResetLongTasks zeroes them.
const longTaskJS = `(() => {
	const s = (window.__cgLongTasks = { max: 0, count: 0, blocking: 0 });
	try {
		new PerformanceObserver((list) => {
			for (const e of list.getEntries()) {
				const w = window.__cgLongTasks;
				w.count++;
				w.max = Math.max(w.max, e.duration);
				w.blocking += Math.max(0, e.duration - 50);
			}
		}).observe({ type: 'longtask', buffered: true });
	} catch (e) {
		s.unsupported = String(e);
	}
})();`

// LongTasks is what the page's long-task observer saw.
type LongTasks struct {
	Max      time.Duration // the longest main-thread task
	Count    int           // tasks over 50 ms
	Blocking time.Duration // the sum of each task's time over 50 ms
}

// ObserveLongTasks installs the long-task observer in every document the
// tab loads from now on (call it before Navigate or Login).
func (b *Tab) ObserveLongTasks() {
	b.T.Helper()
	b.AddInitScript("install the long-task observer", longTaskJS)
}

// ResetLongTasks zeroes the page's long-task figures.
func (b *Tab) ResetLongTasks() {
	b.T.Helper()
	Eval[chromedp.Void](b, `(() => { const w = window.__cgLongTasks; if (w) { w.max = 0; w.count = 0; w.blocking = 0; } })()`)
}

// LongTasks returns the page's long-task figures since the page loaded or
// ResetLongTasks.
func (b *Tab) LongTasks() LongTasks {
	b.T.Helper()
	v := Eval[struct {
		Max      float64 `json:"max"`
		Count    int     `json:"count"`
		Blocking float64 `json:"blocking"`
	}](b, `window.__cgLongTasks || { max: 0, count: 0, blocking: 0 }`)
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	return LongTasks{Max: ms(v.Max), Count: v.Count, Blocking: ms(v.Blocking)}
}

// AddInitScript runs the JavaScript source in every document the tab
// loads from now on, before the page's own scripts.
func (b *Tab) AddInitScript(what, source string) {
	b.T.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, WaitFloor)
	defer cancel()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: source}); err != nil {
		b.Fail(what, err)
	}
}
