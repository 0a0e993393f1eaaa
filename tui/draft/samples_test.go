package draft

import (
	"time"

	"github.com/leads-inbox/leads/store"
)

// The sample contacts of /work/shared/samples, built directly: Mei Lin went
// PLT → StartTestDrive → INS, José Álvarez bought in the Azure portal, and
// Kenji Sato asked to be contacted (the webhook sample has no time, so one
// is fixed here).

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func contactOf(leads ...store.Lead) *store.Contact {
	last := leads[len(leads)-1]
	cu := last.Customer
	c := &store.Contact{
		ID:              last.ContactID(),
		Email:           store.NormalizeEmail(cu.Email),
		Customer:        cu,
		First:           leads[0].Created,
		Last:            last.Created,
		LeadCount:       len(leads),
		LatestSource:    last.Source,
		LatestAction:    last.Action,
		LatestOfferID:   last.OfferID,
		LatestOfferName: last.OfferName,
		Leads:           leads,
		Triage:          store.Triage{ContactID: last.ContactID(), Status: store.StatusNew},
	}
	for _, l := range leads {
		c.Actions = append(c.Actions, l.Action)
		c.IsDNC = c.IsDNC || l.IsDNC()
	}
	c.IsTest, c.NoPII = last.IsTest, last.NoPII
	return c
}

func meiLin() *store.Contact {
	cu := store.Customer{FirstName: "Mei", LastName: "Lin", Email: "mei.lin@northwind.example",
		Country: "TW", Company: "Northwind Traders", Title: "IT Director"}
	return contactOf(
		store.Lead{Source: store.SourceAppSource, Action: store.ActionContactMe, OfferID: "contoso.inventory-pro",
			OfferName: "Contoso Inventory Pro", Created: ts("2026-11-02T08:14:05Z"),
			Description: "Please contact me about pricing for 200 seats", Customer: cu},
		store.Lead{Source: store.SourceAppSource, Action: store.ActionStartTestDrive, OfferID: "contoso.inventory-pro",
			OfferName: "Contoso Inventory Pro", Created: ts("2026-11-03T15:40:47Z"), Customer: cu},
		store.Lead{Source: store.SourceAzureMarketplace, Action: store.ActionInstall, OfferID: "contoso.inventory-pro",
			OfferName: "Contoso Inventory Pro", Created: ts("2026-11-05T09:02:08Z"), Description: "Campaigns: ", Customer: cu},
	)
}

func joseAlvarez() *store.Contact {
	cu := store.Customer{FirstName: "José", LastName: "Álvarez", Email: "jalvarez@fabrikam.example",
		Phone: "34911234567", Country: "ES", Company: "Fabrikam, S.A.", Title: "CTO"}
	return contactOf(store.Lead{Source: store.SourceAzurePortal, Action: store.ActionCreate,
		OfferID: "contoso.inventory-pro-byol", OfferName: "Contoso Inventory Pro (BYOL)",
		Created: ts("2026-11-04T22:02:58Z"), Customer: cu})
}

func kenjiSato() *store.Contact {
	cu := store.Customer{FirstName: "Kenji", LastName: "Sato", Email: "kenji@litware.example",
		Country: "JP", Company: "Litware", Title: "CIO"}
	return contactOf(store.Lead{Source: store.SourceAppSource, Action: store.ActionContactMe,
		OfferID: "contoso.inventory-pro", OfferName: "Contoso Inventory Pro",
		Created: ts("2026-11-09T10:00:00Z"), Description: "Want a demo next week", Customer: cu})
}

// bare is a contact with an address and nothing else: every fallback shows.
func bare() *store.Contact {
	return contactOf(store.Lead{Action: "PLT", Customer: store.Customer{Email: "x@y.example"}})
}

var testSender = Sender{Name: "Ana Ruiz", Title: "Partner Sales", Company: "Contoso", Email: "ana@contoso.example"}

// touched moves a contact to its n-th touch (n-1 touches logged).
func touched(c *store.Contact, n int) *store.Contact {
	c.Triage.Touches = n - 1
	if n > 1 {
		c.Triage.Status = store.StatusContacted
		c.Triage.LastTouch = ts("2026-11-10T09:00:00Z").AddDate(0, 0, 3*(n-2))
	}
	return c
}
