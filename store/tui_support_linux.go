package store

import "syscall"

// releaseMapped drops the resident pages of the read-only file mapping at
// data; see ReleaseMapped. It goes through the raw system call because
// bbolt gives the mapping's address only as a uintptr.
func releaseMapped(data uintptr, size int64) {
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, data, uintptr(size), syscall.MADV_DONTNEED)
}
