package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// This file reads the bbolt page tree with plain reads instead of bbolt's
// memory map. bbolt trusts its file: a truncated file or an overwritten
// page makes it touch memory past the end of the file (SIGBUS) or fail an
// assertion in a goroutine of its own (it walks every page on each
// writable open to rebuild the free list). Neither can be recovered, so the
// process dies with a stack trace. Walking the tree here first, with every
// offset checked against the page it came from, turns such files into an
// ErrDamaged before bbolt sees them; salvage uses the same walk to read
// whatever leaves are still intact.

// The on-disk layout of bbolt 1.x (go.etcd.io/bbolt/internal/common).
const (
	pgHeaderSize  = 16 // id u64, flags u16, count u16, overflow u32
	pgElemSize    = 16 // leaf: flags, pos, ksize, vsize (u32); branch: pos, ksize (u32), pgid (u64)
	pgBranch      = 0x01
	pgLeaf        = 0x02
	pgMeta        = 0x04
	pgFreelist    = 0x10
	leafBucket    = 0x01
	bucketHdrSize = 16 // root pgid u64, sequence u64
	boltMagic     = 0xED0CDAED
	noFreelist    = ^uint64(0)
	// maxDepth bounds the recursion: a real tree of 32 KiB pages is a
	// handful of levels deep; a loop in damaged pages must not recurse
	// forever.
	maxDepth = 64
)

// metaInfo is the meta page bbolt would pick: the valid one with the
// higher transaction ID.
type metaInfo struct {
	pageSize uint32
	root     uint64
	freelist uint64
	hwm      uint64 // high-water mark: pages at or above it are unused
	txid     uint64
}

var errNoMeta = errors.New("no valid meta page")

// readMeta returns the newest valid meta page of a bbolt file.
func readMeta(f io.ReaderAt) (metaInfo, error) {
	var best metaInfo
	found := false
	try := func(off int64) (uint32, bool) {
		var b [pgHeaderSize + 64]byte
		if _, err := f.ReadAt(b[:], off); err != nil {
			return 0, false
		}
		m := b[pgHeaderSize:]
		le := binary.LittleEndian
		if le.Uint16(b[8:]) != pgMeta || le.Uint32(m[0:]) != boltMagic || le.Uint32(m[4:]) != 2 {
			return 0, false
		}
		h := fnv.New64a()
		h.Write(m[:56])
		if h.Sum64() != le.Uint64(m[56:]) {
			return le.Uint32(m[8:]), false
		}
		mi := metaInfo{pageSize: le.Uint32(m[8:]), root: le.Uint64(m[16:]), freelist: le.Uint64(m[32:]),
			hwm: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}
		if !found || mi.txid > best.txid {
			best, found = mi, true
		}
		return mi.pageSize, true
	}
	ps, _ := try(0)
	// Meta page 1 sits one page in; if meta 0 is unreadable, its page size
	// may still be right, else try the sizes bbolt files commonly use.
	sizes := []uint32{ps, uint32(pageSize), 4096, 16384, 32768, 65536}
	for _, s := range sizes {
		if s >= 1024 && s <= 1<<20 && s&(s-1) == 0 {
			if _, ok := try(int64(s)); ok {
				break
			}
		}
	}
	if !found {
		return best, errNoMeta
	}
	return best, nil
}

// pageReader reads and checks pages of one file.
type pageReader struct {
	f       io.ReaderAt
	meta    metaInfo
	size    int64
	visited map[uint64]bool
}

// page reads page id and checks its header. With full unset it reads only
// the header and the element array: the checks need no more, and skipping
// the keys and values makes the walk read a few percent of the file.
// span is the size of the page with its overflow pages.
func (r *pageReader) page(id uint64, full bool) (buf []byte, span int, err error) {
	ps := int64(r.meta.pageSize)
	if id < 2 || id >= r.meta.hwm {
		return nil, 0, fmt.Errorf("page %d: out of bounds", id)
	}
	if r.visited[id] {
		return nil, 0, fmt.Errorf("page %d: referenced twice", id)
	}
	r.visited[id] = true
	var h [pgHeaderSize]byte
	if _, err := r.f.ReadAt(h[:], int64(id)*ps); err != nil {
		return nil, 0, fmt.Errorf("page %d: %w", id, err)
	}
	le := binary.LittleEndian
	overflow := uint64(le.Uint32(h[12:]))
	if le.Uint64(h[0:]) != id || id+overflow >= r.meta.hwm {
		return nil, 0, fmt.Errorf("page %d: bad header", id)
	}
	span = int((1 + int64(overflow)) * ps)
	n := span
	if !full {
		n = min(span, pgHeaderSize+int(le.Uint16(h[10:]))*pgElemSize)
	}
	buf = make([]byte, n)
	if _, err := r.f.ReadAt(buf, int64(id)*ps); err != nil {
		return nil, 0, fmt.Errorf("page %d: %w", id, err)
	}
	for i := uint64(1); i <= overflow; i++ {
		r.visited[id+i] = true
	}
	return buf, span, nil
}

// full reads the whole of a page already checked by page.
func (r *pageReader) full(id uint64, span int) ([]byte, error) {
	buf := make([]byte, span)
	if _, err := r.f.ReadAt(buf, int64(id)*int64(r.meta.pageSize)); err != nil {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	return buf, nil
}

// kvFunc receives one key/value of a leaf; path names the buckets above it
// (empty for the top-level bucket names themselves).
type kvFunc func(path [][]byte, k, v []byte)

// walker walks a bucket tree. With lenient set it skips damaged subtrees
// and counts them instead of stopping, which is what salvage wants.
type walker struct {
	r       *pageReader
	lenient bool
	damaged int
	fn      kvFunc
}

func (w *walker) fail(err error) error {
	if w.lenient {
		w.damaged++
		return nil
	}
	return err
}

// bucket walks the tree rooted at page root (or the inline page).
func (w *walker) tree(path [][]byte, root uint64, inline []byte, depth int) error {
	if depth > maxDepth {
		return w.fail(errors.New("tree too deep"))
	}
	if inline != nil {
		return w.node(path, inline, len(inline), 0, depth)
	}
	buf, span, err := w.r.page(root, w.fn != nil)
	if err != nil {
		return w.fail(err)
	}
	return w.node(path, buf, span, root, depth)
}

// node checks one branch or leaf page and descends. buf holds at least the
// header and the element array; span is the page's full size, against
// which every offset is checked. id is 0 for an inline page (always
// whole).
func (w *walker) node(path [][]byte, buf []byte, span int, id uint64, depth int) error {
	le := binary.LittleEndian
	if len(buf) < pgHeaderSize {
		return w.fail(errors.New("short page"))
	}
	flags, count := le.Uint16(buf[8:]), int(le.Uint16(buf[10:]))
	if pgHeaderSize+count*pgElemSize > min(len(buf), span) {
		return w.fail(fmt.Errorf("page %d: %d elements do not fit", le.Uint64(buf), count))
	}
	if flags == pgLeaf && len(buf) < span {
		// Values are needed only to descend into sub-buckets.
		for i := range count {
			if le.Uint32(buf[pgHeaderSize+i*pgElemSize:])&leafBucket != 0 {
				full, err := w.r.full(id, span)
				if err != nil {
					return w.fail(err)
				}
				buf = full
				break
			}
		}
	}
	switch flags {
	case pgBranch:
		for i := range count {
			o := pgHeaderSize + i*pgElemSize
			pos, ksize := int(le.Uint32(buf[o:])), int(le.Uint32(buf[o+4:]))
			if o+pos+ksize > span || o+pos+ksize < o {
				if err := w.fail(fmt.Errorf("page %d: branch key outside the page", le.Uint64(buf))); err != nil {
					return err
				}
				continue
			}
			if err := w.tree(path, le.Uint64(buf[o+8:]), nil, depth+1); err != nil {
				return err
			}
		}
	case pgLeaf:
		for i := range count {
			o := pgHeaderSize + i*pgElemSize
			ef, pos := le.Uint32(buf[o:]), int(le.Uint32(buf[o+4:]))
			ksize, vsize := int(le.Uint32(buf[o+8:])), int(le.Uint32(buf[o+12:]))
			end := o + pos + ksize + vsize
			if ef&^leafBucket != 0 || end > span || end < o || ksize < 0 || vsize < 0 {
				if err := w.fail(fmt.Errorf("page %d: leaf element outside the page", le.Uint64(buf))); err != nil {
					return err
				}
				continue
			}
			if ef&leafBucket == 0 {
				if w.fn != nil && end <= len(buf) {
					w.fn(path, buf[o+pos:o+pos+ksize], buf[o+pos+ksize:end])
				}
				continue
			}
			k, v := buf[o+pos:o+pos+ksize], buf[o+pos+ksize:end]
			if len(v) < bucketHdrSize {
				if err := w.fail(errors.New("short bucket header")); err != nil {
					return err
				}
				continue
			}
			if w.fn != nil {
				w.fn(path, k, nil)
			}
			sub := append(append([][]byte(nil), path...), k)
			root := le.Uint64(v)
			var inline []byte
			if root == 0 {
				inline = v[bucketHdrSize:]
			}
			if err := w.tree(sub, root, inline, depth+1); err != nil {
				return err
			}
		}
	default:
		return w.fail(fmt.Errorf("page %d: not a branch or leaf page", le.Uint64(buf)))
	}
	return nil
}

// verifyFile walks every reachable page of a bbolt file with checked
// reads and returns ErrDamaged (wrapped with what was wrong) at the first
// problem. It reads each page's header and element array, not the keys and
// values: a small fraction of the file (with a warm page cache, about 60 ms
// for a million leads; reading whole pages took 170 ms for 200,000), in
// exchange for never handing bbolt a file that would crash it.
func verifyFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return verifyReader(f, fi.Size())
}

// verifyReader is verifyFile on any reader of size bytes.
func verifyReader(f io.ReaderAt, size int64) error {
	m, err := readMeta(f)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	if int64(m.hwm)*int64(m.pageSize) > size {
		return fmt.Errorf("%w: the file is shorter than its own page count (truncated)", ErrDamaged)
	}
	r := &pageReader{f: f, meta: m, size: size, visited: map[uint64]bool{}}
	if m.freelist != noFreelist {
		buf, _, err := r.page(m.freelist, false)
		if err != nil || binary.LittleEndian.Uint16(buf[8:]) != pgFreelist {
			return fmt.Errorf("%w: bad free list page", ErrDamaged)
		}
	}
	w := &walker{r: r}
	if err := w.tree(nil, m.root, nil, 0); err != nil {
		return fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	return nil
}
