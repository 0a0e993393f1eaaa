package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/leads-inbox/leads/store"
)

func init() {
	register(&command{name: "export", args: "[--format csv|json] [--out FILE] [filters] [--replied] [--bouncing] [--owner NAME | --mine | --unassigned] | --person EMAIL",
		summary: "write leads with their contact's triage state as CSV (one row per lead) or JSON", run: runExport})
}

// exportHeader names the CSV columns. New columns go last (owner), so a
// script that reads the older ones by position keeps working.
var exportHeader = []string{"contact_id", "lead_id", "created", "source", "action", "offer", "offer_name",
	"first_name", "last_name", "email", "phone", "country", "company", "title", "description",
	"status", "next_follow_up", "touches", "is_test", "dnc", "lead_source", "origin", "owner"}

func runExport(e *env, args []string) int {
	c := commands["export"]
	fs := e.flags(c)
	f := addFilterFlags(fs)
	format := fs.String("format", "csv", "`csv` (one row per lead, safe to open in a spreadsheet) or json (one contact per line)")
	outPath := fs.String("out", "", "write to `FILE` instead of standard output")
	person := fs.String("person", "", "write everything held about the person with this `EMAIL` as one JSON document, with provenance")
	who := addTriageFlags(fs, f)
	pos, code, ok := e.parse(fs, args)
	if !ok {
		return code
	}
	if !e.ownerFilter("export", f, who) {
		return exitUsage
	}
	if len(pos) > 0 || (*format != "csv" && *format != "json") {
		fmt.Fprintln(e.stderr, "leads export: use --format csv or --format json; filters are flags (see --help)")
		return exitUsage
	}
	if !checkFilter(e, f) {
		return exitUsage
	}
	s, ok := e.open(true)
	if !ok {
		return exitFailed
	}
	defer s.Close()
	if err := s.CheckFilter(*f); err != nil {
		if filterValueError(e, err) {
			return exitUsage
		}
		return e.fail(err)
	}
	if *person != "" {
		return exportPerson(e, s, *person, *outPath)
	}
	var out io.Writer = e.stdout
	if *outPath != "" {
		fh, err := createExport(*outPath)
		if err != nil {
			return e.fail(fmt.Errorf("cannot write %s: %v", *outPath, err))
		}
		defer fh.Close()
		out = fh
	}
	// A terminal shows what it is sent: lead text goes there sanitised.
	toTerminal := isTerminal(out)
	bw := bufio.NewWriterSize(out, 64<<10)
	var err error
	if *format == "json" {
		var jw io.Writer = bw
		jd := &jsonDisplay{w: bw}
		if toTerminal {
			jw = jd
		}
		enc := json.NewEncoder(jw)
		enc.SetEscapeHTML(false)
		err = s.ListContacts(*f, func(c *store.Contact) error { return enc.Encode(personJSON(c)) })
		if err == nil {
			err = jd.Flush()
		}
	} else {
		cw := csv.NewWriter(bw)
		if err = cw.Write(exportHeader); err == nil {
			err = s.ListContacts(*f, func(c *store.Contact) error {
				for i := range c.Leads {
					row := exportRow(c, &c.Leads[i])
					if toTerminal {
						for j := range row {
							row[j] = neutralizeFormula(displayCell(row[j]))
						}
					}
					if err := cw.Write(row); err != nil {
						return err
					}
				}
				return nil
			})
		}
		cw.Flush()
		if err == nil {
			err = cw.Error()
		}
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		if filterValueError(e, err) {
			return exitUsage
		}
		return e.fail(err)
	}
	if *outPath != "" {
		kind := store.CopyExportCSV
		if *format == "json" {
			kind = store.CopyExportJSON
		}
		return recordCopy(e, "", *outPath, kind)
	}
	return exitOK
}

func exportRow(c *store.Contact, l *store.Lead) []string {
	origin := l.Origin.File
	if l.Origin.Line > 0 {
		origin += ":" + strconv.Itoa(l.Origin.Line)
	}
	if l.Origin.Table != "" {
		origin = l.Origin.Account + "/" + l.Origin.Table
	}
	if l.Origin.PartitionKey != "" {
		origin += " " + l.Origin.PartitionKey + "/" + l.Origin.RowKey
	}
	next := ""
	if !c.Triage.NextFollowUp.IsZero() {
		next = rfc3339(c.Triage.NextFollowUp)
	}
	cu := l.Customer
	row := []string{c.ID, l.ID, rfc3339(l.Created), l.Source, l.Action, l.OfferID, l.OfferName,
		cu.FirstName, cu.LastName, cu.Email, cu.Phone, cu.Country, cu.Company, cu.Title, l.Description,
		string(c.Triage.Status), next, strconv.Itoa(c.Triage.Touches), strconv.FormatBool(l.IsTest),
		strconv.FormatBool(l.IsDNC()), l.LeadSource, origin, c.Triage.Owner}
	for i := range row {
		row[i] = neutralizeFormula(row[i])
	}
	return row
}

// neutralizeFormula stops a spreadsheet from running a cell as a formula:
// strangers type these values, and =HYPERLINK(...) or @SUM(...) in a lead
// must stay text when the rep opens the export.
func neutralizeFormula(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// createExport opens the file an export goes to, mode 0600. A regular
// file that is already there keeps its name but not its mode: it is about
// to hold people's data, which others must not read (a 0644 file written
// over would leave every lead open to them).
func createExport(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm() != 0o600 {
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			return nil, err
		}
	}
	return f, nil
}
