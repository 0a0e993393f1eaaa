package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/leads-inbox/leads/store"
	"github.com/leads-inbox/leads/store/calendar"
	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/store/scratch"
	"github.com/leads-inbox/leads/tui/config"
	mailsend "github.com/leads-inbox/leads/tui/draft/send"
)

// What forget reaches outside the database: the copies leads wrote and
// put on the database's list (backups, NAME.bak-schemaN, exports written
// with --out), the temporary files a killed leads left beside them, and
// the private directory of temporary files (editor files, demo
// databases). An export to standard output, redirected by the shell, or
// a copy made with cp, is not known to leads and not reached.

// copyReport is one line of forget's output about a copy.
type copyReport struct {
	done    []string // what was cleaned, one line each
	missing []string // what could not be, one line each, with what to do
	retry   bool     // something in missing may go better another time
}

func (r *copyReport) ok(format string, a ...any) {
	r.done = append(r.done, fmt.Sprintf(format, a...))
}

func (r *copyReport) fail(format string, a ...any) {
	r.missing = append(r.missing, fmt.Sprintf(format, a...))
	r.retry = true
}

// dropped reports a line taken off the list: said once, with exit status
// 1, but nothing a later 'forget --finish' could do better.
func (r *copyReport) dropped(format string, a ...any) {
	r.missing = append(r.missing, fmt.Sprintf(format, a...))
}

// forgetInCopies erases the person with this (normalised) email from
// every copy on the list of the database at dbPath, and removes leftover
// temporary files. calUID is the UID of the person's follow-up event in
// a calendar file ("" when none can have been written).
func forgetInCopies(e *env, dbPath, email, calUID string, now time.Time) copyReport {
	var r copyReport
	cid := store.ContactIDForEmail(email)
	copies, err := store.Copies(dbPath)
	if err != nil {
		r.fail("cannot read the list of copies beside %s (%v): backups and exports made from it still hold the person", dbPath, err)
	}
	gone := map[string]bool{}
	for _, c := range copies {
		p := safetext.Clean(c.Path)
		real, fi, err := copyTarget(c.Path, dbPath)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			r.dropped("%s %s is no longer there (moved or deleted): if you moved it, run 'leads --db NEWPATH forget EMAIL' on a backup, or delete an export", kindName(c.Kind), p)
			gone[c.Path] = true
			continue
		case errors.Is(err, errNotACopy):
			r.dropped("left %s alone: %v, so it is not %s leads wrote; it is taken off the list of copies", p, err, kindName(c.Kind))
			gone[c.Path] = true
			continue
		case err != nil:
			r.fail("could not reach %s %s (%s): it may still hold the person", kindName(c.Kind), p, safetext.Clean(err.Error()))
			continue
		}
		switch c.Kind {
		case store.CopyBackup:
			if fi.Size() == 0 {
				// An empty file is no backup, and opening it for writing
				// would make it a new database.
				r.dropped("left %s alone: it is empty, so it is not the backup leads wrote; it is taken off the list of copies", p)
				gone[c.Path] = true
				continue
			}
			forgetInBackup(&r, real, email, now)
		case store.CopyExportCSV:
			n, err := rewriteCSVExport(real, cid, email)
			reportExport(&r, c, n, err)
		case store.CopyExportJSON:
			n, err := rewriteJSONExport(real, cid)
			reportExport(&r, c, n, err)
		case store.CopyCalendar:
			forgetInCalendar(&r, real, calUID)
		case store.CopyExportPerson:
			if yes, err := isPersonExport(real, email, cid); err != nil {
				r.fail("could not read the export %s (%v): delete it if it holds the person", p, err)
			} else if yes {
				// The file itself goes, not a link to it.
				if err := os.Remove(real); err != nil {
					r.fail("could not delete the export of this person %s (%v): delete it by hand", p, unwrapPath(err))
				} else {
					r.ok("deleted the export of this person %s", safetext.Clean(real))
					gone[c.Path] = true
				}
			}
		}
		leftovers(&r, real)
	}
	if len(gone) > 0 {
		if err := store.KeepCopies(dbPath, func(c store.Copy) bool { return !gone[c.Path] }); err != nil {
			r.fail("could not update the list of copies beside %s (%v)", dbPath, err)
		}
	}
	leftovers(&r, dbPath)
	scratchLeftovers(e, &r, email)
	return r
}

// errNotACopy marks a path on the list that names something leads
// cannot have written there.
var errNotACopy = errors.New("not a copy leads wrote")

// notACopy is why a path on the list is left alone.
type notACopy string

func (n notACopy) Error() string        { return string(n) }
func (n notACopy) Is(target error) bool { return target == errNotACopy }

// copyTarget resolves a path on the list of copies to the file it names
// and checks that leads can have written it: a regular file (a FIFO would
// block forget forever, a device be read without end) of this user's.
// The list is a plain file a user can edit; forget never rewrites or
// deletes what leads did not write. The resolved path is what forget
// changes: deleting a link would leave the export behind it.
func copyTarget(path, dbPath string) (string, fs.FileInfo, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", nil, unwrapPath(err)
	}
	fi, err := os.Stat(real)
	switch {
	case err != nil:
		return "", nil, unwrapPath(err)
	case !fi.Mode().IsRegular():
		return "", nil, notACopy("it is not a regular file (a folder, FIFO or device)")
	case !scratch.Mine(fi):
		return "", nil, notACopy("it belongs to another user")
	}
	if dfi, err := os.Stat(dbPath); err == nil && os.SameFile(fi, dfi) {
		return "", nil, notACopy("it is the database itself")
	}
	return real, fi, nil
}

func kindName(kind string) string {
	switch kind {
	case store.CopyBackup:
		return "the backup"
	case store.CopyCalendar:
		return "the calendar"
	}
	return "the export"
}

// forgetInCalendar takes the person's follow-up event out of a calendar
// file 'leads calendar' or the inbox wrote. The event holds their name
// and company (and address, with include_email); a cancellation does not.
func forgetInCalendar(r *copyReport, path, uid string) {
	p := safetext.Clean(path)
	if uid == "" {
		r.ok("checked the calendar %s: nothing of them in it", p)
		return
	}
	n, err := calendar.Without(path, uid)
	switch {
	case err != nil:
		r.fail("could not rewrite the calendar %s (%s): it may still hold their follow-up; delete it and run 'leads calendar' again", p, safetext.Clean(err.Error()))
	case n > 0:
		r.ok("removed their follow-up from the calendar %s", p)
	default:
		r.ok("checked the calendar %s: nothing of them in it", p)
	}
}

// forgetInBackup opens a backup as a database of its own and forgets the
// person there, compaction included.
func forgetInBackup(r *copyReport, path, email string, now time.Time) {
	p := safetext.Clean(path)
	s, err := store.Open(path, store.Options{Timeout: 500 * time.Millisecond, NoMigrationBackup: true})
	if err != nil {
		r.fail("could not open the backup %s (%s): it may still hold the person; run 'leads --db %s forget EMAIL' once it is free", p, safetext.Clean(err.Error()), p)
		return
	}
	res, err := s.Forget(email, now)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		r.fail("could not erase the person from the backup %s (%s): run 'leads --db %s forget EMAIL'", p, safetext.Clean(err.Error()), p)
		return
	}
	if res.Found {
		r.ok("erased from the backup %s (%d leads; compacted)", p, res.Leads)
	} else {
		r.ok("checked the backup %s: nothing of them in it", p)
	}
}

func reportExport(r *copyReport, c store.Copy, n int, err error) {
	p := safetext.Clean(c.Path)
	switch {
	case err != nil:
		r.fail("could not rewrite the export %s (%s): it may still hold the person; delete it or remove their rows by hand", p, safetext.Clean(err.Error()))
	case n == 1:
		r.ok("removed 1 row of them from the export %s", p)
	case n > 1:
		r.ok("removed %d rows of them from the export %s", n, p)
	default:
		r.ok("checked the export %s: nothing of them in it", p)
	}
}

// rewriteCSVExport rewrites a CSV export without the rows of the contact
// (matched by contact ID, or by address when a spreadsheet dropped the
// ID) and returns how many went. A file that no longer starts with the
// export's header is not guessed at.
func rewriteCSVExport(path, cid, email string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, unwrapPath(err)
	}
	rd := csv.NewReader(bytes.NewReader(b))
	rd.FieldsPerRecord = -1
	rows, err := rd.ReadAll()
	if err != nil {
		return 0, fmt.Errorf("it is no longer the CSV leads wrote: %v", err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != strings.Join(exportHeader, ",") {
		return 0, errors.New("it no longer starts with the header leads wrote")
	}
	idCol, mailCol := 0, 9
	keep := rows[:1]
	for _, row := range rows[1:] {
		if (len(row) > idCol && row[idCol] == cid) || (len(row) > mailCol && store.NormalizeEmail(strings.TrimPrefix(row[mailCol], "'")) == email) {
			continue
		}
		keep = append(keep, row)
	}
	n := len(rows) - len(keep)
	if n == 0 {
		return 0, nil
	}
	return n, store.ReplaceFile(path, func(f *os.File) error {
		w := bufio.NewWriter(f)
		cw := csv.NewWriter(w)
		if err := cw.WriteAll(keep); err != nil {
			return err
		}
		return w.Flush()
	})
}

// rewriteJSONExport rewrites a JSON export (one contact a line) without
// the contact's line.
func rewriteJSONExport(path, cid string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, unwrapPath(err)
	}
	var keep bytes.Buffer
	n := 0
	for line := range bytes.Lines(b) {
		var c struct {
			ID string `json:"id"`
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if err := json.Unmarshal(line, &c); err != nil {
			return 0, fmt.Errorf("it is no longer the JSON leads wrote: %v", err)
		}
		if c.ID == cid {
			n++
			continue
		}
		keep.Write(line)
	}
	if n == 0 {
		return 0, nil
	}
	return n, store.ReplaceFile(path, func(f *os.File) error {
		_, err := f.Write(keep.Bytes())
		return err
	})
}

// isPersonExport reports whether the file is an export --person of this
// address (the contact cid): a JSON object with the fields such an export
// starts with, so that no other JSON file that names the address (a
// setting, another program's data) is ever taken for one.
func isPersonExport(path, email, cid string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, unwrapPath(err)
	}
	defer f.Close()
	var doc struct {
		Email      *string          `json:"email"`
		Forgotten  *bool            `json:"forgotten"`
		Found      *bool            `json:"found"`
		DraftFiles *json.RawMessage `json:"draft_files"`
		ID         *string          `json:"id"`
	}
	if err := json.NewDecoder(io.LimitReader(f, 1<<30)).Decode(&doc); err != nil {
		return false, err
	}
	if doc.Email == nil || doc.Forgotten == nil || doc.Found == nil || doc.DraftFiles == nil {
		return false, errors.New("it is not an export --person leads wrote")
	}
	if *doc.Found && (doc.ID == nil || *doc.ID != cid) {
		return false, nil
	}
	return store.NormalizeEmail(*doc.Email) == email, nil
}

// leftovers removes the temporary files a killed leads left beside path.
func leftovers(r *copyReport, path string) {
	gone, err := store.RemoveLeftoverTemps(path)
	for _, g := range gone {
		r.ok("removed the temporary file %s a stopped leads left", safetext.Clean(g))
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		r.fail("could not remove temporary files beside %s (%s): delete the .%s.tmp-* files by hand", safetext.Clean(path), safetext.Clean(err.Error()), safetext.Clean(filepath.Base(path)))
	}
}

// scratchLeftovers removes what stopped processes left in the private
// directory, and names an editor file of a running leads that holds the
// person (it goes when that editor closes).
func scratchLeftovers(e *env, r *copyReport, email string) {
	dir, ok := scratch.Existing(e.getenv)
	if !ok {
		return
	}
	gone, err := scratch.Sweep(dir)
	for _, g := range gone {
		r.ok("removed %s, left by a stopped leads", safetext.Clean(g))
	}
	if err != nil {
		r.fail("could not clear %s (%s): delete its files by hand", safetext.Clean(dir), safetext.Clean(err.Error()))
	}
	live, _ := scratch.Live(dir)
	for _, p := range live {
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(bytes.ToLower(b), []byte(email)) {
			r.fail("an editor open in another leads holds a draft to them (%s): it is deleted when that editor closes", safetext.Clean(p))
		}
	}
}

// reportCopies is the end of forget: the person is erased from the
// copies leads knows of, one line each, and what could not be reached is
// said with what to do; that makes the exit status 1.
func reportCopies(e *env, s *store.Store, email string) int {
	p, err := e.path()
	if err != nil {
		return e.fail(err)
	}
	return walkCopies(e, s, p, email)
}

// walkCopies erases the person from every copy on the list of the
// database at p and reports it; when nothing was left out that another
// try could reach, the address comes off the pending file (a failure leaves it there for 'leads forget
// --finish' to try again).
func walkCopies(e *env, s *store.Store, p, email string) int {
	uid, err := s.CalendarUID(store.ContactIDForEmail(email))
	r := forgetInCopies(e, p, email, uid, e.now())
	forgetSentCopies(e, email, &r)
	if err != nil {
		r.fail("could not read the calendar key (%s): a calendar file leads wrote may still hold their follow-up; run 'leads forget --finish'", safetext.Clean(err.Error()))
	}
	if !r.retry {
		if err := store.CopiesDone(p, email); err != nil {
			r.fail("could not record that the copies are cleared (%v): 'leads forget --finish' will walk them again", unwrapPath(err))
		}
	}
	for _, l := range r.done {
		fmt.Fprintln(e.stdout, l)
	}
	for _, l := range r.missing {
		fmt.Fprintln(e.stderr, "leads:", l)
	}
	fmt.Fprintln(e.stdout, "copies leads does not know of (made with cp, or exports to standard output) still hold them: delete them")
	if len(r.missing) > 0 {
		return exitFailed
	}
	return exitOK
}

// recordCopy puts a file just written on the database's list of copies
// (dbPath "" means the one in force), so that forget reaches it later.
func recordCopy(e *env, dbPath, path, kind string) int {
	if dbPath == "" {
		var err error
		if dbPath, err = e.path(); err != nil {
			return e.fail(err)
		}
	}
	if err := store.RecordCopy(dbPath, store.Copy{Path: path, Kind: kind, Written: e.now().UTC()}); err != nil {
		return e.fail(fmt.Errorf("%s is written but could not be put on the list of copies (%v), so forgetting a person will not reach it: check that the database's directory is writable", path, unwrapPath(err)))
	}
	return exitOK
}

// forgetSentCopies deletes the messages sent to the person that [mail]
// sent_maildir keeps: the folder is leads' own copy of what went out, so
// forgetting them must reach it as it reaches exports and backups.
func forgetSentCopies(e *env, email string, r *copyReport) {
	cfg, err := config.LoadDefault(e.getenv)
	if err != nil || cfg.Mail.SentMaildir == "" {
		return
	}
	n, err := mailsend.RemoveCopiesTo(cfg.Mail.SentMaildir, func(addr string) bool { return store.NormalizeEmail(addr) == email })
	if n > 0 {
		r.ok("removed %s sent to them from the sent Maildir folder", countOf(n, "message", "messages"))
	}
	if err != nil {
		r.fail("%s", safetext.Clean(err.Error()))
	}
}
