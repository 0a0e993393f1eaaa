package store

import "testing"

// TestHasContact: a contact's ID is found, a stranger's address and a
// forgotten person's are not.
func TestHasContact(t *testing.T) {
	s, _ := openTemp(t)
	if _, err := s.Upsert(sampleLeads(), UpsertOptions{}); err != nil {
		t.Fatal(err)
	}
	for email, want := range map[string]bool{
		"mei.lin@northwind.example":  true,
		" MEI.LIN@northwind.example": true,
		"stranger@spam.example":      false,
	} {
		if got, err := s.HasContact(ContactIDForEmail(email)); err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", email, got, err, want)
		}
	}
	if _, err := s.Forget("mei.lin@northwind.example", ts("2026-12-01T00:00:00Z")); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.HasContact(ContactIDForEmail("mei.lin@northwind.example")); got {
		t.Error("a forgotten person is still a contact")
	}
}
