// Package store keeps every lead, contact and piece of triage state in one
// local bbolt file. It is the only package that imports bbolt.
//
// Imported data and the user's own work live in separate buckets, so an
// import can never touch triage state and either side can be rebuilt or
// migrated alone:
//
//	meta/          app = "leads", schema = version, last_test = time of newest test lead
//	dict/          kind+name -> code (uint16); small dictionary for digests
//	leads/         lead seq (u64) -> encoded Lead (content | origin | raw)
//	lead_ids/      lead ID (8 bytes) -> lead seq
//	contacts/      contact seq (u64) -> encoded Contact (merged from its leads)
//	contact_ids/   contact ID (8 bytes) -> contact seq
//	funnel/        contact seq + created (i64) + lead seq -> nil (a contact's leads in time order)
//	activity/      ^last activity (u64) + contact seq -> nil (most recent first)
//	digest/        contact seq -> compact digest (codes, times, flags, search text)
//	sync/          account+table -> resume state of the Azure Table sync
//	forgotten/     keyed hash of an email -> time forgotten
//	--- user data, written only by user actions ---
//	triage/        contact ID (hex) -> Triage (JSON)
//	history/       contact ID (hex) + seq (u64) -> Event (JSON, with the state before it for undo)
//
// Leads and contacts are keyed by sequence numbers so that a large import
// appends to the end of the B+tree instead of rewriting pages all over the
// file; the small *_ids buckets map the stable IDs onto them.
package store
