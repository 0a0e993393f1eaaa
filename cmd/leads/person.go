package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/leads-inbox/leads/store"
)

// personExport is 'leads export --person': everything the database holds
// about one person, for a data subject's access request. Each lead keeps
// its origin (file and line, or account, table and keys) and its raw
// record as received, so the person can see where every value came from.
type personExport struct {
	Email      string   `json:"email"`
	Forgotten  bool     `json:"forgotten"`
	Found      bool     `json:"found"`
	DraftFiles []string `json:"draft_files"`
	*personOut
}

func exportPerson(e *env, s *store.Store, email, outPath string) int {
	if !strings.Contains(email, "@") {
		fmt.Fprintln(e.stderr, "leads export: --person takes an email address")
		return exitUsage
	}
	email = store.NormalizeEmail(email)
	doc := personExport{Email: email, DraftFiles: []string{}}
	forgotten, err := s.IsForgotten(email)
	if err != nil {
		return e.fail(err)
	}
	doc.Forgotten = forgotten
	ct, err := s.Contact(email)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return e.fail(err)
	default:
		p := personJSON(ct)
		doc.personOut, doc.Found = &p, true
		if files, err := s.DraftFiles(ct.ID); err == nil && files != nil {
			doc.DraftFiles = files
		}
	}
	var out io.Writer = e.stdout
	if outPath != "" {
		f, err := createExport(outPath)
		if err != nil {
			return e.fail(fmt.Errorf("cannot write %s: %v", outPath, unwrapPath(err)))
		}
		defer f.Close()
		out = f
	}
	jd := &jsonDisplay{w: out}
	if isTerminal(out) {
		out = jd // shown, not saved: lead text sanitised
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return e.fail(err)
	}
	if err := jd.Flush(); err != nil {
		return e.fail(err)
	}
	if !doc.Found {
		fmt.Fprintln(e.stderr, "leads: nothing is stored about this address")
	}
	if outPath != "" {
		return recordCopy(e, "", outPath, store.CopyExportPerson)
	}
	return exitOK
}
