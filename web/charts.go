package web

import (
	"strconv"
)

// Chart is a bar chart drawn as SVG on the server: no script, a <title>
// and <desc> for screen readers, and the same figures as a table beside it
// for anyone who prefers numbers. Bars may stack several series.
type Chart struct {
	ID, Title string
	Desc      string // one or two sentences saying what the chart shows
	// About, when set, is shown under the title: what the figures count,
	// where the title alone could be read two ways.
	About  string
	Unit   string // what the values count, for the table's header
	Axis   string // what each bar is ("Stage", "Month"), for the table's header
	Series []Series
	Bars   []Bar
	// Columns draws vertical bars, for a time axis with many steps; the
	// default is one labelled horizontal bar per row, legible on a phone.
	Columns bool
	// Small draws it for the home page, without the table of figures
	// (its description and the report's link stand in for it).
	Small bool
}

// Series is one stacked part of every bar.
type Series struct {
	Label, Class string // Class colours the part (see app.css .series-*)
}

// Bar is one bar: a value per series, a label and an optional note.
type Bar struct {
	Label, Note string
	Values      []float64
	Href        string // the deals behind the bar, when there is a list
}

// Total is the bar's length.
func (b Bar) Total() float64 {
	t := 0.0
	for _, v := range b.Values {
		t += v
	}
	return t
}

// Chart geometry, in SVG user units; the drawing scales to its box, about
// one unit to a CSS pixel on a 390 px phone, where its text is 11 px.
const (
	chartWidth   = 320.0
	rowHeight    = 34.0
	barThickness = 14.0
	columnsPlot  = 110.0
	columnsAxis  = 18.0
	// charWidth is a generous average width of a character of the
	// chart's text, to keep two labels on one line apart and inside.
	charWidth = 6.5
)

// Rect is one drawn part of a bar.
type Rect struct {
	X, Y, W, H float64
	Class      string
	Value      float64
	Label      string // for the part's own <title>
}

// Text is a label drawn in the chart.
type Text struct {
	X, Y   float64
	Anchor string
	Text   string
}

// Drawing is a chart laid out.
type Drawing struct {
	Height float64
	Rects  []Rect
	Texts  []Text
}

// max is the largest bar, at least 1 so empty charts divide safely.
func (c Chart) max() float64 {
	m := 0.0
	for _, b := range c.Bars {
		m = max(m, b.Total())
	}
	if m <= 0 {
		return 1
	}
	return m
}

// Draw lays the chart out: every part's length is its value over the
// largest bar's total, times the width. Each bar has its label above it on
// the left and its figure above it on the right, both inside the drawing,
// the label shortened to the room the figure leaves.
func (c Chart) Draw() Drawing {
	if c.Columns {
		return c.drawColumns()
	}
	var d Drawing
	scale := chartWidth / c.max()
	for i, b := range c.Bars {
		y := float64(i) * rowHeight
		figure := fmtFigure(b.Total())
		if b.Note != "" {
			figure += " · " + b.Note
		}
		room := int((chartWidth - float64(len([]rune(figure))+2)*charWidth) / charWidth)
		d.Texts = append(d.Texts, Text{X: 0, Y: y + 11, Anchor: "start", Text: shortLabel(b.Label, room)},
			Text{X: chartWidth, Y: y + 11, Anchor: "end", Text: figure})
		x := 0.0
		for k, v := range b.Values {
			w := v * scale
			if w > 0 {
				d.Rects = append(d.Rects, Rect{X: x, Y: y + 15, W: w, H: barThickness, Class: c.seriesClass(k), Value: v,
					Label: b.Label + ", " + c.seriesLabel(k) + ": " + fmtFigure(v)})
			}
			x += w
		}
	}
	d.Height = max(rowHeight, float64(len(c.Bars))*rowHeight)
	return d
}

// drawColumns lays out vertical stacked bars with a few labels under them.
func (c Chart) drawColumns() Drawing {
	d := Drawing{Height: columnsPlot + columnsAxis}
	n := max(1, len(c.Bars))
	step := chartWidth / float64(n)
	scale := columnsPlot / c.max()
	every := max(1, (n+5)/6)
	for i, b := range c.Bars {
		x := float64(i) * step
		y := columnsPlot
		for k, v := range b.Values {
			h := v * scale
			if h > 0 {
				y -= h
				d.Rects = append(d.Rects, Rect{X: x + step*0.1, Y: y, W: step * 0.8, H: h, Class: c.seriesClass(k), Value: v,
					Label: b.Label + ", " + c.seriesLabel(k) + ": " + fmtFigure(v)})
			}
		}
		if i%every == 0 {
			t := Text{X: x, Y: columnsPlot + 13, Anchor: "start", Text: b.Label}
			if x+float64(len([]rune(b.Label)))*charWidth > chartWidth { // the last label ends at the edge
				t.X, t.Anchor = chartWidth, "end"
			}
			d.Texts = append(d.Texts, t)
		}
	}
	return d
}

func (c Chart) seriesClass(k int) string {
	if k < len(c.Series) && c.Series[k].Class != "" {
		return "series-" + c.Series[k].Class
	}
	return "series-" + strconv.Itoa(k)
}

func (c Chart) seriesLabel(k int) string {
	if k < len(c.Series) {
		return c.Series[k].Label
	}
	return c.Unit
}

// viewBox is the drawing's SVG viewBox.
func (d Drawing) viewBox() string {
	return "0 0 " + fmtFigure(chartWidth) + " " + fmtFigure(d.Height)
}

// fmtFigure writes a chart value with at most one decimal.
func fmtFigure(v float64) string {
	if v == float64(int64(v)) {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// fmtCoord writes an SVG coordinate.
func fmtCoord(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }

// fmtFraction writes a fraction with two decimals, as data-precision and
// data-recall carry it.
func fmtFraction(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }

// figureAttr is a fraction for a data attribute, empty when undefined.
func figureAttr(ok bool, x float64) string {
	if !ok {
		return ""
	}
	return fmtFraction(x)
}

// figureText is a fraction as a percentage, a dash when undefined (no
// flags to be right, or no bad endings to catch).
func figureText(ok bool, x float64) string {
	if !ok {
		return "—"
	}
	return strconv.Itoa(int(x*100+0.5)) + " %"
}

// shortLabel keeps a bar's label to room characters (at least 8), what
// fits beside its figure on a phone; the bar's own title and the table
// under the chart carry it whole.
func shortLabel(s string, room int) string {
	room = max(8, room)
	r := []rune(s)
	if len(r) <= room {
		return s
	}
	return string(r[:room-1]) + "…"
}
