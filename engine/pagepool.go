package engine

import (
	"math/bits"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// pagePool allocates the scratch buffers of the Parquet page readers: a
// column chunk's compressed page, its decompressed page and its
// dictionary page, each reused from page to page within the chunk and
// freed when the chunk's reader is closed. Scans open a reader per column
// chunk, so without a pool every chunk allocates (and the runtime clears)
// megabytes that the chunk before it has just dropped; with it, a freed
// buffer goes to the next chunk as it is.
//
// Pooled buffers are not cleared. That is sound for these buffers only:
// arrow-go fills a page buffer completely (a decompressed page must have
// the length its header gives, a compressed one is read in full) before
// anything reads it. Decoded values never live in pool memory: the Arrow
// arrays a scan returns are allocated from the scan's own allocator.
//
// Buffers are pooled in power-of-two classes from minPooled to maxPooled
// bytes; other sizes are plain Go allocations. Free accepts only a buffer
// the pool handed out and has not had back since, so a second Free of the
// same buffer cannot hand it to two readers.
type pagePool struct {
	classes [maxClass - minClass + 1]sync.Pool // of *[]byte, cap 1<<class

	mu  sync.Mutex
	out map[*byte]struct{} // handed out and not yet freed
}

const (
	minClass  = 16 // 64 KiB
	maxClass  = 26 // 64 MiB
	minPooled = 1 << minClass
	maxPooled = 1 << maxClass
)

// pages is the allocator of every scan's page readers.
var pages = &pagePool{out: make(map[*byte]struct{})}

var _ memory.Allocator = (*pagePool)(nil)

func classOf(size int) int {
	if size <= minPooled {
		return minClass
	}
	return bits.Len(uint(size - 1))
}

// Allocate returns a buffer of size bytes; its contents are undefined
// when it comes from the pool.
func (p *pagePool) Allocate(size int) []byte {
	if size < minPooled/2 || size > maxPooled {
		return memory.DefaultAllocator.Allocate(size)
	}
	c := classOf(size)
	var b []byte
	if v := p.classes[c-minClass].Get(); v != nil {
		b = *(v.(*[]byte))
	} else {
		b = make([]byte, 1<<c)
	}
	p.mu.Lock()
	p.out[&b[0]] = struct{}{}
	p.mu.Unlock()
	return b[:size]
}

// Reallocate grows or shrinks b to size bytes, keeping its contents.
func (p *pagePool) Reallocate(size int, b []byte) []byte {
	if size <= cap(b) && p.owns(b) {
		return b[:size]
	}
	nb := p.Allocate(size)
	copy(nb, b)
	p.Free(b)
	return nb
}

// owns reports whether b is a pooled buffer currently handed out.
func (p *pagePool) owns(b []byte) bool {
	if cap(b) < minPooled {
		return false
	}
	p.mu.Lock()
	_, ok := p.out[&b[:1][0]]
	p.mu.Unlock()
	return ok
}

// Free returns b to the pool if the pool handed it out; anything else is
// left to the garbage collector.
func (p *pagePool) Free(b []byte) {
	if cap(b) < minPooled || cap(b) > maxPooled || cap(b)&(cap(b)-1) != 0 {
		return
	}
	b = b[:cap(b)]
	p.mu.Lock()
	_, ok := p.out[&b[0]]
	delete(p.out, &b[0])
	p.mu.Unlock()
	if ok {
		p.classes[classOf(cap(b))-minClass].Put(&b)
	}
}
