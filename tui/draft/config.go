package draft

import (
	"fmt"
	"strings"

	"github.com/leads-inbox/leads/store/safetext"
	"github.com/leads-inbox/leads/tui/config"
)

// Sender is who signs the drafts: the [sender] table of the config file
// (package config, which reads the whole file).
type Sender = config.Sender

// ConfigDir returns $XDG_CONFIG_HOME/leads, else ~/.config/leads (config.Dir).
func ConfigDir(getenv func(string) string) (string, error) { return config.Dir(getenv) }

// LoadSender reads the [sender] table of the config file at path. A missing
// file is not an error (the templates' fallbacks apply); an unreadable or
// malformed one is, and so is a sender email that is not one valid address,
// because it would become the From header of every .eml draft. Problems
// elsewhere in the file are for 'leads config' to report, not the draft.
func LoadSender(path string) (Sender, error) {
	c, err := config.Load(path, func(string) string { return "" })
	if err != nil {
		return Sender{}, err
	}
	if c.Broken {
		return Sender{}, fmt.Errorf("config %s: %s", path, c.Problems[0])
	}
	s := cleanSender(c.Sender)
	if s.Email != "" {
		if err := ValidAddress(s.Email); err != nil {
			return Sender{}, fmt.Errorf("config %s: [sender] email: %v", path, err)
		}
	}
	return s, nil
}

// cleanSender trims and cleans the sender's fields like lead data: the
// config is the rep's own, but a signature pasted from elsewhere can carry
// escape sequences, and a blank field must count as missing.
func cleanSender(s Sender) Sender {
	s.Name = oneLine(s.Name)
	s.Title = oneLine(s.Title)
	s.Company = oneLine(s.Company)
	s.Email = strings.TrimSpace(s.Email)
	s.Signature = strings.Trim(safetext.CleanMultiline(s.Signature), " \n")
	return s
}

// oneLine makes text safe for a single line: no control characters, no
// escape sequences, no bidi tricks, runs of spaces collapsed.
func oneLine(s string) string {
	return strings.Join(strings.Fields(safetext.Clean(s)), " ")
}
