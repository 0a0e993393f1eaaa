package store

import (
	"os"
	"unsafe"
)

// readPages remembers which part of a listing last read each page of the
// file's mapping, so that the listing drops from its resident set only
// the pages that no part still being decoded reads and that no recent
// part read. Dropping every page every few parts, as the listing once
// did, cost nothing when the listing's order follows the file (a part's
// records lie together, and the next part reads other pages), but when
// the order is unrelated to the file (`leads gen`'s own order, where a
// person's leads are written together and listed by their last
// activity), every part reads pages all over the file, and each drop had
// the next parts map the whole file again: a third more CPU. Pages that
// parts keep reading now stay mapped; the resident set is then the file's
// size, as it was before the next drop anyway.
type readPages struct {
	data uintptr  // the mapping's address
	size uintptr  // the bytes of it this listing reads
	page uintptr  // the system's page size
	last []uint32 // per page, the part (from 1) that read it last; 0 for none since it was dropped
}

// newReadPages tracks the first size bytes of the mapping at data.
func newReadPages(data uintptr, size int64) *readPages {
	page := uintptr(os.Getpagesize())
	n := (uintptr(size) + page - 1) / page
	return &readPages{data: data, size: uintptr(size), page: page, last: make([]uint32, n)}
}

// read notes that part read b, a slice of the mapping. A slice from
// elsewhere (a value bbolt copied) is ignored.
func (r *readPages) read(b []byte, part uint32) {
	if len(b) == 0 {
		return
	}
	at := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	if at < r.data || at-r.data >= r.size {
		return
	}
	first := (at - r.data) / r.page
	end := min((at-r.data+uintptr(len(b))-1)/r.page+1, uintptr(len(r.last)))
	for i := first; i < end; i++ {
		r.last[i] = part
	}
}

// releaseRun is the fewest pages in a row that release drops: dropping a
// page among pages still read is no saving, since the kernel maps a
// faulting page's neighbours with it (16 pages around it by default), and
// each call costs a system call and flushing the other cores' address
// caches, which over a scattered order's many short runs cost more than
// all the page faults saved.
const releaseRun = 32

// release drops the runs of at least releaseRun pages whose last reader
// is a part before before (pages no part read since the last drop count
// as such too, so that the runs are not cut by pages the sort pass read),
// and forgets them.
func (r *readPages) release(before uint32) {
	start, read := -1, false // the run so far: its first page, and whether a part read any of it
	for i, p := range r.last {
		if p < before {
			if start < 0 {
				start, read = i, false
			}
			read = read || p != 0
			continue
		}
		if start >= 0 {
			r.drop(start, i, read)
			start = -1
		}
	}
	if start >= 0 {
		r.drop(start, len(r.last), read)
	}
}

// drop releases pages [from, to) of the mapping, when they are enough
// and some part read them, and forgets them.
func (r *readPages) drop(from, to int, read bool) {
	if to-from < releaseRun || !read {
		return
	}
	clear(r.last[from:to])
	releaseMapped(r.data+uintptr(from)*r.page, int64(uintptr(to-from)*r.page))
}
