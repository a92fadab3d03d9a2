package nlp_test

import (
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/snapdb/snapdb/nlp"
)

// Benchmarks report throughput; no test asserts on time. The dictionary
// and text come from the synthetic generator in gen_test.go.

var (
	fixtureOnce sync.Once
	fixtureDir  string
	fixtureErr  error
)

// benchFixtureSize is the number of aliases of the dictionary the Open and
// Match benchmarks use.
const benchFixtureSize = 1_000_000

// benchFile builds (once per process) the benchmark automaton file.
func benchFile(b *testing.B) string {
	b.Helper()
	fixtureOnce.Do(func() {
		if fixtureDir, fixtureErr = os.MkdirTemp("", "nlp-bench-"); fixtureErr != nil {
			return
		}
		_, fixtureErr = nlp.BuildFile(filepath.Join(fixtureDir, "automaton.bin"), synthAliases(benchFixtureSize), nil)
	})
	if fixtureErr != nil {
		b.Fatal(fixtureErr)
	}
	return filepath.Join(fixtureDir, "automaton.bin")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		b.Run(sizeName(n), func(b *testing.B) {
			var st nlp.BuildStats
			for b.Loop() {
				var err error
				if st, err = nlp.Build(discard{}, synthAliases(n), nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "aliases/s")
			b.ReportMetric(float64(st.Bytes)/float64(n), "bytes/alias")
			b.ReportMetric(float64(st.States)/float64(n), "states/alias")
		})
	}
}

func BenchmarkOpen(b *testing.B) {
	path := benchFile(b)
	for b.Loop() {
		a, err := nlp.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		a.Close()
	}
}

func BenchmarkVerify(b *testing.B) {
	a, err := nlp.Open(benchFile(b))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	for b.Loop() {
		if err := a.Verify(); err != nil {
			b.Fatal(err)
		}
	}
}

// benchText is 4 MiB of synthetic prose with a mention every ~200 bytes.
var benchText = sync.OnceValue(func() string { return synthText(99, 4<<20, benchFixtureSize) })

func BenchmarkMatch(b *testing.B) {
	a, err := nlp.Open(benchFile(b))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	text := benchText()
	b.SetBytes(int64(len(text)))
	var n int
	for b.Loop() {
		ms, err := a.Match(text)
		if err != nil {
			b.Fatal(err)
		}
		n = len(ms)
	}
	b.ReportMetric(float64(n), "mentions/op")
}

func BenchmarkMatchAll(b *testing.B) {
	a, err := nlp.Open(benchFile(b))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	text := benchText()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, err := a.MatchAll(text); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatchParallel matches 64 KiB chunks from every goroutine on one
// automaton.
func BenchmarkMatchParallel(b *testing.B) {
	a, err := nlp.Open(benchFile(b))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	text := benchText()
	const chunk = 64 << 10
	b.SetBytes(chunk)
	b.RunParallel(func(pb *testing.PB) {
		off := 0
		for pb.Next() {
			if off+chunk > len(text) {
				off = 0
			}
			if _, err := a.Match(text[off : off+chunk]); err != nil {
				b.Error(err)
				return
			}
			off += chunk
		}
	})
}

func sizeName(n int) string {
	if n%1_000_000 == 0 {
		return strconv.Itoa(n/1_000_000) + "M"
	}
	return strconv.Itoa(n/1000) + "k"
}
