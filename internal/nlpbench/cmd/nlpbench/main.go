// Command nlpbench drives the NLP benchmark (scripts/bench-nlp.sh):
//
//	nlpbench corpus -aliases N -text BYTES -out DIR   write DIR/aliases.tsv and DIR/text.txt
//	nlpbench build  -aliases FILE -out FILE            build the automaton; JSON report
//	nlpbench open   -automaton FILE [-cold]            open time (cold: the file's pages evicted first)
//	nlpbench match  -automaton FILE -text FILE -threads N   leftmost-longest matching throughput (wall and CPU time)
//	nlpbench first  -automaton FILE                    open and match one sentence, then exit
//
// Every report is one JSON line on standard output.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/snapdb/snapdb/internal/nlpbench"
	"github.com/snapdb/snapdb/nlp"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: nlpbench corpus|build|open|match|first [flags]")
		os.Exit(1)
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	var (
		aliases   = fs.String("aliases", "", "aliases.tsv (build) or a count (corpus)")
		text      = fs.String("text", "", "text file (match) or a size in bytes (corpus)")
		out       = fs.String("out", "", "output file or directory")
		automaton = fs.String("automaton", "", "automaton file")
		cold      = fs.Bool("cold", false, "evict the file's pages before opening")
		threads   = fs.Int("threads", 1, "goroutines matching at once")
		seed      = fs.Uint64("seed", 20261122, "corpus seed")
	)
	fs.Parse(os.Args[2:])
	var (
		report any
		err    error
	)
	switch os.Args[1] {
	case "corpus":
		report, err = corpus(*aliases, *text, *out, *seed)
	case "build":
		report, err = build(*aliases, *out)
	case "open":
		report, err = open(*automaton, *cold, sentence(*seed))
	case "match":
		report, err = match(*automaton, *text, *threads)
	case "first":
		report, err = first(*automaton, sentence(*seed))
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "nlpbench:", err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(report)
}

func corpus(nText, sizeText, dir string, seed uint64) (any, error) {
	n, err := strconv.ParseInt(nText, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("-aliases: %w", err)
	}
	size, err := strconv.ParseInt(sizeText, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("-text: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for name, write := range map[string]func(*os.File) error{
		"aliases.tsv": func(f *os.File) error { return nlpbench.WriteAliases(f, seed, n) },
		"text.txt":    func(f *os.File) error { return nlpbench.WriteText(f, seed, n, size) },
	} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		if err := write(f); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
	}
	return map[string]any{"aliases": n, "textBytes": size, "dir": dir}, nil
}

// readAliases streams aliases.tsv.
func readAliases(path string, errp *error) iter.Seq2[nlp.Alias, error] {
	return func(yield func(nlp.Alias, error) bool) {
		f, err := os.Open(path)
		if err != nil {
			yield(nlp.Alias{}, err)
			return
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for line := 1; sc.Scan(); line++ {
			parts := strings.Split(sc.Text(), "\t")
			if len(parts) != 4 {
				yield(nlp.Alias{}, fmt.Errorf("%s:%d: want 4 tab-separated fields", path, line))
				return
			}
			id, err := strconv.ParseInt(parts[1], 10, 64)
			if err != nil {
				yield(nlp.Alias{}, fmt.Errorf("%s:%d: %w", path, line, err))
				return
			}
			at, err := nlp.ParseAliasType(parts[3])
			if err != nil {
				yield(nlp.Alias{}, fmt.Errorf("%s:%d: %w", path, line, err))
				return
			}
			if !yield(nlp.Alias{Text: parts[0], EntityID: id, EntityType: parts[2], Type: at}, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			yield(nlp.Alias{}, err)
		}
	}
}

func build(aliases, out string) (any, error) {
	var readErr error
	start := time.Now()
	st, err := nlp.BuildFile(out, readAliases(aliases, &readErr), nil)
	if err != nil {
		return nil, err
	}
	return map[string]any{"seconds": time.Since(start).Seconds(), "stats": st,
		"bytesPerAlias": float64(st.Bytes) / float64(max(st.Kept, 1))}, nil
}

func evict(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}

// open reports the median of 21 opens (warm) or of 5 opens each after
// evicting the file's pages (cold), plus the first match after a cold
// open (the page faults into the mapping).
func open(path string, cold bool, text string) (any, error) {
	runs := 21
	if cold {
		runs = 5
	}
	var times, firstMatch []time.Duration
	for range runs {
		if cold {
			if err := evict(path); err != nil {
				return nil, err
			}
		}
		start := time.Now()
		a, err := nlp.Open(path)
		if err != nil {
			return nil, err
		}
		times = append(times, time.Since(start))
		start = time.Now()
		if _, err := a.Match(text); err != nil {
			return nil, err
		}
		firstMatch = append(firstMatch, time.Since(start))
		a.Close()
	}
	return map[string]any{"cold": cold, "openMicros": median(times), "firstMatchMicros": median(firstMatch)}, nil
}

func median(ds []time.Duration) float64 {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return float64(ds[len(ds)/2].Nanoseconds()) / 1e3
}

// match splits the text into chunks at line or sentence ends and matches
// them from threads goroutines; it reports MB/s over the whole text.
func match(path, textPath string, threads int) (any, error) {
	a, err := nlp.Open(path)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	data, err := os.ReadFile(textPath)
	if err != nil {
		return nil, err
	}
	text := string(data)
	const chunk = 1 << 20
	var chunks []string
	for len(text) > 0 {
		n := min(chunk, len(text))
		if n < len(text) {
			if k := strings.LastIndexAny(text[:n], ".\n"); k > 0 {
				n = k + 1
			}
		}
		chunks = append(chunks, text[:n])
		text = text[n:]
	}
	runtime.GC()
	cpu0, err := cpuTime()
	if err != nil {
		return nil, err
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		mentions int
		firstErr error
		next     = make(chan string)
	)
	start := time.Now()
	for range threads {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []nlp.Mention
			for c := range next {
				var err error
				buf, err = a.AppendMatches(buf[:0], c)
				mu.Lock()
				mentions += len(buf)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, c := range chunks {
		next <- c
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	sec := time.Since(start).Seconds()
	cpu1, err := cpuTime()
	if err != nil {
		return nil, err
	}
	cpu := cpu1 - cpu0
	return map[string]any{"threads": threads, "seconds": sec, "mbPerSecond": float64(len(data)) / 1e6 / sec,
		"cpuSeconds": cpu, "mbPerCPUSecond": float64(len(data)) / 1e6 / cpu,
		"mentions": mentions, "bytesPerMention": float64(len(data)) / float64(max(mentions, 1))}, nil
}

// cpuTime is the user and system CPU time of the process so far, in
// seconds: on a machine shared with other jobs, bytes per CPU-second
// measures throughput per core where wall time measures the contention.
func cpuTime() (float64, error) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0, err
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9, nil
}

// sentence mentions the first aliases of the seed's dictionary.
func sentence(seed uint64) string {
	return fmt.Sprintf("Patients with %s were given %s, and %s rose.",
		nlpbench.AliasAt(seed, 1).Text, nlpbench.AliasAt(seed, 3).Text, nlpbench.AliasAt(seed, 5).Text)
}

// first opens the automaton and matches one sentence: run it as a whole
// process to time process start to first match.
func first(path, text string) (any, error) {
	a, err := nlp.Open(path)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	ms, err := a.Match(text)
	if err != nil {
		return nil, err
	}
	if ms == nil {
		return nil, errors.New("no match")
	}
	return map[string]any{"mentions": len(ms)}, nil
}
