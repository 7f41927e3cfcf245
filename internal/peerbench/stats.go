package peerbench

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Consumer names in a report. Ratios are taken against Telegraf.
const (
	Campusguard = "campusguard"
	Telegraf    = "telegraf"
	Before      = "campusguard-before"
)

// Run is the outcome of one burst through one consumer.
type Run struct {
	Consumer  string
	Round     int
	Messages  int           // published (and acknowledged by the broker)
	Stored    int           // points counted in InfluxDB at the end
	CPU       time.Duration // consumer's user+system time from the first publish to the last point stored
	Elapsed   time.Duration // first publish to the last point stored
	Peak      int64         // consumer's peak RSS, bytes
	InfluxCPU time.Duration // influxd's user+system time over the same interval
}

// PerMessage is the consumer's CPU time per message.
func (r Run) PerMessage() time.Duration {
	if r.Messages == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Messages)
}

// Figures are the medians of one consumer's runs.
type Figures struct {
	Runs       int
	PerMessage time.Duration
	Elapsed    time.Duration
	Peak       int64
	InfluxCPU  time.Duration
	Lost       int // messages not stored, summed over the runs
}

// Summarise takes the median of each figure over the runs of consumer.
func Summarise(runs []Run, consumer string) Figures {
	var per, el, infl []time.Duration
	var peak []int64
	f := Figures{}
	for _, r := range runs {
		if r.Consumer != consumer {
			continue
		}
		f.Runs++
		per = append(per, r.PerMessage())
		el = append(el, r.Elapsed)
		infl = append(infl, r.InfluxCPU)
		peak = append(peak, r.Peak)
		f.Lost += max(r.Messages-r.Stored, 0)
	}
	f.PerMessage, f.Elapsed, f.InfluxCPU, f.Peak = median(per), median(el), median(infl), median(peak)
	return f
}

// median of xs (the mean of the middle two for an even count); 0 for none.
func median[T time.Duration | int64](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Targets are the acceptance limits of issue 10, as ratios to Telegraf.
var Targets = struct{ PerMessage, Elapsed, Peak, InfluxCPU float64 }{0.5, 1.0, 1.0, 1.1}

// ratio is a/b, or 0 when b is 0.
func ratio[T time.Duration | int64](a, b T) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Report renders the runs and the summary as Markdown: one row per run,
// one per consumer with medians and ratios to Telegraf, and the verdict
// of each acceptance limit for campusguard.
func Report(runs []Run) string {
	var b strings.Builder
	b.WriteString("| run | consumer | messages | stored | CPU/msg | end to end | peak RSS | InfluxDB CPU |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range runs {
		fmt.Fprintf(&b, "| %d | %s | %d | %d | %s | %s | %s | %s |\n", r.Round, r.Consumer, r.Messages, r.Stored,
			micros(r.PerMessage()), secs(r.Elapsed), mib(r.Peak), secs(r.InfluxCPU))
	}
	tg := Summarise(runs, Telegraf)
	b.WriteString("\nMedians (ratio to Telegraf):\n\n| consumer | runs | CPU/msg | end to end | peak RSS | InfluxDB CPU | lost |\n|---|---|---|---|---|---|---|\n")
	for _, c := range []string{Campusguard, Telegraf, Before} {
		f := Summarise(runs, c)
		if f.Runs == 0 {
			continue
		}
		fmt.Fprintf(&b, "| %s | %d | %s (%.2f) | %s (%.2f) | %s (%.2f) | %s (%.2f) | %d |\n", c, f.Runs,
			micros(f.PerMessage), ratio(f.PerMessage, tg.PerMessage),
			secs(f.Elapsed), ratio(f.Elapsed, tg.Elapsed),
			mib(f.Peak), ratio(f.Peak, tg.Peak),
			secs(f.InfluxCPU), ratio(f.InfluxCPU, tg.InfluxCPU), f.Lost)
	}
	cg := Summarise(runs, Campusguard)
	if cg.Runs > 0 && tg.Runs > 0 {
		b.WriteString("\n")
		check := func(name string, got, limit float64) {
			verdict := "PASS"
			if got > limit {
				verdict = "FAIL"
			}
			fmt.Fprintf(&b, "- %s: %.2f× Telegraf (limit %.1f×) %s\n", name, got, limit, verdict)
		}
		check("CPU per message", ratio(cg.PerMessage, tg.PerMessage), Targets.PerMessage)
		check("end to end", ratio(cg.Elapsed, tg.Elapsed), Targets.Elapsed)
		check("peak RSS", ratio(cg.Peak, tg.Peak), Targets.Peak)
		check("InfluxDB CPU", ratio(cg.InfluxCPU, tg.InfluxCPU), Targets.InfluxCPU)
		loss := "PASS"
		if cg.Lost > 0 || tg.Lost > 0 {
			loss = "FAIL"
		}
		fmt.Fprintf(&b, "- loss: campusguard %d, Telegraf %d %s\n", cg.Lost, tg.Lost, loss)
	}
	return b.String()
}

func micros(d time.Duration) string {
	return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
}
func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
func mib(n int64) string          { return fmt.Sprintf("%d MiB", n>>20) }
