package server

import (
	"context"
	"testing"
)

// TestHashSlot: with every password-check slot taken, a sign-in waits in
// the queue; with the queue full too it is refused at once (503), and a
// waiter whose client leaves gives up its place.
func TestHashSlot(t *testing.T) {
	s := &Server{hashSlots: make(chan struct{}, 2), hashQueue: make(chan struct{}, 1)}
	var releases []func()
	for range 2 {
		release, ok := s.hashSlot(t.Context())
		if !ok {
			t.Fatal("free slot refused")
		}
		releases = append(releases, release)
	}
	got := make(chan bool)
	go func() {
		release, ok := s.hashSlot(t.Context())
		if ok {
			release()
		}
		got <- ok
	}()
	// Wait until the goroutine sits in the queue, then the queue is full.
	for len(s.hashQueue) == 0 {
		select {
		case ok := <-got:
			t.Fatalf("queued sign-in returned early: ok=%v", ok)
		default:
		}
	}
	if _, ok := s.hashSlot(t.Context()); ok {
		t.Fatal("sign-in past the slots and the queue was let through")
	}
	releases[0]()
	if ok := <-got; !ok {
		t.Fatal("queued sign-in did not get the released slot")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	s.hashSlots <- struct{}{} // full again
	if _, ok := s.hashSlot(ctx); ok {
		t.Fatal("a gone client got a slot")
	}
	if len(s.hashQueue) != 0 {
		t.Errorf("queue holds %d after the waiter left", len(s.hashQueue))
	}
	releases[1]()
}
