package store

import (
	"os"
	"slices"
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

// recordPlaces remembers where in the file's mapping the pass that sorts
// a listing found each contact's record, by the contact's key, so that
// the listing's parts take the record from there rather than look it up
// in the B-tree again: in an order unrelated to the file's, each lookup
// walks to a page no recent lookup read, about a fifth of the listing's
// CPU. It costs 8 bytes for every key up to the highest, so it gives up
// where most keys are unused (many contacts merged or forgotten).
type recordPlaces struct {
	data, size uintptr
	base       unsafe.Pointer // the first record noted, which the others are found from
	baseAt     uintptr        // its offset in the mapping
	at         []uint64       // by key: the record's offset in the mapping << placeBits | its length; 0 for not noted
	seen       int            // the contacts noted
	off        bool           // gave up
}

// placeBits is how many bits of a place hold the record's length; a
// longer record, or one beyond 2⁴⁰ bytes, is looked up in the B-tree.
const placeBits = 24

// newRecordPlaces notes places in the first size bytes of the mapping at
// data, with room for keys up to last (the highest key given out) made
// at once, up to a million of them, rather than grown and copied.
func newRecordPlaces(data uintptr, size int64, last uint64) *recordPlaces {
	return &recordPlaces{data: data, size: uintptr(size), at: make([]uint64, 0, min(last+1, 1<<20))}
}

// note remembers where v, the record of contact seq, lies. The keys must
// come in rising order.
func (r *recordPlaces) note(seq uint64, v []byte) {
	if r.off {
		return
	}
	r.seen++
	if seq >= uint64(len(r.at)) {
		if seq >= 1<<31 || seq > 2*uint64(r.seen)+1024 {
			r.off, r.at = true, nil
			return
		}
		r.at = slices.Grow(r.at, int(seq)+1-len(r.at))
		r.at = r.at[:seq+1] // the keys skipped are 0: not noted
	}
	if len(v) == 0 || len(v) >= 1<<placeBits {
		return
	}
	p := unsafe.Pointer(unsafe.SliceData(v))
	at := uintptr(p) - r.data
	if uintptr(p) < r.data || at >= r.size || at >= 1<<(64-placeBits) {
		return
	}
	if r.base == nil {
		r.base, r.baseAt = p, at
	}
	r.at[seq] = uint64(at)<<placeBits | uint64(len(v))
}

// record returns the record of contact seq where note found it, or nil
// if it was not noted. The mapping must be the one note saw: the same
// read transaction.
func (r *recordPlaces) record(seq uint64) []byte {
	if seq >= uint64(len(r.at)) || r.at[seq] == 0 {
		return nil
	}
	place := r.at[seq]
	at, n := uintptr(place>>placeBits), int(place&(1<<placeBits-1))
	return unsafe.Slice((*byte)(unsafe.Add(r.base, int(at)-int(r.baseAt))), n)
}
