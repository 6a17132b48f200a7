package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mattn/go-sqlite3"

	"github.com/temgraph/temgraph"
)

// maxBatch bounds how many queued writes share one commit.
const maxBatch = 256

// busyTimeoutMillis is how long a connection waits for a lock another
// process holds on the file before SQLite reports it busy (a variable so
// tests can shorten it).
var busyTimeoutMillis = 10000

// DB is a temgraph store on one SQLite file.
type DB struct {
	path   string
	writer *sql.DB // exactly one connection, used only by the leading write
	reader *sql.DB // read-only pool

	// Writes are committed by a leader: the first writer to find no commit
	// under way commits every write queued by then, its own included, in one
	// transaction, and then passes the lead to the oldest write that queued
	// meanwhile (see write).
	wmu     sync.Mutex // guards queue, leading and closed
	queue   []*writeOp // writes waiting for a leader, oldest first
	leading bool       // a leader is committing
	closed  bool
	idle    sync.Cond  // signalled when leading ends
	batch   []*writeOp // the leader's batch, reused
	// written holds, for the transaction the leader is running, each
	// partner as a write in it left it (nil: removed), so a later write of
	// the same partner in the same transaction knows its state.
	written map[rowKey]*temgraph.Partner

	stmts statements

	// cache, when not nil, serves GetPartner from memory (see OpenExclusive).
	cache *rowCache
	lock  *os.File // holds the exclusive lock taken by OpenExclusive

	// onCommit, when set, learns how many writes each commit carried.
	onCommit atomic.Pointer[func(writes int)]
}

var _ temgraph.Store = (*DB)(nil)

// writeOp is one write waiting for its commit. fn runs inside the
// batch's transaction and must issue a single writing statement. When key
// names a partner, fn returns the partner as the write left it (nil when it
// removed it), and the cache learns it once the transaction ends.
type writeOp struct {
	fn   func(tx *sql.Tx) (*temgraph.Partner, error)
	key  rowKey
	row  *temgraph.Partner
	err  error      // the result, set before done is signalled
	done chan error // receives the result, or errLead
}

// errLead tells a waiting writer that it is now the leader.
var errLead = errors.New("sqlite: lead the next commit")

// ErrInUse reports that another process already serves from the file.
var ErrInUse = errors.New("the database file is in use by another temgraph server")

// Open opens (creating if needed) the SQLite database at path, which may be
// a file path or a "file:" URL, and applies pending migrations. Any number
// of processes may open one file this way.
func Open(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, false)
}

// OpenExclusive is Open for the process that serves partners from the file:
// it first takes an exclusive lock on the file, failing with ErrInUse while
// another process holds it, and then keeps recently read and written
// partners in memory, which is sound only because no other process can
// change them. Processes that use Open (token, migrate) never write
// partners and may still share the file.
func OpenExclusive(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, true)
}

func open(ctx context.Context, path string, exclusive bool) (*DB, error) {
	file := strings.TrimPrefix(path, "file:")
	if i := strings.IndexByte(file, '?'); i >= 0 {
		file = file[:i]
	}
	if file == "" {
		return nil, errors.New("open sqlite: empty database path")
	}
	if file == ":memory:" || strings.Contains(path, "mode=memory") {
		// Each connection would get a database of its own.
		return nil, errors.New("open sqlite: an in-memory database cannot be shared by the server's connections; give a file path")
	}
	db := &DB{path: file, written: make(map[rowKey]*temgraph.Partner)}
	db.idle.L = &db.wmu
	if exclusive {
		// The lock is taken before SQLite opens the file: closing this
		// descriptor after SQLite had opened it would drop SQLite's own
		// POSIX locks, so on failure it must be closed first.
		f, err := os.OpenFile(file, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		if err := lockExclusive(f); err != nil {
			f.Close()
			if errors.Is(err, ErrInUse) {
				return nil, ErrInUse
			}
			return nil, fmt.Errorf("lock sqlite file: %w", err)
		}
		db.lock = f
		db.cache = newRowCache(defaultCacheBytes)
	}

	var err error
	db.writer, err = sql.Open("sqlite3", dsn(file, false))
	if err != nil {
		db.closeLock()
		return nil, fmt.Errorf("open sqlite writer: %w", err)
	}
	db.writer.SetMaxOpenConns(1)
	db.writer.SetMaxIdleConns(1)
	db.writer.SetConnMaxLifetime(0)
	if err := migrate(ctx, db.writer); err != nil {
		db.writer.Close()
		db.closeLock()
		return nil, err
	}

	db.reader, err = sql.Open("sqlite3", dsn(file, true))
	if err != nil {
		db.writer.Close()
		db.closeLock()
		return nil, fmt.Errorf("open sqlite reader: %w", err)
	}
	n := 2 * runtime.GOMAXPROCS(0)
	db.reader.SetMaxOpenConns(n)
	db.reader.SetMaxIdleConns(n)
	db.reader.SetConnMaxLifetime(0)

	if err := db.prepare(ctx); err != nil {
		db.writer.Close()
		db.reader.Close()
		db.closeLock()
		return nil, err
	}
	return db, nil
}

// dsn builds the driver's connection string. The writer takes the write
// lock at BEGIN (IMMEDIATE), so a batch never fails half-way on a lock held
// by another process sharing the file; busy_timeout makes it wait instead.
func dsn(file string, readOnly bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_busy_timeout", strconv.Itoa(busyTimeoutMillis))
	q.Set("_foreign_keys", "1")
	if readOnly {
		q.Set("_query_only", "1")
		// List and count queries are built per request; a connection keeps
		// the statements of the last 64 distinct query texts prepared (the
		// literals are parameters, so one shape of query is one text).
		q.Set("_stmt_cache_size", "64")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: file}).EscapedPath() + "?" + q.Encode()
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	if err := db.reader.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("ping sqlite: %w", err)
	}
	return nil
}

// Close waits for queued writes to commit and closes the connections.
// Writes submitted after Close fail.
func (db *DB) Close() error {
	db.wmu.Lock()
	if db.closed {
		db.wmu.Unlock()
		return nil
	}
	db.closed = true
	for db.leading {
		db.idle.Wait()
	}
	db.wmu.Unlock()

	if db.cache != nil {
		db.cache.close()
	}
	db.stmts.close()
	err := errors.Join(db.reader.Close(), db.writer.Close())
	return errors.Join(err, db.closeLock())
}

// closeLock releases the exclusive lock, if taken. It runs only once
// SQLite's connections are closed: closing any descriptor of the file drops
// the process's POSIX locks on it, which SQLite relies on while open.
func (db *DB) closeLock() error {
	if db.lock == nil {
		return nil
	}
	return db.lock.Close()
}

// write queues fn and returns once the transaction it ran in has ended.
// The result is final: once queued, a write is committed or rolled back
// whatever happens to ctx, so the caller always learns which.
//
// There is no writer goroutine. A write that finds no commit under way
// leads: it commits the queue (its own write first) and returns. Writes
// that queue while a commit is under way wait; when the commit ends, the
// oldest of them is told to lead the next one and takes everything queued
// by then. At one connection a write is committed on its own goroutine with
// no hand-off; under load each commit carries every write that queued
// during the previous one.
func (db *DB) write(ctx context.Context, key rowKey, fn func(tx *sql.Tx) (*temgraph.Partner, error)) error {
	op := &writeOp{fn: fn, key: key, done: make(chan error, 1)}
	db.wmu.Lock()
	if db.closed {
		db.wmu.Unlock()
		return temgraph.Errorf(temgraph.EUnavailable, "The service is shutting down; retry the request.")
	}
	db.queue = append(db.queue, op)
	if db.leading {
		db.wmu.Unlock()
		if err := <-op.done; err != errLead {
			return err
		}
	} else {
		db.leading = true
		db.wmu.Unlock()
	}
	db.lead()
	return op.err
}

// lead commits the queued writes (up to maxBatch, the caller's own first)
// and passes the lead on to the oldest write still queued, or ends it.
func (db *DB) lead() {
	db.wmu.Lock()
	n := min(len(db.queue), maxBatch)
	db.batch = append(db.batch[:0], db.queue[:n]...)
	db.queue = db.queue[:copy(db.queue, db.queue[n:])]
	db.wmu.Unlock()

	db.commit(db.batch)
	clear(db.batch)

	db.wmu.Lock()
	if len(db.queue) == 0 {
		db.leading = false
		db.idle.Broadcast()
		db.wmu.Unlock()
		return
	}
	next := db.queue[0]
	db.wmu.Unlock()
	next.done <- errLead
}

// commit runs a batch in one transaction. Client errors (*temgraph.Error)
// fail only their own write, whose single statement either did not run or
// was undone by SQLite. Any other error may have aborted the transaction, so
// the batch is rolled back and each write is retried in a transaction of its
// own.
func (db *DB) commit(batch []*writeOp) {
	results := make([]error, len(batch))
	err := db.runBatch(batch, results)
	var be beginError
	switch {
	case err == nil:
	case len(batch) == 1 || errors.As(err, &be):
		// The only write failed, or BEGIN did and nothing ran: retrying
		// each write alone would only wait out busy_timeout once per write.
		for i := range results {
			results[i] = err
		}
	default:
		for i := range batch {
			err := db.runBatch(batch[i:i+1], results[i:i+1])
			if err != nil {
				results[i] = err
			}
		}
	}
	if db.cache != nil {
		db.cache.settle(batch, results)
	}
	for i, op := range batch {
		op.err = results[i]
		op.done <- results[i]
	}
}

// beginError is a batch that failed before any of its writes ran.
type beginError struct{ error }

func (e beginError) Unwrap() error { return e.error }

// runBatch executes the batch in one transaction and commits it. It returns
// a non-nil error when the transaction did not commit; per-write client
// errors go into results.
func (db *DB) runBatch(batch []*writeOp, results []error) error {
	ctx := context.Background()
	tx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return beginError{fmt.Errorf("begin write: %w", classify(err))}
	}
	defer tx.Rollback()
	clear(db.written)
	for i, op := range batch {
		row, err := runWrite(op, tx)
		var te *temgraph.Error
		if err != nil && !errors.As(err, &te) {
			return err
		}
		op.row, results[i] = row, err
		if err == nil && op.key.id != "" {
			db.written[op.key] = row
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", classify(err))
	}
	if fn := db.onCommit.Load(); fn != nil {
		(*fn)(len(batch))
	}
	return nil
}

// runWrite runs one write's statement. A panic fails the write (and, as an
// internal error, rolls back its batch) instead of leaving the lead taken.
func runWrite(op *writeOp, tx *sql.Tx) (row *temgraph.Partner, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write panicked: %v", r)
		}
	}()
	return op.fn(tx)
}

// CacheReads reports how many partner reads the partner cache answered
// and how many went to SQLite; ok is false when the cache is off (Open
// rather than OpenExclusive).
func (db *DB) CacheReads() (hits, misses uint64, ok bool) {
	if db.cache == nil {
		return 0, 0, false
	}
	return db.cache.hits.Load(), db.cache.misses.Load(), true
}

// ReportCommits makes fn learn how many writes shared each commit, for
// metrics; nil stops the reports. fn runs while the commit's writers wait,
// so it must be quick.
func (db *DB) ReportCommits(fn func(writes int)) {
	if fn == nil {
		db.onCommit.Store(nil)
		return
	}
	db.onCommit.Store(&fn)
}

// classify marks SQLite's "database is locked" (another process held the
// write lock past busy_timeout) with temgraph.ErrUnavailable: a retry may
// succeed, so the client gets a 503 rather than a 500.
func classify(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked) {
		return fmt.Errorf("%w: %w", temgraph.ErrUnavailable, err)
	}
	return err
}
