package pgdump

import "testing"

func TestForLibpq(t *testing.T) {
	tests := []struct{ in, conn, password string }{
		{"postgres://app:s3cret@db.example.com:5432/goodmoney?sslmode=require&pool_max_conns=20",
			"postgres://app@db.example.com:5432/goodmoney?sslmode=require", "s3cret"},
		{"postgresql://db/goodmoney?statement_cache_capacity=0", "postgresql://db/goodmoney", ""},
		{"host=/tmp/gm port=5432 user=postgres dbname=goodmoney sslmode=disable",
			"host=/tmp/gm port=5432 user=postgres dbname=goodmoney sslmode=disable", ""},
	}
	for _, tt := range tests {
		conn, pw := forLibpq(tt.in)
		if conn != tt.conn || pw != tt.password {
			t.Errorf("forLibpq(%q) = %q, %q; want %q, %q", tt.in, conn, pw, tt.conn, tt.password)
		}
	}
}
