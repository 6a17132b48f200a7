package temgraph_test

import (
	"testing"

	"github.com/temgraph/temgraph"
)

func BenchmarkDecodePartnerPatch(b *testing.B) {
	body := []byte(`{"@odata.type":"#microsoft.graph.telecomExpenseManagementPartner","displayName":"Display Name value","url":"Url value","appAuthorized":true,"enabled":true,"lastConnectionDateTime":"2016-12-31T23:58:36.6670033-08:00"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := temgraph.DecodePartnerPatch(body); err != nil {
			b.Fatal(err)
		}
	}
}
