// Package store keeps every lead, contact and piece of triage state in one
// local bbolt file. It is the only package that imports bbolt.
//
// The store owns bytes, buckets, transactions and migrations; what the
// records mean to a reader lives in store/view, the read model: what a
// contact's digest says, how urgently a contact needs the rep, and which
// contacts a filter selects. The store decodes digests into view types
// (Digests, LoadDigests), gives the read model's state of the rep's work
// (States) and offers' display names (OfferNames), and lists contacts
// with a view.Selection and a view.Order (ListContactsBy), so 'leads
// list' and the inbox cannot disagree. Search text is built and matched
// by store/search; everything shown passes store/safetext.
//
// Imported data and the user's own work live in separate buckets, so an
// import can never touch triage state and either side can be rebuilt or
// migrated alone:
//
//	meta/          app = "leads", schema = version, last_test = time of newest test lead,
//	               unfolded = first lead an import left for Fold (see fold.go)
//	codes/         code (u32) -> kind:name (view.Entry); the dictionary of
//	               digest codes; its sequence is the last code handed out
//	leads/         lead seq (u64) -> encoded Lead (content | origin | raw)
//	lead_idx/      run seq (u64) -> sorted run of (lead ID, lead seq) pairs; see idlog.go
//	contacts/      contact seq (u64) -> one record: digest (codes, times, flags,
//	               search text), display fields, and its leads in time order
//	contact_idx/   run seq (u64) -> sorted run of (contact ID, contact seq) pairs
//	rank_col/      contact seq / 1024 (u64) -> the rank column: per contact seq its
//	               ID, flags, newest and newest hot lead time, fixed width, and a
//	               CRC-32C; written with the contacts (rankcol.go); meta rank_col
//	               holds the contacts' sequence and count it was written for
//	sync/          account+table -> resume state of the Azure Table sync
//	notified/      contact ID (hex) -> due time of the follow-up 'leads watch'
//	               notified (made by the first; see notified.go)
//	forgotten/     keyed hash of an email -> time forgotten
//	--- user data, written only by user actions ---
//	triage/        contact ID (hex) -> Triage (JSON)
//	history/       contact ID (hex) + seq (u64) -> Event (JSON, with the state before it for undo)
//
// Leads and contacts are keyed by sequence numbers so that a large import
// appends to the end of the B+tree instead of rewriting pages all over the
// file. The stable IDs (hashes) map onto them through the *_idx buckets,
// which are logs of sorted runs for the same reason: an import appends one
// run per batch instead of inserting a million random keys.
//
// A contact is the person behind an address: NormalizeEmail gives one
// identity to every form of it (Unicode form, invisible characters, case).
// An import stores its new leads in batches and files the leads of
// contacts stored by an earlier batch once, at the end (Fold), so that
// rows in any order cost the same; see fold.go for how a crash between
// the two is finished.
package store
