package capi

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/snapdb/snapdb/internal/testsnap"
)

// unpoison makes the library usable again after a test's deliberate
// panic; only tests may do this.
func unpoison(t *testing.T) {
	t.Cleanup(func() { poisoned.Store(nil) })
}

func TestGuardContainsPanicAndPoisons(t *testing.T) {
	unpoison(t)
	err := Guard(func() error { return Panic("test") })
	if err == nil || err.Code != ErrInternal || !strings.Contains(err.Msg, "snap_debug_panic: test") {
		t.Fatalf("Guard(panic) = %v, want ErrInternal naming the panic", err)
	}
	if !Poisoned() {
		t.Fatal("a panic did not poison the library")
	}
	ran := false
	err = Guard(func() error { ran = true; return nil })
	if ran || err == nil || err.Code != ErrInternal || !strings.Contains(err.Msg, "unusable") {
		t.Errorf("Guard after a panic ran=%v, err=%v; want it refused with ErrInternal", ran, err)
	}
}

func TestGuardPassesErrors(t *testing.T) {
	if err := Guard(func() error { return nil }); err != nil {
		t.Errorf("Guard(ok) = %v", err)
	}
	want := Errorf(ErrQuery, "bad")
	if err := Guard(func() error { return want }); err != want {
		t.Errorf("Guard(%v) = %v, want the same *Error", want, err)
	}
}

// panicky is a record reader whose Next panics.
type panicky struct{ array.RecordReader }

func (panicky) Next() bool { panic("reader exploded") }

func TestStreamContainsPanic(t *testing.T) {
	unpoison(t)
	sc := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	inner, err := array.NewRecordReader(sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := newStream(panicky{inner})
	if s.Next() {
		t.Fatal("Next after a panic returned true")
	}
	if err := s.Err(); CodeOf(err) != ErrInternal || !strings.Contains(err.Error(), "reader exploded") {
		t.Errorf("Err() = %v, want ErrInternal naming the panic", err)
	}
	if s.Next() {
		t.Error("a failed stream went on")
	}
	s.Release()
	if n := liveStreams.Load(); n != 0 {
		t.Errorf("live streams after release = %d", n)
	}
}

// TestCloseWaitsForCalls: Close waits for a call that holds the handle,
// which meanwhile still runs on the open database; calls that start after
// Close began fail with ErrBadHandle.
func TestCloseWaitsForCalls(t *testing.T) {
	h, err := Open(testsnap.Demo(t), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e, err := acquire(h)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- Close(h) }()
	for {
		if _, err := Tables(h); CodeOf(err) == ErrBadHandle {
			break
		}
		runtime.Gosched()
	}
	// Give a Close that did not wait the time to finish closing.
	time.Sleep(20 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Close returned (%v) while a call held the handle", err)
	default:
	}
	if got := e.db.Tables(); len(got) == 0 {
		t.Errorf("a call holding the handle sees the database closed (Tables() = %v)", got)
	}
	e.release()
	if err := <-done; err != nil {
		t.Errorf("Close: %v", err)
	}
	if got := e.db.Tables(); len(got) != 0 {
		t.Errorf("after Close, Tables() = %v; want the database closed", got)
	}
}

func TestContainRunsWhenPoisoned(t *testing.T) {
	unpoison(t)
	Guard(func() error { return Panic("test") })
	ran := false
	if err := Contain(func() error { ran = true; return nil }); err != nil || !ran {
		t.Errorf("Contain after a panic: ran=%v, err=%v; want it run", ran, err)
	}
	if err := Contain(func() error { panic("again") }); err == nil || err.Code != ErrInternal {
		t.Errorf("Contain(panic) = %v, want ErrInternal", err)
	}
}
