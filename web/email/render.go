package email

import (
	"bytes"
	"context"
	"strconv"
	"strings"
)

// Render returns the HTML and plain-text parts of a digest.
func Render(ctx context.Context, v View) (html, text string, err error) {
	var buf bytes.Buffer
	if err := HTML(v).Render(ctx, &buf); err != nil {
		return "", "", err
	}
	return buf.String(), Text(v), nil
}

// Text is the plain-text part: the same View as the HTML, line by line.
func Text(v View) string {
	var b strings.Builder
	line := func(s ...string) {
		b.WriteString(strings.Join(s, ""))
		b.WriteByte('\n')
	}
	line(v.Greeting)
	line()
	line(v.Intro)
	line()
	for _, st := range v.Stats {
		line(st.Label, ": ", itoa(st.Value))
	}
	for _, s := range v.Sections {
		line()
		line(strings.ToUpper(s.Heading))
		if s.Summary != "" {
			line(s.Summary)
		}
		for _, it := range s.Items {
			line("- ", it.Title)
			line("  ", it.Detail)
			if it.Note != "" {
				line("  “", it.Note, "”")
			}
			line("  ", it.URL)
		}
		if s.More != "" {
			line(s.More, ": ", s.MoreURL)
		}
	}
	if t := v.Table; t != nil {
		line()
		line(strings.ToUpper(t.Heading))
		line(strings.Join(t.Columns, " | "))
		for _, r := range t.Rows {
			cells := []string{r.Name}
			for _, n := range r.Values {
				cells = append(cells, itoa(n))
			}
			line(strings.Join(cells, " | "))
		}
	}
	line()
	line("Open goodmoney: ", v.AppURL)
	line()
	line("You get this every Monday morning. Unsubscribe: ", v.UnsubURL)
	line("Or change it in your profile: ", v.PrefsURL)
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// alignFor right-aligns the number columns of the activity table.
func alignFor(col int) string {
	if col == 0 {
		return ""
	}
	return "text-align:right;"
}
