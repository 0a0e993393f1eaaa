package mailbox

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/leads-inbox/leads/store/safetext"
)

// Maildir reads a Maildir folder (cur/ and new/, as mbsync, offlineimap
// and the delivery agents keep it) strictly read-only: it never renames a
// file, never sets a flag and never writes into the folder, so the rep's
// mail program sees the folder as it left it.
//
// The cursor: a Maildir has no UIDs, but each message's file name starts
// with a unique part that stays the same while a mail program moves the
// file from new/ to cur/ and changes its flags (the part after ":2,").
// The cursor keeps
//
//   - the modification times of new/ and cur/: when both are unchanged,
//     no file was added, removed or renamed, and a scan lists nothing and
//     opens nothing; and
//   - the sorted set of 64-bit FNV-1a hashes of the unique names present
//     at the last scan: when a directory changed, a scan lists it
//     (names only) and opens just the files whose name is not in the set.
//
// That is 8 bytes a message, whatever the names' length: 800 KB in the
// cursor for a folder of 100,000 messages, and the same in memory while a
// scan runs (plus a map of the names new in this scan). Names of removed
// messages leave the set at the next scan, so it follows the folder's
// size and never grows beyond it. Two names sharing a hash (odds about
// 1 in 10^9 at 100,000 messages, and names are chosen by the delivery
// agent, not by a sender) would hide one message; a rescan from scratch
// (forgetting the cursor) finds it, and the Message-ID record makes
// that harmless.
//
// A directory time within a couple of seconds of the scan is not trusted:
// a message delivered in the same clock tick as the last change would
// leave the time as it was, so such a time is saved as unknown and the
// next scan lists the directory again.
type Maildir struct {
	dir string
	// Warn receives a line for a message file that could not be opened;
	// it is skipped, and tried again when the folder next changes.
	Warn func(string)
	// open opens a message file; tests count the opens through it.
	open func(string) (io.ReadCloser, error)
	now  func() time.Time
}

// NewMaildir returns the Maildir folder at dir as a Source. It does not
// touch the folder: a folder that is missing is found by Scan.
func NewMaildir(dir string) (*Maildir, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("mail folder %s: %v", safetext.Clean(dir), err)
	}
	return &Maildir{dir: abs, Warn: func(string) {},
		open: openMessage,
		now:  time.Now}, nil
}

// ID names the folder by its absolute path.
func (m *Maildir) ID() string { return "maildir:" + m.dir }

// Close releases nothing: a Maildir holds no open file between scans.
func (m *Maildir) Close() error { return nil }

// String is the folder as the rep named it, for messages.
func (m *Maildir) String() string { return m.dir }

// errNotAFile is a name that no longer holds a regular file when it is
// opened (it did when the folder was listed).
var errNotAFile = errors.New("not a regular file (a link, FIFO or device put in its place)")

// cursorMagic starts a Maildir cursor, with its format's version.
const cursorMagic = "LMD1"

// racyWindow is how recent a directory time must be to be distrusted.
const racyWindow = 2 * time.Second

// Scan calls fn for each message in new/ and cur/ whose unique name was
// not there at the last scan, in directory order (a scan records each
// reply at its own date, so the order does not matter).
func (m *Maildir) Scan(ctx context.Context, cursor []byte, fn func(key string, r io.Reader) error) ([]byte, error) {
	old, mtimes, valid := decodeCursor(cursor)
	dirs := [2]string{filepath.Join(m.dir, "new"), filepath.Join(m.dir, "cur")}
	var now [2]int64
	for i, d := range dirs {
		fi, err := os.Stat(d)
		if err == nil && !fi.IsDir() {
			err = errors.New("not a directory")
		}
		if err != nil {
			return nil, m.gone(err)
		}
		now[i] = fi.ModTime().UnixNano()
	}
	if valid && mtimes[0] != 0 && mtimes[1] != 0 && mtimes == now {
		return cursor, nil
	}
	cutoff := m.now().Add(-racyWindow).UnixNano()
	for i := range now {
		if now[i] > cutoff {
			now[i] = 0
		}
	}
	present := make([]uint64, 0, len(old)+16)
	fresh := map[uint64]bool{} // read in this scan (a file moved from new/ to cur/ while listing is read once)
	for _, d := range dirs {
		err := listDir(ctx, d, func(name string) error {
			key := uniqueName(name)
			h := nameHash(key)
			if _, found := slices.BinarySearch(old, h); found || fresh[h] {
				present = append(present, h)
				return nil
			}
			f, err := m.open(filepath.Join(d, name))
			if errors.Is(err, fs.ErrNotExist) {
				return nil // moved by the mail program meanwhile: found where it went at the next scan
			}
			if err != nil {
				m.Warn(fmt.Sprintf("%s: skipped %s: %v", safetext.Clean(m.dir), safetext.Clean(name), cleanErr(err)))
				return nil
			}
			err = fn(key, f)
			if cerr := f.Close(); err == nil && cerr != nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			fresh[h] = true
			present = append(present, h)
			return nil
		})
		if err != nil {
			// What was read stays read; what was there before stays
			// known; the times are unknown, so the next scan lists again.
			partial := append(present, old...)
			return encodeCursor(partial, [2]int64{}), m.failed(err)
		}
	}
	return encodeCursor(present, now), nil
}

// gone is the one-line error for a folder that is not there (any more).
func (m *Maildir) gone(err error) error {
	return fmt.Errorf("mail folder %s cannot be read (%s): check [mail] maildir in the config, or that the disk holding it is mounted",
		safetext.Clean(m.dir), cleanErr(err))
}

func (m *Maildir) failed(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return m.gone(err)
	}
	return err
}

func cleanErr(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is said once, by the caller
	}
	return safetext.Clean(err.Error())
}

// listDir calls fn for each regular file in dir, reading the directory a
// batch of names at a time so that a folder of any size lists in bounded
// memory. Dot files are the mail program's own; FIFOs, devices and
// symbolic links are not messages (a FIFO would block the open forever).
func listDir(ctx context.Context, dir string, fn func(name string) error) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	for {
		ents, err := f.ReadDir(512)
		for _, e := range ents {
			if err := ctx.Err(); err != nil {
				return err
			}
			if strings.HasPrefix(e.Name(), ".") || !e.Type().IsRegular() {
				continue
			}
			if err := fn(e.Name()); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// uniqueName is a Maildir file name without its info part (":2,FLAGS",
// or ";2," and "!2," where a file system forbids the colon).
func uniqueName(name string) string {
	for _, sep := range []string{":2,", ";2,", "!2,"} {
		if i := strings.LastIndex(name, sep); i > 0 {
			return name[:i]
		}
	}
	return name
}

func nameHash(key string) uint64 {
	h := fnv.New64a()
	_, _ = io.WriteString(h, key)
	return h.Sum64()
}

// encodeCursor writes the magic, the two directory times and the sorted,
// deduplicated name hashes.
func encodeCursor(hashes []uint64, mtimes [2]int64) []byte {
	slices.Sort(hashes)
	hashes = slices.Compact(hashes)
	out := make([]byte, 0, len(cursorMagic)+16+8*len(hashes))
	out = append(out, cursorMagic...)
	out = binary.BigEndian.AppendUint64(out, uint64(mtimes[0]))
	out = binary.BigEndian.AppendUint64(out, uint64(mtimes[1]))
	for _, h := range hashes {
		out = binary.BigEndian.AppendUint64(out, h)
	}
	return out
}

// decodeCursor reads a cursor; one it cannot read (none, or another
// format) counts as none, and the scan reads the folder whole, which the
// Message-ID record makes harmless.
func decodeCursor(c []byte) ([]uint64, [2]int64, bool) {
	var mt [2]int64
	if len(c) < len(cursorMagic)+16 || string(c[:len(cursorMagic)]) != cursorMagic || (len(c)-len(cursorMagic)-16)%8 != 0 {
		return nil, mt, false
	}
	c = c[len(cursorMagic):]
	mt[0] = int64(binary.BigEndian.Uint64(c))
	mt[1] = int64(binary.BigEndian.Uint64(c[8:]))
	c = c[16:]
	hashes := make([]uint64, len(c)/8)
	for i := range hashes {
		hashes[i] = binary.BigEndian.Uint64(c[8*i:])
	}
	if !slices.IsSorted(hashes) {
		slices.Sort(hashes)
	}
	return hashes, mt, true
}
