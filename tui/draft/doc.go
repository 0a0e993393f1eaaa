// Package draft turns a contact into a personalised email draft and hands it
// to the rep's own mail tools: an editor, the default mail program (mailto:),
// an unsent .eml file, or the clipboard. It never sends mail.
//
// Everything a draft contains that came from a lead is untrusted: a stranger
// typed it into a public form. The package therefore builds every output
// from parts it controls (one validated address, a one-line subject, a body)
// so that no lead text can add a header, a recipient or a line outside the
// body, and it refuses to draft at all for do-not-contact, test and
// address-less contacts (see Check).
//
// # Templates
//
// A template is a text file: a header block, one blank line, then the body.
//
//	# Lines starting with # in the header block are comments.
//	Description: first reply to a Contact me request
//	Subject: {{.OfferName}}: your request
//
//	Hi {{or .FirstName "there"}},
//	...
//
// The header keys are Subject (required) and Description (optional, shown
// when picking a template). Subject and body are Go text/template text with
// the fields of Data and the functions listed in Funcs. A field that may be
// empty needs a fallback written in the template, either {{or .FirstName
// "there"}} or {{.FirstName | fallback "there"}}; {{or .Title ""}} says
// "nothing" on purpose. Render reports an action that prints nothing for a
// contact (the "Hi ," mistake) as a LintError before any output is opened.
//
// A paragraph is one line of the template, however long. The inbox wraps
// it at the screen's width for display, and the outputs (editor, mail
// program, .eml, clipboard, --stdout) keep it as one line: mail programs
// wrap it at the reader's width, while text wrapped here at a fixed width
// would break unevenly as soon as the rep edits a line or a merge field
// is long ("you? If you" alone on a line). The .eml body is
// quoted-printable, which keeps its lines within the mail line limit.
//
// The built-in templates are embedded; files in
// $XDG_CONFIG_HOME/leads/templates/NAME.tmpl override a built-in of the same
// NAME or add a new one. Load checks every file and names the file and line
// of any mistake.
package draft
