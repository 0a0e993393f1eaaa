// Package azuretable syncs leads from the Azure Table Partner Center writes
// them to (MarketplaceLeads in the publisher's storage account) into the
// local store.
//
// A sync is incremental: the store remembers, per account and table, the
// newest Timestamp a finished sync has vouched for, and the next sync asks
// only for entities changed since then (minus a few minutes of overlap).
// Pages are committed one by one together with the continuation of the
// next, so a sync that is killed, cut off or cancelled resumes where it
// stopped. Leads are identified by PartitionKey and RowKey alone, which is
// also what a Storage Explorer CSV export of the same table carries: the
// two paths meet as the same leads.
//
// Credentials come from a connection string, a SAS URL or the [azure]
// section of the config file (see Resolve). No error or message from this
// package contains an account key or a SAS signature: everything that
// leaves it has been through Redact.
package azuretable
