//go:build !unix

package main

import "syscall"

// killSelf cannot send a signal here; reraise then exits with 128+sig.
func killSelf(syscall.Signal) {}
