package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the newest schema this build writes.
const SchemaVersion = 6

const appName = "leads"

var (
	bMeta       = []byte("meta")
	bDict       = []byte("dict") // schema 3 and older: kind+name -> uint16 code
	bCodes      = []byte("codes")
	bLeads      = []byte("leads")
	bLeadIDs    = []byte("lead_ids") // schema 1 only
	bLeadIdx    = []byte("lead_idx")
	bContacts   = []byte("contacts")
	bContactIDs = []byte("contact_ids") // schema 1 only
	bContactIdx = []byte("contact_idx")
	bSync       = []byte("sync")
	bForgotten  = []byte("forgotten")
	bTriage     = []byte("triage")
	bHistory    = []byte("history")

	kApp      = []byte("app")
	kSchema   = []byte("schema")
	kLastTest = []byte("last_test")
)

// Errors a caller can test for with errors.Is. Their messages are written
// for the person at the terminal.
var (
	ErrInUse       = errors.New("in use by another leads process")
	ErrNotDatabase = errors.New("not a leads database")
	ErrDamaged     = errors.New("damaged")
	ErrNewerSchema = errors.New("written by a newer version of leads")
	ErrNotFound    = errors.New("not found")
	ErrReadOnly    = errors.New("opened read-only")
	ErrAmbiguousID = errors.New("ambiguous ID")
	// errNoLeadsYet is an empty file opened read-only.
	errNoLeadsYet   error = noLeadsYet{}
	errStopIterator       = errors.New("stop")
)

// noLeadsYet is an empty database file: to a caller it is ErrNotFound,
// like a missing one.
type noLeadsYet struct{}

func (noLeadsYet) Error() string        { return "empty, with no leads yet" }
func (noLeadsYet) Is(target error) bool { return target == ErrNotFound }

// OpenError explains why a database file could not be opened, in one line
// that names the file and says what to do.
type OpenError struct {
	Path string
	Err  error
	Hint string
}

func (e *OpenError) Error() string {
	msg := fmt.Sprintf("%s is %v", filepath.Base(e.Path), e.Err)
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

func (e *OpenError) Unwrap() error { return e.Err }

// Options tune Open.
type Options struct {
	// ReadOnly opens with a shared lock: several readers may share the file,
	// but not with a writer.
	ReadOnly bool
	// Timeout bounds the wait for the file lock (default 1s) so that a second
	// copy of leads fails fast instead of hanging.
	Timeout time.Duration
	// NoSync skips fsync on commit; only for benchmarks and tests.
	NoSync bool
	// MaxSize, when positive, caps the file at this many bytes: a write
	// that would grow it further fails like a full disk. It exists so the
	// disk-full path can be tested without filling a real disk. A
	// compaction (forget, purge) takes it for the size of the whole disk:
	// its copy may use what the database leaves of it.
	MaxSize int
	// NoMigrationBackup skips the NAME.bak-schemaN copy an upgrade
	// writes first: forget opens a backup to erase a person from it, and
	// a copy of that backup would hold the person again.
	NoMigrationBackup bool
}

// Store is an open leads database.
type Store struct {
	db   *gate // the bolt handle, which Suspend can let go (gate.go)
	path string
	bopt *bolt.Options // kept to reopen the file after compaction

	idx *indexes

	noMigrationBackup bool

	mu   sync.Mutex
	dict map[string]Code // kind+name -> code
	rev  []string        // code -> kind+name

	// leadsGen counts this process's writes that stored or changed a
	// lead (see Generation).
	leadsGen atomic.Uint64

	// tally keeps the last count of TallyLeads; tallyGen changes after
	// every write that may have added, changed or removed a lead.
	tally    tallyCache
	tallyGen atomic.Uint64
	// closing is set by Close: work in the background gives up.
	closing atomic.Bool

	// pending lists the leads this process stored for Fold to file, in
	// sequence order; guarded by idx.mu.
	pending []foldEntry
	sums    importSums
	// held identifies the file bbolt has open (set at every open, and
	// when compaction swaps the file in), guarded by mu: a fold reads
	// that file with plain reads only when the path still names it.
	held         os.FileInfo
	foldedOnOpen int
	foldErr      error
	erasedOnOpen bool
	eraseErr     error
}

// DefaultPath returns the database path: $LEADS_DB, else
// $XDG_DATA_HOME/leads/leads.db, else ~/.local/share/leads/leads.db.
func DefaultPath() (string, error) {
	if p := os.Getenv("LEADS_DB"); p != "" {
		return p, nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "leads", "leads.db"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("cannot find the home directory for the database: set LEADS_DB or use --db PATH")
	}
	return filepath.Join(home, ".local", "share", "leads", "leads.db"), nil
}

// Open opens or creates the database at path. Every failure is an
// *OpenError; a damaged or foreign file is reported, never overwritten.
func Open(path string, opt Options) (s *Store, err error) {
	if opt.Timeout == 0 {
		opt.Timeout = time.Second
	}
	fi, statErr := os.Stat(path)
	switch {
	case statErr == nil && fi.IsDir():
		return nil, &OpenError{Path: path, Err: ErrNotDatabase, Hint: "it is a directory; give a file path with --db"}
	case statErr == nil && fi.Size() == 0 && opt.ReadOnly:
		// A first import killed the moment the file appeared leaves it
		// empty. It holds nothing; a command that writes sets it up (bbolt
		// does so for an empty file), a reader has nothing to show.
		return nil, &OpenError{Path: path, Err: errNoLeadsYet, Hint: "import leads first with 'leads import FILE' or choose another path with --db"}
	case statErr != nil && errors.Is(statErr, fs.ErrNotExist):
		if opt.ReadOnly {
			return nil, &OpenError{Path: path, Err: ErrNotFound, Hint: "import leads first with 'leads import FILE' or choose another path with --db"}
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, &OpenError{Path: path, Err: errors.New("not creatable"), Hint: oneLine(err)}
		}
	case statErr != nil:
		return nil, &OpenError{Path: path, Err: errors.New("not readable"), Hint: oneLine(statErr)}
	}
	if statErr == nil && fi.Size() > 0 {
		if err := sniffHeader(path); err != nil {
			return nil, &OpenError{Path: path, Err: err, Hint: hintFor(err)}
		}
		// bbolt crashes the process (not a recoverable panic) on some
		// damaged files; see verify.go.
		if err := verifyFile(path); err != nil {
			if !errors.Is(err, ErrDamaged) {
				return nil, &OpenError{Path: path, Err: errors.New("not readable"), Hint: oneLine(err)}
			}
			return nil, &OpenError{Path: path, Err: ErrDamaged, Hint: hintFor(ErrDamaged)}
		}
	}

	// bbolt panics on some damaged files; turn that into an error.
	defer func() {
		if r := recover(); r != nil {
			s = nil
			err = &OpenError{Path: path, Err: ErrDamaged, Hint: hintFor(ErrDamaged)}
		}
	}()
	bopt := &bolt.Options{
		Timeout:  opt.Timeout,
		ReadOnly: opt.ReadOnly,
		NoSync:   opt.NoSync,
		// The free list is written with every commit so that opening does
		// not walk every page to rebuild it: that walk was 0.2 s of the
		// inbox's start-up at a million leads.
		FreelistType: bolt.FreelistMapType,
		// Reserve address space up front: every time bbolt grows its map it
		// must copy out every node the open transaction holds, which made
		// large imports slow down as the file grew. It is virtual memory only.
		InitialMmapSize: 4 << 30,
		PageSize:        pageSize,
		MaxSize:         opt.MaxSize,
	}
	db, held, err := openCurrent(path, bopt)
	if err != nil {
		return nil, err
	}
	s = &Store{db: newGate(db), path: path, bopt: bopt, idx: newIndexes(), noMigrationBackup: opt.NoMigrationBackup}
	s.setHeld(held)
	if err := s.init(opt.ReadOnly); err != nil {
		db.Close()
		var oe *OpenError
		switch {
		case errors.As(err, &oe):
			return nil, err
		case isNoSpace(err):
			// An upgrade that ran out of room changed nothing.
			return nil, &OpenError{Path: path, Err: errors.New("not upgradable here"),
				Hint: "the disk is full; the file was left as it was: free some space and run the command again"}
		case errors.Is(err, fs.ErrPermission):
			return nil, &OpenError{Path: path, Err: errors.New("not upgradable here"),
				Hint: "its folder is not writable (" + oneLine(err) + "); the file was left as it was: run leads where it may write beside the file"}
		}
		return nil, &OpenError{Path: path, Err: ErrDamaged, Hint: hintFor(ErrDamaged)}
	}
	if !opt.ReadOnly {
		// An import cut off by a crash is finished first. If that fails
		// (a full disk), the file still opens: the leads wait, a command
		// can still forget a person (their waiting leads included), and
		// the next open tries again. FoldError says so.
		if _, err := s.foldOnOpen(); err != nil {
			s.foldErr = err
		}
		// So is an erasure (forget, purge) that was cut off: its records
		// may be deleted with their bytes still in the file. If it fails
		// again, the file still opens; EraseError says so. Its compaction
		// also replaces any copy a killed compaction left.
		s.erasedOnOpen, s.eraseErr = s.FinishErasure()
		// A rank column that does not match its contacts' count is built
		// again; the inbox would not read it anyway (RankDigests). If
		// that fails, the inbox reads every digest, as without a column.
		_ = s.fixRankColumn()
	}
	return s, nil
}

// openCurrent opens path with bbolt and makes sure the file it locked is
// still the one at path. Another leads process that compacts (forget,
// purge) renames a new file over the path and only then closes the old
// one, so an open that was waiting for the lock can get it on the old,
// unlinked file; everything written there afterwards would be lost
// without a word. Such an open is done again, on the file now at path.
func openCurrent(path string, bopt *bolt.Options) (*bolt.DB, os.FileInfo, error) {
	deadline := time.Now().Add(bopt.Timeout)
	for {
		var file *os.File
		o := *bopt
		o.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
			f, err := os.OpenFile(name, flag, perm)
			file = f
			return f, err
		}
		db, berr := bolt.Open(path, 0o600, &o)
		if berr != nil {
			return nil, nil, &OpenError{Path: path, Err: classifyBoltErr(berr), Hint: hintFor(classifyBoltErr(berr))}
		}
		held, herr := file.Stat()
		now, nerr := os.Stat(path)
		if herr == nil && nerr == nil && os.SameFile(held, now) {
			// bbolt grows the file 16 MiB at a time by default, so a
			// file ends up to 16 MiB larger than what it holds: at a
			// million leads, most of the run-to-run spread of the
			// file's size against its CSV (1.47-1.53 times, where the
			// target is 1.5). Growing it 1 MiB at a time cost nothing
			// measurable in such an import (one more ftruncate and
			// fsync per MiB).
			db.AllocSize = allocSize
			return db, held, nil
		}
		db.Close()
		if nerr != nil || time.Now().After(deadline) {
			return nil, nil, &OpenError{Path: path, Err: ErrInUse, Hint: hintFor(ErrInUse)}
		}
	}
}

// sniffHeader rejects files that are plainly not bbolt before bbolt sees
// them, so a CSV passed by mistake gets a clear answer.
func sniffHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return errors.New("not readable")
	}
	defer f.Close()
	var page [64]byte
	n, _ := f.Read(page[:])
	if n < 32 {
		return ErrNotDatabase
	}
	// The bbolt meta page holds its magic at offset 16 (page header) + 0.
	if isMetaPage(page[:]) {
		return nil
	}
	// The first meta page may be damaged while the second, one page
	// further, is whole: that file is a damaged database, which salvage
	// can read, not someone else's file. The page size is unknown here.
	for ps := int64(4 << 10); ps <= 64<<10; ps *= 2 {
		if n, _ := f.ReadAt(page[:], ps); n == len(page) && isMetaPage(page[:]) {
			return nil
		}
	}
	return ErrNotDatabase
}

// isMetaPage reports a bbolt meta page: the meta flag in the page header
// and the magic number after it.
func isMetaPage(p []byte) bool {
	const metaFlag = 0x04
	return binary.LittleEndian.Uint16(p[8:10])&metaFlag != 0 && binary.LittleEndian.Uint32(p[16:20]) == 0xED0CDAED
}

func classifyBoltErr(err error) error {
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return ErrInUse
	case errors.Is(err, bolterrors.ErrInvalid), errors.Is(err, bolterrors.ErrVersionMismatch):
		return ErrNotDatabase
	case errors.Is(err, bolterrors.ErrChecksum), errors.Is(err, bolterrors.ErrInvalidMapping):
		return ErrDamaged
	case errors.Is(err, fs.ErrPermission):
		return errors.New("not accessible (permission denied)")
	}
	return ErrDamaged
}

func hintFor(err error) string {
	switch {
	case errors.Is(err, ErrInUse):
		return "close the other leads (inbox, import or sync) and try again"
	case errors.Is(err, ErrNotDatabase):
		return "the file was left as it was; choose a leads database with --db or LEADS_DB"
	case errors.Is(err, ErrDamaged):
		return "the file was left as it was; run 'leads salvage' to copy what is readable into a new file, or restore a 'leads backup' copy"
	}
	return ""
}

// init checks the meta bucket and brings the schema up to date in one
// transaction, so a failed migration leaves the old version intact.
func (s *Store) init(readOnly bool) error {
	var version int
	var isNew bool
	err := s.db.View(func(tx *bolt.Tx) error {
		m := tx.Bucket(bMeta)
		if m == nil {
			isNew = isEmptyDB(tx)
			if !isNew {
				return &OpenError{Path: s.path, Err: ErrNotDatabase, Hint: hintFor(ErrNotDatabase)}
			}
			return nil
		}
		if string(m.Get(kApp)) != appName {
			return &OpenError{Path: s.path, Err: ErrNotDatabase, Hint: hintFor(ErrNotDatabase)}
		}
		v, err := strconv.Atoi(string(m.Get(kSchema)))
		if err != nil {
			return &OpenError{Path: s.path, Err: ErrDamaged, Hint: hintFor(ErrDamaged)}
		}
		version = v
		return nil
	})
	if err != nil {
		return err
	}
	latest := latestSchema()
	if version > latest {
		return &OpenError{Path: s.path, Err: ErrNewerSchema,
			Hint: fmt.Sprintf("schema %d, this leads knows up to %d; install a newer leads", version, latest)}
	}
	if version < latest {
		if readOnly {
			if isNew {
				return &OpenError{Path: s.path, Err: ErrNotFound, Hint: "import leads first with 'leads import FILE'"}
			}
			return &OpenError{Path: s.path, Err: errors.New("from an older version of leads"),
				Hint: "run any command that writes (e.g. 'leads import') to upgrade it"}
		}
		if !isNew && !s.noMigrationBackup {
			// An upgrade rewrites the user's data; keep a copy of the
			// old version next to it first, so a bad migration or a
			// downgrade has somewhere to go back to.
			if err := s.backupBeforeMigration(version); err != nil {
				return err
			}
		}
		if err := s.migrate(version); err != nil {
			return err
		}
	}
	return s.loadDict()
}

func isEmptyDB(tx *bolt.Tx) bool {
	empty := true
	_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		empty = false
		return errStopIterator
	})
	return empty
}

// migration moves the schema from version-1 to version.
type migration struct {
	version int
	name    string
	apply   func(s *Store, tx *bolt.Tx) error
}

// migrations are applied in order; each runs once, all pending ones in a
// single transaction.
var migrations = []migration{
	{1, "create buckets", func(_ *Store, tx *bolt.Tx) error {
		for _, b := range [][]byte{bMeta, bDict, bLeads, bLeadIDs, bContacts, bContactIDs,
			bSync, bForgotten, bTriage, bHistory} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return tx.Bucket(bMeta).Put(kApp, []byte(appName))
	}},
	{2, "ID indexes as logs of sorted runs", func(_ *Store, tx *bolt.Tx) error {
		for _, p := range [][2][]byte{{bLeadIDs, bLeadIdx}, {bContactIDs, bContactIdx}} {
			dst, err := tx.CreateBucketIfNotExists(p[1])
			if err != nil {
				return err
			}
			src := tx.Bucket(p[0])
			if src == nil {
				continue
			}
			// The old B-tree is already in key order: it becomes the first run.
			var run []byte
			if err := src.ForEach(func(k, v []byte) error {
				if len(k) != 8 || len(v) != 8 {
					return fmt.Errorf("index entry of %d/%d bytes: %w", len(k), len(v), errCorrupt)
				}
				run = append(append(run, k...), v...)
				return nil
			}); err != nil {
				return err
			}
			if len(run) > 0 {
				if err := dst.Put(u64(1), run); err != nil {
					return err
				}
				if err := dst.SetSequence(1); err != nil {
					return err
				}
			}
			if err := tx.DeleteBucket(p[0]); err != nil {
				return err
			}
		}
		return nil
	}},
	// Schema 3 stores new leads in blocks (see leadblock.go). Single
	// values stay valid, so there is nothing to rewrite; the step only
	// stops an older leads, which would take a block for damage, from
	// opening the file.
	{3, "leads stored in blocks", func(*Store, *bolt.Tx) error { return nil }},
	// Schema 4 keys the dictionary by code, so that a name of any length
	// has a place, and rebuilds every contact: see refoldContacts.
	{4, "dictionary keyed by code; one identity per address", func(s *Store, tx *bolt.Tx) error {
		if err := dictByCode(tx); err != nil {
			return err
		}
		return refoldContacts(s, tx, time.Now().UTC())
	}},
	// Schema 5 writes each contact's digest with the (source, action,
	// offer) of every lead, so that filters on them match within one
	// lead, and its search text with diacritics folded: both are built
	// from the leads, so every contact is rebuilt from them again.
	{5, "lead combinations in digests; search text without diacritics", func(s *Store, tx *bolt.Tx) error {
		return refoldContacts(s, tx, time.Now().UTC())
	}},
	// Schema 6 keeps the rank column (rankcol.go) beside the contacts, so
	// that the inbox ranks every contact and draws its first frame
	// without decoding every digest. It also stops an older leads, which
	// would write contacts without it, from opening the file.
	{6, "rank column", func(_ *Store, tx *bolt.Tx) error { return buildRankColumn(tx) }},
}

// dictByCode moves the dictionary of schema 3 and older (kind:name ->
// 2-byte code) into the code-keyed bucket. Codes keep their numbers: every
// contact record refers to them.
func dictByCode(tx *bolt.Tx) error {
	dst, err := tx.CreateBucketIfNotExists(bCodes)
	if err != nil {
		return err
	}
	old := tx.Bucket(bDict)
	if old == nil {
		return nil
	}
	var last uint64
	if err := old.ForEach(func(k, v []byte) error {
		if len(v) != 2 || bytes.IndexByte(k, ':') < 0 {
			return fmt.Errorf("dictionary entry of %d bytes: %w", len(v), errCorrupt)
		}
		code := uint64(binary.BigEndian.Uint16(v))
		if code == 0 {
			return nil
		}
		last = max(last, code)
		var key [4]byte
		binary.BigEndian.PutUint32(key[:], uint32(code))
		return dst.Put(key[:], k)
	}); err != nil {
		return err
	}
	// A code whose entry an over-long name kept out of the old bucket may
	// be handed out again: refoldContacts writes every contact anew, so no
	// record refers to it any more.
	if err := dst.SetSequence(last); err != nil {
		return err
	}
	return tx.DeleteBucket(bDict)
}

// latestSchema is the version the migrations lead to; SchemaVersion names
// it for callers, and a test checks the two agree.
func latestSchema() int { return migrations[len(migrations)-1].version }

func (s *Store) migrate(from int) error {
	s.idx.mu.Lock()
	defer s.idx.mu.Unlock()
	s.idx.invalidate()
	return s.db.Update(func(tx *bolt.Tx) error {
		for _, m := range migrations {
			if m.version <= from {
				continue
			}
			if err := m.apply(s, tx); err != nil {
				return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
			}
			if err := tx.Bucket(bMeta).Put(kSchema, []byte(strconv.Itoa(m.version))); err != nil {
				return err
			}
		}
		return nil
	})
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Close releases the file and its lock.
func (s *Store) Close() error {
	// A count in the background stops rather than keep Close waiting.
	s.closing.Store(true)
	return s.db.Close()
}

// Check walks every page of the file and returns the problems found, as
// bbolt's consistency check reports them.
func (s *Store) Check() error {
	return s.db.View(func(tx *bolt.Tx) error {
		var errs []error
		for e := range tx.Check() {
			errs = append(errs, e)
		}
		if len(errs) == 0 {
			// The pages are sound: the rank column must say what the
			// contacts say.
			errs = append(errs, checkRankColumn(tx))
		}
		return errors.Join(errs...)
	})
}

// LastTestLead returns when the newest Microsoft test lead was created, or
// the zero time if none has arrived.
func (s *Store) LastTestLead() (time.Time, error) {
	var t time.Time
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bMeta).Get(kLastTest); len(v) == 8 {
			t = time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()
		}
		return nil
	})
	return t, err
}

func oneLine(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// pageSize is the page size of new database files. Large pages mean far
// fewer write calls and node splits during an import of a million leads;
// existing files keep the size they were made with.
//
// 32 KiB rather than 64: bbolt writes a page with one call, and Linux puts
// a write of 64 KiB into one 64 KiB block of the page cache, which the
// kernel must find in one piece; up to 32 KiB it takes memory from the
// small blocks it has just freed. On a virtual machine that hands idle
// memory back to its host, a piece that large is often memory the host
// took back, and every page of it is slow to fill for the first time: a
// first import of 1,000,000 leads spent 1.1 s more in the kernel copying
// its writes with 64 KiB pages (3.9-4.4 s in all), and took 3.3-3.6 s
// with 32 KiB pages, beside sqlite3 at 3.5-3.6 s (.ci/bench/import.sh).
// Where memory is plentiful, 32 KiB costs about 0.1 s more than 64 KiB.
var pageSize = 32 << 10

// allocSize is how much bbolt grows the file by when it needs room.
const allocSize = 1 << 20

// setHeld records which file bbolt has open.
func (s *Store) setHeld(fi os.FileInfo) {
	s.mu.Lock()
	s.held = fi
	s.mu.Unlock()
}

// holds reports whether f is the file bbolt has open.
func (s *Store) holds(f *os.File) bool {
	fi, err := f.Stat()
	s.mu.Lock()
	held := s.held
	s.mu.Unlock()
	return err == nil && held != nil && os.SameFile(fi, held)
}
