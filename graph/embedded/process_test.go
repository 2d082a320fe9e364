package embedded

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"govhub/graph"
)

// The tests here re-execute the test binary as a child process running
// TestHelperProcess, which does what the environment asks.
const (
	helperDirEnv  = "GOVHUB_EMBEDDED_HELPER_DIR"
	helperModeEnv = "GOVHUB_EMBEDDED_HELPER_MODE"
	helperTagEnv  = "GOVHUB_EMBEDDED_HELPER_TAG"
)

// TestHelperProcess is not a test: it is the child process of the tests below.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("helper process of TestKilledProcessKeepsAcknowledgedWrites and TestSecondProcessIsRefused")
	}
	ctx := context.Background()
	switch os.Getenv(helperModeEnv) {
	case "write":
		// Acknowledged writes in a loop until killed: each creates an
		// organization linked to the territory "t" and a network linked to it.
		s, err := Open(dir)
		if err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		if _, err := s.Write(ctx, graph.Write{Actor: "child", Nodes: []graph.NodeWrite{terr("t", "T", "REGION")}}); err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		for i := 0; ; i++ {
			id := fmt.Sprintf("k%s-%06d", os.Getenv(helperTagEnv), i)
			_, err := s.Write(ctx, graph.Write{Actor: "child",
				Nodes: []graph.NodeWrite{org(id, "Org "+id, nil), {ID: "net-" + id, Label: graph.Network, Props: graph.Props{"name": "Net " + id}}},
				Link: []graph.Edge{
					{Type: graph.BasedIn, From: id, To: "t"},
					{Type: graph.PartnerIn, From: id, To: "net-" + id, Props: graph.Props{"role": "LEAD"}},
				}})
			if err != nil {
				fmt.Println("error", err)
				os.Exit(2)
			}
			fmt.Println("ack", id)
		}
	case "open":
		s, err := Open(dir, WithOpenTimeout(300*time.Millisecond))
		if err == nil {
			s.Close(ctx)
			fmt.Println("opened")
		} else {
			fmt.Printf("in-use=%v %s\n", errors.Is(err, ErrInUse), err)
		}
		os.Exit(0)
	}
	os.Exit(3)
}

func helper(dir, mode, tag string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperDirEnv+"="+dir, helperModeEnv+"="+mode, helperTagEnv+"="+tag)
	cmd.Stderr = os.Stderr
	return cmd
}

func TestKilledProcessKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	for round := range 2 { // the second round kills a process that reopened a killed one's file
		cmd := helper(dir, "write", fmt.Sprint(round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var acked []string
		killed := false
		deadline := time.AfterFunc(20*time.Second, func() { cmd.Process.Kill() })
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if id, ok := strings.CutPrefix(line, "ack "); ok {
				acked = append(acked, id)
			} else if strings.HasPrefix(line, "error") {
				t.Errorf("child: %s", line)
			}
			if len(acked) == 150 && !killed {
				if err := cmd.Process.Kill(); err != nil { // SIGKILL, mid-way through the next write
					t.Fatal(err)
				}
				killed = true
			}
		}
		deadline.Stop()
		err = cmd.Wait()
		if !killed {
			t.Fatalf("round %d: child ended on its own after %d writes: %v", round, len(acked), err)
		}
		t.Logf("round %d: killed after %d acknowledged writes (%v)", round, len(acked), err)

		s, err := Open(dir)
		if err != nil {
			t.Fatalf("reopen after kill: %v", err)
		}
		ns, err := s.Nodes(ctx, acked)
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) != len(acked) {
			t.Fatalf("round %d: %d of %d acknowledged nodes survived", round, len(ns), len(acked))
		}
		for _, id := range acked {
			es, _ := s.Edges(ctx, graph.EdgeQuery{NodeIDs: []string{id}, Dir: graph.Out})
			h, _ := s.History(ctx, id, 0)
			if len(es) != 2 || len(h) != 3 {
				t.Fatalf("round %d: %s has %d edges and %d changes after the kill", round, id, len(es), len(h))
			}
		}
		// Every write of the child is whole: an organization exists only with both its links.
		p, err := s.List(ctx, graph.ListQuery{Label: graph.Organization, First: graph.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range p.Nodes {
			if es, _ := s.Edges(ctx, graph.EdgeQuery{NodeIDs: []string{n.ID}, Dir: graph.Out}); len(es) != 2 {
				t.Fatalf("partial write survived: %s has %d edges", n.ID, len(es))
			}
		}
		if tp, _ := s.List(ctx, graph.ListQuery{Label: graph.Organization, Territory: "t"}); tp.TotalCount != p.TotalCount {
			t.Fatalf("organizations in t = %d, want %d", tp.TotalCount, p.TotalCount)
		}
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if round == 1 && p.TotalCount < 300 {
			t.Fatalf("after two rounds %d organizations, want at least 300", p.TotalCount)
		}
	}
}

func TestSecondProcessIsRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	s, dir := openTest(t)
	out, err := helper(dir, "open", "").Output()
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	want := fmt.Sprintf("in-use=true data directory %s is in use by another hub process", dir)
	if got := strings.TrimSpace(string(out)); !strings.Contains(got, want) {
		t.Fatalf("child said %q, want %q", got, want)
	}
	s.Close(ctx)
	out, err = helper(dir, "open", "").Output()
	if err != nil || !strings.Contains(string(out), "opened") {
		t.Fatalf("child after Close said %q (%v)", out, err)
	}
}
