package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/campusguard/campusguard/alerting"
)

// Error codes of the error body; clients switch on them.
const (
	codeBadParameter     = "bad_parameter"
	codeUnknownParameter = "unknown_parameter"
	codeBadBody          = "bad_body"
	codeUnsupportedType  = "unsupported_media_type"
	codeNoteRequired     = "note_required"
	codeNotFound         = "not_found"
	codeMethodNotAllowed = "method_not_allowed"
	codeAlreadyResolved  = "already_resolved"
	codeAlreadyAcked     = "already_acknowledged"
	codeNotReported      = "not_reported"
	codeSilenceExpired   = "silence_expired"
	codeInvalidSilence   = "invalid_silence"
	codeUnauthenticated  = "unauthenticated"
	codeForbidden        = "forbidden"
	codeOutside          = "outside_jurisdiction"
	codeRoleForbidden    = "role_forbidden"
	codeUnavailable      = "unavailable"
	codeInternal         = "internal"
)

// apiError is an error answer: {"error": {...}}, plus the alert as it is
// now when an action conflicts with its state.
type apiError struct {
	Status int             `json:"-"`
	Body   errorBody       `json:"error"`
	Alert  *alerting.Alert `json:"alert,omitempty"`
}

type errorBody struct {
	Code      string `json:"code"`
	MessageZH string `json:"message_zh"`
	MessageEN string `json:"message_en"`
	Param     string `json:"param,omitempty"` // the query parameter or body field at fault
}

func newError(status int, code, zh, en string) *apiError {
	return &apiError{Status: status, Body: errorBody{Code: code, MessageZH: zh, MessageEN: en}}
}

// badParam is a 400 naming the parameter (or body field) name.
func badParam(name, zh, en string) *apiError {
	e := newError(http.StatusBadRequest, codeBadParameter,
		fmt.Sprintf("参数 %s 无效：%s", name, zh), fmt.Sprintf("parameter %s: %s", name, en))
	e.Body.Param = name
	return e
}

// notFound is a 404 about a thing named in Chinese and in English.
func notFound(zh, en string) *apiError {
	return newError(http.StatusNotFound, codeNotFound, "未找到"+zh, en+" not found")
}

var (
	errUnauthenticated = newError(http.StatusUnauthorized, codeUnauthenticated, "需要登录或API令牌", "login or API token required")
	errInternal        = newError(http.StatusInternalServerError, codeInternal, "服务器内部错误", "internal error")
	errNoRegistry      = newError(http.StatusServiceUnavailable, codeUnavailable, "学校名录尚未加载", "registry not loaded yet")
)

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

func writeError(w http.ResponseWriter, e *apiError) {
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="campusguard"`)
	}
	writeJSON(w, e.Status, e)
}

// maxBody bounds a request body: notes, reasons and matchers are short.
const maxBody = 64 << 10

// readBody decodes the JSON object of r into dst, strictly (unknown fields
// and trailing data are errors). An empty body leaves dst alone and
// returns empty=true; the caller decides whether that is allowed.
func readBody(w http.ResponseWriter, r *http.Request, dst any) (empty bool, e *apiError) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return false, newError(http.StatusUnsupportedMediaType, codeUnsupportedType,
				"请求体须为 application/json", "the body must be application/json")
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		if errors.Is(err, io.EOF) {
			return true, nil
		}
		return false, bodyError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return false, newError(http.StatusBadRequest, codeBadBody, "请求体只能包含一个JSON对象", "the body must hold one JSON object")
	}
	return false, nil
}

func bodyError(err error) *apiError {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return newError(http.StatusRequestEntityTooLarge, codeBadBody,
			fmt.Sprintf("请求体超过 %d 字节", maxBody), fmt.Sprintf("the body exceeds %d bytes", maxBody))
	}
	return newError(http.StatusBadRequest, codeBadBody, "请求体不是有效的JSON："+err.Error(), "the body is not valid JSON: "+err.Error())
}

// readRequiredBody is readBody for a request that must have a body: an
// empty one is a 400.
func readRequiredBody(w http.ResponseWriter, r *http.Request, dst any) *apiError {
	empty, e := readBody(w, r, dst)
	if e == nil && empty {
		e = newError(http.StatusBadRequest, codeBadBody, "缺少请求体", "a JSON body is required")
	}
	return e
}
