package export

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// recycler is the Arrow allocator of the readers when Options.Mem is nil.
// Every batch needs the same large buffers as the one before (a column of
// chunk-size values each), and a batch's buffers are freed as soon as the
// snapshot writer has encoded it; Go's allocator would hand out fresh,
// zeroed, often not yet mapped memory for each one and leave the old to
// the garbage collector. The recycler keeps freed buffers of minRecycled
// bytes and more, by power-of-two size, and hands them out again (cleared,
// as Allocate must), up to maxHeld bytes. Smaller buffers are left to Go.
type recycler struct {
	mu   sync.Mutex
	free [64][][]byte // by log2 of capacity
	held int
}

const (
	minRecycled = 64 << 10
	maxHeld     = 64 << 20
	alignment   = 64 // as memory.GoAllocator
)

var _ memory.Allocator = (*recycler)(nil)

func (r *recycler) Allocate(size int) []byte {
	if size < minRecycled {
		return alignedMake(size, size)
	}
	class := bits.Len(uint(size - 1)) // capacity 1<<class >= size
	r.mu.Lock()
	if l := r.free[class]; len(l) > 0 {
		b := l[len(l)-1]
		l[len(l)-1] = nil
		r.free[class] = l[:len(l)-1]
		r.held -= cap(b)
		r.mu.Unlock()
		clear(b[:cap(b)]) // all of it, as fresh memory: Reallocate may extend b within its capacity
		return b[:size]
	}
	r.mu.Unlock()
	return alignedMake(size, 1<<class)
}

func (r *recycler) Reallocate(size int, b []byte) []byte {
	if size <= cap(b) {
		return b[:size]
	}
	nb := r.Allocate(size)
	copy(nb, b)
	r.Free(b)
	return nb
}

// Free keeps b for reuse when it is one of the recycler's power-of-two
// buffers and there is room.
func (r *recycler) Free(b []byte) {
	c := cap(b)
	if c < minRecycled || c&(c-1) != 0 || uintptr(unsafe.Pointer(unsafe.SliceData(b)))%alignment != 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.held+c > maxHeld {
		return
	}
	class := bits.Len(uint(c - 1))
	r.free[class] = append(r.free[class], b[:c])
	r.held += c
}

// alignedMake returns size bytes with room for capacity, starting on an
// alignment boundary.
func alignedMake(size, capacity int) []byte {
	buf := make([]byte, capacity+alignment)
	off := 0
	if rem := int(uintptr(unsafe.Pointer(&buf[0])) % alignment); rem != 0 {
		off = alignment - rem
	}
	return buf[off : off+size : off+capacity]
}
