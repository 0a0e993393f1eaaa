package store

import "syscall"

// releaseMapped drops the resident pages of the read-only file mapping at
// data; see ReleaseMapped. It goes through the raw system call because
// bbolt gives the mapping's address only as a uintptr.
func releaseMapped(data uintptr, size int64) {
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, data, uintptr(size), syscall.MADV_DONTNEED)
}

// madvPopulateRead asks the kernel to map a range's pages now, in one
// call, rather than one fault at a time as a scan touches them (Linux
// 5.14 and later; older kernels refuse it and the scan faults as before).
const madvPopulateRead = 22

// populateMapped maps the pages of the file mapping at data ahead of a
// scan of the whole file, half on each of two goroutines: a page fault
// costs more than decoding the records on it.
func populateMapped(data uintptr, size int64) {
	const page = 4096
	half := uintptr(size/2) &^ (page - 1)
	done := make(chan struct{})
	go func() {
		_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, data+half, uintptr(size)-half, madvPopulateRead)
		close(done)
	}()
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, data, half, madvPopulateRead)
	<-done
}
