package azuritetest

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Proxy is a reverse proxy between a client and Azurite that counts entity
// queries and can answer some of them itself, to inject faults a real
// service produces but an emulator on loopback never does.
type Proxy struct {
	// URL is the proxy's account endpoint, usable wherever Server.URL is.
	URL string

	srv *httptest.Server
	rp  *httputil.ReverseProxy

	mu      sync.Mutex
	queries int
	total   int
	fault   Fault
	// others and reqFault are the count and fault of every request that
	// is not an entity query (transactions, point reads, deletes).
	others   int
	reqFault Fault
	stash    map[string]*httptest.ResponseRecorder
}

// Fault decides what the proxy does with entity query number n (0-based,
// retries included). Returning nil passes the query through.
type Fault func(n int, r *http.Request) Action

// Action is one injected behaviour; see the constructors below.
type Action func(p *Proxy, w http.ResponseWriter, r *http.Request)

// NewProxy starts a proxy in front of s, stopped when the test ends.
func NewProxy(t testing.TB, s *Server) *Proxy {
	t.Helper()
	target, _ := url.Parse("http://" + s.Host)
	p := &Proxy{rp: httputil.NewSingleHostReverseProxy(target), stash: map[string]*httptest.ResponseRecorder{}}
	// Errors from the proxy itself (Azurite gone) should look like a dead
	// gateway, quietly.
	p.rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		w.WriteHeader(http.StatusBadGateway)
	}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	p.URL = p.srv.URL + "/" + Account
	return p
}

// ConnectionString is an account-key connection string through the proxy.
func (p *Proxy) ConnectionString() string {
	return "DefaultEndpointsProtocol=http;AccountName=" + Account + ";AccountKey=" + Key +
		";TableEndpoint=" + p.URL + ";"
}

// SetFault installs f (nil: pass everything through) and resets the counts.
func (p *Proxy) SetFault(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fault, p.queries, p.total = f, 0, 0
}

// SetRequestFault installs f (nil: none) for every request that is not
// an entity query, n counting those requests: the team sync's
// transactions and point reads meet drops and 503s through it.
func (p *Proxy) SetRequestFault(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reqFault, p.others = f, 0
}

// Queries returns how many entity queries (GET .../Table()) arrived since
// the last SetFault, retries included.
func (p *Proxy) Queries() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.queries
}

// Requests returns how many requests of any kind arrived.
func (p *Proxy) Requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.total
}

// IsQuery reports whether r queries entities.
func IsQuery(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "()")
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.total++
	var act Action
	if IsQuery(r) {
		n := p.queries
		p.queries++
		if p.fault != nil {
			act = p.fault(n, r)
		}
	} else {
		n := p.others
		p.others++
		if p.reqFault != nil {
			act = p.reqFault(n, r)
		}
	}
	p.mu.Unlock()
	if tok := r.URL.Query().Get("NextPartitionKey"); strings.HasPrefix(tok, "injected-") {
		p.replay(w, tok)
		return
	}
	if act != nil {
		act(p, w, r)
		return
	}
	p.rp.ServeHTTP(w, r)
}

// Status answers with an Azure-style error: 503 ServerBusy, 500
// OperationTimedOut and so on.
func Status(code int, errorCode string) Action {
	return func(p *Proxy, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json;odata=minimalmetadata")
		w.Header().Set("x-ms-error-code", errorCode)
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"odata.error":{"code":%q,"message":{"lang":"en-US","value":"injected"}}}`, errorCode)
	}
}

// Stall accepts the query and never answers, until the client gives up.
func Stall() Action {
	return func(p *Proxy, w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}
}

// Delay passes the query through after waiting for release to be closed or
// the client to give up, to slow a sync down to where a test can kill it.
func Delay(release <-chan struct{}) Action {
	return func(p *Proxy, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		p.rp.ServeHTTP(w, r)
	}
}

// DropMidPage forwards the query, then sends the status, the headers and
// half of the body, and closes the connection.
func DropMidPage() Action {
	return func(p *Proxy, w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		p.rp.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		defer conn.Close()
		writeHead(buf, rec, len(body))
		buf.Write(body[:len(body)/2])
		buf.Flush()
	}
}

// LoseReply forwards the request, so Azurite carries it out, and then
// closes the connection without an answer: a reply lost on the way back.
func LoseReply() Action {
	return func(p *Proxy, w http.ResponseWriter, r *http.Request) {
		p.rp.ServeHTTP(httptest.NewRecorder(), r)
		Drop()(p, w, r)
	}
}

// Drop closes the connection without forwarding or answering: the
// account is unreachable.
func Drop() Action {
	return func(p *Proxy, w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		conn.Close()
	}
}

func writeHead(buf *bufio.ReadWriter, rec *httptest.ResponseRecorder, length int) {
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", rec.Code, http.StatusText(rec.Code))
	for k, vs := range rec.Header() {
		if strings.EqualFold(k, "Content-Length") || strings.EqualFold(k, "Transfer-Encoding") {
			continue
		}
		for _, v := range vs {
			fmt.Fprintf(buf, "%s: %s\r\n", k, v)
		}
	}
	fmt.Fprintf(buf, "Content-Length: %d\r\n\r\n", length)
}

// EmptyPage forwards the query and keeps Azurite's answer, and sends instead
// an empty page whose continuation leads to that answer: the service does
// this when a query times out on its side or crosses a partition boundary.
func EmptyPage() Action {
	return func(p *Proxy, w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		p.rp.ServeHTTP(rec, r)
		p.mu.Lock()
		tok := "injected-" + strconv.Itoa(len(p.stash)+1)
		p.stash[tok] = rec
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json;odata=minimalmetadata;streaming=true;charset=utf-8")
		w.Header().Set("x-ms-continuation-NextPartitionKey", tok)
		w.Header().Set("x-ms-continuation-NextRowKey", tok)
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, `{"odata.metadata":"`+r.URL.Scheme+`$metadata#injected","value":[]}`)
	}
}

// replay answers a continuation EmptyPage invented with the page it kept.
func (p *Proxy) replay(w http.ResponseWriter, tok string) {
	p.mu.Lock()
	rec := p.stash[tok]
	p.mu.Unlock()
	if rec == nil {
		http.Error(w, "unknown injected continuation", http.StatusBadRequest)
		return
	}
	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}
