package pipeline

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// Prospect is a company being sold to.
type Prospect struct {
	ID        int64
	OrgID     int64
	Name      string
	Website   string
	Industry  string
	Notes     string
	OwnerID   int64
	OwnerName string
	CreatedAt time.Time
	Contacts  []*Contact
}

// Contact is a person at a prospect.
type Contact struct {
	ID         int64
	ProspectID int64
	Name       string
	Email      string
	Phone      string
	Title      string
}

// ProspectInput is a prospect as entered on the form.
type ProspectInput struct {
	Name, Website, Industry, Notes string
	// Key is the create form's idempotency key: sending the same form
	// again returns the prospect the first send made. Optional.
	Key string `json:"-"`
}

// Validate trims the fields and returns per-field messages.
func (in *ProspectInput) Validate() map[string]string {
	in.Name = strings.TrimSpace(in.Name)
	in.Website = strings.TrimSpace(in.Website)
	in.Industry = strings.TrimSpace(in.Industry)
	in.Notes = strings.TrimSpace(in.Notes)
	errs := map[string]string{}
	if in.Name == "" {
		errs["name"] = "Enter the company's name."
	} else if len(in.Name) > 200 {
		errs["name"] = "Keep the name under 200 characters."
	}
	if len(in.Website) > 300 || strings.ContainsAny(in.Website, " <>\"") {
		errs["website"] = "Enter a web address like example.com."
	}
	if len(in.Industry) > 100 {
		errs["industry"] = "Keep the industry under 100 characters."
	}
	if len(in.Notes) > 10000 {
		errs["notes"] = "Keep notes under 10,000 characters."
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// ContactInput is a contact as entered on the form.
type ContactInput struct {
	Name, Email, Phone, Title string
	// Key is the add-contact form's idempotency key (AddContact). Optional.
	Key string `json:"-"`
}

// Empty reports whether nothing was entered (the contact part of the
// prospect form is optional).
func (in *ContactInput) Empty() bool {
	return strings.TrimSpace(in.Name+in.Email+in.Phone+in.Title) == ""
}

// Validate trims the fields and returns per-field messages keyed "contact_<field>".
func (in *ContactInput) Validate() map[string]string {
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.TrimSpace(in.Email)
	in.Phone = strings.TrimSpace(in.Phone)
	in.Title = strings.TrimSpace(in.Title)
	errs := map[string]string{}
	if in.Name == "" {
		errs["contact_name"] = "Enter the contact's name."
	} else if len(in.Name) > 200 {
		errs["contact_name"] = "Keep the name under 200 characters."
	}
	if in.Email != "" {
		if _, err := mail.ParseAddress(in.Email); err != nil || !strings.Contains(in.Email, "@") {
			errs["contact_email"] = "Enter an email address like name@company.com."
		}
	}
	if len(in.Phone) > 50 {
		errs["contact_phone"] = "Keep the phone number under 50 characters."
	}
	if len(in.Title) > 100 {
		errs["contact_title"] = "Keep the job title under 100 characters."
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// ProspectService keeps prospects and contacts. Every user of the org may
// read every prospect (so nobody adds a duplicate); deals and touches on a
// prospect are shown only as far as the deal policy allows.
type ProspectService interface {
	CreateProspect(ctx context.Context, a Actor, in ProspectInput, contact *ContactInput) (*Prospect, error)
	Prospect(ctx context.Context, a Actor, id int64) (*Prospect, error)
	// ProspectDeals and ProspectTouches return what the actor may see.
	ProspectDeals(ctx context.Context, a Actor, id int64) ([]*Deal, error)
	ProspectTouches(ctx context.Context, a Actor, id int64, limit int) ([]*Touch, error)
	AddContact(ctx context.Context, a Actor, prospectID int64, in ContactInput) (*Contact, error)
	SearchProspects(ctx context.Context, a Actor, q string, after string, limit int) ([]*Prospect, string, error)
}
