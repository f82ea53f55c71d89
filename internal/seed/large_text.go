package seed

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Word banks for names and notes.
var (
	nameFirst  = strings.Fields("Acme Apex Atlas Beacon Blue Bright Cedar Clear Coastal Copper Crest Delta Eagle Echo Evergreen First Forge Frontier Golden Granite Green Harbor Highland Horizon Iron Keystone Lake Liberty Lumen Maple Meridian Metro Midwest Monarch North Northgate Oak Orchard Pacific Peak Pine Pioneer Prairie Prime Quarry Redline Ridge River Rock Sage Silver Sterling Stone Summit Sun Tidewater Trinity Union Valley Vista West Willow")
	nameTrade  = strings.Fields("Analytics Bakery Builders Clinics Construction Couriers Dental Design Distribution Electric Energy Engineering Farms Fitness Foods Freight Health Holdings Hotels Imaging Insurance Labs Landscaping Legal Logistics Machining Manufacturing Marine Media Medical Metals Motors Networks Outfitters Packaging Pharmacies Plastics Plumbing Printing Properties Realty Recycling Restaurants Retail Roofing Schools Security Software Solar Staffing Storage Supply Systems Textiles Tools Transport Travel Utilities Vineyards Wellness")
	nameSuffix = []string{"", "", "", "Inc", "LLC", "Group", "Co", "Partners", "& Sons", "Corp"}
	cities     = strings.Fields("Austin Boston Denver Fresno Omaha Portland Raleigh Reno Salem Tampa Toledo Tulsa")
	industries = []string{"Logistics", "Healthcare", "Manufacturing", "Retail", "Construction", "Education", "Food & beverage", "Hospitality", "Real estate", "Professional services", "Energy", "Technology"}
	firstNames = strings.Fields("Aaliyah Adrian Alan Alex Amara Ana Ben Beth Carla Carlos Chen Chloe Dana Daniel Diego Elena Emma Ethan Fatima Gus Hannah Hiro Irene Isaac Jamal Jana Jorge Kai Kelly Lena Leo Lina Lucas Maria Marco Maya Mei Nina Noah Olga Omar Priya Raj Rosa Ryan Sam Sara Sofia Tom Uma Victor Wei Yara Zoe")
	lastNames  = strings.Fields("Adams Baker Bellini Boyd Brooks Castro Cho Costa Diaz Evans Farrell Fischer Garcia Haddad Hale Holloway Ivanova Jensen Kim Kowalski Lee Lopez Marquez Miller Nakamura Nguyen Novak Okafor Olsen Ortiz Patel Pierce Quinn Raman Reyes Rossi Schmidt Silva Singh Smith Sullivan Tanaka Vance Walker Wang Whitfield Wright Young Zhang")
	titles     = []string{"Procurement lead", "Operations director", "Owner", "COO", "IT lead", "Office manager", "Finance manager", "Purchasing", "VP Operations", "Plant manager"}
	products   = []string{"annual renewal", "starter bundle", "pilot", "site licences", "fleet tracking", "support plan", "expansion", "multi-site rollout", "onboarding package"}

	fullReplies = []string{
		"Thanks, we will review the numbers with finance next week",
		"Great call yesterday, sending the usage figures so you can size it",
		"Received, the team likes it and we will confirm dates by Friday",
		"Can we walk through the contract terms on Thursday afternoon?",
		"Happy to talk next week, Tuesday morning suits me best",
		"Looks good overall, two small questions on the onboarding plan",
		"Finance approved the budget line, please send the paperwork",
		"We need the security questionnaire answered before we sign",
		"Could you include training for the second site in the proposal?",
		"Sorry for the delay, we were at a trade show all week",
	}
	terseReplies = []string{"ok", "busy", "not now", "send again", "maybe later", "call me", "k", "fine"}
	outNotes     = []string{"", "", "Sent the proposal", "Followed up on pricing", "Checking in on next steps", "Shared the case study", "Asked for a time to talk"}
	callNotes    = []string{"", "Walked through the rollout plan", "Discussed budget timing", "Answered questions on support", "Agreed next steps"}
)

func pickStr(r *rand.Rand, s ...string) string { return s[r.IntN(len(s))] }
func outboundNote(r *rand.Rand) string         { return outNotes[r.IntN(len(outNotes))] }
func callNote(r *rand.Rand) string             { return callNotes[r.IntN(len(callNotes))] }

func companyName(r *rand.Rand) string {
	name := pickStr(r, nameFirst...) + " " + pickStr(r, nameTrade...)
	if s := pickStr(r, nameSuffix...); s != "" {
		name += " " + s
	}
	if r.IntN(100) < 35 {
		name += " of " + pickStr(r, cities...)
	}
	return name
}

func slug(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// contactRow is one generated contact.
type contactRow struct{ name, email, phone, title string }

// prospectDetail draws the rest of prospect i's row and its contacts.
func (g *largeGen) prospectDetail(i int) (website, industry string, created time.Time, contacts []contactRow) {
	p := &g.prospects[i]
	r := newRand(g.opts.Seed, streamProspect, i|1<<30)
	website = slug(p.name) + fmt.Sprintf("%d.example", i)
	industry = pickStr(r, industries...)
	// Imported from the previous CRM before the year of history began.
	created = g.now.AddDate(0, 0, -g.opts.Days-r.IntN(90))
	contacts = make([]contactRow, p.contacts)
	for k := range contacts {
		first, last := pickStr(r, firstNames...), pickStr(r, lastNames...)
		contacts[k] = contactRow{
			name:  first + " " + last,
			email: strings.ToLower(first+"."+last) + "@" + website,
			phone: fmt.Sprintf("+1 555 %04d", r.IntN(10000)),
			title: pickStr(r, titles...),
		}
	}
	return website, industry, created, contacts
}

// searchText is what the store's refreshSearch would write for the prospect.
func searchText(name, website string, contacts []contactRow) string {
	parts := []string{name, website}
	for _, c := range contacts {
		parts = append(parts, c.name+" "+c.email)
	}
	return strings.ToLower(strings.Join(parts, " "))
}
