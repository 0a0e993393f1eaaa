package store

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestIDMapAgainstBuiltinMap: random puts and deletes agree with a
// built-in map at every step, with keys crowded into few home slots (the
// first, or the last, so that runs wrap past the end of the table) and
// deletions shifting entries back, and for the keys workKey makes.
func TestIDMapAgainstBuiltinMap(t *testing.T) {
	uniform := func(r *rand.Rand) uint64 { return r.Uint64() }
	// Few distinct top bits: every home is one of the first slots.
	low := func(n uint64) func(r *rand.Rand) uint64 {
		return func(r *rand.Rand) uint64 { return r.Uint64N(n) * (1 + r.Uint64N(3)<<40) }
	}
	// Top bits all set: homes at the end, runs wrap to the start.
	high := func(n uint64) func(r *rand.Rand) uint64 {
		return func(r *rand.Rand) uint64 { return ^low(n)(r) }
	}
	work := func(r *rand.Rand) uint64 { return workKey(r.Uint64N(3000)) }
	for i, key := range []func(*rand.Rand) uint64{uniform, low(64), low(7), high(7), work} {
		r := rand.New(rand.NewPCG(1, uint64(i)))
		m := newIDMap(0)
		want := map[uint64]uint64{}
		for step := 0; step < 200000; step++ {
			k := key(r)
			if r.IntN(8) == 0 {
				k = 0
			}
			switch op := r.IntN(10); {
			case op < 6:
				v := r.Uint64()
				old, had := m.put(k, v)
				wold, whad := want[k]
				if had != whad || old != wold {
					t.Fatalf("step %d put(%d): %d/%v, want %d/%v", step, k, old, had, wold, whad)
				}
				want[k] = v
			case op < 9:
				old, had := m.del(k)
				wold, whad := want[k]
				if had != whad || old != wold {
					t.Fatalf("step %d del(%d): %d/%v, want %d/%v", step, k, old, had, wold, whad)
				}
				delete(want, k)
			default:
				v, ok := m.get(k)
				wv, wok := want[k]
				if ok != wok || v != wv {
					t.Fatalf("step %d get(%d): %d/%v, want %d/%v", step, k, v, ok, wv, wok)
				}
			}
			if m.Len() != len(want) {
				t.Fatalf("step %d: %d entries, want %d", step, m.Len(), len(want))
			}
		}
		for k, v := range want {
			if got, ok := m.get(k); !ok || got != v {
				t.Fatalf("case %d: %d = %d/%v, want %d", i, k, got, ok, v)
			}
		}
		n := 0
		m.each(func(k, v uint64) {
			n++
			if want[k] != v {
				t.Fatalf("each: %d = %d, want %d", k, v, want[k])
			}
		})
		if n != len(want) {
			t.Fatalf("each visited %d, want %d", n, len(want))
		}
	}
}

// TestSortByHighBits: the bucket sort orders any keys, even and crowded,
// and keeps entries with equal keys in their order.
func TestSortByHighBits(t *testing.T) {
	type e struct{ k, i uint64 }
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 63, 64, 1000, 20000} {
		for _, keys := range []func() uint64{r.Uint64, func() uint64 { return r.Uint64N(5) }, func() uint64 { return r.Uint64N(5) << 60 }} {
			es := make([]e, n)
			for i := range es {
				es[i] = e{keys(), uint64(i)}
			}
			sortByHighBits(es, func(x e) uint64 { return x.k }, func(a, b e) bool { return a.k < b.k })
			for i := 1; i < len(es); i++ {
				if es[i-1].k > es[i].k || (es[i-1].k == es[i].k && es[i-1].i > es[i].i) {
					t.Fatalf("n=%d: out of order at %d: %v %v", n, i, es[i-1], es[i])
				}
			}
		}
	}
}

// BenchmarkSortByHighBits sorts a batch's worth of random IDs, against
// slices.SortFunc on the same input.
func BenchmarkSortByHighBits(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	src := make([]kv, 20000)
	for i := range src {
		src[i] = kv{r.Uint64(), uint64(i)}
	}
	es := make([]kv, len(src))
	b.Run("highbits", func(b *testing.B) {
		for range b.N {
			copy(es, src)
			sortByHighBits(es, func(e kv) uint64 { return e.k }, func(a, b kv) bool { return a.k < b.k })
		}
	})
	b.Run("slices.SortFunc", func(b *testing.B) {
		for range b.N {
			copy(es, src)
			slices.SortFunc(es, func(a, b kv) int { return cmp.Compare(a.k, b.k) })
		}
	})
}

// BenchmarkIDMapGet looks up IDs in a table of a million, against the
// built-in map holding the same.
func BenchmarkIDMapGet(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	keys := make([]uint64, 1<<20)
	m, g := newIDMap(0), map[uint64]uint64{}
	for i := range keys {
		keys[i] = r.Uint64()
		m.put(keys[i], uint64(i))
		g[keys[i]] = uint64(i)
	}
	b.Run("idMap", func(b *testing.B) {
		for i := range b.N {
			m.get(keys[(i*7919)&(len(keys)-1)])
		}
	})
	b.Run("builtin", func(b *testing.B) {
		for i := range b.N {
			_ = g[keys[(i*7919)&(len(keys)-1)]]
		}
	})
}
