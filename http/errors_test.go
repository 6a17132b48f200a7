package http

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/temgraph/temgraph"
)

// downStore is the real store whose reads fail as a lost database
// connection does.
type downStore struct{ temgraph.Store }

func (downStore) GetPartner(ctx context.Context, tenant, id string) (*temgraph.Partner, error) {
	return nil, fmt.Errorf("get partner: %w", fmt.Errorf("%w: %w", temgraph.ErrUnavailable,
		errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")))
}

func TestServer_WriteError_Unavailable(t *testing.T) {
	env := mustBatchEnv(t, func(cfg *Config) { cfg.Store = downStore{cfg.Store} })
	req, _ := http.NewRequest("GET", env.url+"/beta/deviceManagement/telecomExpenseManagementPartners/"+
		temgraph.NewGUID(), nil)
	req.Header.Set("Authorization", "Bearer "+env.read)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status=%d, want 503; body %s", resp.StatusCode, body)
	}
	ge := mustGraphError(t, body)
	if ge.Error.Code != temgraph.EUnavailable {
		t.Errorf("code=%q, want %q", ge.Error.Code, temgraph.EUnavailable)
	}
	if strings.Contains(string(body), "dial tcp") || strings.Contains(string(body), "5432") {
		t.Errorf("the connection error's detail reached the client: %s", body)
	}
}
