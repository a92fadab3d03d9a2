package engine

import (
	"bytes"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestPagePoolReuse(t *testing.T) {
	p := &pagePool{out: make(map[*byte]struct{})}
	a := p.Allocate(100 << 10)
	if got, want := len(a), 100<<10; got != want {
		t.Fatalf("len(Allocate(100 KiB)) = %d, want %d", got, want)
	}
	if got, want := cap(a), 128<<10; got != want {
		t.Fatalf("cap(Allocate(100 KiB)) = %d, want %d (its class)", got, want)
	}
	first := &a[0]
	p.Free(a)
	// sync.Pool may drop what it holds at any GC, so reuse is likely, not
	// certain; what is certain is that a freed buffer is handed out at
	// most once.
	b := p.Allocate(120 << 10)
	c := p.Allocate(120 << 10)
	if &b[0] == &c[0] {
		t.Fatal("two live allocations share memory")
	}
	if &b[0] != first && &c[0] != first {
		t.Logf("freed buffer not reused (a GC emptied the pool)")
	}
	p.Free(b)
	p.Free(c)
	if len(p.out) != 0 {
		t.Fatalf("%d buffers still counted as handed out after Free", len(p.out))
	}
}

func TestPagePoolDoubleFree(t *testing.T) {
	p := &pagePool{out: make(map[*byte]struct{})}
	a := p.Allocate(64 << 10)
	p.Free(a)
	p.Free(a) // must not put a into the pool twice
	x := p.Allocate(64 << 10)
	y := p.Allocate(64 << 10)
	if &x[0] == &y[0] {
		t.Fatal("a buffer freed twice was handed to two callers")
	}
}

func TestPagePoolForeignBuffers(t *testing.T) {
	p := &pagePool{out: make(map[*byte]struct{})}
	// A buffer of a pooled size the pool never handed out is not taken.
	foreign := make([]byte, 64<<10)
	p.Free(foreign)
	x := p.Allocate(64 << 10)
	if &x[0] == &foreign[0] {
		t.Fatal("Free accepted a buffer the pool did not hand out")
	}
	// Small and huge sizes are plain allocations, and Free ignores them.
	small := p.Allocate(1000)
	if len(small) != 1000 {
		t.Fatalf("len(Allocate(1000)) = %d", len(small))
	}
	p.Free(small)
	if len(p.out) != 1 {
		t.Fatalf("pool counts %d buffers out, want 1", len(p.out))
	}
}

func TestPagePoolReallocate(t *testing.T) {
	p := &pagePool{out: make(map[*byte]struct{})}
	for _, tc := range []struct{ from, to int }{
		{1000, 40 << 10},           // plain → pooled
		{40 << 10, 60 << 10},       // within one class
		{60 << 10, 300 << 10},      // to a larger class
		{300 << 10, 10 << 10},      // shrink
		{100 << 10, maxPooled + 1}, // pooled → plain
	} {
		b := p.Allocate(tc.from)
		for i := range b {
			b[i] = byte(i * 7)
		}
		keep := bytes.Clone(b[:min(tc.from, tc.to)])
		nb := p.Reallocate(tc.to, b)
		if len(nb) != tc.to {
			t.Fatalf("Reallocate(%d) of %d bytes: len %d", tc.to, tc.from, len(nb))
		}
		if !bytes.Equal(nb[:len(keep)], keep) {
			t.Fatalf("Reallocate(%d) of %d bytes lost the contents", tc.to, tc.from)
		}
		p.Free(nb)
	}
	if len(p.out) != 0 {
		t.Fatalf("%d buffers still out", len(p.out))
	}
}

// TestPagePoolResizableBuffer drives the pool the way arrow-go's page
// reader does: a resizable buffer grown page by page and released.
func TestPagePoolResizableBuffer(t *testing.T) {
	p := &pagePool{out: make(map[*byte]struct{})}
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
