package store

import (
	"math/rand/v2"
	"testing"
)

// TestIDMapAgainstBuiltinMap: random puts and deletes, with keys crowded
// into few home slots so that runs wrap and deletions shift entries, agree
// with a built-in map at every step.
func TestIDMapAgainstBuiltinMap(t *testing.T) {
	for _, spread := range []uint64{1 << 62, 64, 7} {
		r := rand.New(rand.NewPCG(1, spread))
		m := newIDMap(0)
		want := map[uint64]uint64{}
		for step := 0; step < 200000; step++ {
			k := r.Uint64N(spread) * (1 + r.Uint64N(3)<<40) // shared low bits
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
				t.Fatalf("spread %d: %d = %d/%v, want %d", spread, k, got, ok, v)
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
