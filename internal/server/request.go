package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Error codes (extensions.code) of requests refused by this package.
const (
	CodeBadRequest           = "BAD_REQUEST"             // malformed JSON or parameters
	CodeBatchNotSupported    = "BATCH_NOT_SUPPORTED"     // a JSON array body
	CodeRequestTooLarge      = "REQUEST_TOO_LARGE"       // body over MaxBodyBytes
	CodeUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"  // POST without application/json
	CodeMethodNotAllowed     = "METHOD_NOT_ALLOWED"      // not GET, POST or OPTIONS; or a mutation over GET
	CodeQueryTooDeep         = "QUERY_TOO_DEEP"          // over MaxDepth
	CodeQueryTooComplex      = "QUERY_TOO_COMPLEX"       // over MaxComplexity, or too many copies of a field
	CodeTooManyAliases       = "TOO_MANY_ALIASES"        // over MaxAliases
	CodeTooManyOperations    = "TOO_MANY_OPERATIONS"     // over MaxOperations
	CodeIntrospectionOff     = "INTROSPECTION_DISABLED"  // __schema or __type with Introspection off
	CodeRateLimited          = "RATE_LIMITED"            // over RateLimit/RateBurst
	CodeOriginNotAllowed     = "CORS_ORIGIN_NOT_ALLOWED" // preflight from an origin not in CORSOrigins
)

// writeError writes a GraphQL response holding one error with a code.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	b, _ := json.Marshal(graphql.Response{Errors: gqlerror.List{{
		Message:    msg,
		Extensions: map[string]any{"code": code},
	}}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

type methodKey struct{}

// guardRequest checks what gqlgen's transports would otherwise answer with
// uncoded errors, an echo of the body, or a 200: the method, the content
// type, the body size and the JSON of the request. What it passes, gqlgen
// decodes without error. The request method goes into the context for the
// limits extension.
func guardRequest(maxBody int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			if code, msg := checkGET(r.URL.RawQuery); code != "" {
				writeError(w, http.StatusBadRequest, code, msg)
				return
			}
		case http.MethodPost:
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				writeError(w, http.StatusUnsupportedMediaType, CodeUnsupportedMediaType,
					"POST requests must have Content-Type: application/json")
				return
			}
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
			if err != nil {
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					writeError(w, http.StatusRequestEntityTooLarge, CodeRequestTooLarge,
						fmt.Sprintf("the request body is larger than %d bytes", maxBody))
					return
				}
				writeError(w, http.StatusBadRequest, CodeBadRequest, "the request body could not be read")
				return
			}
			if code, msg := checkBody(body); code != "" {
				writeError(w, http.StatusBadRequest, code, msg)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		case http.MethodOptions:
			// gqlgen answers with Allow; CORS preflights never get here.
		default:
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			writeError(w, http.StatusMethodNotAllowed, CodeMethodNotAllowed, "use GET or POST")
			return
		}
		next.ServeHTTP(w, r.WithContext(withMethod(r.Context(), r.Method)))
	})
}

// checkBody checks a POST body the way gqlgen's POST transport decodes it,
// and more strictly: one JSON object, nothing after it.
func checkBody(body []byte) (code, msg string) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return CodeBadRequest, "the request body is empty: send a JSON object with a query"
	}
	if trimmed[0] == '[' {
		return CodeBatchNotSupported, "batched requests (a JSON array) are not supported: send one JSON object per request"
	}
	if trimmed[0] != '{' {
		return CodeBadRequest, "the request body must be a JSON object with a query"
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var p graphql.RawParams
	if err := dec.Decode(&p); err != nil {
		return CodeBadRequest, "the request body is not valid: " + describeJSONError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return CodeBadRequest, "the request body must hold exactly one JSON object"
	}
	return "", ""
}

// checkGET checks the query string the way gqlgen's GET transport decodes it.
func checkGET(rawQuery string) (code, msg string) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return CodeBadRequest, "the query string is malformed"
	}
	for _, name := range []string{"variables", "extensions"} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(v))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return CodeBadRequest, name + " must be a JSON object: " + describeJSONError(err)
		}
	}
	return "", ""
}

// describeJSONError says what is wrong with a JSON document without quoting
// it back to the client.
func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("%q cannot be a JSON %s", typ.Field, typ.Value)
		}
		return fmt.Sprintf("unexpected JSON %s", typ.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends too early"
	}
	return "malformed JSON"
}
