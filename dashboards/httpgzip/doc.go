// Package httpgzip owns the gzip compression of the dashboards' HTTP
// answers: a middleware (Handler) that compresses what is worth
// compressing for clients that accept it, and the Accept-Encoding
// negotiation (Accepts) that the web UI's pre-compressed static files
// share.
//
// What it compresses: an answer of a text type (HTML, CSS, JavaScript,
// JSON, CSV, SVG, plain text) of at least MinSize bytes, to a GET whose
// Accept-Encoding allows gzip. What it leaves alone: HEAD, a request with
// Range, an answer that already has a Content-Encoding, a 206, 204 or 304,
// a handler that flushes before MinSize bytes (it is streaming), other
// types (images are compressed already) and the
// server-sent event stream (text/event-stream): a live stream passes
// through unbuffered, each Flush reaching the client at once.
package httpgzip
