package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// Error codes, as in dashboards/api's error body.
const (
	codeUnauthenticated  = "unauthenticated"
	codeForbidden        = "forbidden"
	codeLoginFailed      = "login_failed"
	codeRateLimited      = "rate_limited"
	codeBadBody          = "bad_body"
	codeMethodNotAllowed = "method_not_allowed"
)

// apiError is dashboards/api's error answer: {"error": {...}}.
type apiError struct {
	Status int       `json:"-"`
	Body   errorBody `json:"error"`
}

type errorBody struct {
	Code      string `json:"code"`
	MessageZH string `json:"message_zh"`
	MessageEN string `json:"message_en"`
}

func newError(status int, code, zh, en string) *apiError {
	return &apiError{Status: status, Body: errorBody{Code: code, MessageZH: zh, MessageEN: en}}
}

var (
	errUnauthenticated = newError(http.StatusUnauthorized, codeUnauthenticated, "请先登录", "log in first")
	errBadToken        = newError(http.StatusUnauthorized, codeUnauthenticated, "API 令牌无效或已撤销", "invalid or revoked API token")
	errCSRF            = newError(http.StatusForbidden, codeForbidden, "CSRF 校验失败，请刷新页面后重试", "missing or wrong CSRF token; reload the page and retry")
	errCrossOrigin     = newError(http.StatusForbidden, codeForbidden, "拒绝跨站请求", "cross-origin request denied")
	errLoginFailed     = newError(http.StatusUnauthorized, codeLoginFailed, "用户名或密码错误", "wrong name or password")
	errLoginMissing    = newError(http.StatusBadRequest, codeBadBody, "请输入用户名和密码", "name and password are required")
	errPostOnly        = newError(http.StatusMethodNotAllowed, codeMethodNotAllowed, "只支持 POST", "only POST is allowed")
)

// MaxBodyBytes bounds a request body the middleware reads itself (a
// form's CSRF field); the login body is smaller still.
const MaxBodyBytes = 1 << 20

// errTooLarge is a body over its bound; errBodyTooLarge its answer.
var (
	errTooLarge     = errors.New("body too large")
	errBodyTooLarge = newError(http.StatusRequestEntityTooLarge, codeBadBody,
		fmt.Sprintf("请求体过大（上限 %d 字节）", MaxBodyBytes), fmt.Sprintf("the body is too large (at most %d bytes)", MaxBodyBytes))
)

// tooLarge reports whether err comes from an http.MaxBytesReader bound.
func tooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

func busyError(retry int) *apiError {
	return newError(http.StatusTooManyRequests, codeRateLimited,
		"登录请求过多，请 "+strconv.Itoa(retry)+" 秒后再试", "too many logins in progress; retry in "+strconv.Itoa(retry)+" s")
}

func rateLimitedError(retry int) *apiError {
	return newError(http.StatusTooManyRequests, codeRateLimited,
		"登录失败次数过多，请 "+strconv.Itoa(retry)+" 秒后再试", "too many failed logins; retry in "+strconv.Itoa(retry)+" s")
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // our own types: cannot happen
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message_zh":"服务器内部错误","message_en":"internal error"}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// writeError answers e as JSON to API clients and as plain text to pages.
func writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="campusguard"`)
	}
	if wantsJSON(r) {
		writeJSON(w, e.Status, e)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(e.Body.MessageZH + "\n" + e.Body.MessageEN + "\n"))
}

// isAPI reports whether r is for the JSON API.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// wantsJSON reports whether r should be answered in JSON: API paths and
// JSON bodies.
func wantsJSON(r *http.Request) bool {
	return isAPI(r) || mediaType(r) == "application/json"
}

// mediaType is the media type of r's body, lower case; "" when unset or
// unparsable.
func mediaType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// isForm reports whether r's body is an HTML form.
func isForm(r *http.Request) bool {
	mt := mediaType(r)
	return mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data"
}
