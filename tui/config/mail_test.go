package config

import (
	"slices"
	"strings"
	"testing"
)

// TestConfigMailAndCalendar: the [mail] and [calendar] tables are read
// with ~ expanded, a list or one string for folders, IMAP's folder
// defaulting to INBOX; each bad key is a problem on its line and keeps
// the default; sendmail wins over smtp_host when both are set.
func TestConfigMailAndCalendar(t *testing.T) {
	p := write(t, `[mail]
sendmail = "msmtp -a work"
smtp_host = "smtp.example.com"
maildir = ["~/Mail/INBOX", "/srv/mail/b"]
imap_host = "imap.example.com"
imap_port = 99999
smtp_security = "ssl"
password_command = "pass show mail"
bogus = 1
[calendar]
path = "~/follow-ups.ics"
rewrite = true
include_email = "yes"
`)
	c, err := Load(p, env("HOME", "/home/rep"))
	if err != nil {
		t.Fatal(err)
	}
	m := c.Mail
	if m.Sendmail != "msmtp -a work" || m.SMTPHost != "" || !m.Sends() || !m.Reads() {
		t.Fatalf("mail: %+v", m)
	}
	if !slices.Equal(m.Maildirs, []string{"/home/rep/Mail/INBOX", "/srv/mail/b"}) || !slices.Equal(m.IMAPFolders, []string{"INBOX"}) {
		t.Fatalf("folders: %+v", m)
	}
	if m.IMAPPort != 0 || m.SMTPSecurity != "" || m.PasswordCommand != "pass show mail" {
		t.Fatalf("bad values kept: %+v", m)
	}
	if c.Calendar.Path != "/home/rep/follow-ups.ics" || !c.Calendar.Rewrite || c.Calendar.IncludeEmail {
		t.Fatalf("calendar: %+v", c.Calendar)
	}
	var got []string
	for _, pr := range c.Problems {
		got = append(got, pr.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{"line 3: [mail] sets both", "line 6: [mail] imap_port", "line 7: [mail] smtp_security", `line 9: unknown key "bogus" in [mail]`, "line 13: [calendar] include_email"} {
		if !strings.Contains(all, want) {
			t.Errorf("no problem %q in:\n%s", want, all)
		}
	}
}
