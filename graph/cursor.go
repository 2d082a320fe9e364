package graph

import (
	"encoding/base64"
	"encoding/json"
)

// Cursor is the position of a node in a list: its sort value and id.
type Cursor struct {
	Sort string `json:"s"`
	ID   string `json:"i"`
}

// CursorOf returns the cursor of a node.
func CursorOf(n Node) string { return EncodeCursor(Cursor{Sort: SortValue(n), ID: n.ID}) }

// EncodeCursor makes the opaque string form of a cursor.
func EncodeCursor(c Cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses an opaque cursor; a malformed one is a BAD_USER_INPUT error.
func DecodeCursor(s string) (Cursor, error) {
	var c Cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return Cursor{}, Invalid("after", "is not a cursor returned by this API")
	}
	return c, nil
}

// After reports whether node n comes after cursor c in list order.
func (c Cursor) After(n Node) bool {
	s := SortValue(n)
	return s > c.Sort || (s == c.Sort && n.ID > c.ID)
}

// PageSize returns the effective page size of a query, or an error when it is out of range.
func PageSize(first int) (int, error) {
	switch {
	case first == 0:
		return DefaultPageSize, nil
	case first < 0:
		return 0, Invalid("first", "must not be negative")
	case first > MaxPageSize:
		return 0, Invalid("first", "must be at most %d", MaxPageSize)
	}
	return first, nil
}
