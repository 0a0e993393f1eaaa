// Package importer turns files from the outside world into store.Lead values:
// Azure Storage Explorer table exports and other CSV files (Partner Center
// exports, hand-made spreadsheets), and webhook JSON payloads (one object, an
// array, or one object per line).
//
// Everything here treats its input as hostile. Readers stream with bounded
// memory, never panic on malformed bytes, never store text they could not
// decode (no U+FFFD stand-ins for undecodable bytes), and report every problem
// as a RowError that names the file and line. A bad row costs that row only;
// a problem that makes the whole file meaningless (an unreadable header,
// UTF-16 without a byte-order mark) stops the file before anything is emitted.
//
// Every import path, including the Azure Table sync, finishes a lead with
// Complete, so source/action/offer parsing, test-lead and no-PII flags and the
// creation-time fallbacks are decided in one place.
package importer
