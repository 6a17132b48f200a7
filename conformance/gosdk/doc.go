// Package gosdk checks temgraph against the real Microsoft Graph Go SDK
// (github.com/microsoftgraph/msgraph-sdk-go v1.86.0, the last release whose
// v1.0 surface has typed telecomExpenseManagementPartners builders) and the
// SDK core's page iterator and JSON batch.
//
// The tests talk HTTP to a temgraph process that conformance/run.sh starts;
// without the TEMGRAPH_CONFORMANCE_* variables that script sets they skip.
package gosdk
