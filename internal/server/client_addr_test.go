package server

import (
	"net/netip"
	"testing"
)

func TestClientAddress(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.168.1.7, 2001:db8::/32")
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	tests := []struct {
		name    string
		remote  string
		xff     []string
		trusted []netip.Prefix
		want    string
	}{
		{"no proxies trusted: header ignored", "10.1.2.3:5000", []string{"203.0.113.9"}, nil, "10.1.2.3"},
		{"untrusted peer: header ignored", "198.51.100.4:5000", []string{"203.0.113.9"}, trusted, "198.51.100.4"},
		{"trusted peer, one hop", "10.1.2.3:5000", []string{"203.0.113.9"}, trusted, "203.0.113.9"},
		{"spoofed left hops are skipped", "10.1.2.3:5000", []string{"1.1.1.1, 203.0.113.9"}, trusted, "203.0.113.9"},
		{"chain of trusted proxies", "10.1.2.3:5000", []string{"203.0.113.9, 192.168.1.7", "10.9.9.9"}, trusted, "203.0.113.9"},
		{"trusted peer, no header", "10.1.2.3:5000", nil, trusted, "10.1.2.3"},
		{"garbage hop stops at the last trusted", "10.1.2.3:5000", []string{"203.0.113.9, not-an-ip"}, trusted, "10.1.2.3"},
		{"every hop trusted: leftmost", "10.1.2.3:5000", []string{"10.4.4.4, 10.5.5.5"}, trusted, "10.4.4.4"},
		{"IPv6 proxy", "[2001:db8::1]:443", []string{"2001:db9::77"}, trusted, "2001:db9::77"},
		{"IPv4-mapped peer", "[::ffff:10.1.2.3]:5000", []string{"203.0.113.9"}, trusted, "203.0.113.9"},
		{"remote without port", "10.1.2.3", []string{"203.0.113.9"}, trusted, "203.0.113.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := clientAddress(tt.remote, tt.xff, tt.trusted); got != tt.want {
				t.Errorf("clientAddress(%q, %q) = %q, want %q", tt.remote, tt.xff, got, tt.want)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.0/8 ,,192.168.1.7,10.1.2.3/16")
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	want := []string{"10.0.0.0/8", "192.168.1.7/32", "10.1.0.0/16"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("prefix %d = %s, want %s", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example.com", "10.0.0/8"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("ParseTrustedProxies(%q): no error", bad)
		}
	}
}
