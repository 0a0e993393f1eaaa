//go:build unix

package main

import (
	"os"
	"syscall"
)

// killSelf sends sig to this process.
func killSelf(sig syscall.Signal) { _ = syscall.Kill(os.Getpid(), sig) }
