//go:build unix

package sqlite

import (
	"errors"
	"os"
	"syscall"
)

// lockExclusive takes an exclusive advisory lock (flock) on f without
// waiting. flock locks are apart from the POSIX record locks SQLite takes on
// the same file, so the two never interfere.
func lockExclusive(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrInUse
	}
	return err
}
