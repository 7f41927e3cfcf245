package notify

import (
	"fmt"
	"time"
)

// Pacing defaults of the group robots: WeCom's group robot (企业微信群机器人)
// and DingTalk's custom robot (钉钉自定义机器人) each accept 20 messages a
// minute and answer errcode 45009 / 130101 beyond it.
const (
	RobotRateLimit   = 20
	RobotRatePer     = time.Minute
	RobotRateReserve = 5
)

// RateOptions pace one receiver: at most Limit messages (attempts,
// successful or not) in any window of Per. Reserve of them are kept for
// P0: other notifications use at most Limit-Reserve a window, so a panic
// always finds a free slot at once unless other P0s took it. The zero value
// does not pace.
type RateOptions struct {
	Limit   int
	Per     time.Duration
	Reserve int
}

// RobotRate is the pacing of the WeCom and DingTalk robots.
func RobotRate() RateOptions {
	return RateOptions{Limit: RobotRateLimit, Per: RobotRatePer, Reserve: RobotRateReserve}
}

// validate names the first invalid field.
func (o RateOptions) validate() error {
	switch {
	case o == RateOptions{}:
		return nil
	case o.Limit <= 0:
		return fmt.Errorf("rate.limit must be > 0: %d", o.Limit)
	case o.Per <= 0:
		return fmt.Errorf("rate.per must be > 0: %s", o.Per)
	case o.Reserve < 0 || o.Reserve >= o.Limit:
		return fmt.Errorf("rate.reserve must be at least 0 and below rate.limit %d: %d", o.Limit, o.Reserve)
	}
	return nil
}

// pacer is a sliding-window limiter, a token bucket whose every token comes
// back Per after it was spent: it never lets more than Limit messages go in
// any window of Per, which is what the robots count.
type pacer struct {
	opts RateOptions
	sent []time.Time // ring of the last Limit sends, oldest at head
	head int
	n    int
}

func newPacer(o RateOptions) *pacer {
	if o.Limit == 0 {
		return nil
	}
	return &pacer{opts: o, sent: make([]time.Time, o.Limit)}
}

// delay reports how long a message of the given priority must wait before
// it may go; 0 means now. A nil pacer never waits.
func (p *pacer) delay(now time.Time, p0 bool) time.Duration {
	if p == nil {
		return 0
	}
	allowed := p.opts.Limit
	if !p0 {
		allowed -= p.opts.Reserve
	}
	// Sends inside the window (now-Per, now].
	inWindow := 0
	for i := range p.n {
		if now.Sub(p.at(i)) < p.opts.Per {
			inWindow = p.n - i
			break
		}
	}
	if inWindow < allowed {
		return 0
	}
	// Wait until enough of the window's sends have aged out: the
	// (inWindow-allowed)th oldest of them leaves the window last.
	oldest := p.at(p.n - inWindow + (inWindow - allowed))
	return oldest.Add(p.opts.Per).Sub(now)
}

// at returns the i-th oldest send.
func (p *pacer) at(i int) time.Time { return p.sent[(p.head+i)%len(p.sent)] }

// take records a send at now.
func (p *pacer) take(now time.Time) {
	if p == nil {
		return
	}
	if p.n == len(p.sent) {
		p.head = (p.head + 1) % len(p.sent)
		p.n--
	}
	p.sent[(p.head+p.n)%len(p.sent)] = now
	p.n++
}
