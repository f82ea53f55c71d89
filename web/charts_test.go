package web

import (
	"math"
	"strconv"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestBarChart_Proportional: every bar's drawn size is its value over the
// largest bar's, and every chart carries a title, a description and its
// figures as a table.
func TestBarChart_Proportional(t *testing.T) {
	t.Parallel()
	charts := []Chart{
		{ID: "rows", Title: "Funnel", Desc: "Deals per stage.", Unit: "deals",
			Bars: []Bar{{Label: "Lead", Values: []float64{40}}, {Label: "Won", Values: []float64{10}, Note: "25 %"}, {Label: "Zero", Values: []float64{0}}}},
		{ID: "cols", Title: "Flags per week", Desc: "Flags by outcome.", Unit: "flags", Columns: true,
			Series: []Series{{Label: "Good", Class: "good_money"}, {Label: "Lost", Class: "lost"}},
			Bars:   []Bar{{Label: "1 Jun", Values: []float64{2, 6}}, {Label: "8 Jun", Values: []float64{1, 1}}, {Label: "15 Jun", Values: []float64{0, 0}}}},
	}
	for _, c := range charts {
		t.Run(c.ID, func(t *testing.T) {
			doc, _ := render(t, BarChart(c))
			svg := doc.Find("svg.chart-svg")
			if svg.Length() != 1 {
				t.Fatalf("%d svg elements, want 1", svg.Length())
			}
			if got := svg.ChildrenFiltered("title").Text(); got != c.Title {
				t.Errorf("svg title %q, want %q", got, c.Title)
			}
			if got := svg.ChildrenFiltered("desc").Text(); got != c.Desc {
				t.Errorf("svg desc %q, want %q", got, c.Desc)
			}
			if role, _ := svg.Attr("role"); role != "img" {
				t.Errorf("svg role %q, want img", role)
			}
			if rows := doc.Find(".chart-data table tbody tr").Length(); rows != len(c.Bars) {
				t.Errorf("text alternative has %d rows, want %d", rows, len(c.Bars))
			}
			size := "width"
			if c.Columns {
				size = "height"
			}
			// The largest bar total fills the plot: value 1 is plot/max.
			plot, largest := chartWidth, 40.0
			if c.Columns {
				plot, largest = columnsPlot, 8
			}
			rects := svg.Find("rect")
			want := 0
			for _, b := range c.Bars {
				for _, v := range b.Values {
					if v > 0 {
						want++
					}
				}
			}
			if rects.Length() != want {
				t.Fatalf("%d bars drawn, want %d (one per value above zero)", rects.Length(), want)
			}
			rects.Each(func(_ int, r *goquery.Selection) {
				v, err1 := strconv.ParseFloat(r.AttrOr("data-value", ""), 64)
				got, err2 := strconv.ParseFloat(r.AttrOr(size, ""), 64)
				if err1 != nil || err2 != nil {
					t.Fatalf("bar attributes: %v %v", err1, err2)
				}
				if wantSize := v / largest * plot; math.Abs(got-wantSize) > 0.01 {
					t.Errorf("bar of %v: %s %v, want %v", v, size, got, wantSize)
				}
				if r.ChildrenFiltered("title").Text() == "" {
					t.Error("a bar has no title of its own")
				}
			})
		})
	}
}

// TestBarChart_Empty says so in words instead of drawing nothing.
func TestBarChart_Empty(t *testing.T) {
	t.Parallel()
	doc, _ := render(t, BarChart(Chart{ID: "none", Title: "Close reasons"}))
	if doc.Find("svg").Length() != 0 || doc.Find(".empty").Length() != 1 {
		t.Error("an empty chart should say there is nothing to draw")
	}
}
