package postgres

// KeepHoldsSQL exposes keepHoldsSQL to the tests of package postgres_test.
var KeepHoldsSQL = keepHoldsSQL

// WaitBackground waits for the background runs started so far.
func (o *OutcomeService) WaitBackground() { o.runs.Wait() }
