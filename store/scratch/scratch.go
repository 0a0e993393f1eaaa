// Package scratch keeps the temporary files leads writes (the editor's
// copy of a draft, the demo's database) in one private directory per user,
// so that none of them is readable by others, each is removed when it is
// no longer needed, and the ones a killed process left behind are found
// and removed by the next leads that starts.
//
// The directory is $XDG_RUNTIME_DIR/leads when that is set (a per-user
// directory the login manager empties at logout), else leads-UID in the
// system's temporary directory. Every entry is named KIND-PID-RANDOM, so a
// later process can tell whether the one that made it is still running.
package scratch

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Dir returns the private directory, creating it (mode 0700) when
// missing. An existing one is used only if it is a real directory (not a
// link) owned by this user and closed to others: in a shared /tmp anyone
// may create the name first, and writing a person's data into a directory
// someone else controls would hand it to them. getenv is os.Getenv in
// production.
func Dir(getenv func(string) string) (string, error) {
	dir := path(getenv)
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("cannot create the private directory %s for temporary files (%v): set TMPDIR to a directory you can write", dir, unwrap(err))
	}
	if err := checkPrivate(dir); err != nil {
		return "", err
	}
	return dir, nil
}

// Existing returns the private directory if it already exists and is
// ours, without creating it: sweeping leftovers must not leave a new
// directory behind on every run.
func Existing(getenv func(string) string) (string, bool) {
	dir := path(getenv)
	if checkPrivate(dir) != nil {
		return "", false
	}
	return dir, true
}

func path(getenv func(string) string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	if r := getenv("XDG_RUNTIME_DIR"); r != "" && filepath.IsAbs(r) {
		return filepath.Join(r, "leads")
	}
	base := getenv("TMPDIR")
	if base == "" || !filepath.IsAbs(base) {
		base = os.TempDir()
	}
	return filepath.Join(base, "leads-"+strconv.Itoa(os.Getuid()))
}

// checkPrivate refuses a path that is a link, not a directory, owned by
// someone else, or open to others. Lstat sees the entry itself: in a
// sticky directory such as /tmp no other user can rename or replace an
// entry we own once we have checked it.
func checkPrivate(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("cannot use the private directory %s (%v): set TMPDIR to a directory you can write", dir, unwrap(err))
	}
	if !fi.IsDir() || fi.Mode()&fs.ModeSymlink != 0 || !ownedByMe(fi) {
		return fmt.Errorf("%s is not a private directory of yours (it is a link, a file or someone else's): remove it, or set TMPDIR to another directory", dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		// Ours but open to others (made by hand, or by a umask): what is
		// in it may have been read or planted, so start afresh. But only
		// if all it holds is what leads names: the name may be a folder
		// of the user's that has nothing to do with leads (a project
		// called leads under an XDG_RUNTIME_DIR set to the home folder).
		if !onlyOurEntries(dir) {
			return fmt.Errorf("%s is open to other users and holds files leads did not write: make it private (chmod 700) if it is leads', or set TMPDIR to another directory", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("%s is open to other users and cannot be replaced (%v): remove it by hand", dir, unwrap(err))
		}
		if err := os.Mkdir(dir, 0o700); err != nil {
			return fmt.Errorf("cannot create the private directory %s (%v): set TMPDIR to a directory you can write", dir, unwrap(err))
		}
		return checkPrivate(dir)
	}
	return nil
}

// Mine reports whether this user owns the file: forget rewrites or
// deletes only files of this user's, as the ones leads wrote are.
func Mine(fi fs.FileInfo) bool { return ownedByMe(fi) }

// onlyOurEntries reports whether every entry of dir has a name leads
// gives (KIND-PID-RANDOM).
func onlyOurEntries(dir string) bool {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range ents {
		if Owner(e.Name()) == 0 {
			return false
		}
	}
	return true
}

// name returns a fresh entry name for kind: KIND-PID-RANDOM plus ext.
func name(kind, ext string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return kind + "-" + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(b[:]) + ext
}

// Create makes a new file (mode 0600) in dir for kind; ext ends its name
// (".txt" lets an editor pick its mode).
func Create(dir, kind, ext string) (*os.File, error) {
	for range 10 {
		f, err := os.OpenFile(filepath.Join(dir, name(kind, ext)), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("cannot find a free file name in %s", dir)
}

// Mkdir makes a new directory (mode 0700) in dir for kind.
func Mkdir(dir, kind string) (string, error) {
	for range 10 {
		p := filepath.Join(dir, name(kind, ""))
		err := os.Mkdir(p, 0o700)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return p, err
	}
	return "", fmt.Errorf("cannot find a free directory name in %s", dir)
}

// Owner returns the process ID in an entry's name, or 0 when the name is
// not one of ours.
func Owner(entry string) int {
	parts := strings.Split(filepath.Base(entry), "-")
	if len(parts) < 3 {
		return 0
	}
	pid, err := strconv.Atoi(parts[len(parts)-2])
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// Sweep removes the entries of dir whose process has ended (a leads that
// was killed, or lost power, before it could clean up) and returns their
// paths. Entries of running processes stay: they are in use.
func Sweep(dir string) ([]string, error) {
	return removeWhere(dir, func(pid int) bool { return pid != os.Getpid() && !Alive(pid) })
}

// RemoveOwn removes every entry this process made, for a clean exit
// (including one forced by a signal).
func RemoveOwn(dir string) ([]string, error) {
	return removeWhere(dir, func(pid int) bool { return pid == os.Getpid() })
}

// Live returns the entries of dir that belong to running processes other
// than this one.
func Live(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if pid := Owner(e.Name()); pid != 0 && pid != os.Getpid() && Alive(pid) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

func removeWhere(dir string, match func(pid int) bool) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	var errs []error
	for _, e := range ents {
		pid := Owner(e.Name())
		if pid == 0 || !match(pid) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if err := os.RemoveAll(p); err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, p)
	}
	return out, errors.Join(errs...)
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
