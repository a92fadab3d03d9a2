// Package bufpool is an Arrow allocator that keeps large freed buffers
// and hands them out again, for code that allocates the same large
// buffers over and over (a reader's batches, a page reader's pages): Go's
// allocator would hand out fresh, zeroed, often not yet mapped memory for
// each and leave the old to the garbage collector.
package bufpool

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

const (
	// MinSize is the smallest buffer kept; smaller ones are left to Go.
	MinSize = 64 << 10
	// DefaultMaxHeld is the most bytes a Pool keeps when MaxHeld is 0.
	DefaultMaxHeld = 64 << 20
	// Alignment of every buffer, as memory.GoAllocator.
	Alignment = 64
)

// Pool keeps buffers of MinSize bytes and more, by power-of-two capacity.
// Free takes back only a buffer the pool handed out and has not had back
// since, so freeing a buffer twice cannot hand it to two users. The zero
// value is ready to use and safe for concurrent use.
type Pool struct {
	// NoZero hands a reused buffer out as its last user left it. Only
	// for users that write every byte they read (a page reader filling
	// a page); Arrow builders and arrays need zeroed memory.
	NoZero bool
	// MaxHeld bounds the bytes kept for reuse; 0 means DefaultMaxHeld.
	MaxHeld int

	mu   sync.Mutex
	free [64][][]byte       // by log2 of capacity
	held int                // bytes in free
	out  map[*byte]struct{} // handed out and not yet freed
}

var _ memory.Allocator = (*Pool)(nil)

// Allocate returns size bytes, aligned.
func (p *Pool) Allocate(size int) []byte {
	if size < MinSize {
		return alignedMake(size, size)
	}
	class := bits.Len(uint(size - 1)) // capacity 1<<class >= size
	p.mu.Lock()
	var b []byte
	if l := p.free[class]; len(l) > 0 {
		b = l[len(l)-1]
		l[len(l)-1] = nil
		p.free[class] = l[:len(l)-1]
		p.held -= cap(b)
	}
	p.mu.Unlock()
	switch {
	case b == nil:
		b = alignedMake(size, 1<<class)
	case !p.NoZero:
		clear(b[:cap(b)]) // all of it, as fresh memory: Reallocate may extend b within its capacity
	}
	p.mu.Lock()
	if p.out == nil {
		p.out = make(map[*byte]struct{})
	}
	p.out[unsafe.SliceData(b)] = struct{}{}
	p.mu.Unlock()
	return b[:size]
}

// Reallocate grows or shrinks b to size bytes, keeping its contents.
func (p *Pool) Reallocate(size int, b []byte) []byte {
	if size <= cap(b) {
		return b[:size]
	}
	nb := p.Allocate(size)
	copy(nb, b)
	p.Free(b)
	return nb
}

// Free keeps b for reuse if the pool handed it out and there is room;
// anything else is left to the garbage collector.
func (p *Pool) Free(b []byte) {
	c := cap(b)
	if c < MinSize {
		return
	}
	max := p.MaxHeld
	if max == 0 {
		max = DefaultMaxHeld
	}
	key := unsafe.SliceData(b)
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.out[key]; !ok {
		return
	}
	delete(p.out, key)
	if p.held+c > max {
		return
	}
	class := bits.Len(uint(c - 1))
	p.free[class] = append(p.free[class], b[:c])
	p.held += c
}

// Held is the bytes kept for reuse.
func (p *Pool) Held() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.held
}

// alignedMake returns size bytes with room for capacity, starting on an
// Alignment boundary.
func alignedMake(size, capacity int) []byte {
	buf := make([]byte, capacity+Alignment)
	off := 0
	if rem := int(uintptr(unsafe.Pointer(&buf[0])) % Alignment); rem != 0 {
		off = Alignment - rem
	}
	return buf[off : off+size : off+capacity]
}
