package main

import (
	"fmt"
	"io"

	"github.com/leads-inbox/leads/store"
)

// summary is the tally that 'leads import' and 'leads sync' end with, in the
// same one-line form so scripts can read either.
type summary struct {
	Read, New, Updated, Unchanged, Test, Rejected int
}

// add counts what the store did with one batch.
func (s *summary) add(r store.UpsertResult) {
	s.New += r.New
	s.Updated += r.Updated
	s.Unchanged += r.Unchanged
}

func (s summary) String() string {
	return fmt.Sprintf("%d read, %d new, %d updated, %d unchanged, %d test, %d rejected",
		s.Read, s.New, s.Updated, s.Unchanged, s.Test, s.Rejected)
}

func (s summary) print(w io.Writer) { fmt.Fprintln(w, s.String()) }

// exitCode is 0 when every row imported and 1 when some were rejected.
func (s summary) exitCode() int {
	if s.Rejected > 0 {
		return exitFailed
	}
	return exitOK
}
