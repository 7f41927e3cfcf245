package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Format is a webhook's message format.
type Format string

// Webhook formats.
const (
	FormatGeneric  Format = "generic"  // POST the alert JSON (as on the MQTT topic)
	FormatWeCom    Format = "wecom"    // 企业微信群机器人 markdown message
	FormatDingTalk Format = "dingtalk" // 钉钉群机器人 markdown message, optionally signed
)

// Robot errcodes that mean "slow down" or "busy, try again": retried. Every
// other non-zero errcode is refused for good (bad key, keyword or IP
// filter, malformed message).
var (
	weComRetryCodes    = []int{45009, -1}  // api freq out of limit; system busy
	dingTalkRetryCodes = []int{130101, -1} // send too fast; system busy
)

// Message size limits of the robots (bytes of markdown text).
const (
	weComMaxContent   = 4096
	dingTalkMaxText   = 20000
	maxResponseBody   = 64 << 10
	defaultWebTimeout = 10 * time.Second
)

// WebhookOptions configure a WebhookNotifier.
type WebhookOptions struct {
	// URL receives the POST. Robot URLs carry their token (key=,
	// access_token=): the notifier never logs the URL, and its errors show
	// only scheme://host.
	URL    string
	Format Format
	// Secret signs DingTalk requests (加签); empty sends them unsigned.
	Secret Secret
	// Timeout bounds one request (default 10s) when Client is nil.
	Timeout time.Duration
	// Client sends the requests; nil uses one with Timeout that does not
	// follow redirects (a redirected POST would silently become a GET).
	Client *http.Client
}

// WebhookNotifier POSTs notifications to an HTTP endpoint in one of the
// Formats. Network errors, HTTP 5xx and 429 (honouring Retry-After) and the
// robots' rate-limit errcodes are retried; other 4xx and errcodes are not.
type WebhookNotifier struct {
	url     string
	display string // scheme://host, for errors
	format  Format
	secret  Secret
	client  *http.Client
	now     func() time.Time
}

// NewWebhookNotifier checks opts; it sends nothing.
func NewWebhookNotifier(opts WebhookOptions) (*WebhookNotifier, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("notify: webhook: url must be an absolute http or https URL")
	}
	switch opts.Format {
	case FormatGeneric, FormatWeCom, FormatDingTalk:
	default:
		return nil, fmt.Errorf("notify: webhook: format must be generic, wecom or dingtalk: %q", opts.Format)
	}
	if opts.Secret != "" && opts.Format != FormatDingTalk {
		return nil, fmt.Errorf("notify: webhook: secret is only used by the dingtalk format, not %s", opts.Format)
	}
	if opts.Timeout < 0 {
		return nil, fmt.Errorf("notify: webhook: timeout must be > 0: %s", opts.Timeout)
	}
	c := opts.Client
	if c == nil {
		t := opts.Timeout
		if t == 0 {
			t = defaultWebTimeout
		}
		c = &http.Client{
			Timeout:       t,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return &WebhookNotifier{
		url:     opts.URL,
		display: u.Scheme + "://" + u.Host,
		format:  opts.Format,
		secret:  opts.Secret,
		client:  c,
		now:     time.Now,
	}, nil
}

// Notify POSTs n and classifies the answer.
func (w *WebhookNotifier) Notify(ctx context.Context, n Notification) (bool, error) {
	if w.format == FormatGeneric {
		body, err := Marshal(n)
		if err != nil {
			return false, err
		}
		return w.postBody(ctx, body)
	}
	return w.post(ctx, func(sep string, color bool) markdown { return renderMarkdown(&n, sep, color) })
}

// post renders a robot message with render (given the format's line
// separator and whether it colours the severity) and POSTs it.
func (w *WebhookNotifier) post(ctx context.Context, render func(sep string, color bool) markdown) (bool, error) {
	body, err := w.body(render)
	if err != nil {
		return false, err
	}
	return w.postBody(ctx, body)
}

// postBody POSTs body and classifies the answer.
func (w *WebhookNotifier) postBody(ctx context.Context, body []byte) (bool, error) {
	target := w.url
	if w.format == FormatDingTalk && w.secret != "" {
		target = signDingTalk(target, string(w.secret), w.now())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("notify: webhook %s: %w", w.display, w.redact(err))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "campusguard-notify")
	resp, err := w.client.Do(req)
	if err != nil {
		return true, fmt.Errorf("notify: webhook %s: %w", w.display, w.redact(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	if err != nil && resp.StatusCode/100 == 2 {
		return true, fmt.Errorf("notify: webhook %s: reading the answer: %w", w.display, w.redact(err))
	}
	retry, err := w.classify(resp, data)
	if err != nil {
		err = fmt.Errorf("notify: webhook %s: %w", w.display, err)
	}
	return retry, err
}

// body renders the request body of a robot message.
func (w *WebhookNotifier) body(render func(sep string, color bool) markdown) ([]byte, error) {
	var msg any
	switch w.format {
	case FormatWeCom:
		md := render("\n", true)
		msg = weComMessage{MsgType: "markdown", Markdown: weComMarkdown{Content: truncate(md.text, weComMaxContent)}}
	case FormatDingTalk:
		md := render("\n\n", false)
		msg = dingTalkMessage{MsgType: "markdown", Markdown: dingTalkMarkdown{Title: md.title, Text: truncate(md.text, dingTalkMaxText)}}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(msg); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// The robots' markdown messages.
type (
	weComMessage struct {
		MsgType  string        `json:"msgtype"`
		Markdown weComMarkdown `json:"markdown"`
	}
	weComMarkdown struct {
		Content string `json:"content"`
	}
	dingTalkMessage struct {
		MsgType  string           `json:"msgtype"`
		Markdown dingTalkMarkdown `json:"markdown"`
	}
	dingTalkMarkdown struct {
		Title string `json:"title"`
		Text  string `json:"text"`
	}
)

// classify turns an HTTP answer into (retry, err).
func (w *WebhookNotifier) classify(resp *http.Response, body []byte) (bool, error) {
	code := resp.StatusCode
	switch {
	case code == http.StatusTooManyRequests:
		return true, withRetryAfter(fmt.Errorf("%w: HTTP %d: %s", ErrRateLimited, code, snippet(body)), resp, w.now())
	case code >= 500:
		return true, withRetryAfter(fmt.Errorf("%w: HTTP %d: %s", ErrUnavailable, code, snippet(body)), resp, w.now())
	case code < 200 || code > 299:
		return false, fmt.Errorf("%w: HTTP %d: %s", ErrRejected, code, snippet(body))
	case w.format == FormatGeneric:
		return false, nil
	}
	var ans struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(body, &ans); err != nil || ans.ErrCode == nil {
		return false, fmt.Errorf("%w: HTTP %d without an errcode: %s", ErrRejected, code, snippet(body))
	}
	if *ans.ErrCode == 0 {
		return false, nil
	}
	retryCodes := weComRetryCodes
	if w.format == FormatDingTalk {
		retryCodes = dingTalkRetryCodes
	}
	if slices.Contains(retryCodes, *ans.ErrCode) {
		kind := ErrRateLimited
		if *ans.ErrCode == -1 {
			kind = ErrUnavailable
		}
		return true, fmt.Errorf("%w: errcode %d: %s", kind, *ans.ErrCode, snippet([]byte(ans.ErrMsg)))
	}
	return false, fmt.Errorf("%w: errcode %d: %s", ErrRejected, *ans.ErrCode, snippet([]byte(ans.ErrMsg)))
}

// withRetryAfter wraps err with the answer's Retry-After, if it has one.
func withRetryAfter(err error, resp *http.Response, now time.Time) error {
	if d := parseRetryAfter(resp.Header.Get("Retry-After"), now); d > 0 {
		return &RetryAfterError{After: d, Err: err}
	}
	return err
}

// parseRetryAfter reads delay-seconds or an HTTP date; 0 when absent or bad.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		return max(time.Duration(s)*time.Second, 0)
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// signDingTalk appends DingTalk's signature: timestamp in milliseconds,
// sign = urlencode(base64(HMAC-SHA256(secret, timestamp+"\n"+secret))).
func signDingTalk(raw, secret string, now time.Time) string {
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "\n" + secret))
	sign := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	sep := "?"
	if strings.Contains(raw, "?") {
		sep = "&"
	}
	return raw + sep + "timestamp=" + ts + "&sign=" + url.QueryEscape(sign)
}

// redact keeps the URL (and its token) out of an error from net/http.
func (w *WebhookNotifier) redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: w.display, Err: ue.Err}
	}
	return err
}

// snippet is the start of a receiver's answer, on one line, for errors.
func snippet(b []byte) string {
	const n = 200
	if len(b) > n {
		b = b[:n] // a rune cut in two becomes "?"
	}
	s := strings.ToValidUTF8(string(b), "?")
	return strings.Join(strings.Fields(s), " ")
}
