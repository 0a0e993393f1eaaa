// Package view is the read model of the lead inbox: what a contact's
// digest means, how urgently a contact needs the rep, and which contacts
// a filter selects. The inbox (package tui), 'leads list', 'leads export'
// and the stats screen all read contacts through it, so that the CLI and
// the inbox can never disagree about a contact, and a column, a tier or a
// filter is added in one place.
//
// It holds no bytes, buckets or screens: package store decodes digests
// from the file into these types (it is the only package that imports
// bbolt), and package tui draws them (it is the only one that imports
// Bubble Tea). Search text is built and matched by package store/search,
// which this package uses for a filter's free-text query.
package view
