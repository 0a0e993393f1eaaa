package view

import "strings"

// Actions as Microsoft spells them in a lead's ActionCode or LeadSource.
const (
	ActionInstall        = "INS"
	ActionContactMe      = "PLT"
	ActionDoNotContact   = "DNC"
	ActionCreate         = "Create"
	ActionStartTestDrive = "StartTestDrive"
)

// Stage is how far along the marketplace funnel a lead's action is; a
// larger Stage is further along.
type Stage uint8

// The funnel's stages, earliest first.
const (
	StageNone      Stage = iota // DNC, or an action Microsoft does not document
	StageContactMe              // PLT: the customer asked to be contacted
	StageTestDrive              // StartTestDrive
	StageInstall                // INS, or Create (bought in the Azure portal)
)

// StageOf returns the funnel stage of an action. Case does not matter, as
// it does not for a filter: an action is what it names.
func StageOf(action string) Stage {
	switch {
	case strings.EqualFold(action, ActionInstall), strings.EqualFold(action, ActionCreate):
		return StageInstall
	case strings.EqualFold(action, ActionStartTestDrive):
		return StageTestDrive
	case strings.EqualFold(action, ActionContactMe):
		return StageContactMe
	}
	return StageNone
}
