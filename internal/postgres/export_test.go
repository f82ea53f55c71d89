package postgres

// KeepHoldsSQL exposes keepHoldsSQL to the tests of package postgres_test.
var KeepHoldsSQL = keepHoldsSQL
