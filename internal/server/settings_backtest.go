package server

import (
	"goodmoney/internal/outcomes"
	"goodmoney/internal/pipeline"
	"goodmoney/web"
)

// previewBackTestView shows the preview's back-test: the same figures, with
// the same rounding, as the outcomes report for the same rules and period.
func previewBackTestView(p *pipeline.RulesPreview) *web.PreviewBackTest {
	if p.BackTest == nil {
		return nil
	}
	c, q := p.BackTest, p.BackTestQuery
	figures := func(s outcomes.Summary) web.BackTestFigures {
		return web.BackTestFigures{Flagged: s.Flagged, Caught: s.Caught, Bad: s.Bad,
			HasPrecision: s.Precise, Precision: outcomes.Round2(s.Precision),
			HasRecall: s.Recalled, Recall: outcomes.Round2(s.Recall)}
	}
	return &web.PreviewBackTest{
		Period:   "from " + q.From.Format("2 Jan 2006") + " to " + q.To.Format("2 Jan 2006"),
		Report:   setLink(q, outcomes.Set{}, outcomesPath),
		Deals:    c.Current.Deals,
		Current:  figures(c.Current),
		Proposed: figures(c.Proposed),
		Changed:  c.Changed, More: c.NewlyFlagged, Fewer: c.Unflagged,
	}
}
