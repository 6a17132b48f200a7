// Command bare is the reference server of temgraph's benchmark: plain
// net/http that answers GET with a fixed partner entity and PATCH by reading
// the request body to its end and answering the same entity. It does no
// routing, authentication, JSON work or storage, so it marks what the HTTP
// stack and the load generator alone cost on the machine; temgraph's
// throughput is reported as a ratio to it, measured in the same run.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
)

// entity has the shape and size of temgraph's GET answer for one partner.
const entity = `{"@odata.context":"http://127.0.0.1:8080/beta/$metadata#deviceManagement/` +
	`telecomExpenseManagementPartners/$entity","@odata.type":"#microsoft.graph.telecomExpenseManagementPartner",` +
	`"@odata.etag":"W/\"5b0f3c1d9e2a4b6c7d\"","id":"47a3b399-b399-47a3-99b3-a34799b3a347",` +
	`"displayName":"Display Name value","url":"Url value","appAuthorized":true,"enabled":true,` +
	`"lastConnectionDateTime":"2017-01-01T07:58:36.6670033Z"}`

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on; port 0 picks a free one")
	flag.Parse()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("listen: %v", err)
	}
	// The driver reads the chosen address from this line.
	fmt.Fprintf(os.Stdout, "listening on %s\n", ln.Addr())
	log.Fatal(http.Serve(ln, handler()))
}

// handler answers GET and PATCH with the fixed entity and anything else
// with 405.
func handler() http.Handler {
	body := []byte(entity)
	length := strconv.Itoa(len(body))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
		case http.MethodPatch:
			if _, err := io.Copy(io.Discard, r.Body); err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
		default:
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{length}
		w.Write(body)
	})
}
