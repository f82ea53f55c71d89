package server

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"goodmoney/internal/outcomes"
)

// outcomesCSV is GET /reports/outcomes.csv: one line per closed deal of the
// report (or of the chosen figure), for a spreadsheet.
func (s *Server) outcomesCSV(w http.ResponseWriter, r *http.Request) {
	q, _, errs := outcomesQuery(r, s)
	if errs != nil {
		var msg []string
		for _, m := range errs {
			msg = append(msg, m)
		}
		http.Error(w, strings.Join(msg, " "), http.StatusUnprocessableEntity)
		return
	}
	rep, err := s.Outcomes.Outcomes(r.Context(), actor(r), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if rep.Progress != nil {
		w.Header().Set("Retry-After", "5")
		http.Error(w, "The back-test is still running; try again in a few seconds.", http.StatusServiceUnavailable)
		return
	}
	rows := rep.Rows
	if set := chosenSet(r.URL.Query()); !set.IsZero() {
		rows = outcomes.Select(rows, set)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="outcomes-`+q.From.Format("20060102")+"-"+q.To.Format("20060102")+`.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"deal_id", "title", "prospect", "owner", "stage", "outcome", "amount", "currency", "created", "closed",
		"scored", "scored_as_of", "points", "band", "flagged", "first_flag", "days_flag_to_close", "signals",
		"hours_estimated", "hours_after_flag", "close_reasons", "came_back", "furthest_stage"})
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, row := range rows {
		lead := ""
		if !row.FirstFlag.IsZero() {
			lead = strconv.FormatFloat(row.ClosedAt.Sub(row.FirstFlag).Hours()/24, 'f', 1, 64)
		}
		band := ""
		if row.Scored {
			band = string(row.Band)
		}
		_ = cw.Write([]string{strconv.FormatInt(row.DealID, 10), csvSafe(row.Title), csvSafe(row.Prospect), csvSafe(row.Owner),
			row.Stage, string(row.Class), row.Amount.String(), row.Currency, stamp(row.CreatedAt), stamp(row.ClosedAt),
			strconv.FormatBool(row.Scored), stamp(row.Cut), strconv.Itoa(row.Points), band, strconv.FormatBool(row.Flagged()),
			stamp(row.FirstFlag), lead, strings.Join(row.Signals, " "),
			strconv.FormatFloat(float64(row.Minutes)/60, 'f', 2, 64), strconv.FormatFloat(float64(row.MinutesAfterFlag)/60, 'f', 2, 64),
			csvSafe(strings.Join(row.Reasons, "; ")), strconv.FormatBool(row.CameBack), row.Reached})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.Logger.Error("outcomes csv", "err", err)
	}
}

// csvSafe keeps a typed text from being read as a formula by a
// spreadsheet (CSV injection): a leading =, +, - or @ gets a quote mark.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
