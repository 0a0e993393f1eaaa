package config

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Mail is the [mail] table: how a draft is sent (the rep's own transport,
// a sendmail-compatible command or SMTP submission) and which mailbox
// 'leads mail' reads replies from (Maildir folders or an IMAP server),
// read-only. leads never stores a password: PasswordCommand prints it.
type Mail struct {
	// Sendmail is a sendmail-compatible command ("msmtp -a work"): the
	// message goes to its stdin, with -i and the recipient as arguments
	// (so the envelope is the checked address, never a header's).
	Sendmail string
	// SMTPHost … SMTPUser set SMTP submission instead. SMTPSecurity is
	// "starttls" (the default, port 587), "tls" (implicit, port 465) or
	// "none" (only to a server on this machine).
	SMTPHost     string
	SMTPPort     int
	SMTPSecurity string
	SMTPUser     string
	// PasswordCommand prints the password (SMTP and IMAP) on its first
	// line of output: "pass show mail/work", a keyring tool.
	PasswordCommand string
	// SentMaildir, when set, keeps a copy of each sent message there.
	SentMaildir string

	// Maildirs are folders to read replies from (each with cur/ and new/).
	Maildirs []string
	// IMAPHost … IMAPFolders read replies from an IMAP server instead or
	// too. IMAPSecurity is "tls" (the default, port 993), "starttls"
	// (port 143) or "none" (only to a server on this machine).
	IMAPHost     string
	IMAPPort     int
	IMAPSecurity string
	IMAPUser     string
	IMAPFolders  []string
}

// Sends reports whether sending is set up.
func (m Mail) Sends() bool { return m.Sendmail != "" || m.SMTPHost != "" }

// Reads reports whether a mailbox to read replies from is set up.
func (m Mail) Reads() bool { return len(m.Maildirs) > 0 || m.IMAPHost != "" }

// Calendar is the [calendar] table: where 'leads calendar' writes the
// follow-ups as an iCalendar file, and whether the inbox rewrites it
// after every change.
type Calendar struct {
	Path string
	// IncludeEmail puts the contact's address in each event; off by
	// default, because a calendar is often shared or synced elsewhere.
	IncludeEmail bool
	// Rewrite makes the inbox rewrite Path after every change.
	Rewrite bool
}

var mailKeys = []string{"sendmail", "smtp_host", "smtp_port", "smtp_security", "smtp_user", "password_command",
	"sent_maildir", "maildir", "imap_host", "imap_port", "imap_security", "imap_user", "imap_folders"}

func (r reader) mail(v any, getenv func(string) string) {
	t, ok := r.table(v, r.at.table("mail"), "mail")
	if !ok {
		return
	}
	m := &r.c.Mail
	for _, k := range sortedKeys(t) {
		line := r.at.key("mail", k)
		name := "[mail] " + k
		switch k {
		case "sendmail", "smtp_host", "smtp_user", "password_command", "imap_host", "imap_user":
			s, ok := r.str(t[k], line, name)
			if !ok {
				continue
			}
			s = strings.TrimSpace(s)
			if strings.ContainsAny(s, "\r\n") {
				r.c.problem(line, name+" must be one line")
				continue
			}
			switch k {
			case "sendmail":
				m.Sendmail = s
			case "smtp_host":
				m.SMTPHost = s
			case "smtp_user":
				m.SMTPUser = s
			case "password_command":
				m.PasswordCommand = s
			case "imap_host":
				m.IMAPHost = s
			case "imap_user":
				m.IMAPUser = s
			}
		case "smtp_port", "imap_port":
			n, ok := t[k].(int64)
			if !ok || n < 1 || n > 65535 {
				r.c.problem(line, name+" must be a port number, 1 to 65535")
				continue
			}
			if k == "smtp_port" {
				m.SMTPPort = int(n)
			} else {
				m.IMAPPort = int(n)
			}
		case "smtp_security", "imap_security":
			s, ok := r.str(t[k], line, name)
			if !ok {
				continue
			}
			s = strings.ToLower(strings.TrimSpace(s))
			if s != "starttls" && s != "tls" && s != "none" {
				r.c.problem(line, name+` must be "starttls", "tls" or "none"`)
				continue
			}
			if k == "smtp_security" {
				m.SMTPSecurity = s
			} else {
				m.IMAPSecurity = s
			}
		case "sent_maildir":
			if s, ok := r.str(t[k], line, name); ok {
				m.SentMaildir = expandHome(strings.TrimSpace(s), getenv)
			}
		case "maildir", "imap_folders":
			list, ok := r.strings(t[k], line, name)
			if !ok {
				continue
			}
			if k == "maildir" {
				for i := range list {
					list[i] = expandHome(list[i], getenv)
				}
				m.Maildirs = list
			} else {
				m.IMAPFolders = list
			}
		default:
			r.unknown(line, "mail", k, mailKeys)
		}
	}
	if m.Sendmail != "" && m.SMTPHost != "" {
		r.c.problem(r.at.key("mail", "smtp_host"), "[mail] sets both sendmail and smtp_host: keep one; sendmail is used")
		m.SMTPHost = ""
	}
	if m.IMAPHost != "" && len(m.IMAPFolders) == 0 {
		m.IMAPFolders = []string{"INBOX"}
	}
}

// strings reads a string or a list of strings.
func (r reader) strings(v any, line int, name string) ([]string, bool) {
	switch x := v.(type) {
	case string:
		if s := strings.TrimSpace(x); s != "" {
			return []string{s}, true
		}
	case []any:
		var out []string
		for _, e := range x {
			s, ok := e.(string)
			if !ok || strings.TrimSpace(s) == "" {
				r.c.problem(line, name+" must be a string or a list of strings")
				return nil, false
			}
			out = append(out, strings.TrimSpace(s))
		}
		if len(out) > 0 {
			return out, true
		}
	}
	r.c.problem(line, name+" must be a string or a list of strings")
	return nil, false
}

func (r reader) calendar(v any, getenv func(string) string) {
	t, ok := r.table(v, r.at.table("calendar"), "calendar")
	if !ok {
		return
	}
	known := []string{"path", "include_email", "rewrite"}
	c := &r.c.Calendar
	for _, k := range sortedKeys(t) {
		line := r.at.key("calendar", k)
		switch k {
		case "path":
			if s, ok := r.str(t[k], line, "[calendar] path"); ok {
				c.Path = expandHome(strings.TrimSpace(s), getenv)
			}
		case "include_email", "rewrite":
			b, ok := t[k].(bool)
			if !ok {
				r.c.problem(line, fmt.Sprintf("[calendar] %s must be true or false", k))
				continue
			}
			if k == "include_email" {
				c.IncludeEmail = b
			} else {
				c.Rewrite = b
			}
		default:
			r.unknown(line, "calendar", k, known)
		}
	}
	if c.Rewrite && c.Path == "" {
		r.c.problem(r.at.key("calendar", "rewrite"), "[calendar] rewrite needs a path to write to")
		c.Rewrite = false
	}
}

// expandHome turns a leading ~/ into the home directory, as a shell
// would, since config paths are written the way the rep types them.
func expandHome(p string, getenv func(string) string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if h := getenv("HOME"); h != "" {
			return filepath.Join(h, p[1:])
		}
	}
	return p
}
