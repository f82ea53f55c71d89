package web

import (
	"slices"
	"testing"

	"goodmoney/internal/pipeline"
)

func TestPinHighlighted(t *testing.T) {
	touch := func(id int64) pipeline.TimelineItem { return pipeline.TimelineItem{Touch: &pipeline.Touch{ID: id}} }
	flag := pipeline.TimelineItem{Flag: &pipeline.FlagEvent{}}
	ids := func(items []pipeline.TimelineItem) []int64 {
		var out []int64
		for _, it := range items {
			if it.Touch != nil {
				out = append(out, it.Touch.ID)
			} else {
				out = append(out, -1)
			}
		}
		return out
	}
	items := []pipeline.TimelineItem{flag, touch(3), touch(2), touch(1)}
	cases := []struct {
		name string
		id   int64
		want []int64
	}{
		{"none", 0, []int64{-1, 3, 2, 1}},
		{"after a newer flag event", 3, []int64{3, -1, 2, 1}},
		{"backdated", 1, []int64{1, -1, 3, 2}},
		{"not on this page", 9, []int64{-1, 3, 2, 1}},
	}
	for _, c := range cases {
		if got := ids(pinHighlighted(items, c.id)); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	if got := ids(pinHighlighted(items[1:], 3)); !slices.Equal(got, []int64{3, 2, 1}) {
		t.Errorf("already first: got %v", got)
	}
	if got := ids(items); !slices.Equal(got, []int64{-1, 3, 2, 1}) {
		t.Errorf("the page's items were changed: %v", got)
	}
}
