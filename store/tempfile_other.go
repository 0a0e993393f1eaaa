//go:build !linux

package store

import (
	"errors"
	"os"
)

var errNoUnnamed = errors.New("unnamed files are not supported here")

// openUnnamed is Linux only; elsewhere temporary files are named.
func openUnnamed(string) (*os.File, error) { return nil, errNoUnnamed }

func linkUnnamed(*os.File, string) error { return errNoUnnamed }
