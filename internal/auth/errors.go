package auth

// Reason says in general terms why a token was refused. It is safe to show
// to the caller: it never contains the token, key material or internals.
type Reason string

// The reasons Verify and Middleware report.
const (
	ReasonMissing       Reason = "missing"        // no bearer token
	ReasonBadRequest    Reason = "bad_request"    // Authorization header not "Bearer <token>"
	ReasonTooLarge      Reason = "too_large"      // token longer than MaxTokenBytes
	ReasonMalformed     Reason = "malformed"      // not three base64url JSON segments
	ReasonAlgorithm     Reason = "algorithm"      // alg not in the allow-list (including "none")
	ReasonUnknownKey    Reason = "unknown_key"    // no key for the token's kid/algorithm
	ReasonSignature     Reason = "signature"      // signature does not verify
	ReasonExpired       Reason = "expired"        // exp in the past (beyond leeway)
	ReasonNotYetValid   Reason = "not_yet_valid"  // nbf or iat in the future (beyond leeway)
	ReasonIssuer        Reason = "issuer"         // iss is not the configured issuer
	ReasonAudience      Reason = "audience"       // aud does not contain the configured audience
	ReasonMissingClaim  Reason = "missing_claim"  // exp, iss, aud, sub or role absent
	ReasonRole          Reason = "role"           // role is not one of the four
	ReasonInvalidClaims Reason = "invalid_claims" // networks/regions malformed
)

var messages = map[Reason]string{
	ReasonMissing:       "authentication required",
	ReasonBadRequest:    "authorization header must be Bearer followed by a token",
	ReasonTooLarge:      "token too large",
	ReasonMalformed:     "token malformed",
	ReasonAlgorithm:     "token algorithm not allowed",
	ReasonUnknownKey:    "token signing key unknown",
	ReasonSignature:     "token signature invalid",
	ReasonExpired:       "token expired",
	ReasonNotYetValid:   "token not yet valid",
	ReasonIssuer:        "token issuer invalid",
	ReasonAudience:      "token audience invalid",
	ReasonMissingClaim:  "token missing a required claim",
	ReasonRole:          "token role invalid",
	ReasonInvalidClaims: "token claims invalid",
}

// Error is the error of every failed verification. Error() is the general,
// caller-safe message; Unwrap gives the underlying cause (for logs and
// errors.Is with the jwt sentinel errors), which may be more detailed.
type Error struct {
	Reason Reason
	cause  error
}

func (e *Error) Error() string {
	if m, ok := messages[e.Reason]; ok {
		return m
	}
	return "token invalid"
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.cause }

func fail(r Reason, cause error) *Error { return &Error{Reason: r, cause: cause} }
