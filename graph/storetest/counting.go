package storetest

import (
	"context"
	"sync/atomic"

	"govhub/graph"
)

// Counting wraps a store and counts the calls that reach it: each is one
// round trip. Tests use it to show how many store calls a request makes.
type Counting struct {
	graph.Store
	Calls atomic.Int64
}

func (c *Counting) Write(ctx context.Context, w graph.Write) (graph.WriteResult, error) {
	c.Calls.Add(1)
	return c.Store.Write(ctx, w)
}

func (c *Counting) Nodes(ctx context.Context, ids []string) ([]graph.Node, error) {
	c.Calls.Add(1)
	return c.Store.Nodes(ctx, ids)
}

func (c *Counting) List(ctx context.Context, q graph.ListQuery) (graph.Page, error) {
	c.Calls.Add(1)
	return c.Store.List(ctx, q)
}

func (c *Counting) Edges(ctx context.Context, q graph.EdgeQuery) ([]graph.Edge, error) {
	c.Calls.Add(1)
	return c.Store.Edges(ctx, q)
}

func (c *Counting) Subgraph(ctx context.Context, q graph.SubgraphQuery) (graph.Subgraph, error) {
	c.Calls.Add(1)
	return c.Store.Subgraph(ctx, q)
}

func (c *Counting) History(ctx context.Context, id string, limit int) ([]graph.Change, error) {
	c.Calls.Add(1)
	return c.Store.History(ctx, id, limit)
}
