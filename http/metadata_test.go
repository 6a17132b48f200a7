package http_test

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/temgraph/temgraph/auth"
	temhttp "github.com/temgraph/temgraph/http"
	"github.com/temgraph/temgraph/sqlite"
)

// metadataEnv is a server on a loopback listener with a SQLite store, and a
// read-write token for it.
type metadataEnv struct {
	url   string
	token string
}

func mustMetadataEnv(tb testing.TB) *metadataEnv {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "t.db"))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	key, err := auth.LoadSigningKey(ctx, db)
	if err != nil {
		tb.Fatalf("load key: %v", err)
	}
	srv := temhttp.NewServer(temhttp.Config{
		Store:      db,
		Verifier:   auth.NewVerifier(key, auth.DefaultIssuerBase, nil),
		Key:        key,
		IssuerBase: auth.DefaultIssuerBase,
	})
	hs := httptest.NewServer(srv.Handler())
	tb.Cleanup(hs.Close)
	tok, err := auth.Issue(key, auth.DefaultIssuerBase, auth.TokenRequest{
		Tenant: auth.DefaultTenant, ObjectID: auth.DefaultObjectID, AppID: auth.DefaultAppID,
		Scopes: []string{auth.ScopeReadWrite}, TTL: time.Hour,
	}, time.Now())
	if err != nil {
		tb.Fatalf("issue token: %v", err)
	}
	return &metadataEnv{url: hs.URL, token: tok}
}

// send sends a request, with the token when it is not empty, and returns
// the response and its body.
func (e *metadataEnv) send(tb testing.TB, method, path, token string) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(method, e.url+path, nil)
	if err != nil {
		tb.Fatalf("new request: %v", err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read body: %v", err)
	}
	return resp, string(b)
}

func mustGolden(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "metadata", "metadata.xml"))
	if err != nil {
		tb.Fatalf("read golden file: %v", err)
	}
	return string(b)
}

func TestServer_Metadata(t *testing.T) {
	env := mustMetadataEnv(t)
	golden := mustGolden(t)

	tests := []struct {
		name, path, token string
	}{
		{"Beta", "/beta/$metadata", ""},
		{"V1", "/v1.0/$metadata", ""},
		{"WithToken", "/beta/$metadata", env.token},
		{"InvalidTokenIgnored", "/v1.0/$metadata", "not-a-token"},
		{"CaseInsensitive", "/BETA/$Metadata", ""},
		{"TrailingSlash", "/v1.0/$metadata/", ""},
		{"QueryIgnored", "/beta/$metadata?$format=xml", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := env.send(t, "GET", tt.path, tt.token)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status=%d, want 200; body %s", resp.StatusCode, body)
			}
			if got, want := resp.Header.Get("Content-Type"), "application/xml;charset=utf-8"; got != want {
				t.Errorf("Content-Type=%q, want %q", got, want)
			}
			if got := resp.Header.Get("OData-Version"); got != "4.0" {
				t.Errorf("OData-Version=%q, want 4.0", got)
			}
			if resp.Header.Get("request-id") == "" {
				t.Errorf("no request-id header")
			}
			if diff := cmp.Diff(golden, body); diff != "" {
				t.Errorf("body differs from testdata/metadata/metadata.xml (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("Head", func(t *testing.T) {
		resp, body := env.send(t, "HEAD", "/beta/$metadata", "")
		if resp.StatusCode != http.StatusOK || body != "" {
			t.Fatalf("status=%d body=%q, want 200 and no body", resp.StatusCode, body)
		}
		if resp.ContentLength != int64(len(golden)) {
			t.Errorf("Content-Length=%d, want %d", resp.ContentLength, len(golden))
		}
	})
}

func TestServer_Metadata_Errors(t *testing.T) {
	env := mustMetadataEnv(t)
	tests := []struct {
		name, method, path, token string
		status                    int
		code                      string
	}{
		{"PostNeedsToken", "POST", "/beta/$metadata", "", 401, "InvalidAuthenticationToken"},
		{"PostNotAllowed", "POST", "/beta/$metadata", env.token, 405, "MethodNotAllowed"},
		{"UnknownVersion", "GET", "/v2.0/$metadata", env.token, 404, "ResourceNotFound"},
		{"UnknownVersionAnonymous", "GET", "/v2.0/$metadata", "", 401, "InvalidAuthenticationToken"},
		{"DeeperPath", "GET", "/beta/$metadata/x", env.token, 400, "BadRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := env.send(t, tt.method, tt.path, tt.token)
			if resp.StatusCode != tt.status {
				t.Fatalf("status=%d, want %d; body %s", resp.StatusCode, tt.status, body)
			}
			if !strings.Contains(body, `"code":"`+tt.code+`"`) {
				t.Errorf("body=%s, want a Graph error with code %s", body, tt.code)
			}
		})
	}
}

// The CSDL elements the tests look at.
type (
	edmx struct {
		XMLName      xml.Name `xml:"http://docs.oasis-open.org/odata/ns/edmx Edmx"`
		Version      string   `xml:"Version,attr"`
		DataServices struct {
			Schemas []csdlSchema `xml:"http://docs.oasis-open.org/odata/ns/edm Schema"`
		} `xml:"http://docs.oasis-open.org/odata/ns/edmx DataServices"`
	}
	csdlSchema struct {
		Namespace   string           `xml:"Namespace,attr"`
		Alias       string           `xml:"Alias,attr"`
		EntityTypes []csdlEntityType `xml:"EntityType"`
		Container   struct {
			Name       string `xml:"Name,attr"`
			Singletons []struct {
				Name string `xml:"Name,attr"`
				Type string `xml:"Type,attr"`
			} `xml:"Singleton"`
			EntitySets []struct {
				Name string `xml:"Name,attr"`
			} `xml:"EntitySet"`
		} `xml:"EntityContainer"`
	}
	csdlEntityType struct {
		Name       string            `xml:"Name,attr"`
		BaseType   string            `xml:"BaseType,attr"`
		Abstract   string            `xml:"Abstract,attr"`
		OpenType   string            `xml:"OpenType,attr"`
		Key        []csdlPropertyRef `xml:"Key>PropertyRef"`
		Properties []csdlProperty    `xml:"Property"`
		NavProps   []csdlNavProp     `xml:"NavigationProperty"`
	}
	csdlPropertyRef struct {
		Name string `xml:"Name,attr"`
	}
	csdlProperty struct {
		Name     string `xml:"Name,attr"`
		Type     string `xml:"Type,attr"`
		Nullable string `xml:"Nullable,attr"`
	}
	csdlNavProp struct {
		Name           string `xml:"Name,attr"`
		Type           string `xml:"Type,attr"`
		ContainsTarget string `xml:"ContainsTarget,attr"`
	}
)

// mustWellFormed reads every token of doc, so that a syntax error anywhere,
// also after the root element, fails the test.
func mustWellFormed(tb testing.TB, doc string) {
	tb.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			tb.Fatalf("metadata is not well-formed XML: %v", err)
		}
	}
}

func TestServer_Metadata_Schema(t *testing.T) {
	env := mustMetadataEnv(t)
	_, body := env.send(t, "GET", "/v1.0/$metadata", "")
	mustWellFormed(t, body)
	var doc edmx
	if err := xml.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("decode metadata: %v", err)
	}
	if doc.Version != "4.0" {
		t.Errorf("Edmx Version=%q, want 4.0", doc.Version)
	}
	if len(doc.DataServices.Schemas) != 1 {
		t.Fatalf("%d schemas, want 1", len(doc.DataServices.Schemas))
	}
	s := doc.DataServices.Schemas[0]
	if s.Namespace != "microsoft.graph" || s.Alias != "graph" {
		t.Errorf("schema Namespace=%q Alias=%q, want microsoft.graph and graph", s.Namespace, s.Alias)
	}
	types := map[string]csdlEntityType{}
	for _, et := range s.EntityTypes {
		types[et.Name] = et
	}

	t.Run("Entity", func(t *testing.T) {
		want := csdlEntityType{
			Name: "entity", Abstract: "true",
			Key:        []csdlPropertyRef{{Name: "id"}},
			Properties: []csdlProperty{{Name: "id", Type: "Edm.String", Nullable: "false"}},
		}
		if diff := cmp.Diff(want, types["entity"]); diff != "" {
			t.Errorf("entity (-want +got):\n%s", diff)
		}
	})
	t.Run("DeviceManagement", func(t *testing.T) {
		want := csdlEntityType{
			Name: "deviceManagement", BaseType: "graph.entity",
			NavProps: []csdlNavProp{{
				Name:           "telecomExpenseManagementPartners",
				Type:           "Collection(graph.telecomExpenseManagementPartner)",
				ContainsTarget: "true",
			}},
		}
		if diff := cmp.Diff(want, types["deviceManagement"]); diff != "" {
			t.Errorf("deviceManagement (-want +got):\n%s", diff)
		}
	})
	t.Run("Partner", func(t *testing.T) {
		// An absent Nullable means nullable.
		want := csdlEntityType{
			Name: "telecomExpenseManagementPartner", BaseType: "graph.entity",
			Properties: []csdlProperty{
				{Name: "appAuthorized", Type: "Edm.Boolean", Nullable: "false"},
				{Name: "displayName", Type: "Edm.String"},
				{Name: "enabled", Type: "Edm.Boolean", Nullable: "false"},
				{Name: "lastConnectionDateTime", Type: "Edm.DateTimeOffset", Nullable: "false"},
				{Name: "url", Type: "Edm.String"},
			},
		}
		if diff := cmp.Diff(want, types["telecomExpenseManagementPartner"]); diff != "" {
			t.Errorf("telecomExpenseManagementPartner (-want +got):\n%s", diff)
		}
	})
	t.Run("Container", func(t *testing.T) {
		c := s.Container
		if c.Name != "GraphService" {
			t.Errorf("container Name=%q, want GraphService", c.Name)
		}
		if len(c.Singletons) != 1 || c.Singletons[0].Name != "deviceManagement" ||
			c.Singletons[0].Type != "microsoft.graph.deviceManagement" {
			t.Errorf("singletons=%+v, want deviceManagement of microsoft.graph.deviceManagement", c.Singletons)
		}
		if len(c.EntitySets) != 0 {
			t.Errorf("entity sets=%+v, want none", c.EntitySets)
		}
	})
	t.Run("TypesResolve", func(t *testing.T) {
		for _, et := range s.EntityTypes {
			refs := []string{et.BaseType}
			for _, np := range et.NavProps {
				refs = append(refs, strings.TrimSuffix(strings.TrimPrefix(np.Type, "Collection("), ")"))
			}
			for _, ref := range refs {
				if ref == "" {
					continue
				}
				name, ok := strings.CutPrefix(ref, "graph.")
				if _, found := types[name]; !ok || !found {
					t.Errorf("%s refers to %q, which the schema does not declare", et.Name, ref)
				}
			}
		}
	})
}
