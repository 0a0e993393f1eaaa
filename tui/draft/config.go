package draft

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/leads-inbox/leads/store/safetext"
)

// Sender is who signs the drafts: the [sender] table of
// $XDG_CONFIG_HOME/leads/config.toml. Every field is optional; templates
// give fallbacks for the ones they use.
type Sender struct {
	Name      string `toml:"name"`
	Title     string `toml:"title"`
	Company   string `toml:"company"`
	Email     string `toml:"email"`     // the From of an .eml draft
	Signature string `toml:"signature"` // may span several lines
}

// ConfigDir returns $XDG_CONFIG_HOME/leads, else ~/.config/leads. A relative
// XDG_CONFIG_HOME is ignored, as the XDG spec requires.
func ConfigDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "leads"), nil
	}
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", errors.New("cannot find the configuration directory: set XDG_CONFIG_HOME or HOME")
		}
	}
	return filepath.Join(home, ".config", "leads"), nil
}

// LoadSender reads the [sender] table of the config file at path. A missing
// file is not an error (the templates' fallbacks apply); an unreadable or
// malformed one is, and so is a sender email that is not one valid address,
// because it would become the From header of every .eml draft.
func LoadSender(path string) (Sender, error) {
	var cfg struct {
		Sender Sender `toml:"sender"`
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Sender{}, nil
	}
	if err != nil {
		return Sender{}, fmt.Errorf("config %s: %w", path, err)
	}
	// Other tables of the file belong to other parts of leads, so unknown
	// keys are not an error here.
	if _, err := toml.Decode(string(b), &cfg); err != nil {
		return Sender{}, fmt.Errorf("config %s: %s", path, safetext.Clean(err.Error()))
	}
	s := cleanSender(cfg.Sender)
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
