package azuretable

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"
)

// Network defaults. Retries are azcore's own retry policy, configured here
// rather than wrapped in a second loop: it already backs off exponentially
// with jitter, honours Retry-After, rewinds and retries GETs whose body
// broke off, and stops at once when the context is cancelled.
const (
	// DefaultTryTimeout bounds one HTTP attempt including its body. The
	// service answers a query within 5 seconds by design (it returns a
	// partial page and a continuation instead), so 30 s means a stalled
	// connection, not a slow query.
	DefaultTryTimeout = 30 * time.Second
	// DefaultMaxRetries is how often one page is retried (azcore's own
	// default is 3; throttling bursts on a busy account last longer).
	DefaultMaxRetries = 5
	// DefaultRetryDelay is the first back-off (azcore's default).
	DefaultRetryDelay = 800 * time.Millisecond
	// DefaultMaxRetryDelay caps one back-off.
	DefaultMaxRetryDelay = 20 * time.Second
)

// NetOptions tune the HTTP side; the zero value means the defaults above.
type NetOptions struct {
	TryTimeout    time.Duration
	MaxRetries    int32 // < 0: no retries
	RetryDelay    time.Duration
	MaxRetryDelay time.Duration
	// Transport replaces the HTTP client (tests put a proxy or a fault
	// injector here; nil is azcore's default client).
	Transport policy.Transporter
}

// wire counts the attempts of one run, remembers the server's clock, and
// takes the body of each entity page before aztables parses it.
type wire struct {
	requests atomic.Int64
	date     atomic.Int64 // unix nanos of the last response's Date header

	// body is the last successful query page, as sent. aztables decodes a
	// page into maps and then encodes every entity back to JSON, which
	// costs more CPU than everything leads does with the page afterwards;
	// so the page is taken here and aztables is handed an empty one (its
	// continuation headers untouched, which is all the pager needs). The
	// pipeline runs in the goroutine that called NextPage, and a page's
	// attempts are sequential, so that goroutine owns body.
	capture bool
	body    []byte
}

// emptyPage is what aztables parses instead of a captured page.
const emptyPage = `{"value":[]}`

// Do is a per-try policy: it sees every attempt, retries included, after
// the body has been downloaded (azcore downloads it below this policy,
// inside the per-try timeout).
func (w *wire) Do(req *policy.Request) (*http.Response, error) {
	w.requests.Add(1)
	resp, err := req.Next()
	if resp == nil {
		return resp, err
	}
	if d, perr := http.ParseTime(resp.Header.Get("Date")); perr == nil {
		w.date.Store(d.UnixNano())
	}
	if err == nil && w.capture && resp.StatusCode == http.StatusOK && req.Raw().Method == http.MethodGet {
		body, rerr := runtime.Payload(resp)
		if rerr != nil {
			return resp, rerr
		}
		w.body = body
		resp.Body = io.NopCloser(strings.NewReader(emptyPage))
	}
	return resp, err
}

// take returns the captured page and forgets it.
func (w *wire) take() []byte {
	b := w.body
	w.body = nil
	return b
}

func (w *wire) serverTime() time.Time {
	if n := w.date.Load(); n != 0 {
		return time.Unix(0, n).UTC()
	}
	return time.Time{}
}

// client builds an aztables client for c whose every attempt is counted by w.
func (c *Conn) client(o NetOptions, w *wire) (*aztables.Client, error) {
	ro := policy.RetryOptions{
		MaxRetries:    o.MaxRetries,
		TryTimeout:    o.TryTimeout,
		RetryDelay:    o.RetryDelay,
		MaxRetryDelay: o.MaxRetryDelay,
		ShouldRetry:   shouldRetry,
	}
	if ro.MaxRetries == 0 {
		ro.MaxRetries = DefaultMaxRetries
	}
	if ro.TryTimeout == 0 {
		ro.TryTimeout = DefaultTryTimeout
	}
	if ro.RetryDelay == 0 {
		ro.RetryDelay = DefaultRetryDelay
	}
	if ro.MaxRetryDelay == 0 {
		ro.MaxRetryDelay = DefaultMaxRetryDelay
	}
	opts := &aztables.ClientOptions{ClientOptions: policy.ClientOptions{
		Retry:            ro,
		Transport:        o.Transport,
		PerRetryPolicies: []policy.Policy{w},
		Telemetry:        policy.TelemetryOptions{ApplicationID: "leads"},
		// Never log a query string: the SAS is in it.
		Logging: policy.LogOptions{AllowedQueryParams: []string{}},
	}}
	var svc *aztables.ServiceClient
	var err error
	if c.key != nil {
		svc, err = aztables.NewServiceClientWithSharedKey(c.clientEndpoint(), c.key, opts)
	} else {
		svc, err = aztables.NewServiceClientWithNoCredential(c.clientEndpoint()+"/?"+c.sas, opts)
	}
	if err != nil {
		return nil, c.explain(err)
	}
	return svc.NewClient(c.Table), nil
}

// TableClient returns a client for the connection's table with the
// package's retry policy and redaction, for the team sync, which writes
// rows as well as reading them.
func (c *Conn) TableClient(o NetOptions) (*aztables.Client, error) {
	return c.client(o, &wire{})
}

// PageClient is a client for listing a table's entities whose pages are
// kept as the service sent them: aztables would decode each page into
// maps and encode every entity back to JSON, which costs more than
// anything the caller does with the page. Use it for one pager only,
// from one goroutine, and only to list: every successful GET's body is
// taken, and aztables sees an empty page.
type PageClient struct {
	*aztables.Client
	w *wire
}

// PageClient returns a PageClient for the connection's table, with the
// package's retry policy and redaction.
func (c *Conn) PageClient(o NetOptions) (*PageClient, error) {
	w := &wire{capture: true}
	cl, err := c.client(o, w)
	if err != nil {
		return nil, err
	}
	return &PageClient{Client: cl, w: w}, nil
}

// TakePage returns the body of the page the last NextPage fetched (nil if
// none was kept since the last call), {"odata.metadata":...,"value":[...]}.
func (p *PageClient) TakePage() []byte { return p.w.take() }

// Explain turns an error from a TableClient call into one line that says
// what to fix, with every secret redacted.
func (c *Conn) Explain(err error) error { return c.explain(err) }

var retryStatus = []int{
	http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
	http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout,
}

// shouldRetry is azcore's default rule (retry the throttling and gateway
// statuses and any transport error) minus the errors that will not go away
// by waiting: an unknown host name and a TLS certificate problem. Without
// it a typo in the account name would back off for half a minute.
func shouldRetry(resp *http.Response, err error) bool {
	if err != nil {
		var dns *net.DNSError
		if errors.As(err, &dns) && dns.IsNotFound {
			return false
		}
		if strings.Contains(err.Error(), "x509:") || strings.Contains(err.Error(), "tls:") {
			return false
		}
		return true
	}
	for _, s := range retryStatus {
		if resp.StatusCode == s {
			return true
		}
	}
	return false
}

// ErrInterrupted is returned (wrapped) when the context was cancelled.
var ErrInterrupted = errors.New("interrupted")

// explain turns any error from aztables or the network into one line that
// says what to fix, with every secret redacted.
func (c *Conn) explain(err error) error {
	if err == nil {
		return nil
	}
	msg := c.describe(err)
	return &redactedError{msg: oneLine(Redact(msg)), err: err}
}

func (c *Conn) describe(err error) string {
	if errors.Is(err, context.Canceled) {
		return ErrInterrupted.Error()
	}
	host := c.Endpoint
	if u, perr := url.Parse(c.Endpoint); perr == nil {
		host = u.Host
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return c.describeResponse(re)
	}
	var dns *net.DNSError
	switch {
	case errors.As(err, &dns) && dns.IsNotFound:
		return fmt.Sprintf("cannot find the host %s: check the account name (%s) and the endpoint", host, c.Account)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("cannot connect to %s: connection refused (is the endpoint right, and the emulator running?)", host)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("no answer from %s in time, even after retries: the service or the network is stalled; run the same command again later", host)
	case strings.Contains(err.Error(), "x509:"):
		return fmt.Sprintf("the TLS certificate of %s is not trusted", host)
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return fmt.Sprintf("the connection to %s kept failing, even after retries: %s", host, innermost(err))
	}
	return fmt.Sprintf("talking to %s: %s", host, innermost(err))
}

// innermost drops the url.Error wrapper ("Get \"https://...?sig=...\": "),
// whose URL is noise even after redaction.
func innermost(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

func (c *Conn) describeResponse(re *azcore.ResponseError) string {
	code := re.ErrorCode
	status := re.StatusCode
	tag := fmt.Sprintf("%d", status)
	if code != "" {
		tag += " " + code
	}
	if c.team {
		// Only a missing table and the SAS differ for the team table.
		switch {
		case status == http.StatusNotFound && code == "TableNotFound":
			return fmt.Sprintf("team table %s does not exist in account %s (%s): run 'leads team init', or check table under [team]", c.Table, c.Account, tag)
		case status == http.StatusForbidden && c.key == nil && !c.sasExpiry.IsZero() && time.Now().After(c.sasExpiry):
			return fmt.Sprintf("the team SAS expired on %s (%s): make a new one for table %s with permissions raud (see the README: Working as a team)", c.sasExpiry.Format("2006-01-02 15:04 UTC"), tag, c.Table)
		case status == http.StatusForbidden && c.key == nil && strings.HasPrefix(code, "Authorization") && strings.HasSuffix(code, "Mismatch"):
			return fmt.Sprintf("the team SAS does not allow this (%s): it needs read, add, update and delete (raud) on table %s", tag, c.Table)
		}
	}
	switch {
	case status == http.StatusNotFound && (code == "TableNotFound" || code == "ResourceNotFound" || code == ""):
		return fmt.Sprintf("table %s does not exist in account %s (%s): check --table (Partner Center writes to %s)", c.Table, c.Account, tag, DefaultTable)
	case status == http.StatusForbidden && c.key == nil:
		if !c.sasExpiry.IsZero() && time.Now().After(c.sasExpiry) {
			return fmt.Sprintf("the SAS expired on %s (%s): make a new one with Read and List permission", c.sasExpiry.Format("2006-01-02 15:04 UTC"), tag)
		}
		if code == "AuthorizationPermissionMismatch" || code == "AuthorizationResourceTypeMismatch" || code == "AuthorizationServiceMismatch" {
			return fmt.Sprintf("the SAS does not allow reading this table (%s): it needs the Table service, Read and List permission, and resource types Container and Object", tag)
		}
		return fmt.Sprintf("the SAS was refused (%s): check that it belongs to account %s and table %s and has not expired or been revoked", tag, c.Account, c.Table)
	case status == http.StatusForbidden:
		return fmt.Sprintf("the storage account %s refused the account key (%s): copy the connection string again from Access keys (the key may have been rotated)", c.Account, tag)
	case status == http.StatusUnauthorized:
		return fmt.Sprintf("the storage account %s refused the credentials (%s)", c.Account, tag)
	case status == http.StatusServiceUnavailable || status == http.StatusInternalServerError || status == http.StatusTooManyRequests:
		return fmt.Sprintf("the storage service is busy (%s) and kept refusing after retries: run the same command again later; what was read is kept", tag)
	}
	return fmt.Sprintf("the storage service answered %s for table %s", tag, c.Table)
}
