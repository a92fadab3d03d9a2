// Package pgtest starts a throwaway PostgreSQL server for tests: Debian's
// binaries (/usr/lib/postgresql/*/bin), a fresh cluster in a temporary
// directory, listening on a Unix socket in that directory and on a free
// 127.0.0.1 port, with trust authentication and durability off (fsync,
// synchronous_commit, full_page_writes) for speed.
//
// One cluster per test package keeps tests fast: TestMain calls Main, and
// the first test that calls Need starts the cluster, which Main stops
// after the last test. A single test may start its own with New. As root, initdb and postgres run as the "postgres" user
// (or "nobody" when there is none), which owns the cluster directory.
//
// When the binaries are missing the tests that need the server fail with
// a message saying how to install them, unless SNAPDB_SKIP_PG=1, which
// skips them instead. Install them with `apt-get install -y postgresql`
// (scripts/test.sh does).
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// SkipEnv is the environment variable that, set to 1, makes Need and New
// skip a test instead of failing it when no server can be started.
const SkipEnv = "SNAPDB_SKIP_PG"

// Cluster is a running throwaway server.
type Cluster struct {
	Root   string // the temporary directory holding everything
	Data   string // the data directory
	Socket string // the directory of the Unix socket
	Port   int    // on 127.0.0.1
	User   string // the superuser (trust authentication, no password)
	Bin    string // the directory of the server binaries

	cmd  *exec.Cmd
	exit chan struct{} // closed when the server process has exited
	log  string

	mu      sync.Mutex
	stopped bool
}

// Options configures Start. A nil *Options means defaults.
type Options struct {
	// Settings are extra server settings (name → value), e.g.
	// {"max_connections": "50"}.
	Settings map[string]string
	// Timeout bounds the wait for the server to accept connections
	// (default 60s).
	Timeout time.Duration
}

// FindBin returns the directory of the newest Debian PostgreSQL binaries,
// or of the ones named by $SNAPDB_PG_BIN.
func FindBin() (string, error) {
	if d := os.Getenv("SNAPDB_PG_BIN"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err != nil {
			return "", fmt.Errorf("pgtest: SNAPDB_PG_BIN=%s: %w", d, err)
		}
		return d, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	if len(matches) == 0 {
		return "", errors.New("pgtest: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin " +
			"(install them: apt-get install -y postgresql; or set " + SkipEnv + "=1 to skip the tests that need one)")
	}
	sort.Slice(matches, func(i, j int) bool {
		return versionOf(matches[i]) > versionOf(matches[j])
	})
	return filepath.Dir(matches[0]), nil
}

func versionOf(bin string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(bin))))
	return v
}

// Start initialises and starts a cluster. Stop it with Stop.
func Start(opts *Options) (*Cluster, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	bin, err := FindBin()
	if err != nil {
		return nil, err
	}
	root, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Root: root, Data: filepath.Join(root, "data"), Socket: root, User: "postgres", Bin: bin,
		log: filepath.Join(root, "server.log")}
	cred, err := runAs(root)
	if err != nil {
		os.RemoveAll(root)
		return nil, err
	}
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", c.Data, "-U", c.User, "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Dir = root
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(root)
		return nil, fmt.Errorf("pgtest: initdb: %v\n%s", err, out)
	}
	for try := 0; ; try++ {
		if c.Port, err = freePort(); err != nil {
			os.RemoveAll(root)
			return nil, err
		}
		err = c.start(cred, o)
		if err == nil {
			return c, nil
		}
		if try == 2 || !strings.Contains(err.Error(), "could not bind") {
			os.RemoveAll(root)
			return nil, err
		}
	}
}

// runAs returns the credentials to run the server with: none when not
// root; as root, those of "postgres" (or "nobody"), who is given dir.
func runAs(dir string) (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	var u *user.User
	var err error
	for _, name := range []string{"postgres", "nobody"} {
		if u, err = user.Lookup(name); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("pgtest: running as root and there is no 'postgres' or 'nobody' user to run the server as: %v", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, fmt.Errorf("pgtest: %v", err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (c *Cluster) start(cred *syscall.Credential, o Options) error {
	settings := map[string]string{
		"listen_addresses":        "127.0.0.1",
		"port":                    strconv.Itoa(c.Port),
		"unix_socket_directories": c.Socket,
		"fsync":                   "off",
		"synchronous_commit":      "off",
		"full_page_writes":        "off",
		"max_connections":         "40",
		"shared_buffers":          "128MB",
		"logging_collector":       "off",
	}
	for k, v := range o.Settings {
		settings[k] = v
	}
	args := []string{"-D", c.Data}
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "-c", k+"="+settings[k])
	}
	logf, err := os.OpenFile(c.log, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(filepath.Join(c.Bin, "postgres"), args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Dir = c.Root
	// The server dies with this process, even if it is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgtest: starting postgres: %w", err)
	}
	c.cmd = cmd
	c.exit = make(chan struct{})
	go func() { cmd.Wait(); close(c.exit) }()

	deadline := time.Now().Add(o.Timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, c.DSN("postgres"))
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		select {
		case <-c.exit:
			out, _ := os.ReadFile(c.log)
			return fmt.Errorf("pgtest: postgres exited while starting:\n%s", out)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			c.Stop()
			out, _ := os.ReadFile(c.log)
			return fmt.Errorf("pgtest: postgres did not accept connections within %v: %v\n%s", o.Timeout, err, out)
		}
	}
}

// DSN is a URL for database db over TCP on 127.0.0.1.
func (c *Cluster) DSN(db string) string {
	u := url.URL{Scheme: "postgres", User: url.User(c.User), Host: "127.0.0.1:" + strconv.Itoa(c.Port),
		Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

// SocketDSN is a URL for database db over the Unix socket.
func (c *Cluster) SocketDSN(db string) string {
	q := url.Values{"host": {c.Socket}, "port": {strconv.Itoa(c.Port)}, "sslmode": {"disable"}}
	u := url.URL{Scheme: "postgres", User: url.User(c.User), Path: "/" + db, RawQuery: q.Encode()}
	return u.String()
}

// Connect opens a connection to database db.
func (c *Cluster) Connect(ctx context.Context, db string) (*pgx.Conn, error) {
	return pgx.Connect(ctx, c.DSN(db))
}

// CreateDB creates a new, empty database and returns its DSN.
func (c *Cluster) CreateDB(ctx context.Context, name string) (string, error) {
	conn, err := c.Connect(ctx, "postgres")
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("pgtest: create database %s: %w", name, err)
	}
	return c.DSN(name), nil
}

// Stop shuts the server down (fast shutdown, then a kill after 30s) and
// removes its directory. It is safe to call more than once.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return nil
	}
	c.stopped = true
	if c.cmd != nil && c.cmd.Process != nil {
		c.cmd.Process.Signal(syscall.SIGINT) // fast shutdown
		select {
		case <-c.exit:
		case <-time.After(30 * time.Second):
			c.cmd.Process.Kill()
			<-c.exit
		}
	}
	return os.RemoveAll(c.Root)
}

var (
	sharedOnce sync.Once
	sharedMu   sync.Mutex
	shared     *Cluster
	sharedErr  error
	inMain     bool
)

// Main runs the package's tests and stops the package's cluster, if one of
// them started it (see Need), and returns the exit code for os.Exit:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// The cluster starts on the first Need, so a run that needs none (a fuzz
// worker, -run that selects no PostgreSQL test) starts none.
func Main(m *testing.M) int {
	inMain = true
	code := m.Run()
	sharedMu.Lock()
	if shared != nil {
		shared.Stop()
	}
	sharedMu.Unlock()
	return code
}

// Need returns the package's cluster, starting it on first use, or ends
// the test: it fails, saying why the server could not start, or skips
// when SNAPDB_SKIP_PG=1. The package's TestMain must call Main.
func Need(t testing.TB) *Cluster {
	t.Helper()
	if os.Getenv(SkipEnv) == "1" {
		t.Skipf("no PostgreSQL: %s=1", SkipEnv)
	}
	if !inMain {
		t.Fatal("pgtest: Need without pgtest.Main in the package's TestMain")
	}
	sharedOnce.Do(func() {
		c, err := Start(nil)
		sharedMu.Lock()
		shared, sharedErr = c, err
		sharedMu.Unlock()
	})
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil {
		t.Fatalf("no PostgreSQL server for this test: %v", sharedErr)
	}
	return shared
}

// New starts a cluster for one test and stops it when the test ends.
func New(t testing.TB) *Cluster {
	t.Helper()
	if os.Getenv(SkipEnv) == "1" {
		t.Skipf("no PostgreSQL: %s=1", SkipEnv)
	}
	c, err := Start(nil)
	if err != nil {
		t.Fatalf("no PostgreSQL server for this test: %v", err)
	}
	t.Cleanup(func() { c.Stop() })
	return c
}

// NewDB creates a database with a fresh name for the test on c and
// returns its DSN.
func (c *Cluster) NewDB(t testing.TB) string {
	t.Helper()
	name := "t_" + strings.ToLower(strings.NewReplacer("/", "_", " ", "_", "-", "_").Replace(t.Name()))
	if len(name) > 50 {
		name = name[:50]
	}
	name += "_" + strconv.FormatInt(time.Now().UnixNano()%1e6, 10)
	dsn, err := c.CreateDB(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}
