package store

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// openUnnamed opens a new file in dir that has no name (O_TMPFILE): if
// the process dies before linkUnnamed, the kernel frees it. Its Name is a
// /proc path, so it can be opened again (by the backup's checks) while it
// is written.
func openUnnamed(dir string) (*os.File, error) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), "/proc/self/fd/"+strconv.Itoa(fd)), nil
}

// linkUnnamed gives an O_TMPFILE file the name n.
func linkUnnamed(f *os.File, n string) error {
	return unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(int(f.Fd())), unix.AT_FDCWD, n, unix.AT_SYMLINK_FOLLOW)
}
