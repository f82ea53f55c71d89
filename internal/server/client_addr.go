package server

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddrKey holds the client's address, resolved once per request.
const clientAddrKey ctxKey = 100

// resolveClient puts the client's address into the request context for the
// sign-in throttle and the logs. X-Forwarded-For is read only when the peer
// is one of Config.TrustedProxies (TRUSTED_PROXIES); anyone can send the
// header, so without that list it is ignored.
func (s *Server) resolveClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := clientAddress(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), s.Config.TrustedProxies)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientAddrKey, addr)))
	})
}

// clientIP returns the client's address as resolveClient found it.
func clientIP(r *http.Request) string {
	if a, ok := r.Context().Value(clientAddrKey).(string); ok {
		return a
	}
	return peerHost(r.RemoteAddr)
}

// clientAddress returns the address of the client behind remoteAddr (the
// TCP peer, "host:port"). When the peer is a trusted proxy, the
// X-Forwarded-For hops are read from the right, skipping trusted proxies;
// the first untrusted hop is the client. Hops further left were written by
// the client itself and could be anything, so they are never used. A hop
// that is not an address stops the walk at the last trusted one.
func clientAddress(remoteAddr string, forwardedFor []string, trusted []netip.Prefix) string {
	peer := peerHost(remoteAddr)
	addr, err := netip.ParseAddr(peer)
	if err != nil || !isTrusted(addr, trusted) {
		return peer
	}
	var hops []string
	for _, h := range forwardedFor {
		hops = append(hops, strings.Split(h, ",")...)
	}
	client := addr
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		client = hop.Unmap()
		if !isTrusted(client, trusted) {
			break
		}
	}
	return client.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peerHost is the host part of a "host:port" address.
func peerHost(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}

// ParseTrustedProxies reads a comma-separated list of CIDRs or single
// addresses ("10.0.0.0/8, 192.168.1.7").
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, err
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
