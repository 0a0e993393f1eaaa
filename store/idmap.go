package store

import "encoding/binary"

// idMap maps 8-byte IDs to sequence numbers for the writer's copy of an ID
// index. IDs are hashes already, so the table uses their bits as the hash
// and keeps key and value side by side: a lookup at a million entries is
// one cache miss, where the built-in map (which hashes the key again and
// keeps control bytes apart from the slots) costs about two and a half
// times as much (BenchmarkIDMapGet).
// Open addressing with linear probing; deletion shifts entries back, so no
// tombstones build up.
//
// An entry's home slot is its key's top bits, so slot order is key order:
// the index's runs are stored sorted, and loading them, or growing the
// table, writes the slots front to back rather than at random (see
// idLog.load for what loading costs).
type idMap struct {
	slots []uint64 // key, value, key, value ...; key 0 marks a free slot
	n     int
	mask  uint64
	shift uint // home slot of k: k >> shift
	// The ID whose bits are all zero cannot use the marker; it is kept
	// here.
	zero    uint64
	hasZero bool
}

func newIDMap(hint int) *idMap {
	size, bits := uint64(16), uint(4)
	for size*3/4 < uint64(hint) {
		size, bits = size*2, bits+1
	}
	return &idMap{slots: make([]uint64, 2*size), mask: size - 1, shift: 64 - bits}
}

// home returns the slot where k's probe starts.
func (m *idMap) home(k uint64) uint64 { return k >> m.shift }

func idKey(k [8]byte) uint64 { return binary.BigEndian.Uint64(k[:]) }

// Len returns the number of entries.
func (m *idMap) Len() int {
	if m.hasZero {
		return m.n + 1
	}
	return m.n
}

func (m *idMap) get(k uint64) (uint64, bool) {
	if k == 0 {
		return m.zero, m.hasZero
	}
	for i := m.home(k); ; i = (i + 1) & m.mask {
		switch m.slots[2*i] {
		case k:
			return m.slots[2*i+1], true
		case 0:
			return 0, false
		}
	}
}

// put sets k to v and returns the value it replaced.
func (m *idMap) put(k, v uint64) (old uint64, had bool) {
	if k == 0 {
		old, had = m.zero, m.hasZero
		m.zero, m.hasZero = v, true
		return old, had
	}
	if uint64(m.n+1) > (m.mask+1)*3/4 {
		m.grow()
	}
	for i := m.home(k); ; i = (i + 1) & m.mask {
		switch m.slots[2*i] {
		case k:
			old = m.slots[2*i+1]
			m.slots[2*i+1] = v
			return old, true
		case 0:
			m.slots[2*i], m.slots[2*i+1] = k, v
			m.n++
			return 0, false
		}
	}
}

// del removes k and returns its value.
func (m *idMap) del(k uint64) (old uint64, had bool) {
	if k == 0 {
		old, had = m.zero, m.hasZero
		m.zero, m.hasZero = 0, false
		return old, had
	}
	i := m.home(k)
	for {
		switch m.slots[2*i] {
		case 0:
			return 0, false
		case k:
			old = m.slots[2*i+1]
			m.n--
			// Shift later entries of the run back into the hole so that
			// every entry stays reachable from its home slot.
			for j := (i + 1) & m.mask; m.slots[2*j] != 0; j = (j + 1) & m.mask {
				home := m.home(m.slots[2*j])
				// The entry at j may move to i if i lies cyclically
				// between its home and j.
				if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
					m.slots[2*i], m.slots[2*i+1] = m.slots[2*j], m.slots[2*j+1]
					i = j
				}
			}
			m.slots[2*i], m.slots[2*i+1] = 0, 0
			return old, true
		}
		i = (i + 1) & m.mask
	}
}

// reset empties the map and keeps its table.
func (m *idMap) reset() {
	clear(m.slots)
	m.n, m.zero, m.hasZero = 0, 0, false
}

func (m *idMap) grow() {
	old := m.slots
	m.slots = make([]uint64, 2*len(old))
	clear(m.slots) // see idLog.load: the table faults in faster in one sweep
	m.mask = uint64(len(m.slots)/2) - 1
	m.shift--
	for i := 0; i < len(old); i += 2 {
		if k := old[i]; k != 0 {
			j := m.home(k)
			for m.slots[2*j] != 0 {
				j = (j + 1) & m.mask
			}
			m.slots[2*j], m.slots[2*j+1] = k, old[i+1]
		}
	}
}

// each calls fn for every entry, in no order.
func (m *idMap) each(fn func(k, v uint64)) {
	if m.hasZero {
		fn(0, m.zero)
	}
	for i := 0; i < len(m.slots); i += 2 {
		if k := m.slots[i]; k != 0 {
			fn(k, m.slots[i+1])
		}
	}
}
