package export

import (
	"testing"
	"unsafe"
)

// TestRecycler: freed large buffers come back cleared and aligned, small
// ones and foreign capacities are left to Go, and no more than maxHeld
// bytes are kept.
func TestRecycler(t *testing.T) {
	r := &recycler{}
	b := r.Allocate(100_000)
	if len(b) != 100_000 || cap(b) != 1<<17 {
		t.Fatalf("Allocate(100000): len %d cap %d, want 100000 and %d", len(b), cap(b), 1<<17)
	}
	for i := range b[:cap(b)] {
		b[:cap(b)][i] = 0xff
	}
	first := &b[0]
	r.Free(b)
	c := r.Allocate(70_000)
	if &c[0] != first {
		t.Errorf("Allocate after Free did not reuse the freed buffer")
	}
	for i, v := range c[:cap(c)] { // beyond its length too: Reallocate may extend it
		if v != 0 {
			t.Fatalf("reused buffer byte %d = %#x, want 0", i, v)
		}
	}
	if p := uintptr(unsafe.Pointer(&c[0])); p%alignment != 0 {
		t.Errorf("buffer at %#x, want %d-byte aligned", p, alignment)
	}
	// Growing within the capacity keeps the buffer; beyond it moves it.
	if d := r.Reallocate(90_000, c); &d[0] != &c[0] || len(d) != 90_000 {
		t.Errorf("Reallocate within capacity moved the buffer or got the length wrong (%d)", len(d))
	}
	e := r.Reallocate(200_000, c)
	if len(e) != 200_000 || cap(e) != 1<<18 {
		t.Errorf("Reallocate(200000): len %d cap %d", len(e), cap(e))
	}
	if got := r.held; got != 1<<17 {
		t.Errorf("held after Reallocate = %d, want the old buffer's %d", got, 1<<17)
	}

	small := r.Allocate(1000)
	r.Free(small)
	r.Free(make([]byte, 100_000)) // not a power-of-two capacity: not ours
	if got := r.held; got != 1<<17 {
		t.Errorf("held after freeing a small and a foreign buffer = %d, want %d", got, 1<<17)
	}
	for range 2 * maxHeld / (1 << 20) {
		r.Free(r.Allocate(1 << 20)[: 0 : 1<<20])
		r.Free(make([]byte, 1<<20)) // power-of-two capacity, kept while there is room
	}
	if r.held > maxHeld {
		t.Errorf("held %d bytes, want at most %d", r.held, maxHeld)
	}
}
