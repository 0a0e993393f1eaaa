//go:build !unix

package mailbox

import "errors"

func mkfifo(string) error { return errors.New("no FIFOs on this system") }
