package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// rssSampler watches the server's resident set while a load runs.
type rssSampler struct{ pid int }

// during samples VmRSS every 100 ms into *peak until the returned stop is called.
func (s *rssSampler) during(peak *int64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			*peak = max(*peak, procStatus(s.pid, "VmRSS:"))
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// peakRSS reads a process's resident-set high-water mark (VmHWM), in kB.
func peakRSS(pid int) int64 { return procStatus(pid, "VmHWM:") }

// resetPeakRSS sets the high-water mark back to the current RSS (Linux:
// writing 5 to clear_refs), so the peak read later is the loads' own.
func resetPeakRSS(pid int) bool {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0) == nil
}

// procStatus reads one kB figure of /proc/PID/status.
func procStatus(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
