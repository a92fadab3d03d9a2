package bufpool

import (
	"bytes"
	"sync"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestReuse: freed large buffers come back cleared and aligned, small
// ones and foreign buffers are left to Go, and no more than MaxHeld bytes
// are kept.
func TestReuse(t *testing.T) {
	p := &Pool{}
	b := p.Allocate(100_000)
	if len(b) != 100_000 || cap(b) != 1<<17 {
		t.Fatalf("Allocate(100000): len %d cap %d, want 100000 and %d", len(b), cap(b), 1<<17)
	}
	for i := range b[:cap(b)] {
		b[:cap(b)][i] = 0xff
	}
	first := &b[0]
	p.Free(b)
	c := p.Allocate(70_000)
	if &c[0] != first {
		t.Errorf("Allocate after Free did not reuse the freed buffer")
	}
	for i, v := range c[:cap(c)] { // beyond its length too: Reallocate may extend it
		if v != 0 {
			t.Fatalf("reused buffer byte %d = %#x, want 0", i, v)
		}
	}
	if a := uintptr(unsafe.Pointer(&c[0])); a%Alignment != 0 {
		t.Errorf("buffer at %#x, want %d-byte aligned", a, Alignment)
	}
	// Growing within the capacity keeps the buffer; beyond it moves it.
	if d := p.Reallocate(90_000, c); &d[0] != &c[0] || len(d) != 90_000 {
		t.Errorf("Reallocate within capacity moved the buffer or got the length wrong (%d)", len(d))
	}
	e := p.Reallocate(200_000, c)
	if len(e) != 200_000 || cap(e) != 1<<18 {
		t.Errorf("Reallocate(200000): len %d cap %d", len(e), cap(e))
	}
	if got := p.Held(); got != 1<<17 {
		t.Errorf("held after Reallocate = %d, want the old buffer's %d", got, 1<<17)
	}

	small := p.Allocate(1000)
	p.Free(small)
	p.Free(make([]byte, 1<<17)) // a power-of-two capacity the pool never handed out
	if got := p.Held(); got != 1<<17 {
		t.Errorf("held after freeing a small and a foreign buffer = %d, want %d", got, 1<<17)
	}
	for range 2 * DefaultMaxHeld / (1 << 20) {
		p.Free(p.Allocate(1 << 20))
		p.Free(p.Allocate(1 << 20)[:0])
	}
	if p.Held() > DefaultMaxHeld {
		t.Errorf("held %d bytes, want at most %d", p.Held(), DefaultMaxHeld)
	}
}

// TestNoZero: a NoZero pool hands a reused buffer out as it was left.
func TestNoZero(t *testing.T) {
	p := &Pool{NoZero: true}
	b := p.Allocate(MinSize)
	b[0] = 7
	p.Free(b)
	if c := p.Allocate(MinSize); &c[0] != &b[0] || c[0] != 7 {
		t.Errorf("NoZero reuse: got buffer %p byte %d, want %p holding 7", &c[0], c[0], &b[0])
	}
}

func TestDoubleFree(t *testing.T) {
	p := &Pool{}
	a := p.Allocate(MinSize)
	p.Free(a)
	p.Free(a) // must not keep a twice
	x := p.Allocate(MinSize)
	y := p.Allocate(MinSize)
	if &x[0] == &y[0] {
		t.Fatal("a buffer freed twice was handed to two callers")
	}
}

func TestReallocateKeepsContents(t *testing.T) {
	p := &Pool{NoZero: true}
	for _, tc := range []struct{ from, to int }{
		{1000, 40 << 10}, {40 << 10, 60 << 10}, {60 << 10, 300 << 10}, {300 << 10, 10 << 10},
	} {
		b := p.Allocate(tc.from)
		for i := range b {
			b[i] = byte(i * 7)
		}
		keep := bytes.Clone(b[:min(tc.from, tc.to)])
		nb := p.Reallocate(tc.to, b)
		if len(nb) != tc.to || !bytes.Equal(nb[:len(keep)], keep) {
			t.Fatalf("Reallocate(%d) of %d bytes: len %d, contents kept %v", tc.to, tc.from, len(nb), bytes.Equal(nb[:len(keep)], keep))
		}
		p.Free(nb)
	}
}

// TestResizableBuffers drives the pool the way arrow-go's page readers
// do, from several goroutines: resizable buffers grown page by page and
// released.
func TestResizableBuffers(t *testing.T) {
	p := &Pool{NoZero: true}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				buf := memory.NewResizableBuffer(p)
				for _, n := range []int{16 << 10, 200 << 10, 90 << 10, 1 << 20} {
					buf.ResizeNoShrink(n)
					b := buf.Bytes()[:n]
					for j := range b {
						b[j] = byte(g + i + j)
					}
					for j := range b {
						if b[j] != byte(g+i+j) {
							t.Errorf("goroutine %d: byte %d changed under us", g, j)
							return
						}
					}
				}
				buf.Release()
			}
		}()
	}
	wg.Wait()
	if len(p.out) != 0 {
		t.Fatalf("%d buffers still out after every buffer was released", len(p.out))
	}
}
